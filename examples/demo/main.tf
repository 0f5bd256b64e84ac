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
# CI writer policies of dev, and the dev pipeline's identity: a JWT role ci-writer-dev-platform-secrets
# at the CI issuer's own mount (jwt-ci), bound to the repository acme/platform-secrets on main.
resource "mosaic_platform" "this" {
  environments         = ["dev"]
  services             = { dev = ["web", "backend-api"] }
  app_extra_read_paths = { dev = { backend-api = ["database/creds/backend-api-role"] } }
  issuers = {
    ci = {
      jwt_validation_pubkeys = [var.ci_public_key]
      bound_issuer           = "https://token.actions.githubusercontent.com"
    }
  }
  ci_identities = {
    "dev/platform-secrets" = {
      issuer          = "ci"
      services        = ["web", "backend-api"]
      bound_audiences = ["https://github.com/acme"]
      bound_subject   = "repo:acme/platform-secrets:ref:refs/heads/main"
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

# The app and cluster side of the same declaration.
data "mosaic_external_secret" "web" {
  environment          = mosaic_app_secrets.web.environment
  service              = mosaic_app_secrets.web.service
  field_names          = mosaic_app_secrets.web.field_names
  kubernetes_namespace = "web"
  secret_store_name    = "vault-backend-web"
  plain_env            = { PORT = { default = "3000", reason = "non-secret, the app works at any port" } }
  rules                = { PORT = { type = "port" } }
}

data "mosaic_external_secret" "backend_api" {
  environment                = mosaic_app_secrets.backend_api.environment
  service                    = mosaic_app_secrets.backend_api.service
  access                     = mosaic_app_secrets.backend_api.access
  direct_vault_justification = mosaic_app_secrets.backend_api.direct_vault_justification
  extra_read_paths           = mosaic_app_secrets.backend_api.extra_read_paths
  lease_renewal_strategy     = "Renews its token at two thirds of its TTL; logs in again with its AppRole when renewal fails"
  kubernetes_namespace       = "api"
  vault_addr                 = "https://vault.vault.svc:8200"
}

data "mosaic_cluster_secret_store" "dev" {
  environment  = "dev"
  namespace    = "web"
  auth_mount   = "jwt-cluster-dev"
  vault_server = "https://vault.vault.svc:8200"
}

output "web_env_ts" { value = data.mosaic_external_secret.web.zod_schema }
output "web_config_py" { value = data.mosaic_external_secret.web.pydantic_settings }
output "web_config_go" { value = data.mosaic_external_secret.web.go_config }
output "web_readme_section" { value = data.mosaic_external_secret.web.readme_section }
output "web_pod_annotations" { value = data.mosaic_external_secret.web.pod_annotations }
output "backend_api_readme_section" { value = data.mosaic_external_secret.backend_api.readme_section }
output "cluster_secret_store" { value = data.mosaic_cluster_secret_store.dev.manifest }

output "web_paths" { value = { for key in keys(mosaic_app_secrets.web.field_names) : key => "${mosaic_app_secrets.web.id}/${key}" } }
output "backend_api_bootstrap_path" { value = mosaic_app_secrets.backend_api.bootstrap_path }
output "backend_api_policy" { value = mosaic_app_secrets.backend_api.policy }
output "ci_identity" { value = mosaic_platform.this.jwt_roles }
