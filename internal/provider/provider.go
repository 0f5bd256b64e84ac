// Package provider is the Terraform-facing code of terraform-provider-mosaic: the provider
// block, resources, data sources and functions. The rules they enforce live in internal/policy.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var (
	_ provider.Provider              = &MosaicProvider{}
	_ provider.ProviderWithFunctions = &MosaicProvider{}
)

// New returns the provider factory for providerserver.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &MosaicProvider{version: version} }
}

// MosaicProvider is the mosaic provider.
type MosaicProvider struct {
	version string
}

// MosaicProviderModel is the provider block.
type MosaicProviderModel struct {
	Address             types.String      `tfsdk:"address"`
	Token               types.String      `tfsdk:"token"`
	Namespace           types.String      `tfsdk:"namespace"`
	CACertFile          types.String      `tfsdk:"ca_cert_file"`
	CACertDir           types.String      `tfsdk:"ca_cert_dir"`
	SkipTLSVerify       types.Bool        `tfsdk:"skip_tls_verify"`
	MaxRetries          types.Int64       `tfsdk:"max_retries"`
	MaxConcurrent       types.Int64       `tfsdk:"max_concurrent_requests"`
	TLSServerName       types.String      `tfsdk:"tls_server_name"`
	ClientAuth          *ClientAuthModel  `tfsdk:"client_auth"`
	AuthLoginAppRole    *AuthAppRoleModel `tfsdk:"auth_login_approle"`
	AuthLoginJWT        *AuthJWTModel     `tfsdk:"auth_login_jwt"`
	AuthLoginTokenFile  *TokenFileModel   `tfsdk:"auth_login_token_file"`
	AppRoleMount        types.String      `tfsdk:"approle_mount"`
	AllowedEnvironments types.List        `tfsdk:"allowed_environments"`
	AllowedMigrations   types.List        `tfsdk:"allowed_migration_sources"`
}

// AuthAppRoleModel is auth_login_approle.
type AuthAppRoleModel struct {
	Mount    types.String `tfsdk:"mount"`
	RoleID   types.String `tfsdk:"role_id"`
	SecretID types.String `tfsdk:"secret_id"`
}

// AuthJWTModel is auth_login_jwt.
type AuthJWTModel struct {
	Mount types.String `tfsdk:"mount"`
	Role  types.String `tfsdk:"role"`
	JWT   types.String `tfsdk:"jwt"`
}

// TokenFileModel is auth_login_token_file.
type TokenFileModel struct {
	Filename types.String `tfsdk:"filename"`
}

// ClientAuthModel is client_auth.
type ClientAuthModel struct {
	CertFile types.String `tfsdk:"cert_file"`
	KeyFile  types.String `tfsdk:"key_file"`
}

func (p *MosaicProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "mosaic"
	resp.Version = p.version
}

