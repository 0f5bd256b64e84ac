package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The mapping between the resource's model and internal/appsync's Spec and State: the only
// place where Terraform's null and unknown meet the Vault side.

// specFrom is what plan (with write-only values from config) asks for. Secrets whose values are
// not known yet are marked Unknown; the policy is "" while extra_read_paths is unknown.
func specFrom(ctx context.Context, plan, config *AppSecretsModel, diags *diag.Diagnostics) *appsync.Spec {
	env, service := plan.Environment.ValueString(), plan.Service.ValueString()
	var extra []string
	known := listKnown(plan.ExtraReadPaths)
	if known {
		diags.Append(plan.ExtraReadPaths.ElementsAs(ctx, &extra, false)...)
	}
	spec := appsync.NewSpec(env, service, extra)
	if !known {
		spec.Policy = "" // rendered once the paths are known
	}
	spec.WriteOnly = !config.SecretsWO.IsNull()
	spec.WOVersion = plan.SecretsWOVersion.ValueInt64()
	src := plan.Secrets
	if spec.WriteOnly {
		src = config.SecretsWO
	}
	for key, v := range src.Elements() {
		spec.Secrets[key] = secretOf(v)
	}
	spec.Direct = plan.Access.ValueString() == policy.AccessDirectVault
	if !plan.AppRole.IsNull() && !plan.AppRole.IsUnknown() {
		spec.AppRole = appRoleOf(ctx, plan.AppRole, diags)
	}
	spec.Rotation, spec.Emergency = stringPtr(plan.SecretIDRotation), stringPtr(plan.SecretIDEmergency)
	if g := plan.SecretIDGracePeriod; !g.IsNull() && !g.IsUnknown() {
		spec.Grace, _ = policy.ParseDuration("secret_id_grace_period", g.ValueString()) // checked by its validator
	}
	spec.DeleteAllVersions = plan.DeleteAllVersions.ValueBool()
	spec.External = stringListMap(ctx, plan.ExternalSecrets, diags)
	if !plan.MigrateFrom.IsNull() && !plan.MigrateFrom.IsUnknown() {
		// A source known only at apply is left out of the plan's checks; apply checks it.
		spec.Migrate = map[string]string{}
		for key, v := range plan.MigrateFrom.Elements() {
			if src, ok := v.(types.String); ok && !src.IsUnknown() && !src.IsNull() {
				spec.Migrate[key] = src.ValueString()
			}
		}
	}
	spec.DeleteSources = plan.MigrateDeleteSource.ValueBool()
	return spec
}

func secretOf(v attr.Value) appsync.Secret {
	m, ok := v.(types.Map)
	if !ok || m.IsUnknown() || m.IsNull() {
		return appsync.Secret{Unknown: true}
	}
	s := appsync.Secret{Fields: make(map[string]string, len(m.Elements()))}
	for f, fv := range m.Elements() {
		str, ok := fv.(types.String)
		if !ok || str.IsUnknown() {
			s.Unknown = true
			continue
		}
		s.Fields[f] = str.ValueString()
	}
	return s
}

// appRoleModelOf reads the approle object's attributes directly: the framework's As walks the
// struct's tags with a regular expression per field on every call (see model_codec.go), once
// per app per plan here. An attribute the object lacks (unknown or null object) stays null.
func appRoleModelOf(o types.Object) AppRoleModel {
	a := o.Attributes()
	str := func(k string) types.String { v, _ := a[k].(types.String); return v }
	list := func(k string) types.List {
		if v, ok := a[k].(types.List); ok {
			return v
		}
		return types.ListNull(types.StringType)
	}
	nums, _ := a["secret_id_num_uses"].(types.Int64)
	return AppRoleModel{TokenTTL: str("token_ttl"), TokenMaxTTL: str("token_max_ttl"), SecretIDTTL: str("secret_id_ttl"),
		SecretIDNumUses: nums, TokenBoundCIDRs: list("token_bound_cidrs"), SecretIDBoundCIDRs: list("secret_id_bound_cidrs")}
}

func appRoleOf(ctx context.Context, o types.Object, diags *diag.Diagnostics) appsync.AppRole {
	m := appRoleModelOf(o)
	ar := appsync.AppRole{
		TokenTTL: m.TokenTTL.ValueString(), TokenMaxTTL: m.TokenMaxTTL.ValueString(), SecretIDTTL: m.SecretIDTTL.ValueString(),
		SecretIDNumUses: m.SecretIDNumUses.ValueInt64(), TokenBoundCIDRs: []string{}, SecretIDBoundCIDRs: []string{},
	}
	diags.Append(m.TokenBoundCIDRs.ElementsAs(ctx, &ar.TokenBoundCIDRs, false)...)
	diags.Append(m.SecretIDBoundCIDRs.ElementsAs(ctx, &ar.SecretIDBoundCIDRs, false)...)
	return ar
}

