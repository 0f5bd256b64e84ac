package policy

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// An identity is an (issuer, subject, claims) triple: a JWT role on the auth mount of one
// issuer, bound to what that issuer signs. These rules decide, at plan time, whether a binding
// names what it must (a CI pipeline, an ESO namespace's service account) and whether a token
// that satisfies one identity's binding could satisfy another's.

// Issuer is a token issuer the platform trusts: one JWT auth mount with one key source and one
// bound_issuer (Vault's JWT auth method takes exactly one of each per mount).
type Issuer struct {
	Name, Mount, BoundIssuer string
	// Exactly one key source.
	Pubkeys               []string
	DiscoveryURL, JWKSURL string
	// Environments it may serve; empty means all.
	Environments []string
}

// IssuerError is a broken issuer rule and the issuer attribute at fault.
type IssuerError struct {
	Attr string
	Err  error
}

func (e *IssuerError) Error() string { return e.Err.Error() }

var authMountRe = regexp.MustCompile(`^[a-z0-9]+([-_/][a-z0-9]+)*$`)

// DefaultIssuerMount is the auth mount of an issuer that names none: "jwt-{issuer}".
func DefaultIssuerMount(issuer string) string { return "jwt-" + issuer }

// ValidateIssuers checks each issuer (exactly one key source, a bound_issuer, a usable mount)
// and that no two issuers share a mount, a bound_issuer or key material: a token one issuer
// signs must not be accepted at another's mount.
func ValidateIssuers(issuers []Issuer, reservedMounts ...string) map[string]*IssuerError {
	errs := map[string]*IssuerError{}
	fail := func(name, attr, format string, args ...any) {
		if errs[name] == nil {
			errs[name] = &IssuerError{Attr: attr, Err: violation("issuer", "", format, args...)}
		}
	}
	seen := map[string]string{} // mount, bound_issuer or key material -> issuer
	for _, iss := range issuers {
		if err := ValidateSegment("issuer name", iss.Name); err != nil {
			fail(iss.Name, "", "%s", err)
			continue
		}
		if !authMountRe.MatchString(iss.Mount) || slices.Contains(reservedMounts, iss.Mount) || iss.Mount == "token" {
			fail(iss.Name, "mount", "issuer %q: mount %q is not a usable auth path of its own (lowercase letters, digits, '-', '_' or '/' between words; not the AppRole or token method)", iss.Name, iss.Mount)
		}
		if strings.TrimSpace(iss.BoundIssuer) == "" || strings.ContainsAny(iss.BoundIssuer, " \t\n") {
			fail(iss.Name, "bound_issuer", "issuer %q needs bound_issuer: the exact `iss` its tokens carry (GitHub Actions: https://token.actions.githubusercontent.com; a cluster: its service account issuer)", iss.Name)
		}
		sources := 0
		for _, set := range []bool{len(iss.Pubkeys) > 0, iss.DiscoveryURL != "", iss.JWKSURL != ""} {
			if set {
				sources++
			}
		}
		if sources != 1 {
			fail(iss.Name, "jwt_validation_pubkeys", "issuer %q has %d key sources: give exactly one of jwt_validation_pubkeys, oidc_discovery_url or jwks_url (Vault verifies a mount's tokens with one)", iss.Name, sources)
		}
		for _, env := range iss.Environments {
			if err := ValidateEnvironment(env); err != nil {
				fail(iss.Name, "environments", "issuer %q: %s", iss.Name, err)
			}
		}
		material := []string{"mount|" + iss.Mount, "bound_issuer|" + iss.BoundIssuer, "oidc_discovery_url|" + iss.DiscoveryURL, "jwks_url|" + iss.JWKSURL}
		for _, k := range iss.Pubkeys {
			material = append(material, "public key|"+strings.Join(strings.Fields(k), ""))
		}
		for _, m := range material {
			if strings.HasSuffix(m, "|") {
				continue
			}
			if other, taken := seen[m]; taken && other != iss.Name {
				what, _, _ := strings.Cut(m, "|")
				fail(iss.Name, "", "issuers %q and %q share a %s: a token of one would be accepted at the other's mount; each issuer gets its own mount, keys and bound_issuer", other, iss.Name, what)
			}
			seen[m] = iss.Name
		}
	}
	return errs
}

// Serves reports whether the issuer may serve env.
func (i Issuer) Serves(env string) bool {
	return len(i.Environments) == 0 || slices.Contains(i.Environments, env)
}

