# Every argument falls back to Vault's usual environment variables
# (VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT, VAULT_CAPATH, VAULT_SKIP_VERIFY)
# and the token to ~/.vault-token.
provider "mosaic" {
  address = "https://vault.example.com:8200"

  # A dev workspace cannot plan a prod write.
  allowed_environments = ["dev"]

  # CI pipelines log in with an AppRole instead of a token.
  auth_login_approle {
    role_id   = var.ci_role_id
    secret_id = var.ci_secret_id
  }
}

variable "ci_role_id" {
  type = string
}

variable "ci_secret_id" {
  type      = string
  sensitive = true
}
