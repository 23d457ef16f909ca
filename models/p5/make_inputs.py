#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""P5 of doc/validation.md run by evsnn: cell assemblies with orchestrated plasticity.

Two layouts: "scaled" (models/p5_assemblies.ini, p5_control.ini: 1,024 E,
assemblies of 128) and "published" (models/p5_published.ini: 4,096 E,
assemblies of 512). --layout picks one (default scaled).

    python3 models/p5/make_inputs.py inputs [--layout L] [--dir DIR] [--seed N]
        writes the stimulus population P of the layout's models (training
        patterns, then partial cues: p5_stim.ras or p5_published_stim.ras)
        into DIR (default: models/).
    python3 models/p5/make_inputs.py analyze RUN_DIR [--layout L]
        reads E.ras and EE_*.mtx of a run and writes into RUN_DIR
        p5_rates.tsv (rate of each assembly, of the non-assembly E neurons
        and of the cued and uncued halves of each cued assembly, per 1 s
        bin), p5_blocks.tsv (mean EE weight within and between assemblies
        and of the other synapses at each snapshot), p5_delay.tsv (each
        cue: the rates of its cued half, uncued half, the other assemblies
        and the rest in the 5 s before the cue, during it and in windows
        after its end) and p5_cue.tsv (the same groups per 100 ms around
        each cue); prints a summary: the E rate range, the weights, and at
        each cue the recall and the activity after it.
    python3 models/p5/make_inputs.py run [--layout L] [--evsnn PROG] [--out DIR]
        [--set KEY=VALUE ...]
        runs the layout's models into DIR/<name> (scaled: full, control;
        published: published), analyzes them and prints the result.
    python3 models/p5/make_inputs.py recall RUN_DIR --out DIR [--layout L]
        [--at MS] [--evsnn PROG] [--set KEY=VALUE ...] [--append FILE]
        the recall phase alone on the weights a run reached: EE and IE are
        read from RUN_DIR's EE_<MS>ms.mtx and IE_<MS>ms.mtx (default the
        last EE snapshot) as static edge lists, the cues of the protocol
        are given after RECALL_WARMUP s of background; --set changes the
        model (e.g. E.ampa_nmda_ratio=1000 for AMPA only), --append adds
        the sections of FILE to it; then analyzes.