// Binding is what a JWT role demands of a token besides the issuer's signature: a subject
// (bound_subject, always compared literally) and claims (exactly, or as globs when Glob).
// Audiences do not tell identities apart: whoever can get a token from the issuer asks for the
// audience it wants.
type Binding struct {
	Issuer  string
	Subject string
	Claims  map[string]string
	Glob    bool
}

// PipelineClaims are the claims that name a CI pipeline: GitHub Actions' repository and
// repository_id, GitLab's project_path and project_id, and sub of either.
var PipelineClaims = []string{"sub", "repository", "repository_id", "project_path", "project_id"}

// BindingProblem is a weak binding: the attribute at fault and why.
type BindingProblem struct {
	Attr string
	Msg  string
}

// ValidateCIBinding checks that a CI identity names its pipeline: bound_subject, or one of
// PipelineClaims, never only a ref, an event or an environment (any repository's main branch
// would log in). With glob claims the naming value must pin the repository: no `*` in it (in
// sub, none before the repository's segment). It returns the errors and the warnings: a `*`
// compared literally (bound_claims_type = "string", and bound_subject always) is a warning.
// In env, a glob that admits other environments of the repository (see environmentGlob) is an
// error for prod and a warning elsewhere.
func ValidateCIBinding(b Binding, env string) (errs, warnings []BindingProblem) {
	if claim, ok := environmentGlob(b, env); ok {
		p := BindingProblem{"bound_claims", fmt.Sprintf(
			"bound_claims[%q] = %q: with bound_claims_type = \"glob\" its `*` admits other GitHub environments of the repository "+
				"(`prod*` matches `prod-unprotected`), which need not have the protection rules of the one meant. "+
				"Name the environment exactly, e.g. sub = \"repo:ORG/REPO:environment:%s\".", claim, b.Claims[claim], env)}
		if env == "prod" {
			errs = append(errs, p)
		} else {
			warnings = append(warnings, p)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b.Claims)) {
		if strings.Contains(b.Claims[k], "*") && !b.Glob {
			warnings = append(warnings, BindingProblem{"bound_claims", fmt.Sprintf(
				"bound_claims[%q] = %q contains `*`, which Vault compares literally (bound_claims_type = \"string\"): only a token whose claim is that exact text logs in. Set bound_claims_type = \"glob\" if a pattern was meant.", k, b.Claims[k])})
		}
	}
	if strings.Contains(b.Subject, "*") {
		warnings = append(warnings, BindingProblem{"bound_subject", fmt.Sprintf(
			"bound_subject %q contains `*`, which Vault always compares literally: use bound_claims = { sub = ... } with bound_claims_type = \"glob\" for a pattern.", b.Subject)})
	}
	if strings.TrimSpace(b.Subject) != "" {
		return errs, warnings
	}
	var naming []string
	for _, k := range PipelineClaims {
		if v, ok := b.Claims[k]; ok {
			naming = append(naming, k)
			if pinsPipeline(k, v, b.Glob) {
				return errs, warnings
			}
		}
	}
	if len(naming) > 0 {
		return []BindingProblem{{"bound_claims", fmt.Sprintf(
			"bound_claims[%q] = %q does not pin one pipeline: with bound_claims_type = \"glob\" a `*` in it matches other repositories. Name the repository exactly, e.g. sub = \"repo:ORG/REPO:environment:prod\" or repository = \"ORG/REPO\".", naming[0], b.Claims[naming[0]])}}, warnings
	}
	return []BindingProblem{{"bound_claims", fmt.Sprintf(
		"A CI identity must name its pipeline: bind bound_subject, or one of %s in bound_claims (GitHub Actions: sub = \"repo:ORG/REPO:environment:prod\" or repository; GitLab: project_path or project_id). "+
			"Bound only by %s, any repository of the issuer would log in.", strings.Join(PipelineClaims, ", "), describeClaims(b.Claims))}}, warnings
}

// environmentGlob names the glob claim through which a token of another environment of the
// repository could log in: in prod, a `*` anywhere in sub or environment (prod is bound to one
// protected environment, named exactly); elsewhere, a `*` in the environment's name
// (sub = "repo:ORG/REPO:environment:staging*", environment = "staging*"). A glob in sub's
// repository is refused by pinsPipeline already.
func environmentGlob(b Binding, env string) (string, bool) {
	if !b.Glob {
		return "", false
	}
	for _, claim := range []string{"environment", "sub"} {
		v := b.Claims[claim]
		if !strings.Contains(v, "*") {
			continue
		}
		if env == "prod" || claim == "environment" {
			return claim, true
		}
		if _, name, ok := strings.Cut(v, ":environment:"); ok && strings.Contains(name, "*") {
			return claim, true
		}
	}
	return "", false
}

