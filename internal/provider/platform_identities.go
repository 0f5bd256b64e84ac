package provider

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/vault"
)

// The identities mosaic_platform binds to its policies: CI pipelines and External Secrets
// Operator log in to the JWT auth method with the JWTs their platforms issue, as roles named
// like the policies they get (ci-writer-{env}, eso-reader-{env}).

// JWTAuthModel is jwt_auth.
type JWTAuthModel struct {
	Mount                types.String `tfsdk:"mount"`
	JWTValidationPubkeys types.List   `tfsdk:"jwt_validation_pubkeys"`
	OIDCDiscoveryURL     types.String `tfsdk:"oidc_discovery_url"`
	JWKSURL              types.String `tfsdk:"jwks_url"`
	BoundIssuer          types.String `tfsdk:"bound_issuer"`
}

// IdentityModel is one element of ci_identities or eso_identities.
type IdentityModel struct {
	BoundAudiences types.List   `tfsdk:"bound_audiences"`
	BoundClaims    types.Map    `tfsdk:"bound_claims"`
	BoundSubject   types.String `tfsdk:"bound_subject"`
	UserClaim      types.String `tfsdk:"user_claim"`
	TokenTTL       types.String `tfsdk:"token_ttl"`
}

var jwtAuthAttrTypes = map[string]attr.Type{
	"mount": types.StringType, "jwt_validation_pubkeys": types.ListType{ElemType: types.StringType},
	"oidc_discovery_url": types.StringType, "jwks_url": types.StringType, "bound_issuer": types.StringType,
}

func identityAttributes(what string) map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"bound_audiences": schema.ListAttribute{Required: true, ElementType: types.StringType,
			MarkdownDescription: "The `aud` values the JWT must carry (GitHub Actions: your organisation's URL or a custom audience; Kubernetes: the audience ESO requests)."},
		"bound_claims": schema.MapAttribute{Optional: true, ElementType: types.StringType,
			MarkdownDescription: "Claims the JWT must carry with exactly these values, e.g. `{ repository = \"acme/web\", ref = \"refs/heads/main\" }`."},
		"bound_subject": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The `sub` the JWT must carry, e.g. `system:serviceaccount:external-secrets:external-secrets` for " + what + "."},
		"user_claim": schema.StringAttribute{Optional: true,
			MarkdownDescription: "The claim Vault names the entity after. Default `sub`."},
		"token_ttl": schema.StringAttribute{Optional: true,
			MarkdownDescription: "Lifetime of the token a login gets (`15m`, `1h`). Default `15m` for CI, `1h` for ESO. Give CI longer than its longest apply."},
	}
}

func identitySchema(s map[string]schema.Attribute) {
	s["jwt_auth"] = schema.SingleNestedAttribute{Optional: true,
		MarkdownDescription: "The JWT auth method that `ci_identities` and `eso_identities` log in to: enabled at `mount` if missing " +
			"(and disabled on destroy), adopted if present (and left on destroy). Give the keys or the discovery URL of the " +
			"issuer: GitHub Actions `https://token.actions.githubusercontent.com`, your GitLab, or the cluster's service account issuer.",
		Attributes: map[string]schema.Attribute{
			"mount": schema.StringAttribute{Optional: true, MarkdownDescription: "Path of the JWT auth method. Default `jwt`."},
			"jwt_validation_pubkeys": schema.ListAttribute{Optional: true, ElementType: types.StringType,
				MarkdownDescription: "PEM public keys that verify the JWTs (offline validation)."},
			"oidc_discovery_url": schema.StringAttribute{Optional: true, MarkdownDescription: "OIDC discovery URL of the issuer."},
			"jwks_url":           schema.StringAttribute{Optional: true, MarkdownDescription: "JWKS URL of the issuer."},
			"bound_issuer":       schema.StringAttribute{Optional: true, MarkdownDescription: "The `iss` every JWT must carry."},
		}}
	s["ci_identities"] = schema.MapNestedAttribute{Optional: true,
		MarkdownDescription: "Environment to the CI pipeline identity that gets `ci-writer-{env}`: a JWT role `ci-writer-{env}` " +
			"bound to the audiences and claims of the pipeline's ID token. Needs `jwt_auth`.",
		NestedObject: schema.NestedAttributeObject{Attributes: identityAttributes("a pipeline")}}
	s["eso_identities"] = schema.MapNestedAttribute{Optional: true,
		MarkdownDescription: "Environment to the External Secrets Operator identity that gets `eso-reader-{env}`: a JWT role " +
			"`eso-reader-{env}` bound to the subject of ESO's Kubernetes service account token. Needs `jwt_auth`.",
		NestedObject: schema.NestedAttributeObject{Attributes: identityAttributes("the ESO service account")}}
	s["jwt_managed"] = schema.BoolAttribute{Computed: true,
		MarkdownDescription: "Whether this resource enabled the JWT auth method (and so disables it on destroy)."}
	s["jwt_roles"] = schema.MapAttribute{Computed: true, ElementType: types.StringType,
		MarkdownDescription: "Each JWT role to what it binds (policies, audiences, claims, subject, TTL), shown in the plan; a role changed in Vault shows as a change."}
}

