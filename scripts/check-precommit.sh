#!/usr/bin/env bash
# Proves the pre-commit hook works the way an app repository uses it: pre-commit (Debian's
# package, installed if missing) runs this repository's hook, built from the committed HEAD, on a
# throwaway app repository: with a hard-coded secret it fails and names it; fixed, it passes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v pre-commit >/dev/null; then
  apt-get install -y -qq pre-commit >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq pre-commit >/dev/null 2>&1; } || {
    echo "check-precommit: cannot install pre-commit" >&2; exit 1; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME=$work/cache HOME=${HOME:-$work}
app=$work/app
mkdir -p "$app/src"
cd "$app"
git init -q
printf '.env\n' >.gitignore
printf 'import os\nDB_PASSWORD = "supersecret123"\n' >src/app.py
git add -A && git -c user.email=t@t -c user.name=t commit -qm app
if out=$(pre-commit try-repo "$root" mosaic-lint --all-files 2>&1); then
  echo "$out" >&2; echo "check-precommit: the hook passed a hard-coded secret" >&2; exit 1
fi
grep -q "src/app.py:2:1: hardcoded-secret" <<<"$out" || { echo "$out" >&2; echo "check-precommit: the hook did not name the finding" >&2; exit 1; }
printf 'import os\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n' >src/app.py
git add -A && git -c user.email=t@t -c user.name=t commit -qm fix
pre-commit try-repo "$root" mosaic-lint --all-files >/dev/null 2>&1 || { pre-commit try-repo "$root" mosaic-lint --all-files >&2; echo "check-precommit: the hook failed a clean repository" >&2; exit 1; }
# The bootstrap hook: this app has no README "Secrets architecture" section, no ExternalSecret and
# no startup validator, so the checklist fails and names each item.
if out=$(pre-commit try-repo "$root" mosaic-lint-bootstrap --all-files 2>&1); then
  echo "$out" >&2; echo "check-precommit: the bootstrap hook passed an app without its checklist" >&2; exit 1
fi
for rule in bootstrap-readme-vault-path bootstrap-external-secret bootstrap-startup-validator; do
  grep -q "$rule" <<<"$out" || { echo "$out" >&2; echo "check-precommit: the bootstrap hook did not name $rule" >&2; exit 1; }
done
echo "pre-commit hooks: a hard-coded secret fails the commit and is named; the clean repository passes; the bootstrap checklist names each missing item"
