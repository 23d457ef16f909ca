#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The fault walk on ranks (doc/reliability.md, "Ranks"): a small CUBA run
# on 2 ranks in which ONE rank's k-th allocation (or file operation) of
# the library fails (tests/rankfault.c), for a sample of k over its build
# and, mostly, its run. A failure only one rank sees must reach the others:
# for every k the ranks all end (none waits for ever: a hang is a finding
# after RANKFAULT_TIMEOUT, 30 s), cleanly (a negative status with a
# message, nothing leaked), and alike: all succeed, with the reference's
# files byte for byte (run.log aside), or all fail, leaving no file under
# its final name; or, out of memory inside a collective exchange, the
# failing rank says so and MPI_Abort ends them all (core/comm.h), leaving
# no file under its final name either. Walked: rank 1's allocations, rank 0's allocations,
# rank 0's file operations (rank 0 writes the files), on 1 thread a rank,
# and rank 1's allocations on 2 threads a rank; and the model file missing
# on one rank's machine. Skipped (77) without MPI.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): RANKFAULT, MPIRUN,
# MODELS, EVSNN; RANKFAULT_SAMPLES (24 by default) values of k a walk.
. "$(dirname "$0")/common.sh"
if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  echo "SKIP: built without MPI"
  exit 77
fi
samples=${RANKFAULT_SAMPLES:-24}
limit=${RANKFAULT_TIMEOUT:-30}
sets=(simulation.duration=0.1s E.size=160 I.size=40 EE.p=0.1 EI.p=0.1
  IE.p=0.1 II.p=0.1 E.record_v=0-3 E.record_interval=1ms)

# walk NAME RANK KIND THREADS
walk() {
  name=$1 victim=$2 kind=$3 threads=$4
  run() { # K DIR
    timeout "$limit" "$MPIRUN" --oversubscribe --allow-run-as-root -np 2 \
      "$RANKFAULT" -r "$victim" -k "$kind" -n "$1" "$MODELS/cuba.ini" "$2" \
      "${sets[@]}" simulation.threads="$threads" >"$2.out" 2>"$2.err"
  }
  ref=$tmp/$name.ref
  if ! run 0 "$ref"; then
    say_fail "$name: the run without a fault failed: $(cat "$ref.out" "$ref.err")"
    return
  fi
  line=$(grep "^rank $victim " "$ref.out")
  total=$(echo "$line" | sed 's/.* calls \([0-9]*\) .*/\1/')
  from=$(echo "$line" | sed 's/.* run_from \([0-9]*\) .*/\1/')
  [ "$total" -gt "$from" ] || {
    say_fail "$name: no calls in the run ($line)"
    return
  }
  # k: a sixth of the sample spread over the build, the rest over the run
  # (its first and last calls, and evenly between)
  n_run=$((total - from)) n_build=$((samples / 6))
  ks=$( (
    for i in $(seq 1 "$n_build"); do echo $((i * from / (n_build + 1) + 1)); done
    q=$(((samples - n_build) / 3))
    for i in $(seq 1 "$q"); do
      echo $((from + i))
      echo $((total + 1 - i))
      echo $((from + i * n_run / (q + 1)))
    done
  ) | awk -v lo=1 -v hi="$total" '$1 >= lo && $1 <= hi' | sort -n | uniq)
  walked=0 failed=0 aborted=0
  for k in $ks; do
    d=$tmp/$name.$k
    run "$k" "$d"
    got=$?
    walked=$((walked + 1))
    if [ "$got" -eq 124 ]; then
      say_fail "$name, k = $k: the ranks hung ($limit s): $(cat "$d.out")"
      continue
    fi
    if [ "$got" -ne 0 ] && grep -q 'ending every rank (MPI_Abort)' "$d.err"; then
      # out of memory inside a collective (core/comm.h): every rank ended
      aborted=$((aborted + 1))
      left=$(cd "$d" 2>/dev/null && ls | grep -v '\.part$')
      [ -z "$left" ] || say_fail "$name, k = $k: an aborted run left $left"
      continue
    fi
    if [ "$got" -ne 0 ] || [ "$(grep -c '^rank ' "$d.out")" -ne 2 ]; then
      say_fail "$name, k = $k: exit status $got: $(cat "$d.out" "$d.err" | head -5)"
      continue
    fi
    ok=$(grep -c '^rank [0-9]* status EVS_OK ' "$d.out")
    if [ "$ok" -eq 1 ]; then
      say_fail "$name, k = $k: the ranks disagree: $(cat "$d.out")"
    elif [ "$ok" -eq 2 ]; then
      for f in $(cd "$ref" && ls); do
        [ "$f" = run.log ] && continue
        cmp -s "$ref/$f" "$d/$f" || say_fail "$name, k = $k: $f differs"
      done
    else
      failed=$((failed + 1))
      left=$(cd "$d" 2>/dev/null && ls | grep -v '\.part$')
      [ -z "$left" ] || say_fail "$name, k = $k: a failed run left $left"
    fi
  done
  echo "rankfault $name: $total calls ($from before the run), $walked walked," \
    "$failed failed alike, $aborted ended by MPI_Abort"
}

# The model file missing on one machine (rank 1's path does not exist):
# both ranks fail at once, rank 0 with "another rank failed".
: "${EVSNN:?}"
timeout "$limit" "$MPIRUN" --oversubscribe --allow-run-as-root -np 2 sh -c '
  m=$1
  [ "$OMPI_COMM_WORLD_RANK" = 1 ] && m=$2/missing.ini
  "$3" run "$m" -q -o "$2/missing" --set simulation.duration=0.05s \
    2>"$2/missing.$OMPI_COMM_WORLD_RANK.err"
  echo "rank $OMPI_COMM_WORLD_RANK exit $?"' sh "$MODELS/cuba.ini" "$tmp" \
  "$EVSNN" >"$tmp/missing.out" 2>&1
got=$?
if [ "$got" -eq 124 ]; then
  say_fail "model file missing on rank 1: the ranks hung"
elif [ "$(grep -c '^rank [01] exit 1$' "$tmp/missing.out")" -ne 2 ] ||
  ! grep -q 'cannot open' "$tmp/missing.1.err" ||
  ! grep -q 'another rank failed' "$tmp/missing.0.err"; then
  say_fail "model file missing on rank 1: $(cat "$tmp/missing.out" \
    "$tmp"/missing.*.err)"
fi

walk rank1-alloc 1 alloc 1
walk rank0-alloc 0 alloc 1
walk rank0-io 0 io 1
walk rank1-alloc-2threads 1 alloc 2
exit $fail
