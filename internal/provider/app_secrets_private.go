package provider

import (
	"context"
	"encoding/json"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
)

// The private state of mosaic_app_secrets (never shown in plans) holds appsync.Private as JSON:
// the KV versions Terraform itself wrote and the pending work a refresh found.
const privateKey = "mosaic" // mosaic-lint:ignore hardcoded-secret the private state's key name in Terraform, not a key

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func loadPrivate(ctx context.Context, p privateGetter) (appsync.Private, diag.Diagnostics) {
	ps := appsync.Private{Written: map[string]int{}}
	if p == nil {
		return ps, nil
	}
	b, diags := p.GetKey(ctx, privateKey)
	if diags.HasError() || len(b) == 0 {
		return ps, diags
	}
	if err := json.Unmarshal(b, &ps); err != nil {
		diags.AddWarning("Unreadable private state", "The provider's private record of written versions could not be read and is rebuilt: "+err.Error())
		ps = appsync.Private{}
	}
	if ps.Written == nil {
		ps.Written = map[string]int{}
	}
	return ps, diags
}

func savePrivate(ctx context.Context, p privateSetter, ps appsync.Private) diag.Diagnostics {
	b, err := json.Marshal(ps)
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Cannot record private state", err.Error())
		return d
	}
	return p.SetKey(ctx, privateKey, b)
}
