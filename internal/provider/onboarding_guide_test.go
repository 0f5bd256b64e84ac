package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/docsnippets"
)

// The onboarding guide, followed as written against an empty Vault: its blocks are taken from
// docs/guides/onboarding.md by their markers and applied in its order, in its two workspaces
// (the platform team's with an admin token; the pipeline's logging in with its ID token),
// with lab keys standing in for GitHub's and the cluster's. After each step Vault is checked
// through its API, and each identity logs in and is refused what it must not reach.
func TestAccOnboardingGuide(t *testing.T) {
	v := acctest.OwnVault(t)
	root, err := docsnippets.Root()
	if err != nil {
		t.Fatal(err)
	}
	blocks, err := docsnippets.File(root, "docs/guides/onboarding.md")
	if err != nil {
		t.Fatal(err)
	}
	guide, err := docsnippets.Onboarding(blocks)
	if err != nil {
		t.Fatal(err)
	}
	gh, k8s := acctest.NewIssuer(t, ghIssuer), acctest.NewIssuer(t, guideClusterIssuer)
	lab := labKeys(t, gh)
	// Step 3's cluster keys are a variable of the platform's workspace: the lab cluster's key.
	keys, _ := json.Marshal([]string{k8s.PublicPEM(t)})
	t.Setenv("TF_VAR_cluster_prod_keys", string(keys))
	// The guide's source address, served in process; its provider blocks read VAULT_ADDR and
	// VAULT_TOKEN (the admin's) or TERRAFORM_VAULT_AUTH_JWT (the pipeline's ID token).
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "mosaicstack")
	t.Setenv("VAULT_ADDR", v.Addr)
	t.Setenv("VAULT_TOKEN", v.Token)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// 1. The platform.
			Config: guide.Platform[0],
			Check: vaultCheck(func() error {
				mounts, err := v.Client.Sys().ListMounts()
				if err != nil {
					return err
				}
				for _, env := range []string{"dev", "staging", "prod"} {
					if m := mounts["secret-"+env+"/"]; m == nil || m.Type != "kv" || m.Options["version"] != "2" {
						return fmt.Errorf("step 1: no KV v2 mount secret-%s: %v", env, m)
					}
					for _, p := range []string{"eso-reader-" + env, "ci-writer-" + env} {
						if v.Policy(t, p) == "" {
							return fmt.Errorf("step 1: no policy %s", p)
						}
					}
				}
				return nil
			}),
		}, {
			// 2. The CI identity.
			Config: lab.apply(t, guide.Platform[1]),
			Check: vaultCheck(func() error {
				r := v.Role(t, guideCIMount, guideCIRole)
				if fmt.Sprint(r["token_policies"]) != "["+guideCIRole+"]" || r["bound_subject"] != "repo:acme/platform-secrets:environment:prod" {
					return fmt.Errorf("step 2: the CI role: %v", r)
				}
				for name, job := range map[string]acctest.GitHubJob{
					"another repository":                     {Repo: "acme/other", Ref: "refs/heads/main", Environment: "prod"},
					"main without the protected environment": {Repo: "acme/platform-secrets", Ref: "refs/heads/main"},
					"another environment":                    {Repo: "acme/platform-secrets", Ref: "refs/heads/main", Environment: "staging"},
				} {
					if _, err := jwtLogin(v, guideCIMount, guideCIRole, gh.GitHubToken(t, ghAudience, job, 10*time.Minute)); err == nil {
						return fmt.Errorf("step 2: a job of %s logged in as %s", name, guideCIRole)
					}
				}
				return nil
			}),
		}, {
			// 3. The ESO identity; then, with the platform in place, the pipeline's workspace.
			Config: lab.apply(t, guide.Platform[2]),
			Check: vaultCheck(func() error {
				if r := v.Role(t, guideESOMount, guideESORole); fmt.Sprint(r["token_policies"]) != "["+guideESORole+"]" {
					return fmt.Errorf("step 3: the ESO role: %v", r)
				}
				testAccOnboardingPipeline(t, v, guide.Pipeline, gh, k8s)
				// The pipeline's destroy soft-deleted its secret (recoverable); the platform
				// refuses to drop a mount that holds one, so the admin purges it for the test's
				// own destroy.
				v.Delete(t, "secret-prod/metadata/web/database/app")
				return nil
			}),
		}},
	})
}

