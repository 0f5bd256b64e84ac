// Command anchor is the benchmark's provider anchor (`make bench`): a provider with mosaic's
// schema that answers every per-resource request of a plan at once, doing nothing a provider
// need not. A plan of mosaic's configuration and state through it costs what Terraform itself
// spends on mosaic's interface (the values of an app's state, their types and sensitive marks,
// three plugin calls per instance) plus the protocol: the lowest any provider of this interface
// could reach. The bench runs the same no-change plans through it, in the same directory, right
// after mosaic's.
//
// It serves the schema, the provider configuration and anything else from the real provider
// (once per run), and answers alone, per instance:
//   - UpgradeResourceState: the stored JSON decoded along the schema (attributes the schema no
//     longer has dropped, as the framework does);
//   - ValidateResourceConfig: no diagnostics;
//   - ReadResource: the state as it is (no Vault request);
//   - PlanResourceChange: Terraform's proposed new state, and the private state kept.
//
// It cannot apply mosaic's resources: ApplyResourceChange answers with an error.
//
// It also serves the plugin floor, a resource type of its own, mosaic_bytes: `terraform_data`
// as a provider plugin (an `input` string, its copy `output` and an `id`), which plans and
// applies at once. The same configuration on `terraform_data` and on mosaic_bytes costs
// Terraform the same except for the plugin protocol: the calls, their encoding and decoding,
// the provider process.
//
// MOSAIC_ANCHOR_SCHEMA edits the schema it serves, to measure what a part of the interface
// costs Terraform (the same state then loads without it): a comma-separated list of
// `-{attribute}` (left out), `{attribute}:plain` (a nested attribute served as the plain
// object or list type of the same values), `{attribute}:nowriteonly`, all on top-level
// attributes of every resource type.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/provider"
)

func main() {
	// As terraform-provider-mosaic does when nobody reads its logs: no per-request TRACE lines,
	// and the same garbage collection target, so that the anchor is nowhere slower than mosaic.
	for _, v := range []string{"TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK", "TF_LOG_PROVIDER_MOSAIC"} {
		_ = os.Setenv(v, "off")
	}
	debug.SetGCPercent(400)
	if err := tf6server.Serve("registry.terraform.io/mosaicstack/mosaic", newAnchor); err != nil {
		log.Fatal(err)
	}
}

func newAnchor() tfprotov6.ProviderServer {
	return &anchor{ProviderServer: provider.NewServer("anchor")(), edits: os.Getenv("MOSAIC_ANCHOR_SCHEMA")}
}

// anchor serves what it does not answer itself through the real provider.
type anchor struct {
	tfprotov6.ProviderServer

	edits string // MOSAIC_ANCHOR_SCHEMA

	once  sync.Once
	types map[string]tftypes.Type // resource type name to its schema's type
	diags []*tfprotov6.Diagnostic // the schema request's, if it failed
}

// GetProviderSchema is the real provider's with the edits applied, and mosaic_bytes.
func (a *anchor) GetProviderSchema(ctx context.Context, req *tfprotov6.GetProviderSchemaRequest) (*tfprotov6.GetProviderSchemaResponse, error) {
	resp, err := a.ProviderServer.GetProviderSchema(ctx, req)
	if err != nil {
		return resp, err
	}
	if a.edits != "" {
		for _, s := range resp.ResourceSchemas {
			if err := editSchema(s, a.edits); err != nil {
				return nil, err
			}
		}
	}
	resp.ResourceSchemas[bytesType] = bytesSchema()
	return resp, nil
}

// bytesType is the plugin floor's resource type.
const bytesType = "mosaic_bytes"

// bytesSchema is terraform_data's with string values: what the byte floor's configuration sets.
func bytesSchema() *tfprotov6.Schema {
	return &tfprotov6.Schema{Block: &tfprotov6.SchemaBlock{Attributes: []*tfprotov6.SchemaAttribute{
		{Name: "id", Type: tftypes.String, Computed: true},
		{Name: "input", Type: tftypes.String, Required: true},
		{Name: "output", Type: tftypes.String, Computed: true},
	}}}
}

// editSchema applies the MOSAIC_ANCHOR_SCHEMA edits to s.
func editSchema(s *tfprotov6.Schema, edits string) error {
	for _, e := range strings.Split(edits, ",") {
		if name, ok := strings.CutPrefix(e, "-"); ok {
			s.Block.Attributes = slices.DeleteFunc(s.Block.Attributes, func(a *tfprotov6.SchemaAttribute) bool { return a.Name == name })
			continue
		}
		name, how, _ := strings.Cut(e, ":")
		i := slices.IndexFunc(s.Block.Attributes, func(a *tfprotov6.SchemaAttribute) bool { return a.Name == name })
		if i < 0 {
			continue // another resource type's
		}
		at := s.Block.Attributes[i]
		switch how {
		case "plain":
			if at.NestedType != nil {
				at.Type, at.NestedType = at.NestedType.ValueType(), nil
			}
		case "nowriteonly":
			at.WriteOnly = false
		default:
			return fmt.Errorf("MOSAIC_ANCHOR_SCHEMA: unknown edit %q", e)
		}
	}
	return nil
}

