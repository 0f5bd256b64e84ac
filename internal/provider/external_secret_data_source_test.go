package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/vault/api"
	"go.yaml.in/yaml/v3"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/apptest"
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
  direct_vault_justification = mosaic_app_secrets.direct.direct_vault_justification
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

// The rollout revision is computed from the versions the data source reads from Vault: the same
// without a change, new after a secret's update, and for a Direct-Vault app new after a new
// secret_id lands in its bootstrap entry. It is also the ExternalSecret's force-sync annotation.
func TestAccExternalSecret_rolloutRevision(t *testing.T) {
	v := acctest.Vault(t)
	cfg := func(pw string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "x" {
  environment         = "staging"
  service             = "rollout-app"
  secrets             = { "database/app" = { password = %q }, "api/key" = { token = "t" } }
  delete_all_versions = true
}

resource "mosaic_app_secrets" "d" {
  environment                = "staging"
  service                    = "rollout-direct"
  secrets                    = { "jwt/signing-key" = { private_key = "k" } }
  access                     = "direct-vault"
  direct_vault_justification = "PKI certificates renewed in-pod"
  delete_all_versions        = true
}

data "mosaic_external_secret" "x" {
  environment          = mosaic_app_secrets.x.environment
  service              = mosaic_app_secrets.x.service
  field_names          = mosaic_app_secrets.x.field_names
  kubernetes_namespace = "rollout"
  plain_env            = { PORT = { default = "8080", reason = "non-secret listen port" } }
  rules                = { PORT = { type = "port" } }
}

data "mosaic_external_secret" "d" {
  environment                = mosaic_app_secrets.d.environment
  service                    = mosaic_app_secrets.d.service
  access                     = mosaic_app_secrets.d.access
  field_names                = mosaic_app_secrets.d.field_names
  kubernetes_namespace       = "rollout"
  vault_addr                 = "https://vault.example.com"
  direct_vault_justification = mosaic_app_secrets.d.direct_vault_justification
  lease_renewal_strategy     = "renews at two thirds of its TTL"
}
`, pw)
	}
	revs := map[string]string{}
	grab := func(ds, step string) resource.TestCheckFunc {
		return resource.TestCheckResourceAttrWith("data.mosaic_external_secret."+ds, "rollout_revision", func(v string) error {
			revs[ds+step] = v
			return nil
		})
	}
	forceSynced := func(ds string) resource.TestCheckFunc {
		return func(s *terraformState) error {
			attrs := s.RootModule().Resources["data.mosaic_external_secret."+ds].Primary.Attributes
			var doc struct {
				Metadata struct {
					Annotations map[string]string `yaml:"annotations"`
				} `yaml:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(attrs["external_secret"]), &doc); err != nil {
				return err
			}
			if doc.Metadata.Annotations["force-sync"] != attrs["rollout_revision"] || attrs["rollout_revision"] == "" {
				return fmt.Errorf("force-sync annotation %q, rollout_revision %q", doc.Metadata.Annotations["force-sync"], attrs["rollout_revision"])
			}
			return nil
		}
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("pw-1"), Check: resource.ComposeTestCheckFunc(grab("x", "1"), grab("d", "1"), forceSynced("x"), forceSynced("d"),
				resource.TestCheckResourceAttr("data.mosaic_external_secret.x", "versions.database/app", "1"),
				resource.TestCheckResourceAttr("data.mosaic_external_secret.d", "versions.bootstrap", "1"),
				resource.TestCheckResourceAttrPair("data.mosaic_external_secret.x", "pod_annotations.secrets.mosaicstack.dev/revision", "data.mosaic_external_secret.x", "rollout_revision"),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.x", "env", func(v string) error {
					if !strings.Contains(v, `value: "8080" # safe-default: non-secret listen port`) {
						return fmt.Errorf("the plain entry is not tagged: %s", v)
					}
					return nil
				}),
				resource.TestCheckResourceAttrWith("data.mosaic_external_secret.x", "zod_schema", func(v string) error {
					if !strings.Contains(v, `"DATABASE_APP_PASSWORD": checked(`) || !strings.Contains(v, `"PORT": z.string().default("8080")`) {
						return fmt.Errorf("zod schema: %s", v)
					}
					return nil
				}))},
			{Config: cfg("pw-1"), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}, Check: resource.ComposeTestCheckFunc(grab("x", "2"), grab("d", "2"))},
			{Config: cfg("pw-2"), Check: grab("x", "3")},
			{
				// A new secret_id in the bootstrap entry, as a rotation writes it (the value is a placeholder).
				PreConfig: func() {
					data := v.KVData(t, "secret-staging", policy.BootstrapRelative("rollout-direct"))
					data["secret_id"] = "placeholder-new-secret-id"
					v.Write(t, "secret-staging/data/"+policy.BootstrapRelative("rollout-direct"), map[string]any{"data": data})
				},
				Config: cfg("pw-2"), Check: resource.ComposeTestCheckFunc(grab("d", "4"), forceSynced("d"),
					resource.TestCheckResourceAttrWith("data.mosaic_external_secret.d", "versions.bootstrap", func(got string) error {
						want := fmt.Sprint(v.KVMetadata(t, "secret-staging", policy.BootstrapRelative("rollout-direct"))["current_version"])
						if got != want || got == "1" {
							return fmt.Errorf("versions.bootstrap %s, Vault's current version %s", got, want)
						}
						return nil
					})),
			},
		},
	})
	if revs["x1"] == "" || revs["x1"] != revs["x2"] || revs["d1"] != revs["d2"] {
		t.Errorf("a no-change plan changed a revision: %v", revs)
	}
	if revs["x3"] == revs["x2"] {
		t.Errorf("updating a secret did not change the revision (%q)", revs["x3"])
	}
	if revs["d4"] == revs["d2"] {
		t.Errorf("a new secret_id did not change the Direct-Vault app's revision (%q)", revs["d4"])
	}
}

