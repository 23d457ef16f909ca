#!/usr/bin/env python3
"""Writes the targets of the rule comparison (doc/compare.md),
models/compare/target.ras: each of 50 output neurons gets its own train of
4 spikes per 500 ms trial (8 Hz, the homeostatic rules' kappa), at times drawn
uniformly in [20, 480] ms at least 20 ms apart (rejection sampling, as
models/s5/make_targets.py; Python's Mersenne Twister seeded with 7, so the
file is reproducible).

    python3 make_targets.py [OUT.ras]
"""
import os
import random
import sys

N_OUT, SPIKES, T0, T1, GAP = 50, 4, 0.020, 0.480, 0.020


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "target.ras")
    rng = random.Random(7)
    spikes = []
    for i in range(N_OUT):
        while True:
            t = sorted(rng.uniform(T0, T1) for _ in range(SPIKES))
            if all(b - a >= GAP for a, b in zip(t, t[1:])):
                break
        spikes += [(x, i) for x in t]
    spikes.sort()
    with open(out, "w") as f:
        f.write("# rule comparison targets: %d outputs x %d spikes per 500 ms "
                "trial (models/compare/make_targets.py)\n# time [s] id\n"
                % (N_OUT, SPIKES))
        for t, i in spikes:
            f.write("%.6f %d\n" % (t, i))
    print(f"{out}: {len(spikes)} spikes of {N_OUT} neurons")


if __name__ == "__main__":
    main()