// resourceType is the type of a resource's schema, from the real provider's schema (asked once).
func (a *anchor) resourceType(ctx context.Context, name string) (tftypes.Type, []*tfprotov6.Diagnostic) {
	a.once.Do(func() {
		resp, err := a.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
		if err != nil {
			a.diags = failed("reading the provider's schema", err)
			return
		}
		if len(resp.Diagnostics) > 0 {
			a.diags = resp.Diagnostics
			return
		}
		a.types = map[string]tftypes.Type{}
		for name, s := range resp.ResourceSchemas {
			a.types[name] = s.ValueType()
		}
	})
	if a.diags != nil {
		return nil, a.diags
	}
	typ, ok := a.types[name]
	if !ok {
		return nil, failed("upgrading the state", anchorError("no resource type "+name))
	}
	return typ, nil
}

func failed(what string, err error) []*tfprotov6.Diagnostic {
	return []*tfprotov6.Diagnostic{{Severity: tfprotov6.DiagnosticSeverityError, Summary: "anchor provider: " + what, Detail: err.Error()}}
}

func (a *anchor) ValidateResourceConfig(context.Context, *tfprotov6.ValidateResourceConfigRequest) (*tfprotov6.ValidateResourceConfigResponse, error) {
	return &tfprotov6.ValidateResourceConfigResponse{}, nil
}

func (a *anchor) UpgradeResourceState(ctx context.Context, req *tfprotov6.UpgradeResourceStateRequest) (*tfprotov6.UpgradeResourceStateResponse, error) {
	typ, diags := a.resourceType(ctx, req.TypeName)
	if diags != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: diags}, nil
	}
	val, err := req.RawState.UnmarshalWithOpts(typ, tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: failed("decoding the stored state", err)}, nil
	}
	state, err := tfprotov6.NewDynamicValue(typ, val)
	if err != nil {
		return &tfprotov6.UpgradeResourceStateResponse{Diagnostics: failed("encoding the state", err)}, nil
	}
	return &tfprotov6.UpgradeResourceStateResponse{UpgradedState: &state}, nil
}

func (a *anchor) ReadResource(_ context.Context, req *tfprotov6.ReadResourceRequest) (*tfprotov6.ReadResourceResponse, error) {
	return &tfprotov6.ReadResourceResponse{NewState: req.CurrentState, Private: req.Private}, nil
}

func (a *anchor) PlanResourceChange(ctx context.Context, req *tfprotov6.PlanResourceChangeRequest) (*tfprotov6.PlanResourceChangeResponse, error) {
	if req.TypeName == bytesType && req.ProposedNewState != nil {
		planned, diags := a.planBytes(ctx, req.ProposedNewState)
		return &tfprotov6.PlanResourceChangeResponse{PlannedState: planned, Diagnostics: diags}, nil
	}
	return &tfprotov6.PlanResourceChangeResponse{PlannedState: req.ProposedNewState, PlannedPrivate: req.PriorPrivate}, nil
}

// planBytes plans a mosaic_bytes instance as terraform_data does: output is input, id set once.
func (a *anchor) planBytes(ctx context.Context, proposed *tfprotov6.DynamicValue) (*tfprotov6.DynamicValue, []*tfprotov6.Diagnostic) {
	typ, diags := a.resourceType(ctx, bytesType)
	if diags != nil {
		return nil, diags
	}
	val, err := proposed.Unmarshal(typ)
	if err != nil {
		return nil, failed("decoding the proposed state", err)
	}
	if val.IsNull() {
		return proposed, nil // destroy
	}
	var attrs map[string]tftypes.Value
	if err := val.As(&attrs); err != nil {
		return nil, failed("reading the proposed state", err)
	}
	attrs["output"] = attrs["input"]
	if attrs["id"].IsNull() {
		attrs["id"] = tftypes.NewValue(tftypes.String, "bytes")
	}
	planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, attrs))
	if err != nil {
		return nil, failed("encoding the planned state", err)
	}
	return &planned, nil
}

func (a *anchor) ApplyResourceChange(_ context.Context, req *tfprotov6.ApplyResourceChangeRequest) (*tfprotov6.ApplyResourceChangeResponse, error) {
	if req.TypeName == bytesType {
		return &tfprotov6.ApplyResourceChangeResponse{NewState: req.PlannedState}, nil
	}
	return &tfprotov6.ApplyResourceChangeResponse{Diagnostics: failed("applying", errAnchorPlansOnly)}, nil
}

type anchorError string

func (e anchorError) Error() string { return string(e) }

const errAnchorPlansOnly = anchorError("the bench's anchor provider only plans; apply with terraform-provider-mosaic")
