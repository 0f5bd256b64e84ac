# ESO mode: the ExternalSecret {service}-secrets and the Deployment env. Feed it from a
# mosaic_app_secrets resource (environment, service, access and field_names are its attributes).
data "mosaic_external_secret" "web" {
  environment          = "prod"
  service              = "web"
  access               = "eso"
  field_names          = { "database/app" = ["host", "password", "username"] }
  kubernetes_namespace = "web"
  env_names            = { "database/app.password" = "DB_PASSWORD" }
  plain_env            = { PORT = { default = "3000", reason = "non-secret, the app works at any port" } }
  versions             = { "database/app" = 3 } # mosaic_app_secrets.web.versions: the rollout annotation follows it
}

# Direct-Vault: the bootstrap ExternalSecret {service}-vault-auth (VAULT_ROLE_ID, VAULT_SECRET_ID).
data "mosaic_external_secret" "backend_api" {
  environment          = "prod"
  service              = "backend-api"
  access               = "direct-vault"
  kubernetes_namespace = "api"
  vault_addr           = "https://vault.example.com"

  # The README "Secrets architecture" section documents why and how the app talks to Vault.
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  lease_renewal_strategy     = "Renews its token at two thirds of its TTL; logs in again with its AppRole when renewal fails"
}

# The app side of the same declaration: startup validators that fail fast on a missing value.
output "web_validators" {
  value = {
    "src/env.ts"    = data.mosaic_external_secret.web.zod_schema        # zod
    "app/config.py" = data.mosaic_external_secret.web.pydantic_settings # pydantic
    "config.go"     = data.mosaic_external_secret.web.go_config         # envconfig
  }
}

# terraform output -raw web_manifests | kubectl apply -f -
output "web_manifests" {
  value = data.mosaic_external_secret.web.manifests
}
