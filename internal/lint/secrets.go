package lint

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/joho/godotenv"
)

// Rule 3: hard-coded secrets. A key that names a secret (an identifier, not a word in a
// sentence) assigned a literal, a literal passed to a setter that names a secret, npm/PyPI/netrc
// credentials, and well-known credential formats anywhere (comments and docs included). Values of
// a non-secret shape are not findings: references of every common secret manager, ${X},
// ${X:?..}, URLs without credentials, numbers, booleans, enum-like words, password hashes,
// dotted module paths, prose. In source code only quoted literals count: an unquoted value is an
// expression. Comment lines are skipped except for credential formats.

// assignment is key (bare or fully quoted identifier) then :=, = or :, then the value.
var assignment = regexp.MustCompile(`(?:^|[\s{,(;\["'])(?:"([A-Za-z_][A-Za-z0-9_.\-]*)"\]?|'([A-Za-z_][A-Za-z0-9_.\-]*)'\]?|([A-Za-z_][A-Za-z0-9_.\-]*))\s*(:=|=|:)[ \t]*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"'#,;}\])]+))`)

// argumentLiterals are literal secrets passed as arguments: a typed default (SECRET_KEY: str =
// "..."), an environment variable set in code, a JWT or HMAC key, basic-auth credentials, an XML
// element naming a secret. Submatch 1 names the secret (or is empty), 2 or 3 is the literal.
var argumentLiterals = []struct {
	re   *regexp.Regexp
	what string
}{
	{regexp.MustCompile(`(?:^|[\s{,(;])([A-Za-z_]\w*)\s*:\s*[A-Za-z_][\w\[\]., |]*\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`), "%s has a literal default"},
	{regexp.MustCompile(`(?:Setenv|setenv|putenv|environ\[|ENV\[)\(?\s*["']([A-Za-z_]\w*)["']\]?\s*[,=]\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`), "%s is set to a literal in code"},
	{regexp.MustCompile(`\bjwt\.(?:sign|encode|verify|decode)\(\s*[^,()]+,\s*()(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`), "a JWT key is passed as a literal%s"},
	{regexp.MustCompile(`\b(?:createHmac|hmac\.new|HMAC)\(\s*(?:["'][\w-]+["']\s*,\s*)?()b?(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`), "an HMAC key is passed as a literal%s"},
	{regexp.MustCompile(`(?:SetBasicAuth|BasicAuth|HTTPBasicAuth|basicAuth|auth\s*=\s*\()\(?\s*["'][^"']*["']\s*,\s*()(?:"((?:[^"\\]|\\.)*)"|'([^']*)')`), "a basic-auth password is passed as a literal%s"},
}

var xmlElement = regexp.MustCompile(`<([A-Za-z_][\w.:-]*)>([^<]*)</([A-Za-z_][\w.:-]*)>`)

// setterCall is a literal passed to a function that names a secret: SetToken("..."), withPassword('...').
var setterCall = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*)\(\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)')\s*\)`)

// formats are well-known credential formats; hints are substrings one of which a line must hold
// before the regular expression runs (most lines hold none).
var formats = []struct {
	re    *regexp.Regexp
	what  string
	hints []string
}{
	{regexp.MustCompile(`-----BEGIN ((RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY( BLOCK)?-----`), "a private key block", []string{"PRIVATE KEY"}},
	{regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), "an AWS access key id", []string{"AKIA"}},
	{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), "a GitHub token", []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}},
	{regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,}\b`), "a GitHub fine-grained token", []string{"github_pat_"}},
	{regexp.MustCompile(`\bglpat-[0-9A-Za-z_\-]{20,}\b`), "a GitLab token", []string{"glpat-"}},
	{regexp.MustCompile(`\b[sr]k_live_[0-9A-Za-z]{16,}\b`), "a Stripe live key", []string{"k_live_"}},
	{regexp.MustCompile(`\bxox[baprs]-[0-9A-Za-z\-]{10,}\b`), "a Slack token", []string{"xox"}},
	{regexp.MustCompile(`\bAIza[0-9A-Za-z_\-]{35}\b`), "a Google API key", []string{"AIza"}},
	{regexp.MustCompile(`\beyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,}`), "a JWT", []string{"eyJ"}},
	{regexp.MustCompile(`https://hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]+`), "a Slack webhook URL", []string{"hooks.slack.com"}},
	{regexp.MustCompile(`\bnpm_[A-Za-z0-9]{36}\b`), "an npm token", []string{"npm_"}},
	{regexp.MustCompile(`\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,}`), "a PyPI token", []string{"pypi-"}},
	{regexp.MustCompile(`\bhv[sbr]\.[A-Za-z0-9_\-]{24,}`), "a Vault token", []string{"hvs.", "hvb.", "hvr."}},
	{regexp.MustCompile(`\bsk-(?:proj-)?[A-Za-z0-9]{32,}\b`), "an OpenAI API key", []string{"sk-"}},
}

