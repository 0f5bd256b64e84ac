#!/usr/bin/env bash
# `terraform test` of every module under modules/, against a fresh real dev Vault.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make -C "$root" --no-print-directory build >/dev/null
for m in "$root"/modules/*/; do
  echo "==> terraform test $(basename "$m")"
  "$root/scripts/with-vault.sh" bash -c "cd '$m' && terraform test -no-color 2>&1 | grep -v 'Provider development overrides\|dev_overrides\|^│\|^╷\|^╵\|The following provider\|mosaicstack/mosaic in\|applying changes may\|incompatibilities' ; exit \${PIPESTATUS[0]}"
done
