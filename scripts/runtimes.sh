#!/usr/bin/env bash
# Installs, once per machine, the real runtimes the generated app validators are proven with, and
# prints them as shell assignments:
#   MOSAIC_NODE_MODULES  node_modules with zod 3, typescript 5 and @types/node 20 (npm registry, cached);
#                        the Direct-Vault client uses node's own fetch, so no Vault library
#   MOSAIC_PYTHON_HVAC   Debian's python3 with Debian's python3-hvac, apt-get installed
#   MOSAIC_PYTHON_V2     a python3 with pydantic v2 and pydantic-settings
#   MOSAIC_PYTHON_V1     Debian's python3 with Debian's python3-pydantic (v1), apt-get installed
# Go's envconfig and hashicorp/vault/api come from the Go module proxy when the test builds it. A runtime that cannot
# be had is an error: the tests never skip.
set -euo pipefail
cache=${MOSAIC_CACHE:-$HOME/.cache/terraform-provider-mosaic}/runtimes
log() { echo "runtimes: $*" >&2; }

node_dir=$cache/node
if [[ ! -f $node_dir/node_modules/zod/package.json || ! -x $node_dir/node_modules/.bin/tsc || ! -f $node_dir/node_modules/@types/node/package.json ]]; then
  command -v npm >/dev/null || { log "npm is not installed"; exit 1; }
  log "installing zod@3, typescript@5 and @types/node@20 into $node_dir (once per machine)"
  mkdir -p "$node_dir"
  (cd "$node_dir" && [[ -f package.json ]] || echo '{"private":true}' >"$node_dir/package.json")
  (cd "$node_dir" && npm install --no-audit --no-fund --silent zod@3 typescript@5 @types/node@20 >&2)
fi

py2=""
for p in python3 /usr/local/bin/python3 "$HOME/.pyenv/shims/python3"; do
  if command -v "$p" >/dev/null && "$p" -c 'import pydantic, pydantic_settings; assert pydantic.VERSION.startswith("2")' 2>/dev/null; then
    py2=$(command -v "$p"); break
  fi
done
[[ -n $py2 ]] || { log "no python3 with pydantic v2 and pydantic-settings (PyPI is not reachable here; the machine image provides them)"; exit 1; }

py1=/usr/bin/python3
if ! "$py1" -c 'import pydantic; assert pydantic.VERSION.startswith("1")' 2>/dev/null; then
  log "installing Debian's python3-pydantic (pydantic v1) for $py1"
  if ! apt-get install -y -qq python3-pydantic >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq python3-pydantic >/dev/null 2>&1 || { log "apt-get install python3-pydantic failed"; exit 1; }
  fi
fi
"$py1" -c 'import pydantic; assert pydantic.VERSION.startswith("1")' || { log "$py1 has no pydantic v1"; exit 1; }

if ! "$py1" -c 'import hvac' 2>/dev/null; then
  log "installing Debian's python3-hvac for $py1"
  if ! apt-get install -y -qq python3-hvac >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq python3-hvac >/dev/null 2>&1 || { log "apt-get install python3-hvac failed"; exit 1; }
  fi
fi
"$py1" -c 'import hvac' || { log "$py1 has no hvac"; exit 1; }

echo "MOSAIC_NODE_MODULES=$node_dir/node_modules"
echo "MOSAIC_PYTHON_V2=$py2"
echo "MOSAIC_PYTHON_V1=$py1"
echo "MOSAIC_PYTHON_HVAC=$py1"
