package policy

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// AppPolicy renders the ACL policy of an app: read on its own secrets, read/list on their
// metadata, read on each extra path, and nothing else. The output is deterministic (extra
// paths sorted and de-duplicated), so it diffs cleanly in a plan.
func AppPolicy(env, service string, extraReadPaths []string) string {
	mount := mountPrefix + env
	var b strings.Builder
	b.WriteString(AppPolicyHeader(env, service))
	b.WriteString("# Read-only access to the app's own secrets; nothing else.\n")
	writeRule(&b, mount+"/data/"+service+"/*", "read")
	writeRule(&b, mount+"/metadata/"+service+"/*", "read", "list")
	extra := slices.Clone(extraReadPaths)
	slices.Sort(extra)
	for _, p := range slices.Compact(extra) {
		writeRule(&b, p, "read")
	}
	return b.String()
}

// AppPolicyHeader is the first line of every app policy the provider writes: it marks the
// policy as the provider's, for that app.
func AppPolicyHeader(env, service string) string {
	return fmt.Sprintf("# Managed by terraform-provider-mosaic: app %q in %s. Do not edit by hand.\n", service, env)
}

func writeRule(b *strings.Builder, path string, caps ...string) {
	quoted := make([]string, len(caps))
	for i, c := range caps {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	fmt.Fprintf(b, "\npath %q {\n  capabilities = [%s]\n}\n", path, strings.Join(quoted, ", "))
}

// ExtraReadPathsOf recovers the extra read paths from a policy that AppPolicy rendered: every
// rule other than the app's own two. It lets import rebuild extra_read_paths from Vault.
func ExtraReadPathsOf(env, service, policyText string) []string {
	mount := mountPrefix + env
	own := map[string]bool{mount + "/data/" + service + "/*": true, mount + "/metadata/" + service + "/*": true}
	var out []string
	for _, line := range strings.Split(policyText, "\n") {
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "path \"")
		if !ok {
			continue
		}
		p, _, ok := strings.Cut(rest, "\"")
		if ok && !own[p] {
			out = append(out, p)
		}
	}
	return out
}

// ESOReaderPolicyName is the name of an environment's ESO reader policy.
func ESOReaderPolicyName(env string) string { return esoReaderPrefix + "-" + env }

const (
	esoReaderPrefix = "eso-reader"
	ciWriterPrefix  = "ci-writer"
)

// ESOReaderPolicy renders the policy External Secrets Operator reads an environment with:
// read and list on that environment's mount only, bootstrap entries included.
func ESOReaderPolicy(env string) string {
	mount := mountPrefix + env
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: External Secrets Operator reader for %s. Do not edit by hand.\n", env)
	b.WriteString("# Read and list on this environment's mount only.\n")
	writeRule(&b, mount+"/data/*", "read")
	writeRule(&b, mount+"/metadata/*", "read", "list")
	return b.String()
}

// CIWriterPolicyName is the name of an environment's CI writer policy.
func CIWriterPolicyName(env string) string { return ciWriterPrefix + "-" + env }

// CIWriterPolicy renders what a pipeline needs to apply mosaic_app_secrets for the given
// services (service -> its extra read paths) in one environment, and nothing more:
//   - KV: data, metadata, delete and undelete under each listed service's own paths and its
//     bootstrap entry; nothing mount-wide, so one app's pipeline cannot read or purge another's.
//   - its app policies, pinned with allowed_parameters to the exact text AppPolicy renders for
//     the service and its extra paths: the pipeline can write or repair the policy, never widen it.
//   - its AppRole roles, with allowed_parameters: token_policies can only be the app's own policy,
//     the token and secret_id lifetimes only DefaultAppRole's (a stolen pipeline token cannot
//     leave itself a role with 10-year tokens or unlimited secret_id uses), and the role
//     parameters the provider does not set (token_type, period, policies...) are denied; on the role's sub-paths only role-id read, secret-id minting (metadata only), and
//     secret-id lookups and destroy.
//
// Vault's ACL globs match only at the end of a path, so a "*-{env}" rule cannot be written: the
// services are listed, which is also least privilege.
func CIWriterPolicy(env, approleMount string, services map[string][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: CI writer for %s. Do not edit by hand.\n", env)
	b.WriteString("# What a pipeline needs to apply mosaic_app_secrets for the listed services in this environment and no other.\n")
	ciWriterRules(&b, env, approleMount, services)
	return b.String()
}

// ciWriterRules writes the rules of CIWriterPolicy for services.
func ciWriterRules(b *strings.Builder, env, approleMount string, services map[string][]string) {
	mount := mountPrefix + env
	writeRule(b, "sys/mounts/"+mount, "read")
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		name := PolicyName(env, svc)
		fmt.Fprintf(b, "\n# %s\n", svc)
		for _, tree := range []string{svc, svc + BootstrapSuffix} {
			writeRule(b, mount+"/data/"+tree+"/*", "create", "read", "update", "delete")
			writeRule(b, mount+"/metadata/"+tree+"/*", "create", "read", "update", "delete", "list")
			writeRule(b, mount+"/delete/"+tree+"/*", "update")
			writeRule(b, mount+"/undelete/"+tree+"/*", "update")
		}
		writeRuleParams(b, "sys/policies/acl/"+name, []string{"create", "read", "update", "delete"},
			map[string][]string{"policy": {hclString(AppPolicy(env, svc, services[svc]))}})
		role := "auth/" + approleMount + "/role/" + name
		d := DefaultAppRole
		writeRuleParams(b, role, []string{"create", "read", "update", "delete"}, map[string][]string{
			"token_policies": {hclString(name)}, "token_ttl": {hclString(d.TokenTTL)}, "token_max_ttl": {hclString(d.TokenMaxTTL)},
			"secret_id_ttl": {hclString(d.SecretIDTTL)}, "secret_id_num_uses": {hclString("0")},
			"token_bound_cidrs": nil, "secret_id_bound_cidrs": nil, "bind_secret_id": {"true"},
		})
		writeRule(b, role+"/role-id", "read")
		writeRuleParams(b, role+"/secret-id", []string{"update", "list"}, map[string][]string{"metadata": nil})
		writeRule(b, role+"/secret-id/lookup", "update")
		writeRule(b, role+"/secret-id-accessor/destroy", "update")
	}
}

// writeRuleParams writes a rule with allowed_parameters: each parameter to its allowed values,
// already in HCL syntax (nil: any value); parameters not listed are denied.
func writeRuleParams(b *strings.Builder, path string, caps []string, params map[string][]string) {
	quoted := make([]string, len(caps))
	for i, c := range caps {
		quoted[i] = fmt.Sprintf("%q", c)
	}
	fmt.Fprintf(b, "\npath %q {\n  capabilities = [%s]\n  allowed_parameters = {\n", path, strings.Join(quoted, ", "))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		fmt.Fprintf(b, "    %q = [%s]\n", k, strings.Join(params[k], ", "))
	}
	b.WriteString("  }\n}\n")
}

// hclString quotes s as a string of Vault's policy language (HCL 1): backslash, quote and
// newline escaped. (The texts quoted here are rendered by this package and hold no "${".)
func hclString(s string) string {
	return `"` + hclEscaper.Replace(s) + `"`
}

// hclEscaper is built once: building a Replacer costs more than using it, and a platform of
// thousands of services quotes thousands of texts per plan.
var hclEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
