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
	Environment             types.String `tfsdk:"environment"`
	Name                    types.String `tfsdk:"name"`
	VaultServer             types.String `tfsdk:"vault_server"`
	Auth                    types.String `tfsdk:"auth"`
	AuthMount               types.String `tfsdk:"auth_mount"`
	ServiceAccount          types.String `tfsdk:"service_account"`
	ServiceAccountNamespace types.String `tfsdk:"service_account_namespace"`
	Audiences               types.List   `tfsdk:"audiences"`
	VaultNamespace          types.String `tfsdk:"vault_namespace"`
	Manifest                types.String `tfsdk:"manifest"`
}

func (d *ClusterSecretStoreDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_cluster_secret_store"
}

func (d *ClusterSecretStoreDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders an environment's `external-secrets.io/v1` ClusterSecretStore: External Secrets Operator reads the " +
			"environment's KV v2 mount (`secret-{env}`) with the identity that `mosaic_platform` binds to `eso-reader-{env}` " +
			"(`eso_identities`): its own service account token, logged in to the JWT auth method as role `eso-reader-{env}`. " +
			"`auth = \"kubernetes\"` renders Vault's Kubernetes auth method instead. Makes no Vault call.",
		Attributes: map[string]schema.Attribute{
			"environment":  schema.StringAttribute{Required: true, MarkdownDescription: "`dev`, `staging` or `prod`.", Validators: []validator.String{environmentValidator()}},
			"name":         schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the ClusterSecretStore (DNS-1123). Default `vault-backend`, the name `mosaic_external_secret` refers to."},
			"vault_server": schema.StringAttribute{Required: true, MarkdownDescription: "Vault's address as ESO in the cluster reaches it, e.g. `https://vault.vault.svc:8200`."},
			"auth": schema.StringAttribute{Optional: true,
				MarkdownDescription: "`jwt` (default): ESO's service account token at the JWT auth method, role `eso-reader-{env}`. `kubernetes`: Vault's Kubernetes auth method, role `eso-reader-{env}`."},
			"auth_mount":                schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the auth method. Default `jwt` (or `kubernetes`)."},
			"service_account":           schema.StringAttribute{Optional: true, MarkdownDescription: "ESO's service account. Default `external-secrets`."},
			"service_account_namespace": schema.StringAttribute{Optional: true, MarkdownDescription: "Its namespace. Default `external-secrets`."},
			"audiences": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Audiences of the token ESO requests (`jwt`); they must be in the ESO identity's `bound_audiences`. Default `[\"vault\"]`."},
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
	s := eso.Store{Environment: m.Environment.ValueString(), Name: m.Name.ValueString(), Server: m.VaultServer.ValueString(),
		Auth: m.Auth.ValueString(), AuthMount: m.AuthMount.ValueString(), ServiceAccount: m.ServiceAccount.ValueString(),
		ServiceAccountNamespace: m.ServiceAccountNamespace.ValueString(), VaultNamespace: m.VaultNamespace.ValueString()}
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
