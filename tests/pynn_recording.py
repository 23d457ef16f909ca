# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Unit tests of pynn_evsnn's recording between runs, with known answers:
every spike before a run's end is in get_data() when run() returns (the
closed-form spike times of a neuron driven by a constant current), and
record() called between runs records from then on exactly what a recording
from the start holds from then on (the same run recorded from t = 0, cut
there). Run by tests/pynn_recording.sh."""

import math
import unittest

import numpy as np
import quantities as pq

import pynn_evsnn as sim


def closed_form_spikes(t_end, tau_m, cm, i_offset, v_rest, v_thresh, v_reset,
                       tau_refrac, v0):
    """The spike times (ms) before t_end of a leaky membrane (tau_m ms, cm
    nF) driven by i_offset nA alone from v0: the time to go from v to
    v_thresh towards v_inf = v_rest + R I is tau_m ln((v_inf - v) /
    (v_inf - v_thresh)); after a spike v_reset for tau_refrac."""
    v_inf = v_rest + tau_m / cm * i_offset
    out, t, v = [], 0.0, v0
    while True:
        t += tau_m * math.log((v_inf - v) / (v_inf - v_thresh))
        if t >= t_end:
            return out
        out.append(t)
        t += tau_refrac
        v = v_reset


class PhaseEnd(unittest.TestCase):
    """get_data() right after run(T) holds every spike before T, also the
    ones an exact population found in its window still open at T."""

    PARAMS = dict(tau_m=20.0, cm=1.0, i_offset=1.0, v_rest=-65.0,
                  v_thresh=-50.0, v_reset=-70.0, tau_refrac=2.0)

    def check_cell(self, celltype):
        want = closed_form_spikes(170.0, v0=-65.0, **self.PARAMS)
        self.assertEqual(len(want), 5)  # 27.73, 61.92, 96.11, 130.30, 164.49
        sim.setup(timestep=0.1, min_delay=0.1)
        try:
            n = sim.Population(1, celltype(**self.PARAMS),
                               initial_values={"v": -65.0})
            # a 5 ms delay out of n: its window is 5 ms, so each run below
            # ends inside the window that finds the last spike
            dummy = sim.Population(1, sim.IF_curr_exp())
            sim.Projection(n, dummy, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=0.01, delay=5.0))
            n.record("spikes")
            for k, t in enumerate(want):
                sim.run_until(t - 0.01)  # not yet
                self.assertEqual(
                    len(n.get_data().segments[0].spiketrains[0]), k)
                sim.run_until(t + 0.01)
                got = n.get_data().segments[0].spiketrains[0]
                self.assertEqual(float(got.t_stop.rescale(pq.ms)),
                                 t + 0.01)
                self.assertEqual(len(got), k + 1, "%s after run_until(%g)"
                                 % (celltype.__name__, t + 0.01))
                self.assertLess(np.max(np.abs(got.magnitude - want[:k + 1])),
                                1e-7)
            sim.run_until(170.0)
            got = n.get_data().segments[0].spiketrains[0].magnitude
            self.assertEqual(len(got), len(want))  # each once
            self.assertLess(np.max(np.abs(got - want)), 1e-7)
        finally:
            sim.end()

    def test_exact_cells(self):
        self.check_cell(sim.IF_curr_exp)
        self.check_cell(sim.IF_curr_alpha)


def late_net(celltype, variables, late, t_late, threads, interval=0.5):
    """A Poisson input onto 10 cells of celltype, recording variables
    (spikes among them) from the start (late False) or from t_late on, run
    to 100 ms in two runs; returns {variable: AnalogSignal} and the spike
    trains."""
    sim.setup(timestep=0.1, min_delay=0.1, threads=threads)
    try:
        src = sim.Population(30, sim.SpikeSourcePoisson(rate=80.0))
        n = sim.Population(10, celltype(), initial_values={"v": -60.0})
        w = 0.5 if celltype is sim.IF_curr_exp else 0.01
        sim.Projection(src, n, sim.FixedProbabilityConnector(
            0.3, rng=sim.NumpyRNG(seed=3)),
            sim.StaticSynapse(weight=w, delay=1.0))
        sim.Projection(n, n, sim.FixedProbabilityConnector(
            0.2, rng=sim.NumpyRNG(seed=3)),
            sim.StaticSynapse(weight=w, delay=1.5))
        if not late:
            n.record(variables, sampling_interval=interval)
        sim.run(t_late)
        if late:
            n.record(variables, sampling_interval=interval)
        sim.run(100.0 - t_late)
        seg = n.get_data().segments[0]
        return ({s.name: s for s in seg.analogsignals},
                list(seg.spiketrains))
    finally:
        sim.end()


class LateRecord(unittest.TestCase):
    """record() between runs: the data from the time it was called on,
    equal to the same run recorded from t = 0 cut there."""

    def compare(self, celltype, variables, t_late, threads, tol=0.0):
        """tol: the largest difference of a sample (in its unit) and of a
        spike time (ms) allowed."""
        ref, ref_spikes = late_net(celltype, variables, False, t_late, 1)
        sigs, spikes = late_net(celltype, variables, True, t_late, threads)
        what = "%s, %s from %g ms, %d threads" % (
            celltype.__name__, variables, t_late, threads)
        first = math.ceil(t_late / 0.5 - 1e-9) * 0.5  # the first sample
        self.assertEqual(set(sigs), set(variables) - {"spikes"}, what)
        for var, sig in sigs.items():
            self.assertAlmostEqual(float(sig.t_start.rescale(pq.ms)), first,
                                   delta=1e-9, msg=what)
            times = ref[var].times.rescale(pq.ms).magnitude
            keep = times >= t_late
            self.assertTrue(np.allclose(sig.times.rescale(pq.ms).magnitude,
                                        times[keep], rtol=0, atol=1e-9), what)
            self.assertLessEqual(
                np.max(np.abs(sig.magnitude - ref[var].magnitude[keep])),
                tol, "%s: %s" % (what, var))
            self.assertGreater(np.ptp(sig.magnitude), 0, what)
        n_late = 0
        for st, st_ref in zip(spikes, ref_spikes):
            t = st_ref.magnitude
            t = t[t >= t_late]
            self.assertEqual(len(st), len(t), what)
            self.assertLessEqual(np.max(np.abs(st.magnitude - t), initial=0),
                                 tol, what)
            self.assertEqual(float(st.t_start.rescale(pq.ms)), t_late, what)
            n_late += len(st)
        self.assertGreater(n_late, 10, what)
        # the reference has spikes before t_late that the late one lacks
        self.assertGreater(sum(len(s) for s in ref_spikes), n_late, what)

    def test_current_based_exact_cell(self):
        """An exact cell's samples advance its neurons to the sample times,
        where their crossing searches then restart: a run sampled from
        t = 0 takes other (equally exact) steps than one sampled from
        t_late, so the two agree to rounding (1e-14 mV measured), not bit
        for bit; 1e-9 is far below any sample misplaced in time."""
        for threads in (1, 2):
            self.compare(sim.IF_curr_exp, ["spikes", "v", "isyn_exc"], 33.3,
                         threads, tol=1e-9)
        # record() at a sample's time: that sample is the first
        self.compare(sim.IF_curr_exp, ["v", "spikes"], 40.0, 1, tol=1e-9)

    def test_conductance_based_clocked_cell(self):
        for threads in (1, 2):
            self.compare(sim.IF_cond_exp, ["spikes", "v", "gsyn_exc"], 33.3,
                         threads)

    def test_stop_and_restart_and_refusals(self):
        """record(None) between runs stops the recording; a later record()
        starts it again from then; more neurons for a variable sampled
        already are refused (a Neo signal has one time axis)."""
        sim.setup(timestep=0.1)
        try:
            n = sim.Population(4, sim.IF_curr_exp(i_offset=1.0))
            n.record("v", sampling_interval=1.0)
            sim.run(10.0)
            n.record(None)
            sim.run(10.0)
            self.assertEqual(n.get_data().segments[0].analogsignals, [])
            n.record("v", sampling_interval=1.0)
            sim.run(10.5)
            sig = n.get_data().segments[0].analogsignals[0]
            self.assertEqual(float(sig.t_start.rescale(pq.ms)), 20.0)
            self.assertEqual(sig.shape, (11, 4))  # 20, 21, ..., 30 ms
            n[0:2].record("isyn_exc", sampling_interval=1.0)
            sim.run(2.0)
            with self.assertRaises(NotImplementedError):
                n[2:4].record("isyn_exc")  # after its first sample
            with self.assertRaises(ValueError):  # PyNN's own check
                n.record("isyn_inh", sampling_interval=2.0)
            n.record(None)  # and its sample event still pending:
            with self.assertRaises(NotImplementedError):
                n.record("v", sampling_interval=2.0)
        finally:
            sim.end()


def superspike_run(ends, folder):
    """A SuperSpike network (20 Poisson inputs onto one IF_curr_exp that
    learns spikes at 20 and 40 ms of every 50 ms trial) run to ends[-1] in
    runs ending at ends; returns the learning curve after each run, then
    after end()."""
    import tempfile
    sim.setup(timestep=0.1, min_delay=0.1, rng_seed=4)
    curves = []
    try:
        inp = sim.Population(20, sim.SpikeSourcePoisson(rate=50.0))
        out = sim.Population(1, sim.IF_curr_exp(
            tau_m=10.0, tau_syn_E=5.0, tau_refrac=5.0, v_rest=-60.0,
            v_reset=-60.0, v_thresh=-50.0), initial_values={"v": -60.0})
        sim.Projection(inp, out, sim.AllToAllConnector(),
                       sim.SuperSpikeSynapse(weight=3.0, delay=0.8))
        learner = sim.SuperSpikeLearner(
            out, target_spike_times=[20.0, 40.0], trial=50.0, update=25.0,
            burn_in=0.0, r0=1.0,
            folder=tempfile.mkdtemp(prefix="pynn_recording-", dir=folder))
        for t in ends:
            sim.run_until(t)
            curves.append(learner.learning_curve())
    finally:
        sim.end()
    curves.append(learner.learning_curve())
    return curves


class SuperSpikeCurve(unittest.TestCase):
    def test_learning_curve_between_runs(self):
        """Between runs learning_curve() holds the trials that ended before
        the current time (a trial ending at it comes with the next run),
        each row as learning.tsv holds it at the end; runs in phases learn
        as one run."""
        import tempfile
        tmp = tempfile.mkdtemp(prefix="pynn_recording-")
        one = superspike_run([260.0], tmp)[-1]
        curves = superspike_run([120.0, 150.0, 260.0], tmp)
        final = curves[-1]
        self.assertEqual(list(final["trial"]), [1, 2, 3, 4, 5])
        self.assertEqual(list(final["t_end"]), [50.0, 100.0, 150.0, 200.0,
                                                250.0])
        self.assertGreater(np.ptp(final["loss"]), 0)  # it learns
        for key in final:
            self.assertTrue(np.array_equal(final[key], one[key]), key)
        for curve, n in zip(curves[:-1], (2, 2, 5)):
            self.assertEqual(len(curve["trial"]), n)
            for key in final:
                self.assertTrue(np.array_equal(curve[key], final[key][:n]),
                                key)


if __name__ == "__main__":
    unittest.main(verbosity=2)
