package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// syncer converges Vault on a plan, reads Vault back into state, and deletes; it is the part of
// mosaic_app_secrets that talks to Vault. It never logs a value, a token or a secret_id.
type syncer struct {
	c            *vault.Client
	approleMount string
	priv         *privateState
	// adopted lists the keys a create found in Vault with the declared values already.
	adopted []string
}

// progress is what an apply has done so far; it becomes the state, also after an error.
type progress struct {
	secrets    map[string]attr.Value // non-write-only values per key
	versions   map[string]int
	fieldNames map[string]attr.Value
	policy     types.String
	roleName   types.String
	appRole    types.Object
	roleID     types.String
	accessor   types.String
	rotation   types.String
	woVersion  types.Int64
}

func ownerMetadata(env, service string) map[string]string {
	return map[string]string{"managed-by": "terraform-provider-mosaic", "environment": env, "service": service}
}

// apply makes Vault match plan. prior is nil on create. It returns the resulting state and
// whether there is a state to record (false only when a create left nothing in Vault).
func (s *syncer) apply(ctx context.Context, prior, plan, config *AppSecretsModel, diags *diag.Diagnostics) (*AppSecretsModel, bool) {
	env, service := plan.Environment.ValueString(), plan.Service.ValueString()
	mount := "secret-" + env
	policyName := policy.PolicyName(env, service)
	wo := !config.SecretsWO.IsNull()

	desired := map[string]map[string]string{}
	src := plan.Secrets
	if wo {
		src = config.SecretsWO
	}
	if !src.IsNull() {
		diags.Append(src.ElementsAs(ctx, &desired, false)...)
		if diags.HasError() {
			return nil, false
		}
	}

	p := &progress{secrets: map[string]attr.Value{}, versions: map[string]int{}, fieldNames: map[string]attr.Value{},
		policy: types.StringNull(), roleName: types.StringNull(), appRole: types.ObjectNull(appRoleAttrTypes),
		roleID: types.StringNull(), accessor: types.StringNull(), rotation: types.StringNull(), woVersion: types.Int64Null()}
	if prior != nil {
		for k, v := range prior.Secrets.Elements() {
			p.secrets[k] = v
		}
		for k, v := range prior.Versions.Elements() {
			if i, ok := v.(types.Int64); ok && !i.IsNull() && !i.IsUnknown() {
				p.versions[k] = int(i.ValueInt64())
			}
		}
		for k, v := range prior.FieldNames.Elements() {
			p.fieldNames[k] = v
		}
		p.policy, p.roleName, p.appRole, p.roleID, p.accessor = prior.Policy, prior.RoleName, prior.AppRole, prior.RoleID, prior.SecretIDAccessor
		p.rotation, p.woVersion = prior.SecretIDRotation, prior.SecretsWOVersion
	}
	finish := func() *AppSecretsModel { return s.stateFrom(plan, p, mount, service) }

	if prior == nil {
		// Before the first write: the mount must exist and be KV v2, or nothing is written.
		// (Checked once per mount and provider run; a create that fails later is undone.)
		if !s.checkMount(ctx, mount, diags) {
			return nil, false
		}
	}

	// 1. Secrets, each with check-and-set: 0 for a new path (never overwrite), else the
	// version this plan was made against (someone else's write in between is caught).
	for _, key := range sortedStrings(desired) {
		if !needsWrite(prior, plan.Secrets, wo, plan.SecretsWOVersion, s.priv, key) {
			continue
		}
		cas, existed := p.versions[key]
		rel := service + "/" + key
		ver, err := s.c.KVPut(ctx, mount, rel, desired[key], cas)
		if errors.Is(err, vault.ErrCASMismatch) && !existed {
			// A secret is already there. If it holds exactly the declared values it is this
			// app's own earlier write whose answer was lost (a dropped connection, a retried
			// request): take it over, nothing is overwritten. Anything else is refused.
			ver, err = s.adoptIdentical(ctx, mount, rel, desired[key], err)
			if err == nil {
				s.adopted = append(s.adopted, key)
			}
		}
		if err != nil {
			full := mount + "/" + rel
			switch {
			case errors.Is(err, vault.ErrCASMismatch) && !existed:
				diags.AddAttributeError(pathSecrets(wo, key), "Secret already exists in Vault",
					fmt.Sprintf("A secret already exists at %s, and mosaic_app_secrets never overwrites one it did not write. "+
						"Adopt it with `terraform import <address> %s/%s` (or an import block), or remove it from Vault first. Nothing was overwritten.", full, mount, service))
			case errors.Is(err, vault.ErrCASMismatch):
				diags.AddAttributeError(pathSecrets(wo, key), "Secret changed in Vault since the plan",
					fmt.Sprintf("The secret at %s is no longer at version %d, the version this plan was made against: someone wrote it in between. "+
						"Nothing was overwritten. Run terraform plan again to see the change, then apply.", full, cas))
			default:
				diags.AddError("Cannot write secret", s.explain(ctx, "write (create/update)", mount+"/data/"+rel, err))
			}
			return finish(), true
		}
		tflog.Debug(ctx, "wrote secret", map[string]any{"path": mount + "/" + rel, "version": ver, "cas": cas})
		p.versions[key] = ver
		s.priv.Written[key] = ver
		s.priv.clearStale(key)
		if !wo {
			p.secrets[key] = plan.Secrets.Elements()[key]
		}
		p.fieldNames[key] = stringList(sortedStrings(desired[key]))
	}
	if wo {
		p.woVersion = plan.SecretsWOVersion
		p.secrets = map[string]attr.Value{}
	} else {
		p.woVersion = types.Int64Null()
	}

	// 2. Keys no longer declared: every version and the metadata go.
	for _, key := range sortedStrings(p.versions) {
		if _, keep := desired[key]; keep {
			continue
		}
		if err := s.c.KVDeleteAll(ctx, mount, service+"/"+key); err != nil {
			diags.AddError("Cannot delete secret", s.explain(ctx, "delete", mount+"/metadata/"+service+"/"+key, err))
			return finish(), true
		}
		tflog.Debug(ctx, "deleted secret", map[string]any{"path": mount + "/" + service + "/" + key})
		delete(p.versions, key)
		delete(p.secrets, key)
		delete(p.fieldNames, key)
		delete(s.priv.Written, key)
		s.priv.clearStale(key)
	}

	// 3. The app's policy.
	if prior == nil || !prior.Policy.Equal(plan.Policy) {
		if err := s.c.PutPolicy(ctx, policyName, plan.Policy.ValueString()); err != nil {
			diags.AddError("Cannot write policy", s.explain(ctx, "write (create/update)", "sys/policies/acl/"+policyName, err))
			return finish(), true
		}
		tflog.Debug(ctx, "wrote policy", map[string]any{"policy": policyName})
	}
	p.policy = plan.Policy

	// 4. Direct-Vault: role, role_id, secret_id, bootstrap entry; or their removal.
	wasDirect := prior != nil && !prior.RoleID.IsNull()
	if plan.Access.ValueString() == policy.AccessDirectVault {
		if !s.applyDirectVault(ctx, prior, plan, p, env, service, diags) {
			return finish(), true
		}
	} else if wasDirect || (prior != nil && !prior.RoleName.IsNull()) {
		if !s.removeDirectVault(ctx, env, service, prior.SecretIDAccessor.ValueString(), diags) {
			return finish(), true
		}
		p.roleName, p.appRole, p.roleID, p.accessor, p.rotation = types.StringNull(), types.ObjectNull(appRoleAttrTypes), types.StringNull(), types.StringNull(), types.StringNull()
	}
	return finish(), true
}

