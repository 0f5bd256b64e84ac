package provider

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// testAccProtoV6ProviderFactories serves the provider in process for terraform-plugin-testing.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mosaic": NewServerWithError("test"),
}

// ciRoleID and ciSecretID are an AppRole with a policy that can manage everything, for the
// auth_login_approle tests.
var ciRoleID, ciSecretID string

func TestMain(m *testing.M) {
	acctest.Main(m, func(s *acctest.Server) error {
		ctx := context.Background()
		if err := s.SetupPlatform(ctx); err != nil {
			return err
		}
		if err := s.Client.Sys().PutPolicy("test-admin", `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`); err != nil {
			return err
		}
		if _, err := s.Client.Logical().Write("auth/approle/role/test-ci", map[string]any{"token_policies": "test-admin"}); err != nil {
			return err
		}
		r, err := s.Client.Logical().Read("auth/approle/role/test-ci/role-id")
		if err != nil {
			return err
		}
		ciRoleID = r.Data["role_id"].(string)
		w, err := s.Client.Logical().Write("auth/approle/role/test-ci/secret-id", nil)
		if err != nil {
			return err
		}
		ciSecretID = w.Data["secret_id"].(string)
		return nil
	})
}

type terraformState = terraform.State

// wsRegexp compiles an expected-error pattern in which each space also matches the line
// breaks Terraform inserts when it wraps a diagnostic.
func wsRegexp(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?s)" + strings.ReplaceAll(pattern, " ", `\s+`))
}

// terraform111 is the version gate for write-only attributes.
var terraform111 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

func testAccAppConfig(provider, service string) string {
	return provider + `
resource "mosaic_app_secrets" "t" {
  environment = "dev"
  service     = "` + service + `"
  secrets     = { "database/app" = { username = "app" } }
}
`
}

func TestAccProvider_envFallbacks(t *testing.T) {
	v := acctest.Vault(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// VAULT_ADDR and VAULT_TOKEN come from TestMain.
			Config: testAccAppConfig(`provider "mosaic" {}`, "env-fallback"),
			Check: func(_ *terraformState) error {
				if v.KVData(t, "secret-dev", "env-fallback/database/app") == nil {
					t.Error("secret not written with VAULT_ADDR/VAULT_TOKEN")
				}
				return nil
			},
		}},
	})
}

func TestAccProvider_vaultTokenFile(t *testing.T) {
	v := acctest.Vault(t)
	home := t.TempDir()
	if err := os.WriteFile(filepath.Join(home, ".vault-token"), []byte(v.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HOME", home)
	t.Setenv("VAULT_TOKEN", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccAppConfig(`provider "mosaic" {}`, "token-file"),
			Check: func(_ *terraformState) error {
				if v.KVData(t, "secret-dev", "token-file/database/app") == nil {
					t.Error("secret not written with ~/.vault-token")
				}
				return nil
			},
		}},
	})
}

func TestAccProvider_errors(t *testing.T) {
	v := acctest.Vault(t)
	tests := map[string]struct {
		provider string
		env      map[string]string
		want     string
	}{
		"unreachable": {provider: `provider "mosaic" { address = "http://127.0.0.1:1" }`, want: `(?s)unreachable.*VAULT_ADDR`},
		"bad token":   {provider: `provider "mosaic" { token = "hvs.not-a-real-token" }`, want: `(?s)rejected the token`},
		"no address":  {provider: `provider "mosaic" {}`, env: map[string]string{"VAULT_ADDR": ""}, want: `(?s)no Vault address.*VAULT_ADDR`},
		"no token": {provider: `provider "mosaic" {}`, env: map[string]string{"VAULT_TOKEN": "", "HOME": os.TempDir() + "/mosaic-no-home"},
			want: `(?s)no Vault token.*VAULT_TOKEN`},
		"approle login fails": {provider: `provider "mosaic" {
  auth_login_approle {
    role_id   = "` + "00000000-0000-0000-0000-000000000000" + `"
    secret_id = "wrong"
  }
}`, want: `(?s)AppRole at auth/approle: login failed: Vault refused the credentials.*role_id\s+and\s+secret_id`},
		"bad skip verify": {provider: `provider "mosaic" {}`, env: map[string]string{"VAULT_SKIP_VERIFY": "maybe"}, want: `VAULT_SKIP_VERIFY must be true or false`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			for k, val := range tc.env {
				t.Setenv(k, val)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      testAccAppConfig(tc.provider, "provider-errors"),
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
			if v.KVMetadata(t, "secret-dev", "provider-errors/database/app") != nil {
				t.Fatal("a failed provider configuration wrote to Vault")
			}
		})
	}
}

func TestAccProvider_approleLogin(t *testing.T) {
	v := acctest.Vault(t)
	t.Setenv("VAULT_TOKEN", "")
	cfg := `provider "mosaic" {
  auth_login_approle {
    role_id   = "` + ciRoleID + `"
    secret_id = "` + ciSecretID + `"
  }
}`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccAppConfig(cfg, "approle-login"),
			Check: func(_ *terraformState) error {
				if v.KVData(t, "secret-dev", "approle-login/database/app") == nil {
					t.Error("secret not written after AppRole login")
				}
				return nil
			},
		}},
	})
}

func TestAccProvider_allowedEnvironments(t *testing.T) {
	v := acctest.Vault(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `provider "mosaic" { allowed_environments = ["dev"] }
resource "mosaic_app_secrets" "t" {
  environment = "prod"
  service     = "locked"
  secrets     = { "database/app" = { username = "app" } }
}`,
				ExpectError: regexp.MustCompile(`(?s)Environment locked.*may only touch dev`),
			},
			{
				Config:      `provider "mosaic" { allowed_environments = ["qa"] }` + "\n" + testAccAppConfig("", "locked"),
				ExpectError: regexp.MustCompile(`(?s)allowed_environments.*"qa" is not one of dev, staging, prod`),
			},
			{
				Config: `provider "mosaic" { allowed_environments = ["dev", "staging"] }` + "\n" + testAccAppConfig("", "locked"),
				Check: func(_ *terraformState) error {
					if v.KVData(t, "secret-dev", "locked/database/app") == nil {
						t.Error("allowed dev write did not land")
					}
					return nil
				},
			},
		},
	})
	if v.KVMetadata(t, "secret-prod", "locked/database/app") != nil {
		t.Fatal("the environment lock let a prod write through")
	}
}
