#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The long-run soak (issue 15, item 6; not in make check): a long P4 fast
# run and a long S1 run, watched for memory growth, then shorter runs of
# both under valgrind's memcheck, watched for errors and leaks.
#
#   bench/soak.sh [OUTDIR]     (default: soak-out)
#
# Environment: EVSNN (default ./evsnn), MODELS (default models),
# P4_SECONDS (simulated, default 3600), S1_TRIALS (default 2000, 0.5 s
# each), VG_P4_SECONDS (default 20), VG_S1_TRIALS (default 100),
# SAMPLE (seconds between RSS samples, default 5); a count of 0 skips
# that run. P4_SET: more options for the P4 run, e.g. '--set
# EE.tau_hom=0.25s' (p4_fast.ini at its own tau_hom runs away after a few
# hundred seconds: its rate check then ends the run early).
# For each long run, OUTDIR/NAME.rss.tsv holds "wall_s rss_kib" samples of
# the process (VmRSS), and the summary line gives the resident memory at a
# quarter, half and the end of the run and its growth from the quarter to
# the end. A run with no leak grows by nothing but stdio buffers and the
# event queue's high-water mark, which are reached early.
set -u
out=${1:-soak-out}
EVSNN=${EVSNN:-./evsnn}
MODELS=${MODELS:-models}
P4_SECONDS=${P4_SECONDS:-3600}
S1_TRIALS=${S1_TRIALS:-2000}
VG_P4_SECONDS=${VG_P4_SECONDS:-20}
VG_S1_TRIALS=${VG_S1_TRIALS:-100}
SAMPLE=${SAMPLE:-5}
mkdir -p "$out" || exit 1
status=0

# watch NAME CMD...: runs CMD, sampling its VmRSS every $SAMPLE s into
# $out/NAME.rss.tsv; prints the summary line.
watch() {
  name=$1
  shift
  local t0 pid rss
  t0=$(date +%s)
  "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" &
  pid=$!
  printf 'wall_s\trss_kib\n' >"$out/$name.rss.tsv"
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    [ -n "$rss" ] && printf '%s\t%s\n' $(($(date +%s) - t0)) "$rss" \
      >>"$out/$name.rss.tsv"
    sleep "$SAMPLE"
  done
  wait "$pid"
  local rc=$?
  awk -F '\t' -v name="$name" -v rc="$rc" -v wall=$(($(date +%s) - t0)) '
    NR > 1 { t[++n] = $1; r[n] = $2 }
    END {
      if (n < 4) { printf "%s: status %d, %d s, too short to sample\n", name, rc, wall; exit }
      q = r[int(n / 4) + 1]; h = r[int(n / 2) + 1]; e = r[n]; peak = 0
      for (i = 1; i <= n; i++) if (r[i] > peak) peak = r[i]
      printf "%s: status %d, %d s wall, %d samples; RSS %d KiB at 1/4, %d at 1/2, %d at the end (peak %d): growth %+d KiB (%+.2f %%) from 1/4 to the end\n",
             name, rc, wall, n, q, h, e, peak, e - q, 100 * (e - q) / q }' \
    "$out/$name.rss.tsv"
  [ "$rc" -eq 0 ] || status=1
}

# memcheck NAME CMD...: runs CMD under valgrind's memcheck; prints its
# error summary and leak lines.
memcheck() {
  name=$1
  shift
  # a libtool wrapper script (the build folder's ./evsnn) runs the program
  # itself under valgrind through libtool --mode=execute
  local lt=()
  if [ -x "$(dirname "$1")/libtool" ] && grep -q libtool "$1" 2>/dev/null; then
    lt=("$(dirname "$1")/libtool" --mode=execute)
  fi
  "${lt[@]}" valgrind --error-exitcode=86 --leak-check=full \
    --show-leak-kinds=all --log-file="$out/$name.valgrind" "$@" \
    >"$out/$name.stdout" 2>"$out/$name.stderr"
  local rc=$?
  printf '%s: status %d; %s; %s\n' "$name" "$rc" \
    "$(grep -o 'ERROR SUMMARY: [0-9,]* errors' "$out/$name.valgrind" | head -n 1)" \
    "$(grep -E 'in use at exit|definitely lost' "$out/$name.valgrind" |
       sed 's/^==[0-9]*== *//' | tr '\n' ';')"
  [ "$rc" -eq 0 ] || status=1
}

s1_seconds=$(awk -v n="$S1_TRIALS" 'BEGIN { print n * 0.5 }')
vg_s1_seconds=$(awk -v n="$VG_S1_TRIALS" 'BEGIN { print n * 0.5 }')
echo "# $(date -u '+%F %T') UTC, $(nproc) cores, load $(cut -d ' ' -f 1-3 /proc/loadavg)"
# a count of 0 skips that run
if [ "$P4_SECONDS" != 0 ]; then
  watch p4 "$EVSNN" run "$MODELS/p4_fast.ini" -q -o "$out/p4" \
    --set "simulation.duration=${P4_SECONDS}s" ${P4_SET:-}
  tail -n 1 "$out/p4/run.log" 2>/dev/null | sed 's/^/  p4 run.log: /'
fi
if [ "$S1_TRIALS" != 0 ]; then
  watch s1 "$EVSNN" run "$MODELS/s1_single.ini" -q -o "$out/s1" \
    --set "simulation.duration=${s1_seconds}s"
  tail -n 1 "$out/s1/run.log" 2>/dev/null | sed 's/^/  s1 run.log: /'
fi
if [ "$VG_P4_SECONDS" != 0 ]; then
  memcheck p4_memcheck "$EVSNN" run "$MODELS/p4_fast.ini" -q \
    -o "$out/p4_memcheck" --set "simulation.duration=${VG_P4_SECONDS}s"
fi
if [ "$VG_S1_TRIALS" != 0 ]; then
  memcheck s1_memcheck "$EVSNN" run "$MODELS/s1_single.ini" -q \
    -o "$out/s1_memcheck" --set "simulation.duration=${vg_s1_seconds}s"
fi
echo "# $(date -u '+%F %T') UTC, load $(cut -d ' ' -f 1-3 /proc/loadavg)"
exit $status
