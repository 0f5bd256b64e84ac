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
}

var _ validator.String = policyStringValidator{}

func (v policyStringValidator) Description(_ context.Context) string         { return v.description }
func (v policyStringValidator) MarkdownDescription(_ context.Context) string { return v.description }

func (v policyStringValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := v.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Breaks the secrets policy", err.Error())
	}
}

func environmentValidator() validator.String {
	return policyStringValidator{"must be dev, staging or prod", policy.ValidateEnvironment}
}

func serviceValidator() validator.String {
	return policyStringValidator{"must be a lowercase kebab-case service name, not ending in -bootstrap", policy.ValidateService}
}

func accessValidator() validator.String {
	return policyStringValidator{"must be eso or direct-vault", policy.ValidateAccess}
}

func durationValidator(name string) validator.String {
	return policyStringValidator{"must be a duration in Vault's form (1h, 90m, 3600, 0)", func(s string) error {
		_, err := policy.ParseDuration(name, s)
		return err
	}}
}
