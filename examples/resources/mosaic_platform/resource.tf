# Everything apps rely on, once per Vault.
resource "mosaic_platform" "this" {
  environments = ["dev", "staging", "prod"]
  services = {
    dev     = ["web", "backend-api"]
    staging = ["web", "backend-api"]
    prod    = ["web", "backend-api"]
  }
  max_versions = 10
}
