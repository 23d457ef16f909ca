#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""P5 of doc/validation.md run by evsnn: cell assemblies with orchestrated plasticity.

    python3 models/p5/make_inputs.py inputs [--dir DIR] [--seed N]
        writes p5_stim.ras (the stimulus population P of models/p5_*.ini:
        training patterns, then partial cues) into DIR (default: models/).
    python3 models/p5/make_inputs.py analyze RUN_DIR
        reads E.ras and EE_*.mtx of a run and writes into RUN_DIR
        p5_rates.tsv (rate of each assembly, of the non-assembly E neurons
        and of the cued and uncued halves of each cued assembly, per 1 s
        bin) and p5_blocks.tsv (mean EE weight within and between
        assemblies at each snapshot); prints a summary: the E rate range,
        and at each cue the rates of both halves, of the other assemblies
        and of the rest, and the recall ratio (uncued half over the largest
        of the others and the rest).
    python3 models/p5/make_inputs.py run [--evsnn PROG] [--out DIR]
        runs models/p5_assemblies.ini and models/p5_control.ini into
        DIR/full and DIR/control, analyzes both and prints the result.

The protocol (times in s, see PROTOCOL below): background; training, in
which pattern k (E neurons [k*M, (k+1)*M), M = ASSEMBLY) is stimulated by
P neurons firing Poisson at RATE for ON s, patterns cycling with OFF s
between; a quiet period; then cues: the first half of assembly k alone is
stimulated for ON s. P neuron i drives E neuron i (one_to_one).

