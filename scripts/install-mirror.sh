#!/usr/bin/env bash
# make install-mirror [MIRROR_DIR=...]: build the provider and place it in the local filesystem
# mirror layout that `terraform init` and `tofu init` read, under both registry hosts:
#   DIR/registry.terraform.io/mosaicstack/mosaic/VERSION/OS_ARCH/terraform-provider-mosaic_vVERSION
#   DIR/registry.opentofu.org/mosaicstack/mosaic/VERSION/OS_ARCH/terraform-provider-mosaic_vVERSION
# so that configurations with `source = "mosaicstack/mosaic"` work unchanged before the registry
# release. VERSION is the release CHANGELOG.md is heading for (the docs' `>= 0.1.0` constraints
# accept it; a -dev pre-release would not match them). DIR defaults to ~/.terraform.d/plugins,
# one of the directories both CLIs search without any configuration. Prints DIR.
# The one implementation of the mirror: scripts/validate-examples.sh and the docs tests call it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-${MIRROR_DIR:-$HOME/.terraform.d/plugins}}
version=$(sed -n 's/^## \([0-9][0-9.]*\) .*/\1/p' "$root/CHANGELOG.md" | head -n 1)
[[ -n "$version" ]] || { echo "install-mirror: no '## X.Y.Z' release heading in CHANGELOG.md" >&2; exit 1; }
make -C "$root" --no-print-directory build VERSION="$version" >/dev/null
platform="$(go env GOOS)_$(go env GOARCH)"
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
for host in registry.terraform.io registry.opentofu.org; do
  target="$dir/$host/mosaicstack/mosaic/$version/$platform"
  mkdir -p "$target"
  cp "$root/bin/terraform-provider-mosaic" "$target/terraform-provider-mosaic_v$version"
done
echo "$dir"
