package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestKind(t *testing.T) {
	tests := map[[2]string]string{
		{"update", "secret-dev/data/web/database/app"}:                    "kv data write",
		{"create", "secret-dev/data/web-bootstrap/approle/credentials"}:   "bootstrap data write",
		{"read", "secret-prod/metadata/web/database/app"}:                 "kv metadata read",
		{"delete", "secret-prod/metadata/web/database/app"}:               "kv metadata delete",
		{"update", "sys/policies/acl/web-prod"}:                           "policy write",
		{"read", "sys/mounts/secret-dev"}:                                 "mount read",
		{"update", "auth/approle/role/web-dev"}:                           "role write",
		{"read", "auth/approle/role/web-dev/role-id"}:                     "role-id read",
		{"update", "auth/approle/role/web-dev/secret-id"}:                 "secret-id write",
		{"update", "auth/approle/role/web-dev/secret-id-accessor/lookup"}: "secret-id lookup",
		{"read", "auth/token/lookup-self"}:                                "token lookup-self",
		{"update", "sys/capabilities-self"}:                               "other write sys/capabilities-self",
	}
	for in, want := range tests {
		if got := kind(in[0], in[1]); got != want {
			t.Errorf("kind(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

// The minimums, worked out by hand for three secrets per app: a Direct-Vault create is k+8 = 11
// requests (the ownership reads of policy and role, k secrets, policy, role, role-id, secret-id,
// bootstrap, the list of the role's secret_ids), an ESO create k+2 = 5; refresh reads 7 and 4 objects; destroy deletes 6 and 4 (the
// role takes its secret_ids along). Even apps are ESO.
func TestMinimums(t *testing.T) {
	tests := []struct{ n, create, refresh, del int }{
		{n: 2, create: 5 + 11, refresh: 4 + 7, del: 4 + 6},
		{n: 3, create: 5 + 11 + 5, refresh: 4 + 7 + 4, del: 4 + 6 + 4},
		{n: 10, create: 80, refresh: 55, del: 50},
	}
	for _, tc := range tests {
		if got := minCreate(tc.n); got != tc.create {
			t.Errorf("minCreate(%d) = %d, want %d", tc.n, got, tc.create)
		}
		if got := minRefresh(tc.n); got != tc.refresh {
			t.Errorf("minRefresh(%d) = %d, want %d", tc.n, got, tc.refresh)
		}
		if got := minDelete(tc.n); got != tc.del {
			t.Errorf("minDelete(%d) = %d, want %d", tc.n, got, tc.del)
		}
	}
}

// The byte floor and the plugin floor, calibrated for a target, store that many state bytes
// (within 1%): the floors the goals are stated against weigh what mosaic's state weighs. Runs
// Terraform (terraform_data needs no provider; the plugin floor's is the anchor, built here), so
// only with TF_ACC like the acceptance tests.
func TestByteFloorCalibration(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("runs the Terraform CLI; set TF_ACC=1")
	}
	work := t.TempDir()
	plugins := filepath.Join(work, "plugins")
	anchor := filepath.Join(plugins, "terraform-provider-mosaic")
	if out, err := exec.Command("go", "build", "-o", anchor, "./anchor").CombinedOutput(); err != nil {
		t.Fatalf("building the anchor: %v\n%s", err, out)
	}
	rc := filepath.Join(work, "terraformrc")
	if err := os.WriteFile(rc, []byte(fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"mosaicstack/mosaic\" = %q\n  }\n  direct {}\n}\n", plugins)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1", "TF_CLI_CONFIG_FILE="+rc)
	for _, tc := range []struct {
		f      floor
		n      int
		target int64
	}{
		{floor{name: "byte", body: byteFloorBody}, 20, 20 * 3000},
		{floor{name: "byte", body: byteFloorBody}, 30, 30 * 1500},
		{pluginFloor("", anchor), 20, 20 * 3000},
	} {
		f := tc.f
		f.dir = filepath.Join(work, fmt.Sprint(f.name, tc.n))
		pad, err := f.calibrate(work, env, tc.n, tc.target)
		if err != nil {
			t.Fatal(err)
		}
		f.pad = pad
		if err := os.MkdirAll(f.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"apply", "-auto-approve"}, {"plan", "-detailed-exitcode"}} {
			if _, err := measureFloor(f, env, tc.n, 1, 10, args); err != nil {
				t.Fatal(err)
			}
		}
		got, err := fileSize(filepath.Join(f.dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := math.Abs(float64(got-tc.target)) / float64(tc.target); diff > 0.01 {
			t.Errorf("N=%d: %s floor state is %d bytes, want %d (pad %d)", tc.n, f.name, got, tc.target, pad)
		}
		if f.plugin != "" {
			st, err := os.ReadFile(filepath.Join(f.dir, "terraform.tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(st), `"type": "mosaic_bytes"`) {
				t.Errorf("the plugin floor's state holds no mosaic_bytes:\n%s", st[:min(len(st), 2000)])
			}
		}
	}
}

// Each operation's provider usage is read from a file of its own: the no-change plan and the
// plan -refresh=false once shared one, and the second reported both commands' CPU and peak RSS.
func TestRSSFilePerOperation(t *testing.T) {
	seen := map[string]string{}
	for _, name := range []string{"create", "plan (no change)", "plan -refresh=false", "update 1 secret", "destroy"} {
		f := rssFileName(name)
		if other, ok := seen[f]; ok {
			t.Errorf("%q and %q share %s", name, other, f)
		}
		seen[f] = name
	}
}