The protocol (times in s, see PROTOCOL below): background; training, in
which pattern k (E neurons [k*M, (k+1)*M), M = the layout's assembly) is
stimulated by P neurons firing Poisson at RATE for ON s, patterns cycling
with OFF s between; a quiet period; then cues: the first half of assembly k
alone is stimulated for ON s. P neuron i drives E neuron i (one_to_one).

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

LAYOUTS = {
    "scaled": {
        "n_e": 1024,          # E neurons (and P neurons)
        "assembly": 128,      # neurons per pattern
        "cue_gap": 5.0,       # s between cue onsets
        "stim": "p5_stim.ras",
        "models": [("full", "p5_assemblies.ini"),
                   ("control", "p5_control.ini")],
    },
    "published": {
        "n_e": 4096,
        "assembly": 512,
        "cue_gap": 10.0,
        "stim": "p5_published_stim.ras",
        "models": [("published", "p5_published.ini")],
    },
}
N_PAT = 4           # patterns
RATE = 60.0         # Hz: a stimulated P neuron
ON, OFF = 1.0, 1.0  # s: stimulus on / pause between stimuli
PROTOCOL = {
    "train_start": 20.0,     # background before
    "train_reps": 10,        # stimulations per pattern
    "cue_start": 120.0,      # after training and a quiet period
    "cued": [0, 1],          # assemblies cued (first half only)
}
RECALL_WARMUP = 10.0  # s of background before the first cue of `recall`
# windows after a cue's end (s) in which p5_delay.tsv gives the rates
DELAY_WINDOWS = [(0.0, 0.5), (0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0)]
BASELINE = 5.0      # s before a cue: the baseline of p5_delay.tsv
FINE = 0.1          # s: the bins of p5_cue.tsv


def cues(lay, start):
    """(t_on, t_off, first, last) of each cue, the first at start."""
    m = lay["assembly"]
    return [(start + i * lay["cue_gap"], start + i * lay["cue_gap"] + ON,
             k * m, k * m + m // 2) for i, k in enumerate(PROTOCOL["cued"])]


def stimuli(lay):
    """(t_on, t_off, first, last) of every stimulation, in time order."""
    out = []
    m = lay["assembly"]
    t = PROTOCOL["train_start"]
    for _ in range(PROTOCOL["train_reps"]):
        for k in range(N_PAT):
            out.append((t, t + ON, k * m, (k + 1) * m))
            t += ON + OFF
    return out + cues(lay, PROTOCOL["cue_start"])


def write_spikes(path, stims, seed, lay):
    rng = random.Random(seed)
    spikes = []
    for t0, t1, a, b in stims:
        for i in range(a, b):
            t = t0 + rng.expovariate(RATE)
            while t < t1:
                spikes.append((t, i))
                t += rng.expovariate(RATE)
    spikes.sort()
    with open(path, "w") as f:
        f.write("# P5 stimulus (models/p5/make_inputs.py): %d patterns of %d "
                "neurons at %g Hz\n# time [s] id\n"
                % (N_PAT, lay["assembly"], RATE))
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


def groups(lay):
    """Name and neuron range of each group reported."""
    m, n_e = lay["assembly"], lay["n_e"]
    g = [("A%d" % k, k * m, (k + 1) * m) for k in range(N_PAT)]
    g.append(("rest", N_PAT * m, n_e))
    for k in PROTOCOL["cued"]:
        g.append(("A%d_cued" % k, k * m, k * m + m // 2))
        g.append(("A%d_uncued" % k, k * m + m // 2, (k + 1) * m))
    return g


def group_rate(spikes, a, z, t0, t1):
    """Mean rate (Hz) of neurons [a, z) in [t0, t1)."""
    n = sum(1 for t, i in spikes if t0 <= t < t1 and a <= i < z)
    return n / float((z - a) * (t1 - t0))


def weight_blocks(run, lay):
    """(t, within, between, other) mean EE weights (nS) of each snapshot."""
    m = lay["assembly"]
    rows = []
    for name in sorted(os.listdir(run)):
        if not (name.startswith("EE_") and name.endswith("ms.mtx")):
            continue
        t = float(name[3:-6]) / 1e3
        acc = [[0.0, 0], [0.0, 0], [0.0, 0]]  # within, between, other
        with open(os.path.join(run, name)) as f:
            header = True
            for line in f:
                if line.startswith("%"):
                    continue
                if header:  # the size line
                    header = False
                    continue
                i, j, w = line.split()
                ki, kj = (int(i) - 1) // m, (int(j) - 1) // m
                c = acc[2] if ki >= N_PAT or kj >= N_PAT else \
                    acc[0] if ki == kj else acc[1]
                c[0] += float(w)
                c[1] += 1
        rows.append((t,) + tuple(s / max(n, 1) * 1e9 for s, n in acc))
    rows.sort()
    return rows


def analyze(run, lay, cue_start):
    spikes = read_ras(os.path.join(run, "E.ras"))
    t_end = max([t for t, _ in spikes] + [1.0])
    nb = int(math.ceil(t_end))
    g = groups(lay)
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
    rows = weight_blocks(run, lay)
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
    n_e, m = lay["n_e"], lay["assembly"]
    rate = [[counts[i][b] / float(z - a) for i, (_, a, z) in enumerate(g)]
            for b in range(nb)]
    names = [n for n, _, _ in g]
    e_rate = [sum(rate[b][names.index("A%d" % k)] for k in range(N_PAT))
              * m / n_e + rate[b][names.index("rest")]
              * (n_e - N_PAT * m) / n_e
              for b in range(max(int(t_end), 1))]   # whole bins only
    print("  E rate per whole 1 s bin: %.1f-%.1f Hz, mean %.1f Hz"
          % (min(e_rate), max(e_rate), sum(e_rate) / len(e_rate)))
    for k, cue in enumerate(PROTOCOL["cued"]):
        b = int(cue_start + k * lay["cue_gap"])
        if b >= nb:
            break
        r = dict(zip(names, rate[b]))
        before = dict(zip(names, rate[b - 1]))
        other = [r["A%d" % j] for j in range(N_PAT) if j != cue]
        print("  cue A%d at %d s: cued half %.1f Hz, uncued half %.1f Hz "
              "(%.1f Hz the second before), other assemblies %s Hz, "
              "rest %.1f Hz; recall ratio uncued / max(others, rest) %.1f"
              % (cue, b, r["A%d_cued" % cue], r["A%d_uncued" % cue],
                 before["A%d_uncued" % cue],
                 " ".join("%.1f" % x for x in other), r["rest"],
                 r["A%d_uncued" % cue] / max(other + [r["rest"], 1e-9])))
    delay(run, lay, spikes, cue_start, t_end)


def delay(run, lay, spikes, cue_start, t_end):
    """p5_delay.tsv and p5_cue.tsv: the groups' rates around each cue."""
    m = lay["assembly"]
    out = open(os.path.join(run, "p5_delay.tsv"), "w")
    out.write("cue\twindow\tt0\tt1\tcued_half\tuncued_half\tother_assemblies"
              "\trest\n")
    fine = open(os.path.join(run, "p5_cue.tsv"), "w")
    fine.write("cue\ttime\tt_rel\tcued_half\tuncued_half\tother_assemblies"
               "\trest\n")
    cs = cues(lay, cue_start)
    for n, (t_on, t_off, a, half) in enumerate(cs):
        if t_off > t_end:
            break
        limit = cs[n + 1][0] if n + 1 < len(cs) else t_end  # next cue
        k = a // m
        # neuron -> group index: 0 cued, 1 uncued, 2 other assemblies, 3 rest
        def grp(i):
            if a <= i < half:
                return 0
            if half <= i < a + m:
                return 1
            return 2 if i < N_PAT * m else 3
        sizes = [half - a, a + m - half, m * (N_PAT - 1),
                 lay["n_e"] - N_PAT * m]
        lo, hi = t_on - BASELINE, t_off + DELAY_WINDOWS[-1][1]
        nbins = int(round((hi - lo) / FINE))
        c = [[0] * nbins for _ in range(4)]  # spikes per group and bin
        for t, i in spikes:
            if lo <= t < hi:
                c[grp(i)][min(int((t - lo) / FINE), nbins - 1)] += 1

        def rates(t0, t1):
            b0, b1 = int(round((t0 - lo) / FINE)), int(round((t1 - lo) / FINE))
            return [sum(c[q][b0:b1]) / float(sizes[q] * (t1 - t0))
                    for q in range(4)]
        wins = [("baseline", t_on - BASELINE, t_on), ("cue", t_on, t_off)]
        wins += [("after_%g-%gs" % w, t_off + w[0], t_off + w[1])
                 for w in DELAY_WINDOWS if t_off + w[1] <= limit + 1e-9]
        print("  A%d cue %g-%g s (rates in Hz: cued half, uncued half, other "
              "assemblies, rest):" % (k, t_on, t_off))
        for name, t0, t1 in wins:
            r = rates(t0, t1)
            out.write("A%d\t%s\t%.2f\t%.2f\t" % (k, name, t0, t1)
                      + "\t".join("%.3f" % x for x in r) + "\n")
            print("    %-14s %6.2f-%6.2f s  %6.2f %6.2f %6.2f %6.2f"
                  % ((name, t0, t1) + tuple(r)))
        for b in range(int(round((t_on - 2.0 - lo) / FINE)), nbins):
            t = lo + b * FINE
            if t + FINE > t_end + 1e-9:
                break
            r = rates(t, t + FINE)
            fine.write("A%d\t%.2f\t%.2f\t" % (k, t, t - t_on)
                       + "\t".join("%.3f" % x for x in r) + "\n")
    out.close()
    fine.close()


def set_key(sections, sec, key, value):
    """Set key in section sec of the parsed model (list of [name, lines])."""
    for name, lines in sections:
        if name == sec:
            for n, line in enumerate(lines):
                if line.split("=")[0].strip() == key:
                    lines[n] = "%s = %s\n" % (key, value)
                    return
            lines.append("%s = %s\n" % (key, value))
            return
    raise SystemExit("no section [%s]" % sec)


def drop_keys(sections, sec, keep):
    for name, lines in sections:
        if name == sec:
            lines[:] = [l for l in lines if "=" not in l
                        or l.split("=")[0].strip() in keep]


def mtx_to_edges(mtx, path):
    """Matrix Market (1-based) -> edge list `pre post weight` (0-based)."""
    with open(mtx) as f, open(path, "w") as out:
        header = True
        for line in f:
            if line.startswith("%"):
                continue
            if header:
                header = False
                continue
            i, j, w = line.split()
            out.write("%d %d %s\n" % (int(i) - 1, int(j) - 1, w))


def recall(a, lay):
    """Build and run the recall-only model of a trained run (see `recall`)."""
    os.makedirs(a.out, exist_ok=True)
    at = a.at
    if at is None:
        snaps = [int(n[3:-6]) for n in os.listdir(a.run)
                 if n.startswith("EE_") and n.endswith("ms.mtx")]
        at = max(snaps)
    for proj in ("EE", "IE"):
        mtx_to_edges(os.path.join(a.run, "%s_%dms.mtx" % (proj, at)),
                     os.path.join(a.out, "%s.edges" % proj))
    model = os.path.join(MODELS, lay["models"][0][1])
    sections = [["", []]]  # [name, lines]: "[population E]" is named E
    for line in open(model):
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            sections.append([s[1:-1].split()[-1], []])
        sections[-1][1].append(line)
    static = ("pre", "post", "receptor", "delay", "stp_U", "stp_tau_d",
              "stp_tau_f")
    for proj in ("EE", "IE"):
        drop_keys(sections, proj, static)
        set_key(sections, proj, "connect", "file")
        set_key(sections, proj, "file", "%s.edges" % proj)
        set_key(sections, proj, "weight", "1 nS  ; the edge list's")
    start = RECALL_WARMUP
    last = cues(lay, start)[-1][1]
    set_key(sections, "simulation", "duration",  # the last window, and 1 s
            "%g s" % (last + DELAY_WINDOWS[-1][1] + 1))
    set_key(sections, "P", "file", "recall_stim.ras")
    write_spikes(os.path.join(a.out, "recall_stim.ras"), cues(lay, start),
                 a.seed, lay)
    path = os.path.join(a.out, "recall.ini")
    with open(path, "w") as f:
        f.write("; recall phase on the weights of %s at %d ms "
                "(models/p5/make_inputs.py recall)\n" % (a.run, at))
        for _, lines in sections:
            f.writelines(lines)
        if a.append:
            f.write("\n; appended from %s\n" % a.append)
            f.write(open(a.append).read())
    cmd = [a.evsnn, "run", path, "-o", os.path.join(a.out, "run"), "-q"]
    for s in a.set:
        cmd += ["--set", s]
    subprocess.run(cmd, check=True)
    analyze(os.path.join(a.out, "run"), lay, start)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("inputs")
    p.add_argument("--dir", default=MODELS)
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="scaled")
    p = sub.add_parser("analyze")
    p.add_argument("run")
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="scaled")
    p = sub.add_parser("run")
    p.add_argument("--evsnn", default="evsnn")
    p.add_argument("--out", default="out/p5")
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="scaled")
    p.add_argument("--set", action="append", default=[])
    p = sub.add_parser("recall")
    p.add_argument("run")
    p.add_argument("--out", required=True)
    p.add_argument("--at", type=int)
    p.add_argument("--evsnn", default="evsnn")
    p.add_argument("--seed", type=int, default=5)
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="published")
    p.add_argument("--set", action="append", default=[])
    p.add_argument("--append")
    a = ap.parse_args()
    lay = LAYOUTS[a.layout]
    if a.cmd == "inputs":
        write_spikes(os.path.join(a.dir, lay["stim"]), stimuli(lay), a.seed,
                     lay)
    elif a.cmd == "analyze":
        analyze(a.run, lay, PROTOCOL["cue_start"])
    elif a.cmd == "recall":
        recall(a, lay)
    else:
        for name, model in lay["models"]:
            d = os.path.join(a.out, name)
            cmd = [a.evsnn, "run", os.path.join(MODELS, model), "-o", d, "-q"]
            for s in a.set:
                cmd += ["--set", s]
            subprocess.run(cmd, check=True)
            analyze(d, lay, PROTOCOL["cue_start"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
