#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The fault-injection walk (issue 15, item 4; tests/faultwalk.c): standard
# small runs with their k-th allocation, then their k-th file operation,
# failing; then CUBA and COBA + STDP stopped with a checkpoint and resumed
# from it, with a fault while saving and while resuming. make check walks a
# sample of k (FAULTWALK_SAMPLES, 120 by default; FAULTWALK_CKPT_SAMPLES,
# 40, for the checkpoint walks); make faultcheck every k
# (FAULTWALK_SAMPLES=0).
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): FAULTWALK, MODELS, TESTDATA.
. "$(dirname "$0")/common.sh"
if [ -z "${FAULTWALK:-}" ] || [ ! -x "$FAULTWALK" ]; then
  echo "ERROR: FAULTWALK='${FAULTWALK:-}' is not an executable"
  exit 99
fi
samples=${FAULTWALK_SAMPLES-120}
opts=()
[ "$samples" != 0 ] && opts=(-s "$samples")

# The checkpoint walks (a save at T, a resume from it) take a smaller sample
# in make check, half of it over the calls that write or load the
# checkpoint: each of their runs is two (the faulted one, then a resume).
ckpt_samples=${FAULTWALK_CKPT_SAMPLES-40}
[ "$samples" = 0 ] && ckpt_samples=0
ckpt_opts=()
[ "$ckpt_samples" != 0 ] && ckpt_opts=(-s "$ckpt_samples")

# walk NAME MODEL [SECTION.KEY=VALUE]...: both kinds of fault.
walk() {
  name=$1 model=$2
  shift 2
  for kind in alloc io; do
    ${FAULTWALK_WRAPPER:-} "$FAULTWALK" -k "$kind" "${opts[@]}" \
      -t "${FAULTWALK_TIMEOUT:-60}" "$model" "$tmp/$name" "$@" \
      >"$tmp/walk.out" 2>&1
    got=$?
    cat "$tmp/walk.out"
    [ "$got" -eq 0 ] || say_fail "$name, $kind faults: status $got"
  done
}

# walk_checkpoint NAME T MODEL [SECTION.KEY=VALUE]...: both kinds of fault
# while stopping at T with a checkpoint, then while resuming from it.
walk_checkpoint() {
  name=$1 until=$2 model=$3
  shift 3
  for phase in save resume; do
    for kind in alloc io; do
      ${FAULTWALK_WRAPPER:-} "$FAULTWALK" -k "$kind" "${ckpt_opts[@]}" \
        -c "$until" -p "$phase" -t "${FAULTWALK_TIMEOUT:-60}" "$model" \
        "$tmp/$name" "$@" >"$tmp/walk.out" 2>&1
      got=$?
      cat "$tmp/walk.out"
      [ "$got" -eq 0 ] || say_fail "$name, $kind faults, $phase: status $got"
    done
  done
}

walk cuba "$MODELS/cuba.ini" simulation.duration=0.2s E.size=160 I.size=40 \
  EE.p=0.1 EI.p=0.1 IE.p=0.1 II.p=0.1
walk coba_stdp "$MODELS/coba_stdp.ini" simulation.duration=0.1s E.size=160 \
  I.size=40 EE.p=0.1 EI.p=0.1 IE.p=0.1 II.p=0.1
walk s1 "$MODELS/s1_single.ini" simulation.duration=1.5s superspike.burn_in=0.5s \
  superspike.record_trials=1,3 superspike.r0_decay_time=1s
walk plugins "$TESTDATA/faults_all_plugins.ini"
# on 2 threads (the k-th call in whatever order the threads made them),
# every k (~750 runs, a few seconds): the threads' set-up has its failures
# in the middle of the calls
sampled=("${opts[@]}")
opts=()
walk coba_stdp_2threads "$MODELS/coba_stdp.ini" simulation.duration=0.1s \
  E.size=160 I.size=40 EE.p=0.1 EI.p=0.1 IE.p=0.1 II.p=0.1 simulation.threads=2
opts=("${sampled[@]}")
walk_checkpoint cuba_ckpt 0.1 "$MODELS/cuba.ini" simulation.duration=0.2s \
  E.size=160 I.size=40 EE.p=0.1 EI.p=0.1 IE.p=0.1 II.p=0.1
walk_checkpoint coba_stdp_ckpt 0.05 "$MODELS/coba_stdp.ini" \
  simulation.duration=0.1s E.size=160 I.size=40 EE.p=0.1 EI.p=0.1 IE.p=0.1 \
  II.p=0.1
finish
