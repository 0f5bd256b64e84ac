package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/vault/api"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

const (
	ghIssuer   = "https://token.actions.githubusercontent.com"
	ghAudience = "https://github.com/acme"
	devK8s     = "https://dev.k8s.acme.internal"
	prodK8s    = "https://prod.k8s.acme.internal"
	platAddr   = "mosaic_platform.p"
)

// issuerKeys are the keys of the three issuers the tests sign tokens with: GitHub Actions and
// two clusters, dev and prod.
type issuerKeys struct{ gh, dev, prod *acctest.Issuer }

func newIssuerKeys(t *testing.T) issuerKeys {
	return issuerKeys{acctest.NewIssuer(t, ghIssuer), acctest.NewIssuer(t, devK8s), acctest.NewIssuer(t, prodK8s)}
}

// issuersConfig declares the three issuers, each on its own mount; the clusters serve only
// their own environment.
func issuersConfig(t *testing.T, k issuerKeys, ghMount, prodMount string) string {
	return fmt.Sprintf(`
  issuers = {
    github       = { mount = %q, bound_issuer = %q, jwt_validation_pubkeys = [%q] }
    cluster-dev  = { bound_issuer = %q, jwt_validation_pubkeys = [%q], environments = ["dev"] }
    cluster-prod = { mount = %q, bound_issuer = %q, jwt_validation_pubkeys = [%q], environments = ["prod"] }
  }
`, ghMount, ghIssuer, k.gh.PublicPEM(t), devK8s, k.dev.PublicPEM(t), prodMount, prodK8s, k.prod.PublicPEM(t))
}

// identityPlatform: web and billing in dev and prod, each prod pipeline bound to its protected
// GitHub environment, dev's web pipeline to main; ESO per namespace (shop holds web, payments
// holds billing in prod; dev's shop holds both), each cluster on its own mount.
func identityPlatform(t *testing.T, v *acctest.Server, token string, k issuerKeys) string {
	return providerBlock(v, token) + `
resource "mosaic_platform" "p" {
  allow_destroy_with_secrets = true
  services = { dev = ["web", "billing"], prod = ["web", "billing"] }` + issuersConfig(t, k, "jwt-github", "jwt-cluster-prod") + fmt.Sprintf(`
  ci_identities = {
    "prod/web"     = { issuer = "github", services = ["web"], bound_audiences = [%[1]q], bound_subject = "repo:acme/web:environment:prod", token_ttl = "20m" }
    "prod/billing" = { issuer = "github", services = ["billing"], bound_audiences = [%[1]q], bound_subject = "repo:acme/billing:environment:prod" }
    "dev/web"      = { issuer = "github", services = ["web"], bound_audiences = [%[1]q], bound_subject = "repo:acme/web:ref:refs/heads/main" }
  }
  eso_identities = {
    "prod/shop"     = { issuer = "cluster-prod", services = ["web"], bound_audiences = ["vault"] }
    "prod/payments" = { issuer = "cluster-prod", services = ["billing"], bound_audiences = ["vault"] }
    "dev/shop"      = { issuer = "cluster-dev", services = ["web", "billing"], bound_audiences = ["vault"] }
  }
}
`, ghAudience)
}

// jwtLogin logs in at auth/{mount} as role with a signed JWT.
func jwtLogin(v *acctest.Server, mount, role, jwt string) (*api.Client, error) {
	s, err := v.Client.Logical().Write("auth/"+mount+"/login", map[string]any{"role": role, "jwt": jwt})
	if err != nil {
		return nil, err
	}
	c, _ := v.Client.Clone()
	c.SetToken(s.Auth.ClientToken)
	return c, nil
}

// seedIdentityTargets writes what the attacks aim at: each app's secret and bootstrap entry.
func seedIdentityTargets(t *testing.T, v *acctest.Server) {
	for _, p := range []string{"secret-prod/data/web/database/app", "secret-prod/data/web-bootstrap/approle/credentials",
		"secret-prod/data/billing/stripe/api", "secret-prod/data/billing-bootstrap/approle/credentials", "secret-dev/data/web/database/app"} {
		v.Write(t, p, map[string]any{"data": map[string]any{"password": "target"}})
	}
}

