#!/usr/bin/python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Re-measures the constants of evsnn's cost model (doc/cost-model.md) with
callgrind instruction counts, which do not depend on the machine's load, and
prints them as a Markdown report (and, with --json, as a JSON file that
bench/cost_predict.py reads).

  /usr/bin/python3 bench/cost_model.py [--build DIR] [--runs N] [--json F]
                                       [--parts fit,ns,threads,fanout,counts]

Five parts:

fit      For each family of small networks (one neuron type, one kind of
         synapse) a random design of N runs varying the number of neurons,
         the in-degree and the rate; every run's event loop
         (evs__run_until) counted by callgrind, its counts (spikes per
         population, synaptic events) read from summary.tsv and run.log;
         a least-squares fit of instructions = sum of cost x count, with
         each run's residual.
ns       Nanoseconds per instruction of this machine: the loop instructions
         of the runs the lead timed on the idle machine
         (bench/results/2026-12-07-session11-quiet.tsv: B1 at N = 4,000 and
         64,000, 2 s, seed 1) against their wall times.
threads  The cost each thread pays alike for every spike of the network (it
         scans its row pointers, pushes its own delivery events and pays the
         deliveries' setup for its part of the rows): B1 at N = 64,000 and
         the microcircuit at 10 % on 1, 2 and 4 threads (callgrind
         serialises the threads, so each thread's count is its own work;
         a preloaded shim makes a waiter spin little); c_alike from 2 to 4
         threads, and the one-thread counts.
fanout   The same as a function of a population's outgoing projections,
         and a population's step on one more thread.
counts   Spikes and synaptic events of the runs the lead timed on 1 and 2
         threads (native runs), for bench/cost_predict.py's check.

Needs valgrind; the build's .libs/evsnn (run with LD_LIBRARY_PATH) so that
callgrind counts the program, not libtool's wrapper script, and a C
compiler (cc) for the shim. About an hour on a loaded 2-core machine.
"""
import argparse
import glob
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

import numpy as np

H = 1e-4  # the resolution of every model here (s)

COMMON = """[simulation]
duration = {dur} s
seed = {seed}
resolution = 0.1 ms
"""

# IF_curr_exp_grid with the microcircuit's neuron (NEST's iaf_psc_exp).
GRID_POP = """
[population T]
type = IF_curr_exp
integration = grid
size = {n}
cm = 250 pF
tau_m = 10 ms
tau_syn_E = 0.5 ms
tau_syn_I = 0.5 ms
tau_refrac = 2 ms
v_rest = -65 mV
v_reset = -65 mV
v_thresh = -50 mV
v_init = uniform(-65 mV, -50 mV)
i_offset = {i_off} pA
background_rate = {bg} Hz
background_weight = 87.8085 pA
record_spikes = no
"""

COND_POP = """
[population T]
type = IF_cond_exp
size = {n}
cm = 0.2 nF
tau_m = 20 ms
v_rest = -60 mV
v_thresh = -50 mV
v_reset = -60 mV
tau_refrac = 5 ms
e_rev_E = 0 mV
e_rev_I = -80 mV
tau_syn_E = 5 ms
tau_syn_I = 10 ms
v_init = uniform(-60 mV, -50 mV)
record_spikes = no
"""

NMDA_POP = """
[population T]
type = IF_cond_ampa_nmda
size = {n}
v_init = uniform(-70 mV, -50 mV)
record_spikes = no
"""

SOURCE = """
[population S]
type = SpikeSourcePoisson
size = 1000
rate = {rate} Hz
"""

PROJ = """
[projection {name}]
pre = {pre}
post = T
receptor = excitatory
connect = fixed_indegree
n = {k}
weight = {w}
delay = 1 ms
"""

STDP = """rule = stdp_pair
tau_plus = 20 ms
tau_minus = 20 ms
A_plus = {ap} nS
A_minus = {am} nS
w_min = 0 nS
w_max = {wmax} nS
"""

STP = """stp_U = 0.2
stp_tau_d = 200 ms
stp_tau_f = 600 ms
"""


def b1_text(p):
    """B1 (models/cuba.ini) at N neurons, in-degree k, leak reversal vr."""
    ne = int(p["n"] * 4 / 5)
    prob = p["k"] / p["n"]
    sets = {"E.size": ne, "I.size": p["n"] - ne, "E.v_rest": "%gmV" % p["vr"],
            "I.v_rest": "%gmV" % p["vr"], "E.record_v": "none",
            "E.record_spikes": "no", "I.record_spikes": "no",
            "simulation.duration": "%gs" % p["dur"]}
    for k in ("EE", "EI", "IE", "II"):
        sets[k + ".p"] = "%.10g" % prob
    return None, sets


def grid_text(p):
    t = COMMON.format(dur=p["dur"], seed=1) + GRID_POP.format(
        n=p["n"], i_off=p.get("i_off", 0), bg=p.get("bg", 0))
    t += PROJ.format(name="TT", pre="T", k=p["k"], w="10 pA")
    return t, {}


def source_text(pop, w_unit):
    def make(p):
        t = COMMON.format(dur=p["dur"], seed=1) + pop.format(n=p["n"])
        t += SOURCE.format(rate=p["rate"])
        t += PROJ.format(name="ST", pre="S", k=p["k"], w="%g %s" % (p["w"], w_unit))
        if p.get("stdp"):
            t += STDP.format(ap=0.01 * p["w"], am=0.0105 * p["w"], wmax=2 * p["w"])
        if p.get("stp"):
            t += STP
        if p.get("kr"):
            t += PROJ.format(name="TT", pre="T", k=p["kr"], w="0.5 nS")
        return t, {}
    return make


def log_uniform(rng, lo, hi):
    return math.exp(rng.uniform(math.log(lo), math.log(hi)))


# Each family: how to make a run's model from its parameters, how to draw
# them, and the regressors (name, function of the run's parameters and
# counts) whose costs the fit finds. Counts: spk[pop], syn (every synaptic
# event), steps (neuron steps of the clocked population T).
FAMILIES = {
    "exact": dict(
        what="IF_curr_exp (exact), B1's network: N, in-degree, leak reversal",
        make=b1_text,
        draw=lambda r: dict(n=int(log_uniform(r, 2000, 8000)),
                            k=r.uniform(50, 110), vr=r.uniform(-49.6, -48.0),
                            dur=0.2),
        regs=[("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["E"] + c["spk"]["I"]),
              ("neuron window", lambda p, c: p["n"] * p["dur"] / H)]),
    "grid_bg": dict(
        what="IF_curr_exp_grid with its Poisson background: N, in-degree, "
             "background rate, DC",
        make=grid_text,
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(50, 400)),
                            bg=r.uniform(7000, 10000),
                            i_off=r.uniform(0, 60), dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("background input", lambda p, c: p["n"] * p["bg"] * p["dur"]),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"])]),
    "grid": dict(
        what="IF_curr_exp_grid without background (DC drive): N, in-degree, DC",
        make=grid_text,
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(20, 400)),
                            i_off=r.uniform(370, 460), dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"])]),
    "cond": dict(
        what="IF_cond_exp driven by 1,000 Poisson sources, static synapses: "
             "N, in-degree, source rate, weight",
        make=source_text(COND_POP, "nS"),
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(50, 200)), rate=r.uniform(5, 20),
                            w=r.uniform(0.2, 1.0), kr=20, dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"])]),
    "cond_stdp": dict(
        what="IF_cond_exp, Poisson sources through stdp_pair synapses "
             "(no recurrence): N, in-degree, source rate, weight",
        make=source_text(COND_POP, "nS"),
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(50, 200)), rate=r.uniform(5, 20),
                            w=r.uniform(0.4, 1.6), stdp=1, dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"]),
              ("post spike x in-degree",
               lambda p, c: c["spk"]["T"] * p["k"])]),
    "cond_stp": dict(
        what="IF_cond_exp, Poisson sources through STP synapses "
             "(no recurrence): N, in-degree, source rate, weight",
        make=source_text(COND_POP, "nS"),
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(50, 200)), rate=r.uniform(5, 20),
                            w=r.uniform(1.0, 4.0), stp=1, dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"])]),
    "nmda": dict(
        what="IF_cond_ampa_nmda driven by 1,000 Poisson sources, static "
             "synapses: N, in-degree, source rate, weight",
        make=source_text(NMDA_POP, "nS"),
        draw=lambda r: dict(n=int(log_uniform(r, 1000, 4000)),
                            k=int(r.uniform(50, 200)), rate=r.uniform(5, 20),
                            w=r.uniform(2.0, 6.0), kr=20, dur=0.1),
        regs=[("step", lambda p, c: p["n"] * p["dur"] / H),
              ("syn", lambda p, c: c["syn"]),
              ("spike", lambda p, c: c["spk"]["T"])]),
}


# Under callgrind the threads run one at a time, so a thread waiting at the
# window barrier spins its full count (evs__par_spins: 20,000 when every
# thread has a core) and those spins would dominate the counts. This shim,
# preloaded, tells the program that the machine has one core, so that every
# threaded run spins 300 times at most before it sleeps (about 1,500
# instructions a wait), whatever the number of threads.
ONE_CORE = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <unistd.h>
long sysconf(int name) {
  static long (*real)(int);
  if (name == _SC_NPROCESSORS_ONLN) return 1;
  if (!real) real = (long (*)(int))dlsym(RTLD_NEXT, "sysconf");
  return real(name);
}
"""


class Runner:
    """Runs evsnn under callgrind in a scratch folder."""

    def __init__(self, build, models, work):
        self.build = os.path.abspath(build)
        self.models = models
        self.work = work
        self.exe = os.path.join(self.build, ".libs", "evsnn")
        self.env = dict(os.environ)
        self.env["LD_LIBRARY_PATH"] = os.path.join(self.build, ".libs")
        self.n = 0
        src = os.path.join(work, "one_core.c")
        with open(src, "w") as f:
            f.write(ONE_CORE)
        self.shim = os.path.join(work, "one_core.so")
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", self.shim, src,
                        "-ldl"], check=True)

    def run(self, model, sets, threads=1, toggles=("evs__run_until",),
            callgrind=True):
        """Runs model (a path, or model text) with --set sets; returns
        (per-thread instruction counts or None, counts)."""
        self.n += 1
        d = os.path.join(self.work, "r%03d" % self.n)
        os.makedirs(d)
        if "\n" in model:
            path = os.path.join(d, "m.ini")
            with open(path, "w") as f:
                f.write(model)
            model = path
        out = os.path.join(d, "out")
        cmd = []
        if callgrind:
            cmd = ["valgrind", "--tool=callgrind", "-q",
                   "--callgrind-out-file=" + os.path.join(d, "cg.%p")]
            cmd += ["--toggle-collect=" + t for t in toggles]
            if threads > 1:
                cmd.append("--separate-threads=yes")
        cmd += [self.exe, "run", model, "-q", "-o", out,
                "--threads", str(threads)]
        for k, v in sets.items():
            cmd += ["--set", "%s=%s" % (k, v)]
        env = dict(self.env)
        if callgrind and threads > 1:
            env["LD_PRELOAD"] = self.shim
        subprocess.run(cmd, check=True, env=env, cwd=d,
                       stdout=subprocess.DEVNULL)
        counts = read_counts(out)
        instr = None
        if callgrind:
            instr = []
            for f in sorted(glob.glob(os.path.join(d, "cg.*"))):
                with open(f) as fh:
                    for line in fh:
                        if line.startswith("totals:"):
                            instr.append(int(line.split()[1]))
            instr = [i for i in instr if i > 0]
        shutil.rmtree(out, ignore_errors=True)
        return instr, counts


