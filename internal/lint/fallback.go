package lint

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Interpolation is one ${...} reference in a value: Var, the operator (":-", "-", ":?", "?",
// ":+", "+" or "" for a plain ${VAR}), the default or message after it, and its byte offset.
type Interpolation struct {
	Var, Op, Arg string
	Offset, End  int
}

// Fallback reports whether the interpolation substitutes a default when the variable is unset
// (or empty): the silent fallback the policy forbids for required values.
func (i Interpolation) Fallback() bool { return i.Op == ":-" || i.Op == "-" }

// ParseInterpolations finds the ${...} references of s, as compose and shells read them:
// "$${" is an escaped literal, a default may itself hold ${...}. It runs in linear time: the
// closing brace of every "${" is found in one pass with a stack, before the references are read.
func ParseInterpolations(s string) []Interpolation {
	if !strings.Contains(s, "${") {
		return nil
	}
	closing := matchBraces(s)
	var out []Interpolation
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		if s[i+1] == '$' { // "$$" is a literal dollar
			i++
			continue
		}
		if s[i+1] != '{' {
			continue
		}
		j := i + 2
		for j < len(s) && (s[j] == '_' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
			j++
		}
		if j == i+2 || j >= len(s) {
			continue
		}
		name := s[i+2 : j]
		op := ""
		switch {
		case s[j] == '}':
			out = append(out, Interpolation{Var: name, Offset: i, End: j + 1})
			i = j
			continue
		case s[j] == ':' && j+1 < len(s) && strings.ContainsRune("-?+", rune(s[j+1])):
			op = s[j : j+2]
		case strings.ContainsRune("-?+", rune(s[j])):
			op = s[j : j+1]
		default:
			continue
		}
		k := closing[i+1]
		if k < 0 {
			continue // unterminated
		}
		out = append(out, Interpolation{Var: name, Op: op, Arg: s[j+len(op) : k], Offset: i, End: k + 1})
		i = k
	}
	return out
}

// matchBraces maps the offset of each "{" that follows a "$" to its closing "}" (nested "${"
// counted), or -1; other offsets are -1.
func matchBraces(s string) []int {
	closing := make([]int, len(s))
	var stack []int
	for k := range len(s) {
		closing[k] = -1
		switch {
		case s[k] == '{' && k > 0 && s[k-1] == '$':
			stack = append(stack, k)
		case s[k] == '}' && len(stack) > 0:
			closing[stack[len(stack)-1]] = k
			stack = stack[:len(stack)-1]
		}
	}
	return closing
}

// fallbackDefaults is rule 1: YAML files are parsed (block scalars, lists of KEY=value, maps,
// anchors) and every scalar's interpolations located on their line; env files, and YAML that
// does not parse (Helm templates), are read line by line.
func fallbackDefaults(name string, data []byte, lines []string, k kind) []Finding {
	if k.envExample {
		return nil
	}
	if k.yaml {
		var doc yaml.Node
		dec := yaml.NewDecoder(strings.NewReader(string(data)))
		var scalars []*yaml.Node
		parsed := true
		for {
			doc = yaml.Node{}
			if err := dec.Decode(&doc); err != nil {
				if err.Error() != "EOF" {
					parsed = false
				}
				break
			}
			collectScalars(&doc, &scalars)
		}
		if parsed {
			return fallbackInScalars(name, lines, scalars)
		}
	}
	var out []Finding
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		for _, in := range ParseInterpolations(line) {
			if in.Fallback() && !tagged(line) {
				out = append(out, fallbackFinding(name, i+1, in.Offset+1, in))
			}
		}
	}
	return out
}

func collectScalars(n *yaml.Node, out *[]*yaml.Node) {
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.Contains(n.Value, "${") {
			*out = append(*out, n)
		}
	case yaml.AliasNode:
		return // the anchor it points to is visited where it is defined
	default:
		for _, c := range n.Content {
			collectScalars(c, out)
		}
	}
}

// fallbackInScalars places each fallback of each scalar on its line of the file: the scalar's
// text is found from the scalar's first line on.
func fallbackInScalars(name string, lines []string, scalars []*yaml.Node) []Finding {
	var out []Finding
	seen := map[[2]int]bool{}
	for _, n := range scalars {
		for _, in := range ParseInterpolations(n.Value) {
			if !in.Fallback() {
				continue
			}
			text := n.Value[in.Offset:in.End]
			// The scalar spans its own lines only: search there, never to the end of the file.
			line, col := locate(lines, n.Line-1, n.Line+strings.Count(n.Value, "\n")+1, text)
			if line < 0 {
				line, col = n.Line-1, n.Column-1
			}
			if seen[[2]int{line, col}] || tagged(lines[line]) {
				continue
			}
			seen[[2]int{line, col}] = true
			out = append(out, fallbackFinding(name, line+1, col+1, in))
		}
	}
	return out
}

// locate finds text on lines [from, to); it returns 0-based line and column, or -1.
func locate(lines []string, from, to int, text string) (int, int) {
	for i := max(from, 0); i < min(to, len(lines)); i++ {
		if c := strings.Index(lines[i], text); c >= 0 {
			return i, c
		}
	}
	return -1, -1
}

// tagged reports whether a line carries the policy's `# safe-default: <reason>` tag.
func tagged(line string) bool {
	i := strings.Index(line, "# "+safeDefaultTag)
	if i < 0 {
		i = strings.Index(line, "#"+safeDefaultTag)
	}
	return i >= 0 && strings.TrimSpace(line[i+strings.Index(line[i:], ":")+1:]) != ""
}

func fallbackFinding(name string, line, col int, in Interpolation) Finding {
	what := fmt.Sprintf("${%s%s%s}", in.Var, in.Op, in.Arg)
	msg := fmt.Sprintf("%s falls back to %q when %s is unset: a required value must fail fast, not start with a default", what, in.Arg, in.Var)
	if in.Arg == "" {
		msg = fmt.Sprintf("%s falls back to an empty value when %s is unset: a required value must fail fast", what, in.Var)
	}
	return Finding{Rule: RuleFallbackDefault, File: name, Line: line, Column: col, Message: msg,
		Fix: fmt.Sprintf("${%s:?%s is required}, or, for a true convenience default, tag the line: # safe-default: <why it is safe>", in.Var, in.Var)}
}
