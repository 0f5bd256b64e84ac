package lint

import (
	"strings"
	"testing"
)

func FuzzParseInterpolations(f *testing.F) {
	for _, s := range []string{"${A:-x}", "$${A}", "${A:-${B}}", "${", "${A", "x${A-}y", "${A:?m}${B:+x}", "$$", "${_9:-}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, in := range ParseInterpolations(s) {
			if in.Offset < prev || in.End <= in.Offset || in.End > len(s) || !strings.HasPrefix(s[in.Offset:], "${"+in.Var) {
				t.Fatalf("bad interpolation %+v in %q", in, s)
			}
			prev = in.End
		}
	})
}

func FuzzParseSuppression(f *testing.F) {
	for _, s := range []string{"# mosaic-lint:ignore hardcoded-secret reason", "// mosaic-lint:ignore", "mosaic-lint:ignore x y", "/* mosaic-lint:ignore a b */"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := ParseSuppression(s)
		if ok && got.Rule != "" && !strings.Contains(s, got.Rule) {
			t.Fatalf("rule %q not in %q", got.Rule, s)
		}
	})
}
