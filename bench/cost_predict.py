#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The cost model of doc/cost-model.md: from the constants bench/cost_model.py
measured (its --json file), predicts

  1. the 1- and 2-thread times of the runs the lead timed on the idle
     machine (bench/results/2026-12-07-threads-wall.md), next to them;
  2. the microcircuit (77,169 neurons, 0.3 G synapses, models/microcircuit.ini)
     and the multi-area model (Schmidt et al. 2018: 4.13 M neurons, 24.2 G
     synapses) on clusters of 1-1,024 nodes of 128 cores: time per simulated
     second with its parts, memory per rank;

and writes the figure's data (--tsv, default
bench/results/2026-12-07-cost-model.tsv), which bench/cost_model.gp draws
into doc/cost-model.png.

  /usr/bin/python3 bench/cost_predict.py CONSTANTS.json [--tsv FILE]
"""
import argparse
import json
import math
import os
import re

H = 1e-4  # resolution (s)
HERE = os.path.dirname(os.path.abspath(__file__))

# ---- measured elsewhere (each with its source) ------------------------------
# The cost of a barrier round on 2 threads of this machine, idle (the lead:
# bench/results/2026-12-07-threads-wall.md, "The cost of a window").
C_WINDOW_2T = 1.2e-6  # s
# Instructions of the serial merge a spike (B1 at N = 64,000: ~10 M
# instructions for 111,063 spikes, bench/results/2026-12-06-threads-speed.md).
C_MERGE = 90.0
# Instructions of the raster writer a recorded spike (doc/scaling.md, main_share).
C_RASTER = 308.0
# Bytes of a spike record exchanged between ranks: time (8) and global id (4),
# padded (evs_spike is 16 bytes).
RECORD = 16
# InfiniBand HDR: 200 Gb/s a port (25 GB/s), adapter latency under 0.6 us
# (NVIDIA ConnectX-6 user manual; Lenovo Press LP1195). An allgather step
# through a switch, with MPI's software, is taken as 1.5 us (assumption: 2.5x
# the adapter's figure), log2(ranks) steps (recursive doubling), and the
# data term of a ring, (R - 1) / R x total bytes / bandwidth.
IB_ALPHA = 1.5e-6
IB_BW = 25e9
CORES = 128

# The lead's idle-machine wall times (bench/results/2026-12-07-threads-wall.md):
# event loop per simulated second, medians, 1 and 2 threads.
MEASURED = {
    "B1_64k": (0.972 / 2, 0.684 / 2),
    "B1_256k": (4.913 / 2, 3.491 / 2),
    "MC_10": (2.197 / 2, 1.306 / 2),
    "B3_64k": (7.706 / 2, 4.346 / 2),
    "MC_full": (13.68 / 0.3, 8.11 / 0.3),
}


def expected_max(p):
    """E[max of p independent standard normals] (0 for p = 1)."""
    if p <= 1:
        return 0.0
    # integrate x p phi(x) Phi(x)^(p-1) on a grid
    s, n, a, b = 0.0, 4000, -8.0, 8.0
    dx = (b - a) / n
    for i in range(n + 1):
        x = a + i * dx
        phi = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(x / math.sqrt(2)))
        wgt = 0.5 if i in (0, n) else 1.0
        s += wgt * x * p * phi * cdf ** (p - 1) * dx
    return s


EMAX = {}


def emax(p):
    if p not in EMAX:
        EMAX[p] = expected_max(p)
    return EMAX[p]


def read_microcircuit(path, scale=1.0, k_scale=1.0):
    """Sizes, background rates, reference rates and projections of
    models/microcircuit.ini at a scale (as its [network] keys do)."""
    pops, projs, sec = {}, [], None
    with open(path) as f:
        for line in f:
            line = line.split(";")[0].strip()
            m = re.match(r"\[(population|projection) (\w+)\]", line)
            if m:
                sec = (m.group(1), m.group(2))
                if sec[0] == "population":
                    pops[sec[1]] = {}
                else:
                    projs.append({})
                continue
            m = re.match(r"(\w+)\s*=\s*(.*)", line)
            if not m or not sec:
                continue
            k, v = m.group(1), m.group(2)
            d = pops[sec[1]] if sec[0] == "population" else projs[-1]
            d[k] = v
    out = {}
    for name, p in pops.items():
        out[name] = dict(n=round(int(p["size"]) * scale),
                         bg=float(p["background_rate"].split()[0]) * k_scale,
                         rate=float(p["reference_rate"].split()[0]))
    pj = [dict(pre=q["pre"], post=q["post"],
               n=int(q["n"]) * scale * k_scale) for q in projs]
    return out, pj


def mc_model(scale=1.0):
    pops, projs = read_microcircuit(
        os.path.join(HERE, "..", "models", "microcircuit.ini"), scale, scale)
    n = sum(p["n"] for p in pops.values())
    spikes = sum(p["n"] * p["rate"] for p in pops.values())
    syn = sum(q["n"] * pops[q["pre"]]["rate"] for q in projs)
    return dict(
        name="microcircuit", neurons=n, synapses=sum(q["n"] for q in projs),
        steps=n / H, bg=sum(p["n"] * p["bg"] for p in pops.values()),
        spikes=spikes, syn=syn, d_min=H,
        # sum over projections of the presynaptic population's size
        rows=sum(pops[q["pre"]]["n"] for q in projs),
        n_out=sum(pops[q["pre"]]["n"] for q in projs) / n, pops=len(pops),
        delays=30)


def mam_model(rate=5.0):
    """Schmidt et al. 2018: 4.13 M neurons, 24.2 G synapses, NEST's
    iaf_psc_exp on 0.1 ms (IF_curr_exp_grid here), Poisson background at
    10 Hz (rate_ext) with the microcircuit's external in-degrees (assumed),
    delays: local 1.5 ms (E) / 0.75 ms (I), inter-area distance / 3.5 mm/ms,
    all with 50 % relative s.d. (multi-area-model, default_params.py), so the
    shortest delay is the resolution; 60 distinct delays a spike's row
    (assumed: the local ones and the inter-area ones). The mean rate is an assumption (the
    populations span about 0.1-30 Hz)."""
    mc = mc_model()
    n, s = 4.13e6, 24.2e9
    bg_per_neuron = mc["bg"] / mc["neurons"] * 10.0 / 8.0
    # outgoing projections a population: 8 within its area; excitatory
    # populations (78 %) also to the 8 populations of each of ~20 connected
    # areas (66 % of 31): 0.78 * 168 + 0.22 * 8 = 133 (assumption)
    n_out = 133.0
    return dict(
        name="multi-area", neurons=n, synapses=s, steps=n / H,
        bg=n * bg_per_neuron, spikes=n * rate, syn=s * rate, d_min=H,
        rows=n * n_out, n_out=n_out, pops=32 * 8 - 2, delays=60)


B1_KEY = "B1 N = 64,000, 0.05 s"
MC_KEY = "microcircuit 10 %, 0.02 s"


def distinct(k, d):
    """Expected distinct values among k draws from d equally likely delays
    (the delivery events a thread pops for one spike; d = 1: the chance
    that it holds a synapse at all)."""
    return d * (1 - math.exp(-k / d))


class Model:
    def __init__(self, js):
        self.f = js["families"]
        self.ns = js["ns_per_instr"]
        fo = js["fanout"]
        self.a, self.b, self.e = fo["a"], fo["b"], fo["pop_step"]
        self.th = th = js["threads"]
        self.one = js["one"]
        # one delivery event on a thread (push, pop, the projections' delay
        # groups looked up, the post type's setup): from the microcircuit's
        # c_alike, what is left after the scan and the population steps,
        # over the distinct delays a thread holds for a spike (30 assumed:
        # normal(1.5 ms, 0.75 ms) and normal(0.75 ms, 0.375 ms) on 0.1 ms)
        mc = th[MC_KEY]
        steps = mc["duration"] / H
        k = mc["syn"] / mc["spikes"] / 3  # between 2 and 4 threads
        self.c_event = (mc["c_alike"] - self.e * 8 * steps / mc["spikes"] -
                        self.a - 8 * self.b) / distinct(k, 30)
        # the one-thread queue of the microcircuit: an event per projection
        # and delay group; its cost an event, from the one-thread count of
        # the same 0.02 s against the families' constants
        one = self.one["MC"]
        self.c_event1 = (one["instr"] - self.mc_split(one, mc["duration"])) / \
            one["pushes"]

    def mc_split(self, c, dur):
        """Instructions of the microcircuit at 10 % that the families'
        constants give (steps, background, synaptic events, spikes)."""
        g = self.f["grid_bg"]
        pops, _ = read_microcircuit(
            os.path.join(HERE, "..", "models", "microcircuit.ini"), 0.1, 0.1)
        n = sum(p["n"] for p in pops.values())
        bg = sum(p["n"] * p["bg"] for p in pops.values())
        return (g["step"] * n * dur / H + g["background input"] * bg * dur +
                g["syn"] * c["syn"] + g["spike"] * c["spikes"])

    def c_alike(self, m, C, routed=False):
        """Instructions a thread pays for every spike of the network."""
        k = m["syn"] / m["spikes"] / C  # the spike's synapses on a thread
        if not routed:
            return self.a + self.b * m["n_out"] + \
                self.c_event * distinct(k, m["delays"])
        # routed: only a thread holding synapses of the spike sees it, and
        # scans only the projections it holds synapses of
        return (self.a * distinct(k, 1) +
                self.b * m["n_out"] * distinct(k / m["n_out"], 1) +
                self.c_event * distinct(k, m["delays"]))

    def cluster(self, m, nodes, ranks_per_node=1, two_tier=None, record=RECORD,
                routed=False):
        """Seconds per simulated second and its parts, and bytes per rank.
        two_tier = (groups, global window): the ranks in groups exchange
        every d_min within their group and every global window between
        groups (inter-area delays at least that long). routed: a spike
        reaches only the threads (and ranks) holding a synapse of it."""
        R = nodes * ranks_per_node
        P = CORES // ranks_per_node
        C = R * P
        ns = self.ns["B1_64000"] * 1e-9
        g = self.f["grid_bg"]
        W = 1.0 / m["d_min"]
        k_out = m["syn"] / m["spikes"]  # synapses a spike
        reach_r = 1 - math.exp(-k_out / R) if routed else 1.0
        compute = (g["step"] * m["steps"] + g["background input"] * m["bg"] +
                   g["syn"] * m["syn"] + g["spike"] * m["spikes"]) / C * ns
        alike = (self.c_alike(m, C, routed) * m["spikes"] +
                 self.e * m["pops"] / H) * ns
        merge = C_MERGE * m["spikes"] * ns if C > 1 else 0.0
        thr = C_WINDOW_2T * max(1.0, math.log2(P)) * W if P > 1 else 0.0
        bytes_w = m["spikes"] / W * record * reach_r + 8 * R

        def mpi(r, b, windows):
            if r <= 1:
                return 0.0, 0.0
            return (windows * 2 * IB_ALPHA * math.ceil(math.log2(r)),
                    windows * b * (r - 1) / r / IB_BW)
        if two_tier:  # (groups, global window): groups of R / groups ranks
            lat1, by1 = mpi(R // two_tier[0], bytes_w / two_tier[0], W)
            lat2, by2 = mpi(R, bytes_w * W * two_tier[1], 1 / two_tier[1])
            lat, byt = lat1 + lat2, by1 + by2
        else:
            lat, byt = mpi(R, bytes_w, W)
        spikes_w = m["spikes"] / W
        var = spikes_w * (g["syn"] ** 2 * k_out / C * (1 - 1 / C) +
                          g["spike"] ** 2 / C) + \
            m["bg"] / W * g["background input"] ** 2 / C
        imb = W * emax(C) * math.sqrt(var) * ns
        total = compute + alike + merge + thr + lat + byt + imb
        # a synapse: target and weight (8 B) and its share of its delay
        # group (12 B: delay and end): a row's k synapses of one projection
        # on one thread fall into distinct(k, delays) groups
        k = m["synapses"] / m["rows"] / C
        mem_syn = m["synapses"] / R * (8 + 12 * distinct(k, m["delays"]) / k)
        # a grid neuron's state: 56 B (lif_grid.c), 64 with its buffers
        mem_neur = m["neurons"] / R * 64
        # every thread's split of every projection keeps row and group
        # pointers (16 B) for every presynaptic neuron: P x 16 x rows; with
        # sparse rows, 20 B (source, offset, groups) for each row that has a
        # synapse on the thread
        mem_rows = P * 16 * m["rows"]
        mem_rows_sparse = P * 20 * m["rows"] * distinct(k, 1)
        return dict(nodes=nodes, ranks=R, threads=P, total=total,
                    compute=compute, alike=alike, merge=merge, barrier=thr,
                    latency=lat, bytes=byt, imbalance=imb,
                    mem=mem_syn + mem_neur + mem_rows,
                    mem_sparse=mem_syn + mem_neur + mem_rows_sparse,
                    mem_rows=mem_rows, mem_syn=mem_syn)

    def check(self, counts):
        """Predicted 1- and 2-thread seconds per simulated second of the
        runs the lead timed (2 s, rasters on), and their instructions."""
        rows = []
        ex, cond, stdp = self.f["exact"], self.f["cond"], self.f["cond_stdp"]
        for label, c in counts.items():
            dur = 2.0
            spikes = sum(c["spk"].values())
            n = sum(c["neurons"].values())
            if label.startswith("B1"):
                split = (ex["syn"] * c["syn"] + ex["spike"] * spikes +
                         ex["neuron window"] * n * dur / H)
                cs, rounds = ex, 1 / H + 1000  # windows and v samples
            elif label.startswith("B3"):
                ne = c["neurons"]["E"]
                p = 80.0 / n
                syn_ee = c["spk"]["E"] * p * ne
                split = (cond["step"] * n * dur / H +
                         cond["syn"] * (c["syn"] - syn_ee) +
                         stdp["syn"] * syn_ee +
                         stdp["post spike x in-degree"] * c["spk"]["E"] * p * ne +
                         cond["spike"] * spikes)
                cs, rounds = cond, 1 / H + 1000
            else:
                split = self.mc_split(dict(syn=c["syn"], spikes=spikes), dur)
                cs, rounds = self.f["grid_bg"], 1 / H
            split += C_RASTER * spikes  # the lead's runs wrote rasters
            if label.startswith("MC"):
                one = split + self.c_event1 * c["queue_pushes"]
                alike = self.c_alike(dict(syn=c["syn"], spikes=spikes,
                                          n_out=8, delays=30), 2)
                sum2 = split + 2 * (alike * spikes + self.e * 8 * dur / H)
            else:
                one = split
                sum2 = split + self.th[B1_KEY]["c_alike"] * spikes + \
                    self.e * 2 * dur / H
            ns = self.ns["B1_64000"] * 1e-9
            t1 = one * ns / dur
            k = c["syn"] / spikes
            var_w = spikes / dur / rounds * (cs["syn"] ** 2 * k / 4 +
                                             cs["spike"] ** 2 / 2)
            t2 = (sum2 / 2 + C_MERGE * spikes) * ns / dur + \
                rounds * C_WINDOW_2T + rounds * emax(2) * math.sqrt(var_w) * ns
            rows.append((label, t1, t2, one, sum2))
        return rows


def mc_one_thread(m, mc):
    """The full-scale microcircuit on one thread (s per simulated second):
    the families' constants, the one-thread events (an event per
    projection and delay group: distinct delays of each projection's row)."""
    g = m.f["grid_bg"]
    instr = (g["step"] * mc["steps"] + g["background input"] * mc["bg"] +
             g["syn"] * mc["syn"] + (g["spike"] + C_RASTER) * mc["spikes"])
    per_proj = mc["syn"] / mc["spikes"] / mc["n_out"]
    instr += m.c_event1 * mc["spikes"] * mc["n_out"] * distinct(per_proj, 30)
    return instr * m.ns["B1_64000"] * 1e-9


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("constants")
    ap.add_argument("--tsv", default=os.path.join(
        HERE, "results", "2026-12-07-cost-model.tsv"))
    args = ap.parse_args()
    with open(args.constants) as f:
        js = json.load(f)
    m = Model(js)
    print("## The check: predicted against measured (s per simulated second)\n")
    print("What one more thread pays for every spike (instructions): "
          "a + b n_out + c_event x distinct delays held; a = %.0f, b = %.1f "
          "(fanout runs), c_event = %.0f (from the microcircuit's %.0f); the "
          "one-thread microcircuit's event (per projection and delay group) "
          "%.0f; a population's step on one more thread e = %.0f.\n" % (
              m.a, m.b, m.c_event, m.th[MC_KEY]["c_alike"], m.c_event1, m.e))
    print("| run | 1 thread predicted | measured | 2 threads predicted | measured | speed-up predicted | measured | instructions: 1 thread | 2 threads, sum |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    counts = dict(js.get("counts", {}))
    for label, t1, t2, i1, i2 in m.check(counts):
        m1, m2 = MEASURED[label]
        print("| %s | %.3f | %.3f | %.3f | %.3f | %.2f | %.2f | %.3g | %.3g |" % (
            label, t1, m1, t2, m2, t1 / t2, m1 / m2, i1, i2))
    print()
    mc_full = mc_model()
    print()
    rows = []
    print("Full-scale microcircuit on one thread (reference rates): predicted "
          "%.1f s per simulated second; measured %.1f (the lead, its first "
          "0.3 s).\n" % (mc_one_thread(m, mc_full), MEASURED["MC_full"][0]))
    for model in (mc_full, mam_model()):
        print("## %s: %.3g neurons, %.3g synapses, %.3g spikes/s, %.3g synaptic events/s\n" % (
            model["name"], model["neurons"], model["synapses"],
            model["spikes"], model["syn"]))
        print("| nodes | ranks x threads | s per sim. s | compute | alike | merge | barrier | MPI latency | bytes | imbalance | GB a rank (now) | routed%s: s per sim. s | GB a rank (sparse rows) |" % (
            " + two-tier" if model["name"] == "multi-area" else ""))
        print("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for e in range(11):
            nodes = 2 ** e
            r = m.cluster(model, nodes)
            tt = (m.cluster(model, nodes, two_tier=(min(32, nodes), 1e-3),
                            routed=True)
                  if model["name"] == "multi-area" else
                  m.cluster(model, nodes, routed=True))
            rows.append((model["name"], r, tt))
            print("| %d | %d x %d | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g | %.3g |" % (
                nodes, r["ranks"], r["threads"], r["total"], r["compute"],
                r["alike"], r["merge"], r["barrier"], r["latency"],
                r["bytes"], r["imbalance"], r["mem"] / 1e9, tt["total"],
                r["mem_sparse"] / 1e9))
        print()
    with open(args.tsv, "w") as f:
        f.write("# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.\n")
        f.write("# written by bench/cost_predict.py; drawn by bench/cost_model.gp\n")
        f.write("# model nodes total compute alike+merge windows(barrier+latency+bytes) imbalance total_routed(+two-tier) mem_GB mem_sparse_GB\n")
        last = None
        for name, r, tt in rows:
            if last and name != last:
                f.write("\n\n")
            last = name
            f.write("%s %d %.6g %.6g %.6g %.6g %.6g %.6g %.6g %.6g\n" % (
                name, r["nodes"], r["total"], r["compute"],
                r["alike"] + r["merge"],
                r["barrier"] + r["latency"] + r["bytes"], r["imbalance"],
                tt["total"], r["mem"] / 1e9, r["mem_sparse"] / 1e9))


if __name__ == "__main__":
    main()
