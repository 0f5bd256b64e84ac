package provider

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

// A full lifecycle (create, update, rotate, import, destroy) at TRACE: no secret value, no
// secret_id and no token may appear in any log line, state file, plan (as JSON) or diagnostic.
func TestAccLeakScan_trace(t *testing.T) {
	v := acctest.Vault(t)
	logs := t.TempDir()
	work := t.TempDir()
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", filepath.Join(logs, "provider.log"))
	t.Setenv("TF_LOG_PATH_MASK", filepath.Join(logs, "terraform-%s.log"))
	const svc = "leak-scan"
	// Values reach Terraform as real ones do: through ephemeral variables, never as literals in
	// the configuration (the test harness logs the configuration text it writes).
	pw, key := "leak-pw-"+randomMarker(), "leak-key-"+randomMarker()
	t.Setenv("TF_VAR_db_password", pw)
	t.Setenv("TF_VAR_jwt_key", key)
	// Values that never pass through Terraform: one written by hand (external_secrets) with a
	// field too many, and one copied server-side from a legacy path (migrate_from).
	ext, mig := "leak-ext-"+randomMarker(), "leak-mig-"+randomMarker()
	v.Write(t, "secret-dev/data/"+svc+"/database/ext", map[string]any{"data": map[string]any{"password": ext, "undeclared": ext}})
	v.Write(t, "secret/data/database/"+svc, map[string]any{"data": map[string]any{"password": mig}})
	cfg := func(version int, rotation string) string {
		return fmt.Sprintf(`
variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}
variable "jwt_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
resource "mosaic_app_secrets" "app" {
  environment                = "dev"
  service                    = %q
  secrets_wo                 = { "database/app" = { password = var.db_password }, "jwt/signing-key" = { private_key = var.jwt_key } }
  secrets_wo_version         = %d
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  secret_id_rotation         = %q
  external_secrets           = { "database/ext" = ["password"] }
  migrate_from               = { "legacy/config" = "secret/database/%s" }
}
`, svc, version, rotation, svc)
	}
	var secretIDs []string
	grab := vaultCheck(func() error {
		_, sid := bootstrapLogin(t, v, "dev", svc)
		secretIDs = append(secretIDs, sid)
		// The state files while the resource lives: no value, no secret_id, no token.
		return scanStateFiles(work, append([]string{v.Token, pw, key, ext, mig}, secretIDs...)...)
	})
	// Every plan, as `terraform show -json` renders it, is kept and scanned at the end.
	var plans []string
	keep := resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{keepPlan(&plans)}}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		TerraformVersionChecks:   terraform111,
		WorkingDir:               work,
		Steps: []resource.TestStep{
			{Config: cfg(1, "r1"), ConfigPlanChecks: keep, Check: resource.ComposeTestCheckFunc(grab, vaultCheck(func() error {
				if d := v.KVData(t, "secret-dev", svc+"/database/app"); d["password"] != pw {
					return fmt.Errorf("the ephemeral value did not reach Vault")
				}
				if d := v.KVData(t, "secret-dev", svc+"/legacy/config"); d["password"] != mig {
					return fmt.Errorf("the migration did not copy the legacy value")
				}
				return nil
			}))},
			{Config: cfg(2, "r1"), ConfigPlanChecks: keep, Check: grab},
			{Config: cfg(2, "r2"), ConfigPlanChecks: keep, Check: grab},
			{ResourceName: appAddr, ImportState: true, ImportStateId: "secret-dev/" + svc, ImportStateVerify: true,
				ImportStateVerifyIdentifierAttribute: "id",
				ImportStateVerifyIgnore: []string{"secrets_wo_version", "direct_vault_justification", "secret_id_rotation",
					"external_secrets", "migrate_from", "versions", "field_names", "secret_ids", "migration_status"}},
		},
	})
	if d := v.KVData(t, "secret-dev", svc+"/database/app"); d != nil {
		t.Fatal("destroy left the secret behind")
	}
	markers := append([]string{v.Token, pw, key, ext, mig}, secretIDs...)
	scanned, bytes := 0, 0
	for _, dir := range []string{logs, work} {
		_ = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			scanned++
			bytes += len(b)
			for n, m := range markers {
				if i := strings.Index(string(b), m); m != "" && i >= 0 {
					line := string(b)[max(0, strings.LastIndex(string(b[:i]), "\n")+1):i]
					t.Errorf("%s contains secret marker #%d (0: root token, 1-2: values, 3: external value, 4: migrated value, 5+: secret_ids) after: %.120s", p, n, line)
				}
			}
			return nil
		})
	}
	if len(plans) != 3 {
		t.Fatalf("kept %d plans, want 3", len(plans))
	}
	for i, pl := range plans {
		bytes += len(pl)
		for n, m := range markers {
			if m != "" && strings.Contains(pl, m) {
				t.Errorf("the plan of step %d (terraform show -json) contains secret marker #%d", i+1, n)
			}
		}
	}
	if len(secretIDs) < 2 || secretIDs[0] == secretIDs[len(secretIDs)-1] {
		t.Fatalf("the lifecycle did not rotate the secret_id: %d captured", len(secretIDs))
	}
	if bytes < 100000 {
		t.Fatalf("only %d bytes of logs and state in %d files: the scan would prove nothing", bytes, scanned)
	}
	t.Logf("scanned %d files, %d bytes, for %d markers", scanned, bytes, len(markers))
}

// keepPlan is a plan check that keeps the JSON of each plan (what `terraform show -json` prints).
type keepPlanCheck struct{ plans *[]string }

func keepPlan(plans *[]string) plancheck.PlanCheck { return keepPlanCheck{plans} }

func (k keepPlanCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	b, err := json.Marshal(req.Plan)
	if err != nil {
		resp.Error = err
		return
	}
	*k.plans = append(*k.plans, string(b))
}

func randomMarker() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
