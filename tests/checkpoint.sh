#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Checkpoint and resume (issue 15, item 1): a run stopped with a
# checkpoint (--until, a periodic checkpoint then SIGKILL, SIGINT) and
# resumed with evsnn resume writes the same bytes in every file as the run
# that was never stopped (run.log aside: dates, wall times); a corrupt,
# truncated, foreign or outdated checkpoint is refused with a clear message
# and exit status 1, the folder's files untouched.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS, TESTDATA.
. "$(dirname "$0")/common.sh"
need_evsnn

# same REF DIR NAME: every file of REF but run.log and the checkpoint is in
# DIR with the same bytes, and DIR has no other file.
same() {
  local f ok=1
  for f in "$1"/*; do
    f=${f##*/}
    case $f in run.log | checkpoint.evsnn) continue ;; esac
    cmp -s "$1/$f" "$2/$f" || { say_fail "$3: $f differs from the uninterrupted run's"; ok=0; }
  done
  for f in "$2"/*; do
    f=${f##*/}
    case $f in run.log | checkpoint.evsnn) continue ;; esac
    [ -e "$1/$f" ] || { say_fail "$3: $f is not in the uninterrupted run"; ok=0; }
  done
  [ "$ok" -eq 1 ]
}

# case NAME UNTIL1 UNTIL2 RUN-ARGS...: the run of RUN-ARGS uninterrupted,
# and the same stopped at UNTIL1 (evsnn run --until), resumed to UNTIL2
# (evsnn resume --until), resumed to the end: the same files.
case_until() {
  local name=$1 u1=$2 u2=$3
  shift 3
  local ref="$tmp/$name.ref" d="$tmp/$name"
  expect_status 0 "$name: the uninterrupted run" "$EVSNN" run "$@" -q -o "$ref" || return
  expect_status 0 "$name: run --until $u1" "$EVSNN" run "$@" -q -o "$d" --until "$u1" || return
  grep -q "^stopped at t = .* s with a checkpoint: 'evsnn resume " "$tmp/stdout" ||
    say_fail "$name: run --until says '$(cat "$tmp/stdout")'"
  [ -s "$d/checkpoint.evsnn" ] || { say_fail "$name: no checkpoint"; return; }
  expect_status 0 "$name: resume --until $u2" "$EVSNN" resume "$d" -q --until "$u2" || return
  expect_status 0 "$name: resume" "$EVSNN" resume "$d" -q || return
  grep -q '^resumed: from the checkpoint at t = ' "$d/run.log" ||
    say_fail "$name: run.log does not say it was resumed"
  tail -n 1 "$d/run.log" | grep -q '^completed at t = ' ||
    say_fail "$name: run.log ends '$(tail -n 1 "$d/run.log")'"
  same "$ref" "$d" "$name"
}

# case_threads NAME UNTIL1 UNTIL2 "N1 N2 N3" RUN-ARGS...: the run of RUN-ARGS
# on N1 threads stopped at UNTIL1, resumed on N2 threads to UNTIL2, resumed
# on N3 threads to the end: the same files as the uninterrupted run on one
# thread (NAME.ref, made by case_until). The checkpoint holds one thread's
# layout, whatever the number of threads that wrote or reads it. (The
# stops come early: on a loaded machine a run on 2 threads of 2 cores
# spins at its barriers, and costs several times one thread's.)
case_threads() {
  local name=$1 u1=$2 u2=$3 n1 n2 n3
  read -r n1 n2 n3 <<<"$4"
  shift 4
  local ref="$tmp/$name.ref" d="$tmp/$name.thr$n1$n2$n3" what="$name: threads $n1, $n2, $n3"
  [ -d "$ref" ] || { say_fail "$what: no uninterrupted run"; return; }
  expect_status 0 "$what: run --threads $n1 --until $u1" "$EVSNN" run "$@" -q -o "$d" \
    --threads "$n1" --until "$u1" || return
  expect_status 0 "$what: resume --threads $n2 --until $u2" "$EVSNN" resume "$d" -q \
    --threads "$n2" --until "$u2" || return
  expect_status 0 "$what: resume --threads $n3" "$EVSNN" resume "$d" -q --threads "$n3" || return
  grep -q "^thread $((n3 - 1)) " "$d/run.log" || [ "$n3" -eq 1 ] ||
    say_fail "$what: run.log has no line of thread $((n3 - 1))"
  same "$ref" "$d" "$what"
}

