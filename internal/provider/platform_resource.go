package provider

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

var (
	_ resource.ResourceWithConfigure    = &PlatformResource{}
	_ resource.ResourceWithImportState  = &PlatformResource{}
	_ resource.ResourceWithModifyPlan   = &PlatformResource{}
	_ resource.ResourceWithUpgradeState = &PlatformResource{}
)

// NewPlatformResource returns the mosaic_platform resource.
func NewPlatformResource() resource.Resource { return &PlatformResource{} }

// PlatformResource is what every app relies on: the environment mounts (KV v2), the AppRole
// auth method, and per environment the ESO reader and CI writer policies.
type PlatformResource struct {
	resourceBase
}

// PlatformModel is the resource's configuration, plan and state.
type PlatformModel struct {
	ID                      types.String `tfsdk:"id"`
	Environments            types.List   `tfsdk:"environments"`
	Services                types.Map    `tfsdk:"services"`
	AppExtraReadPaths       types.Map    `tfsdk:"app_extra_read_paths"`
	MaxVersions             types.Int64  `tfsdk:"max_versions"`
	AllowDestroyWithSecrets types.Bool   `tfsdk:"allow_destroy_with_secrets"`
	Mounts                  types.Map    `tfsdk:"mounts"`
	ESOReaderPolicies       types.Map    `tfsdk:"eso_reader_policies"`
	CIWriterPolicies        types.Map    `tfsdk:"ci_writer_policies"`
	EnvironmentCIWriters    types.Bool   `tfsdk:"environment_ci_writers"`
	AppRoleMount            types.String `tfsdk:"approle_mount"`
	AppRoleManaged          types.Bool   `tfsdk:"approle_managed"`
	Issuers                 types.Map    `tfsdk:"issuers"`
	CIIdentities            types.Map    `tfsdk:"ci_identities"`
	ESOIdentities           types.Map    `tfsdk:"eso_identities"`
	JWTAuth                 types.Object `tfsdk:"jwt_auth"`
	ManagedAuthMounts       types.List   `tfsdk:"managed_auth_mounts"`
	IssuerConfigs           types.Map    `tfsdk:"issuer_configs"`
	JWTRoles                types.Map    `tfsdk:"jwt_roles"`
	OwnerID                 types.String `tfsdk:"owner_id"`
}

func (r *PlatformResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_platform"
}

