package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// The identities mosaic_platform binds to its policies. Each issuer (GitHub Actions, a GitLab,
// each Kubernetes cluster) gets a JWT auth mount of its own, with its own key source and
// bound_issuer; each CI pipeline logs in there as ci-writer-{env}-{pipeline} and each
// namespace's ESO as eso-reader-{env}-{namespace}, named like the policies they get.

// IssuerModel is one element of issuers.
type IssuerModel struct {
	Mount                types.String `tfsdk:"mount"`
	BoundIssuer          types.String `tfsdk:"bound_issuer"`
	JWTValidationPubkeys types.List   `tfsdk:"jwt_validation_pubkeys"`
	OIDCDiscoveryURL     types.String `tfsdk:"oidc_discovery_url"`
	JWKSURL              types.String `tfsdk:"jwks_url"`
	Environments         types.List   `tfsdk:"environments"`
}

// CIIdentityModel is one element of ci_identities.
type CIIdentityModel struct {
	Issuer          types.String `tfsdk:"issuer"`
	Services        types.List   `tfsdk:"services"`
	BoundAudiences  types.List   `tfsdk:"bound_audiences"`
	BoundSubject    types.String `tfsdk:"bound_subject"`
	BoundClaims     types.Map    `tfsdk:"bound_claims"`
	BoundClaimsType types.String `tfsdk:"bound_claims_type"`
	UserClaim       types.String `tfsdk:"user_claim"`
	TokenTTL        types.String `tfsdk:"token_ttl"`
}

// ESOIdentityModel is one element of eso_identities.
type ESOIdentityModel struct {
	Issuer         types.String `tfsdk:"issuer"`
	Services       types.List   `tfsdk:"services"`
	ServiceAccount types.String `tfsdk:"service_account"`
	BoundAudiences types.List   `tfsdk:"bound_audiences"`
	TokenTTL       types.String `tfsdk:"token_ttl"`
}

var jwtAuthAttrTypes = map[string]attr.Type{
	"mount": types.StringType, "jwt_validation_pubkeys": types.ListType{ElemType: types.StringType},
	"oidc_discovery_url": types.StringType, "jwks_url": types.StringType, "bound_issuer": types.StringType,
}

var (
	strList             = types.ListType{ElemType: types.StringType}
	issuerAttrTypes     = map[string]attr.Type{"mount": types.StringType, "bound_issuer": types.StringType, "jwt_validation_pubkeys": strList, "oidc_discovery_url": types.StringType, "jwks_url": types.StringType, "environments": strList}
	ciIdentityAttrTypes = map[string]attr.Type{"issuer": types.StringType, "services": strList, "bound_audiences": strList, "bound_subject": types.StringType,
		"bound_claims": types.MapType{ElemType: types.StringType}, "bound_claims_type": types.StringType, "user_claim": types.StringType, "token_ttl": types.StringType}
	esoIdentityAttrTypes = map[string]attr.Type{"issuer": types.StringType, "services": strList, "service_account": types.StringType, "bound_audiences": strList, "token_ttl": types.StringType}
)

const jwtAuthRemoved = "jwt_auth was replaced by `issuers`: one JWT auth mount per issuer, each with its own key source and bound_issuer, " +
	"and every identity names its issuer. Move the block into `issuers = { github = { mount = \"jwt\", bound_issuer = ..., oidc_discovery_url = ... } }`, " +
	"key ci_identities and eso_identities by \"{environment}/{pipeline}\" and \"{environment}/{namespace}\" and give each `issuer` and `services`. See the CHANGELOG."

