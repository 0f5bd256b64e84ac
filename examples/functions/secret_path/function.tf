output "path" {
  # "secret-prod/backend-api/database/app"
  value = provider::mosaic::secret_path("prod", "backend-api", "database", "app")
}
