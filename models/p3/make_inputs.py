#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""P3 of doc/validation.md run by evsnn: the pair-STDP window and the frequency
dependence of the triplet rule, checked against values computed here.

    python3 models/p3/make_inputs.py inputs [--dir DIR]
        writes the spike files the shipped models read (p3_stdp_*.ras,
        p3_triplet_*.ras) into DIR (default: the models folder).
    python3 models/p3/make_inputs.py run [--evsnn PROG] [--out DIR]
                                         [--reduced] [--plot]
        (a) runs models/p3_stdp.ini once (102 synapses, lags -50..+50 ms);
        (b) runs models/p3_triplet.ini once per protocol (60 pairs at
            dt = +10 / -10 ms, f = 1, 5, 10, 20, 30, 40, 50 Hz; --reduced:
            1, 10, 50 Hz);
        compares every weight change with its analytic value, writes
        p3_window.tsv, p3_frequency.tsv and p3_frequency_curve.tsv into DIR
        (default out/p3), and with --plot draws them with plots/p3_stdp.gp.
        Exit status 1 when a change is off by more than float rounding
        allows, or a post spike is not where the teacher puts it.

Python 3 standard library only. Every constant of the neuron, the teacher
and the rules is read from the model files, so they cannot disagree.

The analytic values never use the engine: the spike times are read back
from the spike files (the values the engine reads), post spikes sit at the
teacher's closed-form crossing time, and the rule is applied by direct
summation of its definition (evsnn-model(5), "Learning rules"): a trace is
the sum of e^{-(t - s)/tau} over the counted spikes s < t.
"""
import argparse
import configparser
import math
import os
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
PLOTS = os.path.join(os.path.dirname(MODELS), "plots")

N_PAIRS = 60                     # pairs per triplet protocol
LAG_B = 10e-3                    # s, |dt| of the triplet protocols
FREQS = [1, 5, 10, 20, 30, 40, 50]
FREQS_REDUCED = [1, 10, 50]
T0_B = 0.1                       # s, first pairing of a protocol
PERIOD_A = 0.2                   # s, one pairing interval of (a)
HALF_ULP = 2.0 ** -24            # float rounding, relative (round to nearest)
PRINT_REL = 5e-9                 # %.9g rounding of the tables, relative

# ---- model files -----------------------------------------------------------

UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "V": 1.0, "mV": 1e-3, "uV": 1e-6}


def quantity(text):
    """'20 ms' -> 0.02 (SI); the units the P3 models use."""
    text = text.strip()
    for u in sorted(UNITS, key=len, reverse=True):
        if text.endswith(u):
            return float(text[: -len(u)]) * UNITS[u]
    return float(text)


def read_model(path):
    """The model file as {section: {key: value}} (section names as written,
    e.g. 'projection PN')."""
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"),
                                   comment_prefixes=(";", "#"))
    cp.optionxform = str
    with open(path) as f:
        cp.read_file(f)
    return {s: dict(cp[s]) for s in cp.sections()}


class Setup:
    """The neuron, teacher and plastic projection of a P3 model."""

    def __init__(self, path):
        m = read_model(path)
        self.path = path
        n, tn, pn = m["population N"], m["projection TN"], m["projection PN"]
        self.pre_file = m["population P"]["file"]      # relative to MODELS
        self.teach_file = m["population T"]["file"]
        self.tau_m = quantity(n["tau_m"])
        assert abs(quantity(n["tau_syn_E"]) - self.tau_m / 2) < 1e-15, \
            "the closed form needs tau_m = 2 tau_syn_E"
        assert quantity(n["v_init"]) == quantity(n["v_rest"])
        self.D = quantity(n["v_thresh"]) - quantity(n["v_rest"])
        self.w_teach = quantity(tn["weight"])
        self.d_teach = quantity(tn["delay"])
        self.d_plast = quantity(pn["delay"])
        self.w0 = quantity(pn["weight"])
        self.rule = pn["rule"]
        self.par = {k: quantity(v) for k, v in pn.items()
                    if k not in ("pre", "post", "connect", "weight", "delay",
                                 "rule", "record_weights")}
        self.record = quantity(pn["record_weights"])
        self.duration = quantity(m["simulation"]["duration"])
        self.resolution = quantity(m["simulation"].get("resolution",
                                                       "0.1 ms"))

    def crossing(self):
        """Time from a teacher spike's arrival to the post spike: the input w
        (stored as float) on a neuron D below threshold, tau_m = 2 tau_syn,
        gives v - v_rest = w (u - u^2), u = e^{-t/tau_m}; threshold at the
        larger root u = (1 + sqrt(1 - 4D/w)) / 2."""
        w = f32(self.w_teach)
        x = 0.5 * (1 + math.sqrt(1 - 4 * self.D / w))
        return self.tau_m * math.log(1 / x)


def f32(x):
    """x rounded to single precision, as the engine stores weights."""
    return struct.unpack("f", struct.pack("f", x))[0]


def half_ulp32(x):
    """Half the float spacing at |x| (the largest rounding error of storing
    a double near x as a float)."""
    if x == 0:
        return 0.0
    return 2.0 ** (math.floor(math.log2(abs(x))) - 24)


# ---- spike files -------------------------------------------------------------


def write_ras(path, spikes, what):
    """spikes: [(time s, id)], written with 17 digits (read back exactly)."""
    with open(path, "w") as f:
        f.write("# %s, written by models/p3/make_inputs.py\n" % what)
        f.write("# time [s] id\n")
        for t, i in sorted(spikes):
            f.write("%.17g %d\n" % (t, i))


def read_ras(path):
    """{id: [times]} of a spike file (ours or an evsnn raster)."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].split()
            if not line:
                continue
            out.setdefault(int(line[1]), []).append(float(line[0]))
    for v in out.values():
        v.sort()
    return out


