package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var _ function.Function = &MigratePathFunction{}

// NewMigratePathFunction returns provider::mosaic::migrate_path.
func NewMigratePathFunction() function.Function { return &MigratePathFunction{} }

// MigratePathFunction maps a deprecated path onto its canonical target.
type MigratePathFunction struct{}

func (f *MigratePathFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "migrate_path"
}

func (f *MigratePathFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Migrate a deprecated secret path to its canonical target",
		MarkdownDescription: "Returns the canonical target of a deprecated path (`secret/infrastructure/*`, `secret/oauth/*`, " +
			"`secret/database/*`, `secret/credentials/*`, `secret/k3s/<app>`) for an environment and service, following the " +
			"policy's migration table (see the Secrets policy guide), e.g. `secret/oauth/google` in prod for `backend-api` -> `secret-prod/backend-api/oauth/google`.",
		Parameters: []function.Parameter{
			function.StringParameter{Name: "old_path", MarkdownDescription: "The deprecated path."},
			function.StringParameter{Name: "environment", MarkdownDescription: "`dev`, `staging` or `prod`."},
			function.StringParameter{Name: "service", MarkdownDescription: "The service that owns the secret."},
		},
		Return: function.StringReturn{},
	}
}

func (f *MigratePathFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var old, env, service string
	resp.Error = req.Arguments.Get(ctx, &old, &env, &service)
	if resp.Error != nil {
		return
	}
	target, err := policy.Migrate(old, env, service)
	if err != nil {
		arg := int64(0)
		if policy.ValidateEnvironment(env) != nil {
			arg = 1
		} else if policy.ValidateService(service) != nil {
			arg = 2
		}
		resp.Error = function.NewArgumentFuncError(arg, err.Error())
		return
	}
	resp.Error = resp.Result.Set(ctx, target)
}
