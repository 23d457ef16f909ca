# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Runs bench/pynn's PyNN scripts, unchanged but for the module, on
pynn_evsnn and on pyNN.brian2 in one session, one fresh Python per run,
and prints a Markdown table of their rates and times (the medians of the
repeats, and every run's figures).

    PYTHONPATH=BUILD/python:SRC/python /usr/bin/python3 bench/pynn/compare.py \\
        [--repeats N] [--brian2-repeats M] [--seed S] [CASE ...]

CASE is CUBA, COBA (va_benchmark.py: rates of the excitatory and inhibitory
cells), stdp or tm (plasticity.py: the output rate and the mean final
weight); all four by default. Times: the script's own timing of sim.run
(pyNN.brian2's includes its code generation and compilation, cached
between runs of the same network) and the wall time of the whole Python
process (imports and building included)."""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = {"CUBA": ("va_benchmark.py", "CUBA"), "COBA": ("va_benchmark.py",
                                                       "COBA"),
         "stdp": ("plasticity.py", "stdp"), "tm": ("plasticity.py", "tm")}
MODULES = ("pynn_evsnn", "pyNN.brian2")


def run_once(case, module, seed):
    """One run in a fresh Python: (dict of figures, wall s)."""
    script, arg = CASES[case]
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, os.path.join(HERE, script), module,
                          arg, str(seed)], check=True, capture_output=True,
                         text=True).stdout
    wall = time.perf_counter() - t0
    line = out.strip().splitlines()[-1]
    fig = {}
    m = re.search(r"exc ([\d.]+) Hz, inh ([\d.]+) Hz", line)
    if m:
        fig["rates"] = "%s / %s" % m.groups()
    m = re.search(r"rate ([\d.]+) Hz, mean weight ([\d.]+) nA", line)
    if m:
        fig["rates"] = "%s (w %s nA)" % m.groups()
    fig["run"] = float(re.search(r"run ([\d.]+) s", line).group(1))
    return fig, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--brian2-repeats", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("cases", nargs="*", default=list(CASES))
    a = ap.parse_args()
    print("| case | simulator | seed | rates (Hz) | sim.run s (median) | "
          "process wall s (median) | runs |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for case in a.cases:
        for module in MODULES:
            n = a.repeats if module == "pynn_evsnn" else a.brian2_repeats
            runs = [run_once(case, module, a.seed) for _ in range(n)]
            rates = sorted({f["rates"] for f, _ in runs})
            print("| %s | %s | %d | %s | %.2f | %.2f | %s |" % (
                case, module, a.seed, "; ".join(rates),
                statistics.median(f["run"] for f, _ in runs),
                statistics.median(w for _, w in runs),
                ", ".join("%.2f/%.2f" % (f["run"], w) for f, w in runs)),
                flush=True)


if __name__ == "__main__":
    main()