func (s *syncer) applyDirectVault(ctx context.Context, prior, plan *AppSecretsModel, p *progress, env, service string, diags *diag.Diagnostics) bool {
	role := policy.PolicyName(env, service)
	rolePath := "auth/" + s.approleMount + "/role/" + role
	if prior == nil || prior.RoleID.ValueString() == "" || !prior.RoleName.Equal(plan.RoleName) || !prior.AppRole.Equal(plan.AppRole) {
		params, d := roleParams(ctx, plan.AppRole, role)
		diags.Append(d...)
		if diags.HasError() {
			return false
		}
		if err := s.c.WriteRole(ctx, s.approleMount, role, params); err != nil {
			diags.AddError("Cannot write AppRole role", s.explain(ctx, "write (create/update)", rolePath, err))
			return false
		}
		tflog.Debug(ctx, "wrote AppRole role", map[string]any{"role": rolePath})
	}
	p.roleName, p.appRole = plan.RoleName, plan.AppRole

	if plan.RoleID.IsUnknown() || plan.RoleID.ValueString() == "" {
		id, err := s.c.RoleID(ctx, s.approleMount, role)
		if err != nil {
			diags.AddError("Cannot read role_id", s.explain(ctx, "read", rolePath+"/role-id", err))
			return false
		}
		p.roleID = types.StringValue(id)
	}

	if plan.SecretIDAccessor.IsUnknown() {
		secretID, accessor, err := s.c.NewSecretID(ctx, s.approleMount, role, ownerMetadata(env, service))
		if err != nil {
			diags.AddError("Cannot mint secret_id", s.explain(ctx, "write (update)", rolePath+"/secret-id", err))
			return false
		}
		if old := p.accessor.ValueString(); old != "" && old != accessor {
			s.priv.Retire = append(s.priv.Retire, old)
		}
		p.accessor = types.StringValue(accessor)
		s.priv.Rotate = true // until the bootstrap entry holds this secret_id
		mount := "secret-" + env
		rel := service + policy.BootstrapSuffix + "/approle/credentials"
		data := map[string]string{"role_id": p.roleID.ValueString(), "secret_id": secretID}
		first := s.priv.Bootstrap == 0 && (prior == nil || prior.RoleID.IsNull())
		var ver int
		if first {
			ver, err = s.c.KVPut(ctx, mount, rel, data, 0)
		} else {
			ver, err = s.c.KVPutPlain(ctx, mount, rel, data)
		}
		if errors.Is(err, vault.ErrCASMismatch) {
			// Written by an earlier, interrupted apply of this app when it holds this role's
			// role_id (the role was just written by this resource): replace it.
			if cur, _, rerr := s.c.KVGet(ctx, mount, rel); rerr == nil && cur["role_id"] == data["role_id"] {
				ver, err = s.c.KVPutPlain(ctx, mount, rel, data)
			}
		}
		if err != nil {
			if errors.Is(err, vault.ErrCASMismatch) {
				diags.AddAttributeError(path.Root("bootstrap_path"), "Bootstrap entry already exists",
					fmt.Sprintf("A bootstrap entry already exists at %s/%s that this resource did not write. Remove it from Vault, or import the app (terraform import <address> %s/%s).", mount, rel, mount, service))
			} else {
				diags.AddError("Cannot write bootstrap entry", s.explain(ctx, "write (create/update)", mount+"/data/"+rel, err))
			}
			return false
		}
		tflog.Debug(ctx, "wrote bootstrap entry", map[string]any{"path": mount + "/" + rel, "version": ver})
		s.priv.Bootstrap = ver
		s.priv.Rotate = false
		// Only now that the bootstrap entry holds the new secret_id are the old ones destroyed.
		for len(s.priv.Retire) > 0 {
			old := s.priv.Retire[0]
			if err := s.c.DestroySecretIDAccessor(ctx, s.approleMount, role, old); err != nil {
				diags.AddError("Cannot destroy old secret_id", s.explain(ctx, "write (update)", rolePath+"/secret-id-accessor/destroy", err))
				return false
			}
			tflog.Debug(ctx, "destroyed old secret_id", map[string]any{"role": rolePath, "accessor": old})
			s.priv.Retire = s.priv.Retire[1:]
		}
	}
	p.rotation = plan.SecretIDRotation
	return true
}

