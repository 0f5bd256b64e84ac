package appsync

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// Create makes a new app in Vault. It completes or leaves nothing behind: after a failure it
// undoes what it wrote and returns a nil State. Only when the undo fails too (Vault
// unreachable) is the partial State returned with the error, for the next apply to finish.
func (s *Syncer) Create(ctx context.Context, spec *Spec) (*State, []Warning, error) {
	if err := s.checkMount(ctx, spec.Env); err != nil {
		return nil, nil, err
	}
	if err := s.checkUnowned(ctx, spec); err != nil {
		return nil, nil, err
	}
	a := &applier{Syncer: s, spec: spec, st: NewState(spec.Env, spec.Service)}
	err := a.run(ctx)
	if err == nil {
		return a.st, nil, nil
	}
	wrote := len(a.st.Versions) > len(a.adopted) || a.st.Policy != nil || a.st.Role != nil
	if s.undo(ctx, a.st, a.adopted, spec.Direct) {
		if !wrote {
			return nil, nil, err
		}
		return nil, []Warning{{Summary: "Create undone", Detail: "Everything this create had written to Vault was removed again; nothing of the app is left in Vault. Fix the error above and apply again."}}, err
	}
	if spec.Direct && a.st.Role == nil {
		// The role may exist (a write whose answer was lost): record it, so that the next
		// refresh looks for it and the next apply writes it again instead of creating anew.
		a.st.Role = &Role{Name: a.st.Name(), Settings: spec.AppRole}
	}
	return a.st, []Warning{{Summary: "Create partly written", Detail: "This create stopped part way and could not remove what it had written; the state records it, so the next apply (or destroy) finishes the job."}}, err
}

// Update makes Vault match spec for an app whose State is prior. It returns the State it
// reached also after an error, so that the next apply converges.
func (s *Syncer) Update(ctx context.Context, prior *State, spec *Spec) (*State, error) {
	a := &applier{Syncer: s, spec: spec, prior: prior, st: prior.clone()}
	err := a.run(ctx)
	return a.st, err
}

// applier is one apply in progress: st is what has been done so far.
type applier struct {
	*Syncer
	spec    *Spec
	prior   *State // nil on create
	st      *State
	adopted []string // keys a create found in Vault with the declared values already
}

func (a *applier) run(ctx context.Context) error {
	plan := PlanFor(a.prior, a.spec)
	if err := a.writeSecrets(ctx, plan); err != nil {
		return err
	}
	if err := a.removeUndeclared(ctx, plan); err != nil {
		return err
	}
	if err := a.applyOutside(ctx); err != nil {
		return err
	}
	if err := a.writePolicy(ctx); err != nil {
		return err
	}
	switch {
	case a.spec.Direct:
		return a.applyDirectVault(ctx, plan)
	case a.st.Role != nil:
		if err := a.removeDirectVault(ctx, a.st); err != nil {
			return err
		}
		a.st.Role = nil
	}
	return nil
}

