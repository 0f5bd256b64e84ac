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
	if strings.HasSuffix(p, "*") && !strings.HasSuffix(p, "/*") {
		return violation("extra-path-scope", strings.TrimSuffix(p, "*"),
			"extra read path %q ends in a glob after a prefix, which would also match other services' names; a glob is only allowed as .../%s/*", p, service)
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
	if scopedToService(parts, strings.HasSuffix(p, "*"), service) {
		return nil
	}
	return violation("extra-path-scope", parts[0]+"/creds/"+service,
		"extra read path %q is not scoped to service %q exactly. Allowed shapes: {engine}/{verb}/%s, {engine}/{verb}/%s%s, or {engine}/{verb}/%s/* "+
			"with {verb} one of %s (e.g. database/creds/%s), so that one app cannot read another's credentials or a KV path", p, service, service, service, RoleSuffix, service, strings.Join(dynamicVerbs, ", "), service)
}

// RoleSuffix is the one suffix an extra read path may add to the service name: "database/creds/web-role".
const RoleSuffix = "-role"

// dynamicVerbs are the path segments of dynamic secrets engines that hand out credentials for a
// named role: database/creds/x, aws/sts/x, pki/issue/x... An extra read path must name the
// service's own role right after one of them.
var dynamicVerbs = []string{"creds", "static-creds", "sts", "issue", "sign", "token"}

// scopedToService reports whether parts (a path without its trailing "/*" or "*") has one of
// the exact shapes: {engine...}/{verb}/{service}, {engine...}/{verb}/{service}-role, and with a
// glob only {engine...}/{verb}/{service}/*. A KV v2 API segment (data, metadata) anywhere is refused.
func scopedToService(parts []string, glob bool, service string) bool {
	n := len(parts)
	if n < 3 || slices.Contains(parts, "data") || slices.Contains(parts, "metadata") {
		return false
	}
	if !slices.Contains(dynamicVerbs, parts[n-2]) {
		return false
	}
	leaf := parts[n-1]
	if glob {
		return leaf == service
	}
	return leaf == service || leaf == service+RoleSuffix
}
