package policy

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"
)

func readCorpus(t *testing.T, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

func ruleOf(t *testing.T, err error) string {
	t.Helper()
	var v *Violation
	if !errors.As(err, &v) {
		t.Fatalf("error %v is not a *Violation", err)
	}
	return v.Rule
}

func TestOrdinarySegmentsPass(t *testing.T) {
	t.Parallel()
	corpus := readCorpus(t, "ordinary-segments.txt")
	if len(corpus) < 200 {
		t.Fatalf("ordinary corpus has %d names; want at least 200", len(corpus))
	}
	for _, seg := range corpus {
		if reason := CredentialLike(seg); reason != "" {
			t.Errorf("false positive: %q flagged as %s", seg, reason)
		}
		if err := ValidateSegment("segment", seg); err != nil {
			t.Errorf("ordinary segment %q rejected: %v", seg, err)
		}
	}
}

func TestCredentialShapesFlagged(t *testing.T) {
	t.Parallel()
	corpus := readCorpus(t, "credential-shapes.txt")
	if len(corpus) < 40 {
		t.Fatalf("credential corpus has %d entries; want at least 40", len(corpus))
	}
	for _, seg := range corpus {
		if CredentialLike(seg) == "" {
			t.Errorf("miss: %q not flagged as credential-like", seg)
		}
		err := ValidateSegment("segment", seg)
		if err == nil {
			t.Errorf("credential-like segment %q accepted", seg)
			continue
		}
		if got := ruleOf(t, err); got != "sensitive-path" {
			t.Errorf("segment %q: rule %q, want sensitive-path", seg, got)
		}
		if len(seg) > 6 && strings.Contains(err.Error(), seg) {
			t.Errorf("error for %q repeats the credential: %v", seg, err)
		}
	}
}

func TestEnvironment(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env, mount, suggestion string
		wantErr                bool
	}{
		"dev":        {env: "dev", mount: "secret-dev"},
		"staging":    {env: "staging", mount: "secret-staging"},
		"prod":       {env: "prod", mount: "secret-prod"},
		"production": {env: "production", wantErr: true, suggestion: "prod"},
		"Prod":       {env: "Prod", wantErr: true, suggestion: "prod"},
		"stage":      {env: "stage", wantErr: true, suggestion: "staging"},
		"empty":      {env: "", wantErr: true},
		"qa-east":    {env: "qa-east", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			m, err := Mount(tc.env)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Mount(%q) = %q, want error", tc.env, m)
				}
				if !strings.Contains(err.Error(), "dev, staging, prod") {
					t.Errorf("error %q does not list the allowed values", err)
				}
				var v *Violation
				errors.As(err, &v)
				if v.Suggestion != tc.suggestion {
					t.Errorf("suggestion %q, want %q", v.Suggestion, tc.suggestion)
				}
				return
			}
			if err != nil || m != tc.mount {
				t.Fatalf("Mount(%q) = %q, %v; want %q", tc.env, m, err, tc.mount)
			}
			if EnvironmentOfMount(m) != tc.env {
				t.Errorf("EnvironmentOfMount(%q) = %q", m, EnvironmentOfMount(m))
			}
		})
	}
}

func TestValidateMount(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env, mount, rule string
	}{
		"own":           {env: "prod", mount: "secret-prod"},
		"cross-env":     {env: "dev", mount: "secret-prod", rule: "environment-separation"},
		"bare secret":   {env: "dev", mount: "secret", rule: "environment-mount"},
		"unknown mount": {env: "dev", mount: "kv", rule: "environment-mount"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateMount(tc.env, tc.mount)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatal("want error")
			}
			if got := ruleOf(t, err); got != tc.rule {
				t.Errorf("rule %q, want %q", got, tc.rule)
			}
		})
	}
}

