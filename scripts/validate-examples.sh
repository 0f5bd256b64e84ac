#!/usr/bin/env bash
# Every example folder, and the Quickstart of docs/index.md, must work when copied alone:
# `terraform init` and `terraform validate` on a copy, with the provider built here installed by
# init from a temporary filesystem mirror as mosaicstack/mosaic 0.1.0 (so that the examples'
# source and version constraints are checked too); the user's own CLI configuration and
# TF_CLI_CONFIG_FILE are ignored. Nothing is downloaded.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
make -C "$root" --no-print-directory build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mirror="$work/mirror/registry.terraform.io/mosaicstack/mosaic/0.1.0/$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$mirror" && cp "$root/bin/terraform-provider-mosaic" "$mirror/terraform-provider-mosaic_v0.1.0"
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/mosaicstack/mosaic"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

# The Quickstart: the first ```terraform block after "## Quickstart".
mkdir -p "$work/quickstart"
awk '/^## Quickstart/{q=1} q&&/^```terraform/{on=1;next} on&&/^```/{exit} on{print}' "$root/docs/index.md" >"$work/quickstart/main.tf"
[[ -s "$work/quickstart/main.tf" ]] || { echo "no Quickstart block in docs/index.md" >&2; exit 1; }

failed=0
check() { # name, folder
  local name=$1 dir=$2 out
  if ! out=$(cd "$dir" && terraform init -backend=false -input=false -no-color 2>&1 && terraform validate -no-color 2>&1); then
    echo "FAIL $name" >&2; echo "$out" >&2; failed=1; return
  fi
  echo "ok   $name"
}
while IFS= read -r dir; do
  rel=${dir#"$root/"}
  mkdir -p "$work/copy/$rel" && cp "$dir"/*.tf "$work/copy/$rel/"
  check "$rel" "$work/copy/$rel"
done < <(find "$root/examples" -name '*.tf' -printf '%h\n' | sort -u)
check "docs/index.md Quickstart" "$work/quickstart"
exit $failed
