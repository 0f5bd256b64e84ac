package provider

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// faultConfig is a Direct-Vault app in dev with two secrets, through addr with token.
func faultConfig(addr, token, svc string, retries int, password string) string {
	return fmt.Sprintf(`
provider "mosaic" {
  address     = %q
  token       = %q
  max_retries = %d
}

resource "mosaic_app_secrets" "app" {
  environment = "dev"
  service     = %q
  secrets = {
    "database/app" = { username = "app", password = %q }
    "api/token"    = { token = "tok-%s" }
  }
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  delete_all_versions        = true # the checks below prove nothing at all is left
}
`, addr, token, retries, svc, password, svc)
}

// appConverged checks Vault through its API: both secrets, the policy, the role, and a
// bootstrap entry whose credentials log in.
func appConverged(t *testing.T, v *acctest.Server, svc, password string) error {
	if d := v.KVData(t, "secret-dev", svc+"/database/app"); d["password"] != password || d["username"] != "app" {
		return fmt.Errorf("database/app = %v", d)
	}
	if d := v.KVData(t, "secret-dev", svc+"/api/token"); d["token"] != "tok-"+svc {
		return fmt.Errorf("api/token = %v", d)
	}
	if got := v.Policy(t, svc+"-dev"); got != policy.AppPolicy("dev", svc, nil) {
		return fmt.Errorf("policy = %q", got)
	}
	if v.Role(t, "approle", svc+"-dev") == nil {
		return errors.New("no AppRole role")
	}
	boot := v.KVData(t, "secret-dev", svc+"-bootstrap/approle/credentials")
	if boot == nil {
		return errors.New("no bootstrap entry")
	}
	if _, err := v.Login("approle", fmt.Sprint(boot["role_id"]), fmt.Sprint(boot["secret_id"])); err != nil {
		return fmt.Errorf("bootstrap credentials do not log in: %w", err)
	}
	return nil
}

// nothingLeft lists what of svc is still in Vault: secrets, bootstrap entry, policy, role
// (and with the role, its secret_ids), and any mount that was not there before.
func nothingLeft(v *acctest.Server, svc string, mounts int) error {
	var left []string
	for _, p := range []string{"secret-dev/metadata/" + svc, "secret-dev/metadata/" + svc + "-bootstrap"} {
		s, err := v.Client.Logical().List(p)
		if err != nil {
			return err
		}
		if s != nil {
			left = append(left, fmt.Sprintf("%s: %v", p, s.Data["keys"]))
		}
	}
	pols, err := v.Client.Sys().ListPolicies()
	if err != nil {
		return err
	}
	if slices.Contains(pols, svc+"-dev") {
		left = append(left, "policy "+svc+"-dev")
	}
	roles, err := v.Client.Logical().List("auth/approle/role")
	if err != nil {
		return err
	}
	if roles != nil && slices.ContainsFunc(roles.Data["keys"].([]any), func(k any) bool { return k == svc+"-dev" }) {
		left = append(left, "AppRole role "+svc+"-dev (and its secret_ids)")
	}
	m, err := v.Client.Sys().ListMounts()
	if err != nil {
		return err
	}
	if len(m) != mounts {
		left = append(left, fmt.Sprintf("%d mounts instead of %d", len(m), mounts))
	}
	if len(left) > 0 {
		return fmt.Errorf("left in Vault: %s", strings.Join(left, "; "))
	}
	return nil
}

