#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The rule comparison (doc/compare.md), short: models/compare/run.py runs the
# four models (compare_stdp_slow, compare_stdp_fast, compare_orchestrated,
# compare_superspike) cut to 20 s and
#  - compare.tsv has a row per model and 1 s bin (20 each; fewer only for a
#    run the rate checker stopped), summary.md a table row per model;
#  - the loss the script computes offline from out.ras and the targets equals
#    the loss SuperSpike wrote to learning.tsv (an independent implementation
#    in C) to 1e-3 relative in every trial (40 trials);
#  - slow homeostasis (tau_hom 100 s, seed 1) is stopped by the rate checker
#    above 50 Hz before 20 s, the other three complete.
# About 5 s on the shared 2-core machine.
. "$(dirname "$0")/common.sh"
need_evsnn

if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: no python3"
  exit 77
fi
models="stdp_slow stdp_fast orchestrated superspike"
for m in $models; do
  expect_status 0 "check compare_$m" "$EVSNN" check "$MODELS/compare_$m.ini"
done

D=20
O="$tmp/compare"
if expect_status 0 "models/compare/run.py" python3 "$MODELS/compare/run.py" \
    --evsnn "$EVSNN" --out "$O" --set "simulation.duration=$D s"; then
  for m in $models; do
    n=$(awk -F'\t' -v m="$m" '$1 == m' "$O/compare.tsv" | wc -l)
    l=$(tail -n 1 "$O/$m/run.log")
    case "$l" in
      "completed at t = $D s") want=$D ;;
      "stopped at t = "*) want=$(echo "$l" | awk '{ t = $5 + 0; n = int(t); if (n < t) n++; print n }') ;;
      *) want=-1; say_fail "$m: run.log ends '$l'" ;;
    esac
    [ "$n" -eq "$want" ] || say_fail "$m: $n rows in compare.tsv, expected $want"
    grep -q "^| $m | " "$O/summary.md" || say_fail "$m: no row in summary.md"
  done
  l=$(tail -n 1 "$O/stdp_slow/run.log")
  echo "stdp_slow: $l"
  echo "$l" | awk -v D="$D" '
    /^stopped at t = [0-9.e+-]+ s: rate [0-9.e+-]+ Hz outside \[0\.1, 50\]$/ {
      ok = ($5 + 0 < D) && ($8 + 0 > 50) }
    END { exit !ok }' || say_fail "stdp_slow: not stopped above 50 Hz: '$l'"
  for m in stdp_fast orchestrated superspike; do
    [ "$(tail -n 1 "$O/$m/run.log")" = "completed at t = $D s" ] ||
      say_fail "$m: did not complete"
  done
  # offline loss = learning.tsv's loss, trial by trial
  awk -F'\t' -v D="$D" '
    $1 == "superspike" {
      n++; l = $4 + 0; e = $6 + 0; d = l - e; if (d < 0) d = -d
      r = d / e; if (r > worst) worst = r
      if (!(e > 0) || r > 1e-3) { bad++; printf "trial %d: offline %s, learning.tsv %s\n", $2, $4, $6 } }
    END { printf "superspike: %d trials, offline vs learning.tsv loss: largest relative difference %.2e\n", n, worst
          exit !(n == 2 * D && bad == 0) }' "$O/loss.tsv" ||
    say_fail "offline loss differs from learning.tsv (or not 2 x $D trials)"
  # and learning.tsv itself has those trials
  n=$(awk 'NR > 1' "$O/superspike/learning.tsv" | wc -l)
  [ "$n" -eq $((2 * D)) ] || say_fail "learning.tsv has $n trials"
fi
finish
