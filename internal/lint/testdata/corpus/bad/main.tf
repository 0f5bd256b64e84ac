resource "app_database" "web" {
  name     = "web"
  password = "tf-literal-pw"
  token    = var.token
}
