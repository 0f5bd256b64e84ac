package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The app-side rules of the policy ("App-side schema validation"): which environment variable
// names every runtime can hold, which free text may reach generated code and documents, and
// the types a variable can be declared with. The generated validators (internal/appgen)
// enforce the same rules in TypeScript, Python and Go; this is the one place they are defined.

var envNameRE = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)

// ValidateEnvName checks an environment variable name that becomes a zod key, a pydantic field
// and a Go struct field as it is: UPPER_SNAKE_CASE starting with a letter (a leading
// underscore is a private attribute in pydantic and an unexported field in Go).
func ValidateEnvName(name string) error {
	if !envNameRE.MatchString(name) || len(name) > 128 {
		return violation("env-name", "",
			"env name %q is not UPPER_SNAKE_CASE starting with a letter (A-Z, 0-9, _; at most 128 characters): "+
				"the generated validators use it as a field name in TypeScript, Python and Go", name)
	}
	return nil
}

// ValidateText checks free text that the provider writes into generated code, YAML comments
// and Markdown (a plain_env reason or default, a justification, a lease strategy): one line of
// printable text. Control characters, line and paragraph separators and bidirectional
// overrides are refused: they end a comment, start a heading or reorder what a reviewer sees.
func ValidateText(what, s string) error {
	if !utf8.ValidString(s) {
		return violation("text", "", "%s is not valid UTF-8", what)
	}
	for i, r := range s {
		if bad := unprintable(r); bad != "" {
			return violation("text", "", "%s has %s (U+%04X) at byte %d: write it on one line of printable text", what, bad, r, i)
		}
	}
	return nil
}

func unprintable(r rune) string {
	switch {
	case r == '\n' || r == '\r':
		return "a line break"
	case r == '\u2028' || r == '\u2029' || r == '\u0085':
		return "a line or paragraph separator"
	case unicode.Is(unicode.Bidi_Control, r):
		return "a bidirectional control character"
	case unicode.IsControl(r):
		return "a control character"
	}
	return ""
}

// The types a variable can be declared with.
const (
	TypeString = "string"
	TypeInt    = "int"
	TypePort   = "port"
	TypeBool   = "bool"
	TypeURL    = "url"
	TypeEnum   = "enum"
)

// Types lists the declarable types.
var Types = []string{TypeString, TypeInt, TypePort, TypeBool, TypeURL, TypeEnum}

// Integer bounds when none are declared: the integers every runtime holds exactly (a
// JavaScript number is exact up to 2^53-1).
const (
	MinInt = -(1<<53 - 1)
	MaxInt = 1<<53 - 1
)

// URLPattern is the url rule: a scheme, "://" and a host, without spaces or control
// characters. "vault:8200" has no "//" and is refused. The same pattern is compiled by
// JavaScript (with the u flag), Python's re and Go's regexp, so the three agree.
const URLPattern = `^[A-Za-z][A-Za-z0-9+.\-]*://[^\x00-\x20\x7f/?#]+([/?#][^\x00-\x20\x7f]*)?$`

// IntPattern is the int rule's syntax: decimal, no sign but '-', no leading zeros, no spaces.
const IntPattern = `^-?(0|[1-9][0-9]*)$`

var urlRE, intRE = regexp.MustCompile(URLPattern), regexp.MustCompile(IntPattern)

// Rule is the declared type of one environment variable.
type Rule struct {
	Type string
	// MinLength is the least number of characters (Unicode code points) of a string.
	MinLength int
	// Min and Max bound an int (a port is 1..65535).
	Min, Max int64
	// Values are an enum's allowed values.
	Values []string
}

// Normalize fills a rule's defaults (string type, port and int bounds) and checks that it is
// consistent. what names the variable in errors.
func (r Rule) Normalize(what string) (Rule, error) {
	if r.Type == "" {
		r.Type = TypeString
	}
	if !slices.Contains(Types, r.Type) {
		return r, fmt.Errorf("%s: type %q is not one of %s", what, r.Type, strings.Join(Types, ", "))
	}
	if r.MinLength != 0 && r.Type != TypeString {
		return r, fmt.Errorf("%s: min_length applies to type string only", what)
	}
	if r.MinLength < 0 {
		return r, fmt.Errorf("%s: min_length must not be negative", what)
	}
	if (r.Min != 0 || r.Max != 0) && r.Type != TypeInt {
		return r, fmt.Errorf("%s: min and max apply to type int only (a port is 1 to 65535)", what)
	}
	if (len(r.Values) > 0) != (r.Type == TypeEnum) {
		return r, fmt.Errorf("%s: values are required for type enum and apply to it only", what)
	}
	for _, v := range r.Values {
		if err := ValidateText(what+" enum value", v); err != nil {
			return r, err
		}
	}
	switch r.Type {
	case TypePort:
		r.Min, r.Max = 1, 65535
	case TypeInt:
		if r.Min == 0 && r.Max == 0 {
			r.Min, r.Max = MinInt, MaxInt
		}
		if r.Min < MinInt || r.Max > MaxInt || r.Min > r.Max {
			return r, fmt.Errorf("%s: int bounds must satisfy %d <= min <= max <= %d", what, int64(MinInt), int64(MaxInt))
		}
	}
	return r, nil
}

// Check returns what a value breaks, as "must ..." text, or "" when it conforms.
func (r Rule) Check(v string) string {
	switch r.Type {
	case TypeInt, TypePort:
		n, err := strconv.ParseInt(v, 10, 64)
		if !intRE.MatchString(v) || err != nil || n < r.Min || n > r.Max {
			return r.Describe()
		}
	case TypeBool:
		if v != "true" && v != "false" {
			return r.Describe()
		}
	case TypeURL:
		if !urlRE.MatchString(v) {
			return r.Describe()
		}
	case TypeEnum:
		if !slices.Contains(r.Values, v) {
			return r.Describe()
		}
	default:
		if utf8.RuneCountInString(v) < r.MinLength {
			return r.Describe()
		}
	}
	return ""
}

// Describe says what the rule requires, e.g. "must be an integer from 1 to 65535".
func (r Rule) Describe() string {
	switch r.Type {
	case TypeInt, TypePort:
		return fmt.Sprintf("must be an integer from %d to %d", r.Min, r.Max)
	case TypeBool:
		return "must be true or false"
	case TypeURL:
		return "must be a URL with a scheme and a host (https://host:port)"
	case TypeEnum:
		return "must be one of: " + strings.Join(r.Values, ", ")
	}
	if r.MinLength > 1 {
		return fmt.Sprintf("must be at least %d characters", r.MinLength)
	}
	if r.MinLength == 1 {
		return "must not be empty"
	}
	return "may be any text"
}
