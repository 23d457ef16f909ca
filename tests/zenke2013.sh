#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# B7 (doc/zenke2013.md): models/zenke2013.ini reduced to a tenth of its
# neurons with every in-degree kept (network.scale = 0.1: 2,000 E, 500 I,
# 250 inputs, p = 0.5), 2.5 s with learning from 1.05 s:
#  - the wiring: the synapse count lies within 5 sd of its binomial mean
#    sum n_pairs p (no autapses on E->E and I->I);
#  - the neuron: no E neuron fires twice within tau_thr ln(thr_jump /
#    (e_rev_E - v_thresh)) = 5 ms ln 2, rounded up to 3.5 ms (35 steps): the
#    threshold jump with the clip at e_rev_E (doc/model-format.md);
#  - the priming: the E->E weights stay at exactly 1.6 nS before learn_from
#    = 1.05 s (mean 1.6 nS, sd 0 at 0, 0.5 and 1 s; learn_from off the
#    record times, since a record at t may come before or after the
#    arrivals at t) and have moved at 1.5 and 2 s;
#  - the run completes without the rate checker stopping it, E and I fire;
#  - the neuron type and the rule split among threads: 1.5 s with learning
#    from 0.5 s write the same E.ras and EE.weights.tsv on 1 and 2 threads;
#  - precision = single (IF_cond_ampa_nmda_single) likewise, spiking
#    otherwise than double precision, and a checkpoint of it on 2 threads
#    (with a refractory period: the float step's refractory ends) resumed
#    on 1 writes every file of the run on 1 thread in one go; the key
#    refuses other values and other types.
# A few seconds on the shared 2-core machine.
. "$(dirname "$0")/common.sh"
need_evsnn

M="$MODELS/zenke2013.ini"
expect_status 0 "check zenke2013" "$EVSNN" check "$M" --set network.scale=0.1

if expect_status 0 "run zenke2013 at 10 %" "$EVSNN" run "$M" -o "$tmp/z" \
    --set network.scale=0.1 --set simulation.duration=2.5s \
    --set EE.learn_from=1.05s --set EE.record_weights=0.5s; then
  l=$(tail -n 1 "$tmp/z/run.log")
  [ "$l" = "completed at t = 2.5 s" ] || say_fail "run.log ends '$l'"

  n=$(awk '$2 == "synapses" { print $3 }' "$tmp/z/run.log")
  awk -v n="$n" 'BEGIN {
      p = 0.5
      m = (250 * 2000 + 2000 * 1999 + 2000 * 500 + 500 * 2000 + 500 * 499) * p
      sd = sqrt(m * (1 - p))
      printf "synapses %d, binomial mean %.0f, sd %.0f\n", n, m, sd
      exit !(n - m < 5 * sd && m - n < 5 * sd) }' ||
    say_fail "synapse count $n is not the model's"

  awk '!/^#/ { t = $1; i = $2
         if (i in last && t - last[i] < 3.5e-3 - 1e-9) { bad++; if (bad == 1) print "E neuron " i ": spikes at " last[i] " and " t }
         last[i] = t; n++ }
       END { printf "E spikes %d, intervals below 3.5 ms: %d\n", n, bad
             exit !(n > 1000 && bad == 0) }' "$tmp/z/E.ras" ||
    say_fail "an E neuron fired within its threshold jump"

  awk -F'\t' 'NR > 1 { t = $1 + 0; m = $2 + 0; sd = $3 + 0
         if (t < 1.0001) { if (m != 1.60000002e-09 || sd != 0) { print "t " t ": mean " m ", sd " sd; bad = 1 } ; before++ }
         else { if (sd == 0) { print "t " t ": no weight moved"; bad = 1 }; after++ } }
       END { printf "weight rows before learn_from %d, after %d\n", before, after
             exit !(bad == 0 && before == 3 && after == 2) }' "$tmp/z/EE.weights.tsv" ||
    say_fail "the E->E weights did not follow learn_from"

  awk -F'\t' '$1 == "E" || $1 == "I" { printf "%s rate %s Hz\n", $1, $4
         if (!($4 > 0.1 && $4 < 60)) bad = 1 } END { exit bad }' \
      "$tmp/z/summary.tsv" || say_fail "rates outside [0.1, 60] Hz"
