# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The Vogels-Abbott benchmarks (CUBA and COBA, 4000 neurons, 1 s) as one
PyNN script (bench/pynn/va_benchmark.py) run on pynn_evsnn and on
pyNN.brian2: the excitatory and inhibitory rates agree within sampling
error.

Sampling error: the rate of one run depends on its seed (wiring, initial
potentials). pynn_evsnn runs SEEDS seeds; their sample standard deviation s
estimates the between-seed spread of the model, which is the same model on
both simulators. The means agree when
    |mean_evsnn - mean_brian2| <= 4 s sqrt(1/n_evsnn + 1/n_brian2),
a 4-sigma two-sample bound. COBA's activity dies out after its 50 ms
stimulus for some seeds (the network is bistable; 1 of seeds 1-10 here):
such runs (excitatory rate < 5 Hz) are left out of both means, and at
least 3 of the 5 seeds must keep their activity.

pyNN.brian2 needs about 20 minutes a run on a loaded two-core machine, so
by default its rates are the ones measured with this script and recorded
in bench/results/2026-12-06-pynn-va.md (BRIAN2 below); EVSNN_PYNN_BRIAN2=1 runs it
here instead, for the seeds in EVSNN_PYNN_BRIAN2_SEEDS (default "1")."""

import importlib
import math
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "bench", "pynn"))
from va_benchmark import va_network  # noqa: E402

import pynn_evsnn  # noqa: E402

SEEDS = (1, 2, 3, 4, 5)
DEAD_HZ = {"CUBA": 0.0, "COBA": 5.0}  # CUBA's rest is above threshold

# pyNN.brian2 2.5.1 / PyNN 0.10.1, bench/pynn/va_benchmark.py, 4000 neurons,
# 1 s: (benchmark, seed) -> (exc Hz, inh Hz); bench/results/2026-12-06-pynn-va.md
BRIAN2 = {
    ("CUBA", 1): (5.461, 5.621),
    ("CUBA", 2): (5.696, 5.704),
    ("COBA", 1): (14.223, 14.759),
}


def brian2_rates(benchmark):
    """pyNN.brian2's rates: measured here or recorded."""
    if os.environ.get("EVSNN_PYNN_BRIAN2") == "1":
        b2 = importlib.import_module("pyNN.brian2")
        seeds = os.environ.get("EVSNN_PYNN_BRIAN2_SEEDS", "1").split()
        out = []
        for s in seeds:
            r = va_network(b2, benchmark, int(s))
            out.append((r["exc_rate"], r["inh_rate"]))
            print("pyNN.brian2 %s seed %s: %.3f %.3f Hz" % (benchmark, s,
                                                           *out[-1]))
        return out
    return [v for (b, _), v in sorted(BRIAN2.items()) if b == benchmark]


class VogelsAbbott(unittest.TestCase):
    def compare(self, benchmark):
        runs = []
        for s in SEEDS:
            r = va_network(pynn_evsnn, benchmark, s)
            runs.append((r["exc_rate"], r["inh_rate"]))
            print("pynn_evsnn %s seed %d: exc %.3f Hz, inh %.3f Hz, run %.2f s"
                  % (benchmark, s, r["exc_rate"], r["inh_rate"], r["run_s"]))
        live = [x for x in runs if x[0] >= DEAD_HZ[benchmark]]
        self.assertGreaterEqual(len(live), 3, "activity died in most seeds")
        ref = [x for x in brian2_rates(benchmark)
               if x[0] >= DEAD_HZ[benchmark]]
        if not ref:
            self.skipTest("no pyNN.brian2 rates for %s" % benchmark)
        for k, name in ((0, "excitatory"), (1, "inhibitory")):
            e = np.array([x[k] for x in live])
            b = np.array([x[k] for x in ref])
            s = e.std(ddof=1)
            bound = 4 * s * math.sqrt(1 / len(e) + 1 / len(b))
            print("%s %s: pynn_evsnn %.3f Hz (%d seeds, sd %.3f), pyNN.brian2 "
                  "%.3f Hz (%d), |difference| %.3f <= %.3f"
                  % (benchmark, name, e.mean(), len(e), s, b.mean(), len(b),
                     abs(e.mean() - b.mean()), bound))
            self.assertLessEqual(abs(e.mean() - b.mean()), bound)

    def test_cuba(self):
        self.compare("CUBA")

    def test_coba(self):
        self.compare("COBA")


if __name__ == "__main__":
    unittest.main(verbosity=2)