// jwtRole is one JWT role the platform writes.
type jwtRole struct {
	name   string
	params map[string]any
}

// summary is what the plan shows of a role, and what a refresh compares.
func (j jwtRole) summary() string {
	return roleSummary(j.params)
}

func roleSummary(p map[string]any) string {
	list := func(k string) string {
		var items []string
		switch v := p[k].(type) {
		case []string:
			items = slices.Clone(v)
		case []any:
			for _, x := range v {
				items = append(items, fmt.Sprint(x))
			}
		}
		slices.Sort(items)
		return strings.Join(items, ",")
	}
	var claims []string
	switch c := p["bound_claims"].(type) {
	case map[string]string:
		for k, v := range c {
			claims = append(claims, k+"="+v)
		}
	case map[string]any:
		for k, v := range c {
			claims = append(claims, k+"="+fmt.Sprint(v))
		}
	}
	slices.Sort(claims)
	return fmt.Sprintf("policies=%s; audiences=%s; claims=%s; subject=%v; user_claim=%v; ttl=%ds",
		list("token_policies"), list("bound_audiences"), strings.Join(claims, ","), p["bound_subject"], p["user_claim"], secondsIn(p["token_ttl"]))
}

func secondsIn(v any) int64 {
	switch n := v.(type) {
	case string:
		d, err := policy.ParseDuration("token_ttl", n)
		if err != nil {
			return -1
		}
		return int64(d / time.Second)
	case interface{ Int64() (int64, error) }:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	}
	return 0
}

