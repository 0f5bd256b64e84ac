// Package lint finds the secrets policy's four forbidden patterns in an app repository:
// untagged fallback defaults, Vault clients in ESO apps, hard-coded secrets, and .env files in
// deployment paths (or a .gitignore that does not ignore .env). It reads files only; no Vault,
// no Terraform.
package lint

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"

	gitignore "github.com/sabhiram/go-gitignore"
)

// Rule ids.
const (
	RuleFallbackDefault    = "fallback-default"
	RuleVaultClient        = "vault-client-in-eso-app"
	RuleHardcodedSecret    = "hardcoded-secret"
	RuleEnvFileInDeploy    = "env-file-in-deploy-path"
	RuleEnvNotIgnored      = "env-not-gitignored"
	RuleSuppressionReason  = "suppression-without-reason"
	maxFileSize            = 2 << 20 // larger files are data, not configuration or source
	maxLineLength          = 4000    // longer lines are minified or data
	suppressionDirective   = "mosaic-lint:ignore"
	safeDefaultTag         = "safe-default:"
	gitignoreEnvCheckPath  = ".env"
	gitignoreFileForReport = ".gitignore"
)

// Rules describes each rule for SARIF and the docs.
var Rules = map[string]string{
	RuleFallbackDefault:    "A required value has a silent fallback (${VAR:-default}, ${VAR:-}, ${VAR-default}) in a compose file, Kubernetes manifest, Helm values or committed env file, without a `# safe-default: <reason>` tag.",
	RuleVaultClient:        "An ESO app imports a Vault client; only Direct-Vault apps, with the justification in their README's \"Secrets architecture\" section, may.",
	RuleHardcodedSecret:    "A secret is hard-coded in a committed file: a name that means a secret assigned a literal, or a well-known credential format.",
	RuleEnvFileInDeploy:    "A .env file is committed in a deployment path (deploy/, k8s/, docker/, helm/, charts/, manifests/).",
	RuleEnvNotIgnored:      "The repository's .gitignore does not ignore .env files.",
	RuleSuppressionReason:  "A mosaic-lint:ignore comment without a reason.",
	RuleSecretPathMissing:  "A Vault path (or field) named by an ExternalSecret or the README's \"Secrets architecture\" section does not exist in Vault (mosaic-lint verify).",
	RuleBootstrapReadme:    "The README has no \"Secrets architecture\" section naming the app's Vault path (mosaic-lint bootstrap).",
	RuleBootstrapESO:       "The app has no ExternalSecret: its secrets do not come from Vault through ESO (mosaic-lint bootstrap).",
	RuleBootstrapKeyRef:    "A workload's secretKeyRef names a Secret or key that no ExternalSecret creates (mosaic-lint bootstrap).",
	RuleBootstrapValidator: "No startup validation of the environment (zod, pydantic BaseSettings, envconfig, ...) was found (mosaic-lint bootstrap).",
	RuleBootstrapDirect:    "The app uses a Vault client but its README does not justify Direct-Vault access (mosaic-lint bootstrap).",
}

// Finding is one violation, at a 1-based line and column. Related are further places of the
// same violation (each import of a Vault client in one app).
type Finding struct {
	Rule    string     `json:"rule"`
	File    string     `json:"file"`
	Line    int        `json:"line"`
	Column  int        `json:"column"`
	Message string     `json:"message"`
	Fix     string     `json:"fix,omitempty"`
	Related []Location `json:"related,omitempty"`
	// same groups repeats of one violation in a file (the same key given the same literal).
	same string
}

// Location is a place in a file.
type Location struct {
	File string `json:"file"`
	Line int    `json:"line"`
}

// Excluded is a file not linted because a pattern (a default or .mosaic-lint.yaml's) excludes it.
type Excluded struct {
	File    string `json:"file"`
	Pattern string `json:"pattern"`
	Reason  string `json:"reason"`
}

// Skipped is a file, or one line (Line > 0), not fully linted: too large, a symlink, a line too
// long. Never silent: every output format reports it.
type Skipped struct {
	File   string `json:"file"`
	Line   int    `json:"line,omitempty"`
	Reason string `json:"reason"`
}

// Result is one run: the findings, what was excluded and what was skipped.
type Result struct {
	Findings []Finding  `json:"findings"`
	Excluded []Excluded `json:"excluded"`
	Skipped  []Skipped  `json:"skipped"`
	Checked  int        `json:"checked"`
}