func (s *syncer) removeDirectVault(ctx context.Context, env, service, accessor string, diags *diag.Diagnostics) bool {
	mount := "secret-" + env
	rel := service + policy.BootstrapSuffix + "/approle/credentials"
	if err := s.c.KVDeleteAll(ctx, mount, rel); err != nil {
		diags.AddError("Cannot delete bootstrap entry", s.explain(ctx, "delete", mount+"/metadata/"+rel, err))
		return false
	}
	role := policy.PolicyName(env, service)
	// Deleting the role also invalidates every secret_id issued for it.
	if err := s.c.DeleteRole(ctx, s.approleMount, role); err != nil {
		diags.AddError("Cannot delete AppRole role", s.explain(ctx, "delete", "auth/"+s.approleMount+"/role/"+role, err))
		return false
	}
	tflog.Debug(ctx, "removed Direct-Vault access", map[string]any{"role": role, "accessor": accessor})
	s.priv.Bootstrap, s.priv.Rotate, s.priv.Retire = 0, false, nil
	return true
}

// adoptIdentical is called when a check-and-set create found a secret already at mount/rel: it
// returns that secret's version when it holds exactly data, else the original error.
func (s *syncer) adoptIdentical(ctx context.Context, mount, rel string, data map[string]string, casErr error) (int, error) {
	cur, ver, err := s.c.KVGet(ctx, mount, rel)
	if err != nil || !maps.Equal(cur, data) {
		return 0, casErr
	}
	tflog.Debug(ctx, "took over an identical secret left by an interrupted apply", map[string]any{"path": mount + "/" + rel, "version": ver})
	return ver, nil
}