# ---- CUBA: stopped twice, resumed twice --------------------------------------
cuba=("$MODELS/cuba.ini" --set simulation.duration=0.6s)
case_until cuba 0.2137s 0.45s "${cuba[@]}"
case_threads cuba 0.0737s 0.15s "1 2 1" "${cuba[@]}"
case_threads cuba 0.0737s 0.15s "2 3 3" "${cuba[@]}"

# ---- COBA + pair STDP: weights, traces, weight statistics and a matrix ------
case_until coba_stdp 0.2377s 0.61s "$MODELS/coba_stdp.ini" \
  --set simulation.duration=0.8001s --set EE.record_matrix=0.1s,0.8s \
  --set E.record_v=0-4 --set E.record_interval=1ms
coba=("$MODELS/coba_stdp.ini" --set simulation.duration=0.8001s
  --set EE.record_matrix=0.1s,0.8s --set E.record_v=0-4 --set E.record_interval=1ms)
case_threads coba_stdp 0.0777s 0.16s "1 2 1" "${coba[@]}"
case_threads coba_stdp 0.0777s 0.16s "2 3 3" "${coba[@]}"

# ---- current sources (a step and a noisy one into IF_curr_exp): each
# source's place and values, a noisy source's streams, the neurons' injected
# currents; on threads, resumed on another thread count -------------------
cat "$MODELS/cuba.ini" - >"$tmp/inputs.ini" <<'MODEL'
[input steps]
type = step
post = E
neurons = 0-99, 1590-1609, 3100-3199
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
MODEL
inputs=("$tmp/inputs.ini" --set simulation.duration=0.3s)
case_until inputs 0.1137s 0.2s "${inputs[@]}"
case_threads inputs 0.0737s 0.15s "2 3 3" "${inputs[@]}"

# ---- P5: orchestrated plasticity and its consolidation clock, inhibitory
# STDP, short-term plasticity, Poisson and array sources, a rate check -------
case_until p5 0.4123s 0.7s "$MODELS/p5_assemblies.ini" \
  --set simulation.duration=1s --set P.file="$TESTDATA/input.ras" \
  --set EE.record_matrix=0s,0.5s --set EE.cons_dt=0.05s \
  --set EE.record_weights=0.1s --set IE.record_weights=0.1s
p5=("$MODELS/p5_assemblies.ini" --set simulation.duration=1s
  --set P.file="$TESTDATA/input.ras" --set EE.record_matrix=0s,0.5s
  --set EE.cons_dt=0.05s --set EE.record_weights=0.1s --set IE.record_weights=0.1s)
case_threads p5 0.1123s 0.22s "1 2 1" "${p5[@]}"
case_threads p5 0.1123s 0.22s "2 3 3" "${p5[@]}"

# ---- the microcircuit at 2 %: IF_curr_exp_grid (its per-quantity arrays,
# refractory counts and background counts of a block mid-way), DC input ----
mc=("$MODELS/microcircuit.ini" --set network.scale=0.02
  --set network.k_scale=0.02 --set simulation.duration=0.3s)
case_until microcircuit 0.1013s 0.2s "${mc[@]}"
case_threads microcircuit 0.0713s 0.15s "1 2 1" "${mc[@]}"

