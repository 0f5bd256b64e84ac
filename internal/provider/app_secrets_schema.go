package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/mapvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// Schema of mosaic_app_secrets: every attribute with the description its docs are built from.
func (r *AppSecretsResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	emptyList := listdefault.StaticValue(types.ListValueMust(types.StringType, []attr.Value{}))
	resp.Schema = schema.Schema{
		MarkdownDescription: "One app's secrets in one environment, declared once: each secret at its canonical KV v2 path " +
			"(`secret-{env}/{service}/{component}/{secret-name}`), the app's read-only ACL policy, and for `direct-vault` apps " +
			"an AppRole, a secret_id and the bootstrap entry that ESO syncs. Every name, path and setting is checked against " +
			"the secrets policy at plan time; nothing is written to Vault unless the whole declaration passes.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`{mount}/{service}`, e.g. `secret-prod/backend-api`; also the import ID. Each secret's canonical path is `{id}/{key}`, e.g. `secret-prod/backend-api/database/app`.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"environment": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "`dev`, `staging` or `prod`. The KV mount follows from it (`secret-prod`). Changing it replaces the resource.",
				Validators:          []validator.String{environmentValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"service": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The app's name, lowercase kebab-case (`backend-api`); may not end in `-bootstrap`. Changing it replaces the resource.",
				Validators:          []validator.String{serviceValidator()},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"secrets": schema.MapAttribute{
				Optional:    true,
				Sensitive:   true,
				ElementType: types.MapType{ElemType: types.StringType},
				MarkdownDescription: "The app's secrets: `\"component/secret-name\"` to a map of field to value, e.g. " +
					"`{ \"database/app\" = { username = \"app\", password = var.db_password } }`. Values are stored in " +
					"Terraform state (marked sensitive); prefer `secrets_wo` where your Terraform is 1.11 or newer. A value " +
					"changed in Vault outside Terraform shows in the next plan. Conflicts with `secrets_wo`.",
				Validators: []validator.Map{mapvalidator.ConflictsWith(path.MatchRoot("secrets_wo"))},
			},
			"secrets_wo": schema.MapAttribute{
				Optional:    true,
				WriteOnly:   true,
				ElementType: types.MapType{ElemType: types.StringType},
				MarkdownDescription: "Write-only form of `secrets` (Terraform >= 1.11): same shape, but the values are never " +
					"stored in the plan or the state. Because Terraform cannot compare write-only values, a changed value is " +
					"only written when `secrets_wo_version` changes: bump it to roll out new values. Adding or removing a key " +
					"is seen without a bump. Use this for every real credential; use `secrets` only where state is as well " +
					"protected as Vault.",
				Validators: []validator.Map{mapvalidator.AlsoRequires(path.MatchRoot("secrets_wo_version"))},
			},
			"secrets_wo_version": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "Version of the values in `secrets_wo`; required with it. Any change writes every secret again with the current values.",
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRoot("secrets_wo"))},
			},
			"access": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(policy.AccessESO),
				MarkdownDescription: "How the app reads its secrets. `eso` (default): External Secrets Operator syncs them into a " +
					"Kubernetes Secret and the app reads env vars; no AppRole is made. `direct-vault` (opt-in): the app logs in " +
					"to Vault itself with an AppRole whose role_id and secret_id are written to the bootstrap entry " +
					"(`bootstrap_path`) for ESO to sync. Choose `direct-vault` only for dynamic secrets with short leases, STS, " +
					"PKI or per-request audit, and say why in `direct_vault_justification`. Switching creates or removes the " +
					"role, secret_id and bootstrap entry in place.",
				Validators: []validator.String{accessValidator()},
			},
			"direct_vault_justification": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Required with `access = \"direct-vault\"` and rejected otherwise: why the app cannot use " +
					"the ESO bridge, in real words (placeholders such as `todo` or `n/a` are rejected).",
			},
			"extra_read_paths": schema.ListAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				Default:     emptyList,
				MarkdownDescription: "Extra paths the app's policy may read, for dynamic secrets engines, e.g. " +
					"`database/creds/backend-api-role`. Exact shapes only: `{engine}/{verb}/{service}`, `{engine}/{verb}/{service}-role` or `{engine}/{verb}/{service}/*`, with {verb} one of creds, static-creds, sts, issue, sign, token; and " +
					"may not reach another environment's mount, another service, or a `sys/`/`auth/` path.",
			},
			"approle": schema.SingleNestedAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "AppRole settings, only with `access = \"direct-vault\"`; omitted, the policy's defaults " +
					"apply (token_ttl 1h, token_max_ttl 4h, secret_id_ttl 0). A setting changed in Vault shows in the next plan. " +
					"A pipeline's CI writer token may write only these defaults for the four lifetimes (Vault denies other values, so a " +
					"stolen pipeline token cannot give the role 10-year tokens): other values are applied with an administrator's token.",
				Attributes: map[string]schema.Attribute{
					"token_ttl": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(policy.DefaultAppRole.TokenTTL),
						MarkdownDescription: "TTL of the app's Vault tokens (`1h`, `90m`, `3600`). Default `1h`; at most `token_max_ttl`.",
						Validators:          []validator.String{durationValidator("token_ttl")},
					},
					"token_max_ttl": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(policy.DefaultAppRole.TokenMaxTTL),
						MarkdownDescription: "Maximum lifetime of a token including renewals. Default `4h`.",
						Validators:          []validator.String{durationValidator("token_max_ttl")},
					},
					"secret_id_ttl": schema.StringAttribute{
						Optional: true, Computed: true, Default: stringdefault.StaticString(policy.DefaultAppRole.SecretIDTTL),
						MarkdownDescription: "Lifetime of a secret_id; `0` (default) means it does not expire. With a TTL, secret_ids expire by themselves: set it to your rotation period plus `secret_id_grace_period`, so that a forgotten previous one dies anyway. An expired current secret_id shows in the next plan and apply mints a new one.",
						Validators:          []validator.String{durationValidator("secret_id_ttl")},
					},
					"secret_id_num_uses": schema.Int64Attribute{
						Optional: true, Computed: true, Default: int64default.StaticInt64(0),
						MarkdownDescription: "How many logins a secret_id allows; `0` (default) is unlimited. Not negative.",
					},
					"token_bound_cidrs": schema.ListAttribute{
						Optional: true, Computed: true, ElementType: types.StringType, Default: emptyList,
						MarkdownDescription: "CIDR blocks (or single addresses) the app's tokens may be used from.",
					},
					"secret_id_bound_cidrs": schema.ListAttribute{
						Optional: true, Computed: true, ElementType: types.StringType, Default: emptyList,
						MarkdownDescription: "CIDR blocks (or single addresses) the app may log in from.",
					},
				},
			},
			"secret_id_rotation": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Routine rotation: any change of this value mints a new secret_id and writes it to the bootstrap " +
					"entry; the one it replaces stays valid for `secret_id_grace_period` (default `2h`) so that running pods, " +
					"which picked it up from the Kubernetes Secret, keep logging in until ESO has synced the new one and the pods " +
					"have rolled. The first plan after the grace shows it going and that apply destroys it; with `approle.secret_id_ttl` " +
					"it also expires by itself. Use a date or a counter (`\"2026-11\"`) on your schedule. Only with `direct-vault`.",
			},
			"secret_id_grace_period": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "How long the previous secret_id stays valid after a routine rotation has written the new one " +
					"to the bootstrap entry. Unset means `2h`: the bootstrap ExternalSecret's refresh interval (`1h`) plus a rollout. " +
					"`0` destroys it in the same apply (pods that hold it fail at their next login until they have the new one). " +
					"Only with `direct-vault`.",
				Validators: []validator.String{policyStringValidator{description: "must be a duration in Vault's form (2h, 90m, 0)", check: func(s string) error {
					_, err := policy.ParseDuration("secret_id_grace_period", s)
					return err
				}}},
			},
			"secret_id_emergency_rotation": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Emergency rotation, after a suspected leak: any change of this value mints a new secret_id, " +
					"writes it to the bootstrap entry and destroys every other secret_id of the role in the same apply, with no " +
					"grace (previous ones and any minted outside Terraform). The plan warns that pods still holding an old " +
					"secret_id fail at their next login until ESO syncs the new one and they restart. Only with `direct-vault`.",
			},
			"secret_ids": schema.ListNestedAttribute{
				Computed: true,
				MarkdownDescription: "Every secret_id of the role (`direct-vault` only), by accessor, never by value: the `current` " +
					"one (in the bootstrap entry), `previous` ones in their grace, and the ones the next apply destroys: " +
					"`grace-ended`, or `untracked` (minted outside Terraform: drift). The plan shows which will exist and until when.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"accessor": schema.StringAttribute{Computed: true, MarkdownDescription: "The secret_id's accessor."},
					"status":   schema.StringAttribute{Computed: true, MarkdownDescription: "`current`, `previous`, `grace-ended` or `untracked`."},
					"valid_until": schema.StringAttribute{Computed: true, MarkdownDescription: "RFC 3339 time until which it is valid: " +
						"the end of a previous one's grace, or when it expires by itself (`approle.secret_id_ttl`); null for never (until destroyed)."},
				}},
			},
			"delete_all_versions": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "What happens to a secret removed from the declaration, and to every secret on destroy. " +
					"`false` (default, as terraform-provider-vault's `delete_all_versions`): its current version is soft-deleted, " +
					"`vault kv undelete -versions=N {path}` restores it, and older versions stay. `true`: every version and the " +
					"metadata are purged, for good. Either way the plan warns, naming each secret. Secrets found by import and never " +
					"declared are not deleted at all: the first apply leaves them in Vault and drops them from state.",
			},
			"external_secrets": schema.MapAttribute{
				Optional: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Secrets whose values people write outside Terraform (`vault kv put`, the policy's " +
					"\"Writing Secrets\" workflow): `\"component/secret-name\"` to the fields the app needs, e.g. " +
					"`{ \"database/app\" = [\"username\", \"password\", \"host\"] }`. The provider writes no value and keeps none " +
					"in state or plan; it manages the path's place in the policy, the field names (ESO manifests), and checks " +
					"at every plan that the path and each field exist, naming the `vault kv put` to run (without values). A value " +
					"changed by hand is not drift. Destroy and removal leave the values in Vault. A key may not also be in " +
					"`secrets`, `secrets_wo` or `migrate_from`.",
			},
			"external_missing": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString("warning"),
				MarkdownDescription: "What a missing external secret or field is at plan: `warning` (default: the apply goes on, the " +
					"app's policy and role are ready for when the value is written) or `error` (a plan that changes the app fails until it is " +
					"there, so nothing is applied). A plan that changes nothing only warns, so that a destroy (whose refresh plans this way) is never blocked.",
				Validators: []validator.String{stringvalidator.OneOf("warning", "error")},
			},
			"migrate_from": schema.MapAttribute{
				Optional: true, ElementType: types.StringType,
				MarkdownDescription: "One-time copies from legacy paths: `\"component/secret-name\"` to the path to copy from, " +
					"e.g. `{ \"database/app\" = \"secret/database/backend-api\" }` (a KV v2 path such as the deprecated `secret/` " +
					"layout, or a KV v1 mount). The plan reads the source's field names and shows them; apply copies the values " +
					"with check-and-set (never over another secret); the values pass through the provider's memory and never enter " +
					"state, plan or logs. A source must name the service in one of its segments (`secret/k3s/{service}`), never another " +
					"environment, or be listed in the provider's `allowed_migration_sources`. The identity running the apply must read " +
					"the source: the CI writer cannot (see the migration guide). Afterwards the values are not Terraform's: a second apply " +
					"copies nothing, destroy leaves them. The source stays unless `migrate_delete_source`.",
			},
			"migrate_delete_source": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Soft-delete each `migrate_from` source once its copy is in place (`vault kv undelete` restores it), " +
					"also the sources of copies made by an earlier apply: set it after checking the copies, as the migration guide says. " +
					"The plan warns for each source and shows it in `migration_status` as `source-deleted`. KV v2 sources only: a KV v1 " +
					"source cannot be soft-deleted, so it is refused at plan.",
			},
			"migration_status": schema.MapAttribute{
				Computed: true, ElementType: types.StringType,
				MarkdownDescription: "Each key of `migrate_from` to where its migration stands: `copied` (the values are at the " +
					"canonical path; the source is untouched) or `source-deleted` (and the source's current version was soft-deleted, " +
					"`migrate_delete_source`). The plan shows a source about to be soft-deleted as a change to `source-deleted`.",
			},
			"policy_name": computedString("Name of the app's ACL policy: `{service}-{environment}`."),
			"policy": computedString("The rendered ACL policy text: read on the app's own paths and on `extra_read_paths`, " +
				"nothing else. Shown in full in the plan so a reviewer sees every capability granted. Edited in Vault by hand, it shows as a change and apply restores it."),
			"role_name": computedString("Name of the AppRole role (`direct-vault` only): `{service}-{environment}`. Empty when the role in " +
				"Vault is bound to other policies than the app's (drift): the plan shows it set again."),
			"bootstrap_path": computedString("Where the role_id and secret_id are written (`direct-vault` only): `{mount}/{service}-bootstrap/approle/credentials`, outside the app's own read glob."),
			"role_id":        computedString("The role's role_id (`direct-vault` only); not a secret on its own."),
			"secret_id_accessor": computedString("Accessor of the current secret_id (`direct-vault` only). The secret_id itself is " +
				"never stored in state; it exists only in the bootstrap entry."),
			"field_names": schema.MapAttribute{
				Computed: true, ElementType: types.ListType{ElemType: types.StringType},
				MarkdownDescription: "Each secret key to its sorted field names (not sensitive), so a plan shows which fields change without showing a value.",
			},
			"versions": schema.MapAttribute{
				Computed: true, ElementType: types.Int64Type,
				MarkdownDescription: "Each secret key to its current KV version in Vault. A version Terraform did not write means the secret was changed outside Terraform: the plan shows it and apply writes the declared values again.",
			},
		},
	}
}
