package appsync

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// applyDirectVault writes the role, reads its role_id, and on rotation mints a secret_id and
// writes it to the bootstrap entry. Only then are the secret_ids the plan gives up destroyed;
// after a rotation, every secret_id of the role but the current one and the previous ones in
// their grace is destroyed too (one minted by an interrupted apply, or by hand in between).
func (a *applier) applyDirectVault(ctx context.Context, plan Plan) error {
	st, name, mount := a.st, a.st.Name(), a.AppRoleMount
	if needsRoleWrite(a.prior, a.spec, name) {
		if err := a.V.WriteRole(ctx, mount, name, RoleParams(name, a.spec.AppRole)); err != nil {
			return a.fail(ctx, "Cannot write AppRole role", "write (create/update)", vault.RolePath(mount, name), err)
		}
	}
	first := a.prior == nil || a.prior.Role == nil
	if st.Role == nil {
		st.Role = &Role{}
	}
	st.Role.Name, st.Role.Settings = name, a.spec.AppRole

	if plan.NewRoleID {
		id, err := a.V.RoleID(ctx, mount, name)
		if err != nil {
			return a.fail(ctx, "Cannot read role_id", "read", vault.RoleIDPath(mount, name), err)
		}
		st.Role.RoleID = id
	}
	st.Role.Others = slices.Clone(plan.KeepOthers)
	st.Private.retire(plan.Destroy...)
	if plan.Rotate {
		if err := a.rotate(ctx, first && st.Private.Bootstrap == 0, plan.RetireCurrent); err != nil {
			return err
		}
	}
	if err := a.destroyRetired(ctx); err != nil {
		return err
	}
	if plan.Rotate {
		keep := []string{st.Role.Accessor}
		for _, o := range st.Role.Others {
			keep = append(keep, o.Accessor)
		}
		if err := a.sweepSecretIDs(ctx, keep); err != nil {
			return err
		}
	}
	st.Role.Rotation, st.Role.Emergency = a.spec.Rotation, a.spec.Emergency
	return nil
}

// rotate mints a secret_id and writes it with the role_id to the bootstrap entry (with
// check-and-set 0 when it is the app's first). Only then does it become the current one; the
// one it replaces stays valid as "previous" until its grace ends (retireCurrent) or is retired.
func (a *applier) rotate(ctx context.Context, first, retireCurrent bool) error {
	st, name, mount := a.st, a.st.Name(), a.AppRoleMount
	st.Private.Rotate = true // from here until the bootstrap entry holds the new secret_id
	minted := a.now()
	secretID, accessor, err := a.V.NewSecretID(ctx, mount, name, ownerMetadata(st.Env, st.Service))
	if err != nil {
		return a.fail(ctx, "Cannot mint secret_id", "write (update)", vault.SecretIDPath(mount, name), err)
	}
	// Destroyed by the next apply unless the bootstrap entry takes it now.
	st.Private.retire(accessor)

	kv, rel := st.Mount(), policy.BootstrapRelative(st.Service)
	data := map[string]string{"role_id": st.Role.RoleID, "secret_id": secretID}
	var ver int
	if first {
		ver, err = a.V.KVPut(ctx, kv, rel, data, 0)
	} else {
		ver, err = a.V.KVPutPlain(ctx, kv, rel, data)
	}
	if errors.Is(err, vault.ErrCASMismatch) {
		// Written by an earlier, interrupted apply of this app when it holds this role's
		// role_id (the role was just written by this resource): replace it.
		if cur, _, rerr := a.V.KVGet(ctx, kv, rel); rerr == nil && cur["role_id"] == data["role_id"] {
			ver, err = a.V.KVPutPlain(ctx, kv, rel, data)
		}
	}
	if err != nil {
		if errors.Is(err, vault.ErrCASMismatch) {
			return errorf("bootstrap_path", "", "Bootstrap entry already exists",
				"A bootstrap entry already exists at %s/%s that this resource did not write. Remove it from Vault, or import the app (terraform import <address> %s).", kv, rel, st)
		}
		return a.fail(ctx, "Cannot write bootstrap entry", "write (create/update)", vault.KVDataPath(kv, rel), err)
	}
	st.Private.Bootstrap = ver
	st.Private.Rotate = false
	st.Private.Retire = slices.DeleteFunc(st.Private.Retire, func(r string) bool { return r == accessor })
	if old := st.Role.Accessor; old != "" && old != accessor {
		until := a.now().Add(a.spec.Grace)
		if !st.Role.Expires.IsZero() && st.Role.Expires.Before(until) {
			until = st.Role.Expires
		}
		if retireCurrent && until.After(minted) {
			st.Role.Others = append(st.Role.Others, SecretID{Accessor: old, Status: StatusPrevious, ValidUntil: until})
		} else { // no grace, or it has already expired: destroyed below
			st.Private.retire(old)
		}
	}
	st.Role.Accessor, st.Role.Expires = accessor, expiry(minted, a.spec.AppRole.SecretIDTTL)
	return nil
}

