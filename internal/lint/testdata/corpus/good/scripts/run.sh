#!/usr/bin/env bash
# Local run: the values come from the developer's environment, never from this file.
set -euo pipefail
export API_TOKEN="$CI_API_TOKEN"
export DB_PASSWORD=${DB_PASSWORD:?set DB_PASSWORD}
exec ./web serve
