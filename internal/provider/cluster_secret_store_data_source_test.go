package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/mosaicstack/terraform-provider-mosaic/internal/eso"
)

// The ClusterSecretStore of a namespace, as Terraform renders it: the namespace's eso-reader role
// at the cluster issuer's mount, the environment's mount, conditions that admit only that
// namespace, and exactly what internal/eso renders (validated there against the CRD).
func TestAccClusterSecretStore(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
data "mosaic_cluster_secret_store" "prod" {
  environment  = "prod"
  namespace    = "shop"
  auth_mount   = "jwt-cluster-prod"
  vault_server = "https://vault.vault.svc:8200"
}
`,
			Check: resource.TestCheckResourceAttrWith("data.mosaic_cluster_secret_store.prod", "manifest", func(v string) error {
				want, err := eso.RenderStore(eso.Store{Environment: "prod", Namespace: "shop", AuthMount: "jwt-cluster-prod", Server: "https://vault.vault.svc:8200"})
				if err != nil {
					return err
				}
				if v != want || !strings.Contains(v, "role: eso-reader-prod-shop") || !strings.Contains(v, "namespaces:\n        - shop") || !strings.Contains(v, "path: secret-prod") {
					return fmt.Errorf("manifest:\n%s", v)
				}
				return nil
			}),
		}},
	})
}