func appRoleObject(ar appsync.AppRole) types.Object {
	return types.ObjectValueMust(appRoleAttrTypes, map[string]attr.Value{
		"token_ttl":             types.StringValue(ar.TokenTTL),
		"token_max_ttl":         types.StringValue(ar.TokenMaxTTL),
		"secret_id_ttl":         types.StringValue(ar.SecretIDTTL),
		"secret_id_num_uses":    types.Int64Value(ar.SecretIDNumUses),
		"token_bound_cidrs":     stringList(ar.TokenBoundCIDRs),
		"secret_id_bound_cidrs": stringList(ar.SecretIDBoundCIDRs),
	})
}

// stateOf is the appsync State of a resource's Terraform state and private record.
func stateOf(ctx context.Context, m *AppSecretsModel, priv appsync.Private, diags *diag.Diagnostics) *appsync.State {
	st := appsync.NewState(m.Environment.ValueString(), m.Service.ValueString())
	st.Private = priv
	if !m.Secrets.IsNull() && !m.Secrets.IsUnknown() {
		st.Secrets = map[string]map[string]string{}
		for k, v := range m.Secrets.Elements() {
			st.Secrets[k] = secretOf(v).Fields
		}
	}
	for k, v := range m.Versions.Elements() {
		if i, ok := v.(types.Int64); ok && !i.IsNull() && !i.IsUnknown() {
			st.Versions[k] = int(i.ValueInt64())
		}
	}
	for k, v := range m.FieldNames.Elements() {
		var names []string
		if l, ok := v.(types.List); ok && !l.IsUnknown() {
			diags.Append(l.ElementsAs(ctx, &names, false)...)
		}
		st.Fields[k] = names
	}
	if !m.SecretsWOVersion.IsNull() {
		v := m.SecretsWOVersion.ValueInt64()
		st.WOVersion = &v
	}
	st.Policy = stringPtr(m.Policy)
	st.DeleteAllVersions = m.DeleteAllVersions.ValueBool()
	st.External = stringListMap(ctx, m.ExternalSecrets, diags)
	if !m.RoleName.IsNull() || !m.RoleID.IsNull() {
		st.Role = &appsync.Role{Name: m.RoleName.ValueString(), RoleID: m.RoleID.ValueString(),
			Accessor: m.SecretIDAccessor.ValueString(), Rotation: stringPtr(m.SecretIDRotation), Emergency: stringPtr(m.SecretIDEmergency)}
		secretIDsOf(ctx, m.SecretIDs, st.Role, diags)
		if !m.AppRole.IsNull() && !m.AppRole.IsUnknown() {
			st.Role.Settings = appRoleOf(ctx, m.AppRole, diags)
		}
	}
	return st
}

// setState writes what st says into m (a copy of the plan, or the prior state), leaving the
// declaration's own attributes as they are. plainSecrets says the declaration uses `secrets`.
func (m *AppSecretsModel) setState(st *appsync.State, plainSecrets bool) {
	m.ID = types.StringValue(st.String())
	m.PolicyName = types.StringValue(st.Name())
	versions, fields := map[string]attr.Value{}, map[string]attr.Value{}
	for key, names := range st.Fields {
		fields[key] = stringList(names)
	}
	for key, v := range st.Versions {
		versions[key] = types.Int64Value(int64(v))
		if _, ok := fields[key]; !ok {
			fields[key] = stringList(nil)
		}
	}
	m.Versions = types.MapValueMust(types.Int64Type, versions)
	m.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
	if st.Secrets == nil || (!plainSecrets && len(st.Secrets) == 0) {
		m.Secrets = types.MapNull(types.MapType{ElemType: types.StringType})
	} else {
		secrets := make(map[string]attr.Value, len(st.Secrets))
		for k, v := range st.Secrets {
			secrets[k] = stringMapValue(v)
		}
		m.Secrets = types.MapValueMust(types.MapType{ElemType: types.StringType}, secrets)
	}
	m.SecretsWO = types.MapNull(types.MapType{ElemType: types.StringType})
	m.SecretsWOVersion = types.Int64Null()
	if st.WOVersion != nil {
		m.SecretsWOVersion = types.Int64Value(*st.WOVersion)
	}
	m.MigrationStatus = migrationStatusOf(st, !m.MigrateFrom.IsNull())
	m.Policy = types.StringNull()
	if st.Policy != nil {
		m.Policy = types.StringValue(*st.Policy)
	}
	if st.Role == nil {
		m.RoleName, m.BootstrapPath, m.RoleID, m.SecretIDAccessor, m.SecretIDRotation = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
		m.SecretIDEmergency = types.StringNull()
		m.AppRole = types.ObjectNull(appRoleAttrTypes)
		m.SecretIDs = types.ListNull(secretIDType)
		return
	}
	r := st.Role
	m.RoleName = types.StringValue(r.Name)
	m.BootstrapPath = types.StringValue(policy.BootstrapPath(st.Env, st.Service))
	m.AppRole = appRoleObject(r.Settings)
	m.RoleID, m.SecretIDAccessor = types.StringValue(r.RoleID), types.StringValue(r.Accessor)
	m.SecretIDRotation, m.SecretIDEmergency = types.StringPointerValue(r.Rotation), types.StringPointerValue(r.Emergency)
	elems := []attr.Value{secretIDValue(types.StringValue(r.Accessor), "current", timeValue(r.Expires))}
	if r.Accessor == "" {
		elems = nil // no valid secret_id is known: the next apply mints one
	}
	for _, o := range r.Others {
		elems = append(elems, secretIDValue(types.StringValue(o.Accessor), o.Status, timeValue(o.ValidUntil)))
	}
	m.SecretIDs = types.ListValueMust(secretIDType, elems)
}

