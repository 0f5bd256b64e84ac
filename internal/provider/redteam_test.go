package provider

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The red-team suite: attacks through real Vault tokens, not only through Terraform. Each
// attack must be denied by Vault itself; each legitimate use must still work.

const redteamPlatform = `
resource "mosaic_platform" "p" {
  services             = { prod = ["web", "api"], dev = ["web"] }
  app_extra_read_paths = { prod = { api = ["database/creds/api-role"] } }
}
`

// redteamApps: web (prod, direct-vault) is a listed service; billing (prod, direct-vault) is not.
const redteamApps = `
resource "mosaic_app_secrets" "web" {
  environment                = "prod"
  service                    = "web"
  secrets                    = { "database/app" = { password = "web-pw" } }
  delete_all_versions        = true
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  depends_on                 = [mosaic_platform.p]
}

resource "mosaic_app_secrets" "billing" {
  environment                = "prod"
  service                    = "billing"
  secrets                    = { "stripe/api" = { token = "billing-token" } }
  delete_all_versions        = true
  access                     = "direct-vault"
  direct_vault_justification = "Per-request audit of every payment credential read"
  depends_on                 = [mosaic_platform.p]
}

resource "mosaic_app_secrets" "web_dev" {
  environment = "dev"
  service     = "web"
  secrets     = { "database/app" = { password = "web-dev-pw" } }
  delete_all_versions = true
  depends_on  = [mosaic_platform.p]
}
`

// requiredProviders names the provider's source as the test harness serves it: Terraform's
// registry by default, OpenTofu's under make testacc-tofu (TF_ACC_PROVIDER_HOST/NAMESPACE).
// Import steps and configurations without a resource need it spelled out under OpenTofu.
func requiredProviders() string {
	host, ns := os.Getenv("TF_ACC_PROVIDER_HOST"), os.Getenv("TF_ACC_PROVIDER_NAMESPACE")
	if host == "" {
		host = "registry.terraform.io"
	}
	if ns == "" {
		ns = "hashicorp"
	}
	return fmt.Sprintf("terraform {\n  required_providers {\n    mosaic = { source = %q }\n  }\n}\n", host+"/"+ns+"/mosaic")
}

func providerBlock(v *acctest.Server, token string) string {
	return fmt.Sprintf("provider \"mosaic\" {\n  address = %q\n  token   = %q\n}\n", v.Addr, token)
}

// attack is one request a token must not get through.
type attack struct {
	name   string
	method string // read, write, delete, list
	path   string
	data   map[string]any
}

func (a attack) run(c *api.Client) error {
	var err error
	switch a.method {
	case "read":
		_, err = c.Logical().Read(a.path)
	case "write":
		_, err = c.Logical().Write(a.path, a.data)
	case "delete":
		_, err = c.Logical().Delete(a.path)
	case "list":
		_, err = c.Logical().List(a.path)
	}
	return err
}

func mustDeny(t *testing.T, c *api.Client, attacks []attack) {
	t.Helper()
	for _, a := range attacks {
		err := a.run(c)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("%s: %s %s was not denied (err %v)", a.name, a.method, a.path, err)
		}
	}
}

func mustAllow(t *testing.T, c *api.Client, uses []attack) {
	t.Helper()
	for _, a := range uses {
		if err := a.run(c); err != nil {
			t.Errorf("%s: %s %s: %v", a.name, a.method, a.path, err)
		}
	}
}

// A ci-writer-prod token reaches only its listed services, cannot widen an app's rights
// through its policy or role, and still applies every listed app.
func TestAccRedTeam_ciWriter(t *testing.T) {
	v := acctest.OwnVault(t)
	root := providerBlock(v, v.Token)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: root + redteamPlatform + redteamApps,
			Check: vaultCheck(func() error {
				ci := tokenWith(t, v, policy.CIWriterPolicyName("prod"))
				testAccCIWriterAttacks(t, v, ci)
				return nil
			}),
			// The secret_id the attack minted by hand is drift: the refresh after this step
			// shows it as untracked, and the next step's apply destroys it.
			ExpectNonEmptyPlan: true,
		}, {
			// The pipeline itself applies a listed app (direct-vault, with its declared extra
			// path), rotates its secret_id and destroys it, with nothing but its token.
			Config: root + redteamPlatform + redteamApps,
			Check: vaultCheck(func() error {
				testAccCIWriterApplies(t, v)
				return nil
			}),
		}},
	})
}

