output "apps" {
  description = "Per app: paths, field names, policy name, role name and bootstrap path (direct-vault), and its ESO manifests (ExternalSecret, Deployment env, all documents)."
  value = {
    for k, a in mosaic_app_secrets.app : k => {
      paths           = a.paths
      field_names     = a.field_names
      policy_name     = a.policy_name
      role_name       = a.role_name
      bootstrap_path  = a.bootstrap_path
      external_secret = data.mosaic_external_secret.app[k].external_secret
      env             = data.mosaic_external_secret.app[k].env
      manifests       = data.mosaic_external_secret.app[k].manifests
    }
  }
}

output "platform" {
  description = "The environment mounts and the names of the ESO reader and CI writer policies."
  value = {
    mounts              = mosaic_platform.this.mounts
    eso_reader_policies = keys(mosaic_platform.this.eso_reader_policies)
    ci_writer_policies  = keys(mosaic_platform.this.ci_writer_policies)
  }
}