func TestValidateSegment(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		seg, rule, suggestion string
	}{
		"kebab":          {seg: "backend-api"},
		"digits":         {seg: "v2"},
		"Backend_API":    {seg: "Backend_API", rule: "kebab-case", suggestion: "backend-api"},
		"camelCase":      {seg: "signingKey", rule: "kebab-case", suggestion: "signing-key"},
		"spaces":         {seg: "my service", rule: "kebab-case", suggestion: "my-service"},
		"double hyphen":  {seg: "a--b", rule: "kebab-case", suggestion: "a-b"},
		"leading hyphen": {seg: "-api", rule: "kebab-case", suggestion: "api"},
		"dots":           {seg: "api.v2", rule: "kebab-case", suggestion: "api-v2"},
		"empty":          {seg: "", rule: "empty-segment"},
		"too long":       {seg: strings.Repeat("ab-", 22), rule: "segment-length"},
		"credential":     {seg: "AKIAIOSFODNN7EXAMPLE", rule: "sensitive-path"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateSegment("service", tc.seg)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("segment %q accepted", tc.seg)
			}
			var v *Violation
			errors.As(err, &v)
			if v.Rule != tc.rule || v.Suggestion != tc.suggestion {
				t.Errorf("got rule %q suggestion %q; want %q %q", v.Rule, v.Suggestion, tc.rule, tc.suggestion)
			}
			if !strings.Contains(err.Error(), "service") {
				t.Errorf("error %q does not name the segment", err)
			}
		})
	}
}

func TestValidateService(t *testing.T) {
	t.Parallel()
	if err := ValidateService("backend-api"); err != nil {
		t.Fatal(err)
	}
	err := ValidateService("backend-api-bootstrap")
	if err == nil || ruleOf(t, err) != "reserved-suffix" {
		t.Fatalf("bootstrap suffix: %v", err)
	}
	var v *Violation
	errors.As(err, &v)
	if v.Suggestion != "backend-api" {
		t.Errorf("suggestion %q", v.Suggestion)
	}
}

