#!/bin/sh
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# P5 at the published size (models/p5_published.ini, doc/p5.md):
#  - the model checks and, with a small stimulus file, builds and runs
#    0.2 s: the synapse count lies within 5 sd of its binomial mean
#    sum n_pairs p (no autapses on E->E and I->I) plus the 4,096 one_to_one
#    stimulus synapses, and the run completes;
#  - models/p5/make_inputs.py's analysis (--layout published) on a made-up
#    run whose answers are known by construction: the mean E->E weights
#    within, between and outside the assemblies of two snapshots, and the
#    rates of the cued half, the uncued half, the other assemblies and the
#    rest before, during and after the cue of A0 (p5_delay.tsv).
# Skipped (77) without python3. A few seconds.
. "$(dirname "$0")/common.sh"
need_evsnn
command -v python3 >/dev/null 2>&1 || { echo "SKIP: no python3"; exit 77; }

M="$MODELS/p5_published.ini"
expect_status 0 "check p5_published" "$EVSNN" check "$M" \
  --set P.file="$TESTDATA/input.ras"

if expect_status 0 "run p5_published 0.2 s" "$EVSNN" run "$M" -q -o "$tmp/p" \
    --set P.file="$TESTDATA/input.ras" --set simulation.duration=0.2s \
    --set EE.record_matrix=0s --set IE.record_matrix=0s; then
  l=$(tail -n 1 "$tmp/p/run.log")
  [ "$l" = "completed at t = 0.2 s" ] || say_fail "run.log ends '$l'"
  n=$(awk '$2 == "synapses" { print $3 }' "$tmp/p/run.log")
  awk -v n="$n" 'BEGIN {
      ne = 4096; ni = 1024; nx = 4096
      m = nx * ne * 0.05 + (ne * (ne - 1) + ne * ni + ni * ne + ni * (ni - 1)) * 0.1
      v = nx * ne * 0.05 * 0.95 + (ne * (ne - 1) + ne * ni + ni * ne + ni * (ni - 1)) * 0.09
      m += ne; sd = sqrt(v)
      printf "synapses %d, binomial mean %.0f, sd %.0f\n", n, m, sd
      exit !(n - m < 5 * sd && m - n < 5 * sd) }' ||
    say_fail "synapse count $n is not the model's"
fi

# the analysis on a made-up run (published layout: assemblies of 512, A0
# cued 120-121 s on its first half, neurons 0-255)
r="$tmp/made"
mkdir -p "$r"
echo "completed at t = 140 s" >"$r/run.log"
python3 - "$r" <<'EOF'
import sys
r = sys.argv[1]
with open(r + "/E.ras", "w") as f:
    for i in range(2048, 4096):          # rest: 1 spike in the baseline
        f.write("117.5 %d\n" % i)
    for i in range(256):                 # cued half: 30 Hz during the cue
        for k in range(30):
            f.write("%.4f %d\n" % (120.01 + k / 30.0, i))
    for i in range(256, 512):            # uncued half: 10 Hz for 2 s after
        for k in range(20):
            f.write("%.4f %d\n" % (121.05 + k / 10.0, i))
    f.write("139.95 4095\n")             # the end of the run
for t, ws in ((0, (1, 1, 1, 1)), (119000, (2, 4, 6, 4))):
    with open(r + "/EE_%dms.mtx" % t, "w") as f:
        f.write("%%MatrixMarket matrix coordinate real general\n% EE\n")
        f.write("4096 4096 4\n")
        # within A0, between A0 and A1, outside (pre 3000), within A3
        for (i, j), w in zip(((1, 2), (1, 600), (3000, 1), (1600, 1700)), ws):
            f.write("%d %d %g\n" % (i, j, w * 1e-9))
EOF
if expect_status 0 "make_inputs.py analyze" python3 \
    "$MODELS/p5/make_inputs.py" analyze "$r" --layout published; then
  awk -F'\t' 'NR > 1 { printf "blocks at %s s: %s %s %s\n", $1, $2, $3, $4 }
       NR == 2 && !($2 == 1 && $3 == 1 && $4 == 1) { bad = 1 }
       NR == 3 && !($1 == 119 && $2 == 3 && $3 == 4 && $4 == 6) { bad = 1 }
       END { exit bad || NR != 3 }' "$r/p5_blocks.tsv" ||
    say_fail "p5_blocks.tsv: within 3, between 4, other 6 nS expected at 119 s"
  # window: cued half, uncued half, other assemblies, rest (Hz)
  awk -F'\t' 'BEGIN {
         want["baseline"] = "0 0 0 0.2"; want["cue"] = "30 0 0 0"
         want["after_0-0.5s"] = "0 10 0 0"; want["after_0.5-1s"] = "0 10 0 0"
         want["after_1-2s"] = "0 10 0 0"; want["after_2-4s"] = "0 0 0 0"
         want["after_4-8s"] = "0 0 0 0" }
       $1 == "A0" { got = ($5 + 0) " " ($6 + 0) " " ($7 + 0) " " ($8 + 0)
         print $2 ": " got
         if (got != want[$2]) bad = 1; seen[$2] = 1 }
       END { for (w in want) if (!(w in seen)) bad = 1; exit bad }' \
      "$r/p5_delay.tsv" || say_fail "p5_delay.tsv is not the made-up rates"
fi
finish
