package policy

import (
	"math"
	"regexp"
	"strings"
)

// credentialShapes are the known shapes of credentials, checked case-insensitively against
// a whole path segment.
var credentialShapes = []struct {
	name string
	re   *regexp.Regexp
}{
	{"a Vault token", regexp.MustCompile(`(?i)^(hv[sbr]\.|s\.)[a-z0-9_\-]{20,}`)},
	{"an AWS access key id", regexp.MustCompile(`(?i)(^|[^a-z0-9])(akia|asia|aroa|aida|agpa|anpa|anva|apka)[a-z0-9]{16}($|[^a-z0-9])`)},
	{"a GitHub token", regexp.MustCompile(`(?i)^(gh[pousr]_[a-z0-9]{20,}|github_pat_[a-z0-9_]{20,})`)},
	{"a GitLab token", regexp.MustCompile(`(?i)^glpat-[a-z0-9_\-]{16,}`)},
	{"a Stripe key", regexp.MustCompile(`(?i)^(sk|pk|rk)_(live|test)_[a-z0-9]{10,}`)},
	{"a Slack token", regexp.MustCompile(`(?i)^xox[abposr]-[a-z0-9\-]{10,}`)},
	{"a Google API key", regexp.MustCompile(`(?i)^aiza[a-z0-9_\-]{30,}`)},
	{"an OpenAI/Anthropic-style API key", regexp.MustCompile(`(?i)^sk-(ant-|proj-)?[a-z0-9_\-]{20,}`)},
	{"a SendGrid key", regexp.MustCompile(`(?i)^sg\.[a-z0-9_\-]{16,}`)},
	{"a Twilio key", regexp.MustCompile(`(?i)^(sk|ac)[0-9a-f]{32}$`)},
	{"a private key block", regexp.MustCompile(`(?i)begin.*private.*key`)},
	{"a JWT", regexp.MustCompile(`(?i)^ey[a-z0-9_\-]{8,}\.ey[a-z0-9_\-]{8,}`)},
	{"a key=value pair", regexp.MustCompile(`[=:]`)},
	{"a long hex run", regexp.MustCompile(`(?i)[0-9a-f]{16,}`)},
	{"a long base64 run", regexp.MustCompile(`[A-Za-z0-9+/_]{20,}={0,2}`)},
}

// credentialWords are words that, followed by what looks like a value, give a secret away:
// "password-hunter2", "token-8f2k9x".
var credentialWords = regexp.MustCompile(`(?i)^(password|passwd|pwd|pass|secret|token|apikey|api-key|key)[-_](.+)$`)

// CredentialLike reports why a path segment looks like a credential, or "" when it does not.
// Path names are visible to anyone who can list, so they must never carry secret material.
func CredentialLike(seg string) string {
	for _, c := range credentialShapes {
		if c.re.MatchString(seg) {
			if c.name == "a long base64 run" && !mixedCharClasses(c.re.FindString(seg)) {
				continue // a long plain word run like "internationalization" is not base64
			}
			return c.name
		}
	}
	if m := credentialWords.FindStringSubmatch(seg); m != nil && valueLike(m[2]) {
		return "a credential word followed by a value"
	}
	for _, piece := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if highEntropy(piece) {
			return "a high-entropy string"
		}
	}
	return ""
}

// mixedCharClasses reports whether s mixes at least three of lowercase, uppercase, digits and symbols.
func mixedCharClasses(s string) bool {
	var lower, upper, digit, other int
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = 1
		case r >= 'A' && r <= 'Z':
			upper = 1
		case r >= '0' && r <= '9':
			digit = 1
		default:
			other = 1
		}
	}
	return lower+upper+digit+other >= 3
}

// valueLike reports whether what follows a credential word looks like a value rather than a
// qualifier: it has digits mixed with letters, or is itself high-entropy.
func valueLike(s string) bool {
	var letters, digits int
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
			letters++
		}
	}
	return (digits > 0 && letters > 0 && len(s) >= 5) || highEntropy(s)
}

// highEntropy flags random-looking strings: long enough, mixing letters and digits in a
// way words and version numbers do not, with high Shannon entropy.
func highEntropy(s string) bool {
	if len(s) < 8 {
		return false
	}
	var letters, digits, switches int
	prevDigit := false
	for i, r := range s {
		isDigit := r >= '0' && r <= '9'
		if isDigit {
			digits++
		} else {
			letters++
		}
		if i > 0 && isDigit != prevDigit {
			switches++
		}
		prevDigit = isDigit
	}
	e := entropy(s)
	switch {
	case digits >= 3 && letters >= 3 && switches >= 4 && e >= 3.0:
		return true
	case len(s) >= 24 && e >= 4.0:
		return true
	}
	return false
}

func entropy(s string) float64 {
	counts := map[rune]int{}
	n := 0
	for _, r := range s {
		counts[r]++
		n++
	}
	var h float64
	for _, c := range counts {
		p := float64(c) / float64(n)
		h -= p * math.Log2(p)
	}
	return h
}

// genericShapes are the shapes that only make sense for a single token (a path segment or a
// piece of a value), not for a whole value that may be a URL.
var genericShapes = map[string]bool{"a key=value pair": true, "a long hex run": true, "a long base64 run": true}

var userinfo = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.\-]*://)?[^/?#@\s]*:[^/?#@\s]*@`)

// CredentialLikeValue reports why a plain (non-secret) default value looks like a credential,
// or "" when it does not. URLs and host:port are plain values; a password in a URL's userinfo,
// a known key format anywhere, or a random-looking piece between the separators of a URL is not.
func CredentialLikeValue(v string) string {
	if userinfo.MatchString(v) {
		return "a URL with a password in its userinfo (user:password@)"
	}
	for _, c := range credentialShapes {
		if !genericShapes[c.name] && c.re.MatchString(v) {
			return c.name
		}
	}
	for _, piece := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune("/:?&=#@,;+ \t", r) }) {
		if reason := CredentialLike(piece); reason != "" {
			return reason
		}
	}
	return ""
}
