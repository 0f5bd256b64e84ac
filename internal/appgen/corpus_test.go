package appgen

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/apptest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// The three injection demonstrations of issue 23, and their class.
const (
	// A newline in a plain_env reason ended the `// safe-default:` comment: the rest ran at start-up.
	injectPrintEnvJS = "x\n  _: (console.log(\"INJECTED\", JSON.stringify(process.env)), z.string().optional()),"
	injectPrintEnvPy = "x\nimport os; print(\"INJECTED\", dict(os.environ))"
	// Code that exits 0 before validation, so a missing secret no longer stops the app.
	injectExitJS = "x\u2028process.exit(0);"
	injectExitPy = "x\rimport sys; print(\"INJECTED\"); sys.exit(0)"
	// A backtick in a default closed the Go struct tag.
	injectGoTag = "x`}; func init() { println(\"INJECTED\"); os.Exit(0) }; type x_y struct { q string `"
)

// nastyText is the seed corpus of free text: quotes, backslashes, backticks, comment and
// string terminators of each target, template syntax, separators, control characters,
// non-ASCII. Each is used as a plain default and as a reason.
var nastyText = []string{
	"", " ", "plain", `"`, `'`, "`", `\`, `x\`, `\\`, `\n`, `\u2028`, `\x60`, `\"`, `'''`, `"""`,
	`${process.exit(0)}`, "`${1}`", `*/ process.exit(0) /*`, `</script><script>alert(1)</script>`,
	`"); process.exit(0); ("`, `'); import os; os._exit(0); ('`, `%s %d %v %q`, `{{.}}`, `{% raw %}`,
	`# not a comment`, `// not a comment`, `-- x`, `| a | b |`, `[link](http://evil)`, `**bold** _it_ ~~s~~`,
	`<!-- x -->`, `&amp; &#10; &#x2028;`, `$(id)`, "#!/bin/sh", "https://api.stripe.com/v1?x=1&y=2#f", "vault:8200",
	"é 中文 😀 \u00a0 \ufeff", "\u0000", "\t", "\n", "\r", "\r\n", "\x1b[31mred", "\u0085", "\u2028", "\u2029",
	"a\u202eb", "\u200b", "\x7f",
	injectPrintEnvJS, injectPrintEnvPy, injectExitJS, injectExitPy, injectGoTag,
}

// nastyEnvNames are valid env names that clash with something in one runtime or another:
// the generated code's own identifiers, names the old Go field mapping merged, reserved words.
var nastyEnvNames = []string{"PYDANTIC_V2", "_PYDANTIC_V2", "CONFIG", "DB_HOST", "DB__HOST", "DB_HOST_", "A", "X1", "URL_PATTERN",
	"INT_PATTERN", "VARIABLES", "SETTINGS", "MODEL_CONFIG", "FIELD", "NONE", "TRUE", "CONSTRUCTOR", "PROTO", "PROTOTYPE",
	"TYPE", "FUNC", "ERRORS", "OS", "LOAD", "MUST_LOAD", "ENV_SCHEMA", "Z"}

// nastyApp is an app whose names come through eso.Render (the plan-time path) and whose plain
// entries carry every corpus text as default and reason, bypassing the plan-time refusal of
// control characters: the encoders alone must render it inert. It returns the app, the secrets'
// env names and each plain entry's default.
func nastyApp(t *testing.T) (App, []string, map[string]string) {
	t.Helper()
	a := eso.App{Environment: "prod", Service: "nasty", Access: "eso", Namespace: "nasty",
		Fields:   map[string][]string{"database/app": {"password", "username", "host"}, "jwt/signing-key": {"private_key"}},
		EnvNames: map[string]string{"database/app.password": "PYDANTIC_V2", "database/app.username": "DB_HOST", "database/app.host": "CONFIG", "jwt/signing-key.private_key": "SETTINGS"}}
	defaults := map[string]string{}
	for _, n := range nastyEnvNames {
		if policy.ValidateEnvName(n) != nil || n == "PYDANTIC_V2" || n == "DB_HOST" || n == "CONFIG" || n == "SETTINGS" {
			continue
		}
		a.Plain = append(a.Plain, eso.PlainEnv{Name: n, Default: "d-" + strings.ToLower(n), Reason: "plain"})
		defaults[n] = "d-" + strings.ToLower(n)
	}
	m, err := eso.Render(a)
	if err != nil {
		t.Fatal(err)
	}
	printable := []string{"d-x1"}
	for _, s := range nastyText {
		if s != "" && policy.ValidateText("", s) == nil {
			printable = append(printable, s)
		}
	}
	vars, err := VarsOf(a, m, map[string]policy.Rule{"A": {Type: policy.TypeString, MinLength: 3}, "X1": {Type: policy.TypeEnum, Values: printable}})
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for _, v := range vars {
		if v.Secret {
			secrets = append(secrets, v.Name)
		}
	}
	for i, s := range nastyText {
		name := fmt.Sprintf("TEXT_%d", i)
		vars = append(vars, Var{Name: name, Default: s, Reason: s, Rule: policy.Rule{Type: policy.TypeString}, Source: "safe default"})
		defaults[name] = s
	}
	vars = append(vars, Var{Name: "ENUM_NASTY", Default: injectGoTag, Reason: injectExitJS, Rule: policy.Rule{Type: policy.TypeEnum, Values: nastyText}})
	defaults["ENUM_NASTY"] = injectGoTag
	return App{Environment: "prod", Service: "nasty", Access: "eso", Vars: vars, Paths: PathsOf(m)}, secrets, defaults
}

// Every corpus text and env name through the real consumers, one build per runtime: the app
// starts when every secret is set and loads each declared default byte for byte; it stops
// naming a missing secret; no injected code runs and no secret value is printed.
func TestValidatorsUnderRealRuntimes_nastyInputs(t *testing.T) {
	rt := needRuntimes(t)
	app, secrets, defaults := nastyApp(t)
	runners := map[string]runner{
		"node+zod":           nodeRunner(t, rt["MOSAIC_NODE_MODULES"], TypeScript(app)),
		"python+pydantic-v2": pythonRunner(t, rt["MOSAIC_PYTHON_V2"], Python(app)),
		"python+pydantic-v1": pythonRunner(t, rt["MOSAIC_PYTHON_V1"], Python(app)),
		"go+envconfig":       goRunner(t, Go(app)),
	}
	names := make([]string, 0, len(defaults))
	for n := range defaults {
		names = append(names, n)
	}
	env := func() map[string]string {
		e := map[string]string{"MOSAIC_DUMP_NAMES": strings.Join(names, ",")}
		for i, s := range secrets {
			e[s] = fmt.Sprintf("marker-%d-\"'`\\$x-0123456789abcdefghijklmnopqrstuvwxyz", i) // long enough for any minimum
		}
		return e
	}
	for name, run := range runners {
		t.Run(name, func(t *testing.T) {
			clean := func(what, out string) {
				t.Helper()
				for _, line := range strings.Split(out, "\n") {
					if strings.Contains(line, "INJECTED") && !strings.HasPrefix(line, "DUMP ") { // the dump shows the defaults as data
						t.Errorf("%s: injected code ran:\n%s", what, out)
					}
				}
				for _, s := range secrets {
					if strings.Contains(out, env()[s]) {
						t.Errorf("%s: the output contains the value of %s", what, s)
					}
				}
			}
			code, out := run(t, env())
			clean("all set", out)
			if code != 0 {
				t.Fatalf("all set: exit %d:\n%s", code, out)
			}
			got := dumped(t, out)
			for n, want := range defaults {
				if g, ok := got[n].(string); !ok || g != want {
					t.Errorf("%s: loaded %q, declared default %q", n, got[n], want)
				}
			}
			for _, missing := range secrets {
				e := env()
				delete(e, missing)
				code, out := run(t, e)
				clean("missing "+missing, out)
				if code == 0 || !strings.Contains(out, missing+" is required") {
					t.Errorf("%s missing: exit %d, output:\n%s", missing, code, out)
				}
			}
		})
	}
}

func dumped(t *testing.T, out string) map[string]any { return apptest.Dump(t, out) }
