package appgen

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Each encoder round-trips every string and its output cannot leave the literal, tag or
// Markdown inline it is written into.
func FuzzEncoders(f *testing.F) {
	for _, s := range nastyText {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // Terraform strings are UTF-8
		}
		checkJS(t, s)
		checkPy(t, s)
		checkGo(t, s)
		checkMarkdown(t, s)
	})
}

func checkJS(t *testing.T, s string) {
	lit := jsLit(s)
	var back string
	if err := json.Unmarshal([]byte(lit), &back); err != nil || back != s {
		t.Errorf("jsLit(%q) = %s reads back %q (%v)", s, lit, back, err)
	}
	// A JavaScript string literal ends at an unescaped quote or at a line terminator.
	if strings.ContainsAny(lit[1:len(lit)-1], "\n\r\u2028\u2029") || unescapedQuote(lit) {
		t.Errorf("jsLit(%q) = %s can leave the literal", s, lit)
	}
}

func checkPy(t *testing.T, s string) {
	lit := pyLit(s)
	for _, r := range lit {
		if r < 0x20 || r >= 0x7f {
			t.Fatalf("pyLit(%q) = %s is not printable ASCII", s, lit)
		}
	}
	// pyLit uses only the escapes Python and Go read alike (\\ \" \xNN below 0x80, \u, \U).
	if back, err := strconv.Unquote(lit); err != nil || back != s {
		t.Errorf("pyLit(%q) = %s reads back %q (%v)", s, lit, back, err)
	}
	if unescapedQuote(lit) {
		t.Errorf("pyLit(%q) = %s can leave the literal", s, lit)
	}
}

func checkGo(t *testing.T, s string) {
	if back, err := strconv.Unquote(goLit(s)); err != nil || back != s {
		t.Errorf("goLit(%q) reads back %q (%v)", s, back, err)
	}
	tag := goTag([2]string{"envconfig", "X"}, [2]string{"default", s}, [2]string{"desc", s})
	if strings.ContainsAny(tag, "`\r\n") {
		t.Fatalf("goTag with %q = %s cannot sit in a raw string literal", s, tag)
	}
	st := reflect.StructTag(tag)
	if d, ok := st.Lookup("default"); !ok || d != s || st.Get("desc") != s || st.Get("envconfig") != "X" {
		t.Errorf("goTag with %q = %s: reflect reads default %q, desc %q", s, tag, d, st.Get("desc"))
	}
}

var (
	mdEscape    = regexp.MustCompile(`\\([!-/:-@\[-` + "`" + `{-~])|&#x([0-9A-F]+);`)
	mdUnescaped = regexp.MustCompile(`(^|[^\\])(\\\\)*[|*_\[\]<>` + "`" + `]`)
)

func checkMarkdown(t *testing.T, s string) {
	for _, md := range []string{mdText(s), mdCode(s)} {
		for _, r := range md {
			if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || unicode.Is(unicode.Bidi_Control, r) {
				t.Fatalf("markdown of %q = %q has %U", s, md, r)
			}
		}
		if strings.HasPrefix(md, "`") {
			if md != "`"+s+"`" || strings.ContainsAny(s, "`|\\") {
				t.Errorf("mdCode(%q) = %q", s, md)
			}
			continue
		}
		if mdUnescaped.MatchString(md) {
			t.Errorf("mdText(%q) = %q has an unescaped inline character", s, md)
		}
		back := mdEscape.ReplaceAllStringFunc(md, func(m string) string {
			if strings.HasPrefix(m, "&") { // CommonMark reads a numeric reference as that code point
				n, _ := strconv.ParseInt(m[3:len(m)-1], 16, 32)
				return string(rune(n))
			}
			return m[1:]
		})
		if back != s && strings.ReplaceAll(back, "\uFFFD", "\x00") != s {
			t.Errorf("mdText(%q) = %q reads back %q", s, md, back)
		}
	}
}

// unescapedQuote reports whether a double-quoted literal has a '"' inside that no backslash escapes.
func unescapedQuote(lit string) bool {
	body := lit[1 : len(lit)-1]
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '\\':
			i++
		case '"':
			return true
		}
	}
	return false
}
