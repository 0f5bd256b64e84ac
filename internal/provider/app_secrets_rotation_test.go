package provider

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// testAccAppSecretsConfig_rotation is a Direct-Vault app with a short grace (so that the test
// can wait it out), a routine rotation value and an emergency one ("" leaves either unset).
func testAccAppSecretsConfig_rotation(service, grace, rotation, emergency string) string {
	opt := func(name, v string) string {
		if v == "" {
			return ""
		}
		return fmt.Sprintf("%s = %q", name, v)
	}
	return fmt.Sprintf(`
resource "mosaic_app_secrets" "app" {
  environment                = "prod"
  service                    = %q
  secrets                    = { "database/app" = { username = "app" } }
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  secret_id_grace_period     = %q
  %s
  %s
}
`, service, grace, opt("secret_id_rotation", rotation), opt("secret_id_emergency_rotation", emergency))
}

// loginsAs reports whether the app, holding secretID, can log in now.
func loginsAs(v *acctest.Server, roleID, secretID string) bool {
	_, err := v.Login("approle", roleID, secretID)
	return err == nil
}

// priorSecretID is a plan check: the refreshed state the plan starts from lists a secret_id
// with this status (a refresh found it), and the plan's secret_ids no longer do.
type priorSecretID struct{ status string }

func (c priorSecretID) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	has := func(values map[string]any) bool {
		list, _ := values["secret_ids"].([]any)
		for _, e := range list {
			if m, _ := e.(map[string]any); m["status"] == c.status {
				return true
			}
		}
		return false
	}
	for _, r := range req.Plan.PriorState.Values.RootModule.Resources {
		if r.Address == appAddr && !has(r.AttributeValues) {
			resp.Error = fmt.Errorf("the refreshed state lists no %s secret_id: %v", c.status, r.AttributeValues["secret_ids"])
		}
	}
	for _, rc := range req.Plan.ResourceChanges {
		if after, _ := rc.Change.After.(map[string]any); rc.Address == appAddr && has(after) {
			resp.Error = fmt.Errorf("the plan keeps the %s secret_id", c.status)
		}
	}
}

// The app's view of a rotation: it holds the old secret_id and keeps logging in during the
// grace while the new one logs in too; after the grace the next plan shows the old one going and
// its apply makes it refused. A secret_id minted by hand shows in the plan and is destroyed. An
// emergency rotation refuses every old secret_id at once.
func TestAccAppSecrets_rotationOverlap(t *testing.T) {
	v := acctest.Vault(t)
	const svc, grace = "rotating-app", 8 * time.Second
	role := "auth/approle/role/" + svc + "-prod"
	var roleID, first, second, third, stray string
	var rotatedAt time.Time
	cfg := func(rotation, emergency string) string {
		return testAccAppSecretsConfig_rotation(svc, grace.String(), rotation, emergency)
	}
	secretIDs := tfjsonpath.New("secret_ids")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg("", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(appAddr, secretIDs.AtSliceIndex(0).AtMapKey("status"), knownvalue.StringExact("current")),
					plancheck.ExpectUnknownValue(appAddr, secretIDs.AtSliceIndex(0).AtMapKey("accessor")),
				}},
				Check: vaultCheck(func() error {
					roleID, first = bootstrapLogin(t, v, "prod", svc)
					return nil
				}),
			},
			{
				// Routine rotation: the plan shows the current secret_id kept as previous.
				Config: cfg("r1", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(appAddr, secretIDs.AtSliceIndex(1).AtMapKey("status"), knownvalue.StringExact("previous")),
					plancheck.ExpectUnknownValue(appAddr, secretIDs.AtSliceIndex(1).AtMapKey("valid_until")),
				}},
				Check: vaultCheck(func() error {
					rotatedAt = time.Now()
					_, second = bootstrapLogin(t, v, "prod", svc)
					if second == first {
						return fmt.Errorf("secret_id not rotated")
					}
					if !loginsAs(v, roleID, first) {
						return fmt.Errorf("the app's old secret_id is refused during the grace")
					}
					if !loginsAs(v, roleID, second) {
						return fmt.Errorf("the new secret_id does not log in")
					}
					return nil
				}),
			},
			{
				// After the grace: the plan drops the old secret_id, the apply destroys it.
				PreConfig: func() { time.Sleep(time.Until(rotatedAt.Add(grace + time.Second))) },
				Config:    cfg("r1", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					priorSecretID{"grace-ended"},
					plancheck.ExpectKnownValue(appAddr, secretIDs, knownvalue.ListSizeExact(1)),
				}},
				Check: vaultCheck(func() error {
					if loginsAs(v, roleID, first) {
						return fmt.Errorf("the old secret_id still logs in after its grace and an apply")
					}
					if !loginsAs(v, roleID, second) {
						return fmt.Errorf("the current secret_id is refused")
					}
					return nil
				}),
			},
			{
				// A secret_id minted by hand: drift in the plan, destroyed by the apply.
				PreConfig: func() {
					s, err := v.Client.Logical().Write(role+"/secret-id", nil)
					if err != nil {
						t.Fatal(err)
					}
					stray = s.Data["secret_id"].(string)
				},
				Config: cfg("r1", ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(appAddr, plancheck.ResourceActionUpdate),
					priorSecretID{"untracked"},
					plancheck.ExpectKnownValue(appAddr, secretIDs, knownvalue.ListSizeExact(1)),
				}},
				Check: vaultCheck(func() error {
					if loginsAs(v, roleID, stray) {
						return fmt.Errorf("the secret_id minted outside Terraform still logs in")
					}
					if !loginsAs(v, roleID, second) {
						return fmt.Errorf("the current secret_id is refused")
					}
					return nil
				}),
			},
			{
				// Another routine rotation: second becomes previous.
				Config: cfg("r2", ""),
				Check: vaultCheck(func() error {
					_, third = bootstrapLogin(t, v, "prod", svc)
					if !loginsAs(v, roleID, second) || !loginsAs(v, roleID, third) {
						return fmt.Errorf("previous or current secret_id refused right after a routine rotation")
					}
					return nil
				}),
			},
			{
				// Emergency: every old secret_id is refused at once, the previous one in its grace too.
				Config: cfg("r2", "leak-1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(appAddr, secretIDs, knownvalue.ListSizeExact(1)),
				}},
				Check: vaultCheck(func() error {
					_, current := bootstrapLogin(t, v, "prod", svc)
					for name, old := range map[string]string{"previous (in its grace)": second, "replaced": third} {
						if loginsAs(v, roleID, old) {
							return fmt.Errorf("the %s secret_id still logs in after an emergency rotation", name)
						}
					}
					if !loginsAs(v, roleID, current) {
						return fmt.Errorf("the new secret_id does not log in")
					}
					list, err := v.Client.Logical().List(role + "/secret-id")
					if err != nil {
						return err
					}
					if keys := list.Data["keys"].([]any); len(keys) != 1 {
						return fmt.Errorf("%d secret_ids of the role after an emergency rotation, want 1", len(keys))
					}
					return nil
				}),
			},
		},
	})
}
