package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var _ datasource.DataSource = &ExternalSecretDataSource{}

// NewExternalSecretDataSource returns the mosaic_external_secret data source.
func NewExternalSecretDataSource() datasource.DataSource { return &ExternalSecretDataSource{} }

// ExternalSecretDataSource renders an app's ESO manifests. It makes no Vault call.
type ExternalSecretDataSource struct{}

// ExternalSecretModel is the data source's configuration and result.
type ExternalSecretModel struct {
	Environment     types.String `tfsdk:"environment"`
	Service         types.String `tfsdk:"service"`
	Access          types.String `tfsdk:"access"`
	Namespace       types.String `tfsdk:"kubernetes_namespace"`
	FieldNames      types.Map    `tfsdk:"field_names"`
	EnvNames        types.Map    `tfsdk:"env_names"`
	StoreName       types.String `tfsdk:"secret_store_name"`
	StoreKind       types.String `tfsdk:"secret_store_kind"`
	RefreshInterval types.String `tfsdk:"refresh_interval"`
	VaultAddr       types.String `tfsdk:"vault_addr"`
	ExternalSecret  types.String `tfsdk:"external_secret"`
	Env             types.String `tfsdk:"env"`
	Manifests       types.String `tfsdk:"manifests"`
	SecretName      types.String `tfsdk:"secret_name"`
	SecretKeys      types.Map    `tfsdk:"secret_keys"`
}

func (d *ExternalSecretDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_external_secret"
}

func (d *ExternalSecretDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders the External Secrets Operator side of an app, as YAML that `kubectl apply` accepts: " +
			"for `eso` apps the `external-secrets.io/v1` ExternalSecret `{service}-secrets` with one entry per (path, field); " +
			"for `direct-vault` apps the bootstrap ExternalSecret `{service}-vault-auth` with `VAULT_ROLE_ID` and " +
			"`VAULT_SECRET_ID`; and the Deployment `env` entries that read them with `secretKeyRef`. It makes no Vault " +
			"call and never sees a secret value: feed it the names from `mosaic_app_secrets`.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{Required: true, MarkdownDescription: "`dev`, `staging` or `prod`.", Validators: []validator.String{environmentValidator()}},
			"service":     schema.StringAttribute{Required: true, MarkdownDescription: "The app's service name.", Validators: []validator.String{serviceValidator()}},
			"access": schema.StringAttribute{Optional: true,
				MarkdownDescription: "`eso` (default) or `direct-vault`; take it from `mosaic_app_secrets.<name>.access`.",
				Validators:          []validator.String{accessValidator()}},
			"kubernetes_namespace": schema.StringAttribute{Required: true, MarkdownDescription: "Kubernetes namespace of the ExternalSecret and the app (not a Vault namespace: that is the provider's `namespace`)."},
			"field_names": schema.MapAttribute{Optional: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Secret key to field names; take it from `mosaic_app_secrets.<name>.field_names`. Required for `eso`."},
			"env_names": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Env-var name overrides, keyed `\"component/secret-name.field\"`, e.g. `{ \"database/app.password\" = \"DB_PASSWORD\" }`. " +
					"The default name is UPPER_SNAKE of component, secret name and field (`DATABASE_APP_PASSWORD`). Two fields mapping to one name is an error."},
			"secret_store_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the secret store. Default `vault-backend`."},
			"secret_store_kind": schema.StringAttribute{Optional: true, MarkdownDescription: "`ClusterSecretStore` (default) or `SecretStore`."},
			"refresh_interval": schema.StringAttribute{Optional: true,
				MarkdownDescription: "How often ESO re-syncs. Default `1h`, and `24h` for the bootstrap ExternalSecret."},
			"vault_addr": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Vault's address as the app sees it; the plain `VAULT_ADDR` env entry of a `direct-vault` app (required there)."},
			"external_secret": schema.StringAttribute{Computed: true, MarkdownDescription: "The ExternalSecret document (YAML)."},
			"env":             schema.StringAttribute{Computed: true, MarkdownDescription: "The Deployment container's `env` list (YAML)."},
			"manifests":       schema.StringAttribute{Computed: true, MarkdownDescription: "Every document of the app as multi-document YAML, for `kubectl apply -f -`."},
			"secret_name":     schema.StringAttribute{Computed: true, MarkdownDescription: "The Kubernetes Secret the ExternalSecret creates."},
			"secret_keys": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Each `\"component/secret-name.field\"` (or `role_id`/`secret_id`) to its key in the Kubernetes Secret."},
		},
	}
}

func (d *ExternalSecretDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m ExternalSecretModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	app := eso.App{
		Environment: m.Environment.ValueString(), Service: m.Service.ValueString(), Access: m.Access.ValueString(),
		Namespace: m.Namespace.ValueString(), StoreName: m.StoreName.ValueString(), StoreKind: m.StoreKind.ValueString(),
		RefreshInterval: m.RefreshInterval.ValueString(), VaultAddr: m.VaultAddr.ValueString(),
	}
	if app.Access == "" {
		app.Access = policy.AccessESO
	}
	if !m.FieldNames.IsNull() {
		resp.Diagnostics.Append(m.FieldNames.ElementsAs(ctx, &app.Fields, false)...)
	}
	if !m.EnvNames.IsNull() {
		resp.Diagnostics.Append(m.EnvNames.ElementsAs(ctx, &app.EnvNames, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	out, err := eso.Render(app)
	var in *eso.InputError
	switch {
	case errors.As(err, &in):
		at := path.Root(in.Attr)
		if in.Key != "" {
			at = at.AtMapKey(in.Key)
		}
		resp.Diagnostics.AddAttributeError(at, "Cannot render the ESO manifests", err.Error())
		return
	case err != nil:
		resp.Diagnostics.AddError("Cannot render the ESO manifests", err.Error())
		return
	}
	m.ExternalSecret = types.StringValue(out.ExternalSecret)
	m.Env = types.StringValue(out.Env)
	m.Manifests = types.StringValue(out.All)
	m.SecretName = types.StringValue(out.SecretName)
	m.SecretKeys = stringMapValue(out.EnvNames)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
