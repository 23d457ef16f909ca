#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The crossover of the exact and grid integration modes (doc/microcircuit.md):
2,000 unconnected IF_curr_exp neurons with the microcircuit's parameters,
each driven by its own Poisson input of rate r, swept so that m = r h (inputs
per neuron per 0.1 ms step) spans 0.01 ... 10; the weight is scaled as 1/r
so the mean drive (v_rest + 10 mV) stays the same. Four ways:

  grid+stream   IF_curr_exp_grid, background_rate = r (a count per step)
  exact+stream  IF_curr_exp (exact), background_rate = r (an exact event per
                input, drawn lazily per neuron)
  exact+source  IF_curr_exp (exact), a SpikeSourcePoisson neuron per target
                (one_to_one): a queue event and a delivery per input
  grid+source   IF_curr_exp_grid fed by the same sources (the delivery cost
                without the exact neuron's)

For each, the median CPU seconds (user + sys of the process, which a loaded
machine inflates less than wall time) per simulated second of REPEAT runs,
interleaved, and the ratios to grid+stream of the same round.

    /usr/bin/python3 bench/microcircuit_crossover.py EVSNN [REPEAT] > table.md
"""
import os
import resource
import subprocess
import sys
import tempfile

N = 2000
H = 1e-4
MS = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0]
PARAMS = """cm = 250 pF
tau_m = 10 ms
tau_syn_E = 0.5 ms
tau_syn_I = 0.5 ms
tau_refrac = 2 ms
v_rest = -65 mV
v_reset = -65 mV
v_thresh = -50 mV
v_init = normal(-58 mV, 10 mV)
"""


def model(kind, m):
    r = m / H                     # inputs per second per neuron
    w = 10e-3 / (r * 4e7 * 0.5e-3)  # A: mean drive r w R tau_syn = 10 mV
    dur = max(0.2, min(5.0, 2e6 / (N * r)))  # ~2e6 inputs a run
    s = "[simulation]\nduration = %g s\nseed = 1\n" % dur
    grid = kind.startswith("grid")
    s += "[population X]\ntype = IF_curr_exp\nintegration = %s\nsize = %d\n" \
        % ("grid" if grid else "exact", N)
    s += PARAMS
    s += "record_spikes = no\n"
    if kind.endswith("+stream"):
        s += "background_rate = %g Hz\nbackground_weight = %g pA\n" % (r, w * 1e12)
    else:
        s += "[population S]\ntype = SpikeSourcePoisson\nsize = %d\nrate = %g Hz\n" \
            % (N, r)
        s += "[projection SX]\npre = S\npost = X\nconnect = one_to_one\n"
        s += "weight = %g pA\ndelay = 0.1 ms\n" % (w * 1e12)
    return s, dur


def cpu_of(evsnn, text, tmp):
    path = os.path.join(tmp, "m.ini")
    with open(path, "w") as f:
        f.write(text)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([evsnn, "run", path, "-q", "-o", os.path.join(tmp, "out")],
                   check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    evsnn = sys.argv[1]
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    kinds = ["grid+stream", "exact+stream", "exact+source", "grid+source"]
    print("command: /usr/bin/python3 bench/microcircuit_crossover.py %s %d"
          % (evsnn, repeat))
    print()
    print("| m = inputs/neuron/step | " + " | ".join(
        "%s CPU s/sim s" % k for k in kinds) + " | exact+stream / grid+stream |")
    print("| --- |" + " --- |" * (len(kinds) + 1))
    with tempfile.TemporaryDirectory() as tmp:
        for m in MS:
            per = {k: [] for k in kinds}
            ratio = []
            for _ in range(repeat):
                got = {}
                for k in kinds:
                    text, dur = model(k, m)
                    got[k] = cpu_of(evsnn, text, tmp) / dur
                    per[k].append(got[k])
                ratio.append(got["exact+stream"] / got["grid+stream"])
            med = {k: sorted(v)[len(v) // 2] for k, v in per.items()}
            print("| %g | " % m + " | ".join("%.3f" % med[k] for k in kinds) +
                  " | %.2f |" % sorted(ratio)[len(ratio) // 2], flush=True)


if __name__ == "__main__":
    main()
