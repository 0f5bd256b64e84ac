# The environment mounts and the AppRole auth method the apps need (usually in the platform
# team's own workspace: see the onboarding guide). On an empty Vault, apply this first.
resource "mosaic_platform" "this" {
  services             = { prod = ["web", "backend-api"] }
  app_extra_read_paths = { prod = { backend-api = ["database/creds/backend-api-role"] } }
}

# An ESO app (the default): secrets at canonical paths and a read-only policy.
resource "mosaic_app_secrets" "web" {
  environment = "prod"
  service     = "web"

  secrets_wo = {
    "database/app" = { username = "web", password = var.web_db_password, host = "db.internal", port = "5432" }
    "oauth/google" = { client_id = "web-client", client_secret = var.google_client_secret }
  }
  secrets_wo_version = 1 # bump to roll out new values

  depends_on = [mosaic_platform.this] # its mount must exist first
}

# A Direct-Vault app: also an AppRole, a secret_id and the bootstrap entry ESO syncs.
resource "mosaic_app_secrets" "backend_api" {
  environment = "prod"
  service     = "backend-api"

  secrets_wo = {
    "database/app"    = { username = "app", password = var.backend_db_password }
    "jwt/signing-key" = { private_key = var.jwt_key }
  }
  secrets_wo_version = 1

  access                     = "direct-vault"
  direct_vault_justification = "DB secrets engine leases with a 15 minute TTL"
  extra_read_paths           = ["database/creds/backend-api-role"]
  approle                    = { token_ttl = "1h", token_max_ttl = "4h", secret_id_ttl = "0" }
  secret_id_rotation         = "2026-11" # change to mint a new secret_id

  depends_on = [mosaic_platform.this]
}

variable "web_db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "backend_db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "google_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "jwt_key" {
  type      = string
  sensitive = true
  ephemeral = true
}
