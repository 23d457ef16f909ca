#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Checkpoints on several ranks (doc/scaling.md, "Checkpoints on ranks"):
# a run on 2 ranks stopped with a checkpoint (--until, SIGINT to one rank)
# and resumed with `mpirun -np 2 evsnn resume` (on the same or another
# number of threads a rank) writes every file byte for byte as the
# uninterrupted run on 2 ranks and as the run in one process on one thread
# (run.log aside: its dates, checkpoint and resume lines); CUBA with
# membrane traces, COBA + STDP with its weight recording and matrices,
# S2 (SuperSpike, a hidden layer) with its trial rasters and weights. A
# checkpoint of 2 ranks resumed on another number of ranks, or in one
# process, and one of one process resumed on 2 ranks, is refused naming
# both numbers; a part of one rank corrupt or missing fails every rank
# cleanly (exit status 1, the folder's files untouched, no rank waiting for
# ever: every launch under `timeout`). SuperSpike (S2: its learner on rank
# 0, rank 1 saving its clock) the same, by --until and periodically. A
# folder reused by a run on fewer ranks, or in one process, loses the
# earlier run's parts, and only those.
# Skipped (77) without MPI.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, MPIRUN.
. "$(dirname "$0")/common.sh"
need_evsnn
if [ -z "${MPIRUN:-}" ] || [ "$MPIRUN" = no ]; then
  echo "SKIP: built without MPI"
  exit 77
fi
# A watchdog, not a speed test (as in rankfault.sh): launches take 1-7 s,
# but at load 17-25 the periodic case's run of ~5 s (two ranks of two
# threads waking each other through the scheduler every window) took 27 s
# once and more than 120 s twice (both ranks still stepping).
limit=${RANKCKPT_TIMEOUT:-300}

# mpi K CMD...: CMD on K ranks, ended after $limit s (a hang is a failure)
mpi() {
  np=$1
  shift
  timeout "$limit" "$MPIRUN" --oversubscribe --allow-run-as-root -np "$np" "$@"
}

# same REF DIR WHAT: every file of REF but run.log is in DIR with the same
# bytes, and DIR has no other file but the checkpoint's.
same() {
  local f ok=1
  for f in "$1"/*; do
    f=${f##*/}
    case $f in run.log | checkpoint.evsnn*) continue ;; esac
    cmp -s "$1/$f" "$2/$f" || {
      say_fail "$3: $f differs from $1's"
      ok=0
    }
  done
  for f in "$2"/*; do
    f=${f##*/}
    case $f in run.log | checkpoint.evsnn*) continue ;; esac
    [ -e "$1/$f" ] || {
      say_fail "$3: $f is not in $1"
      ok=0
    }
  done
  [ "$ok" -eq 1 ]
}

# resumed DIR WHAT: DIR's run.log says it was resumed and completed
resumed() {
  grep -q '^resumed: from the checkpoint at t = ' "$1/run.log" ||
    say_fail "$2: run.log does not say it was resumed"
  tail -n 1 "$1/run.log" | grep -q '^completed at t = ' ||
    say_fail "$2: run.log ends '$(tail -n 1 "$1/run.log")'"
}

# (expect_status sets the global "name": the functions use "run")
# case_until NAME U1 U2 "T1 T2 T3" ARGS...: the run of ARGS on 2 ranks of
# T1 threads stopped at U1 (--until), resumed on T2 threads to U2, resumed
# on T3 threads to the end: the files of NAME.one (one process) and of
# NAME.two (uninterrupted on 2 ranks).
case_until() {
  local run=$1 u1=$2 u2=$3 t1 t2 t3
  read -r t1 t2 t3 <<<"$4"
  shift 4
  local d="$tmp/$run.$t1$t2$t3" what="$run: 2 ranks, threads $t1, $t2, $t3"
  expect_status 0 "$what: run --until $u1" mpi 2 "$EVSNN" run "$@" -q -o "$d" \
    --threads "$t1" --until "$u1" || return
  [ "$(grep -c '^stopped at t = .* with a checkpoint' "$tmp/stdout")" = 1 ] ||
    say_fail "$what: run --until says '$(cat "$tmp/stdout")'"
  [ -s "$d/checkpoint.evsnn" ] && [ -s "$d/checkpoint.evsnn.rank1.0" ] ||
    say_fail "$what: no checkpoint of both ranks: $(ls "$d")"
  expect_status 0 "$what: resume --until $u2" mpi 2 "$EVSNN" resume "$d" -q \
    --threads "$t2" --until "$u2" || return
  # the second checkpoint's parts in the other slot, the first's kept
  [ -s "$d/checkpoint.evsnn.rank1.1" ] ||
    say_fail "$what: the second checkpoint's part of rank 1 is not in slot 1"
  expect_status 0 "$what: resume" mpi 2 "$EVSNN" resume "$d" -q \
    --threads "$t3" || return
  resumed "$d" "$what"
  [ "$(grep -c '^resumed: ' "$d/run.log")" = 2 ] ||
    say_fail "$what: run.log has not 2 resumptions"
  same "$tmp/$run.one" "$d" "$what"
  same "$tmp/$run.two" "$d" "$what"
}