func describeClaims(c map[string]string) string {
	if len(c) == 0 {
		return "its audience"
	}
	return strings.Join(slices.Sorted(maps.Keys(c)), ", ")
}

// pinsPipeline reports whether a naming claim's value pins one pipeline.
func pinsPipeline(claim, value string, glob bool) bool {
	if strings.TrimSpace(value) == "" {
		return false
	}
	if !glob || !strings.Contains(value, "*") {
		return true
	}
	if claim != "sub" {
		return false
	}
	// repo:ORG/REPO:... or project_path:GROUP/PROJECT:...: a glob only after the second segment.
	parts := strings.SplitN(value, ":", 3)
	return len(parts) == 3 && parts[0] != "" && parts[1] != "" && !strings.Contains(parts[0]+parts[1], "*")
}

// ServiceAccountSubject is the sub of a Kubernetes service account token.
func ServiceAccountSubject(namespace, serviceAccount string) string {
	return "system:serviceaccount:" + namespace + ":" + serviceAccount
}

// ValidateKubernetesName checks a namespace or service account name (a DNS-1123 label).
func ValidateKubernetesName(what, name string) error {
	if len(name) > MaxSegmentLength || !dnsLabel.MatchString(name) {
		return violation("kubernetes-name", SuggestSegment(name), "%s %q is not a Kubernetes name (lowercase letters, digits and '-', starting and ending with a letter or digit)", what, name)
	}
	return nil
}

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// Overlap reports whether one token could satisfy both bindings: the same issuer, and no
// subject or claim on which their demands exclude each other.
func Overlap(a, b Binding) bool {
	if a.Issuer != b.Issuer {
		return false
	}
	demands := func(x Binding) map[string][]pattern {
		d := map[string][]pattern{}
		for k, v := range x.Claims {
			d[k] = append(d[k], pattern{v, x.Glob})
		}
		if x.Subject != "" {
			d["sub"] = append(d["sub"], pattern{x.Subject, false})
		}
		return d
	}
	da, db := demands(a), demands(b)
	for k, pa := range da {
		for _, p := range pa {
			for _, q := range db[k] {
				if !p.compatible(q) {
					return false
				}
			}
		}
	}
	return true
}

// Overlaps is, for each binding, the indexes of the earlier bindings it overlaps (Overlap), in
// order. It compares only what could overlap: bindings of one issuer that demand the same
// literal subject, and those that demand no literal subject with every other binding of their
// issuer. Two literal subjects that differ exclude each other (Overlap's compatible), so a
// platform whose identities each bind their own subject costs O(n), not O(n²).
func Overlaps(bs []Binding) [][]int {
	out := make([][]int, len(bs))
	bySubject := map[[2]string][]int{} // issuer, literal subject -> bindings
	byIssuer := map[string][]int{}     // issuer -> bindings
	open := map[string][]int{}         // issuer -> bindings with no literal subject
	for i, a := range bs {
		var candidates []int
		sub, literal := a.literalSubject()
		if literal {
			candidates = slices.Concat(bySubject[[2]string{a.Issuer, sub}], open[a.Issuer])
			slices.Sort(candidates)
			bySubject[[2]string{a.Issuer, sub}] = append(bySubject[[2]string{a.Issuer, sub}], i)
		} else {
			candidates = byIssuer[a.Issuer]
			open[a.Issuer] = append(open[a.Issuer], i)
		}
		byIssuer[a.Issuer] = append(byIssuer[a.Issuer], i)
		for _, j := range candidates {
			if Overlap(a, bs[j]) {
				out[i] = append(out[i], j)
			}
		}
	}
	return out
}

// literalSubject is one subject the binding demands literally (bound_subject, or a sub claim
// that is not a glob), if any: a token it admits carries exactly that sub.
func (b Binding) literalSubject() (string, bool) {
	if b.Subject != "" {
		return b.Subject, true
	}
	if v, ok := b.Claims["sub"]; ok && (!b.Glob || !strings.Contains(v, "*")) {
		return v, true
	}
	return "", false
}

type pattern struct {
	v    string
	glob bool
}