fi
# same_on_threads NAME OUT ARGS...: the model run with ARGS on 1 and 2
# threads into OUT1 and OUT2 writes the same E.ras (not empty) and
# EE.weights.tsv
same_on_threads() {
  sot_name=$1 # not name: expect_status sets that
  sot_out=$2
  shift 2
  for th in 1 2; do
    expect_status 0 "$sot_name$th threads" "$EVSNN" run "$M" -q \
      -o "$sot_out$th" "$@" --threads "$th"
  done
  if cmp -s "$sot_out"1/E.ras "$sot_out"2/E.ras && [ -s "$sot_out"1/E.ras ] &&
    cmp -s "$sot_out"1/EE.weights.tsv "$sot_out"2/EE.weights.tsv; then
    echo "${sot_name}E.ras and EE.weights.tsv identical on 1 and 2 threads"
  else
    say_fail "${sot_name}E.ras or EE.weights.tsv differs on 1 and 2 threads"
  fi
}
# the plastic network on 1 and 2 threads
same_on_threads "" "$tmp/t" --set network.scale=0.1 \
  --set simulation.duration=1.5s --set EE.learn_from=0.5s \
  --set EE.record_weights=0.5s
# a checkpoint (IF_cond_ampa_nmda's hook) on 2 threads, resumed on 1: every
# file of the run on one thread in one go
c="$tmp/ckpt"
if expect_status 0 "2 threads --until" "$EVSNN" run "$M" -q -o "$c" \
    --set network.scale=0.1 --set simulation.duration=1.5s \
    --set EE.learn_from=0.5s --set EE.record_weights=0.5s --threads 2 \
    --until 0.7137s &&
  expect_status 0 "resumed on 1 thread" "$EVSNN" resume "$c" -q --threads 1; then
  for f in "$tmp/t1"/*; do
    f=${f##*/}
    [ "$f" = run.log ] && continue
    cmp -s "$tmp/t1/$f" "$c/$f" || say_fail "resumed: $f differs from one go's"
  done
fi
# a refractory period (Auryn has none) across a checkpoint: the neurons
# refractory at --until stay so after the resume (cond_nmda.c skips the
# refractory ends while no period runs: resumed, it learns from the loaded
# ends which do). 0.5095 s follows a burst of ~2,000 E spikes in 2 ms, among
# them neurons 2, 318 and 594, whose v is recorded: a resume that let them
# integrate over its first step leaves E.ras as it is but not their v.
r="--set network.scale=0.1 --set simulation.duration=1s --set E.tau_refrac=2ms"
r="$r --set E.record_v=2,318,594"
if expect_status 0 "refractory, one go" "$EVSNN" run "$M" -q -o "$tmp/r1" \
    $r &&
  expect_status 0 "refractory, --until" "$EVSNN" run "$M" -q -o "$tmp/r2" \
    $r --until 0.5095s &&
  expect_status 0 "refractory, resumed" "$EVSNN" resume "$tmp/r2" -q; then
  awk '$1 > 0.5075 && $1 < 0.5095 && ($2 == 2 || $2 == 318 || $2 == 594)' \
    "$tmp/r1/E.ras" | wc -l | grep -qx 3 ||
    say_fail "refractory: neurons 2, 318, 594 did not spike before 0.5095 s"
  for f in E.ras v_E.tsv; do
    cmp -s "$tmp/r1/$f" "$tmp/r2/$f" ||
      say_fail "refractory: the resumed $f differs from one go's"
  done
fi
# precision = single: 1 and 2 threads, a checkpoint on 2 resumed on 1
for bad in "E.precision=half:double or single" \
  "X.precision=single:IF_cond_ampa_nmda only"; do
  expect_status 1 "--set ${bad%%:*}" "$EVSNN" check "$M" --set "${bad%%:*}" &&
    { grep -q "${bad#*:}" "$tmp/stderr" ||
        say_fail "--set ${bad%%:*}: $(cat "$tmp/stderr")"; }
done
f="--set network.scale=0.1 --set simulation.duration=1.5s"
f="$f --set EE.learn_from=0.5s --set EE.record_weights=0.5s"
f="$f --set E.precision=single --set I.precision=single"
# shellcheck disable=SC2086 # f is a list of arguments
same_on_threads "single: " "$tmp/f" $f
cmp -s "$tmp/f1/E.ras" "$tmp/t1/E.ras" &&
  say_fail "single: E.ras is double precision's"
f="$f --set E.tau_refrac=2ms --set I.tau_refrac=1ms"
if expect_status 0 "single, one go" "$EVSNN" run "$M" -q -o "$tmp/g1" $f &&
  expect_status 0 "single, --until" "$EVSNN" run "$M" -q -o "$tmp/g2" $f \
    --threads 2 --until 0.7137s &&
  expect_status 0 "single, resumed" "$EVSNN" resume "$tmp/g2" -q --threads 1
then
  for x in "$tmp/g1"/*; do
    x=${x##*/}
    [ "$x" = run.log ] && continue
    cmp -s "$tmp/g1/$x" "$tmp/g2/$x" ||
      say_fail "single: the resumed $x differs from one go's"
  done
fi
finish
