package policy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestValidateCIBinding(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		b          Binding
		env        string
		errAttr    string // "" when accepted
		errHas     string
		warnings   int
		warningHas string
	}{
		"protected environment subject": {b: Binding{Subject: "repo:acme/web:environment:prod"}},
		"repository claim":              {b: Binding{Claims: map[string]string{"repository": "acme/web", "ref": "refs/heads/main"}}},
		"repository_id claim":           {b: Binding{Claims: map[string]string{"repository_id": "4242"}}},
		"gitlab project_path":           {b: Binding{Claims: map[string]string{"project_path": "acme/web", "ref_protected": "true"}}},
		"gitlab project_id":             {b: Binding{Claims: map[string]string{"project_id": "17"}}},
		"sub claim":                     {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:environment:prod"}}},
		"glob after the repository":     {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:*"}, Glob: true}},
		"only a ref":                    {b: Binding{Claims: map[string]string{"ref": "refs/heads/main"}}, errAttr: "bound_claims", errHas: "any repository"},
		"only an event and a ref":       {b: Binding{Claims: map[string]string{"ref": "refs/heads/main", "event_name": "push"}}, errAttr: "bound_claims", errHas: "event_name, ref"},
		"only an environment":           {b: Binding{Claims: map[string]string{"environment": "prod"}}, errAttr: "bound_claims", errHas: "must name its pipeline"},
		"nothing":                       {b: Binding{}, errAttr: "bound_claims", errHas: "its audience"},
		"empty repository":              {b: Binding{Claims: map[string]string{"repository": " "}}, errAttr: "bound_claims"},
		"glob repository":               {b: Binding{Claims: map[string]string{"repository": "acme/*"}, Glob: true}, errAttr: "bound_claims", errHas: "does not pin"},
		"glob in the repository of sub": {b: Binding{Claims: map[string]string{"sub": "repo:acme/*"}, Glob: true}, errAttr: "bound_claims", errHas: "does not pin"},
		"glob sub everything":           {b: Binding{Claims: map[string]string{"sub": "*"}, Glob: true}, errAttr: "bound_claims"},
		"literal star warns":            {b: Binding{Claims: map[string]string{"repository": "acme/web", "ref": "refs/heads/*"}}, warnings: 1, warningHas: "literally"},
		"literal star in subject warns": {b: Binding{Subject: "repo:acme/web:*"}, warnings: 1, warningHas: "bound_subject"},
		"prod environment glob in sub": {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:environment:prod*"}, Glob: true}, env: "prod",
			errAttr: "bound_claims", errHas: "other GitHub environments"},
		"prod environment claim glob": {b: Binding{Claims: map[string]string{"repository": "acme/web", "environment": "prod*"}, Glob: true}, env: "prod",
			errAttr: "bound_claims", errHas: `bound_claims["environment"] = "prod*"`},
		"prod glob after the repository": {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:*"}, Glob: true}, env: "prod",
			errAttr: "bound_claims", errHas: "repo:ORG/REPO:environment:prod"},
		"prod glob next to a subject": {b: Binding{Subject: "repo:acme/web:environment:prod", Claims: map[string]string{"sub": "repo:acme/web:environment:p*"}, Glob: true},
			env: "prod", errAttr: "bound_claims", errHas: "other GitHub environments"},
		"prod exact environment under glob": {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:environment:prod", "ref": "refs/heads/*"}, Glob: true}, env: "prod"},
		"staging environment glob warns": {b: Binding{Claims: map[string]string{"sub": "repo:acme/g6:environment:staging*"}, Glob: true}, env: "staging",
			warnings: 1, warningHas: "other GitHub environments"},
		"dev environment claim glob warns": {b: Binding{Claims: map[string]string{"repository": "acme/web", "environment": "*"}, Glob: true}, env: "dev",
			warnings: 1, warningHas: "other GitHub environments"},
		"dev glob after the repository":   {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:*"}, Glob: true}, env: "dev"},
		"prod literal star is not a glob": {b: Binding{Claims: map[string]string{"sub": "repo:acme/web:environment:prod*"}}, env: "prod", warnings: 1, warningHas: "literally"},
		"glob star does not warn":         {b: Binding{Claims: map[string]string{"repository": "acme/web", "ref": "refs/heads/*"}, Glob: true}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			errs, warns := ValidateCIBinding(tc.b, tc.env)
			switch {
			case tc.errAttr == "" && len(errs) > 0:
				t.Fatalf("refused: %v", errs)
			case tc.errAttr != "" && (len(errs) != 1 || errs[0].Attr != tc.errAttr || !strings.Contains(errs[0].Msg, tc.errHas)):
				t.Fatalf("errors %v, want one on %s containing %q", errs, tc.errAttr, tc.errHas)
			}
			if len(warns) != tc.warnings || (tc.warnings > 0 && !strings.Contains(warns[0].Msg, tc.warningHas)) {
				t.Fatalf("warnings %v, want %d containing %q", warns, tc.warnings, tc.warningHas)
			}
		})
	}
}

func TestOverlap(t *testing.T) {
	t.Parallel()
	sub := func(iss, s string) Binding { return Binding{Issuer: iss, Subject: s} }
	claims := func(iss string, glob bool, kv ...string) Binding {
		c := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i]] = kv[i+1]
		}
		return Binding{Issuer: iss, Claims: c, Glob: glob}
	}
	for name, tc := range map[string]struct {
		a, b Binding
		want bool
	}{
		"same subject, same issuer":         {sub("gh", "repo:a/b:environment:prod"), sub("gh", "repo:a/b:environment:prod"), true},
		"same subject, other issuer":        {sub("dev", "system:serviceaccount:shop:eso"), sub("prod", "system:serviceaccount:shop:eso"), false},
		"different subjects":                {sub("gh", "repo:a/b:environment:prod"), sub("gh", "repo:a/b:environment:dev"), false},
		"subject vs sub claim, same":        {sub("gh", "repo:a/b:ref:x"), claims("gh", false, "sub", "repo:a/b:ref:x"), true},
		"repository only vs env subject":    {claims("gh", false, "repository", "a/b"), sub("gh", "repo:a/b:environment:prod"), true},
		"same repository, other env claim":  {claims("gh", false, "repository", "a/b", "environment", "dev"), claims("gh", false, "repository", "a/b", "environment", "prod"), false},
		"other repositories":                {claims("gh", false, "repository", "a/b"), claims("gh", false, "repository", "a/c"), false},
		"glob matches the other's literal":  {claims("gh", true, "sub", "repo:a/b:*"), sub("gh", "repo:a/b:environment:prod"), true},
		"glob misses the other's literal":   {claims("gh", true, "sub", "repo:a/b:*"), sub("gh", "repo:a/c:environment:prod"), false},
		"two globs with a common prefix":    {claims("gh", true, "sub", "repo:a/*"), claims("gh", true, "sub", "repo:a/b:*"), true},
		"two globs with disjoint prefixes":  {claims("gh", true, "sub", "repo:a/b:*"), claims("gh", true, "sub", "repo:a/c:*"), false},
		"literal star under string type":    {claims("gh", false, "sub", "repo:a/*"), sub("gh", "repo:a/b"), false},
		"no binding at all vs anything":     {claims("gh", false), sub("gh", "x"), true},
		"glob in the middle, matching":      {claims("gh", true, "sub", "repo:*:environment:prod"), sub("gh", "repo:a/b:environment:prod"), true},
		"glob in the middle, not matching":  {claims("gh", true, "sub", "repo:*:environment:prod"), sub("gh", "repo:a/b:environment:dev"), false},
		"glob with suffix on a short value": {claims("gh", true, "sub", "ab*ba"), sub("gh", "aba"), false},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got, back := Overlap(tc.a, tc.b), Overlap(tc.b, tc.a); got != tc.want || back != tc.want {
				t.Fatalf("Overlap = %v / %v, want %v", got, back, tc.want)
			}
		})
	}
}

func TestValidateIssuers(t *testing.T) {
	t.Parallel()
	ok := func(name, iss, key string) Issuer {
		return Issuer{Name: name, Mount: DefaultIssuerMount(name), BoundIssuer: iss, Pubkeys: []string{key}}
	}
	for name, tc := range map[string]struct {
		issuers  []Issuer
		bad      string // issuer name with the error, "" for none
		attr, is string
	}{
		"three issuers": {issuers: []Issuer{ok("github", "https://gh", "K1"), ok("dev", "https://dev", "K2"), ok("prod", "https://prod", "K3")}},
		"discovery":     {issuers: []Issuer{{Name: "github", Mount: "jwt", BoundIssuer: "https://gh", DiscoveryURL: "https://gh"}}},
		"no key source": {issuers: []Issuer{{Name: "github", Mount: "jwt", BoundIssuer: "https://gh"}}, bad: "github", attr: "jwt_validation_pubkeys", is: "0 key sources"},
		"two key sources": {issuers: []Issuer{{Name: "github", Mount: "jwt", BoundIssuer: "https://gh", DiscoveryURL: "https://gh", Pubkeys: []string{"K"}}},
			bad: "github", attr: "jwt_validation_pubkeys", is: "2 key sources"},
		"no bound_issuer":        {issuers: []Issuer{ok("github", "", "K1")}, bad: "github", attr: "bound_issuer", is: "needs bound_issuer"},
		"shared key":             {issuers: []Issuer{ok("dev", "https://dev", "K1"), ok("prod", "https://prod", " K1\n")}, bad: "prod", is: "share a public key"},
		"shared bound_issuer":    {issuers: []Issuer{ok("dev", "https://k8s", "K1"), ok("prod", "https://k8s", "K2")}, bad: "prod", is: "share a bound_issuer"},
		"shared mount":           {issuers: []Issuer{ok("dev", "https://dev", "K1"), {Name: "prod", Mount: "jwt-dev", BoundIssuer: "https://prod", Pubkeys: []string{"K2"}}}, bad: "prod", is: "share a mount"},
		"the approle mount":      {issuers: []Issuer{{Name: "gh", Mount: "approle", BoundIssuer: "https://gh", Pubkeys: []string{"K"}}}, bad: "gh", attr: "mount"},
		"mount with a newline":   {issuers: []Issuer{{Name: "gh", Mount: "jwt\nx", BoundIssuer: "https://gh", Pubkeys: []string{"K"}}}, bad: "gh", attr: "mount"},
		"unknown environment":    {issuers: []Issuer{{Name: "gh", Mount: "jwt", BoundIssuer: "https://gh", Pubkeys: []string{"K"}, Environments: []string{"qa"}}}, bad: "gh", attr: "environments"},
		"issuer name not kebab":  {issuers: []Issuer{ok("Git_Hub", "https://gh", "K")}, bad: "Git_Hub", is: "kebab-case"},
		"same discovery url":     {issuers: []Issuer{{Name: "a", Mount: "a", BoundIssuer: "https://a", DiscoveryURL: "https://x"}, {Name: "b", Mount: "b", BoundIssuer: "https://b", DiscoveryURL: "https://x"}}, bad: "b", is: "oidc_discovery_url"},
		"different jwks and pem": {issuers: []Issuer{{Name: "a", Mount: "a", BoundIssuer: "https://a", JWKSURL: "https://x/keys"}, ok("b", "https://b", "K")}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			errs := ValidateIssuers(tc.issuers, "approle")
			if tc.bad == "" {
				if len(errs) > 0 {
					t.Fatalf("refused: %v", errs)
				}
				return
			}
			e := errs[tc.bad]
			if len(errs) != 1 || e == nil || e.Attr != tc.attr || !strings.Contains(e.Error(), tc.is) {
				t.Fatalf("errors %v, want one on %s.%s containing %q", errs, tc.bad, tc.attr, tc.is)
			}
		})
	}
}

func TestIdentityKeyAndPolicies(t *testing.T) {
	t.Parallel()
	if env, name, err := IdentityKey("pipeline", "prod/web"); err != nil || env != "prod" || name != "web" {
		t.Fatalf("prod/web: %q %q %v", env, name, err)
	}
	for _, bad := range []string{"prod", "production/web", "prod/Web", "prod/", "prod/web/x"} {
		if _, _, err := IdentityKey("pipeline", bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	p := ESONamespacePolicy("prod", "shop", []string{"web", "api", "web"})
	for _, want := range []string{`"secret-prod/data/web/*"`, `"secret-prod/data/web-bootstrap/*"`, `"secret-prod/data/api/*"`} {
		if !strings.Contains(p, want) {
			t.Errorf("namespace policy lacks %s:\n%s", want, p)
		}
	}
	if strings.Contains(p, `"secret-prod/data/*"`) || strings.Count(p, "# web\n") != 1 {
		t.Errorf("namespace policy reaches beyond its apps or repeats one:\n%s", p)
	}
	ci := CIPipelinePolicy("prod", "web", "approle", map[string][]string{"web": nil})
	if !strings.Contains(ci, `"secret-prod/data/web/*"`) || strings.Contains(ci, "billing") || !strings.Contains(ci, `pipeline "web"`) {
		t.Errorf("pipeline policy:\n%s", ci)
	}
	if got := PlatformMarkerOwner(PlatformMarker("ABC123")); got != "ABC123" {
		t.Errorf("marker owner %q", got)
	}
	if PlatformMarkerOwner(`path "x" {}`) != "" {
		t.Error("a policy that is not a marker has an owner")
	}
}

// Overlaps finds exactly the pairs that comparing every binding with every earlier one finds,
// on random bindings mixing literal and glob subjects, sub claims and other claims.
func TestOverlapsMatchesPairwise(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	for round := range 200 {
		bs := make([]Binding, 40)
		for i := range bs {
			b := Binding{Issuer: pick("gh", "gl"), Subject: pick("", "", "repo:a", "repo:b", "repo:a*"), Claims: map[string]string{}, Glob: rng.IntN(2) == 0}
			if v := pick("", "repo:a", "repo:b", "repo:*", "repo:a*"); v != "" {
				b.Claims["sub"] = v
			}
			if v := pick("", "x", "y", "*"); v != "" {
				b.Claims["repository"] = v
			}
			bs[i] = b
		}
		got := Overlaps(bs)
		for i := range bs {
			var want []int
			for j := range bs[:i] {
				if Overlap(bs[i], bs[j]) {
					want = append(want, j)
				}
			}
			if !slices.Equal(got[i], want) {
				t.Fatalf("round %d, binding %d %+v: Overlaps = %v, pairwise = %v", round, i, bs[i], got[i], want)
			}
		}
	}
}
