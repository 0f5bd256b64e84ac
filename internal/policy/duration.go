package policy

import (
	"time"

	"github.com/hashicorp/go-secure-stdlib/parseutil"
)

// ParseDuration parses a duration in Vault's forms ("1h", "90m", "3600", "0") with Vault's own
// parser, so that the provider accepts exactly what Vault does.
func ParseDuration(what, s string) (time.Duration, error) {
	d, err := parseutil.ParseDurationSecond(s)
	if err != nil || d < 0 {
		return 0, violation("duration", "", "%s %q is not a duration in Vault's form (e.g. \"1h\", \"90m\", \"3600\", \"0\")", what, s)
	}
	return d, nil
}

// AppRoleSettings are the durations of an app's AppRole.
type AppRoleSettings struct {
	TokenTTL, TokenMaxTTL, SecretIDTTL string
}

// DefaultAppRole are the guide's settings: token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0.
var DefaultAppRole = AppRoleSettings{TokenTTL: "1h", TokenMaxTTL: "4h", SecretIDTTL: "0"}

// ValidateTTLs checks that each duration parses and that token_ttl <= token_max_ttl (a zero
// token_max_ttl means the system maximum, so any token_ttl fits under it).
func ValidateTTLs(s AppRoleSettings) (field string, err error) {
	ttl, err := ParseDuration("token_ttl", s.TokenTTL)
	if err != nil {
		return "token_ttl", err
	}
	maxTTL, err := ParseDuration("token_max_ttl", s.TokenMaxTTL)
	if err != nil {
		return "token_max_ttl", err
	}
	if _, err := ParseDuration("secret_id_ttl", s.SecretIDTTL); err != nil {
		return "secret_id_ttl", err
	}
	if maxTTL > 0 && ttl > maxTTL {
		return "token_ttl", violation("ttl-order", s.TokenMaxTTL,
			"token_ttl %q is longer than token_max_ttl %q; a token can never live past its max TTL", s.TokenTTL, s.TokenMaxTTL)
	}
	return "", nil
}
