package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// vaultResource is what every resource that talks to Vault shares: the provider data it is
// configured with, the one Vault client, and the AppRole mount.
type vaultResource struct {
	data *providerData
}

func (r *vaultResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	d, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T", req.ProviderData))
		return
	}
	r.data = d
}

func (r *vaultResource) client(ctx context.Context, diags *diag.Diagnostics) *vault.Client {
	if r.data == nil {
		diags.AddError("Provider not configured", "The mosaic provider was not configured before this resource was used.")
		return nil
	}
	c, d := r.data.Client(ctx)
	diags.Append(d...)
	return c
}

func (r *vaultResource) approleMount() string {
	if r.data == nil {
		return "approle"
	}
	return r.data.approleMount
}