// The trust boundaries, tried as an attacker with tokens signed the way each issuer signs them:
// the dev cluster's tokens reach nothing in prod (with prod's namespace and service account
// names, with prod's issuer URL, with GitHub's claims); a pipeline's token does not log in as
// another pipeline nor write its services; jobs outside the protected environment do not get
// prod; ESO of one namespace reads neither another namespace's secrets nor its bootstrap entry.
func TestAccIdentities_trustBoundaries(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: identityPlatform(t, v, v.Token, k),
			Check: vaultCheck(func() error {
				seedIdentityTargets(t, v)
				testAccDevClusterReachesNoProd(t, v, k)
				testAccPipelinesApart(t, v, k)
				testAccESONamespacesApart(t, v, k)
				return nil
			}),
		}, {
			Config: identityPlatform(t, v, v.Token, k),
			Check: vaultCheck(func() error {
				testAccPipelineApplies(t, v, k.gh)
				return nil
			}),
		}},
		CheckDestroy: vaultCheck(func() error {
			auths, err := v.Client.Sys().ListAuth()
			if err != nil {
				return err
			}
			for _, m := range []string{"jwt-github/", "jwt-cluster-dev/", "jwt-cluster-prod/"} {
				if _, ok := auths[m]; ok {
					return fmt.Errorf("the JWT auth method %s this resource enabled survived destroy", m)
				}
			}
			if p := v.Policy(t, "ci-writer-prod-web"); p != "" {
				return fmt.Errorf("the pipeline policy survived destroy")
			}
			return nil
		}),
	})
}

func mustRefuseLogin(t *testing.T, v *acctest.Server, what, mount, role, jwt string) {
	t.Helper()
	if _, err := jwtLogin(v, mount, role, jwt); err == nil {
		t.Errorf("%s: logged in at auth/%s as %s", what, mount, role)
	}
}

func testAccDevClusterReachesNoProd(t *testing.T, v *acctest.Server, k issuerKeys) {
	t.Helper()
	devShop := k.dev.KubernetesToken(t, "vault", "shop", "external-secrets") // the same namespace and SA names as prod's
	mustRefuseLogin(t, v, "dev cluster token at the prod cluster's mount", "jwt-cluster-prod", "eso-reader-prod-shop", devShop)
	mustRefuseLogin(t, v, "dev cluster token at its own mount as a prod role", "jwt-cluster-dev", "eso-reader-prod-shop", devShop)
	mustRefuseLogin(t, v, "dev cluster key claiming the prod issuer", "jwt-cluster-prod", "eso-reader-prod-shop",
		k.dev.Claiming(prodK8s).KubernetesToken(t, "vault", "shop", "external-secrets"))
	ghShaped := k.dev.Claiming(ghIssuer).GitHubToken(t, ghAudience, acctest.GitHubJob{Repo: "acme/web", Ref: "refs/heads/main", Environment: "prod"}, 10*time.Minute)
	mustRefuseLogin(t, v, "dev cluster key signing GitHub's claims", "jwt-github", "ci-writer-prod-web", ghShaped)
	mustRefuseLogin(t, v, "dev cluster key, GitHub's claims, at its own mount", "jwt-cluster-dev", "ci-writer-prod-web", ghShaped)
	// What the dev cluster may do: its own namespace's dev secrets, nothing of prod.
	dev, err := jwtLogin(v, "jwt-cluster-dev", "eso-reader-dev-shop", devShop)
	if err != nil {
		t.Fatalf("the dev cluster's ESO does not log in as eso-reader-dev-shop: %v", err)
	}
	mustAllow(t, dev, []attack{{"dev ESO reads dev web", "read", "secret-dev/data/web/database/app", nil}})
	mustDeny(t, dev, []attack{
		{"dev ESO reads prod web", "read", "secret-prod/data/web/database/app", nil},
		{"dev ESO reads a prod bootstrap entry", "read", "secret-prod/data/billing-bootstrap/approle/credentials", nil},
	})
}