func (r *PlatformResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	all := make([]attr.Value, len(policy.Environments))
	for i, e := range policy.Environments {
		all[i] = types.StringValue(e)
	}
	resp.Schema = schema.Schema{
		Version: 1,
		MarkdownDescription: "The platform side every app relies on, in one declaration per Vault: each environment's KV v2 " +
			"mount (`secret-dev`, `secret-staging`, `secret-prod`), the AppRole auth method at the provider's `approle_mount` " +
			"(enabled if missing, adopted if present, disabled on destroy only if this resource enabled it), and per environment " +
			"an ESO reader policy (`eso-reader-{env}`: read/list on that mount only) and a CI writer policy (`ci-writer-{env}`: " +
			"what a pipeline needs to apply `mosaic_app_secrets` for the listed services in that environment and no other; " +
			"left out with `environment_ci_writers = false`, as a platform of more than about 440 services per environment must). " +
			"Apps should `depends_on` it.\n\n" +
			"Mounts keep `cas_required = false`: the provider always writes with check-and-set itself, and the policy's manual " +
			"`vault kv put` keeps working for break-glass use. A mount that still holds secrets is never removed unless " +
			"`allow_destroy_with_secrets = true`; the check runs at apply before anything is deleted (at plan time, apps being " +
			"destroyed in the same run still hold their secrets).\n\n" +
			"A pipeline holding `ci-writer-{env}` reaches only the listed services: their KV paths and bootstrap entries, their " +
			"policy (only with the exact text the provider renders, see `app_extra_read_paths`) and their AppRole role (bound " +
			"to the app's own policy only, its token and secret_id lifetimes to the defaults `1h`/`4h`/`0`/`0`; other role parameters are denied). See the Reliability guide for the threat model.\n\n" +
			"Identities: each issuer in `issuers` gets its own JWT auth mount (one key source, one `bound_issuer`); each CI pipeline " +
			"(`ci_identities`) logs in there as `ci-writer-{env}-{pipeline}`, pinned to its own services, and each namespace's ESO " +
			"(`eso_identities`) as `eso-reader-{env}-{namespace}`, reading only the apps deployed in that namespace. The plan refuses " +
			"weak bindings on the attribute at fault and two identities one token could satisfy. Every auth config and role field is " +
			"read back (`issuer_configs`, `jwt_roles`): a change made in Vault shows in the plan and apply restores it. A role at an issuer's mount " +
			"that the platform does not declare (a backdoor added by hand) shows in the plan and apply deletes it: give issuers mounts of their own.\n\n" +
			"Ownership: the resource writes the marker policy `mosaic-platform` naming its `owner_id`; a second `mosaic_platform` " +
			"over the same Vault (another workspace or state) is refused at apply before it writes anything, and told to import.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{Computed: true, MarkdownDescription: "Always `platform`.",
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
			"environments": schema.ListAttribute{Optional: true, Computed: true, ElementType: types.StringType,
				Default:             listdefault.StaticValue(types.ListValueMust(types.StringType, all)),
				MarkdownDescription: "Environments to stand up. Default all three: `dev`, `staging`, `prod`.",
				Validators: []validator.List{listvalidator.ValueStringsAre(environmentValidator()),
					listvalidator.UniqueValues()}},
			"services": schema.MapAttribute{Optional: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Environment to the services its CI writer may manage (their `{service}-{env}` policy and AppRole role). " +
					"Vault's ACL globs cannot express `*-{env}`, so the services are listed: a pipeline cannot touch an app the platform did not declare."},
			"app_extra_read_paths": schema.MapAttribute{Optional: true, ElementType: types.MapType{ElemType: types.ListType{ElemType: types.StringType}},
				MarkdownDescription: "Environment to service to the `extra_read_paths` its `mosaic_app_secrets` declares, e.g. " +
					"`{ prod = { backend-api = [\"database/creds/backend-api-role\"] } }`. The CI writer may write an app's policy only " +
					"with exactly the text the provider renders for the service and these paths (Vault's `allowed_parameters`), so a " +
					"pipeline can repair an app's policy but never widen it. A service not listed here gets the policy without extra paths."},
			"max_versions": schema.Int64Attribute{Optional: true, Computed: true, Default: int64default.StaticInt64(10),
				MarkdownDescription: "KV versions kept per secret in each mount. Default 10.",
				Validators:          []validator.Int64{int64validator.Between(1, 1000)}},
			"allow_destroy_with_secrets": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Allow removing an environment mount that still holds secrets (everything in it is lost). Default false: such a destroy fails before anything is deleted."},
			"mounts": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Environment to its KV v2 mount."},
			"eso_reader_policies": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "ESO reader policy name to its rendered text, shown in the plan."},
			"ci_writer_policies": schema.MapAttribute{Computed: true, ElementType: types.StringType,
				MarkdownDescription: "CI writer policy name to its rendered text, shown in the plan."},
			"environment_ci_writers": schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Write the environment-wide CI writer policy `ci-writer-{env}` (all of an environment's services in one policy). " +
					"Default true. Set it to false on a large platform: no `ci-writer-{env}` is written (apply deletes one written before, and the " +
					"plan shows it going), and the per-pipeline policies of `ci_identities` (`ci-writer-{env}-{pipeline}`, each bounded by its own " +
					"pipeline's services) are the only CI writers. Needed past about 440 services in an environment: a policy travels as one JSON " +
					"string, which Vault refuses past 1 MiB (the listener's `max_json_string_value_length`); the plan says so on `services`. " +
					"Least privilege either way: a pipeline's token reaches only its own services. For break-glass, mint a token with the " +
					"pipeline's policy (`vault token create -policy=ci-writer-prod-web`), not an environment-wide one (see the performance guide)."},
			"approle_mount": schema.StringAttribute{Computed: true, MarkdownDescription: "Path of the AppRole auth method (the provider's `approle_mount`)."},
			"approle_managed": schema.BoolAttribute{Computed: true,
				MarkdownDescription: "Whether this resource enabled the AppRole auth method (and so disables it on destroy)."},
		},
	}
	identitySchema(resp.Schema.Attributes)
}

// platformPlan is what a configuration writes.
type platformPlan struct {
	envs                     []string
	apps                     map[string]map[string][]string // env -> service -> extra read paths
	mounts, readers, writers map[string]attr.Value
	id                       identityPlan
}

