package policy

import (
	"fmt"
	"strings"
)

// legacyMount is the bare KV mount of the old layout.
const legacyMount = "secret"

func isLegacyMount(seg string) bool { return seg == legacyMount }

// IsDeprecated reports whether a path is in a deprecated layout (anything under the bare
// "secret" mount: secret/infrastructure/*, secret/oauth/*, secret/database/*,
// secret/credentials/*, secret/k3s/<app>, ...).
func IsDeprecated(p string) bool {
	first, _, _ := strings.Cut(strings.Trim(p, "/"), "/")
	return isLegacyMount(first)
}

// Migrate returns the canonical target of a deprecated path for an environment and service,
// following the guide's migration table:
//
//	secret/infrastructure/*   -> secret-{env}/{service}/...
//	secret/oauth/*            -> secret-{env}/{service}/oauth/{provider}
//	secret/database/*         -> secret-{env}/{service}/database/{user}
//	secret/credentials/*      -> secret-{env}/{service}/{component}/{name}
//	secret/k3s/<app>          -> secret-{env}/{service}/app/config
//	secret/k3s/<app>-bootstrap -> secret-{env}/{service}-bootstrap/approle/credentials
func Migrate(old, env, service string) (string, error) {
	if err := ValidateEnvironment(env); err != nil {
		return "", err
	}
	if err := ValidateService(service); err != nil {
		return "", err
	}
	if !IsDeprecated(old) {
		return "", violation("not-deprecated", "",
			"path %q is not in a deprecated layout (only paths under the bare %q mount are)", old, legacyMount)
	}
	parts := strings.Split(strings.Trim(old, "/"), "/")[1:]
	if len(parts) > 0 && (parts[0] == "data" || parts[0] == "metadata") {
		parts = parts[1:] // the KV v2 API form secret/data/...
	}
	rest := func(from int) []string {
		var out []string
		for _, s := range parts[min(from, len(parts)):] {
			if k := SuggestSegment(s); k != "" {
				out = append(out, k)
			}
		}
		return out
	}
	mount := mountPrefix + env
	target := func(component, name string) string {
		return fmt.Sprintf("%s/%s/%s/%s", mount, service, component, name)
	}
	first := ""
	if len(parts) > 0 {
		first = parts[0]
	}
	switch first {
	case "oauth":
		r := rest(1)
		provider := "provider"
		if len(r) > 0 {
			provider = r[0]
		}
		return target("oauth", provider), nil
	case "database":
		r := rest(1)
		user := "app"
		if len(r) > 0 {
			user = r[len(r)-1]
		}
		return target("database", user), nil
	case "k3s":
		if len(parts) > 1 && strings.HasSuffix(parts[1], BootstrapSuffix) {
			return BootstrapPath(env, service), nil
		}
		return target("app", "config"), nil
	case "infrastructure", "credentials":
		return fromRest(rest(1), target), nil
	default:
		return fromRest(rest(0), target), nil
	}
}

// fromRest maps what is left of an old path onto {component}/{name}: the last two segments,
// or the one segment with "default" as its name.
func fromRest(r []string, target func(string, string) string) string {
	switch len(r) {
	case 0:
		return target("app", "config")
	case 1:
		return target(r[0], "default")
	default:
		return target(r[len(r)-2], r[len(r)-1])
	}
}

// deprecatedViolation is the error for a deprecated path; with env and service it names the
// exact canonical target, without them the target's shape.
func deprecatedViolation(old, env, service string) *Violation {
	if env != "" && service != "" {
		if target, err := Migrate(old, env, service); err == nil {
			return violation("deprecated-path", target,
				"path %q is in the deprecated layout under the bare %q mount; migrate it to its canonical path", old, legacyMount)
		}
	}
	return violation("deprecated-path", "secret-{env}/{service}/{component}/{secret-name}",
		"path %q is in the deprecated layout under the bare %q mount (use provider::mosaic::migrate_path(path, environment, service) for its exact target)", old, legacyMount)
}
