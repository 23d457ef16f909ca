# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Unit tests of the PyNN backend pynn_evsnn with known answers: PSPs of
IF_curr_exp and IF_curr_alpha against their closed forms, current sources,
synaptic recordings, the C API's layout, connector counts against their
definitions, seeds and weights. Run by tests/pynn_units.sh; the rest of
the backend's known answers are in pynn_phases.py and pynn_params.py."""

import math
import os
import tempfile
import unittest

import numpy as np
import quantities as pq
from pyNN import errors

import pynn_evsnn as sim

from pynn_known import psp, Base


class PSP(Base):
    def test_psp_against_closed_form(self):
        """A SpikeSourceArray spike at 10 ms through a 1.5 ms delay: the
        trace, sampled every 0.05 ms, is the closed form to 1e-6 mV."""
        w, cm, tau_m, tau_s, v0 = 0.5, 0.25, 20.0, 5.0, -65.0
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
        n = sim.Population(1, sim.IF_curr_exp(
            cm=cm, tau_m=tau_m, tau_syn_E=tau_s, v_rest=v0, v_thresh=-40.0),
            initial_values={"v": v0})
        sim.Projection(src, n, sim.OneToOneConnector(),
                       sim.StaticSynapse(weight=w, delay=1.5))
        n.record("v", sampling_interval=0.05)
        sim.run(60.0)
        sig = n.get_data().segments[0].analogsignals[0]
        self.assertEqual(sig.units, pq.mV)
        self.assertEqual(sig.shape, (1200, 1))
        t = sig.times.rescale(pq.ms).magnitude
        v = sig.magnitude[:, 0]
        expect = v0 + psp(t - 11.5, w, cm, tau_m, tau_s)
        self.assertLess(np.max(np.abs(v - expect)), 1e-6)
        t_peak = 11.5 + math.log(tau_m / tau_s) * tau_m * tau_s / (
            tau_m - tau_s)
        peak = v0 + psp(t_peak - 11.5, w, cm, tau_m, tau_s)
        self.assertAlmostEqual(float(np.max(v)), peak, delta=1e-3)

    def test_inhibitory_psp_is_negative(self):
        """A negative current weight on the inhibitory receptor: the mirror
        image of the excitatory PSP with tau_syn_I."""
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        n = sim.Population(1, sim.IF_curr_exp(tau_syn_I=10.0, v_rest=-65.0),
                           initial_values={"v": -65.0})
        sim.Projection(src, n, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-1.0, delay=1.0),
                       receptor_type="inhibitory")
        n.record("v")
        sim.run(40.0)
        sig = n.get_data().segments[0].analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude
        expect = -65.0 + psp(t - 6.0, -1.0, 1.0, 20.0, 10.0)
        self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)), 1e-6)


def alpha_psp(t, w, cm, tau_m, tau_s):
    """Closed form: the voltage (mV) t ms after an alpha current
    w (e/tau_s) t e^{-t/tau_s} (nA, peak w at tau_s) on a leaky membrane
    (cm nF, tau_m ms) at rest: (1/cm) times its convolution with
    e^{-t/tau_m}."""
    t = np.maximum(t, 0.0)
    g = 1.0 / tau_s - 1.0 / tau_m
    return w * math.e / (cm * tau_s) * (
        np.exp(-t / tau_m) - np.exp(-t / tau_s) * (1 + g * t)) / g ** 2