const (
	migrationCopied        = "copied"
	migrationSourceDeleted = "source-deleted"
)

// migrationStatusOf is migration_status: each migrated key, "copied" or "source-deleted"
// (null without migrate_from).
func migrationStatusOf(st *appsync.State, declared bool) types.Map {
	if !declared && len(st.Private.Migrated) == 0 {
		return types.MapNull(types.StringType)
	}
	status := map[string]string{}
	for key, src := range st.Private.Migrated {
		status[key] = migrationCopied
		if st.Private.SourcesDeleted[key] == src {
			status[key] = migrationSourceDeleted
		}
	}
	return stringMapValue(status)
}

// secretIDValue is one element of secret_ids.
func secretIDValue(accessor types.String, status string, validUntil types.String) attr.Value {
	return types.ObjectValueMust(secretIDType.AttrTypes, map[string]attr.Value{
		"accessor": accessor, "status": types.StringValue(status), "valid_until": validUntil,
	})
}

// timeValue is t in RFC 3339 (UTC), null for the zero time (never).
func timeValue(t time.Time) types.String {
	if t.IsZero() {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// secretIDsOf reads secret_ids into r: the current secret_id's expiry and the other secret_ids.
func secretIDsOf(ctx context.Context, l types.List, r *appsync.Role, diags *diag.Diagnostics) {
	if l.IsNull() || l.IsUnknown() {
		return
	}
	var elems []SecretIDModel
	diags.Append(l.ElementsAs(ctx, &elems, false)...)
	for _, e := range elems {
		var until time.Time
		if v := e.ValidUntil; !v.IsNull() && !v.IsUnknown() {
			until, _ = time.Parse(time.RFC3339, v.ValueString())
		}
		if e.Status.ValueString() == "current" {
			r.Expires = until
			continue
		}
		r.Others = append(r.Others, appsync.SecretID{Accessor: e.Accessor.ValueString(), Status: e.Status.ValueString(), ValidUntil: until})
	}
}

// stringListMap reads a map of string lists (nil when null or unknown).
func stringListMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string][]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string][]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func stringPtr(v types.String) *string {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	s := v.ValueString()
	return &s
}

func stringMapValue(m map[string]string) types.Map {
	vals := make(map[string]attr.Value, len(m))
	for k, v := range m {
		vals[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, vals)
}

// setImported fills m from the State that Discover built, the declaration's attributes included.
func (m *AppSecretsModel) setImported(st *appsync.State) {
	m.setState(st, false)
	m.Access = types.StringValue(policy.AccessESO)
	if st.Role != nil {
		m.Access = types.StringValue(policy.AccessDirectVault)
	}
	m.ExtraReadPaths = stringList(st.ExtraReadPaths)
	m.DirectVaultJustification = types.StringNull()
	m.DeleteAllVersions = types.BoolValue(false)
	m.ExternalSecrets, m.MigrateFrom = types.MapNull(types.ListType{ElemType: types.StringType}), types.MapNull(types.StringType)
	m.ExternalMissing, m.MigrateDeleteSource = types.StringValue("warning"), types.BoolNull()
	m.SecretIDGracePeriod = types.StringNull()
}
