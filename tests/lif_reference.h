/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn tests — a brute-force reference for current-based LIF neurons:
 * RK4 on (v, x_E, x_I) with a fine fixed step, crossings located by bisection
 * on the step, hard reset and refractory period. Independent of lif.c's
 * closed-form solution; shared by the test suites that need it. */
#ifndef EVSNN_TESTS_LIF_REFERENCE_H
#define EVSNN_TESTS_LIF_REFERENCE_H

#include <math.h>

typedef struct ref_neuron {
  double v, xe, xi; /* V; x in volts (R I) */
  double ref_until; /* s: end of the refractory period */
} ref_neuron;

typedef struct ref_par {
  double tau_m, tau_e, tau_i, v_rest, v_reset, v_thresh, tau_ref, drive;
} ref_par;

static void ref_deriv(const ref_par *p, const double y[3], int refractory,
                      double dy[3]) {
  dy[0] = refractory
              ? 0
              : (-(y[0] - p->v_rest) + y[1] + y[2] + p->drive) / p->tau_m;
  dy[1] = -y[1] / p->tau_e;
  dy[2] = -y[2] / p->tau_i;
}

static void ref_rk4(const ref_par *p, double y[3], double h, int refractory) {
  double k1[3], k2[3], k3[3], k4[3], t[3];
  ref_deriv(p, y, refractory, k1);
  for (int i = 0; i < 3; i++) t[i] = y[i] + 0.5 * h * k1[i];
  ref_deriv(p, t, refractory, k2);
  for (int i = 0; i < 3; i++) t[i] = y[i] + 0.5 * h * k2[i];
  ref_deriv(p, t, refractory, k3);
  for (int i = 0; i < 3; i++) t[i] = y[i] + h * k3[i];
  ref_deriv(p, t, refractory, k4);
  for (int i = 0; i < 3; i++)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/* Integrates one neuron from t to t_next with steps of at most dt (no input
 * in between), appending spike times to spikes[*ns]. */
static void ref_advance(const ref_par *p, ref_neuron *n, double t,
                        double t_next, double dt, double *spikes, int *ns) {
  while (t < t_next) {
    int refractory = t < n->ref_until;
    double h = fmin(dt, t_next - t);
    if (refractory) h = fmin(h, n->ref_until - t);
    double y[3] = {n->v, n->xe, n->xi};
    ref_rk4(p, y, h, refractory);
    if (!refractory && y[0] >= p->v_thresh) {
      double lo = 0, hi = h;
      for (int it = 0; it < 80; it++) {
        double mid = 0.5 * (lo + hi), z[3] = {n->v, n->xe, n->xi};
        ref_rk4(p, z, mid, 0);
        if (z[0] >= p->v_thresh)
          hi = mid;
        else
          lo = mid;
      }
      double z[3] = {n->v, n->xe, n->xi};
      ref_rk4(p, z, hi, 0);
      spikes[(*ns)++] = t + hi;
      n->v = p->v_reset;
      n->xe = z[1];
      n->xi = z[2];
      n->ref_until = t + hi + p->tau_ref;
      t += hi;
      continue;
    }
    n->v = refractory ? p->v_reset : y[0];
    n->xe = y[1];
    n->xi = y[2];
    t += h;
  }
}

#endif
