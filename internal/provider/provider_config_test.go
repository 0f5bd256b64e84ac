package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// The provider block and the environment resolve as Vault's own tools and
// terraform-provider-vault resolve them.
func TestResolveConfig(t *testing.T) {
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "sink")
	if err := os.WriteFile(tokenFile, []byte("s.from-agent\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Token files with unsafe modes, and a symlink to the safe one.
	unsafe := map[string]os.FileMode{"world": 0o644, "group-writable": 0o660, "group": 0o640}
	for n, mode := range unsafe {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("s.from-agent\n"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(dir, n), mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	if err := os.Symlink(tokenFile, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	fileModel := func(name string) MosaicProviderModel {
		return MosaicProviderModel{AuthLoginTokenFile: &TokenFileModel{Filename: types.StringValue(filepath.Join(dir, name))}}
	}
	wantToken := func(want string) func(t *testing.T, c configView) {
		return func(t *testing.T, c configView) {
			if c.token != want {
				t.Errorf("token %q, want %q", c.token, want)
			}
		}
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
		"token argument beats TERRAFORM_VAULT_TOKEN_FILENAME": {env: map[string]string{"TERRAFORM_VAULT_TOKEN_FILENAME": tokenFile},
			model: MosaicProviderModel{Token: types.StringValue("s.explicit")}, check: wantToken("s.explicit")},
		"token argument beats VAULT_TOKEN": {env: map[string]string{"VAULT_TOKEN": "s.env"},
			model: MosaicProviderModel{Token: types.StringValue("s.explicit")}, check: wantToken("s.explicit")},
		"TERRAFORM_VAULT_TOKEN_FILENAME without token": {env: map[string]string{"TERRAFORM_VAULT_TOKEN_FILENAME": tokenFile, "VAULT_TOKEN": "s.env"},
			check: wantToken("s.from-agent")},
		"login block beats TERRAFORM_VAULT_TOKEN_FILENAME": {env: map[string]string{"TERRAFORM_VAULT_TOKEN_FILENAME": tokenFile},
			model: MosaicProviderModel{AuthLoginAppRole: &AuthAppRoleModel{RoleID: types.StringValue("r"), SecretID: types.StringValue("s")}},
			check: func(t *testing.T, c configView) {
				if c.login != "AppRole at auth/approle" || c.token != "" {
					t.Errorf("login %q token %q", c.login, c.token)
				}
			}},
		"world-readable token file":   {model: fileModel("world"), err: "Token file open to others"},
		"group-writable token file":   {model: fileModel("group-writable"), err: "Token file open to others"},
		"symlinked token file":        {model: fileModel("link"), err: "Token file is a symlink"},
		"world-readable from the env": {env: map[string]string{"TERRAFORM_VAULT_TOKEN_FILENAME": filepath.Join(dir, "world")}, err: "mode 0644"},
		"group-readable token file, with a warning": {model: fileModel("group"), check: func(t *testing.T, c configView) {
			if c.token != "s.from-agent" || !containsDiag(c.diags, "readable by its group") {
				t.Errorf("token %q, diagnostics %v", c.token, c.diags)
			}
		}},
		"VAULT_AGENT_ADDR beside address": {env: map[string]string{"VAULT_AGENT_ADDR": "http://127.0.0.1:8100"},
			model: MosaicProviderModel{Address: types.StringValue("https://vault.example:8200")}, err: "redirected by VAULT_AGENT_ADDR"},
		"VAULT_AGENT_ADDR beside VAULT_ADDR": {env: map[string]string{"VAULT_AGENT_ADDR": "http://127.0.0.1:8100", "VAULT_ADDR": "https://vault.example:8200"},
			err: "redirected by VAULT_AGENT_ADDR"},
		"VAULT_PROXY_ADDR beside address": {env: map[string]string{"VAULT_PROXY_ADDR": "http://proxy:3128"},
			model: MosaicProviderModel{Address: types.StringValue("https://vault.example:8200")}, err: "redirected by VAULT_PROXY_ADDR"},
		"VAULT_AGENT_ADDR alone is the address": {env: map[string]string{"VAULT_AGENT_ADDR": "http://127.0.0.1:8100"}, check: func(t *testing.T, c configView) {
			if c.address != "http://127.0.0.1:8100" {
				t.Errorf("address %q", c.address)
			}
		}},
		"address beats VAULT_ADDR": {env: map[string]string{"VAULT_ADDR": "https://env:8200"}, model: MosaicProviderModel{Address: types.StringValue("https://arg:8200")},
			check: func(t *testing.T, c configView) {
				if c.address != "https://arg:8200" {
					t.Errorf("address %q", c.address)
				}
			}},
		"client_auth half given": {model: MosaicProviderModel{ClientAuth: &ClientAuthModel{CertFile: types.StringValue("c.pem")}}, err: "client_auth needs both"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, k := range []string{"VAULT_MAX_RETRIES", "TERRAFORM_VAULT_AUTH_JWT", "TERRAFORM_VAULT_TOKEN_FILENAME", "VAULT_TLS_SERVER_NAME", "VAULT_CLIENT_CERT", "VAULT_CLIENT_KEY", "VAULT_TOKEN", "VAULT_ADDR", "VAULT_AGENT_ADDR", "VAULT_PROXY_ADDR", "VAULT_HTTP_PROXY"} {
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
			v := configView{retries: cfg.MaxRetries, token: cfg.Token, serverName: cfg.TLSServerName, cert: cfg.ClientCert, key: cfg.ClientKey, address: cfg.Address, diags: diags}
			if cfg.Login != nil {
				v.login = cfg.Login.Describe()
			}
			tc.check(t, v)
		})
	}
}

type configView struct {
	retries                                      int
	token, login, serverName, cert, key, address string
	diags                                        diag.Diagnostics
}

func containsDiag(diags diag.Diagnostics, s string) bool {
	for _, d := range diags {
		if strings.Contains(d.Summary()+" "+d.Detail(), s) {
			return true
		}
	}
	return false
}

// The token goes to the configured address: with VAULT_AGENT_ADDR or VAULT_PROXY_ADDR set
// beside it, the provider refuses to run and sends nothing anywhere (a listener standing in for
// the agent or proxy sees no request); VAULT_AGENT_ADDR alone is used as the address.
func TestAccProvider_redirectingEnvironment(t *testing.T) {
	v := acctest.Vault(t)
	var mu sync.Mutex
	var seen []string
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Method+" "+r.URL.String())
		mu.Unlock()
		http.Error(w, "not vault", http.StatusBadGateway)
	}))
	defer listener.Close()
	untouched := func() {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) > 0 {
			t.Fatalf("the agent/proxy listener received %v", seen)
		}
	}
	for _, env := range []string{"VAULT_AGENT_ADDR", "VAULT_PROXY_ADDR"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, listener.URL)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccAppConfig(providerBlock(v, v.Token), "redirected-"+strings.ToLower(env[6:11])),
					ExpectError: wsRegexp(`Vault address redirected by ` + env),
				}},
			})
			untouched()
		})
	}
	t.Run("VAULT_AGENT_ADDR alone", func(t *testing.T) {
		t.Setenv("VAULT_ADDR", "")
		t.Setenv("VAULT_AGENT_ADDR", v.Addr)
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: testAccAppConfig(`provider "mosaic" {}`, "agent-addr"),
				Check: func(_ *terraformState) error {
					if v.KVData(t, "secret-dev", "agent-addr/database/app") == nil {
						return fmt.Errorf("secret not written through VAULT_AGENT_ADDR")
					}
					return nil
				},
			}},
		})
	})
	untouched()
}
