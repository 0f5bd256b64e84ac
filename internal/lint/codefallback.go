package lint

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Rule 1 in code and templates: a secret read from the environment (or a config key) that falls
// back to a literal when unset, in the form each language and template engine writes it. Only
// secret-named values count here: `process.env.PORT || 3000` is a convenience default.
type codeFallback struct {
	applies func(base, ext string) bool
	re      *regexp.Regexp
	// name and value are the submatch numbers of the variable (or key) and of the literal.
	name, value int
	// sameVar, when set, is the submatch that must equal name (Go: if x == "" { x = "..." }).
	sameVar int
}

func exts(list ...string) func(base, ext string) bool {
	return func(base, ext string) bool {
		for _, e := range list {
			if e == ext || e == base {
				return true
			}
		}
		return false
	}
}

var jsExt = exts(".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte")

// springFile: Spring Boot configuration and code, where ${NAME:default} is a fallback.
func springFile(base, ext string) bool {
	if ext == ".properties" || ext == ".java" || ext == ".kt" {
		return true
	}
	return (ext == ".yml" || ext == ".yaml") && (strings.HasPrefix(base, "application") || strings.HasPrefix(base, "bootstrap"))
}

// helmTemplate: Go templates of a chart (and any file with template actions on .Values).
func helmTemplate(base, ext string) bool {
	return ext == ".tpl" || ext == ".yaml" || ext == ".yml" || ext == ".txt"
}

const lit = `(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|` + "`([^`$]*)`" + `)`

var codeFallbackForms = []codeFallback{
	// JavaScript / TypeScript: process.env.X || 'lit', process.env["X"] ?? "lit", import.meta.env.X || 'lit'
	{jsExt, regexp.MustCompile(`(?:process\.env|import\.meta\.env)(?:\.([A-Za-z_$][\w$]*)|\[\s*['"]([^'"]+)['"]\s*\])\s*(?:\|\||\?\?)\s*` + lit), 1, 3, 0},
	// Python: os.environ.get('X', 'lit'), os.getenv('X', default='lit'), env('X', default='lit'), config('X', default='lit')
	{exts(".py"), regexp.MustCompile(`(?:os\.environ\.get|os\.getenv|getenv|environ\.get|env(?:\.str)?|config)\(\s*['"]([^'"]+)['"]()\s*,\s*(?:default\s*=\s*)?` + lit), 1, 3, 0},
	// Ruby: ENV.fetch('X', 'lit'), ENV.fetch('X') { 'lit' }, ENV['X'] || 'lit'
	{exts(".rb", ".erb", ".rake", "Rakefile", "Gemfile"), regexp.MustCompile(`ENV(?:\.fetch\(\s*['"]([^'"]+)['"]\s*(?:,\s*|\)\s*\{\s*)|\[\s*['"]([^'"]+)['"]\s*\]\s*\|\|\s*)` + lit), 1, 3, 0},
	// Go: viper.SetDefault("jwt-secret", "lit")
	{exts(".go"), regexp.MustCompile(`\.SetDefault\(\s*"([^"]+)"()\s*,\s*` + lit), 1, 3, 0},
	// Go: flag.String("jwt-secret", "lit", ...), fs.StringVar(&x, "jwt-secret", "lit", ...)
	{exts(".go"), regexp.MustCompile(`\.String(?:Var\(\s*&?[\w.]+\s*,)?\(?\s*"([^"]+)"()\s*,\s*` + lit + `\s*,`), 1, 3, 0},
	// Go (pflag): fs.StringP("jwt-secret", "j", "lit", ...), StringVarP(&x, "jwt-secret", "j", "lit", ...)
	{exts(".go"), regexp.MustCompile(`\.String(?:VarP\(\s*&?[\w.]+\s*,|P\()\s*"([^"]+)"()\s*,\s*"[^"]*"\s*,\s*` + lit + `\s*,`), 1, 3, 0},
	// Go: if cfg.Secret == "" { cfg.Secret = "lit" }
	{exts(".go"), regexp.MustCompile(`if\s+([\w.]+)\s*==\s*""\s*\{\s*([\w.]+)\s*=\s*` + lit), 1, 3, 2},
	// Go: cmp.Or(os.Getenv("X"), "lit")
	{exts(".go"), regexp.MustCompile(`cmp\.Or\(\s*os\.Getenv\(\s*"([^"]+)"\s*\)()\s*,\s*` + lit), 1, 3, 0},
	// Spring: ${DB_PASSWORD:changeme} (properties, application.yml, @Value)
	{springFile, regexp.MustCompile(`\$\{([A-Za-z_][\w.\-]*)():([^}$:?\-+][^}$]*|)\}`), 1, 3, 0},
	// Helm: {{ .Values.db.password | default "lit" }}, {{ default "lit" .Values.db.password }}
	{helmTemplate, regexp.MustCompile(`\{\{-?\s*\.Values((?:\.[\w-]+)+)()\s*\|\s*default\s+` + lit), 1, 3, 0},
	{helmTemplate, regexp.MustCompile(`\{\{-?\s*default\s+()` + lit + `\s+\.Values((?:\.[\w-]+)+)`), 5, 2, 0},
}

// codeFallbacks finds secret-named values that fall back to a literal in code and templates.
func codeFallbacks(name string, data []byte, lines []string) []Finding {
	base, ext := path.Base(name), path.Ext(name)
	text := string(data)
	var out []Finding
	var starts []int // line start offsets, computed on first use
	for _, c := range codeFallbackForms {
		if !c.applies(base, ext) {
			continue
		}
		for _, m := range c.re.FindAllStringSubmatchIndex(text, -1) {
			ns, ne := firstGroup(m, c.name, c.name+1)
			vs, ve := firstGroup(m, c.value, c.value+2)
			if ns == ne {
				continue
			}
			v := text[ns:ne]
			if c.sameVar > 0 && text[m[2*c.sameVar]:m[2*c.sameVar+1]] != v {
				continue
			}
			val := text[vs:ve]
			if !SecretName(strings.TrimPrefix(v, ".")) || strings.Contains(val, "${") || strings.HasPrefix(val, "$") {
				continue
			}
			if starts == nil {
				starts = lineStarts(text)
			}
			line, col := position(starts, m[0])
			if tagged(lines[line-1]) || commentOnly(lines[line-1]) {
				continue
			}
			out = append(out, Finding{Rule: RuleFallbackDefault, File: name, Line: line, Column: col,
				Message: fmt.Sprintf("%s falls back to a literal when it is unset: a secret must fail fast, not start with a default", strings.TrimPrefix(v, ".")),
				Fix:     "drop the default and fail at startup when it is missing (the startup validator), so the value comes only from the Secret ESO syncs"})
		}
	}
	return out
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// position turns a byte offset into a 1-based line and column.
func position(starts []int, off int) (int, int) {
	lo, hi := 0, len(starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - starts[lo] + 1
}
