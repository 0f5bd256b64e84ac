package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// Externally written secrets: Terraform owns the path's place in the policy, the fields and the
// AppRole; people own the values.
func TestAccOutside_external(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "ext-app"
	cfg := func(severity string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment                = "staging"
  service                    = %q
  secrets                    = { "api/token" = { token = "tf-token" } }
  external_secrets           = { "database/app" = ["username", "password", "host"] }
  external_missing           = %q
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  delete_all_versions        = true
}
`, svc, severity)
	}
	rel := svc + "/database/app"
	offset := v.AuditOffset(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Missing, as an error: the diagnostic names the command to run; nothing is written.
				Config:      cfg("error"),
				ExpectError: wsRegexp(`External secret missing.*secret-staging/ext-app/database/app does not exist.*vault kv put -mount=secret-staging ext-app/database/app username=<username> password=<password> host=<host>.*Nothing was written`),
			},
			{
				PreConfig: func() {
					if w := v.WritesSince(t, offset); len(w) > 0 {
						t.Fatalf("a plan refused for a missing external secret wrote %v", w)
					}
					v.Write(t, "secret-staging/data/"+rel, map[string]any{"data": map[string]any{"username": "app", "password": "hand-pw", "host": "db"}})
				},
				Config: cfg("error"),
				Check: vaultCheck(func() error {
					if m := v.KVMetadata(t, "secret-staging", rel); fmt.Sprint(m["current_version"]) != "1" {
						return fmt.Errorf("the provider wrote the external secret: %v", m["current_version"])
					}
					// The app logs in with its bootstrap entry and reads the hand-written value.
					roleID, secretID := bootstrapLogin(t, v, "staging", svc)
					app, err := v.Login("approle", roleID, secretID)
					if err != nil {
						return err
					}
					s, err := app.Logical().Read("secret-staging/data/" + rel)
					if err != nil || s == nil || s.Data["data"].(map[string]any)["password"] != "hand-pw" {
						return fmt.Errorf("the app cannot read the hand-written value: %v %w", s, err)
					}
					return nil
				}),
			},
			{
				// A hand update of the value is not drift: the plan is empty.
				PreConfig: func() {
					v.Write(t, "secret-staging/data/"+rel, map[string]any{"data": map[string]any{"username": "app", "password": "rotated-by-hand", "host": "db"}})
				},
				Config:           cfg("error"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// A missing field, as a warning: the apply goes on.
				PreConfig: func() {
					v.Write(t, "secret-staging/data/"+rel, map[string]any{"data": map[string]any{"username": "app", "password": "rotated-by-hand"}})
				},
				Config:           cfg("warning"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction("mosaic_app_secrets.x", plancheck.ResourceActionUpdate)}},
			},
		},
		CheckDestroy: vaultCheck(func() error {
			if d := v.KVData(t, "secret-staging", rel); d["password"] != "rotated-by-hand" {
				return fmt.Errorf("destroy touched the hand-written secret: %v", d)
			}
			if v.KVData(t, "secret-staging", svc+"/api/token") != nil || v.Policy(t, svc+"-staging") != "" {
				return fmt.Errorf("destroy left what Terraform wrote")
			}
			return nil
		}),
	})
}

// Migration of deprecated paths, from a KV v2 (`secret/`) and a KV v1 mount: values copied
// through the provider's memory, legacy left in place, a second apply writes nothing;
// migrate_delete_source set afterwards soft-deletes the sources of the copies made (a KV v1
// one refused at plan); another service's source refused; a denied read explained.
func TestAccOutside_migrate(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "mig-app"
	if err := v.Client.Sys().Mount("legacy-v1", &api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}); err != nil {
		t.Fatal(err)
	}
	v.Write(t, "secret/data/database/"+svc, map[string]any{"data": map[string]any{"username": "mig", "password": "v2-legacy-pw"}})
	v.Write(t, "secret/data/oauth/"+svc, map[string]any{"data": map[string]any{"client_id": "cid", "client_secret": "v2-oauth"}})
	v.Write(t, "legacy-v1/k3s/"+svc, map[string]any{"token": "v1-legacy-token"})
	cfg := func(extra string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment = "staging"
  service     = %q
  migrate_from = {
    "database/app" = "secret/database/%[1]s"
    "app/config"   = "legacy-v1/k3s/%[1]s"
    %[2]s
  }
  delete_all_versions = true
}
`, svc, extra)
	}
	withDelete := func(c string) string {
		return strings.Replace(c, "delete_all_versions = true", "delete_all_versions = true\n  migrate_delete_source = true", 1)
	}
	var offset int64
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg(""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue("mosaic_app_secrets.x", tfjsonpathField("database/app"), knownList("password", "username")),
				}},
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "v2-legacy-pw" || d["username"] != "mig" {
						return fmt.Errorf("KV v2 copy: %v", d)
					}
					if d := v.KVData(t, "secret-staging", svc+"/app/config"); d["token"] != "v1-legacy-token" {
						return fmt.Errorf("KV v1 copy: %v", d)
					}
					if v.KVData(t, "secret", "database/"+svc)["password"] != "v2-legacy-pw" {
						return fmt.Errorf("the legacy KV v2 secret was touched")
					}
					offset = v.AuditOffset(t)
					return nil
				}),
			},
			{
				// The second apply copies nothing.
				Config: cfg(""),
				Check: vaultCheck(func() error {
					for _, w := range v.WritesSince(t, offset) {
						if strings.Contains(w, svc) {
							return fmt.Errorf("the second apply wrote %s", w)
						}
					}
					return nil
				}),
			},
			{
				// migrate_delete_source with a KV v1 source among the copies made: refused at plan.
				Config:      withDelete(cfg("")),
				ExpectError: wsRegexp(`pre-apply plan.*Cannot soft-delete a KV v1 source.*legacy-v1/k3s/mig-app.*KV version 1 mount`),
			},
			{
				// Without the KV v1 key: the source of the copy made two applies ago is soft-deleted
				// now (the plan shows it), and a new key's source right after its copy.
				PreConfig: func() {
					if v.KVData(t, "secret", "database/"+svc) == nil {
						t.Fatal("the refused plan deleted a source")
					}
				},
				Config: withDelete(strings.Replace(cfg(`"oauth/google" = "secret/oauth/`+svc+`"`), `"app/config"   = "legacy-v1/k3s/`+svc+`"`, "", 1)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("mosaic_app_secrets.x", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("mosaic_app_secrets.x", tfjsonpath.New("migration_status"), knownvalue.MapExact(map[string]knownvalue.Check{
						"database/app": knownvalue.StringExact("source-deleted"), "oauth/google": knownvalue.StringExact("source-deleted"),
					})),
				}},
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/oauth/google"); d["client_secret"] != "v2-oauth" {
						return fmt.Errorf("oauth copy: %v", d)
					}
					for _, rel := range []string{"oauth/" + svc, "database/" + svc} {
						if v.KVData(t, "secret", rel) != nil || v.KVMetadata(t, "secret", rel) == nil {
							return fmt.Errorf("the legacy source secret/%s was not soft-deleted (recoverable)", rel)
						}
					}
					if v.KVData(t, "secret-staging", svc+"/database/app")["password"] != "v2-legacy-pw" {
						return fmt.Errorf("the copy went with its source")
					}
					if s, err := v.Client.Logical().Read("legacy-v1/k3s/" + svc); err != nil || s == nil {
						return fmt.Errorf("the KV v1 source was deleted: %w", err)
					}
					return nil
				}),
			},
			{
				// Another service's legacy secret: refused at plan, nothing read.
				Config:      cfg(`"jwt/key" = "secret/database/billing"`),
				ExpectError: wsRegexp(`pre-apply plan.*migrate_from "secret/database/billing" does not name service "mig-app"`),
			},
			{
				// A source the token cannot read: a clear error naming the capability and what a
				// migration needs, nothing written.
				Config: providerBlock(v, tokenWith(t, v, "staging-only").Token()) +
					strings.Replace(cfg(`"jwt/key" = "secret/jwt/`+svc+`"`), `"app/config"   = "legacy-v1/k3s/`+svc+`"`, "", 1),
				PreConfig: func() {
					v.Write(t, "sys/policies/acl/staging-only", map[string]any{"policy": `path "secret-staging/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "sys/mounts/*" { capabilities = ["read"] }
path "sys/policies/acl/*" { capabilities = ["read", "update", "create", "delete"] }`})
					v.Write(t, "secret/data/jwt/"+svc, map[string]any{"data": map[string]any{"private_key": "k"}})
				},
				ExpectError: wsRegexp(`Cannot read the legacy secret.*Vault denied read on secret/data/jwt/mig-app.*"read" capability.*CI writer cannot read legacy paths.*Nothing was written`),
			},
		},
		CheckDestroy: vaultCheck(func() error {
			if v.KVData(t, "secret-staging", svc+"/database/app")["password"] != "v2-legacy-pw" {
				return fmt.Errorf("destroy deleted a migrated value (not Terraform's)")
			}
			if v.KVData(t, "secret-staging", svc+"/jwt/key") != nil || v.KVData(t, "secret", "database/billing") != nil {
				return fmt.Errorf("a refused migration wrote its target")
			}
			return nil
		}),
	})
}

