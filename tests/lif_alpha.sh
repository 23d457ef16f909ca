#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# IF_curr_alpha through a model file: a CUBA-like network of exact alpha
# neurons (400 E, 100 I, 0.5 s) runs, fires, and records v and i_syn_exc;
# split among 2 and 3 threads (the type is sliceable) it gives byte for
# byte the outputs of one thread (same_outputs, tests/common.sh); stopped
# with a checkpoint on 2 threads and resumed on 1 then 3, every file of the
# one-thread run.
. "$(dirname "$0")/common.sh"
need_evsnn

cat >"$tmp/alpha.ini" <<'INI'
[simulation]
duration = 0.5 s
seed = 5
[population E]
type = IF_curr_alpha
size = 400
tau_m = 20 ms
v_rest = -49 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 5 ms
tau_syn_E = 2 ms
tau_syn_I = 4 ms
v_init = uniform(-60 mV, -50 mV)
record = v, i_syn_exc
record_neurons = 0-2
[population I]
type = IF_curr_alpha
size = 100
tau_m = 20 ms
v_rest = -49 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 5 ms
tau_syn_E = 2 ms
tau_syn_I = 4 ms
v_init = uniform(-60 mV, -50 mV)
[projection EE]
pre = E
post = E
receptor = excitatory
connect = fixed_probability
p = 0.1
weight = 0.5 mV
delay = 0.2 ms
[projection EI]
pre = E
post = I
receptor = excitatory
connect = fixed_probability
p = 0.1
weight = 0.5 mV
delay = 0.2 ms
[projection IE]
pre = I
post = E
receptor = inhibitory
connect = fixed_probability
p = 0.1
weight = -2 mV
delay = 0.2 ms
[projection II]
pre = I
post = I
receptor = inhibitory
connect = fixed_probability
p = 0.1
weight = -2 mV
delay = 0.2 ms
INI

for n in 1 2 3; do
  expect_status 0 "run on $n threads" "$EVSNN" run "$tmp/alpha.ini" -q \
    -o "$tmp/t$n" --threads "$n" || finish
done
spikes=$(grep -vc '^#' "$tmp/t1/E.ras")
[ "$spikes" -gt 400 ] || say_fail "E fired $spikes spikes in 0.5 s"
for f in E.ras I.ras v_E.tsv i_syn_exc_E.tsv; do
  [ -s "$tmp/t1/$f" ] || say_fail "no $f"
done
for n in 2 3; do
  same_outputs "1 and $n threads" "$tmp/t1" "$tmp/t$n"
done
# checkpoints (its type's hook): 2 threads to 0.2137 s, 1 to 0.37 s, 3 on
c="$tmp/ckpt"
if expect_status 0 "run --until on 2 threads" "$EVSNN" run "$tmp/alpha.ini" -q \
    -o "$c" --threads 2 --until 0.2137s &&
  expect_status 0 "resume on 1 thread --until" "$EVSNN" resume "$c" -q \
    --threads 1 --until 0.37s &&
  expect_status 0 "resume on 3 threads" "$EVSNN" resume "$c" -q --threads 3; then
  for f in "$tmp/t1"/*; do
    f=${f##*/}
    [ "$f" = run.log ] && continue
    cmp -s "$tmp/t1/$f" "$c/$f" || say_fail "resumed: $f differs from one go's"
  done
fi
finish
