#!/usr/bin/env bash
# make demo: a dev Vault on loopback, `terraform apply` of examples/demo, and what landed in Vault.
# Uses a temporary Terraform CLI config with dev_overrides; the user's ~/.terraformrc is untouched.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ -z "${MOSAIC_DEMO_INNER:-}" ]]; then
  MOSAIC_DEMO_INNER=1 exec "$root/scripts/with-vault.sh" "$0"
fi
echo "==> a dev Vault is running at $VAULT_ADDR"
VAULT=$VAULT_BIN
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tf" && cp "$root/examples/demo/main.tf" "$work/tf/"
cd "$work/tf"
# Every value is generated here: nothing secret is committed. The CI issuer is a stand-in key
# pair that signs a GitHub-Actions-shaped ID token below.
TF_VAR_db_password=$(openssl rand -hex 16) TF_VAR_oauth_client_secret=$(openssl rand -hex 16)
TF_VAR_jwt_signing_key=$(openssl rand -base64 48 | tr -d '\n')
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/ci.key" 2>/dev/null
TF_VAR_ci_public_key=$(openssl pkey -in "$work/ci.key" -pubout)
export TF_VAR_db_password TF_VAR_oauth_client_secret TF_VAR_jwt_signing_key TF_VAR_ci_public_key
echo "==> terraform plan (what a reviewer sees)"
terraform plan -no-color -compact-warnings -out=plan.tfplan 2>&1 | grep -v "Warning: Provider development overrides\|dev_overrides\|^│\|^╷\|^╵" || true
echo "==> terraform apply"
terraform apply -no-color -compact-warnings -auto-approve plan.tfplan 2>&1 | grep -v "Provider development overrides\|dev_overrides\|^│\|^╷\|^╵"

redact() { sed -E 's/^(password|private_key|client_secret|secret_id|token) +.*/\1    <redacted>/'; }
echo
echo "==> what landed in Vault"
echo "--- secrets under secret-dev/"
for p in web/database/app web/oauth/google backend-api/database/app backend-api/jwt/signing-key; do
  echo "secret-dev/$p:"; "$VAULT" kv get -mount=secret-dev "$p" | sed -n '/=== Data ===/,$p' | tail -n +3 | redact | sed 's/^/    /'
done
echo "--- policy backend-api-dev"
"$VAULT" policy read backend-api-dev | sed 's/^/    /'
echo "--- AppRole role backend-api-dev"
"$VAULT" read -format=table auth/approle/role/backend-api-dev | grep -E '^(token_ttl|token_max_ttl|secret_id_ttl|token_policies) ' | sed 's/^/    /'
echo "--- bootstrap entry secret-dev/backend-api-bootstrap/approle/credentials: fields $("$VAULT" kv get -format=json -mount=secret-dev backend-api-bootstrap/approle/credentials | grep -oE '"(role_id|secret_id)"' | sort -u | tr '\n' ' ')"

echo
echo "==> the app logs in with its bootstrap credentials"
role_id=$("$VAULT" kv get -mount=secret-dev -field=role_id backend-api-bootstrap/approle/credentials)
secret_id=$("$VAULT" kv get -mount=secret-dev -field=secret_id backend-api-bootstrap/approle/credentials)
app_token=$("$VAULT" write -field=token auth/approle/login role_id="$role_id" secret_id="$secret_id")
echo "login: OK (token policies: $(VAULT_TOKEN=$app_token "$VAULT" token lookup -format=json | grep -oE '"backend-api-dev"' | head -1))"
check() { if VAULT_TOKEN=$app_token "$VAULT" kv get -mount=secret-dev "$1" >/dev/null 2>&1; then echo "read secret-dev/$1: allowed"; else echo "read secret-dev/$1: denied"; fi; }
check backend-api/database/app
check web/database/app
check backend-api-bootstrap/approle/credentials

echo
echo "==> the dev pipeline logs in with its ID token (no long-lived token anywhere)"
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT"}' | b64url)
claims() { printf '{"iss":"https://token.actions.githubusercontent.com","aud":"https://github.com/acme","sub":"repo:%s:ref:refs/heads/main","repository":"%s","ref":"refs/heads/main","iat":%d,"nbf":%d,"exp":%d}' "$1" "$1" "$now" "$now" "$((now + 600))" | b64url; }
sign() { local body="$header.$(claims "$1")"; printf '%s.%s' "$body" "$(printf '%s' "$body" | openssl dgst -sha256 -sign "$work/ci.key" | b64url)"; }
ci_role=ci-writer-dev-platform-secrets
ci_token=$("$VAULT" write -field=token auth/jwt-ci/login role=$ci_role jwt="$(sign acme/platform-secrets)")
echo "acme/platform-secrets@main: login OK, policies: $(VAULT_TOKEN=$ci_token "$VAULT" token lookup -format=json | grep -oE "\"$ci_role\"" | head -1)"
if "$VAULT" write auth/jwt-ci/login role=$ci_role jwt="$(sign acme/other-repo)" >/dev/null 2>&1; then
  echo "acme/other-repo: login ALLOWED (unexpected)"; exit 1
else
  echo "acme/other-repo: login refused (bound subject does not match)"
fi
if VAULT_TOKEN=$ci_token "$VAULT" kv get -mount=secret-dev web/database/app >/dev/null 2>&1; then echo "$ci_role reads secret-dev/web/database/app: allowed (one of its services)"; fi
if ! VAULT_TOKEN=$ci_token "$VAULT" policy write web-dev - <<<'path "*" { capabilities = ["sudo"] }' >/dev/null 2>&1; then echo "$ci_role widens web-dev's policy: denied (pinned to the rendered text)"; fi
echo
echo "==> the app and cluster side, from the same declaration"
for o in web_env_ts web_config_py web_config_go web_readme_section backend_api_readme_section cluster_secret_store; do
  echo "--- $o"; terraform output -raw "$o" | sed 's/^/    /'
done
echo "--- web_pod_annotations: $(terraform output -json web_pod_annotations)"
echo
echo "==> done; stopping Vault"