class AlphaPSP(Base):
    def test_alpha_psp_against_closed_form(self):
        """IF_curr_alpha: an excitatory and a later inhibitory spike; the
        trace is the sum of the closed forms to 1e-6 mV; a larger weight
        drives a second population's neuron over threshold where the
        closed form crosses (to the 10 us grid of the scan)."""
        cm, tau_m, te, ti, v0 = 0.25, 20.0, 2.0, 4.0, -65.0
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
        inh = sim.Population(1, sim.SpikeSourceArray(spike_times=[20.0]))
        params = dict(cm=cm, tau_m=tau_m, tau_syn_E=te, tau_syn_I=ti,
                      v_rest=v0, v_thresh=-50.0)
        n = sim.Population(1, sim.IF_curr_alpha(**params),
                           initial_values={"v": v0})
        m = sim.Population(1, sim.IF_curr_alpha(**params),
                           initial_values={"v": v0})
        sim.Projection(src, n, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.5, delay=1.5))
        sim.Projection(inh, n, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=-0.3, delay=1.0),
                       receptor_type="inhibitory")
        sim.Projection(src, m, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=1.2, delay=1.5))
        n.record(["v", "spikes"], sampling_interval=0.05)
        m.record("spikes")
        sim.run(60.0)
        seg = n.get_data().segments[0]
        sig = seg.analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude
        expect = v0 + alpha_psp(t - 11.5, 0.5, cm, tau_m, te) + \
            alpha_psp(t - 21.0, -0.3, cm, tau_m, ti)
        self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)), 1e-6)
        self.assertEqual(len(seg.spiketrains[0]), 0)
        # m crosses where v0 + alpha_psp(s, 1.2, ...) = -50 mV first
        s = np.linspace(0, 10, 1000001)
        cross = 11.5 + s[np.argmax(v0 + alpha_psp(s, 1.2, cm, tau_m, te)
                                   >= -50.0)]
        st = m.get_data().segments[0].spiketrains[0].rescale(pq.ms).magnitude
        self.assertEqual(len(st), 1)
        self.assertAlmostEqual(float(st[0]), cross, delta=2e-5)


def steps_response(t, changes, r_m, tau_m):
    """Closed form: the voltage (mV, from rest) at t of a leaky membrane
    (R r_m MOhm, tau_m ms) under a current that changes by dI (nA) at each
    (t_k, dI) of changes: the sum of R dI (1 - e^{-(t - t_k)/tau_m})."""
    v = np.zeros_like(t)
    for tk, di in changes:
        s = t - tk
        v += np.where(s > 0, r_m * di * (1 - np.exp(-np.maximum(s, 0)
                                                   / tau_m)), 0.0)
    return v


