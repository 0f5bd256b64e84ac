package policy

import (
	"slices"
	"strings"
)

// ValidateMigrationSource checks a path that a secret of service in env is copied from once:
// a legacy path (the deprecated `secret/` layout, or another KV mount such as a KV v1 one). It
// must be a plain path (no `.` or `..` segment, no percent-encoding, no glob: Vault's HTTP
// layer would resolve those to another path than the one reviewed), not an environment
// mount's path (another app's or another environment's canonical secrets: environment
// separation), not a Vault system path, without a credential-like segment, and it must belong
// to this service: one of its segments names the service (`secret/k3s/web`,
// `secret/database/web`), and none names another environment. A source that names no service
// (`secret/oauth/google`, shared by several apps) passes only when listed in allowed, the
// provider's `allowed_migration_sources` that the platform team sets.
func ValidateMigrationSource(env, service, src string, allowed ...string) error {
	p := strings.TrimSpace(src)
	if p == "" || p != src || strings.HasPrefix(p, "/") || strings.Contains(p, "//") || strings.ContainsAny(p, "*%?#\\") || strings.ContainsFunc(p, isControlOrSpace) {
		return violation("migration-source", "",
			"migrate_from %q is not a plain Vault path (mount/path/to/secret: no leading slash, no empty, . or .. segment, no glob, no percent-encoding, no spaces)", src)
	}
	parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
	for _, seg := range parts {
		if seg == "." || seg == ".." {
			return violation("migration-source", "",
				"migrate_from %q has a %q segment: write the path without it, as Vault resolves it", src, seg)
		}
	}
	if len(parts) < 2 {
		return violation("migration-source", "", "migrate_from %q names a mount, not a secret: write mount/path/to/secret, e.g. secret/database/%s", src, service)
	}
	if slices.Contains(forbiddenExtraPrefixes, parts[0]) {
		return violation("migration-source", "", "migrate_from %q is under %q/, a Vault system path, not a secrets engine", src, parts[0])
	}
	if other := EnvironmentOfMount(parts[0]); other != "" {
		if other != env {
			return violation("environment-separation", "",
				"migrate_from %q is in the %s environment's mount, but this app is in %s: never copy secrets across environments", src, other, env)
		}
		return violation("migration-source", "",
			"migrate_from %q is a canonical path in %s: copy only from legacy paths (the deprecated secret/ layout or another KV mount), never from another app's secrets", src, parts[0])
	}
	for _, seg := range parts {
		if reason := CredentialLike(seg); reason != "" {
			return violation("sensitive-path", "", "migrate_from segment %q looks like a credential (%s)", redact(seg), reason)
		}
	}
	for _, seg := range parts[1:] {
		if other := environmentNamed(seg); other != "" && other != env {
			return violation("environment-separation", "",
				"migrate_from %q names the %s environment (segment %q), but this app is in %s: never copy secrets across environments", src, other, seg, env)
		}
	}
	if slices.Contains(allowed, p) {
		return nil
	}
	if !slices.ContainsFunc(parts[1:], func(seg string) bool { return namesService(seg, env, service) }) {
		return violation("migration-foreign-source", "",
			"migrate_from %q does not name service %q in any segment: it may be another service's secret. Copy only this service's legacy paths (e.g. secret/k3s/%s, secret/database/%s); a shared source (secret/oauth/google) must be allowed by the platform team in the provider's allowed_migration_sources", src, service, service, service)
	}
	return nil
}

// namesService reports whether a path segment names the service: "web", "web-prod", "prod-web".
func namesService(seg, env, service string) bool {
	return seg == service || seg == service+"-"+env || seg == env+"-"+service
}

// environmentNamed is the environment a path segment names by one of its usual spellings, or "".
func environmentNamed(seg string) string {
	switch strings.ToLower(seg) {
	case "dev", "development":
		return "dev"
	case "staging", "stage", "stg":
		return "staging"
	case "prod", "production", "prd":
		return "prod"
	}
	return ""
}

func isControlOrSpace(r rune) bool { return r <= ' ' || r == 0x7f }

// SplitMountPath splits a legacy path into its mount (the first segment) and the path inside
// it, dropping the KV v2 API segment ("secret/data/x" -> "secret", "x").
func SplitMountPath(src string) (mount, rel string) {
	mount, rel, _ = strings.Cut(strings.Trim(strings.TrimSpace(src), "/"), "/")
	if r, ok := strings.CutPrefix(rel, "data/"); ok {
		rel = r
	}
	return mount, rel
}