// undo removes what a failed create wrote (st is the state it reached), so that a create
// either completes or leaves nothing behind. Secrets that were already in Vault with the
// declared values (adopted) stay. It reports whether everything could be removed; if not,
// the caller records st, and the next apply (or destroy) finishes the job.
func (s *syncer) undo(ctx context.Context, st *AppSecretsModel) bool {
	env, service := st.Environment.ValueString(), st.Service.ValueString()
	mount := "secret-" + env
	var undo diag.Diagnostics
	for _, key := range sortedKeys(st.Versions) {
		if slices.Contains(s.adopted, key) {
			continue
		}
		if err := s.c.KVDeleteAll(ctx, mount, service+"/"+key); err != nil {
			undo.AddError("undo", err.Error())
		}
	}
	if !st.RoleName.IsNull() {
		s.removeDirectVault(ctx, env, service, st.SecretIDAccessor.ValueString(), &undo)
	}
	if !st.Policy.IsNull() {
		if err := s.c.DeletePolicy(ctx, policy.PolicyName(env, service)); err != nil {
			undo.AddError("undo", err.Error())
		}
	}
	if undo.HasError() {
		tflog.Warn(ctx, "could not undo a failed create; its state records what is left", map[string]any{"id": st.ID.ValueString(), "errors": undo.ErrorsCount()})
		return false
	}
	tflog.Debug(ctx, "undid a failed create", map[string]any{"id": st.ID.ValueString()})
	return true
}

// stateFrom builds the state from the plan and what was done.
func (s *syncer) stateFrom(plan *AppSecretsModel, p *progress, mount, service string) *AppSecretsModel {
	st := *plan
	st.SecretsWO = types.MapNull(types.MapType{ElemType: types.StringType})
	paths, versions := map[string]attr.Value{}, map[string]attr.Value{}
	fields := map[string]attr.Value{}
	for key, v := range p.versions {
		paths[key] = types.StringValue(mount + "/" + service + "/" + key)
		versions[key] = types.Int64Value(int64(v))
		if f, ok := p.fieldNames[key]; ok {
			fields[key] = f
		} else {
			fields[key] = stringList(nil)
		}
	}
	st.Paths = types.MapValueMust(types.StringType, paths)
	st.Versions = types.MapValueMust(types.Int64Type, versions)
	st.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
	if plan.Secrets.IsNull() && len(p.secrets) == 0 {
		st.Secrets = types.MapNull(types.MapType{ElemType: types.StringType})
	} else {
		st.Secrets = types.MapValueMust(types.MapType{ElemType: types.StringType}, p.secrets)
	}
	st.SecretsWOVersion = p.woVersion
	st.Policy = p.policy
	st.RoleName, st.AppRole, st.RoleID, st.SecretIDAccessor, st.SecretIDRotation = p.roleName, p.appRole, p.roleID, p.accessor, p.rotation
	if plan.Access.ValueString() == policy.AccessDirectVault && !p.roleName.IsNull() {
		st.BootstrapPath = types.StringValue(policy.BootstrapPath(plan.Environment.ValueString(), service))
	} else if p.roleName.IsNull() {
		st.BootstrapPath = types.StringNull()
	}
	return &st
}

