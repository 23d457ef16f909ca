#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Ranks (doc/scaling.md, "Ranks"): a model and a seed give the same bytes on
# any number of ranks and threads. Built with MPI (MPIRUN set by make
# check), CUBA (with membrane traces, its Poisson background, a step and a
# noisy current source, and its spikes in spikes.h5 when built with HDF5)
# and S2 (SuperSpike: its learner and learning populations on rank 0, the
# input on rank 1; weights recorded) run under mpirun on 1, 2 and 4 ranks of
# 1 and 2 threads each, COBA + STDP (with an ac current source) and the P5
# control (weight recordings and matrices included) on 2 and 4 ranks of 1
# and 2 threads, a run the rate check stops on 4 ranks of 2 threads: every
# output file must be identical to the one-process, one-thread run's
# (run.log but its start date, wall times, progress lines, queue counts,
# synapse bytes, per-thread and per-rank lines and the checkpoint part
# names rank 0 lists). The ranks' and threads'
# lines of run.log must add up to the run's totals, and on several ranks no
# rank holds every synapse (but in S2, where rank 0 holds them all). What
# ranks do not run yet (static weight recordings onto a population cut
# among them) is refused at the start, naming it. Built without MPI, a
# launch on several ranks is refused.
. "$(dirname "$0")/common.sh"
need_evsnn

if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  # what mpirun announces to each process it starts
  if OMPI_COMM_WORLD_SIZE=2 expect_status 1 "no MPI, 2 ranks" "$EVSNN" run \
    "$MODELS/cuba.ini" -q -o "$tmp/nompi" --set simulation.duration=0.01s; then
    grep -q 'built without MPI' "$tmp/stderr" ||
      say_fail "no MPI, 2 ranks: $(cat "$tmp/stderr")"
  fi
  exit $fail
fi

mpi() {
  np=$1
  shift
  "$MPIRUN" --oversubscribe --allow-run-as-root -np "$np" "$@"
}

