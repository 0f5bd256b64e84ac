package provider

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

const appAddr = "mosaic_app_secrets.app"

func testAccAppSecretsConfig_eso(service, password, extraKey string) string {
	extra := ""
	if extraKey != "" {
		extra = fmt.Sprintf(`    %q = { token = "tok-%s" }`, extraKey, service)
	}
	return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment = "staging"
  service     = %q
  secrets = {
    "database/app" = { username = "app", password = %q, host = "db", port = "5432" }
%s
  }
}
`, service, password, extra)
}

// vaultCheck wraps a check of Vault itself as a TestCheckFunc.
func vaultCheck(f func() error) resource.TestCheckFunc {
	return func(_ *terraformState) error { return f() }
}

func TestAccAppSecrets_eso(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "eso-app"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: vaultCheck(func() error {
			// Destroy is recoverable by default: the current versions are soft-deleted.
			for _, rel := range []string{svc + "/database/app", svc + "/api/token"} {
				if v.KVData(t, "secret-staging", rel) != nil {
					return fmt.Errorf("%s survived destroy", rel)
				}
				if v.KVMetadata(t, "secret-staging", rel) == nil {
					return fmt.Errorf("%s was purged by a default destroy; it should be recoverable", rel)
				}
			}
			if v.Policy(t, svc+"-staging") != "" {
				return fmt.Errorf("policy survived destroy")
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: testAccAppSecretsConfig_eso(svc, "pw-1", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionCreate),
					// The review surface is known at plan time.
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringExact("secret-staging/eso-app")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("field_names").AtMapKey("database/app"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("host"), knownvalue.StringExact("password"), knownvalue.StringExact("port"), knownvalue.StringExact("username")})),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("policy"), knownvalue.StringExact(policy.AppPolicy("staging", svc, nil))),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("policy_name"), knownvalue.StringExact("eso-app-staging")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("role_name"), knownvalue.Null()),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("id"), knownvalue.StringExact("secret-staging/eso-app")),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app"), knownvalue.Int64Exact(1)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("access"), knownvalue.StringExact("eso")),
				},
				Check: vaultCheck(func() error {
					d := v.KVData(t, "secret-staging", svc+"/database/app")
					if d["password"] != "pw-1" || d["username"] != "app" || d["port"] != "5432" {
						return fmt.Errorf("vault data = %v", d)
					}
					if got := v.Policy(t, svc+"-staging"); got != policy.AppPolicy("staging", svc, nil) {
						return fmt.Errorf("policy in Vault:\n%s", got)
					}
					if v.Role(t, "approle", svc+"-staging") != nil {
						return fmt.Errorf("an eso app got an AppRole")
					}
					return nil
				}),
			},
			{
				// Change one value and add a key: only those are written (CAS on the state's version).
				Config: testAccAppSecretsConfig_eso(svc, "pw-2", "api/token"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("field_names").AtMapKey("api/token"), knownvalue.ListSizeExact(1)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("api/token"), knownvalue.Int64Exact(1)),
				},
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "pw-2" {
						return fmt.Errorf("password not updated: %v", d)
					}
					if d := v.KVData(t, "secret-staging", svc+"/api/token"); d["token"] != "tok-"+svc {
						return fmt.Errorf("api/token = %v", d)
					}
					return nil
				}),
			},
			{
				// Remove a key: its current version is soft-deleted, and undelete would restore it.
				Config: testAccAppSecretsConfig_eso(svc, "pw-2", ""),
				Check: vaultCheck(func() error {
					if v.KVData(t, "secret-staging", svc+"/api/token") != nil {
						return fmt.Errorf("removed key still readable in Vault")
					}
					if v.KVMetadata(t, "secret-staging", svc+"/api/token") == nil {
						return fmt.Errorf("removed key was purged; it should be recoverable")
					}
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "pw-2" {
						return fmt.Errorf("unrelated secret touched: %v", d)
					}
					return nil
				}),
			},
			{
				ResourceName:                         appAddr,
				ImportState:                          true,
				ImportStateId:                        "secret-staging/" + svc,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              []string{"secrets"},
			},
		},
	})
}

func testAccAppSecretsConfig_direct(service, env, rotation string, woVersion int) string {
	rot := ""
	if rotation != "" {
		rot = fmt.Sprintf("secret_id_rotation = %q", rotation)
	}
	return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment = %[2]q
  service     = %[1]q
  secrets_wo = {
    "database/app"    = { username = "app", password = "wo-pw-%[1]s-%[4]d" }
    "jwt/signing-key" = { private_key = "wo-key-%[1]s-%[4]d" }
  }
  secrets_wo_version         = %[4]d
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  extra_read_paths           = ["database/creds/%[1]s-role"]
  approle = { token_ttl = "30m", token_max_ttl = "2h" }
  %[3]s
}

# A second app, to prove the first one's token cannot read it.
resource "mosaic_app_secrets" "other" {
  environment = %[2]q
  service     = "%[1]s-other"
  secrets     = { "database/app" = { password = "other-pw" } }
}
`, service, env, rot, woVersion)
}

