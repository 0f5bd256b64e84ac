output "target" {
  # "secret-prod/backend-api/oauth/google"
  value = provider::mosaic::migrate_path("secret/oauth/google", "prod", "backend-api")
}
