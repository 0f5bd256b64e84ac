package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccAppSecrets_fieldNameWarning(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// A non-standard field name is a warning, not an error: the apply goes through.
			Config: `resource "mosaic_app_secrets" "w" {
  environment = "dev"
  service     = "warned"
  secrets     = { "database/app" = { user = "app", pass = "p" } }
}`,
		}},
	})
}
