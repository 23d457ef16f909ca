# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Unit tests of the PyNN backend pynn_evsnn's per-neuron parameters
(conductance and exact neurons, against closed-form crossings and
one-neuron populations), projections of views, and the errors for
descriptions it refuses and what is not available. Run by
tests/pynn_params.sh."""

import math
import unittest

import numpy as np
import quantities as pq
from pyNN import errors

import pynn_evsnn as sim
from pynn_evsnn._capi import EvsnnError

from pynn_known import psp, Base


def cond_crossing(tau_m, cm, v_rest, v_thresh, i_offset, v, t0):
    """When an IF_cond_exp neuron driven by i_offset alone, at v (mV) at t0
    (ms), reaches v_thresh in closed form: v relaxes to v_rest + R i_offset
    (R = tau_m / cm), exactly at each step (exponential Euler with no
    conductance is exact), so a neuron stepped every dt spikes at the first
    step at or after this time."""
    v_inf = v_rest + i_offset * tau_m / cm
    return t0 + tau_m * math.log((v_inf - v) / (v_inf - v_thresh))


class PerNeuronParameters(Base):
    def test_cond_exp_every_parameter_per_neuron(self):
        """IF_cond_exp with its own tau_m, cm, v_rest, v_thresh, v_reset,
        tau_refrac and i_offset on each neuron (arrays): each neuron's
        spikes are those of the closed form for its own values."""
        par = dict(tau_m=np.array([8.0, 12.0, 20.0, 30.0, 15.0, 25.0]),
                   cm=np.array([0.5, 1.0, 0.8, 1.2, 0.6, 1.0]),
                   v_rest=np.array([-65.0, -60.0, -70.0, -62.0, -66.0, -64.0]),
                   v_thresh=np.array([-50.0, -52.0, -55.0, -48.0, -51.0,
                                      -53.0]),
                   v_reset=np.array([-70.0, -65.0, -72.0, -60.0, -68.0,
                                     -66.0]),
                   tau_refrac=np.array([2.0, 0.5, 3.0, 1.0, 4.0, 2.5]),
                   i_offset=np.array([1.0, 0.9, 1.5, 1.2, 1.1, 0.8]))
        n = sim.Population(6, sim.IF_cond_exp(**par),
                           initial_values={"v": par["v_rest"]})
        n.record("spikes")
        sim.run(200.0)
        st = n.get_data().segments[0].spiketrains
        for j in range(6):
            q = {k: par[k][j] for k in par}
            times = st[j].magnitude
            self.assertGreater(len(times), 3)
            # each spike at the first step at or after its crossing: from
            # v_rest at 0, then from v_reset at the end of each refractory
            # period (1e-9 ms: the steps' rounding)
            t0, v = 0.0, q["v_rest"]
            for t in times:
                c = cond_crossing(q["tau_m"], q["cm"], q["v_rest"],
                                  q["v_thresh"], q["i_offset"], v, t0)
                self.assertTrue(c - 1e-9 < t < c + 0.1 + 1e-9,
                                "neuron %d: spike at %r, crossing %r"
                                % (j, t, c))
                t0, v = t + q["tau_refrac"], q["v_reset"]
            c = cond_crossing(q["tau_m"], q["cm"], q["v_rest"], q["v_thresh"],
                              q["i_offset"], v, t0)
            self.assertGreater(c + 1e-9, 200.0 - 0.1)  # no spike missing

    def test_cond_exp_synapse_parameters_per_neuron(self):
        """Each neuron's own tau_syn_E: after one input of 0.01 uS,
        gsyn_exc decays as 0.01 exp(-(t - 6 ms)/tau_syn_E); each neuron's
        own e_rev_I: a nearly constant inhibitory conductance holds v at
        (g_L v_rest + g e_rev_I)/(g_L + g)."""
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[5.0]))
        tau_e = np.array([2.0, 5.0, 10.0])
        e_i = np.array([-80.0, -70.0, -90.0])
        n = sim.Population(3, sim.IF_cond_exp(
            tau_syn_E=tau_e, tau_syn_I=1e7, e_rev_I=e_i, v_rest=-60.0,
            v_thresh=0.0), initial_values={"v": -60.0})
        sim.Projection(src, n, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.01, delay=1.0))
        sim.Projection(src, n, sim.AllToAllConnector(),
                       sim.StaticSynapse(weight=0.05, delay=1.0),
                       receptor_type="inhibitory")
        n.record(["gsyn_exc", "v"], sampling_interval=0.1)
        sim.run(300.0)
        seg = n.get_data().segments[0]
        sig = {a.name: a for a in seg.analogsignals}
        t = sig["gsyn_exc"].times.rescale(pq.ms).magnitude
        g = sig["gsyn_exc"].magnitude
        late = t >= 6.5
        for j in range(3):
            # a clocked cell's sample may be one step old
            now = 0.01 * np.exp(-(t[late] - 6.0) / tau_e[j])
            old = 0.01 * np.exp(-(t[late] - 6.1) / tau_e[j])
            err = np.minimum(np.abs(g[late, j] - now), np.abs(g[late, j] - old))
            # the weight is stored as a float (relative error < 2^-24)
            self.assertLess(np.max(err / now), 1e-7)
            g_l = 1.0 / 20.0  # uS: cm / tau_m
            v_inf = (g_l * -60.0 + 0.05 * e_i[j]) / (g_l + 0.05)
            self.assertAlmostEqual(float(sig["v"].magnitude[-1, j]), v_inf,
                                   delta=1e-3)

    def test_curr_exp_rest_and_offset_per_neuron(self):
        """IF_curr_exp (exact) with its own v_rest (drawn from a
        RandomDistribution once, in Python: get() returns the values) and
        i_offset (an array): each membrane relaxes from -65 mV to
        v_rest_j + R i_offset_j in closed form (to 1e-6 mV); tau_m, which
        IF_curr_exp keeps for the whole population, is refused as an
        array."""
        rd = sim.RandomDistribution("uniform", low=-70.0, high=-60.0,
                                    rng=sim.NumpyRNG(seed=8))
        offs = np.array([0.0, 0.2, -0.1, 0.4])
        n = sim.Population(4, sim.IF_curr_exp(v_rest=rd, i_offset=offs,
                                              v_thresh=0.0),
                           initial_values={"v": -65.0})
        n.record("v", sampling_interval=1.0)
        sim.run(100.0)
        rest = np.asarray(n.get("v_rest"))
        self.assertEqual(len(set(rest)), 4)
        self.assertTrue(np.all((rest >= -70.0) & (rest < -60.0)))
        sig = n.get_data().segments[0].analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude[:, None]
        v_inf = rest[None, :] + 20.0 * offs[None, :]
        expect = v_inf + (-65.0 - v_inf) * np.exp(-t / 20.0)
        self.assertLess(np.max(np.abs(sig.magnitude - expect)), 1e-6)

    def test_poisson_rates_per_neuron(self):
        """SpikeSourcePoisson with its own rate on each source: in 20 s
        each count is within 5 sd of its Poisson mean (rate 0: none)."""
        rates = np.array([0.0, 5.0, 20.0, 80.0])
        p = sim.Population(4, sim.SpikeSourcePoisson(rate=rates))
        p.record("spikes")
        sim.run(20000.0)
        counts = [len(s) for s in p.get_data().segments[0].spiketrains]
        self.assertEqual(counts[0], 0)
        for c, r in zip(counts[1:], rates[1:]):
            self.assertLess(abs(c - 20 * r), 5 * math.sqrt(20 * r))

    def test_initial_values_per_neuron_and_of_views(self):
        """initialize(v=array) gives each neuron its own starting v; a view
        initialised alone changes only its neurons (the first sample of
        every type equals the values given)."""
        for cell in (sim.IF_curr_exp(v_thresh=0.0), sim.IF_cond_exp(
                v_thresh=0.0), sim.Izhikevich()):
            sim.setup(timestep=0.1)
            n = sim.Population(5, cell)
            v0 = np.array([-70.0, -68.0, -66.0, -64.0, -62.0])
            n.initialize(v=v0)
            n[1:3].initialize(v=-50.0)
            n.record("v", sampling_interval=1.0)
            sim.run(2.0)
            first = n.get_data().segments[0].analogsignals[0].magnitude[0]
            np.testing.assert_allclose(first, [-70.0, -50.0, -50.0, -64.0,
                                               -62.0], atol=1e-9)
            sim.end()


class ExactPerNeuron(Base):
    """v_thresh, v_reset, tau_refrac and cm per neuron in the exact cells."""

    def _run(self, cell, params, sizes, i_offset=0.8, weight=0.6):
        """Runs populations of cell (sizes: one population given params
        as they are, or one of one neuron each, neuron j with the j-th
        values) driven by i_offset (nA) and one input train (weight nA,
        AllToAll) for 150 ms; each neuron's spike times (ms), in order,
        and the populations (whose v is sampled every 0.5 ms)."""
        src = sim.Population(1, sim.SpikeSourceArray(spike_times=[
            3.0, 11.0, 12.5, 30.0, 31.0, 33.3, 70.0, 71.5, 72.0, 110.0]))
        pops, at = [], 0
        for size in sizes:
            own = {k: (v if len(sizes) == 1 else float(v[at]))
                   for k, v in params.items()}
            at += size
            p = sim.Population(size, cell(i_offset=i_offset, **own),
                               initial_values={"v": -65.0})
            sim.Projection(src, p, sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=weight, delay=1.0))
            p.record(["spikes", "v"], sampling_interval=0.5)
            pops.append(p)
        sim.run(150.0)
        out = []
        for p in pops:
            out.extend(s.magnitude for s in
                       p.get_data().segments[0].spiketrains)
        return out, pops

    def test_random_thresholds_against_one_population_each(self):
        """IF_curr_exp and IF_curr_alpha with v_thresh and v_reset drawn
        from RandomDistributions and tau_refrac an array: each neuron's
        spikes are those of a one-neuron Population with its values (the
        same times, bit for bit), and the thresholds differ."""
        for cell in (sim.IF_curr_exp, sim.IF_curr_alpha):
            sim.setup(timestep=0.1, min_delay=0.1)
            rng = sim.NumpyRNG(seed=11)
            params = dict(
                v_thresh=sim.RandomDistribution("uniform", low=-56.0,
                                                high=-48.0, rng=rng),
                v_reset=sim.RandomDistribution("uniform", low=-72.0,
                                               high=-60.0, rng=rng),
                tau_refrac=np.array([0.5, 2.0, 4.0, 1.0, 3.0, 0.1]))
            got, (p,) = self._run(cell, params, [6], 1.0)
            drawn = {k: np.asarray(p.get(k)) for k in params}
            self.assertEqual(len(set(drawn["v_thresh"])), 6)
            self.assertTrue(all(len(t) >= 3 for t in got), got)
            sim.end()
            sim.setup(timestep=0.1, min_delay=0.1)
            ref, _ = self._run(cell, drawn, [1] * 6, 1.0)
            for j in range(6):
                self.assertEqual(list(got[j]), list(ref[j]),
                                 "%s neuron %d" % (cell.__name__, j))
            sim.end()

    def test_cm_per_neuron_against_one_population_each(self):
        """cm per neuron (an array) with the other values per neuron too:
        each neuron's spikes are those of a one-neuron Population with its
        values, bit for bit: the state of neuron j is kept in units of
        cm_j / mean cm, here powers of 2 (exact scalings), and R w is a
        power of 2 too (2^-6 V at 1 nF), so the float weights agree; other
        ratios agree to rounding (a float's 6e-8 of a PSP)."""
        for cell in (sim.IF_curr_exp, sim.IF_curr_alpha):
            sim.setup(timestep=0.1, min_delay=0.1)
            params = dict(cm=np.array([0.5, 1.0, 2.0, 0.5, 1.0]),
                          v_thresh=np.array([-50.0, -52.0, -55.0, -48.0,
                                             -51.0]),
                          v_reset=np.array([-65.0, -70.0, -60.0, -66.0,
                                            -62.0]),
                          tau_refrac=np.array([2.0, 0.5, 3.0, 1.0, 0.0]))
            got, (p,) = self._run(cell, params, [5], 1.5, 0.78125)
            v = p.get_data().segments[0].analogsignals[0].magnitude
            sim.end()
            sim.setup(timestep=0.1, min_delay=0.1)
            ref, pops = self._run(cell, params, [1] * 5, 1.5, 0.78125)
            for j in range(5):
                self.assertGreaterEqual(len(ref[j]), 2)
                self.assertEqual(list(got[j]), list(ref[j]),
                                 "%s neuron %d" % (cell.__name__, j))
                # the membrane read in mV from the neuron's own unit
                vj = pops[j].get_data().segments[0].analogsignals[0]
                np.testing.assert_allclose(v[:, j], vj.magnitude[:, 0],
                                           rtol=0, atol=1e-9)
            sim.end()

    def test_thresholds_set_between_runs(self):
        """set(v_thresh=array) between runs: the neurons' spikes after the
        change are those of one-neuron Populations given the same change."""
        new = np.array([-47.0, -53.0, -50.0, -55.0])
        runs = []
        for sizes in ([4], [1] * 4):
            sim.setup(timestep=0.1, min_delay=0.1)
            n = sim.Population(sum(sizes) if len(sizes) == 1 else 1,
                               sim.IF_curr_exp(i_offset=1.0),
                               initial_values={"v": -65.0})
            pops = [n] if len(sizes) == 1 else [n] + [
                sim.Population(1, sim.IF_curr_exp(i_offset=1.0),
                               initial_values={"v": -65.0})
                for _ in range(3)]
            for p in pops:
                p.record("spikes")
            sim.run(40.0)
            if len(pops) == 1:
                pops[0].set(v_thresh=new)
            else:
                for p, v in zip(pops, new):
                    p.set(v_thresh=float(v))
            sim.run(60.0)
            runs.append([t.magnitude for p in pops for t in
                         p.get_data().segments[0].spiketrains])
            sim.end()
        for j in range(4):
            self.assertEqual(list(runs[0][j]), list(runs[1][j]))
        # after the change the lowest threshold fires most (v_inf -45 mV)
        late = [int(np.sum(t > 45.0)) for t in runs[0]]
        self.assertGreater(late[3], late[0])


class PerNeuronOffsets(Base):
    def test_i_offset_arrays(self):
        """i_offset as an array (cellparams), set on a view, and drawn from
        a RandomDistribution: each neuron of a passive membrane relaxes to
        v_rest + R i_offset_j with its own value (closed form to 1e-6 mV);
        another parameter given as an array is refused when the net is
        made."""
        offs = np.array([0.0, 0.1, 0.25, 0.1, -0.2])
        a = sim.Population(5, sim.IF_curr_exp(i_offset=offs, v_thresh=0.0),
                           initial_values={"v": -65.0})
        b = sim.Population(4, sim.IF_cond_exp(v_thresh=0.0),
                           initial_values={"v": -65.0})
        b[1:3].set(i_offset=0.3)
        rd = sim.RandomDistribution("uniform", low=0.0, high=0.5,
                                    rng=sim.NumpyRNG(seed=3))
        c = sim.Population(6, sim.IF_curr_alpha(i_offset=rd, v_thresh=0.0),
                           initial_values={"v": -65.0})
        for p in (a, b, c):
            p.record("v", sampling_interval=1.0)
        sim.run(50.0)
        drawn = np.asarray(c.get("i_offset"))
        self.assertEqual(len(set(drawn)), 6)
        for p, i in ((a, offs), (b, np.array([0.0, 0.3, 0.3, 0.0])),
                     (c, drawn)):
            sig = p.get_data().segments[0].analogsignals[0]
            t = sig.times.rescale(pq.ms).magnitude[:, None]
            expect = -65.0 + 20.0 * i[None, :] * (1 - np.exp(-t / 20.0))
            # b is clocked: a sample may show the state one 0.1 ms step
            # before it (tick times k dt and sample times straddle in
            # floating point), off by at most the largest slope R i / tau_m
            # times the step
            tol = 1e-6 if p is not b else 20.0 * 0.3 / 20.0 * 0.1
            self.assertLess(np.max(np.abs(sig.magnitude - expect)), tol)

    def test_other_parameter_arrays_refused(self):
        p = sim.Population(3, sim.IF_curr_exp(tau_m=[10.0, 20.0, 30.0]))
        with self.assertRaisesRegex(NotImplementedError,
                                    "tau_m is one value for the whole "
                                    "population.*one Population per value"):
            sim.run(1.0)

    def test_izhikevich_parameters_per_neuron(self):
        """Izhikevich's four classes (regular spiking, intrinsically
        bursting, chattering, fast spiking) as arrays of a, b, c, d in one
        population: each neuron fires exactly the spikes of a one-neuron
        population with its values, and the four differ."""
        classes = [(0.02, 0.2, -65.0, 8.0), (0.02, 0.2, -55.0, 4.0),
                   (0.02, 0.2, -50.0, 2.0), (0.1, 0.2, -65.0, 2.0)]
        a, b, c, d = (np.array(x) for x in zip(*classes))
        init = {"v": -65.0, "u": -13.0}
        together = sim.Population(4, sim.Izhikevich(a=a, b=b, c=c, d=d,
                                                    i_offset=0.01),
                                  initial_values=init)
        alone = [sim.Population(1, sim.Izhikevich(
            a=x[0], b=x[1], c=x[2], d=x[3], i_offset=0.01),
            initial_values=init) for x in classes]
        for p in [together] + alone:
            p.record("spikes")
        sim.run(200.0)
        got = [np.asarray(st.magnitude) for st in
               together.get_data().segments[0].spiketrains]
        for k, p in enumerate(alone):
            want = p.get_data().segments[0].spiketrains[0].magnitude
            self.assertGreaterEqual(len(want), 3)
            np.testing.assert_array_equal(got[k], want)
        self.assertEqual(len({(len(g), g[1] - g[0]) for g in got}), 4)
        np.testing.assert_array_equal(together.get("c"), c)

    def test_adex_own_parameters_per_neuron(self):
        """EIF_cond_exp_isfa_ista with arrays of a, b, tau_w, delta_T and
        v_thresh under 0.8 nA: each neuron fires exactly the spikes of a
        one-neuron population with its values, and the four differ."""
        rows = [(4.0, 0.0805, 144.0, 2.0, -50.4), (0.0, 0.0, 144.0, 2.0, -50.4),
                (4.0, 0.3, 50.0, 2.0, -50.4), (4.0, 0.0805, 144.0, 1.0, -52.0)]
        names = ("a", "b", "tau_w", "delta_T", "v_thresh")
        cols = {n: np.array(x) for n, x in zip(names, zip(*rows))}
        together = sim.Population(4, sim.EIF_cond_exp_isfa_ista(
            i_offset=0.8, **cols))
        alone = [sim.Population(1, sim.EIF_cond_exp_isfa_ista(
            i_offset=0.8, **dict(zip(names, r)))) for r in rows]
        for p in [together] + alone:
            p.record("spikes")
        sim.run(500.0)
        got = [np.asarray(st.magnitude) for st in
               together.get_data().segments[0].spiketrains]
        for k, p in enumerate(alone):
            want = p.get_data().segments[0].spiketrains[0].magnitude
            self.assertGreaterEqual(len(want), 3)
            np.testing.assert_array_equal(got[k], want)
        self.assertEqual(len({(len(g), g[0], g[1] - g[0]) for g in got}), 4)


    def test_adex_membrane_per_neuron(self):
        """EIF_cond_exp_isfa_ista with arrays of the membrane's parameters
        (cm, tau_m, v_rest, v_reset, tau_refrac, tau_syn_E, e_rev_E,
        i_offset) and an excitatory input: each neuron fires exactly the
        spikes of a one-neuron population with its values; nothing is
        refused."""
        rows = [(0.281, 9.3667, -70.6, -70.6, 0.1, 5.0, 0.0, 0.8),
                (0.2, 9.3667, -70.6, -70.6, 0.1, 5.0, 0.0, 0.8),
                (0.281, 15.0, -65.0, -70.6, 0.1, 5.0, 0.0, 0.8),
                (0.281, 9.3667, -70.6, -55.0, 2.0, 5.0, 0.0, 0.8),
                (0.281, 9.3667, -70.6, -70.6, 0.1, 2.0, -10.0, 1.2)]
        names = ("cm", "tau_m", "v_rest", "v_reset", "tau_refrac",
                 "tau_syn_E", "e_rev_E", "i_offset")
        cols = {n: np.array(x) for n, x in zip(names, zip(*rows))}
        src = sim.Population(1, sim.SpikeSourceArray(
            spike_times=[50.0, 150.0, 250.0, 350.0]))
        together = sim.Population(5, sim.EIF_cond_exp_isfa_ista(**cols))
        alone = [sim.Population(1, sim.EIF_cond_exp_isfa_ista(
            **dict(zip(names, r)))) for r in rows]
        for p in [together] + alone:
            sim.Projection(src, p, sim.AllToAllConnector(),
                           sim.StaticSynapse(weight=0.01, delay=1.0),
                           receptor_type="excitatory")
            p.record("spikes")
        sim.run(400.0)
        got = [np.asarray(st.magnitude) for st in
               together.get_data().segments[0].spiketrains]
        for k, p in enumerate(alone):
            want = p.get_data().segments[0].spiketrains[0].magnitude
            self.assertGreaterEqual(len(want), 3)
            np.testing.assert_array_equal(got[k], want)
        self.assertEqual(len({(len(g), g[0], g[1] - g[0]) for g in got}), 5)

class ViewProjections(Base):
    def test_projection_between_views(self):
        """Neurons 2-4 of a source onto neurons 1 and 6 of a target: 6
        synapses indexed within the views, and the spike moves only those
        two targets, each by the closed-form PSP of three inputs."""
        a = sim.Population(10, sim.SpikeSourceArray(spike_times=[5.0]))
        b = sim.Population(8, sim.IF_curr_exp(v_rest=-65.0),
                           initial_values={"v": -65.0})
        prj = sim.Projection(a[2:5], b[[1, 6]], sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=0.5, delay=1.0))
        self.assertEqual(len(prj), 6)
        pairs = sorted((int(i), int(j)) for i, j, _ in
                       prj.get("weight", format="list"))
        self.assertEqual(pairs, [(i, j) for i in range(3) for j in range(2)])
        self.assertEqual(prj.get("weight", format="array").shape, (3, 2))
        b.record("v", sampling_interval=0.1)
        sim.run(30.0)
        v = b.get_data().segments[0].analogsignals[0]
        t = v.times.rescale(pq.ms).magnitude
        expect = -65.0 + psp(t - 6.0, 1.5, 1.0, 20.0, 5.0)
        for k in range(8):
            want = expect if k in (1, 6) else np.full(len(t), -65.0)
            self.assertLess(np.max(np.abs(v.magnitude[:, k] - want)), 1e-5)

    def test_python_wired_connectors(self):
        """Connectors evsnn has no builder of are wired by PyNN's own code:
        DistanceDependentProbabilityConnector('d < 2.5') on two lines of
        neurons 1 apart connects exactly the pairs with |i - j| < 2.5;
        ArrayConnector the pairs i == j + 1 of its boolean matrix."""
        a = sim.Population(10, sim.SpikeSourcePoisson(rate=1.0))
        b = sim.Population(8, sim.IF_curr_exp())
        dd = sim.Projection(a, b, sim.DistanceDependentProbabilityConnector(
            "d < 2.5"), sim.StaticSynapse(weight=0.1, delay=1.0))
        mask = np.array([[i == j + 1 for j in range(8)] for i in range(10)])
        ib = sim.Projection(a, b, sim.ArrayConnector(mask))
        want = sorted((i, j) for i in range(10) for j in range(8)
                      if abs(i - j) < 2.5)
        got = sorted((int(i), int(j)) for i, j, _ in
                     dd.get("weight", format="list"))
        self.assertEqual(got, want)
        got = sorted((int(i), int(j)) for i, j, _ in
                     ib.get("weight", format="list"))
        self.assertEqual(got, [(j + 1, j) for j in range(8)])

    def test_set_delays_before_the_build(self):
        """set(delay=...) before the build: a number on a connector evsnn
        builds; a pre x post array on a view's projection (each synapse
        its own delay, rounded to the 0.1 ms resolution); after the run
        started, both projections take a new delay."""
        a = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
        b = sim.Population(2, sim.IF_curr_exp())
        p1 = sim.Projection(a, b, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=0.1, delay=1.0))
        p2 = sim.Projection(a[0:2], b, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=0.1, delay=1.0))
        p1.set(delay=2.5)
        want = np.array([[0.5, 0.7], [1.2, 3.3]])
        p2.set(delay=want)
        self.assertTrue(np.all(p1.get("delay", format="array") == 2.5))
        np.testing.assert_allclose(p2.get("delay", format="array"), want,
                                   atol=1e-9)
        sim.run(1.0)
        p1.set(delay=1.0)
        p2.set(delay=0.3)
        self.assertTrue(np.all(p1.get("delay", format="array") == 1.0))
        np.testing.assert_allclose(
            [d for _, _, d in p2.get("delay", format="list")], 0.3,
            atol=1e-9)

    def test_set_delays_after_the_build(self):
        """set(delay=...) and set(weight=...) after a read built the net:
        each of 3 x 2 synapses gets its own delay and weight, and the
        membrane of each target is the sum of the closed-form PSPs of its
        three inputs at their new arrival times (to 1e-6 mV); another
        projection keeps its wiring and weights."""
        a = sim.Population(3, sim.SpikeSourceArray(spike_times=[1.0]))
        b = sim.Population(2, sim.IF_curr_exp(v_rest=-65.0, v_thresh=0.0),
                           initial_values={"v": -65.0})
        c = sim.Population(20, sim.SpikeSourcePoisson(rate=5.0))
        p1 = sim.Projection(a, b, sim.AllToAllConnector(),
                            sim.StaticSynapse(weight=0.1, delay=1.0))
        p2 = sim.Projection(c, b, sim.FixedProbabilityConnector(
            0.5, rng=sim.NumpyRNG(seed=4)), sim.StaticSynapse(
                weight=sim.RandomDistribution("uniform", low=0.0, high=0.01,
                                              rng=sim.NumpyRNG(seed=4)),
                delay=2.0))
        before = p2.get(["weight", "delay"], format="list")
        self.assertTrue(np.all(p1.get("delay", format="array") == 1.0))
        w = np.array([[0.3, 0.2], [0.5, 0.1], [0.25, 0.4]])
        d = np.array([[0.5, 3.2], [2.0, 7.7], [4.4, 1.1]])
        p1.set(weight=w)
        p1.set(delay=d)
        np.testing.assert_allclose(p1.get("delay", format="array"), d,
                                   atol=1e-9)
        np.testing.assert_allclose(p1.get("weight", format="array"), w,
                                   rtol=1e-7)
        self.assertEqual(before, p2.get(["weight", "delay"], format="list"))
        p2.set(weight=0.0)
        b.record("v", sampling_interval=0.1)
        sim.run(30.0)
        sig = b.get_data().segments[0].analogsignals[0]
        t = sig.times.rescale(pq.ms).magnitude
        for j in range(2):
            expect = -65.0 + sum(psp(t - 1.0 - d[i, j], w[i, j], 1.0, 20.0,
                                     5.0) for i in range(3))
            self.assertLess(np.max(np.abs(sig.magnitude[:, j] - expect)),
                            1e-6)