// ExcludeRule is a gitignore-style pattern of files not to lint, with its reason.
type ExcludeRule struct {
	Pattern string `yaml:"path"`
	Reason  string `yaml:"reason"`
}

// DefaultExcludes are the files that hold test data, not an app's configuration: tests, specs,
// fixtures, recorded HTTP cassettes, snapshots and translations. .mosaic-lint.yaml's
// `default_excludes: false` turns them off.
var DefaultExcludes = []ExcludeRule{
	{"**/test/", "test code"}, {"**/tests/", "test code"}, {"**/__tests__/", "test code"}, {"**/e2e/", "test code"},
	{"**/spec/", "test specs"}, {"**/specs/", "test specs"},
	{"*_test.go", "test code"}, {"test_*.py", "test code"}, {"test.py", "test settings"}, {"tests.py", "test code"}, {"*_test.py", "test code"}, {"conftest.py", "test code"},
	{"*.test.*", "test code"}, {"*.spec.*", "test specs"}, {"*_spec.rb", "test specs"}, {"*Test.java", "test code"}, {"*Tests.java", "test code"}, {"*Test.kt", "test code"},
	{".env.test", "test environment"}, {".env.test.*", "test environment"}, {".env.testing", "test environment"}, {".env.ci", "test environment"},
	{"**/testdata/", "test fixtures"}, {"**/fixtures/", "test fixtures"}, {"**/__fixtures__/", "test fixtures"}, {"**/__mocks__/", "test mocks"}, {"**/mocks/", "test mocks"},
	{"**/cassettes/", "recorded HTTP cassettes"}, {"**/vcr_cassettes/", "recorded HTTP cassettes"}, {"**/__snapshots__/", "test snapshots"}, {"*.snap", "test snapshots"},
	{"**/cypress/", "test code"}, {"**/playwright/", "test code"},
	{"**/locales/", "translations"}, {"**/locale/", "translations"}, {"**/i18n/**/*.json", "translations"}, {"**/translations/", "translations"}, {"*.po", "translations"}, {"*.pot", "translations"},
}

// Options tune a run.
type Options struct {
	// Exclude are gitignore-style patterns of files not to lint (fixtures, vendored code), each
	// with its reason.
	Exclude []ExcludeRule
	// NoDefaultExcludes lints what DefaultExcludes would leave out.
	NoDefaultExcludes bool
}

// excluder matches a file against the default and configured patterns, and says which one.
type excluder struct {
	rules []ExcludeRule
	gis   []*gitignore.GitIgnore
}

func newExcluder(opts Options) *excluder {
	e := &excluder{}
	rules := opts.Exclude
	if !opts.NoDefaultExcludes {
		rules = append(slices.Clone(DefaultExcludes), rules...)
	}
	for _, r := range rules {
		e.rules = append(e.rules, r)
		e.gis = append(e.gis, gitignore.CompileIgnoreLines(r.Pattern))
	}
	return e
}

func (e *excluder) match(file string) (ExcludeRule, bool) {
	for i, gi := range e.gis {
		if gi.MatchesPath(file) {
			return e.rules[i], true
		}
	}
	return ExcludeRule{}, false
}

// Lint checks files (relative to root) and returns the findings, sorted by file and line, with
// the files it excluded and the ones it could not fully read.
func Lint(root string, files []string, opts Options) (Result, error) {
	excl := newExcluder(opts)
	readmes := newReadmes(root)
	jobs := make(chan string)
	var mu sync.Mutex
	var res Result
	var firstErr error
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				found, skipped, err := lintFile(root, f, readmes)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				res.Findings = append(res.Findings, found...)
				res.Skipped = append(res.Skipped, skipped...)
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		if r, ok := excl.match(f); ok {
			res.Excluded = append(res.Excluded, Excluded{File: f, Pattern: r.Pattern, Reason: r.Reason})
			continue
		}
		res.Checked++
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return Result{}, firstErr
	}
	res.Findings = append(res.Findings, checkGitignore(root, files)...)
	res.Findings = onePerApp(res.Findings, files)
	sortFindings(res.Findings)
	slices.SortFunc(res.Skipped, func(a, b Skipped) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return res, nil
}

func sortFindings(all []Finding) {
	slices.SortFunc(all, func(a, b Finding) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.Rule, b.Rule)
	})
}

