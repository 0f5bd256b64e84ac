package lint

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The policy's "Secrets Bootstrap" checklist for a new app, as a check of its repository.
const (
	RuleBootstrapReadme    = "bootstrap-readme-vault-path"
	RuleBootstrapESO       = "bootstrap-external-secret"
	RuleBootstrapKeyRef    = "bootstrap-secret-key-ref"
	RuleBootstrapValidator = "bootstrap-startup-validator"
	RuleBootstrapDirect    = "bootstrap-direct-vault-justification"
)

// startupValidators are the markers of a startup schema validation of the environment, per
// language: the policy's zod, pydantic and envconfig examples and their common peers.
var startupValidators = []struct {
	ext []string
	re  *regexp.Regexp
}{
	{[]string{".ts", ".tsx", ".js", ".mjs", ".cjs"}, regexp.MustCompile(`\.(safeParse|parse)\(\s*process\.env\b|createEnv\(|cleanEnv\(\s*process\.env|envalid|Joi\.object\(`)},
	{[]string{".py"}, regexp.MustCompile(`\(\s*BaseSettings\s*\)|environ\.Env\(|pydantic_settings`)},
	{[]string{".go"}, regexp.MustCompile(`envconfig\.Process\(|env\.Parse\(|required:"true"|env:"[^"]+,required`)},
	{[]string{".java", ".kt"}, regexp.MustCompile(`@ConfigurationProperties[\s\S]{0,400}@Validated|@Validated[\s\S]{0,400}@ConfigurationProperties`)},
	{[]string{".rb"}, regexp.MustCompile(`ENV\.fetch\(\s*['"][A-Z_]+['"]\s*\)|dry-schema|Dry::Schema`)},
}

type workloadRef struct {
	file      string
	line      int
	name, key string
}

// Bootstrap checks an app repository against the policy's bootstrap checklist: the Vault path is
// documented in the README's "Secrets architecture" section, an ExternalSecret exists, each
// workload's secretKeyRef names a Secret and key an ExternalSecret creates, a startup validator
// exists, and a Vault client is only used with a Direct-Vault justification.
func Bootstrap(root string, files []string, opts Options) ([]Finding, error) {
	var out []Finding
	readme, _ := readReadme(root)
	if readme == "" {
		readme = "README.md"
	}
	if len(ReadmeRefs(root)) == 0 {
		out = append(out, Finding{Rule: RuleBootstrapReadme, File: readme, Line: 1, Column: 1,
			Message: "the README has no \"Secrets architecture\" section naming the app's Vault path (e.g. secret-prod/<app>/<component>/<name>)",
			Fix:     "add the section mosaic_external_secret renders (readme_section): the Vault path, the access pattern (ESO or Direct-Vault) and why"})
	}
	excl := newExcluder(opts)
	targets := map[string][]string{} // Secret name an ExternalSecret creates -> its keys
	var refs []workloadRef
	validator := false
	for _, f := range files {
		if _, ok := excl.match(f); ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			continue
		}
		ext := path.Ext(f)
		for _, v := range startupValidators {
			if !validator && slices.Contains(v.ext, ext) && v.re.Match(data) {
				validator = true
			}
		}
		if !isYAML(f) {
			continue
		}
		for _, doc := range yamlDocs(data) {
			var d esoDoc
			if doc.Decode(&d) != nil {
				continue
			}
			if d.Kind == "ExternalSecret" {
				name := d.Spec.Target.Name
				if name == "" {
					name = d.Metadata.Name
				}
				for _, e := range d.Spec.Data {
					targets[name] = append(targets[name], e.SecretKey)
				}
				if targets[name] == nil {
					targets[name] = []string{} // dataFrom: keys known only at sync time
				}
				continue
			}
			walkYAML(doc, func(m *yaml.Node) {
				ref := child(m, "secretKeyRef")
				name, key := child(ref, "name"), child(ref, "key")
				if name == nil || key == nil {
					return
				}
				refs = append(refs, workloadRef{file: f, line: key.Line, name: name.Value, key: key.Value})
			})
		}
	}
	if len(targets) == 0 {
		out = append(out, Finding{Rule: RuleBootstrapESO, File: readme, Line: 1, Column: 1,
			Message: "the app has no ExternalSecret: ESO is the default way its secrets reach it from Vault",
			Fix:     "commit an ExternalSecret in deploy/ or k8s/ (data source mosaic_external_secret renders one)"})
	}
	for _, r := range refs {
		keys, ok := targets[r.name]
		switch {
		case len(targets) == 0:
		case !ok:
			out = append(out, Finding{Rule: RuleBootstrapKeyRef, File: r.file, Line: r.line, Column: 1,
				Message: fmt.Sprintf("secretKeyRef names Secret %q, which no ExternalSecret creates", r.name),
				Fix:     "name the Secret of the ExternalSecret's target.name, or add an ExternalSecret that creates it"})
		case len(keys) > 0 && !slices.Contains(keys, r.key):
			out = append(out, Finding{Rule: RuleBootstrapKeyRef, File: r.file, Line: r.line, Column: 1,
				Message: fmt.Sprintf("secretKeyRef names key %q of Secret %q, which its ExternalSecret does not create (it creates %s)", r.key, r.name, strings.Join(keys, ", ")),
				Fix:     "use one of the ExternalSecret's secretKey names, or add a data entry for this key"})
		}
	}
	if !validator {
		out = append(out, Finding{Rule: RuleBootstrapValidator, File: readme, Line: 1, Column: 1,
			Message: "no startup validation of the environment was found (zod safeParse(process.env), pydantic BaseSettings, envconfig.Process, @Validated @ConfigurationProperties...)",
			Fix:     "validate every required variable at startup and exit non-zero when one is missing (the policy's examples: zod, pydantic, envconfig)"})
	}
	res, err := Lint(root, files, opts)
	if err != nil {
		return nil, err
	}
	for _, f := range res.Findings {
		if f.Rule == RuleVaultClient {
			f.Rule = RuleBootstrapDirect
			out = append(out, f)
		}
	}
	sortFindings(out)
	return out, nil
}
