# Adopt an app that exists in Vault ({mount}/{service}): its paths, field names, policy, role,
# role_id and secret_id accessor are discovered; secret values are never read into state.
# Secrets found but not declared are left in Vault and dropped from state on the first apply.
import {
  to = mosaic_app_secrets.backend_api
  id = "secret-prod/backend-api"
}
