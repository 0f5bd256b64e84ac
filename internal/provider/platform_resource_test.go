package provider

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

func testAccPlatformConfig(v *acctest.Server, envs string) string {
	return fmt.Sprintf(`
provider "mosaic" {
  address = %q
  token   = %q
}

resource "mosaic_platform" "p" {
  environments = %s
  services     = { dev = ["web", "web2"], prod = ["api"] }
  max_versions = 5
}

resource "mosaic_app_secrets" "web" {
  environment = "dev"
  service     = "web"
  secrets     = { "database/app" = { password = "web-dev-pw" } }
  delete_all_versions = true
  depends_on  = [mosaic_platform.p]
}

resource "mosaic_app_secrets" "api" {
  environment                = "prod"
  service                    = "api"
  secrets                    = { "database/app" = { password = "api-prod-pw" } }
  delete_all_versions        = true
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  depends_on                 = [mosaic_platform.p]
}
`, v.Addr, v.Token, envs)
}

func tokenWith(t *testing.T, v *acctest.Server, policies ...string) *api.Client {
	t.Helper()
	sec, err := v.Client.Auth().Token().Create(&api.TokenCreateRequest{Policies: policies, NoDefaultPolicy: false, TTL: "1h"})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := v.Client.Clone()
	c.SetToken(sec.Auth.ClientToken)
	return c
}

// The platform side on a Vault of its own (fresh: no mounts, no AppRole), and its policies
// proven through real tokens.
func TestAccPlatform(t *testing.T) {
	v := acctest.OwnVault(t)
	all := `["dev", "staging", "prod"]`
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: vaultCheck(func() error {
			mounts, _ := v.Client.Sys().ListMounts()
			for _, env := range policy.Environments {
				if _, ok := mounts["secret-"+env+"/"]; ok {
					return fmt.Errorf("secret-%s survived destroy", env)
				}
			}
			auths, _ := v.Client.Sys().ListAuth()
			if _, ok := auths["approle/"]; ok {
				return fmt.Errorf("the AppRole auth method this resource enabled survived destroy")
			}
			return nil
		}),
		Steps: []resource.TestStep{
			{
				Config: testAccPlatformConfig(v, all),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr("mosaic_platform.p", "approle_managed", "true"),
					resource.TestCheckResourceAttr("mosaic_platform.p", "mounts.prod", "secret-prod"),
					vaultCheck(func() error {
						for _, env := range policy.Environments {
							m, err := v.Client.Sys().GetMount("secret-" + env)
							if err != nil || m.Type != "kv" || m.Options["version"] != "2" {
								return fmt.Errorf("secret-%s: %+v %w", env, m, err)
							}
							cfg, err := v.Client.Logical().Read("secret-" + env + "/config")
							if err != nil || fmt.Sprint(cfg.Data["max_versions"]) != "5" {
								return fmt.Errorf("secret-%s config %v %w", env, cfg, err)
							}
							if v.Policy(t, policy.ESOReaderPolicyName(env)) != policy.ESOReaderPolicy(env) {
								return fmt.Errorf("ESO reader policy of %s not as rendered", env)
							}
						}
						// ESO reader of dev reads dev, never prod.
						reader := tokenWith(t, v, policy.ESOReaderPolicyName("dev"))
						if !acctest.CanRead(t, reader, "secret-dev/data/web/database/app") {
							return fmt.Errorf("dev ESO reader cannot read a dev secret")
						}
						if acctest.CanRead(t, reader, "secret-prod/data/api/database/app") {
							return fmt.Errorf("dev ESO reader can read prod")
						}
						return nil
					}),
				),
			},
			{
				// Same config; the check runs a dev pipeline against the platform in place.
				Config: testAccPlatformConfig(v, all),
				Check:  vaultCheck(func() error { testAccCIWriterDev(t, v); return nil }),
			},
			{
				// A mount that still holds secrets is not removed without the opt-in.
				PreConfig: func() {
					v.Write(t, "secret-staging/data/stray/app/config", map[string]any{"data": map[string]any{"x": "1"}})
				},
				Config:      testAccPlatformConfig(v, `["dev", "prod"]`),
				ExpectError: wsRegexp(`secret-staging/ still holds secrets \(stray/\).*Nothing was deleted`),
			},
			{
				PreConfig: func() { v.Delete(t, "secret-staging/metadata/stray/app/config") },
				Config:    testAccPlatformConfig(v, `["dev", "prod"]`),
				Check: vaultCheck(func() error {
					if m, _ := v.Client.Sys().ListMounts(); m["secret-staging/"] != nil {
						return fmt.Errorf("empty staging mount not removed")
					}
					return nil
				}),
			},
			{
				// Drift: a mount and a policy removed by hand come back.
				PreConfig: func() {
					if err := v.Client.Sys().DeletePolicy(policy.CIWriterPolicyName("prod")); err != nil {
						t.Fatal(err)
					}
				},
				Config: testAccPlatformConfig(v, `["dev", "prod"]`),
				Check: vaultCheck(func() error {
					if v.Policy(t, policy.CIWriterPolicyName("prod")) == "" {
						return fmt.Errorf("deleted CI writer policy not restored")
					}
					return nil
				}),
			},
			{
				ResourceName:            "mosaic_platform.p",
				ImportState:             true,
				ImportStateId:           "platform",
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"services", "max_versions", "approle_managed", "allow_destroy_with_secrets"},
			},
		},
	})
}

