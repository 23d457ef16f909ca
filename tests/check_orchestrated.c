/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the learning rules of doc/validation.md P5: the orchestrated rule
 * (src/rules/orchestrated.c) and the globally gated inhibitory STDP rule
 * (src/rules/istdp.c); short-term plasticity is tested in tests/check_stp.c.
 *
 * Rules are driven directly through their handlers on a hand-made projection
 * (as tests/check_stdp.c does); expected values come from closed forms
 * written here from the models' definitions, from a direct integration of
 * the consolidation ODE (RK4 on a fine step), or from brute-force fixed-step
 * references whose traces decay by exp(-dt/tau) every step. An end-to-end
 * run checks the scheduler's hook: the rule clock driving consolidation.
 * NEAR and one_to_one are in p5_test_util.h. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "evsnn/net.h"
#include "p5_test_util.h"
#include "rules/plastic.h"
#include "rule_test_util.h"
#include "synapses/stp.h"

/* ---- the rig (rule_test_util.h) ------------------------------------------ */

/* The suite's rigs: projection "P5_test", connection seed 99, stream 5. */
static rig *rig_new(const evs_rule_type *type, uint32_t n_pre, uint32_t n_post,
                    double p, double w0) {
  return rig_new_as(type, n_pre, n_post, p, w0, "P5_test", 99, 5);
}

/* ---- orchestrated ----------------------------------------------------------
 */

static const double OA = 1e-3, OD = 2e-5, OB = 0.05, TPL = 20e-3, TMI = 20e-3,
                    TSL = 100e-3;

static rig *orch1(double w0, double w_a, double w_p, int consolidate) {
  rig *r = rig_new(&evs__rule_orchestrated, 1, 1, 1, w0);
  rig_set(r, "A", OA);
  rig_set(r, "delta", OD);
  rig_set(r, "beta", OB);
  rig_set(r, "w_max", 5);
  rig_set(r, "w_a", w_a);
  rig_set(r, "w_P", w_p);
  rig_set(r, "consolidate", consolidate);
  return r;
}

/* A pre, post, post, pre sequence on one synapse, each change written out
 * from the rule's definition (post traces read before their own spike). */
START_TEST(orch_closed_forms) {
  const double w0 = 1.0, wt = 0.3; /* w~ = w_a = 0.3 without consolidation */
  rig *r = orch1(w0, wt, 0.6, 0);
  rig_init(r);
  ck_assert(r->pl.clock == 0);
  double t1 = 0.010, t2 = 0.018, t3 = 0.030, t4 = 0.041, w = w0;
  pre(r, 0, t1); /* no post trace yet: only delta */
  w += OD;
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  post(r, 0, t2); /* z^slow = 0 before the first post spike: het term 0 too */
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  post(r, 0, t3); /* triplet LTP and heterosynaptic depression */
  double zp = exp(-(t3 - t1) / TPL), zs = exp(-(t3 - t2) / TSL),
         zm = exp(-(t3 - t2) / TMI);
  w = (float)w;
  w += OA * zs * zp - OB * (w - wt) * zm * zm * zm;
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  pre(r, 0, t4); /* LTD from both post spikes, plus delta */
  w = (float)w;
  w += -OA * (exp(-(t4 - t2) / TMI) + exp(-(t4 - t3) / TMI)) + OD;
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  /* another post: z+ holds both pre spikes, z^slow and z- both posts */
  double t5 = 0.05;
  post(r, 0, t5);
  w = (float)w;
  zp = exp(-(t5 - t1) / TPL) + exp(-(t5 - t4) / TPL);
  zs = exp(-(t5 - t2) / TSL) + exp(-(t5 - t3) / TSL);
  zm = exp(-(t5 - t2) / TMI) + exp(-(t5 - t3) / TMI);
  w += OA * zs * zp - OB * (w - wt) * zm * zm * zm;
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  rig_free(r);
}
END_TEST

