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
echo "==> acceptance tests with $("$TF_ACC_TERRAFORM_PATH" version | head -n 1)"
go test -count=1 -timeout 60m -run "${TESTS:-.}" ./internal/provider/...