// lintFile runs every rule that applies to one file and applies its suppressions. What it
// cannot read fully (a symlink, a file over maxFileSize, lines over maxLineLength) it reports.
func lintFile(root, name string, readmes *readmes) ([]Finding, []Skipped, error) {
	var found []Finding
	if f := envFileInDeploy(name); f != nil {
		found = append(found, *f)
	}
	full := filepath.Join(root, filepath.FromSlash(name))
	st, err := os.Lstat(full)
	if err != nil {
		return found, nil, nil //nolint:nilerr // a file that vanished since it was listed is not linted
	}
	if st.Mode()&os.ModeSymlink != 0 {
		target, _ := os.Readlink(full)
		return found, []Skipped{{File: name, Reason: "a symlink (to " + target + "): not followed; lint its target where it lives"}}, nil
	}
	if st.Size() > maxFileSize {
		return found, []Skipped{{File: name, Reason: fmt.Sprintf("larger than %d MiB: not linted", maxFileSize>>20)}}, nil
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, nil, err
	}
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return found, nil, nil // binary
	}
	lines := strings.Split(string(data), "\n")
	var skipped []Skipped
	long, first := 0, 0
	for i, l := range lines {
		if len(l) > maxLineLength {
			if long++; long == 1 {
				first = i + 1
			}
		}
	}
	if long > 0 {
		skipped = append(skipped, Skipped{File: name, Line: first,
			Reason: fmt.Sprintf("%d line(s) over %d characters (the first here): only credential formats checked on them", long, maxLineLength)})
	}
	kind := classify(name, data)
	if kind.fallback {
		found = append(found, fallbackDefaults(name, data, lines, kind)...)
	}
	found = append(found, codeFallbacks(name, data, lines)...)
	found = append(found, vaultClients(name, string(data), lines, readmes)...)
	if kind.secrets {
		found = append(found, hardcodedSecrets(name, data, lines, kind)...)
	}
	return suppress(name, lines, found), skipped, nil
}

// kind says which rules look at a file.
type kind struct {
	yaml, env, envExample, terraform bool
	fallback, source, secrets        bool
}

var deployDirs = []string{"deploy", "k8s", "docker", "helm", "charts", "manifests"}

func classify(name string, data []byte) kind {
	base := path.Base(name)
	ext := path.Ext(base)
	k := kind{}
	k.envExample = isEnvExample(base)
	k.env = isEnvFile(base) || ext == ".env"
	k.yaml = ext == ".yaml" || ext == ".yml"
	k.terraform = ext == ".tf" || ext == ".tfvars" || ext == ".hcl"
	compose := strings.HasPrefix(base, "docker-compose") || strings.HasPrefix(base, "compose")
	helmValues := k.yaml && (strings.HasPrefix(base, "values") || inDir(name, "charts") || inDir(name, "helm"))
	manifest := k.yaml && (bytes.Contains(data, []byte("apiVersion:")) || inAnyDir(name, deployDirs))
	k.fallback = (k.yaml && (compose || helmValues || manifest)) || k.env
	switch ext {
	case ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt", ".rb", ".cs":
		k.source = true
	}
	switch base {
	case "package.json", "requirements.txt", "pyproject.toml", "go.mod", "Pipfile", "Gemfile", "pom.xml", "build.gradle":
		k.source = true
	}
	k.secrets = !isLockOrSum(base)
	return k
}

func isEnvFile(base string) bool {
	return base == ".env" || strings.HasPrefix(base, ".env.")
}