func bootstrapLogin(t *testing.T, v *acctest.Server, env, svc string) (roleID, secretID string) {
	t.Helper()
	b := v.KVData(t, "secret-"+env, svc+"-bootstrap/approle/credentials")
	if b == nil {
		t.Fatalf("no bootstrap entry for %s", svc)
	}
	return b["role_id"].(string), b["secret_id"].(string)
}

func TestAccAppSecrets_directVault(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "direct-app"
	// The same service in another environment, to prove the token cannot cross environments.
	v.Write(t, "secret-dev/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "dev-pw"}})
	var firstSecretID string
	stateDir := t.TempDir()

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform111,
		WorkingDir:               stateDir,
		CheckDestroy: vaultCheck(func() error {
			if v.Role(t, "approle", svc+"-prod") != nil {
				return fmt.Errorf("role survived destroy")
			}
			if v.KVMetadata(t, "secret-prod", svc+"-bootstrap/approle/credentials") != nil {
				return fmt.Errorf("bootstrap entry survived destroy")
			}
			if v.KVData(t, "secret-prod", svc+"/jwt/signing-key") != nil || v.Policy(t, svc+"-prod") != "" {
				return fmt.Errorf("secret or policy survived destroy")
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: testAccAppSecretsConfig_direct(svc, "prod", "", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("role_name"), knownvalue.StringExact("direct-app-prod")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("bootstrap_path"), knownvalue.StringExact("secret-prod/direct-app-bootstrap/approle/credentials")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("approle").AtMapKey("token_ttl"), knownvalue.StringExact("30m")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("approle").AtMapKey("secret_id_ttl"), knownvalue.StringExact("0")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("field_names").AtMapKey("jwt/signing-key"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("private_key")})),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("secrets_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("secrets"), knownvalue.Null()),
				},
				Check: vaultCheck(func() error {
					role := v.Role(t, "approle", svc+"-prod")
					if role == nil {
						return fmt.Errorf("no role")
					}
					if fmt.Sprint(role["token_ttl"]) != "1800" || fmt.Sprint(role["token_max_ttl"]) != "7200" || fmt.Sprint(role["secret_id_ttl"]) != "0" {
						return fmt.Errorf("role settings %v", role)
					}
					if fmt.Sprint(role["token_policies"]) != "[direct-app-prod]" {
						return fmt.Errorf("role policies %v", role["token_policies"])
					}
					if d := v.KVData(t, "secret-prod", svc+"/database/app"); d["password"] != "wo-pw-direct-app-1" {
						return fmt.Errorf("data %v", d)
					}
					roleID, secretID := bootstrapLogin(t, v, "prod", svc)
					firstSecretID = secretID
					c, err := v.Login("approle", roleID, secretID)
					if err != nil {
						return fmt.Errorf("bootstrap credentials do not log in: %w", err)
					}
					if !acctest.CanRead(t, c, "secret-prod/data/"+svc+"/database/app") {
						return fmt.Errorf("app token cannot read its own secret")
					}
					for _, denied := range []string{
						"secret-prod/data/" + svc + "-other/database/app",            // another app
						"secret-dev/data/" + svc + "/database/app",                   // same service, other environment
						"secret-prod/data/" + svc + "-bootstrap/approle/credentials", // its own bootstrap entry
					} {
						if acctest.CanRead(t, c, denied) {
							return fmt.Errorf("app token can read %s", denied)
						}
					}
					return nil
				}),
			},
			{
				// Rotation: a new secret_id lands in the bootstrap entry; the old one stays valid for
				// the grace (app_secrets_rotation_test.go follows it to its end).
				Config: testAccAppSecretsConfig_direct(svc, "prod", "2026-12", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(appAddr, tfjsonpath.New("secret_id_accessor")),
					plancheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app"), knownvalue.Int64Exact(1)),
				}},
				Check: vaultCheck(func() error {
					roleID, secretID := bootstrapLogin(t, v, "prod", svc)
					if secretID == firstSecretID {
						return fmt.Errorf("secret_id not rotated")
					}
					if _, err := v.Login("approle", roleID, secretID); err != nil {
						return fmt.Errorf("new secret_id does not log in: %w", err)
					}
					if _, err := v.Login("approle", roleID, firstSecretID); err != nil {
						return fmt.Errorf("old secret_id refused during its grace: %w", err)
					}
					return nil
				}),
			},
			{
				// Bump secrets_wo_version: new values written with CAS; and the state holds no value.
				Config: testAccAppSecretsConfig_direct(svc, "prod", "2026-12", 2),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app"), knownvalue.Int64Exact(2)),
				},
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-prod", svc+"/database/app"); d["password"] != "wo-pw-direct-app-2" {
						return fmt.Errorf("data %v", d)
					}
					_, secretID := bootstrapLogin(t, v, "prod", svc)
					return scanStateFiles(stateDir, "wo-pw-direct-app", "wo-key-direct-app", secretID, firstSecretID, v.Token)
				}),
			},
			{
				ResourceName:                         appAddr,
				ImportState:                          true,
				ImportStateId:                        "secret-prod/" + svc,
				ImportStateVerify:                    true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore:              []string{"secrets_wo_version", "direct_vault_justification", "secret_id_rotation", "secret_ids"},
			},
			{
				// Switch to eso: role, secret_id and bootstrap entry go; secrets stay.
				Config: strings.NewReplacer(
					`access                     = "direct-vault"`, ``,
					`direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"`, ``,
					`approle = { token_ttl = "30m", token_max_ttl = "2h" }`, ``,
					`secret_id_rotation = "2026-12"`, ``,
				).Replace(testAccAppSecretsConfig_direct(svc, "prod", "2026-12", 2)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("role_id"), knownvalue.Null()),
					statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("access"), knownvalue.StringExact("eso")),
				},
				Check: vaultCheck(func() error {
					if v.Role(t, "approle", svc+"-prod") != nil {
						return fmt.Errorf("role survived the switch to eso")
					}
					if v.KVMetadata(t, "secret-prod", svc+"-bootstrap/approle/credentials") != nil {
						return fmt.Errorf("bootstrap entry survived the switch to eso")
					}
					if d := v.KVData(t, "secret-prod", svc+"/database/app"); d["password"] != "wo-pw-direct-app-2" {
						return fmt.Errorf("secrets lost in the switch: %v", d)
					}
					return nil
				}),
			},
			{
				// And back: a new role, secret_id and bootstrap entry.
				Config: testAccAppSecretsConfig_direct(svc, "prod", "", 2),
				Check: vaultCheck(func() error {
					roleID, secretID := bootstrapLogin(t, v, "prod", svc)
					_, err := v.Login("approle", roleID, secretID)
					return err
				}),
			},
		},
	})
}

