# What `make demo` applies against a dev Vault on loopback. scripts/demo.sh generates every value
# (TF_VAR_*): nothing secret is committed here.
terraform {
  required_version = ">= 1.11"
  required_providers {
    mosaic = {
      source  = "mosaicstack/mosaic"
      version = ">= 0.1.0"
    }
  }
}

provider "mosaic" {}

variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "oauth_client_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "jwt_signing_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

variable "ci_public_key" {
  description = "PEM public key of the demo's stand-in CI issuer (a real platform uses its OIDC discovery URL)."
  type        = string
}

# The platform side: the secret-dev mount (KV v2), the AppRole auth method, the ESO reader and
# CI writer policies of dev, and the dev pipeline's identity: a JWT role ci-writer-dev bound to
# the repository acme/platform-secrets on main.
resource "mosaic_platform" "this" {
  environments         = ["dev"]
  services             = { dev = ["web", "backend-api"] }
  app_extra_read_paths = { dev = { backend-api = ["database/creds/backend-api-role"] } }
  jwt_auth = {
    jwt_validation_pubkeys = [var.ci_public_key]
    bound_issuer           = "https://token.actions.githubusercontent.com"
  }
  ci_identities = {
    dev = {
      bound_audiences = ["https://github.com/acme"]
      bound_claims    = { repository = "acme/platform-secrets", ref = "refs/heads/main" }
    }
  }
}

# ESO app: secrets and a read-only policy.
resource "mosaic_app_secrets" "web" {
  environment = "dev"
  service     = "web"
  secrets_wo = {
    "database/app" = { username = "web", password = var.db_password, host = "db", port = "5432" }
    "oauth/google" = { client_id = "web-client", client_secret = var.oauth_client_secret }
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
    "jwt/signing-key" = { private_key = var.jwt_signing_key }
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
output "ci_identity" { value = mosaic_platform.this.jwt_roles }