// isEnvExample: a template of an env file (.env.example, env.sample, example.env,
// .env.local.template, .env.dist, .env.defaults): placeholders, not values.
func isEnvExample(base string) bool {
	l := strings.ToLower(base)
	if !isEnvFile(l) && !strings.HasSuffix(l, ".env") && !strings.HasPrefix(l, "env.") {
		return false
	}
	for _, s := range []string{"example", "sample", "template", "dist", "defaults", "tmpl", "tpl"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

func isLockOrSum(base string) bool {
	switch base {
	case "go.sum", "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "poetry.lock", "Pipfile.lock", "Gemfile.lock", ".terraform.lock.hcl", "composer.lock":
		return true
	}
	return strings.HasSuffix(base, ".sum") || strings.HasSuffix(base, ".lock")
}

func inDir(name, dir string) bool {
	return slices.Contains(strings.Split(path.Dir(name), "/"), dir)
}

func inAnyDir(name string, dirs []string) bool {
	for _, d := range dirs {
		if inDir(name, d) {
			return true
		}
	}
	return false
}

// envFileInDeploy is rule 4's first half: a .env file (not an example) under a deployment path.
func envFileInDeploy(name string) *Finding {
	base := path.Base(name)
	if !isEnvFile(base) || isEnvExample(base) || !inAnyDir(name, deployDirs) {
		return nil
	}
	return &Finding{Rule: RuleEnvFileInDeploy, File: name, Line: 1, Column: 1,
		Message: "a .env file is committed in a deployment path: deployed apps get their values from Kubernetes Secrets (ESO), never from a committed file",
		Fix:     "delete it from the repository (git rm --cached " + name + "), keep only a .env.example with empty values, and ignore .env in .gitignore"}
}

// checkGitignore is rule 4's second half: the repository's root .gitignore must ignore .env.
func checkGitignore(root string, files []string) []Finding {
	if !slices.Contains(files, gitignoreFileForReport) {
		if _, err := os.Stat(filepath.Join(root, gitignoreFileForReport)); err != nil {
			return []Finding{{Rule: RuleEnvNotIgnored, File: gitignoreFileForReport, Line: 1, Column: 1,
				Message: "the repository has no .gitignore, so a local .env with real values can be committed",
				Fix:     "add a .gitignore with the line: .env"}}
		}
	}
	gi, err := compileGitignore(filepath.Join(root, gitignoreFileForReport))
	if err != nil || gi.MatchesPath(gitignoreEnvCheckPath) {
		return nil
	}
	return []Finding{{Rule: RuleEnvNotIgnored, File: gitignoreFileForReport, Line: 1, Column: 1,
		Message: ".gitignore does not ignore .env, so a local .env with real values can be committed",
		Fix:     "add the line: .env (and keep .env.example committed with empty values)"}}
}

var suppressRe = regexp.MustCompile(`(?:#|//|/\*|<!--|--|;)[ \t]*mosaic-lint:ignore(?:[ \t]+([a-z0-9-]+))?(?:[ \t]+(.*))?`)

// Suppression is a parsed mosaic-lint:ignore comment.
type Suppression struct {
	Rule, Reason string
}

// ParseSuppression reads a mosaic-lint:ignore comment from a line; ok is false when there is none.
func ParseSuppression(line string) (s Suppression, ok bool) {
	m := suppressRe.FindStringSubmatch(line)
	if m == nil {
		return s, false
	}
	reason := strings.TrimSpace(m[2])
	reason = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(reason, "*/"), "-->"))
	return Suppression{Rule: m[1], Reason: reason}, true
}

// suppress drops findings that a reasoned mosaic-lint:ignore on their line or the line above
// names, and reports every suppression without a reason.
func suppress(name string, lines []string, found []Finding) []Finding {
	var out []Finding
	for i, line := range lines {
		if !strings.Contains(line, suppressionDirective) {
			continue
		}
		s, ok := ParseSuppression(line)
		if ok && (s.Rule == "" || s.Reason == "") {
			out = append(out, Finding{Rule: RuleSuppressionReason, File: name, Line: i + 1, Column: strings.Index(line, suppressionDirective) + 1,
				Message: "a suppression needs a rule and a reason; this one is ignored",
				Fix:     "write: mosaic-lint:ignore <rule> <why this is not a violation>"})
		}
	}
	for _, f := range found {
		if !suppressed(lines, f) {
			out = append(out, f)
		}
	}
	return out
}

// suppressed reports whether a reasoned suppression of the finding's rule is on its line, or
// alone (a comment line) on the line above.
func suppressed(lines []string, f Finding) bool {
	for _, n := range []int{f.Line - 1, f.Line - 2} {
		if n < 0 || n >= len(lines) {
			continue
		}
		s, ok := ParseSuppression(lines[n])
		if !ok || s.Rule != f.Rule || s.Reason == "" {
			continue
		}
		if n == f.Line-1 || commentOnly(lines[n]) {
			return true
		}
	}
	return false
}

// commentOnly reports whether a line is (part of) a comment in most languages and config formats.
func commentOnly(line string) bool {
	t := strings.TrimSpace(line)
	if strings.HasPrefix(t, "#{") {
		return false // Ruby interpolation
	}
	for _, m := range []string{"#", "//", "/*", "*", "<!--", "-- ", ";", `"""`, "'''"} {
		if strings.HasPrefix(t, m) {
			return true
		}
	}
	return false
}