func roleParams(ctx context.Context, o types.Object, role string) (map[string]any, diag.Diagnostics) {
	var ar AppRoleModel
	diags := o.As(ctx, &ar, basetypes.ObjectAsOptions{})
	var tokenCIDRs, secretCIDRs []string
	diags.Append(ar.TokenBoundCIDRs.ElementsAs(ctx, &tokenCIDRs, false)...)
	diags.Append(ar.SecretIDBoundCIDRs.ElementsAs(ctx, &secretCIDRs, false)...)
	return map[string]any{
		"token_policies":        []string{role},
		"token_ttl":             ar.TokenTTL.ValueString(),
		"token_max_ttl":         ar.TokenMaxTTL.ValueString(),
		"secret_id_ttl":         ar.SecretIDTTL.ValueString(),
		"secret_id_num_uses":    ar.SecretIDNumUses.ValueInt64(),
		"token_bound_cidrs":     tokenCIDRs,
		"secret_id_bound_cidrs": secretCIDRs,
		"bind_secret_id":        true,
	}, diags
}

// checkMount makes sure mount exists and is KV v2 before the first write of a new app.
func (s *syncer) checkMount(ctx context.Context, mount string, diags *diag.Diagnostics) bool {
	m, err := s.c.MountCached(ctx, mount)
	switch {
	case vault.IsNotFound(err):
		diags.AddAttributeError(path.Root("environment"), "Environment mount missing",
			fmt.Sprintf("There is no secrets engine at %s/. Create it as KV version 2 (the mosaic_platform resource does, or `vault secrets enable -path=%s kv-v2`). Nothing was written.", mount, mount))
		return false
	case err != nil:
		diags.AddError("Cannot check the environment mount", s.explain(ctx, "read", "sys/mounts/"+mount, err)+" Nothing was written.")
		return false
	case m.Type != "kv" || m.Version != "2":
		diags.AddAttributeError(path.Root("environment"), "Environment mount is not KV v2",
			fmt.Sprintf("%s/ is a %q engine (version %q); mosaic_app_secrets needs KV version 2 (check-and-set, versions, metadata). "+
				"Upgrade it with `vault kv enable-versioning %s`. Nothing was written.", mount, m.Type, m.Version, mount))
		return false
	}
	return true
}

// explain turns a Vault error into one message that names the path and what to do.
func (s *syncer) explain(ctx context.Context, op, vaultPath string, err error) string {
	switch {
	case errors.Is(err, vault.ErrPermissionDenied) && !s.c.TokenValid(ctx):
		return fmt.Sprintf("Vault refused %s on %s because the token is no longer valid: it was revoked or expired during this run. "+
			"Nothing after this request was written, and the state records what was. Apply again with a valid token. (%v)", op, vaultPath, err)
	case errors.Is(err, vault.ErrPermissionDenied):
		return fmt.Sprintf("Vault denied %s on %s: the token's policies lack that capability on this path. Grant it (the CI writer policy of this environment does) or use a token that has it. (%v)", op, vaultPath, err)
	case vault.IsNotFound(err) && strings.HasPrefix(vaultPath, "auth/"):
		return fmt.Sprintf("Vault has no handler for %s: is the AppRole auth method enabled at auth/%s? Enable it (the mosaic_platform resource does, or `vault auth enable -path=%s approle`), or set approle_mount in the provider block. (%v)", vaultPath, s.approleMount, s.approleMount, err)
	case vault.IsNotFound(err):
		return fmt.Sprintf("Vault has no handler for %s: does the mount exist and is it KV v2? (%v)", vaultPath, err)
	}
	return fmt.Sprintf("%s on %s failed: %v. Check that Vault is reachable; the next apply picks up where this one stopped.", op, vaultPath, err)
}