class CurrentSources(Base):
    def test_dc_and_step_sources_on_exact_cells(self):
        """A DCSource into neuron 0 (through a view), a StepCurrentSource
        into both (inject_into): on IF_curr_exp and IF_curr_alpha, v is the
        closed form of the summed current to 1e-6 mV, changes at their
        exact (off-grid) times."""
        cm, tau_m, v0 = 0.5, 20.0, -65.0
        pops = [sim.Population(2, cell(cm=cm, tau_m=tau_m, v_rest=v0,
                                       v_thresh=0.0),
                               initial_values={"v": v0})
                for cell in (sim.IF_curr_exp, sim.IF_curr_alpha)]
        dc = sim.DCSource(amplitude=0.5, start=10.0, stop=50.0)
        step = sim.StepCurrentSource(times=[5.0, 20.03, 61.0],
                                     amplitudes=[0.2, -0.1, 0.3])
        for p in pops:
            p[0:1].inject(dc)
            step.inject_into(p)
            p.record("v", sampling_interval=0.1)
        sim.run(80.0)
        step_changes = [(5.0, 0.2), (20.03, -0.3), (61.0, 0.4)]
        r_m = tau_m / cm
        for p in pops:
            sig = p.get_data().segments[0].analogsignals[0]
            t = sig.times.rescale(pq.ms).magnitude
            both = v0 + steps_response(
                t, step_changes + [(10.0, 0.5), (50.0, -0.5)], r_m, tau_m)
            only_step = v0 + steps_response(t, step_changes, r_m, tau_m)
            self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - both)), 1e-6)
            self.assertLess(np.max(np.abs(sig.magnitude[:, 1] - only_step)),
                            1e-6)
        self.assertAlmostEqual(dc.amplitude, 0.5)
        self.assertEqual(list(step.times.value), [5.0, 20.03, 61.0])

    def test_ac_source_on_a_clocked_cell(self):
        """An ACSource into a passive IF_cond_exp membrane (no synapses:
        linear): the clocked cell holds the sine's value over each 0.1 ms
        step, which moves the input by at most A 2 pi f dt, so v lies within
        R A 2 pi f dt of the closed form of the continuous sine's response
        (transient included); a mistaken unit of frequency or phase would be
        off by millivolts."""
        cm, tau_m, v0, dt = 0.5, 20.0, -65.0, 0.1
        amp, off, f, phase, start = 0.5, 0.1, 20.0, 30.0, 5.0
        p = sim.Population(1, sim.IF_cond_exp(cm=cm, tau_m=tau_m, v_rest=v0,
                                              v_thresh=0.0),
                           initial_values={"v": v0})
        ac = sim.ACSource(amplitude=amp, offset=off, frequency=f, phase=phase,
                          start=start, stop=1e12)
        ac.inject_into(p)
        p.record("v", sampling_interval=0.1)
        sim.run(150.0)
        sig = p.get_data().segments[0].analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude
        r_m, w = tau_m / cm, 2 * math.pi * f * 1e-3  # rad/ms
        s, ph = np.maximum(t - start, 0.0), math.radians(phase)
        wt = w * tau_m
        resp = r_m * off * (1 - np.exp(-s / tau_m)) + r_m * amp / (
            1 + wt ** 2) * (np.sin(w * s + ph) - wt * np.cos(w * s + ph) -
                            (math.sin(ph) - wt * math.cos(ph)) *
                            np.exp(-s / tau_m))
        expect = v0 + np.where(t > start, resp, 0.0)
        bound = r_m * amp * w * dt
        err = np.max(np.abs(sig.magnitude[:, 0] - expect))
        self.assertLess(err, bound)
        self.assertGreater(np.ptp(sig.magnitude[:, 0]), 20 * bound)

    def test_recorded_sources(self):
        """source.record(): every 0.1 ms the current each source injects in
        the instant before the sample time (nA): a DCSource's and a
        StepCurrentSource's values on an exact cell by their definitions
        (changes off the sample grid); an ACSource's on a clocked cell, the
        sine at the step that drives the interval ending at the sample (or
        at the sample's own step: sample and step times may straddle in
        floating point); a NoisyCurrentSource's, one value for each of its
        400 intervals of 1 ms, with mean and sd within 5 standard
        errors."""
        a = sim.Population(1, sim.IF_curr_exp(v_thresh=0.0))
        b = sim.Population(1, sim.IF_cond_exp(v_thresh=0.0))
        dc = sim.DCSource(amplitude=0.4, start=5.05, stop=15.05)
        step = sim.StepCurrentSource(times=[2.03, 7.05, 12.07],
                                     amplitudes=[0.3, -0.2, 0.1])
        ac = sim.ACSource(amplitude=0.5, offset=0.1, frequency=50.0,
                          phase=90.0, start=3.0, stop=17.0)
        noisy = sim.NoisyCurrentSource(mean=0.2, stdev=0.3, dt=1.0,
                                       start=0.0, stop=400.0)
        for src, pop in ((dc, a), (step, a), (ac, b), (noisy, b)):
            src.inject_into(pop)
            src.record()
        sim.run(400.0)
        sig = {}
        for name, src in (("dc", dc), ("step", step), ("ac", ac),
                          ("noisy", noisy)):
            x = src.get_data()
            self.assertEqual(x.units, pq.nA)
            self.assertAlmostEqual(float(x.sampling_period.rescale(pq.ms)),
                                   0.1)
            sig[name] = x.magnitude.reshape(-1)
        t = np.arange(len(sig["dc"])) * 0.1
        self.assertEqual(len(t), 4000)
        # (nA to A and back: rounding)
        np.testing.assert_allclose(
            sig["dc"], np.where((t > 5.05) & (t < 15.05), 0.4, 0.0), rtol=0,
            atol=1e-12)
        want = np.select([t > 12.07, t > 7.05, t > 2.03], [0.1, -0.2, 0.3],
                         0.0)
        np.testing.assert_allclose(sig["step"], want, rtol=0, atol=1e-12)

        def ac_at(tc):  # the value set at step time tc
            on = (tc > 3.0 - 1e-9) & (tc < 17.0 - 1e-9)
            return np.where(on, 0.1 + 0.5 * np.sin(
                2 * np.pi * 50.0 * (tc - 3.0) * 1e-3 + np.pi / 2), 0.0)
        err = np.minimum(np.abs(sig["ac"] - ac_at(t - 0.1)),
                         np.abs(sig["ac"] - ac_at(t)))
        self.assertLess(np.max(err), 1e-9)
        self.assertGreater(np.ptp(sig["ac"]), 0.9)
        n = sig["noisy"]
        runs = np.split(n, np.flatnonzero(np.diff(n) != 0) + 1)
        self.assertTrue(395 <= len(runs) <= 402)
        self.assertTrue(all(len(r) <= 11 for r in runs))
        v = np.array([r[0] for r in runs[1:-1]])
        self.assertLess(abs(v.mean() - 0.2), 5 * 0.3 / math.sqrt(len(v)))
        self.assertLess(abs(v.std() - 0.3), 5 * 0.3 / math.sqrt(2 * len(v)))

    def test_ac_source_refused_on_exact_cells(self):
        """Exact cells take currents that change in steps: an ACSource is
        refused when injected, with a message that says so."""
        p = sim.Population(1, sim.IF_curr_exp())
        with self.assertRaisesRegex(NotImplementedError, "sinusoid"):
            sim.ACSource(amplitude=1.0).inject_into(p)
        q = sim.Population(1, sim.SpikeSourcePoisson())
        with self.assertRaises(TypeError):
            q.inject(sim.DCSource())

    def test_noisy_source_statistics(self):
        """A NoisyCurrentSource (mean m, stdev s, held for dt) into passive
        IF_curr_exp neurons: sampled on the dt grid, v - v_rest is an AR(1)
        process of mean R m and variance R^2 s^2 (1 - a)/(1 + a),
        a = e^{-dt/tau_m}; both hold within 5 standard errors (samples
        thinned to 2 tau_m apart, nearly independent). With stdev 0 the
        source is the DC source of its mean."""
        cm, tau_m, v0, n = 1.0, 10.0, -65.0, 40
        m, sd, dt = 0.2, 1.0, 0.5
        noisy = sim.Population(n, sim.IF_curr_exp(
            cm=cm, tau_m=tau_m, v_rest=v0, v_thresh=1e3),
            initial_values={"v": v0})
        flat = sim.Population(1, sim.IF_curr_exp(
            cm=cm, tau_m=tau_m, v_rest=v0, v_thresh=1e3),
            initial_values={"v": v0})
        dc = sim.Population(1, sim.IF_curr_exp(
            cm=cm, tau_m=tau_m, v_rest=v0, v_thresh=1e3),
            initial_values={"v": v0})
        noisy.inject(sim.NoisyCurrentSource(mean=m, stdev=sd, dt=dt))
        flat.inject(sim.NoisyCurrentSource(mean=m, stdev=0.0, dt=dt))
        dc.inject(sim.DCSource(amplitude=m))
        for p in (noisy, flat, dc):
            p.record("v", sampling_interval=2 * tau_m)
        sim.run(4000.0)
        r_m = tau_m / cm
        v = noisy.get_data().segments[0].analogsignals[0].magnitude[5:] - v0
        a = math.exp(-dt / tau_m)
        var = (r_m * sd) ** 2 * (1 - a) / (1 + a)
        k = v.size
        self.assertLess(abs(v.mean() - r_m * m), 5 * math.sqrt(var / k))
        self.assertLess(abs(v.var() / var - 1), 5 * math.sqrt(2.0 / k))
        vf = flat.get_data().segments[0].analogsignals[0].magnitude
        vd = dc.get_data().segments[0].analogsignals[0].magnitude
        self.assertLess(np.max(np.abs(vf - vd)), 1e-9)


