package provider

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

func pathSecrets(wo bool, key string) path.Path {
	if wo {
		return path.Root("secrets_wo").AtMapKey(key)
	}
	return path.Root("secrets").AtMapKey(key)
}

func stringMapValue(m map[string]string) types.Map {
	vals := make(map[string]attr.Value, len(m))
	for k, v := range m {
		vals[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, vals)
}

func stringsOf(v any) []string {
	raw, _ := v.([]any)
	out := make([]string, 0, len(raw))
	for _, r := range raw {
		out = append(out, fmt.Sprint(r))
	}
	slices.Sort(out)
	return out
}

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

// formatSeconds writes a duration the way people do: 3600 -> "1h", 5400 -> "1h30m", 0 -> "0".
func formatSeconds(sec int64) string {
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

// appRoleFromVault turns a role read from Vault into the approle attribute, keeping the
// prior spelling of a duration where Vault's value means the same ("60m" stays "60m" for 3600).
func appRoleFromVault(data map[string]any, prior types.Object) types.Object {
	priorAttrs := prior.Attributes()
	dur := func(name string) types.String {
		sec := secondsOf(data[name])
		if p, ok := priorAttrs[name].(types.String); ok && !p.IsNull() && !p.IsUnknown() {
			if d, err := policy.ParseDuration(name, p.ValueString()); err == nil && int64(d/time.Second) == sec {
				return p
			}
		}
		return types.StringValue(formatSeconds(sec))
	}
	cidrs := func(name string) types.List {
		got := stringsOf(data[name])
		if p, ok := priorAttrs[name].(types.List); ok && !p.IsNull() && !p.IsUnknown() {
			var before []string
			for _, e := range p.Elements() {
				if s, ok := e.(types.String); ok {
					before = append(before, s.ValueString())
				}
			}
			sorted := slices.Clone(before)
			slices.Sort(sorted)
			if slices.Equal(sorted, got) || (len(sorted) == 0 && len(got) == 0) {
				return p
			}
		}
		return stringList(got)
	}
	return types.ObjectValueMust(appRoleAttrTypes, map[string]attr.Value{
		"token_ttl":             dur("token_ttl"),
		"token_max_ttl":         dur("token_max_ttl"),
		"secret_id_ttl":         dur("secret_id_ttl"),
		"secret_id_num_uses":    types.Int64Value(secondsOf(data["secret_id_num_uses"])),
		"token_bound_cidrs":     cidrs("token_bound_cidrs"),
		"secret_id_bound_cidrs": cidrs("secret_id_bound_cidrs"),
	})
}
