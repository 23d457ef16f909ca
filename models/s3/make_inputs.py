#!/usr/bin/env python3
"""Writes the S3 inputs and targets (SCIENCE.md S3, an XOR-like timing task):
models/s3_input.ras and models/s3_target.ras, both with a 2 s period of four
500 ms trials that show the patterns (a, b) = (0,0), (0,1), (1,0), (1,1) in
turn.

The input code (100 inputs in three groups):
  R  neurons  0-29: the time reference: each fires its own frozen burst of
                    3 spikes in [10, 40] ms of every trial;
  A  neurons 30-64: input a: each neuron has two frozen bursts of 3 spikes,
                    one in [100, 150] ms (played when a = 1) and one in
                    [200, 250] ms (played when a = 0);
  B  neurons 65-99: input b, coded like a with its own bursts.
So every trial has the same number of input spikes; only their timing
says which pattern it is, and the class (a XOR b) is not a linear function
of any single group's activity.
Targets: output 0 (class a == b) or output 1 (class a != b) fires at 300,
350 and 400 ms; the other output stays silent. The accuracy of a trial
(class_accuracy) is 1 when the output with the most spikes is the class.
Random times come from Python's Mersenne Twister seeded with 3.

    python3 make_inputs.py [INPUT.ras TARGET.ras]
"""
import random
import sys

TRIAL = 0.5
PATTERNS = [(0, 0), (0, 1), (1, 0), (1, 1)]
R, A, B = range(0, 30), range(30, 65), range(65, 100)


def burst(rng, t0, t1, n=3):
    return sorted(rng.uniform(t0, t1) for _ in range(n))


def main():
    inp = sys.argv[1] if len(sys.argv) > 2 else "s3_input.ras"
    tgt = sys.argv[2] if len(sys.argv) > 2 else "s3_target.ras"
    rng = random.Random(3)
    ref = {i: burst(rng, 0.010, 0.040) for i in R}
    code = {i: {1: burst(rng, 0.100, 0.150), 0: burst(rng, 0.200, 0.250)}
            for i in list(A) + list(B)}
    spikes, targets = [], []
    for k, (a, b) in enumerate(PATTERNS):
        off = k * TRIAL
        for i in R:
            spikes += [(off + t, i) for t in ref[i]]
        for i in A:
            spikes += [(off + t, i) for t in code[i][a]]
        for i in B:
            spikes += [(off + t, i) for t in code[i][b]]
        cls = int(a != b)
        targets += [(off + t, cls) for t in (0.300, 0.350, 0.400)]
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