func TestPaths(t *testing.T) {
	t.Parallel()
	p, err := BuildPath("prod", "backend-api", "database", "app")
	if err != nil {
		t.Fatal(err)
	}
	if p.String() != "secret-prod/backend-api/database/app" || p.Key() != "database/app" || p.Relative() != "backend-api/database/app" {
		t.Fatalf("paths: %q %q %q", p.String(), p.Key(), p.Relative())
	}
	back, err := ParsePath(p.String())
	if err != nil || back != p {
		t.Fatalf("ParsePath round trip: %+v %v", back, err)
	}
	if got := BootstrapPath("prod", "backend-api"); got != "secret-prod/backend-api-bootstrap/approle/credentials" {
		t.Errorf("BootstrapPath = %q", got)
	}
	if got := PolicyName("prod", "backend-api"); got != "backend-api-prod" {
		t.Errorf("PolicyName = %q", got)
	}

	bad := map[string]struct{ path, rule string }{
		"three segments":   {"secret-prod/backend-api/database", "canonical-path"},
		"five segments":    {"secret-prod/backend-api/database/app/extra", "canonical-path"},
		"api form":         {"secret-prod/data/backend-api/database/app", "api-path"},
		"deprecated":       {"secret/database/app", "deprecated-path"},
		"unknown mount":    {"kv/backend-api/database/app", "environment-mount"},
		"uppercase":        {"secret-prod/Backend/database/app", "kebab-case"},
		"bootstrap":        {"secret-prod/x-bootstrap/approle/credentials", "reserved-suffix"},
		"credential":       {"secret-prod/backend-api/token/ghp_16C7e42F292c6912E7710c838347Ae178B4a", "sensitive-path"},
		"empty segment":    {"secret-prod//database/app", "empty-segment"},
		"environment typo": {"secret-production/backend-api/database/app", "environment-mount"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePath(tc.path)
			if err == nil {
				t.Fatalf("%q accepted", tc.path)
			}
			if got := ruleOf(t, err); got != tc.rule {
				t.Errorf("%q: rule %q, want %q (%v)", tc.path, got, tc.rule, err)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		key, component, name, rule, suggestion string
	}{
		"ok":            {key: "database/app", component: "database", name: "app"},
		"one segment":   {key: "database", rule: "secret-key", suggestion: "database/default"},
		"three":         {key: "backend-api/database/app", rule: "secret-key", suggestion: "database/app"},
		"bad component": {key: "Database/app", rule: "kebab-case", suggestion: "database"},
		"bad name":      {key: "jwt/signing_key", rule: "kebab-case", suggestion: "signing-key"},
		"credential":    {key: "api/sk_live_4eC39HqLyjWDarjtT1zdp7dc", rule: "sensitive-path"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, n, err := ParseKey(tc.key)
			if tc.rule == "" {
				if err != nil || c != tc.component || n != tc.name {
					t.Fatalf("ParseKey(%q) = %q %q %v", tc.key, c, n, err)
				}
				return
			}
			var v *Violation
			if !errors.As(err, &v) || v.Rule != tc.rule || v.Suggestion != tc.suggestion {
				t.Fatalf("ParseKey(%q): %#v; want rule %q suggestion %q", tc.key, v, tc.rule, tc.suggestion)
			}
		})
	}
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		old, env, service, want string
	}{
		"infrastructure":     {"secret/infrastructure/postgres/admin", "prod", "backend-api", "secret-prod/backend-api/postgres/admin"},
		"infrastructure one": {"secret/infrastructure/grafana", "dev", "grafana", "secret-dev/grafana/grafana/default"},
		"oauth":              {"secret/oauth/google", "prod", "backend-api", "secret-prod/backend-api/oauth/google"},
		"oauth nested":       {"secret/oauth/Github/app", "staging", "web", "secret-staging/web/oauth/github"},
		"database":           {"secret/database/readonly", "prod", "mysql", "secret-prod/mysql/database/readonly"},
		"database bare":      {"secret/database", "prod", "mysql", "secret-prod/mysql/database/app"},
		"credentials":        {"secret/credentials/stripe/live_key", "prod", "billing", "secret-prod/billing/stripe/live-key"},
		"k3s":                {"secret/k3s/myapp", "prod", "myapp", "secret-prod/myapp/app/config"},
		"k3s bootstrap":      {"secret/k3s/myapp-bootstrap", "prod", "myapp", "secret-prod/myapp-bootstrap/approle/credentials"},
		"api form":           {"secret/data/oauth/google", "dev", "web", "secret-dev/web/oauth/google"},
		"other":              {"secret/sendgrid/api", "dev", "mailer", "secret-dev/mailer/sendgrid/api"},
		"bare":               {"secret", "dev", "mailer", "secret-dev/mailer/app/config"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := Migrate(tc.old, tc.env, tc.service)
			if err != nil || got != tc.want {
				t.Fatalf("Migrate(%q) = %q, %v; want %q", tc.old, got, err, tc.want)
			}
			if _, err := ParsePath(got); err != nil && !strings.HasSuffix(got, "/approle/credentials") {
				t.Errorf("target %q does not validate: %v", got, err)
			}
		})
	}
	for _, bad := range []struct{ old, env, service, rule string }{
		{"secret-prod/a/b/c", "prod", "a", "not-deprecated"},
		{"secret/oauth/google", "production", "a", "environment"},
		{"secret/oauth/google", "prod", "Bad_Name", "kebab-case"},
	} {
		if _, err := Migrate(bad.old, bad.env, bad.service); err == nil || ruleOf(t, err) != bad.rule {
			t.Errorf("Migrate(%q, %q, %q) = %v; want rule %s", bad.old, bad.env, bad.service, err, bad.rule)
		}
	}
}

