#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Writes models/microcircuit.ini: the cortical microcircuit of Potjans &
Diesmann (2014) with the parameters of the reference implementation (NEST's
microcircuit PD14 package; doc/benchmarks.md, B5).

    python3 tools/microcircuit_ini.py > models/microcircuit.ini

The connection probabilities become fixed total numbers of synapses drawn
with replacement, K = round(log(1 - p) / log(1 - 1 / (N_pre N_post))), from
the full-scale sizes; [network] scale multiplies sizes and totals alike (the
in-degrees stay), k_scale the in-degrees (see doc/microcircuit.md)."""
import math

POPS = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"]
N = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948]
# rows: target, columns: source
P = [
    [0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0],
    [0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0],
    [0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0],
    [0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0],
    [0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0],
    [0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0],
    [0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252],
    [0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443],
]
K_EXT = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100]
BG_RATE = 8.0  # Hz per external source
# the reference package's full-scale rates (Hz), for the k_scale compensation
RATES = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829]
C_M, TAU_M, TAU_SYN = 250.0, 10.0, 0.5  # pF, ms, ms
PSP = 0.15  # mV, mean excitatory PSP
G = -4.0
REL_SD = 0.1


def psc_over_psp():
    """The PSC amplitude (pA) whose PSP peaks at 1 mV (the reference's
    postsynaptic_potential_to_current)."""
    sub = 1.0 / (TAU_SYN - TAU_M)
    pre = TAU_M * TAU_SYN / C_M * sub
    frac = (TAU_M / TAU_SYN) ** sub
    return 1.0 / (pre * (frac ** TAU_M - frac ** TAU_SYN))


def total(p, n_pre, n_post):
    return round(math.log(1 - p) / math.log(1 - 1 / (n_pre * n_post)))


def main():
    w = PSP * psc_over_psp()
    out = []
    o = out.append
    o("; B5: the cortical microcircuit of Potjans & Diesmann (2014), with the")
    o("; parameters of NEST's reference implementation (doc/microcircuit.md,")
    o("; doc/benchmarks.md, B5). Written by tools/microcircuit_ini.py: edit")
    o("; that script, not this file.")
    o(";")
    o("; 77,169 current-based LIF neurons in 8 populations, 299 million synapses")
    o("; at full scale; a Poisson background of K_ext x 8 Hz onto every neuron,")
    o("; drawn per neuron and step (never synapses). The benchmark's 10 % (7,717")
    o("; neurons, 3 million synapses, NEST's N_scaling = K_scaling = 0.1):")
    o(";   evsnn run models/microcircuit.ini --set network.scale=0.1 --set network.k_scale=0.1")
    o("; DC instead of the Poisson background:   --set network.background=dc")
    o("; The exact event-driven neuron for a population:  --set L4E.integration=exact")
    o("; (the same model; each background input is then an exact event:")
    o("; doc/microcircuit.md compares the two modes' costs and statistics)")
    o(";")
    o("; Reference rates at full scale (Hz, L23E ... L6I), 10 s after 0.1 s:")
    o(";   " + ", ".join("%.3f" % r for r in RATES))
    o("")
    o("[simulation]")
    o("duration = 10.1 s         ; 0.1 s of transient, then the 10 s measured")
    o("seed = 55")
    o("resolution = 0.1 ms")
    o("")
    o("[network]")
    o("scale = 1                 ; neurons and synapse totals (in-degrees kept)")
    o("k_scale = 1               ; in-degrees: weights / sqrt(k_scale), DC keeps the mean")
    o("background = poisson      ; or dc: each background's mean current")
    for i, name in enumerate(POPS):
        o("")
        o("[population %s]" % name)
        o("type = IF_curr_exp")
        o("integration = grid        ; NEST's iaf_psc_exp on the 0.1 ms grid")
        o("size = %d" % N[i])
        o("cm = 250 pF")
        o("tau_m = 10 ms")
        o("tau_syn_E = 0.5 ms")
        o("tau_syn_I = 0.5 ms")
        o("tau_refrac = 2 ms")
        o("v_rest = -65 mV")
        o("v_reset = -65 mV")
        o("v_thresh = -50 mV")
        o("v_init = normal(-58 mV, 10 mV)")
        o("background_rate = %g Hz   ; K_ext = %d sources at 8 Hz" %
          (K_EXT[i] * BG_RATE, K_EXT[i]))
        o("background_weight = %.4f pA" % w)
        o("reference_rate = %g Hz" % RATES[i])
    for t, tname in enumerate(POPS):
        for s, sname in enumerate(POPS):
            p = P[t][s]
            if p == 0:
                continue
            k = total(p, N[s], N[t])
            exc = sname.endswith("E")
            mean = w * (1 if exc else G)
            if sname == "L4E" and tname == "L23E":
                mean *= 2
            o("")
            o("[projection %s_%s]" % (sname, tname))
            o("pre = %s" % sname)
            o("post = %s" % tname)
            o("receptor = %s" % ("excitatory" if exc else "inhibitory"))
            o("connect = fixed_total   ; p = %g" % p)
            o("n = %d" % k)
            if s == t:
                o("autapses = yes")
            if exc:
                o("weight = normal_clipped(%.4f pA, %.4f pA, 0 pA, inf pA)" %
                  (mean, abs(mean) * REL_SD))
                o("delay = normal_clipped(1.5 ms, 0.75 ms, 0.05 ms, inf ms)")
            else:
                o("weight = normal_clipped(%.4f pA, %.4f pA, -inf pA, 0 pA)" %
                  (mean, abs(mean) * REL_SD))
                o("delay = normal_clipped(0.75 ms, 0.375 ms, 0.05 ms, inf ms)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
