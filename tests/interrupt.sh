#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Clean interruption (issue 15, item 2): SIGINT or SIGTERM during evsnn run
# stops it before its next event (on several threads: at the end of the
# current window), writes a checkpoint at the stop time T and completes
# every output up to T (whole lines, headers, summary.tsv over [0, T),
# run.log ending with how to resume and "stopped at t = T s: interrupted
# (SIGINT)"), exit status 130 or 143; the spikes and probes are those of
# the same run without interruption, cut at T (tests/checkpoint.sh resumes
# such a run). A second signal ends the program at once and removes its
# part files, unless a checkpoint in the folder needs them (then they stay
# and evsnn resume goes on). A batch run (standard error not a terminal)
# writes progress lines into run.log (--progress-interval).
#
# Robust under load by design: nothing waits a guessed time. The signal is
# sent once run.log.part shows the run going (two progress lines), a
# stopped process is seen stopped (/proc/PID/stat) before it is signalled,
# and an end is waited for (with a long guard against a hang only). Times
# printed with fewer digits than they have are compared with the rounding
# of their format: run.log's T is %.9g (half a unit of the 9th significant
# digit <= 5e-9 T), a raster time %.9f (5e-10 s), a progress time %.3f
# (5e-4 s). The uninterrupted run is compared as a prefix: its files start
# with the interrupted run's bytes and go on with lines at or after T.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS.
. "$(dirname "$0")/common.sh"
need_evsnn
model="$MODELS/cuba.ini"
long=simulation.duration=1000s
guard=600 # tenths of a second: how long a hang may last before it fails

# start DIR [OPTION]...: starts a long CUBA run into DIR in the background
# ($pid) and returns 0 once its run.log.part has two progress lines
# (standard error is not a terminal: a line every --progress-interval of
# wall time), 1 when the run ended or the guard ran out first.
start() {
  local dir=$1
  shift
  "$EVSNN" run "$model" -o "$dir" -q --set "$long" --progress-interval 0.3s \
    "$@" >"$dir.stdout" 2>"$dir.stderr" &
  pid=$!
  local n
  for _ in $(seq "$guard"); do
    n=$(grep -c '^progress: ' "$dir/run.log.part" 2>/dev/null)
    [ "${n:-0}" -ge 2 ] && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  say_fail "$dir: the run did not show two progress lines: $(head -c 300 "$dir.stderr")"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid"
  return 1
}

# finish_within PID: waits for PID (up to the guard); its status in $got
# (the program is killed and 999 given when it does not end).
finish_within() {
  for _ in $(seq "$guard"); do
    kill -0 "$1" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$1" 2>/dev/null; then
    kill -KILL "$1"
    wait "$1"
    got=999
  else
    wait "$1"
    got=$?
  fi
}

# stopped PID: returns once PID is stopped (state T in /proc/PID/stat).
stopped() {
  for _ in $(seq "$guard"); do
    [ "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 1)" = T ] &&
      return 0
    sleep 0.1
  done
  say_fail "process $1 was not seen stopped"
}

