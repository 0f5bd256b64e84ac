# ESO mode: the ExternalSecret {service}-secrets and the Deployment env. Feed it from a
# mosaic_app_secrets resource (environment, service, access and field_names are its attributes).
data "mosaic_external_secret" "web" {
  environment          = "prod"
  service              = "web"
  access               = "eso"
  field_names          = { "database/app" = ["host", "password", "username"] }
  kubernetes_namespace = "web"
  env_names            = { "database/app.password" = "DB_PASSWORD" }
  plain_env = {
    PORT        = { default = "3000", reason = "non-secret, the app works at any port" }
    NODE_ENV    = { default = "production", reason = "non-secret mode switch" }
    BILLING_API = { default = "https://api.stripe.com", reason = "public API address" }
  }
  # Types, enforced alike by the zod, pydantic and Go validators. The versions the rollout
  # revision follows are read from Vault by the data source itself.
  rules = {
    PORT        = { type = "port" }
    NODE_ENV    = { type = "enum", values = ["development", "production", "test"] }
    BILLING_API = { type = "url" }
    DB_PASSWORD = { min_length = 16 }
  }
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
