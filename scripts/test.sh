#!/usr/bin/env bash
# make test: unit tests, fuzz seeds and acceptance tests against a real Vault dev server, then
# bounded fuzzing. A skipped test fails the run: nothing is counted as a pass that did not run.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
"$root/scripts/check-terraform.sh"
MOSAIC_VAULT_BIN=$("$root/scripts/vault-bin.sh")
export MOSAIC_VAULT_BIN TF_ACC=1
# The real runtimes the generated validators and Direct-Vault clients are proven with (node+zod+tsc,
# python+pydantic v1/v2, python+hvac).
runtimes=$("$root/scripts/runtimes.sh")
eval "$runtimes"
export MOSAIC_NODE_MODULES MOSAIC_PYTHON_V2 MOSAIC_PYTHON_V1 MOSAIC_PYTHON_HVAC
# An empty CLI configuration of our own: the tests never depend on the user's (or on a
# TF_CLI_CONFIG_FILE that points at a missing file, as on these machines).
cli_config=$(mktemp)
export TF_CLI_CONFIG_FILE=$cli_config
log=$(mktemp)
trap 'rm -f "$log" "$cli_config"' EXIT
echo "==> unit and acceptance tests (Vault: $MOSAIC_VAULT_BIN)"
status=0
go test -count=1 -v -timeout 30m ./... >"$log" 2>&1 || status=$?
grep -E '^(\s*--- (PASS|FAIL|SKIP)|ok |FAIL|panic:)' "$log" || true
if [[ $status -ne 0 ]]; then
  echo "==> go test failed; the failing output:" >&2
  grep -B2 -A30 -E '^\s*--- FAIL|^panic:' "$log" | head -300 >&2 || tail -100 "$log" >&2
  exit $status
fi
if grep -q -E '^\s*--- SKIP' "$log"; then
  echo "==> a test was skipped; make test does not count a skip as a pass" >&2
  exit 1
fi
echo "$(grep -cE '^\s*--- PASS' "$log") passed, $(grep -cE '^\s*--- FAIL' "$log") failed"
make --no-print-directory fuzz
"$root/scripts/module-test.sh"
"$root/scripts/no-vault-left.sh"
