package policy

import (
	"fmt"
	"net/netip"
)

// ValidateCIDR checks one entry of an AppRole CIDR list (token_bound_cidrs,
// secret_id_bound_cidrs): a CIDR block ("10.0.0.0/16") or a single address, as Vault takes them.
func ValidateCIDR(field, s string) error {
	if _, err := netip.ParsePrefix(s); err == nil {
		return nil
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return nil
	}
	return &Violation{Rule: "cidr", Msg: fmt.Sprintf("%s entry %q is not a CIDR block or an IP address (e.g. \"10.0.0.0/16\")", field, s)}
}
