package lint

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// writeRepo writes files (name -> content) into a fresh folder outside any git work tree.
func writeRepo(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lintRepo(t testing.TB, dir string, opts Options) Result {
	t.Helper()
	files, err := Files(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Lint(dir, files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func allFormats(t testing.TB, res Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Write(&b, f, "1.0.0", res); err != nil {
			t.Fatal(err)
		}
		out[f] = b.String()
	}
	return out
}

// Tests, specs, fixtures, cassettes and translations are not linted by default, each excluded
// file is reported (json lists it, the other formats count it per pattern), and the config can
// turn the defaults off.
func TestDefaultExcludes(t *testing.T) {
	t.Parallel()
	secret := "PASSWORD = \"hunter2hunter\"\n"
	dir := writeRepo(t, map[string]string{
		".gitignore": ".env\n", "tests/test_login.py": secret, "src/app.test.ts": "const apiKey = \"sk-test-abcdef\";\n",
		"spec/fixtures/users.yml": "password: hunter2hunter\n", "cassettes/login.yaml": "token: tok-recorded-123\n",
		"locales/de/translation.json": "{ \"client_secret\": \"Client-Geheimnis\" }\n", ".env.test": "API_TOKEN=tok-test-123\n",
		"pkg/x_test.go": "package x\nconst token = \"tok-go-test\"\n", "src/app.py": "import os\n",
	})
	res := lintRepo(t, dir, Options{})
	if len(res.Findings) != 0 {
		t.Errorf("findings in excluded files: %+v", res.Findings)
	}
	if len(res.Excluded) != 7 {
		t.Errorf("%d excluded, want 7: %+v", len(res.Excluded), res.Excluded)
	}
	for format, out := range allFormats(t, res) {
		if !strings.Contains(out, "excluded") {
			t.Errorf("%s output does not report the excluded files:\n%s", format, out)
		}
	}
	if off := lintRepo(t, dir, Options{NoDefaultExcludes: true}); len(off.Findings) < 7 {
		t.Errorf("without the default excludes %d findings, want every planted one (7): %+v", len(off.Findings), off.Findings)
	}
	cfg := filepath.Join(dir, ".mosaic-lint.yaml")
	if err := os.WriteFile(cfg, []byte("default_excludes: false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if opts, err := LoadConfig(cfg); err != nil || !opts.NoDefaultExcludes {
		t.Errorf("default_excludes: false gave %+v, %v", opts, err)
	}
}

// A file over 2 MiB, a line over 4000 characters and a symlink are never silent: each is a
// warning in every output format. The symlinked deploy/.env is still a finding by its name.
func TestSkipsReported(t *testing.T) {
	t.Parallel()
	dir := writeRepo(t, map[string]string{
		".gitignore": "/.env\n", "big.json": strings.Repeat("x", maxFileSize+1),
		"min.js":     "var a=1;" + strings.Repeat("a", maxLineLength) + "\nconst k = \"AKIAABCDEFGHIJKLMNOP\";\n",
		".env.local": "LOG_LEVEL=info\n",
	})
	if err := os.MkdirAll(filepath.Join(dir, "deploy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../.env.local", filepath.Join(dir, "deploy", ".env")); err != nil {
		t.Fatal(err)
	}
	res := lintRepo(t, dir, Options{})
	var skipped []string
	for _, s := range res.Skipped {
		skipped = append(skipped, s.File)
	}
	slices.Sort(skipped)
	if want := []string{"big.json", "deploy/.env", "min.js"}; !slices.Equal(skipped, want) {
		t.Errorf("skipped %v, want %v", skipped, want)
	}
	found := map[string]bool{}
	for _, f := range res.Findings {
		found[f.File+" "+f.Rule] = true
	}
	if !found["deploy/.env "+RuleEnvFileInDeploy] || !found["min.js "+RuleHardcodedSecret] {
		t.Errorf("findings %+v: want the symlinked deploy/.env and the key after the long line", res.Findings)
	}
	for format, out := range allFormats(t, res) {
		for _, f := range []string{"big.json", "deploy/.env", "min.js"} {
			if !strings.Contains(out, f) || !strings.Contains(out, "skipped") {
				t.Errorf("%s output does not report %s as skipped:\n%s", format, f, out)
			}
		}
	}
}

// SARIF artifact URIs are percent-encoded URI references, checked by the SARIF schema with
// format assertions on, and related locations (an app's other imports) validate too.
func TestSARIFURIs(t *testing.T) {
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
	c.AssertFormat()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	file := "{{cookiecutter.slug}}/my app/100% ok#1.yml"
	res := Result{Findings: []Finding{{Rule: RuleVaultClient, File: file, Line: 2, Column: 1, Message: "m", Fix: "f",
		Related: []Location{{File: "a b/c.go", Line: 3}}}}, Skipped: []Skipped{{File: "big file.json", Reason: "large"}}}
	var out bytes.Buffer
	if err := Write(&out, "sarif", "1.0.0", res); err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if err := schema.Validate(inst); err != nil {
		t.Fatalf("the SARIF output does not validate: %v", err)
	}
	want := "%7B%7Bcookiecutter.slug%7D%7D/my%20app/100%25%20ok%231.yml"
	if !strings.Contains(out.String(), `"uri": "`+want+`"`) {
		t.Errorf("the URI of %q is not %q:\n%s", file, want, out.String())
	}
	// The check can fail: a raw path with a space is not a URI reference.
	broken := strings.Replace(out.String(), want, "my app/100% ok#1.yml", 1)
	inst, _ = jsonschema.UnmarshalJSON(strings.NewReader(broken))
	if err := schema.Validate(inst); err == nil {
		t.Fatal("the schema accepted an unencoded URI: the format assertion proves nothing")
	}
}

// One Vault-client finding per app (the nearest directory with a dependency manifest), with each
// other import and dependency line as a related location.
func TestOneVaultClientFindingPerApp(t *testing.T) {
	t.Parallel()
	dir := writeRepo(t, map[string]string{
		".gitignore":       ".env\n",
		"billing/go.mod":   "module billing\n\nrequire github.com/hashicorp/vault/api v1.22.0\n",
		"billing/main.go":  "package main\n\nimport vault \"github.com/hashicorp/vault/api\"\n",
		"billing/auth.go":  "package main\n\nimport \"github.com/hashicorp/vault/api/auth/approle\"\n",
		"web/package.json": "{ \"dependencies\": { \"node-vault\": \"^0.10.2\" } }\n",
		"web/src/vault.ts": "import vault from 'node-vault';\n",
	})
	var got []string
	for _, f := range lintRepo(t, dir, Options{}).Findings {
		if f.Rule != RuleVaultClient {
			continue
		}
		s := fmt.Sprintf("%s:%d", f.File, f.Line)
		for _, r := range f.Related {
			s += fmt.Sprintf(" +%s:%d", r.File, r.Line)
		}
		got = append(got, s)
	}
	want := []string{"billing/auth.go:3 +billing/go.mod:3 +billing/main.go:3", "web/src/vault.ts:1 +web/package.json:1"}
	if !slices.Equal(got, want) {
		t.Errorf("Vault-client findings\n%q\nwant\n%q", got, want)
	}
}

// The forms of each class, one line each: the key, a non-secret shape, a fallback. A table of
// what the measurement on real repositories found, to keep each class fixed.
func TestLineClasses(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		file, text, rule string // rule "" means: no finding
	}{
		"op reference":           {"ci.yml", "KEY_PASSWORD: op://vault/item/field\n", ""},
		"vault reference":        {"values.yaml", "password: vault:secret/data/db#password\n", ""},
		"aws sm reference":       {"values.yaml", "token: arn:aws:secretsmanager:eu-west-1:1:secret:x\n", ""},
		"required reference":     {"run.sh", ": \"${API_KEY:?API key required}\"\n", ""},
		"plain reference":        {"compose.yaml", "TOKEN: ${TOKEN}\n", ""},
		"id-token permission":    {"ci.yml", "permissions:\n  id-token: write\n", ""},
		"fetch credentials":      {"a.ts", "fetch(u, { credentials: \"same-origin\" })\n", ""},
		"token endpoint URL":     {"a.ts", "const p = { token: \"https://example.com/oauth/token\" };\n", ""},
		"renewal number":         {"v.properties", "vault.token.renewal.threshold=0.8\n", ""},
		"bcrypt hash":            {"users.yaml", "password: \"$2b$12$abcdefghijklmnopqrstuv\"\n", ""},
		"django hash":            {"users.yaml", "password: pbkdf2_sha256$260000$abc$def\n", ""},
		"eso secretKey":          {"es.yaml", "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nspec:\n  data:\n    - secretKey: github_app_id\n", ""},
		"ui sentence":            {"a.ts", "const m = { \"Client Secret\": \"Client-Geheimnis\" };\n", ""},
		"comment URL":            {"a.ts", "// postgres://user:secretpw@host/db\n", ""},
		"sample placeholder":     {".env.sample", "SECRET_KEY=generate_a_new_key\n", ""},
		"module path":            {"jwt.py", "X = {\"JWT_SECRET_KEY\": \"app.auth.services.get_key\"}\n", ""},
		"non-secret fallback":    {"a.ts", "const port = process.env.PORT || \"3000\";\n", ""},
		"name ending in id":      {"run.sh", "VAULT_SECRET_ID=3f1c9b2e-77d4-4a0e\n", RuleHardcodedSecret},
		"root token id":          {"compose.yaml", "environment:\n  VAULT_DEV_ROOT_TOKEN_ID: root\n", RuleHardcodedSecret},
		"looks like a name":      {"compose.yaml", "environment:\n  ORCHESTRATOR_TOKEN: insecure-token\n", RuleHardcodedSecret},
		"my-secret-key":          {"compose.yaml", "environment:\n  EXPECTED_API_KEY: my-secret-key\n", RuleHardcodedSecret},
		"dotenv hash in quotes":  {"app.env", "API_TOKEN=\"abc#def123\"\n", RuleHardcodedSecret},
		"setter argument":        {"main.go", "package main\nfunc f() { client.SetToken(\"dev-only-token\") }\n", RuleHardcodedSecret},
		"npmrc":                  {".npmrc", "//registry.npmjs.org/:_authToken=abcd-1234\n", RuleHardcodedSecret},
		"npmrc reference":        {".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n", ""},
		"pypirc":                 {".pypirc", "[pypi]\npassword = pw-pypi-1\n", RuleHardcodedSecret},
		"netrc":                  {".netrc", "machine h login u password pw-netrc-1\n", RuleHardcodedSecret},
		"spring default":         {"application.properties", "spring.datasource.password=${DB_PASSWORD:changeme}\n", RuleFallbackDefault},
		"js or":                  {"a.js", "const s = process.env.APP_SECRET || 'lit-secret';\n", RuleFallbackDefault},
		"js nullish":             {"a.ts", "const s = process.env.APP_SECRET ?? \"lit-secret\";\n", RuleFallbackDefault},
		"ruby fetch":             {"a.rb", "K = ENV.fetch('SECRET_KEY_BASE', 'lit-base')\n", RuleFallbackDefault},
		"python environ.get":     {"a.py", "K = os.environ.get('SECRET_KEY', 'lit-key')\n", RuleFallbackDefault},
		"python getenv":          {"a.py", "K = os.getenv('DB_PASSWORD', 'lit-pw')\n", RuleFallbackDefault},
		"go if empty":            {"a.go", "package a\nfunc f() {\n\tif cfg.Token == \"\" {\n\t\tcfg.Token = \"lit-token\"\n\t}\n}\n", RuleFallbackDefault},
		"go viper":               {"a.go", "package a\nfunc f() { viper.SetDefault(\"jwt-secret\", \"lit-jwt\") }\n", RuleFallbackDefault},
		"helm default":           {"templates/s.yaml", "  password: {{ .Values.db.password | default \"lit-pw\" }}\n", RuleFallbackDefault},
		"helm default function":  {"templates/s.yaml", "  token: {{ default \"lit-tok\" .Values.auth.token }}\n", RuleFallbackDefault},
		"spring cloud vault":     {"build.gradle", "implementation 'org.springframework.cloud:spring-cloud-starter-vault-config'\n", RuleVaultClient},
		"http vault client":      {"c.py", "requests.post(addr + \"/v1/auth/approle/login\", json=body)\n", RuleVaultClient},
		"x-vault-token header":   {"c.go", "package c\nfunc f() { req.Header.Set(\"X-Vault-Token\", tok) }\n", RuleVaultClient},
		"connection string":      {"appsettings.json", "{ \"db\": \"Host=db;Username=app;Password=Sup3rS3cret\" }\n", RuleHardcodedSecret},
		"interpolated password":  {"P.cs", "var cs = $\"server=db;password={password}\";\n", ""},
		"storage key name":       {"S.cs", "private const string UserAccessToken = \"user_token\";\n", ""},
		"kubernetes secret name": {"values.yaml", "githubConfigSecret: runner-secret\n", ""},
		"field name map":         {"f.go", "package p\nvar m = map[string]string{\"api_key\": \"token\", \"smtp_password\": \"password\"}\n", ""},
		"rule id constant":       {"r.go", "package p\nconst RuleHardcodedSecret = \"hardcoded-secret\"\n", ""},
		"continued literal":      {"v.go", "package p\nvar s = S{Token: \"root-\" + randomHex(12)}\n", ""},
		"fallback in a comment":  {"c.go", "package p\n// viper.SetDefault(\"jwt-secret\", \"lit\")\n", ""},
		"weak client secret":     {"E.cs", "options.ClientSecret = \"secret\";\n", RuleHardcodedSecret},
		"kebab dev root token":   {"compose.yaml", "environment:\n  VAULT_DEV_ROOT_TOKEN_ID: root-token\n", RuleHardcodedSecret},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := lintRepo(t, writeRepo(t, map[string]string{".gitignore": ".env\n", tc.file: tc.text}), Options{})
			var rules []string
			for _, f := range res.Findings {
				rules = append(rules, f.Rule)
			}
			if tc.rule == "" && len(rules) > 0 || tc.rule != "" && !slices.Contains(rules, tc.rule) {
				t.Errorf("%s: %q gave %v, want %q", tc.file, tc.text, rules, tc.rule)
			}
		})
	}
}

// adversarialCompose is a compose file built to make a scan quadratic: n unterminated nested
// ${A:-${A:-... on one line, and n folded scalars whose text is on no single line.
func adversarialCompose(n int) string {
	var b strings.Builder
	b.WriteString("services:\n  web:\n    environment:\n      X: \"")
	for range n {
		b.WriteString("${A:-")
	}
	b.WriteString("\"\n")
	for i := range n {
		fmt.Fprintf(&b, "      V%d: >\n        ${B%d:-a\n        b}\n", i, i)
	}
	return b.String()
}

// The adversarial compose file is parsed correctly: nothing for the unterminated run, one
// finding per folded fallback (its text spans two lines, located at the scalar).
func TestAdversarialCompose(t *testing.T) {
	t.Parallel()
	if got := ParseInterpolations(strings.Repeat("${A:-", 1000) + "x"); len(got) != 0 {
		t.Errorf("unterminated run: %d interpolations", len(got))
	}
	if got := ParseInterpolations("${A:-${B:-x}"); len(got) != 1 || got[0].Var != "B" {
		t.Errorf("an unterminated outer ${A:-...} hides the complete inner one: %+v", got)
	}
	res := lintRepo(t, writeRepo(t, map[string]string{".gitignore": ".env\n", "docker-compose.yml": adversarialCompose(50)}), Options{})
	if len(res.Findings) != 50 {
		t.Errorf("%d findings, want 50 (one per folded fallback)", len(res.Findings))
	}
}

// BenchmarkAdversarialCompose bounds the time of the adversarial compose file: ns/op grows
// linearly with n (compare n=2000 with n=8000: about 4x, not 16x).
func BenchmarkAdversarialCompose(b *testing.B) {
	for _, n := range []int{2000, 8000} {
		dir := writeRepo(b, map[string]string{".gitignore": ".env\n", "docker-compose.yml": adversarialCompose(n)})
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				lintRepo(b, dir, Options{})
			}
		})
	}
}

// The json output carries findings, excluded and skipped files, and the number checked.
func TestJSONShape(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := Write(&b, "json", "", Result{}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"findings", "excluded", "skipped", "checked"} {
		if _, ok := got[k]; !ok {
			t.Errorf("json output has no %q: %s", k, b.String())
		}
	}
}