# reference NAME ARGS...: NAME.one in one process, NAME.two on 2 ranks,
# uninterrupted; the same files (tests/ranks.sh checks more of it).
reference() {
  local run=$1
  shift
  expect_status 0 "$run: in one process" "$EVSNN" run "$@" -q \
    -o "$tmp/$run.one" || return 1
  expect_status 0 "$run: on 2 ranks" mpi 2 "$EVSNN" run "$@" -q \
    -o "$tmp/$run.two" || return 1
  same "$tmp/$run.one" "$tmp/$run.two" "$run: uninterrupted on 2 ranks"
}

# ---- CUBA with membrane traces (a probe: one sum over the ranks a sample) --
cuba=("$MODELS/cuba.ini" --set simulation.duration=0.3s)
if reference cuba "${cuba[@]}"; then
  case_until cuba 0.1137s 0.2s "1 2 1" "${cuba[@]}"
fi

# ---- COBA + pair STDP: the weights on every rank's slice, the traces, the
# weight recording and matrices gathered from the ranks --------------------
coba=("$MODELS/coba_stdp.ini" --set simulation.duration=0.2001s
  --set EE.record_matrix=0.05s,0.2s --set E.record_v=0-4
  --set E.record_interval=1ms)
if reference coba "${coba[@]}"; then
  case_until coba 0.0777s 0.13s "2 1 2" "${coba[@]}"
fi

# ---- SuperSpike (S2, a hidden layer): the learner on rank 0 saves its
# state in rank 0's part as one process does, rank 1 its clock; learning
# from 1 s on, an update every 0.1 s, trial rasters, spikes, the weights
# (summary, every synapse, matrices). A population "pad" put first (cut
# between the ranks) deals the input to rank 1: its spikes, pending events
# and place in its pattern are in rank 1's part --------------------------------
sed -e 's|^\[population in\]|[population pad]\ntype = IF_curr_exp\nsize = 2\n\n&|' \
  -e "s|= s1_input.ras|= $MODELS/s1_input.ras|; s|= s1_target.ras|= $MODELS/s1_target.ras|" \
  "$MODELS/s2_hidden.ini" >"$tmp/s2.ini"
s2=("$tmp/s2.ini" --set simulation.duration=3s
  --set superspike.burn_in=1s --set superspike.update=0.1s
  --set superspike.record_trials=1,3,6 --set hidden.record_spikes=yes
  --set hidden_out.record_weights=0.1s --set hidden_out.record_synapses=0.05s
  --set in_hidden.record_matrix=0s,1.5s,2.5s)
if reference s2 "${s2[@]}"; then
  case_until s2 1.2345s 2.1s "2 1 2" "${s2[@]}"
fi

