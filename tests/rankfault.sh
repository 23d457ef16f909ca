#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The fault walk on ranks (doc/reliability.md, "Ranks"): a small CUBA run
# on 2 ranks in which ONE rank's k-th allocation (or file operation) of
# the library fails (tests/rankfault.c), for a sample of k over its build
# and, mostly, its run. A failure only one rank sees must reach the others:
# for every k the ranks all end (none waits for ever: a hang is a finding
# after RANKFAULT_TIMEOUT, 120 s), cleanly (a negative status with a
# message, nothing leaked), and alike: all succeed, with the reference's
# files byte for byte (run.log aside), or all fail, leaving no file under
# its final name; or, out of memory inside a collective exchange, the
# failing rank says so and MPI_Abort ends them all (core/comm.h), leaving
# no file under its final name either. Walked: rank 1's allocations, rank 0's allocations,
# rank 0's file operations (rank 0 writes the files), on 1 thread a rank,
# and rank 1's allocations on 2 threads a rank; and the model file missing
# on one rank's machine. Then faults inside a checkpoint (written by
# --until or periodically, loaded by a resumption): see "faults inside a
# checkpoint on ranks" below. Skipped (77) without MPI.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): RANKFAULT, MPIRUN,
# MODELS, EVSNN; RANKFAULT_SAMPLES (16 by default) values of k a walk;
# RANKFAULT_CKPT_SAMPLES (3) values of k a checkpoint walk, and
# RANKFAULT_CKPT_ALL=1 for every victim, kind and mode (12 walks).
. "$(dirname "$0")/common.sh"
if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  echo "SKIP: built without MPI"
  exit 77
fi
samples=${RANKFAULT_SAMPLES:-16}
# The limit is a watchdog, not a speed test: a launch takes ~1 s, but on
# a loaded machine two ranks (of up to two threads) can fall into waking
# each other through the scheduler every window (doc/scaling.md, "The
# barrier and the merge"): tests/rankckpt.sh's runs of ~5 s took 27 s,
# and twice more than 120 s, at load 17-25.
limit=${RANKFAULT_TIMEOUT:-120}
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

# ---- faults inside a checkpoint on ranks -----------------------------------
# The same CUBA, 0.04 s, with checkpoints (doc/scaling.md, "Checkpoints on
# ranks"): one rank's k-th call fails while a checkpoint is written or
# loaded, k spread evenly over the calls the reference run made doing so
# (tests/rankfault.c's "ckpt" ranges). Modes: until (a fresh run stopped at
# 0.02 s with a checkpoint, as --until), resume (the folder of until's
# reference resumed and stopped at 0.03 s with a second checkpoint: the
# loading, then a save while a committed checkpoint exists), periodic
# (checkpoints at every poll, 16 barriers, over a whole run). For every k:
# no hang; the ranks end alike (both succeed with the reference's files,
# or both fail, each with a message: its own cause or "another rank
# failed"; or MPI_Abort); and the checkpoint left in the folder (after a
# failure, the last committed one; in resume mode there always is one)
# resumes to the uninterrupted run's files, byte for byte.
ck_samples=${RANKFAULT_CKPT_SAMPLES:-3}
ck_sets=(simulation.duration=0.04s E.size=160 I.size=40 EE.p=0.1 EI.p=0.1
  IE.p=0.1 II.p=0.1 E.record_v=0-3 E.record_interval=1ms)

# rf VICTIM KIND K DIR ARGS...: rankfault on 2 ranks into DIR (DIR.out,
# DIR.err), under timeout
rf() {
  local victim=$1 kind=$2 k=$3 dir=$4
  shift 4
  timeout "$limit" "$MPIRUN" --oversubscribe --allow-run-as-root -np 2 \
    "$RANKFAULT" -r "$victim" -k "$kind" -n "$k" "$@" "$MODELS/cuba.ini" \
    "$dir" "${ck_sets[@]}" >"$dir.out" 2>"$dir.err"
}

# same_files REF DIR: DIR has REF's files (run.log and the checkpoint's
# aside) with the same bytes; else prints the first difference
same_files() {
  local f
  for f in $(cd "$1" && ls); do
    case $f in run.log | checkpoint.evsnn*) continue ;; esac
    cmp -s "$1/$f" "$2/$f" || {
      echo "$f differs"
      return 1
    }
  done
}

# resumes WHAT DIR: DIR's checkpoint resumed (no fault) to the end gives
# the uninterrupted run's files
resumes() {
  local why
  if ! rf 0 alloc 0 "$2" -R || [ "$(grep -c '^rank [01] status EVS_OK ' "$2.out")" -ne 2 ]; then
    say_fail "$1: its checkpoint does not resume: $(cat "$2.out" "$2.err" | head -4)"
  elif ! why=$(same_files "$tmp/ck.full" "$2"); then
    say_fail "$1: resumed from its checkpoint: $why"
  fi
}

# ck_ks WINDOWS N: N calls spread evenly over the ranges A-B,C-D,... (the
# calls A+1..B, C+1..D, ...), the first and the last among them
ck_ks() {
  echo "$1" | tr ',' '\n' | awk -F- -v n="$2" '
    { for (c = $1 + 1; c <= $2; c++) all[m++] = c }
    END { if (!m) exit; if (n > m) n = m
          for (i = 0; i < n; i++) {
            j = 0
            if (n > 1) j = int(i * (m - 1) / (n - 1))
            print all[j] } }' |
    sort -n | uniq
}

