variable "environments" {
  description = "Environments to stand up (KV v2 mount, ESO reader and CI writer policy each)."
  type        = list(string)
  default     = ["dev", "staging", "prod"]
  validation {
    condition     = alltrue([for e in var.environments : contains(["dev", "staging", "prod"], e)])
    error_message = "Each environment must be dev, staging or prod."
  }
}

variable "apps" {
  description = "One entry per app: environment, service, kubernetes_namespace, access (eso or direct-vault), justification, extra read paths, AppRole settings (TTLs, num uses, CIDRs), delete_all_versions, and secrets_wo_version when its secrets come through secrets_wo."
  type = map(object({
    environment          = string
    service              = string
    kubernetes_namespace = string
    access               = optional(string, "eso")
    justification        = optional(string)
    # How a direct-vault app renews its token and leases (its README section).
    lease_renewal_strategy = optional(string)
    plain_env = optional(map(object({
      default = string
      reason  = string
    })))
    # Declared types of env vars (secrets and plain_env), keyed by env name: string, int, port, bool, url or enum.
    rules = optional(map(object({
      type       = optional(string)
      min_length = optional(number)
      min        = optional(number)
      max        = optional(number)
      values     = optional(list(string))
    })))
    extra_read_paths   = optional(list(string), [])
    secrets_wo_version = optional(number)
    secret_id_rotation = optional(string)
    # false: a removed or destroyed secret is soft-deleted (vault kv undelete restores it);
    # true: every version is purged.
    delete_all_versions = optional(bool, false)
    env_names           = optional(map(string))
    approle = optional(object({
      token_ttl             = optional(string)
      token_max_ttl         = optional(string)
      secret_id_ttl         = optional(string)
      secret_id_num_uses    = optional(number)
      token_bound_cidrs     = optional(list(string))
      secret_id_bound_cidrs = optional(list(string))
    }))
  }))
  default = {}

  # Early, plain messages; the provider remains the authority on every rule.
  validation {
    condition     = alltrue([for k, a in var.apps : contains(["dev", "staging", "prod"], a.environment)])
    error_message = "Each app's environment must be dev, staging or prod."
  }
  validation {
    condition     = alltrue([for k, a in var.apps : can(regex("^[a-z0-9]+(-[a-z0-9]+)*$", a.service)) && length(a.service) <= 63])
    error_message = "Each app's service must be lowercase kebab-case (e.g. backend-api), at most 63 characters."
  }
  validation {
    condition     = alltrue([for k, a in var.apps : contains(["eso", "direct-vault"], a.access)])
    error_message = "Each app's access must be eso or direct-vault."
  }
  validation {
    condition     = alltrue([for k, a in var.apps : a.access != "direct-vault" || length(trimspace(a.justification == null ? "" : a.justification)) > 0])
    error_message = "A direct-vault app needs a justification."
  }
  validation {
    condition     = alltrue([for k, a in var.apps : a.access != "direct-vault" || length(trimspace(a.lease_renewal_strategy == null ? "" : a.lease_renewal_strategy)) > 0])
    error_message = "A direct-vault app needs a lease_renewal_strategy (how it renews its token and leases)."
  }
  validation {
    condition     = length(distinct([for k, a in var.apps : "${a.environment}/${a.service}"])) == length(var.apps)
    error_message = "Two apps declare the same service in the same environment."
  }
}

variable "secrets" {
  description = "App key to its secrets (\"component/secret-name\" to field to value). Stored in state, marked sensitive; prefer secrets_wo."
  type        = map(map(map(string)))
  default     = {}
  sensitive   = true
}

variable "secrets_wo" {
  description = "App key to its secrets, write-only: never stored in plan or state. Set the app's secrets_wo_version, and bump it to write new values."
  type        = map(map(map(string)))
  default     = null
  ephemeral   = true
  validation {
    condition     = var.secrets_wo == null || alltrue([for k in keys(var.secrets_wo) : contains(keys(var.apps), k) && try(var.apps[k].secrets_wo_version != null, false)])
    error_message = "Every app in secrets_wo must be an app of var.apps with secrets_wo_version set (bump it to write new values); without it its secrets would never be written."
  }
}

variable "vault_addr" {
  description = "Vault's address as apps see it (from inside the cluster): the VAULT_ADDR env entry of direct-vault apps. Required: a placeholder would end up in the rendered manifests."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^https?://[^/\\s]+", var.vault_addr)) && !strcontains(var.vault_addr, "example.com")
    error_message = "vault_addr must be the http(s) URL apps reach Vault at, e.g. https://vault.vault.svc:8200 (not a placeholder)."
  }
}

variable "secret_store_name" {
  description = "Name of the ESO (Cluster)SecretStore that reads Vault."
  type        = string
  default     = "vault-backend"
}