# ---- S4 reduced: SuperSpike (traces, RMS normaliser, trials, scores) -------
t="$tmp/s4_target.ras"
expect_status 0 "S4: the picture" "$EVSNN" picture "$TESTDATA/s4_x.pbm" "$t" &&
  case_until s4 3.3217s 6.1s "$MODELS/s4_picture.ini" --set superspike.target="$t" \
    --set out.size=10 --set hidden.size=32 --set in.size=100 \
    --set in.file="$MODELS/s1_input.ras" --set in.period=0.5s \
    --set superspike.trial=0.5s --set simulation.duration=8s \
    --set superspike.burn_in=1s --set superspike.r0_decay_time=5s \
    --set superspike.record_trials=3,9,14
# (on 1 and 3 threads only: SuperSpike runs its populations whole, and on
# a loaded machine a small model's many short windows on 2 threads cost
# minutes of spinning at the barrier)
[ -e "$t" ] && for n in "1 3 1"; do
  case_threads s4 3.3217s 6.1s "$n" "$MODELS/s4_picture.ini" --set superspike.target="$t" \
    --set out.size=10 --set hidden.size=32 --set in.size=100 \
    --set in.file="$MODELS/s1_input.ras" --set in.period=0.5s \
    --set superspike.trial=0.5s --set simulation.duration=8s \
    --set superspike.burn_in=1s --set superspike.r0_decay_time=5s \
    --set superspike.record_trials=3,9,14
done

# ---- CUBA: a periodic checkpoint, then SIGKILL -------------------------------
# The run is killed once its first checkpoint exists: its files are
# NAME.part, longer than at the checkpoint. Resumed to T2, they are the
# files of a run stopped at T2 (--until T2). It is stopped (SIGSTOP) before
# run.log.part is read: the last checkpoint line there is written before
# the checkpoint file takes its name, so the file is never newer than the
# line, and T2 = its time + 0.1 s lies after the file's.
k="$tmp/kill"
"$EVSNN" run "$MODELS/cuba.ini" -q -o "$k" --set simulation.duration=1000s \
  --checkpoint-every 0.05s >/dev/null 2>&1 &
pid=$!
for _ in $(seq 1200); do
  [ -e "$k/checkpoint.evsnn" ] && break
  sleep 0.05
done
kill -STOP "$pid" 2>/dev/null
t=$(grep '^checkpoint: ' "$k/run.log.part" 2>/dev/null | tail -n 1 |
  sed 's/^checkpoint: t = \([0-9.e+-]*\) s: .*/\1/')
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -z "$t" ]; then
  say_fail "SIGKILL: no checkpoint in run.log.part after 60 s"
else
  t2=$(awk -v t="$t" 'BEGIN { printf "%.4f", t + 0.1 }')
  if expect_status 0 "SIGKILL: resume --until $t2" "$EVSNN" resume "$k" -q --until "${t2}s" &&
    expect_status 0 "SIGKILL: run --until $t2" "$EVSNN" run "$MODELS/cuba.ini" -q \
      -o "$tmp/kill.ref" --set simulation.duration=1000s --until "${t2}s"; then
    ls "$k" | grep -q '\.part$' && say_fail "SIGKILL: part files left: $(ls "$k")"
    same "$tmp/kill.ref" "$k" "SIGKILL at $t s, resumed to $t2 s"
  fi
fi