Python 3 standard library only.
"""
import argparse
import math
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)

N_E = 1024          # E neurons (and P neurons)
ASSEMBLY = 128      # neurons per pattern
N_PAT = 4           # patterns
RATE = 60.0         # Hz: a stimulated P neuron
ON, OFF = 1.0, 1.0  # s: stimulus on / pause between stimuli
PROTOCOL = {
    "train_start": 20.0,     # background before
    "train_reps": 10,        # stimulations per pattern
    "cue_start": 120.0,      # after training and a quiet period
    "cue_gap": 5.0,          # s between cue onsets
    "cued": [0, 1],          # assemblies cued (first half only)
}


def stimuli():
    """(t_on, t_off, first, last) of every stimulation, in time order."""
    out = []
    t = PROTOCOL["train_start"]
    for _ in range(PROTOCOL["train_reps"]):
        for k in range(N_PAT):
            out.append((t, t + ON, k * ASSEMBLY, (k + 1) * ASSEMBLY))
            t += ON + OFF
    t = PROTOCOL["cue_start"]
    for k in PROTOCOL["cued"]:
        out.append((t, t + ON, k * ASSEMBLY, k * ASSEMBLY + ASSEMBLY // 2))
        t += PROTOCOL["cue_gap"]
    return out


def write_inputs(folder, seed):
    rng = random.Random(seed)
    spikes = []
    for t0, t1, a, b in stimuli():
        for i in range(a, b):
            t = t0 + rng.expovariate(RATE)
            while t < t1:
                spikes.append((t, i))
                t += rng.expovariate(RATE)
    spikes.sort()
    path = os.path.join(folder, "p5_stim.ras")
    with open(path, "w") as f:
        f.write("# P5 stimulus (models/p5/make_inputs.py): %d patterns of %d "
                "neurons at %g Hz\n# time [s] id\n" % (N_PAT, ASSEMBLY, RATE))
        for t, i in spikes:
            f.write("%.4f %d\n" % (t, i))
    print("wrote %s (%d spikes)" % (path, len(spikes)))


def read_ras(path):
    out = []
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split()
            if len(line) == 2:
                out.append((float(line[0]), int(line[1])))
    return out


def groups():
    """Name and neuron range of each group reported."""
    g = [("A%d" % k, k * ASSEMBLY, (k + 1) * ASSEMBLY) for k in range(N_PAT)]
    g.append(("rest", N_PAT * ASSEMBLY, N_E))
    for k in PROTOCOL["cued"]:
        g.append(("A%d_cued" % k, k * ASSEMBLY, k * ASSEMBLY + ASSEMBLY // 2))
        g.append(("A%d_uncued" % k, k * ASSEMBLY + ASSEMBLY // 2,
                  (k + 1) * ASSEMBLY))
    return g


def analyze(run):
    spikes = read_ras(os.path.join(run, "E.ras"))
    t_end = max([t for t, _ in spikes] + [1.0])
    nb = int(math.ceil(t_end))
    g = groups()
    counts = [[0] * nb for _ in g]
    for t, i in spikes:
        b = min(int(t), nb - 1)
        for k, (_, a, z) in enumerate(g):
            if a <= i < z:
                counts[k][b] += 1
    with open(os.path.join(run, "p5_rates.tsv"), "w") as f:
        f.write("time\t" + "\t".join(n for n, _, _ in g) + "\n")
        for b in range(nb):
            f.write("%d\t" % b + "\t".join(
                "%.3f" % (counts[k][b] / float(z - a))
                for k, (_, a, z) in enumerate(g)) + "\n")
    # weight blocks from the Matrix Market snapshots
    rows = []
    for name in sorted(os.listdir(run)):
        if not (name.startswith("EE_") and name.endswith("ms.mtx")):
            continue
        t = float(name[3:-6]) / 1e3
        within = [0.0, 0]
        between = [0.0, 0]
        rest = [0.0, 0]
        with open(os.path.join(run, name)) as f:
            lines = [l for l in f if not l.startswith("%")]
        for l in lines[1:]:
            i, j, w = l.split()
            i, j, w = int(i) - 1, int(j) - 1, float(w)
            ki, kj = i // ASSEMBLY, j // ASSEMBLY
            if ki < N_PAT and kj < N_PAT:
                acc = within if ki == kj else between
            else:
                acc = rest
            acc[0] += w
            acc[1] += 1
        rows.append((t, within[0] / max(within[1], 1) * 1e9,
                     between[0] / max(between[1], 1) * 1e9,
                     rest[0] / max(rest[1], 1) * 1e9))
    rows.sort()
    with open(os.path.join(run, "p5_blocks.tsv"), "w") as f:
        f.write("time\twithin_nS\tbetween_nS\trest_nS\n")
        for r in rows:
            f.write("%.3f\t%.4f\t%.4f\t%.4f\n" % r)
    # summary
    log = open(os.path.join(run, "run.log")).read().strip().splitlines()
    print("%s: %s" % (run, log[-1]))
    for t, wi, wb, wr in rows:
        print("  t = %7.1f s  EE within %.3f nS, between %.3f nS, other %.3f nS"
              % (t, wi, wb, wr))
    rate = [[counts[i][b] / float(z - a) for i, (_, a, z) in enumerate(g)]
             for b in range(nb)]
    names = [n for n, _, _ in g]
    e_rate = [sum(rate[b][names.index("A%d" % k)] for k in range(N_PAT))
              * ASSEMBLY / N_E + rate[b][names.index("rest")]
              * (N_E - N_PAT * ASSEMBLY) / N_E
              for b in range(max(int(t_end), 1))]   # whole bins only
    print("  E rate per whole 1 s bin: %.1f-%.1f Hz, mean %.1f Hz"
          % (min(e_rate), max(e_rate), sum(e_rate) / len(e_rate)))
    for k, cue in enumerate(PROTOCOL["cued"]):
        b = int(PROTOCOL["cue_start"] + k * PROTOCOL["cue_gap"])
        if b >= nb:
            break
        r = dict(zip(names, rate[b]))
        before = dict(zip(names, rate[b - 1]))
        other = [r["A%d" % m] for m in range(N_PAT) if m != cue]
        print("  cue A%d at %d s: cued half %.1f Hz, uncued half %.1f Hz "
              "(%.1f Hz the second before), other assemblies %s Hz, "
              "rest %.1f Hz; recall ratio uncued / max(others, rest) %.1f"
              % (cue, b, r["A%d_cued" % cue], r["A%d_uncued" % cue],
                 before["A%d_uncued" % cue],
                 " ".join("%.1f" % x for x in other), r["rest"],
                 r["A%d_uncued" % cue] / max(other + [r["rest"], 1e-9])))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inputs")
    p.add_argument("--dir", default=MODELS)
    p.add_argument("--seed", type=int, default=5)
    p = sub.add_parser("analyze")
    p.add_argument("run")
    p = sub.add_parser("run")
    p.add_argument("--evsnn", default="evsnn")
    p.add_argument("--out", default="out/p5")
    a = ap.parse_args()
    if a.cmd == "inputs":
        write_inputs(a.dir, a.seed)
    elif a.cmd == "analyze":
        analyze(a.run)
    else:
        for name in ("assemblies", "control"):
            d = os.path.join(a.out, "full" if name == "assemblies" else name)
            subprocess.run([a.evsnn, "run", os.path.join(MODELS,
                            "p5_%s.ini" % name), "-o", d, "-q"], check=True)
            analyze(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
