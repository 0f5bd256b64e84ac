package main

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/provider"
)

// An app's state as the state file holds it: a direct-vault app of two secrets, with an
// attribute an older release had (mount), which both must drop.
const appState = `{
  "id": "secret-prod/app-0001", "environment": "prod", "service": "app-0001", "mount": "secret-prod",
  "secrets": {"database/app": {"username": "app-0001", "password": "pw-1-1"}, "jwt/signing": {"private_key": "pk"}},
  "access": "direct-vault", "direct_vault_justification": "DB secrets engine leases with a 15 minute TTL",
  "extra_read_paths": [], "delete_all_versions": false, "external_missing": "warning",
  "approle": {"token_ttl": "1h", "token_max_ttl": "4h", "secret_id_ttl": "0", "secret_id_num_uses": 0,
    "token_bound_cidrs": [], "secret_id_bound_cidrs": []},
  "secret_ids": [{"accessor": "9f8e7d6c-aaaa", "status": "current", "valid_until": null}],
  "policy_name": "app-0001-prod", "policy": "path \"secret-prod/data/app-0001/*\" {\n  capabilities = [\"read\"]\n}\n",
  "role_name": "app-0001-prod", "bootstrap_path": "secret-prod/app-0001-bootstrap/approle/credentials",
  "role_id": "0b5a7c1e-1111", "secret_id_accessor": "9f8e7d6c-aaaa",
  "field_names": {"database/app": ["password", "username"], "jwt/signing": ["private_key"]},
  "versions": {"database/app": 2, "jwt/signing": 1}
}`

// The anchor hands Terraform the very state mosaic does (else the plans through it would not
// be the same work), answers the plan with Terraform's proposal and refuses to apply.
func TestAnchorAnswersAsMosaicWould(t *testing.T) {
	ctx := context.Background()
	a := newAnchor()
	real, err := provider.NewServerWithError("test")()
	if err != nil {
		t.Fatal(err)
	}
	up := func(s tfprotov6.ProviderServer) *tfprotov6.DynamicValue {
		t.Helper()
		resp, err := s.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
			TypeName: "mosaic_app_secrets", RawState: &tfprotov6.RawState{JSON: []byte(appState)},
		})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("upgrade: %v %v", err, resp.Diagnostics)
		}
		return resp.UpgradedState
	}
	schema, err := real.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := schema.ResourceSchemas["mosaic_app_secrets"].ValueType()
	got, err := up(a).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	want, err := up(real).Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Fatalf("the anchor's upgraded state differs from mosaic's:\n%s\n%s", got, want)
	}

	state := up(a)
	plan, err := a.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: "mosaic_app_secrets", PriorState: up(a), ProposedNewState: state, PriorPrivate: []byte(`{"k":1}`),
	})
	if err != nil || len(plan.Diagnostics) > 0 || plan.PlannedState != state || string(plan.PlannedPrivate) != `{"k":1}` {
		t.Fatalf("plan: %v %v, planned %v private %q", err, plan.Diagnostics, plan.PlannedState, plan.PlannedPrivate)
	}
	read, err := a.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "mosaic_app_secrets", CurrentState: state, Private: []byte("p")})
	if err != nil || read.NewState != state || string(read.Private) != "p" {
		t.Fatalf("read: %v, state %v private %q", err, read.NewState, read.Private)
	}
	apply, err := a.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: "mosaic_app_secrets", PlannedState: state})
	if err != nil || len(apply.Diagnostics) != 1 || apply.Diagnostics[0].Severity != tfprotov6.DiagnosticSeverityError {
		t.Fatalf("apply must fail: %v %v", err, apply.Diagnostics)
	}
	bad, err := a.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{TypeName: "mosaic_nothing", RawState: &tfprotov6.RawState{JSON: []byte(`{}`)}})
	if err != nil || len(bad.Diagnostics) != 1 {
		t.Fatalf("an unknown type must fail: %v %v", err, bad.Diagnostics)
	}
}

