package policy

import (
	"fmt"
	"strings"
	"testing"
)

// A CI writer policy grows by about 2 KB per service: about 500 services fit in the 1 MiB that
// Vault accepts in one JSON string (the listener's max_json_string_value_length), 600 do not.
func TestCheckPolicySize(t *testing.T) {
	services := func(n int) map[string][]string {
		m := map[string][]string{}
		for i := range n {
			m[fmt.Sprintf("svc-%04d", i)] = nil
		}
		return m
	}
	if err := CheckPolicySize("ci-writer-dev", CIWriterPolicy("dev", "approle", services(400))); err != nil {
		t.Errorf("400 services: %v", err)
	}
	err := CheckPolicySize("ci-writer-dev", CIWriterPolicy("dev", "approle", services(600)))
	if err == nil || !strings.Contains(err.Error(), "ci-writer-dev") || !strings.Contains(err.Error(), "max_json_string_value_length") {
		t.Errorf("600 services: %v, want an error naming the policy and the limit", err)
	}
	// Counted as sent: escaped quotes count twice.
	if err := CheckPolicySize("p", strings.Repeat(`"`, MaxPolicyBytes/2+1)); err == nil {
		t.Error("a policy of quotes over the limit once escaped passes")
	}
}