// read refreshes state from Vault. It reports gone when nothing of the app is left.
func (s *syncer) read(ctx context.Context, st *AppSecretsModel, diags *diag.Diagnostics) (gone bool) {
	env, service := st.Environment.ValueString(), st.Service.ValueString()
	mount := "secret-" + env
	if st.Paths.IsNull() {
		return s.discover(ctx, st, diags)
	}
	wo := !st.SecretsWOVersion.IsNull()
	found := false

	secrets := map[string]attr.Value{}
	for k, v := range st.Secrets.Elements() {
		secrets[k] = v
	}
	versions := map[string]attr.Value{}
	fields := map[string]attr.Value{}
	for k, v := range st.FieldNames.Elements() {
		fields[k] = v
	}
	for _, key := range sortedKeys(st.Paths) {
		rel := service + "/" + key
		full := mount + "/" + rel
		meta, err := s.c.KVMetadata(ctx, mount, rel)
		if vault.IsNotFound(err) {
			diags.AddWarning("Secret deleted outside Terraform",
				fmt.Sprintf("%s no longer exists in Vault; the next apply writes it again.", full))
			delete(secrets, key)
			s.priv.clearStale(key)
			continue
		}
		if err != nil {
			diags.AddError("Cannot read secret metadata", s.explain(ctx, "read", mount+"/metadata/"+rel, err))
			return false
		}
		found = true
		versions[key] = types.Int64Value(int64(meta.CurrentVersion))
		written, known := s.priv.Written[key]
		if !known {
			s.priv.Written[key] = meta.CurrentVersion // adopted (import)
			written = meta.CurrentVersion
		}
		switch {
		case !meta.CurrentLive:
			diags.AddWarning("Secret deleted outside Terraform",
				fmt.Sprintf("The current version (%d) of %s was deleted or destroyed outside Terraform; the next apply writes it again.", meta.CurrentVersion, full))
			s.priv.markStale(key)
			delete(secrets, key)
		case written != meta.CurrentVersion:
			diags.AddWarning("Secret changed outside Terraform",
				fmt.Sprintf("%s is at version %d, but Terraform wrote version %d; the next apply writes the declared values again.", full, meta.CurrentVersion, written))
			if !wo && !st.Secrets.IsNull() {
				data, _, err := s.c.KVGet(ctx, mount, rel)
				if err != nil && !vault.IsNotFound(err) {
					diags.AddError("Cannot read secret", s.explain(ctx, "read", mount+"/data/"+rel, err))
					return false
				}
				secrets[key] = stringMapValue(data)
				fields[key] = stringList(sortedStrings(data))
			}
		default:
			s.priv.clearStale(key)
		}
	}
	st.Versions = types.MapValueMust(types.Int64Type, versions)
	st.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
	if !st.Secrets.IsNull() {
		st.Secrets = types.MapValueMust(types.MapType{ElemType: types.StringType}, secrets)
	}

	policyName := policy.PolicyName(env, service)
	text, err := s.c.GetPolicy(ctx, policyName)
	switch {
	case vault.IsNotFound(err):
		diags.AddWarning("Policy deleted outside Terraform", fmt.Sprintf("ACL policy %s no longer exists; the next apply writes it again.", policyName))
		st.Policy = types.StringValue("")
	case err != nil:
		diags.AddError("Cannot read policy", s.explain(ctx, "read", "sys/policies/acl/"+policyName, err))
		return false
	default:
		found = true
		if text != st.Policy.ValueString() {
			diags.AddWarning("Policy changed outside Terraform", fmt.Sprintf("ACL policy %s was edited outside Terraform; the next apply restores it.", policyName))
		}
		st.Policy = types.StringValue(text)
	}

	if !st.RoleName.IsNull() || !st.RoleID.IsNull() {
		if s.readDirectVault(ctx, st, diags) {
			found = true
		}
		if diags.HasError() {
			return false
		}
	}
	return !found
}