// testAccOnboardingPipeline runs steps 4 to 6 in the pipeline's workspace: the first app,
// the plan review, and a rotation; ESO's token reads the app's secret and nothing else.
func testAccOnboardingPipeline(t *testing.T, v *acctest.Server, config string, gh, k8s *acctest.Issuer) {
	t.Helper()
	t.Setenv("VAULT_TOKEN", "")            // the pipeline has no token: only its ID token
	defer t.Setenv("VAULT_TOKEN", v.Token) // the platform workspace's, for its destroy
	t.Setenv("TERRAFORM_VAULT_AUTH_JWT", gh.GitHubToken(t, ghAudience,
		acctest.GitHubJob{Repo: "acme/platform-secrets", Ref: "refs/heads/main", Environment: "prod"}, 15*time.Minute))
	const pw1, pw2 = "first-value-4f1c9a", "rotated-value-8d2e7b"
	t.Setenv("TF_VAR_db_password", pw1)
	// 6. Rotation: "bump secrets_wo_version", with the new value.
	rotated := strings.Replace(config, "secrets_wo_version = 1", "secrets_wo_version = 2", 1)
	if rotated == config {
		t.Fatal("the guide's first app has no `secrets_wo_version = 1` to bump")
	}
	var revision string
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// 4. The first app, and 5. its plan review: what changes is known at plan, never a value.
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("mosaic_app_secrets.web", plancheck.ResourceActionCreate),
				plancheck.ExpectKnownValue("mosaic_app_secrets.web", tfjsonpath.New("id"), knownvalue.StringExact("secret-prod/web")),
				plancheck.ExpectKnownValue("mosaic_app_secrets.web", tfjsonpath.New("field_names"),
					knownvalue.MapExact(map[string]knownvalue.Check{"database/app": knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("host"), knownvalue.StringExact("password"), knownvalue.StringExact("port"), knownvalue.StringExact("username")})})),
				plancheck.ExpectKnownValue("mosaic_app_secrets.web", tfjsonpath.New("policy"), knownvalue.StringRegexp(wsRegexp(`path "secret-prod/data/web/\*"`))),
				planLacks(pw1),
			}},
			Check: resource.ComposeTestCheckFunc(podRevision(&revision, false), vaultCheck(func() error {
				if d := v.KVData(t, "secret-prod", "web/database/app"); d["password"] != pw1 || d["host"] != "db" {
					return fmt.Errorf("step 4: the secret in Vault has fields %v", keysOf(d))
				}
				if p := v.Policy(t, "web-prod"); !strings.Contains(p, `path "secret-prod/data/web/*"`) {
					return fmt.Errorf("step 4: the policy web-prod: %q", p)
				}
				ci, err := jwtLogin(v, guideCIMount, guideCIRole, os.Getenv("TERRAFORM_VAULT_AUTH_JWT"))
				if err != nil {
					return fmt.Errorf("step 4: the pipeline's ID token does not log in: %w", err)
				}
				mustDeny(t, ci, []attack{
					{"the pipeline writes another environment", "write", "secret-dev/data/web/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
					{"the pipeline writes an unlisted service", "write", "secret-prod/data/billing/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
					{"the pipeline writes an unlisted service's policy", "write", "sys/policies/acl/billing-prod", map[string]any{"policy": `path "*" { capabilities = ["read"] }`}},
					{"the pipeline grants itself more", "write", "sys/policies/acl/" + guideCIRole, map[string]any{"policy": `path "*" { capabilities = ["sudo"] }`}},
				})
				return testAccOnboardingESO(t, v, k8s, pw1)
			})),
		}, {
			PreConfig: func() { t.Setenv("TF_VAR_db_password", pw2) },
			Config:    rotated,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("mosaic_app_secrets.web", plancheck.ResourceActionUpdate), planLacks(pw2),
			}},
			Check: resource.ComposeTestCheckFunc(podRevision(&revision, true), vaultCheck(func() error {
				m := v.KVMetadata(t, "secret-prod", "web/database/app")
				if fmt.Sprint(m["current_version"]) != "2" {
					return fmt.Errorf("step 6: the rotated secret's current version is %v, want 2", m["current_version"])
				}
				if d := v.KVData(t, "secret-prod", "web/database/app"); d["password"] != pw2 {
					return fmt.Errorf("step 6: the rotated value is not in Vault")
				}
				return testAccOnboardingESO(t, v, k8s, pw2)
			})),
		}},
	})
}

