output "apps" {
  description = "Per app: paths, field names, policy name, role name and bootstrap path (direct-vault), and its ESO manifests (ExternalSecret, Deployment env, all documents)."
  value = {
    for k, a in mosaic_app_secrets.app : k => {
      paths           = { for key in keys(a.field_names) : key => "${a.id}/${key}" }
      field_names     = a.field_names
      policy_name     = a.policy_name
      role_name       = a.role_name
      bootstrap_path  = a.bootstrap_path
      external_secret = data.mosaic_external_secret.app[k].external_secret
      env             = data.mosaic_external_secret.app[k].env
      manifests       = data.mosaic_external_secret.app[k].manifests
      # The app side: startup validators, README section, pod-template annotation.
      zod_schema        = data.mosaic_external_secret.app[k].zod_schema
      pydantic_settings = data.mosaic_external_secret.app[k].pydantic_settings
      go_config         = data.mosaic_external_secret.app[k].go_config
      readme_section    = data.mosaic_external_secret.app[k].readme_section
      pod_annotations   = data.mosaic_external_secret.app[k].pod_annotations
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