func testAccCIWriterAttacks(t *testing.T, v *acctest.Server, ci *api.Client) {
	t.Helper()
	webPolicy := policy.AppPolicy("prod", "web", nil)
	mustDeny(t, ci, []attack{
		{"another app's bootstrap entry", "read", "secret-prod/data/billing-bootstrap/approle/credentials", nil},
		{"another app's secret", "read", "secret-prod/data/billing/stripe/api", nil},
		{"overwrite another app's secret", "write", "secret-prod/data/billing/stripe/api", map[string]any{"data": map[string]any{"token": "x"}}},
		{"purge another app's secret", "delete", "secret-prod/metadata/billing/stripe/api", nil},
		{"soft-delete another app's secret", "write", "secret-prod/delete/billing/stripe/api", map[string]any{"versions": []int{1}}},
		{"destroy own versions for good", "write", "secret-prod/destroy/web/database/app", map[string]any{"versions": []int{1}}},
		{"list the whole mount", "list", "secret-prod/metadata", nil},
		{"write another environment", "write", "secret-dev/data/web/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
		{"read another environment", "read", "secret-dev/data/web/database/app", nil},
		{"rebind the role to more policies", "write", "auth/approle/role/web-prod", map[string]any{"token_policies": []string{"web-prod", "ci-writer-dev"}}},
		{"rebind the role, comma string", "write", "auth/approle/role/web-prod", map[string]any{"token_policies": "web-prod,ci-writer-dev"}},
		{"rebind the role, legacy parameter", "write", "auth/approle/role/web-prod", map[string]any{"token_policies": []string{"web-prod"}, "policies": "ci-writer-dev"}},
		{"rebind through the policies endpoint", "write", "auth/approle/role/web-prod/policies", map[string]any{"token_policies": "ci-writer-dev"}},
		{"periodic tokens for the role", "write", "auth/approle/role/web-prod", map[string]any{"token_policies": []string{"web-prod"}, "token_period": "768h"}},
		{"service tokens without default policy", "write", "auth/approle/role/web-prod", map[string]any{"token_policies": []string{"web-prod"}, "token_no_default_policy": true}},
		{"set a chosen role_id", "write", "auth/approle/role/web-prod/role-id", map[string]any{"role_id": "attacker"}},
		{"custom secret_id", "write", "auth/approle/role/web-prod/custom-secret-id", map[string]any{"secret_id": "attacker-chosen"}},
		{"widen the app policy to admin", "write", "sys/policies/acl/web-prod", map[string]any{"policy": `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`}},
		{"widen the app policy by one path", "write", "sys/policies/acl/web-prod", map[string]any{"policy": webPolicy + "\npath \"secret-prod/data/billing/*\" {\n  capabilities = [\"read\"]\n}\n"}},
		{"the policy twice, comma-joined", "write", "sys/policies/acl/web-prod", map[string]any{"policy": webPolicy + "," + webPolicy}},
		{"another app's policy", "write", "sys/policies/acl/billing-prod", map[string]any{"policy": policy.AppPolicy("prod", "billing", nil)}},
		{"its own policy", "write", "sys/policies/acl/ci-writer-prod", map[string]any{"policy": `path "*" { capabilities = ["sudo"] }`}},
		{"the ESO reader's policy", "write", "sys/policies/acl/eso-reader-prod", map[string]any{"policy": `path "*" { capabilities = ["read"] }`}},
		{"another app's role", "write", "auth/approle/role/billing-prod", map[string]any{"token_policies": []string{"billing-prod"}}},
		{"a secret_id of another app", "write", "auth/approle/role/billing-prod/secret-id", nil},
		{"another app's role_id", "read", "auth/approle/role/billing-prod/role-id", nil},
		{"a new role", "write", "auth/approle/role/admin-prod", map[string]any{"token_policies": []string{"root"}}},
		{"a token with other policies", "write", "auth/token/create", map[string]any{"policies": []string{"eso-reader-prod"}}},
		{"enable an auth method", "write", "sys/auth/evil", map[string]any{"type": "approle"}},
	})
	// What it may do: repair the app's policy with exactly the rendered text, write its role
	// as the provider does, mint a secret_id and log in as its own app.
	mustAllow(t, ci, []attack{
		{"repair the app policy", "write", "sys/policies/acl/web-prod", map[string]any{"policy": webPolicy}},
		{"write the role as the provider does", "write", "auth/approle/role/web-prod", appsync.RoleParams("web-prod", appsync.DefaultAppRole())},
		{"list its own app's secrets", "list", "secret-prod/metadata/web", nil},
	})
	roleID, err := ci.Logical().Read("auth/approle/role/web-prod/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid, err := ci.Logical().Write("auth/approle/role/web-prod/secret-id", nil)
	if err != nil {
		t.Fatal(err)
	}
	login, err := v.Client.Logical().Write("auth/approle/login", map[string]any{"role_id": roleID.Data["role_id"], "secret_id": sid.Data["secret_id"]})
	if err != nil {
		t.Fatal(err)
	}
	app, _ := v.Client.Clone()
	app.SetToken(login.Auth.ClientToken)
	if got := login.Auth.Policies; strings.Join(got, ",") != "default,web-prod" {
		t.Errorf("a token of web-prod minted by the CI writer carries %v", got)
	}
	mustDeny(t, app, []attack{
		{"app token: another app", "read", "secret-prod/data/billing/stripe/api", nil},
		{"app token: another environment", "read", "secret-dev/data/web/database/app", nil},
		{"app token: its bootstrap entry", "read", "secret-prod/data/web-bootstrap/approle/credentials", nil},
	})
}

// testAccCIWriterApplies runs Terraform with only a ci-writer-prod token: a listed app with its
// declared extra path applies, rotates and is destroyed; an unlisted app and an undeclared
// extra path are refused by Vault with the path and the capability named, and nothing is left.
func testAccCIWriterApplies(t *testing.T, v *acctest.Server) {
	t.Helper()
	ci := tokenWith(t, v, policy.CIWriterPolicyName("prod"))
	prov := providerBlock(v, ci.Token())
	app := func(rotation, extra string) string {
		return prov + fmt.Sprintf(`
resource "mosaic_app_secrets" "api" {
  environment                = "prod"
  service                    = "api"
  secrets                    = { "database/app" = { password = "api-pw" } }
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  extra_read_paths           = [%s]
  secret_id_rotation         = %q
  delete_all_versions        = true
}
`, extra, rotation)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: app("1", `"database/creds/api-role"`), Check: vaultCheck(func() error {
				if v.KVData(t, "secret-prod", "api/database/app") == nil || v.Role(t, "approle", "api-prod") == nil {
					return fmt.Errorf("the pipeline could not apply its listed app")
				}
				return checkBootstrapLogin(t, v, "prod", "api")
			})},
			{Config: app("2", `"database/creds/api-role"`), Check: vaultCheck(func() error { return checkBootstrapLogin(t, v, "prod", "api") })},
			{
				Config:      app("2", `"database/creds/api-role", "database/creds/api"`),
				ExpectError: regexp.MustCompile(`(?s)Vault denied write \(create/update\) on.*sys/policies/acl/api-prod.*parameter`),
			},
			{
				Config: prov + `
resource "mosaic_app_secrets" "billing2" {
  environment = "prod"
  service     = "billing2"
  secrets     = { "stripe/api" = { token = "x" } }
}
`,
				ExpectError: wsRegexp(`Vault denied read on sys/policies/acl/billing2-prod`),
			},
		},
	})
	if v.KVMetadata(t, "secret-prod", "billing2/stripe/api") != nil || v.Policy(t, "billing2-prod") != "" {
		t.Error("an app the pipeline may not manage left something in Vault")
	}
	if v.Policy(t, "api-prod") != "" || v.Role(t, "approle", "api-prod") != nil {
		t.Error("the pipeline's destroy left its app's policy or role")
	}
}