// connStringPassword is the password of an ADO.NET/JDBC/ODBC-style connection string inside a value:
// "Host=db;Username=app;Password=...;".
var connStringPassword = regexp.MustCompile(`(?i);\s*(password|pwd)\s*=\s*([^;"'\s]+)`)

// credentialURL is a URL with a password; only outside comments and docs, where example URLs live.
var credentialURL = regexp.MustCompile(`\b[a-z][a-z0-9+.\-]*://[^/\s:@$"'{}]+:([^/\s:@"'{}]{3,})@`)

var secretWords = []string{"password", "passwd", "pwd", "secret", "token", "apikey", "passphrase", "credential", "credentials", "pass", "authtoken"}
var secretPairs = [][2]string{{"api", "key"}, {"private", "key"}, {"access", "key"}, {"secret", "key"}, {"signing", "key"}, {"encryption", "key"},
	{"auth", "key"}, {"secret", "id"}, {"token", "id"}, {"master", "key"}, {"client", "key"}, {"license", "key"}}

// secretSuffixes may follow the secret word and it still names the secret: SECRET_KEY_BASE, token_value.
var secretSuffixes = []string{"base", "value", "val", "raw", "plain", "plaintext", "b64", "base64", "hex", "str", "string", "bytes", "data",
	"encoded", "pem", "live", "test", "prod", "production", "dev", "staging", "sandbox", "default", "fallback", "override", "1", "2", "v2", "old", "new", "current"}

// notSecretFirst start names of things about a secret, not the secret: showPassword, existingSecret.
var notSecretFirst = []string{"existing", "show", "hide", "toggle", "is", "has", "use", "enable", "enabled", "disable", "require", "requires",
	"should", "can", "allow", "forgot", "reset", "validate", "check", "verify", "generate", "create", "update", "delete", "get", "fetch",
	"load", "handle", "on", "min", "max", "num", "no", "needs", "must", "invalid", "missing", "wrong", "rotate"}

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
		case r == '_' || r == '-' || r == '.' || r == '/' || r == ':':
			flush()
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// SecretName reports whether a name means a secret: it ends in password, secret, token, api key,
// secret id... (optionally followed by a qualifier such as _BASE or _VALUE), and it does not
// start with a word that makes it about a secret (showPassword, existingSecret). tokenTTL,
// passwordMinLength, secretName and PasswordManager name something else.
func SecretName(name string) bool {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		name = name[i+1:] // a property: token.tag is the tag of a token
	}
	w := words(name)
	if len(w) == 0 || slices.Contains(notSecretFirst, w[0]) && len(w) > 1 {
		return false
	}
	end := len(w)
	for end > 1 && slices.Contains(secretSuffixes, w[end-1]) {
		end--
	}
	last := w[end-1]
	if slices.Contains(secretWords, last) {
		return true
	}
	if end >= 2 {
		for _, p := range secretPairs {
			if w[end-2] == p[0] && last == p[1] {
				return true
			}
		}
	}
	return false
}

