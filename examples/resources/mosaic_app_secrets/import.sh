# Import an app from {mount}/{service}: its paths, field names, policy, role, role_id and
# secret_id accessor are discovered in Vault. Secret values are never read into state.
terraform import mosaic_app_secrets.backend_api secret-prod/backend-api