// checkBootstrapLogin logs in with the app's bootstrap entry: the token reads the app's own
// secret and nothing of another app.
func checkBootstrapLogin(t *testing.T, v *acctest.Server, env, svc string) error {
	t.Helper()
	roleID, secretID := bootstrapLogin(t, v, env, svc)
	app, err := v.Login("approle", roleID, secretID)
	if err != nil {
		return fmt.Errorf("bootstrap credentials of %s do not log in: %w", svc, err)
	}
	if _, err := app.Logical().Read(policy.MountOf(env) + "/data/" + svc + "/database/app"); err != nil {
		return fmt.Errorf("the app token cannot read its own secret: %w", err)
	}
	return nil
}

// Names that belong to someone else: a hand-made policy or role is never taken over, two
// declarations of one app are refused, and a reserved name cannot be imported.
func TestAccRedTeam_ownership(t *testing.T) {
	v := acctest.Vault(t)
	const handMade = `path "secret-staging/*" { capabilities = ["read"] }`
	v.Write(t, "sys/policies/acl/owned-staging", map[string]any{"policy": handMade})
	v.Write(t, "auth/approle/role/owned2-staging", map[string]any{"token_policies": "owned2-staging,test-admin"})
	app := func(name, svc string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" %q {
  environment                = "staging"
  service                    = %q
  secrets                    = { "database/app" = { password = "pw" } }
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  delete_all_versions        = true
}
`, name, svc)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: requiredProviders() + app("a", "owned"), ExpectError: wsRegexp(`Policy already exists.*owned-staging already exists in Vault and this resource did not write it.*terraform import`)},
			{Config: requiredProviders() + app("a", "owned2"), ExpectError: wsRegexp(`AppRole role already exists.*auth/approle/role/owned2-staging`)},
			{Config: requiredProviders() + app("a", "twice") + app("b", "twice"), ExpectError: regexp.MustCompile(`(?s)(App declared twice|Policy already exists)`)},
			{
				Config:        requiredProviders() + app("a", "twice"),
				ResourceName:  "mosaic_app_secrets.a",
				ImportState:   true,
				ImportStateId: "secret-staging/eso-reader",
				ExpectError:   regexp.MustCompile(`Invalid import ID`),
			},
		},
	})
	if got := v.Policy(t, "owned-staging"); got != handMade {
		t.Errorf("the hand-made policy was changed: %q", got)
	}
	if r := v.Role(t, "approle", "owned2-staging"); r == nil || !strings.Contains(fmt.Sprint(r["token_policies"]), "test-admin") {
		t.Errorf("the hand-made role was changed: %v", r)
	}
	if v.KVData(t, "secret-staging", "owned/database/app") != nil || v.KVData(t, "secret-staging", "owned2/database/app") != nil {
		t.Error("a refused create wrote a secret")
	}
	// The duplicate declaration: exactly one of the two was created, and it was destroyed with its policy.
	if v.Policy(t, "twice-staging") != "" {
		t.Error("the duplicated app's policy survived destroy")
	}
}

// The environment lock holds on every operation: a dev-locked workspace cannot import a prod
// app, refresh it, or destroy it through a removed block.
func TestAccRedTeam_environmentLock(t *testing.T) {
	v := acctest.Vault(t)
	const app = `
resource "mosaic_app_secrets" "x" {
  environment         = "prod"
  service             = "locked-target"
  secrets             = { "database/app" = { password = "prod-pw" } }
  delete_all_versions = true
}
`
	locked := requiredProviders() + `provider "mosaic" { allowed_environments = ["dev"] }` + "\n"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: requiredProviders() + app},
			{
				Config: locked + `
removed {
  from = mosaic_app_secrets.x
  lifecycle { destroy = true }
}
`,
				ExpectError: wsRegexp(`Environment locked.*refuses to (read|destroy) there`),
			},
			{Config: locked + app, ExpectError: wsRegexp(`Environment locked.*refuses to (read|write) there`)},
			{
				Config:        locked + strings.Replace(app, `"x"`, `"y"`, 1),
				ResourceName:  "mosaic_app_secrets.y",
				ImportState:   true,
				ImportStateId: "secret-prod/locked-target",
				ExpectError:   wsRegexp(`Environment locked.*refuses to import there`),
			},
			{Config: requiredProviders() + app, Check: vaultCheck(func() error {
				if d := v.KVData(t, "secret-prod", "locked-target/database/app"); d["password"] != "prod-pw" {
					return fmt.Errorf("the locked workspace changed the prod app: %v", d)
				}
				return nil
			})},
		},
	})
}

// No silent data loss: removal and destroy are recoverable by default, a purge is explicit,
// an imported secret that is not declared is never deleted, and a key declared again over
// soft-deleted versions gets a new version without resurrecting the old value.
func TestAccRedTeam_dataLoss(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "loss-app"
	v.Write(t, "secret-staging/data/"+svc+"/legacy/token", map[string]any{"data": map[string]any{"token": "hand-written"}})
	v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "hand-pw"}})
	cfg := func(secrets, extra string) string {
		return requiredProviders() + fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment = "staging"
  service     = %q
  secrets     = { %s }
  %s
}
`, svc, secrets, extra)
	}
	undelete := func(rel string, version int) {
		v.Write(t, "secret-staging/undelete/"+rel, map[string]any{"versions": []int{version}})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:             cfg(`"database/app" = { password = "tf-pw" }`, ""),
				ResourceName:       "mosaic_app_secrets.x",
				ImportState:        true,
				ImportStateId:      "secret-staging/" + svc,
				ImportStatePersist: true,
			},
			{
				// Apply after import: legacy/token is not declared, so it is left alone.
				Config: cfg(`"database/app" = { password = "tf-pw" }`, ""),
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/legacy/token"); d["token"] != "hand-written" {
						return fmt.Errorf("an imported, undeclared secret was deleted: %v", d)
					}
					return nil
				}),
			},
			{
				// Removing a declared key: soft-deleted, and undelete restores the value.
				Config: cfg(`"api/key" = { token = "k1" }`, ""),
				Check: vaultCheck(func() error {
					if v.KVData(t, "secret-staging", svc+"/database/app") != nil {
						return fmt.Errorf("the removed secret is still readable")
					}
					undelete(svc+"/database/app", 2)
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "tf-pw" {
						return fmt.Errorf("undelete did not restore the removed secret: %v", d)
					}
					v.Write(t, "secret-staging/delete/"+svc+"/database/app", map[string]any{"versions": []int{2}})
					return nil
				}),
			},
			{
				// Declared again with a new value over the soft-deleted versions: version 3,
				// and the deleted version 2 stays deleted.
				Config: cfg(`"api/key" = { token = "k1" }
    "database/app" = { password = "new-pw" }`, ""),
				Check: vaultCheck(func() error {
					if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["password"] != "new-pw" {
						return fmt.Errorf("database/app = %v", d)
					}
					old, err := v.Client.Logical().ReadWithData("secret-staging/data/"+svc+"/database/app", map[string][]string{"version": {"2"}})
					if err != nil || old == nil || old.Data["data"] != nil {
						return fmt.Errorf("version 2 was resurrected: %v %w", old, err)
					}
					return nil
				}),
			},
			{
				// An explicit purge: removing the key destroys every version.
				Config: cfg(`"database/app" = { password = "new-pw" }`, "delete_all_versions = true"),
				Check: vaultCheck(func() error {
					if v.KVMetadata(t, "secret-staging", svc+"/api/key") != nil {
						return fmt.Errorf("delete_all_versions did not purge the removed secret")
					}
					return nil
				}),
			},
			{Config: cfg(`"database/app" = { password = "new-pw" }`, "")},
			{
				// Back to the default, then destroy: soft, recoverable.
				Config:  cfg(`"database/app" = { password = "new-pw" }`, ""),
				Destroy: true,
				Check: vaultCheck(func() error {
					if v.KVData(t, "secret-staging", svc+"/database/app") != nil || v.KVMetadata(t, "secret-staging", svc+"/database/app") == nil {
						return fmt.Errorf("destroy was not a soft delete")
					}
					return nil
				}),
			},
		},
	})
}