var upperSnake = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`)
var number = regexp.MustCompile(`^[+-]?[0-9][0-9_.,:]*([smhdwy]|ms|us|ns|[kKMG]i?[bB]?)?$`)
var dottedPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){2,}$`)
var passwordHash = regexp.MustCompile(`^(\$(2[abxy]?|[156]|argon2(id|i|d)?|scrypt|pbkdf2[-a-z0-9]*|sha(256|512)?)\$|(pbkdf2_sha\d+|bcrypt(_sha256)?|argon2|scrypt|sha1|md5)\$|\{(S?SHA\d*|BCRYPT|CRYPT|PBKDF2[-A-Z0-9]*)\})`)
var urlNoCredentials = regexp.MustCompile(`^[a-z][a-z0-9+.\-]*://[^@\s]*$`)

// referencePrefixes start a reference to a value held elsewhere: environment, templates,
// Terraform, and the secret managers' reference syntaxes (1Password op://, Vault vault:, AWS
// Secrets Manager and SSM, GCP, Azure Key Vault, SOPS, Doppler, Infisical, Bitwarden, teller/vals ref+).
var referencePrefixes = []string{"$", "{{", "%(", "<", "var.", "local.", "module.", "data.", "each.", "os.", "process.", "env.", "env(",
	"ENV[", "ENV.", "getenv", "Getenv", "secretKeyRef", "valueFrom", "ref+", "arn:", "!", "@", "settings.", "config.", "cfg.",
	"self.", "this.", "args.", "props.", "request.", "sys.", "import.meta", "op://", "vault:", "vault://", "awssm:", "awssm://",
	"aws-sm:", "ssm:", "ssm://", "secretsmanager:", "gcpsm:", "gcpsm://", "sm://", "gcp-secret:", "azkv:", "azkv://", "akv:", "keyvault:",
	"sops:", "ENC[", "doppler:", "infisical:", "bw:", "bitwarden:", "lastpass:", "file:", "k8s:", "kubernetes:", "secret://", "secretref:",
	"/run/secrets/", "/var/run/secrets/", "/etc/secrets/", "&", "*"}

// enumWords are values that choose a mode, not secrets: credentials: same-origin, id-token: write.
var enumWords = []string{"true", "false", "null", "nil", "none", "undefined", "required", "optional", "string", "str", "bool", "boolean",
	"number", "int", "integer", "sensitive", "redacted", "[redacted]", "***", "****", "*****", "********", "same-origin", "same-site",
	"include", "omit", "read", "write", "read-write", "readwrite", "read-only", "readonly", "write-only", "writeonly", "auto", "basic",
	"bearer", "digest", "header", "query", "cookie", "body", "form", "plain", "hidden", "visible", "strict", "lax", "enabled", "disabled",
	"on", "off", "yes", "no", "default", "random", "generated", "static", "dynamic", "jwt", "hs256", "hs512", "rs256", "es256", "sha256",
	"sha512", "bcrypt", "argon2", "md5", "text", "env", "environment", "vault", "file", "inline", "any",
	"all", "always", "never", "ignore", "allow", "deny", "public", "private", "internal", "external", "local", "remote", "oauth", "oauth2",
	"oidc", "saml", "ldap", "opaque", "kubernetes.io/basic-auth",
	"kubernetes.io/tls", "kubernetes.io/dockerconfigjson", "inherit"}

