package appgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// ruleProbes are values on both sides of each rule, where runtimes usually differ: signs,
// leading zeros, spaces, exponent and hex forms of numbers; truthy words for bools; scheme-only
// and opaque URLs; case in enums; characters outside the BMP for lengths.
var ruleProbes = []struct {
	rule   policy.Rule
	values []string
}{
	{policy.Rule{Type: policy.TypePort}, []string{"8080", "1", "65535", "0", "65536", "not-a-port", " 80", "80 ", "080", "+80", "8e3", "0x50", "", "-0", "80.0", "٨٠"}},
	{policy.Rule{Type: policy.TypeInt, Min: -10, Max: 10}, []string{"-10", "10", "-11", "11", "0", "-0", "1_0", "99999999999999999999", "-99999999999999999999"}},
	{policy.Rule{Type: policy.TypeInt}, []string{"9007199254740991", "9007199254740992", "-9007199254740991", "-9007199254740992"}},
	{policy.Rule{Type: policy.TypeBool}, []string{"true", "false", "True", "TRUE", "1", "0", "yes", "on", "", "true "}},
	{policy.Rule{Type: policy.TypeURL}, []string{"https://vault.example.com", "https://vault:8200", "vault:8200", "http://", "https://a b", "HTTPS://X",
		"ftp://x/y?z#w", "//x", "https://user@host", "https://x\n", "https:///path", "h://x", "1http://x", "https://[::1]:8200/v1", "https://é.example"}},
	{policy.Rule{Type: policy.TypeEnum, Values: []string{"a", "b c", "é"}}, []string{"a", "b c", "é", "A", "", "b", "e\u0301"}},
	{policy.Rule{Type: policy.TypeString, MinLength: 3}, []string{"abc", "ab", "é中😀", "😀😀", "ab\u0301", "   ", "a\tb"}},
}

// The typed rules behave identically in node, python (pydantic v2 and v1) and go, with
// policy.Rule.Check as the oracle: one build and one run per runtime, every probe a variable.
func TestRulesAgreeAcrossRuntimes(t *testing.T) {
	rt := needRuntimes(t)
	app := App{Environment: "dev", Service: "rules", Access: "eso"}
	env := map[string]string{}
	want := map[string]bool{} // variable -> rejected
	for i, p := range ruleProbes {
		r, err := p.rule.Normalize("probe")
		if err != nil {
			t.Fatal(err)
		}
		for j, v := range p.values {
			name := fmt.Sprintf("V%02d_%02d", i, j)
			app.Vars = append(app.Vars, Var{Name: name, Secret: true, Rule: r})
			env[name] = v
			want[name] = r.Check(v) != ""
		}
	}
	runners := map[string]runner{
		"node+zod":           nodeRunner(t, rt["MOSAIC_NODE_MODULES"], TypeScript(app)),
		"python+pydantic-v2": pythonRunner(t, rt["MOSAIC_PYTHON_V2"], Python(app)),
		"python+pydantic-v1": pythonRunner(t, rt["MOSAIC_PYTHON_V1"], Python(app)),
		"go+envconfig":       goRunner(t, Go(app)),
	}
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			code, out := run(t, env)
			if code == 0 {
				t.Fatalf("started with invalid values:\n%s", out)
			}
			for v, rejected := range want {
				if got := strings.Contains(out, v+" must"); got != rejected {
					t.Errorf("%s = %q: rejected %v, policy.Rule.Check says %v", v, env[v], got, rejected)
				}
			}
		})
	}
}

func TestRuleCheck(t *testing.T) {
	t.Parallel()
	port, _ := policy.Rule{Type: policy.TypePort}.Normalize("PORT")
	url, _ := policy.Rule{Type: policy.TypeURL}.Normalize("U")
	for v, ok := range map[string]bool{"3000": true, "not-a-port": false, "0": false, "65536": false, "080": false} {
		if (port.Check(v) == "") != ok {
			t.Errorf("port %q: %q", v, port.Check(v))
		}
	}
	for v, ok := range map[string]bool{"https://vault.example.com": true, "vault:8200": false, "https://vault:8200": true} {
		if (url.Check(v) == "") != ok {
			t.Errorf("url %q: %q", v, url.Check(v))
		}
	}
}