// expiry is when a secret_id minted at t expires by itself under the role's secret_id_ttl
// (zero for never). Vault counts from its own clock: this is the provider's estimate.
func expiry(t time.Time, ttl string) time.Time {
	d, err := policy.ParseDuration("secret_id_ttl", ttl)
	if err != nil || d == 0 {
		return time.Time{}
	}
	return t.Add(d)
}

// destroyRetired destroys the retired secret_ids, once the bootstrap entry holds the current one.
func (a *applier) destroyRetired(ctx context.Context) error {
	st, name, mount := a.st, a.st.Name(), a.AppRoleMount
	if st.Private.Rotate {
		return nil
	}
	for len(st.Private.Retire) > 0 {
		if err := a.V.DestroySecretIDAccessor(ctx, mount, name, st.Private.Retire[0]); err != nil {
			return a.fail(ctx, "Cannot destroy a secret_id", "write (update)", vault.AccessorDestroyPath(mount, name), err)
		}
		st.Private.Retire = st.Private.Retire[1:]
	}
	return nil
}

// sweepSecretIDs destroys every secret_id of the role but keep: ones minted by an earlier,
// interrupted apply (a lost answer) or outside Terraform, which would otherwise stay valid.
func (a *applier) sweepSecretIDs(ctx context.Context, keep []string) error {
	name, mount := a.st.Name(), a.AppRoleMount
	accessors, err := a.V.ListSecretIDAccessors(ctx, mount, name)
	if err != nil {
		return a.fail(ctx, "Cannot list the role's secret_ids", "list", vault.SecretIDPath(mount, name), err)
	}
	for _, acc := range accessors {
		if slices.Contains(keep, acc) {
			continue
		}
		if err := a.V.DestroySecretIDAccessor(ctx, mount, name, acc); err != nil {
			return a.fail(ctx, "Cannot destroy a stray secret_id", "write (update)", vault.AccessorDestroyPath(mount, name), err)
		}
	}
	return nil
}

// removeDirectVault deletes the bootstrap entry (purged: it holds the credentials of a role that
// goes) and the role (and with it every secret_id issued for it). It tries both before it
// reports the first error.
func (s *Syncer) removeDirectVault(ctx context.Context, st *State) error {
	kv, rel := st.Mount(), policy.BootstrapRelative(st.Service)
	var first error
	if err := s.V.KVDeleteAll(ctx, kv, rel); err != nil {
		first = s.fail(ctx, "Cannot delete bootstrap entry", "delete", vault.KVMetadataPath(kv, rel), err)
	}
	if err := s.V.DeleteRole(ctx, s.AppRoleMount, st.Name()); err != nil && first == nil {
		first = s.fail(ctx, "Cannot delete AppRole role", "delete", vault.RolePath(s.AppRoleMount, st.Name()), err)
	}
	if first != nil {
		return first
	}
	st.Private.Bootstrap, st.Private.Rotate, st.Private.Retire = 0, false, nil
	return nil
}

// RoleParams is what the role is written with: bound to the app's own policy only.
func RoleParams(name string, ar AppRole) map[string]any {
	return map[string]any{
		"token_policies":        []string{name},
		"token_ttl":             ar.TokenTTL,
		"token_max_ttl":         ar.TokenMaxTTL,
		"secret_id_ttl":         ar.SecretIDTTL,
		"secret_id_num_uses":    strconv.FormatInt(ar.SecretIDNumUses, 10), // a string: the CI writer's ACL pins it as one
		"token_bound_cidrs":     nonNil(ar.TokenBoundCIDRs),
		"secret_id_bound_cidrs": nonNil(ar.SecretIDBoundCIDRs),
		"bind_secret_id":        true,
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