func identitySchema(s map[string]schema.Attribute) {
	s["issuers"] = schema.MapNestedAttribute{Optional: true,
		MarkdownDescription: "The token issuers the platform trusts, by name (`github`, `gitlab`, `cluster-prod`, ...). Each gets its own JWT " +
			"auth method at `mount` (enabled if missing and disabled on destroy or when the issuer or its mount goes; adopted if present and left), " +
			"configured with exactly one key source and a `bound_issuer`: Vault verifies one mount's tokens with one key source and one issuer, " +
			"so a token one issuer signs never logs in as another issuer's identity.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"mount": schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the issuer's JWT auth method. Default `jwt-{name}`."},
			"bound_issuer": schema.StringAttribute{Required: true,
				MarkdownDescription: "The `iss` every token must carry: `https://token.actions.githubusercontent.com` for GitHub Actions, your GitLab's URL, a cluster's service account issuer (`kubectl get --raw /.well-known/openid-configuration`)."},
			"jwt_validation_pubkeys": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "PEM public keys that verify the tokens offline (a cluster's service account signing keys). One key source only."},
			"oidc_discovery_url": schema.StringAttribute{Optional: true,
				MarkdownDescription: "OIDC discovery URL of the issuer (GitHub Actions: `https://token.actions.githubusercontent.com`). One key source only."},
			"jwks_url": schema.StringAttribute{Optional: true, MarkdownDescription: "JWKS URL of the issuer. One key source only."},
			"environments": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "The environments whose identities may trust this issuer, e.g. `[\"dev\"]` for the dev cluster. Default: all.",
				Validators:          []validator.List{listvalidator.ValueStringsAre(environmentValidator())}},
		}}}
	s["ci_identities"] = schema.MapNestedAttribute{Optional: true,
		MarkdownDescription: "CI pipelines, keyed `\"{environment}/{pipeline}\"` (e.g. `\"prod/web\"`): a JWT role and a policy " +
			"`ci-writer-{env}-{pipeline}` at the issuer's mount that may apply `mosaic_app_secrets` for the pipeline's `services` only, " +
			"so one compromised pipeline reaches only its own apps. The binding must name the pipeline: `bound_subject`, or `sub`, " +
			"`repository`/`repository_id` (GitHub) or `project_path`/`project_id` (GitLab) in `bound_claims`, never only a ref or an event. " +
			"Bind prod to a protected GitHub environment (`bound_subject = \"repo:ORG/REPO:environment:prod\"`): a binding by repository " +
			"and ref also admits `pull_request_target` runs (they run on the base branch's ref) and jobs of the repository's other " +
			"environments. The plan refuses two identities that one token could satisfy (same issuer, no subject or claim telling them apart).",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"issuer": schema.StringAttribute{Required: true, MarkdownDescription: "The name of the issuer (in `issuers`) whose tokens this pipeline presents."},
			"services": schema.ListAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The services this pipeline deploys (each listed in `services` of its environment): its policy covers these and no other.",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(serviceValidator())}},
			"bound_audiences": schema.ListAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The `aud` values the token must carry (GitHub Actions: your organisation's URL or a custom audience).",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)}},
			"bound_subject": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The `sub` the token must carry, compared literally, e.g. `repo:acme/web:environment:prod`."},
			"bound_claims": schema.MapAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "Claims the token must carry with these values, e.g. `{ repository = \"acme/web\" }`."},
			"bound_claims_type": schema.StringAttribute{Optional: true,
				MarkdownDescription: "`string` (default): claims compared literally (a `*` is a warning). `glob`: `*` matches any text; the claim naming the pipeline must still pin its repository, and a `*` that admits other GitHub " +
					"environments (`sub = \"repo:ORG/REPO:environment:prod*\"`, an `environment` glob) is refused in prod (which names its protected environment exactly, with no `*` in `sub`) and a warning elsewhere.",
				Validators: []validator.String{stringvalidator.OneOf("string", "glob")}},
			"user_claim": schema.StringAttribute{Optional: true, MarkdownDescription: "The claim Vault names the entity after. Default `sub`."},
			"token_ttl": schema.StringAttribute{Optional: true,
				MarkdownDescription: "Lifetime of the token a login gets (also its maximum). Default `15m`. Give it longer than the pipeline's longest apply.",
				Validators:          []validator.String{durationValidator("token_ttl")}},
		}}}
	s["eso_identities"] = schema.MapNestedAttribute{Optional: true,
		MarkdownDescription: "External Secrets Operator per Kubernetes namespace, keyed `\"{environment}/{namespace}\"`: a JWT role and a policy " +
			"`eso-reader-{env}-{namespace}` at the cluster issuer's mount, bound to the subject `system:serviceaccount:{namespace}:{service_account}`, " +
			"that reads the secrets and bootstrap entries of the namespace's `services` and nothing else. Render the namespace's " +
			"SecretStore with `mosaic_cluster_secret_store` (`namespace`): an ExternalSecret in another namespace cannot log in as this one.",
		NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
			"issuer": schema.StringAttribute{Required: true, MarkdownDescription: "The name of the cluster's issuer (in `issuers`)."},
			"services": schema.ListAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The services deployed in this namespace; each may be in one namespace per environment.",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1), listvalidator.ValueStringsAre(serviceValidator())}},
			"service_account": schema.StringAttribute{Optional: true,
				MarkdownDescription: "The service account in the namespace whose token the SecretStore presents. Default `external-secrets`."},
			"bound_audiences": schema.ListAttribute{Required: true, ElementType: types.StringType,
				MarkdownDescription: "The audiences of the token ESO requests (the store's `audiences`, default `vault`).",
				Validators:          []validator.List{listvalidator.SizeAtLeast(1)}},
			"token_ttl": schema.StringAttribute{Optional: true, MarkdownDescription: "Lifetime of the token a login gets. Default `1h`.",
				Validators: []validator.String{durationValidator("token_ttl")}},
		}}}
	s["jwt_auth"] = schema.SingleNestedAttribute{Optional: true, DeprecationMessage: jwtAuthRemoved,
		MarkdownDescription: "Removed: " + jwtAuthRemoved, Validators: []validator.Object{removedObject{}},
		Attributes: map[string]schema.Attribute{
			"mount": schema.StringAttribute{Optional: true}, "jwt_validation_pubkeys": schema.ListAttribute{Optional: true, ElementType: types.StringType},
			"oidc_discovery_url": schema.StringAttribute{Optional: true}, "jwks_url": schema.StringAttribute{Optional: true}, "bound_issuer": schema.StringAttribute{Optional: true},
		}}
	s["managed_auth_mounts"] = schema.ListAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "The issuers' JWT auth methods this resource enabled (and so disables when their issuer goes, and on destroy)."}
	s["issuer_configs"] = schema.MapAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Each issuer's auth mount to its configuration as Vault holds it (bound_issuer, key fingerprints, discovery and JWKS URLs): a key or URL changed in Vault shows as a change and apply restores it."}
	s["jwt_roles"] = schema.MapAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Each JWT role (`{mount}/{role}`) to every field it sets in Vault (policies, audiences, subject, claims, TTLs, period, uses, token type, CIDRs, leeways), " +
			"shown in the plan; a field changed in Vault shows as a change and apply restores it. A role at an issuer's mount that the platform does not declare " +
			"(added by hand, or held by an adopted mount) is listed too, marked `undeclared`: the plan shows it going and apply deletes it."}
	s["owner_id"] = schema.StringAttribute{Computed: true,
		MarkdownDescription: "The owner this resource wrote into Vault's `mosaic-platform` marker policy: a second `mosaic_platform` over the same Vault is refused and told to import."}
}

