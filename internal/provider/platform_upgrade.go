package provider

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
	ESOReaderPolicies       map[string]string              `json:"eso_reader_policies"`
	CIWriterPolicies        map[string]string              `json:"ci_writer_policies"`
	AppRoleMount            *string                        `json:"approle_mount"`
	AppRoleManaged          *bool                          `json:"approle_managed"`
	JWTAuth                 *struct {
		Mount *string `json:"mount"`
	} `json:"jwt_auth"`
	JWTManaged *bool             `json:"jwt_managed"`
	JWTRoles   map[string]string `json:"jwt_roles"`
}

func (r *PlatformResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradePlatformV0}}
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
	return PlatformModel{
		ID: types.StringPointerValue(old.ID), Environments: stringList(old.Environments), Services: services, AppExtraReadPaths: extra,
		MaxVersions: types.Int64PointerValue(old.MaxVersions), AllowDestroyWithSecrets: types.BoolPointerValue(old.AllowDestroyWithSecrets),
		Mounts: stringMap(old.Mounts), ESOReaderPolicies: stringMap(old.ESOReaderPolicies), CIWriterPolicies: stringMap(old.CIWriterPolicies),
		AppRoleMount: types.StringPointerValue(old.AppRoleMount), AppRoleManaged: types.BoolPointerValue(old.AppRoleManaged),
		EnvironmentCIWriters: types.BoolValue(true),
		Issuers:              types.MapNull(types.ObjectType{AttrTypes: issuerAttrTypes}),
		CIIdentities:         types.MapNull(types.ObjectType{AttrTypes: ciIdentityAttrTypes}),
		ESOIdentities:        types.MapNull(types.ObjectType{AttrTypes: esoIdentityAttrTypes}),
		JWTAuth:              types.ObjectNull(jwtAuthAttrTypes), ManagedAuthMounts: stringList(managed),
		IssuerConfigs: stringMap(map[string]string{}), JWTRoles: stringMap(roles), OwnerID: types.StringValue(""),
	}
}
