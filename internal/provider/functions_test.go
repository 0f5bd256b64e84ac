package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The functions run in the real Terraform CLI; they need no Vault.
var terraform18 = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)}

func TestAccFunctions(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform18,
		Steps: []resource.TestStep{{
			Config: `
output "built"    { value = provider::mosaic::secret_path("prod", "backend-api", "database", "app") }
output "checked"  { value = provider::mosaic::check_path("secret-staging/redis/auth/default") }
output "migrated" { value = provider::mosaic::migrate_path("secret/oauth/google", "prod", "backend-api") }
output "k3s"      { value = provider::mosaic::migrate_path("secret/k3s/myapp-bootstrap", "dev", "myapp") }
`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("built", knownvalue.StringExact("secret-prod/backend-api/database/app")),
				statecheck.ExpectKnownOutputValue("checked", knownvalue.StringExact("secret-staging/redis/auth/default")),
				statecheck.ExpectKnownOutputValue("migrated", knownvalue.StringExact("secret-prod/backend-api/oauth/google")),
				statecheck.ExpectKnownOutputValue("k3s", knownvalue.StringExact("secret-dev/myapp-bootstrap/approle/credentials")),
			},
		}},
	})
}

func TestAccFunctions_errors(t *testing.T) {
	tests := map[string]struct{ expr, want string }{
		"bad environment":  {`provider::mosaic::secret_path("production", "x", "database", "app")`, `(?s)environment "production" is not one of dev, staging, prod.*"prod"`},
		"bad service":      {`provider::mosaic::secret_path("prod", "Backend_API", "database", "app")`, `(?s)not lowercase kebab-case.*"backend-api"`},
		"credential name":  {`provider::mosaic::secret_path("prod", "api", "keys", "AKIAIOSFODNN7EXAMPLE")`, `looks like a credential`},
		"deprecated check": {`provider::mosaic::check_path("secret/database/app")`, `deprecated layout`},
		"short path":       {`provider::mosaic::check_path("secret-prod/backend-api")`, `canonical paths have four`},
		"cross env mount":  {`provider::mosaic::check_path("secret-production/a/b/c")`, `environment mount`},
		"not deprecated":   {`provider::mosaic::migrate_path("secret-prod/a/b/c", "prod", "a")`, `not in a deprecated layout`},
		"migrate bad env":  {`provider::mosaic::migrate_path("secret/oauth/google", "qa", "a")`, `is not one of dev, staging, prod`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   terraform18,
				Steps: []resource.TestStep{{
					Config:      `output "x" { value = ` + tc.expr + ` }`,
					ExpectError: wsRegexp(tc.want),
				}},
			})
		})
	}
}

// auth_login_jwt without role is refused at validate, on the attribute, before any login; and
// with no login block at all the provider needs no role (the run gets as far as calling Vault).
func TestAccProvider_jwtRoleRequired(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform18,
		Steps: []resource.TestStep{{
			Config: `
provider "mosaic" {
  auth_login_jwt {
    jwt = "eyJ.x.y"
  }
}
data "mosaic_external_secret" "web" {
  environment          = "prod"
  service              = "web"
  kubernetes_namespace = "web"
  field_names          = { "database/app" = ["password"] }
}
`,
			ExpectError: wsRegexp(`Attribute "auth_login_jwt.role" must be specified when "auth_login_jwt" is specified`),
		}, {
			Config: `
provider "mosaic" {
  address = "http://127.0.0.1:1"
  token   = "not-a-real-token" # with or without VAULT_TOKEN in the environment
}
data "mosaic_external_secret" "web" {
  environment          = "prod"
  service              = "web"
  kubernetes_namespace = "web"
  field_names          = { "database/app" = ["password"] }
}
`,
			// Validation passes: the run gets as far as calling Vault, which is not there.
			ExpectError: wsRegexp(`Vault at http://127.0.0.1:1 is unreachable`),
		}},
	})
}