// Literal reports whether v, assigned to key (a secret's name), is a literal secret rather than a
// reference, a placeholder of an example file, or a value of a non-secret shape.
func Literal(key, v string, quoted, example bool) bool {
	t := strings.TrimSpace(v)
	for _, tag := range []string{"!!str ", "!!binary "} {
		t = strings.TrimPrefix(t, tag)
	}
	if t == "" {
		return false
	}
	for _, p := range referencePrefixes {
		if strings.HasPrefix(t, p) {
			return false
		}
	}
	if strings.HasPrefix(t, "{") && strings.Contains(t, "}") {
		return false // an interpolation ({password} in C#, Python, Kotlin strings) or an object
	}
	if strings.Contains(t, "${") || strings.Contains(t, "{{") || strings.Contains(t, "$(") || strings.Contains(t, "`") ||
		strings.Contains(t, "#{") || strings.Contains(t, "%{") || upperSnake.MatchString(t) {
		return false
	}
	if slices.Contains(enumWords, strings.ToLower(t)) || number.MatchString(t) || passwordHash.MatchString(t) ||
		urlNoCredentials.MatchString(t) || dottedPath.MatchString(t) || strings.ContainsAny(t, " \t") {
		return false // a mode, a number, a hash, a URL, a module path, prose
	}
	if strings.HasPrefix(t, "/") || strings.HasPrefix(t, "./") || strings.HasPrefix(t, "~/") {
		return false // a file path
	}
	if example && placeholder(t) {
		return false
	}
	if identifierFromKey(key, t) {
		return false // the key's own name as its value: an enum member, a field or storage key name
	}
	if !quoted && strings.ContainsAny(t, "()[]") {
		return false // an expression
	}
	return len(t) >= 3
}