class SynapticRecording(Base):
    def test_gsyn_and_isyn_against_closed_forms(self):
        """One spike arriving at 10.5 ms: IF_cond_exp's gsyn_exc is
        w e^{-s/tau_syn_E} (uS; the clocked cell samples its state at each
        step, inputs entering at the step they arrive), gsyn_inh likewise
        for an inhibitory spike; IF_curr_exp's isyn_exc w e^{-s/tau} and
        IF_curr_alpha's w (e/tau) s e^{-s/tau} (nA): to 2^-23 of w, as
        evsnn stores weights as floats (24 bits). Neo carries PyNN's
        units."""
        tol = 2.0 ** -23
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[10.0]))
        cond = sim.Population(1, sim.IF_cond_exp(tau_syn_E=3.0,
                                                 tau_syn_I=7.0))
        curr = sim.Population(1, sim.IF_curr_exp(tau_syn_E=4.0))
        alpha = sim.Population(1, sim.IF_curr_alpha(tau_syn_E=2.0))
        sim.Projection(src, cond, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.01, delay=0.5))
        sim.Projection(src, cond, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.02, delay=0.5),
                       receptor_type="inhibitory")
        for p in (curr, alpha):
            sim.Projection(src, p, sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=0.3, delay=0.5))
        cond.record(["gsyn_exc", "gsyn_inh", "v"], sampling_interval=0.1)
        curr.record("isyn_exc", sampling_interval=0.1)
        alpha.record(["isyn_exc", "isyn_inh"], sampling_interval=0.1)
        sim.run(40.0)

        def signal(pop, name):
            sigs = pop.get_data().segments[0].analogsignals
            sig = [x for x in sigs if x.name == name][0]
            s = sig.times.rescale(pq.ms).magnitude - 10.5
            return sig, np.maximum(s, 0), s >= -1e-9

        for name, w, tau in (("gsyn_exc", 0.01, 3.0),
                             ("gsyn_inh", 0.02, 7.0)):
            sig, s, on = signal(cond, name)
            self.assertEqual(sig.units, pq.uS)
            expect = np.where(on, w * np.exp(-s / tau), 0.0)
            self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)),
                            tol * w)
        sig, s, on = signal(curr, "isyn_exc")
        self.assertEqual(sig.units, pq.nA)
        expect = np.where(on, 0.3 * np.exp(-s / 4.0), 0.0)
        self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)),
                        tol * 0.3)
        sig, s, on = signal(alpha, "isyn_exc")
        expect = 0.3 * math.e / 2.0 * s * np.exp(-s / 2.0)
        self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)),
                        tol * 0.3)
        self.assertAlmostEqual(float(np.max(sig.magnitude)), 0.3,
                               delta=tol * 0.3)
        sig, _, _ = signal(alpha, "isyn_inh")
        self.assertEqual(float(np.max(np.abs(sig.magnitude))), 0.0)

    def test_adaptation_and_recovery_variables(self):
        """AdEx's w and Izhikevich's u are recorded in PyNN's units: at
        t = 0 they hold their initial values (w 0 nA, u = u_init mV/ms)."""
        adex = sim.Population(1, sim.EIF_cond_exp_isfa_ista(i_offset=1.0))
        izh = sim.Population(1, sim.Izhikevich(i_offset=0.01),
                             initial_values={"u": -13.0})
        adex.record("w")
        izh.record("u")
        sim.run(100.0)
        w = adex.get_data().segments[0].analogsignals[0]
        u = izh.get_data().segments[0].analogsignals[0]
        self.assertEqual(w.units, pq.nA)
        self.assertEqual(float(w.magnitude[0, 0]), 0.0)
        self.assertGreater(float(np.max(w.magnitude)), 0.05)  # b = 0.0805
        self.assertAlmostEqual(float(u.magnitude[0, 0]), -13.0, places=12)


