package policy

import (
	"errors"
	"strings"
	"testing"
)

// The fuzz targets run their seeds with every `go test`; `make fuzz` (part of `make test`)
// runs each for a bounded time. Seeds live here and in testdata/fuzz/.

func FuzzSuggestSegment(f *testing.F) {
	for _, s := range []string{"Backend_API", "signingKey", "a--b", "-x-", "ÄÖÜ", "v2", "", "___", "HTTPServer2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := SuggestSegment(s)
		if got == "" {
			return
		}
		if !kebab.MatchString(got) || len(got) > MaxSegmentLength {
			t.Fatalf("SuggestSegment(%q) = %q, which is not a valid kebab segment", s, got)
		}
		if SuggestSegment(got) != got {
			t.Fatalf("SuggestSegment is not idempotent on %q", got)
		}
	})
}

func FuzzValidateSegment(f *testing.F) {
	for _, s := range []string{"backend-api", "Backend_API", "AKIAIOSFODNN7EXAMPLE", "a=b", strings.Repeat("x", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateSegment("segment", s)
		if err == nil {
			if !kebab.MatchString(s) || len(s) > MaxSegmentLength || CredentialLike(s) != "" {
				t.Fatalf("accepted invalid segment %q", s)
			}
			return
		}
		var v *Violation
		if !errors.As(err, &v) {
			t.Fatalf("error %T is not a *Violation", err)
		}
		if v.Suggestion != "" && ValidateSegment("segment", v.Suggestion) != nil && v.Rule == "kebab-case" {
			// A kebab suggestion may still look like a credential; it must at least be kebab.
			if !kebab.MatchString(v.Suggestion) {
				t.Fatalf("suggestion %q for %q is not kebab-case", v.Suggestion, s)
			}
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"secret-prod/backend-api/database/app", "secret/oauth/google", "secret-dev/data/x/y/z", "/", "secret-staging/a/b/c/d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePath(s)
		if err != nil {
			return
		}
		if p.String() != strings.Trim(s, "/") {
			t.Fatalf("ParsePath(%q).String() = %q", s, p.String())
		}
		again, err := ParsePath(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip of %q failed: %v", s, err)
		}
	})
}

func FuzzMigrate(f *testing.F) {
	for _, s := range []string{"secret/infrastructure/postgres/admin", "secret/oauth/google", "secret/database", "secret/k3s/app-bootstrap", "secret/credentials/A_B/C d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, old string) {
		target, err := Migrate(old, "prod", "backend-api")
		if err != nil {
			if IsDeprecated(old) {
				t.Fatalf("Migrate(%q) failed on a deprecated path: %v", old, err)
			}
			return
		}
		if target == BootstrapPath("prod", "backend-api") {
			return
		}
		if _, err := ParsePath(target); err != nil {
			// A target may only fail for a segment that looks like a credential.
			if v, ok := err.(interface{ Unwrap() error }); !ok || !strings.Contains(v.Unwrap().Error(), "credential") {
				t.Fatalf("Migrate(%q) = %q, which does not validate: %v", old, target, err)
			}
		}
	})
}

func FuzzParseKey(f *testing.F) {
	for _, s := range []string{"database/app", "a/b/c", "x", "Jwt/Signing_Key"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		c, n, err := ParseKey(key)
		if err == nil && c+"/"+n != key {
			t.Fatalf("ParseKey(%q) = %q, %q", key, c, n)
		}
		if v := (*Violation)(nil); errors.As(err, &v) && v.Rule == "secret-key" && v.Suggestion != "" {
			if _, _, err := ParseKey(v.Suggestion); err != nil && !strings.Contains(err.Error(), "credential") {
				t.Fatalf("suggestion %q for %q does not validate: %v", v.Suggestion, key, err)
			}
		}
	})
}

func FuzzExtraReadPath(f *testing.F) {
	for _, s := range []string{"database/creds/backend-api-role", "secret-prod/x/y/z", "sys/x", "a/../b", "pki/issue/backend-api*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if err := ValidateExtraReadPath("prod", "backend-api", p); err == nil {
			if !strings.Contains(p, "backend-api") || strings.Contains(p, "..") || strings.HasPrefix(p, "secret") {
				t.Fatalf("accepted %q", p)
			}
			if !strings.Contains(AppPolicy("prod", "backend-api", []string{p}), p) {
				t.Fatalf("policy does not contain %q", p)
			}
		}
	})
}

func FuzzDuration(f *testing.F) {
	for _, s := range []string{"1h", "90m", "3600", "0", "-1", "1h30m", "abc", "9999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration("ttl", s)
		if err == nil && d < 0 {
			t.Fatalf("negative duration %v accepted from %q", d, s)
		}
	})
}

func FuzzValidateCIDR(f *testing.F) {
	for _, s := range []string{"10.0.0.0/16", "10.0.0.1", "::1", "fe80::/10", "10.0.0.0/33", "", "10.0.0", "a.b.c.d/8"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidateCIDR("token_bound_cidrs", s)
		if err == nil && strings.TrimSpace(s) == "" {
			t.Fatalf("accepted an empty CIDR %q", s)
		}
		var v *Violation
		if err != nil && (!errors.As(err, &v) || v.Rule != "cidr") {
			t.Fatalf("error %v is not a cidr violation", err)
		}
	})
}

func FuzzValidateFieldName(f *testing.F) {
	for _, s := range []string{"password", "client_secret", "Password", "client-secret", "1password", "", "_x", "x_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateFieldName(s) == nil && (s == "" || strings.ToLower(s) != s || strings.ContainsAny(s, "-/. ")) {
			t.Fatalf("accepted field name %q", s)
		}
	})
}

// ExtraReadPathsOf parses policy text read back from Vault (import): it never panics, and it
// finds exactly the extra paths AppPolicy rendered.
func FuzzExtraReadPathsOf(f *testing.F) {
	f.Add("database/creds/backend-api-role", `path "x" { capabilities = ["read"] }`)
	f.Add("secret-prod/shared/backend-api/config", "")
	f.Add("", "path \"database/creds/backend-api-role\" {\n  capabilities = [\"read\"]\n}\n")
	f.Fuzz(func(t *testing.T, extra, text string) {
		_ = ExtraReadPathsOf("prod", "backend-api", text)
		if ValidateExtraReadPath("prod", "backend-api", extra) != nil {
			return
		}
		got := ExtraReadPathsOf("prod", "backend-api", AppPolicy("prod", "backend-api", []string{extra}))
		if len(got) != 1 || got[0] != extra {
			t.Fatalf("ExtraReadPathsOf(AppPolicy(.., [%q])) = %q", extra, got)
		}
	})
}