// readDirectVault refreshes the role, the secret_id and the bootstrap entry; it reports whether the role exists.
func (s *syncer) readDirectVault(ctx context.Context, st *AppSecretsModel, diags *diag.Diagnostics) bool {
	env, service := st.Environment.ValueString(), st.Service.ValueString()
	role := policy.PolicyName(env, service)
	rolePath := "auth/" + s.approleMount + "/role/" + role
	data, err := s.c.ReadRole(ctx, s.approleMount, role)
	if vault.IsNotFound(err) {
		diags.AddWarning("AppRole role deleted outside Terraform", fmt.Sprintf("%s no longer exists; the next apply creates it again with a new secret_id.", rolePath))
		st.RoleID, st.SecretIDAccessor = types.StringValue(""), types.StringValue("")
		s.priv.Rotate = true
		return false
	}
	if err != nil {
		diags.AddError("Cannot read AppRole role", s.explain(ctx, "read", rolePath, err))
		return false
	}
	if pols := stringsOf(data["token_policies"]); !slices.Equal(pols, []string{role}) {
		diags.AddWarning("AppRole role changed outside Terraform",
			fmt.Sprintf("%s is bound to policies %v instead of [%s]; the next apply restores it.", rolePath, pols, role))
		st.RoleName = types.StringValue("")
	}
	st.AppRole = appRoleFromVault(data, st.AppRole)

	if a := st.SecretIDAccessor.ValueString(); a != "" {
		ok, err := s.c.SecretIDAccessorExists(ctx, s.approleMount, role, a)
		if err != nil {
			diags.AddError("Cannot look up secret_id", s.explain(ctx, "write (update)", rolePath+"/secret-id-accessor/lookup", err))
			return true
		}
		if !ok {
			diags.AddWarning("secret_id revoked or expired",
				fmt.Sprintf("The secret_id of %s (accessor %s) is no longer valid; the next apply mints a new one and rewrites the bootstrap entry.", rolePath, a))
			s.priv.Rotate = true
		}
	}
	mount := "secret-" + env
	rel := service + policy.BootstrapSuffix + "/approle/credentials"
	meta, err := s.c.KVMetadata(ctx, mount, rel)
	switch {
	case vault.IsNotFound(err) || (err == nil && !meta.CurrentLive):
		diags.AddWarning("Bootstrap entry deleted outside Terraform",
			fmt.Sprintf("%s/%s is gone; the next apply mints a new secret_id and writes it again.", mount, rel))
		s.priv.Rotate = true
	case err != nil:
		diags.AddError("Cannot read bootstrap entry metadata", s.explain(ctx, "read", mount+"/metadata/"+rel, err))
	case s.priv.Bootstrap == 0:
		s.priv.Bootstrap = meta.CurrentVersion
	case meta.CurrentVersion != s.priv.Bootstrap:
		diags.AddWarning("Bootstrap entry changed outside Terraform",
			fmt.Sprintf("%s/%s is at version %d, but Terraform wrote version %d; the next apply mints a new secret_id, rewrites it and destroys the old secret_id.", mount, rel, meta.CurrentVersion, s.priv.Bootstrap))
		s.priv.Rotate = true
	}
	return true
}