// removedObject fails on any value: the attribute is kept only to say what replaced it.
type removedObject struct{}

func (removedObject) Description(context.Context) string         { return "removed attribute" }
func (removedObject) MarkdownDescription(context.Context) string { return "removed attribute" }
func (removedObject) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if !req.ConfigValue.IsNull() {
		resp.Diagnostics.AddAttributeError(req.Path, "jwt_auth was removed", jwtAuthRemoved)
	}
}

// jwtRole is one JWT role the platform writes at an issuer's mount.
type jwtRole struct {
	mount, name string
	params      map[string]any
}

func (j jwtRole) key() string { return j.mount + "/" + j.name }

// identityPlan is what the identities of a configuration write.
type identityPlan struct {
	configs map[string]map[string]any // mount -> auth config
	issuer  map[string]string         // mount -> issuer name
	roles   []jwtRole
}

// identities checks issuers, ci_identities and eso_identities and adds the pipeline and
// namespace policies to p.
func (r *PlatformResource) identities(ctx context.Context, m *PlatformModel, p *platformPlan, diags *diag.Diagnostics) {
	var issuers map[string]IssuerModel
	var ci map[string]CIIdentityModel
	var eso map[string]ESOIdentityModel
	for _, x := range []struct {
		v   types.Map
		dst any
	}{{m.Issuers, &issuers}, {m.CIIdentities, &ci}, {m.ESOIdentities, &eso}} {
		if !x.v.IsNull() && !x.v.IsUnknown() {
			diags.Append(x.v.ElementsAs(ctx, x.dst, false)...)
		}
	}
	// Diagnostics point at the identity's or issuer's map element: the most precise line Terraform
	// can show for an attribute nested in a map value; the message names the nested attribute.
	p.id = identityPlan{configs: map[string]map[string]any{}, issuer: map[string]string{}}
	byName := map[string]policy.Issuer{}
	var list []policy.Issuer
	for _, name := range slices.Sorted(maps.Keys(issuers)) {
		im := issuers[name]
		iss := policy.Issuer{Name: name, Mount: strings.Trim(im.Mount.ValueString(), "/"), BoundIssuer: im.BoundIssuer.ValueString(),
			DiscoveryURL: im.OIDCDiscoveryURL.ValueString(), JWKSURL: im.JWKSURL.ValueString()}
		if iss.Mount == "" {
			iss.Mount = policy.DefaultIssuerMount(name)
		}
		diags.Append(im.JWTValidationPubkeys.ElementsAs(ctx, &iss.Pubkeys, false)...)
		diags.Append(im.Environments.ElementsAs(ctx, &iss.Environments, false)...)
		byName[name] = iss
		list = append(list, iss)
	}
	for name, e := range policy.ValidateIssuers(list, r.approleMount()) {
		where := fmt.Sprintf("issuers[%q]", name)
		if e.Attr != "" {
			where += "." + e.Attr
		}
		diags.AddAttributeError(path.Root("issuers").AtMapKey(name), "Unsafe issuer", fmt.Sprintf("%s: %s", where, e.Err))
	}
	for _, iss := range list {
		cfg := map[string]any{"bound_issuer": iss.BoundIssuer, "jwt_validation_pubkeys": iss.Pubkeys,
			"oidc_discovery_url": iss.DiscoveryURL, "jwks_url": iss.JWKSURL, "default_role": "", "jwt_supported_algs": []string{}}
		if iss.Pubkeys == nil {
			cfg["jwt_validation_pubkeys"] = []string{}
		}
		p.id.configs[iss.Mount] = cfg
		p.id.issuer[iss.Mount] = iss.Name
	}

	type bound struct {
		at      path.Path
		label   string
		binding policy.Binding
	}
	var bindings []bound
	issuerOf := func(kind, key, env, name string) (policy.Issuer, bool) {
		at := path.Root(kind).AtMapKey(key)
		iss, ok := byName[name]
		switch {
		case !ok:
			diags.AddAttributeError(at, "Unknown issuer", fmt.Sprintf("%s[%q].issuer names issuer %q, which is not in issuers (%s).", kind, key, name, strings.Join(slices.Sorted(maps.Keys(byName)), ", ")))
		case !iss.Serves(env):
			diags.AddAttributeError(at, "Issuer not trusted for this environment", fmt.Sprintf(
				"%s[%q] is a %s identity but issuer %q serves only %s: its tokens must not reach %s. Use the issuer of that environment.", kind, key, env, name, strings.Join(iss.Environments, ", "), env))
			ok = false
		}
		return iss, ok
	}
	ttlOf := func(v types.String, def string) string {
		if v.ValueString() != "" {
			return v.ValueString()
		}
		return def
	}
	for _, key := range slices.Sorted(maps.Keys(ci)) {
		id := ci[key]
		base := path.Root("ci_identities").AtMapKey(key)
		env, pipeline, err := policy.IdentityKey("pipeline", key)
		if err != nil {
			diags.AddAttributeError(base, "Breaks the secrets policy", fmt.Sprintf("ci_identities: %s", err))
			continue
		}
		if !slices.Contains(p.envs, env) {
			diags.AddAttributeError(base, "Unknown environment", fmt.Sprintf("ci_identities[%q] names environment %q, which is not in environments.", key, env))
			continue
		}
		var svcs, aud []string
		claims := map[string]string{}
		diags.Append(id.Services.ElementsAs(ctx, &svcs, false)...)
		diags.Append(id.BoundAudiences.ElementsAs(ctx, &aud, false)...)
		if !id.BoundClaims.IsNull() {
			diags.Append(id.BoundClaims.ElementsAs(ctx, &claims, false)...)
		}
		apps := map[string][]string{}
		for _, s := range svcs {
			extra, listed := p.apps[env][s]
			if !listed {
				diags.AddAttributeError(base, "Unknown service", fmt.Sprintf(
					"ci_identities[%q].services lists service %q, which is not in services[%q]: a pipeline may deploy only declared services.", key, s, env))
			}
			apps[s] = extra
		}
		b := policy.Binding{Issuer: id.Issuer.ValueString(), Subject: id.BoundSubject.ValueString(), Claims: claims, Glob: id.BoundClaimsType.ValueString() == "glob"}
		errs, warns := policy.ValidateCIBinding(b, env)
		for _, e := range errs {
			diags.AddAttributeError(base, "Weak CI binding", fmt.Sprintf("ci_identities[%q].%s: %s", key, e.Attr, e.Msg))
		}
		for _, w := range warns {
			diags.AddAttributeWarning(base, "CI binding wider than it looks", fmt.Sprintf("ci_identities[%q].%s: %s", key, w.Attr, w.Msg))
		}
		iss, ok := issuerOf("ci_identities", key, env, b.Issuer)
		name := policy.CIPipelinePolicyName(env, pipeline)
		writer := policy.CIPipelinePolicy(env, pipeline, r.approleMount(), apps)
		if err := policy.CheckPolicySize(name, writer); err != nil {
			diags.AddAttributeError(base, "Too many services for one CI writer policy", fmt.Sprintf("ci_identities[%q]: %s. Split the pipeline's services.", key, err))
		}
		p.writers[name] = types.StringValue(writer)
		if !ok || len(errs) > 0 {
			continue
		}
		bindings = append(bindings, bound{base, fmt.Sprintf("ci_identities[%q]", key), b})
		claimsType := "string"
		if b.Glob {
			claimsType = "glob"
		}
		userClaim := id.UserClaim.ValueString()
		if userClaim == "" {
			userClaim = "sub"
		}
		p.id.roles = append(p.id.roles, jwtRole{mount: iss.Mount, name: name,
			params: roleParams(name, aud, b.Subject, claims, claimsType, userClaim, ttlOf(id.TokenTTL, "15m"))})
	}
	owner := map[string]string{} // env/service -> namespace
	for _, key := range slices.Sorted(maps.Keys(eso)) {
		id := eso[key]
		base := path.Root("eso_identities").AtMapKey(key)
		env, ns, err := policy.IdentityKey("namespace", key)
		if err != nil {
			diags.AddAttributeError(base, "Breaks the secrets policy", fmt.Sprintf("eso_identities: %s", err))
			continue
		}
		if !slices.Contains(p.envs, env) {
			diags.AddAttributeError(base, "Unknown environment", fmt.Sprintf("eso_identities[%q] names environment %q, which is not in environments.", key, env))
			continue
		}
		sa := ttlOf(id.ServiceAccount, "external-secrets")
		if err := policy.ValidateKubernetesName("service_account", sa); err != nil {
			diags.AddAttributeError(base, "Breaks the secrets policy", fmt.Sprintf("eso_identities[%q].service_account: %s", key, err))
			continue
		}
		var svcs, aud []string
		diags.Append(id.Services.ElementsAs(ctx, &svcs, false)...)
		diags.Append(id.BoundAudiences.ElementsAs(ctx, &aud, false)...)
		for _, s := range svcs {
			if other, taken := owner[env+"/"+s]; taken && other != ns {
				diags.AddAttributeError(base, "Service in two namespaces", fmt.Sprintf(
					"eso_identities[%q].services lists service %q, which eso_identities[\"%s/%s\"] already holds: an app is deployed in one namespace, and only that namespace's ESO reads its secrets.", key, s, env, other))
			}
			owner[env+"/"+s] = ns
		}
		name := policy.ESONamespacePolicyName(env, ns)
		p.readers[name] = types.StringValue(policy.ESONamespacePolicy(env, ns, svcs))
		iss, ok := issuerOf("eso_identities", key, env, id.Issuer.ValueString())
		if !ok {
			continue
		}
		b := policy.Binding{Issuer: iss.Name, Subject: policy.ServiceAccountSubject(ns, sa)}
		bindings = append(bindings, bound{base, fmt.Sprintf("eso_identities[%q]", key), b})
		p.id.roles = append(p.id.roles, jwtRole{mount: iss.Mount, name: name,
			params: roleParams(name, aud, b.Subject, map[string]string{}, "string", "sub", ttlOf(id.TokenTTL, "1h"))})
	}
	// No token may satisfy two identities: within an issuer, each binding must exclude the others.
	all := make([]policy.Binding, len(bindings))
	for i, b := range bindings {
		all[i] = b.binding
	}
	for i, earlier := range policy.Overlaps(all) {
		a := bindings[i]
		for _, j := range earlier {
			diags.AddAttributeError(a.at, "Identities not told apart", fmt.Sprintf(
				"%s and %s both trust issuer %q and no subject or claim tells them apart: one token could log in as either, and reach the other's secrets. "+
					"Bind each to its own subject (GitHub Actions: bound_subject = \"repo:ORG/REPO:environment:ENV\"; Kubernetes: its own namespace and service account), "+
					"or give each environment its own issuer.", a.label, bindings[j].label, a.binding.Issuer))
		}
	}
	slices.SortFunc(p.id.roles, func(a, b jwtRole) int { return strings.Compare(a.key(), b.key()) })
}

