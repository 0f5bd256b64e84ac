package docsnippets

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// versions is what every workspace of the docs declares; the shared init installs it once.
const versions = `terraform {
  required_providers {
    mosaic = { source = "mosaicstack/mosaic", version = ">= 0.1.0" }
  }
}
`

// validator runs `terraform validate` on configurations against one `terraform init` of the
// provider from the local mirror: each configuration's folder links the shared .terraform and
// lock file, so a configuration that does not declare mosaicstack/mosaic is refused as it
// would be after its own init.
type validator struct {
	t    *testing.T
	env  []string
	base string
}

func newValidator(t *testing.T, root string) *validator {
	t.Helper()
	mirror := acctest.ProviderMirror(t, root)
	v := &validator{t: t, env: []string{"TF_CLI_CONFIG_FILE=" + acctest.MirrorConfig(t, mirror)}, base: t.TempDir()}
	if err := os.WriteFile(filepath.Join(v.base, "versions.tf"), []byte(versions), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := acctest.Terraform(v.base, v.env, "init", "-backend=false", "-no-color"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return v
}

// validate writes files into a fresh folder and validates it; the error carries the output.
func (v *validator) validate(files map[string]string) (string, error) {
	dir := v.t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			v.t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(v.base, ".terraform"), filepath.Join(dir, ".terraform")); err != nil {
		v.t.Fatal(err)
	}
	lock, err := os.ReadFile(filepath.Join(v.base, ".terraform.lock.hcl"))
	if err != nil {
		v.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".terraform.lock.hcl"), lock, 0o600); err != nil {
		v.t.Fatal(err)
	}
	return acctest.Terraform(dir, v.env, "validate", "-no-color")
}

// folder validates every .tf file of a repository folder, as copied alone.
func (v *validator) folder(root, rel string) (string, error) {
	paths, _ := filepath.Glob(filepath.Join(root, rel, "*.tf"))
	files := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			v.t.Fatal(err)
		}
		files[filepath.Base(p)] = string(b)
	}
	if len(files) == 0 {
		v.t.Fatalf("%s holds no .tf file", rel)
	}
	return v.validate(files)
}

// Every HCL block of README.md, docs/ and templates/ works as written: `terraform validate`
// after `terraform init` from the local mirror, with nothing added. A block marked
// `<!-- fragment: FILE -->` must be part of FILE (its lines, in order), and FILE's folder is
// validated instead; the onboarding guide's blocks are validated as the reader assembles
// them; another provider's HCL (`<!-- other-provider: ... -->`) must at least parse and be
// formatted. A block of docs/ that is an examples/ file, as tfplugindocs embeds it, is validated
// with that file's folder. A block with no marker that is not a whole configuration fails.
func TestAccDocSnippets(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := Docs(root)
	if err != nil {
		t.Fatal(err)
	}
	v := newValidator(t, root)
	examples := exampleFiles(t, root)

	// One validation per distinct text: the templates and the docs generated from them hold
	// the same blocks.
	where := map[string][]string{}
	var order []string
	folders := map[string][]string{}
	checked := 0
	for _, b := range blocks {
		if !b.IsHCL() {
			continue
		}
		checked++
		if file, ok := examples[b.Text]; ok && b.Kind == "" && strings.HasPrefix(b.File, "docs/") {
			// tfplugindocs embedded this example file ({{ tffile }}): its folder is validated.
			folders[filepath.Dir(file)] = append(folders[filepath.Dir(file)], b.Where())
			continue
		}
		switch b.Kind {
		case "", "quickstart":
			if where[b.Text] == nil {
				order = append(order, b.Text)
			}
			where[b.Text] = append(where[b.Text], b.Where())
		case "fragment":
			full, err := os.ReadFile(filepath.Join(root, b.Arg))
			if err != nil {
				t.Errorf("%s: the fragment names %s, which cannot be read: %v", b.Where(), b.Arg, err)
				continue
			}
			if missing := ContainedIn(b.Text, string(full)); missing != "" {
				t.Errorf("%s: the fragment is not part of %s: %q is not there (in this order)", b.Where(), b.Arg, missing)
			}
			folders[filepath.Dir(b.Arg)] = append(folders[filepath.Dir(b.Arg)], b.Where())
		case "onboarding":
			// Validated below as assembled.
		case "other-provider":
			if out, err := v.fmtCheck(b.Text); err != nil {
				t.Errorf("%s: this %s block does not parse or is not formatted: %v\n%s", b.Where(), b.Arg, err, out)
			}
		default:
			t.Errorf("%s: unknown marker <!-- %s: %s --> before an HCL block", b.Where(), b.Kind, b.Arg)
		}
	}
	for _, text := range order {
		if out, err := v.validate(map[string]string{"main.tf": text}); err != nil {
			t.Errorf("%s: the block does not validate as written (add what it needs, or mark it <!-- fragment: examples/... --> naming the full example it is part of):\n%s\n%s",
				strings.Join(where[text], ", "), out, text)
		}
	}
	dirs := make([]string, 0, len(folders))
	for d := range folders {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		if out, err := v.folder(root, d); err != nil {
			t.Errorf("%s, the full example of the fragments at %s, does not validate:\n%s", d, strings.Join(folders[d], ", "), out)
		}
	}
	for _, guide := range []string{"docs/guides/onboarding.md", "templates/guides/onboarding.md.tmpl"} {
		gb, err := File(root, guide)
		if err != nil {
			t.Fatal(err)
		}
		g, err := Onboarding(gb)
		if err != nil {
			t.Errorf("%s: %v", guide, err)
			continue
		}
		for i, p := range g.Platform {
			if out, err := v.validate(map[string]string{"main.tf": p}); err != nil {
				t.Errorf("%s: the platform workspace after step %d does not validate:\n%s\n%s", guide, i+1, out, p)
			}
		}
		if out, err := v.validate(map[string]string{"main.tf": g.Pipeline}); err != nil {
			t.Errorf("%s: the pipeline's workspace does not validate:\n%s\n%s", guide, out, g.Pipeline)
		}
	}
	t.Logf("%d HCL blocks: %d distinct whole configurations, %d example folders behind fragments, the onboarding guide's workspaces", checked, len(order), len(dirs))
}

// exampleFiles maps the text of each .tf file under examples/ to its path.
func exampleFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".tf") {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil {
			rel, _ := filepath.Rel(root, p)
			files[string(b)] = rel
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// fmtCheck runs `terraform fmt -check` on text: it fails on a syntax error or unformatted HCL.
func (v *validator) fmtCheck(text string) (string, error) {
	dir := v.t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(text), 0o600); err != nil {
		v.t.Fatal(err)
	}
	return acctest.Terraform(dir, v.env, "fmt", "-check", "-diff", "-no-color", "main.tf")
}