def _line():
    """The line after the caller's: where the call under test is."""
    import inspect
    return inspect.currentframe().f_back.f_lineno + 1


class DescriptionErrors(Base):
    """An error the library finds in the network a script declared (the
    description's build) names the PyNN object and its parameter in PyNN's
    terms (EvsnnError.obj, .key, the message) at the script's line that
    made or set it."""

    def assert_error(self, ctx, obj, key, line, text):
        e = ctx.exception
        self.assertIs(e.obj, obj)
        self.assertEqual(e.key, key)
        where = "%s:%d: " % (__file__, line)
        self.assertIn(where, str(e))
        self.assertIn(text, str(e))

    def test_population_parameter(self):
        line = _line()
        p = sim.Population(3, sim.IF_curr_exp(tau_m=-5.0), label="exc")
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assert_error(ctx, p, "tau_m", line,
                          'Population "exc" (IF_curr_exp), tau_m: ')

    def test_initial_values_set_later(self):
        """Per-neuron initial values given by initialize() on a later line
        (an array with a value that is not finite): that line."""
        p = sim.Population(3, sim.IF_curr_exp(), label="exc")
        line = _line()
        p.initialize(v=np.array([-65.0, np.inf, -60.0]))
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assert_error(ctx, p, "initial value of v", line,
                          "initial value of v: ")

    def test_projection_and_source(self):
        p = sim.Population(3, sim.IF_curr_exp(), label="exc")
        line = _line()
        prj = sim.Projection(p, p, sim.AllToAllConnector(),
                             sim.StaticSynapse(weight=float("inf")),
                             label="ee")
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assert_error(ctx, prj, "weight", line,
                          'Projection "ee", weight: ')
        sim.setup(timestep=0.1, min_delay=0.1)
        p = sim.Population(3, sim.IF_curr_exp(), label="exc")
        source = sim.DCSource(amplitude=float("nan"))
        line = _line()
        source.inject_into(p)
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assert_error(ctx, source, None, line, "DCSource into exc: ")

    def test_memory_estimate_and_force(self):
        """A network whose synapses need more memory than the machine has
        (2^41 synapses, 16 TiB) is refused before anything is drawn, with
        the estimate and how to force it; setup(force=True) passes the
        estimate, and the builder's own limit (n above 2^40) refuses it."""
        p = sim.Population(1000, sim.IF_curr_exp(), label="exc")
        line = _line()
        prj = sim.Projection(p, p, sim.FixedTotalNumberConnector(2 ** 41),
                             sim.StaticSynapse(weight=0.1), label="ee")
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assert_error(ctx, prj, "n", line, "GiB of memory")
        self.assertIn("setup(force=True)", str(ctx.exception))
        sim.setup(timestep=0.1, min_delay=0.1, force=True)
        p = sim.Population(1000, sim.IF_curr_exp(), label="exc")
        sim.Projection(p, p, sim.FixedTotalNumberConnector(2 ** 41),
                       sim.StaticSynapse(weight=0.1), label="ee")
        with self.assertRaises(EvsnnError) as ctx:
            sim.run(1.0)
        self.assertNotIn("GiB of memory", str(ctx.exception))
        self.assertIn("too large", str(ctx.exception))


class NotAvailable(Base):
    def test_refusals(self):
        with self.assertRaises(errors.NoModelAvailableError):
            sim.IF_cond_alpha()
        n = sim.Population(3, sim.IF_cond_exp())
        with self.assertRaises(errors.RecordingError):
            n.record("isyn_exc")
        p = sim.Population(3, sim.IF_curr_exp(tau_m=[10.0, 20.0, 30.0]))
        src = sim.Population(3, sim.SpikeSourcePoisson())
        sim.Projection(src, p, sim.OneToOneConnector())
        with self.assertRaises(NotImplementedError):
            sim.run(10.0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