// podRevision reads the pod_annotations output the guide declares: with changed, it must differ
// from the one seen before (a rotation rolls the pods), else it is recorded.
func podRevision(seen *string, changed bool) resource.TestCheckFunc {
	return func(s *terraformState) error {
		out := s.RootModule().Outputs["pod_annotations"]
		if out == nil {
			return fmt.Errorf("the guide's pod_annotations output is missing")
		}
		now := fmt.Sprint(out.Value)
		if changed && now == *seen {
			return fmt.Errorf("step 6: the rollout revision did not change with the new secret version: %s", now)
		}
		*seen = now
		return nil
	}
}

// testAccOnboardingESO logs in as the web namespace's ESO does (its service account token, the
// guide's role) and reads the app's secret; it may not write it, read another app's or another
// environment's, and another namespace's service account is refused.
func testAccOnboardingESO(t *testing.T, v *acctest.Server, k8s *acctest.Issuer, want string) error {
	t.Helper()
	if _, err := jwtLogin(v, guideESOMount, guideESORole, k8s.KubernetesToken(t, "vault", "payments", "external-secrets")); err == nil {
		return fmt.Errorf("another namespace's service account logged in as %s", guideESORole)
	}
	eso, err := jwtLogin(v, guideESOMount, guideESORole, k8s.KubernetesToken(t, "vault", "web", "external-secrets"))
	if err != nil {
		return fmt.Errorf("ESO's service account token does not log in: %w", err)
	}
	s, err := eso.KVv2("secret-prod").Get(context.Background(), "web/database/app")
	if err != nil {
		return fmt.Errorf("ESO cannot read the app's secret: %w", err)
	}
	if s.Data["password"] != want {
		return fmt.Errorf("ESO reads a value of the app's secret that is not the current one")
	}
	mustDeny(t, eso, []attack{
		{"ESO writes the app's secret", "write", "secret-prod/data/web/database/app", map[string]any{"data": map[string]any{"password": "x"}}},
		{"ESO reads another environment", "read", "secret-dev/data/web/database/app", nil},
		{"ESO reads another app", "read", "secret-prod/data/backend-api/database/app", nil},
	})
	return nil
}

// labSubstitutions replace, each exactly once, what the guide points at GitHub or a cluster
// with the lab's keys: Vault here cannot fetch GitHub's OIDC discovery document.
type labSubstitutions [][2]string

func labKeys(t *testing.T, gh *acctest.Issuer) labSubstitutions {
	t.Helper()
	keys, _ := json.Marshal([]string{gh.PublicPEM(t)})
	// Step 2's issuer: GitHub's discovery URL becomes the lab GitHub's key (its bound_issuer
	// stays: the lab signs with GitHub's issuer URL).
	return labSubstitutions{{`oidc_discovery_url = "https://token.actions.githubusercontent.com"`, "jwt_validation_pubkeys = " + string(keys)}}
}

// What the guide names: its CI identity's and ESO identity's mounts and roles, and the
// cluster's issuer.
const (
	guideCIMount       = "jwt-github"
	guideCIRole        = "ci-writer-prod-platform-secrets"
	guideESOMount      = "jwt-cluster-prod"
	guideESORole       = "eso-reader-prod-web"
	guideClusterIssuer = "https://kubernetes.default.svc.cluster.local"
)

func (l labSubstitutions) apply(t *testing.T, config string) string {
	t.Helper()
	for _, s := range l {
		if n := strings.Count(config, s[0]); n != 1 {
			t.Fatalf("the guide's text changed: %q occurs %d times, want once", s[0], n)
		}
		config = strings.Replace(config, s[0], s[1], 1)
	}
	return config
}

// planLacks fails when the plan, as JSON, holds value anywhere.
func planLacks(value string) plancheck.PlanCheck { return planLacksCheck(value) }

type planLacksCheck string

func (c planLacksCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	if strings.Contains(string(b), string(c)) {
		resp.Error = fmt.Errorf("the plan holds a secret value")
	}
}

func keysOf(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}
