# ESO in namespace "shop" reads secret-prod as shop's own service account, logged in to the
# prod cluster's JWT mount as eso-reader-prod-shop (mosaic_platform's eso_identities["prod/shop"]):
# only the secrets and bootstrap entries of the apps deployed in shop.
data "mosaic_cluster_secret_store" "shop" {
  environment  = "prod"
  namespace    = "shop"
  auth_mount   = "jwt-cluster-prod"
  vault_server = "https://vault.vault.svc:8200"
}

# terraform output -raw store | kubectl apply -f -
output "store" {
  value = data.mosaic_cluster_secret_store.shop.manifest
}
