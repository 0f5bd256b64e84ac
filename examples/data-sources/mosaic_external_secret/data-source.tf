# ESO mode: the ExternalSecret {service}-secrets and the Deployment env. Feed it from a
# mosaic_app_secrets resource (environment, service, access and field_names are its attributes).
data "mosaic_external_secret" "web" {
  environment          = "prod"
  service              = "web"
  access               = "eso"
  field_names          = { "database/app" = ["host", "password", "username"] }
  kubernetes_namespace = "web"
  env_names            = { "database/app.password" = "DB_PASSWORD" }
}

# Direct-Vault: the bootstrap ExternalSecret {service}-vault-auth (VAULT_ROLE_ID, VAULT_SECRET_ID).
data "mosaic_external_secret" "backend_api" {
  environment          = "prod"
  service              = "backend-api"
  access               = "direct-vault"
  kubernetes_namespace = "api"
  vault_addr           = "https://vault.example.com"
}

# terraform output -raw web_manifests | kubectl apply -f -
output "web_manifests" {
  value = data.mosaic_external_secret.web.manifests
}