// scanStateFiles fails when any marker appears in a state file under dir.
func scanStateFiles(dir string, markers ...string) error {
	found := 0
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.Contains(info.Name(), ".tfstate") {
			return err
		}
		found++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for n, m := range markers {
			if m != "" && strings.Contains(string(b), m) {
				return fmt.Errorf("state file %s contains secret marker #%d", p, n)
			}
		}
		return nil
	})
	if err == nil && found == 0 {
		return fmt.Errorf("no state file found under %s: the scan would prove nothing", dir)
	}
	return err
}

func TestAccAppSecrets_drift(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "drift-app"
	cfg := testAccAppSecretsConfig_direct(svc, "staging", "", 1)
	expectUpdate := resource.ConfigPlanChecks{
		PreApply:             []plancheck.PlanCheck{plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate)},
		PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
	}
	step := func(name string, drift func(), check func() error) resource.TestStep {
		return resource.TestStep{
			PreConfig:        func() { t.Log("drift: " + name); drift() },
			Config:           cfg,
			ConfigPlanChecks: expectUpdate,
			Check:            vaultCheck(check),
		}
	}
	dataOK := func() error {
		if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "wo-pw-drift-app-1" {
			return fmt.Errorf("secret not restored: %v", d)
		}
		return nil
	}
	loginOK := func() error {
		roleID, secretID := bootstrapLogin(t, v, "staging", svc)
		_, err := v.Login("approle", roleID, secretID)
		return err
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform111,
		Steps: []resource.TestStep{
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
			step("secret rewritten", func() {
				v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "tampered"}})
			}, dataOK),
			step("secret soft-deleted", func() { v.Delete(t, "secret-staging/data/"+svc+"/database/app") }, dataOK),
			step("secret destroyed with metadata", func() { v.Delete(t, "secret-staging/metadata/"+svc+"/database/app") }, dataOK),
			step("policy edited", func() {
				if err := v.Client.Sys().PutPolicy(svc+"-staging", `path "*" { capabilities = ["read"] }`); err != nil {
					t.Fatal(err)
				}
			}, func() error {
				if got := v.Policy(t, svc+"-staging"); got != policy.AppPolicy("staging", svc, []string{"database/creds/" + svc + "-role"}) {
					return fmt.Errorf("policy not restored:\n%s", got)
				}
				return nil
			}),
			step("role settings changed", func() {
				v.Write(t, "auth/approle/role/"+svc+"-staging", map[string]any{"token_ttl": "3h", "token_max_ttl": "8h"})
			}, func() error {
				if r := v.Role(t, "approle", svc+"-staging"); fmt.Sprint(r["token_ttl"]) != "1800" {
					return fmt.Errorf("role not restored: %v", r["token_ttl"])
				}
				return nil
			}),
			step("role policies changed", func() {
				v.Write(t, "auth/approle/role/"+svc+"-staging", map[string]any{"token_policies": "default,root"})
			}, func() error {
				if r := v.Role(t, "approle", svc+"-staging"); fmt.Sprint(r["token_policies"]) != "["+svc+"-staging]" {
					return fmt.Errorf("role policies not restored: %v", r["token_policies"])
				}
				return nil
			}),
			step("secret_id revoked", func() {
				roleID, secretID := bootstrapLogin(t, v, "staging", svc)
				_ = roleID
				v.Write(t, "auth/approle/role/"+svc+"-staging/secret-id/destroy", map[string]any{"secret_id": secretID})
			}, loginOK),
			step("bootstrap entry deleted", func() {
				v.Delete(t, "secret-staging/metadata/"+svc+"-bootstrap/approle/credentials")
			}, loginOK),
			step("bootstrap entry changed", func() {
				v.Write(t, "secret-staging/data/"+svc+"-bootstrap/approle/credentials", map[string]any{"data": map[string]any{"role_id": "x", "secret_id": "y"}})
			}, loginOK),
			step("role deleted", func() { v.Delete(t, "auth/approle/role/"+svc+"-staging") }, loginOK),
		},
	})
}

