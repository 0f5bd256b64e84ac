package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var _ function.Function = &SecretPathFunction{}

// NewSecretPathFunction returns provider::mosaic::secret_path.
func NewSecretPathFunction() function.Function { return &SecretPathFunction{} }

// SecretPathFunction builds a canonical path from its parts.
type SecretPathFunction struct{}

func (f *SecretPathFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "secret_path"
}

func (f *SecretPathFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Build a canonical secret path",
		MarkdownDescription: "Returns the canonical path `{mount}/{service}/{component}/{secret-name}` for an environment, " +
			"e.g. `secret-prod/backend-api/database/app`, or fails naming the part that breaks the secrets policy and what to write instead.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "environment", MarkdownDescription: "`dev`, `staging` or `prod`."},
			function.StringParameter{Name: "service", MarkdownDescription: "Service name, lowercase kebab-case."},
			function.StringParameter{Name: "component", MarkdownDescription: "Logical grouping: `database`, `oauth`, `jwt`, `api`, ..."},
			function.StringParameter{Name: "name", MarkdownDescription: "Secret name, lowercase kebab-case."},
		},
		Return: function.StringReturn{},
	}
}

func (f *SecretPathFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var env, service, component, name string
	resp.Error = req.Arguments.Get(ctx, &env, &service, &component, &name)
	if resp.Error != nil {
		return
	}
	p, err := policy.BuildPath(env, service, component, name)
	if err != nil {
		arg := int64(0)
		switch {
		case policy.ValidateEnvironment(env) != nil:
			arg = 0
		case policy.ValidateService(service) != nil:
			arg = 1
		case policy.ValidateSegment("component", component) != nil:
			arg = 2
		default:
			arg = 3
		}
		resp.Error = function.NewArgumentFuncError(arg, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, p.String())
}