func tfjsonpathField(key string) tfjsonpath.Path { return tfjsonpath.New("field_names").AtMapKey(key) }

func knownList(items ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, len(items))
	for i, s := range items {
		checks[i] = knownvalue.StringExact(s)
	}
	return knownvalue.ListExact(checks)
}

// A migration source known only at apply: no conversion error at plan; apply checks it (and
// refuses another service's source), and a shared source passes when the provider allows it.
func TestAccOutside_migrateUnknownAndAllowedSources(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "mig-late"
	v.Write(t, "secret/data/k3s/"+svc, map[string]any{"data": map[string]any{"token": "late-token"}})
	v.Write(t, "secret/data/oauth/shared-"+svc, map[string]any{"data": map[string]any{"client_id": "shared"}})
	v.Write(t, "secret/data/database/billing-late", map[string]any{"data": map[string]any{"password": "billing"}})
	cfg := func(provider, src, extra string) string {
		return provider + fmt.Sprintf(`
resource "terraform_data" "src" {
  input = %q
}

resource "mosaic_app_secrets" "x" {
  environment  = "dev"
  service      = %q
  migrate_from = { "app/config" = terraform_data.src.output %s }
}
`, src, svc, extra)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Unknown at plan, another service's at apply: refused, nothing copied.
				Config:      cfg("", "secret/database/billing-late", ""),
				ExpectError: wsRegexp(`Breaks the secrets policy.*does not name service "mig-late"`),
			},
			{
				PreConfig: func() {
					if v.KVData(t, "secret-dev", svc+"/app/config") != nil {
						t.Fatal("a refused migration wrote its target")
					}
				},
				Config: cfg("", "secret/k3s/"+svc, ""),
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-dev", svc+"/app/config"); d["token"] != "late-token" {
						return fmt.Errorf("copy of a source known at apply: %v", d)
					}
					return nil
				}),
			},
			{
				// A shared source that names no service, allowed by the platform team.
				Config: cfg(`provider "mosaic" {
  allowed_migration_sources = ["secret/oauth/shared-mig-late"]
}
`, "secret/k3s/"+svc, `, "oauth/google" = "secret/oauth/shared-mig-late"`),
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-dev", svc+"/oauth/google"); d["client_id"] != "shared" {
						return fmt.Errorf("allowed shared source not copied: %v", d)
					}
					return nil
				}),
			},
		},
	})
}

// Destroy is never blocked by a check of values outside Terraform: with external_missing =
// "error", the external secret deleted by hand shows as a warning in a plan that changes
// nothing, and the destroy goes through.
func TestAccOutside_destroyWithExternalMissing(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "ext-gone"
	rel := svc + "/database/app"
	v.Write(t, "secret-dev/data/"+rel, map[string]any{"data": map[string]any{"password": "hand"}})
	cfg := fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment      = "dev"
  service          = %q
  secrets          = { "api/token" = { token = "tf-token" } }
  external_secrets = { "database/app" = ["password"] }
  external_missing = "error"
}
`, svc)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg},
			{
				PreConfig: func() { v.Delete(t, "secret-dev/metadata/"+rel) },
				Config:    cfg,
				PlanOnly:  true, // and the plan must be empty
			},
		},
		CheckDestroy: vaultCheck(func() error {
			if v.Policy(t, svc+"-dev") != "" || v.KVData(t, "secret-dev", svc+"/api/token") != nil {
				return fmt.Errorf("destroy left the app's policy or secret")
			}
			return nil
		}),
	})
}