/* The heterosynaptic term pulls w toward w~ from both sides, and a burst
 * makes it dominate; bounds clip. */
START_TEST(orch_hetero_and_bounds) {
  rig *r = rig_new(&evs__rule_orchestrated, 2, 1, 1, 0);
  rig_set(r, "A", 0);
  rig_set(r, "delta", 0);
  rig_set(r, "beta", 1e-3);
  rig_set(r, "w_max", 5);
  rig_set(r, "w_a", 0.5);
  rig_set(r, "w_P", 1.0);
  rig_set(r, "consolidate", 0);
  rig_init(r);
  r->proj.csr->weight[0] = 2.0f; /* pre 0 -> post 0 */
  r->proj.csr->weight[1] = 0.1f; /* pre 1 -> post 0 */
  double t = 0.1;
  for (int k = 0; k < 10; k++) post(r, 0, t + k * 1e-3); /* a burst */
  double w0 = w_of(r, 0), w1 = w_of(r, 1);
  ck_assert(w0 < 2.0 && w0 > 0.5);
  ck_assert(w1 > 0.1 && w1 < 0.5);
  /* closed form: each spike multiplies (w - w~) by 1 - beta z^3, z the sum of
   * the earlier spikes' decayed traces */
  double d0 = 1.5, d1 = -0.4;
  for (int k = 0; k < 10; k++) {
    double z = 0;
    for (int j = 0; j < k; j++) z += exp(-(k - j) * 1e-3 / TMI);
    d0 = (float)(0.5 + d0 * (1 - 1e-3 * z * z * z)) - 0.5;
    d1 = (float)(0.5 + d1 * (1 - 1e-3 * z * z * z)) - 0.5;
  }
  NEAR(w0, 0.5 + d0, 1e-5);
  NEAR(w1, 0.5 + d1, 1e-5);
  rig_free(r);
  /* clipping at w_max and w_min */
  r = orch1(4.9999, 0, 0.5, 0);
  rig_set(r, "delta", 0.01);
  rig_init(r);
  pre(r, 0, 0.01);
  NEAR(w_of(r, 0), 5.0, 0);
  rig_free(r);
  r = orch1(1e-4, 0, 0.5, 0);
  rig_set(r, "A", 0.1);
  rig_init(r);
  post(r, 0, 0.01);
  pre(r, 0, 0.011);
  NEAR(w_of(r, 0), 0.0, 0);
  rig_free(r);
}
END_TEST

/* The consolidation ODE tau dv/dt = (w - v) + P (a - v)(b - v)(c - v) by RK4
 * with step h from v0 over T, w fixed. */
