package policy

import "testing"

func TestValidateText(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{
		"non-secret, the app works at any port": true, "é 中文 😀 `quotes` \"'\\": true, "x`}; func init() {}": true, "": true,
		"a\nb": false, "a\rb": false, "a\u2028b": false, "a\u2029b": false, "a\u0085b": false, "a\x00b": false, "a\tb": false,
		"a\x1b[31m": false, "a\u202eb": false, "a\u2066b": false, "\xff": false,
	} {
		if err := ValidateText("reason", s); (err == nil) != ok {
			t.Errorf("ValidateText(%q) = %v, want ok %v", s, err, ok)
		}
	}
}

func TestValidateEnvName(t *testing.T) {
	t.Parallel()
	for s, ok := range map[string]bool{"DB_HOST": true, "DB__HOST": true, "PORT": true, "A1": true, "PYDANTIC_V2": true,
		"_DB_PASSWORD": false, "1X": false, "db_host": false, "DB-HOST": false, "": false, "DB HOST": false} {
		if err := ValidateEnvName(s); (err == nil) != ok {
			t.Errorf("ValidateEnvName(%q) = %v, want ok %v", s, err, ok)
		}
	}
}

// A plain default may be a URL or host:port; a credential in any form is still refused.
func TestCredentialLikeValue(t *testing.T) {
	t.Parallel()
	plain := []string{"https://api.stripe.com", "https://vault.example.com", "https://vault.vault.svc:8200/v1", "cache:6379", "host:port",
		"3000", "production", "info", "https://api.example.com/v1/customers/payments?limit=10", "ops@example.com", "https://user@host/",
		"a=b", "key=value", "/var/run/app.sock", "redis://redis:6379/0"}
	for _, s := range plain {
		if r := CredentialLikeValue(s); r != "" {
			t.Errorf("%q refused as %s", s, r)
		}
	}
	creds := []string{"https://app:hunter2@db.internal:5432/app", "postgres://u:p@db/app", "user:pw@host", "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"ghp_16C7e42F292c6912E7710c838347Ae178B4a", "AKIAIOSFODNN7EXAMPLE", "https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX9f3kQ2",
		"https://api.example.com/?token=ghp_16C7e42F292c6912E7710c838347Ae178B4a", "x9Kq2mZ7pL4vB8nR3tY6", "-----BEGIN PRIVATE KEY-----",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc", "hvs.CAESIJ3e0e1e8e2e3e4e5e6e7e8e9f0f1f2f3"}
	for _, s := range creds {
		if CredentialLikeValue(s) == "" {
			t.Errorf("%q is not refused", s)
		}
	}
}
