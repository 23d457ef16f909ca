#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Writes the S3 inputs and targets (doc/validation.md S3, an XOR-like task):
models/s3_input.ras and models/s3_target.ras, both with a 2 s period of four
500 ms trials that show the patterns (a, b) = (0,0), (0,1), (1,0), (1,1) in
turn.

The input code (100 inputs in three groups; every spike train is frozen,
the same each time it is played):
  R  neurons  0-29: the time reference: each fires its own burst of 3
                    spikes in [10, 40] ms of every trial;
  A  neurons 30-64: input a: neurons 30-46 (A1) fire their bursts of 3
                    spikes in [100, 150] ms when a = 1, neurons 47-64 (A0)
                    when a = 0;
  B  neurons 65-99: input b, coded like a (B1: 65-81, B0: 82-99).
So every trial has about the same number of input spikes at the same times;
which neurons carry them says the pattern, and the class (a XOR b) is not a
linear function of the inputs' activity.
Targets: output 0 (class a == b) or output 1 (class a != b) fires at 130,
150 and 170 ms, while the bursts drive the network (a neuron without memory
cannot answer later); the other output stays silent. The accuracy of a trial
(class_accuracy) is 1 when the output with the most spikes is the class.
Random times come from Python's Mersenne Twister seeded with 3.

    python3 make_inputs.py [INPUT.ras TARGET.ras]
"""
import random
import sys

TRIAL = 0.5
PATTERNS = [(0, 0), (0, 1), (1, 0), (1, 1)]
R = range(0, 30)
A1, A0, B1, B0 = range(30, 47), range(47, 65), range(65, 82), range(82, 100)
TARGETS = (0.130, 0.150, 0.170)


def burst(rng, t0, t1, n=3):
    return sorted(rng.uniform(t0, t1) for _ in range(n))


def main():
    inp = sys.argv[1] if len(sys.argv) > 2 else "s3_input.ras"
    tgt = sys.argv[2] if len(sys.argv) > 2 else "s3_target.ras"
    rng = random.Random(3)
    times = {i: burst(rng, 0.010, 0.040) for i in R}
    for i in list(A1) + list(A0) + list(B1) + list(B0):
        times[i] = burst(rng, 0.100, 0.150)
    spikes, targets = [], []
    for k, (a, b) in enumerate(PATTERNS):
        off = k * TRIAL
        active = list(R) + list(A1 if a else A0) + list(B1 if b else B0)
        for i in active:
            spikes += [(off + t, i) for t in times[i]]
        cls = int(a != b)
        targets += [(off + t, cls) for t in TARGETS]
    for path, rows, what in ((inp, spikes, "inputs"), (tgt, targets, "targets")):
        with open(path, "w") as f:
            f.write("# S3 %s: patterns (0,0) (0,1) (1,0) (1,1), 500 ms each, "
                    "2 s period (models/s3/make_inputs.py)\n# time [s] id\n"
                    % what)
            for t, i in sorted(rows):
                f.write("%.6f %d\n" % (t, i))
        print(f"{path}: {len(rows)} spikes")


if __name__ == "__main__":
    main()
