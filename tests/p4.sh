#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# P4 of doc/validation.md, short (doc/p4.md): the recurrent network with homeostatic
# triplet STDP (models/p4_fast.ini, models/p4_slow.ini, 4,096 E + 1,024 I,
# eta = 10), each cut to a few seconds of simulated time:
#  - fast tau_hom (0.5 s): the run completes, run.log ends 'completed at
#    t = 6 s', the E rate of the last 2 s (from E.ras) lies in [0.1, 60] Hz,
#    and the rule did act (the mean E->E weight moved by more than 2 %);
#  - slow tau_hom (5 s): the rate checker stops the run: run.log ends
#    'stopped at t = T s: rate R Hz outside [0.1, 60]' with T < 6 and R
#    outside the band, and the outputs are still written;
#  - control: the slow model with eta = 0 (static weights) completes, so the
#    run-away is the plasticity's.
# About 20 s on the shared 2-core machine.
. "$(dirname "$0")/common.sh"
need_evsnn

for m in p4_fast p4_slow; do
  expect_status 0 "check $m" "$EVSNN" check "$MODELS/$m.ini"
done

D=6
last_line() { tail -n 1 "$1/run.log"; }

# fast: stays in band
if expect_status 0 "run p4_fast" "$EVSNN" run "$MODELS/p4_fast.ini" \
    -o "$tmp/fast" --set "simulation.duration=$D s"; then
  l=$(last_line "$tmp/fast")
  [ "$l" = "completed at t = $D s" ] || say_fail "p4_fast: run.log ends '$l'"
  r=$(awk -v D="$D" '!/^#/ && $1 >= D - 2 { n++ } END { printf "%.4f", n / (4096 * 2) }' \
        "$tmp/fast/E.ras")
  awk -v r="$r" 'BEGIN { exit !(r >= 0.1 && r <= 60) }' ||
    say_fail "p4_fast: E rate of the last 2 s is $r Hz"
  echo "p4_fast: $l; E rate of the last 2 s $r Hz"
  awk -F'\t' 'NR == 2 { w0 = $2 } NR > 2 { w = $2 }
              END { d = (w - w0) / w0; printf "mean E->E weight %.4g -> %.4g nS\n", w0 * 1e9, w * 1e9
                    exit !(d > 0.02 || d < -0.02) }' "$tmp/fast/EE.weights.tsv" ||
    say_fail "p4_fast: the E->E weights did not change"
fi

# slow: stopped by the rate checker
if expect_status 0 "run p4_slow" "$EVSNN" run "$MODELS/p4_slow.ini" \
    -o "$tmp/slow" --set "simulation.duration=$D s"; then
  l=$(last_line "$tmp/slow")
  echo "p4_slow: $l"
  echo "$l" | awk -v D="$D" '
    /^stopped at t = [0-9.e+-]+ s: rate [0-9.e+-]+ Hz outside \[0\.1, 60\]$/ {
      ok = ($5 + 0 < D) && ($8 + 0 > 60 || $8 + 0 < 0.1) }
    END { exit !ok }' || say_fail "p4_slow: not stopped by the rate checker: '$l'"
  grep -q 'stopped at t = ' "$tmp/stdout" ||
    say_fail "p4_slow: evsnn run did not print the stop line"
  for f in E.ras EE.weights.tsv summary.tsv; do
    [ -s "$tmp/slow/$f" ] || say_fail "p4_slow: $f not written"
  done
fi

# control: no plasticity, no run-away
if expect_status 0 "run p4_slow, eta = 0" "$EVSNN" run "$MODELS/p4_slow.ini" \
    -o "$tmp/static" --set "simulation.duration=$D s" --set EE.eta=0; then
  l=$(last_line "$tmp/static")
  [ "$l" = "completed at t = $D s" ] ||
    say_fail "p4_slow with eta = 0: run.log ends '$l'"
fi
finish