// roleParams is every field of a JWT role the platform writes: the ones it relies on set, every
// other token field set to its neutral value, so that a change made in Vault shows as drift.
func roleParams(policyName string, aud []string, subject string, claims map[string]string, claimsType, userClaim, ttl string) map[string]any {
	return map[string]any{
		"role_type": "jwt", "token_policies": []string{policyName}, "bound_audiences": aud, "bound_subject": subject,
		"bound_claims": claims, "bound_claims_type": claimsType, "user_claim": userClaim, "claim_mappings": map[string]string{},
		"groups_claim": "", "token_ttl": ttl, "token_max_ttl": ttl, "token_explicit_max_ttl": 0, "token_period": 0,
		"token_num_uses": 0, "token_type": "default", "token_bound_cidrs": []string{}, "token_no_default_policy": false,
		"clock_skew_leeway": 60, "expiration_leeway": 150, "not_before_leeway": 150,
	}
}

// roleSummary is what the plan shows of a JWT role: every security-relevant field, from the
// parameters the platform writes or from what Vault reads back (a missing role is "").
func roleSummary(p map[string]any) string {
	if p == nil {
		return ""
	}
	cidrs := listOf(p["token_bound_cidrs"])
	cidrs = append(cidrs, listOf(p["bound_cidrs"])...)
	slices.Sort(cidrs)
	return fmt.Sprintf("policies=%s; no_default_policy=%v; audiences=%s; subject=%v; claims=%s; claims_type=%v; claim_mappings=%s; user_claim=%v; groups_claim=%v; "+
		"ttl=%ds; max_ttl=%ds; explicit_max_ttl=%ds; period=%ds; num_uses=%d; token_type=%v; cidrs=%s; leeway(clock_skew=%ds, expiration=%ds, not_before=%ds)",
		strings.Join(listOf(p["token_policies"]), ","), p["token_no_default_policy"], strings.Join(listOf(p["bound_audiences"]), ","), p["bound_subject"],
		mapOf(p["bound_claims"]), p["bound_claims_type"], mapOf(p["claim_mappings"]), p["user_claim"], p["groups_claim"],
		secondsIn(p["token_ttl"]), secondsIn(p["token_max_ttl"]), secondsIn(p["token_explicit_max_ttl"]), secondsIn(p["token_period"]),
		secondsIn(p["token_num_uses"]), p["token_type"], strings.Join(slices.Compact(cidrs), ","),
		secondsIn(p["clock_skew_leeway"]), secondsIn(p["expiration_leeway"]), secondsIn(p["not_before_leeway"]))
}

