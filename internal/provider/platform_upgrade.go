package provider

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// platformV0 is the state of mosaic_platform before issuers (schema version 0): one JWT auth
// method (jwt_auth) for every identity, roles keyed by name.
type platformV0 struct {
	ID                      *string                        `json:"id"`
	Environments            []string                       `json:"environments"`
	Services                map[string][]string            `json:"services"`
	AppExtraReadPaths       map[string]map[string][]string `json:"app_extra_read_paths"`
	MaxVersions             *int64                         `json:"max_versions"`
	AllowDestroyWithSecrets *bool                          `json:"allow_destroy_with_secrets"`
	Mounts                  map[string]string              `json:"mounts"`
	ESOReaderPolicies       map[string]*string             `json:"eso_reader_policies"`
	CIWriterPolicies        map[string]*string             `json:"ci_writer_policies"`
	AppRoleMount            *string                        `json:"approle_mount"`
	AppRoleManaged          *bool                          `json:"approle_managed"`
	JWTAuth                 *struct {
		Mount *string `json:"mount"`
	} `json:"jwt_auth"`
	JWTManaged *bool             `json:"jwt_managed"`
	JWTRoles   map[string]string `json:"jwt_roles"`
}

func (r *PlatformResource) UpgradeState(ctx context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{
		0: {StateUpgrader: upgradePlatformV0},
		1: {PriorSchema: platformSchemaV1(ctx), StateUpgrader: upgradePlatformV1},
	}
}

