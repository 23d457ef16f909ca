#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# EIF_cond_exp_isfa_ista end to end (models/adex_dc.ini): each neuron of the
# DC-driven populations fires as many spikes in 1 s as a reference computed
# here, independently of the C code: the same model (PyNN's defaults, every
# term at min(v, v_spike)) by RK4 at dt/10 in awk, the spike tested at the
# end of each 0.1 ms clock step, v = v_reset and w += b at a spike, v held
# for tau_refrac. The Poisson-driven population must fire, below the DC rates.
. "$(dirname "$0")/common.sh"
need_evsnn

# ref_count I_nA: spikes of the reference in 1 s under i_offset = I.
ref_count() {
  awk -v I="$1" 'BEGIN {
    cm = 0.281e-9; gl = cm / 9.3667e-3; el = -70.6e-3; vr = -70.6e-3;
    vt = -50.4e-3; vs = -40e-3; dT = 2e-3; tw = 144e-3; a = 4e-9;
    b = 0.0805e-9; tref = 0.1e-3; iof = I * 1e-9;
    dt = 1e-4; nsub = 10; h = dt / nsub;
    v = el; w = 0; until = -1; n = 0;
    for (k = 1; k <= 10000; k++) {
      for (j = 0; j < nsub; j++) {
        hold = ((k - 1) * dt + j * h < until - 1e-3 * h);
        f(v, w); k1v = fv; k1w = fw;
        f(v + h / 2 * k1v, w + h / 2 * k1w); k2v = fv; k2w = fw;
        f(v + h / 2 * k2v, w + h / 2 * k2w); k3v = fv; k3w = fw;
        f(v + h * k3v, w + h * k3w); k4v = fv; k4w = fw;
        v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
        w += h / 6 * (k1w + 2 * k2w + 2 * k3w + k4w);
      }
      if (v >= vs) { n++; v = vr; w += b; until = k * dt + tref }
    }
    print n
  }
  function f(x, y,   u) {
    u = x < vs ? x : vs;
    fv = hold ? 0 : (gl * (el - u) + gl * dT * exp((u - vt) / dT) - y + iof) / cm;
    fw = (a * ((hold ? vr : u) - el) - y) / tw;
  }'
}

expect_status 0 "run adex_dc" "$EVSNN" run "$MODELS/adex_dc.ini" -q \
  -o "$tmp/adex" || finish
for spec in "low 0.8" "high 1.5"; do
  set -- $spec
  want=$(ref_count "$2")
  counts=$(grep -v '^#' "$tmp/adex/$1.ras" |
           awk '{ c[$2]++ } END { for (i = 0; i < 4; i++) printf "%d ", c[i] }')
  echo "$1 ($2 nA): spikes per neuron $counts(reference $want)"
  [ "$want" -ge 5 ] || say_fail "$1: reference fires only $want spikes"
  for c in $counts; do
    [ "$c" -ge $((want - 1)) ] && [ "$c" -le $((want + 1)) ] ||
      say_fail "$1: a neuron fired $c spikes, reference $want"
  done
done
driven=$(awk -F'\t' '$1 == "driven" { print $4 }' "$tmp/adex/summary.tsv")
high=$(awk -F'\t' '$1 == "high" { print $4 }' "$tmp/adex/summary.tsv")
echo "driven: $driven Hz"
awk -v r="$driven" -v hi="$high" 'BEGIN { exit !(r > 1 && r < hi) }' ||
  say_fail "driven: rate $driven Hz outside (1, $high) Hz"
finish
