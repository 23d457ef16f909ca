# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""SuperSpike on the PyNN backend (pynn_evsnn.SuperSpikeSynapse and
SuperSpikeLearner): S1 written as a PyNN script (bench/pynn/s1_superspike.py)
learns exactly as the model file models/s1_single.ini with the same
settings -- learning.tsv and the recorded trials' rasters byte for byte --
and the learner's errors. Run by tests/pynn_superspike.sh; needs EVSNN and
MODELS (make check sets them).

The reduced run: 400 trials (200 s; 20 s burn-in, r0 divided by 10 after
150 s; the published task has 1,000 trials and 400 s). The model file
replays its pattern with a period (cycle k's spike at k * 0.5 s + t, in
seconds); the PyNN script gives each input its whole spike train in ms
(k * 500 ms + t), which is not always the same double (30 % of the spikes
are an ulp apart), so the model-file run reads the script's spike trains,
the same decimal numbers written in seconds, from an explicit file (period
0). The comparison sees one ulp: with the spike trains converted to
seconds by multiplying by 1e-3 (one ulp off for some spikes) learning.tsv
differs from trial 332 on, with the periodic model file from trial 304 on
(the learning amplifies the differences; both still learn the task)."""

import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "bench", "pynn"))
from s1_superspike import input_times, read_pattern, s1_network  # noqa: E402

import pynn_evsnn as sim  # noqa: E402
from pynn_evsnn._capi import EvsnnError  # noqa: E402

TRIALS = 400
BURN_IN_MS, DECAY_MS = 20000.0, 150000.0
RECORD = (1, 400)


def strip_comments(path):
    with open(path) as f:
        return [line for line in f if not line.startswith("#")]


class S1AsTheModelFile(unittest.TestCase):
    def test_learning_curve_is_the_model_files(self):
        evsnn, models = os.environ.get("EVSNN"), os.environ.get("MODELS")
        if not evsnn or not models:
            self.skipTest("EVSNN and MODELS not set (make check sets them)")
        tmp = tempfile.mkdtemp(prefix="pynn_superspike-")
        pattern_file = os.path.join(models, "s1_input.ras")
        # the script's input spike trains (ms) as a spike file in seconds:
        # the same decimal numbers, exponent shifted
        explicit = os.path.join(tmp, "input.ras")
        trains = input_times(read_pattern(pattern_file), TRIALS)
        with open(explicit, "w") as f:
            for i, ts in enumerate(trains):
                for t in ts:
                    text = repr(t)
                    self.assertNotIn("e", text)
                    f.write("%se-3 %d\n" % (text, i))
        cli = os.path.join(tmp, "cli")
        subprocess.run([
            evsnn, "run", os.path.join(models, "s1_single.ini"), "-q",
            "-o", cli,
            "--set", "simulation.duration=%g s" % (TRIALS * 0.5),
            "--set", "in.file=%s" % explicit, "--set", "in.period=0 s",
            "--set", "superspike.burn_in=%g ms" % BURN_IN_MS,
            "--set", "superspike.r0_decay_time=%g ms" % DECAY_MS,
            "--set", "superspike.record_trials=%s" % ", ".join(
                str(n) for n in RECORD)], check=True)

        mine = os.path.join(tmp, "pynn")
        learner, _ = s1_network(sim, TRIALS, pattern_file, folder=mine,
                                burn_in=BURN_IN_MS, r0_decay_time=DECAY_MS,
                                record_trials=RECORD)
        with open(os.path.join(cli, "learning.tsv"), "rb") as f:
            want = f.read()
        with open(os.path.join(mine, "learning.tsv"), "rb") as f:
            got = f.read()
        self.assertEqual(got, want)
        rows = want.decode().splitlines()[1:]
        self.assertEqual(len(rows), TRIALS)
        # learning took place: r0 0 in the burn-in, 1 mV, then 0.1 mV, and
        # the last trials fire the 5 targets
        r0 = [float(r.split("\t")[5]) for r in rows]
        self.assertEqual(r0[0], 0.0)
        self.assertEqual(r0[100], 1e-3)
        self.assertEqual(r0[-1], 1e-4)
        self.assertEqual([r.split("\t")[2] for r in rows[-10:]], ["5"] * 10)
        # the recorded trials' output spikes, neuron by neuron
        for n in RECORD:
            self.assertEqual(
                strip_comments(os.path.join(mine, "p1_out_trial%d.ras" % n)),
                strip_comments(os.path.join(cli, "out_trial%d.ras" % n)))
        # learning_curve() is learning.tsv in PyNN's units
        c = learner.learning_curve()
        cols = list(zip(*[r.split("\t") for r in rows]))
        np.testing.assert_array_equal(c["trial"], np.arange(1, TRIALS + 1))
        np.testing.assert_array_equal(c["loss"], np.asarray(cols[1], float))
        np.testing.assert_array_equal(c["spikes"], np.asarray(cols[2], int))
        np.testing.assert_allclose(c["t_end"], np.arange(1, TRIALS + 1) *
                                   500.0, rtol=1e-12)
        np.testing.assert_allclose(c["r0"], np.asarray(cols[5], float) * 1e3,
                                   rtol=1e-15)


class Errors(unittest.TestCase):
    def setUp(self):
        sim.setup(timestep=0.1, min_delay=0.1)

    def tearDown(self):
        sim.end()

    def pops(self, celltype=None):
        a = sim.Population(2, sim.SpikeSourceArray(spike_times=[1.0]))
        b = sim.Population(1, celltype or sim.IF_curr_exp())
        return a, b

    def test_weights_are_psp_amplitudes_in_mV(self):
        """Two input spikes through SuperSpikeSynapse weights of 2 mV onto
        an IF_curr_exp (tau_m 10 ms, tau_syn 5 ms): each adds the PSP
        2 mV (e^(-t/10) - e^(-t/5)) (evsnn's voltage weights), which peaks
        at 0.5 mV after 10 ln 2 ms; weights are floats (24 bits)."""
        a, b = self.pops(sim.IF_curr_exp(tau_m=10.0, tau_syn_E=5.0,
                                         v_rest=-60.0, v_thresh=-40.0))
        b.initialize(v=-60.0)
        prj = sim.Projection(a, b, sim.AllToAllConnector(),
                             sim.SuperSpikeSynapse(weight=2.0, delay=1.0))
        sim.SuperSpikeLearner(b, [50.0], trial=100.0)
        b.record("v", sampling_interval=0.01)
        sim.run(30.0)
        np.testing.assert_allclose(prj.get("weight", format="array"),
                                   [[2.0], [2.0]], rtol=1e-7)
        v = b.get_data().segments[0].analogsignals[0].magnitude[:, 0]
        t = np.arange(len(v)) * 0.01 - 2.0  # the spike arrives at 2 ms
        expect = -60.0 + 2 * 2.0 * (np.exp(-np.maximum(t, 0) / 10.0) -
                                    np.exp(-np.maximum(t, 0) / 5.0))
        self.assertLess(np.max(np.abs(v - expect)), 1e-6)
        self.assertAlmostEqual(float(v.max()), -60.0 + 2 * 0.5, places=6)

    def test_post_must_be_exact(self):
        """Onto a conductance cell the voltage weights are refused; onto
        Izhikevich (voltage weights, clocked) the learner refuses."""
        a, b = self.pops(sim.IF_cond_exp())
        sim.Projection(a, b, sim.AllToAllConnector(),
                       sim.SuperSpikeSynapse(weight=1.0, delay=1.0))
        sim.SuperSpikeLearner(b, [10.0], trial=100.0)
        with self.assertRaisesRegex(EvsnnError, "IF_cond_exp does not take "
                                    "weights of dimension voltage"):
            sim.run(1.0)
        sim.setup(timestep=0.1, min_delay=0.1)
        a, b = self.pops(sim.Izhikevich())
        sim.Projection(a, b, sim.AllToAllConnector(),
                       sim.SuperSpikeSynapse(weight=1.0, delay=1.0))
        sim.SuperSpikeLearner(b, [10.0], trial=100.0)
        with self.assertRaisesRegex(EvsnnError, "an exact type"):
            sim.run(1.0)

    def test_one_learner(self):
        a, b = self.pops()
        sim.SuperSpikeLearner(b, [10.0], trial=100.0)
        with self.assertRaises(NotImplementedError):
            sim.SuperSpikeLearner(b, [10.0], trial=100.0)

    def test_targets_per_neuron_and_values(self):
        a, b = self.pops()
        with self.assertRaisesRegex(ValueError, "2 target spike trains"):
            sim.SuperSpikeLearner(b, [[10.0], [20.0]], trial=100.0)
        with self.assertRaisesRegex(ValueError, "feedback"):
            sim.SuperSpikeLearner(b, [10.0], feedback="mirror")
        with self.assertRaises(TypeError):
            sim.SuperSpikeLearner(b, [10.0], learning_rate=1.0)

    def test_curve_between_runs_and_after_the_run_ends(self):
        a, b = self.pops()
        sim.Projection(a, b, sim.AllToAllConnector(),
                       sim.SuperSpikeSynapse(weight=1.0, delay=1.0))
        learner = sim.SuperSpikeLearner(b, [10.0], trial=100.0)
        with self.assertRaises(RuntimeError):  # nothing ran yet
            learner.learning_curve()
        sim.run(250.0)
        between = learner.learning_curve()  # the trials ended so far
        np.testing.assert_array_equal(between["trial"], [1, 2])
        sim.reset()  # ends the segment's run
        c = learner.learning_curve()
        np.testing.assert_array_equal(c["trial"], [1, 2])
        np.testing.assert_allclose(c["t_end"], [100.0, 200.0])
        for key in c:
            np.testing.assert_array_equal(between[key], c[key])

    def test_engine_checks_values(self):
        """trial not a whole number of dt: evsnn's message."""
        a, b = self.pops()
        sim.Projection(a, b, sim.AllToAllConnector(),
                       sim.SuperSpikeSynapse(weight=1.0, delay=1.0))
        sim.SuperSpikeLearner(b, [10.0], trial=100.05, dt=0.1)
        with self.assertRaisesRegex(EvsnnError, "whole number of dt"):
            sim.run(1.0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
