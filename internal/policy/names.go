package policy

import (
	"regexp"
	"strings"
	"unicode"
)

// MaxSegmentLength is the longest allowed path segment (a DNS label's length, so that a
// service name also fits a Kubernetes object name).
const MaxSegmentLength = 63

// BootstrapSuffix is reserved for the bootstrap entries of Direct-Vault apps.
const BootstrapSuffix = "-bootstrap"

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ValidateSegment checks one path segment: lowercase kebab-case, at most 63 characters, and
// nothing in it that looks like a credential. what names the segment in messages ("service",
// "component", ...).
func ValidateSegment(what, seg string) error {
	if seg == "" {
		return violation("empty-segment", "", "%s is empty", what)
	}
	if reason := CredentialLike(seg); reason != "" {
		return violation("sensitive-path", "",
			"%s %q looks like a credential (%s): path names must not carry secrets; put the value in a field and name the path for what it is", what, redact(seg), reason)
	}
	if len(seg) > MaxSegmentLength {
		return violation("segment-length", "",
			"%s %q is %d characters long; the limit is %d", what, seg, len(seg), MaxSegmentLength)
	}
	if !kebab.MatchString(seg) {
		return violation("kebab-case", SuggestSegment(seg),
			"%s %q is not lowercase kebab-case (a-z, 0-9, single hyphens between words)", what, seg)
	}
	return nil
}

// ValidateService checks a service name: a valid segment that does not end in "-bootstrap".
func ValidateService(service string) error {
	if err := ValidateSegment("service", service); err != nil {
		return err
	}
	if strings.HasSuffix(service, BootstrapSuffix) {
		return violation("reserved-suffix", strings.TrimSuffix(service, BootstrapSuffix),
			"service %q ends in %q, which is reserved for the bootstrap entries of Direct-Vault apps", service, BootstrapSuffix)
	}
	for _, r := range ReservedServices {
		if service == r || strings.HasPrefix(service, r+"-") {
			return violation("reserved-name", "",
				"service %q is reserved: the platform's own policies and identities are named %s-{environment}, and an app named like them would replace them and take their rights: choose another name", service, r)
		}
	}
	return nil
}

// ReservedServices are the names the platform uses for its own policies, roles and identities
// ({name}-{env}); no app may be called by one of them or start with one followed by "-".
var ReservedServices = []string{ciWriterPrefix, esoReaderPrefix, "mosaic", "root", "default"}

// SuggestSegment turns a name into lowercase kebab-case: "Backend_API" -> "backend-api",
// "signingKey" -> "signing-key". It returns "" when nothing usable is left.
func SuggestSegment(s string) string {
	var b strings.Builder
	runes := []rune(s)
	for i, r := range runes {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			// camelCase boundary: "signingKey" -> "signing-key", but "API" stays one word.
			if i > 0 && (unicode.IsLower(runes[i-1]) || unicode.IsDigit(runes[i-1]) ||
				(i+1 < len(runes) && unicode.IsLower(runes[i+1]) && unicode.IsUpper(runes[i-1]))) {
				b.WriteByte('-')
			}
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteByte('-')
		}
	}
	out := b.String()
	for strings.Contains(out, "--") {
		out = strings.ReplaceAll(out, "--", "-")
	}
	out = strings.Trim(out, "-")
	if len(out) > MaxSegmentLength {
		out = strings.TrimRight(out[:MaxSegmentLength], "-")
	}
	if !kebab.MatchString(out) {
		return ""
	}
	return out
}

// redact shortens a credential-like string for messages, so that an error never repeats it whole.
func redact(s string) string {
	if len(s) <= 6 {
		return "***"
	}
	return s[:4] + "…"
}