func TestFieldNames(t *testing.T) {
	t.Parallel()
	for _, f := range append(StandardFields, "api_version", "ca_cert", "x509") {
		if err := ValidateFieldName(f); err != nil {
			t.Errorf("field %q rejected: %v", f, err)
		}
	}
	bad := map[string]string{"Password": "password", "clientId": "client_id", "api-key": "api_key", "_x": "x", "2fa": ""}
	for f, suggestion := range bad {
		err := ValidateFieldName(f)
		var v *Violation
		if !errors.As(err, &v) || v.Rule != "snake-case" || v.Suggestion != suggestion {
			t.Errorf("ValidateFieldName(%q) = %#v; want snake-case suggesting %q", f, v, suggestion)
		}
	}
	warnings := map[string]struct{ component, field, want string }{
		"user":         {"database", "user", "username"},
		"pass":         {"database", "pass", "password"},
		"pwd":          {"smtp", "pwd", "password"},
		"apikey":       {"api", "apikey", "token"},
		"api_key":      {"api", "api_key", "token"},
		"oauth secret": {"oauth", "secret", "client_secret"},
		"oauth id":     {"oauth", "id", "client_id"},
		"db":           {"database", "dbname", "database"},
		"standard":     {"database", "password", ""},
		"unknown comp": {"widgets", "user", ""},
		"custom field": {"database", "sslmode", ""},
	}
	for name, tc := range warnings {
		if got := FieldWarning(tc.component, tc.field); got != tc.want {
			t.Errorf("%s: FieldWarning(%q, %q) = %q; want %q", name, tc.component, tc.field, got, tc.want)
		}
	}
}

func TestAccess(t *testing.T) {
	t.Parallel()
	for _, a := range AccessModes {
		if err := ValidateAccess(a); err != nil {
			t.Errorf("%q: %v", a, err)
		}
	}
	var v *Violation
	if err := ValidateAccess("Direct_Vault"); !errors.As(err, &v) || v.Suggestion != AccessDirectVault {
		t.Errorf("Direct_Vault: %v", err)
	}
	tests := map[string]struct {
		access, justification, rule string
	}{
		"eso without":          {access: "eso"},
		"direct with real":     {access: "direct-vault", justification: "DB secrets engine leases with a 15 minute TTL"},
		"direct without":       {access: "direct-vault", rule: "justification-required"},
		"direct blank":         {access: "direct-vault", justification: "   ", rule: "justification-required"},
		"todo":                 {access: "direct-vault", justification: "TODO", rule: "justification-placeholder"},
		"n/a":                  {access: "direct-vault", justification: "n/a", rule: "justification-placeholder"},
		"tbd":                  {access: "direct-vault", justification: "tbd.", rule: "justification-placeholder"},
		"short":                {access: "direct-vault", justification: "needs vault", rule: "justification-placeholder"},
		"one long word":        {access: "direct-vault", justification: "aaaaaaaaaaaaaaaaaaaaaaaaaaa", rule: "justification-placeholder"},
		"eso with text":        {access: "eso", justification: "because reasons and more", rule: "justification-without-direct-vault"},
		"eso with empty":       {access: "eso", justification: ""},
		"direct with pki text": {access: "direct-vault", justification: "Vault PKI certificates valid for 12 hours, renewed in-pod"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateJustification(tc.access, tc.justification)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || ruleOf(t, err) != tc.rule {
				t.Fatalf("got %v, want rule %s", err, tc.rule)
			}
		})
	}
}

func TestTTLs(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		s     AppRoleSettings
		field string
		rule  string
	}{
		"guide defaults":   {s: DefaultAppRole},
		"seconds":          {s: AppRoleSettings{"3600", "14400", "0"}},
		"minutes":          {s: AppRoleSettings{"90m", "4h", "24h"}},
		"equal":            {s: AppRoleSettings{"4h", "4h", "0"}},
		"max zero":         {s: AppRoleSettings{"8h", "0", "0"}},
		"ttl above max":    {s: AppRoleSettings{"5h", "4h", "0"}, field: "token_ttl", rule: "ttl-order"},
		"bad ttl":          {s: AppRoleSettings{"1 hour", "4h", "0"}, field: "token_ttl", rule: "duration"},
		"bad max":          {s: AppRoleSettings{"1h", "forever", "0"}, field: "token_max_ttl", rule: "duration"},
		"negative secret":  {s: AppRoleSettings{"1h", "4h", "-1"}, field: "secret_id_ttl", rule: "duration"},
		"seconds overflow": {s: AppRoleSettings{"7200", "3600", "0"}, field: "token_ttl", rule: "ttl-order"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			field, err := ValidateTTLs(tc.s)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || field != tc.field || ruleOf(t, err) != tc.rule {
				t.Fatalf("got field %q err %v; want %q %q", field, err, tc.field, tc.rule)
			}
		})
	}
}

