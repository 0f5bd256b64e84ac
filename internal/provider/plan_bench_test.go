package provider

import (
	"context"
	"encoding/json"
	"math/big"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The provider's own work per app in a plan without Vault requests (`plan -refresh=false`):
// what Terraform asks of it for each mosaic_app_secrets, over the plugin protocol, without the
// gRPC transport. BenchmarkPlanNoChange plans an app against its own prior state (a no-change
// plan); BenchmarkPlanCreate a new app. The provider is not configured, so nothing reaches Vault.
// `go test -run '^$' -bench Plan -cpuprofile cpu.out ./internal/provider/` profiles it.

const benchType = "mosaic_app_secrets"

func benchServer(b testing.TB) (tfprotov6.ProviderServer, tftypes.Type) {
	srv, err := NewServerWithError("bench")()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		b.Fatal(err)
	}
	return srv, schemas.ResourceSchemas[benchType].ValueType()
}

// benchConfig is one direct-vault app of three secrets, as Terraform sends its configuration:
// every attribute present, unset ones null.
func benchConfig(typ tftypes.Type) tftypes.Value {
	obj := typ.(tftypes.Object)
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	fields := func(kv ...string) tftypes.Value {
		m := map[string]tftypes.Value{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = str(kv[i+1])
		}
		return tftypes.NewValue(tftypes.Map{ElementType: tftypes.String}, m)
	}
	set := map[string]tftypes.Value{
		"environment": str("prod"),
		"service":     str("app-0001"),
		"secrets": tftypes.NewValue(obj.AttributeTypes["secrets"], map[string]tftypes.Value{
			"database/app": fields("username", "app-0001", "password", "pw-1-1", "host", "db", "port", "5432"),
			"oauth/google": fields("client_id", "app-0001-client", "client_secret", "cs-app-0001"),
			"jwt/signing":  fields("private_key", "pk-app-0001"),
		}),
		"access":                     str("direct-vault"),
		"direct_vault_justification": str("DB secrets engine leases with a 15 minute TTL"),
		"delete_all_versions":        tftypes.NewValue(tftypes.Bool, true),
	}
	vals := map[string]tftypes.Value{}
	for name, t := range obj.AttributeTypes {
		if v, ok := set[name]; ok {
			vals[name] = v
		} else {
			vals[name] = tftypes.NewValue(t, nil)
		}
	}
	return tftypes.NewValue(typ, vals)
}

func dynamic(b testing.TB, typ tftypes.Type, v tftypes.Value) *tfprotov6.DynamicValue {
	dv, err := tfprotov6.NewDynamicValue(typ, v)
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// known replaces what a create plan leaves unknown (versions, role_id, accessor) by values, as
// apply would: the state after the create.
func known(b testing.TB, v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(p *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "0b5a7c1e-1111-2222-3333-444455556666"), nil
		case v.Type().Is(tftypes.Number):
			return tftypes.NewValue(tftypes.Number, 1), nil
		}
		return v, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func planApp(b testing.TB, srv tfprotov6.ProviderServer, typ tftypes.Type, config, prior *tfprotov6.DynamicValue) *tfprotov6.PlanResourceChangeResponse {
	ctx := context.Background()
	v, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: benchType, Config: config})
	if err != nil || len(v.Diagnostics) > 0 {
		for _, d := range v.Diagnostics {
			b.Logf("%s: %s", d.Summary, d.Detail)
		}
		b.Fatalf("validate: %v", err)
	}
	proposed := config
	if prior == nil {
		prior = dynamic(b, typ, tftypes.NewValue(typ, nil))
	} else {
		proposed = prior // a no-change plan: Terraform proposes the prior state
	}
	resp, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: benchType, Config: config, PriorState: prior, ProposedNewState: proposed,
	})
	if err != nil || len(resp.Diagnostics) > 0 {
		for _, d := range resp.Diagnostics {
			b.Logf("%s: %s", d.Summary, d.Detail)
		}
		b.Fatalf("plan: %v", err)
	}
	return resp
}

func BenchmarkPlanCreate(b *testing.B) {
	srv, typ := benchServer(b)
	config := dynamic(b, typ, benchConfig(typ))
	b.ReportAllocs()
	for b.Loop() {
		planApp(b, srv, typ, config, nil)
	}
}

// stateJSON is v as Terraform stores it in the state file (and sends it to UpgradeResourceState).
func stateJSON(b testing.TB, v tftypes.Value) []byte {
	var conv func(v tftypes.Value) any
	conv = func(v tftypes.Value) any {
		if v.IsNull() {
			return nil
		}
		switch {
		case v.Type().Is(tftypes.String):
			var s string
			_ = v.As(&s)
			return s
		case v.Type().Is(tftypes.Bool):
			var x bool
			_ = v.As(&x)
			return x
		case v.Type().Is(tftypes.Number):
			var f big.Float
			_ = v.As(&f)
			n, _ := f.Int64()
			return n
		case v.Type().Is(tftypes.List{}), v.Type().Is(tftypes.Set{}):
			var l []tftypes.Value
			_ = v.As(&l)
			out := []any{}
			for _, e := range l {
				out = append(out, conv(e))
			}
			return out
		default: // map, object
			var m map[string]tftypes.Value
			_ = v.As(&m)
			out := map[string]any{}
			for k, e := range m {
				out[k] = conv(e)
			}
			return out
		}
	}
	j, err := json.Marshal(conv(v))
	if err != nil {
		b.Fatal(err)
	}
	return j
}

