package provider

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
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

// A version 1 state, which recorded every pipeline's and namespace's policy by its text in
// ci_writer_policies and eso_reader_policies, upgrades to version 2: those move to
// identity_policy_digests as the digest of the recorded text (empty for one recorded missing),
// the environment-wide policies keep their text, and everything else is kept as it was.
func TestPlatformUpgradeFromV1(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := &PlatformResource{}
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	up := r.UpgradeState(ctx)[1]
	m1 := benchPlatformModel(20, 10, 10)
	m1.ID, m1.OwnerID, m1.AppRoleMount = types.StringValue("platform"), types.StringValue("owner-1"), types.StringValue("approle")
	m1.ESOReaderPolicies = stringMap(map[string]string{"eso-reader-prod": "env text", "eso-reader-prod-ns-000": "ns text"})
	m1.CIWriterPolicies = stringMap(map[string]string{"ci-writer-dev": "dev text", "ci-writer-prod-p-0000": "pipeline text", "ci-writer-prod-p-0001": ""})
	m1.IdentityPolicyDigests = types.MapNull(types.StringType)
	v2 := tfsdk.State{Schema: sch.Schema}
	if d := v2.Set(ctx, m1); d.HasError() {
		t.Fatal(d)
	}
	vals := map[string]tftypes.Value{}
	if err := v2.Raw.As(&vals); err != nil {
		t.Fatal(err)
	}
	delete(vals, "identity_policy_digests")
	v1 := tfsdk.State{Schema: *up.PriorSchema, Raw: tftypes.NewValue(up.PriorSchema.Type().TerraformType(ctx), vals)}
	req := resource.UpgradeStateRequest{State: &v1}
	resp := resource.UpgradeStateResponse{State: tfsdk.State{Schema: sch.Schema}}
	up.StateUpgrader(ctx, req, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatal(resp.Diagnostics)
	}
	var m PlatformModel
	if d := resp.State.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	want := map[string]types.Map{
		"eso_reader_policies": stringMap(map[string]string{"eso-reader-prod": "env text"}),
		"ci_writer_policies":  stringMap(map[string]string{"ci-writer-dev": "dev text"}),
		"identity_policy_digests": stringMap(map[string]string{"eso-reader-prod-ns-000": policyDigest("ns text"),
			"ci-writer-prod-p-0000": policyDigest("pipeline text"), "ci-writer-prod-p-0001": ""}),
	}
	for name, got := range map[string]types.Map{"eso_reader_policies": m.ESOReaderPolicies, "ci_writer_policies": m.CIWriterPolicies,
		"identity_policy_digests": m.IdentityPolicyDigests} {
		if !got.Equal(want[name]) {
			t.Errorf("%s: %s, want %s", name, got, want[name])
		}
	}
	if !m.CIIdentities.Equal(m1.CIIdentities) || !m.Services.Equal(m1.Services) || m.OwnerID != m1.OwnerID || !m.Issuers.Equal(m1.Issuers) {
		t.Errorf("the upgrade lost other attributes: %+v", m)
	}
	if got := m.IdentityPolicyDigests.Elements()["ci-writer-prod-p-0000"].(types.String).ValueString(); got != "sha256:6c841eb7139e857483f71b7e2ec55863d81065c97d1825a2d90a96c18bedf8ad" {
		t.Errorf("digest %s, want sha256: and the hex SHA-256 of the text", got)
	}
}