class CapiLayout(unittest.TestCase):
    def test_cffi_structs_match_the_headers(self):
        """Every struct _capi.py declares again for cffi has the size and
        field offsets the C compiler gives the public headers' struct
        (tests/capi_layout prints them), and the same fields."""
        from pynn_evsnn._capi import ffi
        prog = os.environ.get("CAPI_LAYOUT")
        if not prog:
            self.skipTest("CAPI_LAYOUT not set (make check sets it)")
        import subprocess
        out = subprocess.run([prog], check=True, capture_output=True,
                             text=True).stdout.split("\n")
        sizes, fields = {}, {}
        for line in filter(None, out):
            kind, name, value = line.split()
            if kind == "struct":
                sizes[name] = int(value)
            else:
                struct, field = name.split(".")
                fields.setdefault(struct, {})[field] = int(value)
        self.assertGreaterEqual(len(sizes), 10)
        for struct, size in sizes.items():
            t = ffi.typeof(struct)
            self.assertEqual(ffi.sizeof(t), size, struct)
            mine = {name: f.offset for name, f in t.fields}
            self.assertEqual(mine, fields[struct], struct)


class Connectors(Base):
    def pops(self, n_pre=30, n_post=20):
        a = sim.Population(n_pre, sim.SpikeSourcePoisson(rate=1.0))
        b = sim.Population(n_post, sim.IF_curr_exp())
        return a, b

    def pairs(self, prj):
        c = np.array(prj.get("weight", format="list"))
        return c[:, 0].astype(int), c[:, 1].astype(int)

    def test_all_to_all_and_one_to_one(self):
        a, b = self.pops()
        c = sim.Population(20, sim.IF_curr_exp())
        p1 = sim.Projection(a, b, sim.AllToAllConnector())
        p2 = sim.Projection(b, c, sim.OneToOneConnector())
        p3 = sim.Projection(b, b, sim.AllToAllConnector(
            allow_self_connections=False))
        self.assertEqual(len(p1), 30 * 20)
        i, j = self.pairs(p2)
        self.assertEqual(len(p2), 20)
        self.assertTrue(np.all(i == j))
        i, j = self.pairs(p3)
        self.assertEqual(len(p3), 20 * 19)
        self.assertFalse(np.any(i == j))

    def test_fixed_numbers(self):
        a, b = self.pops()
        pre = sim.Projection(a, b, sim.FixedNumberPreConnector(7))
        post = sim.Projection(a, b, sim.FixedNumberPostConnector(5))
        total = sim.Projection(a, b, sim.FixedTotalNumberConnector(123))
        i, j = self.pairs(pre)
        self.assertTrue(np.all(np.bincount(j, minlength=20) == 7))
        # without replacement: 7 different presynaptic neurons each
        self.assertEqual(len(set(zip(i, j))), 7 * 20)
        i, j = self.pairs(post)
        self.assertTrue(np.all(np.bincount(i, minlength=30) == 5))
        self.assertEqual(len(total), 123)

    def test_fixed_probability_count_within_binomial_spread(self):
        """600 000 candidate pairs at p = 0.05: the count lies within 5
        binomial standard deviations of the mean."""
        a = sim.Population(1000, sim.SpikeSourcePoisson(rate=1.0))
        b = sim.Population(600, sim.IF_curr_exp())
        prj = sim.Projection(a, b, sim.FixedProbabilityConnector(0.05))
        n, p = 1000 * 600, 0.05
        self.assertLess(abs(len(prj) - n * p), 5 * math.sqrt(n * p * (1 - p)))

    def test_from_list_and_file(self):
        """Every listed connection, with its weight and delay, from a list
        and from a file with PyNN's column header."""
        a, b = self.pops(4, 3)
        conns = [(0, 1, 0.25, 1.5), (3, 2, -0.5, 0.7), (0, 0, 1.0, 2.0)]
        path = os.path.join(tempfile.mkdtemp(), "conns.txt")
        with open(path, "w") as f:
            f.write("# columns = ['i', 'j', 'weight', 'delay']\n")
            for c in conns:
                f.write("%d %d %g %g\n" % c)
        prj = sim.Projection(a, b, sim.FromListConnector(conns))
        prj2 = sim.Projection(a, b, sim.FromFileConnector(path))
        got = sorted(prj.get(["weight", "delay"], format="list"))
        self.assertEqual(len(got), 3)
        for g, e in zip(got, sorted(conns)):
            self.assertEqual(g[:2], e[:2])
            self.assertAlmostEqual(g[2], e[2], places=6)  # a float weight
            self.assertAlmostEqual(g[3], e[3], places=9)
        self.assertEqual(sorted(prj2.get(["weight", "delay"],
                                         format="list")), got)

    def test_seed_maps_to_wiring(self):
        """The same NumpyRNG seed gives the same wiring; another seed
        another; two seeds in one network are refused."""
        def wiring(seed):
            sim.setup(timestep=0.1, min_delay=0.1)
            a, b = self.pops(50, 50)
            prj = sim.Projection(a, b, sim.FixedProbabilityConnector(
                0.1, rng=sim.NumpyRNG(seed=seed)))
            w = set(zip(*self.pairs(prj)))
            sim.end()
            return w
        self.assertEqual(wiring(11), wiring(11))
        self.assertNotEqual(wiring(11), wiring(12))
        a, b = self.pops()
        sim.Projection(a, b, sim.FixedProbabilityConnector(
            0.1, rng=sim.NumpyRNG(seed=1)))
        with self.assertRaises(NotImplementedError):
            sim.Projection(a, b, sim.FixedProbabilityConnector(
                0.1, rng=sim.NumpyRNG(seed=2)))