// configSummary is what the plan shows of an issuer's auth config: bound_issuer, the key
// source (public keys as SHA-256 fingerprints), the default role and algorithms.
func configSummary(c map[string]any) string {
	if c == nil {
		return ""
	}
	var keys []string
	for _, k := range listOf(c["jwt_validation_pubkeys"]) {
		sum := sha256.Sum256([]byte(strings.Join(strings.Fields(k), "")))
		keys = append(keys, "sha256:"+hex.EncodeToString(sum[:8]))
	}
	return fmt.Sprintf("bound_issuer=%v; keys=%s; oidc_discovery_url=%v; jwks_url=%v; jwks_pairs=%d; default_role=%v; algs=%s",
		c["bound_issuer"], strings.Join(keys, ","), c["oidc_discovery_url"], c["jwks_url"], len(listOf(c["jwks_pairs"])), c["default_role"],
		strings.Join(listOf(c["jwt_supported_algs"]), ","))
}

func listOf(v any) []string {
	var items []string
	switch x := v.(type) {
	case []string:
		items = slices.Clone(x)
	case []any:
		for _, e := range x {
			items = append(items, fmt.Sprint(e))
		}
	case string:
		if x != "" {
			items = strings.Split(x, ",")
		}
	}
	slices.Sort(items)
	return items
}