// discover fills the state of an imported app from Vault: its paths and field names (never
// its values), its policy and extra read paths, and its role, role_id and secret_id accessor.
func (s *syncer) discover(ctx context.Context, st *AppSecretsModel, diags *diag.Diagnostics) bool {
	env, service := st.Environment.ValueString(), st.Service.ValueString()
	mount := "secret-" + env
	policyName := policy.PolicyName(env, service)
	found := false

	components, err := s.c.KVList(ctx, mount, service)
	if err != nil && !vault.IsNotFound(err) {
		diags.AddError("Cannot list the app's secrets", s.explain(ctx, "list", mount+"/metadata/"+service, err))
		return false
	}
	paths, versions, fields := map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	for _, c := range components {
		if !strings.HasSuffix(c, "/") {
			continue // a secret directly under the service is not canonical; leave it alone
		}
		names, err := s.c.KVList(ctx, mount, service+"/"+strings.TrimSuffix(c, "/"))
		if err != nil {
			diags.AddError("Cannot list the app's secrets", s.explain(ctx, "list", mount+"/metadata/"+service+"/"+c, err))
			return false
		}
		for _, n := range names {
			if strings.HasSuffix(n, "/") {
				continue
			}
			key := strings.TrimSuffix(c, "/") + "/" + n
			data, ver, err := s.c.KVGet(ctx, mount, service+"/"+key)
			if vault.IsNotFound(err) {
				continue
			}
			if err != nil {
				diags.AddError("Cannot read secret", s.explain(ctx, "read", mount+"/data/"+service+"/"+key, err))
				return false
			}
			found = true
			paths[key] = types.StringValue(mount + "/" + service + "/" + key)
			versions[key] = types.Int64Value(int64(ver))
			fields[key] = stringList(sortedStrings(data))
			s.priv.Written[key] = ver
		}
	}
	st.Mount = types.StringValue(mount)
	st.Paths = types.MapValueMust(types.StringType, paths)
	st.Versions = types.MapValueMust(types.Int64Type, versions)
	st.FieldNames = types.MapValueMust(types.ListType{ElemType: types.StringType}, fields)
	st.Secrets = types.MapNull(types.MapType{ElemType: types.StringType})
	st.SecretsWO = types.MapNull(types.MapType{ElemType: types.StringType})
	st.SecretsWOVersion = types.Int64Null()
	st.PolicyName = types.StringValue(policyName)
	st.DirectVaultJustification = types.StringNull()
	st.SecretIDRotation = types.StringNull()

	text, err := s.c.GetPolicy(ctx, policyName)
	switch {
	case vault.IsNotFound(err):
		st.Policy = types.StringValue("")
		st.ExtraReadPaths = stringList(nil)
	case err != nil:
		diags.AddError("Cannot read policy", s.explain(ctx, "read", "sys/policies/acl/"+policyName, err))
		return false
	default:
		found = true
		st.Policy = types.StringValue(text)
		st.ExtraReadPaths = stringList(policy.ExtraReadPathsOf(env, service, text))
	}

	st.Access = types.StringValue(policy.AccessESO)
	st.RoleName, st.BootstrapPath, st.RoleID, st.SecretIDAccessor = types.StringNull(), types.StringNull(), types.StringNull(), types.StringNull()
	st.AppRole = types.ObjectNull(appRoleAttrTypes)
	roleData, err := s.c.ReadRole(ctx, s.approleMount, policyName)
	switch {
	case vault.IsNotFound(err):
	case err != nil:
		diags.AddError("Cannot read AppRole role", s.explain(ctx, "read", "auth/"+s.approleMount+"/role/"+policyName, err))
		return false
	default:
		found = true
		st.Access = types.StringValue(policy.AccessDirectVault)
		st.RoleName = types.StringValue(policyName)
		st.BootstrapPath = types.StringValue(policy.BootstrapPath(env, service))
		st.AppRole = appRoleFromVault(roleData, types.ObjectNull(appRoleAttrTypes))
		id, err := s.c.RoleID(ctx, s.approleMount, policyName)
		if err != nil {
			diags.AddError("Cannot read role_id", s.explain(ctx, "read", "auth/"+s.approleMount+"/role/"+policyName+"/role-id", err))
			return false
		}
		st.RoleID = types.StringValue(id)
		st.SecretIDAccessor = types.StringValue("")
		boot, ver, err := s.c.KVGet(ctx, mount, service+policy.BootstrapSuffix+"/approle/credentials")
		if err == nil && boot["secret_id"] != "" {
			if a, err := s.c.LookupSecretID(ctx, s.approleMount, policyName, boot["secret_id"]); err == nil {
				st.SecretIDAccessor = types.StringValue(a)
				s.priv.Bootstrap = ver
			}
		}
		if st.SecretIDAccessor.ValueString() == "" {
			s.priv.Rotate = true
		}
	}
	if !found {
		diags.AddError("Nothing to import",
			fmt.Sprintf("Vault has no secrets under %s/%s/, no policy %s and no AppRole role %s: there is nothing to import. Declare the app and apply instead.", mount, service, policyName, policyName))
	}
	return false
}

// delete removes every path with all versions, the bootstrap entry, the role (and with it its
// secret_ids) and the policy. "Not found" counts as deleted; it carries on past an error so
// that as much as possible goes, and reports every error.
func (s *syncer) delete(ctx context.Context, st *AppSecretsModel, diags *diag.Diagnostics) {
	env, service := st.Environment.ValueString(), st.Service.ValueString()
	mount := "secret-" + env
	keys := map[string]bool{}
	for k := range st.Paths.Elements() {
		keys[k] = true
	}
	for k := range st.Versions.Elements() {
		keys[k] = true
	}
	for _, key := range sortedStrings(keys) {
		if err := s.c.KVDeleteAll(ctx, mount, service+"/"+key); err != nil {
			diags.AddError("Cannot delete secret", s.explain(ctx, "delete", mount+"/metadata/"+service+"/"+key, err))
		}
	}
	if !st.RoleName.IsNull() || !st.RoleID.IsNull() {
		s.removeDirectVault(ctx, env, service, st.SecretIDAccessor.ValueString(), diags)
	}
	policyName := policy.PolicyName(env, service)
	if err := s.c.DeletePolicy(ctx, policyName); err != nil {
		diags.AddError("Cannot delete policy", s.explain(ctx, "delete", "sys/policies/acl/"+policyName, err))
	}
}
