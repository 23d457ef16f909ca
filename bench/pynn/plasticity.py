# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""A simple STDP network and a Tsodyks-Markram network as one PyNN script
for any backend (pynn_evsnn, pyNN.brian2):

  stdp: 200 Poisson inputs at 15 Hz onto 20 IF_curr_exp neurons, all to
        all, additive pair STDP (tau 20 ms, A_plus 0.01, A_minus 0.0105,
        w_max 0.1 nA), 5 s: the output rate and the mean final weight;
  tm:   200 Poisson inputs at 20 Hz onto 20 IF_curr_exp neurons through
        Tsodyks-Markram synapses (U 0.5, tau_rec 200 ms, tau_facil 20 ms),
        2 s: the output rate. (tau_facil = 0, no facilitation, stops
        pyNN.brian2 0.10.1 with a ZeroDivisionError in its synapse code.)

    python3 plasticity.py pynn_evsnn|pyNN.brian2 stdp|tm [seed]"""

import importlib
import sys
import time


def plastic_network(sim, kind, seed):
    """Builds and runs one network on PyNN module sim; returns a dict of
    the output rate (Hz), the mean weight (nA) and the run time (s)."""
    sim.setup(timestep=0.1, min_delay=1.0, max_delay=1.0)
    rate, tstop = (15.0, 5000.0) if kind == "stdp" else (20.0, 2000.0)
    inp = sim.Population(200, sim.SpikeSourcePoisson(rate=rate))
    out = sim.Population(20, sim.IF_curr_exp(tau_refrac=2.0))
    rng = sim.NumpyRNG(seed=seed)
    out.initialize(v=sim.RandomDistribution("uniform", low=-65.0, high=-55.0,
                                            rng=rng))
    if kind == "stdp":
        syn = sim.STDPMechanism(
            timing_dependence=sim.SpikePairRule(tau_plus=20.0, tau_minus=20.0,
                                                A_plus=0.01, A_minus=0.0105),
            weight_dependence=sim.AdditiveWeightDependence(w_min=0.0,
                                                           w_max=0.1),
            weight=0.05, delay=1.0, dendritic_delay_fraction=0)
    else:
        syn = sim.TsodyksMarkramSynapse(weight=0.3, delay=1.0, U=0.5,
                                        tau_rec=200.0, tau_facil=20.0)
    prj = sim.Projection(inp, out, sim.AllToAllConnector(), syn,
                         receptor_type="excitatory")
    out.record("spikes")
    t0 = time.perf_counter()
    sim.run(tstop)
    run_s = time.perf_counter() - t0
    w = prj.get("weight", format="array")
    res = {"rate": out.mean_spike_count() * 1000.0 / tstop,
           "mean_w": float(w[~(w != w)].mean()), "run_s": run_s}
    sim.end()
    return res


if __name__ == "__main__":
    module, kind = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r = plastic_network(importlib.import_module(module), kind, seed)
    print("%s %s seed %d: rate %.3f Hz, mean weight %.4f nA, run %.2f s"
          % (module, kind, seed, r["rate"], r["mean_w"], r["run_s"]))
