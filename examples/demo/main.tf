# What `make demo` applies against a dev Vault on loopback.
terraform {
  required_providers {
    mosaic = { source = "mosaicstack/mosaic" }
  }
}

provider "mosaic" {}

variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
  default   = "demo-db-password"
}

# The platform side: the secret-dev mount (KV v2), the AppRole auth method, the ESO reader
# and CI writer policies of dev.
resource "mosaic_platform" "this" {
  environments = ["dev"]
  services     = { dev = ["web", "backend-api"] }
}

# ESO app: secrets and a read-only policy.
resource "mosaic_app_secrets" "web" {
  environment = "dev"
  service     = "web"
  secrets_wo = {
    "database/app" = { username = "web", password = var.db_password, host = "db", port = "5432" }
    "oauth/google" = { client_id = "web-client", client_secret = "demo-oauth-secret" }
  }
  secrets_wo_version = 1
  depends_on         = [mosaic_platform.this]
}

# Direct-Vault app: plus AppRole, secret_id and bootstrap entry.
resource "mosaic_app_secrets" "backend_api" {
  environment = "dev"
  service     = "backend-api"
  secrets_wo = {
    "database/app"    = { username = "api", password = var.db_password }
    "jwt/signing-key" = { private_key = "demo-signing-key" }
  }
  secrets_wo_version         = 1
  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  extra_read_paths           = ["database/creds/backend-api-role"]
  depends_on                 = [mosaic_platform.this]
}

output "web_paths" { value = mosaic_app_secrets.web.paths }
output "backend_api_bootstrap_path" { value = mosaic_app_secrets.backend_api.bootstrap_path }
output "backend_api_policy" { value = mosaic_app_secrets.backend_api.policy }
