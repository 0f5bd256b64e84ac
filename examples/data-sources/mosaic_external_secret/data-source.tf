# ESO mode: the ExternalSecret {service}-secrets and the Deployment env.
data "mosaic_external_secret" "web" {
  environment = mosaic_app_secrets.web.environment
  service     = mosaic_app_secrets.web.service
  access      = mosaic_app_secrets.web.access
  field_names = mosaic_app_secrets.web.field_names
  namespace   = "web"
  env_names   = { "database/app.password" = "DB_PASSWORD" }
}

# Direct-Vault: the bootstrap ExternalSecret {service}-vault-auth (VAULT_ROLE_ID, VAULT_SECRET_ID).
data "mosaic_external_secret" "backend_api" {
  environment = mosaic_app_secrets.backend_api.environment
  service     = mosaic_app_secrets.backend_api.service
  access      = mosaic_app_secrets.backend_api.access
  namespace   = "api"
  vault_addr  = "https://vault.example.com"
}

# terraform output -raw web_manifests | kubectl apply -f -
output "web_manifests" {
  value = data.mosaic_external_secret.web.manifests
}
