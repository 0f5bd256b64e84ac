package provider

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appgen"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

var _ datasource.DataSourceWithConfigure = &ExternalSecretDataSource{}

// NewExternalSecretDataSource returns the mosaic_external_secret data source.
func NewExternalSecretDataSource() datasource.DataSource { return &ExternalSecretDataSource{} }

// ExternalSecretDataSource renders an app's ESO manifests and app side. Its only Vault calls
// read the app's secret versions (KV metadata, never a value) for the rollout revision.
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
	Rules           types.Map    `tfsdk:"rules"`
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

// RuleModel is one rules entry: the declared type of an environment variable.
type RuleModel struct {
	Type      types.String `tfsdk:"type"`
	MinLength types.Int64  `tfsdk:"min_length"`
	Min       types.Int64  `tfsdk:"min"`
	Max       types.Int64  `tfsdk:"max"`
	Values    types.List   `tfsdk:"values"`
}

func (d *ExternalSecretDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_external_secret"
}

func (d *ExternalSecretDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Renders the External Secrets Operator side of an app, as YAML that `kubectl apply` accepts: " +
			"for `eso` apps the `external-secrets.io/v1` ExternalSecret `{service}-secrets` with one entry per (path, field); " +
			"for `direct-vault` apps the bootstrap ExternalSecret `{service}-vault-auth` with `VAULT_ROLE_ID` and " +
			"`VAULT_SECRET_ID`; the Deployment `env` entries that read them with `secretKeyRef`; and the app side: typed " +
			"startup validators (zod, pydantic, Go), the README section and the rollout revision. It never sees a secret value: " +
			"feed it the names from `mosaic_app_secrets`; it reads only the secrets' versions (KV metadata) from Vault. Every " +
			"free-text input is one line of printable text (refused at plan otherwise) and reaches code only as an encoded string literal.",
		Attributes: map[string]schema.Attribute{
			"environment": schema.StringAttribute{Required: true, MarkdownDescription: "`dev`, `staging` or `prod`.", Validators: []validator.String{environmentValidator()}},
			"service":     schema.StringAttribute{Required: true, MarkdownDescription: "The app's service name.", Validators: []validator.String{serviceValidator()}},
			"access": schema.StringAttribute{Optional: true,
				MarkdownDescription: "`eso` (default) or `direct-vault`; take it from `mosaic_app_secrets.<name>.access`.",
				Validators:          []validator.String{accessValidator()}},
			"kubernetes_namespace": schema.StringAttribute{Required: true, MarkdownDescription: "Kubernetes namespace of the ExternalSecret and the app (not a Vault namespace: that is the provider's `namespace`): a DNS-1123 label."},
			"field_names": schema.MapAttribute{Optional: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Secret key to field names; take it from `mosaic_app_secrets.<name>.field_names`. Required for `eso`."},
			"env_names": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Env-var name overrides, keyed `\"component/secret-name.field\"`, e.g. `{ \"database/app.password\" = \"DB_PASSWORD\" }`. " +
					"The default name is UPPER_SNAKE of component, secret name and field (`DATABASE_APP_PASSWORD`). A name starts with a letter " +
					"(`_DB_PASSWORD` is refused: pydantic and Go cannot hold it) and is used as it is for the zod key, the pydantic field and the Go field. " +
					"Two fields mapping to one name is an error.",
				Validators: []validator.Map{mapvalidator.ValueStringsAre(policyStringValidator{description: "must be an UPPER_SNAKE_CASE env name", check: policy.ValidateEnvName})}},
			"secret_store_name": schema.StringAttribute{Optional: true, MarkdownDescription: "Name of the secret store (a DNS-1123 subdomain). Default `vault-backend`."},
			"secret_store_kind": schema.StringAttribute{Optional: true, MarkdownDescription: "`ClusterSecretStore` (default) or `SecretStore`."},
			"refresh_interval": schema.StringAttribute{Optional: true,
				MarkdownDescription: "How often ESO re-syncs. Default `1h`, also for the bootstrap ExternalSecret (a rotated secret_id reaches the pods well inside its 2h grace)."},
			"vault_addr": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Vault's address as the app sees it; the plain `VAULT_ADDR` env entry of a `direct-vault` app (required there). " +
					"A URL with a scheme and a host (`https://vault.vault.svc:8200`; `vault:8200` is refused) and no password in it.",
				Validators: []validator.String{textValidator{}, policyStringValidator{description: "must be a URL", check: func(s string) error {
					if msg := (policy.Rule{Type: policy.TypeURL}).Check(s); msg != "" {
						return fmt.Errorf("vault_addr %s, e.g. https://vault.vault.svc:8200", msg)
					}
					return nil
				}}}},
			"external_secret": schema.StringAttribute{Computed: true, MarkdownDescription: "The ExternalSecret document (YAML)."},
			"env":             schema.StringAttribute{Computed: true, MarkdownDescription: "The Deployment container's `env` list (YAML)."},
			"manifests":       schema.StringAttribute{Computed: true, MarkdownDescription: "Every document of the app as multi-document YAML, for `kubectl apply -f -`."},
			"secret_name":     schema.StringAttribute{Computed: true, MarkdownDescription: "The Kubernetes Secret the ExternalSecret creates."},
			"secret_keys": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Each `\"component/secret-name.field\"` (or `role_id`/`secret_id`) to its key in the Kubernetes Secret."},
			"plain_env": schema.MapNestedAttribute{Optional: true,
				MarkdownDescription: "Non-secret env entries with a safe default and the reason it is safe, e.g. " +
					"`{ PORT = { default = \"3000\", reason = \"non-secret, the app works at any port\" } }`. Rendered in `env` with the " +
					"policy's `# safe-default: <reason>` tag and as defaults in the validators, loaded byte for byte. A secret never gets a default: a name " +
					"that is a secret's env name is an error. A default may be a URL or `host:port`; one that looks like a credential " +
					"(a known key format, a high-entropy string, a password in a URL) is refused.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"default": schema.StringAttribute{Required: true, MarkdownDescription: "The value when the variable is unset: one line of printable text that satisfies the variable's rule.",
						Validators: []validator.String{textValidator{}}},
					"reason": schema.StringAttribute{Required: true, MarkdownDescription: "Why this default is safe: one line of printable text.",
						Validators: []validator.String{textValidator{}}},
				}}},
			"rules": schema.MapNestedAttribute{Optional: true,
				MarkdownDescription: "The declared type of environment variables (secrets and `plain_env` entries), keyed by env name, enforced the same way " +
					"by the zod, pydantic (v2 and v1) and Go validators: `string` (`min_length` characters), `int` (`min`..`max`), `port` (an int from 1 to 65535), " +
					"`bool` (`true` or `false`), `url` (a scheme and a host: `https://vault:8200`, not `vault:8200`) or `enum` (one of `values`). " +
					"Without an entry a secret is a string of at least the policy's minimum (32 characters for signing keys), a `url` field a URL, " +
					"a plain entry any text. A declaration can raise a secret's minimum length, never lower it; a plain default must satisfy its rule.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"type": schema.StringAttribute{Optional: true, MarkdownDescription: "`string` (default), `int`, `port`, `bool`, `url` or `enum`.",
						Validators: []validator.String{stringvalidator.OneOf(policy.Types...)}},
					"min_length": schema.Int64Attribute{Optional: true, MarkdownDescription: "For `string`: the least number of characters (Unicode code points)."},
					"min":        schema.Int64Attribute{Optional: true, MarkdownDescription: "For `int`: the least value."},
					"max":        schema.Int64Attribute{Optional: true, MarkdownDescription: "For `int`: the greatest value."},
					"values": schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: "For `enum`: the allowed values.",
						Validators: []validator.List{listvalidator.ValueStringsAre(textValidator{})}},
				}}},
			"versions": schema.MapAttribute{Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "The current version of each of the app's secrets, read from Vault (KV metadata; 0 for one that does not exist yet), " +
					"and for a `direct-vault` app of its bootstrap entry (key `bootstrap`), whose version changes with each secret_id rotation."},
			"direct_vault_justification": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Why the app needs Direct-Vault, for the README section (required for `direct-vault`); take it from `mosaic_app_secrets.<name>.direct_vault_justification`.",
				Validators:          []validator.String{textValidator{}}},
			"lease_renewal_strategy": schema.StringAttribute{Optional: true,
				MarkdownDescription: "How a `direct-vault` app renews its token and leases (required there): written in the README section.",
				Validators:          []validator.String{textValidator{}}},
			"extra_read_paths": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The app's extra read paths, for the README section; take them from `mosaic_app_secrets.<name>.extra_read_paths`. Each is checked by the same rule as there."},
			"zod_schema": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`env.ts`: a zod schema of the app's environment, each variable checked by its rule and converted to its type, and `loadEnv()`, which exits naming each missing or invalid variable, never its value."},
			"pydantic_settings": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`config.py`: a pydantic settings class (pydantic v2 with pydantic-settings, or v1's BaseSettings) with typed fields, and `load_settings()`, which checks each rule exactly as `env.ts` and `config.go` do."},
			"go_config": schema.StringAttribute{Computed: true,
				MarkdownDescription: "`config.go`: the app's environment read with `github.com/kelseyhightower/envconfig` into fields named after the env names, with `Load()` (every rule checked first) and `MustLoad()`."},
			"readme_section": schema.StringAttribute{Computed: true,
				MarkdownDescription: "The README \"Secrets architecture\" section (Markdown): every canonical path of the app (Direct-Vault included), access mode, for Direct-Vault the justification, lease strategy and bootstrap entry, and the env vars with their rules. Declared text is Markdown-escaped."},
			"rollout_revision": schema.StringAttribute{Computed: true,
				MarkdownDescription: "A digest of `versions` as read from Vault: it changes exactly when a secret's version (or a direct-vault app's secret_id) does. " +
					"It is also the ExternalSecret's `force-sync` annotation, so ESO re-syncs at once when it changes."},
			"pod_annotations": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "`{ \"secrets.mosaicstack.dev/revision\" = rollout_revision }`: put it on the Deployment's pod template, and a rotation rolls the pods " +
					"(apply the ExternalSecret first and let ESO sync, then the Deployment: see the guide)."},
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
	rules := rulesOf(ctx, m.Rules, &resp.Diagnostics)
	a := appgen.App{Environment: app.Environment, Service: app.Service, Access: app.Access,
		Justification: m.Justification.ValueString(), LeaseStrategy: m.LeaseStrategy.ValueString()}
	if !m.ExtraReadPaths.IsNull() {
		resp.Diagnostics.Append(m.ExtraReadPaths.ElementsAs(ctx, &a.ExtraReadPaths, false)...)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	if !checkAppSide(a, &resp.Diagnostics) {
		return
	}
	// Render once to refuse bad input before any Vault call, then again with the revision.
	out, err := eso.Render(app)
	if renderFailed(&resp.Diagnostics, "Cannot render the ESO manifests", err) {
		return
	}
	a.Vars, err = appgen.VarsOf(app, out, rules)
	if renderFailed(&resp.Diagnostics, "Cannot render the app's validators", err) {
		return
	}
	versions := d.readVersions(ctx, app, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	app.Revision = appgen.Revision(versions)
	if out, err = eso.Render(app); renderFailed(&resp.Diagnostics, "Cannot render the ESO manifests", err) {
		return
	}
	if app.Access == policy.AccessDirectVault {
		a.Paths = appgen.DirectPaths(app.Fields)
	} else {
		a.Paths = appgen.PathsOf(out)
	}
	m.ExternalSecret = types.StringValue(out.ExternalSecret)
	m.Env = types.StringValue(out.Env)
	m.Manifests = types.StringValue(out.All)
	m.SecretName = types.StringValue(out.SecretName)
	m.SecretKeys = stringMapValue(out.EnvNames)
	m.Versions = int64MapValue(versions)
	m.ZodSchema = types.StringValue(appgen.TypeScript(a))
	m.PydanticConfig = types.StringValue(appgen.Python(a))
	m.GoConfig = types.StringValue(appgen.Go(a))
	m.ReadmeSection = types.StringValue(appgen.Readme(a))
	m.RolloutRevision = types.StringValue(app.Revision)
	m.PodAnnotations = stringMapValue(map[string]string{appgen.RolloutAnnotation: app.Revision})
	d.renderVaultClients(&m, app, out)
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
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

// missingAt is where Terraform can show a text that direct-vault needs: the attribute when it is
// written but blank, else the `access` line that asks for it (an absent attribute has no line).
func missingAt(attr, value string) path.Path {
	if value != "" {
		return path.Root(attr)
	}
	return path.Root("access")
}

// checkAppSide refuses, on the attribute at fault, what the README of a Direct-Vault app needs
// and lacks, and extra read paths the app's policy would refuse.
func checkAppSide(a appgen.App, diags *diag.Diagnostics) bool {
	if a.Access == policy.AccessDirectVault {
		if strings.TrimSpace(a.Justification) == "" {
			diags.AddAttributeError(missingAt("direct_vault_justification", a.Justification), "Direct-Vault justification missing",
				"A direct-vault app documents why it cannot use ESO (the README \"Secrets architecture\" section): set direct_vault_justification, "+
					"e.g. from mosaic_app_secrets.<name>.direct_vault_justification.")
		}
		if strings.TrimSpace(a.LeaseStrategy) == "" {
			diags.AddAttributeError(missingAt("lease_renewal_strategy", a.LeaseStrategy), "Lease strategy missing",
				"A direct-vault app documents how it renews its token and leases (the README \"Secrets architecture\" section): set lease_renewal_strategy, "+
					"e.g. \"renews its token at two thirds of its TTL and logs in again with its AppRole when renewal fails\".")
		}
	}
	for i, p := range a.ExtraReadPaths {
		if err := policy.ValidateExtraReadPath(a.Environment, a.Service, p); err != nil {
			diags.AddAttributeError(path.Root("extra_read_paths").AtListIndex(i), "Breaks the secrets policy", err.Error())
		}
	}
	return !diags.HasError()
}

// rulesOf reads the rules attribute.
func rulesOf(ctx context.Context, v types.Map, diags *diag.Diagnostics) map[string]policy.Rule {
	if v.IsNull() || v.IsUnknown() {
		return nil
	}
	models := map[string]RuleModel{}
	diags.Append(v.ElementsAs(ctx, &models, false)...)
	rules := map[string]policy.Rule{}
	for name, rm := range models {
		r := policy.Rule{Type: rm.Type.ValueString(), MinLength: int(rm.MinLength.ValueInt64()), Min: rm.Min.ValueInt64(), Max: rm.Max.ValueInt64()}
		if !rm.Values.IsNull() {
			diags.Append(rm.Values.ElementsAs(ctx, &r.Values, false)...)
		}
		rules[name] = r
	}
	return rules
}

// readVersions reads the current version of each of the app's secrets (0 for one not written
// yet) and, for a Direct-Vault app, of its bootstrap entry: KV metadata only, never a value.
func (d *ExternalSecretDataSource) readVersions(ctx context.Context, app eso.App, diags *diag.Diagnostics) map[string]int {
	if d.data == nil {
		diags.AddError("Provider not configured", "The mosaic provider was not configured before this data source was read.")
		return nil
	}
	if !d.data.EnvironmentAllowed(app.Environment) {
		diags.AddAttributeError(path.Root("environment"), "Environment locked", lockMessage(d.data.allowedEnvironments, app.Environment, "read secret versions"))
		return nil
	}
	c, dd := d.data.Client(ctx)
	diags.Append(dd...)
	if c == nil {
		return nil
	}
	mount := policy.MountOf(app.Environment)
	rel := map[string]string{}
	for key := range app.Fields {
		rel[key] = app.Service + "/" + key
	}
	if app.Access == policy.AccessDirectVault {
		rel["bootstrap"] = policy.BootstrapRelative(app.Service)
	}
	versions := map[string]int{}
	for key, p := range rel {
		md, err := c.KVMetadata(ctx, mount, p)
		switch {
		case errors.Is(err, vault.ErrNotFound):
			versions[key] = 0
		case err != nil:
			vaultError(ctx, c, diags, "Cannot read the app's secret versions", "read", vault.KVMetadataPath(mount, p), err)
			return nil
		default:
			versions[key] = md.CurrentVersion
		}
	}
	return versions
}

func int64MapValue(m map[string]int) types.Map {
	vals := make(map[string]attr.Value, len(m))
	for k, v := range m {
		vals[k] = types.Int64Value(int64(v))
	}
	return types.MapValueMust(types.Int64Type, vals)
}

// textValidator refuses free text that is not one line of printable text (policy.ValidateText),
// naming the attribute (plain_env["PORT"].reason) since Terraform shows only the enclosing block
// for a nested one.
type textValidator struct{}

func (textValidator) Description(_ context.Context) string {
	return "must be one line of printable text"
}
func (v textValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (textValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := policy.ValidateText(req.Path.String(), req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Not one line of printable text", err.Error())
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
