#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# evsnn plot on every spike format and recorded variable: one small model
# (Poisson inputs onto IF_cond_exp neurons, v and gsyn_exc recorded) run
# with spike_format = ras, bin and sonata. Each run folder must give
# raster.png, rates.png, v_E.png and gsyn_exc_E.png, PNGs of the scripts'
# sizes; the figures drawn from the .spk files and from spikes.h5 must be
# byte for byte those of the .ras run (the same spikes, converted); the
# conductance plot (as SVG) must be titled with the model, the variable
# and the type, labelled in nS, with a panel per recorded neuron whose
# trace has a point per sample; no temporary folder may be left behind.
# Without gnuplot the test is skipped (77); without HDF5 its sonata part.
. "$(dirname "$0")/common.sh"
need_evsnn
command -v gnuplot >/dev/null 2>&1 || { echo "SKIP: no gnuplot"; exit 77; }

cat >"$tmp/m.ini" <<'INI'
[simulation]
duration = 0.3 s
seed = 3
[population In]
type = SpikeSourcePoisson
size = 40
rate = 40 Hz
[population E]
type = IF_cond_exp
size = 20
v_rest = -60 mV
record = v, gsyn_exc
record_neurons = 0-1
record_interval = 1 ms
[projection InE]
pre = In
post = E
receptor = excitatory
connect = fixed_probability
p = 0.5
weight = 6 nS
delay = 1 ms
INI

TMPDIR=$tmp/t
export TMPDIR
mkdir -p "$TMPDIR"
figures="raster.png rates.png v_E.png gsyn_exc_E.png"
png_size() {
  od -An -tu1 -j16 -N8 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4, $5 * 16777216 + $6 * 65536 + $7 * 256 + $8 }'
}
formats="ras bin"
if "$EVSNN" check "$tmp/m.ini" --set simulation.spike_format=sonata \
  >/dev/null 2>&1; then
  formats="$formats sonata"
else
  echo "no HDF5: the sonata part is skipped"
fi
for f in $formats; do
  expect_status 0 "run spike_format = $f" "$EVSNN" run "$tmp/m.ini" -q \
    -o "$tmp/$f" --set "simulation.spike_format=$f" || continue
  expect_status 0 "plot $f" "$EVSNN" plot "$tmp/$f" || continue
  for fig in $figures; do
    [ -s "$tmp/$f/$fig" ] || { say_fail "$f: no $fig"; continue; }
    [ "$(head -c 4 "$tmp/$f/$fig" | od -An -c | tr -d ' ')" = '211PNG' ] ||
      say_fail "$f: $fig is not a PNG"
    case $fig in
    raster.png) want="1000 600" ;;
    rates.png) want=$(png_size "$tmp/ras/rates.png") ;;
    *) want="1000 700" ;;
    esac
    [ "$(png_size "$tmp/$f/$fig")" = "$want" ] ||
      say_fail "$f: $fig is $(png_size "$tmp/$f/$fig"), expected $want"
    [ "$f" = ras ] || cmp -s "$tmp/ras/$fig" "$tmp/$f/$fig" ||
      say_fail "$f: $fig differs from the ras run's"
  done
done
[ "$(grep -vc '^#' "$tmp/ras/E.ras")" -gt 20 ] ||
  say_fail "the model's E neurons hardly fired: $(grep -vc '^#' "$tmp/ras/E.ras") spikes"

expect_status 0 "plot svg" "$EVSNN" plot "$tmp/ras" --format svg && {
  svg=$tmp/ras/gsyn_exc_E.svg
  text() { sed -n 's/.*<text[^>]*>\([^<]*\)<.*/\1/p; s/.*<tspan[^>]*>\([^<]*\)<.*/\1/p' "$svg"; }
  text | grep -q '^m: gsyn_exc of E (IF_cond_exp)$' ||
    say_fail "gsyn_exc_E.svg's title: $(text | head -n 3 | tr '\n' '|')"
  text | grep -q '^gsyn_exc \[nS\]$' || say_fail "gsyn_exc_E.svg: no 'gsyn_exc [nS]' label"
  [ "$(text | grep -c '^neuron [01]$')" -eq 2 ] ||
    say_fail "gsyn_exc_E.svg: not a panel for neurons 0 and 1"
  # the traces: 300 samples each, drawn as path points
  points=$(grep -o 'L[0-9.]*,[0-9.]*' "$svg" | wc -l)
  [ "$points" -ge 500 ] || say_fail "gsyn_exc_E.svg: $points trace points"
}
left=$(ls "$TMPDIR")
[ -z "$left" ] || say_fail "plot left $left in TMPDIR"
finish
