#!/usr/bin/python3
# Reads the per-window trace written by a build with
# 2026-12-07-thrb1c-trace.patch (EVS_TRACE=FILE, two threads) and prints
# where the 2-thread loop's wall time goes, window by window:
#   rows  "g t0 t1 t2 t3 t4 a b": the main thread's go, end of its tell,
#         end of its step, done seen, end of merge; thread 1's go seen and
#         end of its step (seconds, CLOCK_MONOTONIC)
#   rows  "C g syn0 spk0 cross0 syn1 spk1 cross1": per thread, the
#         window's synaptic events, sealed spikes and crossing searches.
# Windows longer than 10 times the median (RT throttling, preemption) are
# left out.
import sys
import numpy as np

T, C = [], []
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == 'C':
        C.append([float(x) for x in f[2:]])
    else:
        T.append([float(x) for x in f[1:]])
T, C = np.array(T), np.array(C)
tell = T[:, 1] - T[:, 0]
s0 = T[:, 2] - T[:, 1]
s1 = T[:, 6] - T[:, 5]
wake = T[:, 5] - T[:, 0]
donelat = T[:, 3] - np.maximum(T[:, 2], T[:, 6])
merge = T[:, 4] - T[:, 3]
win = np.append(np.diff(T[:, 0]), np.nan)
lim = 10 * np.nanmedian(win)
ok = (T[:, 5] > 0) & (s0 < lim) & (s1 < lim) & (tell < lim) & (win < lim)
us = 1e6
def show(name, x):
    x = x[ok]
    print("%-8s mean %6.2f us  median %6.2f  p90 %6.2f" %
          (name, us * x.mean(), us * np.median(x), us * np.percentile(x, 90)))
for name, x in (("window", win), ("tell", tell), ("step0", s0), ("step1", s1),
                ("wake", wake), ("done", donelat), ("merge", merge)):
    show(name, x)
a, b, w = (s0 + tell)[ok], s1[ok], win[ok]
imb = (np.maximum(a, b) - (a + b) / 2).sum()
print("windows %d: loop %.4f s = balanced work %.4f + imbalance %.4f + rest %.4f"
      % (ok.sum(), w.sum(), ((a + b) / 2).sum(), imb,
         w.sum() - np.maximum(a, b).sum()))
print("busy: thread 0 %.4f s (tell %.4f), thread 1 %.4f s" %
      (a.sum(), tell[ok].sum(), b.sum()))
d = a - b
print("difference thread 0 - thread 1: mean %.2f us, std %.2f us, mean |d| %.2f us"
      % (us * d.mean(), us * d.std(), us * np.abs(d).mean()))
def corr(x, y):
    return np.corrcoef(x, y)[0, 1]
print("corr(step0 + tell, step1) %.3f; autocorrelation of d: " % corr(a, b) +
      ", ".join("lag %d %.2f" % (k, corr(d[:-k], d[k:])) for k in (1, 10, 200)))
for k in range(0, len(d), 3000):
    seg = d[k:k + 3000]
    print("  windows %5d-%5d: mean d %6.2f us, mean |d| %5.2f us" %
          (k, k + len(seg), us * seg.mean(), us * np.abs(seg).mean()))
if len(C):
    c = C[ok]
    for name, s, cc in (("thread 0", s0[ok], c[:, :3]), ("thread 1", b, c[:, 3:])):
        X = np.column_stack([np.ones(len(s)), cc])
        beta = np.linalg.lstsq(X, s, rcond=None)[0]
        print("%s step: %.2f us + %.1f ns a synaptic event + %.0f ns a spike + "
              "%.0f ns a crossing search (means %.0f, %.1f, %.1f); residual std %.2f us"
              % (name, us * beta[0], 1e9 * beta[1], 1e9 * beta[2], 1e9 * beta[3],
                 cc[:, 0].mean(), cc[:, 1].mean(), cc[:, 2].mean(),
                 us * (s - X @ beta).std()))
    # searches shared: a window lasts the larger of the two threads' work
    # without their searches, or half the total
    for k in (0.2e-6, 0.36e-6):
        x0, x1 = np.minimum(c[:, 2] * k, a), np.minimum(c[:, 5] * k, b)
        st = np.maximum(np.maximum(a - x0, b - x1), (a + b) / 2).sum()
        cur = np.maximum(a, b).sum()
        print("searches shared (%.2f us each): %.1f %% less (perfect balance %.1f %%)"
              % (us * k, 100 * (cur - st) / cur,
                 100 * (cur - ((a + b) / 2).sum()) / cur))
# the tell told in the main thread's waits, a backlog of L windows
# (whole windows' tells; the split rebalanced for the best)
cur = np.maximum(a, b).sum()
s0o, te = s0[ok], tell[ok]
for L in (0, 2, 8):
    best = None
    for x in np.linspace(-0.1, 0.1, 41):
        p, q = s0o * (1 + x), b * (1 - x * s0o.sum() / b.sum())
        backlog, tot = [], 0.0
        for k in range(len(p)):
            pre = 0.0
            while len(backlog) > L:
                pre += backlog.pop(0)
            e0, e1 = pre + p[k], q[k]
            while backlog and e0 + backlog[0] <= e1:
                e0 += backlog.pop(0)
            tot += max(e0, e1)
            backlog.append(te[k])
        best = tot if best is None or tot < best else best
    print("tell in the waits, backlog %d windows: %.1f %% less" % (L, 100 * (cur - best) / cur))
best = min(np.maximum(s0o * (1 + x) + te, b * (1 - x * s0o.sum() / b.sum())).sum()
           for x in np.linspace(-0.1, 0.1, 81))
print("best static split alone: %.1f %% less" % (100 * (cur - best) / cur))
