package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// ModifyPlan fills in every computed attribute that the configuration determines, so that the
// plan shows the paths, field names, rendered policy and role settings before anything is
// written; it marks as unknown only what apply will really change (versions of secrets to be
// written, a new role_id or secret_id accessor), as appsync.PlanFor says. It also enforces the
// provider's environment lock.
func (r *AppSecretsResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		r.planDestroy(ctx, req, resp)
		return
	}
	var plan, config AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.Plan.Schema, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(appModels.get(ctx, req.Config.Schema, req.Config.Raw, &config)...)
	var prior *AppSecretsModel
	if !req.State.Raw.IsNull() {
		prior = &AppSecretsModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	if resp.Diagnostics.HasError() || plan.Environment.IsUnknown() || plan.Service.IsUnknown() {
		return
	}
	env, service := plan.Environment.ValueString(), plan.Service.ValueString()
	if !r.environmentAllowed(env, "write", &resp.Diagnostics) {
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
	spec := specFrom(ctx, &plan, &config, &resp.Diagnostics)
	var priorState *appsync.State
	if prior != nil {
		priorState = stateOf(ctx, prior, priv, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	todo := appsync.PlanFor(priorState, spec)
	outsideFields := r.checkOutside(ctx, &plan, priorState, spec, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	mount := policy.MountOf(env)
	plan.ID = types.StringValue(mount + "/" + service)
	plan.Mount = types.StringValue(mount)
	plan.PolicyName = types.StringValue(policy.PolicyName(env, service))
	plan.Policy = types.StringValue(spec.Policy)
	if !listKnown(plan.ExtraReadPaths) {
		plan.Policy = types.StringUnknown()
	}
	r.planSecrets(&plan, &config, spec, priorState, todo, outsideFields)
	r.planDirectVault(&plan, &config, priorState, todo)
	for _, key := range todo.Deletes {
		resp.Diagnostics.AddWarning("Secret will be deleted", deletionNotice(mount, service, key, spec.DeleteAllVersions, priorState.Versions[key]))
	}
	for _, key := range todo.Forgets {
		resp.Diagnostics.AddWarning("Imported secret left in Vault",
			fmt.Sprintf("%s/%s/%s was found by import but is not declared: apply leaves it in Vault untouched and drops it from state. Declare it to keep managing it.", mount, service, key))
	}
	resp.Diagnostics.Append(setModel(ctx, &resp.Plan.Raw, resp.Plan.Schema, &plan)...)
}

// planDestroy enforces the environment lock on destroy and names every secret the destroy deletes.
func (r *AppSecretsResource) planDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var prior AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.State.Schema, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	env, service := prior.Environment.ValueString(), prior.Service.ValueString()
	if !r.environmentAllowed(env, "destroy", &resp.Diagnostics) {
		return
	}
	purge := prior.DeleteAllVersions.ValueBool()
	for _, key := range sortedKeys(prior.Versions) {
		v, _ := prior.Versions.Elements()[key].(types.Int64)
		resp.Diagnostics.AddWarning("Secret will be deleted", deletionNotice(policy.MountOf(env), service, key, purge, int(v.ValueInt64())))
	}
}

// deletionNotice says which secret goes and whether it can be recovered.
func deletionNotice(mount, service, key string, purge bool, version int) string {
	full := mount + "/" + service + "/" + key
	if purge {
		return fmt.Sprintf("%s will be purged: every version and its metadata are destroyed and cannot be recovered (delete_all_versions = true).", full)
	}
	return fmt.Sprintf("%s will be soft-deleted: its current version (%d) can be restored with `vault kv undelete -versions=%d %s`; older versions stay. Set delete_all_versions = true to purge instead.", full, version, version, full)
}

// planSecrets sets paths, field names and versions: a secret to be written has an unknown version.
func (r *AppSecretsResource) planSecrets(plan, config *AppSecretsModel, spec *appsync.Spec, prior *appsync.State, todo appsync.Plan, outside map[string][]string) {
	src := plan.Secrets
	if spec.WriteOnly {
		src = config.SecretsWO
	}
	if src.IsUnknown() {
		plan.Paths = types.MapUnknown(types.StringType)
		plan.FieldNames = types.MapUnknown(types.ListType{ElemType: types.StringType})
		plan.Versions = types.MapUnknown(types.Int64Type)
		return
	}
	mount, service := policy.MountOf(spec.Env), spec.Service
	paths, fields, versions := map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	for key, v := range src.Elements() {
		paths[key] = types.StringValue(mount + "/" + service + "/" + key)
		fields[key] = fieldNamesValue(v)
		if todo.Writes[key] {
			versions[key] = types.Int64Unknown()
		} else {
			versions[key] = types.Int64Value(int64(prior.Versions[key]))
		}
	}
	for key, names := range outside {
		paths[key] = types.StringValue(mount + "/" + service + "/" + key)
		fields[key] = stringList(names)
	}
	plan.Paths = types.MapValueMust(types.StringType, paths)
	plan.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
	plan.Versions = types.MapValueMust(types.Int64Type, versions)
}

// checkOutside checks, at plan, the values that do not pass through Terraform: each external
// secret is there with its fields (a warning or an error naming the `vault kv put` to run), and
// each pending migration's source is a readable KV secret. It returns the field names of the
// external and migrated keys, for the plan.
func (r *AppSecretsResource) checkOutside(ctx context.Context, plan *AppSecretsModel, prior *appsync.State, spec *appsync.Spec, diags *diag.Diagnostics) map[string][]string {
	fields := map[string][]string{}
	for key, names := range spec.External {
		fields[key] = slices.Sorted(slices.Values(names))
	}
	for key := range spec.Migrate {
		if prior != nil && prior.Private.Migrated[key] == spec.Migrate[key] {
			fields[key] = prior.Fields[key]
		}
	}
	if (len(spec.External) == 0 && len(spec.Migrate) == 0) || r.data == nil {
		return fields
	}
	c := r.client(ctx, diags)
	if diags.HasError() {
		return nil
	}
	s := r.syncer(c)
	checks, err := s.CheckExternal(ctx, spec)
	if err != nil {
		addError(diags, "Cannot check the external secrets", err, attributeOf(false))
		return nil
	}
	asError := plan.ExternalMissing.ValueString() == "error"
	for _, ch := range checks {
		at := path.Root("external_secrets").AtMapKey(ch.Key)
		switch {
		case ch.Missing:
			externalDiag(diags, asError, at, "External secret missing",
				fmt.Sprintf("%s does not exist in Vault yet. Its values are written outside Terraform; write them with:\n  %s", ch.Path, ch.Command))
		case len(ch.MissingFields) > 0:
			externalDiag(diags, asError, at, "External secret incomplete",
				fmt.Sprintf("%s lacks the declared fields %s; add them with:\n  %s", ch.Path, strings.Join(ch.MissingFields, ", "), ch.Command))
		}
		if len(ch.ExtraFields) > 0 {
			diags.AddAttributeWarning(at, "Undeclared fields in an external secret",
				fmt.Sprintf("%s has fields that external_secrets does not declare: %s. Declare them (the app and its ESO manifests only see declared fields) or remove them.", ch.Path, strings.Join(ch.ExtraFields, ", ")))
		}
	}
	pending, err := s.PendingMigrations(ctx, prior, spec)
	if err != nil {
		addError(diags, "Cannot migrate", err, attributeOf(false))
		return nil
	}
	for _, m := range pending {
		fields[m.Key] = m.Fields
		diags.AddAttributeWarning(path.Root("migrate_from").AtMapKey(m.Key), "Secret will be copied",
			fmt.Sprintf("apply copies %s (fields: %s) to %s, server-side; the values never pass through Terraform.", m.Source, strings.Join(m.Fields, ", "), m.Target))
	}
	return fields
}

func externalDiag(diags *diag.Diagnostics, asError bool, at path.Path, summary, detail string) {
	if asError {
		diags.AddAttributeError(at, summary, detail+"\nNothing was written (external_missing = \"error\").")
		return
	}
	diags.AddAttributeWarning(at, summary, detail+"\nThe apply goes on: the app's path, policy and role are ready for the value.")
}

// planDirectVault sets the role's attributes: known names and settings, an unknown role_id or
// accessor where apply makes a new one.
func (r *AppSecretsResource) planDirectVault(plan, config *AppSecretsModel, prior *appsync.State, todo appsync.Plan) {
	switch {
	case plan.Access.IsUnknown():
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.AppRole = types.ObjectUnknown(appRoleAttrTypes)
	case plan.Access.ValueString() == policy.AccessDirectVault:
		env, service := plan.Environment.ValueString(), plan.Service.ValueString()
		plan.RoleName = types.StringValue(policy.PolicyName(env, service))
		plan.BootstrapPath = types.StringValue(policy.BootstrapPath(env, service))
		if config.AppRole.IsNull() {
			plan.AppRole = appRoleObject(appsync.DefaultAppRole())
		}
		plan.RoleID, plan.SecretIDAccessor = types.StringUnknown(), types.StringUnknown()
		if !todo.NewRoleID {
			plan.RoleID = types.StringValue(prior.Role.RoleID)
		}
		if !todo.Rotate {
			plan.SecretIDAccessor = types.StringValue(prior.Role.Accessor)
		}
	default:
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		plan.AppRole = types.ObjectNull(appRoleAttrTypes)
	}
}

// fieldNamesValue is the sorted list of a secret's field names, unknown when the secret is.
func fieldNamesValue(v attr.Value) attr.Value {
	m, ok := v.(types.Map)
	if !ok || m.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	return stringList(sortedKeys(m))
}
