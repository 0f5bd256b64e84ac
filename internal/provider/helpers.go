package provider

import (
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Small conversions between Go values and Terraform values that every resource uses.

// stringList is a list value of strings (empty, not null, for nil).
func stringList(items []string) types.List {
	vals := make([]attr.Value, len(items))
	for i, s := range items {
		vals[i] = types.StringValue(s)
	}
	return types.ListValueMust(types.StringType, vals)
}

// sortedKeys returns the sorted keys of a Terraform map value.
func sortedKeys(m types.Map) []string {
	return slices.Sorted(maps.Keys(m.Elements()))
}

// listKnown reports whether a list and every element of it are known.
func listKnown(l types.List) bool {
	if l.IsUnknown() {
		return false
	}
	for _, e := range l.Elements() {
		if e.IsUnknown() {
			return false
		}
	}
	return true
}
