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
		resp.Diagnostics.Append(appModels.get(ctx, req.State.Schema, req.State.Raw, prior)...)
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
	spec := r.specFrom(ctx, &plan, &config, &resp.Diagnostics)
	var priorState *appsync.State
	if prior != nil {
		priorState = stateOf(ctx, prior, priv, &resp.Diagnostics)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	todo := appsync.PlanFor(priorState, spec)
	// The checks of values outside Terraform go to their own diagnostics: see the end.
	var outside diag.Diagnostics
	outsideFields := r.checkOutside(ctx, &plan, priorState, spec, &outside)

	mount := policy.MountOf(env)
	plan.ID = types.StringValue(mount + "/" + service)
	plan.PolicyName = types.StringValue(policy.PolicyName(env, service))
	plan.Policy = types.StringValue(spec.Policy)
	if !listKnown(plan.ExtraReadPaths) {
		plan.Policy = types.StringUnknown()
	}
	r.planSecrets(&plan, &config, spec, priorState, todo, outsideFields)
	r.planDirectVault(&plan, &config, spec, priorState, todo, &resp.Diagnostics)
	for _, key := range todo.Deletes {
		resp.Diagnostics.AddWarning("Secret will be deleted", deletionNotice(mount, service, key, spec.DeleteAllVersions, priorState.Versions[key]))
	}
	for _, key := range todo.Forgets {
		full := mount + "/" + service + "/" + key
		switch {
		case spec.External[key] != nil:
			resp.Diagnostics.AddAttributeWarning(path.Root("external_secrets").AtMapKey(key), "Secret handed to people",
				fmt.Sprintf("%s is now declared in external_secrets: apply leaves its values in Vault as they are and stops tracking its version; people write it from now on (`vault kv put`).", full))
		case spec.Migrate[key] != "":
			resp.Diagnostics.AddAttributeWarning(path.Root("migrate_from").AtMapKey(key), "Secret handed to the migration",
				fmt.Sprintf("%s is now declared in migrate_from: apply leaves its values in Vault as they are and stops tracking its version.", full))
		default:
			resp.Diagnostics.AddWarning("Imported secret left in Vault",
				fmt.Sprintf("%s was found by import but is not declared: apply leaves it in Vault untouched and drops it from state. Declare it to keep managing it.", full))
		}
	}
	plan.MigrationStatus = plannedMigrationStatus(&plan, spec, priorState)
	resp.Diagnostics.Append(setModel(ctx, &resp.Plan.Raw, resp.Plan.Schema, &plan)...)
	// A check of values outside Terraform blocks only a plan that changes this app: a plan that
	// changes nothing applies nothing, and Terraform plans this way to refresh before a
	// destroy, which a missing external secret must never block.
	if outside.HasError() && prior != nil && resp.Plan.Raw.Equal(req.State.Raw) {
		outside = warningsOnly(outside, "This plan changes nothing for this app, so this is a warning only (a destroy goes on); an apply that changes it stops here.")
	}
	resp.Diagnostics.Append(outside...)
}

// warningsOnly turns the errors of diags into warnings, with note added to their detail.
func warningsOnly(diags diag.Diagnostics, note string) diag.Diagnostics {
	var out diag.Diagnostics
	for _, d := range diags {
		if d.Severity() != diag.SeverityError {
			out.Append(d)
			continue
		}
		if p, ok := d.(diag.DiagnosticWithPath); ok {
			out.AddAttributeWarning(p.Path(), d.Summary(), d.Detail()+"\n"+note)
		} else {
			out.AddWarning(d.Summary(), d.Detail()+"\n"+note)
		}
	}
	return out
}

