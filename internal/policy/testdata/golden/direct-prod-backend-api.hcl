# Managed by terraform-provider-mosaic: app "backend-api" in prod. Do not edit by hand.
# Read-only access to the app's own secrets; nothing else.

path "secret-prod/data/backend-api/*" {
  capabilities = ["read"]
}

path "secret-prod/metadata/backend-api/*" {
  capabilities = ["read", "list"]
}

path "database/creds/backend-api-role" {
  capabilities = ["read"]
}

path "pki/issue/backend-api" {
  capabilities = ["read"]
}
