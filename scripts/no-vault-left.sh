#!/usr/bin/env bash
# Fails when a Vault dev server started by the tests is still running.
left=$(pgrep -af 'vault server -dev.*-dev-root-token-id=root-' || true)
if [[ -n "$left" ]]; then
  echo "A test Vault server was left running:" >&2; echo "$left" >&2; exit 1
fi
echo "no test Vault server left running"
