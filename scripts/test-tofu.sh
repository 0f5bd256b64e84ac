#!/usr/bin/env bash
# make testacc-tofu: the acceptance suite driven by OpenTofu instead of Terraform. OpenTofu is
# built once per machine from the Go module proxy (scripts/tool.sh tofu); TESTS narrows the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
TF_ACC_TERRAFORM_PATH=$(scripts/tool.sh tofu)
MOSAIC_VAULT_BIN=$(scripts/vault-bin.sh)
export TF_ACC_TERRAFORM_PATH MOSAIC_VAULT_BIN TF_ACC=1
# OpenTofu resolves providers on its own registry host.
export TF_ACC_PROVIDER_HOST=registry.opentofu.org TF_ACC_PROVIDER_NAMESPACE=mosaicstack
# The harness parses `tofu version -json`; a CLI configuration that cannot be opened (these
# machines set TF_CLI_CONFIG_FILE to a file that may not exist) makes tofu print a warning ahead
# of the JSON. Give it an empty configuration of our own: nothing depends on the user's.
cli_config=$(mktemp)
export TF_CLI_CONFIG_FILE=$cli_config
echo "==> acceptance tests with $("$TF_ACC_TERRAFORM_PATH" version | head -n 1)"
log=$(mktemp)
trap 'rm -f "$log" "$cli_config"' EXIT
status=0
go test -count=1 -v -timeout 60m -run "${TESTS:-.}" ./internal/provider/... ./internal/docsnippets/ >"$log" 2>&1 || status=$?
if [[ $status -ne 0 ]]; then
  grep -B2 -A30 -E '^\s*--- FAIL|^panic:' "$log" | head -300 >&2 || tail -100 "$log" >&2
  exit $status
fi
if grep -E '^\s*--- SKIP' "$log" >&2; then
  echo "==> a test was skipped under OpenTofu; a skip is not a pass" >&2
  exit 1
fi
echo "OpenTofu: $(grep -cE '^\s*--- PASS' "$log") passed, 0 failed, 0 skipped"