# ---- CUBA: SIGINT writes a checkpoint; resumed, the run's files ---------------
# sigint_case NAME N M: CUBA on N threads, stopped by SIGINT once it has
# written progress, says how to resume (run.log, stderr) and, resumed on M
# threads, ends with the uninterrupted run's files.
sigint_case() {
  local name=$1 i="$tmp/int$2" got
  "$EVSNN" run "${cuba[@]}" -q -o "$i" --threads "$2" --progress-interval 0.01s \
    >/dev/null 2>"$i.err" &
  pid=$!
  for _ in $(seq 1200); do
    grep -q '^progress: ' "$i/run.log.part" 2>/dev/null && break
    sleep 0.05
  done
  kill -INT "$pid" 2>/dev/null
  wait "$pid"
  got=$?
  if [ "$got" -eq 0 ]; then
    echo "$name: the run ended before the signal; not checked"
  elif [ "$got" -ne 130 ]; then
    say_fail "$name: exit status $got, expected 130"
  else
    tail -n 2 "$i/run.log" | head -n 1 | grep -q 'the checkpoint at t = .* resumes the run' ||
      say_fail "$name: run.log does not say how to resume: $(tail -n 2 "$i/run.log")"
    grep -q "'evsnn resume .*' continues the run" "$i.err" ||
      say_fail "$name: stderr says '$(cat "$i.err")'"
    expect_status 0 "$name: resume on $3" "$EVSNN" resume "$i" -q --threads "$3" &&
      same "$tmp/cuba.ref" "$i" "$name, resumed on $3"
  fi
}
sigint_case SIGINT 1 1
sigint_case "SIGINT on 2 threads" 2 3

# ---- refused: corrupt, truncated, foreign, outdated -------------------------
d="$tmp/cuba"
ck="$d/checkpoint.evsnn"
size=$(wc -c <"$ck")
cp "$ck" "$tmp/good"
# refused DIR WHAT PATTERN: evsnn resume DIR exits 1 saying PATTERN, and
# leaves DIR's files as they were.
refused() {
  (cd "$1" && ls -l --time-style=+%s . | sed 1d | sort) >"$tmp/before"
  if expect_status 1 "$2" "$EVSNN" resume "$1" -q; then
    grep -q "$3" "$tmp/stderr" || say_fail "$2: stderr says '$(head -c 300 "$tmp/stderr")'"
  fi
  (cd "$1" && ls -l --time-style=+%s . | sed 1d | sort) >"$tmp/after"
  cmp -s "$tmp/before" "$tmp/after" || say_fail "$2: the folder changed: $(diff "$tmp/before" "$tmp/after")"
}
printf '\377' | dd of="$ck" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
refused "$d" "a corrupt checkpoint" "corrupt checkpoint (CRC-32"
head -c $((size - 100)) "$tmp/good" >"$ck"
refused "$d" "a truncated checkpoint" "a truncated checkpoint"
head -c 7 "$tmp/good" >"$ck"
refused "$d" "a checkpoint of 7 bytes" "not an evsnn checkpoint"
cp "$MODELS/cuba.ini" "$ck"
refused "$d" "a foreign file" "not an evsnn checkpoint"
rm -f "$ck"
refused "$d" "no checkpoint" "checkpoint.evsnn: No such file"
# an output file cut shorter than at the checkpoint
cp "$tmp/good" "$ck"
cp "$d/I.ras" "$tmp/I.ras"
head -c 100 "$tmp/I.ras" >"$d/I.ras"
refused "$d" "a short output file" "I.ras: 100 bytes, shorter than"
cp "$tmp/I.ras" "$d/I.ras"
# the model file changed since the checkpoint
m="$tmp/model.ini"
cp "$MODELS/cuba.ini" "$m"
expect_status 0 "a copied model: run --until" "$EVSNN" run "$m" -q -o "$tmp/changed" \
  --set simulation.duration=0.3s --until 0.1s
echo "; changed" >>"$m"
refused "$tmp/changed" "a changed model" "the model file changed"

# ---- usage -------------------------------------------------------------------
expect_status 2 "resume without a folder" "$EVSNN" resume
for bad in 0 -1s abc; do
  expect_status 2 "--until $bad" "$EVSNN" run "${cuba[@]}" -o "$tmp/u" --until "$bad"
  expect_status 2 "--checkpoint-every $bad" "$EVSNN" run "${cuba[@]}" -o "$tmp/u" --checkpoint-every "$bad"
done
expect_status 1 "resume --threads 0" "$EVSNN" resume "$tmp/cuba" --threads 0

finish
