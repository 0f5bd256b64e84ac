package policy

import (
	"regexp"
	"strings"
)

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// StandardFields are the guide's standard field names.
var StandardFields = []string{
	"username", "password", "token", "client_id", "client_secret",
	"url", "host", "port", "public_key", "private_key", "database",
}

// fieldAliases maps common non-standard names to the standard one, per known component.
// The "*" entry applies to every known component.
var fieldAliases = map[string]map[string]string{
	"*": {
		"user": "username", "login": "username", "user_name": "username",
		"pass": "password", "pwd": "password", "passwd": "password", "pw": "password",
		"hostname": "host", "server": "host", "uri": "url", "endpoint": "url",
		"privkey": "private_key", "private": "private_key", "priv_key": "private_key",
		"pubkey": "public_key", "public": "public_key", "pub_key": "public_key",
	},
	"database": {"db": "database", "dbname": "database", "db_name": "database", "database_name": "database"},
	"oauth":    {"secret": "client_secret", "id": "client_id", "client": "client_id", "app_id": "client_id", "app_secret": "client_secret"},
	"api":      {"apikey": "token", "api_key": "token", "key": "token", "api_token": "token", "access_token": "token"},
	"auth":     {"apikey": "token", "api_key": "token", "api_token": "token"},
	"jwt":      {"key": "private_key", "signing_key": "private_key", "secret": "private_key"},
	"smtp":     {"smtp_user": "username", "smtp_password": "password", "smtp_host": "host", "smtp_port": "port"},
	"admin":    {"apikey": "token", "api_key": "token"},
	"session":  {"key": "token"},
}

// MinSecretLength is the shortest value the policy accepts for a secret field at an app's
// startup: signing keys (any field under jwt/, and fields named like one) need 32 characters,
// every other secret one (it must not be empty).
func MinSecretLength(key, field string) int {
	component, _, _ := strings.Cut(key, "/")
	switch {
	case component == "jwt", field == "signing_key", field == "jwt_secret", field == "session_secret":
		return 32
	}
	return 1
}

// ValidateFieldName checks that a field name is lowercase snake_case.
func ValidateFieldName(field string) error {
	if reason := CredentialLike(field); reason != "" {
		return violation("sensitive-field", "",
			"field name %q looks like a credential (%s): field names show in every plan; put the value in the field and name the field for what it is (password, token, ...)", redact(field), reason)
	}
	if snake.MatchString(field) {
		return nil
	}
	suggestion := SuggestSegment(field)
	if suggestion != "" {
		suggestion = regexp.MustCompile(`-`).ReplaceAllString(suggestion, "_")
		if !snake.MatchString(suggestion) {
			suggestion = ""
		}
	}
	return violation("snake-case", suggestion, "field name %q is not lowercase snake_case", field)
}

// FieldWarning returns the standard name to use instead of field under component, or "" when
// field is standard, unknown, or the component has no conventions. It is advice, not an error.
func FieldWarning(component, field string) string {
	specific, known := fieldAliases[component]
	if !known {
		return ""
	}
	if s, ok := specific[field]; ok {
		return s
	}
	return fieldAliases["*"][field]
}