// plannedMigrationStatus is migration_status after the apply: each key of migrate_from is
// "copied", or "source-deleted" once its source is soft-deleted (migrate_delete_source).
func plannedMigrationStatus(plan *AppSecretsModel, spec *appsync.Spec, prior *appsync.State) types.Map {
	if plan.MigrateFrom.IsNull() {
		return types.MapNull(types.StringType)
	}
	if !mapKnown(plan.MigrateFrom) {
		return types.MapUnknown(types.StringType)
	}
	status := map[string]string{}
	for key := range spec.Migrate {
		status[key] = migrationCopied
	}
	for _, d := range appsync.PendingSourceDeletes(prior, spec) {
		status[d.Key] = migrationSourceDeleted
	}
	if prior != nil {
		for key, src := range prior.Private.SourcesDeleted {
			if spec.Migrate[key] == src {
				status[key] = migrationSourceDeleted
			}
		}
	}
	return stringMapValue(status)
}

// mapKnown reports whether a map and all its elements are known.
func mapKnown(m types.Map) bool {
	if m.IsUnknown() {
		return false
	}
	for _, v := range m.Elements() {
		if v.IsUnknown() {
			return false
		}
	}
	return true
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
	if src.IsUnknown() || (!plan.MigrateFrom.IsNull() && !mapKnown(plan.MigrateFrom)) {
		// A source known only at apply: its field names are read then.
		plan.FieldNames = types.MapUnknown(types.ListType{ElemType: types.StringType})
		plan.Versions = types.MapUnknown(types.Int64Type)
		return
	}
	fields, versions := map[string]attr.Value{}, map[string]attr.Value{}
	for key, v := range src.Elements() {
		fields[key] = fieldNamesValue(v)
		if todo.Writes[key] {
			versions[key] = types.Int64Unknown()
		} else {
			versions[key] = types.Int64Value(int64(prior.Versions[key]))
		}
	}
	for key, names := range outside {
		fields[key] = stringList(names)
	}
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
		return fields
	}
	s := r.syncer(c)
	checks, err := s.CheckExternal(ctx, spec)
	if err != nil {
		addError(diags, "Cannot check the external secrets", err, attributeOf(false))
		return fields
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
		return fields
	}
	for _, m := range pending {
		fields[m.Key] = m.Fields
		diags.AddAttributeWarning(path.Root("migrate_from").AtMapKey(m.Key), "Secret will be copied",
			fmt.Sprintf("apply reads %s (fields: %s) and writes it to %s: the values pass through the provider's memory, never its state, plan or logs.", m.Source, strings.Join(m.Fields, ", "), m.Target))
	}
	if err := s.CheckSourceDeletes(ctx, prior, spec); err != nil {
		addError(diags, "Cannot delete the migration's source", err, attributeOf(false))
		return fields
	}
	for _, d := range appsync.PendingSourceDeletes(prior, spec) {
		diags.AddAttributeWarning(path.Root("migrate_delete_source"), "Legacy secret will be soft-deleted",
			fmt.Sprintf("apply soft-deletes the current version of %s once its copy at %s/%s/%s is in place; `vault kv undelete` restores it.", d.Source, policy.MountOf(spec.Env), spec.Service, d.Key))
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
// accessor where apply makes a new one, and the secret_ids that will exist after the apply.
func (r *AppSecretsResource) planDirectVault(plan, config *AppSecretsModel, spec *appsync.Spec, prior *appsync.State, todo appsync.Plan, diags *diag.Diagnostics) {
	switch {
	case plan.Access.IsUnknown():
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringUnknown(), types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
		plan.AppRole = types.ObjectUnknown(appRoleAttrTypes)
		plan.SecretIDs = types.ListUnknown(secretIDType)
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
		plan.SecretIDs = plannedSecretIDs(spec, prior, todo)
		planRotationNotices(spec, prior, todo, diags)
	default:
		plan.RoleName, plan.BootstrapPath, plan.RoleID, plan.SecretIDAccessor = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		plan.AppRole = types.ObjectNull(appRoleAttrTypes)
		plan.SecretIDs = types.ListNull(secretIDType)
	}
}

// plannedSecretIDs is secret_ids as apply leaves it, in the order apply builds it: the current
// secret_id, the other ones kept, and the one a routine rotation replaces (until unknown: the
// grace starts at apply).
func plannedSecretIDs(spec *appsync.Spec, prior *appsync.State, todo appsync.Plan) types.List {
	var elems []attr.Value
	if todo.Rotate {
		until := types.StringNull()
		if d, err := policy.ParseDuration("secret_id_ttl", spec.AppRole.SecretIDTTL); err != nil || d > 0 {
			until = types.StringUnknown()
		}
		elems = append(elems, secretIDValue(types.StringUnknown(), "current", until))
	} else {
		elems = append(elems, secretIDValue(types.StringValue(prior.Role.Accessor), "current", timeValue(prior.Role.Expires)))
	}
	for _, o := range todo.KeepOthers {
		elems = append(elems, secretIDValue(types.StringValue(o.Accessor), o.Status, timeValue(o.ValidUntil)))
	}
	if todo.RetireCurrent {
		elems = append(elems, secretIDValue(types.StringValue(prior.Role.Accessor), appsync.StatusPrevious, types.StringUnknown()))
	}
	return types.ListValueMust(secretIDType, elems)
}

// planRotationNotices says in the plan what a rotation does to the secret_ids the app may hold,
// and which secret_ids apply destroys. Accessors only, never a secret_id.
func planRotationNotices(spec *appsync.Spec, prior *appsync.State, todo appsync.Plan, diags *diag.Diagnostics) {
	if !roleKnown(prior) {
		return // a new role: nothing held yet
	}
	role, boot := prior.Name(), policy.BootstrapPath(spec.Env, spec.Service)
	switch {
	case todo.Rotate && todo.Emergency:
		diags.AddAttributeWarning(path.Root("secret_id_emergency_rotation"), "Emergency secret_id rotation",
			fmt.Sprintf("apply mints a new secret_id for %s, writes it to %s and at once destroys every other secret_id of the role (accessors: %s), with no grace. "+
				"Pods still holding an old secret_id fail at their next login until ESO has synced the new one and they have restarted.", role, boot, accessorList(todo.Destroy)))
		return
	case todo.Rotate && todo.RetireCurrent:
		diags.AddAttributeWarning(path.Root("secret_id_rotation"), "secret_id rotation with grace",
			fmt.Sprintf("apply mints a new secret_id for %s and writes it to %s. The current one (accessor %s) stays valid for %s after the apply, "+
				"so that pods pick up the new one (ESO refresh, rollout); the first plan after that shows it as grace-ended and its apply destroys it.",
				role, boot, prior.Role.Accessor, spec.Grace))
	case todo.Rotate && prior.Role.Accessor != "":
		diags.AddAttributeWarning(path.Root("secret_id_grace_period"), "secret_id rotation without grace",
			fmt.Sprintf("apply mints a new secret_id for %s, writes it to %s and then destroys the current one (accessor %s) in the same apply (secret_id_grace_period = 0): "+
				"pods holding it fail at their next login until they have the new one.", role, boot, prior.Role.Accessor))
	}
	var gone []string
	for _, o := range prior.Role.Others {
		if slices.Contains(todo.Destroy, o.Accessor) {
			gone = append(gone, o.Accessor+" ("+o.Status+")")
		}
	}
	if len(gone) > 0 {
		diags.AddWarning("secret_ids will be destroyed",
			fmt.Sprintf("apply destroys these secret_ids of %s: %s. A grace-ended one was replaced by a rotation; an untracked one was not minted by Terraform.", role, strings.Join(gone, ", ")))
	}
}

func roleKnown(prior *appsync.State) bool {
	return prior != nil && prior.Role != nil && prior.Role.RoleID != ""
}

func accessorList(accessors []string) string {
	if len(accessors) == 0 {
		return "none"
	}
	return strings.Join(accessors, ", ")
}

// fieldNamesValue is the sorted list of a secret's field names, unknown when the secret is.
func fieldNamesValue(v attr.Value) attr.Value {
	m, ok := v.(types.Map)
	if !ok || m.IsUnknown() {
		return types.ListUnknown(types.StringType)
	}
	return stringList(sortedKeys(m))
}