func TestAccAppSecrets_driftSecretsValues(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "drift-values"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: testAccAppSecretsConfig_eso(svc, "pw-1", "")},
			{
				PreConfig: func() {
					v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "tampered", "extra": "x"}})
				},
				Config: testAccAppSecretsConfig_eso(svc, "pw-1", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
						plancheck.ExpectSensitiveValue(appAddr, tfjsonpath.New("secrets")),
					},
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "pw-1" || d["extra"] != nil {
						return fmt.Errorf("not restored: %v", d)
					}
					return nil
				}),
			},
		},
	})
}

func TestAccAppSecrets_casRefusal(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "cas-app"
	v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "someone-elses"}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      testAccAppSecretsConfig_eso(svc, "mine", "api/token"),
			ExpectError: regexp.MustCompile(`(?s)already exists.*never overwrites.*terraform import.*secret-staging/cas-app`),
		}},
	})
	if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "someone-elses" {
		t.Fatalf("existing secret overwritten: %v", d)
	}
	if v.KVMetadata(t, "secret-staging", svc+"/api/token") != nil {
		t.Fatal("a refused create left a secret behind")
	}
	if v.Policy(t, svc+"-staging") != "" {
		t.Fatal("a refused create left a policy behind")
	}
}

// A secret already at a canonical path with exactly the declared values (an earlier apply's
// write whose answer was lost) is taken over, not refused; anything else is refused (casRefusal).
func TestAccAppSecrets_adoptIdentical(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "adopt-app"
	v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"username": "app", "password": "mine", "host": "db", "port": "5432"}})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccAppSecretsConfig_eso(svc, "mine", "api/token"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(appAddr, tfjsonpath.New("versions").AtMapKey("database/app"), knownvalue.Int64Exact(1)),
			},
			Check: vaultCheck(func() error {
				if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "mine" {
					return fmt.Errorf("database/app = %v", d)
				}
				return nil
			}),
		}},
	})
	if v.KVData(t, "secret-staging", svc+"/database/app") != nil {
		t.Fatal("destroy left the adopted secret behind")
	}
}