func mountCount(t *testing.T, v *acctest.Server) int {
	m, err := v.Client.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// The connection to Vault dies after N requests of a create, for every N, both before a
// request reaches Vault and after Vault did the work but the answer was lost: the next apply
// converges, and destroy leaves nothing behind.
func TestAccFaults_connectionDies(t *testing.T) {
	v := acctest.Vault(t)
	mounts := mountCount(t, v)

	// How many requests does the step make when nothing fails?
	p := acctest.NewFaultProxy(t, v)
	total := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraformState) error { return nothingLeft(v, "fault-count", mounts) },
		Steps: []resource.TestStep{{
			PreConfig: p.Reset,
			Config:    faultConfig(p.URL, v.Token, "fault-count", 0, "pw"),
			Check: vaultCheck(func() error {
				total = p.Count()
				return appConverged(t, v, "fault-count", "pw")
			}),
		}},
	})
	if total < 10 {
		t.Fatalf("a create made %d requests; expected at least 10", total)
	}
	t.Logf("a create makes %d requests (plan and apply); failing after each of 0..%d, both ways", total, total-1)

	t.Run("n", func(t *testing.T) {
		for _, fault := range []acctest.Fault{acctest.DropBefore, acctest.DropAfter} {
			for n := 0; n < total; n++ {
				t.Run(fmt.Sprintf("%s-%02d", fault, n), func(t *testing.T) {
					t.Parallel()
					svc := fmt.Sprintf("fault-%d-%d", fault, n)
					p := acctest.NewFaultProxy(t, v)
					cfg := faultConfig(p.URL, v.Token, svc, 0, "pw-"+svc)
					resource.Test(t, resource.TestCase{
						ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
						CheckDestroy:             func(*terraformState) error { return nothingLeft(v, svc, mounts) },
						Steps: []resource.TestStep{
							{
								PreConfig:   func() { p.FailAfter(n, fault) },
								Config:      cfg,
								ExpectError: wsRegexp(`Error: `),
							},
							{
								PreConfig: func() {
									if !p.Tripped() {
										t.Fatalf("the fault after %d requests never happened", n)
									}
									p.Reset()
								},
								Config: cfg,
								Check:  vaultCheck(func() error { return appConverged(t, v, svc, "pw-"+svc) }),
							},
						},
					})
				})
			}
		}
	})
}

// 429, 500 and 503 answers are retried with bounded backoff; when they persist, the error is
// clear and comes after exactly 1 + max_retries attempts.
func TestAccFaults_retries(t *testing.T) {
	v := acctest.Vault(t)
	p := acctest.NewFaultProxy(t, v)
	const svc = "retry-app"
	var failedFor time.Duration
	var started time.Time
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The first requests of the plan and of the apply meet 429 and 503, then 500:
				// each is retried and the apply goes through.
				PreConfig: func() { p.Answer(http.StatusTooManyRequests, http.StatusServiceUnavailable) },
				Config:    faultConfig(p.URL, v.Token, svc, 2, "pw-1"),
				Check:     vaultCheck(func() error { return appConverged(t, v, svc, "pw-1") }),
			},
			{
				PreConfig: func() { p.Answer(http.StatusInternalServerError, http.StatusInternalServerError) },
				Config:    faultConfig(p.URL, v.Token, svc, 2, "pw-2"),
				Check:     vaultCheck(func() error { return appConverged(t, v, svc, "pw-2") }),
			},
			{
				// Vault answers 503 to everything: three attempts, then one clear error.
				PreConfig: func() {
					p.AnswerAlways(http.StatusServiceUnavailable)
					started = time.Now()
				},
				Config:      faultConfig(p.URL, v.Token, svc, 2, "pw-3"),
				ExpectError: wsRegexp(`Vault at http://127\.0\.0\.1:\d+ answered the token lookup with HTTP 503.*injected by the test's fault proxy`),
			},
			{
				PreConfig: func() {
					failedFor = time.Since(started)
					if n := p.Count(); n != 3 {
						t.Fatalf("a request answered 503 every time was sent %d times; want 1 + max_retries = 3", n)
					}
					p.Reset()
				},
				Config: faultConfig(p.URL, v.Token, svc, 2, "pw-3"),
				Check:  vaultCheck(func() error { return appConverged(t, v, svc, "pw-3") }),
			},
		},
	})
	if failedFor > 20*time.Second {
		t.Fatalf("the failing step took %s: the backoff is not bounded", failedFor)
	}
}

