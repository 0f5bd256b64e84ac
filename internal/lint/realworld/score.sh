#!/usr/bin/env bash
# Joins a run's findings (findings.tsv: repo, file, line, rule) with the verdicts (verdicts.tsv:
# repo, file, line, rule, TP|FP, reason) and the plants found (found.tsv: id, found|missed), and
# prints the precision/recall table as Markdown. A finding without a verdict is listed: judge it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/lint-realworld}
awk -F'\t' -v verdicts="${VERDICTS:-$here/verdicts.tsv}" -v found="$work/found.tsv" '
BEGIN {
  while ((getline l < verdicts) > 0) { if (l ~ /^#/ || l == "") continue; split(l, v, "\t"); V[v[1] "\t" v[2] "\t" v[3] "\t" v[4]] = v[5] }
  while ((getline l < found) > 0) { split(l, f, "\t"); planted++; if (f[2] == "found") hit++; else missed = missed " " f[1] }
}
{ k = $1 "\t" $2 "\t" $3 "\t" $4; repos[$1] = 1; n[$1]++
  if (V[k] == "TP") tp[$1]++; else if (V[k] == "FP") fp[$1]++; else { un[$1]++; unjudged = unjudged "\n  " k } }
END {
  print "| repository | findings | true | false | unjudged | precision |"
  print "|---|---|---|---|---|---|"
  for (r in repos) { T += tp[r]; F += fp[r]; U += un[r]; N += n[r]
    printf "| %s | %d | %d | %d | %d | %s |\n", r, n[r], tp[r], fp[r], un[r], (tp[r] + fp[r]) ? sprintf("%.2f", tp[r] / (tp[r] + fp[r])) : "-" }
  printf "| **all** | %d | %d | %d | %d | **%.2f** |\n\n", N, T, F, U, (T + F) ? T / (T + F) : 0
  printf "Plants: %d of %d found: recall **%.2f**.%s\n", hit, planted, planted ? hit / planted : 0, missed ? " Missed:" missed : ""
  if (unjudged) printf "\nFindings without a verdict:%s\n", unjudged
}' "$work/findings.tsv"
