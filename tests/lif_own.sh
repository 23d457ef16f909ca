#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# v_thresh, v_reset, tau_refrac and cm per neuron in a model file (the
# exact types: IF_curr_exp, IF_curr_alpha): an E/I network whose neurons
# draw their own values from distributions runs and fires; on 2 and 3
# threads it gives byte for byte the outputs of one (same_outputs,
# tests/common.sh), and stopped with a checkpoint on 2 threads and resumed
# on 1 then 3 every file of the one-thread run (the neurons' own constants
# are drawn again from their streams, not saved). Refused at the key's
# line: a distribution of v_thresh for IF_curr_exp_grid, a neuron's
# v_reset above its own v_thresh (named), weights in mV onto a population
# whose cm differs between neurons.
. "$(dirname "$0")/common.sh"
need_evsnn

# model TYPE WEIGHT_UNIT: the network, E and I of TYPE, weights in that unit
model() {
  if [ "$2" = mV ]; then we="0.5 mV" wi="-2 mV"; else we="25 pA" wi="-100 pA"; fi
  cat <<INI
[simulation]
duration = 0.25 s
seed = 5
[population E]
type = $1
size = 200
tau_m = 20 ms
v_rest = -49 mV
v_thresh = uniform(-52 mV, -48 mV)
v_reset = uniform(-65 mV, -58 mV)
tau_refrac = uniform(1 ms, 5 ms)
tau_syn_E = 2 ms
tau_syn_I = 4 ms
v_init = uniform(-60 mV, -50 mV)
record = v
record_neurons = 0-2
[population I]
type = $1
size = 50
tau_m = 20 ms
v_rest = -49 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 2 ms
tau_syn_E = 2 ms
tau_syn_I = 4 ms
v_init = uniform(-60 mV, -50 mV)
[projection EE]
pre = E
post = E
receptor = excitatory
connect = fixed_probability
p = 0.1
weight = $we
delay = 0.2 ms
[projection EI]
pre = E
post = I
receptor = excitatory
connect = fixed_probability
p = 0.1
weight = $we
delay = 0.2 ms
[projection IE]
pre = I
post = E
receptor = inhibitory
connect = fixed_probability
p = 0.1
weight = $wi
delay = 0.2 ms
[projection II]
pre = I
post = I
receptor = inhibitory
connect = fixed_probability
p = 0.1
weight = $wi
delay = 0.2 ms
INI
}

for type in IF_curr_exp IF_curr_alpha; do
  m="$tmp/$type.ini"
  # cm per neuron too (mean 1 nF: 25 pA is 0.5 mV at the mean)
  model "$type" pA | sed '/^v_thresh = uniform/a cm = uniform(0.8 nF, 1.2 nF)' >"$m"
  for n in 1 2 3; do
    expect_status 0 "$type on $n threads" "$EVSNN" run "$m" -q \
      -o "$tmp/$type.t$n" --threads "$n" || finish
  done
  spikes=$(grep -vc '^#' "$tmp/$type.t1/E.ras")
  [ "$spikes" -gt 200 ] || say_fail "$type: E fired $spikes spikes in 0.25 s"
  for n in 2 3; do
    same_outputs "$type: 1 and $n threads" "$tmp/$type.t1" "$tmp/$type.t$n"
  done
  c="$tmp/$type.ckpt"
  if expect_status 0 "$type: run --until on 2 threads" "$EVSNN" run "$m" -q \
      -o "$c" --threads 2 --until 0.0937s &&
    expect_status 0 "$type: resume on 1 thread --until" "$EVSNN" resume "$c" \
      -q --threads 1 --until 0.17s &&
    expect_status 0 "$type: resume on 3 threads" "$EVSNN" resume "$c" -q \
      --threads 3; then
    for f in "$tmp/$type.t1"/*; do
      f=${f##*/}
      [ "$f" = run.log ] && continue
      cmp -s "$tmp/$type.t1/$f" "$c/$f" ||
        say_fail "$type resumed: $f differs from one go's"
    done
  fi
done

# refused, at the key's line
model IF_curr_exp_grid mV >"$tmp/grid.ini"
if expect_status 1 "grid: v_thresh drawn" "$EVSNN" check "$tmp/grid.ini"; then
  grep -q 'grid.ini:9: .*v_thresh must be a constant' "$tmp/stderr" ||
    say_fail "grid: $(cat "$tmp/stderr")"
fi
model IF_curr_exp mV | sed 's/^v_reset = uniform.*/v_reset = uniform(-60 mV, -49 mV)/' \
  >"$tmp/reset.ini"
if expect_status 1 "v_reset above a threshold" "$EVSNN" check "$tmp/reset.ini"; then
  grep -q 'reset.ini:10: .*v_reset of neuron [0-9]* must lie below its v_thresh' \
    "$tmp/stderr" || say_fail "v_reset: $(cat "$tmp/stderr")"
fi
model IF_curr_exp mV | sed '/^v_thresh = uniform/a cm = uniform(0.8 nF, 1.2 nF)' \
  >"$tmp/cm.ini"
if expect_status 1 "mV onto cm per neuron" "$EVSNN" check "$tmp/cm.ini"; then
  grep -q 'does not take weights of dimension voltage' "$tmp/stderr" ||
    say_fail "cm: $(cat "$tmp/stderr")"
fi
finish