// writeSecrets writes each secret of the plan with check-and-set: 0 for a new path (never
// overwrite), else the version this plan was made against (someone else's write in between
// is caught).
func (a *applier) writeSecrets(ctx context.Context, plan Plan) error {
	mount, st := a.st.Mount(), a.st
	for _, key := range sortedKeys(a.spec.Secrets) {
		if !plan.Writes[key] {
			continue
		}
		data := a.spec.Secrets[key].Fields
		cas, existed := st.Versions[key]
		rel := a.spec.Service + "/" + key
		if !existed && a.prior.ownedOutside(key) {
			// Values people wrote or a migration copied, now declared: Terraform takes the
			// secret over, on top of its current version (check-and-set on it).
			if meta, err := a.V.KVMetadata(ctx, mount, rel); err == nil {
				cas = meta.CurrentVersion
			}
		}
		ver, err := a.V.KVPut(ctx, mount, rel, data, cas)
		if errors.Is(err, vault.ErrCASMismatch) && !existed {
			ver, err = a.overDeleted(ctx, mount, rel, data, err)
		}
		if errors.Is(err, vault.ErrCASMismatch) && !existed {
			// A secret is already there. If it holds exactly the declared values it is this
			// app's own earlier write whose answer was lost (a dropped connection, a retried
			// request): take it over, nothing is overwritten. Anything else is refused.
			ver, err = a.adoptIdentical(ctx, mount, rel, data, err)
			if err == nil {
				a.adopted = append(a.adopted, key)
			}
		}
		if err != nil {
			full := mount + "/" + rel
			switch {
			case errors.Is(err, vault.ErrCASMismatch) && !existed:
				return errorf("secrets", key, "Secret already exists in Vault",
					"A secret already exists at %s, and mosaic_app_secrets never overwrites one it did not write. "+
						"Adopt it with `terraform import <address> %s/%s` (or an import block), or remove it from Vault first. Nothing was overwritten.", full, mount, a.spec.Service)
			case errors.Is(err, vault.ErrCASMismatch):
				return errorf("secrets", key, "Secret changed in Vault since the plan",
					"The secret at %s is no longer at version %d, the version this plan was made against: someone wrote it in between. "+
						"Nothing was overwritten. Run terraform plan again to see the change, then apply.", full, cas)
			default:
				return a.fail(ctx, "Cannot write secret", "write (create/update)", vault.KVDataPath(mount, rel), err)
			}
		}
		st.Versions[key] = ver
		st.Private.Written[key] = ver
		st.Private.clearStale(key)
		st.Private.Imported = slices.DeleteFunc(st.Private.Imported, func(k string) bool { return k == key })
		if !a.spec.WriteOnly {
			if st.Secrets == nil {
				st.Secrets = map[string]map[string]string{}
			}
			st.Secrets[key] = maps.Clone(data)
		}
		st.Fields[key] = sortedKeys(data)
	}
	if a.spec.WriteOnly {
		v := a.spec.WOVersion
		st.WOVersion, st.Secrets = &v, nil
	} else {
		st.WOVersion = nil
		if st.Secrets == nil {
			st.Secrets = map[string]map[string]string{}
		}
	}
	return nil
}

// overDeleted is called when a check-and-set create found something at mount/rel: when the
// current version there is deleted or destroyed (a secret removed earlier, recoverable with
// `vault kv undelete`), the new values are written as the next version, with check-and-set on
// it; the old versions stay as they are and nothing is resurrected. Otherwise casErr.
func (a *applier) overDeleted(ctx context.Context, mount, rel string, data map[string]string, casErr error) (int, error) {
	meta, err := a.V.KVMetadata(ctx, mount, rel)
	if err != nil || meta.CurrentLive {
		return 0, casErr
	}
	return a.V.KVPut(ctx, mount, rel, data, meta.CurrentVersion)
}

// adoptIdentical is called when a check-and-set create found a secret already at mount/rel: it
// returns that secret's version when it holds exactly data, else the original error.
func (a *applier) adoptIdentical(ctx context.Context, mount, rel string, data map[string]string, casErr error) (int, error) {
	cur, ver, err := a.V.KVGet(ctx, mount, rel)
	if err != nil || !maps.Equal(cur, data) {
		return 0, casErr
	}
	return ver, nil
}

// removeUndeclared deletes the secrets of keys no longer declared (soft-deletes their current
// version unless the spec purges), and forgets undeclared keys that import found, leaving them in Vault.
func (a *applier) removeUndeclared(ctx context.Context, plan Plan) error {
	st := a.st
	for _, key := range plan.Deletes {
		if err := a.deleteSecret(ctx, st, key, a.spec.DeleteAllVersions); err != nil {
			return err
		}
		a.forget(key)
	}
	for _, key := range plan.Forgets {
		a.forget(key)
	}
	return nil
}

func (a *applier) forget(key string) {
	st := a.st
	delete(st.Versions, key)
	delete(st.Secrets, key)
	delete(st.Fields, key)
	delete(st.Private.Written, key)
	st.Private.clearStale(key)
	st.Private.Imported = slices.DeleteFunc(st.Private.Imported, func(k string) bool { return k == key })
}

// deleteSecret removes one secret of st: soft (its current version, `vault kv undelete`
// restores it) or, with purge, every version and the metadata. A missing secret is success.
func (s *Syncer) deleteSecret(ctx context.Context, st *State, key string, purge bool) error {
	mount, rel := st.Mount(), st.Service+"/"+key
	if purge {
		if err := s.V.KVDeleteAll(ctx, mount, rel); err != nil {
			return s.fail(ctx, "Cannot delete secret", "delete", vault.KVMetadataPath(mount, rel), err)
		}
		return nil
	}
	if err := s.V.KVDelete(ctx, mount, rel); err != nil {
		return s.fail(ctx, "Cannot delete secret", "delete", vault.KVDataPath(mount, rel), err)
	}
	return nil
}

