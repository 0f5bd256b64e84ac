package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/appsync"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// ValidateConfig checks the rules that span attributes; single-attribute rules are validators
// in the schema. Unknown values are skipped: they are checked again once known.
func (r *AppSecretsResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var m AppSecretsModel
	resp.Diagnostics.Append(appModels.get(ctx, req.Config.Schema, req.Config.Raw, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	for _, attrName := range []string{"secrets", "secrets_wo"} {
		secrets := m.Secrets
		if attrName == "secrets_wo" {
			secrets = m.SecretsWO
		}
		validateSecretsMap(path.Root(attrName), secrets, &resp.Diagnostics)
	}
	validateOutside(&m, &resp.Diagnostics)

	access := m.Access.ValueString()
	if m.Access.IsNull() {
		access = policy.AccessESO
	}
	if !m.Access.IsUnknown() && !m.DirectVaultJustification.IsUnknown() && policy.ValidateAccess(access) == nil {
		if err := policy.ValidateJustification(access, m.DirectVaultJustification.ValueString()); err != nil {
			at := path.Root("direct_vault_justification")
			if m.DirectVaultJustification.IsNull() {
				at = path.Root("access") // the attribute that asks for one, since the justification is absent
			}
			resp.Diagnostics.AddAttributeError(at, "Breaks the secrets policy", err.Error())
		}
	}
	if !m.Access.IsUnknown() && access != policy.AccessDirectVault {
		if !m.AppRole.IsNull() {
			resp.Diagnostics.AddAttributeError(path.Root("approle"), "approle needs direct-vault",
				"approle configures the AppRole of a Direct-Vault app; with access = \"eso\" no AppRole is made. Remove approle, or set access = \"direct-vault\" with a justification.")
		}
		for name, v := range map[string]types.String{"secret_id_rotation": m.SecretIDRotation, "secret_id_emergency_rotation": m.SecretIDEmergency, "secret_id_grace_period": m.SecretIDGracePeriod} {
			if !v.IsNull() {
				resp.Diagnostics.AddAttributeError(path.Root(name), name+" needs direct-vault",
					"Only Direct-Vault apps have a secret_id to rotate. Remove "+name+", or set access = \"direct-vault\".")
			}
		}
	}
	if !m.AppRole.IsNull() && !m.AppRole.IsUnknown() {
		ar := appRoleModelOf(m.AppRole)
		s := policy.DefaultAppRole
		known := true
		for _, p := range []struct {
			v   types.String
			dst *string
		}{{ar.TokenTTL, &s.TokenTTL}, {ar.TokenMaxTTL, &s.TokenMaxTTL}, {ar.SecretIDTTL, &s.SecretIDTTL}} {
			if p.v.IsUnknown() {
				known = false
			} else if !p.v.IsNull() {
				*p.dst = p.v.ValueString()
			}
		}
		// Errors inside approle are reported on approle: Terraform can point at an attribute
		// of the configuration, not inside an object value; the message names the field.
		if known {
			if _, err := policy.ValidateTTLs(s); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("approle"), "Breaks the secrets policy", err.Error())
			}
			validateSecretIDTTL(s.SecretIDTTL, m.SecretIDGracePeriod, &resp.Diagnostics)
		}
		if n := ar.SecretIDNumUses; !n.IsNull() && !n.IsUnknown() && n.ValueInt64() < 0 {
			resp.Diagnostics.AddAttributeError(path.Root("approle"), "Invalid secret_id_num_uses",
				fmt.Sprintf("secret_id_num_uses is %d; it must be 0 (unlimited) or more.", n.ValueInt64()))
		}
		for field, list := range map[string]types.List{"token_bound_cidrs": ar.TokenBoundCIDRs, "secret_id_bound_cidrs": ar.SecretIDBoundCIDRs} {
			for _, v := range list.Elements() {
				if c, ok := v.(types.String); ok && !c.IsNull() && !c.IsUnknown() {
					if err := policy.ValidateCIDR(field, c.ValueString()); err != nil {
						resp.Diagnostics.AddAttributeError(path.Root("approle"), "Breaks the secrets policy", err.Error())
					}
				}
			}
		}
	}
	if !m.ExtraReadPaths.IsNull() && !m.ExtraReadPaths.IsUnknown() && !m.Environment.IsUnknown() && !m.Service.IsUnknown() &&
		policy.ValidateEnvironment(m.Environment.ValueString()) == nil {
		for i, v := range m.ExtraReadPaths.Elements() {
			s, ok := v.(types.String)
			if !ok || s.IsUnknown() || s.IsNull() {
				continue
			}
			if err := policy.ValidateExtraReadPath(m.Environment.ValueString(), m.Service.ValueString(), s.ValueString()); err != nil {
				resp.Diagnostics.AddAttributeError(path.Root("extra_read_paths").AtListIndex(i), "Breaks the secrets policy", err.Error())
			}
		}
	}
}

// validateSecretIDTTL warns when secret_ids would expire by themselves within a rotation's grace:
// the previous one would die before the pods have the new one.
func validateSecretIDTTL(ttl string, grace types.String, diags *diag.Diagnostics) {
	if grace.IsUnknown() {
		return
	}
	g, d := appsync.DefaultGrace, time.Duration(0)
	var err error
	if !grace.IsNull() {
		if g, err = policy.ParseDuration("secret_id_grace_period", grace.ValueString()); err != nil {
			return
		}
	}
	if d, err = policy.ParseDuration("secret_id_ttl", ttl); err != nil || d == 0 || d > g {
		return
	}
	diags.AddAttributeWarning(path.Root("approle"), "secret_id_ttl shorter than the grace",
		fmt.Sprintf("approle.secret_id_ttl (%s) is not longer than secret_id_grace_period (%s): every secret_id expires by itself before a rotation's grace ends, "+
			"and the app is cut off between its expiry and the next apply. Set secret_id_ttl to your rotation period plus the grace.", d, g))
}