class Seeds(Base):
    def test_initial_value_rng_keys_the_network(self):
        """A NumpyRNG given only to initialize() is the network's seed: the
        same seed repeats the spikes, another changes them."""
        def spikes(seed):
            sim.setup(timestep=0.1, min_delay=0.1)
            src = sim.Population(20, sim.SpikeSourcePoisson(rate=30.0))
            n = sim.Population(10, sim.IF_curr_exp())
            n.initialize(v=sim.RandomDistribution(
                "uniform", low=-65.0, high=-52.0, rng=sim.NumpyRNG(seed=seed)))
            sim.Projection(src, n, sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=1.0, delay=1.0))
            n.record("spikes")
            sim.run(200.0)
            st = n.get_data().segments[0].spiketrains
            out = [list(s.magnitude) for s in st]
            sim.end()
            return out
        self.assertEqual(spikes(21), spikes(21))
        self.assertNotEqual(spikes(21), spikes(22))


class Weights(Base):
    def test_get_set_round_trip(self):
        a = sim.Population(5, sim.SpikeSourcePoisson(rate=1.0))
        b = sim.Population(4, sim.IF_cond_exp())
        prj = sim.Projection(a, b, sim.FixedNumberPreConnector(2),
                             sim.StaticSynapse(weight=0.004, delay=0.3))
        w = prj.get("weight", format="array")
        self.assertEqual(np.sum(~np.isnan(w)), 8)
        self.assertTrue(np.allclose(w[~np.isnan(w)], 0.004, rtol=1e-7))
        d = prj.get("delay", format="array")
        self.assertTrue(np.allclose(d[~np.isnan(d)], 0.3))
        new = np.arange(20, dtype=float).reshape(5, 4) * 1e-3
        prj.set(weight=new)
        got = prj.get("weight", format="array")
        mask = ~np.isnan(got)
        self.assertTrue(np.array_equal(mask, ~np.isnan(w)))
        self.assertTrue(np.allclose(got[mask], new[mask], rtol=1e-7,
                                    atol=1e-12))
        prj.set(weight=0.002)
        self.assertTrue(np.allclose(prj.get("weight", format="list",
                                            with_address=False), 0.002))

    def test_weight_set_between_runs_takes_effect(self):
        """Weight 0 in the first phase: no response to the spike at 5 ms;
        0.5 nA in the second: the closed-form PSP of the spike at 30 ms."""
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0, 30.0]))
        n = sim.Population(1, sim.IF_curr_exp(v_rest=-65.0),
                           initial_values={"v": -65.0})
        prj = sim.Projection(src, n, sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=0.0, delay=1.0))
        n.record("v")
        sim.run(25.0)
        prj.set(weight=0.5)
        sim.run(35.0)
        sig = n.get_data().segments[0].analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude
        expect = -65.0 + psp(t - 31.0, 0.5, 1.0, 20.0, 5.0)
        self.assertEqual(sig.shape[0], 600)
        self.assertLess(np.max(np.abs(sig.magnitude[:, 0] - expect)), 1e-6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
