#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# P1 and P2 of doc/validation.md run by evsnn (doc/p1_p2.md), end to end through
# `evsnn run`. Both experiments take well under a second of simulation, so
# the test runs them at full length:
#  - P1 (models/p1_oja.ini): after 2e5 samples |w| = 1 +- 0.02 and
#    |cos(w, e1)| > 0.99, e1 = (0.9239, 0.3827) the principal eigenvector of
#    C = [[3, 1], [1, 1]]; the same check must refuse plain Hebb's weights;
#  - plain Hebb (models/p1_hebb.ini): |w| grows like exp(eta lambda1 t),
#    lambda1 = 2 + sqrt(2): the fitted slope of ln |w| over samples
#    1000..5000 is within 10 % of eta lambda1 (its sampling error is ~1 %)
#    and |w| ends above 1e6;
#  - P2 (models/p2_bcm.ini): tau_theta = 0.5 tau_crit converges to kappa
#    (|y/kappa - 1| < 0.01 over the last 10 tau_crit), 2 tau_crit leaves
#    kappa by more than 50 % within 50 tau_crit; then the whole sweep and
#    bisection of models/p2/sweep.sh with its acceptance tests.
. "$(dirname "$0")/common.sh"
need_evsnn

for m in p1_oja p1_hebb p2_bcm; do
  expect_status 0 "check $m" "$EVSNN" check "$MODELS/$m.ini"
done

# oja_ok FILE: the last row of a synapses table passes P1's acceptance
oja_ok() {
  awk -F'\t' 'NR > 1 { w1 = $2; w2 = $3 }
    END {
      n = sqrt(w1 * w1 + w2 * w2); c = (w1 * 0.9238795325 + w2 * 0.3826834324) / n
      if (c < 0) c = -c
      printf "  |w| = %.5f, |cos(w, e1)| = %.6f\n", n, c
      exit !(n > 0.98 && n < 1.02 && c > 0.99)
    }' "$1"
}

if expect_status 0 "run p1_oja" "$EVSNN" run "$MODELS/p1_oja.ini" -o "$tmp/oja"; then
  last=$(tail -n 1 "$tmp/oja/XY.synapses.tsv" | cut -f1)
  [ "$last" = "200000.000000000" ] || say_fail "P1: last row at t = $last, not after 2e5 samples"
  oja_ok "$tmp/oja/XY.synapses.tsv" || say_fail "P1: Oja's weights miss the acceptance"
fi

if expect_status 0 "run p1_hebb" "$EVSNN" run "$MODELS/p1_hebb.ini" -o "$tmp/hebb"; then
  oja_ok "$tmp/hebb/XY.synapses.tsv" >/dev/null &&
    say_fail "P1 control: the acceptance check passes plain Hebb"
  awk -F'\t' 'NR > 1 && $1 >= 1000 {
      n = sqrt($2 * $2 + $3 * $3); l = log(n)
      k++; sx += $1; sy += l; sxx += $1 * $1; sxy += $1 * l
    }
    END {
      b = (k * sxy - sx * sy) / (k * sxx - sx * sx); want = 1e-3 * (2 + sqrt(2))
      printf "  Hebb: slope of ln|w| %.5g per sample (eta lambda1 = %.5g), |w| = %.3g\n", b, want, n
      exit !(b > 0.9 * want && b < 1.1 * want && n > 1e6)
    }' "$tmp/hebb/XY.synapses.tsv" || say_fail "P1: plain Hebb does not grow like exp(eta lambda1 t)"
fi

# dev DIR: prints "first t/tau_crit where |y/kappa - 1| > 0.5" (or -) and the
# largest |y/kappa - 1| over t >= 45 s (the last 10 tau_crit of 50 s)
dev() {
  awk -F'\t' 'NR > 1 { d = $2 / 5 - 1; if (d < 0) d = -d
      if (t == "" && d > 0.5) t = $1 / 0.5
      if ($1 >= 45 && d > last) last = d }
    END { printf "%s %.3g\n", t == "" ? "-" : t, last }' "$1/v_Y.tsv"
}
if expect_status 0 "run p2_bcm" "$EVSNN" run "$MODELS/p2_bcm.ini" -o "$tmp/b1"; then
  set -- $(dev "$tmp/b1")
  echo "  P2 tau_theta = 0.5 tau_crit: left kappa at $1 tau_crit, last deviation $2"
  [ "$1" = "-" ] && awk "BEGIN { exit !($2 < 0.01) }" ||
    say_fail "P2: tau_theta = 0.5 tau_crit does not converge to kappa"
fi
if expect_status 0 "run p2_bcm, tau_theta = 2 tau_crit" "$EVSNN" run \
    "$MODELS/p2_bcm.ini" --set "XY.tau_theta=1 s" -o "$tmp/b2"; then
  set -- $(dev "$tmp/b2")
  echo "  P2 tau_theta = 2 tau_crit: left kappa at $1 tau_crit"
  [ "$1" != "-" ] && awk "BEGIN { exit !($1 <= 50) }" ||
    say_fail "P2: tau_theta = 2 tau_crit does not diverge within 50 tau_crit"
fi

if EVSNN="$EVSNN" sh "$MODELS/p2/sweep.sh" "$tmp/sweep" >"$tmp/sweep.log" 2>&1; then
  sed -n 's/^tau_crit/  tau_crit/p; s/^relative/  relative/p' "$tmp/sweep.log"
else
  sed 's/^/  | /' "$tmp/sweep.log"
  say_fail "P2: models/p2/sweep.sh failed its acceptance tests"
fi
finish