// BenchmarkPlanNoRefresh is what `plan -refresh=false` asks per app: the state upgraded (read
// from the state file), the configuration validated, the change planned.
func BenchmarkPlanNoRefresh(b *testing.B) {
	srv, typ := benchServer(b)
	config := dynamic(b, typ, benchConfig(typ))
	created := planApp(b, srv, typ, config, nil)
	planned, err := created.PlannedState.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	state := known(b, planned)
	raw := stateJSON(b, state)
	prior := dynamic(b, typ, state)
	b.ReportAllocs()
	for b.Loop() {
		up, err := srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{TypeName: benchType, RawState: &tfprotov6.RawState{JSON: raw}})
		if err != nil || len(up.Diagnostics) > 0 {
			b.Fatalf("upgrade: %v %v", err, up.Diagnostics)
		}
		planApp(b, srv, typ, config, prior)
	}
}

func BenchmarkPlanNoChange(b *testing.B) {
	srv, typ := benchServer(b)
	config := dynamic(b, typ, benchConfig(typ))
	created := planApp(b, srv, typ, config, nil)
	planned, err := created.PlannedState.Unmarshal(typ)
	if err != nil {
		b.Fatal(err)
	}
	prior := dynamic(b, typ, known(b, planned))
	b.ReportAllocs()
	for b.Loop() {
		resp := planApp(b, srv, typ, config, prior)
		if len(resp.RequiresReplace) > 0 {
			b.Fatalf("a no-change plan replaces %v", resp.RequiresReplace)
		}
	}
}

// A state written before mount and paths were removed (0.1.0) still loads: the
// framework drops attributes the schema no longer has when the state's schema version is the
// current one, and the app then plans no change.
func TestStateWithRemovedAttributesLoads(t *testing.T) {
	srv, typ := benchServer(t)
	config := dynamic(t, typ, benchConfig(typ))
	created := planApp(t, srv, typ, config, nil)
	planned, err := created.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	state := known(t, planned)
	var old map[string]any
	if err := json.Unmarshal(stateJSON(t, state), &old); err != nil {
		t.Fatal(err)
	}
	old["mount"] = "secret-prod"
	old["paths"] = map[string]any{"database/app": "secret-prod/app-0001/database/app"}
	raw, _ := json.Marshal(old)
	up, err := srv.UpgradeResourceState(context.Background(), &tfprotov6.UpgradeResourceStateRequest{TypeName: benchType, RawState: &tfprotov6.RawState{JSON: raw}})
	if err != nil || len(up.Diagnostics) > 0 {
		t.Fatalf("upgrade: %v %v", err, up.Diagnostics)
	}
	upgraded, err := up.UpgradedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !upgraded.Equal(state) {
		t.Fatalf("the upgraded state differs from the state without the removed attributes:\n%s\n%s", upgraded, state)
	}
	resp := planApp(t, srv, typ, config, up.UpgradedState)
	after, err := resp.PlannedState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Equal(state) {
		t.Fatalf("an app loaded from the old state plans a change:\n%s", after)
	}
}

// The framework rebuilds the schema's map of top-level attributes for every value it visits
// (schema.GetAttributes, several passes per RPC), so the cost of a plan follows the size of
// that map. Go sizes a map's table in powers of two at 7/8 load: 28 attributes fit a 32-slot
// table, a 29th doubles it, and with it the bytes allocated per planned app (+46%, measured
// with BenchmarkPlanNoChange; see the performance guide). Removing an attribute is cheap to
// keep; adding one past 28 needs a measured reason.
func TestAppSecretsSchemaFitsItsMapTable(t *testing.T) {
	var sr resource.SchemaResponse
	(&AppSecretsResource{}).Schema(context.Background(), resource.SchemaRequest{}, &sr)
	if n := len(sr.Schema.Attributes); n > 28 {
		t.Fatalf("mosaic_app_secrets has %d top-level attributes; above 28 every plan allocates about half again as much per app (performance guide, \"What each attribute costs\")", n)
	}
}

// The same holds for mosaic_platform, whose one value holds thousands of nested identities.
func TestPlatformSchemaFitsItsMapTable(t *testing.T) {
	var sr resource.SchemaResponse
	(&PlatformResource{}).Schema(context.Background(), resource.SchemaRequest{}, &sr)
	if n := len(sr.Schema.Attributes); n > 28 {
		t.Fatalf("mosaic_platform has %d top-level attributes; above 28 the framework's schema map doubles (see TestAppSecretsSchemaFitsItsMapTable)", n)
	}
}
