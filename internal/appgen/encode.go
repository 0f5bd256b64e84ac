package appgen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The encoders: every piece of declared text reaches generated code or Markdown through one of
// these, one per target. Comments never carry declared text; it goes into string literals.

// jsLit encodes s as a JavaScript/TypeScript string literal (JSON, which Go's encoder writes with
// U+2028 and U+2029 escaped, so the literal is valid in every JavaScript version).
func jsLit(s string) string {
	b, err := json.Marshal(s)
	if err != nil { // a string always marshals
		panic(err)
	}
	return string(b)
}

// pyLit encodes s as a Python 3 str literal in plain ASCII: printable ASCII as is, everything
// else as \x, \u or \U escapes, which Python and Go read alike.
func pyLit(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// goLit encodes s as a Go interpreted string literal.
func goLit(s string) string { return strconv.Quote(s) }

// goTag builds a struct tag (without the enclosing backticks) from key/value pairs by the rules
// of reflect.StructTag: key:"value" pairs separated by a space, each value a Go interpreted
// string. A backtick cannot appear inside the raw string literal that holds the tag, so it is
// written as \x60, which reflect.StructTag.Get unquotes back to a backtick.
func goTag(pairs ...[2]string) string {
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = p[0] + ":" + strings.ReplaceAll(strconv.Quote(p[1]), "`", `\x60`)
	}
	return strings.Join(parts, " ")
}

// mdText encodes s as inline Markdown text that renders as s: every character with inline
// meaning is backslash-escaped and a line break or other control character becomes a numeric
// character reference, so text can neither format, link, end a table cell nor start a block.
func mdText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case strings.ContainsRune("\\`*_{}[]()<>#+-!|~&", r):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == utf8.RuneError, unicode.IsControl(r), unicode.Is(unicode.Zl, r), unicode.Is(unicode.Zp, r), unicode.Is(unicode.Bidi_Control, r):
			fmt.Fprintf(&b, "&#x%X;", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mdCode renders s as a Markdown code span when a code span can hold it exactly (no backtick,
// no pipe, no backslash, nothing unprintable), and as escaped text otherwise.
func mdCode(s string) string {
	for _, r := range s {
		if r == '`' || r == '|' || r == '\\' || !unicode.IsPrint(r) || r == '\u00a0' {
			return mdText(s)
		}
	}
	if s == "" || strings.TrimSpace(s) != s {
		return mdText(s)
	}
	return "`" + s + "`"
}
