# Managed by terraform-provider-mosaic: app "web" in dev. Do not edit by hand.
# Read-only access to the app's own secrets; nothing else.

path "secret-dev/data/web/*" {
  capabilities = ["read"]
}

path "secret-dev/metadata/web/*" {
  capabilities = ["read", "list"]
}
