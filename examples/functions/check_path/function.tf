output "checked" {
  # Returns the path unchanged, or fails at plan naming the rule it breaks.
  value = provider::mosaic::check_path("secret-staging/redis/auth/default")
}
