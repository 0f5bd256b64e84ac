package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// resourceBase is what every resource that talks to Vault shares: the provider data it is
// configured with, the one Vault client, the AppRole mount, and the diagnostics helpers.
type resourceBase struct {
	data *providerData
}

func (r *resourceBase) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// dataSourceBase is what a data source that reads provider settings holds: the provider data.
type dataSourceBase struct {
	data *providerData
}

func (d *dataSourceBase) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerDataOf(req.ProviderData, &resp.Diagnostics)
}

// approleMount is the provider's approle_mount, where the apps' AppRoles are.
func (d *dataSourceBase) approleMount() string {
	if d.data == nil {
		return policy.DefaultAppRoleMount
	}
	return d.data.approleMount
}

// providerDataOf is the provider data a resource or data source is configured with; nil before
// the provider is configured.
func providerDataOf(pd any, diags *diag.Diagnostics) *providerData {
	if pd == nil {
		return nil
	}
	d, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T", pd))
	}
	return d
}

func (r *resourceBase) client(ctx context.Context, diags *diag.Diagnostics) *vault.Client {
	if r.data == nil {
		diags.AddError("Provider not configured", "The mosaic provider was not configured before this resource was used.")
		return nil
	}
	c, d := r.data.Client(ctx)
	diags.Append(d...)
	return c
}

func (r *resourceBase) approleMount() string {
	if r.data == nil {
		return policy.DefaultAppRoleMount
	}
	return r.data.approleMount
}

// environmentAllowed enforces the provider's environment lock (allowed_environments) on every
// operation that touches Vault or state: plan, apply, refresh, import and destroy. what names
// the operation in the message.
func (r *resourceBase) environmentAllowed(env, what string, diags *diag.Diagnostics) bool {
	return r.environmentsAllowed([]string{env}, what, path.Root("environment"), diags)
}

// environmentsAllowed is environmentAllowed for several environments, reported on at.
func (r *resourceBase) environmentsAllowed(envs []string, what string, at path.Path, diags *diag.Diagnostics) bool {
	if r.data == nil {
		return true
	}
	for _, env := range envs {
		if !r.data.EnvironmentAllowed(env) {
			diags.AddAttributeError(at, "Environment locked", lockMessage(r.data.allowedEnvironments, env, what))
			return false
		}
	}
	return true
}

func lockMessage(allowed []string, env, what string) string {
	return fmt.Sprintf("This provider configuration may only touch %s (allowed_environments), not %q: it refuses to %s there. Run this from a workspace for %s.",
		strings.Join(allowed, ", "), env, what, env)
}

// vaultError adds one diagnostic for a failed Vault request: a short summary, and a detail
// naming the operation, the Vault path, the missing capability and what to do.
func vaultError(ctx context.Context, c *vault.Client, diags *diag.Diagnostics, summary, op, vaultPath string, err error) {
	diags.AddError(summary, vault.Explain(op, vaultPath, err, vault.Caller{TokenValid: func() bool { return c.TokenValid(ctx) }, Identity: c.Identity()}))
}

// addError adds err as one diagnostic: an *appsync.Error on the attribute at fault (at maps
// its Attribute and Key to a path; nil for none), anything else under summary.
func addError(diags *diag.Diagnostics, summary string, err error, at func(e *appsync.Error) *path.Path) {
	var e *appsync.Error
	if !errors.As(err, &e) {
		diags.AddError(summary, err.Error())
		return
	}
	if at != nil {
		if p := at(e); p != nil {
			diags.AddAttributeError(*p, e.Summary, e.Detail)
			return
		}
	}
	diags.AddError(e.Summary, e.Detail)
}

func addWarnings(diags *diag.Diagnostics, warnings []appsync.Warning) {
	for _, w := range warnings {
		diags.AddWarning(w.Summary, w.Detail)
	}
}
