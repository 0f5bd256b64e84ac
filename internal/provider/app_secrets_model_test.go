package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The model <-> appsync mapping keeps what Terraform shows: a State written into a model and
// read back is the same State, null stays null and the role's attributes follow the role.
func TestStateMappingRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	rotation, text := "2026-11", "policy text"
	for name, st := range map[string]*appsync.State{
		"eso, plain secrets": {Env: "prod", Service: "web", Secrets: map[string]map[string]string{"db/app": {"password": "x"}},
			Versions: map[string]int{"db/app": 3}, Fields: map[string][]string{"db/app": {"password"}}, Policy: &text},
		"direct-vault, write-only": {Env: "dev", Service: "api", Versions: map[string]int{"jwt/key": 1},
			Fields: map[string][]string{"jwt/key": {"private_key"}}, WOVersion: ptr(int64(2)), Policy: &text,
			Role: &appsync.Role{Name: "api-dev", RoleID: "rid", Accessor: "acc", Rotation: &rotation, Settings: appsync.DefaultAppRole()}},
		"never written": {Env: "staging", Service: "x", Versions: map[string]int{}, Fields: map[string][]string{}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var m AppSecretsModel
			m.Environment, m.Service = types.StringValue(st.Env), types.StringValue(st.Service)
			m.setState(st, st.Secrets != nil)
			var diags diag.Diagnostics
			back := stateOf(ctx, &m, appsync.Private{}, &diags)
			if diags.HasError() {
				t.Fatal(diags)
			}
			if m.ID.ValueString() != policy.MountOf(st.Env)+"/"+st.Service {
				t.Errorf("id %q", m.ID.ValueString())
			}
			if (back.Policy == nil) != (st.Policy == nil) || (back.Role == nil) != (st.Role == nil) || (back.WOVersion == nil) != (st.WOVersion == nil) {
				t.Fatalf("null-ness lost: %+v -> %+v", st, back)
			}
			if st.Role != nil && (*back.Role.Rotation != rotation || back.Role.RoleID != "rid" || back.Role.Settings.TokenTTL != "1h" || m.BootstrapPath.ValueString() != policy.BootstrapPath(st.Env, st.Service)) {
				t.Errorf("role %+v, bootstrap_path %v", back.Role, m.BootstrapPath)
			}
			if st.Role == nil && !m.BootstrapPath.IsNull() {
				t.Errorf("bootstrap_path %v without a role", m.BootstrapPath)
			}
			for k, v := range st.Versions {
				if back.Versions[k] != v || len(back.Fields[k]) != len(st.Fields[k]) {
					t.Errorf("%s: version %d fields %v", k, back.Versions[k], back.Fields[k])
				}
			}
			if st.Secrets == nil && !m.Secrets.IsNull() || st.Secrets != nil && back.Secrets["db/app"]["password"] != "x" {
				t.Errorf("secrets %v -> %v", st.Secrets, back.Secrets)
			}
		})
	}
}

// specFrom marks a secret whose values are not known yet, so that the plan leaves its version unknown.
func TestSpecFromUnknownValues(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	secretType := types.MapType{ElemType: types.StringType}
	plan := AppSecretsModel{
		Environment: types.StringValue("prod"), Service: types.StringValue("web"), Access: types.StringValue("eso"),
		ExtraReadPaths: types.ListUnknown(types.StringType), AppRole: types.ObjectNull(appRoleAttrTypes),
		Secrets: types.MapValueMust(secretType, map[string]attr.Value{
			"db/app":  types.MapValueMust(types.StringType, map[string]attr.Value{"password": types.StringUnknown()}),
			"api/key": types.MapValueMust(types.StringType, map[string]attr.Value{"token": types.StringValue("t")}),
		}),
		SecretsWO: types.MapNull(secretType),
	}
	var diags diag.Diagnostics
	spec := specFrom(ctx, &plan, &plan, &diags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	if !spec.Secrets["db/app"].Unknown || spec.Secrets["api/key"].Unknown || spec.Policy != "" {
		t.Errorf("spec %+v", spec)
	}
}

func ptr[T any](v T) *T { return &v }

// The plan's deletion warning says whether the secret can be recovered, and how.
func TestDeletionNotice(t *testing.T) {
	t.Parallel()
	soft := deletionNotice("secret-prod", "web", "database/app", false, 3)
	if !strings.Contains(soft, "soft-deleted") || !strings.Contains(soft, "vault kv undelete -versions=3 secret-prod/web/database/app") {
		t.Errorf("soft: %s", soft)
	}
	if purge := deletionNotice("secret-prod", "web", "database/app", true, 3); !strings.Contains(purge, "cannot be recovered") {
		t.Errorf("purge: %s", purge)
	}
}
