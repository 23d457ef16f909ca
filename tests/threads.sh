#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Threads (doc/scaling.md): a model and a seed give the same bytes on any
# number of threads. CUBA, COBA, AdEx, Izhikevich and the microcircuit
# (IF_curr_exp_grid) models, and a model
# mixing a Poisson source, delay groups, per-synapse weights, a DC input,
# current sources (step and noisy into exact neurons, ac into clocked ones),
# exact and clocked populations split among the threads and two that run
# whole on one thread (multapse rows; recorded weights), each run on 1, 2, 3 and 4 threads: every output file must be identical to the one-thread run's
# (run.log but its start date, wall times, queue counts and per-thread
# lines). The per-thread lines of run.log must add up to the run's totals.
# Learning: COBA + STDP (stdp_pair, weights recorded), P4 (homeostatic
# triplet), P3 (triplet), the P5 control (orchestrated, istdp_global,
# short-term plasticity, weight matrices), S2 (SuperSpike) and rate rules
# (rate_hebb, rate_bcm) on 1, 2, 3 and 4 threads the same way.
. "$(dirname "$0")/common.sh"
need_evsnn

# run_threads NAME MODEL ARGS...: runs MODEL on 1..4 threads into
# $tmp/NAME.N and compares each with $tmp/NAME.1.
run_threads() {
  run=$1
  model=$2
  shift 2
  for n in 1 2 3 4; do
    expect_status 0 "$run --threads $n" "$EVSNN" run "$model" -q \
      -o "$tmp/$run.$n" --threads "$n" "$@" || return
  done
  for n in 2 3 4; do
    same_outputs "$run: 1 and $n threads" "$tmp/$run.1" "$tmp/$run.$n"
    # the threads' shares add up to the run's totals
    for what in syn_events synapses; do
      total=$(sed -n "s/^stat $what //p" "$tmp/$run.$n/run.log")
      sum=$(awk -v w="$what" '$1 == "thread" {
              for (i = 3; i < NF; i++) if ($i == w) s += $(i + 1) }
            END { printf "%d", s }' "$tmp/$run.$n/run.log")
      [ "$n" = 1 ] || [ "$sum" = "$total" ] ||
        say_fail "$run: $n threads: $what of the threads $sum, run $total"
    done
    # every thread ran, and no thread ran more CPU time than the event
    # loop's wall time (its CPU seconds are counted within that loop)
    awk '$1 == "stat" && $2 == "wall_run" { wall = $3 }
      $1 == "thread" { for (i = 3; i < NF; i++) if ($i == "cpu_s") {
          k++; c[k] = $(i + 1) } }
      END { if (k != n) exit 1
            for (j = 1; j <= k; j++) if (!(c[j] > 0 && c[j] <= wall)) exit 1 }' \
      n="$n" "$tmp/$run.$n/run.log" ||
      say_fail "$run: $n threads: cpu_s missing, 0 or above wall_run"
  done
}

run_threads cuba "$MODELS/cuba.ini" --set simulation.duration=0.5s
# a run the rate check stops (at 0.06 s), as one thread stops it
run_threads stopped "$MODELS/cuba.ini" --set simulation.duration=2s \
  --set 'E.rate_min=0 Hz' --set 'E.rate_max=4 Hz'
grep -q '^stopped at t = ' "$tmp/stopped.1/run.log" ||
  say_fail "stopped: the rate check did not stop the run"
run_threads coba "$MODELS/coba.ini" --set simulation.duration=0.3s
# IF_curr_exp's per-neuron Poisson background (streams keyed by neuron)
run_threads background "$MODELS/cuba.ini" --set simulation.duration=0.2s \
  --set 'E.background_rate=500 Hz' --set 'E.background_weight=0.05 nA'
run_threads adex "$MODELS/adex_dc.ini" --set simulation.duration=0.3s
run_threads izhikevich "$MODELS/izhikevich_rs.ini" \
  --set simulation.duration=0.3s
# IF_curr_exp_grid with its per-neuron, per-step Poisson background (streams
# keyed by neuron): the microcircuit at 2 % of its neurons, 10 % in-degrees
run_threads microcircuit "$MODELS/microcircuit.ini" \
  --set network.scale=0.02 --set network.k_scale=0.1 \
  --set simulation.duration=0.2s --set L4E.record_v=0-2,200,437
# ... split among the threads (packed: each population whole on one thread
# but one cut between the two, by their expected costs, so that each holds
# 40-60 % of the neurons; run whole, the populations dealt by index would
# give them 80 % and 20 %)
awk '$1 == "thread" { n[$2] = $4 } END {
  f = n[0] / (n[0] + n[1]); exit !(f >= 0.4 && f <= 0.6) }' \
  "$tmp/microcircuit.2/run.log" ||
  say_fail "microcircuit: IF_curr_exp_grid not split between 2 threads"

cat >"$tmp/mixed.ini" <<'MODEL'
[simulation]
duration = 0.5 s
seed = 3
resolution = 0.1 ms