# check_stopped WHAT DIR SIGNAL: the files of a run stopped by
# SIGNAL: run.log's last line (T into $T), no part file, whole lines, the
# progress lines, rasters before T, summary.tsv agreeing with the rasters;
# then the same run uninterrupted a little past T starts
# with the stopped run's bytes and goes on at T.
check_stopped() {
  local what=$1 o=$2 sig=$3 last n
  last=$(tail -n 1 "$o/run.log" 2>/dev/null)
  T=$(printf '%s\n' "$last" |
    sed -n "s/^stopped at t = \([0-9.e+-]*\) s: interrupted ($sig)\$/\1/p")
  if [ -z "$T" ]; then
    say_fail "$what: run.log's last line is '$last'"
    return 1
  fi
  ls "$o" | grep -q '\.part$' && say_fail "$what: part files left: $(ls "$o")"
  # the progress lines: simulated times rising, before T (within %.3f's
  # rounding), of 1000 s
  awk -v T="$T" '/^progress: / { n++
      if ($4 + 0 < last || $4 + 0 > T + 5e-4 || $7 != 1000) bad = 1; last = $4 + 0 }
    END { exit !(n >= 2 && !bad) }' "$o/run.log" ||
    say_fail "$what: run.log's progress lines: $(grep '^progress' "$o/run.log" | head -n 3)"
  for f in E.ras I.ras v_E.tsv summary.tsv run.log; do
    [ -s "$o/$f" ] || say_fail "$what: no $f"
    [ "$(tail -c 1 "$o/$f" | od -An -c | tr -d ' ')" = '\n' ] ||
      say_fail "$what: $f does not end with a whole line"
  done
  for f in E.ras I.ras; do
    head -n 1 "$o/$f" | grep -q '^# ' || say_fail "$what: $f has no header"
  done
  head -n 1 "$o/v_E.tsv" | grep -q '^time	' || say_fail "$what: v_E.tsv has no header"
  # a spike before T is printed before T + 1e-8 T + 1e-9 s (both roundings)
  awk '!/^#/ && (NF != 2 || $1 + 0 >= T + 1e-8 * T + 1e-9)' T="$T" \
    "$o/E.ras" "$o/I.ras" | head -n 1 | grep -q . &&
    say_fail "$what: a raster line that is not 'time id' before T = $T: $(awk '!/^#/ && (NF != 2 || $1 + 0 >= T + 1e-8 * T + 1e-9)' T="$T" "$o/E.ras" "$o/I.ras" | head -n 1)"
  # summary.tsv: the rasters' spikes, rates over [0, T)
  for pop in E I; do
    n=$(grep -vc '^#' "$o/$pop.ras")
    awk -F '\t' -v pop=$pop -v n="$n" -v T="$T" '
      $1 == pop { found = 1
        r = n / $2 / T
        if ($3 != n || ($4 - r) ^ 2 > (1e-5 * r) ^ 2) {
          printf "summary.tsv %s: %s spikes, %s Hz; the raster: %d, %.6g Hz\n",
                 pop, $3, $4, n, r; exit 1 } }
      END { if (!found) { print "summary.tsv: no row " pop; exit 1 } }' \
      "$o/summary.tsv" || say_fail "$what: summary.tsv disagrees with $pop.ras"
  done
  # the same run, uninterrupted a little past T: its files start with the
  # interrupted run's bytes, and what follows starts at T (within the
  # printed T's rounding)
  local ref="$o.ref" d
  d=$(awk -v T="$T" 'BEGIN { printf "%.4f", T + 0.05 }')
  if expect_status 0 "$what: uninterrupted run to $d s" "$EVSNN" run "$model" \
    -o "$ref" -q --set "simulation.duration=${d}s"; then
    for f in E.ras I.ras v_E.tsv; do
      n=$(wc -c <"$o/$f")
      head -c "$n" "$ref/$f" | cmp -s - "$o/$f" ||
        say_fail "$what at $T s: $f is not the start of the uninterrupted run's"
      tail -c +"$((n + 1))" "$ref/$f" | head -n 1 |
        awk -v T="$T" '$1 + 0 < T - 1e-8 * T - 1e-9 { exit 1 }' ||
        say_fail "$what at $T s: $f lacks a line before T: $(tail -c +"$((n + 1))" "$ref/$f" | head -n 1)"
    done
  fi
  echo "$what: stopped at T = $T s; $(grep -c '^progress: ' "$o/run.log") progress lines, $(grep -vc '^#' "$o/E.ras") E spikes, checked"
}

# ---- SIGINT: complete files up to T, the uninterrupted run's spikes ---------
o="$tmp/int"
if start "$o"; then
  kill -INT "$pid"
  finish_within "$pid"
  [ "$got" -eq 130 ] || say_fail "SIGINT: exit status $got, expected 130"
  if check_stopped SIGINT "$o" SIGINT; then
    # the checkpoint at T, and run.log's line before the last says how to
    # resume
    [ -s "$o/checkpoint.evsnn" ] || say_fail "SIGINT: no checkpoint.evsnn"
    tail -n 2 "$o/run.log" | head -n 1 |
      grep -q "^interrupted by SIGINT; the checkpoint at t = $T s resumes the run (evsnn resume)$" ||
      say_fail "SIGINT: run.log's line before the last is '$(tail -n 2 "$o/run.log" | head -n 1)'"
    grep -q "stopped at t = $T s: interrupted (SIGINT)" "$o.stderr" ||
      say_fail "SIGINT: stderr says '$(head -c 300 "$o.stderr")'"
  fi
fi

# ---- SIGINT on 2 and 3 threads: the current window finished ---------------
# The same checks, the comparison with the uninterrupted one-thread run
# included. Which barrier of the threads the signal's flag finds depends on
# timing; tests/check_interrupt.c raises it at every barrier in turn.
for th in 2 3; do
  o="$tmp/int$th"
  if start "$o" --threads "$th"; then
    kill -INT "$pid"
    finish_within "$pid"
    [ "$got" -eq 130 ] || say_fail "SIGINT, $th threads: exit status $got, expected 130"
    check_stopped "SIGINT, $th threads" "$o" SIGINT
  fi
