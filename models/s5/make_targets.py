#!/usr/bin/env python3
"""Writes the S5 targets, models/s5_target.ras (SCIENCE.md S5): each of 500
output neurons gets its own train of 4 spikes per 500 ms trial, at times
drawn uniformly in [20, 480] ms at least 20 ms apart (rejection sampling,
Python's Mersenne Twister seeded with 5: the file is reproducible).

    python3 make_targets.py [OUT.ras]
"""
import random
import sys

N_OUT, SPIKES, T0, T1, GAP = 500, 4, 0.020, 0.480, 0.020


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "s5_target.ras"
    rng = random.Random(5)
    spikes = []
    for i in range(N_OUT):
        while True:
            t = sorted(rng.uniform(T0, T1) for _ in range(SPIKES))
            if all(b - a >= GAP for a, b in zip(t, t[1:])):
                break
        spikes += [(x, i) for x in t]
    spikes.sort()
    with open(out, "w") as f:
        f.write("# S5 targets: %d outputs x %d spikes per 500 ms trial "
                "(models/s5/make_targets.py)\n# time [s] id\n" % (N_OUT, SPIKES))
        for t, i in spikes:
            f.write("%.6f %d\n" % (t, i))
    print(f"{out}: {len(spikes)} spikes of {N_OUT} neurons")


if __name__ == "__main__":
    main()
