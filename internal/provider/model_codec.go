package provider

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// modelCodec converts between a resource's Terraform object and its model struct, as the
// framework's Get and Set do, with the struct's field of each attribute found once per process.
// terraform-plugin-framework v1.19's Get and Set walk the struct tags and compile a regular
// expression for every field name on every call: for mosaic_app_secrets about a sixth of the
// provider's allocations in a plan (see the performance guide). Every model field is an
// attr.Value of the schema's type, so a field is the attribute type's ValueFromTerraform, and
// back its ToTerraformValue.
type modelCodec[T any] struct {
	once   sync.Once
	err    error
	tfType tftypes.Type
	attrs  []codecField
}

type codecField struct {
	name  string
	index int
	typ   attr.Type
}

// schemaTyper is what tfsdk.Plan, State and Config's Schema offer: the schema's object type.
type schemaTyper interface {
	Type() attr.Type
}

func (c *modelCodec[T]) init(ctx context.Context, s schemaTyper) error {
	c.once.Do(func() {
		obj, ok := s.Type().(basetypes.ObjectType)
		if !ok {
			c.err = fmt.Errorf("schema type %T is no object", s.Type())
			return
		}
		c.tfType = obj.TerraformType(ctx)
		byTag := map[string]int{}
		rt := reflect.TypeFor[T]()
		for i := range rt.NumField() {
			if tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("tfsdk"), ","); tag != "" && tag != "-" {
				byTag[tag] = i
			}
		}
		for name, typ := range obj.AttrTypes {
			i, ok := byTag[name]
			if !ok {
				c.err = fmt.Errorf("%s has no field for attribute %q", rt, name)
				return
			}
			c.attrs = append(c.attrs, codecField{name: name, index: i, typ: typ})
		}
		if len(byTag) != len(obj.AttrTypes) {
			c.err = fmt.Errorf("%s has fields for attributes the schema lacks", rt)
		}
	})
	return c.err
}

// get reads raw, an object of schema s, into m.
func (c *modelCodec[T]) get(ctx context.Context, s schemaTyper, raw tftypes.Value, m *T) diag.Diagnostics {
	var diags diag.Diagnostics
	if err := c.init(ctx, s); err != nil {
		diags.AddError("Value Conversion Error", err.Error())
		return diags
	}
	var vals map[string]tftypes.Value
	if err := raw.As(&vals); err != nil || vals == nil {
		diags.AddError("Value Conversion Error", fmt.Sprintf("expected a known object, got %s", raw))
		return diags
	}
	rv := reflect.ValueOf(m).Elem()
	for _, f := range c.attrs {
		v, err := f.typ.ValueFromTerraform(ctx, vals[f.name])
		if err != nil {
			diags.AddError("Value Conversion Error", fmt.Sprintf("%s: %s", f.name, err))
			return diags
		}
		rv.Field(f.index).Set(reflect.ValueOf(v))
	}
	return diags
}

// value is m as an object of schema s.
func (c *modelCodec[T]) value(ctx context.Context, s schemaTyper, m *T) (tftypes.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	if err := c.init(ctx, s); err != nil {
		diags.AddError("Value Conversion Error", err.Error())
		return tftypes.Value{}, diags
	}
	rv := reflect.ValueOf(m).Elem()
	vals := make(map[string]tftypes.Value, len(c.attrs))
	for _, f := range c.attrs {
		v, err := rv.Field(f.index).Interface().(attr.Value).ToTerraformValue(ctx)
		if err != nil {
			diags.AddError("Value Conversion Error", fmt.Sprintf("%s: %s", f.name, err))
			return tftypes.Value{}, diags
		}
		vals[f.name] = v
	}
	return tftypes.NewValue(c.tfType, vals), diags
}

// appModels converts mosaic_app_secrets' values.
var appModels modelCodec[AppSecretsModel]

// setModel sets *raw (a tfsdk Plan or State's Raw) to m.
func setModel(ctx context.Context, raw *tftypes.Value, s schemaTyper, m *AppSecretsModel) diag.Diagnostics {
	v, diags := appModels.value(ctx, s, m)
	if !diags.HasError() {
		*raw = v
	}
	return diags
}
