package vault

import (
	"errors"
	"fmt"
	"strings"
)

// Caller is what Explain knows of who made the request.
type Caller struct {
	// TokenValid is asked only after a 403, to tell a revoked or expired token from a missing capability.
	TokenValid func() bool
	// Identity names the login ("JWT role ci-writer-prod at auth/jwt"); "" for a given token.
	Identity string
	// AppRoleMount names the AppRole mount in the hint for a missing auth handler.
	AppRoleMount string
	// Grant, when set, says who may grant a denied capability, instead of the CI writer policy.
	Grant string
}

// Explain turns an error of a Vault request into one message for a person: the operation, the
// Vault path, why it failed and what to do.
func Explain(op, vaultPath string, err error, who Caller) string {
	tokenValid, approleMount := who.TokenValid, who.AppRoleMount
	holder := "the token's policies"
	if who.Identity != "" {
		holder = "the policies of the token from " + who.Identity
	}
	switch {
	case errors.Is(err, ErrPermissionDenied) && tokenValid != nil && !tokenValid():
		return fmt.Sprintf("Vault refused %s on %s because the token is no longer valid: it was revoked or expired during this run. "+
			"Nothing after this request was written, and the state records what was. Apply again with a valid token. (%v)", op, vaultPath, err)
	case errors.Is(err, ErrPermissionDenied):
		grant := who.Grant
		if grant == "" {
			grant = "Grant it (the CI writer policy of this environment does, for the services it lists) or use a token that has it."
		}
		return fmt.Sprintf("Vault denied %s on %s: %s lack the %q capability on this path (or a parameter it sent is not allowed there). %s (%v)",
			op, vaultPath, holder, capabilityOf(op), grant, err)
	case IsNotFound(err) && strings.HasPrefix(vaultPath, "auth/"):
		return fmt.Sprintf("Vault has no handler for %s: is the AppRole auth method enabled at auth/%s? Enable it (the mosaic_platform resource does, or `vault auth enable -path=%s approle`), or set approle_mount in the provider block. (%v)", vaultPath, approleMount, approleMount, err)
	case IsNotFound(err):
		return fmt.Sprintf("Vault has no handler for %s: does the mount exist and is it KV v2? (%v)", vaultPath, err)
	case NoActiveNode(err):
		return fmt.Sprintf("Vault had no active node to answer %s on %s: a leader election, or a sealed or restarting node, lasted longer than the request's retries (max_retries, with backoff up to 2s). "+
			"Nothing was lost: what was written is in the state, and the next apply picks up where this one stopped once the cluster has a leader (`vault status`). (%v)", op, vaultPath, err)
	}
	return fmt.Sprintf("%s on %s failed: %v. Check that Vault is reachable; the next apply picks up where this one stopped.", op, vaultPath, err)
}

// NoActiveNode reports whether err is a cluster's answer while it has no active node: a standby
// that cannot reach a leader, a sealed node, an election in progress.
func NoActiveNode(err error) bool {
	if err == nil {
		return false
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"active cluster node not found", "vault is sealed", "local node not active", "http 503", "node not active", "no leader", "leadership"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// capabilityOf names the ACL capability an operation needs: "write (create/update)" -> "create/update".
func capabilityOf(op string) string {
	if i := strings.IndexByte(op, '('); i >= 0 {
		return strings.TrimSuffix(op[i+1:], ")")
	}
	return op
}