def lags_a():
    """(a): neuron k's lag t_post - t_arrival (s) and its pairing interval.
    k = 0..50: -50 .. -1, -0.5 ms in intervals 0..50 (|dw| grows with r);
    k = 51..101: +0.5, +1 .. +50 ms in intervals 50..0."""
    neg = [-(50 - r) * 1e-3 for r in range(50)] + [-0.5e-3]
    pos = [0.5e-3] + [r * 1e-3 for r in range(1, 51)]
    lags = neg + pos
    interval = list(range(51)) + list(range(50, -1, -1))
    return lags, interval


def inputs_a(s, folder, pre_name, teach_name):
    """Writes (a)'s spike files: post spike of pairing r at r * 0.2 + 0.1 s,
    arrival at post - lag."""
    lags, interval = lags_a()
    lag_t = s.d_teach + s.crossing()
    pre, teach = [], []
    for k, (lag, r) in enumerate(zip(lags, interval)):
        t_post = r * PERIOD_A + 0.1
        pre.append((t_post - lag - s.d_plast, k))
        teach.append((t_post - lag_t, k))
    write_ras(os.path.join(folder, pre_name), pre,
              "P3(a) presynaptic spikes, one per synapse")
    write_ras(os.path.join(folder, teach_name), teach,
              "P3(a) teacher spikes, one per post neuron")


def protocol_b(f, dt):
    """(b): arrivals and post spikes (s) of 60 pairs at frequency f (Hz),
    lag dt = t_post - t_arrival (s)."""
    arr, post = [], []
    for i in range(N_PAIRS):
        base = T0_B + i / f
        if dt > 0:
            arr.append(base)
            post.append(base + dt)
        else:
            post.append(base)
            arr.append(base - dt)
    return arr, post