var identifierValue = regexp.MustCompile(`^([a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z][a-z0-9]*([A-Z][a-z0-9]*)+)$`)
var kebabValue = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)+$`)

// fieldName: in a map literal of source code ("key": "value"), a secret word or snake_case secret
// name as the value is the name of a field ("api_key": "token", "smtp_password": "password").
func fieldName(v string) bool {
	return slices.Contains(secretWords, v) || strings.Contains(v, "_") && identifierValue.MatchString(v) && SecretName(v)
}

// identifierFromKey: a snake_case or camelCase value made only of the key's own words names a
// field, an enum member, a rule or a storage key (UserAccessToken = "user_token",
// MembersCanCreateApiKey = "membersCanCreateApiKey"); a value with a word of its own does not
// (ORCHESTRATOR_TOKEN: insecure-token is a weak secret).
func identifierFromKey(key, v string) bool {
	return identifierValue.MatchString(v) && wordsOf(v, key)
}

// wordsOf reports whether every word of v is a word of key. In source code a kebab-case value of
// the key's words is an id (RuleHardcodedSecret = "hardcoded-secret"); in configuration it is a
// value (VAULT_DEV_ROOT_TOKEN_ID: root-token).
func wordsOf(v, key string) bool {
	kw := words(key)
	for _, w := range words(v) {
		if !slices.Contains(kw, w) {
			return false
		}
	}
	return true
}

func placeholder(t string) bool {
	l := strings.ToLower(t)
	for _, p := range []string{"changeme", "change-me", "change_me", "changethis", "example", "placeholder", "your", "xxx", "todo", "replace",
		"<", "...", "generate", "insert", "fill", "dummy", "sample", "foobar"} {
		if strings.Contains(l, p) {
			return true
		}
	}
	return false
}

// placeholderPassword is a URL password that stands for one: user:pass@host in docs and samples.
func placeholderPassword(pw string) bool {
	switch strings.ToLower(strings.Trim(pw, "[]<>")) {
	case "pass", "password", "passwd", "pwd", "secret", "pw", "p", "***", "xxx", "xxxx", "****":
		return true
	}
	return placeholder(pw) || strings.HasPrefix(pw, "$") || strings.HasPrefix(pw, "%")
}

// assignmentFile: where a key = literal is looked for: source, configuration, YAML, env,
// Terraform, shell and credential files; prose (Markdown, text) only for credential formats.
func assignmentFile(name string) bool {
	base, ext := path.Base(name), path.Ext(name)
	if inAnyDir(name, []string{"docs", "doc", "documentation"}) {
		return false // documentation: examples of configuration, not configuration
	}
	switch ext {
	case ".yaml", ".yml", ".json", ".tf", ".tfvars", ".hcl", ".properties", ".toml", ".ini", ".conf", ".cfg", ".sh", ".bash", ".zsh", ".env", ".xml", ".tpl":
		return true
	}
	switch base {
	case ".pypirc", ".npmrc", ".yarnrc", ".netrc", "_netrc", "pip.conf", ".gemrc", "Dockerfile":
		return true
	}
	return sourceExt[ext] || isEnvFile(base) || strings.HasPrefix(base, "Dockerfile.")
}

var sourceExt = map[string]bool{".py": true, ".js": true, ".mjs": true, ".cjs": true, ".ts": true, ".tsx": true, ".jsx": true, ".go": true,
	".java": true, ".kt": true, ".rb": true, ".cs": true, ".php": true, ".scala": true, ".rs": true}

// eso reports whether a YAML file holds External Secrets Operator resources: there secretKey,
// key and property hold names.
func eso(data []byte) bool {
	return strings.Contains(string(data), "external-secrets.io/")
}

var esoNameKeys = []string{"secretKey", "secret_key", "property", "key", "name"}

// mergeRepeats makes the repeats of one literal in a file (the same key, the same value) related
// locations of its first finding: one dev token on forty lines is one thing to fix.
func mergeRepeats(found []Finding) []Finding {
	first := map[string]int{}
	var out []Finding
	for _, f := range found {
		if f.same == "" {
			out = append(out, f)
			continue
		}
		if i, ok := first[f.same]; ok {
			out[i].Related = append(out[i].Related, Location{File: f.File, Line: f.Line})
			continue
		}
		first[f.same] = len(out)
		out = append(out, f)
	}
	for i := range out {
		if n := len(out[i].Related); n > 0 {
			out[i].Message += fmt.Sprintf(" (and on %d more line(s) of this file)", n)
		}
	}
	return out
}

func hardcodedSecrets(name string, data []byte, lines []string, k kind) []Finding {
	return mergeRepeats(hardcodedSecretsAll(name, data, lines, k))
}

func hardcodedSecretsAll(name string, data []byte, lines []string, k kind) []Finding {
	var out []Finding
	base := path.Base(name)
	source := sourceExt[path.Ext(name)]
	assignments := assignmentFile(name) && !k.envExample
	esoFile := k.yaml && eso(data)
	dotenv := false
	if k.env && !k.envExample {
		var found []Finding
		found, dotenv = dotenvSecrets(name, data, lines)
		out = append(out, found...)
	}
	if k.yaml {
		out = append(out, envPairs(name, lines)...)
	}
	for i, line := range lines {
		if f, ok := knownFormat(name, i, line); ok {
			out = append(out, f)
			continue
		}
		if !assignments || len(line) > maxLineLength {
			continue
		}
		switch base { // their own formats; a leading // is a registry URL, not a comment
		case ".npmrc", ".yarnrc":
			out = append(out, npmrc(name, i, line)...)
			continue
		case ".netrc", "_netrc":
			out = append(out, netrc(name, i, line)...)
			continue
		}
		if commentOnly(line) {
			continue
		}
		if m := connStringPassword.FindStringSubmatchIndex(line); m != nil && Literal("password", line[m[4]:m[5]], true, k.envExample) && !placeholderPassword(line[m[4]:m[5]]) {
			out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[2] + 1,
				Message: "a connection string with a password is committed here",
				Fix:     "put the password in a Secret (ESO) and build the connection string from an environment variable"})
			continue
		}
		if m := credentialURL.FindStringSubmatchIndex(line); m != nil && !placeholderPassword(line[m[2]:m[3]]) {
			out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[0] + 1,
				Message: "a URL with a password is committed here",
				Fix:     "put the password in a Secret (ESO) and build the URL from an environment variable"})
			continue
		}
		if dotenv || !hasSecretWord(line) {
			continue
		}
		masked := maskInterpolations(line)
		for _, m := range assignment.FindAllStringSubmatchIndex(masked, -1) {
			ks, ke := firstGroup(m, 1, 3)
			key := line[ks:ke]
			if !SecretName(key) || esoFile && slices.Contains(esoNameKeys, key) {
				continue
			}
			vs, ve := firstGroup(m, 5, 7)
			val, quoted := line[vs:ve], m[14] < 0
			if source && !quoted || line[m[8]:m[9]] == ":" && source && strings.HasSuffix(strings.TrimSpace(line[:ks]), "?") {
				continue
			}
			if !Literal(key, val, quoted, k.envExample) || continues(line[m[1]:]) || source && (m[2] >= 0 && fieldName(val) || kebabValue.MatchString(val) && wordsOf(val, key)) || k.yaml && secretObjectName(key, val) ||
				jsExt(base, path.Ext(name)) && enumMember(line) {
				continue
			}
			f := literalFinding(name, i+1, ks+1, key)
			f.same = key + "\x00" + val
			out = append(out, f)
		}
		if source {
			for _, a := range argumentLiterals {
				for _, m := range a.re.FindAllStringSubmatchIndex(masked, -1) {
					key := line[m[2]:m[3]]
					vs, ve := firstGroup(m, 2, 3)
					if key != "" && !SecretName(key) || !Literal(cmpOr(key, "secret"), line[vs:ve], true, false) {
						continue
					}
					out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[0] + 1,
						Message: fmt.Sprintf(a.what, key) + ": a secret is never committed, not even for development",
						Fix:     "read it from the environment (the Kubernetes Secret ESO syncs) and fail at startup when it is missing"})
				}
			}
		}
		if path.Ext(name) == ".xml" {
			for _, m := range xmlElement.FindAllStringSubmatchIndex(line, -1) {
				tag := line[m[2]:m[3]]
				if tag != line[m[6]:m[7]] || !SecretName(tag) || !Literal(tag, line[m[4]:m[5]], true, false) {
					continue
				}
				out = append(out, literalFinding(name, i+1, m[0]+1, tag))
			}
		}
		if source {
			for _, m := range setterCall.FindAllStringSubmatchIndex(masked, -1) {
				fn := line[m[2]:m[3]]
				vs, ve := firstGroup(m, 2, 3)
				if w := words(fn); len(w) < 2 || !SecretName(fn) || !Literal(fn, line[vs:ve], true, false) {
					continue
				}
				out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[2] + 1,
					Message: fmt.Sprintf("%s is passed a literal: a secret is never committed, not even for development", fn),
					Fix:     "pass a value read from the environment (the Kubernetes Secret ESO syncs)"})
			}
		}
	}
	return out
}

var kubeSecretName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?-(secret|secrets|credentials|creds)$`)

