package lint

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// copyCorpus copies testdata/corpus/<name> into a fresh folder outside any git work tree.
func copyCorpus(t *testing.T, name string) string {
	t.Helper()
	dst := t.TempDir()
	src := filepath.Join("testdata", "corpus", name)
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func lintDir(t *testing.T, dir string) []Finding {
	t.Helper()
	files, err := Files(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Lint(dir, files, Options{Exclude: []ExcludeRule{{"expected.txt", "the test's answer key"}}})
	if err != nil {
		t.Fatal(err)
	}
	return res.Findings
}

// The mixed repository: every planted violation found at its line, nothing else (precision and
// recall 1.0); its clean twin of realistic lookalikes: nothing.
func TestCorpus(t *testing.T) {
	t.Parallel()
	bad := copyCorpus(t, "bad")
	want := map[string]bool{}
	f, err := os.Open(filepath.Join(bad, "expected.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			want[l] = true
		}
	}
	got := map[string]bool{}
	for _, f := range lintDir(t, bad) {
		got[f.File+":"+strconv.Itoa(f.Line)+" "+f.Rule] = true
		for _, l := range f.Related { // one Vault-client finding per app, each import a location
			got[l.File+":"+strconv.Itoa(l.Line)+" "+f.Rule] = true
		}
	}
	tp := 0
	for k := range got {
		if want[k] {
			tp++
		} else {
			t.Errorf("false positive: %s", k)
		}
	}
	for k := range want {
		if !got[k] {
			t.Errorf("missed: %s", k)
		}
	}
	clean := lintDir(t, copyCorpus(t, "good"))
	for _, f := range clean {
		t.Errorf("false positive in the clean twin: %s:%d %s: %s", f.File, f.Line, f.Rule, f.Message)
	}
	fp := len(got) - tp + len(clean)
	t.Logf("corpus: %d planted, %d found correctly, %d false positives (%d in the clean twin): precision %.2f, recall %.2f",
		len(want), tp, fp, len(clean), float64(tp)/float64(max(tp+fp, 1)), float64(tp)/float64(max(len(want), 1)))
}

func TestFilesInGitWorkTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@t", "-c", "user.name=t"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	git("init", "-q")
	for name, content := range map[string]string{".gitignore": "ignored.txt\nbuild/\n", "tracked.txt": "x", "untracked.txt": "y", "ignored.txt": "z", "build/out.txt": "w"} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("add", ".gitignore", "tracked.txt")
	git("commit", "-qm", "init")
	files, err := Files(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if want := []string{".gitignore", "tracked.txt", "untracked.txt"}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
}

func TestFilesOutsideGitHonourGitignore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{".gitignore": "*.log\nvendor/\n", "a.txt": "", "debug.log": "", "vendor/x.go": "",
		"sub/.gitignore": "secret.txt\n", "sub/secret.txt": "", "sub/keep.txt": "", ".git/config": ""} {
		_ = os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	files, err := walk(dir, []string{"."})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	if want := []string{".gitignore", "a.txt", "sub/.gitignore", "sub/keep.txt"}; !slices.Equal(files, want) {
		t.Errorf("files %v, want %v", files, want)
	}
}

// The SARIF output validates against the SARIF 2.1.0 schema (testdata), and the check can fail.
func TestSARIFValidates(t *testing.T) {
	t.Parallel()
	schemaDoc, err := os.ReadFile("testdata/sarif-2.1.0-rtm.5.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemaDoc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	findings := lintDir(t, copyCorpus(t, "bad"))
	var out bytes.Buffer
	if err := Write(&out, "sarif", "1.2.3", Result{Findings: findings}); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the SARIF output does not validate: %v", err)
	}
	broken := strings.Replace(out.String(), `"version": "2.1.0"`, `"version": "2.0"`, 1)
	inst, _ = jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if err := schema.Validate(inst); err == nil {
		t.Fatal("the schema accepted a broken SARIF log: the validation proves nothing")
	}
}

func TestGitHubAnnotations(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := Write(&out, "github", "", Result{Findings: []Finding{{Rule: RuleFallbackDefault, File: "a,b:c.yml", Line: 3, Column: 7, Message: "50% off\nnext", Fix: "x"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "::error file=a%2Cb%3Ac.yml,line=3,col=7,title=mosaic-lint fallback-default::50%25 off%0Anext. Fix: x\n"
	if out.String() != want {
		t.Errorf("got %q\nwant %q", out.String(), want)
	}
}

func TestParseSuppression(t *testing.T) {
	t.Parallel()
	for line, want := range map[string]*Suppression{
		`x = 1 # mosaic-lint:ignore hardcoded-secret a public demo value`: {Rule: "hardcoded-secret", Reason: "a public demo value"},
		`// mosaic-lint:ignore fallback-default`:                          {Rule: "fallback-default"},
		`/* mosaic-lint:ignore hardcoded-secret fixture */`:               {Rule: "hardcoded-secret", Reason: "fixture"},
		`<!-- mosaic-lint:ignore hardcoded-secret docs example -->`:       {Rule: "hardcoded-secret", Reason: "docs example"},
		`s := "mosaic-lint:ignore"`:                                       nil,
	} {
		got, ok := ParseSuppression(line)
		if (want == nil) == ok || (want != nil && got != *want) {
			t.Errorf("ParseSuppression(%q) = %+v %v, want %+v", line, got, ok, want)
		}
	}
}

func TestParseInterpolations(t *testing.T) {
	t.Parallel()
	got := ParseInterpolations(`a ${A:-x} ${B-} ${C:?req} $${D:-e} ${E} ${F:-${G:-h}} ${unterminated`)
	var ops []string
	for _, in := range got {
		ops = append(ops, in.Var+in.Op+in.Arg)
	}
	if want := []string{"A:-x", "B-", "C:?req", "E", "F:-${G:-h}"}; !slices.Equal(ops, want) {
		t.Errorf("got %v, want %v", ops, want)
	}
}

func TestSecretName(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]bool{
		"password": true, "DB_PASSWORD": true, "clientSecret": true, "api_key": true, "apiKey": true, "API_TOKEN": true, "privateKey": true,
		"token_ttl": false, "secretName": false, "password_file": false, "tokenHeader": false, "client_id": false, "username": false,
		"existingSecret": false, "secret_id_ttl": false, "key": false, "passwordMinLength": false,
	} {
		if SecretName(name) != want {
			t.Errorf("SecretName(%q) = %v", name, !want)
		}
	}
}

func TestJustified(t *testing.T) {
	t.Parallel()
	section := "## Secrets architecture\n\n**Access: Direct-Vault.** Why: every read of a payment credential must be audited per request.\n"
	for readme, want := range map[string]bool{
		section: true,
		"# app\n" + section + "## Running\nmake run\n":                                                                          true,
		"## Secrets architecture\n\nESO syncs the values; the app reads env vars.\n":                                            false,
		"## Secrets architecture\n\nDirect-Vault.\n":                                                                            false,
		"## Setup\n\nDirect-Vault because of dynamic database credentials with a short lease and renewal.\n":                    false,
		"## Secrets architecture\n\nSee below.\n\n## Other\n\nDirect-Vault because of dynamic credentials with short leases.\n": false,
	} {
		if Justified(readme) != want {
			t.Errorf("Justified(%q) = %v", readme, !want)
		}
	}
}
