#!/usr/bin/env bash
# Fails with a clear message unless a Terraform CLI >= 1.11 is available (write-only attributes).
set -euo pipefail
bin="${TF_ACC_TERRAFORM_PATH:-$(command -v terraform || true)}"
if [[ -z "$bin" ]]; then
  echo "No Terraform CLI found: install Terraform >= 1.11 on PATH, or set TF_ACC_TERRAFORM_PATH=/path/to/terraform." >&2
  echo "(The tests never download one: this machine has no internet.)" >&2
  exit 1
fi
v=$("$bin" version -json 2>/dev/null | sed -n 's/.*"terraform_version": *"\([^"]*\)".*/\1/p')
major=${v%%.*}; rest=${v#*.}; minor=${rest%%.*}
if [[ -z "$v" || "$major" -lt 1 || ( "$major" -eq 1 && "$minor" -lt 11 ) ]]; then
  echo "$bin is Terraform ${v:-unknown}; write-only attributes need Terraform >= 1.11." >&2
  exit 1
fi
echo "terraform: $bin ($v)"