// platformSchemaV1 is the schema of version 1: that of version 2 without identity_policy_digests
// (the pipelines' and namespaces' policies were in ci_writer_policies and eso_reader_policies).
func platformSchemaV1(ctx context.Context) *schema.Schema {
	var sr resource.SchemaResponse
	(&PlatformResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	v1 := sr.Schema
	v1.Version = 1
	v1.Attributes = maps.Clone(v1.Attributes)
	delete(v1.Attributes, "identity_policy_digests")
	return &v1
}

// upgradePlatformV1 moves the pipelines' and namespaces' policies of version 1, recorded by
// their text in ci_writer_policies and eso_reader_policies, to identity_policy_digests (the
// digest of the recorded text): the environment-wide policies keep their text.
func upgradePlatformV1(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	vals := map[string]tftypes.Value{}
	if err := req.State.Raw.As(&vals); err != nil {
		resp.Diagnostics.AddError("Cannot upgrade mosaic_platform state", "The version 1 state does not parse: "+err.Error())
		return
	}
	strType := tftypes.Map{ElementType: tftypes.String}
	digests := map[string]string{}
	for _, name := range []string{"eso_reader_policies", "ci_writer_policies"} {
		var raw map[string]tftypes.Value
		err := vals[name].As(&raw)
		texts := make(map[string]*string, len(raw))
		for policyName, v := range raw {
			var text *string
			err = errors.Join(err, v.As(&text))
			texts[policyName] = text
		}
		if err != nil {
			resp.Diagnostics.AddError("Cannot upgrade mosaic_platform state", name+" does not parse: "+err.Error())
			return
		}
		if vals[name].IsNull() {
			continue
		}
		kept := map[string]tftypes.Value{}
		for policyName, text := range splitIdentityPolicies(texts, digests) {
			kept[policyName] = tftypes.NewValue(tftypes.String, text)
		}
		vals[name] = tftypes.NewValue(strType, kept)
	}
	d := map[string]tftypes.Value{}
	for name, digest := range digests {
		d[name] = tftypes.NewValue(tftypes.String, digest)
	}
	vals["identity_policy_digests"] = tftypes.NewValue(strType, d)
	resp.State.Raw = tftypes.NewValue(resp.State.Schema.Type().TerraformType(ctx), vals)
}

// splitIdentityPolicies returns the environment-wide policies of texts (ci-writer-{env},
// eso-reader-{env}) and adds the digest of every other one (a pipeline's or a namespace's) to
// digests: empty for a policy recorded as missing.
func splitIdentityPolicies(texts map[string]*string, digests map[string]string) map[string]*string {
	env := map[string]*string{}
	for name, text := range texts {
		switch {
		case slices.ContainsFunc(policy.Environments, func(e string) bool {
			return name == policy.CIWriterPolicyName(e) || name == policy.ESOReaderPolicyName(e)
		}):
			env[name] = text
		case text == nil || *text == "":
			digests[name] = ""
		default:
			digests[name] = policyDigest(*text)
		}
	}
	return env
}

// upgradePlatformV0 keeps what version 0 recorded and moves its identities to where version 1
// tracks them: the roles under "{mount}/{role}" and the JWT method, if it enabled it, in
// managed_auth_mounts. The next plan then shows the roles of the new issuers' mounts, and the
// apply deletes the old roles (and disables the old method when this resource enabled it and no
// issuer keeps its mount).
func upgradePlatformV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	if req.RawState == nil {
		resp.Diagnostics.AddError("Cannot upgrade mosaic_platform state", "The prior state is missing.")
		return
	}
	var old platformV0
	if err := json.Unmarshal(req.RawState.JSON, &old); err != nil {
		resp.Diagnostics.AddError("Cannot upgrade mosaic_platform state", "The version 0 state does not parse: "+err.Error())
		return
	}
	m := upgradedPlatform(old)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

func upgradedPlatform(old platformV0) PlatformModel {
	mount := "jwt"
	if old.JWTAuth != nil && old.JWTAuth.Mount != nil && *old.JWTAuth.Mount != "" {
		mount = strings.Trim(*old.JWTAuth.Mount, "/")
	}
	roles := map[string]string{}
	for name, summary := range old.JWTRoles {
		roles[mount+"/"+name] = summary
	}
	var managed []string
	if old.JWTManaged != nil && *old.JWTManaged {
		managed = append(managed, mount)
	}
	services := types.MapNull(types.ListType{ElemType: types.StringType})
	if old.Services != nil {
		v := map[string]attr.Value{}
		for env, svcs := range old.Services {
			v[env] = stringList(svcs)
		}
		services = types.MapValueMust(types.ListType{ElemType: types.StringType}, v)
	}
	extraType := types.MapType{ElemType: types.ListType{ElemType: types.StringType}}
	extra := types.MapNull(extraType)
	if old.AppExtraReadPaths != nil {
		v := map[string]attr.Value{}
		for env, apps := range old.AppExtraReadPaths {
			a := map[string]attr.Value{}
			for svc, paths := range apps {
				a[svc] = stringList(paths)
			}
			v[env] = types.MapValueMust(types.ListType{ElemType: types.StringType}, a)
		}
		extra = types.MapValueMust(extraType, v)
	}
	digests := map[string]string{}
	return PlatformModel{
		ID: types.StringPointerValue(old.ID), Environments: stringList(old.Environments), Services: services, AppExtraReadPaths: extra,
		MaxVersions: types.Int64PointerValue(old.MaxVersions), AllowDestroyWithSecrets: types.BoolPointerValue(old.AllowDestroyWithSecrets),
		Mounts: stringMap(old.Mounts), ESOReaderPolicies: ptrStringMap(splitIdentityPolicies(old.ESOReaderPolicies, digests)),
		CIWriterPolicies: ptrStringMap(splitIdentityPolicies(old.CIWriterPolicies, digests)), IdentityPolicyDigests: stringMap(digests),
		AppRoleMount: types.StringPointerValue(old.AppRoleMount), AppRoleManaged: types.BoolPointerValue(old.AppRoleManaged),
		EnvironmentCIWriters: types.BoolValue(true),
		Issuers:              types.MapNull(types.ObjectType{AttrTypes: issuerAttrTypes}),
		CIIdentities:         types.MapNull(types.ObjectType{AttrTypes: ciIdentityAttrTypes}),
		ESOIdentities:        types.MapNull(types.ObjectType{AttrTypes: esoIdentityAttrTypes}),
		JWTAuth:              types.ObjectNull(jwtAuthAttrTypes), ManagedAuthMounts: stringList(managed),
		IssuerConfigs: stringMap(map[string]string{}), JWTRoles: stringMap(roles), OwnerID: types.StringValue(""),
	}
}

// ptrStringMap is m as a map attribute (a missing element: empty).
func ptrStringMap(m map[string]*string) types.Map {
	v := map[string]attr.Value{}
	for k, s := range m {
		v[k] = types.StringPointerValue(s)
	}
	return types.MapValueMust(types.StringType, v)
}
