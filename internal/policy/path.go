package policy

import (
	"fmt"
	"strings"
)

// Path is a canonical secret path: {mount}/{service}/{component}/{secret-name}.
type Path struct {
	Environment string
	Service     string
	Component   string
	Name        string
}

// Mount is the environment's KV v2 mount.
func (p Path) Mount() string { return mountPrefix + p.Environment }

// Key is the path relative to the service, as the resource's secrets map keys it: "database/app".
func (p Path) Key() string { return p.Component + "/" + p.Name }

// Relative is the path inside the mount: "backend-api/database/app".
func (p Path) Relative() string { return p.Service + "/" + p.Key() }

// String is the full canonical path: "secret-prod/backend-api/database/app".
func (p Path) String() string { return p.Mount() + "/" + p.Relative() }

// BuildPath validates the parts and returns the canonical path.
func BuildPath(env, service, component, name string) (Path, error) {
	p := Path{Environment: env, Service: service, Component: component, Name: name}
	if err := ValidateEnvironment(env); err != nil {
		return Path{}, err
	}
	if err := ValidateService(service); err != nil {
		return Path{}, err
	}
	if err := ValidateSegment("component", component); err != nil {
		return Path{}, err
	}
	if err := ValidateSegment("secret name", name); err != nil {
		return Path{}, err
	}
	return p, nil
}

// ParseKey splits a resource secrets key "component/secret-name" and validates both parts.
func ParseKey(key string) (component, name string, err error) {
	parts := strings.Split(key, "/")
	if len(parts) != 2 {
		suggestion := ""
		if len(parts) > 2 {
			suggestion = SuggestSegment(parts[len(parts)-2]) + "/" + SuggestSegment(parts[len(parts)-1])
		} else if s := SuggestSegment(key); s != "" {
			suggestion = s + "/default"
		}
		if !strings.Contains(suggestion, "/") || strings.HasPrefix(suggestion, "/") || strings.HasSuffix(suggestion, "/") {
			suggestion = ""
		}
		return "", "", violation("secret-key", suggestion,
			"secret key %q must be \"component/secret-name\" (two segments, e.g. \"database/app\"); the mount and service come from environment and service", key)
	}
	if err := ValidateSegment("component", parts[0]); err != nil {
		return "", "", err
	}
	if err := ValidateSegment("secret name", parts[1]); err != nil {
		return "", "", err
	}
	return parts[0], parts[1], nil
}

// ParsePath parses and validates a full canonical path "secret-prod/backend-api/database/app".
// A deprecated path is rejected with its migration target, for which env and service are
// guessed from the path where they cannot be known.
func ParsePath(s string) (Path, error) {
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) > 0 && isLegacyMount(parts[0]) {
		return Path{}, deprecatedViolation(s, "", "")
	}
	if len(parts) > 1 && parts[1] == "data" || len(parts) > 1 && parts[1] == "metadata" {
		fixed := append([]string{parts[0]}, parts[2:]...)
		return Path{}, violation("api-path", strings.Join(fixed, "/"),
			"path %q uses the KV v2 API form (%s/%s/...); canonical paths leave out %q", s, parts[0], parts[1], parts[1])
	}
	env := EnvironmentOfMount(parts[0])
	if env == "" {
		return Path{}, violation("environment-mount", "",
			"path %q does not start with an environment mount (secret-dev, secret-staging or secret-prod)", s)
	}
	if len(parts) != 4 {
		return Path{}, violation("canonical-path", "",
			"path %q has %d segments; canonical paths have four: {mount}/{service}/{component}/{secret-name}, e.g. %q", s, len(parts), "secret-prod/backend-api/database/app")
	}
	p, err := BuildPath(env, parts[1], parts[2], parts[3])
	if err != nil {
		return Path{}, fmt.Errorf("path %q: %w", s, err)
	}
	return p, nil
}

// BootstrapPath is where a Direct-Vault app's AppRole credentials live: a sibling of the
// service, outside the app's own read glob.
func BootstrapPath(env, service string) string {
	return MountOf(env) + "/" + BootstrapRelative(service)
}

// BootstrapRelative is the bootstrap entry's path inside the environment mount:
// "{service}-bootstrap/approle/credentials".
func BootstrapRelative(service string) string {
	return service + BootstrapSuffix + "/approle/credentials"
}

// DefaultAppRoleMount is where the AppRole auth method is mounted unless the provider says otherwise.
const DefaultAppRoleMount = "approle"

// PolicyName is the name of an app's ACL policy and AppRole role: "{service}-{environment}".
func PolicyName(env, service string) string { return service + "-" + env }
