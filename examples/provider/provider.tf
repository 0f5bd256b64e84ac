terraform {
  required_version = ">= 1.11" # write-only secrets_wo; provider functions need 1.8
  required_providers {
    mosaic = {
      source  = "mosaicstack/mosaic"
      version = ">= 0.1.0"
    }
  }
}

# Every argument falls back to Vault's usual environment variables (VAULT_ADDR, VAULT_TOKEN,
# VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY, VAULT_TLS_SERVER_NAME,
# VAULT_CLIENT_CERT, VAULT_CLIENT_KEY, VAULT_MAX_RETRIES) and the token to ~/.vault-token.
provider "mosaic" {
  address = "https://vault.example.com:8200"

  # A prod workspace cannot plan, refresh, import or destroy anything outside prod.
  allowed_environments = ["prod"]

  # A CI pipeline logs in with the ID token its platform issues (GitHub Actions, GitLab CI),
  # as the role mosaic_platform binds to it (ci_identities "prod/web" of issuer "github": the
  # mount jwt-github, the role ci-writer-prod-web). Without `jwt`, the token is read from
  # TERRAFORM_VAULT_AUTH_JWT.
  auth_login_jwt {
    mount = "jwt-github"
    role  = "ci-writer-prod-web"
    jwt   = var.ci_id_token
  }
}

variable "ci_id_token" {
  description = "The pipeline's ID token, e.g. from the GitHub Actions OIDC endpoint with audience https://github.com/acme."
  type        = string
  sensitive   = true
  ephemeral   = true
}
