package provider

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appgen"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

var _ datasource.DataSourceWithConfigure = &ExternalSecretDataSource{}

// NewExternalSecretDataSource returns the mosaic_external_secret data source.
func NewExternalSecretDataSource() datasource.DataSource { return &ExternalSecretDataSource{} }

// ExternalSecretDataSource renders an app's ESO manifests. It makes no Vault call.
type ExternalSecretDataSource struct{ dataSourceBase }

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
	PlainEnv        types.Map    `tfsdk:"plain_env"`
	Versions        types.Map    `tfsdk:"versions"`
	Justification   types.String `tfsdk:"direct_vault_justification"`
	LeaseStrategy   types.String `tfsdk:"lease_renewal_strategy"`
	ExtraReadPaths  types.List   `tfsdk:"extra_read_paths"`
	ZodSchema       types.String `tfsdk:"zod_schema"`
	PydanticConfig  types.String `tfsdk:"pydantic_settings"`
	GoConfig        types.String `tfsdk:"go_config"`
	ReadmeSection   types.String `tfsdk:"readme_section"`
	RolloutRevision types.String `tfsdk:"rollout_revision"`
	PodAnnotations  types.Map    `tfsdk:"pod_annotations"`
	ClientTS        types.String `tfsdk:"vault_client_typescript"`
	ClientPy        types.String `tfsdk:"vault_client_python"`
	ClientGo        types.String `tfsdk:"vault_client_go"`
}

