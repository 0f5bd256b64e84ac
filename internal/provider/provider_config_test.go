package provider

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// The provider block and the environment resolve as Vault's own tools and
// terraform-provider-vault resolve them.
func TestResolveConfig(t *testing.T) {
	tokenFile := filepath.Join(t.TempDir(), "sink")
	if err := os.WriteFile(tokenFile, []byte("s.from-agent\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		env   map[string]string
		model MosaicProviderModel
		check func(t *testing.T, cfg configView)
		err   string
	}{
		"VAULT_MAX_RETRIES honoured": {env: map[string]string{"VAULT_MAX_RETRIES": "7"}, check: func(t *testing.T, c configView) {
			if c.retries != 7 {
				t.Errorf("max retries %d", c.retries)
			}
		}},
		"max_retries wins over VAULT_MAX_RETRIES": {env: map[string]string{"VAULT_MAX_RETRIES": "7"}, model: MosaicProviderModel{MaxRetries: types.Int64Value(1)},
			check: func(t *testing.T, c configView) {
				if c.retries != 1 {
					t.Errorf("max retries %d", c.retries)
				}
			}},
		"default retries": {check: func(t *testing.T, c configView) {
			if c.retries != 2 {
				t.Errorf("max retries %d", c.retries)
			}
		}},
		"bad VAULT_MAX_RETRIES": {env: map[string]string{"VAULT_MAX_RETRIES": "many"}, err: "VAULT_MAX_RETRIES"},
		"jwt from TERRAFORM_VAULT_AUTH_JWT": {env: map[string]string{"TERRAFORM_VAULT_AUTH_JWT": "eyJ.x.y"},
			model: MosaicProviderModel{AuthLoginJWT: &AuthJWTModel{Role: types.StringValue("ci-writer-prod")}},
			check: func(t *testing.T, c configView) {
				if c.login != "JWT role ci-writer-prod at auth/jwt" || c.token != "" {
					t.Errorf("login %q token %q", c.login, c.token)
				}
			}},
		"jwt without role": {model: MosaicProviderModel{AuthLoginJWT: &AuthJWTModel{JWT: types.StringValue("eyJ.x.y")}}, err: "auth_login_jwt needs role and jwt"},
		"token file": {model: MosaicProviderModel{AuthLoginTokenFile: &TokenFileModel{Filename: types.StringValue(tokenFile)}},
			check: func(t *testing.T, c configView) {
				if c.token != "s.from-agent" {
					t.Errorf("token %q", c.token)
				}
			}},
		"token file from the environment": {env: map[string]string{"TERRAFORM_VAULT_TOKEN_FILENAME": tokenFile}, check: func(t *testing.T, c configView) {
			if c.token != "s.from-agent" {
				t.Errorf("token %q", c.token)
			}
		}},
		"missing token file": {model: MosaicProviderModel{AuthLoginTokenFile: &TokenFileModel{Filename: types.StringValue(tokenFile + ".missing")}}, err: "cannot be read"},
		"tls server name and client cert from the environment": {env: map[string]string{"VAULT_TLS_SERVER_NAME": "vault.internal", "VAULT_CLIENT_CERT": "c.pem", "VAULT_CLIENT_KEY": "k.pem"},
			check: func(t *testing.T, c configView) {
				if c.serverName != "vault.internal" || c.cert != "c.pem" || c.key != "k.pem" {
					t.Errorf("%+v", c)
				}
			}},
		"client_auth half given": {model: MosaicProviderModel{ClientAuth: &ClientAuthModel{CertFile: types.StringValue("c.pem")}}, err: "client_auth needs both"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"VAULT_MAX_RETRIES", "TERRAFORM_VAULT_AUTH_JWT", "TERRAFORM_VAULT_TOKEN_FILENAME", "VAULT_TLS_SERVER_NAME", "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_TOKEN"} {
				t.Setenv(k, tc.env[k])
			}
			t.Setenv("HOME", t.TempDir()) // no ~/.vault-token
			var diags diag.Diagnostics
			cfg := resolveConfig(&tc.model, &diags)
			if tc.err != "" {
				if !diags.HasError() || !containsDiag(diags, tc.err) {
					t.Fatalf("diagnostics %v, want one with %q", diags, tc.err)
				}
				return
			}
			if diags.HasError() {
				t.Fatal(diags)
			}
			v := configView{retries: cfg.MaxRetries, token: cfg.Token, serverName: cfg.TLSServerName, cert: cfg.ClientCert, key: cfg.ClientKey}
			if cfg.Login != nil {
				v.login = cfg.Login.Describe()
			}
			tc.check(t, v)
		})
	}
}

type configView struct {
	retries                             int
	token, login, serverName, cert, key string
}

func containsDiag(diags diag.Diagnostics, s string) bool {
	for _, d := range diags {
		if strings.Contains(d.Summary()+" "+d.Detail(), s) {
			return true
		}
	}
	return false
}