// A token that lacks one capability: the error names the path and the operation; a create
// removes what it wrote, and an update records in state what it wrote before the refusal.
func TestAccFaults_missingCapability(t *testing.T) {
	v := acctest.Vault(t)
	mounts := mountCount(t, v)
	const svc = "cap-app"
	admin := `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }`
	noSecretID := admin + "\n" + `path "auth/approle/role/` + svc + `-dev/secret-id" { capabilities = ["deny"] }`
	noToken := admin + "\n" + `path "secret-dev/data/` + svc + `/api/token" { capabilities = ["read"] }`
	for name, text := range map[string]string{"no-secret-id": noSecretID, "no-api-token": noToken} {
		if err := v.Client.Sys().PutPolicy(name, text); err != nil {
			t.Fatal(err)
		}
	}
	tokNoSecretID := tokenWith(t, v, "no-secret-id").Token()
	tokNoToken := tokenWith(t, v, "no-api-token").Token()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraformState) error { return nothingLeft(v, svc, mounts) },
		Steps: []resource.TestStep{
			{
				Config:      faultConfig(v.Addr, tokNoSecretID, svc, 0, "pw-1"),
				ExpectError: wsRegexp(`Vault denied write \(update\) on auth/approle/role/cap-app-dev/secret-id: the token's policies lack the "update" capability`),
			},
			{
				// The failed create removed its secrets, policy and role: nothing to account for.
				PreConfig: func() {
					if err := nothingLeft(v, svc, mounts); err != nil {
						t.Fatalf("after the refused create: %v", err)
					}
				},
				Config: faultConfig(v.Addr, v.Token, svc, 0, "pw-1"),
				Check:  vaultCheck(func() error { return appConverged(t, v, svc, "pw-1") }),
			},
			{
				// The update writes database/app, then is refused on api/token.
				Config:      strings.Replace(faultConfig(v.Addr, tokNoToken, svc, 0, "pw-2"), `"tok-`+svc+`"`, `"tok-2"`, 1),
				ExpectError: wsRegexp(`Vault denied write \(create/update\) on secret-dev/data/cap-app/api/token: the token's policies lack the "create/update" capability`),
			},
			{
				// The state knows database/app is at version 2 (written by this provider): the
				// repair rewrites only api/token, and raises no drift warning for database/app.
				Config: strings.Replace(faultConfig(v.Addr, v.Token, svc, 0, "pw-2"), `"tok-`+svc+`"`, `"tok-2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("mosaic_app_secrets.app", plancheck.ResourceActionUpdate),
				}},
				Check: vaultCheck(func() error {
					if md := v.KVMetadata(t, "secret-dev", svc+"/database/app"); fmt.Sprint(md["current_version"]) != "2" {
						return fmt.Errorf("database/app was written again: version %v", md["current_version"])
					}
					if d := v.KVData(t, "secret-dev", svc+"/api/token"); d["token"] != "tok-2" {
						return fmt.Errorf("api/token = %v", d)
					}
					return nil
				}),
			},
		},
	})
}

// The token is revoked in the middle of a create: a clear error, the state records what was
// written, and the next apply with a valid token converges.
func TestAccFaults_tokenRevoked(t *testing.T) {
	v := acctest.Vault(t)
	mounts := mountCount(t, v)
	const svc = "revoked-app"
	p := acctest.NewFaultProxy(t, v)
	tok := tokenWith(t, v, "test-admin").Token()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraformState) error { return nothingLeft(v, svc, mounts) },
		Steps: []resource.TestStep{
			{
				// Revoked just before the second secret is written: after the first.
				PreConfig: func() {
					p.BeforePath("/v1/secret-dev/data/"+svc+"/database/", func() {
						if err := v.Client.Auth().Token().RevokeOrphan(tok); err != nil {
							t.Errorf("revoke: %v", err)
						}
					})
				},
				Config:      faultConfig(p.URL, tok, svc, 0, "pw"),
				ExpectError: wsRegexp(`token is no longer valid: it was revoked or expired during this run.*state records what was`),
			},
			{
				PreConfig: func() {
					// Nothing lost: the secrets written before the revocation are there, and
					// Terraform knows them (the next apply replaces the partial create).
					if v.KVData(t, "secret-dev", svc+"/api/token") == nil {
						t.Fatal("the secret written before the revocation is missing")
					}
					p.Reset()
				},
				Config: faultConfig(p.URL, v.Token, svc, 0, "pw"),
				Check:  vaultCheck(func() error { return appConverged(t, v, svc, "pw") }),
			},
		},
	})
}

// A secret rewritten by someone else between plan and apply is caught by check-and-set: a
// clear error, and the other writer's value stays.
func TestAccFaults_casBetweenPlanAndApply(t *testing.T) {
	v := acctest.Vault(t)
	const svc = "race-app"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: testAccAppSecretsConfig_eso(svc, "pw-1", "")},
			{
				Config: testAccAppSecretsConfig_eso(svc, "pw-2", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					writeBetweenPlanAndApply(func() {
						v.Write(t, "secret-staging/data/"+svc+"/database/app", map[string]any{"data": map[string]any{"password": "someone-else"}})
					}),
				}},
				ExpectError: wsRegexp(`Secret changed in Vault since the plan.*no longer at version 1.*Nothing was overwritten`),
			},
		},
	})
	if d := v.KVData(t, "secret-staging", svc+"/database/app"); d != nil {
		t.Fatalf("destroy left %v", d)
	}
}

// writeBetweenPlanAndApply is a plan check that runs f after the plan is made and before it
// is applied: someone else writing to Vault in between.
type writeBetweenPlanAndApply func()

func (f writeBetweenPlanAndApply) CheckPlan(_ context.Context, _ plancheck.CheckPlanRequest, _ *plancheck.CheckPlanResponse) {
	f()
}

// 200 apps applied with -parallelism=20 are all correct in Vault.
func TestAccConcurrency_200apps(t *testing.T) {
	v := acctest.Vault(t)
	mounts := mountCount(t, v)
	t.Setenv("TF_CLI_ARGS_apply", "-parallelism=20")
	t.Setenv("TF_CLI_ARGS_destroy", "-parallelism=20")
	const n = 200
	// count, not for_each: the legacy state shim behind Check functions cannot index for_each.
	config := fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  count       = %d
  environment = "dev"
  service     = format("conc-%%03d", count.index)
  secrets = {
    "database/app" = { username = format("conc-%%03d", count.index), password = format("pw-conc-%%03d", count.index) }
    "api/token"    = { token = format("tok-conc-%%03d", count.index) }
  }
  access                     = count.index %% 2 == 1 ? "direct-vault" : "eso"
  direct_vault_justification = count.index %% 2 == 1 ? "DB secrets engine leases with a 15 minute TTL" : null
  delete_all_versions        = true
}
`, n)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraformState) error {
			for i := range n {
				if err := nothingLeft(v, fmt.Sprintf("conc-%03d", i), mounts); err != nil {
					return err
				}
			}
			return nil
		},
		Steps: []resource.TestStep{{
			Config: config,
			Check: vaultCheck(func() error {
				for i := range n {
					svc := fmt.Sprintf("conc-%03d", i)
					if d := v.KVData(t, "secret-dev", svc+"/database/app"); d["password"] != "pw-"+svc || d["username"] != svc {
						return fmt.Errorf("%s database/app = %v", svc, d)
					}
					if d := v.KVData(t, "secret-dev", svc+"/api/token"); d["token"] != "tok-"+svc {
						return fmt.Errorf("%s api/token = %v", svc, d)
					}
					if got := v.Policy(t, svc+"-dev"); got != policy.AppPolicy("dev", svc, nil) {
						return fmt.Errorf("%s policy = %q", svc, got)
					}
					role := v.Role(t, "approle", svc+"-dev")
					if (i%2 == 1) != (role != nil) {
						return fmt.Errorf("%s: role = %v", svc, role)
					}
					if i%2 == 1 {
						boot := v.KVData(t, "secret-dev", svc+"-bootstrap/approle/credentials")
						id, err := v.Client.Logical().Read("auth/approle/role/" + svc + "-dev/role-id")
						if err != nil || boot == nil || id == nil || boot["role_id"] != id.Data["role_id"] {
							return fmt.Errorf("%s: bootstrap %v does not hold the role's role_id (%w)", svc, boot != nil, err)
						}
					}
				}
				return nil
			}),
		}},
	})
}

