package policy

import (
	"slices"
	"strings"
)

// Environments are the environments of the guide, in order.
var Environments = []string{"dev", "staging", "prod"}

const mountPrefix = "secret-"

// Mount returns the KV v2 mount of an environment: "prod" -> "secret-prod".
func Mount(env string) (string, error) {
	if err := ValidateEnvironment(env); err != nil {
		return "", err
	}
	return mountPrefix + env, nil
}

// MountOf is Mount for an environment already validated: "prod" -> "secret-prod".
func MountOf(env string) string { return mountPrefix + env }

// ValidateEnvironment accepts dev, staging and prod.
func ValidateEnvironment(env string) error {
	if slices.Contains(Environments, env) {
		return nil
	}
	suggestion := ""
	switch strings.ToLower(strings.TrimSpace(env)) {
	case "dev", "development", "develop", "local", "ci":
		suggestion = "dev"
	case "staging", "stage", "stg", "preprod", "pre-prod", "qa", "test":
		suggestion = "staging"
	case "prod", "production", "prd", "live":
		suggestion = "prod"
	}
	return violation("environment", suggestion,
		"environment %q is not one of %s", env, strings.Join(Environments, ", "))
}

// EnvironmentOfMount returns the environment whose mount is m, or "" when m is no environment mount.
func EnvironmentOfMount(m string) string {
	env, ok := strings.CutPrefix(m, mountPrefix)
	if ok && slices.Contains(Environments, env) {
		return env
	}
	return ""
}

// ValidateMount checks that mount is the mount of env.
func ValidateMount(env, mount string) error {
	want, err := Mount(env)
	if err != nil {
		return err
	}
	if mount == want {
		return nil
	}
	if other := EnvironmentOfMount(mount); other != "" {
		return violation("environment-separation", want,
			"mount %q belongs to environment %q, not %q: never reference another environment's secrets", mount, other, env)
	}
	return violation("environment-mount", want, "mount %q is not the %s environment mount", mount, env)
}