# run_ranks NAME MODEL ARGS...: runs MODEL in one process on one thread into
# $tmp/NAME.1.1, then on R ranks of T threads each (RxT in $RANKS) into
# $tmp/NAME.R.T, and compares each with the first.
run_ranks() {
  run=$1
  model=$2
  shift 2
  expect_status 0 "$run in one process" "$EVSNN" run "$model" -q \
    -o "$tmp/$run.1.1" "$@" || return
  files=$(cd "$tmp/$run.1.1" && ls)
  [ -n "$files" ] || say_fail "$run: no output"
  # (a progress line is written every 60 s of wall time: under load, a run
  # on more ranks than cores may write one more)
  grep -v -e '^started:' -e '^stat wall_' -e '^stat queue_' -e '^progress: ' \
    -e '^stat synapse_bytes' "$tmp/$run.1.1/run.log" >"$tmp/$run.ref.log"
  for rt in $RANKS; do
    r=${rt%x*} t=${rt#*x}
    d="$tmp/$run.$r.$t"
    [ "$r$t" = 11 ] && d="$tmp/$run.mpi.1.1"
    expect_status 0 "$run on $r ranks x $t threads" mpi "$r" "$EVSNN" run \
      "$model" -q -o "$d" --threads "$t" "$@" || continue
    [ "$(cd "$d" && ls)" = "$files" ] ||
      say_fail "$run: $r ranks x $t threads wrote other files"
    for f in $files; do
      [ "$f" = run.log ] && continue
      cmp -s "$tmp/$run.1.1/$f" "$d/$f" ||
        say_fail "$run: $f differs on $r ranks x $t threads"
    done
    # (and the ranks' checkpoint part names, which one process has not)
    grep -v -e '^started:' -e '^stat wall_' -e '^stat queue_' -e '^progress: ' \
      -e '^stat synapse_bytes' -e '^thread ' -e '^rank ' \
      -e '^output: checkpoint\.evsnn\.rank' "$d/run.log" >"$tmp/$run.log"
    cmp -s "$tmp/$run.ref.log" "$tmp/$run.log" ||
      say_fail "$run: run.log differs on $r ranks x $t threads"
    [ "$r" = 1 ] && continue
    # every rank and thread says what it holds; they add up
    for what in syn_events synapses neurons; do
      total=$(sed -n "s/^stat $what //p" "$d/run.log")
      [ "$what" = neurons ] &&
        total=$(awk 'NR > 1 { s += $2 } END { print s }' "$d/summary.tsv")
      sum=$(awk -v w="$what" '$1 == "thread" {
              for (i = 3; i < NF; i++) if ($i == w) s += $(i + 1) }
            END { printf "%d", s }' "$d/run.log")
      [ "$sum" = "$total" ] ||
        say_fail "$run: $r x $t: $what of the threads $sum, run $total"
      sum=$(awk -v w="$what" '$1 == "rank" {
              for (i = 3; i < NF; i++) if ($i == w) s += $(i + 1) }
            END { printf "%d", s }' "$d/run.log")
      [ "$what" = syn_events ] || [ "$sum" = "$total" ] ||
        say_fail "$run: $r x $t: $what of the ranks $sum, run $total"
    done
    # no rank holds the whole network (but where $WHOLE says one rank holds
    # every synapse), and each reports its memory
    awk -v r="$r" -v tot="$(sed -n 's/^stat synapses //p' "$d/run.log")" \
      -v whole="${WHOLE:-0}" '
      $1 == "rank" { k++; for (i = 3; i < NF; i++) {
        if ($i == "synapses" && $(i + 1) >= tot && !whole) bad = 1
        if ($i == "peak_rss_bytes" && $(i + 1) <= 0) bad = 1 } }
      END { exit !(k == r && !bad) }' "$d/run.log" ||
      say_fail "$run: $r x $t: the ranks do not each hold a part"
  done
}

# ranks x threads; 1 x 2 is a run on two threads of one process
# (tests/threads.sh), and mpirun -np 1 is one process (checked on CUBA)
RANKS="1x1 2x1 2x2 4x1 4x2"
# CUBA with IF_curr_exp's Poisson background on E (streams keyed by neuron)
# and two current sources on E, a step and a noisy one (each neuron its own
# stream), onto neurons of every rank's block, a DC input into I (each rank
# holds its block's); its spikes into spikes.h5
# (rank 0 writes it) when the build has HDF5
cat "$MODELS/cuba.ini" - >"$tmp/cuba.ini" <<'MODEL'
[input steps]
type = step
post = E
neurons = 0-99, 790-809, 1590-1609, 2390-2409, 3100-3199
times = 50 ms, 150 ms
amplitudes = 0.4 nA, -0.1 nA
[input noise]
type = noisy
post = E
neurons = 700-2500
mean = 0.05 nA
stdev = 0.3 nA
dt = 1 ms
start = 20.05 ms
stop = 250 ms
[input bias]
type = dc
post = I
amplitude = 0.5 mV
MODEL
sonata=
"$EVSNN" run "$MODELS/cuba.ini" -q -o "$tmp/h5" --set simulation.duration=1ms \
  --set simulation.spike_format=sonata 2>/dev/null &&
  sonata=simulation.spike_format=sonata
run_ranks cuba "$tmp/cuba.ini" --set simulation.duration=0.3s \
  --set 'E.background_rate=500 Hz' --set 'E.background_weight=0.05 nA' \
  ${sonata:+--set "$sonata"}
[ -z "$sonata" ] || [ -s "$tmp/cuba.1.1/spikes.h5" ] ||
  say_fail "cuba: no spikes.h5"
RANKS="4x2"
# a run the rate check stops (at 0.06 s), as one process stops it
run_ranks stopped "$MODELS/cuba.ini" --set simulation.duration=2s \
  --set 'E.rate_min=0 Hz' --set 'E.rate_max=4 Hz'
grep -q '^stopped at t = ' "$tmp/stopped.1.1/run.log" ||
  say_fail "stopped: the rate check did not stop the run"

# learning: STDP on every rank's and thread's slice of E (its weights
# gathered from the ranks for EE.weights.tsv); the P5 control (E whole on
# one rank for istdp_global, I cut with a filter state per slice for its
# short-term plasticity, weight matrices, sources on other ranks)
# (COBA + STDP with an ac current source into I, clocked: sampled every step)
RANKS="2x1 2x2 4x1 4x2"
cat "$MODELS/coba_stdp.ini" - >"$tmp/coba_stdp.ini" <<'MODEL'
[input wave]
type = ac
post = I
amplitude = 0.2 nA
offset = 0.05 nA
frequency = 40 Hz
phase = 30
start = 10 ms
stop = 150 ms
MODEL
run_ranks coba_stdp "$tmp/coba_stdp.ini" --set simulation.duration=0.2001s
sed 's/^file = p5_stim.ras/file = stim.ras/' "$MODELS/p5_control.ini" \
  >"$tmp/p5_control.ini"
awk 'BEGIN { print "# time [s] id"
  for (k = 0; k < 20; k++) for (i = 0; i < 128; i++)
    printf "%.4f %d\n", 0.2 + 0.02 * k + 0.0001 * (i % 64), i }' \
  >"$tmp/stim.ras"
