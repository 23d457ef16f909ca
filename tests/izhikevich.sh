#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Izhikevich end to end (models/izhikevich_rs.ini): each neuron of the
# DC-driven populations fires as many spikes in 1 s as a reference computed
# here, independently of the C code: the same model (every term at
# min(v, 30 mV)) by RK4 at dt/10 in awk, in mV and ms with I = 10 mV/ms (10 pA
# through 1 pF), the spike tested at the end of each 0.1 ms clock step,
# v = c and u += d at a spike. The Poisson-driven population must fire.
. "$(dirname "$0")/common.sh"
need_evsnn

# ref_count A B C D V0 U0 I: spikes of the reference in 1 s.
ref_count() {
  awk -v a="$1" -v b="$2" -v c="$3" -v d="$4" -v v="$5" -v u="$6" -v I="$7" '
  function fv(x, y) { x = x < 30 ? x : 30; return 0.04 * x * x + 5 * x + 140 - y + I }
  function fu(x, y) { x = x < 30 ? x : 30; return a * (b * x - y) }
  BEGIN {
    dt = 0.1; nsub = 10; h = dt / nsub; n = 0;
    for (k = 1; k <= 10000; k++) {
      for (j = 0; j < nsub; j++) {
        k1v = fv(v, u); k1u = fu(v, u);
        k2v = fv(v + h / 2 * k1v, u + h / 2 * k1u); k2u = fu(v + h / 2 * k1v, u + h / 2 * k1u);
        k3v = fv(v + h / 2 * k2v, u + h / 2 * k2u); k3u = fu(v + h / 2 * k2v, u + h / 2 * k2u);
        k4v = fv(v + h * k3v, u + h * k3u); k4u = fu(v + h * k3v, u + h * k3u);
        v += h / 6 * (k1v + 2 * k2v + 2 * k3v + k4v);
        u += h / 6 * (k1u + 2 * k2u + 2 * k3u + k4u);
      }
      if (v >= 30) { n++; v = c; u += d }
    }
    print n
  }'
}

expect_status 0 "run izhikevich_rs" "$EVSNN" run "$MODELS/izhikevich_rs.ini" \
  -q -o "$tmp/izh" || finish
for spec in "rs 0.02 0.2 -65 8 -65 -13 10" "default 0.02 0.2 -65 2 -70 -14 10"; do
  set -- $spec
  pop=$1
  shift
  want=$(ref_count "$@")
  counts=$(grep -v '^#' "$tmp/izh/$pop.ras" |
           awk '{ c[$2]++ } END { for (i = 0; i < 4; i++) printf "%d ", c[i] }')
  echo "$pop: spikes per neuron $counts(reference $want)"
  [ "$want" -ge 5 ] || say_fail "$pop: reference fires only $want spikes"
  for n in $counts; do
    [ "$n" -ge $((want - 1)) ] && [ "$n" -le $((want + 1)) ] ||
      say_fail "$pop: a neuron fired $n spikes, reference $want"
  done
done
driven=$(awk -F'\t' '$1 == "driven" { print $4 }' "$tmp/izh/summary.tsv")
echo "driven: $driven Hz"
awk -v r="$driven" 'BEGIN { exit !(r > 1 && r < 200) }' ||
  say_fail "driven: rate $driven Hz outside (1, 200) Hz"
finish
