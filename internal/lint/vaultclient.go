package lint

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	gitignore "github.com/sabhiram/go-gitignore"
)

// Rule 2: a Vault client in an ESO app. The import (or dependency) of a Vault client library is
// a finding unless the app's README (the nearest one up the tree) has a "Secrets architecture"
// section that states its Direct-Vault justification.
var vaultClientImports = []struct {
	ext []string
	re  *regexp.Regexp
}{
	{[]string{".py"}, regexp.MustCompile(`^\s*(import\s+hvac\b|from\s+hvac\b)`)},
	{[]string{".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx"}, regexp.MustCompile(`(require\(\s*|from\s+|import\s+)['"](node-vault|hashi-vault-js|@hashicorp/vault[^'"]*|vault-api|node-vault-client)['"]`)},
	{[]string{".go"}, regexp.MustCompile(`"github\.com/hashicorp/vault/api(/[^"]*)?"|"github\.com/hashicorp/vault-client-go[^"]*"`)},
	{[]string{".java", ".kt"}, regexp.MustCompile(`^\s*import\s+(com\.bettercloud\.vault|io\.github\.jopenlibs\.vault|org\.springframework\.(cloud\.)?vault)\b`)},
	// Hand-written HTTP clients: the Vault token header, or a call to Vault's auth or KV API.
	{[]string{".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".java", ".kt", ".rb", ".cs", ".php"},
		regexp.MustCompile(`(?i)["']X-Vault-Token["']|["'/]v1/auth/[\w.\-]+/login\b|["'/]v1/[\w\-]+/data/[\w\-]`)},
	// Spring Cloud Vault configuration.
	{[]string{".properties"}, regexp.MustCompile(`^\s*spring\.cloud\.vault\.|^\s*spring\.config\.import\s*[=:].*vault://`)},
	{[]string{"application.yml", "application.yaml", "bootstrap.yml", "bootstrap.yaml"}, regexp.MustCompile(`^\s*-?\s*(import:\s*)?["']?(optional:)?vault://|^\s{2,}vault:\s*$`)},
	{[]string{".rb"}, regexp.MustCompile(`^\s*require\s+['"]vault['"]`)},
	{[]string{".cs"}, regexp.MustCompile(`^\s*using\s+VaultSharp\b`)},
	{[]string{"package.json"}, regexp.MustCompile(`"(node-vault|hashi-vault-js|@hashicorp/vault[^"]*|node-vault-client)"\s*:`)},
	{[]string{"requirements.txt", "Pipfile", "pyproject.toml"}, regexp.MustCompile(`(?i)^\s*["']?hvac\b`)},
	{[]string{"go.mod"}, regexp.MustCompile(`github\.com/hashicorp/(vault/api|vault-client-go)\s+v`)},
	{[]string{"Gemfile"}, regexp.MustCompile(`^\s*gem\s+['"]vault['"]`)},
	{[]string{"pom.xml", "build.gradle"}, regexp.MustCompile(`(com\.bettercloud|io\.github\.jopenlibs|spring-vault|spring-cloud-starter-vault|spring-cloud-vault)`)},
	{[]string{"build.gradle.kts"}, regexp.MustCompile(`(com\.bettercloud|io\.github\.jopenlibs|spring-vault|spring-cloud-starter-vault|spring-cloud-vault)`)},
	{[]string{".csproj"}, regexp.MustCompile(`Include="VaultSharp"`)},
}

func vaultClients(name string, text string, lines []string, r *readmes) []Finding {
	base, ext := path.Base(name), path.Ext(name)
	var out []Finding
	for _, c := range vaultClientImports {
		applies := false
		for _, e := range c.ext {
			if e == ext || e == base {
				applies = true
			}
		}
		if !applies || !wholeFile(c.re).MatchString(text) {
			continue // one pass over the file before the line-by-line one
		}
		for i, line := range lines {
			loc := c.re.FindStringIndex(line)
			if loc == nil {
				continue
			}
			if r.justified(path.Dir(name)) {
				return nil
			}
			if commentOnly(line) {
				continue
			}
			out = append(out, Finding{Rule: RuleVaultClient, File: name, Line: i + 1, Column: loc[0] + 1,
				Message: "this app uses a Vault client, but its README has no \"Secrets architecture\" section stating a Direct-Vault justification: ESO apps read environment variables only",
				Fix:     "read the values from environment variables (ESO syncs them), or, for dynamic secrets, declare access = \"direct-vault\" and add the README section mosaic_external_secret renders (readme_section)"})
		}
	}
	return out
}

var wholeFileRes sync.Map

// wholeFile is re in multi-line mode (^ and $ at each line), to test a whole file at once.
func wholeFile(re *regexp.Regexp) *regexp.Regexp {
	if w, ok := wholeFileRes.Load(re); ok {
		return w.(*regexp.Regexp)
	}
	w := regexp.MustCompile("(?m)" + re.String())
	wholeFileRes.Store(re, w)
	return w
}

// readmes caches, per directory, whether the nearest README justifies Direct-Vault.
type readmes struct {
	root string
	mu   sync.Mutex
	dirs map[string]bool
}

func newReadmes(root string) *readmes { return &readmes{root: root, dirs: map[string]bool{}} }

var secretsArchitecture = regexp.MustCompile(`(?im)^#{1,6}\s*secrets architecture\s*$`)
var directVault = regexp.MustCompile(`(?i)direct[- ]vault`)
var anyHeading = regexp.MustCompile(`(?m)^#{1,6}\s`)

// Justified reports whether a README's text has a "Secrets architecture" section that names
// Direct-Vault and says why (at least a sentence beyond the words). The section runs to the next
// heading of its level or higher; its sub-headings belong to it.
func Justified(readme string) bool {
	start, section := secretsSection(readme)
	if start < 0 {
		return false
	}
	if !directVault.MatchString(section) {
		return false
	}
	text := strings.Join(strings.Fields(directVault.ReplaceAllString(section, "")), " ")
	return len(text) >= 40
}

func (r *readmes) justified(dir string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookup(dir)
}

func (r *readmes) lookup(dir string) bool {
	if v, ok := r.dirs[dir]; ok {
		return v
	}
	result := false
	found := false
	for _, name := range []string{"README.md", "README", "readme.md", "Readme.md", "README.rst", "README.txt"} {
		b, err := os.ReadFile(filepath.Join(r.root, filepath.FromSlash(dir), name))
		if err == nil {
			result, found = Justified(string(b)), true
			break
		}
	}
	if !found && dir != "." && dir != "" {
		result = r.lookup(path.Dir(dir))
	}
	r.dirs[dir] = result
	return result
}

func compileGitignore(file string) (*gitignore.GitIgnore, error) {
	return gitignore.CompileIgnoreFile(file)
}

// manifests mark the root of an app: the Vault-client findings of one app become one finding.
var manifests = []string{"go.mod", "package.json", "pom.xml", "build.gradle", "build.gradle.kts", "requirements.txt", "pyproject.toml",
	"setup.py", "Pipfile", "Gemfile", "Cargo.toml", "composer.json"}

// onePerApp merges the Vault-client findings of each app (the nearest directory with a
// dependency manifest, else the file's own directory) into one finding, at the first place in
// source code, with every other import and dependency line as a related location.
func onePerApp(all []Finding, files []string) []Finding {
	roots := map[string]bool{}
	for _, f := range files {
		base := path.Base(f)
		if slices.Contains(manifests, base) || strings.HasSuffix(base, ".csproj") {
			roots[path.Dir(f)] = true
		}
	}
	appOf := func(file string) string {
		for dir := path.Dir(file); ; dir = path.Dir(dir) {
			if roots[dir] {
				return dir
			}
			if dir == "." || dir == "/" {
				return path.Dir(file)
			}
		}
	}
	var out []Finding
	byApp := map[string][]Finding{}
	var order []string
	for _, f := range all {
		if f.Rule != RuleVaultClient {
			out = append(out, f)
			continue
		}
		app := appOf(f.File)
		if byApp[app] == nil {
			order = append(order, app)
		}
		byApp[app] = append(byApp[app], f)
	}
	for _, app := range order {
		group := byApp[app]
		sortFindings(group)
		// The first place in source code leads; a manifest line only when there is no import.
		lead := 0
		for i, f := range group {
			if !slices.Contains(manifests, path.Base(f.File)) {
				lead = i
				break
			}
		}
		first := group[lead]
		for i, f := range group {
			if i != lead {
				first.Related = append(first.Related, Location{File: f.File, Line: f.Line})
			}
		}
		if len(first.Related) > 0 {
			where := app
			if where == "." {
				where = "the repository root"
			}
			first.Message = fmt.Sprintf("%s (app %s: %d more place(s) use it)", first.Message, where, len(first.Related))
		}
		out = append(out, first)
	}
	return out
}