static double cons_rk4(double w, double v0, double a, double c, double pot,
                       double tau, double T, double h) {
  double b = 0.5 * (a + c), v = v0;
#define F(v) (((w) - (v)) + pot * (a - (v)) * (b - (v)) * (c - (v))) / tau
  for (double t = 0; t < T - 0.5 * h; t += h) {
    double k1 = F(v), k2 = F(v + 0.5 * h * k1), k3 = F(v + 0.5 * h * k2),
           k4 = F(v + h * k3);
    v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
#undef F
  return v;
}

START_TEST(orch_consolidation_ode) {
  const double a = 0, c = 0.5, tau = 1200, dt = 1.2, T = 3600;
  /* P normalised so the cubic's magnitude at q = a + (c-a)/4 is 0.2 (c - a):
   * (q-a)(q-b)(q-c) = (1/4)(-1/4)(-3/4)(c-a)^3 = 3/64 (c-a)^3 */
  const double pot = 0.2 * (c - a) / (3.0 / 64 * pow(c - a, 3));
  const double ws[] = {0.0, 0.2, 0.35, 0.5, 1.5, 3.0};
  for (size_t i = 0; i < sizeof ws / sizeof *ws; i++) {
    rig *r = orch1(ws[i], a, c, 1);
    rig_init(r);
    NEAR(r->pl.clock, dt, 0);
    NEAR(evs__orchestrated_wref(&r->pl, 0), a, 0);
    int n = (int)llround(T / dt);
    double euler = a;
    for (int k = 1; k <= n; k++) {
      r->pl.type->on_clock(&r->pl, k * dt);
      double v = euler, b = 0.5 * (a + c);
      euler =
          (float)(v +
                  dt / tau * ((ws[i] - v) + pot * (a - v) * (b - v) * (c - v)));
    }
    double got = evs__orchestrated_wref(&r->pl, 0);
    /* exactly the published forward Euler recurrence */
    NEAR(got, euler, 1e-6);
    /* and close to the ODE's solution: Euler's global error ~ (dt/2) L T |v'|
     * with L ~ 3/tau here: a few 1e-3 of the change */
    double ode = cons_rk4(ws[i], a, a, c, pot, tau, T, 0.05);
    NEAR(got, ode, 5e-3 * fmax(fabs(ode - a), 0.05));
    /* bistability: the well holds w~ near 0 for a small w, a large w pulls
     * it past w_P's basin boundary */
    if (ws[i] <= 0.2) ck_assert(got < 0.1);
    if (ws[i] >= 1.5) ck_assert(got > 0.4);
    NEAR(w_of(r, 0), (float)ws[i], 0); /* consolidation leaves w alone */
    rig_free(r);
  }
}
END_TEST

START_TEST(orch_params_checked) {
  rig *r = orch1(0.1, 0, 0.5, 1);
  rig_set(r, "w_P", -1);
  ck_assert_int_eq(rig_init_rc(r), EVS_EINVAL);
  rig_free(r);
  r = orch1(0.1, 0, 0.5, 1);
  rig_set(r, "cons_dt", 2000);
  ck_assert_int_eq(rig_init_rc(r), EVS_EINVAL);
  rig_free(r);
  r = rig_new(&evs__rule_orchestrated, 1, 1, 1, 0.1);
  ck_assert_int_eq(rig_init_rc(r), EVS_EINVAL); /* A, w_max, w_P unset */
  rig_free(r);
}
END_TEST

/* ---- brute-force references on random trains
 * --------------------------------- */

/* Events (rule_test_util.h) of kind 2 are clock ticks. */

/* Poisson trains (rate Hz) of n_pre + n_post neurons over dur on the grid
 * dt, plus clock events every clock_steps (0: none), sorted. */
static event *make_events(uint32_t n_pre, uint32_t n_post, double rate,
                          double dur, double dt, int64_t clock_steps,
                          size_t *n_ev) {
  size_t cap = 4096, n = 0;
  event *ev = malloc(cap * sizeof *ev);
  REQUIRE(ev);
  events_add_poisson(&ev, &n, &cap, n_pre, n_post, rate, dur, dt);
  for (int64_t st = clock_steps; clock_steps && st * dt < dur;
       st += clock_steps)
    events_push(&ev, &n, &cap, (event){st, 2, 0});
  qsort(ev, n, sizeof *ev, event_cmp);
  *n_ev = n;
  return ev;
}

/* orchestrated: reference with traces decayed every step and synapses found
 * by scanning (no transposed index); w~ by the Euler step at clock events. */
START_TEST(orch_lazy_vs_reference) {
  const uint32_t n_pre = 10, n_post = 8;
  const double dt = 2e-6, dur = 1.0, A = 5e-3, D = 1e-3, B = 0.2, wa = 0.2,
               wp = 0.8, tc = 2.0, cdt = 0.1;
  rig *r = rig_new(&evs__rule_orchestrated, n_pre, n_post, 0.5, 0.6);
  rig_set(r, "A", A);
  rig_set(r, "delta", D);
  rig_set(r, "beta", B);
  rig_set(r, "w_max", 1.5);
  rig_set(r, "w_a", wa);
  rig_set(r, "w_P", wp);
  rig_set(r, "tau_cons", tc);
  rig_set(r, "cons_dt", cdt);
  rig_init(r);
  const evs_csr *c = r->proj.csr;
  uint64_t nnz = c->nnz;
  ck_assert(nnz > 20);
  xs_state = 4242;
  size_t n_ev;
  event *ev = make_events(n_pre, n_post, 40, dur, dt, llround(cdt / dt), &n_ev);
  float *w = malloc(nnz * sizeof *w), *wt = malloc(nnz * sizeof *wt);
  uint32_t *pre_of = malloc(nnz * sizeof *pre_of);
  double *zp = calloc(n_pre, sizeof *zp), *zm = calloc(n_post, sizeof *zm),
         *zs = calloc(n_post, sizeof *zs);
  REQUIRE(w && wt && pre_of && zp && zm && zs);
  for (uint32_t j = 0; j < n_pre; j++)
    for (uint64_t k = c->row_ptr[j]; k < c->row_ptr[j + 1]; k++) pre_of[k] = j;
  for (uint64_t k = 0; k < nnz; k++) {
    w[k] = c->weight[k];
    wt[k] = (float)wa;
  }
  const double b = 0.5 * (wa + wp), q = wa + 0.25 * (wp - wa);
  const double pot = 0.2 * (wp - wa) / ((q - wa) * (q - b) * (q - wp));
  const double fp = exp(-dt / TPL), fm = exp(-dt / TMI), fs = exp(-dt / TSL);
  size_t e = 0;
  for (int64_t st = 0; st <= ev[n_ev - 1].step; st++) {
    if (st) {
      for (uint32_t j = 0; j < n_pre; j++) zp[j] *= fp;
      for (uint32_t i = 0; i < n_post; i++) {
        zm[i] *= fm;
        zs[i] *= fs;
      }
    }
    for (; e < n_ev && ev[e].step == st; e++) {
      uint32_t id = ev[e].id;
      double t = st * dt;
      if (ev[e].kind == 1) {
        pre(r, id, t);
        for (uint64_t k = 0; k < nnz; k++) {
          if (pre_of[k] != id) continue;
          double x = w[k] - A * zm[c->target[k]] + D;
          w[k] = (float)fmin(fmax(x, 0), 1.5);
        }
        zp[id] += 1;
      } else if (ev[e].kind == 0) {
        post(r, id, t);
        for (uint64_t k = 0; k < nnz; k++) {
          if (c->target[k] != id) continue;
          double x = w[k], z = zm[id];
          x += A * zs[id] * zp[pre_of[k]] - B * (x - wt[k]) * z * z * z;
          w[k] = (float)fmin(fmax(x, 0), 1.5);
        }
        zm[id] += 1;
        zs[id] += 1;
      } else {
        r->pl.type->on_clock(&r->pl, t);
        for (uint64_t k = 0; k < nnz; k++) {
          double v = wt[k];
          wt[k] = (float)(v + cdt / tc *
                                  ((w[k] - v) +
                                   pot * (wa - v) * (b - v) * (wp - v)));
        }
      }
    }
  }
  double moved = 0, moved_t = 0;
  for (uint64_t k = 0; k < nnz; k++) {
    REQUIRE_MSG(fabs(c->weight[k] - w[k]) <= 2e-6,
                "synapse %llu: lazy %.9g, reference %.9g",
                (unsigned long long)k, c->weight[k], w[k]);
    double got = evs__orchestrated_wref(&r->pl, k);
    REQUIRE_MSG(fabs(got - wt[k]) <= 2e-6, "w~ %llu: lazy %.9g, ref %.9g",
                (unsigned long long)k, got, wt[k]);
    moved = fmax(moved, fabs(w[k] - 0.6));
    moved_t = fmax(moved_t, fabs(wt[k] - wa));
  }
  ck_assert(moved > 0.02 && moved_t > 0.02);
  free(w);
  free(wt);
  free(pre_of);
  free(zp);
  free(zm);
  free(zs);
  free(ev);
  rig_free(r);
}
END_TEST

/* ---- istdp_global
 * ------------------------------------------------------------ */

/* One synapse, one post neuron (N = 1): each post spike raises nu by
 * 1/tau_rate. kappa = 1 Hz, tau_rate = 0.1 s: nu jumps by 10 Hz. */
START_TEST(istdp_closed_forms) {
  const double eta = 1e-3, kap = 1, tr = 0.1, ts = 20e-3, w0 = 0.5;
  rig *r = rig_new(&evs__rule_istdp_global, 1, 1, 1, w0);
  rig_set(r, "eta", eta);
  rig_set(r, "kappa", kap);
  rig_set(r, "tau_rate", tr);
  rig_set(r, "w_max", 2);
  rig_init(r);
  double t1 = 0.01, t2 = 0.02, t3 = 0.035, t4 = 0.05, w = w0;
  /* nu(t) = kappa e^{-t/tr} + sum_posts e^{-(t - tk)/tr} / tr */
#define NU(t, posts) (kap * exp(-(t) / tr) + (posts))
  pre(r, 0, t1); /* G < 0: the rate decays below kappa; z_post = 0 */
  w += eta * (NU(t1, 0) - kap) / kap * (0 + 1);
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  ck_assert(w_of(r, 0) < w0);
  NEAR(evs__istdp_rate(&r->pl, t1), NU(t1, 0), 1e-12);
  post(r, 0, t2); /* reads G before its own spike */
  w = (float)w;
  w += eta * (NU(t2, 0) - kap) / kap * exp(-(t2 - t1) / ts);
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  double p2 = exp(-(t3 - t2) / tr) / tr;
  NEAR(evs__istdp_rate(&r->pl, t3), NU(t3, p2), 1e-12);
  pre(r, 0, t3); /* G > 0 now */
  w = (float)w;
  double G = (NU(t3, p2) - kap) / kap;
  ck_assert(G > 1);
  w += eta * G * (exp(-(t3 - t2) / ts) + 1);
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
  post(r, 0, t4);
  w = (float)w;
  G = (NU(t4, exp(-(t4 - t2) / tr) / tr) - kap) / kap;
  w += eta * G * (exp(-(t4 - t1) / ts) + exp(-(t4 - t3) / ts));
  NEAR(w_of(r, 0), w, 4 * FLT_EPSILON);
#undef NU
  rig_free(r);
}
END_TEST

/* The population rate after a random train of N neurons' spikes, handed to
 * on_post slightly out of time order across neurons (as lazily found spikes
 * are), against direct summation; G drives w up above kappa, down below. */
START_TEST(istdp_rate_estimate) {
  const uint32_t N = 50;
  const double kap = 3, tr = 1.0, nu_true = 8, dur = 3.0;
  rig *r = rig_new(&evs__rule_istdp_global, 5, N, 1, 0.5);
  rig_set(r, "eta", 1e-4);
  rig_set(r, "kappa", kap);
  rig_set(r, "tau_rate", tr);
  rig_set(r, "w_max", 2);
  rig_init(r);
  xs_state = 31337;
  /* spikes in windows of 1 ms: within a window, neuron order, not time */
  double sum = 0;
  size_t n = 0;
  for (double win = 0; win < dur; win += 1e-3) {
    for (uint32_t i = 0; i < N; i++) {
      if (uniform01() >= nu_true * 1e-3) continue;
      double t = win + uniform01() * 1e-3;
      post(r, i, t);
      sum += exp(-(dur - t) / tr) / (N * tr);
      n++;
    }
  }
  ck_assert(n > 900);
  double want = kap * exp(-dur / tr) + sum;
  NEAR(evs__istdp_rate(&r->pl, dur), want, 1e-9 * want);
  ck_assert(want > 6);
  /* the post spikes above kappa potentiated every synapse */
  for (uint64_t k = 0; k < r->proj.csr->nnz; k++) ck_assert(w_of(r, k) >= 0.5);
  rig_free(r);
}
END_TEST

/* istdp_global lazy vs a per-step reference: traces and nu decayed every
 * step; nu's jump added after the post handler's update. */
START_TEST(istdp_lazy_vs_reference) {
  const uint32_t n_pre = 6, n_post = 10;
  const double dt = 2e-6, dur = 1.0, eta = 2e-3, kap = 5, tr = 0.5, ts = 20e-3;
  rig *r = rig_new(&evs__rule_istdp_global, n_pre, n_post, 0.6, 0.4);
  rig_set(r, "eta", eta);
  rig_set(r, "kappa", kap);
  rig_set(r, "tau_rate", tr);
  rig_set(r, "w_max", 1);
  rig_init(r);
  const evs_csr *c = r->proj.csr;
  uint64_t nnz = c->nnz;
  xs_state = 9001;
  size_t n_ev;
  event *ev = make_events(n_pre, n_post, 12, dur, dt, 0, &n_ev);
  float *w = malloc(nnz * sizeof *w);
  uint32_t *pre_of = malloc(nnz * sizeof *pre_of);
  double *zpre = calloc(n_pre, sizeof *zpre),
         *zpo = calloc(n_post, sizeof *zpo);
  REQUIRE(w && pre_of && zpre && zpo);
  for (uint32_t j = 0; j < n_pre; j++)
    for (uint64_t k = c->row_ptr[j]; k < c->row_ptr[j + 1]; k++) pre_of[k] = j;
  memcpy(w, c->weight, nnz * sizeof *w);
  double nu = kap;
  const double fs = exp(-dt / ts), fr = exp(-dt / tr);
  size_t e = 0;
  for (int64_t st = 0; st <= ev[n_ev - 1].step; st++) {
    if (st) {
      for (uint32_t j = 0; j < n_pre; j++) zpre[j] *= fs;
      for (uint32_t i = 0; i < n_post; i++) zpo[i] *= fs;
      nu *= fr;
    }
    for (; e < n_ev && ev[e].step == st; e++) {
      uint32_t id = ev[e].id;
      double G = (nu - kap) / kap;
      if (ev[e].kind == 1) {
        pre(r, id, st * dt);
        for (uint64_t k = 0; k < nnz; k++)
          if (pre_of[k] == id)
            w[k] = (float)fmin(
                fmax(w[k] + eta * G * (zpo[c->target[k]] + 1), 0), 1);
        zpre[id] += 1;
      } else {
        post(r, id, st * dt);
        for (uint64_t k = 0; k < nnz; k++)
          if (c->target[k] == id)
            w[k] = (float)fmin(fmax(w[k] + eta * G * zpre[pre_of[k]], 0), 1);
        zpo[id] += 1;
        nu += 1 / (n_post * tr);
      }
    }
  }
  double moved = 0;
  for (uint64_t k = 0; k < nnz; k++) {
    REQUIRE_MSG(fabs(c->weight[k] - w[k]) <= 2e-6,
                "synapse %llu: lazy %.9g, reference %.9g",
                (unsigned long long)k, c->weight[k], w[k]);
    moved = fmax(moved, fabs(w[k] - 0.4));
  }
  ck_assert(moved > 0.01);
  free(w);
  free(pre_of);
  free(zpre);
  free(zpo);
  free(ev);
  rig_free(r);
}
END_TEST

/* ---- the rule clock through the scheduler
 * ------------------------------------ */

/* A SpikeSourceArray pre neuron drives a silent IF_curr_exp neuron through
 * an orchestrated projection: with no post spikes each pre arrival adds
 * delta, and the scheduler calls the consolidation step at k cons_dt. w~ at
 * the end is the Euler recurrence driven by that staircase w(t). */
START_TEST(orch_clock_end_to_end) {
  const double delta = 0.02, cdt = 0.3, tc = 3.0, T = 3.1, w0 = 0.1;
  char text[4096] = "", path[512];
  int npre = 0;
  for (double t = 0.05; t < 3.0; t += 0.1, npre++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%.4f 0\n", t);
  tu_write_tmp(path, sizeof path, "p5clk", text);
  evs_net *net;
  evs_error err;
  evs_error_clear(&err);
  REQ_INT(evs_net_new(&net, 1, 1e-4), ==, EVS_OK);
  int a = evs_net_add_population(net, "in", "SpikeSourceArray", 1, &err);
  REQ_INT(evs_net_set_path(net, a, "file", path, &err), ==, EVS_OK);
  int b = evs_net_add_population(net, "out", "IF_curr_exp", 1, &err);
  evs_dist v = evs_dist_const(10);
  REQ_INT(evs_net_set_param(net, b, "v_thresh", &v, &err), ==, EVS_OK);
  evs_conn_spec sp = one_to_one(w0 * 1e-9);
  int p = evs_net_connect(net, "in_out", a, b, EVS_RECEPTOR_EXC, &sp,
                          EVS_DIM_CURRENT, &err);
  REQUIRE(p >= 0);
  REQ_INT(evs_net_set_rule(net, p, "orchestrated", &err), ==, EVS_OK);
  const char *names[] = {"A", "delta", "w_max", "w_P", "tau_cons", "cons_dt"};
  const double vals[] = {1e-3 * 1e-9, delta * 1e-9, 5e-9, 0.5e-9, tc, cdt};
  for (int i = 0; i < 6; i++)
    REQ_INT(evs_net_set_rule_param(net, p, names[i], vals[i], &err), ==,
            EVS_OK);
  /* STP on the learning projection too: it must not touch stored weights */
  REQ_INT(evs_net_set_stp(net, p, 0.2, 0.2, 0.6, &err), ==, EVS_OK);
  evs_run_opts o = {.duration = T};
  int rc = evs_net_run(net, &o, &err);
  REQUIRE_MSG(rc == EVS_OK, "run: %s", err.msg);
  evs_proj *pj = net->proj[p];
  double scale = pj->weight_scale; /* internal units per A */
  NEAR(pj->csr->weight[0] / scale * 1e9, w0 + npre * delta, 1e-5);
  /* the reference: arrivals at t_spike + 1 ms; clock at k cdt < T */
  double a0 = 0, c0 = 0.5, bb = 0.25, q = 0.125;
  double pot = 0.2 * 0.5 / ((q - a0) * (q - bb) * (q - c0));
  double vt = 0;
  int calls = 0;
  for (int k = 1; k * cdt < T; k++) {
    double t = k * cdt;
    int arrived = 0;
    for (int n = 0; n < npre; n++) arrived += 0.05 + n * 0.1 + 1e-3 < t;
    double wk = w0 + arrived * delta;
    vt = vt + cdt / tc * ((wk - vt) + pot * (a0 - vt) * (bb - vt) * (c0 - vt));
    calls++;
  }
  ck_assert_int_eq(calls, 10);
  double got = evs__orchestrated_wref(pj->rule, 0) / scale * 1e9;
  NEAR(got, vt, 1e-5);
  ck_assert(got > 0.05);
  evs_net_free(net);
  remove(path);
}
END_TEST

static Suite *orchestrated_suite(void) {
  Suite *s = suite_create("orchestrated");
  TCase *tc = tcase_create("orchestrated");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, orch_closed_forms);
  tcase_add_test(tc, orch_hetero_and_bounds);
  tcase_add_test(tc, orch_consolidation_ode);
  tcase_add_test(tc, orch_params_checked);
  tcase_add_test(tc, orch_lazy_vs_reference);
  tcase_add_test(tc, orch_clock_end_to_end);
  suite_add_tcase(s, tc);
  tc = tcase_create("istdp_global");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, istdp_closed_forms);
  tcase_add_test(tc, istdp_rate_estimate);
  tcase_add_test(tc, istdp_lazy_vs_reference);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(orchestrated_suite()); }
