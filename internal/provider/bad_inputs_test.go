package provider

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/acctest"
)

type badInput struct {
	name, attribute, want, config string
}

// loadBadInputs reads testdata/bad-inputs.tf.txt (its header says the format).
func loadBadInputs(t *testing.T) []badInput {
	t.Helper()
	b, err := os.ReadFile("testdata/bad-inputs.tf.txt")
	if err != nil {
		t.Fatal(err)
	}
	var cases []badInput
	for _, chunk := range strings.Split(string(b), "\n### ")[1:] {
		header, config, _ := strings.Cut(chunk, "\n")
		parts := strings.Split(header, " | ")
		if len(parts) != 3 || strings.TrimSpace(config) == "" {
			t.Fatalf("bad corpus entry %q: want `### name | attribute | message` and a configuration", header)
		}
		cases = append(cases, badInput{name: parts[0], attribute: parts[1], want: parts[2], config: config})
	}
	return cases
}

// Every invalid configuration of the corpus is rejected at plan with its message, on its
// attribute, and the Vault audit log proves that none of them sent a single write to Vault.
func TestAccBadInputs(t *testing.T) {
	v := acctest.Vault(t)
	cases := loadBadInputs(t)
	if len(cases) < 60 {
		t.Fatalf("the corpus has %d cases; it must keep at least 60", len(cases))
	}
	start := v.AuditOffset(t)
	t.Run("corpus", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				want := strings.ReplaceAll(tc.want, " ", `\s+`)
				attr := `\d+:\s+"?` + regexp.QuoteMeta(tc.attribute) + `\b` // a map key may be quoted
				resource.Test(t, resource.TestCase{
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					TerraformVersionChecks:   terraform111,
					Steps: []resource.TestStep{{
						Config:      tc.config,
						PlanOnly:    true,
						ExpectError: regexp.MustCompile(`(?s)(?:` + attr + `.*(?:` + want + `)|(?:` + want + `).*` + attr + `)`),
					}},
				})
			})
		}
	})
	if w := v.WritesSince(t, start); len(w) > 0 {
		t.Fatalf("rejected configurations sent %d write requests to Vault: %v", len(w), w)
	}
	t.Logf("%d invalid configurations rejected at plan; the audit log shows no write request", len(cases))
}