# ck_prep MODE DIR: DIR readied for MODE (resume: a copy of until's
# reference folder, its checkpoint at 0.02 s)
ck_prep() {
  rm -rf "$2"
  [ "$1" = resume ] && cp -r "$tmp/ck.until" "$2"
  return 0
}

# ck_args MODE: rankfault's options for MODE
ck_args() {
  case $1 in
  until) printf '%s\n' -u 0.02 ;;
  resume) printf '%s\n' -R -u 0.03 ;;
  periodic) printf '%s\n' -e 1e-9 ;;
  esac
}

# walk_ckpt NAME VICTIM KIND MODE
walk_ckpt() {
  local name=$1 victim=$2 kind=$3 mode=$4 ref d k got ok line wins second
  ref=$tmp/ck.$name.ref
  ck_prep "$mode" "$ref"
  # shellcheck disable=SC2046
  if ! rf "$victim" "$kind" 0 "$ref" $(ck_args "$mode") ||
    [ "$(grep -c '^rank [01] status EVS_OK ' "$ref.out")" -ne 2 ]; then
    say_fail "ckpt $name: the run without a fault failed: $(cat "$ref.out" "$ref.err" | head -4)"
    return
  fi
  line=$(grep "^rank $victim " "$ref.out")
  wins=$(echo "$line" | sed 's/.* ckpt \([-0-9,]*\) .*/\1/')
  # periodic: once the second checkpoint's writing began, the first is
  # committed
  second=$(echo "$wins" | cut -s -d, -f2 | cut -d- -f1)
  local walked=0 failed=0 aborted=0 others=0
  for k in $(ck_ks "$wins" "$ck_samples"); do
    d=$tmp/ck.$name.$k
    ck_prep "$mode" "$d"
    # shellcheck disable=SC2046
    rf "$victim" "$kind" "$k" "$d" $(ck_args "$mode")
    got=$?
    walked=$((walked + 1))
    if [ "$got" -eq 124 ]; then
      say_fail "ckpt $name, k = $k: the ranks hung ($limit s): $(cat "$d.out")"
      continue
    fi
    if [ "$got" -ne 0 ] && grep -q 'ending every rank (MPI_Abort)' "$d.err"; then
      aborted=$((aborted + 1))
    elif [ "$got" -ne 0 ] || [ "$(grep -c '^rank ' "$d.out")" -ne 2 ]; then
      say_fail "ckpt $name, k = $k: exit status $got: $(cat "$d.out" "$d.err" | head -5)"
      continue
    else
      ok=$(grep -c '^rank [0-9]* status EVS_OK ' "$d.out")
      if [ "$ok" -eq 1 ]; then
        say_fail "ckpt $name, k = $k: the ranks disagree: $(cat "$d.out")"
        continue
      elif [ "$ok" -eq 2 ]; then
        why=$(same_files "$ref" "$d") ||
          say_fail "ckpt $name, k = $k: a success, but $why"
        [ "$mode" = periodic ] && continue # completed: nothing to resume
      else
        failed=$((failed + 1))
        grep -v "^rank $victim " "$d.out" | grep -q 'another rank failed' ||
          others=$((others + 1))
      fi
    fi
    if [ -e "$d/checkpoint.evsnn" ]; then
      resumes "ckpt $name, k = $k" "$d"
    elif [ "$mode" = resume ] || { [ -n "$second" ] && [ "$k" -gt "$second" ]; }; then
      say_fail "ckpt $name, k = $k: the committed checkpoint is gone: $(ls "$d")"
    fi
  done
  echo "rankfault ckpt $name: $(echo "$wins" | tr ',' '\n' | grep -c .) checkpoint(s)" \
    "in calls ${wins%%-*}-${wins##*-}; $walked walked, $failed failed" \
    "alike ($others with the other rank naming its own cause), $aborted" \
    "ended by MPI_Abort"
}

if rf 0 alloc 0 "$tmp/ck.full" &&
  [ "$(grep -c '^rank [01] status EVS_OK ' "$tmp/ck.full.out")" -eq 2 ] &&
  rf 0 alloc 0 "$tmp/ck.until" -u 0.02 &&
  [ -e "$tmp/ck.until/checkpoint.evsnn" ]; then
  if [ -n "${RANKFAULT_CKPT_ALL:-}" ]; then # every victim, kind and mode
    for mode in until resume periodic; do
      for victim in 0 1; do
        for kind in alloc io; do
          walk_ckpt "$mode-rank$victim-$kind" "$victim" "$kind" "$mode"
        done
      done
    done
  else
    # (resume mode's second stop saves over a committed checkpoint: the
    # until mode's save, and more)
    walk_ckpt resume-rank0-io 0 io resume
    walk_ckpt resume-rank1-alloc 1 alloc resume
    walk_ckpt periodic-rank1-io 1 io periodic
    walk_ckpt periodic-rank0-alloc 0 alloc periodic
  fi
else
  say_fail "ckpt: the references failed: $(cat "$tmp"/ck.full.out "$tmp"/ck.until.out 2>/dev/null)"
fi
exit $fail