func TestExtraReadPaths(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		env, path, rule string
	}{
		"db creds":           {env: "prod", path: "database/creds/backend-api-role"},
		"db creds exact":     {env: "prod", path: "database/creds/backend-api"},
		"aws sts":            {env: "prod", path: "aws/sts/backend-api"},
		"pki":                {env: "prod", path: "pki/issue/backend-api"},
		"glob under service": {env: "prod", path: "database/creds/backend-api/*"},
		"pki other suffix":   {env: "prod", path: "pki/issue/backend-api-server", rule: "extra-path-scope"},
		"trailing glob":      {env: "dev", path: "database/creds/backend-api-*", rule: "extra-path-scope"},
		"prefix of other":    {env: "prod", path: "database/creds/backend-api-gateway-role", rule: "extra-path-scope"},
		"leaf in other kv":   {env: "prod", path: "team-kv/data/other/backend-api", rule: "extra-path-scope"},
		"kv v1 leaf":         {env: "prod", path: "team-kv/other/backend-api", rule: "extra-path-scope"},
		"kv under verb":      {env: "prod", path: "team-kv/data/creds/backend-api", rule: "extra-path-scope"},
		"service mid-path":   {env: "prod", path: "database/creds/backend-api/other", rule: "extra-path-scope"},
		"other env mount":    {env: "dev", path: "secret-prod/backend-api/database/app", rule: "environment-separation"},
		"own mount":          {env: "dev", path: "secret-dev/other/database/app", rule: "extra-path-own-mount"},
		"other env word":     {env: "dev", path: "database/creds/backend-api-prod", rule: "environment-separation"},
		"other service":      {env: "prod", path: "database/creds/billing-role", rule: "extra-path-scope"},
		"engine only":        {env: "prod", path: "database/creds/*", rule: "extra-path-scope"},
		"deprecated":         {env: "prod", path: "secret/database/app", rule: "deprecated-path"},
		"system path":        {env: "prod", path: "sys/policies/acl/backend-api", rule: "extra-path-system"},
		"auth path":          {env: "prod", path: "auth/token/create/backend-api", rule: "extra-path-system"},
		"dotdot":             {env: "prod", path: "database/../backend-api", rule: "extra-path"},
		"leading slash":      {env: "prod", path: "/database/creds/backend-api", rule: "extra-path"},
		"glob in middle":     {env: "prod", path: "database/*/backend-api", rule: "extra-path"},
		"uppercase":          {env: "prod", path: "Database/creds/backend-api", rule: "extra-path"},
		"credential segment": {env: "prod", path: "database/creds/backend-api/AKIAIOSFODNN7EXAMPLE", rule: "extra-path"},
		"credential lower":   {env: "prod", path: "database/creds/backend-api/akiaiosfodnn7example", rule: "sensitive-path"},
		"service as engine":  {env: "prod", path: "backend-api/creds/x", rule: "extra-path-scope"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateExtraReadPath(tc.env, "backend-api", tc.path)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("%q accepted", tc.path)
			}
			if got := ruleOf(t, err); got != tc.rule {
				t.Errorf("rule %q, want %q (%v)", got, tc.rule, err)
			}
		})
	}
}

// The platform's names are reserved: an app named like them would get the platform's policy
// name ({name}-{env}) and replace it.
func TestReservedServices(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		service string
		ok      bool
	}{
		"ci writer":          {service: "ci-writer"},
		"eso reader":         {service: "eso-reader"},
		"ci writer prefixed": {service: "ci-writer-prod"},
		"mosaic":             {service: "mosaic"},
		"default":            {service: "default"},
		"root":               {service: "root"},
		"lookalike ok":       {service: "ci-writers-portal", ok: true},
		"eso in a name ok":   {service: "reso-reader", ok: true},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateService(tc.service)
			if tc.ok != (err == nil) {
				t.Fatalf("ValidateService(%q) = %v", tc.service, err)
			}
			if !tc.ok && ruleOf(t, err) != "reserved-name" {
				t.Errorf("rule %q", ruleOf(t, err))
			}
			// Every platform name of every environment is refused as a service's policy name.
			for _, env := range Environments {
				for _, platform := range []string{CIWriterPolicyName(env), ESOReaderPolicyName(env)} {
					if PolicyName(env, tc.service) == platform && err == nil {
						t.Errorf("service %q in %s takes the platform's policy %s", tc.service, env, platform)
					}
				}
			}
		})
	}
}