func TestAccAppSecrets_wrongMount(t *testing.T) {
	v := acctest.Vault(t)
	remount := func(in *api.MountInput) func() {
		return func() {
			if err := v.Client.Sys().Unmount("secret-dev"); err != nil {
				t.Fatal(err)
			}
			if in != nil {
				if err := v.Client.Sys().Mount("secret-dev", in); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	defer func() {
		_ = v.Client.Sys().Unmount("secret-dev")
		if err := v.Client.Sys().Mount("secret-dev", &apiMountKV2); err != nil {
			t.Fatal(err)
		}
	}()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   remount(nil),
				Config:      testAccAppConfig("", "no-mount"),
				ExpectError: regexp.MustCompile(`(?s)no secrets engine at secret-dev/.*KV version 2.*Nothing was written`),
			},
			{
				PreConfig:   remount(&api.MountInput{Type: "kv", Options: map[string]string{"version": "1"}}),
				Config:      testAccAppConfig("", "no-mount"),
				ExpectError: regexp.MustCompile(`(?s)needs\s+KV\s+version\s+2.*enable-versioning.*Nothing\s+was\s+written`),
			},
		},
	})
	if v.Policy(t, "no-mount-dev") != "" {
		t.Fatal("policy written although the mount is wrong")
	}
}

var apiMountKV2 = api.MountInput{Type: "kv", Options: map[string]string{"version": "2"}}
