package appsync

import (
	"context"
	"fmt"
	"strings"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// Discover builds the State of an app that exists in Vault but not in Terraform (import): its
// paths and field names (never its values), its policy and extra read paths, and its role,
// role_id and secret_id accessor. A nil State with an error means there is nothing to import.
func (s *Syncer) Discover(ctx context.Context, env, service string) (*State, []Warning, error) {
	st := NewState(env, service)
	mount, name := st.Mount(), st.Name()
	found := false
	var warnings []Warning

	components, err := s.V.KVList(ctx, mount, service)
	if err != nil && !vault.IsNotFound(err) {
		return nil, nil, s.fail(ctx, "Cannot list the app's secrets", "list", vault.KVMetadataPath(mount, service), err)
	}
	for _, c := range components {
		component, isDir := strings.CutSuffix(c, "/")
		if !isDir {
			continue // a secret directly under the service is not canonical; leave it alone
		}
		names, err := s.V.KVList(ctx, mount, service+"/"+component)
		if err != nil {
			return nil, nil, s.fail(ctx, "Cannot list the app's secrets", "list", vault.KVMetadataPath(mount, service+"/"+component), err)
		}
		for _, n := range names {
			if strings.HasSuffix(n, "/") {
				continue
			}
			key := component + "/" + n
			data, ver, err := s.V.KVGet(ctx, mount, service+"/"+key)
			if vault.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, nil, s.fail(ctx, "Cannot read secret", "read", vault.KVDataPath(mount, service+"/"+key), err)
			}
			found = true
			st.Versions[key] = ver
			st.Fields[key] = sortedKeys(data)
			st.Private.Written[key] = ver
			st.Private.Imported = append(st.Private.Imported, key)
		}
	}

	text, err := s.V.GetPolicy(ctx, name)
	switch {
	case vault.IsNotFound(err):
		empty := ""
		st.Policy = &empty
	case err != nil:
		return nil, nil, s.fail(ctx, "Cannot read policy", "read", vault.PolicyPath(name), err)
	default:
		found = true
		st.Policy = &text
		st.ExtraReadPaths = policy.ExtraReadPathsOf(env, service, text)
		if !strings.HasPrefix(text, policy.AppPolicyHeader(env, service)) {
			warnings = append(warnings, Warning{Summary: "Adopting a policy mosaic did not write",
				Detail: fmt.Sprintf("ACL policy %s in Vault was not written by terraform-provider-mosaic (it lacks the managed header). "+
					"The next apply replaces its text with the rendered policy: read on the app's own paths and its extra_read_paths, nothing else. Review the plan.", name)})
		}
	}

	roleData, err := s.V.ReadRole(ctx, s.AppRoleMount, name)
	switch {
	case vault.IsNotFound(err):
	case err != nil:
		return nil, nil, s.fail(ctx, "Cannot read AppRole role", "read", vault.RolePath(s.AppRoleMount, name), err)
	default:
		found = true
		if err := s.discoverRole(ctx, st, roleData); err != nil {
			return nil, nil, err
		}
		// Every other secret_id of the role is one Terraform did not mint: the plan shows it.
		r := &refresher{Syncer: s, st: st}
		if err := r.secretIDs(ctx); err != nil {
			return nil, nil, err
		}
		warnings = append(warnings, r.warnings...)
	}
	if !found {
		return nil, nil, errorf("", "", "Nothing to import",
			"Vault has no secrets under %s/%s/, no policy %s and no AppRole role %s: there is nothing to import. Declare the app and apply instead.", mount, service, name, name)
	}
	return st, warnings, nil
}

func (s *Syncer) discoverRole(ctx context.Context, st *State, roleData map[string]any) error {
	name := st.Name()
	id, err := s.V.RoleID(ctx, s.AppRoleMount, name)
	if err != nil {
		return s.fail(ctx, "Cannot read role_id", "read", vault.RoleIDPath(s.AppRoleMount, name), err)
	}
	st.Role = &Role{Name: name, Settings: AppRoleFromVault(roleData, AppRole{}), RoleID: id}
	boot, ver, err := s.V.KVGet(ctx, st.Mount(), policy.BootstrapRelative(st.Service))
	if err == nil && boot["secret_id"] != "" {
		if a, err := s.V.LookupSecretID(ctx, s.AppRoleMount, name, boot["secret_id"]); err == nil {
			st.Role.Accessor = a
			st.Private.Bootstrap = ver
		}
	}
	if st.Role.Accessor == "" {
		st.Private.Rotate = true
	}
	return nil
}

// Delete removes the app: each secret soft-deleted (recoverable with `vault kv undelete`) or,
// with DeleteAllVersions, purged; the bootstrap entry, the role (and with it its secret_ids)
// and the policy. "Not found" counts as deleted; it carries on past an
// error so that as much as possible goes, and returns every error.
func (s *Syncer) Delete(ctx context.Context, st *State) []error {
	var errs []error
	keys := map[string]bool{}
	for k := range st.Versions {
		keys[k] = true
	}
	for k := range st.Fields {
		_, external := st.External[k]
		_, migrated := st.Private.Migrated[k]
		keys[k] = !external && !migrated // values that are not Terraform's stay
	}
	for _, key := range sortedKeys(keys) {
		if !keys[key] {
			continue
		}
		if err := s.deleteSecret(ctx, st, key, st.DeleteAllVersions); err != nil {
			errs = append(errs, err)
		}
	}
	if st.Role != nil {
		if err := s.removeDirectVault(ctx, st); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.V.DeletePolicy(ctx, st.Name()); err != nil {
		errs = append(errs, s.fail(ctx, "Cannot delete policy", "delete", vault.PolicyPath(st.Name()), err))
	}
	return errs
}
