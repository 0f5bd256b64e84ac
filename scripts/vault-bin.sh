#!/usr/bin/env bash
# Builds (once per machine) a real Vault server binary from the Go module proxy and prints its path.
#
# There is no container engine on these machines, so the dev-mode Vault the tests need is a
# binary. `go install github.com/hashicorp/vault@VERSION` does not work (its go.mod replaces
# nested modules that are not in the module zip), so the source is copied out of the module
# cache, the five replace directives are dropped, three known incompatibilities with the
# published sdk are patched, and it is built with the `minimal` tag (core, KV, AppRole).
#
# Vault is BUSL-licensed: it is used here only as a local test server; neither its source nor
# the binary is committed. Override with MOSAIC_VAULT_BIN=/path/to/vault.
set -euo pipefail

VERSION="${MOSAIC_VAULT_VERSION:-1.21.4}"
if [[ -n "${MOSAIC_VAULT_BIN:-}" ]]; then
  [[ -x "$MOSAIC_VAULT_BIN" ]] || { echo "MOSAIC_VAULT_BIN=$MOSAIC_VAULT_BIN is not executable" >&2; exit 1; }
  echo "$MOSAIC_VAULT_BIN"; exit 0
fi
CACHE="${MOSAIC_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-mosaic}"
OUT="$CACHE/vault-$VERSION/vault"
built() { [[ -x "$OUT" ]] && "$OUT" version 2>/dev/null | grep -q "v$VERSION"; }
if built; then
  echo "$OUT"; exit 0
fi
# One build at a time per machine: a second caller waits for the first (which would otherwise
# have its work folder deleted under it) and then uses its binary.
mkdir -p "$CACHE"
exec 9>"$CACHE/vault-$VERSION.lock"
flock 9
if built; then
  echo "$OUT"; exit 0
fi

log() { echo "vault-bin: $*" >&2; }
log "building Vault v$VERSION from the Go module proxy into $OUT (once per machine; several minutes)"
start=$(date +%s)
export GOFLAGS=-mod=mod
src=$(go mod download -json "github.com/hashicorp/vault@v$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[[ -d "$src" ]] || { log "go mod download did not give a source folder for vault v$VERSION"; exit 1; }

work="$CACHE/vault-$VERSION/src"
rm -rf "$work"; mkdir -p "$work"
cp -r "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
for m in github.com/hashicorp/vault/api github.com/hashicorp/vault/sdk \
         github.com/hashicorp/vault/api/auth/approle github.com/hashicorp/vault/api/auth/kubernetes \
         github.com/hashicorp/vault/api/auth/userpass; do
  go mod edit -dropreplace="$m"
done

# The three places where Vault v1.21.4 differs from the published sdk v0.21.0 (found by compiling; the sdk's ActivationFunc and RestorePolicy signatures changed).
perl -0pi -e 's/func \(i \*IdentityStore\) activateDeduplication\(ctx context\.Context, req \*logical\.Request\) error/func (i *IdentityStore) activateDeduplication(ctx context.Context, req *logical.Request, _ string) error/' vault/identity_store_util.go
perl -0pi -e 's/b\.idStoreBackend\.ActivationFunc\(ctx, nil\)/b.idStoreBackend.ActivationFunc(ctx, nil, "")/' vault/logical_system_activation_flags.go
perl -0pi -e 's/restoredKeyName, err := b\.lm\.RestorePolicy\(/restoredKeyName := keyName\n\terr := b.lm.RestorePolicy(/' builtin/logical/transit/path_restore.go

go build -mod=mod -tags minimal -trimpath -ldflags "-s -w -X github.com/hashicorp/vault/version.Version=$VERSION" -o "$OUT.tmp" .
mv "$OUT.tmp" "$OUT"
rm -rf "$work"
log "built in $(( $(date +%s) - start ))s"
echo "$OUT"
