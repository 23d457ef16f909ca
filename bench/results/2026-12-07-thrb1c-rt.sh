#!/bin/sh
# 2026-12-07-thrb1c: one run with both cores to it (SCHED_FIFO, as root).
#   sh 2026-12-07-thrb1c-rt.sh DIR MODEL N DUR THREADS OUT [TRACE]
# DIR: a build (DIR/evsnn), MODEL a file of DIR/models sized to N neurons as
# bench/threads.sh sizes it, DUR simulated, OUT the output folder, TRACE the
# per-window trace file of a build with 2026-12-07-thrb1c-trace.patch. A
# one-thread run is pinned to core 0 while an RT spinner holds core 1.
d=$1; model=$2; n=$3; dur=$4; th=$5; out=$6; tr=$7
ne=$((n * 4 / 5)); p=$(awk -v n="$n" 'BEGIN { printf "%.10g", 80 / n }')
spin=${TMPDIR:-/tmp}/evsnn-spin
[ -x "$spin" ] || printf '%s\n' '#include <stdlib.h>' '#include <time.h>' \
  'int main(int c, char **v) { double s = atof(v[1]); struct timespec a, b;' \
  '  clock_gettime(CLOCK_MONOTONIC, &a);' \
  '  for (;;) { for (volatile int i = 0; i < 1000000; i++); clock_gettime(CLOCK_MONOTONIC, &b);' \
  '    if (b.tv_sec - a.tv_sec + 1e-9 * (b.tv_nsec - a.tv_nsec) > s) return 0; } }' |
  gcc -O1 -x c -o "$spin" -
rm -rf "$out"
set -- "$d/evsnn" run "$d/models/$model" -q -o "$out" --threads "$th" \
  --set simulation.duration="$dur" --set E.size=$ne --set I.size=$((n - ne)) \
  --set EE.p=$p --set EI.p=$p --set IE.p=$p --set II.p=$p
if [ "$th" = 1 ]; then
  chrt -f 10 taskset -c 1 "$spin" 30 &
  sp=$!
  sleep 0.2
  EVS_TRACE=$tr chrt -f 10 taskset -c 0 "$@"
  kill $sp
else
  EVS_TRACE=$tr chrt -f 10 "$@"
fi
echo "$model n=$n dur=$dur threads=$th wall_run=$(sed -n 's/^stat wall_run //p' "$out/run.log") load=$(cut -d' ' -f1 /proc/loadavg)"
grep '^thread' "$out/run.log" | sed 's/.*syn_events/syn_events/'
