#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# P2 of doc/validation.md (doc/p1_p2.md): the BCM temporal paradox, run by evsnn on
# models/p2_bcm.ini.
#
#   models/p2/sweep.sh [OUTDIR]        (default: p2_out)
#
# Environment: EVSNN (default: evsnn on PATH); ETA, X, KAPPA, DT override the
# experiment's learning rate (1/s), input amplitude, target rate and step (s).
# tau_crit = 1 / (eta x^2 kappa); Euler's step moves it to tau_crit - dt.
#
# 1. Sweep: tau_theta / tau_crit in {0.1, 0.5, 0.9, 1.1, 2, 10}, y starting
#    10 % above kappa, 100 tau_crit each. A run has
#      converged  when |y/kappa - 1| < 0.01 over its last 10 tau_crit,
#      diverged   when |y/kappa - 1| > 0.5 at some t <= 50 tau_crit
#    (runaway up to the weight bound, or collapse to y = 0).
#    Acceptance: <= 0.9 converged, >= 1.1 diverged.
# 2. Bisection of the critical tau_theta on [0.5, 2] tau_crit, 14 halvings:
#    y starts 1 % above kappa, 400 tau_crit; a run is stable when the largest
#    |y/kappa - 1| of its last 10 % is below that of its first 10 % (the
#    oscillation's envelope decays) and below 0.5 (a run that collapsed to
#    y = 0 after overshooting is not). Acceptance: within 5 % of
#    1 / (eta x^2 kappa).
# Writes OUTDIR/sweep.tsv, OUTDIR/y_<ratio>.tsv (t/tau_crit, y/kappa),
# OUTDIR/bisect.tsv and OUTDIR/summary.txt; exits 1 when an acceptance test
# fails. Takes about a second.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
model="$here/../p2_bcm.ini"
evsnn=${EVSNN:-evsnn}
out=${1:-p2_out}
ETA=${ETA:-0.1}
X=${X:-2}
KAPPA=${KAPPA:-5}
DT=${DT:-0.005}
mkdir -p "$out"
calc() { awk "BEGIN { printf \"%.10g\", $1 }"; }
tau_c=$(calc "1 / ($ETA * $X * $X * $KAPPA)")

# run RATIO PERTURBATION DURATION_IN_TAU_C DIR: one run of the model
run() {
  "$evsnn" run "$model" -o "$4" \
    --set "simulation.duration=$(calc "$3 * $tau_c") s" \
    --set "simulation.resolution=$DT s" \
    --set "X.amplitude=$X" --set "X.dt=$DT s" --set "Y.dt=$DT s" \
    --set "Y.record_interval=$(calc "$tau_c / 10") s" \
    --set "XY.eta=$ETA Hz" --set "XY.kappa=$KAPPA" \
    --set "XY.theta_init=$KAPPA" \
    --set "XY.weight=$(calc "(1 + $2) * $KAPPA / $X")" \
    --set "XY.w_max=$(calc "10 * $KAPPA / $X")" \
    --set "XY.tau_theta=$(calc "$1 * $tau_c") s" >/dev/null
}

# y/kappa against t/tau_crit from a run's v_Y.tsv
scaled() {
  awk -F'\t' -v tc="$tau_c" -v k="$KAPPA" \
    'NR == 1 { print "t_over_tau_crit\ty_over_kappa"; next }
     { printf "%.6g\t%.9g\n", $1 / tc, $2 / k }' "$1"
}

printf 'ratio\ttau_theta_s\tverdict\tt_diverged_over_tau_crit\tlast_dev\n' \
  >"$out/sweep.tsv"
ok=1
for r in 0.1 0.5 0.9 1.1 2 10; do
  run "$r" 0.1 100 "$out/run"
  scaled "$out/run/v_Y.tsv" >"$out/y_$r.tsv"
  line=$(awk -F'\t' 'NR > 1 {
      d = $2 - 1; if (d < 0) d = -d
      if (tdiv == "" && d > 0.5 && $1 <= 50) tdiv = $1
      if ($1 >= 90 && d > last) last = d
    }
    END {
      v = tdiv != "" ? "diverged" : (last < 0.01 ? "converged" : "undecided")
      printf "%s\t%s\t%.3g", v, tdiv == "" ? "-" : tdiv, last
    }' "$out/y_$r.tsv")
  printf '%s\t%s\t%s\n' "$r" "$(calc "$r * $tau_c")" "$line" >>"$out/sweep.tsv"
  verdict=$(printf '%s' "$line" | cut -f1)
  want=converged
  if awk "BEGIN { exit !($r > 1) }"; then want=diverged; fi
  [ "$verdict" = "$want" ] || { echo "FAIL: tau_theta = $r tau_crit: $verdict, expected $want"; ok=0; }
done

# stable RATIO: 0 when the envelope of |y/kappa - 1| decays
stable() {
  run "$1" 0.01 400 "$out/run"
  scaled "$out/run/v_Y.tsv" | awk -F'\t' 'NR > 1 {
      d = $2 - 1; if (d < 0) d = -d
      if ($1 < 40 && d > first) first = d
      if ($1 >= 360 && d > last) last = d
    }
    END { exit !(last < first && last < 0.5) }'
}
lo=0.5
hi=2
printf 'ratio\tstable\n' >"$out/bisect.tsv"
stable "$lo" || { echo "FAIL: tau_theta = $lo tau_crit is not stable"; ok=0; }
stable "$hi" && { echo "FAIL: tau_theta = $hi tau_crit is stable"; ok=0; }
i=0
while [ $i -lt 14 ]; do
  mid=$(calc "($lo + $hi) / 2")
  if stable "$mid"; then lo=$mid; s=1; else hi=$mid; s=0; fi
  printf '%s\t%s\n' "$mid" "$s" >>"$out/bisect.tsv"
  i=$((i + 1))
done
rm -rf "$out/run"
meas=$(calc "($lo + $hi) / 2 * $tau_c")
disc=$(calc "$tau_c - $DT")
err=$(calc "$meas / $tau_c - 1")
{
  printf 'eta = %s /s, x = %s, kappa = %s, dt = %s s\n' "$ETA" "$X" "$KAPPA" "$DT"
  printf 'tau_crit formula 1/(eta x^2 kappa) = %s s\n' "$tau_c"
  printf 'tau_crit of the Euler-stepped system (tau_crit - dt) = %s s\n' "$disc"
  printf 'tau_crit measured by bisection = %s s (ratio %s .. %s)\n' "$meas" "$lo" "$hi"
  printf 'relative difference from the formula = %s\n' "$err"
  printf 'relative difference from tau_crit - dt = %s\n' "$(calc "$meas / $disc - 1")"
} >"$out/summary.txt"
cat "$out/sweep.tsv" "$out/summary.txt"
awk "BEGIN { e = $err; exit !(e < 0.05 && e > -0.05) }" ||
  { echo "FAIL: measured tau_crit differs from the formula by more than 5 %"; ok=0; }
[ "$ok" = 1 ] || exit 1
echo "P2: all acceptance tests pass"
