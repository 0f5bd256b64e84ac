package provider

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

var (
	_ resource.Resource                   = &AppSecretsResource{}
	_ resource.ResourceWithConfigure      = &AppSecretsResource{}
	_ resource.ResourceWithImportState    = &AppSecretsResource{}
	_ resource.ResourceWithModifyPlan     = &AppSecretsResource{}
	_ resource.ResourceWithValidateConfig = &AppSecretsResource{}
)

// NewAppSecretsResource returns the mosaic_app_secrets resource.
func NewAppSecretsResource() resource.Resource { return &AppSecretsResource{} }

// AppSecretsResource declares one app's secrets in one environment, with its ACL policy and,
// for Direct-Vault, its AppRole, secret_id and bootstrap entry.
type AppSecretsResource struct {
	resourceBase
}

// AppSecretsModel is the resource's configuration, plan and state.
type AppSecretsModel struct {
	ID                       types.String `tfsdk:"id"`
	Environment              types.String `tfsdk:"environment"`
	Service                  types.String `tfsdk:"service"`
	Secrets                  types.Map    `tfsdk:"secrets"`
	SecretsWO                types.Map    `tfsdk:"secrets_wo"`
	SecretsWOVersion         types.Int64  `tfsdk:"secrets_wo_version"`
	Access                   types.String `tfsdk:"access"`
	DirectVaultJustification types.String `tfsdk:"direct_vault_justification"`
	ExtraReadPaths           types.List   `tfsdk:"extra_read_paths"`
	AppRole                  types.Object `tfsdk:"approle"`
	SecretIDRotation         types.String `tfsdk:"secret_id_rotation"`
	SecretIDGracePeriod      types.String `tfsdk:"secret_id_grace_period"`
	SecretIDEmergency        types.String `tfsdk:"secret_id_emergency_rotation"`
	SecretIDs                types.List   `tfsdk:"secret_ids"`
	DeleteAllVersions        types.Bool   `tfsdk:"delete_all_versions"`
	ExternalSecrets          types.Map    `tfsdk:"external_secrets"`
	ExternalMissing          types.String `tfsdk:"external_missing"`
	MigrateFrom              types.Map    `tfsdk:"migrate_from"`
	MigrateDeleteSource      types.Bool   `tfsdk:"migrate_delete_source"`
	MigrationStatus          types.Map    `tfsdk:"migration_status"`
	FieldNames               types.Map    `tfsdk:"field_names"`
	PolicyName               types.String `tfsdk:"policy_name"`
	Policy                   types.String `tfsdk:"policy"`
	RoleName                 types.String `tfsdk:"role_name"`
	BootstrapPath            types.String `tfsdk:"bootstrap_path"`
	Versions                 types.Map    `tfsdk:"versions"`
	RoleID                   types.String `tfsdk:"role_id"`
	SecretIDAccessor         types.String `tfsdk:"secret_id_accessor"`
}

// AppRoleModel is the approle attribute.
type AppRoleModel struct {
	TokenTTL           types.String `tfsdk:"token_ttl"`
	TokenMaxTTL        types.String `tfsdk:"token_max_ttl"`
	SecretIDTTL        types.String `tfsdk:"secret_id_ttl"`
	SecretIDNumUses    types.Int64  `tfsdk:"secret_id_num_uses"`
	TokenBoundCIDRs    types.List   `tfsdk:"token_bound_cidrs"`
	SecretIDBoundCIDRs types.List   `tfsdk:"secret_id_bound_cidrs"`
}

// SecretIDModel is one element of secret_ids.
type SecretIDModel struct {
	Accessor   types.String `tfsdk:"accessor"`
	Status     types.String `tfsdk:"status"`
	ValidUntil types.String `tfsdk:"valid_until"`
}

var secretIDType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"accessor": types.StringType, "status": types.StringType, "valid_until": types.StringType,
}}

var appRoleAttrTypes = map[string]attr.Type{
	"token_ttl":             types.StringType,
	"token_max_ttl":         types.StringType,
	"secret_id_ttl":         types.StringType,
	"secret_id_num_uses":    types.Int64Type,
	"token_bound_cidrs":     types.ListType{ElemType: types.StringType},
	"secret_id_bound_cidrs": types.ListType{ElemType: types.StringType},
}

func (r *AppSecretsResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_app_secrets"
}

// specFrom is the package's specFrom with the provider's allowed migration sources.
func (r *AppSecretsResource) specFrom(ctx context.Context, plan, config *AppSecretsModel, diags *diag.Diagnostics) *appsync.Spec {
	spec := specFrom(ctx, plan, config, diags)
	if r.data != nil {
		spec.AllowedSources = r.data.allowedMigrationSources
	}
	return spec
}

func (r *AppSecretsResource) syncer(c *vault.Client) *appsync.Syncer {
	return &appsync.Syncer{V: c, AppRoleMount: r.approleMount()}
}

// attributeOf maps an appsync error to the attribute at fault.
func attributeOf(wo bool) func(e *appsync.Error) *path.Path {
	return func(e *appsync.Error) *path.Path {
		var p path.Path
		switch {
		case e.Attribute == "secrets" && e.Key != "":
			p = pathSecrets(wo, e.Key)
		case e.Attribute != "":
			p = path.Root(e.Attribute)
		default:
			return nil
		}
		return &p
	}
}