// testAccCIWriterDev runs Terraform as a dev pipeline holding only ci-writer-dev: it can apply
// a dev app it was granted, and is denied in prod. (A separate run: an in-process provider
// serves one configuration at a time, so an aliased second provider cannot be tested in place.)
func testAccCIWriterDev(t *testing.T, v *acctest.Server) {
	ci := tokenWith(t, v, policy.CIWriterPolicyName("dev"))
	prov := fmt.Sprintf("provider \"mosaic\" {\n  address = %q\n  token   = %q\n}\n", v.Addr, ci.Token())
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: prov + `
resource "mosaic_app_secrets" "web2" {
  environment                = "dev"
  service                    = "web2"
  secrets                    = { "database/app" = { password = "web2-pw" } }
  delete_all_versions        = true
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
}
`,
				Check: vaultCheck(func() error {
					if v.KVData(t, "secret-dev", "web2/database/app") == nil || v.Role(t, "approle", "web2-dev") == nil {
						return fmt.Errorf("the dev pipeline could not apply its app")
					}
					return nil
				}),
			},
			{
				Config: prov + `
resource "mosaic_app_secrets" "api2" {
  environment = "prod"
  service     = "api2"
  secrets     = { "database/app" = { password = "x" } }
}
`,
				ExpectError: wsRegexp(`Vault denied read on sys/mounts/secret-prod`),
			},
			{
				Config: prov + `
resource "mosaic_app_secrets" "web3" {
  environment = "dev"
  service     = "web3"
  secrets     = { "database/app" = { password = "x" } }
}
`,
				// web3 is not a service of ci-writer-dev: it may not even read web3's policy,
				// and the create stops before writing anything.
				ExpectError: wsRegexp(`Vault denied read on sys/policies/acl/web3-dev: the token's policies lack the "read" capability`),
			},
		},
	})
	if v.KVMetadata(t, "secret-prod", "api2/database/app") != nil {
		t.Fatal("the dev pipeline wrote to prod")
	}
	if v.KVMetadata(t, "secret-dev", "web3/database/app") != nil {
		t.Fatal("a create the pipeline may not make left a secret behind")
	}
}

// environment_ci_writers = false: a platform created so writes no ci-writer-{env}; turned on,
// the environment writers appear; turned off again, the plan shows them going and apply
// deletes them from Vault, while each pipeline's token still logs in, writes its own app and is
// denied another pipeline's, and the provider applies an app with it.
func TestAccPlatform_environmentCIWritersOff(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	on := identityPlatform(t, v, v.Token, k)
	off := strings.Replace(on, "allow_destroy_with_secrets = true", "allow_destroy_with_secrets = true\n  environment_ci_writers     = false", 1)
	envWriters := func(want bool) func() error {
		return func() error {
			for _, env := range []string{"dev", "prod"} {
				if text := v.Policy(t, policy.CIWriterPolicyName(env)); (text != "") != want {
					return fmt.Errorf("%s in Vault: %v, want %v", policy.CIWriterPolicyName(env), text != "", want)
				}
			}
			if v.Policy(t, policy.CIPipelinePolicyName("prod", "web")) == "" {
				return fmt.Errorf("the pipeline policy %s is missing", policy.CIPipelinePolicyName("prod", "web"))
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: off, Check: vaultCheck(envWriters(false))},
			{Config: on, Check: vaultCheck(envWriters(true))},
			{
				Config:           off,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{writersGoing{policy.CIWriterPolicyName("prod"), policy.CIWriterPolicyName("dev")}}},
				Check: vaultCheck(func() error {
					if err := envWriters(false)(); err != nil {
						return err
					}
					seedIdentityTargets(t, v)
					testAccPipelinesApart(t, v, k)
					return nil
				}),
			},
			{Config: off, Check: vaultCheck(func() error {
				testAccPipelineApplies(t, v, k.gh)
				return nil
			})},
		},
	})
}

// writersGoing checks that the plan shows the named ci_writer_policies elements going: in the
// refreshed state the plan starts from, not in what it plans.
type writersGoing []string

func (w writersGoing) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != platAddr {
			continue
		}
		before, _ := rc.Change.Before.(map[string]any)["ci_writer_policies"].(map[string]any)
		after, _ := rc.Change.After.(map[string]any)["ci_writer_policies"].(map[string]any)
		for _, name := range w {
			if _, was := before[name]; !was {
				resp.Error = fmt.Errorf("the plan's prior state has no %s", name)
			}
			if _, stays := after[name]; stays {
				resp.Error = fmt.Errorf("the plan keeps %s", name)
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no change for %s", platAddr)
}
