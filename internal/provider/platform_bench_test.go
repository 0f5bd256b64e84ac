package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// The platform's plan-time work at the bench's shape (bench/platform.go): 5,000 services in
// each of three environments, pipelines of 10 services, namespaces of 50, no environment-wide
// CI writer. `go test -run '^$' -bench PlatformDesired -cpuprofile cpu.out ./internal/provider/`
// profiles it.
func BenchmarkPlatformDesired(b *testing.B) {
	ctx := context.Background()
	m := benchPlatformModel(5000, 10, 50)
	r := &PlatformResource{}
	for b.Loop() {
		var diags diag.Diagnostics
		p := r.desired(ctx, m, &diags)
		if diags.HasError() || len(p.digests) != 1800 || len(p.id.roles) != 1800 {
			b.Fatalf("%d errors: %d identity policies, %d roles", diags.ErrorsCount(), len(p.digests), len(p.id.roles))
		}
	}
}

func benchPlatformModel(services, perPipeline, perNamespace int) *PlatformModel {
	envs := []string{"dev", "staging", "prod"}
	names := make([]attr.Value, services)
	for i := range names {
		names[i] = types.StringValue(fmt.Sprintf("svc-%04d", i))
	}
	slice := func(from, n int) types.List {
		return types.ListValueMust(types.StringType, names[from:min(services, from+n)])
	}
	svcs, ci, eso := map[string]attr.Value{}, map[string]attr.Value{}, map[string]attr.Value{}
	ciType, esoType := types.ObjectType{AttrTypes: ciIdentityAttrTypes}, types.ObjectType{AttrTypes: esoIdentityAttrTypes}
	aud := func(a string) types.List {
		return types.ListValueMust(types.StringType, []attr.Value{types.StringValue(a)})
	}
	for _, env := range envs {
		svcs[env] = types.ListValueMust(types.StringType, names)
		for i := 0; i*perPipeline < services; i++ {
			p := fmt.Sprintf("p-%04d", i)
			ci[env+"/"+p] = types.ObjectValueMust(ciIdentityAttrTypes, map[string]attr.Value{
				"issuer": types.StringValue("github"), "services": slice(i*perPipeline, perPipeline), "bound_audiences": aud("https://github.com/acme"),
				"bound_subject": types.StringValue("repo:acme/" + p + ":environment:" + env), "bound_claims": types.MapNull(types.StringType),
				"bound_claims_type": types.StringNull(), "user_claim": types.StringNull(), "token_ttl": types.StringNull()})
		}
		for i := 0; i*perNamespace < services; i++ {
			eso[fmt.Sprintf("%s/ns-%03d", env, i)] = types.ObjectValueMust(esoIdentityAttrTypes, map[string]attr.Value{
				"issuer": types.StringValue("cluster-" + env), "services": slice(i*perNamespace, perNamespace), "service_account": types.StringNull(),
				"bound_audiences": aud("vault"), "token_ttl": types.StringNull()})
		}
	}
	issuers := map[string]attr.Value{}
	issuer := func(name, iss, key string, envs types.List) {
		issuers[name] = types.ObjectValueMust(issuerAttrTypes, map[string]attr.Value{"mount": types.StringNull(), "bound_issuer": types.StringValue(iss),
			"jwt_validation_pubkeys": types.ListValueMust(types.StringType, []attr.Value{types.StringValue(key)}), "oidc_discovery_url": types.StringNull(),
			"jwks_url": types.StringNull(), "environments": envs})
	}
	issuer("github", "https://token.actions.githubusercontent.com", "key-github", types.ListNull(types.StringType))
	for _, env := range envs {
		issuer("cluster-"+env, "https://kubernetes."+env+".example", "key-"+env, types.ListValueMust(types.StringType, []attr.Value{types.StringValue(env)}))
	}
	envList := make([]attr.Value, len(envs))
	for i, e := range envs {
		envList[i] = types.StringValue(e)
	}
	return &PlatformModel{
		Environments: types.ListValueMust(types.StringType, envList), EnvironmentCIWriters: types.BoolValue(false),
		Services:          types.MapValueMust(types.ListType{ElemType: types.StringType}, svcs),
		AppExtraReadPaths: types.MapNull(types.MapType{ElemType: types.ListType{ElemType: types.StringType}}),
		Issuers:           types.MapValueMust(types.ObjectType{AttrTypes: issuerAttrTypes}, issuers),
		CIIdentities:      types.MapValueMust(ciType, ci), ESOIdentities: types.MapValueMust(esoType, eso),
		// as in a configuration: what it does not set is null
		ID: types.StringNull(), MaxVersions: types.Int64Null(), AllowDestroyWithSecrets: types.BoolNull(), AppRoleMount: types.StringNull(),
		Mounts: types.MapNull(types.StringType), ESOReaderPolicies: types.MapNull(types.StringType), CIWriterPolicies: types.MapNull(types.StringType),
		IdentityPolicyDigests: types.MapNull(types.StringType),
		AppRoleManaged:        types.BoolNull(), JWTAuth: types.ObjectNull(jwtAuthAttrTypes), ManagedAuthMounts: types.ListNull(types.StringType),
		IssuerConfigs: types.MapNull(types.StringType), JWTRoles: types.MapNull(types.StringType), OwnerID: types.StringNull(),
	}
}