[population E]
type = IF_curr_exp
size = 1601
tau_m = 20 ms
v_rest = -49 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 5 ms
tau_syn_E = 5 ms
tau_syn_I = 10 ms
v_init = uniform(-60 mV, -50 mV)
record_v = 0, 800-802, 1600
record_interval = 0.7 ms

[population I]
type = IF_curr_exp
size = 399
tau_m = 20 ms
v_rest = -52 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 2 ms
tau_syn_E = 5 ms
tau_syn_I = 10 ms
v_init = uniform(-60 mV, -50 mV)
record_v = 0-3, 398

[population C]
type = IF_cond_exp
size = 50
i_offset = 0.7 nA
record_v = 0, 49

[population noise]
type = SpikeSourcePoisson
size = 200
rate = 20 Hz

; rows of 300 synapses with repeated targets: Z runs whole on one thread
[population Z]
type = IF_curr_exp
size = 500
v_init = uniform(-65 mV, -55 mV)
record_v = 0, 499

[projection EE]
pre = E
post = E
connect = fixed_probability
p = 0.04
weight = normal_clipped(1.2 mV, 0.3 mV, 0 mV, inf mV)
delay = uniform(0.2 ms, 1.5 ms)

[projection EI]
pre = E
post = I
connect = fixed_probability
p = 0.04
weight = 1.62 mV
delay = 0.2 ms

[projection IE]
pre = I
post = E
receptor = inhibitory
connect = fixed_probability
p = 0.04
weight = -9 mV
delay = 0.3 ms

[projection II]
pre = I
post = I
receptor = inhibitory
connect = fixed_probability
p = 0.04
weight = -9 mV
delay = 0.2 ms

[projection EC]
pre = E
post = C
connect = fixed_indegree
n = 40
weight = 6 nS
delay = 1 ms
record_weights = 100 ms

[projection noiseE]
pre = noise
post = E
connect = fixed_indegree
n = 10
weight = normal_clipped(0.5 mV, 0.1 mV, 0 mV, inf mV)
delay = uniform(0.5 ms, 1.5 ms)

[projection noiseI]
pre = noise
post = I
connect = fixed_indegree
n = 20
weight = 1 mV
delay = 0.1 ms

[projection noiseZ]
pre = noise
post = Z
connect = fixed_outdegree
n = 300
multapses = yes
weight = 2 mV
delay = 0.1 ms

[input bias]
type = dc
post = I
amplitude = 1.5 mV

[input steps]
type = step
post = E
neurons = 0-99, 380-420, 790-810, 1500-1600
times = 50 ms, 150 ms, 300 ms
amplitudes = 0.4 nA, -0.1 nA, 0 nA

[input noise]
type = noisy
post = E
neurons = 300-1200
mean = 0.05 nA
stdev = 0.3 nA
dt = 1 ms
start = 20.05 ms
stop = 400 ms

[input wave]
type = ac
post = C
amplitude = 0.2 nA
offset = 0.05 nA
frequency = 40 Hz
phase = 30
start = 10 ms
stop = 350 ms
MODEL
run_threads mixed "$tmp/mixed.ini"

# the mixed model spikes in every population (else it would test little)
for pop in E I C Z noise; do
  rate=$(awk -v p="$pop" '$1 == p { print $4 }' "$tmp/mixed.1/summary.tsv")
  awk -v r="$rate" 'BEGIN { exit !(r > 0.5) }' ||
    say_fail "mixed: population $pop fires at ${rate:-?} Hz"
done

# A sample taken at the time of a delivery, with nothing else due before
# it: at k ms + 0.5 ms (k = 0 .. 19) the inputs' spikes at k ms + 0.4 ms
# arrive after their 0.1 ms delay; the input source flushes every 1 ms
# (the spikes up to its next flush), post has no window of its own before
# the sample. The one-thread run delivers first (its kind comes before a
# sample's), so the sampled synaptic current holds the input: a threaded
# run must not take the sample without a step first (threads.c,
# step_empty), though no queue holds an event before it.
awk 'BEGIN { for (k = 0; k < 20; k++) for (i = 0; i < 4; i++)
               printf "%.17g %d\n", k * 1e-3 + 4e-4, i }' >"$tmp/grid.ras"
cat >"$tmp/sample.ini" <<MODEL
[simulation]
duration = 21 ms
seed = 1
resolution = 0.1 ms
[population src]
type = SpikeSourceArray
size = 4
file = $tmp/grid.ras
[population post]
type = IF_curr_exp
size = 8
v_rest = -65 mV
v_thresh = -50 mV
record = i_syn_exc
record_neurons = 0-7
record_interval = 0.5 ms
[projection in]
pre = src
post = post
connect = all_to_all
weight = 0.5 nA
delay = 0.1 ms
MODEL
run_threads sample "$tmp/sample.ini"
# (the first input arrives at 0.5 ms: that sample holds it, 4 x 0.5 nA)
awk '$1 == "0.000500000" && $2 + 0 > 1.9e-9 { ok = 1 } END { exit !ok }' \
  "$tmp/sample.1/i_syn_exc_post.tsv" ||
  say_fail "sample: the sample at 0.5 ms does not hold the input delivered then"

