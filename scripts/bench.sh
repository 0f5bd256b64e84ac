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
go build -o bin/mosaic-anchor ./bench/anchor
go build -o bin/mosaic-bench ./bench
# BENCH_PLATFORM (services of the mosaic_platform, default 5000) and BENCH_WORKSPACES (default 5x200)
# may be empty to leave those parts out. BENCH_TPV_BIN (a terraform-provider-vault binary; the performance
# guide says how to build one) adds the comparison with it at BENCH_TPV_N apps (default 200).
bin/mosaic-bench -n "${BENCH_N-10,100,1000}" -platform "${BENCH_PLATFORM-5000}" -workspaces "${BENCH_WORKSPACES-5x200}" \
  -tpv "${BENCH_TPV_BIN:-}" -tpv-n "${BENCH_TPV_N:-200}" -out "${BENCH_OUT:-bench/REPORT.md}"
echo
echo "==> mosaic-lint: generated repositories of 1,000 and 10,000 files (2% with a finding)"
lint_out=$(go test -run '^$' -bench BenchmarkLint -benchtime 5x ./internal/lint/ | grep '^BenchmarkLint')
echo "$lint_out"
report=${BENCH_OUT:-bench/REPORT.md}
{
  echo
  echo "## mosaic-lint"
  echo
  echo "A generated repository (compose files, manifests, Helm values, Python, TypeScript, Go, Terraform, Markdown; 2% of"
  echo "the files with a planted finding) linted with every rule, file discovery included; $(nproc) cores."
  echo
  echo "| files | time per run | peak heap |"
  echo "|---:|---:|---:|"
  echo "$lint_out" | awk '{split($1,a,"="); sub(/-.*/,"",a[2]); printf "| %s | %.0f ms | %s MiB |\n", a[2], $3/1e6, $5}'
} >>"$report"
echo
echo "==> Go benchmarks: policy rules, policy rendering, ESO manifests"
go test -run '^$' -bench . -benchmem ./internal/policy/ ./internal/eso/
