// Package lint finds the secrets policy's four forbidden patterns in an app repository:
// untagged fallback defaults, Vault clients in ESO apps, hard-coded secrets, and .env files in
// deployment paths (or a .gitignore that does not ignore .env). It reads files only; no Vault,
// no Terraform.
package lint

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
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
	suppressionDirective   = "mosaic-lint:ignore"
	safeDefaultTag         = "safe-default:"
	gitignoreEnvCheckPath  = ".env"
	gitignoreFileForReport = ".gitignore"
)

// Rules describes each rule for SARIF and the docs.
var Rules = map[string]string{
	RuleFallbackDefault:   "A required value has a silent fallback (${VAR:-default}, ${VAR:-}, ${VAR-default}) in a compose file, Kubernetes manifest, Helm values or committed env file, without a `# safe-default: <reason>` tag.",
	RuleVaultClient:       "An ESO app imports a Vault client; only Direct-Vault apps, with the justification in their README's \"Secrets architecture\" section, may.",
	RuleHardcodedSecret:   "A secret is hard-coded in a committed file: a name that means a secret assigned a literal, or a well-known credential format.",
	RuleEnvFileInDeploy:   "A .env file is committed in a deployment path (deploy/, k8s/, docker/, helm/, charts/, manifests/).",
	RuleEnvNotIgnored:     "The repository's .gitignore does not ignore .env files.",
	RuleSuppressionReason: "A mosaic-lint:ignore comment without a reason.",
}

// Finding is one violation, at a 1-based line and column.
type Finding struct {
	Rule    string `json:"rule"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Column  int    `json:"column"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// Options tune a run.
type Options struct {
	// Exclude are gitignore-style patterns of files not to lint (fixtures, vendored code).
	Exclude []string
}

// Lint checks files (relative to root) and returns the findings, sorted by file and line.
func Lint(root string, files []string, opts Options) ([]Finding, error) {
	excl := compileExclude(opts.Exclude)
	readmes := newReadmes(root)
	jobs := make(chan string)
	var mu sync.Mutex
	var all []Finding
	var firstErr error
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				found, err := lintFile(root, f, readmes)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				all = append(all, found...)
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		if excl != nil && excl.MatchesPath(f) {
			continue
		}
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	all = append(all, checkGitignore(root, files)...)
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
	return all, nil
}

// lintFile runs every rule that applies to one file and applies its suppressions.
func lintFile(root, name string, readmes *readmes) ([]Finding, error) {
	var found []Finding
	if f := envFileInDeploy(name); f != nil {
		found = append(found, *f)
	}
	full := filepath.Join(root, filepath.FromSlash(name))
	st, err := os.Stat(full)
	if err != nil || st.Size() > maxFileSize {
		return found, nil //nolint:nilerr // a file that vanished or is too large to be config is not linted
	}
	data, err := os.ReadFile(full)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0 {
		return found, nil // binary
	}
	lines := strings.Split(string(data), "\n")
	kind := classify(name, data)
	if kind.fallback {
		found = append(found, fallbackDefaults(name, data, lines, kind)...)
	}
	if kind.source {
		found = append(found, vaultClients(name, lines, readmes)...)
	}
	if kind.secrets {
		found = append(found, hardcodedSecrets(name, lines, kind)...)
	}
	return suppress(name, lines, found), nil
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

func isEnvExample(base string) bool {
	for _, s := range []string{".example", ".sample", ".template", ".dist"} {
		if strings.HasSuffix(base, s) && (isEnvFile(base) || strings.HasSuffix(strings.TrimSuffix(base, s), ".env")) {
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

func commentOnly(line string) bool {
	t := strings.TrimSpace(line)
	for _, m := range []string{"#", "//", "/*", "<!--", "--", ";"} {
		if strings.HasPrefix(t, m) {
			return true
		}
	}
	return false
}
