package appsync

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// Refresh reads an app back from Vault into a copy of st and reports drift as warnings. gone
// is true when nothing of the app is left in Vault.
func (s *Syncer) Refresh(ctx context.Context, st *State) (out *State, warnings []Warning, gone bool, err error) {
	pre := prefetch(ctx, s.V, st, s.AppRoleMount)
	r := &refresher{Syncer: &Syncer{V: pre, AppRoleMount: s.AppRoleMount, Now: s.Now}, st: st.clone()}
	found, err := r.secrets(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	policyFound, err := r.policy(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	roleFound := false
	if r.st.Role != nil {
		if roleFound, err = r.directVault(ctx); err != nil {
			return nil, nil, false, err
		}
	}
	return r.st, r.warnings, !found && !policyFound && !roleFound, nil
}

type refresher struct {
	*Syncer
	st       *State
	warnings []Warning
}

func (r *refresher) warn(summary, format string, args ...any) {
	r.warnings = append(r.warnings, Warning{Summary: summary, Detail: fmt.Sprintf(format, args...)})
}

// secrets reads each secret's metadata: a version Terraform did not write, or a deleted current
// version, is drift; for plain `secrets` the changed values are read so that the plan shows them.
func (r *refresher) secrets(ctx context.Context) (found bool, err error) {
	st, mount := r.st, r.st.Mount()
	keys := sortedKeys(st.Versions)
	for _, key := range keys {
		rel := st.Service + "/" + key
		full := mount + "/" + rel
		meta, err := r.V.KVMetadata(ctx, mount, rel)
		if vault.IsNotFound(err) {
			r.warn("Secret deleted outside Terraform", "%s no longer exists in Vault; the next apply writes it again.", full)
			delete(st.Secrets, key)
			delete(st.Versions, key)
			st.Private.clearStale(key)
			continue
		}
		if err != nil {
			return false, r.fail(ctx, "Cannot read secret metadata", "read", vault.KVMetadataPath(mount, rel), err)
		}
		found = true
		st.Versions[key] = meta.CurrentVersion
		written, known := st.Private.Written[key]
		if !known {
			st.Private.Written[key] = meta.CurrentVersion // adopted (import)
			written = meta.CurrentVersion
		}
		switch {
		case !meta.CurrentLive:
			r.warn("Secret deleted outside Terraform",
				"The current version (%d) of %s was deleted or destroyed outside Terraform; the next apply writes it again.", meta.CurrentVersion, full)
			st.Private.markStale(key)
			delete(st.Secrets, key)
		case written != meta.CurrentVersion:
			r.warn("Secret changed outside Terraform",
				"%s is at version %d, but Terraform wrote version %d; the next apply writes the declared values again.", full, meta.CurrentVersion, written)
			if st.Secrets != nil && st.WOVersion == nil {
				data, _, err := r.V.KVGet(ctx, mount, rel)
				if err != nil && !vault.IsNotFound(err) {
					return false, r.fail(ctx, "Cannot read secret", "read", vault.KVDataPath(mount, rel), err)
				}
				st.Secrets[key] = data
				st.Fields[key] = sortedKeys(data)
			}
		default:
			st.Private.clearStale(key)
		}
	}
	return found, nil
}

func (r *refresher) policy(ctx context.Context) (bool, error) {
	name := r.st.Name()
	text, err := r.V.GetPolicy(ctx, name)
	switch {
	case vault.IsNotFound(err):
		r.warn("Policy deleted outside Terraform", "ACL policy %s no longer exists; the next apply writes it again.", name)
		empty := ""
		r.st.Policy = &empty
		return false, nil
	case err != nil:
		return false, r.fail(ctx, "Cannot read policy", "read", vault.PolicyPath(name), err)
	}
	if r.st.Policy == nil || text != *r.st.Policy {
		r.warn("Policy changed outside Terraform", "ACL policy %s was edited outside Terraform; the next apply restores it.", name)
	}
	r.st.Policy = &text
	return true, nil
}

// directVault refreshes the role, the secret_id and the bootstrap entry; it reports whether the role exists.
func (r *refresher) directVault(ctx context.Context) (bool, error) {
	st, name, mount := r.st, r.st.Name(), r.AppRoleMount
	rolePath := vault.RolePath(mount, name)
	data, err := r.V.ReadRole(ctx, mount, name)
	if vault.IsNotFound(err) {
		r.warn("AppRole role deleted outside Terraform", "%s no longer exists; the next apply creates it again with a new secret_id.", rolePath)
		st.Role.RoleID, st.Role.Accessor, st.Role.Others = "", "", nil
		st.Private.Rotate = true
		return false, nil
	}
	if err != nil {
		return false, r.fail(ctx, "Cannot read AppRole role", "read", rolePath, err)
	}
	if pols := stringsOf(data["token_policies"]); !slices.Equal(pols, []string{name}) {
		r.warn("AppRole role changed outside Terraform", "%s is bound to policies %v instead of [%s]; the next apply restores it.", rolePath, pols, name)
		st.Role.Name = ""
	}
	st.Role.Settings = AppRoleFromVault(data, st.Role.Settings)

	if err := r.secretIDs(ctx); err != nil {
		return true, err
	}
	kv, rel := st.Mount(), policy.BootstrapRelative(st.Service)
	meta, err := r.V.KVMetadata(ctx, kv, rel)
	switch {
	case vault.IsNotFound(err) || (err == nil && !meta.CurrentLive):
		r.warn("Bootstrap entry deleted outside Terraform", "%s/%s is gone; the next apply mints a new secret_id and writes it again.", kv, rel)
		st.Private.Rotate = true
	case err != nil:
		return true, r.fail(ctx, "Cannot read bootstrap entry metadata", "read", vault.KVMetadataPath(kv, rel), err)
	case st.Private.Bootstrap == 0:
		st.Private.Bootstrap = meta.CurrentVersion
	case meta.CurrentVersion != st.Private.Bootstrap:
		r.warn("Bootstrap entry changed outside Terraform",
			"%s/%s is at version %d, but Terraform wrote version %d; the next apply mints a new secret_id, rewrites it and destroys the old secret_id.", kv, rel, meta.CurrentVersion, st.Private.Bootstrap)
		st.Private.Rotate = true
	}
	return true, nil
}

// secretIDs accounts for every secret_id of the role: the current one, the previous ones in
// their grace (one whose grace has ended is marked for the next apply to destroy; one gone from
// Vault, expired by itself, is dropped), and any other, which the provider did not mint: drift
// that the next apply destroys.
func (r *refresher) secretIDs(ctx context.Context) error {
	st, name, mount := r.st, r.st.Name(), r.AppRoleMount
	listed, err := r.V.ListSecretIDAccessors(ctx, mount, name)
	if err != nil {
		return r.fail(ctx, "Cannot list the role's secret_ids", "list", vault.SecretIDPath(mount, name), err)
	}
	rolePath, now := vault.RolePath(mount, name), r.now()
	// The list holds every secret_id Vault still stores (it reads each one's entry, as a lookup
	// of the accessor would), so it answers for the current one too, without a request of its
	// own; one past its secret_id_ttl that Vault has not tidied yet no longer logs in.
	if a := st.Role.Accessor; a != "" && (!slices.Contains(listed, a) || (!st.Role.Expires.IsZero() && !st.Role.Expires.After(now))) {
		r.warn("secret_id revoked or expired",
			"The secret_id of %s (accessor %s) is no longer valid; the next apply mints a new one and rewrites the bootstrap entry.", rolePath, a)
		st.Private.Rotate = true
	}
	var others []SecretID
	for _, o := range st.Role.Others {
		switch {
		case !slices.Contains(listed, o.Accessor):
			continue // expired by itself or destroyed: nothing left to do
		case o.Status == StatusPrevious && !o.ValidUntil.After(now):
			o.Status = StatusGraceEnded
			r.warn("Previous secret_id's grace has ended",
				"The previous secret_id of %s (accessor %s) was valid until %s; the next apply destroys it.", rolePath, o.Accessor, o.ValidUntil.Format(time.RFC3339))
		}
		others = append(others, o)
	}
	for _, a := range listed {
		if a == st.Role.Accessor || slices.ContainsFunc(others, func(o SecretID) bool { return o.Accessor == a }) {
			continue
		}
		r.warn("secret_id not minted by Terraform",
			"%s has a secret_id (accessor %s) that this resource did not mint: someone or something created it outside Terraform. The next apply destroys it; rotate with secret_id_emergency_rotation if it may have leaked with others.", rolePath, a)
		others = append(others, SecretID{Accessor: a, Status: StatusUntracked})
	}
	st.Role.Others = others
	return nil
}

// AppRoleFromVault turns a role read from Vault into settings, keeping the prior spelling of a
// duration where Vault's value means the same ("60m" stays "60m" for 3600) and the prior order
// of CIDRs where the set is the same.
func AppRoleFromVault(data map[string]any, prior AppRole) AppRole {
	dur := func(name, before string) string {
		sec := secondsOf(data[name])
		if before != "" {
			if d, err := policy.ParseDuration(name, before); err == nil && int64(d/time.Second) == sec {
				return before
			}
		}
		return FormatSeconds(sec)
	}
	cidrs := func(name string, before []string) []string {
		got := stringsOf(data[name])
		sorted := slices.Sorted(slices.Values(before))
		if before != nil && slices.Equal(sorted, got) {
			return before
		}
		return got
	}
	return AppRole{
		TokenTTL:           dur("token_ttl", prior.TokenTTL),
		TokenMaxTTL:        dur("token_max_ttl", prior.TokenMaxTTL),
		SecretIDTTL:        dur("secret_id_ttl", prior.SecretIDTTL),
		SecretIDNumUses:    secondsOf(data["secret_id_num_uses"]),
		TokenBoundCIDRs:    cidrs("token_bound_cidrs", prior.TokenBoundCIDRs),
		SecretIDBoundCIDRs: cidrs("secret_id_bound_cidrs", prior.SecretIDBoundCIDRs),
	}
}
