package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
	"github.com/mosaicstack/terraform-provider-mosaic/internal/policy"
)

// A platform whose CI writer policy would be larger than Vault accepts in one JSON string (the
// listener's max_json_string_value_length, 1 MiB by default) fails at plan, on services[env],
// and nothing is written, and the message says what to do (environment_ci_writers = false),
// which then plans: measured, Vault refused such a policy half way through an apply, after
// the mounts were made.
func TestAccPlatform_tooManyServicesForOnePolicy(t *testing.T) {
	v := acctest.OwnVault(t)
	names := make([]string, 500)
	for i := range names {
		names[i] = fmt.Sprintf("%q", fmt.Sprintf("svc-%04d", i))
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "mosaic" {
  address = %q
  token   = %q
}

resource "mosaic_platform" "p" {
  services = { dev = [%s], prod = ["api"] }
}
`, v.Addr, v.Token, strings.Join(names, ", ")),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Too many services for one CI writer policy.*ci-writer-dev.*max_json_string_value_length.*environment_ci_writers\s+=\s+false`),
		}, {
			// What the message says to do: without the environment-wide writer the plan passes.
			Config: fmt.Sprintf(`
provider "mosaic" {
  address = %q
  token   = %q
}

resource "mosaic_platform" "p" {
  environment_ci_writers = false
  services               = { dev = [%s], prod = ["api"] }
}
`, v.Addr, v.Token, strings.Join(names, ", ")),
			PlanOnly:           true,
			ExpectNonEmptyPlan: true,
		}},
	})
	mounts, err := v.Client.Sys().ListMounts()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := mounts[policy.MountOf("dev")+"/"]; ok {
		t.Errorf("%s was created by a platform refused at plan", policy.MountOf("dev"))
	}
	if text, _ := v.Client.Sys().GetPolicy(policy.CIWriterPolicyName("dev")); text != "" {
		t.Errorf("%s was written by a platform refused at plan", policy.CIWriterPolicyName("dev"))
	}
}
