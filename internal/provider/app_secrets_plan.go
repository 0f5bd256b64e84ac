package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// ModifyPlan fills in every computed attribute that the configuration determines, so that the
// plan shows the paths, field names, rendered policy and role settings before anything is
// written; it marks as unknown only what apply will really change (versions of secrets to be
// written, a new role_id or secret_id accessor). It also enforces the provider's environment lock.
func (r *AppSecretsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return // destroy
	}
	var plan, config AppSecretsModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	var prior *AppSecretsModel
	if !req.State.Raw.IsNull() {
		prior = &AppSecretsModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.Environment.IsUnknown() || plan.Service.IsUnknown() {
		return
	}
	env, service := plan.Environment.ValueString(), plan.Service.ValueString()
	if r.data != nil && !r.data.EnvironmentAllowed(env) {
		resp.Diagnostics.AddAttributeError(path.Root("environment"), "Environment locked",
			fmt.Sprintf("This provider configuration may only write %s (allowed_environments), not %q. Run this change from a workspace for %s.",
				strings.Join(r.data.allowedEnvironments, ", "), env, env))
		return
	}
	if prior == nil && r.data != nil {
		// A new app: make sure Vault is reachable and the token valid now, at plan, not halfway through apply.
		r.client(ctx, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	priv, d := loadPrivate(ctx, req.Private)
	resp.Diagnostics.Append(d...)

	mount := "secret-" + env
	policyName := policy.PolicyName(env, service)
	plan.ID = types.StringValue(mount + "/" + service)
	plan.Mount = types.StringValue(mount)
	plan.PolicyName = types.StringValue(policyName)

	if plan.ExtraReadPaths.IsUnknown() {
		plan.Policy = types.StringUnknown()
	} else {
		var extra []string
		resp.Diagnostics.Append(plan.ExtraReadPaths.ElementsAs(ctx, &extra, false)...)
		plan.Policy = types.StringValue(policy.AppPolicy(env, service, extra))
	}

	wo := !config.SecretsWO.IsNull()
	src := plan.Secrets
	if wo {
		src = config.SecretsWO
	}
	switch {
	case src.IsUnknown():
		plan.Paths = types.MapUnknown(types.StringType)
		plan.FieldNames = types.MapUnknown(types.ListType{ElemType: types.StringType})
		plan.Versions = types.MapUnknown(types.Int64Type)
	default:
		paths := map[string]attr.Value{}
		fields := map[string]attr.Value{}
		versions := map[string]attr.Value{}
		for key, v := range src.Elements() {
			paths[key] = types.StringValue(mount + "/" + service + "/" + key)
			fields[key] = fieldNamesValue(v)
			if prior != nil && !needsWrite(prior, plan.Secrets, wo, plan.SecretsWOVersion, priv, key) {
				versions[key] = prior.Versions.Elements()[key]
			} else {
				versions[key] = types.Int64Unknown()
			}
		}
		plan.Paths = types.MapValueMust(types.StringType, paths)
		plan.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
		plan.Versions = types.MapValueMust(types.Int64Type, versions)
	}

	switch {
	case plan.Access.IsUnknown():
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.AppRole = types.ObjectUnknown(appRoleAttrTypes)
	case plan.Access.ValueString() == policy.AccessDirectVault:
		plan.RoleName = types.StringValue(policyName)
		plan.BootstrapPath = types.StringValue(policy.BootstrapPath(env, service))
		if config.AppRole.IsNull() {
			plan.AppRole = defaultAppRole()
		}
		roleExists := prior != nil && prior.RoleID.ValueString() != ""
		if roleExists {
			plan.RoleID = prior.RoleID
		} else {
			plan.RoleID = types.StringUnknown()
		}
		rotate := !roleExists || prior.SecretIDAccessor.ValueString() == "" || priv.Rotate ||
			!prior.SecretIDRotation.Equal(plan.SecretIDRotation)
		if rotate {
			plan.SecretIDAccessor = types.StringUnknown()
		} else {
			plan.SecretIDAccessor = prior.SecretIDAccessor
		}
	default:
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		plan.AppRole = types.ObjectNull(appRoleAttrTypes)
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

// needsWrite reports whether apply must write secret key: it is new, its value or
// secrets_wo_version changed, or the version in Vault is not the one Terraform wrote.
func needsWrite(prior *AppSecretsModel, planSecrets types.Map, wo bool, planWOVersion types.Int64, priv *privateState, key string) bool {
	if prior == nil {
		return true
	}
	v, ok := prior.Versions.Elements()[key].(types.Int64)
	if !ok || v.IsNull() || v.IsUnknown() {
		return true
	}
	if w, ok := priv.Written[key]; (ok && int64(w) != v.ValueInt64()) || priv.isStale(key) {
		return true
	}
	if wo {
		return !prior.SecretsWOVersion.Equal(planWOVersion) || !prior.Secrets.IsNull()
	}
	before, ok := prior.Secrets.Elements()[key]
	return !ok || !before.Equal(planSecrets.Elements()[key])
}

// fieldNamesValue is the sorted list of a secret's field names, unknown when the secret is.
func fieldNamesValue(v attr.Value) attr.Value {
	m, ok := v.(types.Map)
	if !ok || m.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	return stringList(sortedKeys(m))
}

func stringList(items []string) types.List {
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

func defaultAppRole() types.Object {
	d := policy.DefaultAppRole
	return types.ObjectValueMust(appRoleAttrTypes, map[string]attr.Value{
		"token_ttl":             types.StringValue(d.TokenTTL),
		"token_max_ttl":         types.StringValue(d.TokenMaxTTL),
		"secret_id_ttl":         types.StringValue(d.SecretIDTTL),
		"secret_id_num_uses":    types.Int64Value(0),
		"token_bound_cidrs":     stringList(nil),
		"secret_id_bound_cidrs": stringList(nil),
	})
}

// sortedStrings returns the sorted keys of a Go map.
func sortedStrings[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