// PlainEnvModel is one plain_env entry.
type PlainEnvModel struct {
	Default types.String `tfsdk:"default"`
	Reason  types.String `tfsdk:"reason"`
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
			"plain_env": schema.MapNestedAttribute{Optional: true,
				MarkdownDescription: "Non-secret env entries with a safe default and the reason it is safe, e.g. " +
					"`{ PORT = { default = \"3000\", reason = \"non-secret, the app works at any port\" } }`. Rendered in `env` with the " +
					"policy's `# safe-default: <reason>` tag and as defaults in the validators. A secret never gets a default: a name " +
					"that is a secret's env name is an error.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"default": schema.StringAttribute{Required: true, MarkdownDescription: "The value when the variable is unset."},
					"reason":  schema.StringAttribute{Required: true, MarkdownDescription: "Why this default is safe."},
				}}},
			"versions": schema.MapAttribute{Optional: true, ElementType: types.Int64Type,
				MarkdownDescription: "The app's secret versions; take them from `mosaic_app_secrets.<name>.versions`. They make `rollout_revision` change exactly when a secret does."},
			"direct_vault_justification": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Why the app needs Direct-Vault, for the README section; take it from `mosaic_app_secrets.<name>.direct_vault_justification`."},
			"lease_renewal_strategy": schema.StringAttribute{Optional: true,
				MarkdownDescription: "How a `direct-vault` app renews its token and leases (required there): written in the README section."},
			"extra_read_paths": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The app's extra read paths, for the README section; take them from `mosaic_app_secrets.<name>.extra_read_paths`."},
			"zod_schema": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`env.ts`: a zod schema of the app's environment and `loadEnv()`, which exits naming each missing or invalid variable, never its value."},
			"pydantic_settings": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`config.py`: a pydantic settings class (pydantic v2 with pydantic-settings, or v1's BaseSettings) and `load_settings()`."},
			"go_config": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`config.go`: the app's environment read with `github.com/kelseyhightower/envconfig`, with `Load()` and `MustLoad()`."},
			"readme_section": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The README \"Secrets architecture\" section (Markdown): Vault paths, access mode, for Direct-Vault the justification, lease strategy and bootstrap entry, and the env vars."},
			"rollout_revision": schema.StringAttribute{Computed: true,
				MarkdownDescription: "A digest of `versions`: it changes exactly when a secret's version does."},
			"pod_annotations": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`{ \"secrets.mosaicstack.dev/revision\" = rollout_revision }`: put it on the Deployment's pod template, and a rotation rolls the pods."},
			"vault_client_typescript": schema.StringAttribute{Computed: true, MarkdownDescription: "`direct-vault` only (null for `eso`): " +
				"`vault_client.ts`, the app's Direct-Vault client with node's `fetch` and no dependency. " + vaultClientDoc},
			"vault_client_python": schema.StringAttribute{Computed: true, MarkdownDescription: "`direct-vault` only (null for `eso`): " +
				"`vault_client.py`, the app's Direct-Vault client with `hvac`. " + vaultClientDoc},
			"vault_client_go": schema.StringAttribute{Computed: true, MarkdownDescription: "`direct-vault` only (null for `eso`): " +
				"`vault_client.go` (package `vaultclient`), the app's Direct-Vault client with `github.com/hashicorp/vault/api`. " + vaultClientDoc},
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
	if !m.PlainEnv.IsNull() {
		plain := map[string]PlainEnvModel{}
		resp.Diagnostics.Append(m.PlainEnv.ElementsAs(ctx, &plain, false)...)
		for _, name := range slices.Sorted(maps.Keys(plain)) {
			app.Plain = append(app.Plain, eso.PlainEnv{Name: name, Default: plain[name].Default.ValueString(), Reason: plain[name].Reason.ValueString()})
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}
	out, err := eso.Render(app)
	if renderFailed(&resp.Diagnostics, "Cannot render the ESO manifests", err) {
		return
	}
	m.ExternalSecret = types.StringValue(out.ExternalSecret)
	m.Env = types.StringValue(out.Env)
	m.Manifests = types.StringValue(out.All)
	m.SecretName = types.StringValue(out.SecretName)
	m.SecretKeys = stringMapValue(out.EnvNames)
	d.renderAppSide(ctx, &m, app, out, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// renderAppSide renders the validators, the README section and the rollout revision.
func (d *ExternalSecretDataSource) renderAppSide(ctx context.Context, m *ExternalSecretModel, app eso.App, out *eso.Manifests, diags *diag.Diagnostics) {
	a := appgen.App{Environment: app.Environment, Service: app.Service, Access: app.Access, Vars: appgen.VarsOf(app, out),
		Justification: m.Justification.ValueString(), LeaseStrategy: m.LeaseStrategy.ValueString()}
	if app.Access == policy.AccessDirectVault {
		if strings.TrimSpace(a.LeaseStrategy) == "" {
			diags.AddAttributeError(path.Root("access"), "Lease strategy missing", // the attribute that asks for it: the strategy itself is absent
				"A direct-vault app documents how it renews its token and leases (the README \"Secrets architecture\" section): set lease_renewal_strategy, "+
					"e.g. \"renews its token at two thirds of its TTL and logs in again with its AppRole when renewal fails\".")
			return
		}
	} else {
		a.Paths = appgen.PathsOf(out)
	}
	if !m.ExtraReadPaths.IsNull() && !m.ExtraReadPaths.IsUnknown() {
		diags.Append(m.ExtraReadPaths.ElementsAs(ctx, &a.ExtraReadPaths, false)...)
	}
	versions := map[string]int{}
	for k, v := range m.Versions.Elements() {
		if i, ok := v.(types.Int64); ok && !i.IsNull() && !i.IsUnknown() {
			versions[k] = int(i.ValueInt64())
		}
	}
	rev := appgen.Revision(versions)
	m.ZodSchema = types.StringValue(appgen.TypeScript(a))
	m.PydanticConfig = types.StringValue(appgen.Python(a))
	m.GoConfig = types.StringValue(appgen.Go(a))
	m.ReadmeSection = types.StringValue(appgen.Readme(a))
	m.RolloutRevision = types.StringValue(rev)
	m.PodAnnotations = stringMapValue(map[string]string{appgen.RolloutAnnotation: rev})
	d.renderVaultClients(m, app, out)
}

const vaultClientDoc = "It checks the bootstrap environment (`VAULT_ADDR`, `VAULT_ROLE_ID`, `VAULT_SECRET_ID`), logs in with the app's AppRole " +
	"at the provider's `approle_mount`, renews its token at two thirds of its TTL, logs in again when a renewal fails or the token " +
	"was revoked or expired, and reads the app's own secrets (`secret-{env}/data/{service}/{key}`, the keys of `field_names`). " +
	"It never logs a secret, a token or a secret_id."

// renderVaultClients renders a Direct-Vault app's clients; an ESO app has none.
func (d *ExternalSecretDataSource) renderVaultClients(m *ExternalSecretModel, app eso.App, out *eso.Manifests) {
	m.ClientTS, m.ClientPy, m.ClientGo = types.StringNull(), types.StringNull(), types.StringNull()
	if app.Access == policy.AccessDirectVault {
		c := appgen.VaultClientOf(app, out, d.approleMount())
		m.ClientTS, m.ClientPy, m.ClientGo = types.StringValue(appgen.ClientTypeScript(c)), types.StringValue(appgen.ClientPython(c)), types.StringValue(appgen.ClientGo(c))
	}
}

// renderFailed reports a render error, on the attribute at fault when the renderer names one.
func renderFailed(diags *diag.Diagnostics, summary string, err error) bool {
	var in *eso.InputError
	switch {
	case errors.As(err, &in):
		at := path.Root(in.Attr)
		if in.Key != "" {
			at = at.AtMapKey(in.Key)
		}
		diags.AddAttributeError(at, summary, err.Error())
	case err != nil:
		diags.AddError(summary, err.Error())
	}
	return err != nil
}