// identities reads jwt_auth, ci_identities and eso_identities into the JWT mount and the roles
// to write; mount is "" when no identity is declared.
func (r *PlatformResource) identities(ctx context.Context, m *PlatformModel, envs []string, diags *diag.Diagnostics) (mount string, auth *JWTAuthModel, roles []jwtRole) {
	var ci, eso map[string]IdentityModel
	if !m.CIIdentities.IsNull() && !m.CIIdentities.IsUnknown() {
		diags.Append(m.CIIdentities.ElementsAs(ctx, &ci, false)...)
	}
	if !m.ESOIdentities.IsNull() && !m.ESOIdentities.IsUnknown() {
		diags.Append(m.ESOIdentities.ElementsAs(ctx, &eso, false)...)
	}
	if !m.JWTAuth.IsNull() && !m.JWTAuth.IsUnknown() {
		auth = &JWTAuthModel{}
		diags.Append(m.JWTAuth.As(ctx, auth, basetypes.ObjectAsOptions{})...)
		mount = "jwt"
		if v := auth.Mount.ValueString(); v != "" {
			mount = strings.Trim(v, "/")
		}
	}
	if (len(ci) > 0 || len(eso) > 0) && auth == nil {
		diags.AddAttributeError(path.Root("jwt_auth"), "jwt_auth missing",
			"ci_identities and eso_identities are JWT roles: declare jwt_auth (the JWT auth method and the keys or discovery URL of the issuer).")
		return "", nil, nil
	}
	for kind, set := range map[string]map[string]IdentityModel{"ci_identities": ci, "eso_identities": eso} {
		for _, env := range slices.Sorted(maps.Keys(set)) {
			id := set[env]
			at := path.Root(kind).AtMapKey(env)
			if !slices.Contains(envs, env) {
				diags.AddAttributeError(at, "Unknown environment", fmt.Sprintf("%s names environment %q, which is not in environments.", kind, env))
				continue
			}
			name, ttl := policy.CIWriterPolicyName(env), "15m"
			if kind == "eso_identities" {
				name, ttl = policy.ESOReaderPolicyName(env), "1h"
			}
			if v := id.TokenTTL.ValueString(); v != "" {
				ttl = v
			}
			if _, err := policy.ParseDuration("token_ttl", ttl); err != nil {
				diags.AddAttributeError(at, "Breaks the secrets policy", err.Error())
			}
			var aud []string
			claims := map[string]string{}
			diags.Append(id.BoundAudiences.ElementsAs(ctx, &aud, false)...)
			if !id.BoundClaims.IsNull() {
				diags.Append(id.BoundClaims.ElementsAs(ctx, &claims, false)...)
			}
			if len(aud) == 0 {
				diags.AddAttributeError(at, "No audience", "bound_audiences needs at least one audience: a JWT meant for another service must not log in.")
			}
			if kind == "ci_identities" && len(claims) == 0 && id.BoundSubject.ValueString() == "" {
				diags.AddAttributeError(at, "Unbound CI identity",
					"A CI identity needs bound_claims (e.g. repository and ref) or bound_subject: otherwise every pipeline of the issuer gets the CI writer's rights.")
			}
			userClaim := id.UserClaim.ValueString()
			if userClaim == "" {
				userClaim = "sub"
			}
			params := map[string]any{
				"role_type": "jwt", "token_policies": []string{name}, "bound_audiences": aud, "bound_claims": claims,
				"bound_subject": id.BoundSubject.ValueString(), "user_claim": userClaim, "token_ttl": ttl,
				"token_max_ttl": ttl, "token_no_default_policy": false,
			}
			roles = append(roles, jwtRole{name: name, params: params})
		}
	}
	slices.SortFunc(roles, func(a, b jwtRole) int { return strings.Compare(a.name, b.name) })
	return mount, auth, roles
}

func roleSummaries(roles []jwtRole) types.Map {
	m := map[string]attr.Value{}
	for _, r := range roles {
		m[r.name] = types.StringValue(r.summary())
	}
	return types.MapValueMust(types.StringType, m)
}

// convergeIdentities enables (or adopts) the JWT auth method, writes its configuration and the
// roles, and deletes the roles of identities no longer declared.
func (r *PlatformResource) convergeIdentities(ctx context.Context, c *vault.Client, prior, st *PlatformModel, envs []string, diags *diag.Diagnostics) bool {
	mount, auth, roles := r.identities(ctx, st, envs, diags)
	if diags.HasError() {
		return false
	}
	st.JWTManaged = types.BoolValue(false)
	if prior != nil && !prior.JWTManaged.IsNull() && !prior.JWTManaged.IsUnknown() {
		st.JWTManaged = prior.JWTManaged
	}
	st.JWTRoles = roleSummaries(roles)
	if prior != nil {
		for name := range prior.JWTRoles.Elements() {
			if _, keep := st.JWTRoles.Elements()[name]; keep {
				continue
			}
			if err := c.DeleteRole(ctx, r.priorJWTMount(prior), name); err != nil {
				vaultError(ctx, c, diags, "Cannot delete JWT role", "delete", vault.RolePath(r.priorJWTMount(prior), name), err)
				return false
			}
		}
	}
	if auth == nil {
		// jwt_auth removed: a JWT auth method this resource enabled goes with it.
		if prior != nil && prior.JWTManaged.ValueBool() {
			m := r.priorJWTMount(prior)
			if err := c.DisableAuth(ctx, m); err != nil {
				vaultError(ctx, c, diags, "Cannot disable the JWT auth method", "delete", vault.AuthPath(m), err)
				return false
			}
		}
		st.JWTManaged = types.BoolValue(false)
		return true
	}
	typ, err := c.AuthType(ctx, mount)
	switch {
	case err != nil:
		vaultError(ctx, c, diags, "Cannot list auth methods", "read", "sys/auth", err)
		return false
	case typ == "":
		if err := c.EnableAuth(ctx, mount, "jwt"); err != nil {
			vaultError(ctx, c, diags, "Cannot enable the JWT auth method", "write (create/update)", vault.AuthPath(mount), err)
			st.JWTManaged = types.BoolValue(true) // it may be enabled and the answer lost
			return false
		}
		tflog.Info(ctx, "enabled the JWT auth method", map[string]any{"path": "auth/" + mount})
		st.JWTManaged = types.BoolValue(true)
	case typ != "jwt":
		diags.AddAttributeError(path.Root("jwt_auth"), "Not a JWT auth method",
			fmt.Sprintf("auth/%s is a %q auth method, not jwt. Choose another jwt_auth.mount.", mount, typ))
		return false
	}
	cfg := map[string]any{}
	var keys []string
	diags.Append(auth.JWTValidationPubkeys.ElementsAs(ctx, &keys, false)...)
	if len(keys) > 0 {
		cfg["jwt_validation_pubkeys"] = keys
	}
	for k, v := range map[string]types.String{"oidc_discovery_url": auth.OIDCDiscoveryURL, "jwks_url": auth.JWKSURL, "bound_issuer": auth.BoundIssuer} {
		if v.ValueString() != "" {
			cfg[k] = v.ValueString()
		}
	}
	if len(cfg) > 0 {
		if err := c.WriteAuthConfig(ctx, mount, cfg); err != nil {
			vaultError(ctx, c, diags, "Cannot configure the JWT auth method", "write (create/update)", vault.AuthConfigPath(mount), err)
			return false
		}
	}
	for _, role := range roles {
		if err := c.WriteRole(ctx, mount, role.name, role.params); err != nil {
			vaultError(ctx, c, diags, "Cannot write JWT role", "write (create/update)", vault.RolePath(mount, role.name), err)
			return false
		}
	}
	return true
}