# ---- periodic checkpoints (--checkpoint-every: rank 0's wall clock decides
# for every rank): several in a run on 2 ranks; its last one resumed gives
# the files that run completed -----------------------------------------------
d="$tmp/periodic"
if expect_status 0 "periodic: run" mpi 2 "$EVSNN" run "$MODELS/cuba.ini" -q \
  -o "$d" --set simulation.duration=2s --checkpoint-every 0.05s --threads 2; then
  [ "$(grep -c '^checkpoint: t = ' "$d/run.log")" -ge 2 ] ||
    say_fail "periodic: fewer than 2 checkpoints: $(grep -c '^checkpoint: ' "$d/run.log")"
  mkdir "$tmp/periodic.ref" && cp "$d"/*.ras "$d"/*.tsv "$tmp/periodic.ref"
  expect_status 0 "periodic: resume" mpi 2 "$EVSNN" resume "$d" -q &&
    resumed "$d" "periodic" && same "$tmp/periodic.ref" "$d" "periodic"
fi
# the same of S2 with random feedback (the hidden spike traces too), a
# checkpoint every tenth of what the uninterrupted 2-rank run's loop took
# (its run.log's wall_run, under the same load): S2 runs in ~0.05 s on an
# idle machine, less than one interval of CUBA's 0.05 s above
d="$tmp/s2.periodic"
every=$(awk '$1 == "stat" && $2 == "wall_run" && $3 > 0 { printf "%.6fs", $3 / 10 }' \
  "$tmp/s2.two/run.log" 2>/dev/null)
if expect_status 0 "S2 periodic: run" mpi 2 "$EVSNN" run "${s2[@]}" -q -o "$d" \
  --set superspike.feedback=random --checkpoint-every "${every:-0.005s}"; then
  [ "$(grep -c '^checkpoint: t = ' "$d/run.log")" -ge 2 ] ||
    say_fail "S2 periodic: fewer than 2 checkpoints: $(grep -c '^checkpoint: ' "$d/run.log")"
  mkdir "$tmp/s2.periodic.ref" && cp "$d"/*.ras "$d"/*.tsv "$d"/*.mtx "$tmp/s2.periodic.ref"
  expect_status 0 "S2 periodic: resume" mpi 2 "$EVSNN" resume "$d" -q &&
    resumed "$d" "S2 periodic" && same "$tmp/s2.periodic.ref" "$d" "S2 periodic"
fi

# ---- SIGINT to one rank: every rank stops at the same horizon with its
# part of the checkpoint; resumed on other threads to a little later: the
# files of a run in one process stopped there (--until) ---------------------
if [ -d "$tmp/cuba.one" ]; then
  d="$tmp/cuba.int"
  # (long enough that the signal comes first on an idle machine too: 10 s
  # of CUBA on 2 ranks take well under a second there)
  long=("$MODELS/cuba.ini" --set simulation.duration=500s)
  limit=60 mpi 2 "$EVSNN" run "${long[@]}" -q -o "$d" >"$tmp/int.out" 2>"$tmp/int.err" &
  pid=$!
  # rank 1's process (mpirun tells each its rank), once the run has begun
  # (rank 0 has opened its files)
  victim=
  for _ in $(seq 1 600); do
    for k in $(pgrep -f -- "-o $d"); do
      { tr '\0' '\n' <"/proc/$k/environ"; } 2>/dev/null |
        grep -q '^OMPI_COMM_WORLD_RANK=1$' && victim=$k
    done
    [ -n "$victim" ] && [ -e "$d/E.ras.part" ] && break
    victim=
    sleep 0.1
  done
  sleep 0.5
  if [ -z "$victim" ]; then
    say_fail "SIGINT: rank 1's process not found"
    kill "$pid" 2>/dev/null
  else
    kill -INT "$victim"
  fi
  wait "$pid"
  tail -n 1 "$d/run.log" | grep -q '^stopped at t = .*: interrupted (SIGINT)' ||
    say_fail "SIGINT: run.log ends '$(tail -n 1 "$d/run.log")'"
  t=$(sed -n 's/^stopped at t = \(.*\) s: interrupted.*/\1/p' "$d/run.log")
  [ -s "$d/checkpoint.evsnn" ] && [ -s "$d/checkpoint.evsnn.rank1.0" ] ||
    say_fail "SIGINT: no checkpoint of both ranks: $(ls "$d")"
  u=$(awk -v t="${t:-0}" 'BEGIN { printf "%.4f", t + 0.0537 }')
  if [ -n "$t" ] &&
    expect_status 0 "SIGINT: resume to $u s" mpi 2 "$EVSNN" resume "$d" -q \
      --threads 2 --until "${u}s"; then
    grep -q '^resumed: from the checkpoint at t = ' "$d/run.log" ||
      say_fail "SIGINT: run.log does not say it was resumed"
    expect_status 0 "SIGINT: one process to $u s" "$EVSNN" run "${long[@]}" \
      -q -o "$tmp/cuba.long" --until "${u}s" && same "$tmp/cuba.long" "$d" "SIGINT"
  fi
fi