// Robust plans: an extra read path known only at apply, and a field added to a write-only
// secret without a version bump (written, not "inconsistent result").
func TestAccRedTeam_robustPlans(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "robust-app"
	cfg := func(fields string) string {
		return fmt.Sprintf(`
resource "terraform_data" "path" {
  input = "database/creds/%[1]s-role"
}

resource "mosaic_app_secrets" "x" {
  environment         = "staging"
  service             = %[1]q
  secrets_wo          = { "database/app" = { %[2]s } }
  secrets_wo_version  = 1
  extra_read_paths    = [terraform_data.path.output]
  delete_all_versions = true
}
`, svc, fields)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform111,
		Steps: []resource.TestStep{
			{Config: cfg(`password = "p1"`), Check: vaultCheck(func() error {
				if !strings.Contains(v.Policy(t, svc+"-staging"), `"database/creds/`+svc+`-role"`) {
					return fmt.Errorf("the extra path known only at apply is not in the policy")
				}
				return nil
			})},
			{Config: cfg(`password = "p1", host = "db"`), Check: vaultCheck(func() error {
				if d := v.KVData(t, "secret-staging", svc+"/database/app"); d["host"] != "db" || d["password"] != "p1" {
					return fmt.Errorf("the added field was not written: %v", d)
				}
				return nil
			})},
		},
	})
}