def inputs_b(s, folder, f, dt, pre_name, teach_name):
    arr, post = protocol_b(f, dt)
    lag_t = s.d_teach + s.crossing()
    write_ras(os.path.join(folder, pre_name),
              [(a - s.d_plast, 0) for a in arr],
              "P3(b) presynaptic spikes, %g Hz, dt = %+g ms" % (f, dt * 1e3))
    write_ras(os.path.join(folder, teach_name),
              [(p - lag_t, 0) for p in post],
              "P3(b) teacher spikes, %g Hz, dt = %+g ms" % (f, dt * 1e3))
    return max(arr + post)


def actual_times(s, pre_file, teach_file):
    """{id: arrivals}, {id: post spikes}: the file values plus the delays
    (and the crossing time), in the order the engine adds them."""
    cross = s.crossing()
    arr = {k: [t + s.d_plast for t in v]
           for k, v in read_ras(pre_file).items()}
    post = {k: [(t + s.d_teach) + cross for t in v]
            for k, v in read_ras(teach_file).items()}
    return arr, post


# ---- the rules by direct summation ------------------------------------------


def trace(t, spikes, tau):
    """Sum of e^{-(t - s)/tau} over spikes s < t."""
    return math.fsum(math.exp(-(t - x) / tau) for x in spikes if x < t)


def pair_analytic(p, arr, post):
    """Weight changes of additive stdp_pair in event order; returns
    (list of changes, list of weights after each change)."""
    ev = sorted([(t, 0) for t in arr] + [(t, 1) for t in post])
    w, dws, ws = 0.0, [], []
    for t, kind in ev:
        if kind == 0:
            d = -p["A_minus"] * trace(t, post, p["tau_minus"])
        else:
            d = p["A_plus"] * trace(t, arr, p["tau_plus"])
        w += d
        dws.append(d)
        ws.append(w)
    return dws, ws


def triplet_analytic(p, arr, post):
    """Weight changes of the minimal triplet rule in event order: at an
    arrival -A2_minus y1; at a post spike +A3_plus x y2(t-) (y2 counts only
    earlier post spikes). Returns (changes, weights after each change)."""
    ev = sorted([(t, 0) for t in arr] + [(t, 1) for t in post])
    assert all(a[0] != b[0] for a, b in zip(ev, ev[1:])), "coincident events"
    w, dws, ws = 0.0, [], []
    for t, kind in ev:
        if kind == 0:
            d = -p["A2_minus"] * trace(t, post, p["tau_minus"])
        else:
            d = (p["A3_plus"] * trace(t, arr, p["tau_plus"]) *
                 trace(t, post, p["tau_y"]))
        w += d
        dws.append(d)
        ws.append(w)
    return dws, ws


def tolerance(dws, ws, p):
    """How far the engine's final weight may lie from the exact one when it
    differs only by float rounding: each update stores w as a float (error
    <= half an ulp of the stored value: sum of half_ulp32 over the weights
    after each update, taken 1e-6 larger to cover the engine's value lying in
    the next binade); the table prints %.9g (5e-9 relative); double
    arithmetic in the traces (~1e-15 relative) and the crossing times
    (solved to 1e-13 s, relative 1e-13 s / tau < 1e-11) move each change by
    less than 1e-11 of itself."""
    assert all(p["w_min"] < w < p["w_max"] for w in ws), "clipping acted"
    return (math.fsum(half_ulp32(w * (1 + 1e-6)) for w in ws) +
            PRINT_REL * abs(ws[-1]) + 1e-11 * math.fsum(abs(d) for d in dws))


# ---- running evsnn -----------------------------------------------------------


def evsnn(prog, model, out, sets):
    cmd = [prog, "run", model, "-q", "-o", out]
    for s in sets:
        cmd += ["--set", s]
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    if r.returncode != 0:
        sys.exit("evsnn failed (%d): %s\n%s" % (r.returncode, " ".join(cmd),
                                                r.stderr))


def read_weights(path):
    """Rows of NAME.weights.tsv as dicts of floats."""
    with open(path) as f:
        head = f.readline().split()
        assert head == ["time", "mean", "sd", "min", "max", "at_min",
                        "at_max"], head
        return [dict(zip(head, map(float, line.split()))) for line in f]


