package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

const (
	ghIssuer   = "https://token.actions.githubusercontent.com"
	ghAudience = "https://github.com/acme"
	k8sIssuer  = "https://kubernetes.default.svc.cluster.local"
	esoSubject = "system:serviceaccount:external-secrets:external-secrets"
)

// identityPlatform binds a GitHub Actions identity of acme/web@main to ci-writer-prod and
// ESO's service account to eso-reader-prod; the JWT auth method verifies both issuers' keys.
func identityPlatform(v *acctest.Server, keys ...string) string {
	quoted := make([]string, len(keys))
	for i, k := range keys {
		quoted[i] = fmt.Sprintf("%q", k)
	}
	return providerBlock(v, v.Token) + fmt.Sprintf(`
resource "mosaic_platform" "p" {
  services = { prod = ["web"], dev = ["web"] }
  jwt_auth = {
    jwt_validation_pubkeys = [%s]
  }
  ci_identities = {
    prod = {
      bound_audiences = [%q]
      bound_claims    = { repository = "acme/web", ref = "refs/heads/main" }
      token_ttl       = "20m"
    }
  }
  eso_identities = {
    prod = {
      bound_audiences = ["vault"]
      bound_subject   = %q
    }
  }
}
`, strings.Join(quoted, ", "), ghAudience, esoSubject)
}

// CI and ESO log in with the JWTs their platforms issue: the provider applies an app with a
// pipeline's ID token, and is refused in another environment, on an unlisted service, and with
// a wrong repository, an expired token or a wrong audience; ESO's token reads and writes nothing.
func TestAccIdentities_jwt(t *testing.T) {
	v := acctest.OwnVault(t)
	gh := acctest.NewIssuer(t, ghIssuer)
	k8s := acctest.NewIssuer(t, k8sIssuer)
	platform := identityPlatform(v, gh.PublicPEM(t), k8s.PublicPEM(t))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: platform,
			Check: vaultCheck(func() error {
				r := v.Role(t, "jwt", "ci-writer-prod")
				if r == nil || fmt.Sprint(r["token_policies"]) != "[ci-writer-prod]" || fmt.Sprint(r["token_ttl"]) != "1200" {
					return fmt.Errorf("ci-writer-prod JWT role: %v", r)
				}
				testAccCILogsIn(t, v, gh)
				testAccESOLogsIn(t, v, k8s)
				return nil
			}),
		}, {
			// A role edited by hand is seen and restored.
			PreConfig: func() {
				v.Write(t, "auth/jwt/role/ci-writer-prod", map[string]any{"role_type": "jwt", "bound_audiences": ghAudience,
					"user_claim": "sub", "token_policies": "ci-writer-prod,eso-reader-prod", "bound_claims": map[string]any{"repository": "acme/web"}})
			},
			Config: platform,
			Check: vaultCheck(func() error {
				if r := v.Role(t, "jwt", "ci-writer-prod"); fmt.Sprint(r["token_policies"]) != "[ci-writer-prod]" || fmt.Sprint(r["bound_claims"]) != "map[ref:refs/heads/main repository:acme/web]" {
					return fmt.Errorf("the tampered JWT role was not restored: %v", r)
				}
				return nil
			}),
		}},
		CheckDestroy: vaultCheck(func() error {
			auths, err := v.Client.Sys().ListAuth()
			if err != nil {
				return err
			}
			if _, ok := auths["jwt/"]; ok {
				return fmt.Errorf("the JWT auth method this resource enabled survived destroy")
			}
			return nil
		}),
	})
}

