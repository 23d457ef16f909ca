#!/usr/bin/env python3
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The rule comparison of doc/validation.md ("The rule comparison";
doc/compare.md): one network and one input, run with

  stdp_slow     triplet STDP + slow homeostasis  (models/compare_stdp_slow.ini)
  stdp_fast     triplet STDP + fast homeostasis  (models/compare_stdp_fast.ini)
  orchestrated  triplet STDP + rapid compensatory processes
                                                 (models/compare_orchestrated.ini)
  superspike    SuperSpike on the targets        (models/compare_superspike.ini)

and reported side by side.

    python3 models/compare/run.py --evsnn PATH --out DIR [--set SEC.KEY=VAL]...
                                  [--models a,b,...]

Runs each model niced into DIR/<model>/, then writes

  DIR/compare.tsv  one row per model and 1 s bin [t, t+1): model, t (s),
                   rate_hz (output population, from out.ras), w_mean, w_sd
                   (mV, the row of in_out.weights.tsv at t), at_min, at_max
                   (fractions of synapses at the bounds: from weights.tsv for
                   the Hebbian rules; for superspike, whose weights.tsv has
                   no bound counts, from the Matrix Market snapshots at their
                   times, NA between them), loss (mean van Rossum loss of the
                   trials that end in (t, t+1], NA if none);
  DIR/loss.tsv     one row per model and complete trial: model, trial, t_end,
                   loss (computed here from out.ras and the targets), spikes,
                   engine_loss (superspike: learning.tsv's loss, else NA);
  DIR/summary.md   the side-by-side table.

The loss (the task of S1/S5) is computed for every model with SuperSpike's
definition (include/evsnn/superspike.h): L_n = 1/2 sum_i int_trial e_i^2 dt,
e_i = alpha * (targets_i - own spikes_i), alpha the unit-area double
exponential (tau_rise 5 ms, tau_decay 10 ms), the integral being the engine's
sum over its error-broadcast clock (t_k = k dt, dt = 0.1 ms; the trial of
t_k is the one containing it). e is a sum of exponentials, so the sum over
the ticks between two spikes is a geometric series: computed in closed form,
it reproduces learning.tsv to rounding (the exact integral differs from it by
about 1e-4 relative). Python 3 standard library only.
"""
import argparse
import bisect
import math
import os
import re
import resource
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_DIR = os.path.dirname(HERE)
MODELS = ["stdp_slow", "stdp_fast", "orchestrated", "superspike"]
UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "V": 1.0, "mV": 1e-3, "uV": 1e-6,
         "Hz": 1.0, "kHz": 1e3}


# ---- model files ------------------------------------------------------------
def read_ini(path):
    """{section header: {key: value}} with comments stripped."""
    sec, out = None, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line[0] in ";#":
                continue
            line = re.split(r"\s[;#]", line)[0].strip()
            if line.startswith("["):
                sec = line[1:line.index("]")].strip()
                out[sec] = {}
            elif sec is not None:
                k, v = re.split(r"\s*[=:]\s*", line, maxsplit=1)
                out[sec][k.strip()] = v.strip()
    return out


def quantity(text):
    m = re.fullmatch(r"\s*([-+0-9.eE]+|inf)\s*([A-Za-z]+)\s*", text)
    if not m or m.group(2) not in UNITS:
        raise ValueError("not a quantity: %r" % text)
    return float(m.group(1)) * UNITS[m.group(2)]


# ---- files an evsnn run writes ------------------------------------------------
def read_raster(path):
    """(size, {id: sorted spike times})."""
    size, spikes = None, {}
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                m = re.match(r"#\s*size:\s*(\d+)", line)
                if m:
                    size = int(m.group(1))
                continue
            p = line.split()
            if len(p) >= 2:
                spikes.setdefault(int(p[1]), []).append(float(p[0]))
    for v in spikes.values():
        v.sort()
    return size, spikes


def read_tsv(path):
    with open(path) as f:
        rows = [l.rstrip("\n").split("\t") for l in f if l.strip()]
    head = rows[0]
    return [dict(zip(head, r)) for r in rows[1:]]


def run_end(log):
    """(t_end in s, None) or (t_stop, the stop message) from run.log."""
    with open(log) as f:
        last = [l.strip() for l in f if l.strip()][-1]
    m = re.match(r"completed at t = ([0-9.eE+-]+) s$", last)
    if m:
        return float(m.group(1)), None
    m = re.match(r"stopped at t = ([0-9.eE+-]+) s: (.*)$", last)
    if m:
        return float(m.group(1)), m.group(2)
    raise RuntimeError("%s: unexpected last line %r" % (log, last))


def read_mtx(path):
    """(time in s from the name, [weights in SI units])."""
    w = []
    with open(path) as f:
        header = True
        for line in f:
            if line.startswith("%"):
                continue
            if header:
                header = False
                continue
            w.append(float(line.split()[2]))
    ms = int(re.search(r"_(\d+)ms\.mtx$", path).group(1))
    return ms / 1000.0, w


# ---- the loss ---------------------------------------------------------------
def trial_losses(own, targets, n_trials, trial, dt, tau_r, tau_d):
    """Loss of trials 1..n_trials: the engine's tick sum (see the docstring).
    own: {id: sorted own spike times}; targets: [(t, id)] of one trial
    (repeated every trial)."""
    K = int(round(trial / dt))          # ticks per trial
    k_end = n_trials * K
    qd, qr = math.exp(-dt / tau_d), math.exp(-dt / tau_r)
    norm2 = 1.0 / (tau_d - tau_r) ** 2

    def geo(q, m):
        return m if q == 1.0 else (1.0 - q ** m) / (1.0 - q)

    loss = [0.0] * n_trials
    tgt = {}
    for t, i in targets:
        tgt.setdefault(i, []).append(t)
    for i in set(own) | set(tgt):
        ev = [(s, -1.0) for s in own.get(i, [])]
        ev += [(n * trial + s, 1.0) for n in range(n_trials)
               for s in tgt.get(i, [])]
        ev.sort()
        ev.append((k_end * dt + 1.0, 0.0))  # sentinel past the last tick
        D = R = 0.0                          # at time t_ref
        t_ref = 0.0
        k = 0                                # the next tick to sum
        for s, c in ev:
            k_stop = min(k_end, math.ceil(s / dt - 1e-7))  # ticks before s
            if k < k_stop and (D or R):
                a = k
                Da = D * math.exp(-(a * dt - t_ref) / tau_d)
                Ra = R * math.exp(-(a * dt - t_ref) / tau_r)
                while a < k_stop:
                    b = min(k_stop, (a // K + 1) * K)
                    m = b - a
                    loss[a // K] += 0.5 * dt * norm2 * (
                        Da * Da * geo(qd * qd, m)
                        - 2 * Da * Ra * geo(qd * qr, m)
                        + Ra * Ra * geo(qr * qr, m))
                    Da *= qd ** m
                    Ra *= qr ** m
                    a = b
            k = max(k, k_stop)
            if k >= k_end:
                break
            D = D * math.exp(-(s - t_ref) / tau_d) + c
            R = R * math.exp(-(s - t_ref) / tau_r) + c
            t_ref = s
    return loss


# ---- one model --------------------------------------------------------------
def run_model(args, name, outdir):
    ini = os.path.join(MODELS_DIR, "compare_%s.ini" % name)
    cmd = [args.evsnn, "run", ini, "-o", outdir]
    for s in args.set:
        cmd += ["--set", s]
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(["nice", "-n", "10"] + cmd, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, universal_newlines=True)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("%s failed (%d):\n%s" % (" ".join(cmd), p.returncode,
                                           p.stderr))
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return ini, cpu


def analyse(name, ini_path, outdir, task):
    ini = read_ini(ini_path)
    proj = ini["projection in_out"]
    rule = proj.get("rule", "none")
    t_end, stop = run_end(os.path.join(outdir, "run.log"))
    size, own = read_raster(os.path.join(outdir, "out.ras"))
    nbins = int(math.ceil(t_end - 1e-9))
    counts = [0] * nbins
    for v in own.values():
        for s in v:
            if s < t_end:
                counts[min(nbins - 1, int(s))] += 1
    rate = [counts[b] / (size * min(1.0, t_end - b)) for b in range(nbins)]

    wrows = read_tsv(os.path.join(outdir, "in_out.weights.tsv"))
    wstat = {}
    for r in wrows:
        t = float(r["time"])
        if abs(t - round(t)) < 1e-6:
            wstat[int(round(t))] = [float(r["mean"]) * 1e3, float(r["sd"]) * 1e3,
                                    r["at_min"], r["at_max"]]
    # bounds: the rule's (superspike's default to +-100 mV)
    default_lo, default_hi = (("-100 mV", "100 mV") if rule == "superspike"
                              else ("0 mV", None))
    lo = quantity(proj.get("w_min", default_lo))
    hi = (quantity(proj["w_max"]) if "w_max" in proj else
          quantity(default_hi) if default_hi else math.inf)
    snaps = []
    for f in sorted(os.listdir(outdir)):
        if re.match(r"in_out_\d+ms\.mtx$", f):
            t, w = read_mtx(os.path.join(outdir, f))
            snaps.append((t, w))
    snaps.sort()

    n_trials = int(math.floor(t_end / task["trial"] + 1e-9))
    loss = trial_losses(own, task["targets"], n_trials, task["trial"],
                        task["dt"], task["tau_rise"], task["tau_decay"])
    spikes = [0] * n_trials
    for v in own.values():
        for s in v:
            n = int(s / task["trial"])
            if n < n_trials:
                spikes[n] += 1
    engine = [None] * n_trials
    lt = os.path.join(outdir, "learning.tsv")
    if os.path.exists(lt):
        for r in read_tsv(lt):
            n = int(r["trial"])
            if n <= n_trials:
                engine[n - 1] = float(r["loss"])
    return {"name": name, "rule": rule, "t_end": t_end, "stop": stop,
            "rate": rate, "wstat": wstat, "loss": loss, "spikes": spikes,
            "engine": engine, "snaps": snaps, "lo": lo, "hi": hi}


def fmt(x, f="%.4g"):
    return "NA" if x is None else f % x


def quantiles(w, qs):
    s = sorted(w)
    return [s[min(len(s) - 1, int(q * len(s)))] for q in qs]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--evsnn", required=True, help="the evsnn program")
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--set", action="append", default=[],
                    help="SEC.KEY=VALUE passed to every run (repeatable)")
    ap.add_argument("--models", default=",".join(MODELS),
                    help="comma-separated subset of " + ",".join(MODELS))
    ap.add_argument("--no-run", action="store_true",
                    help="analyse the runs already in --out")
    args = ap.parse_args()
    names = [m for m in args.models.split(",") if m]
    for m in names:
        if m not in MODELS:
            sys.exit("unknown model %s" % m)
    os.makedirs(args.out, exist_ok=True)

    # the task: SuperSpike's section of compare_superspike.ini
    ss = read_ini(os.path.join(MODELS_DIR, "compare_superspike.ini"))["superspike"]
    tgt_path = os.path.join(MODELS_DIR, ss["target"])
    targets = []
    with open(tgt_path) as f:
        for line in f:
            p = line.split()
            if p and not line.startswith("#"):
                targets.append((float(p[0]), int(p[1])))
    task = {"targets": targets, "trial": quantity(ss.get("trial", "500 ms")),
            "dt": quantity(ss.get("dt", "0.1 ms")),
            "tau_rise": quantity(ss.get("tau_rise", "5 ms")),
            "tau_decay": quantity(ss.get("tau_decay", "10 ms"))}
    for s in args.set:   # an override of the task's keys reaches it too
        m = re.match(r"superspike\.(trial|dt|tau_rise|tau_decay)=(.*)$", s)
        if m:
            task[m.group(1)] = quantity(m.group(2))

    res, cpu = [], {}
    for m in names:
        d = os.path.join(args.out, m)
        ini = os.path.join(MODELS_DIR, "compare_%s.ini" % m)
        if not args.no_run:
            ini, cpu[m] = run_model(args, m, d)
            print("%-13s %6.1f s CPU  %s" % (m, cpu[m],
                                            run_end(os.path.join(d, "run.log"))))
        res.append(analyse(m, ini, d, task))

    with open(os.path.join(args.out, "compare.tsv"), "w") as f:
        f.write("model\tt\trate_hz\tw_mean\tw_sd\tat_min\tat_max\tloss\n")
        for r in res:
            T = task["trial"]
            for b, rate in enumerate(r["rate"]):
                w = r["wstat"].get(b, [None, None, "NA", "NA"])
                ls = [r["loss"][n] for n in range(len(r["loss"]))
                      if b < (n + 1) * T <= b + 1 + 1e-9]
                f.write("%s\t%d\t%.6g\t%s\t%s\t%s\t%s\t%s\n" % (
                    r["name"], b, rate, fmt(w[0], "%.6g"), fmt(w[1], "%.6g"),
                    w[2], w[3], fmt(sum(ls) / len(ls) if ls else None, "%.6g")))
    with open(os.path.join(args.out, "loss.tsv"), "w") as f:
        f.write("model\ttrial\tt_end\tloss\tspikes\tengine_loss\n")
        for r in res:
            for n, l in enumerate(r["loss"]):
                f.write("%s\t%d\t%.9g\t%.9g\t%d\t%s\n" % (
                    r["name"], n + 1, (n + 1) * task["trial"], l,
                    r["spikes"][n], fmt(r["engine"][n], "%.9g")))

    # summary
    L = []
    L.append("# Rule comparison (models/compare/run.py)\n")
    L.append("Output population: rate over 1 s bins (out.ras); weights in mV "
             "(in_out.weights.tsv); loss: van Rossum distance to the targets per "
             "500 ms trial (1/s), computed from out.ras for every model.\n")
    L.append("| model | rule | ran away | final rate (Hz) | final w mean ± sd (mV) "
             "| at w_min / w_max | w 10/50/90 % (mV) | loss trial 1 | final loss "
             "| final / first | CPU (s) |")
    L.append("|" + " --- |" * 11)
    for r in res:
        nb = len(r["rate"])
        last = r["rate"][max(0, nb - 10):]
        fr = sum(last) / len(last) if last else float("nan")
        bmax = max(r["wstat"]) if r["wstat"] else None
        w = r["wstat"].get(bmax, [None, None, "NA", "NA"])
        q = ("%.2f / %.2f / %.2f (t = %g s)" % (tuple(x * 1e3 for x in quantiles(
            r["snaps"][-1][1], (0.1, 0.5, 0.9))) + (r["snaps"][-1][0],))
             ) if r["snaps"] else "NA"
        nl = len(r["loss"])
        l0 = r["loss"][0] if nl else None
        lf = sum(r["loss"][max(0, nl - 10):]) / min(10, nl) if nl else None
        away = ("no (completed, %g s)" % r["t_end"]) if r["stop"] is None else \
            "**yes**, at t = %g s (%s)" % (r["t_end"], r["stop"])
        L.append("| %s | %s | %s | %.2f (last %d s) | %s ± %s (t = %s s) | %s / %s "
                 "| %s | %s | %s (last %d trials) | %s | %s |" % (
                     r["name"], r["rule"], away, fr, len(last), fmt(w[0], "%.3f"),
                     fmt(w[1], "%.3f"), bmax, w[2], w[3], q, fmt(l0, "%.1f"),
                     fmt(lf, "%.1f"), min(10, nl),
                     fmt(lf / l0 if l0 and lf is not None else None, "%.3g"),
                     fmt(cpu.get(r["name"]), "%.1f")))
    for r in res:
        pairs = [(a, b) for a, b in zip(r["loss"], r["engine"]) if b is not None]
        if pairs:
            rel = max(abs(a - b) / abs(b) for a, b in pairs if b)
            L.append("\nLoss check (%s): the offline loss vs learning.tsv over %d "
                     "trials: largest relative difference %.2e." % (
                         r["name"], len(pairs), rel))
    if cpu:
        L.append("\nTotal CPU of the runs: %.1f s." % sum(cpu.values()))
    with open(os.path.join(args.out, "summary.md"), "w") as f:
        f.write("\n".join(L) + "\n")
    print("\n".join(L))


if __name__ == "__main__":
    main()