class Checker:
    def __init__(self):
        self.fails = 0

    def ok(self, cond, msg):
        if not cond:
            self.fails += 1
            print("FAIL: " + msg)
        return cond


def check_posts(ck, raster, want, label):
    """The engine's post spikes (1 ns raster resolution) are the teacher's
    closed-form times."""
    got = read_ras(raster) if os.path.exists(raster) else {}
    for k, ts in want.items():
        g = got.get(k, [])
        if not ck.ok(len(g) == len(ts), "%s: neuron %d spiked %d times, "
                     "expected %d" % (label, k, len(g), len(ts))):
            continue
        worst = max(abs(a - b) for a, b in zip(g, ts))
        ck.ok(worst < 1.5e-9, "%s: neuron %d: a post spike is %.3g s off its "
              "closed-form time" % (label, k, worst))


def run_a(ck, prog, out, extra):
    model = os.path.join(MODELS, "p3_stdp.ini")
    s = Setup(model)
    assert s.rule == "stdp_pair" and s.w0 == 0
    p = s.par
    assert p.get("mu_plus", 0) == 0 and p.get("mu_minus", 0) == 0
    d = os.path.join(out, "stdp")
    # the analysis reads the model's own spike files
    pre_f = os.path.join(MODELS, s.pre_file)
    teach_f = os.path.join(MODELS, s.teach_file)
    t = time.time()
    evsnn(prog, model, d, extra)
    elapsed = time.time() - t
    arr, post = actual_times(s, pre_f, teach_f)
    check_posts(ck, os.path.join(d, "N.ras"), post, "(a)")
    rows = read_weights(os.path.join(d, "PN.weights.tsv"))
    lags, interval = lags_a()
    n = len(lags)
    ck.ok(len(rows) == 52, "(a): %d weight rows, expected 52" % len(rows))
    table, worst, total, same = [], 0.0, [], 0
    for k in range(n):
        a, q = arr[k][0], post[k][0]
        lag = q - a
        # closed form of one isolated pair (evsnn-model(5))
        want = (p["A_plus"] * math.exp(-lag / p["tau_plus"]) if lag > 0 else
                -p["A_minus"] * math.exp(lag / p["tau_minus"]))
        dws, ws = pair_analytic(p, [a], [q])       # direct summation
        ck.ok(abs(dws[-1] - want) <= 1e-15 * abs(want), "(a) k=%d: direct "
              "summation %.17g vs closed form %.17g" % (k, dws[-1], want))
        tol = tolerance(dws, ws, p)
        r = interval[k]
        row = rows[r + 1] if r + 1 < len(rows) else None
        got = float("nan")
        if row is not None:
            ck.ok(abs(row["time"] - (r + 1) * PERIOD_A) < 1e-9,
                  "(a): row %d at %g s" % (r + 1, row["time"]))
            got = row["max"] if lag > 0 else row["min"]
        err = got - want
        ck.ok(abs(err) <= tol, "(a) dt = %+.1f ms: engine %.9g V, analytic "
              "%.9g V, off by %.3g (tolerance %.3g)"
              % (lag * 1e3, got, want, err, tol))
        worst = max(worst, abs(err) / tol)
        same += float("%.9g" % f32(want)) == got
        total.append(want)
        table.append((lag, got, want, err, tol))
    # the mean of the last row is the sum of all changes / n (loose: %.9g
    # of a sum whose terms cancel)
    if len(rows) == 52:
        s_all = math.fsum(total)
        ck.ok(abs(rows[-1]["mean"] * n - s_all) <=
              1e-7 * math.fsum(abs(x) for x in total),
              "(a): final mean %.9g, expected %.9g" % (rows[-1]["mean"],
                                                       s_all / n))
        ck.ok(rows[-1]["at_min"] == 0 and rows[-1]["at_max"] == 0,
              "(a): weights at a bound")
    with open(os.path.join(out, "p3_window.tsv"), "w") as f:
        f.write("# P3(a): pair STDP window, one synapse per lag, %s\n" % model)
        f.write("# A_plus = %.6g V, A_minus = %.6g V, tau_plus = %.6g s, "
                "tau_minus = %.6g s\n" % (p["A_plus"], p["A_minus"],
                                          p["tau_plus"], p["tau_minus"]))
        f.write("dt_ms\tdw_evsnn\tdw_analytic\terror\ttolerance\n")
        for lag, got, want, err, tol in table:
            f.write("%.6f\t%.9g\t%.17g\t%.3g\t%.3g\n"
                    % (lag * 1e3, got, want, err, tol))
    print("(a) pair STDP window: %d synapses, 1 run, %.2f s; worst "
          "|error| / tolerance = %.3f; equal to float(analytic) in %d of %d"
          % (n, elapsed, worst, same, n))
    return elapsed