func (p *MosaicProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "The mosaic provider turns a team's Vault secrets policy into code: canonical KV v2 paths " +
			"per environment, one ACL policy per app, AppRoles with bootstrap entries for Direct-Vault apps, and plan-time " +
			"rejection of every name, mount or path that breaks the policy. It follows Vault's own configuration " +
			"conventions: every argument falls back to the usual `VAULT_*` environment variable.",
		Attributes: map[string]schema.Attribute{
			"address": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Vault's address, e.g. `https://vault.example.com:8200`. Falls back to `VAULT_ADDR`.",
			},
			"token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "Vault token. Falls back to `VAULT_TOKEN`, then to `~/.vault-token` (what `vault login` writes). " +
					"Ignored when a login block (`auth_login_jwt`, `auth_login_approle`, `auth_login_token_file`) is set. Never logged.",
			},
			"namespace": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Vault Enterprise namespace. Falls back to `VAULT_NAMESPACE`.",
			},
			"ca_cert_file": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "PEM file of the CA that signed Vault's certificate. Falls back to `VAULT_CACERT`.",
			},
			"ca_cert_dir": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Folder of PEM CA certificates. Falls back to `VAULT_CAPATH`.",
			},
			"tls_server_name": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Name to use as the SNI host and to verify Vault's certificate against. Falls back to `VAULT_TLS_SERVER_NAME`.",
			},
			"skip_tls_verify": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Do not verify Vault's TLS certificate (testing only). Falls back to `VAULT_SKIP_VERIFY`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a request that failed with a connection error, HTTP 429 or a 5xx is retried, " +
					"with backoff between 250ms and 2s. Falls back to `VAULT_MAX_RETRIES`; default 2.",
			},
			"max_concurrent_requests": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many requests the provider has in flight to Vault at once, over every resource of a plan or " +
					"apply. An app's refresh makes its independent reads at once (at most 8); this bounds the total, to be polite " +
					"to a shared Vault. Default 32.",
			},
			"approle_mount": schema.StringAttribute{
				Optional:            true,
				MarkdownDescription: "Path of the AppRole auth method where apps' roles are created. Default `approle`.",
			},
			"allowed_environments": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Workspace lock: the only environments this provider configuration may write. A dev " +
					"workspace with `allowed_environments = [\"dev\"]` cannot plan a prod write. Unset: all environments.",
				Validators: []validator.List{
					listvalidator.ValueStringsAre(environmentValidator()),
					listvalidator.SizeAtLeast(1),
				},
			},
			"allowed_migration_sources": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Legacy paths that `migrate_from` may copy although they do not name the app's service " +
					"(a source shared by several apps, e.g. `secret/oauth/google`). Set by the platform team in the workspace that " +
					"runs migrations; without it, a source must name the service in one of its segments (`secret/k3s/web`).",
			},
		},
		Blocks: map[string]schema.Block{
			"auth_login_jwt": schema.SingleNestedBlock{
				MarkdownDescription: "Log in with a signed JWT, as a CI pipeline does with the ID token its platform issues " +
					"(GitHub Actions, GitLab CI) and the `ci-writer-{env}` role that `mosaic_platform` binds. The login's token " +
					"is used as it is (no child token is made), so its policies and TTL are the role's: give the role a " +
					"`token_ttl` longer than your longest apply.",
				Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("role"))},
				Attributes: map[string]schema.Attribute{
					"mount": schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the JWT auth method. Default `jwt`."},
					// Required within the block, checked by the block's validator: the framework
					// would demand a Required attribute even when the block is absent.
					"role": schema.StringAttribute{Optional: true, MarkdownDescription: "**Required** in this block: the role to log in as, e.g. `ci-writer-prod`. " +
						"Terraform refuses the block without it at validate."},
					"jwt": schema.StringAttribute{Optional: true, Sensitive: true,
						MarkdownDescription: "The signed JWT. Falls back to `TERRAFORM_VAULT_AUTH_JWT`, as terraform-provider-vault names it. Never logged."},
				},
			},
			"auth_login_token_file": schema.SingleNestedBlock{
				MarkdownDescription: "Read the token from a file, as Vault Agent's token sink writes it. Falls back to " +
					"`TERRAFORM_VAULT_TOKEN_FILENAME`. The token is used as it is (no child token).",
				Attributes: map[string]schema.Attribute{
					"filename": schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the token file."},
				},
			},
			"client_auth": schema.SingleNestedBlock{
				MarkdownDescription: "A client certificate for TLS, for a Vault that asks for one. Falls back to `VAULT_CLIENT_CERT` and `VAULT_CLIENT_KEY`.",
				Attributes: map[string]schema.Attribute{
					"cert_file": schema.StringAttribute{Optional: true, MarkdownDescription: "PEM file of the client certificate."},
					"key_file":  schema.StringAttribute{Optional: true, MarkdownDescription: "PEM file of its private key."},
				},
			},
			"auth_login_approle": schema.SingleNestedBlock{
				MarkdownDescription: "Log in with an AppRole instead of a token, as a CI pipeline does with the CI writer " +
					"policy of its environment.",
				Attributes: map[string]schema.Attribute{
					"mount": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Path of the AppRole auth method to log in at. Default `approle`.",
					},
					"role_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "The pipeline's role_id.",
					},
					"secret_id": schema.StringAttribute{
						Optional:            true,
						Sensitive:           true,
						MarkdownDescription: "The pipeline's secret_id. Never logged.",
					},
				},
			},
		},
	}
}

func (p *MosaicProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m MosaicProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	d := &providerData{approleMount: policy.DefaultAppRoleMount}
	d.cfg = resolveConfig(&m, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if v := m.AppRoleMount.ValueString(); v != "" {
		d.approleMount = v
	}
	if !m.AllowedEnvironments.IsNull() {
		resp.Diagnostics.Append(m.AllowedEnvironments.ElementsAs(ctx, &d.allowedEnvironments, false)...)
	}
	if !m.AllowedMigrations.IsNull() && !m.AllowedMigrations.IsUnknown() {
		resp.Diagnostics.Append(m.AllowedMigrations.ElementsAs(ctx, &d.allowedMigrationSources, false)...)
	}
	// A missing address or token is reported by the first resource that needs Vault, so that
	// provider functions and rendering data sources work without one.
	resp.ResourceData = d
	resp.DataSourceData = d
}

func (p *MosaicProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewAppSecretsResource,
		NewPlatformResource,
	}
}

func (p *MosaicProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewExternalSecretDataSource,
		NewClusterSecretStoreDataSource,
	}
}

func (p *MosaicProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewSecretPathFunction,
		NewCheckPathFunction,
		NewMigratePathFunction,
	}
}