// The schema edits change what they name and nothing else, and the state then loads without
// what was left out.
func TestAnchorSchemaEdits(t *testing.T) {
	ctx := context.Background()
	a := &anchor{ProviderServer: provider.NewServer("test")(), edits: "-versions,approle:plain,secrets_wo:nowriteonly"}
	resp, err := a.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]*tfprotov6.SchemaAttribute{}
	for _, at := range resp.ResourceSchemas["mosaic_app_secrets"].Block.Attributes {
		attrs[at.Name] = at
	}
	if _, ok := attrs["versions"]; ok {
		t.Error("versions is still served")
	}
	if ar := attrs["approle"]; ar.NestedType != nil || !ar.Type.Is(tftypes.Object{}) {
		t.Errorf("approle is not a plain object: %+v", ar)
	}
	if attrs["secrets_wo"].WriteOnly || !attrs["secrets"].Sensitive {
		t.Error("secrets_wo is still write-only, or secrets lost its sensitive mark")
	}
	if !attrs["field_names"].Computed || attrs["secret_ids"].NestedType == nil {
		t.Error("an attribute no edit names changed")
	}
	up, err := a.UpgradeResourceState(ctx, &tfprotov6.UpgradeResourceStateRequest{
		TypeName: "mosaic_app_secrets", RawState: &tfprotov6.RawState{JSON: []byte(appState)},
	})
	if err != nil || len(up.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, up.Diagnostics)
	}
	if err := editSchema(resp.ResourceSchemas["mosaic_app_secrets"], "policy:shorter"); err == nil {
		t.Error("an unknown edit was accepted")
	}
}

// The plugin floor plans as terraform_data does (output is input, id set on create and kept)
// and applies what it planned.
func TestAnchorBytes(t *testing.T) {
	ctx := context.Background()
	a := newAnchor()
	typ := bytesSchema().ValueType()
	obj := func(id, input, output tftypes.Value) *tfprotov6.DynamicValue {
		t.Helper()
		dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, map[string]tftypes.Value{"id": id, "input": input, "output": output}))
		if err != nil {
			t.Fatal(err)
		}
		return &dv
	}
	null := tftypes.NewValue(tftypes.String, nil)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	plan := func(proposed *tfprotov6.DynamicValue) tftypes.Value {
		t.Helper()
		resp, err := a.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: bytesType, ProposedNewState: proposed})
		if err != nil || len(resp.Diagnostics) > 0 {
			t.Fatalf("plan: %v %v", err, resp.Diagnostics)
		}
		apply, err := a.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{TypeName: bytesType, PlannedState: resp.PlannedState})
		if err != nil || len(apply.Diagnostics) > 0 || apply.NewState != resp.PlannedState {
			t.Fatalf("apply: %v %v", err, apply.Diagnostics)
		}
		v, err := resp.PlannedState.Unmarshal(typ)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got, want := plan(obj(null, str("pw-0-1-0000"), null)), tftypes.NewValue(typ, map[string]tftypes.Value{"id": str("bytes"), "input": str("pw-0-1-0000"), "output": str("pw-0-1-0000")}); !got.Equal(want) {
		t.Errorf("create planned %s, want %s", got, want)
	}
	if got, want := plan(obj(str("kept"), str("pw-0-2-0000"), str("pw-0-1-0000"))), tftypes.NewValue(typ, map[string]tftypes.Value{"id": str("kept"), "input": str("pw-0-2-0000"), "output": str("pw-0-2-0000")}); !got.Equal(want) {
		t.Errorf("update planned %s, want %s", got, want)
	}
	schema, err := a.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || schema.ResourceSchemas[bytesType] == nil || schema.ResourceSchemas["mosaic_app_secrets"] == nil {
		t.Fatalf("schema: %v, types %v", err, schema.ResourceSchemas)
	}
}
