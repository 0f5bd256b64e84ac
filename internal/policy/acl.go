package policy

import (
	"fmt"
	"slices"
	"strings"
)

// AppPolicy renders the ACL policy of an app: read on its own secrets, read/list on their
// metadata, read on each extra path, and nothing else. The output is deterministic (extra
// paths sorted and de-duplicated), so it diffs cleanly in a plan.
func AppPolicy(env, service string, extraReadPaths []string) string {
	mount := mountPrefix + env
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: app %q in %s. Do not edit by hand.\n", service, env)
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
func ESOReaderPolicyName(env string) string { return "eso-reader-" + env }

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
func CIWriterPolicyName(env string) string { return "ci-writer-" + env }

// CIWriterPolicy renders what a pipeline needs to apply mosaic_app_secrets for the given
// services in one environment and no other: the environment's KV mount, the mount check, and
// exactly the policies and AppRole roles named "{service}-{env}". Vault's ACL globs match only
// at the end of a path, so a "*-{env}" rule cannot be written: the services are listed, which is
// also least privilege (a pipeline cannot touch an app the platform did not declare).
func CIWriterPolicy(env, approleMount string, services []string) string {
	mount := mountPrefix + env
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: CI writer for %s. Do not edit by hand.\n", env)
	b.WriteString("# What a pipeline needs to apply mosaic_app_secrets in this environment and no other.\n")
	writeRule(&b, mount+"/data/*", "create", "read", "update", "delete")
	writeRule(&b, mount+"/metadata/*", "create", "read", "update", "delete", "list")
	writeRule(&b, "sys/mounts/"+mount, "read")
	svcs := slices.Clone(services)
	slices.Sort(svcs)
	for _, svc := range slices.Compact(svcs) {
		name := PolicyName(env, svc)
		writeRule(&b, "sys/policies/acl/"+name, "create", "read", "update", "delete")
		writeRule(&b, "auth/"+approleMount+"/role/"+name, "create", "read", "update", "delete")
		writeRule(&b, "auth/"+approleMount+"/role/"+name+"/*", "create", "read", "update")
	}
	return b.String()
}