// desired computes mounts, policy texts and identities from the configuration.
func (r *PlatformResource) desired(ctx context.Context, m *PlatformModel, diags *diag.Diagnostics) *platformPlan {
	p := &platformPlan{apps: map[string]map[string][]string{}}
	diags.Append(m.Environments.ElementsAs(ctx, &p.envs, false)...)
	envs := p.envs
	services := map[string][]string{}
	if !m.Services.IsNull() {
		diags.Append(m.Services.ElementsAs(ctx, &services, false)...)
	}
	for env, svcs := range services {
		if !slices.Contains(envs, env) {
			diags.AddAttributeError(path.Root("services").AtMapKey(env), "Unknown environment",
				fmt.Sprintf("services names environment %q, which is not in environments (%s).", env, strings.Join(envs, ", ")))
		}
		for _, s := range svcs {
			if err := policy.ValidateService(s); err != nil {
				diags.AddAttributeError(path.Root("services").AtMapKey(env), "Breaks the secrets policy", err.Error())
			}
		}
	}
	declared := map[string]map[string]bool{} // env -> service -> listed
	for env, svcs := range services {
		declared[env] = map[string]bool{}
		for _, s := range svcs {
			declared[env][s] = true
		}
	}
	extra := map[string]map[string][]string{}
	if !m.AppExtraReadPaths.IsNull() {
		diags.Append(m.AppExtraReadPaths.ElementsAs(ctx, &extra, false)...)
	}
	for env, apps := range extra {
		for svc, paths := range apps {
			at := path.Root("app_extra_read_paths").AtMapKey(env)
			if _, listed := declared[env][svc]; !listed {
				diags.AddAttributeError(at, "Unknown service",
					fmt.Sprintf("app_extra_read_paths names service %q in %s, which is not in services[%q]: list it there first.", svc, env, env))
				continue
			}
			for _, p := range paths {
				if err := policy.ValidateExtraReadPath(env, svc, p); err != nil {
					diags.AddAttributeError(at, "Breaks the secrets policy", fmt.Sprintf("service %q: %s", svc, err))
				}
			}
		}
	}
	p.mounts, p.readers, p.writers = map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	for _, env := range envs {
		apps := map[string][]string{}
		for _, svc := range services[env] {
			apps[svc] = extra[env][svc]
		}
		p.apps[env] = apps
		p.mounts[env] = types.StringValue(policy.MountOf(env))
		p.readers[policy.ESOReaderPolicyName(env)] = types.StringValue(policy.ESOReaderPolicy(env))
		if !envWriters(m) {
			continue
		}
		writer := policy.CIWriterPolicy(env, r.approleMount(), apps)
		if err := policy.CheckPolicySize(policy.CIWriterPolicyName(env), writer); err != nil {
			diags.AddAttributeError(path.Root("services").AtMapKey(env), "Too many services for one CI writer policy",
				fmt.Sprintf("%s. Vault would refuse it at apply; nothing is written. About 440 services fit in one environment-wide policy. "+
					"Set environment_ci_writers = false (no ci-writer-%s is written) and give each pipeline its own CI writer in ci_identities "+
					"(key \"%s/{pipeline}\", its services): each pipeline's policy covers its own services only (see the performance guide).", err, env, env))
		}
		p.writers[policy.CIWriterPolicyName(env)] = types.StringValue(writer)
	}
	r.identities(ctx, m, p, diags)
	return p
}

func (r *PlatformResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() { // destroy: only in environments this configuration may touch
		var prior PlatformModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		var envs []string
		resp.Diagnostics.Append(prior.Environments.ElementsAs(ctx, &envs, false)...)
		r.environmentsAllowed(envs, "destroy", path.Root("environments"), &resp.Diagnostics)
		return
	}
	var plan PlatformModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Environments.IsUnknown() || plan.Services.IsUnknown() || plan.AppExtraReadPaths.IsUnknown() || plan.EnvironmentCIWriters.IsUnknown() ||
		!fullyKnown(ctx, plan.Issuers, plan.CIIdentities, plan.ESOIdentities) {
		return // checked again at apply, with every value known
	}
	p := r.desired(ctx, &plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !r.environmentsAllowed(p.envs, "write", path.Root("environments"), &resp.Diagnostics) {
		return
	}
	roles, configs := map[string]string{}, map[string]string{}
	for _, role := range p.id.roles {
		roles[role.key()] = roleSummary(role.params)
	}
	for mount, cfg := range p.id.configs {
		configs[mount] = configSummary(cfg)
	}
	plan.JWTRoles, plan.IssuerConfigs = stringMap(roles), stringMap(configs)
	plan.ID = types.StringValue("platform")
	plan.Mounts = types.MapValueMust(types.StringType, p.mounts)
	plan.ESOReaderPolicies = types.MapValueMust(types.StringType, p.readers)
	plan.CIWriterPolicies = types.MapValueMust(types.StringType, p.writers)
	plan.AppRoleMount = types.StringValue(r.approleMount())
	plan.ManagedAuthMounts = types.ListUnknown(types.StringType)
	plan.OwnerID = types.StringUnknown()
	if !req.State.Raw.IsNull() {
		var prior PlatformModel
		resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
		plan.AppRoleManaged = prior.AppRoleManaged
		if prior.AppRoleMount.ValueString() == "" {
			plan.AppRoleManaged = types.BoolUnknown()
		}
		if prior.OwnerID.ValueString() != "" {
			plan.OwnerID = prior.OwnerID
		}
		if plan.IssuerConfigs.Equal(prior.IssuerConfigs) && !prior.ManagedAuthMounts.IsNull() {
			plan.ManagedAuthMounts = prior.ManagedAuthMounts
		}
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, &plan)...)
}

