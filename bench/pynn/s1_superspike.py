# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""S1 (doc/validation.md, Part 2) as a PyNN script on pynn_evsnn: one
IF_curr_exp neuron learns, with SuperSpike, to fire at 83, 166, 250, 333
and 416 ms of every 500 ms trial, driven by 100 inputs that replay one
frozen Poisson pattern (models/s1_input.ras) every trial. The same network
as models/s1_single.ini, written as a PyNN user would: the pattern's spike
times repeated trial by trial as one spike train per input, the targets
as spike times of one trial.

    /usr/bin/python3 s1_superspike.py [TRIALS [FOLDER]]

runs TRIALS trials (1,000: the published task) and prints S1's
acceptance: in >= 90 % of the last 100 trials exactly 5 spikes, each
within +-2 ms of its target, and the loss down >= 10x. FOLDER keeps the
learner's files (learning.tsv, ...)."""

import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "..", "..", "models")
TARGETS_MS = [83.0, 166.0, 250.0, 333.0, 416.0]
TRIAL_MS = 500.0


def read_pattern(path):
    """The frozen pattern of a .ras file ('time id', s): per input neuron,
    its spike times in ms within one trial."""
    times = [[] for _ in range(100)]
    with open(path) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                t, i = line.split()
                times[int(i)].append(float(t) * 1000.0)
    return times


def input_times(pattern, trials):
    """Each input's spike train over trials trials: the pattern every
    TRIAL_MS (ms)."""
    return [[k * TRIAL_MS + t for k in range(trials) for t in ts]
            for ts in pattern]


def s1_network(sim, trials, pattern_file=None, folder=None, burn_in=20000.0,
               r0_decay_time=400000.0, record_trials=(1, 41, 1000),
               threads=1):
    """Builds and runs S1 for trials trials on pynn_evsnn; returns the
    learner (its learning_curve() after the run) and the run time (s)."""
    pattern = read_pattern(pattern_file or
                           os.path.join(MODELS, "s1_input.ras"))
    sim.setup(timestep=0.1, min_delay=0.1, threads=threads)
    inp = sim.Population(100, sim.SpikeSourceArray(
        spike_times=[sim.Sequence(t) for t in input_times(pattern, trials)]),
        label="in")
    out = sim.Population(1, sim.IF_curr_exp(
        tau_m=10.0, tau_syn_E=5.0, tau_syn_I=5.0, tau_refrac=5.0,
        v_rest=-60.0, v_reset=-60.0, v_thresh=-50.0), label="out",
        initial_values={"v": -60.0})
    # weights are PSP amplitudes (mV): sd 50 mV / sqrt(100 inputs)
    w0 = sim.RandomDistribution("normal", mu=0.0, sigma=5.0,
                                rng=sim.NumpyRNG(seed=1))
    sim.Projection(inp, out, sim.AllToAllConnector(),
                   sim.SuperSpikeSynapse(weight=w0, delay=0.8))
    learner = sim.SuperSpikeLearner(
        out, target_spike_times=TARGETS_MS, trial=TRIAL_MS, dt=0.1,
        update=500.0, r0=1.0, r0_decay_time=r0_decay_time, burn_in=burn_in,
        record_trials=[n for n in record_trials if n <= trials],
        folder=folder)
    t0 = time.perf_counter()
    sim.run(trials * TRIAL_MS)
    sim.end()
    return learner, time.perf_counter() - t0


if __name__ == "__main__":
    import numpy as np
    import pynn_evsnn
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    folder = sys.argv[2] if len(sys.argv) > 2 else None
    learner, run_s = s1_network(pynn_evsnn, trials, folder=folder)
    c = learner.learning_curve()
    last = slice(max(0, len(c["loss"]) - 100), None)
    acc, loss = float(np.mean(c["accuracy"][last])), \
        float(np.mean(c["loss"][last]))
    print("S1 on pynn_evsnn: %d trials in %.1f s; accuracy over the last "
          "100 trials %.2f, loss %.4g -> %.4g (%.0fx down)"
          % (len(c["trial"]), run_s, acc, c["loss"][0], loss,
             c["loss"][0] / loss))
    ok = acc >= 0.9 and loss <= c["loss"][0] / 10
    print("acceptance (>= 0.9, >= 10x): %s" % ("met" if ok else "NOT met"))
    sys.exit(0 if ok else 1)
