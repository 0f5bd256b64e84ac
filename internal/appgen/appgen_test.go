package appgen

import (
	"errors"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/golden"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The two apps every artefact is rendered for: an ESO app with a database secret, a URL, a
// signing key and a plain PORT, and a Direct-Vault app.
func fixtures(t *testing.T) map[string]App {
	t.Helper()
	esoApp := eso.App{Environment: "prod", Service: "web", Access: "eso", Namespace: "web",
		Fields:   map[string][]string{"database/app": {"password", "username"}, "jwt/signing-key": {"private_key"}, "api/billing": {"url", "token"}},
		EnvNames: map[string]string{"jwt/signing-key.private_key": "JWT_SECRET"},
		Plain: []eso.PlainEnv{
			{Name: "PORT", Default: "3000", Reason: "non-secret, the app works at any port"},
			{Name: "NODE_ENV", Default: "production", Reason: "non-secret mode switch"},
			{Name: "LOG_JSON", Default: "true", Reason: "log format"},
			{Name: "BILLING_ENDPOINT", Default: "https://api.stripe.com/v1", Reason: "public API address"},
			{Name: "CACHE_ADDR", Default: "cache:6379", Reason: "in-cluster host:port"},
		}}
	directApp := eso.App{Environment: "prod", Service: "backend-api", Access: "direct-vault", Namespace: "api", VaultAddr: "https://vault.vault.svc:8200"}
	out := map[string]App{}
	for name, a := range map[string]eso.App{"eso-web": esoApp, "direct-backend-api": directApp} {
		m, err := eso.Render(a)
		if err != nil {
			t.Fatal(err)
		}
		var rules map[string]policy.Rule
		if a.Access == "eso" {
			rules = fixtureRules
		}
		vars, err := VarsOf(a, m, rules)
		if err != nil {
			t.Fatal(err)
		}
		app := App{Environment: a.Environment, Service: a.Service, Access: a.Access, Vars: vars}
		if a.Access == "direct-vault" {
			app.Justification, app.LeaseStrategy = "DB secrets engine leases with a 15 minute TTL", "The app renews its token at two thirds of its TTL and logs in again with its AppRole when renewal fails."
			app.ExtraReadPaths = []string{"database/creds/backend-api-role"}
			app.Paths = DirectPaths(map[string][]string{"jwt/signing-key": {"private_key"}})
		} else {
			app.Paths = PathsOf(m)
		}
		out[name] = app
	}
	return out
}

// fixtureRules are the policy's example types: PORT a port with a safe default, NODE_ENV an
// enum, LOG_JSON a bool, and a raised minimum on a secret.
var fixtureRules = map[string]policy.Rule{
	"PORT":                  {Type: policy.TypePort},
	"NODE_ENV":              {Type: policy.TypeEnum, Values: []string{"development", "production", "test"}},
	"LOG_JSON":              {Type: policy.TypeBool},
	"BILLING_ENDPOINT":      {Type: policy.TypeURL},
	"DATABASE_APP_PASSWORD": {MinLength: 12},
}

func TestGolden(t *testing.T) {
	t.Parallel()
	for name, app := range fixtures(t) {
		golden.Check(t, name+".env.ts", TypeScript(app))
		golden.Check(t, name+".config.py", Python(app))
		golden.Check(t, name+".config.go", Go(app))
		golden.Check(t, name+".README.md", Readme(app))
	}
}

func TestVarsCarryThePolicyMinimums(t *testing.T) {
	t.Parallel()
	vars := map[string]Var{}
	for _, v := range fixtures(t)["eso-web"].Vars {
		vars[v.Name] = v
	}
	if v := vars["JWT_SECRET"]; v.Rule.MinLength != 32 || !v.Secret {
		t.Errorf("signing key %+v", v)
	}
	if v := vars["DATABASE_APP_USERNAME"]; v.Rule.MinLength != 1 || !v.Secret {
		t.Errorf("username %+v", v)
	}
	if v := vars["DATABASE_APP_PASSWORD"]; v.Rule.MinLength != 12 {
		t.Errorf("declared minimum %+v", v)
	}
	if v := vars["API_BILLING_URL"]; v.Rule.Type != policy.TypeURL {
		t.Errorf("url %+v", v)
	}
	if v := vars["PORT"]; v.Secret || v.Default != "3000" || v.Rule.Max != 65535 {
		t.Errorf("PORT %+v", v)
	}
}

// The rollout annotation changes exactly when a version changes.
func TestRevision(t *testing.T) {
	t.Parallel()
	a := Revision(map[string]int{"database/app": 1, "jwt/signing-key": 3})
	if a != Revision(map[string]int{"jwt/signing-key": 3, "database/app": 1}) {
		t.Error("the revision depends on map order")
	}
	for _, other := range []map[string]int{{"database/app": 2, "jwt/signing-key": 3}, {"database/app": 1}, {"database/app": 1, "jwt/signing-key": 3, "x/y": 1}} {
		if Revision(other) == a {
			t.Errorf("%v has the same revision", other)
		}
	}
	if len(a) != 16 || strings.Trim(a, "0123456789abcdef") != "" {
		t.Errorf("revision %q", a)
	}
}

// A plain default that breaks its rule, a rule for no variable and an inconsistent rule are
// refused on the attribute at fault; a declaration never lowers a secret's policy minimum.
func TestVarsOfRules(t *testing.T) {
	t.Parallel()
	a := eso.App{Environment: "dev", Service: "web", Access: "eso", Namespace: "web",
		Fields: map[string][]string{"jwt/signing-key": {"private_key"}}, Plain: []eso.PlainEnv{{Name: "PORT", Default: "not-a-port", Reason: "r"}}}
	m, err := eso.Render(a)
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		rules      map[string]policy.Rule
		attr, want string
	}{
		"default breaks rule": {map[string]policy.Rule{"PORT": {Type: policy.TypePort}}, "plain_env", "must be an integer from 1 to 65535"},
		"unknown variable":    {map[string]policy.Rule{"NOPE": {}}, "rules", "no environment variable"},
		"min on a bool":       {map[string]policy.Rule{"PORT": {Type: policy.TypeBool, Min: 1}}, "rules", "apply to type int only"},
		"enum without values": {map[string]policy.Rule{"PORT": {Type: policy.TypeEnum}}, "rules", "values are required"},
	} {
		_, err := VarsOf(a, m, tc.rules)
		var in *eso.InputError
		if !errors.As(err, &in) || in.Attr != tc.attr || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v", name, err)
		}
	}
	vars, err := VarsOf(a, m, map[string]policy.Rule{"JWT_SIGNING_KEY_PRIVATE_KEY": {MinLength: 8}})
	if err != nil || vars[0].Rule.MinLength != 32 {
		t.Errorf("a declaration lowered the signing key's minimum: %+v %v", vars, err)
	}
}
