// Package provider is the Terraform-facing code of terraform-provider-mosaic: the provider
// block, resources, data sources and functions. The rules they enforce live in internal/policy.
package provider

import (
	"context"
	"os"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"

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
	AuthLoginAppRole    *AuthAppRoleModel `tfsdk:"auth_login_approle"`
	AppRoleMount        types.String      `tfsdk:"approle_mount"`
	AllowedEnvironments types.List        `tfsdk:"allowed_environments"`
}

// AuthAppRoleModel is auth_login_approle.
type AuthAppRoleModel struct {
	Mount    types.String `tfsdk:"mount"`
	RoleID   types.String `tfsdk:"role_id"`
	SecretID types.String `tfsdk:"secret_id"`
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
					"Ignored when `auth_login_approle` is set. Never logged.",
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
			"skip_tls_verify": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Do not verify Vault's TLS certificate (testing only). Falls back to `VAULT_SKIP_VERIFY`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How often a request that failed with a connection error, HTTP 429 or a 5xx is retried, " +
					"with backoff between 250ms and 2s. Default 2.",
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
		},
		Blocks: map[string]schema.Block{
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

// providerData is what resources receive: the resolved configuration and a Vault client that
// is built on first use, so that functions and rendering data sources work without Vault.
type providerData struct {
	cfg                 vault.Config
	approleMount        string
	allowedEnvironments []string

	once   sync.Once
	client *vault.Client
	err    error

	// claimed holds the IDs of the apps created by this provider process: two declarations of
	// one app in one configuration are refused instead of fighting over it.
	claimed sync.Map
}

// claim records that an app is being created by this process; false when it already was.
func (d *providerData) claim(id string) bool {
	_, taken := d.claimed.LoadOrStore(id, true)
	return !taken
}

// Client returns the provider's one Vault client, building it (and checking the token) on first use.
func (d *providerData) Client(ctx context.Context) (*vault.Client, diag.Diagnostics) {
	var diags diag.Diagnostics
	d.once.Do(func() {
		tflog.Debug(ctx, "building the Vault client", map[string]any{
			"address": d.cfg.Address, "namespace": d.cfg.Namespace, "approle_login": d.cfg.Login != nil,
		})
		d.client, d.err = vault.New(ctx, d.cfg)
	})
	if d.err != nil {
		diags.AddError("Cannot use Vault", d.err.Error())
	}
	return d.client, diags
}

// EnvironmentAllowed reports whether the workspace lock lets this configuration write env.
func (d *providerData) EnvironmentAllowed(env string) bool {
	if len(d.allowedEnvironments) == 0 {
		return true
	}
	for _, e := range d.allowedEnvironments {
		if e == env {
			return true
		}
	}
	return false
}

func stringOr(v types.String, env string) string {
	if !v.IsNull() && !v.IsUnknown() && v.ValueString() != "" {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func (p *MosaicProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m MosaicProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for name, v := range map[string]types.String{"address": m.Address, "token": m.Token, "namespace": m.Namespace} {
		if v.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(name), "Unknown provider "+name,
				"The provider's "+name+" is not known until apply. Set it from a variable or the environment instead.")
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	d := &providerData{approleMount: policy.DefaultAppRoleMount}
	d.cfg = vault.Config{
		Address:    stringOr(m.Address, "VAULT_ADDR"),
		Namespace:  stringOr(m.Namespace, "VAULT_NAMESPACE"),
		CACertFile: stringOr(m.CACertFile, "VAULT_CACERT"),
		CACertDir:  stringOr(m.CACertDir, "VAULT_CAPATH"),
		MaxRetries: 2,
	}
	if !m.SkipTLSVerify.IsNull() {
		d.cfg.SkipTLSVerify = m.SkipTLSVerify.ValueBool()
	} else if v := os.Getenv("VAULT_SKIP_VERIFY"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			resp.Diagnostics.AddError("Invalid VAULT_SKIP_VERIFY", "VAULT_SKIP_VERIFY must be true or false, not "+strconv.Quote(v)+".")
			return
		}
		d.cfg.SkipTLSVerify = b
	}
	if !m.MaxRetries.IsNull() {
		if m.MaxRetries.ValueInt64() < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid max_retries", "max_retries must be 0 or more.")
			return
		}
		d.cfg.MaxRetries = int(m.MaxRetries.ValueInt64())
	}
	if a := m.AuthLoginAppRole; a != nil {
		if a.RoleID.ValueString() == "" || a.SecretID.ValueString() == "" {
			resp.Diagnostics.AddAttributeError(path.Root("auth_login_approle"), "Incomplete auth_login_approle",
				"auth_login_approle needs both role_id and secret_id (known at plan time).")
			return
		}
		d.cfg.Login = &vault.AppRoleLogin{Mount: a.Mount.ValueString(), RoleID: a.RoleID.ValueString(), SecretID: a.SecretID.ValueString()}
	} else {
		d.cfg.Token = stringOr(m.Token, "VAULT_TOKEN")
		if d.cfg.Token == "" {
			d.cfg.Token = vault.TokenFromHelperFile()
		}
	}
	if v := m.AppRoleMount.ValueString(); v != "" {
		d.approleMount = v
	}
	if !m.AllowedEnvironments.IsNull() {
		resp.Diagnostics.Append(m.AllowedEnvironments.ElementsAs(ctx, &d.allowedEnvironments, false)...)
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
	}
}

func (p *MosaicProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewSecretPathFunction,
		NewCheckPathFunction,
		NewMigratePathFunction,
	}
}