// secretObjectName: a Helm value such as githubConfigSecret: app-runner-secret names a
// Kubernetes Secret (camelCase key ending in Secret, a DNS name ending in -secret).
func secretObjectName(key, val string) bool {
	w := words(key)
	return len(w) >= 2 && w[len(w)-1] == "secret" && key != strings.ToLower(key) && !strings.Contains(key, "_") &&
		kubeSecretName.MatchString(strings.Trim(val, `"'`))
}

var enumMemberLine = regexp.MustCompile(`^\s*[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*\s*=\s*("[^"]*"|'[^']*'),\s*(//.*)?$`)

// enumMember: a TypeScript enum member (PascalCase = "value",), a name for a value, not a secret.
func enumMember(line string) bool {
	return enumMemberLine.MatchString(line)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// firstGroup returns the span of the first matched group among groups from..to (1-based).
func firstGroup(m []int, from, to int) (int, int) {
	for g := from; g <= to && 2*g+1 < len(m); g++ {
		if m[2*g] >= 0 {
			return m[2*g], m[2*g+1]
		}
	}
	return 0, 0
}

func literalFinding(file string, line, col int, key string) Finding {
	return Finding{Rule: RuleHardcodedSecret, File: file, Line: line, Column: col,
		Message: fmt.Sprintf("%s is assigned a literal value: a secret is never committed, not even for development", key),
		Fix:     fmt.Sprintf("read it from the environment (the Kubernetes Secret ESO syncs), e.g. %s", referenceFor(file, key))}
}

// maskInterpolations blanks the inside of ${...} so that ${X:?msg} is not read as key: value.
func maskInterpolations(line string) string {
	if !strings.Contains(line, "${") {
		return line
	}
	b := []byte(line)
	for _, in := range ParseInterpolations(line) {
		for j := in.Offset + 2; j < in.End-1; j++ {
			b[j] = '_'
		}
	}
	return string(b)
}

// dotenvSecrets parses an env file as dotenv does (quotes, escapes, inline comments, export) and
// reports each secret-named key with a literal value, at the key's line; ok is false when the
// file does not parse as dotenv (it is then read line by line).
func dotenvSecrets(name string, data []byte, lines []string) (out []Finding, ok bool) {
	vals, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		return nil, false
	}
	for i, line := range lines {
		t := strings.TrimPrefix(strings.TrimSpace(line), "export ")
		eq := strings.IndexAny(t, "=:")
		if eq <= 0 || strings.HasPrefix(t, "#") {
			continue
		}
		key := strings.TrimSpace(t[:eq])
		v, ok := vals[key]
		if !ok || !SecretName(key) {
			continue
		}
		raw := strings.TrimSpace(t[eq+1:])
		quoted := strings.HasPrefix(raw, `"`) || strings.HasPrefix(raw, `'`)
		if strings.HasPrefix(raw, "$") || !Literal(key, v, quoted, false) {
			continue
		}
		out = append(out, literalFinding(name, i+1, strings.Index(line, key)+1, key))
	}
	return out, true
}