// compatible reports whether one value could match both patterns (conservative for two globs).
func (p pattern) compatible(q pattern) bool {
	pg, qg := p.glob && strings.Contains(p.v, "*"), q.glob && strings.Contains(q.v, "*")
	switch {
	case !pg && !qg:
		return p.v == q.v
	case pg && !qg:
		return globMatch(p.v, q.v)
	case !pg && qg:
		return globMatch(q.v, p.v)
	}
	pp, _, _ := strings.Cut(p.v, "*")
	qp, _, _ := strings.Cut(q.v, "*")
	return strings.HasPrefix(pp, qp) || strings.HasPrefix(qp, pp)
}

// globMatch matches s against a pattern where `*` is any run of characters (Vault's
// bound_claims_type = "glob").
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for i, p := range parts[1:] {
		if i == len(parts)-2 {
			return strings.HasSuffix(s, p)
		}
		j := strings.Index(s, p)
		if j < 0 {
			return false
		}
		s = s[j+len(p):]
	}
	return s == ""
}

// IdentityKey splits an identity's key "{env}/{name}" (name: a CI pipeline or a Kubernetes
// namespace) and checks both parts.
func IdentityKey(what, key string) (env, name string, err error) {
	env, name, ok := strings.Cut(key, "/")
	if !ok {
		return "", "", violation("identity-key", "", "key %q must be \"{environment}/{%s}\", e.g. \"prod/web\": one identity per %s and environment, with the issuer it trusts", key, what, what)
	}
	if err := ValidateEnvironment(env); err != nil {
		return "", "", err
	}
	if what == "namespace" {
		err = ValidateKubernetesName("namespace", name)
	} else {
		err = ValidateSegment(what, name)
	}
	return env, name, err
}

// CIPipelinePolicyName is the policy (and JWT role) of one pipeline in env: ci-writer-{env}-{pipeline}.
func CIPipelinePolicyName(env, pipeline string) string {
	return CIWriterPolicyName(env) + "-" + pipeline
}

// ESONamespacePolicyName is the policy (and JWT role) of ESO in one namespace: eso-reader-{env}-{namespace}.
func ESONamespacePolicyName(env, namespace string) string {
	return ESOReaderPolicyName(env) + "-" + namespace
}

// ESONamespacePolicy renders what ESO may read for one namespace: the secrets and bootstrap
// entries of the apps deployed there, nothing else of the environment.
func ESONamespacePolicy(env, namespace string, services []string) string {
	mount := mountPrefix + env
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: External Secrets Operator reader for namespace %q in %s. Do not edit by hand.\n", namespace, env)
	b.WriteString("# Read on the secrets and bootstrap entries of the apps deployed in this namespace only.\n")
	svcs := slices.Clone(services)
	slices.Sort(svcs)
	for _, svc := range slices.Compact(svcs) {
		fmt.Fprintf(&b, "\n# %s\n", svc)
		for _, tree := range []string{svc, svc + BootstrapSuffix} {
			writeRule(&b, mount+"/data/"+tree+"/*", "read")
			writeRule(&b, mount+"/metadata/"+tree+"/*", "read", "list")
		}
	}
	return b.String()
}

// CIPipelinePolicy renders the CI writer policy of one pipeline: CIWriterPolicy's rules for
// that pipeline's services only.
func CIPipelinePolicy(env, pipeline, approleMount string, services map[string][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Managed by terraform-provider-mosaic: CI writer of pipeline %q in %s. Do not edit by hand.\n", pipeline, env)
	b.WriteString("# What this pipeline needs to apply mosaic_app_secrets for its own services and no other.\n")
	ciWriterRules(&b, env, approleMount, services)
	return b.String()
}

// PlatformMarkerPolicy is the name of the policy that marks a Vault as managed by one
// mosaic_platform: its text names the owner, so a second platform refuses to take over.
const PlatformMarkerPolicy = "mosaic-platform"

// PlatformMarker renders the marker policy of owner (it grants nothing).
func PlatformMarker(owner string) string {
	return fmt.Sprintf("# Managed by terraform-provider-mosaic: this Vault's mosaic_platform is owner %s. Do not edit by hand.\n"+
		"# It grants nothing; a second mosaic_platform refuses to take over while it exists.\n"+
		"path \"sys/mosaic-platform-marker\" {\n  capabilities = [\"deny\"]\n}\n", owner)
}

// PlatformMarkerOwner reads the owner back from a marker policy ("" when it is not one).
func PlatformMarkerOwner(text string) string {
	_, rest, ok := strings.Cut(text, "mosaic_platform is owner ")
	if !ok {
		return ""
	}
	owner, _, _ := strings.Cut(rest, ".")
	return owner
}