// validateSecretsMap checks keys ("component/secret-name") and field names of a secrets map.
func validateSecretsMap(at path.Path, secrets types.Map, diags *diag.Diagnostics) {
	if secrets.IsNull() || secrets.IsUnknown() {
		return
	}
	for key, v := range secrets.Elements() {
		if _, _, err := policy.ParseKey(key); err != nil {
			diags.AddAttributeError(at.AtMapKey(key), "Breaks the secrets policy", err.Error())
			continue
		}
		fields, ok := v.(types.Map)
		if !ok || fields.IsUnknown() {
			continue
		}
		if fields.IsNull() || len(fields.Elements()) == 0 {
			diags.AddAttributeError(at.AtMapKey(key), "Empty secret",
				fmt.Sprintf("Secret %q has no fields; give it at least one (e.g. password = ...) or remove the key.", key))
			continue
		}
		component, _, _ := strings.Cut(key, "/")
		for field, value := range fields.Elements() {
			if value.IsNull() {
				diags.AddAttributeError(at.AtMapKey(key), "Null secret value",
					fmt.Sprintf("Field %q of secret %q is null; give it a value, or remove the field. (A variable without a value, or a null from another resource?)", field, key))
				continue
			}
			if err := policy.ValidateFieldName(field); err != nil {
				// On the secret (Terraform cannot point inside its object value); the message names the field.
				diags.AddAttributeError(at.AtMapKey(key), "Breaks the secrets policy", fmt.Sprintf("secret %q: %s", key, err))
				continue
			}
			if std := policy.FieldWarning(component, field); std != "" {
				diags.AddAttributeWarning(at.AtMapKey(key), "Non-standard field name",
					fmt.Sprintf("Field %q under %q: the standard name is %q. Consistent names let ESO manifests and apps agree.", field, component, std))
			}
		}
	}
}

// validateOutside checks external_secrets and migrate_from: valid keys and field names, valid
// legacy sources, and no key declared twice across secrets, secrets_wo, external_secrets and
// migrate_from.
func validateOutside(m *AppSecretsModel, diags *diag.Diagnostics) {
	owner := map[string]string{}
	claim := func(attr string, at path.Path, key string) {
		if first, taken := owner[key]; taken {
			diags.AddAttributeError(at, "Secret declared twice",
				fmt.Sprintf("Secret %q is in %s and in %s: its values come from exactly one place (Terraform, people, or a migration). Keep it in one.", key, first, attr))
			return
		}
		owner[key] = attr
	}
	for _, attrName := range []string{"secrets", "secrets_wo", "external_secrets", "migrate_from"} {
		v := map[string]types.Map{"secrets": m.Secrets, "secrets_wo": m.SecretsWO, "external_secrets": m.ExternalSecrets, "migrate_from": m.MigrateFrom}[attrName]
		if v.IsNull() || v.IsUnknown() {
			continue
		}
		for _, key := range sortedKeys(v) {
			claim(attrName, path.Root(attrName).AtMapKey(key), key)
		}
	}
	env, service := m.Environment.ValueString(), m.Service.ValueString()
	known := !m.Environment.IsUnknown() && !m.Service.IsUnknown() && policy.ValidateEnvironment(env) == nil
	for key, v := range m.ExternalSecrets.Elements() {
		at := path.Root("external_secrets").AtMapKey(key)
		component, _, err := policy.ParseKey(key)
		if err != nil {
			diags.AddAttributeError(at, "Breaks the secrets policy", err.Error())
			continue
		}
		l, ok := v.(types.List)
		if !ok || l.IsUnknown() {
			continue
		}
		if len(l.Elements()) == 0 {
			diags.AddAttributeError(at, "No fields", fmt.Sprintf("External secret %q declares no field; list the fields the app needs.", key))
		}
		for _, e := range l.Elements() {
			f, ok := e.(types.String)
			if !ok || f.IsUnknown() || f.IsNull() {
				continue
			}
			if err := policy.ValidateFieldName(f.ValueString()); err != nil {
				diags.AddAttributeError(at, "Breaks the secrets policy", fmt.Sprintf("external secret %q: %s", key, err))
			} else if std := policy.FieldWarning(component, f.ValueString()); std != "" {
				diags.AddAttributeWarning(at, "Non-standard field name",
					fmt.Sprintf("Field %q under %q: the standard name is %q. Consistent names let ESO manifests and apps agree.", f.ValueString(), component, std))
			}
		}
	}
	for key, v := range m.MigrateFrom.Elements() {
		at := path.Root("migrate_from").AtMapKey(key)
		if _, _, err := policy.ParseKey(key); err != nil {
			diags.AddAttributeError(at, "Breaks the secrets policy", err.Error())
			continue
		}
		src, ok := v.(types.String)
		if !ok || src.IsUnknown() || src.IsNull() || !known {
			continue
		}
		// Whether a source that names no service is allowed is the provider's to say
		// (allowed_migration_sources): the plan checks that rule, once the provider is configured.
		var v *policy.Violation
		if err := policy.ValidateMigrationSource(env, service, src.ValueString()); err != nil && (!errors.As(err, &v) || v.Rule != "migration-foreign-source") {
			diags.AddAttributeError(at, "Breaks the secrets policy", err.Error())
		}
	}
	if !m.MigrateDeleteSource.IsNull() && m.MigrateFrom.IsNull() {
		diags.AddAttributeError(path.Root("migrate_delete_source"), "migrate_delete_source without migrate_from",
			"migrate_delete_source deletes the sources of migrate_from; there is none. Remove it.")
	}
}