// BenchmarkPlatformPlanCreate is Terraform's plan of the bench's platform over the plugin
// protocol (validation, defaults, ModifyPlan), without Vault: `-bench PlatformPlan -cpuprofile`.
func BenchmarkPlatformPlanCreate(b *testing.B) { benchPlatformPlan(b, false) }

func benchPlatformPlan(b *testing.B, noChange bool) {
	for _, n := range []int{500, 1000, 2000, 5000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ctx := context.Background()
			srv, err := NewServerWithError("bench")()
			if err != nil {
				b.Fatal(err)
			}
			schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
			if err != nil {
				b.Fatal(err)
			}
			typ := schemas.ResourceSchemas["mosaic_platform"].ValueType()
			var sr resource.SchemaResponse
			(&PlatformResource{}).Schema(ctx, resource.SchemaRequest{}, &sr)
			cfg := tfsdk.Plan{Schema: sr.Schema, Raw: tftypes.NewValue(typ, nil)}
			if d := cfg.Set(ctx, benchPlatformModel(n, 10, 50)); d.HasError() {
				b.Fatal(d)
			}
			config := dynamic(b, typ, cfg.Raw)
			prior := dynamic(b, typ, tftypes.NewValue(typ, nil))
			if noChange {
				resp, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: "mosaic_platform", Config: config, PriorState: prior, ProposedNewState: config,
				})
				if err != nil || len(resp.Diagnostics) > 0 {
					b.Fatalf("plan: %v %v", err, resp.Diagnostics)
				}
				planned, err := resp.PlannedState.Unmarshal(typ)
				if err != nil {
					b.Fatal(err)
				}
				prior = dynamic(b, typ, appliedState(b, planned))
			}
			proposed := config
			if noChange {
				proposed = prior
			}
			b.ResetTimer()
			for b.Loop() {
				v, err := srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "mosaic_platform", Config: config})
				if err != nil || len(v.Diagnostics) > 0 {
					b.Fatalf("validate: %v %v", err, v.Diagnostics)
				}
				resp, err := srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
					TypeName: "mosaic_platform", Config: config, PriorState: prior, ProposedNewState: proposed,
				})
				if err != nil || len(resp.Diagnostics) > 0 {
					b.Fatalf("plan: %v %v", err, resp.Diagnostics)
				}
			}
		})
	}
}

// BenchmarkPlatformPlanNoChange is the same platform planned against its own state (a plan
// -refresh=false after apply): the provider's share of a no-change plan.
func BenchmarkPlatformPlanNoChange(b *testing.B) { benchPlatformPlan(b, true) }

// appliedState is a planned state as apply leaves it: what the plan left unknown, known.
func appliedState(b *testing.B, v tftypes.Value) tftypes.Value {
	out, err := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		switch {
		case v.IsKnown():
			return v, nil
		case v.Type().Is(tftypes.String):
			return tftypes.NewValue(tftypes.String, "owner"), nil
		case v.Type().Is(tftypes.Bool):
			return tftypes.NewValue(tftypes.Bool, false), nil
		case v.Type().Is(tftypes.List{ElementType: tftypes.String}):
			return tftypes.NewValue(v.Type(), []tftypes.Value{}), nil
		}
		return v, nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}
