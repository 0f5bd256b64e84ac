package provider

import (
	"context"
	"maps"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The model codec reads and writes exactly what the framework's reflection does: for a
// configuration (nulls), a create plan (unknowns) and a state (all known), every field equal
// after get, and the same object after value.
func TestModelCodecMatchesFramework(t *testing.T) {
	ctx := context.Background()
	var sr resource.SchemaResponse
	(&AppSecretsResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	config := benchConfig(typ)
	// A create plan: the computed attributes unknown, as the framework marks them.
	obj := typ.(tftypes.Object)
	var attrs map[string]tftypes.Value
	_ = config.As(&attrs)
	unknown := maps.Clone(attrs)
	for _, name := range []string{"id", "policy_name", "policy", "field_names", "versions", "role_id"} {
		unknown[name] = tftypes.NewValue(obj.AttributeTypes[name], tftypes.UnknownValue)
	}
	planned := tftypes.NewValue(typ, unknown)
	for name, raw := range map[string]tftypes.Value{"config": config, "plan": planned, "state": knownValue(t, planned)} {
		var viaFramework, viaCodec AppSecretsModel
		if d := (tfsdk.Plan{Schema: sr.Schema, Raw: raw}).Get(ctx, &viaFramework); d.HasError() {
			t.Fatalf("%s: framework get: %v", name, d)
		}
		if d := appModels.get(ctx, sr.Schema, raw, &viaCodec); d.HasError() {
			t.Fatalf("%s: codec get: %v", name, d)
		}
		fw, co := reflect.ValueOf(viaFramework), reflect.ValueOf(viaCodec)
		for i := range fw.NumField() {
			if !fw.Field(i).Interface().(attr.Value).Equal(co.Field(i).Interface().(attr.Value)) {
				t.Errorf("%s: field %s differs between the framework and the codec", name, fw.Type().Field(i).Name)
			}
		}
		set := tfsdk.Plan{Schema: sr.Schema}
		if d := set.Set(ctx, &viaFramework); d.HasError() {
			t.Fatalf("%s: framework set: %v", name, d)
		}
		var got tftypes.Value
		if d := setModel(ctx, &got, sr.Schema, &viaCodec); d.HasError() {
			t.Fatalf("%s: codec set: %v", name, d)
		}
		if !got.Equal(set.Raw) || !got.Equal(raw) {
			// The values hold (made-up) secrets: name the difference, not the values.
			t.Errorf("%s: the codec writes another object than the framework, or than it read", name)
		}
	}
}

func knownValue(t *testing.T, v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		switch {
		case v.IsKnown():
			return v, nil
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "known"), nil
		case v.Type().Equal(tftypes.Map{ElementType: tftypes.String}):
			return tftypes.NewValue(v.Type(), map[string]tftypes.Value{"database/app": tftypes.NewValue(tftypes.String, "secret-prod/app-0001/database/app")}), nil
		case v.Type().Equal(tftypes.Map{ElementType: tftypes.Number}):
			return tftypes.NewValue(v.Type(), map[string]tftypes.Value{"database/app": tftypes.NewValue(tftypes.Number, 3)}), nil
		}
		return v, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
