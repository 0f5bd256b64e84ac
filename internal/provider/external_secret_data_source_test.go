package provider

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/vault/api"
	"go.yaml.in/yaml/v3"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

const testAccExternalSecretConfig = `
resource "mosaic_app_secrets" "app" {
  environment = "prod"
  service     = "eso-render"
  secrets = {
    "database/app" = { username = "app", password = "pw" }
    "oauth/google" = { client_id = "cid", client_secret = "cs" }
  }
}

resource "mosaic_app_secrets" "direct" {
  environment                = "prod"
  service                    = "eso-render-direct"
  secrets                    = { "jwt/signing-key" = { private_key = "k" } }
  access                     = "direct-vault"
  direct_vault_justification = "Vault PKI certificates valid for 12 hours, renewed in-pod"
}

data "mosaic_external_secret" "app" {
  environment = mosaic_app_secrets.app.environment
  service     = mosaic_app_secrets.app.service
  access      = mosaic_app_secrets.app.access
  field_names = mosaic_app_secrets.app.field_names
  kubernetes_namespace = "web"
  env_names   = { "database/app.password" = "DB_PASSWORD" }
}

data "mosaic_external_secret" "direct" {
  environment = mosaic_app_secrets.direct.environment
  service     = mosaic_app_secrets.direct.service
  access      = mosaic_app_secrets.direct.access
  field_names = mosaic_app_secrets.direct.field_names
  kubernetes_namespace = "api"
  vault_addr  = "https://vault.example.com"
  lease_renewal_strategy = "Certificates are re-issued at two thirds of their 12 hour TTL"
}

output "app_manifests"    { value = data.mosaic_external_secret.app.manifests }
output "direct_manifests" { value = data.mosaic_external_secret.direct.manifests }
output "app_env"          { value = data.mosaic_external_secret.app.env }
`

// Every remoteRef of the rendered manifests resolves in the real Vault with a token holding
// only the environment's ESO reader policy.
func TestAccExternalSecret_remoteRefsResolve(t *testing.T) {
	v := acctest.Vault(t)
	if err := v.Client.Sys().PutPolicy(policy.ESOReaderPolicyName("prod"), policy.ESOReaderPolicy("prod")); err != nil {
		t.Fatal(err)
	}
	tok, err := v.Client.Auth().Token().Create(&api.TokenCreateRequest{Policies: []string{policy.ESOReaderPolicyName("prod")}, NoDefaultPolicy: true})
	if err != nil {
		t.Fatal(err)
	}
	reader, _ := v.Client.Clone()
	reader.SetToken(tok.Auth.ClientToken)

	resolve := func(manifests string, wantRefs int) error {
		dec := yaml.NewDecoder(strings.NewReader(manifests))
		refs := 0
		for {
			var doc struct {
				APIVersion string `yaml:"apiVersion"`
				Spec       struct {
					Data []struct {
						SecretKey string                         `yaml:"secretKey"`
						RemoteRef struct{ Key, Property string } `yaml:"remoteRef"`
					} `yaml:"data"`
				} `yaml:"spec"`
			}
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return err
			}
			if doc.APIVersion != "external-secrets.io/v1" {
				return fmt.Errorf("apiVersion %q", doc.APIVersion)
			}
			for _, d := range doc.Spec.Data {
				// ESO's Vault provider (KV v2) reads {mount}/data/{rest} for key {mount}/{rest}.
				mount, rest, _ := strings.Cut(d.RemoteRef.Key, "/")
				sec, err := reader.Logical().Read(mount + "/data/" + rest)
				if err != nil || sec == nil {
					return fmt.Errorf("remoteRef %s does not resolve with the ESO reader token: %w", d.RemoteRef.Key, err)
				}
				data, _ := sec.Data["data"].(map[string]any)
				if _, ok := data[d.RemoteRef.Property]; !ok {
					return fmt.Errorf("remoteRef %s has no property %q", d.RemoteRef.Key, d.RemoteRef.Property)
				}
				refs++
			}
		}
		if refs != wantRefs {
			return fmt.Errorf("%d remoteRefs resolved, want %d", refs, wantRefs)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccExternalSecretConfig,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.mosaic_external_secret.app", "secret_name", "eso-render-secrets"),
				resource.TestCheckResourceAttr("data.mosaic_external_secret.app", "secret_keys.database/app.password", "DB_PASSWORD"),
				resource.TestCheckResourceAttr("data.mosaic_external_secret.direct", "secret_name", "eso-render-direct-vault-auth"),
				func(s *terraformState) error {
					outs := s.RootModule().Outputs
					if err := resolve(outs["app_manifests"].Value.(string), 4); err != nil {
						return err
					}
					if err := resolve(outs["direct_manifests"].Value.(string), 2); err != nil {
						return err
					}
					for _, m := range []string{"app_manifests", "direct_manifests", "app_env"} {
						for _, secret := range []string{"pw", "cs", "\"k\""} {
							if strings.Contains(outs[m].Value.(string), ": "+secret+"\n") {
								return fmt.Errorf("output %s contains a secret value", m)
							}
						}
					}
					return nil
				},
			),
		}},
	})
}

// The rollout annotation changes exactly when a secret's version does: unchanged by a no-change
// plan, changed by an update of one secret.
func TestAccExternalSecret_rolloutRevision(t *testing.T) {
	acctest.Vault(t)
	cfg := func(pw string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment         = "staging"
  service             = "rollout-app"
  secrets             = { "database/app" = { password = %q }, "api/key" = { token = "t" } }
  delete_all_versions = true
}

data "mosaic_external_secret" "x" {
  environment          = mosaic_app_secrets.x.environment
  service              = mosaic_app_secrets.x.service
  field_names          = mosaic_app_secrets.x.field_names
  versions             = mosaic_app_secrets.x.versions
  kubernetes_namespace = "rollout"
  plain_env            = { PORT = { default = "8080", reason = "non-secret listen port" } }
}
`, pw)
	}
	revs := map[int]string{}
	grab := func(step int) resource.TestCheckFunc {
		return resource.TestCheckResourceAttrWith("data.mosaic_external_secret.x", "rollout_revision", func(v string) error {
			revs[step] = v
			return nil
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("pw-1"), Check: resource.ComposeTestCheckFunc(grab(1),
				resource.TestCheckResourceAttrPair("data.mosaic_external_secret.x", "pod_annotations.secrets.mosaicstack.dev/revision", "data.mosaic_external_secret.x", "rollout_revision"),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.x", "env", func(v string) error {
					if !strings.Contains(v, `value: "8080" # safe-default: non-secret listen port`) {
						return fmt.Errorf("the plain entry is not tagged: %s", v)
					}
					return nil
				}),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.x", "zod_schema", func(v string) error {
					if !strings.Contains(v, "DATABASE_APP_PASSWORD: z.string().min(1") || !strings.Contains(v, `PORT: z.string().default("8080")`) {
						return fmt.Errorf("zod schema: %s", v)
					}
					return nil
				}))},
			{Config: cfg("pw-1"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}, Check: grab(2)},
			{Config: cfg("pw-2"), Check: grab(3)},
		},
	})
	if revs[1] == "" || revs[1] != revs[2] {
		t.Errorf("a no-change plan changed the revision: %q -> %q", revs[1], revs[2])
	}
	if revs[3] == revs[2] {
		t.Errorf("updating a secret did not change the revision (%q)", revs[3])
	}
}
