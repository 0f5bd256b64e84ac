package appsync

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// stringsOf reads a list of strings from a Vault answer, sorted.
func stringsOf(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		out = append(out, fmt.Sprint(r))
	}
	slices.Sort(out)
	return out
}

// secondsOf reads a number from a Vault answer (json.Number, float64 or an int).
func secondsOf(v any) int64 {
	switch n := v.(type) {
	case interface{ Int64() (int64, error) }:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case int64:
		return n
	}
	return 0
}

// FormatSeconds writes a duration the way people do: 3600 -> "1h", 5400 -> "1h30m", 0 -> "0".
func FormatSeconds(sec int64) string {
	if sec == 0 {
		return "0"
	}
	d := time.Duration(sec) * time.Second
	var b strings.Builder
	if h := int64(d / time.Hour); h > 0 {
		fmt.Fprintf(&b, "%dh", h)
		d -= time.Duration(h) * time.Hour
	}
	if m := int64(d / time.Minute); m > 0 {
		fmt.Fprintf(&b, "%dm", m)
		d -= time.Duration(m) * time.Minute
	}
	if s := int64(d / time.Second); s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