func testAccPipelinesApart(t *testing.T, v *acctest.Server, k issuerKeys) {
	t.Helper()
	webProd := acctest.GitHubJob{Repo: "acme/web", Ref: "refs/heads/main", Environment: "prod"}
	tok := k.gh.GitHubToken(t, ghAudience, webProd, 10*time.Minute)
	mustRefuseLogin(t, v, "repo A's token as repo B's pipeline", "jwt-github", "ci-writer-prod-billing", tok)
	mustRefuseLogin(t, v, "a GitHub token at a cluster's mount", "jwt-cluster-prod", "eso-reader-prod-shop", tok)
	for what, job := range map[string]acctest.GitHubJob{
		"a push to main outside the protected environment": {Repo: "acme/web", Ref: "refs/heads/main"},
		"a pull_request_target run (on the base ref)":      {Repo: "acme/web", Ref: "refs/heads/main", Event: "pull_request_target"},
		"a job of another environment":                     {Repo: "acme/web", Ref: "refs/heads/main", Environment: "staging"},
		"a pull request":                                   {Repo: "acme/web", Ref: "refs/pull/1/merge", Event: "pull_request"},
		"another repository's prod environment":            {Repo: "acme/webshop", Ref: "refs/heads/main", Environment: "prod"},
	} {
		mustRefuseLogin(t, v, what, "jwt-github", "ci-writer-prod-web", k.gh.GitHubToken(t, ghAudience, job, 10*time.Minute))
	}
	if _, err := jwtLogin(v, "jwt-github", "ci-writer-dev-web", k.gh.GitHubToken(t, ghAudience, acctest.GitHubJob{Repo: "acme/web", Ref: "refs/heads/main"}, 10*time.Minute)); err != nil {
		t.Errorf("the dev pipeline does not log in: %v", err)
	}
	ci, err := jwtLogin(v, "jwt-github", "ci-writer-prod-web", tok)
	if err != nil {
		t.Fatalf("the prod web pipeline does not log in: %v", err)
	}
	mustAllow(t, ci, []attack{{"web pipeline writes web", "write", "secret-prod/data/web/database/app", map[string]any{"data": map[string]any{"password": "ci"}}}})
	mustDeny(t, ci, []attack{
		{"web pipeline writes billing", "write", "secret-prod/data/billing/stripe/api", map[string]any{"data": map[string]any{"token": "x"}}},
		{"web pipeline reads billing's bootstrap entry", "read", "secret-prod/data/billing-bootstrap/approle/credentials", nil},
		{"web pipeline writes billing's policy", "write", "sys/policies/acl/billing-prod", map[string]any{"policy": `path "*" { capabilities = ["read"] }`}},
		{"web pipeline writes billing's role", "write", "auth/approle/role/billing-prod", map[string]any{"token_policies": "billing-prod"}},
		{"web pipeline rebinds its JWT role", "write", "auth/jwt-github/role/ci-writer-prod-web", map[string]any{"token_policies": "ci-writer-prod"}},
		{"web pipeline writes dev", "write", "secret-dev/data/web/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
	})
}

func testAccESONamespacesApart(t *testing.T, v *acctest.Server, k issuerKeys) {
	t.Helper()
	shop, err := jwtLogin(v, "jwt-cluster-prod", "eso-reader-prod-shop", k.prod.KubernetesToken(t, "vault", "shop", "external-secrets"))
	if err != nil {
		t.Fatalf("shop's ESO does not log in: %v", err)
	}
	mustAllow(t, shop, []attack{
		{"shop reads web", "read", "secret-prod/data/web/database/app", nil},
		{"shop reads web's bootstrap entry", "read", "secret-prod/data/web-bootstrap/approle/credentials", nil},
	})
	mustDeny(t, shop, []attack{
		{"shop reads billing", "read", "secret-prod/data/billing/stripe/api", nil},
		{"shop reads billing's bootstrap entry", "read", "secret-prod/data/billing-bootstrap/approle/credentials", nil},
		{"shop lists the mount", "list", "secret-prod/metadata", nil},
		{"shop writes web", "write", "secret-prod/data/web/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
	})
	for what, tok := range map[string]string{
		"payments' service account":       k.prod.KubernetesToken(t, "vault", "payments", "external-secrets"),
		"another service account of shop": k.prod.KubernetesToken(t, "vault", "shop", "default"),
		"the right SA, another audience":  k.prod.KubernetesToken(t, "other", "shop", "external-secrets"),
	} {
		mustRefuseLogin(t, v, what+" as shop's ESO", "jwt-cluster-prod", "eso-reader-prod-shop", tok)
	}
	mustRefuseLogin(t, v, "shop's SA as payments' ESO", "jwt-cluster-prod", "eso-reader-prod-payments", k.prod.KubernetesToken(t, "vault", "shop", "external-secrets"))
}

// testAccPipelineApplies: the provider applies an app with the pipeline's ID token, and Vault
// refuses the pipeline another pipeline's service.
func testAccPipelineApplies(t *testing.T, v *acctest.Server, gh *acctest.Issuer) {
	t.Helper()
	tok := gh.GitHubToken(t, ghAudience, acctest.GitHubJob{Repo: "acme/web", Ref: "refs/heads/main", Environment: "prod"}, 10*time.Minute)
	prov := fmt.Sprintf("provider \"mosaic\" {\n  address = %q\n  auth_login_jwt {\n    mount = \"jwt-github\"\n    role  = \"ci-writer-prod-web\"\n    jwt   = %q\n  }\n}\n", v.Addr, tok)
	app := func(svc string) string {
		return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment         = "prod"
  service             = %q
  secrets             = { "database/app" = { password = "from-ci" } }
  delete_all_versions = true
}
`, svc)
	}
	v.Delete(t, "secret-prod/metadata/web/database/app")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: prov + app("web"), Check: vaultCheck(func() error {
				if d := v.KVData(t, "secret-prod", "web/database/app"); d["password"] != "from-ci" {
					return fmt.Errorf("the pipeline's apply did not land: %v", d)
				}
				return nil
			})},
			{Config: prov + app("billing"), ExpectError: wsRegexp(`Vault denied .*billing.*JWT role ci-writer-prod-web at auth/jwt-github`)},
		},
	})
}

// driftSummaries reads what the plan compares: every role's and the issuers' configuration.
func driftSummaries(t *testing.T, v *acctest.Server) string {
	var b strings.Builder
	for _, r := range []string{"jwt-github/ci-writer-prod-web", "jwt-cluster-prod/eso-reader-prod-shop"} {
		mount, name := splitRoleKey(r)
		fmt.Fprintf(&b, "%s: %s\n", r, roleSummary(v.Role(t, mount, name)))
	}
	for _, m := range []string{"jwt-github", "jwt-cluster-prod"} {
		s, err := v.Client.Logical().Read("auth/" + m + "/config")
		if err != nil || s == nil {
			fmt.Fprintf(&b, "%s: missing (%v)\n", m, err)
			continue
		}
		fmt.Fprintf(&b, "%s: %s\n", m, configSummary(s.Data))
	}
	return b.String()
}

// Every security-relevant field the platform writes, changed in Vault, shows in the plan as an
// update of the platform and apply restores it: the issuers' keys and bound_issuer, each role
// field, a deleted role, a disabled method.
func TestAccIdentities_drift(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	attacker := acctest.NewIssuer(t, ghIssuer)
	cfg := identityPlatform(t, v, v.Token, k)
	var want string
	role := "auth/jwt-github/role/ci-writer-prod-web"
	tampers := []struct {
		name string
		do   func()
	}{
		{"an extra trusted key", func() {
			v.Write(t, "auth/jwt-github/config", map[string]any{"bound_issuer": ghIssuer, "jwt_validation_pubkeys": []string{k.gh.PublicPEM(t), attacker.PublicPEM(t)}})
		}},
		{"bound_issuer", func() {
			v.Write(t, "auth/jwt-cluster-prod/config", map[string]any{"bound_issuer": devK8s, "jwt_validation_pubkeys": []string{k.prod.PublicPEM(t)}})
		}},
		{"bound_issuer removed", func() {
			v.Write(t, "auth/jwt-github/config", map[string]any{"jwt_validation_pubkeys": []string{k.gh.PublicPEM(t)}})
		}},
		{"token_period", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_period": "768h"}) }},
		{"token_max_ttl", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_max_ttl": "720h"}) }},
		{"token_explicit_max_ttl", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_explicit_max_ttl": "720h"}) }},
		{"token_num_uses", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_num_uses": 1000}) }},
		{"token_type", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_type": "batch"}) }},
		{"bound_claims_type", func() {
			v.Write(t, role, map[string]any{"role_type": "jwt", "bound_claims_type": "glob", "bound_claims": map[string]any{"repository": "*"}})
		}},
		{"token_bound_cidrs", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_bound_cidrs": "10.0.0.0/8"}) }},
		{"bound_cidrs", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "bound_cidrs": "192.168.0.0/16"}) }},
		{"clock_skew_leeway", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "clock_skew_leeway": 86400}) }},
		{"expiration_leeway", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "expiration_leeway": 86400}) }},
		{"not_before_leeway", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "not_before_leeway": 86400}) }},
		{"bound_audiences", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "bound_audiences": "sts.amazonaws.com"}) }},
		{"bound_subject", func() {
			v.Write(t, role, map[string]any{"role_type": "jwt", "bound_subject": "repo:evil/x:ref:refs/heads/main"})
		}},
		{"token_policies", func() {
			v.Write(t, role, map[string]any{"role_type": "jwt", "token_policies": "ci-writer-prod-web,ci-writer-prod-billing"})
		}},
		{"token_no_default_policy", func() { v.Write(t, role, map[string]any{"role_type": "jwt", "token_no_default_policy": true}) }},
		{"an ESO role's subject", func() {
			v.Write(t, "auth/jwt-cluster-prod/role/eso-reader-prod-shop", map[string]any{"role_type": "jwt", "bound_subject": "system:serviceaccount:payments:external-secrets"})
		}},
		{"role deleted", func() { v.Delete(t, role) }},
		{"method disabled", func() {
			if err := v.Client.Sys().DisableAuth("jwt-cluster-prod"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	steps := []resource.TestStep{{Config: cfg, Check: vaultCheck(func() error {
		want = driftSummaries(t, v)
		return nil
	})}}
	for _, tc := range tampers {
		steps = append(steps, resource.TestStep{
			PreConfig: tc.do,
			Config:    cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(platAddr, plancheck.ResourceActionUpdate),
			}},
			Check: vaultCheck(func() error {
				if got := driftSummaries(t, v); got != want {
					return fmt.Errorf("%s: not repaired:\n%s\nwant:\n%s", tc.name, got, want)
				}
				return nil
			}),
		})
	}
	resource.Test(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}

// Moving an issuer's mount removes what the resource had enabled at the old one: a method it
// enabled is disabled; at a method it adopted, its roles are deleted and the method stays.
func TestAccIdentities_mountMoves(t *testing.T) {
	v := acctest.OwnVault(t)
	if err := v.Client.Sys().EnableAuthWithOptions("k8s", &api.EnableAuthOptions{Type: "jwt"}); err != nil {
		t.Fatal(err)
	}
	k := newIssuerKeys(t)
	cfg := func(gh, prod string) string {
		return providerBlock(v, v.Token) + `
resource "mosaic_platform" "p" {
  environments = ["prod"]
  services     = { prod = ["web"] }` + strings.Replace(issuersConfig(t, k, gh, prod), `    cluster-dev `, `    # cluster-dev `, 1) + fmt.Sprintf(`
  ci_identities  = { "prod/web" = { issuer = "github", services = ["web"], bound_audiences = [%q], bound_subject = "repo:acme/web:environment:prod" } }
  eso_identities = { "prod/shop" = { issuer = "cluster-prod", services = ["web"], bound_audiences = ["vault"] } }
}
`, ghAudience)
	}
	enabled := func(m string) bool {
		auths, err := v.Client.Sys().ListAuth()
		if err != nil {
			t.Fatal(err)
		}
		_, ok := auths[m+"/"]
		return ok
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg("ci-a", "k8s"),
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckResourceAttr(platAddr, "managed_auth_mounts.#", "1"),
				resource.TestCheckResourceAttr(platAddr, "managed_auth_mounts.0", "ci-a"),
				vaultCheck(func() error {
					if v.Role(t, "k8s", "eso-reader-prod-shop") == nil || v.Role(t, "ci-a", "ci-writer-prod-web") == nil {
						return fmt.Errorf("roles missing")
					}
					return nil
				})),
		}, {
			Config: cfg("ci-b", "k8s-2"),
			Check: vaultCheck(func() error {
				if enabled("ci-a") {
					return fmt.Errorf("the method it enabled at the old mount ci-a is still live")
				}
				if !enabled("k8s") {
					return fmt.Errorf("the adopted method k8s was disabled")
				}
				if v.Role(t, "k8s", "eso-reader-prod-shop") != nil {
					return fmt.Errorf("the role at the adopted old mount k8s is still live")
				}
				if v.Role(t, "ci-b", "ci-writer-prod-web") == nil || v.Role(t, "k8s-2", "eso-reader-prod-shop") == nil {
					return fmt.Errorf("roles missing at the new mounts")
				}
				return nil
			}),
		}},
		CheckDestroy: vaultCheck(func() error {
			if enabled("ci-b") || enabled("k8s-2") || !enabled("k8s") {
				return fmt.Errorf("destroy: ci-b %v, k8s-2 %v (want both gone), k8s %v (want kept)", enabled("ci-b"), enabled("k8s-2"), enabled("k8s"))
			}
			return nil
		}),
	})
}

// beforeRoles checks the refreshed state the plan starts from: jwt_roles holds want and not
// absent.
type beforeRoles struct{ want, absent string }

func (c beforeRoles) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != platAddr {
			continue
		}
		before, _ := json.Marshal(rc.Change.Before.(map[string]any)["jwt_roles"])
		var roles map[string]any
		_ = json.Unmarshal(before, &roles)
		if _, ok := roles[c.want]; !ok {
			resp.Error = fmt.Errorf("the state lost the role it wrote (%s): %s", c.want, before)
		}
		if _, ok := roles[c.absent]; ok {
			resp.Error = fmt.Errorf("the state records a role that was never written (%s): %s", c.absent, before)
		}
		return
	}
	resp.Error = fmt.Errorf("no change for %s", platAddr)
}

// A failed apply records only what it wrote: Vault refuses one role, the state keeps the one
// written before it and not the refused one, and the next apply writes it.
func TestAccIdentities_failedApplyRecordsOnlyWrites(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	v.Write(t, "sys/policies/acl/all-but-billing-role", map[string]any{"policy": `
path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }
path "auth/jwt-github/role/ci-writer-prod-billing" { capabilities = ["deny"] }
`})
	limited := tokenWith(t, v, "all-but-billing-role").Token()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      identityPlatform(t, v, limited, k),
			ExpectError: wsRegexp(`Cannot write JWT role.*auth/jwt-github/role/ci-writer-prod-billing`),
		}, {
			Config: identityPlatform(t, v, v.Token, k),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				beforeRoles{want: "jwt-cluster-dev/eso-reader-dev-shop", absent: "jwt-github/ci-writer-prod-billing"},
			}},
			Check: vaultCheck(func() error {
				if v.Role(t, "jwt-github", "ci-writer-prod-billing") == nil {
					return fmt.Errorf("the next apply did not write the refused role")
				}
				return nil
			}),
		}},
	})
}

// A second mosaic_platform (another state) over the same Vault is refused before it writes
// anything, with the way to import; import then adopts the platform.
func TestAccIdentities_secondPlatformRefused(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	// The import step needs the provider's source as the harness serves it (OpenTofu).
	cfg := requiredProviders() + identityPlatform(t, v, v.Token, k)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: cfg,
			Check: vaultCheck(func() error {
				offset := v.AuditOffset(t)
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					Steps: []resource.TestStep{{
						Config:      cfg,
						ExpectError: wsRegexp(`Vault already has a mosaic_platform.*terraform import <address> platform`),
					}, {
						Config: cfg, ResourceName: platAddr, ImportState: true, ImportStateId: "platform",
						ImportStateCheck: func(s []*terraform.InstanceState) error {
							if len(s) != 1 || s[0].Attributes["owner_id"] == "" {
								return fmt.Errorf("import did not adopt the platform's owner: %v", s)
							}
							return nil
						},
					}},
				})
				if w := v.WritesSince(t, offset); len(w) > 0 {
					return fmt.Errorf("the refused platform wrote to Vault: %v", w)
				}
				return nil
			}),
		}},
	})
}

// undeclaredInState checks the refreshed state the plan starts from: jwt_roles lists each key
// as a role the platform does not declare.
type undeclaredInState []string

func (c undeclaredInState) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != platAddr {
			continue
		}
		roles, _ := rc.Change.Before.(map[string]any)["jwt_roles"].(map[string]any)
		for _, key := range c {
			if s, _ := roles[key].(string); !strings.HasPrefix(s, undeclaredRole) {
				resp.Error = fmt.Errorf("jwt_roles does not show %s as undeclared: %q", key, s)
				return
			}
		}
		return
	}
	resp.Error = fmt.Errorf("no change for %s", platAddr)
}

// A role added by hand at an issuer's mount (a backdoor: any GitHub repository's token, or any
// namespace's service account, gets a writer's or a reader's policy) shows in the plan as an
// update of the platform, and apply deletes it: the backdoor token, which logged in before,
// is refused after; the declared roles stay.
func TestAccIdentities_undeclaredRoleDeleted(t *testing.T) {
	v := acctest.OwnVault(t)
	k := newIssuerKeys(t)
	cfg := identityPlatform(t, v, v.Token, k)
	evil := acctest.GitHubJob{Repo: "evil/x", Ref: "refs/heads/main"}
	backdoors := []struct{ mount, role, jwt string }{
		{"jwt-github", "backdoor", k.gh.GitHubToken(t, ghAudience, evil, time.Hour)},
		{"jwt-cluster-prod", "eso-any", k.prod.KubernetesToken(t, "vault", "evil", "default")},
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{Config: cfg}, {
			PreConfig: func() {
				v.Write(t, "auth/jwt-github/role/backdoor", map[string]any{"role_type": "jwt", "user_claim": "sub",
					"bound_audiences": ghAudience, "bound_subject": evil.Subject(), "token_policies": "ci-writer-prod"})
				v.Write(t, "auth/jwt-cluster-prod/role/eso-any", map[string]any{"role_type": "jwt", "user_claim": "sub",
					"bound_audiences": "vault", "bound_subject": "system:serviceaccount:evil:default", "token_policies": "eso-reader-prod-payments"})
				for _, b := range backdoors {
					if _, err := jwtLogin(v, b.mount, b.role, b.jwt); err != nil {
						t.Fatalf("the backdoor %s/%s does not log in before the apply, so the test proves nothing: %v", b.mount, b.role, err)
					}
				}
			},
			Config: cfg,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction(platAddr, plancheck.ResourceActionUpdate),
				undeclaredInState{"jwt-github/backdoor", "jwt-cluster-prod/eso-any"},
			}},
			Check: resource.ComposeTestCheckFunc(
				resource.TestCheckNoResourceAttr(platAddr, "jwt_roles.jwt-github/backdoor"),
				vaultCheck(func() error {
					for _, b := range backdoors {
						if _, err := jwtLogin(v, b.mount, b.role, b.jwt); err == nil {
							return fmt.Errorf("the backdoor %s/%s still logs in after apply", b.mount, b.role)
						}
					}
					if v.Role(t, "jwt-github", "ci-writer-prod-web") == nil || v.Role(t, "jwt-cluster-prod", "eso-reader-prod-shop") == nil {
						return fmt.Errorf("apply deleted a declared role")
					}
					return nil
				})),
		}},
	})
}