func (r *PlatformResource) priorJWTMount(m *PlatformModel) string {
	if m.JWTAuth.IsNull() || m.JWTAuth.IsUnknown() {
		return "jwt"
	}
	if v, ok := m.JWTAuth.Attributes()["mount"].(types.String); ok && v.ValueString() != "" {
		return strings.Trim(v.ValueString(), "/")
	}
	return "jwt"
}

// readIdentities refreshes jwt_roles from Vault: a role deleted or changed outside Terraform
// shows as a change.
func (r *PlatformResource) readIdentities(ctx context.Context, c *vault.Client, st *PlatformModel, diags *diag.Diagnostics) {
	if st.JWTRoles.IsNull() || st.JWTRoles.IsUnknown() {
		st.JWTRoles = types.MapValueMust(types.StringType, map[string]attr.Value{})
		return
	}
	mount := r.priorJWTMount(st)
	got := map[string]attr.Value{}
	for name := range st.JWTRoles.Elements() {
		data, err := c.ReadRole(ctx, mount, name)
		switch {
		case vault.IsNotFound(err):
			diags.AddWarning("JWT role deleted outside Terraform", fmt.Sprintf("%s no longer exists; the next apply writes it again.", vault.RolePath(mount, name)))
			got[name] = types.StringValue("")
		case err != nil:
			vaultError(ctx, c, diags, "Cannot read JWT role", "read", vault.RolePath(mount, name), err)
			return
		default:
			got[name] = types.StringValue(roleSummary(data))
		}
	}
	st.JWTRoles = types.MapValueMust(types.StringType, got)
}

// deleteIdentities removes the roles and, when this resource enabled it, the JWT auth method.
func (r *PlatformResource) deleteIdentities(ctx context.Context, c *vault.Client, st *PlatformModel, diags *diag.Diagnostics) {
	mount := r.priorJWTMount(st)
	for name := range st.JWTRoles.Elements() {
		if err := c.DeleteRole(ctx, mount, name); err != nil {
			vaultError(ctx, c, diags, "Cannot delete JWT role", "delete", vault.RolePath(mount, name), err)
		}
	}
	if st.JWTManaged.ValueBool() {
		if err := c.DisableAuth(ctx, mount); err != nil {
			vaultError(ctx, c, diags, "Cannot disable the JWT auth method", "delete", vault.AuthPath(mount), err)
		}
	}
}
