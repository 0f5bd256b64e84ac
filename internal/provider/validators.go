package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// policyStringValidator runs one rule of internal/policy on a string attribute at plan time.
type policyStringValidator struct {
	description string
	check       func(string) error
	// onParent reports on the enclosing attribute: for attributes nested in an object value,
	// where Terraform can show the enclosing attribute's line but not the nested one.
	onParent bool
}

var _ validator.String = policyStringValidator{}

func (v policyStringValidator) Description(_ context.Context) string         { return v.description }
func (v policyStringValidator) MarkdownDescription(_ context.Context) string { return v.description }

func (v policyStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		at := req.Path
		if v.onParent {
			at = req.Path.ParentPath()
		}
		resp.Diagnostics.AddAttributeError(at, "Breaks the secrets policy", err.Error())
	}
}

func environmentValidator() validator.String {
	return policyStringValidator{description: "must be dev, staging or prod", check: policy.ValidateEnvironment}
}

func serviceValidator() validator.String {
	return policyStringValidator{description: "must be a lowercase kebab-case service name, not ending in -bootstrap", check: policy.ValidateService}
}

func accessValidator() validator.String {
	return policyStringValidator{description: "must be eso or direct-vault", check: policy.ValidateAccess}
}

func durationValidator(name string) validator.String {
	return policyStringValidator{description: "must be a duration in Vault's form (1h, 90m, 3600, 0)", onParent: true, check: func(s string) error {
		_, err := policy.ParseDuration(name, s)
		return err
	}}
}
