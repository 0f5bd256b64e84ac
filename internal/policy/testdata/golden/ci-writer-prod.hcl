# Managed by terraform-provider-mosaic: CI writer for prod. Do not edit by hand.
# What a pipeline needs to apply mosaic_app_secrets for the listed services in this environment and no other.

path "sys/mounts/secret-prod" {
  capabilities = ["read"]
}

# backend-api

path "secret-prod/data/backend-api/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret-prod/metadata/backend-api/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret-prod/delete/backend-api/*" {
  capabilities = ["update"]
}

path "secret-prod/undelete/backend-api/*" {
  capabilities = ["update"]
}

path "secret-prod/data/backend-api-bootstrap/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret-prod/metadata/backend-api-bootstrap/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret-prod/delete/backend-api-bootstrap/*" {
  capabilities = ["update"]
}

path "secret-prod/undelete/backend-api-bootstrap/*" {
  capabilities = ["update"]
}

path "sys/policies/acl/backend-api-prod" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "policy" = ["# Managed by terraform-provider-mosaic: app \"backend-api\" in prod. Do not edit by hand.\n# Read-only access to the app's own secrets; nothing else.\n\npath \"secret-prod/data/backend-api/*\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret-prod/metadata/backend-api/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n\npath \"database/creds/backend-api-role\" {\n  capabilities = [\"read\"]\n}\n"]
  }
}

path "auth/approle/role/backend-api-prod" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "bind_secret_id" = [true]
    "secret_id_bound_cidrs" = []
    "secret_id_num_uses" = ["0"]
    "secret_id_ttl" = ["0"]
    "token_bound_cidrs" = []
    "token_max_ttl" = ["4h"]
    "token_policies" = ["backend-api-prod"]
    "token_ttl" = ["1h"]
  }
}

path "auth/approle/role/backend-api-prod/role-id" {
  capabilities = ["read"]
}

path "auth/approle/role/backend-api-prod/secret-id" {
  capabilities = ["update", "list"]
  allowed_parameters = {
    "metadata" = []
  }
}

path "auth/approle/role/backend-api-prod/secret-id/lookup" {
  capabilities = ["update"]
}

path "auth/approle/role/backend-api-prod/secret-id-accessor/destroy" {
  capabilities = ["update"]
}

# web

path "secret-prod/data/web/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret-prod/metadata/web/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret-prod/delete/web/*" {
  capabilities = ["update"]
}

path "secret-prod/undelete/web/*" {
  capabilities = ["update"]
}

path "secret-prod/data/web-bootstrap/*" {
  capabilities = ["create", "read", "update", "delete"]
}

path "secret-prod/metadata/web-bootstrap/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

path "secret-prod/delete/web-bootstrap/*" {
  capabilities = ["update"]
}

path "secret-prod/undelete/web-bootstrap/*" {
  capabilities = ["update"]
}

path "sys/policies/acl/web-prod" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "policy" = ["# Managed by terraform-provider-mosaic: app \"web\" in prod. Do not edit by hand.\n# Read-only access to the app's own secrets; nothing else.\n\npath \"secret-prod/data/web/*\" {\n  capabilities = [\"read\"]\n}\n\npath \"secret-prod/metadata/web/*\" {\n  capabilities = [\"read\", \"list\"]\n}\n"]
  }
}

path "auth/approle/role/web-prod" {
  capabilities = ["create", "read", "update", "delete"]
  allowed_parameters = {
    "bind_secret_id" = [true]
    "secret_id_bound_cidrs" = []
    "secret_id_num_uses" = ["0"]
    "secret_id_ttl" = ["0"]
    "token_bound_cidrs" = []
    "token_max_ttl" = ["4h"]
    "token_policies" = ["web-prod"]
    "token_ttl" = ["1h"]
  }
}

path "auth/approle/role/web-prod/role-id" {
  capabilities = ["read"]
}

path "auth/approle/role/web-prod/secret-id" {
  capabilities = ["update", "list"]
  allowed_parameters = {
    "metadata" = []
  }
}

path "auth/approle/role/web-prod/secret-id/lookup" {
  capabilities = ["update"]
}

path "auth/approle/role/web-prod/secret-id-accessor/destroy" {
  capabilities = ["update"]
}