func (a *applier) writePolicy(ctx context.Context) error {
	if a.prior != nil && a.prior.Policy != nil && *a.prior.Policy == a.spec.Policy {
		return nil
	}
	name := a.st.Name()
	if err := a.V.PutPolicy(ctx, name, a.spec.Policy); err != nil {
		return a.fail(ctx, "Cannot write policy", "write (create/update)", vault.PolicyPath(name), err)
	}
	text := a.spec.Policy
	a.st.Policy = &text
	return nil
}

// checkMount makes sure the environment's mount exists and is KV v2 before the first write of
// a new app. (Checked once per mount and provider run.)
func (s *Syncer) checkMount(ctx context.Context, env string) error {
	mount := policy.MountOf(env)
	m, err := s.V.MountCached(ctx, mount)
	switch {
	case vault.IsNotFound(err):
		return errorf("environment", "", "Environment mount missing",
			"There is no secrets engine at %s/. Create it as KV version 2 (the mosaic_platform resource does, or `vault secrets enable -path=%s kv-v2`). Nothing was written.", mount, mount)
	case err != nil:
		e := s.fail(ctx, "Cannot check the environment mount", "read", vault.MountPath(mount), err)
		e.Detail += " Nothing was written."
		return e
	case m.Type != "kv" || m.Version != "2":
		return errorf("environment", "", "Environment mount is not KV v2",
			"%s/ is a %q engine (version %q); mosaic_app_secrets needs KV version 2 (check-and-set, versions, metadata). "+
				"Upgrade it with `vault kv enable-versioning %s`. Nothing was written.", mount, m.Type, m.Version, mount)
	}
	return nil
}

// checkUnowned refuses a create when the app's policy, or for Direct-Vault its role, already
// exists: it belongs to someone else (a hand-made policy, or another resource declaring the same
// service and environment), and a create never takes over what it did not make. Import adopts it.
func (s *Syncer) checkUnowned(ctx context.Context, spec *Spec) error {
	st := NewState(spec.Env, spec.Service)
	name := st.Name()
	_, err := s.V.GetPolicy(ctx, name)
	switch {
	case err == nil:
		return errorf("service", "", "Policy already exists",
			"ACL policy %s already exists in Vault and this resource did not write it: another mosaic_app_secrets may declare service %q in %s, or it was written by hand. "+
				"mosaic_app_secrets never takes over a policy it did not create. Adopt the app with `terraform import <address> %s` (or an import block), or remove the policy first. Nothing was written.", name, spec.Service, spec.Env, st)
	case !vault.IsNotFound(err):
		return s.fail(ctx, "Cannot check the app's policy", "read", vault.PolicyPath(name), err)
	}
	if !spec.Direct {
		return nil
	}
	_, err = s.V.ReadRole(ctx, s.AppRoleMount, name)
	switch {
	case err == nil:
		return errorf("service", "", "AppRole role already exists",
			"AppRole role %s already exists in Vault and this resource did not create it. mosaic_app_secrets never takes over a role it did not create. "+
				"Adopt the app with `terraform import <address> %s`, or remove the role first. Nothing was written.", vault.RolePath(s.AppRoleMount, name), st)
	case !vault.IsNotFound(err):
		return s.fail(ctx, "Cannot check the app's AppRole role", "read", vault.RolePath(s.AppRoleMount, name), err)
	}
	return nil
}

// undo removes what a failed create wrote (st is the state it reached). Secrets that were
// already in Vault with the declared values (adopted) stay. The policy and, for Direct-Vault,
// the role and bootstrap entry go whether or not st records them: checkUnowned proved they did
// not exist before this create, and a request whose answer was lost may have made them. It
// reports whether everything could be removed.
func (s *Syncer) undo(ctx context.Context, st *State, adopted []string, direct bool) bool {
	ok := true
	for _, key := range sortedKeys(st.Versions) {
		if slices.Contains(adopted, key) {
			continue
		}
		// A path this create made holds only its version 1: purge it. One with older,
		// deleted versions keeps them: soft-delete what this create added.
		if err := s.deleteSecret(ctx, st, key, st.Versions[key] == 1); err != nil {
			ok = false
		}
	}
	if direct || st.Role != nil {
		if err := s.removeDirectVault(ctx, st); err != nil {
			ok = false
		}
	}
	if err := s.V.DeletePolicy(ctx, st.Name()); err != nil {
		ok = false
	}
	return ok
}

// String names the app for logs: "secret-prod/web".
func (s *State) String() string { return fmt.Sprintf("%s/%s", s.Mount(), s.Service) }