# ---- stale parts: a folder of a run on 3 ranks (parts of ranks 1 and 2 in
# both slots) reused by a run on 2 ranks, then by one in one process: each
# run's start removes the parts the earlier run.log lists (its ranks', both
# slots), never a file evsnn did not write (a planted part of "rank 7", a
# note), and its own checkpoint resumes to the uninterrupted run's files --
d="$tmp/stale"
if [ -d "$tmp/cuba.one" ] &&
  expect_status 0 "stale: 3 ranks --until" mpi 3 "$EVSNN" run "${cuba[@]}" \
    -q -o "$d" --until 0.05s &&
  expect_status 0 "stale: 3 ranks resume --until" mpi 3 "$EVSNN" resume "$d" \
    -q --until 0.1s; then
  for p in rank1.0 rank1.1 rank2.0 rank2.1; do
    [ -s "$d/checkpoint.evsnn.$p" ] || say_fail "stale: 3 ranks wrote no part $p"
  done
  echo mine >"$d/notes.txt"
  echo mine >"$d/checkpoint.evsnn.rank7.0"
  # kept MSG FILE...: each FILE is in the folder
  kept() {
    local f msg=$1
    shift
    for f in "$@"; do
      [ -e "$d/$f" ] || say_fail "stale: $msg: $f is gone"
    done
  }
  # gone MSG FILE...: no FILE is in the folder
  gone() {
    local f msg=$1
    shift
    for f in "$@"; do
      [ -e "$d/$f" ] && say_fail "stale: $msg: $f is still there"
    done
  }
  if expect_status 0 "stale: 2 ranks --until" mpi 2 "$EVSNN" run "${cuba[@]}" \
    -q -o "$d" --until 0.05s; then
    gone "2 ranks" checkpoint.evsnn.rank2.0 checkpoint.evsnn.rank2.1 \
      checkpoint.evsnn.rank1.1
    kept "2 ranks" checkpoint.evsnn.rank1.0 checkpoint.evsnn.rank7.0 notes.txt
    mkdir "$tmp/stale.2" && cp -r "$d"/. "$tmp/stale.2" && rm "$tmp/stale.2/notes.txt" &&
      expect_status 0 "stale: 2 ranks resume" mpi 2 "$EVSNN" resume \
        "$tmp/stale.2" -q && same "$tmp/cuba.one" "$tmp/stale.2" "stale: 2 ranks"
  fi
  if expect_status 0 "stale: one process --until" "$EVSNN" run "${cuba[@]}" \
    -q -o "$d" --until 0.05s; then
    gone "one process" checkpoint.evsnn.rank1.0 checkpoint.evsnn.rank1.1
    kept "one process" checkpoint.evsnn.rank7.0 notes.txt
    rm "$d/notes.txt"
    expect_status 0 "stale: one process resume" "$EVSNN" resume "$d" -q &&
      same "$tmp/cuba.one" "$d" "stale: one process"
  fi
fi

# ---- refusals: another number of ranks, a part corrupt or missing ---------
# (in the folder of CUBA's case: rank 1's part of the checkpoint at 0.1137 s
# in slot 0, of the last one, at 0.2 s, in slot 1)
d="$tmp/cuba.121"
# refuse WHAT PATTERN CMD...: CMD ends with status 1 (on every rank),
# saying PATTERN, and the folder's files are as they were
refuse() {
  local what=$1 pattern=$2
  shift 2
  (cd "$d" && md5sum -- * >"$tmp/before")
  expect_status 1 "$what" "$@"
  grep -q -- "$pattern" "$tmp/stderr" ||
    say_fail "$what: says '$(grep evsnn "$tmp/stderr" | head -n 3)'"
  (cd "$d" && md5sum -- * >"$tmp/after")
  cmp -s "$tmp/before" "$tmp/after" || say_fail "$what: the folder's files changed"
}
if [ -d "$d" ]; then
  refuse "3 ranks" 'a checkpoint of a run on 2 ranks resumes on 2 ranks (mpirun -np 2), not on 3' \
    mpi 3 "$EVSNN" resume "$d" -q
  refuse "one process" 'a checkpoint of a run on 2 ranks resumes on 2 ranks (mpirun -np 2), not in one process' \
    "$EVSNN" resume "$d" -q
  part="$d/checkpoint.evsnn.rank1.1"
  cp "$part" "$tmp/part"
  printf '\377' | dd of="$part" bs=1 seek=4000 count=1 conv=notrunc 2>/dev/null
  refuse "a corrupt part" 'checkpoint.evsnn.rank1.1: a corrupt checkpoint (CRC-32' \
    mpi 2 "$EVSNN" resume "$d" -q
  grep -q 'another rank failed' "$tmp/stderr" ||
    say_fail "a corrupt part: rank 0 does not say another rank failed"
  # missing: slot 0 holds the part of the earlier checkpoint, not this one's
  rm -f "$part"
  refuse "a missing part" "rank 1's part of the checkpoint at t = 0.2 s is missing" \
    mpi 2 "$EVSNN" resume "$d" -q
  # the part put back: it resumes, and the files are the uninterrupted run's
  cp "$tmp/part" "$part"
  expect_status 0 "the part put back" mpi 2 "$EVSNN" resume "$d" -q &&
    same "$tmp/cuba.one" "$d" "the part put back"
  # a checkpoint of one process is not resumed on 2 ranks
  d="$tmp/cuba.oneck"
  expect_status 0 "one process --until" "$EVSNN" run "${cuba[@]}" -q -o "$d" \
    --until 0.1s &&
    refuse "one process on 2 ranks" 'a checkpoint of a run in one process resumes in one process, not on 2 ranks' \
      mpi 2 "$EVSNN" resume "$d" -q
fi
finish
