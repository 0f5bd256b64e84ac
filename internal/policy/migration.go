package policy

import (
	"slices"
	"strings"
)

// ValidateMigrationSource checks a path that a secret of service in env is copied from once:
// a legacy path (the deprecated `secret/` layout, or another KV mount such as a KV v1 one). It
// may not be an environment mount's path (another app's or another environment's canonical
// secrets: environment separation), a Vault system path, or carry a credential-like segment.
func ValidateMigrationSource(env, service, src string) error {
	p := strings.TrimSpace(src)
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains(p, "..") || strings.Contains(p, "//") || strings.Contains(p, "*") {
		return violation("migration-source", "",
			"migrate_from %q is not a plain Vault path (mount/path/to/secret, no leading slash, no .., no glob)", src)
	}
	parts := strings.Split(strings.TrimSuffix(p, "/"), "/")
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
	return nil
}

// SplitMountPath splits a legacy path into its mount (the first segment) and the path inside
// it, dropping the KV v2 API segment ("secret/data/x" -> "secret", "x").
func SplitMountPath(src string) (mount, rel string) {
	mount, rel, _ = strings.Cut(strings.Trim(strings.TrimSpace(src), "/"), "/")
	if r, ok := strings.CutPrefix(rel, "data/"); ok {
		rel = r
	}
	return mount, rel
}
