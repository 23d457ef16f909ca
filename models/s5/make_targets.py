#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Writes per-neuron target trains for SuperSpike: each of N output neurons
gets its own train of K spikes per 500 ms trial, at times drawn uniformly in
[20, 480] ms at least 20 ms apart (rejection sampling with Python's Mersenne
Twister seeded with SEED, so the file is reproducible).

    python3 make_targets.py [OUT.ras [N K SEED]]

Defaults: S5's targets, models/s5_target.ras (doc/validation.md S5): 500 neurons,
4 spikes, seed 5. The rule comparison's models/compare/target.ras
(doc/compare.md) is `make_targets.py compare/target.ras 50 4 7`.
"""
import random
import sys

T0, T1, GAP = 0.020, 0.480, 0.020


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "s5_target.ras"
    n_out, spikes_per, seed = (map(int, sys.argv[2:5]) if len(sys.argv) > 4
                               else (500, 4, 5))
    rng = random.Random(seed)
    spikes = []
    for i in range(n_out):
        while True:
            t = sorted(rng.uniform(T0, T1) for _ in range(spikes_per))
            if all(b - a >= GAP for a, b in zip(t, t[1:])):
                break
        spikes += [(x, i) for x in t]
    spikes.sort()
    with open(out, "w") as f:
        f.write("# targets: %d outputs x %d spikes per 500 ms trial "
                "(models/s5/make_targets.py, seed %d)\n# time [s] id\n"
                % (n_out, spikes_per, seed))
        for t, i in spikes:
            f.write("%.6f %d\n" % (t, i))
    print(f"{out}: {len(spikes)} spikes of {n_out} neurons")


if __name__ == "__main__":
    main()
