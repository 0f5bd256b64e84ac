# Runs without Vault: the mosaic provider is mocked (its schema comes from the real provider),
# so these check the module's own wiring and validations at plan time.
mock_provider "mosaic" {}

variables {
  environments = ["dev", "prod"]
  apps = {
    web = { environment = "dev", service = "web", kubernetes_namespace = "web" }
    api = {
      environment            = "prod"
      service                = "api"
      kubernetes_namespace   = "api"
      access                 = "direct-vault"
      justification          = "DB secrets engine leases with a 15 minute TTL"
      lease_renewal_strategy = "renews its token at two thirds of its TTL"
      extra_read_paths       = ["database/creds/api-role"]
      approle                = { token_bound_cidrs = ["10.0.0.0/8"] }
      secrets_wo_version     = 1
    }
  }
  secrets_wo = {
    api = { "jwt/signing-key" = { private_key = "mock" } }
  }
  vault_addr = "https://vault.vault.svc:8200"
}

run "platform_lists_each_environments_services" {
  command = plan
  assert {
    condition     = mosaic_platform.this.services["dev"] == tolist(["web"]) && mosaic_platform.this.services["prod"] == tolist(["api"])
    error_message = "the CI writer of an environment must list exactly that environment's apps"
  }
  assert {
    condition     = mosaic_platform.this.app_extra_read_paths["prod"]["api"] == tolist(["database/creds/api-role"]) && length(mosaic_platform.this.app_extra_read_paths["dev"]) == 0
    error_message = "the platform must know each app's extra read paths to pin its policy for the CI writer"
  }
  assert {
    condition     = mosaic_app_secrets.app["api"].approle.token_bound_cidrs == tolist(["10.0.0.0/8"])
    error_message = "the AppRole settings (CIDRs included) must reach the direct-vault app"
  }
  assert {
    condition     = mosaic_app_secrets.app["api"].secrets_wo_version == 1 && mosaic_app_secrets.app["web"].secrets_wo_version == null
    error_message = "secrets_wo_version must reach the app that has write-only secrets"
  }
}

run "secrets_wo_without_version_rejected" {
  command = plan
  variables {
    apps = {
      web = { environment = "dev", service = "web", kubernetes_namespace = "web" }
    }
    secrets_wo = {
      web = { "database/app" = { password = "would-be-dropped" } }
    }
  }
  expect_failures = [var.secrets_wo]
}

run "placeholder_vault_addr_rejected" {
  command = plan
  variables {
    vault_addr = "https://vault.example.com"
  }
  expect_failures = [var.vault_addr]
}