# learning rules, short-term plasticity and weight recordings: a
# sliceable rule and short-term plasticity run on every thread's slice of
# their post population; the post population of any other rule and of a
# recorded static projection runs whole on one thread (doc/scaling.md)
run_threads coba_stdp "$MODELS/coba_stdp.ini" \
  --set simulation.duration=1.0001s
run_threads p4 "$MODELS/p4_fast.ini" --set simulation.duration=1.0001s
# a sliceable rule's post population is split: one rule instance per thread
# (each thread holds 75-125 % of an equal share of the 4,000 neurons: the
# main thread a little less, see main_share in threads.c; run whole, E alone
# would be 80 %)
for n in 2 4; do
  awk -v n="$n" '$1 == "thread" { k++; f = $4 * n / 4000
      if (f < 0.75 || f > 1.25) bad = 1 }
    END { exit !(k == n && !bad) }' "$tmp/coba_stdp.$n/run.log" ||
    say_fail "coba_stdp: E and I are not split among $n threads"
done
run_threads p3 "$MODELS/p3_triplet.ini"
run_threads hebb "$MODELS/p1_hebb.ini" --set simulation.duration=20s
run_threads bcm "$MODELS/p2_bcm.ini" --set simulation.duration=5s
# S2 learning from 1 s on (its burn-in is 20 s), 5 trials
run_threads s2 "$MODELS/s2_hidden.ini" --set simulation.duration=2.5s \
  --set superspike.burn_in=1s
# the P5 control with a stimulus of its own: pattern neurons 0-127 at
# 50 Hz from 0.2 s to 0.6 s
sed 's/^file = p5_stim.ras/file = stim.ras/' "$MODELS/p5_control.ini" \
  >"$tmp/p5_control.ini"
awk 'BEGIN { print "# time [s] id"
  for (k = 0; k < 20; k++) for (i = 0; i < 128; i++)
    printf "%.4f %d\n", 0.2 + 0.02 * k + 0.0001 * (i % 64), i }' \
  >"$tmp/stim.ras"
run_threads p5 "$tmp/p5_control.ini" --set simulation.duration=1.05s
# E runs whole (istdp_global), I is split with a filter state per thread
# (E->I has STP): on 2 threads thread 1 holds P (1024) and about half of I
# (40-60 % of its 256: the main thread holds a little less, main_share)
awk '$1 == "thread" && $2 == 1 && $4 >= 1024 + 102 && $4 <= 1024 + 154 {
  ok = 1 } END { exit !ok }' "$tmp/p5.2/run.log" ||
  say_fail "p5: I is not split among 2 threads"
# the learning runs change their weights, and the P5 control fires
for run in coba_stdp:EE p4:EE p5:EE p5:IE; do
  f="$tmp/${run%%:*}.1/${run#*:}.weights.tsv"
  awk -F '\t' 'NR == 2 { m0 = $2 } NR > 2 { m = $2 }
    END { exit !(NR > 2 && m != m0) }' "$f" ||
    say_fail "${run%%:*}: the mean weight of ${run#*:} did not change"
done
for pop in E I; do
  rate=$(awk -v p="$pop" '$1 == p { print $4 }' "$tmp/p5.1/summary.tsv")
  awk -v r="$rate" 'BEGIN { exit !(r > 0.5) }' ||
    say_fail "p5: population $pop fires at ${rate:-?} Hz"
done
awk -F '\t' 'NR > 1 && $6 > 0 { n++ } END { exit !(n > 0) }' \
  "$tmp/s2.1/learning.tsv" || say_fail "s2: the learner never learned"

for bad in 0 -1 x 2.5 1025; do
  expect_status 1 "--threads $bad" "$EVSNN" run "$MODELS/cuba.ini" -q \
    -o "$tmp/bad" --threads "$bad" &&
    { grep -q "threads must be 'auto' or an integer" "$tmp/stderr" ||
        say_fail "--threads $bad: $(cat "$tmp/stderr")"; }
done
# a run so long that distinct delays could round to one delivery time
# (threads.c gives a spike's deliveries of one delay one event)
if expect_status 1 "duration 1e12 s --threads 2" "$EVSNN" run \
  "$MODELS/cuba.ini" -q -o "$tmp/long" --threads 2 \
  --set simulation.duration=1e12s; then
  grep -q 'too long for its resolution on several threads' "$tmp/stderr" ||
    say_fail "duration 1e12 s --threads 2: $(cat "$tmp/stderr")"
fi
expect_status 0 "--threads auto" "$EVSNN" run "$MODELS/cuba.ini" -q \
  -o "$tmp/auto" --threads auto --set simulation.duration=0.05s

exit $fail