def read_counts(out):
    c = {"spk": {}}
    with open(os.path.join(out, "summary.tsv")) as f:
        next(f)
        for line in f:
            cols = line.rstrip("\n").split("\t")
            c["spk"][cols[0]] = int(cols[2])
            c.setdefault("neurons", {})[cols[0]] = int(cols[1])
    with open(os.path.join(out, "run.log")) as f:
        for line in f:
            m = re.match(r"stat (\w+) (\S+)", line)
            if m:
                c[m.group(1)] = float(m.group(2))
    c["syn"] = c["syn_events"]
    return c


def fit_family(runner, name, fam, nruns, seed, out):
    rng = random.Random(seed)
    rows = []
    for i in range(nruns):
        p = fam["draw"](rng)
        text, sets = fam["make"](p)
        model = text if text else os.path.join(runner.models, "cuba.ini")
        instr, c = runner.run(model, sets)
        rows.append((p, c, instr[0]))
        print("  %s run %d/%d: %d instructions, %d synaptic events, spikes %s"
              % (name, i + 1, nruns, instr[0], c["syn"], c["spk"]),
              file=sys.stderr)
    names = [r[0] for r in fam["regs"]] + ["constant"]
    x = np.array([[f(p, c) for _, f in fam["regs"]] + [1.0]
                  for p, c, _ in rows])
    y = np.array([i for _, _, i in rows], dtype=float)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    pred = x @ coef
    res = (y - pred) / y
    # standard errors of the coefficients (residual variance)
    dof = max(len(y) - len(coef), 1)
    s2 = float(((y - pred) ** 2).sum()) / dof
    try:
        cov = s2 * np.linalg.inv(x.T @ x)
        se = np.sqrt(np.maximum(np.diag(cov), 0))
    except np.linalg.LinAlgError:
        se = np.full(len(coef), float("nan"))
    out.append("### %s: %s\n" % (name, fam["what"]))
    out.append("| cost | instructions | ± s.e. |\n| --- | ---: | ---: |")
    for n_, c_, s_ in zip(names, coef, se):
        out.append("| %s | %.1f | %.1f |" % (n_, c_, s_))
    out.append("")
    out.append("| run | " + " | ".join(sorted(rows[0][0])) +
               " | " + " | ".join(names[:-1]) +
               " | loop instructions | fit | residual |")
    out.append("| ---: " * (2 + len(rows[0][0]) + len(names) + 1) + "|")
    for i, ((p, c, ins), xr, pr, rr) in enumerate(zip(rows, x, pred, res)):
        out.append("| %d | %s | %s | %d | %.0f | %+.2f %% |" % (
            i + 1, " | ".join("%.4g" % p[k] for k in sorted(p)),
            " | ".join("%.0f" % v for v in xr[:-1]), ins, pr, 100 * rr))
    out.append("\nlargest |residual| %.2f %%, rms %.2f %%\n" % (
        100 * abs(res).max(), 100 * math.sqrt((res ** 2).mean())))
    return {n_: float(c_) for n_, c_ in zip(names, coef)}, \
        {n_: float(s_) for n_, s_ in zip(names, se)}, \
        float(abs(res).max())


