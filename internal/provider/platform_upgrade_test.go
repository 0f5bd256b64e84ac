package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// A version 0 state (one jwt_auth mount) upgrades: its roles are tracked under their mount, so
// that the next apply deletes them there, and a method it enabled is listed as managed, so that
// it is disabled unless an issuer keeps its mount.
func TestPlatformUpgradeFromV0(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &PlatformResource{}
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	raw := `{"id":"platform","environments":["prod"],"services":{"prod":["web"]},"app_extra_read_paths":null,"max_versions":10,
"allow_destroy_with_secrets":false,"mounts":{"prod":"secret-prod"},"eso_reader_policies":{"eso-reader-prod":"x"},
"ci_writer_policies":{"ci-writer-prod":"y"},"approle_mount":"approle","approle_managed":true,
"jwt_auth":{"mount":"gha/","jwt_validation_pubkeys":["K"],"oidc_discovery_url":null,"jwks_url":null,"bound_issuer":"https://gh"},
"ci_identities":{"prod":{"bound_audiences":["a"],"bound_claims":{"ref":"refs/heads/main"},"bound_subject":null,"user_claim":null,"token_ttl":null}},
"eso_identities":null,"jwt_managed":true,"jwt_roles":{"ci-writer-prod":"policies=ci-writer-prod"}}`
	req := resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(raw)}}
	resp := resource.UpgradeStateResponse{State: tfsdk.State{Schema: sch.Schema}}
	r.UpgradeState(ctx)[0].StateUpgrader(ctx, req, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	var m PlatformModel
	if d := resp.State.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	roles := m.JWTRoles.Elements()
	if len(roles) != 1 || roles["gha/ci-writer-prod"] == nil {
		t.Errorf("jwt_roles %v, want the old role under gha/", roles)
	}
	if got := m.ManagedAuthMounts.String(); got != `["gha"]` {
		t.Errorf("managed_auth_mounts %s, want [\"gha\"]", got)
	}
	if !m.CIIdentities.IsNull() || !m.JWTAuth.IsNull() || m.OwnerID.ValueString() != "" || !m.AppRoleManaged.ValueBool() ||
		m.CIWriterPolicies.Elements()["ci-writer-prod"] == nil || m.Services.Elements()["prod"] == nil {
		t.Errorf("upgraded state: %+v", m)
	}
}
