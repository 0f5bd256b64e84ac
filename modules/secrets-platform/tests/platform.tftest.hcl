# Runs against the real dev Vault that scripts/module-test.sh starts (VAULT_ADDR, VAULT_TOKEN).
provider "mosaic" {}

variables {
  environments = ["dev", "prod"]
  apps = {
    # Purged on teardown, so that the platform can remove the mounts (soft-deleted secrets
    # still count as secrets a mount holds).
    web = { environment = "dev", service = "web", kubernetes_namespace = "web", delete_all_versions = true }
    api = {
      environment            = "prod"
      service                = "api"
      kubernetes_namespace   = "api"
      access                 = "direct-vault"
      justification          = "DB secrets engine leases with a 15 minute TTL"
      lease_renewal_strategy = "renews its token at two thirds of its TTL"
      extra_read_paths       = ["database/creds/api-role"]
      secrets_wo_version     = 1
      delete_all_versions    = true
    }
  }
  secrets = {
    web = { "database/app" = { username = "web", password = "module-test-web" } }
  }
  secrets_wo = {
    api = { "jwt/signing-key" = { private_key = "module-test-api" } }
  }
  vault_addr = "https://vault.vault.svc:8200"
}

run "platform_with_two_apps" {
  assert {
    condition     = output.apps["web"].paths["database/app"] == "secret-dev/web/database/app"
    error_message = "web's canonical path is wrong"
  }
  assert {
    condition     = output.apps["api"].role_name == "api-prod" && output.apps["api"].bootstrap_path == "secret-prod/api-bootstrap/approle/credentials"
    error_message = "api's role or bootstrap path is wrong"
  }
  assert {
    condition     = output.apps["web"].role_name == null && output.apps["web"].policy_name == "web-dev"
    error_message = "an eso app got a role, or its policy name is wrong"
  }
  assert {
    condition     = strcontains(output.apps["web"].external_secret, "key: secret-dev/web/database/app") && strcontains(output.apps["api"].env, "VAULT_SECRET_ID")
    error_message = "the ESO manifests are wrong"
  }
  assert {
    condition     = output.platform.mounts["dev"] == "secret-dev" && output.platform.mounts["prod"] == "secret-prod" && length(output.platform.mounts) == 2
    error_message = "platform mounts are wrong"
  }
}

run "bad_app_rejected_at_plan" {
  command = plan
  variables {
    apps = {
      bad = { environment = "prod", service = "Bad_Name", kubernetes_namespace = "x" }
    }
  }
  expect_failures = [var.apps]
}

run "direct_vault_without_justification_rejected" {
  command = plan
  variables {
    apps = {
      bad = { environment = "prod", service = "x", kubernetes_namespace = "x", access = "direct-vault" }
    }
  }
  expect_failures = [var.apps]
}
