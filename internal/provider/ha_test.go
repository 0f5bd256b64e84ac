package provider

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

func haConfig(addr, token string, retries, n int) string {
	return fmt.Sprintf(`
provider "mosaic" {
  address     = %q
  token       = %q
  max_retries = %d
}

resource "mosaic_app_secrets" "app" {
  count       = %d
  environment = "dev"
  service     = format("ha-%%03d", count.index)
  secrets = {
    "database/app" = { username = format("ha-%%03d", count.index), password = format("pw-ha-%%03d", count.index) }
  }
  access                     = count.index %% 2 == 1 ? "direct-vault" : "eso"
  direct_vault_justification = count.index %% 2 == 1 ? "DB secrets engine leases with a 15 minute TTL" : null
  delete_all_versions        = true
}
`, addr, token, retries, n)
}

// The provider pointed at a standby of a three-node Raft cluster applies and plans: the standby
// forwards every request to the active node.
func TestAccHA_standby(t *testing.T) {
	c := acctest.StartCluster(t, 3)
	sb := c.Standby(t)
	cfg := haConfig(sb.Addr, c.Token, 2, 4)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg, Check: vaultCheck(func() error { return haConverged(c, 4) })},
			{Config: cfg, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// 200 apps applied through a standby while the leader is killed part way (SIGKILL, then
// restarted as a follower): without retries the apply fails with a clear error; the next apply
// converges, and Vault holds exactly the declared secrets, policies, roles and bootstrap
// entries, with one valid secret_id per role.
func TestAccHA_leaderKilled(t *testing.T) {
	c := acctest.StartCluster(t, 3)
	sb := c.Standby(t)
	const n = 200
	var wg sync.WaitGroup
	var killed, restartErr error
	killAfter := func() {
		leader := c.Leader(t)
		wg.Add(1)
		go func() {
			defer wg.Done()
			lc := c.Client(leader)
			deadline := time.Now().Add(2 * time.Minute)
			for time.Now().Before(deadline) {
				s, err := lc.Logical().List("secret-dev/metadata")
				if err == nil && s != nil && len(s.Data["keys"].([]any)) >= 30 {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			c.Kill(leader)
			killed = fmt.Errorf("killed %s", leader.ID)
			time.Sleep(2 * time.Second)
			restartErr = c.Restart(leader)
		}()
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: killAfter,
				Config:    haConfig(sb.Addr, c.Token, 0, n),
				// A standby forwards to the leader, or redirects to it: the requests in flight when it
				// dies see either no active node or a refused connection; either way the error names
				// the path and says that the next apply picks up where this one stopped.
				ExpectError: wsRegexp(`(Vault had no active node .* the next apply picks up|failed: .*(connection refused|EOF|reset by peer).*the next apply picks up where this one stopped)`),
			},
			{
				PreConfig: func() {
					wg.Wait()
					if killed == nil || restartErr != nil {
						t.Fatalf("leader kill: %v, restart: %v", killed, restartErr)
					}
					c.Leader(t)
				},
				Config: haConfig(sb.Addr, c.Token, 2, n),
				Check:  vaultCheck(func() error { return haConverged(c, n) }),
			},
			{Config: haConfig(sb.Addr, c.Token, 2, n), ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// haConverged checks the cluster through its leader: exactly n apps' secrets with their values,
// their policies, and for Direct-Vault apps the role with exactly one valid secret_id, the one
// the bootstrap entry holds.
func haConverged(c *acctest.Cluster, n int) error {
	lc := c.Client(c.Leader(&testing.T{}))
	s, err := lc.Logical().List("secret-dev/metadata")
	if err != nil {
		return err
	}
	var apps []string
	for _, k := range s.Data["keys"].([]any) {
		if name := strings.TrimSuffix(fmt.Sprint(k), "/"); !strings.HasSuffix(name, "-bootstrap") {
			apps = append(apps, name)
		}
	}
	if len(apps) != n {
		return fmt.Errorf("%d apps in secret-dev, want %d", len(apps), n)
	}
	for i := range n {
		svc := fmt.Sprintf("ha-%03d", i)
		d, err := lc.Logical().Read("secret-dev/data/" + svc + "/database/app")
		if err != nil || d == nil || d.Data["data"].(map[string]any)["password"] != "pw-"+svc {
			return fmt.Errorf("%s: secret %v %w", svc, d, err)
		}
		if pol, err := lc.Sys().GetPolicy(svc + "-dev"); err != nil || !strings.Contains(pol, "secret-dev/data/"+svc+"/*") {
			return fmt.Errorf("%s: policy %q %w", svc, pol, err)
		}
		if i%2 == 0 {
			continue
		}
		ids, err := lc.Logical().List("auth/approle/role/" + svc + "-dev/secret-id")
		if err != nil || ids == nil || len(ids.Data["keys"].([]any)) != 1 {
			return fmt.Errorf("%s: valid secret_ids %v (%w), want exactly one", svc, ids, err)
		}
		boot, err := lc.Logical().Read("secret-dev/data/" + svc + "-bootstrap/approle/credentials")
		if err != nil || boot == nil {
			return fmt.Errorf("%s: no bootstrap entry (%w)", svc, err)
		}
		b := boot.Data["data"].(map[string]any)
		login, err := lc.Logical().Write("auth/approle/login", map[string]any{"role_id": b["role_id"], "secret_id": b["secret_id"]})
		if err != nil || login == nil || login.Auth == nil {
			return fmt.Errorf("%s: the bootstrap credentials do not log in: %w", svc, err)
		}
	}
	return nil
}
