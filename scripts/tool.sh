#!/usr/bin/env bash
# Prints the path of a pinned developer tool, installing it once per machine from the Go module
# proxy into ~/.cache/terraform-provider-mosaic/tools/<name>-<version>/.
#   scripts/tool.sh golangci-lint | goreleaser | tofu | actionlint
# The pins live here, in one place; `make lint` and `make release-snapshot` call this script.
set -euo pipefail

GOLANGCI_LINT_VERSION=v2.15.0 # go-partial.tsv: installs with Go 1.26
GORELEASER_VERSION=v2.15.1    # v2.18.2+ needs a newer Go
OPENTOFU_VERSION=v1.12.6
ACTIONLINT_VERSION=v1.7.12    # go-partial.tsv

cache=${MOSAIC_CACHE:-$HOME/.cache/terraform-provider-mosaic}/tools
name=${1:?usage: scripts/tool.sh golangci-lint|goreleaser|tofu|actionlint}

install() { # dir, package@version
  local dir=$1 pkg=$2
  echo "==> installing $pkg into $dir (once per machine)" >&2
  mkdir -p "$dir"
  (cd /tmp && GOFLAGS= GOBIN="$dir" go install "$pkg") >&2
}

case $name in
golangci-lint)
  dir=$cache/golangci-lint-$GOLANGCI_LINT_VERSION
  [[ -x $dir/golangci-lint ]] || install "$dir" github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$GOLANGCI_LINT_VERSION
  echo "$dir/golangci-lint"
  ;;
actionlint)
  dir=$cache/actionlint-$ACTIONLINT_VERSION
  [[ -x $dir/actionlint ]] || install "$dir" github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION
  echo "$dir/actionlint"
  ;;
goreleaser)
  dir=$cache/goreleaser-$GORELEASER_VERSION
  [[ -x $dir/goreleaser ]] || install "$dir" github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION
  echo "$dir/goreleaser"
  ;;
tofu)
  # OpenTofu's go.mod has a replace directive (hcl/v2 -> its fork), so `go install pkg@v` refuses;
  # building a copy of the module source with -mod=mod works (about 3.5 minutes on 2 cores).
  dir=$cache/tofu-$OPENTOFU_VERSION
  if [[ ! -x $dir/tofu ]]; then
    echo "==> building OpenTofu $OPENTOFU_VERSION into $dir (once per machine)" >&2
    src=$(cd /tmp && GOFLAGS= go mod download -json github.com/opentofu/opentofu@$OPENTOFU_VERSION | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d $src ]] || { echo "cannot download github.com/opentofu/opentofu@$OPENTOFU_VERSION from the module proxy" >&2; exit 1; }
    work=$(mktemp -d)
    trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
    cp -r "$src/." "$work/"
    chmod -R u+w "$work"
    mkdir -p "$dir"
    (cd "$work" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o "$dir/tofu" ./cmd/tofu) >&2
  fi
  echo "$dir/tofu"
  ;;
*)
  echo "unknown tool $name" >&2
  exit 2
  ;;
esac
