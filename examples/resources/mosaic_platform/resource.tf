# Everything apps rely on, once per Vault: the environment mounts, the AppRole method, and the
# identities that log in without a long-lived token, each issuer on a JWT auth mount of its own.
variable "cluster_dev_keys" {
  type        = list(string)
  description = "PEM public keys of the dev cluster's service account issuer."
}

variable "cluster_prod_keys" {
  type        = list(string)
  description = "PEM public keys of the prod cluster's service account issuer."
}

resource "mosaic_platform" "this" {
  environments = ["dev", "staging", "prod"]
  services = {
    dev     = ["web", "backend-api"]
    staging = ["web", "backend-api"]
    prod    = ["web", "backend-api"]
  }
  max_versions = 10

  # One mount, one key source and one bound_issuer per issuer: a token one issuer signs never
  # logs in at another's mount. A cluster serves only its own environment.
  issuers = {
    github = {
      bound_issuer       = "https://token.actions.githubusercontent.com"
      oidc_discovery_url = "https://token.actions.githubusercontent.com"
    }
    cluster-dev = {
      bound_issuer           = "https://dev.k8s.example.internal"
      jwt_validation_pubkeys = var.cluster_dev_keys
      environments           = ["dev", "staging"]
    }
    cluster-prod = {
      bound_issuer           = "https://prod.k8s.example.internal"
      jwt_validation_pubkeys = var.cluster_prod_keys
      environments           = ["prod"]
    }
  }

  # One identity per pipeline and environment, pinned to its own services. Prod is bound to the
  # protected GitHub environment "prod" (required reviewers, deployment branches): a binding by
  # repository and ref would also admit pull_request_target runs, which run on the base branch,
  # and jobs of the repository's other environments.
  ci_identities = {
    "prod/web" = {
      issuer          = "github"
      services        = ["web"]
      bound_audiences = ["https://github.com/acme"]
      bound_subject   = "repo:acme/web:environment:prod"
    }
    "prod/backend-api" = {
      issuer          = "github"
      services        = ["backend-api"]
      bound_audiences = ["https://github.com/acme"]
      bound_subject   = "repo:acme/backend-api:environment:prod"
    }
    "dev/web" = {
      issuer          = "github"
      services        = ["web"]
      bound_audiences = ["https://github.com/acme"]
      bound_subject   = "repo:acme/web:ref:refs/heads/main"
    }
  }

  # ESO per namespace: the store of "shop" reads web's secrets and bootstrap entry, nothing else.
  eso_identities = {
    "prod/shop" = { issuer = "cluster-prod", services = ["web"], bound_audiences = ["vault"] }
    "prod/api"  = { issuer = "cluster-prod", services = ["backend-api"], bound_audiences = ["vault"] }
    "dev/shop"  = { issuer = "cluster-dev", services = ["web", "backend-api"], bound_audiences = ["vault"] }
  }
}