func testAccCILogsIn(t *testing.T, v *acctest.Server, gh *acctest.Issuer) {
	t.Helper()
	good := gh.GitHubActionsToken(t, ghAudience, "acme/web", "refs/heads/main", 10*time.Minute)
	prov := func(jwt string) string {
		return fmt.Sprintf("provider \"mosaic\" {\n  address = %q\n  auth_login_jwt {\n    role = \"ci-writer-prod\"\n    jwt  = %q\n  }\n}\n", v.Addr, jwt)
	}
	app := func(env, svc string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment         = %q
  service             = %q
  secrets             = { "database/app" = { password = "from-ci" } }
  delete_all_versions = true
}
`, env, svc)
	}
	offset := v.AuditOffset(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: prov(good) + app("prod", "web"), Check: vaultCheck(func() error {
				if d := v.KVData(t, "secret-prod", "web/database/app"); d["password"] != "from-ci" {
					return fmt.Errorf("the pipeline's apply did not land: %v", d)
				}
				return nil
			})},
			{Config: prov(good) + app("dev", "web"), ExpectError: wsRegexp(`Vault denied read on sys/mounts/secret-dev: the policies of the token from JWT role ci-writer-prod at auth/jwt lack the "read" capability`)},
			{Config: prov(good) + app("prod", "billing"), ExpectError: wsRegexp(`Vault denied read on sys/policies/acl/billing-prod: the policies of the token from JWT role ci-writer-prod at auth/jwt lack the "read" capability`)},
			{Config: prov(gh.GitHubActionsToken(t, ghAudience, "acme/other", "refs/heads/main", 10*time.Minute)) + app("prod", "web2"),
				ExpectError: wsRegexp(`JWT role ci-writer-prod at auth/jwt: login failed: Vault refused the credentials.*claim "repository" does not match`)},
			{Config: prov(gh.GitHubActionsToken(t, ghAudience, "acme/web", "refs/heads/main", -10*time.Minute)) + app("prod", "web2"),
				ExpectError: wsRegexp(`JWT role ci-writer-prod at auth/jwt: login failed.*expired`)},
			{Config: prov(gh.GitHubActionsToken(t, "https://github.com/evil", "acme/web", "refs/heads/main", 10*time.Minute)) + app("prod", "web2"),
				ExpectError: wsRegexp(`JWT role ci-writer-prod at auth/jwt: login failed.*audience`)},
		},
	})
	for _, w := range v.WritesSince(t, offset) {
		if strings.Contains(w, "web2") || strings.Contains(w, "secret-dev/") || strings.Contains(w, "billing") {
			t.Errorf("a refused login or a denied apply wrote %s", w)
		}
		if strings.Contains(w, "auth/token/create") {
			t.Errorf("the provider made a child token: %s", w)
		}
	}
}

func testAccESOLogsIn(t *testing.T, v *acctest.Server, k8s *acctest.Issuer) {
	t.Helper()
	v.Write(t, "secret-prod/data/eso-probe/database/app", map[string]any{"data": map[string]any{"password": "p"}})
	login, err := v.Client.Logical().Write("auth/jwt/login", map[string]any{"role": "eso-reader-prod", "jwt": k8s.KubernetesToken(t, "vault", "external-secrets", "external-secrets")})
	if err != nil {
		t.Fatalf("ESO's service account token does not log in: %v", err)
	}
	eso, _ := v.Client.Clone()
	eso.SetToken(login.Auth.ClientToken)
	mustAllow(t, eso, []attack{{"ESO reads an app's secret", "read", "secret-prod/data/eso-probe/database/app", nil}})
	mustDeny(t, eso, []attack{
		{"ESO writes a secret", "write", "secret-prod/data/eso-probe/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
		{"ESO reads another environment", "read", "secret-dev/data/web/database/app", nil},
		{"ESO writes a policy", "write", "sys/policies/acl/eso-probe-prod", map[string]any{"policy": "path \"*\" {}"}},
	})
	// Another service account of the cluster is refused.
	if _, err := v.Client.Logical().Write("auth/jwt/login", map[string]any{"role": "eso-reader-prod", "jwt": k8s.KubernetesToken(t, "vault", "default", "default")}); err == nil ||
		!regexp.MustCompile(`sub`).MatchString(err.Error()) {
		t.Errorf("another service account logged in as ESO: %v", err)
	}
	v.Delete(t, "secret-prod/metadata/eso-probe/database/app")
}

// A JWT auth method that was there before is adopted: its roles are written and removed, the
// method itself stays after destroy.
func TestAccIdentities_adoptedMount(t *testing.T) {
	v := acctest.OwnVault(t)
	if err := v.Client.Sys().EnableAuthWithOptions("gha", &api.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	gh := acctest.NewIssuer(t, ghIssuer)
	cfg := providerBlock(v, v.Token) + fmt.Sprintf(`
resource "mosaic_platform" "p" {
  environments = ["dev"]
  services     = { dev = ["web"] }
  jwt_auth     = { mount = "gha", jwt_validation_pubkeys = [%q], bound_issuer = %q }
  ci_identities = {
    dev = { bound_audiences = [%q], bound_claims = { repository = "acme/web" } }
  }
}
`, gh.PublicPEM(t), ghIssuer, ghAudience)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: cfg, Check: vaultCheck(func() error {
			if v.Role(t, "gha", "ci-writer-dev") == nil {
				return fmt.Errorf("no ci-writer-dev role in the adopted JWT auth method")
			}
			return nil
		})}},
		CheckDestroy: vaultCheck(func() error {
			auths, err := v.Client.Sys().ListAuth()
			if err != nil {
				return err
			}
			if _, ok := auths["gha/"]; !ok {
				return fmt.Errorf("destroy disabled a JWT auth method it did not enable")
			}
			if v.Role(t, "gha", "ci-writer-dev") != nil {
				return fmt.Errorf("destroy left the role it wrote")
			}
			return nil
		}),
	})
}