def run_b(ck, prog, out, freqs, extra, curve):
    model = os.path.join(MODELS, "p3_triplet.ini")
    s = Setup(model)
    assert s.rule == "stdp_triplet" and s.w0 == 0
    p = s.par
    for k, v in (("tau_plus", 16.8e-3), ("tau_minus", 33.7e-3),
                 ("tau_y", 114e-3)):
        p.setdefault(k, v)
    p.setdefault("w_min", 0.0)
    rows_out, elapsed = [], 0.0
    inp = os.path.join(out, "triplet_inputs")
    os.makedirs(inp, exist_ok=True)
    worst = 0.0
    for f in freqs:
        for dt in (LAG_B, -LAG_B):
            tag = "%gHz_%+gms" % (f, dt * 1e3)
            pre_f = os.path.join(inp, "pre_%s.ras" % tag)
            teach_f = os.path.join(inp, "teacher_%s.ras" % tag)
            t_last = inputs_b(s, inp, f, dt, os.path.basename(pre_f),
                              os.path.basename(teach_f))
            rec = t_last + 0.1   # one weight row after the last pairing
            d = os.path.join(out, "triplet_" + tag)
            t = time.time()
            evsnn(prog, model, d, [
                "P.file=" + os.path.abspath(pre_f),
                "T.file=" + os.path.abspath(teach_f),
                "simulation.duration=%.6f s" % (rec + 0.1),
                "PN.record_weights=%.6f s" % rec] + extra)
            elapsed += time.time() - t
            arr, post = actual_times(s, pre_f, teach_f)
            check_posts(ck, os.path.join(d, "N.ras"), post, "(b) " + tag)
            dws, ws = triplet_analytic(p, arr[0], post[0])
            want, tol = ws[-1], tolerance(dws, ws, p)
            rows = read_weights(os.path.join(d, "PN.weights.tsv"))
            got = rows[-1]["mean"] if len(rows) == 2 else float("nan")
            ck.ok(len(rows) == 2, "(b) %s: %d weight rows" % (tag, len(rows)))
            err = got - want
            ck.ok(abs(err) <= tol, "(b) %s: engine %.9g V, analytic %.9g V, "
                  "off by %.3g (tolerance %.3g)" % (tag, got, want, err, tol))
            worst = max(worst, abs(err) / tol)
            # float32 emulation of the engine's storage (diagnostic only)
            w = 0.0
            for x in dws:
                w = f32(w + x)
            rows_out.append((f, dt, got, want, err, tol, w))
    with open(os.path.join(out, "p3_frequency.tsv"), "w") as fo:
        fo.write("# P3(b): triplet STDP, %d pairs per protocol, %s\n"
                 % (N_PAIRS, model))
        fo.write("# A3_plus = %.6g V, A2_minus = %.6g V, tau_plus = %.6g s, "
                 "tau_minus = %.6g s, tau_y = %.6g s\n"
                 % (p["A3_plus"], p["A2_minus"], p["tau_plus"],
                    p["tau_minus"], p["tau_y"]))
        fo.write("freq_hz\tdt_ms\tdw_evsnn\tdw_analytic\terror\ttolerance"
                 "\tdw_float32_emulation\n")
        for f, dt, got, want, err, tol, w in rows_out:
            fo.write("%g\t%+g\t%.9g\t%.17g\t%.3g\t%.3g\t%.9g\n"
                     % (f, dt * 1e3, got, want, err, tol, w))
    if curve:
        # the analytic curves, densely in f, for the figure
        with open(os.path.join(out, "p3_frequency_curve.tsv"), "w") as fo:
            fo.write("freq_hz\tdw_plus10\tdw_minus10\n")
            for i in range(1, 101):
                f = 0.5 * i
                v = []
                for dt in (LAG_B, -LAG_B):
                    a, q = protocol_b(f, dt)
                    v.append(triplet_analytic(p, a, q)[1][-1])
                fo.write("%g\t%.9g\t%.9g\n" % (f, v[0], v[1]))
    same = sum(float("%.9g" % r[6]) == r[2] for r in rows_out)
    print("(b) triplet frequency dependence: %d runs, %.2f s; worst "
          "|error| / tolerance = %.3f; equal to a float32 emulation of the "
          "updates in %d of %d" % (len(rows_out), elapsed, worst, same,
                                   len(rows_out)))
    for f, dt, got, want, err, tol, w in rows_out:
        print("    %4g Hz  dt = %+3g ms  dw = %+.6e V  (analytic %+.6e, "
              "error %.2g, tolerance %.2g)" % (f, dt * 1e3, got, want, err,
                                               tol))
    return elapsed


