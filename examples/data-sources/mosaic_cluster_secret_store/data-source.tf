# ESO reads secret-prod with its own service account token, as the JWT role eso-reader-prod
# that mosaic_platform's eso_identities binds.
data "mosaic_cluster_secret_store" "prod" {
  environment  = "prod"
  vault_server = "https://vault.vault.svc:8200"
}

# terraform output -raw store | kubectl apply -f -
output "store" {
  value = data.mosaic_cluster_secret_store.prod.manifest
}
