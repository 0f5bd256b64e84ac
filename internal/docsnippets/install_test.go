package docsnippets

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// A newcomer's install, as README.md writes it: its install commands run literally (bash, in
// the repository, HOME a fresh folder, no TF_CLI_CONFIG_FILE), then docs/index.md's Quickstart
// goes through `terraform init` (from the mirror, with no CLI configuration and again with the
// README's), `terraform validate`, and `terraform apply` against a real, empty Vault; and the
// dev_overrides variant validates with no init.
func TestAccDocInstall(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	readme, err := File(root, "README.md")
	if err != nil {
		t.Fatal(err)
	}
	index, err := File(root, "docs/index.md")
	if err != nil {
		t.Fatal(err)
	}
	quickstart, err := Marked(index, "quickstart", "main.tf")
	if err != nil {
		t.Fatal(err)
	}
	vault := acctest.OwnVault(t)
	if err := acctest.CheckTerraform(); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	env := newcomerEnv(t, home)

	run := func(step string) {
		t.Helper()
		script, err := Marked(readme, "install", step)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", "-euo", "pipefail", "-c", script)
		cmd.Dir, cmd.Env = root, append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("README install step %q failed: %v\n%s", step, err, out)
		}
	}
	workspace := func() string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(quickstart), 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	initValidate := func(what string) string {
		t.Helper()
		dir := workspace()
		for _, args := range [][]string{{"init", "-no-color"}, {"validate", "-no-color"}} {
			if out, err := acctest.Terraform(dir, env, args...); err != nil {
				t.Fatalf("%s: %v\n%s", what, err, out)
			}
		}
		// registry.terraform.io under Terraform, registry.opentofu.org under OpenTofu.
		if m, _ := filepath.Glob(filepath.Join(dir, ".terraform/providers/*/mosaicstack/mosaic/*")); len(m) != 1 {
			t.Fatalf("%s: terraform init did not install mosaicstack/mosaic: %v", what, m)
		}
		return dir
	}

	run("mirror")
	for _, host := range []string{"registry.terraform.io", "registry.opentofu.org"} {
		if m, _ := filepath.Glob(filepath.Join(home, ".terraform.d/plugins", host, "mosaicstack/mosaic/*/*/terraform-provider-mosaic_v*")); len(m) != 1 {
			t.Errorf("make install-mirror left %v under %s, want one binary", m, host)
		}
	}
	dir := initValidate("the Quickstart with no CLI configuration")
	applyEnv := append(append([]string{}, env...), "VAULT_ADDR="+vault.Addr, "VAULT_TOKEN="+vault.Token, "TF_VAR_db_password=quickstart-pw")
	if out, err := acctest.Terraform(dir, applyEnv, "apply", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("the Quickstart's apply on an empty Vault: %v\n%s", err, out)
	}
	if d := vault.KVData(t, "secret-prod", "web/database/app"); d["password"] != "quickstart-pw" || d["username"] != "web" {
		t.Errorf("the Quickstart's secret in Vault: %v", d)
	}
	if p := vault.Policy(t, "web-prod"); !strings.Contains(p, `"secret-prod/data/web/*"`) {
		t.Errorf("the Quickstart's app policy: %q", p)
	}

	run("cli-config")
	initValidate("the Quickstart with the README's provider_installation block")

	// dev_overrides: the block ends by exporting TF_CLI_CONFIG_FILE, so validate runs in the
	// same shell, as the reader's next command.
	script, err := Marked(readme, "install", "dev-overrides")
	if err != nil {
		t.Fatal(err)
	}
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	cmd := exec.Command("bash", "-euo", "pipefail", "-c", script+"\ncd \"$QUICKSTART\" && \"$TERRAFORM\" validate -no-color\n")
	cmd.Dir, cmd.Env = root, append(append(os.Environ(), env...), "QUICKSTART="+workspace(), "TERRAFORM="+bin)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Provider development overrides are in effect") {
		t.Errorf("dev_overrides: validate without init: %v\n%s", err, out)
	}
}

// newcomerEnv overrides this process's environment: HOME a fresh folder, no CLI configuration
// override, no Vault; Go keeps using this machine's caches (a fresh HOME would rebuild every
// module). Later entries win, so it is appended to os.Environ().
func newcomerEnv(t *testing.T, home string) []string {
	t.Helper()
	env := []string{"HOME=" + home, "TF_CLI_CONFIG_FILE=", "TF_PLUGIN_CACHE_DIR=", "XDG_DATA_HOME=", "VAULT_ADDR=", "VAULT_TOKEN="}
	for _, name := range []string{"GOCACHE", "GOMODCACHE", "GOPATH"} {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatal(err)
		}
		env = append(env, name+"="+strings.TrimSpace(string(out)))
	}
	return env
}
