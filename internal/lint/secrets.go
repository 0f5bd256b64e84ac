package lint

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

// Rule 3: hard-coded secrets. A name that means a secret assigned a literal (in source code only
// quoted literals count: an unquoted value is an expression), and well-known credential formats
// anywhere. References are not literals: ${VAR}, process.env.X, os.environ[...], var.x,
// secretKeyRef, UPPER_SNAKE env names, templates.

var assignment = regexp.MustCompile(`(?:^|[\s{,(;\[])["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*(:=|=|:)\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"'#,;}\])]+))`)

var formats = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----`), "a private key block"},
	{regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), "an AWS access key id"},
	{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), "a GitHub token"},
	{regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,}\b`), "a GitHub fine-grained token"},
	{regexp.MustCompile(`\bglpat-[0-9A-Za-z_\-]{20,}\b`), "a GitLab token"},
	{regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{16,}\b`), "a Stripe live key"},
	{regexp.MustCompile(`\bxox[baprs]-[0-9A-Za-z\-]{10,}\b`), "a Slack token"},
	{regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`), "a Google API key"},
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}`), "a JWT"},
	{regexp.MustCompile(`https://hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]+`), "a Slack webhook URL"},
	{regexp.MustCompile(`\b[a-z][a-z0-9+.\-]*://[^/\s:@$"'{}]+:([^/\s:@"'{}]{3,})@`), "a URL with a password"},
}

var secretWords = []string{"password", "passwd", "pwd", "secret", "token", "apikey", "passphrase", "credential", "credentials"}
var secretPairs = [][2]string{{"api", "key"}, {"private", "key"}, {"access", "key"}, {"secret", "key"}, {"signing", "key"}, {"encryption", "key"}, {"auth", "key"}}
var notSecretLast = []string{"ttl", "url", "uri", "path", "file", "files", "name", "names", "id", "ids", "type", "length", "len", "header",
	"endpoint", "env", "var", "field", "fields", "count", "policy", "policies", "role", "roles", "mount", "version", "prefix", "suffix",
	"format", "enabled", "required", "rotation", "accessor", "hash", "kind", "ref", "max", "min", "timeout", "expiry", "expires", "dir",
	"sha", "digest", "checksum", "label", "labels", "description", "help", "regex", "pattern", "mode", "size", "ttls", "store", "provider",
	"key_id", "keyid", "location", "source", "target", "template", "selector", "annotation", "annotations"}

// words splits a name into lowercase words: "clientSecret" -> client secret, "DB_PASSWORD" -> db password.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// SecretName reports whether a name means a secret: its words hold password, secret, token,
// api key... and it does not end in a word naming something else about it (ttl, url, name, id).
func SecretName(name string) bool {
	w := words(name)
	if len(w) == 0 || slices.Contains(notSecretLast, w[len(w)-1]) || w[0] == "existing" {
		return false // existingSecret: the name of a Kubernetes Secret, a Helm convention
	}
	if len(w) >= 2 && slices.Contains(notSecretLast, w[len(w)-2]+"_"+w[len(w)-1]) {
		return false
	}
	for i, x := range w {
		if slices.Contains(secretWords, x) {
			return true
		}
		for _, p := range secretPairs {
			if i+1 < len(w) && x == p[0] && w[i+1] == p[1] {
				return true
			}
		}
	}
	return false
}

var upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
var nameLike = regexp.MustCompile(`^[a-z]+([-_][a-z]+)*$`)
var referencePrefixes = []string{"$", "{{", "%(", "<", "var.", "local.", "module.", "data.", "each.", "os.", "process.", "env.", "env(",
	"ENV[", "getenv", "Getenv", "secretKeyRef", "valueFrom", "vault:", "ref+", "arn:", "!", "@", "settings.", "config.", "cfg.",
	"self.", "this.", "args.", "props.", "request.", "sys.", "import.meta"}