func mapOf(v any) string {
	var items []string
	switch c := v.(type) {
	case map[string]string:
		for k, x := range c {
			items = append(items, k+"="+x)
		}
	case map[string]any:
		for k, x := range c {
			items = append(items, k+"="+fmt.Sprint(x))
		}
	}
	slices.Sort(items)
	return strings.Join(items, ",")
}

func secondsIn(v any) int64 {
	switch n := v.(type) {
	case string:
		d, err := policy.ParseDuration("ttl", n)
		if err != nil {
			return -1
		}
		return int64(d / time.Second)
	case interface{ Int64() (int64, error) }:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}

// identityState tracks, during an apply, what Vault holds of the identities: a role or a
// method enters it only once written, and leaves it only once deleted.
type identityState struct {
	roles, configs map[string]string
	managed        []string
}

func newIdentityState(ctx context.Context, m *PlatformModel, diags *diag.Diagnostics) *identityState {
	s := &identityState{roles: map[string]string{}, configs: map[string]string{}}
	if m == nil {
		return s
	}
	if !m.JWTRoles.IsNull() && !m.JWTRoles.IsUnknown() {
		diags.Append(m.JWTRoles.ElementsAs(ctx, &s.roles, false)...)
	}
	if !m.IssuerConfigs.IsNull() && !m.IssuerConfigs.IsUnknown() {
		diags.Append(m.IssuerConfigs.ElementsAs(ctx, &s.configs, false)...)
	}
	if !m.ManagedAuthMounts.IsNull() && !m.ManagedAuthMounts.IsUnknown() {
		diags.Append(m.ManagedAuthMounts.ElementsAs(ctx, &s.managed, false)...)
	}
	return s
}

func (s *identityState) into(m *PlatformModel) {
	m.JWTRoles = stringMap(s.roles)
	m.IssuerConfigs = stringMap(s.configs)
	slices.Sort(s.managed)
	m.ManagedAuthMounts = stringList(slices.Compact(s.managed))
}

func stringMap(in map[string]string) types.Map {
	out := make(map[string]attr.Value, len(in))
	for k, v := range in {
		out[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, out)
}

func splitRoleKey(key string) (mount, role string) {
	i := strings.LastIndex(key, "/")
	return key[:i], key[i+1:]
}

// convergeIdentities removes what the prior state had and the plan no longer has (roles, and
// methods this resource enabled: a moved mount leaves nothing behind), then enables, configures
// and writes each issuer's method and roles. st records only what was done.
func (r *PlatformResource) convergeIdentities(ctx context.Context, c *vault.Client, id identityPlan, s *identityState, diags *diag.Diagnostics) bool {
	want := map[string]bool{}
	for _, role := range id.roles {
		want[role.key()] = true
	}
	stale := slices.DeleteFunc(slices.Sorted(maps.Keys(s.roles)), func(key string) bool { return want[key] })
	failed := r.each(len(stale), func(i int) error {
		if err := c.DeleteRole(ctx, roleKeyMount(stale[i]), roleKeyName(stale[i])); err != nil && !vault.IsNotFound(err) {
			return err
		}
		return nil
	})
	for i, err := range failed {
		if err != nil {
			vaultError(ctx, c, diags, "Cannot delete JWT role", "delete", vault.RolePath(splitRoleKey(stale[i])), err)
			continue
		}
		delete(s.roles, stale[i])
	}
	if diags.HasError() {
		return false
	}
	for _, mount := range slices.Clone(s.managed) {
		if _, keep := id.configs[mount]; keep {
			continue
		}
		if err := c.DisableAuth(ctx, mount); err != nil {
			vaultError(ctx, c, diags, "Cannot disable the JWT auth method", "delete", vault.AuthPath(mount), err)
			return false
		}
		tflog.Info(ctx, "disabled the JWT auth method of a removed issuer", map[string]any{"path": "auth/" + mount})
		s.managed = slices.DeleteFunc(s.managed, func(m string) bool { return m == mount })
	}
	for mount := range s.configs {
		if _, keep := id.configs[mount]; !keep {
			delete(s.configs, mount)
		}
	}
	for _, mount := range slices.Sorted(maps.Keys(id.configs)) {
		typ, err := c.AuthType(ctx, mount)
		switch {
		case err != nil:
			vaultError(ctx, c, diags, "Cannot list auth methods", "read", "sys/auth", err)
			return false
		case typ == "":
			if err := c.EnableAuth(ctx, mount, "jwt"); err != nil {
				vaultError(ctx, c, diags, "Cannot enable the JWT auth method", "write (create/update)", vault.AuthPath(mount), err)
				if t, e := c.AuthType(ctx, mount); e == nil && t == "jwt" { // enabled, the answer lost
					s.managed = append(s.managed, mount)
				}
				return false
			}
			tflog.Info(ctx, "enabled the JWT auth method", map[string]any{"path": "auth/" + mount})
			s.managed = append(s.managed, mount)
		case typ != "jwt":
			diags.AddAttributeError(path.Root("issuers").AtMapKey(id.issuer[mount]).AtName("mount"), "Not a JWT auth method",
				fmt.Sprintf("auth/%s is a %q auth method, not jwt. Choose another mount for issuer %q.", mount, typ, id.issuer[mount]))
			return false
		}
		cfg := id.configs[mount]
		if err := c.WriteAuthConfig(ctx, mount, cfg); err != nil {
			vaultError(ctx, c, diags, "Cannot configure the JWT auth method", "write (create/update)", vault.AuthConfigPath(mount), err)
			return false
		}
		s.configs[mount] = configSummary(cfg)
	}
	ok := true
	for i, err := range r.each(len(id.roles), func(i int) error { return c.WriteRole(ctx, id.roles[i].mount, id.roles[i].name, id.roles[i].params) }) {
		role := id.roles[i]
		if err != nil { // the state keeps what it had: the next apply writes the role again
			vaultError(ctx, c, diags, "Cannot write JWT role", "write (create/update)", vault.RolePath(role.mount, role.name), err)
			ok = false
			continue
		}
		s.roles[role.key()] = roleSummary(role.params)
	}
	return ok
}

func roleKeyMount(key string) string { m, _ := splitRoleKey(key); return m }
func roleKeyName(key string) string  { _, n := splitRoleKey(key); return n }

// undeclaredRole starts the jwt_roles entry of a role found at an issuer's mount that the
// platform does not declare.
const undeclaredRole = "undeclared, apply deletes it: "

// readIdentities refreshes issuer_configs and jwt_roles from Vault: a key, URL or role field
// changed outside Terraform, or a role or method deleted, shows as a change.
func (r *PlatformResource) readIdentities(ctx context.Context, c *vault.Client, st *PlatformModel, diags *diag.Diagnostics) {
	s := newIdentityState(ctx, st, diags)
	var jwtMounts []string
	for mount := range s.configs {
		typ, err := c.AuthType(ctx, mount)
		if err != nil {
			vaultError(ctx, c, diags, "Cannot list auth methods", "read", "sys/auth", err)
			return
		}
		if typ != "jwt" {
			s.configs[mount] = ""
			continue
		}
		jwtMounts = append(jwtMounts, mount)
		cfg, err := c.ReadAuthConfig(ctx, mount)
		if err != nil && !vault.IsNotFound(err) {
			vaultError(ctx, c, diags, "Cannot read the JWT auth method's configuration", "read", vault.AuthConfigPath(mount), err)
			return
		}
		s.configs[mount] = configSummary(cfg)
	}
	// A role at an issuer's mount that the platform did not write (a backdoor added by hand, or
	// one an adopted mount held) enters the state marked undeclared: the plan, which holds only
	// the declared roles, shows it going, and apply deletes it like a role removed from the config.
	declared := map[string]bool{}
	for key, summary := range s.roles {
		declared[key] = !strings.HasPrefix(summary, undeclaredRole)
	}
	for _, mount := range jwtMounts {
		names, err := c.ListRoles(ctx, mount)
		if err != nil && !vault.IsNotFound(err) {
			vaultError(ctx, c, diags, "Cannot list JWT roles", "list", "auth/"+mount+"/role", err)
			return
		}
		for _, name := range names {
			if _, known := s.roles[jwtRole{mount: mount, name: name}.key()]; !known {
				declared[jwtRole{mount: mount, name: name}.key()] = false
			}
		}
	}
	keys := slices.Sorted(maps.Keys(declared))
	datas := make([]map[string]any, len(keys))
	errs := r.each(len(keys), func(i int) (err error) {
		datas[i], err = c.ReadRole(ctx, roleKeyMount(keys[i]), roleKeyName(keys[i]))
		return err
	})
	for i, key := range keys {
		isDeclared, data, err := declared[key], datas[i], errs[i]
		mount, name := splitRoleKey(key)
		switch {
		case vault.IsNotFound(err) && !isDeclared:
			delete(s.roles, key) // gone already
		case vault.IsNotFound(err):
			s.roles[key] = ""
		case err != nil:
			vaultError(ctx, c, diags, "Cannot read JWT role", "read", vault.RolePath(mount, name), err)
			return
		case !isDeclared:
			s.roles[key] = undeclaredRole + roleSummary(data)
		default:
			s.roles[key] = roleSummary(data)
		}
	}
	s.into(st)
}

// deleteIdentities removes the roles and the JWT auth methods this resource enabled.
func (r *PlatformResource) deleteIdentities(ctx context.Context, c *vault.Client, st *PlatformModel, diags *diag.Diagnostics) {
	s := newIdentityState(ctx, st, diags)
	r.convergeIdentities(ctx, c, identityPlan{}, s, diags)
}
