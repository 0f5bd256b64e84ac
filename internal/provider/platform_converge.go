package provider

import (
	"context"
	"crypto/rand"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// converge makes Vault match plan and returns the state (nil when nothing was done).
func (r *PlatformResource) converge(ctx context.Context, prior, plan *PlatformModel, diags *diag.Diagnostics) *PlatformModel {
	c := r.client(ctx, diags)
	if diags.HasError() {
		return nil
	}
	p := r.desired(ctx, plan, diags)
	if diags.HasError() {
		return nil
	}
	envs, readers, writers := p.envs, p.readers, p.writers
	var priorEnvs []string
	if prior != nil {
		diags.Append(prior.Environments.ElementsAs(ctx, &priorEnvs, false)...)
	}
	var removed []string
	for _, e := range priorEnvs {
		if !slices.Contains(envs, e) {
			removed = append(removed, e)
		}
	}
	// Refuse before anything changes when a mount to be removed still holds secrets.
	if !r.checkEmpty(ctx, c, removed, plan.AllowDestroyWithSecrets.ValueBool(), diags) {
		return nil
	}

	st := *plan
	ids := newIdentityState(ctx, prior, diags)
	ids.into(&st)
	st.AppRoleManaged = types.BoolValue(false)
	if prior != nil && !prior.AppRoleManaged.IsNull() && !prior.AppRoleManaged.IsUnknown() {
		st.AppRoleManaged = prior.AppRoleManaged
	}
	if !r.claim(ctx, c, prior, &st, diags) {
		switch {
		case prior != nil: // nothing written: the state stays what it was
			return prior
		case st.OwnerID.IsUnknown():
			return nil
		}
		return &st // the marker write may have landed: destroy removes it
	}
	mount := r.approleMount()
	ok, err := c.AuthMounted(ctx, mount)
	if err != nil {
		vaultError(ctx, c, diags, "Cannot list auth methods", "read", "sys/auth", err)
		return &st // the marker is written: the state records it, so that destroy removes it
	}
	if !ok {
		if err := c.EnableAuth(ctx, mount, "approle"); err != nil {
			vaultError(ctx, c, diags, "Cannot enable AppRole", "write (create/update)", vault.AuthPath(mount), err)
			// Vault may have enabled it and the answer been lost: record it as this resource's,
			// so that the next apply or destroy (which disables only what it manages) cleans up.
			st.AppRoleManaged = types.BoolValue(true)
			return &st
		}
		tflog.Info(ctx, "enabled the AppRole auth method", map[string]any{"path": "auth/" + mount})
		st.AppRoleManaged = types.BoolValue(true)
	}

	for _, env := range envs {
		m := policy.MountOf(env)
		info, err := c.Mount(ctx, m)
		switch {
		case vault.IsNotFound(err):
			if err := c.EnableKV2(ctx, m, "Mosaic "+env+" environment secrets (managed by terraform-provider-mosaic)"); err != nil {
				vaultError(ctx, c, diags, "Cannot create environment mount", "write (create/update)", vault.MountPath(m), err)
				return &st
			}
			tflog.Info(ctx, "mounted environment", map[string]any{"mount": m})
		case err != nil:
			vaultError(ctx, c, diags, "Cannot read environment mount", "read", vault.MountPath(m), err)
			return &st
		case info.Type != "kv" || info.Version != "2":
			diags.AddAttributeError(path.Root("environments"), "Environment mount is not KV v2",
				fmt.Sprintf("%s/ exists as a %q engine (version %q). Upgrade it with `vault kv enable-versioning %s`, or remove it, then apply again.", m, info.Type, info.Version, m))
			return &st
		}
		if err := c.ConfigureKV2(ctx, m, int(plan.MaxVersions.ValueInt64()), false); err != nil {
			vaultError(ctx, c, diags, "Cannot configure environment mount", "write (create/update)", vault.KVConfigPath(m), err)
			return &st
		}
	}
	// The policies do not depend on each other: written at once, each failure reported. One not
	// written is still in the state with its planned text; the next refresh reads what Vault
	// holds, so the next plan shows it and the next apply writes it again.
	texts := maps.Clone(readers)
	maps.Copy(texts, writers)
	names := slices.Sorted(maps.Keys(texts))
	if !r.eachReported(ctx, c, names, diags, "Cannot write policy", "write (create/update)", vault.PolicyPath, func(name string) error {
		return c.PutPolicy(ctx, name, texts[name].(types.String).ValueString())
	}) {
		return &st
	}
	if prior != nil {
		stale := slices.Concat(sortedKeys(prior.ESOReaderPolicies), sortedKeys(prior.CIWriterPolicies))
		if !r.deletePolicies(ctx, c, stale, func(name string) bool { return readers[name] != nil || writers[name] != nil }, diags) {
			return &st
		}
	}
	ok = r.convergeIdentities(ctx, c, p.id, ids, diags)
	ids.into(&st)
	if !ok {
		return &st
	}
	for _, env := range removed {
		if !r.removeEnvironment(ctx, c, env, diags) {
			return &st
		}
	}
	return &st
}

// checkEmpty fails (and returns false) when a mount of envs still holds secrets and allow is false.
func (r *PlatformResource) checkEmpty(ctx context.Context, c *vault.Client, envs []string, allow bool, diags *diag.Diagnostics) bool {
	if allow {
		return true
	}
	for _, env := range envs {
		keys, err := c.KVList(ctx, policy.MountOf(env), "")
		if err != nil && !vault.IsNotFound(err) {
			vaultError(ctx, c, diags, "Cannot check environment mount", "list", vault.KVMetadataPath(policy.MountOf(env), ""), err)
			return false
		}
		if len(keys) > 0 {
			diags.AddAttributeError(path.Root("allow_destroy_with_secrets"), "Environment mount still holds secrets",
				fmt.Sprintf("%s/ still holds secrets (%s). Removing the mount would destroy them. Move or delete them first, "+
					"or set allow_destroy_with_secrets = true and apply it before destroying. Nothing was deleted.", policy.MountOf(env), strings.Join(keys, ", ")))
			return false
		}
	}
	return true
}

func (r *PlatformResource) removeEnvironment(ctx context.Context, c *vault.Client, env string, diags *diag.Diagnostics) bool {
	if err := c.Unmount(ctx, policy.MountOf(env)); err != nil && !vault.IsNotFound(err) {
		vaultError(ctx, c, diags, "Cannot remove environment mount", "delete", vault.MountPath(policy.MountOf(env)), err)
		return false
	}
	for _, name := range []string{policy.ESOReaderPolicyName(env), policy.CIWriterPolicyName(env)} {
		if err := c.DeletePolicy(ctx, name); err != nil {
			vaultError(ctx, c, diags, "Cannot delete policy", "delete", vault.PolicyPath(name), err)
			return false
		}
	}
	return true
}

// deletePolicies deletes the named policies, but those keep reports (nil: none kept).
func (r *PlatformResource) deletePolicies(ctx context.Context, c *vault.Client, names []string, keep func(string) bool, diags *diag.Diagnostics) bool {
	if keep != nil {
		names = slices.DeleteFunc(slices.Clone(names), keep)
	}
	return r.eachReported(ctx, c, names, diags, "Cannot delete policy", "delete", vault.PolicyPath, func(name string) error {
		if err := c.DeletePolicy(ctx, name); err != nil && !vault.IsNotFound(err) {
			return err
		}
		return nil
	})
}

// each calls fn(i) for i in [0, n), at most the provider's max_concurrent_requests at once
// (the client bounds the requests in flight over all resources the same way), and returns the
// error of each call: the platform's many pipeline and namespace objects do not depend on each
// other, so they need not wait for one another's round trip.
func (r *PlatformResource) each(n int, fn func(i int) error) []error {
	limit := vault.DefaultMaxConcurrentRequests
	if r.data != nil && r.data.cfg.MaxConcurrentRequests > 0 {
		limit = r.data.cfg.MaxConcurrentRequests
	}
	errs := make([]error, n)
	tasks := make([]func(), n)
	for i := range tasks {
		tasks[i] = func() { errs[i] = fn(i) }
	}
	appsync.RunBounded(tasks, limit)
	return errs
}

// eachReported calls fn for every name (see each) and adds one diagnostic per failure, in the
// order of names, on the Vault path at(name): false when any failed.
func (r *PlatformResource) eachReported(ctx context.Context, c *vault.Client, names []string, diags *diag.Diagnostics,
	summary, op string, at func(string) string, fn func(name string) error) bool {
	ok := true
	for i, err := range r.each(len(names), func(i int) error { return fn(names[i]) }) {
		if err != nil {
			vaultError(ctx, c, diags, summary, op, at(names[i]), err)
			ok = false
		}
	}
	return ok
}

// claim makes this resource the owner of the platform in Vault: the marker policy names the
// owner. A create finds no marker and writes one; an update finds its own (or writes it again).
// A marker of another owner means another mosaic_platform manages this Vault: refused, with
// the way to import. st.OwnerID is known once a marker write was attempted.
func (r *PlatformResource) claim(ctx context.Context, c *vault.Client, prior, st *PlatformModel, diags *diag.Diagnostics) bool {
	text, err := c.GetPolicy(ctx, policy.PlatformMarkerPolicy)
	if err != nil && !vault.IsNotFound(err) {
		vaultError(ctx, c, diags, "Cannot read the platform marker", "read", vault.PolicyPath(policy.PlatformMarkerPolicy), err)
		return false
	}
	mine := ""
	if prior != nil {
		mine = prior.OwnerID.ValueString()
	}
	if err == nil {
		if owner := policy.PlatformMarkerOwner(text); prior == nil || owner != mine {
			diags.AddError("Vault already has a mosaic_platform", fmt.Sprintf(
				"The policy %s says that another mosaic_platform (owner %q) manages this Vault's environment mounts, auth methods and policies. "+
					"mosaic_platform never takes over another one's: two states would rewrite and destroy each other's policies and identities. "+
					"Manage the platform from one place: adopt it here with `terraform import <address> platform` (or an import block with id = \"platform\") "+
					"after removing it from the other state (`terraform state rm`), or remove %s from Vault if its owner is gone. Nothing was written.",
				vault.PolicyPath(policy.PlatformMarkerPolicy), owner, vault.PolicyPath(policy.PlatformMarkerPolicy)))
			return false
		}
		st.OwnerID = types.StringValue(mine)
		return true
	}
	if mine == "" {
		mine = rand.Text()
	}
	st.OwnerID = types.StringValue(mine)
	if err := c.PutPolicy(ctx, policy.PlatformMarkerPolicy, policy.PlatformMarker(mine)); err != nil {
		vaultError(ctx, c, diags, "Cannot write the platform marker", "write (create/update)", vault.PolicyPath(policy.PlatformMarkerPolicy), err)
		return false
	}
	return true
}