var npmrcAuth = regexp.MustCompile(`(?:^|:)(_authToken|_auth|_password|npmAuthToken|npmAuthIdent)\s*[=:]\s*["']?([^\s"']+)`)

func npmrc(name string, i int, line string) []Finding {
	m := npmrcAuth.FindStringSubmatchIndex(line)
	if m == nil || !Literal("authToken", line[m[4]:m[5]], true, false) {
		return nil
	}
	return []Finding{{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[2] + 1,
		Message: line[m[2]:m[3]] + " is a committed registry credential",
		Fix:     "write ${NPM_TOKEN} instead (npm expands it from the environment) and keep the token in the CI secret store"}}
}

var netrcPassword = regexp.MustCompile(`\b(password|account)\s+(\S+)`)

func netrc(name string, i int, line string) []Finding {
	m := netrcPassword.FindStringSubmatchIndex(line)
	if m == nil || !Literal("password", line[m[4]:m[5]], true, false) {
		return nil
	}
	return []Finding{{Rule: RuleHardcodedSecret, File: name, Line: i + 1, Column: m[2] + 1,
		Message: "a committed .netrc holds a password",
		Fix:     "remove the file from the repository; credentials belong in the CI secret store"}}
}

// continues reports whether a literal is only part of an expression ("root-" + randomHex(12)).
func continues(rest string) bool {
	r := strings.TrimSpace(rest)
	return strings.HasPrefix(r, "+") || strings.HasPrefix(r, ".") || strings.HasPrefix(r, "%") || strings.HasPrefix(r, "||") || strings.HasPrefix(r, "??")
}

func knownFormat(name string, i int, line string) (Finding, bool) {
	for _, f := range formats {
		if !slices.ContainsFunc(f.hints, func(h string) bool { return strings.Contains(line, h) }) {
			continue
		}
		loc := f.re.FindStringIndex(line)
		if loc == nil {
			continue
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
func envPairs(name string, lines []string) []Finding {
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
			vs, ve := firstGroup(v, 2, 4)
			if Literal(m[1], lines[j][vs:ve], v[8] < 0, false) {
				out = append(out, Finding{Rule: RuleHardcodedSecret, File: name, Line: j + 1, Column: v[3] + 1,
					Message: fmt.Sprintf("env %s is given a literal value: a secret is never committed in a manifest", m[1]),
					Fix:     "valueFrom.secretKeyRef to the Secret the ExternalSecret creates (mosaic_external_secret renders it)"})
			}
			break
		}
	}
	return out
}
