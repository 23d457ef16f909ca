# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The Vogels-Abbott benchmarks (Brette et al. 2007, benchmarks 1 and 2:
CUBA and COBA) as PyNN's examples/VAbenchmarks.py writes them, adapted to
the PyNN 0.10 API, for any PyNN backend: the same function runs on
pynn_evsnn and on pyNN.brian2, only the module differs.

    python3 va_benchmark.py pynn_evsnn|pyNN.brian2 CUBA|COBA [seed [tstop_ms]]

prints the excitatory and inhibitory rates (Hz), the synapse counts and
the times."""

import importlib
import sys
import time


def va_network(sim, benchmark, seed, tstop=1000.0, n=4000, dt=0.1,
               record_v=False):
    """Builds and runs the network on PyNN module sim; returns a dict of
    rates (Hz), synapse counts and build/run times (s)."""
    timer = time.perf_counter()
    r_ei = 4.0            # excitatory : inhibitory cells
    pconn = 0.02          # connection probability
    stim_dur = 50.0       # ms of random stimulation (COBA)
    rate = 100.0          # Hz of the random stimulation
    delay = 0.2           # ms
    area = 20000.0 * 1e-8             # cm^2
    tau_m, cm_per_area, g_leak = 20.0, 1.0, 5e-5
    E_leak = -60.0 if benchmark == "COBA" else -49.0
    v_thresh, v_reset, t_refrac, v_mean = -50.0, -60.0, 5.0, -60.0
    tau_exc, tau_inh = 5.0, 10.0
    Gexc, Ginh = (4.0, 51.0) if benchmark == "COBA" else (0.27, 4.5)
    Erev_exc, Erev_inh = 0.0, -80.0
    cm = cm_per_area * area * 1000    # nF
    Rm = 1e-6 / (g_leak * area)       # MOhm
    assert abs(tau_m - cm * Rm) < 1e-9
    n_exc = int(round(n * r_ei / (1 + r_ei)))
    n_inh = n - n_exc
    if benchmark == "COBA":
        celltype = sim.IF_cond_exp
        w_exc, w_inh = Gexc * 1e-3, Ginh * 1e-3          # uS
    else:
        celltype = sim.IF_curr_exp
        w_exc = 1e-3 * Gexc * (Erev_exc - v_mean)       # nA
        w_inh = 1e-3 * Ginh * (Erev_inh - v_mean)       # nA

    sim.setup(timestep=dt, min_delay=delay, max_delay=1.0)
    cell_params = {"tau_m": tau_m, "tau_syn_E": tau_exc, "tau_syn_I": tau_inh,
                   "v_rest": E_leak, "v_reset": v_reset, "v_thresh": v_thresh,
                   "cm": cm, "tau_refrac": t_refrac, "i_offset": 0.0}
    if benchmark == "COBA":
        cell_params["e_rev_E"] = Erev_exc
        cell_params["e_rev_I"] = Erev_inh
    exc_cells = sim.Population(n_exc, celltype(**cell_params),
                               label="Excitatory_Cells")
    inh_cells = sim.Population(n_inh, celltype(**cell_params),
                               label="Inhibitory_Cells")
    rng = sim.NumpyRNG(seed=seed)
    uniform = sim.RandomDistribution("uniform", low=v_reset, high=v_thresh,
                                     rng=rng)
    exc_cells.initialize(v=uniform)
    inh_cells.initialize(v=uniform)
    if benchmark == "COBA":
        ext_stim = sim.Population(20, sim.SpikeSourcePoisson(
            rate=rate, duration=stim_dur), label="expoisson")
        ext_conn = sim.FixedProbabilityConnector(0.01, rng=rng)
        ext_syn = sim.StaticSynapse(weight=0.1, delay=delay)
    exc_conn = sim.FixedProbabilityConnector(pconn, rng=rng)
    inh_conn = sim.FixedProbabilityConnector(pconn, rng=rng)
    exc_syn = sim.StaticSynapse(weight=w_exc, delay=delay)
    inh_syn = sim.StaticSynapse(weight=w_inh, delay=delay)
    prj = {
        "e2e": sim.Projection(exc_cells, exc_cells, exc_conn, exc_syn,
                              receptor_type="excitatory"),
        "e2i": sim.Projection(exc_cells, inh_cells, exc_conn, exc_syn,
                              receptor_type="excitatory"),
        "i2e": sim.Projection(inh_cells, exc_cells, inh_conn, inh_syn,
                              receptor_type="inhibitory"),
        "i2i": sim.Projection(inh_cells, inh_cells, inh_conn, inh_syn,
                              receptor_type="inhibitory"),
    }
    if benchmark == "COBA":
        prj["ext2e"] = sim.Projection(ext_stim, exc_cells, ext_conn, ext_syn,
                                      receptor_type="excitatory")
        prj["ext2i"] = sim.Projection(ext_stim, inh_cells, ext_conn, ext_syn,
                                      receptor_type="excitatory")
    exc_cells.record("spikes")
    inh_cells.record("spikes")
    if record_v:
        exc_cells[[0, 1]].record("v")
    build = time.perf_counter() - timer
    timer = time.perf_counter()
    sim.run(tstop)
    run = time.perf_counter() - timer
    E_count = exc_cells.mean_spike_count()
    I_count = inh_cells.mean_spike_count()
    out = {"exc_rate": E_count * 1000.0 / tstop,
           "inh_rate": I_count * 1000.0 / tstop,
           "synapses": {k: p.size() for k, p in prj.items()},
           "build_s": build, "run_s": run}
    if record_v:
        out["data"] = exc_cells.get_data()
    sim.end()
    return out


if __name__ == "__main__":
    module, benchmark = sys.argv[1], sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 98765
    tstop = float(sys.argv[4]) if len(sys.argv) > 4 else 1000.0
    r = va_network(importlib.import_module(module), benchmark, seed, tstop)
    print("%s %s seed %d: exc %.3f Hz, inh %.3f Hz, synapses %s, build %.2f "
          "s, run %.2f s" % (module, benchmark, seed, r["exc_rate"],
                             r["inh_rate"], r["synapses"], r["build_s"],
                             r["run_s"]))
