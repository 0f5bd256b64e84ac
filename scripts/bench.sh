#!/usr/bin/env bash
# make bench: the provider (already built by make), the RSS wrapper, a Vault server, then the
# benchmark driver (bench/main.go). BENCH_N=10,100 limits the sizes; the report goes to
# bench/REPORT.md. Go micro-benchmarks of the policy rules run afterwards.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
MOSAIC_VAULT_BIN=$(scripts/vault-bin.sh)
export MOSAIC_VAULT_BIN
go build -o bin/rsswrap ./bench/rsswrap
go build -o bin/mosaic-bench ./bench
bin/mosaic-bench -n "${BENCH_N:-10,100,1000}" -out "${BENCH_OUT:-bench/REPORT.md}"
echo
echo "==> Go benchmarks: policy rules, policy rendering, ESO manifests"
go test -run '^$' -bench . -benchmem ./internal/policy/ ./internal/eso/
