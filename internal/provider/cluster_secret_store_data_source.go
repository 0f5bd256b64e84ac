package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
)

var _ datasource.DataSource = &ClusterSecretStoreDataSource{}

// NewClusterSecretStoreDataSource returns the mosaic_cluster_secret_store data source.
func NewClusterSecretStoreDataSource() datasource.DataSource { return &ClusterSecretStoreDataSource{} }

// ClusterSecretStoreDataSource renders an environment's ClusterSecretStore. It makes no Vault call.
type ClusterSecretStoreDataSource struct{}

// ClusterSecretStoreModel is the data source's configuration and result.
type ClusterSecretStoreModel struct {
	Environment    types.String `tfsdk:"environment"`
	Namespace      types.String `tfsdk:"namespace"`
	Name           types.String `tfsdk:"name"`
	VaultServer    types.String `tfsdk:"vault_server"`
	Auth           types.String `tfsdk:"auth"`
	AuthMount      types.String `tfsdk:"auth_mount"`
	ServiceAccount types.String `tfsdk:"service_account"`
	Audiences      types.List   `tfsdk:"audiences"`
	VaultNamespace types.String `tfsdk:"vault_namespace"`
	Manifest       types.String `tfsdk:"manifest"`
}

func (d *ClusterSecretStoreDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_secret_store"
}

func (d *ClusterSecretStoreDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders the `external-secrets.io/v1` ClusterSecretStore of one Kubernetes namespace in one environment: " +
			"External Secrets Operator reads the environment's KV v2 mount (`secret-{env}`) as the namespace's own service account, logged in " +
			"to the cluster issuer's JWT auth mount as the role `eso-reader-{env}-{namespace}` that `mosaic_platform` binds (`eso_identities`) " +
			"to that service account and to the secrets and bootstrap entries of the namespace's apps only. The store's `conditions` let only " +
			"ExternalSecrets of that namespace use it; Vault refuses any other service account's token for the role. Point the namespace's " +
			"`mosaic_external_secret` at it with `secret_store_name`. `auth = \"kubernetes\"` renders Vault's Kubernetes auth method instead " +
			"(a role of that name, managed outside this provider). Makes no Vault call.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{Required: true, MarkdownDescription: "`dev`, `staging` or `prod`.", Validators: []validator.String{environmentValidator()}},
			"namespace": schema.StringAttribute{Required: true,
				MarkdownDescription: "The namespace whose apps the store serves (its `eso_identities` key is `\"{environment}/{namespace}\"`); the service account lives there."},
			"name":         schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the ClusterSecretStore (DNS-1123). Default `vault-backend-{namespace}`."},
			"vault_server": schema.StringAttribute{Required: true, MarkdownDescription: "Vault's address as ESO in the cluster reaches it, e.g. `https://vault.vault.svc:8200`."},
			"auth": schema.StringAttribute{Optional: true,
				MarkdownDescription: "`jwt` (default): the service account's token at the cluster issuer's JWT auth mount. `kubernetes`: Vault's Kubernetes auth method."},
			"auth_mount": schema.StringAttribute{Required: true,
				MarkdownDescription: "Path of the auth method: for `jwt` the cluster issuer's mount in `mosaic_platform` (`issuers[...].mount`, default `jwt-{issuer}`); for `kubernetes` Vault's Kubernetes auth method of that cluster."},
			"service_account": schema.StringAttribute{Optional: true, MarkdownDescription: "The namespace's service account whose token ESO presents (the identity's `service_account`). Default `external-secrets`."},
			"audiences": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Audiences of the token ESO requests (`jwt`); they must be in the identity's `bound_audiences`. Default `[\"vault\"]`."},
			"vault_namespace": schema.StringAttribute{Optional: true, MarkdownDescription: "Vault Enterprise namespace, if any."},
			"manifest":        schema.StringAttribute{Computed: true, MarkdownDescription: "The ClusterSecretStore document (YAML), for `kubectl apply -f -`."},
		},
	}
}

func (d *ClusterSecretStoreDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m ClusterSecretStoreModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s := eso.Store{Environment: m.Environment.ValueString(), Namespace: m.Namespace.ValueString(), Name: m.Name.ValueString(),
		Server: m.VaultServer.ValueString(), Auth: m.Auth.ValueString(), AuthMount: m.AuthMount.ValueString(),
		ServiceAccount: m.ServiceAccount.ValueString(), VaultNamespace: m.VaultNamespace.ValueString()}
	if !m.Audiences.IsNull() {
		resp.Diagnostics.Append(m.Audiences.ElementsAs(ctx, &s.Audiences, false)...)
	}
	out, err := eso.RenderStore(s)
	if renderFailed(&resp.Diagnostics, "Cannot render the ClusterSecretStore", err) {
		return
	}
	m.Manifest = types.StringValue(out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}
