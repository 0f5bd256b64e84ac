package policy

import (
	"encoding/json"
	"fmt"
)

// MaxPolicyBytes is the largest policy Vault accepts in one write. A policy travels as one
// JSON string, and Vault's listener refuses a JSON string longer than
// max_json_string_value_length: 1 MiB by default since Vault 1.16.25, 1.18.14, 1.19.9, 1.20.3
// and 1.21.0 ("JSON string value exceeds allowed length"), whatever max_request_size allows.
const MaxPolicyBytes = 1 << 20

// CheckPolicySize refuses a policy that Vault would refuse, before anything is written: its
// text as a JSON string (quotes and newlines escaped) must fit in MaxPolicyBytes.
func CheckPolicySize(name, text string) error {
	b, _ := json.Marshal(text)
	if n := len(b) - 2; n > MaxPolicyBytes {
		return fmt.Errorf("policy %q is %d bytes as sent to Vault, more than the %d (1 MiB) Vault accepts in one JSON string by default (listener max_json_string_value_length); split what it grants across several policies", name, n, MaxPolicyBytes)
	}
	return nil
}
