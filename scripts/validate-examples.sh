#!/usr/bin/env bash
# Every example folder must work when copied alone: `terraform init` and `terraform validate` on a
# copy, with the provider built here installed by init from a temporary filesystem mirror
# (scripts/install-mirror.sh, the layout `make install-mirror` writes) as mosaicstack/mosaic, so
# that the examples' source and version constraints are checked too; the user's own CLI
# configuration and TF_CLI_CONFIG_FILE are ignored. Nothing is downloaded. (The HCL blocks of
# README.md, docs/ and templates/ are checked by TestAccDocSnippets in internal/docsnippets.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$root/scripts/install-mirror.sh" "$work/mirror" >/dev/null # the layout `make install-mirror` writes
cat >"$work/terraformrc" <<RC
provider_installation {
  filesystem_mirror {
    path    = "$work/mirror"
    include = ["registry.terraform.io/mosaicstack/mosaic"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

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
exit $failed
