#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Spike statistics of microcircuit runs (doc/microcircuit.md), per
population, after a transient: the mean rate (standard error from 10 blocks of the run), the mean coefficient of
variation of the inter-spike intervals (neurons with at least 10 spikes),
and the mean pairwise correlation coefficient of spike counts in 10 ms bins
(up to 200 neurons with at least one spike, all their pairs), each with its
standard error; optionally against the reference rates and another run.

    /usr/bin/python3 bench/microcircuit_stats.py OUT [OTHER_OUT]
        [--t0 0.1] [--t1 T] [--reference]

OUT is an output folder of `evsnn run models/microcircuit.ini` (the .ras
files and summary.tsv). With OTHER_OUT, each statistic's difference is
given in units of its combined standard error (|z| < 3: agreement within
sampling error). --t1 ends the window at T (s) instead of the run's end,
and reads POP.ras.part when POP.ras is missing: the spikes an interrupted
run flushed (every population's file must reach T). --reference compares the rates with the reference
package's full-scale rates."""
import os
import sys

import numpy as np

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
REFERENCE = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]
BIN = 0.01      # s, spike-count bins of the correlations
MAX_CORR = 200  # neurons per population in the correlations
MIN_CV = 10     # spikes a neuron needs for its CV


def read_ras(path):
    size = None
    with open(path) as f:
        for line in f:
            if not line.startswith("#"):
                break
            if line.startswith("# size:"):
                size = int(line.split(":")[1])
    t, i = [], []
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                continue
            parts = line.split()
            if len(parts) != 2 or not line.endswith("\n"):
                break  # the cut end of an interrupted run's part file
            t.append(float(parts[0]))
            i.append(int(parts[1]))
    return np.array(t), np.array(i, dtype=np.int64), size


def duration(folder, t1):
    if t1 is not None:
        return t1
    with open(os.path.join(folder, "run.log")) as f:
        for line in f:
            if line.startswith("completed at t = "):
                return float(line.split("=")[1].split()[0])
    raise SystemExit("%s: run.log has no 'completed at'" % folder)


def stats(folder, t0, t1=None):
    t_end = duration(folder, t1)
    rng = np.random.default_rng(1)
    out = {}
    for pop in POPS:
        path = os.path.join(folder, pop + ".ras")
        if t1 is not None and not os.path.exists(path):
            path += ".part"
        t, i, n = read_ras(path)
        keep = (t >= t0) & (t < t_end)
        t, i = t[keep], i[keep]
        span = t_end - t0
        counts = np.bincount(i, minlength=n)
        rates = counts / span
        # the standard error of the population rate from its values in 10
        # blocks of the run (network fluctuations included; the neurons'
        # heterogeneity, shared by runs of the same network, excluded)
        blocks = np.histogram(t, bins=10, range=(t0, t_end))[0] / (n * span / 10)
        rate = rates.mean()
        rate_se = blocks.std(ddof=1) / np.sqrt(len(blocks))
        order = np.lexsort((t, i))
        t, i = t[order], i[order]
        starts = np.searchsorted(i, np.arange(n + 1))
        cvs = []
        for j in range(n):
            s = t[starts[j]:starts[j + 1]]
            if len(s) >= MIN_CV:
                isi = np.diff(s)
                cvs.append(isi.std() / isi.mean())
        cvs = np.array(cvs)
        cv = cvs.mean() if len(cvs) else float("nan")
        cv_se = cvs.std(ddof=1) / np.sqrt(len(cvs)) if len(cvs) > 1 else float("nan")
        active = np.flatnonzero(counts > 0)
        pick = rng.choice(active, min(MAX_CORR, len(active)), replace=False) \
            if len(active) else active
        nb = int(np.floor(span / BIN))
        m = np.zeros((len(pick), nb))
        for r, j in enumerate(pick):
            s = t[starts[j]:starts[j + 1]]
            b = ((s - t0) / BIN).astype(np.int64)
            b = b[b < nb]
            np.add.at(m[r], b, 1)
        if len(pick) > 2:
            c = np.corrcoef(m)
            iu = np.triu_indices(len(pick), 1)
            v = c[iu]
            v = v[np.isfinite(v)]
            # pairs share neurons: the standard error from the per-neuron
            # means of its pairs' coefficients
            per = np.nanmean(np.where(np.eye(len(pick), dtype=bool), np.nan, c), axis=1)
            corr, corr_se = v.mean(), np.nanstd(per, ddof=1) / np.sqrt(len(pick))
        else:
            corr = corr_se = float("nan")
        out[pop] = dict(rate=(rate, rate_se), cv=(cv, cv_se),
                        corr=(corr, corr_se), n=n, span=span)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    t0 = 0.1
    t1 = None
    if "--t0" in sys.argv:
        t0 = float(sys.argv[sys.argv.index("--t0") + 1])
        args.remove(sys.argv[sys.argv.index("--t0") + 1])
    if "--t1" in sys.argv:
        t1 = float(sys.argv[sys.argv.index("--t1") + 1])
        args.remove(sys.argv[sys.argv.index("--t1") + 1])
    if not args:
        raise SystemExit(__doc__)
    a = stats(args[0], t0, t1)
    b = stats(args[1], t0, t1) if len(args) > 1 else None
    ref = "--reference" in sys.argv
    head = ["pop", "n", "rate_Hz", "cv_isi", "corr"]
    if ref:
        head += ["ref_Hz", "rate/ref"]
    if b:
        head += ["rate_Hz(2)", "cv_isi(2)", "corr(2)", "z_rate", "z_cv", "z_corr"]
    print("| " + " | ".join(head) + " |")
    print("|" + " --- |" * len(head))
    for k, pop in enumerate(POPS):
        s = a[pop]
        row = [pop, str(s["n"])]
        for key, fmt in (("rate", "%.3f ± %.3f"), ("cv", "%.3f ± %.3f"),
                         ("corr", "%.4f ± %.4f")):
            row.append(fmt % s[key])
        if ref:
            row += ["%.3f" % REFERENCE[k], "%.3f" % (s["rate"][0] / REFERENCE[k])]
        if b:
            o = b[pop]
            for key, fmt in (("rate", "%.3f ± %.3f"), ("cv", "%.3f ± %.3f"),
                             ("corr", "%.4f ± %.4f")):
                row.append(fmt % o[key])
            for key in ("rate", "cv", "corr"):
                d = s[key][0] - o[key][0]
                se = np.hypot(s[key][1], o[key][1])
                row.append("%+.2f" % (d / se) if se > 0 else "nan")
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