func pathSecrets(wo bool, key string) path.Path {
	if wo {
		return path.Root("secrets_wo").AtMapKey(key)
	}
	return path.Root("secrets").AtMapKey(key)
}

func (r *AppSecretsResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.Plan.Schema, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(appModels.get(ctx, req.Config.Schema, req.Config.Raw, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	spec := r.specFrom(ctx, &plan, &config, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !r.environmentAllowed(spec.Env, "write", &resp.Diagnostics) {
		return
	}
	if !r.data.claim(plan.ID.ValueString()) {
		resp.Diagnostics.AddAttributeError(path.Root("service"), "App declared twice",
			fmt.Sprintf("Another mosaic_app_secrets in this configuration already declares service %q in %s (%s). One app has one declaration; remove the duplicate. Nothing was written.",
				spec.Service, spec.Env, plan.ID.ValueString()))
		return
	}
	st, warnings, err := r.syncer(c).Create(ctx, spec)
	if err != nil {
		addError(&resp.Diagnostics, "Cannot create the app", err, attributeOf(spec.WriteOnly))
	}
	addWarnings(&resp.Diagnostics, warnings)
	if st == nil {
		return // nothing was left behind in Vault: no state to record
	}
	tflog.Debug(ctx, "created app", map[string]any{"id": st.String(), "secrets": len(st.Versions), "direct_vault": st.Role != nil})
	plan.setState(st, !plan.Secrets.IsNull())
	resp.Diagnostics.Append(setModel(ctx, &resp.State.Raw, resp.State.Schema, &plan)...)
	resp.Diagnostics.Append(savePrivate(ctx, resp.Private, st.Private)...)
}

func (r *AppSecretsResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, config, prior AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.Plan.Schema, req.Plan.Raw, &plan)...)
	resp.Diagnostics.Append(appModels.get(ctx, req.Config.Schema, req.Config.Raw, &config)...)
	resp.Diagnostics.Append(appModels.get(ctx, req.State.Schema, req.State.Raw, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	priv, d := loadPrivate(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	spec := r.specFrom(ctx, &plan, &config, &resp.Diagnostics)
	priorState := stateOf(ctx, &prior, priv, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	st, err := r.syncer(c).Update(ctx, priorState, spec)
	if err != nil {
		addError(&resp.Diagnostics, "Cannot update the app", err, attributeOf(spec.WriteOnly))
	}
	// Even after an error the state records what was done, so the next apply converges.
	plan.setState(st, !plan.Secrets.IsNull())
	resp.Diagnostics.Append(setModel(ctx, &resp.State.Raw, resp.State.Schema, &plan)...)
	resp.Diagnostics.Append(savePrivate(ctx, resp.Private, st.Private)...)
}

func (r *AppSecretsResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.State.Schema, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	priv, d := loadPrivate(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.environmentAllowed(state.Environment.ValueString(), "read", &resp.Diagnostics) {
		return
	}
	s := r.syncer(c)
	if state.PolicyName.IsNull() { // import
		st, warnings, err := s.Discover(ctx, state.Environment.ValueString(), state.Service.ValueString())
		if err != nil {
			addError(&resp.Diagnostics, "Cannot import the app", err, nil)
			return
		}
		addWarnings(&resp.Diagnostics, warnings)
		state.setImported(st)
		resp.Diagnostics.Append(setModel(ctx, &resp.State.Raw, resp.State.Schema, &state)...)
		resp.Diagnostics.Append(savePrivate(ctx, resp.Private, st.Private)...)
		return
	}
	st, warnings, gone, err := s.Refresh(ctx, stateOf(ctx, &state, priv, &resp.Diagnostics))
	if err != nil {
		addError(&resp.Diagnostics, "Cannot read the app", err, nil)
		return
	}
	addWarnings(&resp.Diagnostics, warnings)
	if gone {
		tflog.Info(ctx, "app no longer exists in Vault; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	state.setState(st, !state.Secrets.IsNull())
	resp.Diagnostics.Append(setModel(ctx, &resp.State.Raw, resp.State.Schema, &state)...)
	resp.Diagnostics.Append(savePrivate(ctx, resp.Private, st.Private)...)
}

func (r *AppSecretsResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.State.Schema, req.State.Raw, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.environmentAllowed(state.Environment.ValueString(), "destroy", &resp.Diagnostics) {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	priv, d := loadPrivate(ctx, req.Private)
	resp.Diagnostics.Append(d...)
	st := stateOf(ctx, &state, priv, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, err := range r.syncer(c).Delete(ctx, st) {
		addError(&resp.Diagnostics, "Cannot delete the app", err, nil)
	}
}

func (r *AppSecretsResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	mount, service, ok := strings.Cut(req.ID, "/")
	env := policy.EnvironmentOfMount(mount)
	if !ok || env == "" || strings.Contains(service, "/") || policy.ValidateService(service) != nil {
		resp.Diagnostics.AddError("Invalid import ID",
			fmt.Sprintf("Import ID %q must be {mount}/{service}, e.g. secret-prod/backend-api, with an environment mount (secret-dev, secret-staging, secret-prod) and a valid service name.", req.ID))
		return
	}
	if !r.environmentAllowed(env, "import", &resp.Diagnostics) {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("environment"), env)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("service"), service)...)
}
