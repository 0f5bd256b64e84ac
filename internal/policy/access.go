package policy

import (
	"strings"
)

// Access patterns of the guide.
const (
	AccessESO         = "eso"
	AccessDirectVault = "direct-vault"
)

// AccessModes lists the access patterns, the default first.
var AccessModes = []string{AccessESO, AccessDirectVault}

// MinJustificationLength is the shortest justification accepted for Direct-Vault.
const MinJustificationLength = 20

var placeholders = map[string]bool{
	"todo": true, "tbd": true, "tba": true, "n/a": true, "na": true, "none": true, "null": true,
	"fixme": true, "xxx": true, "test": true, "testing": true, "placeholder": true, "later": true,
	"needed": true, "required": true, "because": true, "yes": true, "-": true, ".": true, "?": true,
	"lorem ipsum": true, "see readme": true, "justification": true, "direct-vault": true,
}

// ValidateAccess accepts "eso" and "direct-vault".
func ValidateAccess(access string) error {
	switch access {
	case AccessESO, AccessDirectVault:
		return nil
	}
	suggestion := ""
	switch strings.ToLower(strings.NewReplacer("_", "-", " ", "-").Replace(strings.TrimSpace(access))) {
	case "eso", "external-secrets", "externalsecrets", "k8s", "kubernetes":
		suggestion = AccessESO
	case "direct-vault", "directvault", "direct", "vault", "approle":
		suggestion = AccessDirectVault
	}
	return violation("access", suggestion, "access %q is not one of eso (the default) or direct-vault", access)
}

// ValidateJustification checks the written justification that Direct-Vault requires: real
// text, not empty and not a placeholder.
func ValidateJustification(access, justification string) error {
	trimmed := strings.TrimSpace(justification)
	if access != AccessDirectVault {
		if trimmed != "" {
			return violation("justification-without-direct-vault", "",
				"direct_vault_justification is only for access = \"direct-vault\"; remove it, or set access = \"direct-vault\"")
		}
		return nil
	}
	if trimmed == "" {
		return violation("justification-required", "",
			"access = \"direct-vault\" requires direct_vault_justification: say why the app cannot use the ESO bridge (e.g. \"DB secrets engine leases with a 15 minute TTL\")")
	}
	norm := strings.ToLower(strings.Trim(trimmed, " .!"))
	if placeholders[norm] || len(trimmed) < MinJustificationLength || len(strings.Fields(trimmed)) < 3 {
		return violation("justification-placeholder", "",
			"direct_vault_justification %q is not a real justification: write at least %d characters and three words naming the dynamic-secrets need (short-lived leases, STS, PKI, per-request audit)", trimmed, MinJustificationLength)
	}
	return nil
}
