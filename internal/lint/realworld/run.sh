#!/usr/bin/env bash
# Re-runs the real-world measurement of mosaic-lint (issue 25). For each repository of repos.tsv
# (owner/name, commit) it checks the commit out of its mirror (the `fetch` tool's bare git dir,
# $MIRRORS/<owner>+<name>/repo) into $WORK/<owner>+<name>, runs mosaic-lint with its defaults, and
# writes every finding to $WORK/findings.tsv (repo, file, line, rule). Then it copies each repository,
# applies the plants of plants.tsv (one realistic violation each) and reports which were found
# (found.tsv). score.sh joins both with verdicts.tsv and prints the precision/recall table.
#
#   MIRRORS=/work/.mirror WORK=/tmp/lint-realworld internal/lint/realworld/run.sh [mosaic-lint binary]
#
# The held-out set (repositories and plants looked at only after the rules were written):
#   REPOS=heldout.tsv PLANTS=plants-heldout.tsv VERDICTS=verdicts-heldout.tsv run.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
MIRRORS=${MIRRORS:-/work/.mirror}
WORK=${WORK:-/tmp/lint-realworld}
bin=${1:-}
if [ -z "$bin" ]; then
  bin=$WORK/mosaic-lint
  (cd "$here/../../.." && go build -o "$bin" ./cmd/mosaic-lint)
fi
mkdir -p "$WORK"
: >"$WORK/findings.tsv"
: >"$WORK/found.tsv"
checkout() { # repo commit dest
  rm -rf "$3" && mkdir -p "$3"
  "$here/checkout.py" "$MIRRORS/${1/\//+}/repo" "$2" "$3"
}
while IFS=$'\t' read -r repo commit; do
  [ -z "$repo" ] || [ "${repo:0:1}" = "#" ] && continue
  dir=$WORK/${repo/\//+}
  checkout "$repo" "$commit" "$dir"
  # Not a git work tree: the files are the tree, honouring its .gitignore files.
  "$bin" --root "$dir" --format json >"$dir.json" 2>"$dir.stderr" || true
  # (An older mosaic-lint wrote a bare array of findings.)
  jq -r --arg r "$repo" '(if type == "array" then . else .findings end)[] | [$r, .file, (.line|tostring), .rule] | @tsv' "$dir.json" >>"$WORK/findings.tsv"
done <"${REPOS:-$here/repos.tsv}"

# Plants: repo, file (created or appended to), rule, the line to add (\n for several lines),
# the line number the finding must be on is the first line added.
while IFS=$'\t' read -r id repo file rule text; do
  [ -z "$id" ] || [ "${id:0:1}" = "#" ] && continue
  src=$WORK/${repo/\//+}
  dst=$WORK/plant-$id
  rm -rf "$dst" && cp -a "$src" "$dst"
  mkdir -p "$(dirname "$dst/$file")"
  [ -f "$dst/$file" ] && [ -n "$(tail -c1 "$dst/$file")" ] && echo >>"$dst/$file"
  if [ "${text#symlink:}" != "$text" ]; then
    ln -s "${text#symlink:}" "$dst/$file"
    line=1
  else
    line=$(( $( [ -f "$dst/$file" ] && wc -l <"$dst/$file" || echo 0) + 1 ))
    printf '%b\n' "$text" >>"$dst/$file"
  fi
  "$bin" --root "$dst" --format json >"$dst.json" 2>/dev/null || true
  if jq -e --arg f "$file" --argjson l "$line" --arg rule "$rule" \
      '[(if type == "array" then . else .findings end)[] | select(.rule == $rule) | {file, line}, (.related // [])[]
        | select(.file == $f and .line >= $l)] | length > 0' "$dst.json" >/dev/null; then
    printf '%s\tfound\n' "$id" >>"$WORK/found.tsv"
  else
    printf '%s\tmissed\n' "$id" >>"$WORK/found.tsv"
  fi
  rm -rf "$dst"
done <"${PLANTS:-$here/plants.tsv}"
VERDICTS=${VERDICTS:-$here/verdicts.tsv} "$here/score.sh" "$WORK"
