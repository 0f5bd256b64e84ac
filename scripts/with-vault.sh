#!/usr/bin/env bash
# with-vault.sh CMD...: runs CMD with a fresh dev Vault on a free loopback port (VAULT_ADDR,
# VAULT_TOKEN, VAULT_BIN exported) and a temporary Terraform CLI config whose dev_overrides
# point at ./bin (TF_CLI_CONFIG_FILE); stops Vault and removes everything afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
VAULT_BIN=$("$root/scripts/vault-bin.sh")
work=$(mktemp -d)
vault_pid=""
cleanup() {
  if [[ -n "$vault_pid" ]]; then kill "$vault_pid" 2>/dev/null || true; wait "$vault_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 50); do
  port=$(( 20000 + RANDOM % 20000 ))
  (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null || break
done
export VAULT_BIN VAULT_ADDR="http://127.0.0.1:$port"
export VAULT_TOKEN="root-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
HOME="$work" "$VAULT_BIN" server -dev -dev-root-token-id="$VAULT_TOKEN" -dev-listen-address="127.0.0.1:$port" \
  -dev-no-store-token >"$work/vault.log" 2>&1 &
vault_pid=$!
for _ in $(seq 1 150); do "$VAULT_BIN" status >/dev/null 2>&1 && break; sleep 0.2; done
"$VAULT_BIN" status >/dev/null || { cat "$work/vault.log" >&2; exit 1; }
cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "mosaicstack/mosaic" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1
"$@"