// vaultInventory is everything a platform can leave behind: mounts, auth methods, policies.
func vaultInventory(t *testing.T, v *acctest.Server) string {
	t.Helper()
	mounts, err := v.Client.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	auths, err := v.Client.Sys().ListAuth()
	if err != nil {
		t.Fatal(err)
	}
	pols, err := v.Client.Sys().ListPolicies()
	if err != nil {
		t.Fatal(err)
	}
	var items []string
	for m := range mounts {
		items = append(items, "mount "+m)
	}
	for a := range auths {
		items = append(items, "auth "+a)
	}
	for _, p := range pols {
		items = append(items, "policy "+p)
	}
	slices.Sort(items)
	return strings.Join(items, ", ")
}

// The same for mosaic_platform, on a Vault of its own: the connection dies after each of the
// create's requests in turn, both ways; the next apply converges, and destroy brings Vault back
// to exactly what it was (no mount, auth method or policy left).
func TestAccFaults_platformConnectionDies(t *testing.T) {
	v := acctest.OwnVault(t)
	before := vaultInventory(t, v)
	p := acctest.NewFaultProxy(t, v)
	cfg := fmt.Sprintf(`
provider "mosaic" {
  address     = %q
  token       = %q
  max_retries = 0
}

resource "mosaic_platform" "p" {
  environments = ["dev", "prod"]
  services     = { dev = ["web"], prod = ["web"] }
}
`, p.URL, v.Token)
	converged := vaultCheck(func() error {
		for _, env := range []string{"dev", "prod"} {
			m, err := v.Client.Sys().GetMount("secret-" + env)
			if err != nil || m.Type != "kv" || m.Options["version"] != "2" {
				return fmt.Errorf("secret-%s: %+v %w", env, m, err)
			}
			if v.Policy(t, policy.CIWriterPolicyName(env)) == "" || v.Policy(t, policy.ESOReaderPolicyName(env)) == "" {
				return fmt.Errorf("policies of %s missing", env)
			}
		}
		if auths, err := v.Client.Sys().ListAuth(); err != nil || auths["approle/"] == nil {
			return fmt.Errorf("no AppRole auth method (%w)", err)
		}
		return nil
	})
	restored := func(*terraformState) error {
		if now := vaultInventory(t, v); now != before {
			return fmt.Errorf("destroy did not restore Vault:\nbefore: %s\nafter:  %s", before, now)
		}
		return nil
	}
	total := 0
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             restored,
		Steps: []resource.TestStep{{
			PreConfig: p.Reset,
			Config:    cfg,
			Check:     resource.ComposeTestCheckFunc(converged, vaultCheck(func() error { total = p.Count(); return nil })),
		}},
	})
	t.Logf("a platform create makes %d requests (plan and apply); failing after each, both ways", total)
	for _, fault := range []acctest.Fault{acctest.DropBefore, acctest.DropAfter} {
		for n := 0; n < total; n++ {
			t.Run(fmt.Sprintf("%s-%02d", fault, n), func(t *testing.T) {
				t.Cleanup(func() { // a failure here must not leak into the next case
					if vaultInventory(t, v) != before {
						_ = v.Client.Sys().DisableAuth("approle")
						for _, env := range []string{"dev", "prod"} {
							_ = v.Client.Sys().Unmount("secret-" + env)
							_ = v.Client.Sys().DeletePolicy(policy.ESOReaderPolicyName(env))
							_ = v.Client.Sys().DeletePolicy(policy.CIWriterPolicyName(env))
						}
					}
				})
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					CheckDestroy:             restored,
					Steps: []resource.TestStep{
						{PreConfig: func() { p.FailAfter(n, fault) }, Config: cfg, ExpectError: wsRegexp(`Error: `)},
						{PreConfig: p.Reset, Config: cfg, Check: converged},
					},
				})
			})
		}
	}
}
