#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# Clean interruption (issue 15, item 2): SIGINT or SIGTERM during evsnn run
# stops it before its next event, writes a checkpoint at the stop time T
# and completes every output up to T (whole lines, summary.tsv over [0, T),
# run.log ending with how to resume and "stopped at t = T s: interrupted
# (SIGINT)"), exit status 130 or 143; the spikes and probes are those of
# the same run without interruption, cut at T (tests/checkpoint.sh resumes
# such a run). A second signal ends the program at once, leaving its
# NAME.part files. A batch run (standard error not a terminal) writes
# progress lines into run.log (--progress-interval).
#
# Robust under load: the uninterrupted run is compared as a prefix (its
# files start with the interrupted run's bytes and go on with lines at or
# after T), not cut at the T printed in run.log: that T has 9 significant
# digits, a raster time 9 decimals, so from T = 1 s on a spike within
# 5e-9 T of the stop fell on the wrong side of a cut at the printed T.
# Environment (Makefile.am AM_TESTS_ENVIRONMENT): EVSNN, MODELS.
. "$(dirname "$0")/common.sh"
need_evsnn
model="$MODELS/cuba.ini"
long=simulation.duration=1000s

# start DIR: starts a long CUBA run into DIR in the background ($pid) and
# returns once its run.log.part has two progress lines (standard error is
# not a terminal: a line every --progress-interval of wall time).
start() {
  "$EVSNN" run "$model" -o "$1" -q --set "$long" --progress-interval 0.3s \
    >"$tmp/stdout" 2>"$tmp/stderr" &
  pid=$!
  for _ in $(seq 600); do
    [ "$(cat "$1/run.log.part" 2>/dev/null | grep -c '^progress: ')" -ge 2 ] &&
      break
    sleep 0.1
  done
}

# finish_within PID: waits up to 60 s for PID; its status in $got (the
# program is killed and 999 given when it does not end).
finish_within() {
  for _ in $(seq 600); do
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

# ---- SIGINT: complete files up to T, the uninterrupted run's spikes ---------
o="$tmp/int"
start "$o"
kill -INT "$pid"
finish_within "$pid"
[ "$got" -eq 130 ] || say_fail "SIGINT: exit status $got, expected 130"
last=$(tail -n 1 "$o/run.log" 2>/dev/null)
T=$(printf '%s\n' "$last" |
  sed -n 's/^stopped at t = \([0-9.e+-]*\) s: interrupted (SIGINT)$/\1/p')
if [ -z "$T" ]; then
  say_fail "SIGINT: run.log's last line is '$last'"
  finish
fi
ls "$o" | grep -q '\.part$' && say_fail "SIGINT: part files left: $(ls "$o")"
# the checkpoint at T, and run.log's line before the last says how to resume
[ -s "$o/checkpoint.evsnn" ] || say_fail "SIGINT: no checkpoint.evsnn"
tail -n 2 "$o/run.log" | head -n 1 |
  grep -q "^interrupted by SIGINT; the checkpoint at t = $T s resumes the run (evsnn resume)$" ||
  say_fail "SIGINT: run.log's line before the last is '$(tail -n 2 "$o/run.log" | head -n 1)'"
# the progress lines: simulated times rising, before T, of 1000 s
awk -v T="$T" '/^progress: / { n++
    if ($4 + 0 <= last || $4 + 0 > T + 0 || $7 != 1000) bad = 1; last = $4 + 0 }
  END { exit !(n >= 2 && !bad) }' "$o/run.log" ||
  say_fail "SIGINT: run.log's progress lines: $(grep '^progress' "$o/run.log" | head -n 3)"
for f in E.ras I.ras v_E.tsv summary.tsv run.log; do
  [ -s "$o/$f" ] || say_fail "SIGINT: no $f"
  [ "$(tail -c 1 "$o/$f" | od -An -c | tr -d ' ')" = '\n' ] ||
    say_fail "SIGINT: $f does not end with a whole line"
done
awk '!/^#/ && (NF != 2 || $1 + 0 >= T + 0)' T="$T" "$o/E.ras" "$o/I.ras" |
  head -n 1 | grep -q . && say_fail "SIGINT: a raster line that is not 'time id' before T = $T"
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
    "$o/summary.tsv" || say_fail "SIGINT: summary.tsv disagrees with $pop.ras"
done
# the same run, uninterrupted a little past T: its files start with the
# interrupted run's bytes, and what follows starts at T (within the
# printed T's rounding)
ref="$tmp/ref"
d=$(awk -v T="$T" 'BEGIN { printf "%.4f", T + 0.05 }')
if expect_status 0 "uninterrupted run to $d s" "$EVSNN" run "$model" -o "$ref" \
     -q --set "simulation.duration=${d}s"; then
  for f in E.ras I.ras v_E.tsv; do
    n=$(wc -c <"$o/$f")
    head -c "$n" "$ref/$f" | cmp -s - "$o/$f" ||
      say_fail "SIGINT at $T s: $f is not the start of the uninterrupted run's"
    tail -c +"$((n + 1))" "$ref/$f" | head -n 1 |
      awk -v T="$T" '$1 + 0 < T - 1e-8 * T { exit 1 }' ||
      say_fail "SIGINT at $T s: $f lacks a line before T: $(tail -c +"$((n + 1))" "$ref/$f" | head -n 1)"
  done
fi

# ---- SIGTERM: 143, the same ending -------------------------------------------
o="$tmp/term"
start "$o"
kill -TERM "$pid"
finish_within "$pid"
[ "$got" -eq 143 ] || say_fail "SIGTERM: exit status $got, expected 143"
tail -n 1 "$o/run.log" 2>/dev/null |
  grep -q '^stopped at t = .* s: interrupted (SIGTERM)$' ||
  say_fail "SIGTERM: run.log's last line is '$(tail -n 1 "$o/run.log" 2>&1)'"
grep -q 'interrupted (SIGTERM)' "$tmp/stderr" ||
  say_fail "SIGTERM: stderr says '$(head -c 200 "$tmp/stderr")'"

# ---- --progress-interval: a time > 0 ----------------------------------------
for bad in 0 -1s abc; do
  expect_status 2 "--progress-interval $bad" "$EVSNN" run "$model" -o "$tmp/pi" \
    --progress-interval "$bad" &&
    { grep -q -- "--progress-interval needs a time > 0" "$tmp/stderr" ||
        say_fail "--progress-interval $bad: stderr says '$(head -c 200 "$tmp/stderr")'"; }
done

# ---- a second signal ends the program at once -------------------------------
# Both arrive together (stopped, then continued): the first asks for a clean
# stop, the second kills before the run can end it.
o="$tmp/twice"
start "$o"
kill -STOP "$pid"
kill -INT "$pid"
kill -TERM "$pid"
kill -CONT "$pid"
finish_within "$pid"
[ "$got" -eq 143 ] || [ "$got" -eq 130 ] ||
  say_fail "two signals: exit status $got, expected death by signal"
[ -e "$o/run.log" ] && say_fail "two signals: a final run.log: $(tail -n 1 "$o/run.log")"
[ -e "$o/run.log.part" ] || say_fail "two signals: no run.log.part left"
finish