done

# ---- SIGTERM: 143, the same ending -------------------------------------------
o="$tmp/term"
if start "$o"; then
  kill -TERM "$pid"
  finish_within "$pid"
  [ "$got" -eq 143 ] || say_fail "SIGTERM: exit status $got, expected 143"
  tail -n 1 "$o/run.log" 2>/dev/null |
    grep -q '^stopped at t = .* s: interrupted (SIGTERM)$' ||
    say_fail "SIGTERM: run.log's last line is '$(tail -n 1 "$o/run.log" 2>&1)'"
  grep -q 'interrupted (SIGTERM)' "$o.stderr" ||
    say_fail "SIGTERM: stderr says '$(head -c 200 "$o.stderr")'"
fi

# ---- --progress-interval: a time > 0 ----------------------------------------
for bad in 0 -1s abc; do
  expect_status 2 "--progress-interval $bad" "$EVSNN" run "$model" -o "$tmp/pi" \
    --progress-interval "$bad" &&
    { grep -q -- "--progress-interval needs a time > 0" "$tmp/stderr" ||
        say_fail "--progress-interval $bad: stderr says '$(head -c 200 "$tmp/stderr")'"; }
done

# ---- a second signal ends the program at once, removing its parts -----------
# Both arrive together (stopped, then continued): the first asks for a clean
# stop, the second kills before the run can end it.
o="$tmp/twice"
if start "$o"; then
  kill -STOP "$pid"
  stopped "$pid"
  kill -INT "$pid"
  kill -TERM "$pid"
  kill -CONT "$pid"
  finish_within "$pid"
  [ "$got" -eq 143 ] || [ "$got" -eq 130 ] ||
    say_fail "two signals: exit status $got, expected death by signal"
  [ -z "$(ls -A "$o")" ] ||
    say_fail "two signals: files left in the folder: $(ls -A "$o" | tr '\n' ' ')"
  echo "two signals: status $got, $(ls -A "$o" | wc -l) files left"
fi

# ---- ... but not those a checkpoint needs: then the run resumes -------------
o="$tmp/twice_ckpt"
if start "$o" --checkpoint-every 0.2s; then
  # the file itself (run.log names a checkpoint just before it is renamed)
  for _ in $(seq "$guard"); do
    [ -e "$o/checkpoint.evsnn" ] && break
    sleep 0.1
  done
  kill -STOP "$pid"
  stopped "$pid"
  kill -INT "$pid"
  kill -TERM "$pid"
  kill -CONT "$pid"
  finish_within "$pid"
  died=$got
  [ "$got" -eq 143 ] || [ "$got" -eq 130 ] ||
    say_fail "two signals, checkpoint: exit status $got, expected death by signal"
  for f in E.ras.part I.ras.part v_E.tsv.part run.log.part checkpoint.evsnn; do
    [ -e "$o/$f" ] || say_fail "two signals, checkpoint: no $f left: $(ls -A "$o" | tr '\n' ' ')"
  done
  [ -e "$o/checkpoint.evsnn.tmp" ] && say_fail "two signals, checkpoint: checkpoint.evsnn.tmp left"
  # run.log.part names the checkpoint's time (its last such line: the
  # checkpoint there, or a newer one whose renaming the signal stopped)
  tc=$(sed -n 's/^checkpoint: t = \([0-9.e+-]*\) s: .*/\1/p' "$o/run.log.part" | tail -n 1)
  if [ -n "$tc" ]; then
    u=$(awk -v t="$tc" 'BEGIN { printf "%.4f", t + 0.02 }')
    expect_status 0 "two signals, checkpoint: resume --until $u" \
      "$EVSNN" resume "$o" -q --until "${u}s" &&
      { ls "$o" | grep -q '\.part$' &&
          say_fail "two signals, checkpoint: part files after the resume: $(ls "$o")"
        [ -s "$o/E.ras" ] || say_fail "two signals, checkpoint: no E.ras after the resume"; }
  else
    say_fail "two signals, checkpoint: run.log.part names no checkpoint"
  fi
  echo "two signals with a checkpoint at t <= ${tc:-?} s: status $died, parts kept, resumed to ${u:-?} s"
fi
finish