// A field name shows in every plan: one shaped like a credential is refused like a path segment.
func TestCredentialFieldNames(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"ghp_abcdefghijklmnopqrstuvwxyz0123456789", "sk_live_abcdefgh12345678", "akiaiosfodnn7example"} {
		if err := ValidateFieldName(f); err == nil || ruleOf(t, err) != "sensitive-field" {
			t.Errorf("ValidateFieldName(%q) = %v, want sensitive-field", f, err)
		} else if strings.Contains(err.Error(), f) {
			t.Errorf("the message repeats the credential: %v", err)
		}
	}
}

func TestMigrationSources(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		src, rule string
		allowed   []string
	}{
		"deprecated database": {src: "secret/database/backend-api"},
		"deprecated k3s":      {src: "secret/k3s/backend-api"},
		"kv v1 mount":         {src: "legacy/apps/backend-api/db"},
		"api form":            {src: "secret/data/k3s/backend-api"},
		"env-suffixed name":   {src: "secret/infrastructure/backend-api-prod/db"},
		"own env segment":     {src: "secret/prod/backend-api/db"},
		"another service":     {src: "secret/database/billing", rule: "migration-foreign-source"},
		"shared oauth":        {src: "secret/oauth/google", rule: "migration-foreign-source"},
		"shared, allowed":     {src: "secret/oauth/google", allowed: []string{"secret/oauth/google"}},
		"another env segment": {src: "secret/dev/backend-api/db", rule: "environment-separation"},
		"production segment":  {src: "secret/backend-api/production/db", allowed: nil, rule: ""},
		"dot segment":         {src: "secret/./k3s/backend-api", rule: "migration-source"},
		"trailing dot":        {src: "secret/k3s/backend-api/.", rule: "migration-source"},
		"percent dotdot":      {src: "secret/k3s/%2e%2e/backend-api", rule: "migration-source"},
		"percent slash":       {src: "secret/k3s%2fbackend-api", rule: "migration-source"},
		"query":               {src: "secret/k3s/backend-api?version=1", rule: "migration-source"},
		"newline":             {src: "secret/k3s/backend-api\nx", rule: "migration-source"},
		"backslash":           {src: "secret\\k3s/backend-api", rule: "migration-source"},
		"other environment":   {src: "secret-dev/web/database/app", rule: "environment-separation"},
		"own environment":     {src: "secret-prod/other/database/app", rule: "migration-source"},
		"system":              {src: "sys/policies/acl/root", rule: "migration-source"},
		"mount only":          {src: "secret", rule: "migration-source"},
		"glob":                {src: "secret/database/*", rule: "migration-source"},
		"dotdot":              {src: "secret/../secret-dev/x", rule: "migration-source"},
		"credential":          {src: "secret/ghp_abcdefghijklmnopqrstuvwxyz0123456789/x", rule: "sensitive-path"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateMigrationSource("prod", "backend-api", tc.src, tc.allowed...)
			if tc.rule == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || ruleOf(t, err) != tc.rule {
				t.Fatalf("ValidateMigrationSource(%q) = %v, want rule %s", tc.src, err, tc.rule)
			}
		})
	}
	for in, want := range map[string][2]string{"secret/data/oauth/google": {"secret", "oauth/google"}, "legacy/apps/web": {"legacy", "apps/web"}} {
		if m, r := SplitMountPath(in); m != want[0] || r != want[1] {
			t.Errorf("SplitMountPath(%q) = %q, %q", in, m, r)
		}
	}
}