def b1_sets(n, dur, seed):
    ne = n * 4 // 5
    p = "%.10g" % (80 / n)
    s = {"E.size": ne, "I.size": n - ne, "E.record_v": "none",
         "E.record_spikes": "no", "I.record_spikes": "no",
         "simulation.duration": "%gs" % dur, "simulation.seed": seed}
    for k in ("EE", "EI", "IE", "II"):
        s[k + ".p"] = p
    return s


def fanout_text(n_out, bg, dur=0.1):
    """A grid population A of 2,000 neurons (Poisson background bg Hz)
    projecting onto n_out silent grid populations of 250 neurons each."""
    t = COMMON.format(dur=dur, seed=1)
    t += GRID_POP.replace("[population T]", "[population A]").format(
        n=2000, i_off=0, bg=bg)
    for k in range(n_out):
        t += GRID_POP.replace("[population T]", "[population T%d]" % k).format(
            n=250, i_off=0, bg=0)
        t += PROJ.replace("post = T", "post = T%d" % k).format(
            name="AT%d" % k, pre="A", k=20, w="1 pA")
    return t


def sizes_sets(n):
    ne = n * 4 // 5
    s = {"E.size": ne, "I.size": n - ne}
    for k in ("EE", "EI", "IE", "II"):
        s[k + ".p"] = "%.10g" % (80 / n)
    return s


