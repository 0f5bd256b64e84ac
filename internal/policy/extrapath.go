package policy

import (
	"regexp"
	"slices"
	"strings"
)

var extraPathChars = regexp.MustCompile(`^[a-z0-9][a-z0-9_.\-]*(/[a-z0-9_.\-]+)*(/?\*)?$`)

// forbiddenExtraPrefixes are Vault system paths that an app policy must never reach.
var forbiddenExtraPrefixes = []string{"sys", "auth", "identity", "cubbyhole", "token"}

// ValidateExtraReadPath checks one extra path an app's policy may read (a dynamic secrets
// engine, e.g. "database/creds/backend-api-role"). It must be scoped to the same service,
// never reach another environment's mount or another service's paths, and is not a deprecated
// or system path.
func ValidateExtraReadPath(env, service, p string) error {
	if IsDeprecated(p) {
		return deprecatedViolation(p, env, service)
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.Contains(p, "//") || !extraPathChars.MatchString(p) {
		return violation("extra-path", strings.Trim(strings.ToLower(p), "/"),
			"extra read path %q is not a plain Vault path (lowercase letters, digits, - _ . separated by /, with at most a trailing *)", p)
	}
	parts := strings.Split(strings.TrimSuffix(strings.TrimSuffix(p, "*"), "/"), "/")
	if slices.Contains(forbiddenExtraPrefixes, parts[0]) {
		return violation("extra-path-system", "",
			"extra read path %q is under %q/, a Vault system path, not a secrets engine: an app policy may only read secrets", p, parts[0])
	}
	if other := EnvironmentOfMount(parts[0]); other != "" {
		if other != env {
			return violation("environment-separation", "",
				"extra read path %q is in the %s mount, but this app is in %s: never reference another environment's secrets", p, other, env)
		}
		return violation("extra-path-own-mount", "",
			"extra read path %q is in the app's own KV mount: the app's policy already reads %s/%s/*, and other services' paths are off limits", p, parts[0], service)
	}
	for _, seg := range parts {
		if reason := CredentialLike(seg); reason != "" {
			return violation("sensitive-path", "", "extra read path segment %q looks like a credential (%s)", redact(seg), reason)
		}
		for _, word := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			if slices.Contains(Environments, word) && word != env {
				return violation("environment-separation", "",
					"extra read path %q names environment %q, but this app is in %s: never reference another environment's secrets", p, word, env)
			}
		}
	}
	for _, seg := range parts[1:] {
		if seg == service || strings.HasPrefix(seg, service+"-") || strings.HasPrefix(seg, service+"_") {
			return nil
		}
	}
	return violation("extra-path-scope", parts[0]+"/creds/"+service+"-role",
		"extra read path %q is not scoped to service %q: a segment after the engine mount must be the service name or start with \"%s-\", so that one app cannot read another's credentials", p, service, service)
}