// Literal reports whether v, assigned to a secret's name, is a literal secret rather than a
// reference, a placeholder of an example file, or something else.
func Literal(v string, quoted, example bool) bool {
	t := strings.TrimSpace(v)
	if t == "" {
		return false
	}
	for _, p := range referencePrefixes {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	if strings.Contains(t, "${") || strings.Contains(t, "{{") || strings.Contains(t, "$(") || strings.Contains(t, "`") || upperSnake.MatchString(t) {
		return false
	}
	switch strings.ToLower(t) {
	case "true", "false", "null", "nil", "none", "undefined", "required", "optional", "string", "str", "bool", "number", "int", "sensitive", "redacted", "[redacted]", "***", "****", "*****":
		return false
	}
	if example && placeholder(t) {
		return false
	}
	if nameLike.MatchString(t) && (SecretName(t) || slices.Contains(secretWords, t)) {
		return false // a name (a field, a label, a rule id), not a value: "client_secret", "web-secrets"
	}
	if strings.Count(t, " ") >= 2 {
		return false // prose: a description, a message
	}
	if !quoted && strings.ContainsAny(t, "()[]") {
		return false // an expression
	}
	return len(t) >= 3
}

func placeholder(t string) bool {
	l := strings.ToLower(t)
	for _, p := range []string{"changeme", "change-me", "change_me", "example", "placeholder", "your", "xxx", "todo", "replace", "<", "..."} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// assignmentFiles are where a name = literal assignment is looked for: source, configuration,
// YAML, env, Terraform and shell files; prose (Markdown, text) only for credential formats.
func assignmentFile(name string) bool {
	base, ext := path.Base(name), path.Ext(name)
	switch ext {
	case ".yaml", ".yml", ".json", ".tf", ".tfvars", ".hcl", ".properties", ".toml", ".ini", ".conf", ".cfg", ".sh", ".bash", ".zsh", ".env", ".xml":
		return true
	}
	return sourceExt[ext] || isEnvFile(base) || base == "Dockerfile" || strings.HasPrefix(base, "Dockerfile.")
}

var sourceExt = map[string]bool{".py": true, ".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".tsx": true, ".jsx": true, ".go": true, ".java": true, ".kt": true, ".rb": true, ".cs": true}

func hardcodedSecrets(name string, lines []string, k kind) []Finding {
	out := envPairs(name, lines, k)
	source := sourceExt[path.Ext(name)]
	assignments := assignmentFile(name)
	for i, line := range lines {
		if len(line) > 4000 {
			continue // minified or data
		}
		if f, ok := knownFormat(name, i, line); ok {
			out = append(out, f)
			continue
		}
		if !assignments || !hasSecretWord(line) {
			continue
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "//") || (strings.HasPrefix(trimmed, "#") && !k.env) || strings.HasPrefix(trimmed, "*") {
			continue
		}
		for _, m := range assignment.FindAllStringSubmatchIndex(line, -1) {
			key := line[m[2]:m[3]]
			if !SecretName(key) {
				continue
			}
			var val string
			quoted := true
			switch {
			case m[6] >= 0:
				val = line[m[6]:m[7]]
			case m[8] >= 0:
				val = line[m[8]:m[9]]
			default:
				val, quoted = line[m[10]:m[11]], false
			}
			if source && !quoted || line[m[4]:m[5]] == ":" && source && strings.HasSuffix(strings.TrimSpace(line[:m[2]]), "?") {
				continue
			}
			if !Literal(val, quoted, k.envExample) || continues(line[m[1]:]) {
				continue
			}
			out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[2] + 1,
				Message: fmt.Sprintf("%s is assigned a literal value: a secret is never committed, not even for development", key),
				Fix:     fmt.Sprintf("read it from the environment (the Kubernetes Secret ESO syncs), e.g. %s", referenceFor(name, key))})
		}
	}
	return out
}

// continues reports whether a literal is only part of an expression ("root-" + randomHex(12)).
func continues(rest string) bool {
	r := strings.TrimSpace(rest)
	return strings.HasPrefix(r, "+") || strings.HasPrefix(r, ".") || strings.HasPrefix(r, "%") || strings.HasPrefix(r, "||") || strings.HasPrefix(r, "??")
}

func knownFormat(name string, i int, line string) (Finding, bool) {
	for _, f := range formats {
		loc := f.re.FindStringSubmatchIndex(line)
		if loc == nil {
			continue
		}
		if f.what == "a URL with a password" {
			pw := line[loc[2]:loc[3]]
			if placeholder(pw) || strings.HasPrefix(pw, "$") {
				continue
			}
		}
		return Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: loc[0] + 1,
			Message: fmt.Sprintf("%s is committed here", f.what),
			Fix:     "remove it from the file and from git history, rotate it, and read it from the environment instead"}, true
	}
	return Finding{}, false
}

func hasSecretWord(line string) bool {
	l := strings.ToLower(line)
	for _, w := range []string{"pass", "pwd", "secret", "token", "key", "credential"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

func referenceFor(file, key string) string {
	env := strings.ToUpper(strings.Join(words(key), "_"))
	switch path.Ext(file) {
	case ".py":
		return fmt.Sprintf("os.environ[%q]", env)
	case ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx":
		return "process.env." + env
	case ".go":
		return fmt.Sprintf("os.Getenv(%q)", env)
	case ".tf", ".tfvars", ".hcl":
		return "a variable with sensitive = true (or ephemeral = true), e.g. var." + strings.ToLower(env)
	case ".yaml", ".yml":
		return "a secretKeyRef to the Secret ExternalSecret creates, or ${" + env + ":?" + env + " is required}"
	}
	return "${" + env + "}"
}

var envNameLine = regexp.MustCompile(`^\s*-?\s*name:\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*$`)
var envValueLine = regexp.MustCompile(`^(\s*)value:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s#]+))`)

// envPairs finds Kubernetes env entries whose name means a secret and whose value is a literal:
//
//   - name: API_TOKEN
//     value: "tok-live-..."
func envPairs(name string, lines []string, k kind) []Finding {
	if !k.yaml {
		return nil
	}
	var out []Finding
	for i := 0; i+1 < len(lines); i++ {
		m := envNameLine.FindStringSubmatch(lines[i])
		if m == nil || !SecretName(m[1]) {
			continue
		}
		for j := i + 1; j < len(lines) && j <= i+3; j++ {
			v := envValueLine.FindStringSubmatchIndex(lines[j])
			if v == nil {
				continue
			}
			val, quoted := "", true
			switch {
			case v[4] >= 0:
				val = lines[j][v[4]:v[5]]
			case v[6] >= 0:
				val = lines[j][v[6]:v[7]]
			default:
				val, quoted = lines[j][v[8]:v[9]], false
			}
			if Literal(val, quoted, false) {
				out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: j + 1, Column: v[3] + 1,
					Message: fmt.Sprintf("env %s is given a literal value: a secret is never committed in a manifest", m[1]),
					Fix:     "valueFrom.secretKeyRef to the Secret the ExternalSecret creates (mosaic_external_secret renders it)"})
			}
			break
		}
	}
	return out
}