// Every input the manifests, code and README need is checked at plan, on the attribute at
// fault, before any Vault call: the injection class (line breaks, U+2028, CR in a
// reason), names Kubernetes or a runtime cannot hold, a missing justification, a bad address,
// a default that breaks its rule or looks like a credential.
func TestAccExternalSecret_refusedAtPlan(t *testing.T) {
	acctest.Vault(t)
	const lease = "\n  lease_renewal_strategy = \"renews\""
	cases := []struct{ access, attrs, want string }{
		{"eso", `plain_env = { PORT = { default = "1", reason = "x\nconsole.log(process.env)" } }`, `plain_env\["PORT"\]\.reason has a line break`},
		{"eso", `plain_env = { PORT = { default = "1", reason = "x\u2028process.exit(0);" } }`, `plain_env\["PORT"\]\.reason has a line or paragraph separator`},
		{"eso", `plain_env = { PORT = { default = "1", reason = "x\rimport sys" } }`, `plain_env\["PORT"\]\.reason has a line break`},
		{"eso", `plain_env = { PORT = { default = "a\u202eb", reason = "r" } }`, `plain_env\["PORT"\]\.default has a bidirectional control character`},
		{"eso", `plain_env = { DB_URL = { default = "postgres://app:hunter2@db/app", reason = "r" } }`, `(?s)plain_env.*looks like a credential`},
		{"eso", "plain_env = { PORT = { default = \"not-a-port\", reason = \"r\" } }\n  rules = { PORT = { type = \"port\" } }", `(?s)plain_env.*must be an integer from 1 to 65535`},
		{"eso", `rules = { NOPE = { type = "bool" } }`, `(?s)rules.*no environment variable of this app`},
		{"eso", `rules = { DATABASE_APP_PASSWORD = { type = "number" } }`, `(?s)rules.*value must be one of`},
		{"eso", `env_names = { "database/app.password" = "_DB_PASSWORD" }`, `(?s)env_names.*starting with a letter`},
		{"eso", `secret_store_name = "Vault Backend"`, `(?s)secret_store_name = "Vault Backend".*not a valid Kubernetes object name`},
		{"eso", `extra_read_paths = ["sys/*"]`, `(?s)extra_read_paths.*Vault system path`},
		{"eso", `direct_vault_justification = "a\n## heading"`, `(?s)direct_vault_justification = "a\\n## heading".*direct_vault_justification has a line break`},
		{"direct-vault", `vault_addr = "https://vault:8200"` + lease, `(?s)Direct-Vault justification missing.*set direct_vault_justification`},
		{"direct-vault", `vault_addr = "not a url"` + lease + "\n  direct_vault_justification = \"j\"", `(?s)vault_addr = "not a url".*must be a URL`},
		{"direct-vault", `vault_addr = "vault:8200"` + lease + "\n  direct_vault_justification = \"j\"", `(?s)vault_addr = "vault:8200".*must be a URL`},
		{"direct-vault", `vault_addr = "https://vault:8200"` + "\n  direct_vault_justification = \"j\"", `(?s)Lease strategy missing.*set lease_renewal_strategy`},
	}
	var steps []resource.TestStep
	for _, c := range cases {
		steps = append(steps, resource.TestStep{Config: fmt.Sprintf(`
data "mosaic_external_secret" "x" {
  environment          = "dev"
  service              = "plan-refusals"
  access               = %q
  field_names          = { "database/app" = ["password"] }
  kubernetes_namespace = "web"
  %s
}
`, c.access, c.attrs), ExpectError: regexp.MustCompile(c.want)})
	}
	steps = append(steps, resource.TestStep{Config: `
data "mosaic_external_secret" "x" {
  environment          = "dev"
  service              = "plan-refusals"
  field_names          = { "database/app" = ["password"] }
  kubernetes_namespace = "Web_NS"
}
`, ExpectError: regexp.MustCompile(`(?s)kubernetes_namespace = "Web_NS".*not a valid Kubernetes namespace`)})
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// The app side the data source renders, with the policy's example types and plan-valid but
// hostile text (quotes, backticks, the Go struct tag demonstration as a default, template and
// comment syntax), compiles and runs in node+tsc, pydantic v2 and v1 and go: it starts with
// every secret set, loads each default byte for byte, and stops naming a missing secret.
func TestAccExternalSecret_appSideRuns(t *testing.T) {
	acctest.Vault(t)
	rt := apptest.Runtimes(t)
	defaults := map[string]string{
		"GO_TAG":   "x`}; func init() { println(\"INJECTED\"); os.Exit(0) }; type x_y struct { q string `",
		"QUOTES":   `"'\ """ ''' */ <!-- --> ${x} %{y} %s`,
		"ENDPOINT": "https://api.stripe.com/v1",
		"CACHE":    "cache:6379",
	}
	var plain strings.Builder
	for name, d := range defaults {
		hcl, _ := json.Marshal(d) // an HCL string literal once ${ and %{ are escaped
		lit := strings.NewReplacer("${", "$${", "%{", "%%{").Replace(string(hcl))
		fmt.Fprintf(&plain, "    %s = { default = %s, reason = %s }\n", name, lit, lit)
	}
	config := fmt.Sprintf(`
resource "mosaic_app_secrets" "a" {
  environment         = "dev"
  service             = "app-side-runs"
  secrets             = { "jwt/signing-key" = { private_key = "k" }, "database/app" = { password = "p" } }
  delete_all_versions = true
}

data "mosaic_external_secret" "a" {
  environment          = mosaic_app_secrets.a.environment
  service              = mosaic_app_secrets.a.service
  field_names          = mosaic_app_secrets.a.field_names
  kubernetes_namespace = "web"
  env_names            = { "jwt/signing-key.private_key" = "JWT_SECRET" }
  plain_env = {
    PORT = { default = "3000", reason = "non-secret, the app works at any port" }
%s  }
  rules = { PORT = { type = "port" }, ENDPOINT = { type = "url" } }
}
`, plain.String())
	var ts, py, gosrc string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: config, Check: func(s *terraformState) error {
			attrs := s.RootModule().Resources["data.mosaic_external_secret.a"].Primary.Attributes
			ts, py, gosrc = attrs["zod_schema"], attrs["pydantic_settings"], attrs["go_config"]
			return nil
		}}},
	})
	runners := map[string]apptest.Runner{
		"node+zod": apptest.Node(t, rt["MOSAIC_NODE_MODULES"], ts), "python+pydantic-v2": apptest.Python(t, rt["MOSAIC_PYTHON_V2"], py),
		"python+pydantic-v1": apptest.Python(t, rt["MOSAIC_PYTHON_V1"], py), "go+envconfig": apptest.Go(t, gosrc),
	}
	names := []string{"PORT"}
	for n := range defaults {
		names = append(names, n)
	}
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"JWT_SECRET": strings.Repeat("s", 32), "DATABASE_APP_PASSWORD": "marker-pw", "MOSAIC_DUMP_NAMES": strings.Join(names, ",")}
			code, out := run(t, env)
			if code != 0 || strings.Contains(out, "marker-pw") {
				t.Fatalf("all set: exit %d:\n%s", code, out)
			}
			got := apptest.Dump(t, out)
			if got["PORT"] != 3000.0 {
				t.Errorf("PORT loaded as %#v", got["PORT"])
			}
			for n, d := range defaults {
				if got[n] != d {
					t.Errorf("%s loaded as %q, declared %q", n, got[n], d)
				}
			}
			delete(env, "JWT_SECRET")
			if code, out := run(t, env); code == 0 || !strings.Contains(out, "JWT_SECRET is required") || strings.Contains(out, "INJECTED") {
				t.Errorf("JWT_SECRET missing: exit %d:\n%s", code, out)
			}
			env["JWT_SECRET"] = strings.Repeat("s", 31)
			if code, out := run(t, env); code == 0 || !strings.Contains(out, "JWT_SECRET must be at least 32 characters") {
				t.Errorf("JWT_SECRET short: exit %d:\n%s", code, out)
			}
		})
	}
}
