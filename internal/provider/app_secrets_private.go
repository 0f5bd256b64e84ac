package provider

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateState is what mosaic_app_secrets keeps in the resource's private state (never shown
// in plans): the KV versions Terraform itself wrote, so that Read can tell a version written by
// someone else from its own, and the pending work a refresh found.
type privateState struct {
	// Written maps a secret key to the KV version Terraform wrote last.
	Written map[string]int `json:"written"`
	// Bootstrap is the KV version of the bootstrap entry Terraform wrote last.
	Bootstrap int `json:"bootstrap,omitempty"`
	// Stale lists keys whose current version was deleted or destroyed outside Terraform.
	Stale []string `json:"stale,omitempty"`
	// Rotate is set when the secret_id or the bootstrap entry must be renewed (revoked,
	// expired, bootstrap changed or deleted, or a failed rotation).
	Rotate bool `json:"rotate,omitempty"`
	// Retire lists secret_id accessors to destroy once a new bootstrap entry is in place.
	Retire []string `json:"retire,omitempty"`
}

const privateKey = "mosaic"

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

func loadPrivate(ctx context.Context, p privateGetter) (*privateState, diag.Diagnostics) {
	ps := &privateState{Written: map[string]int{}}
	if p == nil {
		return ps, nil
	}
	b, diags := p.GetKey(ctx, privateKey)
	if diags.HasError() || len(b) == 0 {
		return ps, diags
	}
	if err := json.Unmarshal(b, ps); err != nil {
		diags.AddWarning("Unreadable private state", "The provider's private record of written versions could not be read and is rebuilt: "+err.Error())
		ps = &privateState{}
	}
	if ps.Written == nil {
		ps.Written = map[string]int{}
	}
	return ps, diags
}

func (ps *privateState) save(ctx context.Context, p privateSetter) diag.Diagnostics {
	b, err := json.Marshal(ps)
	if err != nil {
		var d diag.Diagnostics
		d.AddError("Cannot record private state", err.Error())
		return d
	}
	return p.SetKey(ctx, privateKey, b)
}

func (ps *privateState) isStale(key string) bool { return slices.Contains(ps.Stale, key) }

func (ps *privateState) markStale(key string) {
	if !ps.isStale(key) {
		ps.Stale = append(ps.Stale, key)
	}
}

func (ps *privateState) clearStale(key string) {
	ps.Stale = slices.DeleteFunc(ps.Stale, func(k string) bool { return k == key })
}
