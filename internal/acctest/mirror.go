package acctest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ProviderMirror builds the provider into a filesystem mirror in a temporary folder with
// scripts/install-mirror.sh under root (the layout `make install-mirror` writes) and returns the
// folder. Skipped without TF_ACC: it runs the real Terraform CLI like every acceptance test.
func ProviderMirror(t testing.TB, root string) string {
	t.Helper()
	skipWithoutAcc(t)
	if err := CheckTerraform(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(root, "scripts", "install-mirror.sh"), dir)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/install-mirror.sh: %v\n%s", err, out)
	}
	return dir
}

// MirrorConfig writes a CLI configuration that installs mosaicstack/mosaic only from mirror
// (both registry hosts) and returns its path.
func MirrorConfig(t testing.TB, mirror string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mirror.tfrc")
	rc := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/mosaicstack/mosaic", "registry.opentofu.org/mosaicstack/mosaic"]
  }
}
`, mirror)
	if err := os.WriteFile(path, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Terraform runs the CLI the acceptance tests use (TF_ACC_TERRAFORM_PATH, set by CheckTerraform)
// in dir with the extra environment env (KEY=VALUE; later entries win) and returns its
// combined output, without colour and never prompting.
func Terraform(dir string, env []string, args ...string) (string, error) {
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_INPUT=0"), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("%s %s in %s: %w", filepath.Base(bin), strings.Join(args, " "), dir, err)
	}
	return string(out), nil
}
