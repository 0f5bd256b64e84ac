resource "mosaic_app_secrets" "web" {
  environment        = "prod"
  service            = "web"
  secrets_wo         = { "database/app" = { password = var.db_password } }
  secrets_wo_version = 1
}

variable "db_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

output "secret_id_ttl" {
  value = "0"
}