def cmd_inputs(args):
    sa = Setup(os.path.join(MODELS, "p3_stdp.ini"))
    inputs_a(sa, args.dir, "p3_stdp_pre.ras", "p3_stdp_teacher.ras")
    sb = Setup(os.path.join(MODELS, "p3_triplet.ini"))
    inputs_b(sb, args.dir, 20, LAG_B, "p3_triplet_pre.ras",
             "p3_triplet_teacher.ras")
    return 0


def cmd_run(args):
    os.makedirs(args.out, exist_ok=True)
    ck = Checker()
    extra = args.engine_set or []
    ta = tb = 0.0
    if args.only != "b":
        ta = run_a(ck, args.evsnn, args.out, extra)
    if args.only != "a":
        tb = run_b(ck, args.evsnn, args.out,
                   FREQS_REDUCED if args.reduced else FREQS, extra, args.plot)
    print("evsnn run time: (a) %.2f s, (b) %.2f s" % (ta, tb))
    if args.plot:
        r = subprocess.run(["gnuplot", "-e", "dir='%s'" % args.out,
                            os.path.join(PLOTS, "p3_stdp.gp")])
        ck.ok(r.returncode == 0, "gnuplot failed")
    if ck.fails:
        print("%d check(s) failed" % ck.fails)
        return 1
    print("all weight changes agree with the analytic values to float "
          "rounding")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd")
    a = sub.add_parser("inputs", help="write the models' spike files")
    a.add_argument("--dir", default=MODELS)
    r = sub.add_parser("run", help="run P3 and compare with the analytic "
                       "values")
    r.add_argument("--evsnn", default="evsnn")
    r.add_argument("--out", default=os.path.join("out", "p3"))
    r.add_argument("--reduced", action="store_true",
                   help="(b) at 1, 10 and 50 Hz only")
    r.add_argument("--only", choices=("a", "b"),
                   help="run only experiment (a) or (b)")
    r.add_argument("--engine-set", action="append", metavar="SECTION.KEY=V",
                   help="an override passed to evsnn only, not to the "
                   "analysis (negative controls: the check must then fail)")
    r.add_argument("--plot", action="store_true",
                   help="draw the figures with plots/p3_stdp.gp")
    args = ap.parse_args()
    if args.cmd == "inputs":
        return cmd_inputs(args)
    if args.cmd == "run":
        return cmd_run(args)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
