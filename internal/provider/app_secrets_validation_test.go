package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// Bad input is rejected at plan, on the attribute at fault, and nothing reaches Vault.
func TestAccAppSecrets_badInputs(t *testing.T) {
	v := acctest.Vault(t)
	tests := map[string]struct{ body, want string }{
		"environment":        {`environment = "production"` + "\n" + `service = "x"`, `(?s)environment.*"production" is not one of dev, staging, prod`},
		"service case":       {`environment = "dev"` + "\n" + `service = "Backend_API"`, `(?s)service.*"backend-api"`},
		"service bootstrap":  {`environment = "dev"` + "\n" + `service = "x-bootstrap"`, `reserved for the bootstrap`},
		"service credential": {`environment = "dev"` + "\n" + `service = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"`, `looks like a credential`},
		"key one segment":    {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "database" = { password = "p" } }`, `secret key "database" must be "component/secret-name"`},
		"key with service":   {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "x/database/app" = { password = "p" } }`, `"database/app"`},
		"key credential": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "api/sk_live_4eC39HqLyjWDarjtT1zdp7dc" = { token = "t" } }`,
			`looks like a credential`},
		"field case":   {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "database/app" = { Password = "p" } }`, `(?s)not lowercase\s+snake_case`},
		"empty secret": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "database/app" = {} }`, `has no fields`},
		"both secrets": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets = { "a/b" = { x = "1" } }` + "\n" + `secrets_wo = { "a/b" = { x = "1" } }` + "\n" + `secrets_wo_version = 1`,
			`"secrets_wo" cannot be specified when "secrets"`},
		"wo without version": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secrets_wo = { "a/b" = { x = "1" } }`, `(?s)secrets_wo_version.*must be specified`},
		"bad access":         {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `access = "vault"`, `(?s)access "vault" is not one of.*"direct-vault"`},
		"direct no reason":   {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `access = "direct-vault"`, `requires direct_vault_justification`},
		"direct todo":        {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `access = "direct-vault"` + "\n" + `direct_vault_justification = "TODO"`, `not a real justification`},
		"reason with eso":    {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `direct_vault_justification = "short lived leases from the DB engine"`, `only for access = "direct-vault"`},
		"approle with eso":   {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `approle = { token_ttl = "1h" }`, `approle needs direct-vault`},
		"rotation with eso":  {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `secret_id_rotation = "1"`, `secret_id_rotation needs direct-vault`},
		"ttl above max": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `access = "direct-vault"` + "\n" + `direct_vault_justification = "DB engine leases with a 15 minute TTL"` + "\n" + `approle = { token_ttl = "5h" }`,
			`token_ttl "5h" is longer than token_max_ttl`},
		"bad duration": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `access = "direct-vault"` + "\n" + `direct_vault_justification = "DB engine leases with a 15 minute TTL"` + "\n" + `approle = { token_ttl = "one hour" }`,
			`not a duration`},
		"cross env path": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `extra_read_paths = ["secret-prod/x/database/app"]`, `in the prod mount, but this app is in dev`},
		"other service":  {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `extra_read_paths = ["database/creds/billing-role"]`, `not scoped to service`},
		"deprecated extra": {`environment = "prod"` + "\n" + `service = "web"` + "\n" + `extra_read_paths = ["secret/oauth/google"]`,
			`(?s)deprecated.*secret-prod/web/oauth/google`},
		"system extra": {`environment = "dev"` + "\n" + `service = "x"` + "\n" + `extra_read_paths = ["sys/policies/acl/x"]`, `Vault system path`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				TerraformVersionChecks:   terraform111,
				Steps: []resource.TestStep{{
					Config:      "resource \"mosaic_app_secrets\" \"bad\" {\n" + tc.body + "\n}\n",
					PlanOnly:    true,
					ExpectError: wsRegexp(tc.want),
				}},
			})
		})
	}
	if keys, err := v.Client.Logical().List("secret-dev/metadata/x"); err != nil || keys != nil {
		t.Fatalf("a rejected configuration wrote to Vault: %v %v", keys, err)
	}
	if v.Policy(t, "x-dev") != "" {
		t.Fatal("a rejected configuration wrote a policy")
	}
}

func TestAccAppSecrets_fieldNameWarning(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A non-standard field name is a warning, not an error: the apply goes through.
			Config: `resource "mosaic_app_secrets" "w" {
  environment = "dev"
  service     = "warned"
  secrets     = { "database/app" = { user = "app", pass = "p" } }
}`,
		}},
	})
}