def count_cases(models):
    """The cases of bench/threads.sh the lead timed (2 s, 1 thread)."""
    two = {"simulation.duration": "2s"}
    return [
        ("B1_64k", os.path.join(models, "cuba.ini"),
         dict(sizes_sets(64000), **two)),
        ("B1_256k", os.path.join(models, "cuba.ini"),
         dict(sizes_sets(256000), **two)),
        ("B3_64k", os.path.join(models, "coba_stdp.ini"),
         dict(sizes_sets(64000), **two)),
        ("MC_10", os.path.join(models, "microcircuit.ini"),
         dict({"network.scale": 0.1, "network.k_scale": 0.1}, **two)),
    ]


def lead_walls(tsv):
    """(n, seed) -> loop wall s of the lead's idle-machine evsnn B1 runs."""
    w = {}
    with open(tsv) as f:
        head = f.readline().rstrip("\n").split("\t")
        for line in f:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            if r["bench"] == "B1" and r["engine"] == "evsnn":
                w[(int(r["n"]), int(r["seed"]))] = (float(r["loop_s"]),
                                                     float(r["duration_s"]))
    return w


def save(path, js, out):
    """Writes the constants so far to path (if any) and the report so far
    to path + ".md": a long run keeps what it measured."""
    if not path:
        return
    with open(path, "w") as f:
        json.dump(js, f, indent=1, sort_keys=True)
    with open(path + ".md", "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=".")
    ap.add_argument("--models", default=None)
    ap.add_argument("--runs", type=int, default=12,
                    help="runs per family (default 12)")
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--parts", default="fit,ns,threads,fanout,counts")
    ap.add_argument("--json", default=None, help="write the constants here")
    ap.add_argument("--lead-tsv", default=None,
                    help="the idle-machine B1 runs (default bench/results/"
                         "2026-12-07-session11-quiet.tsv)")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    models = args.models or os.path.join(here, "..", "models")
    tsv = args.lead_tsv or os.path.join(
        here, "results", "2026-12-07-session11-quiet.tsv")
    work = tempfile.mkdtemp(prefix="evsnn-cost.")
    runner = Runner(args.build, models, work)
    parts = args.parts.split(",")
    out, js = [], {"families": {}, "se": {}, "ns_per_instr": {},
                   "threads": {}}
    try:
        if "fit" in parts:
            out.append("## Costs per unit (instructions, callgrind, the event "
                       "loop `evs__run_until` only)\n")
            for i, name in enumerate(args.families.split(",")):
                coef, se, worst = fit_family(runner, name, FAMILIES[name],
                                             args.runs + (2 if name == "cond_stdp" else 0),
                                             1000 + i, out)
                js["families"][name] = coef
                js["se"][name] = se
        save(args.json, js, out)
        if "ns" in parts:
            out.append("## Nanoseconds per instruction\n")
            out.append("Loop instructions of the lead's idle-machine runs "
                       "(same command, same seed) against their loop wall "
                       "time (`%s`).\n" % os.path.relpath(tsv, os.path.join(here, "..")))
            out.append("| run | loop instructions | synaptic events | idle wall (s) | ns / instruction | instructions / synaptic event |")
            out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
            walls = lead_walls(tsv)
            for n in (4000, 64000):
                wall, dur = walls[(n, 1)]
                instr, c = runner.run(os.path.join(models, "cuba.ini"),
                                      b1_sets(n, dur, 1))
                ns = wall / instr[0] * 1e9
                js["ns_per_instr"]["B1_%d" % n] = ns
                out.append("| B1 N = %d, %g s, seed 1 | %d | %d | %.4f | %.4f | %.1f |" % (
                    n, dur, instr[0], c["syn"], wall, ns, instr[0] / c["syn"]))
            out.append("")
        save(args.json, js, out)
        if "threads" in parts:
            out.append("## The cost each thread pays alike per spike\n")
            out.append("Per-thread loop instructions (callgrind "
                       "`--separate-threads=yes`, `evs__run_until` on the "
                       "main thread, `evs__par_thread_main` on the others; "
                       "rasters on, as in `bench/threads.sh`; the program "
                       "preloaded with a shim that reports one core, so a "
                       "waiter spins 300 times at most: under callgrind the "
                       "threads run one at a time).\n")
            js["one"] = {}
            cases = [
                ("B1 N = 64,000, 0.05 s", os.path.join(models, "cuba.ini"),
                 {k: v for k, v in b1_sets(64000, 0.05, 1).items()
                  if not k.endswith(("record_spikes", "record_v"))}),
                ("microcircuit 10 %, 0.02 s",
                 os.path.join(models, "microcircuit.ini"),
                 {"network.scale": 0.1, "network.k_scale": 0.1,
                  "simulation.duration": "0.02s"}),
            ]
            out.append("| case | threads | spikes | per thread (M instructions) | sum (M) | busiest (M) |")
            out.append("| --- | ---: | ---: | --- | ---: | ---: |")
            for label, model, sets in cases:
                pts = []
                for th in (1, 2, 4):
                    instr, c = runner.run(model, sets, threads=th,
                                          toggles=("evs__run_until",
                                                   "evs__par_thread_main"))
                    spikes = sum(c["spk"].values())
                    if th == 1:  # the one-thread queue, for the check
                        js["one"]["B1" if label.startswith("B1") else "MC"] = dict(
                            instr=instr[0], spikes=spikes, syn=c["syn"],
                            pushes=c["queue_pushes"])
                        continue
                    pts.append((th, sum(instr), max(instr), spikes))
                    out.append("| %s | %d | %d | %s | %.1f | %.1f |" % (
                        label, th, spikes,
                        ", ".join("%.1f" % (i / 1e6) for i in instr),
                        sum(instr) / 1e6, max(instr) / 1e6))
                # what one more thread adds, from 2 to 4 threads (the
                # one-thread queue differs: an event per projection and
                # delay group, where a thread has one per delay)
                spikes = pts[0][3]
                ca = (pts[1][1] - pts[0][1]) / (2 * spikes)
                js["threads"][label] = dict(
                    c_alike=float(ca), spikes=spikes,
                    syn=c["syn"], duration=float(
                        sets["simulation.duration"].rstrip("s")),
                    points=[dict(threads=t, total=tot, busiest=b)
                            for t, tot, b, _ in pts])
                out.append("| %s | | | c_alike = (sum(4) - sum(2)) / (2 x spikes) = %.0f instructions a spike a thread | | |" % (
                    label, ca))
            out.append("")
        save(args.json, js, out)
        if "fanout" in parts:
            out.append("## What a thread pays for every spike, by outgoing "
                       "projections\n")
            out.append("A grid population A (2,000 neurons, Poisson "
                       "background) projecting onto n silent grid "
                       "populations (250 neurons, in-degree 20 from A), "
                       "0.02 s, on 2 and 4 threads (callgrind, per-thread "
                       "loop counts as above; not 1 thread, whose queue "
                       "holds an event per projection and delay group where "
                       "a thread holds one per delay). What one more thread "
                       "adds, d = (sum(4 threads) - sum(2 threads)) / 2, is "
                       "solved for d = e x populations x steps + "
                       "(a + b x n) x spikes (three runs, three unknowns): e a population's step on one "
                       "more thread, a + b n what one more thread pays for "
                       "every spike of a population with n outgoing "
                       "projections.\n")
            out.append("| n | background (Hz) | spikes of A | 2 threads: sum (M) | 4 threads: sum (M) | d (M) | fit (M) |")
            out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            pts = []
            for n_out, bg in ((1, 10000), (16, 8000), (16, 10000)):
                tot = []
                for th in (2, 4):
                    instr, c = runner.run(
                        fanout_text(n_out, bg, 0.02), {}, threads=th,
                        toggles=("evs__run_until", "evs__par_thread_main"))
                    tot.append(sum(instr))
                pts.append((n_out, bg, c["spk"]["A"], tot[0], tot[1]))
                print("  fanout n=%d bg=%d: %s" % (n_out, bg, tot),
                      file=sys.stderr)
            x = np.array([[(1 + n) * 0.02 / H, s_, n * s_]
                          for n, _, s_, _, _ in pts])
            y = np.array([(t2 - t1) / 2 for _, _, _, t1, t2 in pts],
                         dtype=float)
            (e, a, b), *_ = np.linalg.lstsq(x, y, rcond=None)
            fit = x @ np.array([e, a, b])
            for (n, bg, s_, t1, t2), f_ in zip(pts, fit):
                out.append("| %d | %d | %d | %.1f | %.1f | %.2f | %.2f |" % (
                    n, bg, s_, t1 / 1e6, t2 / 1e6, (t2 - t1) / 2e6,
                    f_ / 1e6))
            out.append("\ne = %.0f instructions a population step a thread, "
                       "a = %.0f, b = %.1f instructions a spike a thread and "
                       "outgoing projection\n" % (e, a, b))
            js["fanout"] = dict(pop_step=float(e), a=float(a), b=float(b))
        save(args.json, js, out)
        if "counts" in parts:
            out.append("## Counts of the runs the lead timed (native runs, "
                       "no callgrind; the settings of `bench/threads.sh`)\n")
            out.append("| case | neurons | spikes | synaptic events | synapses | synapse bytes |")
            out.append("| --- | ---: | ---: | ---: | ---: | ---: |")
            js["counts"] = {}
            for label, model, sets in count_cases(models):
                _, c = runner.run(model, sets, callgrind=False)
                js["counts"][label] = c
                out.append("| %s | %d | %d | %d | %d | %d |" % (
                    label, sum(c["neurons"].values()),
                    sum(c["spk"].values()), c["syn"], c["synapses"],
                    c["synapse_bytes"]))
            out.append("")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save(args.json, js, out)
    print("\n".join(out))


if __name__ == "__main__":
    main()
