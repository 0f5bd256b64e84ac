package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var _ function.Function = &CheckPathFunction{}

// NewCheckPathFunction returns provider::mosaic::check_path.
func NewCheckPathFunction() function.Function { return &CheckPathFunction{} }

// CheckPathFunction validates a full canonical path.
type CheckPathFunction struct{}

func (f *CheckPathFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "check_path"
}

func (f *CheckPathFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Check a secret path against the secrets policy",
		MarkdownDescription: "Returns the path unchanged when it is a canonical path (`secret-{env}/{service}/{component}/{secret-name}`, " +
			"every segment lowercase kebab-case, nothing credential-like in it), and fails with the rule it breaks otherwise. " +
			"A deprecated path fails with its migration target.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "path", MarkdownDescription: "A full path, e.g. `secret-prod/backend-api/database/app`."},
		},
		Return: function.StringReturn{},
	}
}

func (f *CheckPathFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var p string
	resp.Error = req.Arguments.Get(ctx, &p)
	if resp.Error != nil {
		return
	}
	if _, err := policy.ParsePath(p); err != nil {
		resp.Error = function.NewArgumentFuncError(0, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, p)
}