func (r *PlatformResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan PlatformModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := r.converge(ctx, nil, &plan, &resp.Diagnostics)
	if state != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
}

func (r *PlatformResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, prior PlatformModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state := r.converge(ctx, &prior, &plan, &resp.Diagnostics)
	if state != nil {
		resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	}
}

func (r *PlatformResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var st PlatformModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var envs []string
	if st.Environments.IsNull() { // import: discover
		envs = append(envs, policy.Environments...)
	} else {
		resp.Diagnostics.Append(st.Environments.ElementsAs(ctx, &envs, false)...)
	}
	var present []string
	mounts, readers, writers := map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	for _, env := range envs {
		info, err := c.Mount(ctx, policy.MountOf(env))
		if err != nil && !vault.IsNotFound(err) {
			vaultError(ctx, c, &resp.Diagnostics, "Cannot read environment mount", "read", vault.MountPath(policy.MountOf(env)), err)
			return
		}
		if err == nil && info.Type == "kv" && info.Version == "2" {
			present = append(present, env)
			mounts[env] = types.StringValue(policy.MountOf(env))
		} else if !st.Environments.IsNull() {
			resp.Diagnostics.AddWarning("Environment mount missing", fmt.Sprintf("%s/ is missing or not KV v2; the next apply creates it.", policy.MountOf(env)))
		}
		if !r.readPolicy(ctx, c, policy.ESOReaderPolicyName(env), readers, !st.Environments.IsNull(), &resp.Diagnostics) {
			return
		}
		if envWriters(&st) && !r.readPolicy(ctx, c, policy.CIWriterPolicyName(env), writers, !st.Environments.IsNull(), &resp.Diagnostics) {
			return
		}
	}
	if st.EnvironmentCIWriters.IsNull() { // import: as found; a state from before the attribute: true
		st.EnvironmentCIWriters = types.BoolValue(!st.Environments.IsNull() || len(writers) > 0)
	}
	// The pipelines' and namespaces' policies this resource wrote.
	// Read at once (see each): a platform of many pipelines has thousands.
	for src, dst := range map[*types.Map]map[string]attr.Value{&st.ESOReaderPolicies: readers, &st.CIWriterPolicies: writers} {
		var names []string
		for name := range src.Elements() {
			if _, done := dst[name]; !done {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		texts := make([]string, len(names))
		errs := r.each(len(names), func(i int) (err error) {
			texts[i], err = c.GetPolicy(ctx, names[i])
			return err
		})
		for i, name := range names {
			if !r.policyRead(ctx, c, name, texts[i], errs[i], dst, true, &resp.Diagnostics) {
				return
			}
		}
	}
	if st.Environments.IsNull() && len(present) == 0 {
		resp.Diagnostics.AddError("Nothing to import", "No environment mount (secret-dev, secret-staging, secret-prod) exists as KV v2.")
		return
	}
	st.Environments = stringList(present)
	st.Mounts = types.MapValueMust(types.StringType, mounts)
	st.ESOReaderPolicies = types.MapValueMust(types.StringType, readers)
	st.CIWriterPolicies = types.MapValueMust(types.StringType, writers)
	ok, err := c.AuthMounted(ctx, r.approleMount())
	if err != nil {
		vaultError(ctx, c, &resp.Diagnostics, "Cannot list auth methods", "read", "sys/auth", err)
		return
	}
	if ok {
		st.AppRoleMount = types.StringValue(r.approleMount())
	} else {
		resp.Diagnostics.AddWarning("AppRole auth method missing", "auth/"+r.approleMount()+" is not enabled; the next apply enables it.")
		st.AppRoleMount = types.StringValue("")
	}
	if st.ID.IsNull() {
		st.ID = types.StringValue("platform")
	}
	if st.MaxVersions.IsNull() {
		st.MaxVersions = types.Int64Value(10)
	}
	if st.AllowDestroyWithSecrets.IsNull() {
		st.AllowDestroyWithSecrets = types.BoolValue(false)
	}
	if st.AppRoleManaged.IsNull() {
		st.AppRoleManaged = types.BoolValue(false)
	}
	if st.JWTAuth.IsNull() {
		st.JWTAuth = types.ObjectNull(jwtAuthAttrTypes)
	}
	marker, err := c.GetPolicy(ctx, policy.PlatformMarkerPolicy)
	if err != nil && !vault.IsNotFound(err) {
		vaultError(ctx, c, &resp.Diagnostics, "Cannot read the platform marker", "read", vault.PolicyPath(policy.PlatformMarkerPolicy), err)
		return
	}
	if owner := policy.PlatformMarkerOwner(marker); st.OwnerID.ValueString() == "" { // import, or a state from before markers
		st.OwnerID = types.StringValue(owner)
	} else if owner != st.OwnerID.ValueString() {
		resp.Diagnostics.AddWarning("Platform marker changed", fmt.Sprintf("%s names owner %q, not this resource's %q: another mosaic_platform may manage this Vault; the next apply refuses to continue.",
			vault.PolicyPath(policy.PlatformMarkerPolicy), owner, st.OwnerID.ValueString()))
	}
	r.readIdentities(ctx, c, &st, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, &st)...)
}

// envWriters reports whether the environment-wide CI writers ci-writer-{env} are written (a
// state from before environment_ci_writers has them).
func envWriters(m *PlatformModel) bool {
	return m.EnvironmentCIWriters.IsNull() || m.EnvironmentCIWriters.IsUnknown() || m.EnvironmentCIWriters.ValueBool()
}

// fullyKnown reports whether every value, and everything nested in it, is known.
func fullyKnown(ctx context.Context, vals ...attr.Value) bool {
	for _, v := range vals {
		tv, err := v.ToTerraformValue(ctx)
		if err != nil || !tv.IsFullyKnown() {
			return false
		}
	}
	return true
}

// readPolicy reads a policy into dst (as "" when missing and keepMissing): false on error.
func (r *PlatformResource) readPolicy(ctx context.Context, c *vault.Client, name string, dst map[string]attr.Value, keepMissing bool, diags *diag.Diagnostics) bool {
	text, err := c.GetPolicy(ctx, name)
	return r.policyRead(ctx, c, name, text, err, dst, keepMissing, diags)
}

// policyRead records the answer of a policy read into dst (see readPolicy): false on error.
func (r *PlatformResource) policyRead(ctx context.Context, c *vault.Client, name, text string, err error, dst map[string]attr.Value, keepMissing bool, diags *diag.Diagnostics) bool {
	switch {
	case vault.IsNotFound(err):
		if keepMissing {
			dst[name] = types.StringValue("")
		}
	case err != nil:
		vaultError(ctx, c, diags, "Cannot read policy", "read", vault.PolicyPath(name), err)
		return false
	default:
		dst[name] = types.StringValue(text)
	}
	return true
}

func (r *PlatformResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var st PlatformModel
	resp.Diagnostics.Append(req.State.Get(ctx, &st)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.client(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	var envs []string
	resp.Diagnostics.Append(st.Environments.ElementsAs(ctx, &envs, false)...)
	if !r.environmentsAllowed(envs, "destroy", path.Root("environments"), &resp.Diagnostics) {
		return
	}
	if !r.checkEmpty(ctx, c, envs, st.AllowDestroyWithSecrets.ValueBool(), &resp.Diagnostics) {
		return
	}
	for _, env := range envs {
		if !r.removeEnvironment(ctx, c, env, &resp.Diagnostics) {
			return
		}
	}
	r.deleteIdentities(ctx, c, &st, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !r.deletePolicies(ctx, c, slices.Concat(sortedKeys(st.ESOReaderPolicies), sortedKeys(st.CIWriterPolicies)), nil, &resp.Diagnostics) {
		return
	}
	if st.AppRoleManaged.ValueBool() {
		if err := c.DisableAuth(ctx, r.approleMount()); err != nil {
			vaultError(ctx, c, &resp.Diagnostics, "Cannot disable AppRole", "delete", vault.AuthPath(r.approleMount()), err)
			return
		}
	}
	r.deletePolicies(ctx, c, []string{policy.PlatformMarkerPolicy}, nil, &resp.Diagnostics)
}

func (r *PlatformResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID != "platform" {
		resp.Diagnostics.AddError("Invalid import ID", "Import mosaic_platform with the ID \"platform\".")
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), "platform")...)
}
