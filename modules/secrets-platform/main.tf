# The platform side and one mosaic_app_secrets per app, with its ESO manifests.

resource "mosaic_platform" "this" {
  environments = var.environments
  services = {
    for env in var.environments : env => [for k, a in var.apps : a.service if a.environment == env]
  }
  # The CI writer may write each app's policy only with exactly these extra paths.
  app_extra_read_paths = {
    for env in var.environments : env => {
      for k, a in var.apps : a.service => a.extra_read_paths if a.environment == env && length(a.extra_read_paths) > 0
    }
  }
}

resource "mosaic_app_secrets" "app" {
  for_each = var.apps

  environment = each.value.environment
  service     = each.value.service

  secrets            = try(var.secrets[each.key], null)
  secrets_wo         = var.secrets_wo == null ? null : lookup(var.secrets_wo, each.key, null)
  secrets_wo_version = each.value.secrets_wo_version

  access                     = each.value.access
  direct_vault_justification = each.value.access == "direct-vault" ? each.value.justification : null
  extra_read_paths           = each.value.extra_read_paths
  approle                    = each.value.access == "direct-vault" ? each.value.approle : null
  secret_id_rotation         = each.value.access == "direct-vault" ? each.value.secret_id_rotation : null
  delete_all_versions        = each.value.delete_all_versions

  depends_on = [mosaic_platform.this]
}

data "mosaic_external_secret" "app" {
  for_each = var.apps

  environment          = mosaic_app_secrets.app[each.key].environment
  service              = mosaic_app_secrets.app[each.key].service
  access               = mosaic_app_secrets.app[each.key].access
  field_names          = mosaic_app_secrets.app[each.key].field_names
  kubernetes_namespace = each.value.kubernetes_namespace
  env_names            = each.value.env_names
  vault_addr           = var.vault_addr
  secret_store_name    = var.secret_store_name

  plain_env                  = each.value.plain_env
  rules                      = each.value.rules
  extra_read_paths           = mosaic_app_secrets.app[each.key].extra_read_paths
  direct_vault_justification = mosaic_app_secrets.app[each.key].direct_vault_justification
  lease_renewal_strategy     = each.value.access == "direct-vault" ? each.value.lease_renewal_strategy : null
}