run_ranks p5 "$tmp/p5_control.ini" --set simulation.duration=0.65s \
  --set EE.record_weights=50ms --set IE.record_weights=50ms
for run in coba_stdp:EE p5:EE p5:IE; do
  f="$tmp/${run%%:*}.1.1/${run#*:}.weights.tsv"
  awk -F '\t' 'NR == 2 { m0 = $2 } NR > 2 { m = $2 }
    END { exit !(NR > 2 && m != m0) }' "$f" ||
    say_fail "${run%%:*}: the mean weight of ${run#*:} did not change"
done

# S2 (SuperSpike): its learner reads and writes every layer at its clock,
# so rank 0 holds every learning population (hidden, out: all the synapses)
# and runs it there; a population put first moves the input (in) to rank 1;
# learning from the first update (0.1 s) on, one trial, both layers' weights
# recorded
models=$(cd "$MODELS" && pwd)
awk -v m="$models" '/^\[population in\]/ {
    print "[population first]\ntype = SpikeSourcePoisson\nsize = 1\n" }
  { sub(/= s1_/, "= " m "/s1_"); print }' "$MODELS/s2_hidden.ini" \
  >"$tmp/s2.ini"
RANKS="1x1 2x1 2x2 4x1 4x2" WHOLE=1
run_ranks s2 "$tmp/s2.ini" --set simulation.duration=0.5s \
  --set superspike.burn_in=0s --set superspike.update=0.1s \
  --set in_hidden.record_weights=0.1s --set hidden_out.record_weights=0.1s
WHOLE=0
awk '$1 == "rank" && $2 == 1 && $5 == "neurons" && $6 == 100 { ok = 1 }
  END { exit !ok }' "$tmp/s2.2.1/run.log" ||
  say_fail "s2: the input does not run on rank 1 of 2"
for run in s2:in_hidden s2:hidden_out; do
  f="$tmp/${run%%:*}.1.1/${run#*:}.weights.tsv"
  awk -F '\t' 'NR == 2 { m0 = $2 } NR > 2 { m = $2 }
    END { exit !(NR > 2 && m != m0) }' "$f" ||
    say_fail "${run%%:*}: the mean weight of ${run#*:} did not change"
done
awk -F '\t' 'NR > 1 && $6 > 0 { n++ } END { exit !(n > 0) }' \
  "$tmp/s2.1.1/learning.tsv" || say_fail "s2: the learner never learned"

# what ranks do not run yet is refused at the start, naming it
cat >"$tmp/recorded.ini" <<'MODEL'
[simulation]
duration = 0.1 s
[population E]
type = IF_curr_exp
size = 100
[projection EE]
pre = E
post = E
connect = fixed_indegree
n = 10
weight = 0.1 mV
delay = 1 ms
record_weights = 10 ms
MODEL
if expect_status 1 "static weight recordings on 2 ranks" mpi 2 "$EVSNN" run \
  "$tmp/recorded.ini" -q -o "$tmp/refused"; then
  grep -q 'EE: weight recordings of a static projection onto a population cut among the ranks' \
    "$tmp/stderr" || say_fail "weight recordings: $(cat "$tmp/stderr")"
fi

exit $fail
