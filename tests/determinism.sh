#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The same model and seed give byte-identical output files; another seed
# gives different spikes. Uses CUBA for 1 s (input-free: all randomness is in
# the wiring and the initial state) and a Poisson-driven model.
. "$(dirname "$0")/common.sh"
need_evsnn

cat > "$tmp/driven.ini" <<'MODEL'
[simulation]
duration = 2 s
seed = 4

[population X]
type = SpikeSourcePoisson
size = 200
rate = 20 Hz
record_spikes = yes

[population E]
type = IF_curr_exp
size = 300
v_init = uniform(-65 mV, -55 mV)
record_v = 0-2

[projection XE]
pre = X
post = E
connect = fixed_indegree
n = 40
weight = normal_clipped(3 mV, 1 mV, 0 mV, inf mV)
delay = uniform(0.5 ms, 2 ms)

[projection EE]
pre = E
post = E
connect = fixed_probability
p = 0.05
receptor = inhibitory
weight = -0.5 mV
delay = 1 ms
MODEL

for model in "$MODELS/cuba.ini" "$tmp/driven.ini"; do
  mname=$(basename "$model" .ini)
  for run in a b; do
    expect_status 0 "$mname run $run" "$EVSNN" run "$model" -q -o "$tmp/$mname-$run" \
      --set simulation.duration=1s
  done
  expect_status 0 "$mname run c" "$EVSNN" run "$model" -q -o "$tmp/$mname-c" \
    --set simulation.duration=1s --seed 12345
  for f in "$tmp/$mname-a"/*.ras "$tmp/$mname-a"/*.tsv; do
    base=$(basename "$f")
    cmp -s "$f" "$tmp/$mname-b/$base" || say_fail "$mname: $base differs between equal seeds"
  done
  cmp -s "$tmp/$mname-a/E.ras" "$tmp/$mname-c/E.ras" &&
    say_fail "$mname: E.ras is the same for seeds 1 and 12345"
  n=$(grep -vc '^#' "$tmp/$mname-a/E.ras")
  [ "$n" -gt 100 ] || say_fail "$mname: only $n spikes, too few to compare"
  echo "$mname: $n spikes, identical for equal seeds, different for another seed"
done
finish
