/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of adex.c (EIF_cond_exp_isfa_ista): PyNN's defaults, the subthreshold
 * steady state against its closed form (v* by bisection here, w* = a (v* -
 * v_rest)), spike trains and an f-I curve against a fine-step (dt/100) RK4
 * reference integrated here with the same spike, reset and refractory rules,
 * a conductance PSP against the same reference, adaptation (growing ISIs
 * with b > 0, constant without), the refractory clamp, parameter
 * validation, and every parameter set per neuron (AdEx's own, the
 * membrane's) against one-neuron populations. Populations are built by hand (as
 * net.c does) and driven tick by tick. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/adex.h"
#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"
#include "cond_test_util.h"

#define T_ADEX (&evs__eif_cond_exp_isfa_ista)

static evs_pop *pop_new(uint32_t n, double dt) {
  return pop_new_of(T_ADEX, n, dt, 3, 0);
}

/* ---- the reference ---------------------------------------------------------
 */

/* PyNN's defaults in SI, written out again here (not read from the type). */
typedef struct ref_par {
  double cm, gl, el, vreset, vt, vspike, dT, tw, a, b, tref, ee, ei, te, ti,
      iof;
} ref_par;

static ref_par ref_defaults(void) {
  ref_par P = {0.281e-9, 0.281e-9 / 9.3667e-3,
               -70.6e-3, -70.6e-3,
               -50.4e-3, -40e-3,
               2e-3,     144e-3,
               4e-9,     0.0805e-9,
               0.1e-3,   0,
               -80e-3,   5e-3,
               5e-3,     0};
  return P;
}

/* y = (v, w, g_e, g_i); the model's right-hand side with every term at
 * min(v, v_spike) (the model's bound on the exponential); hold: v fixed. */
static void ref_f(const ref_par *P, const double y[4], double d[4], int hold) {
  double u = fmin(y[0], P->vspike);
  d[0] = hold
             ? 0
             : (P->gl * (P->el - u) + P->gl * P->dT * exp((u - P->vt) / P->dT) +
                y[2] * (P->ee - u) + y[3] * (P->ei - u) - y[1] + P->iof) /
                   P->cm;
  d[1] = (P->a * ((hold ? P->vreset : u) - P->el) - y[1]) / P->tw;
  d[2] = -y[2] / P->te;
  d[3] = -y[3] / P->ti;
}

/* One clock step from t0 to t0 + dt by RK4 with step dt/sub; sub-steps that
 * start before until hold v. */
static void ref_step(const ref_par *P, double y[4], double t0, double dt,
                     int sub, double until) {
  double h = dt / sub;
  for (int j = 0; j < sub; j++) {
    int hold = t0 + j * h < until - 1e-3 * h;
    double k1[4], k2[4], k3[4], k4[4], z[4];
    ref_f(P, y, k1, hold);
    for (int i = 0; i < 4; i++) z[i] = y[i] + 0.5 * h * k1[i];
    ref_f(P, z, k2, hold);
    for (int i = 0; i < 4; i++) z[i] = y[i] + 0.5 * h * k2[i];
    ref_f(P, z, k3, hold);
    for (int i = 0; i < 4; i++) z[i] = y[i] + h * k3[i];
    ref_f(P, z, k4, hold);
    for (int i = 0; i < 4; i++)
      y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
}

/* Runs the reference from rest for nsteps clock steps, the threshold tested
 * at the end of each (as the type does); spike times into spk[0..cap),
 * returns their number. */
static size_t ref_run(const ref_par *P, double dt, long nsteps, int sub,
                      double *spk, size_t cap) {
  double y[4] = {P->el, 0, 0, 0}, until = -1e30;
  size_t n = 0;
  for (long k = 1; k <= nsteps; k++) {
    ref_step(P, y, (k - 1) * dt, dt, sub, until);
    if (y[0] >= P->vspike) {
      if (n < cap) spk[n] = k * dt;
      n++;
      y[0] = P->vreset;
      y[1] += P->b;
      until = k * dt + P->tref;
    }
  }
  return n;
}

/* Runs one neuron of the type driven by i_offset = iof for nsteps; spike
 * times into spk[0..cap), returns their number. */
static size_t sim_run(const ref_par *P, double dt, long nsteps, double *spk,
                      size_t cap) {
  evs_pop *p = pop_new(1, dt);
  pop_set(p, "i_offset", P->iof);
  pop_set(p, "a", P->a);
  pop_set(p, "b", P->b);
  pop_set(p, "tau_refrac", P->tref);
  pop_init(p);
  return pop_run_free(p, nsteps, 1, spk, cap);
}

/* ---- descriptor -------------------------------------------------------------
 */

START_TEST(test_descriptor) {
  const evs_neuron_type *T = T_ADEX;
  ck_assert_str_eq(T->name, "EIF_cond_exp_isfa_ista");
  ck_assert_ptr_eq(evs__neuron_type_find("EIF_cond_exp_isfa_ista"), T);
  ck_assert_int_eq(T->kind, EVS_POP_CLOCKED);
  evs_pop *p = pop_new(1, 1e-4);
  ck_assert(T->weight_scale(p, EVS_DIM_CONDUCTANCE) == 1.0);
  ck_assert(T->weight_scale(p, EVS_DIM_VOLTAGE) == 0.0);
  ck_assert(T->dc_scale(p, EVS_DIM_CURRENT) == 1.0);
  /* PyNN 0.10's defaults (nF, ms, mV, nA, nS), converted to SI */
  static const struct {
    const char *name;
    double value;
  } def[] = {{"cm", 0.281e-9},     {"tau_refrac", 0.1e-3},
             {"v_spike", -40e-3},  {"v_reset", -70.6e-3},
             {"v_rest", -70.6e-3}, {"tau_m", 9.3667e-3},
             {"i_offset", 0},      {"a", 4e-9},
             {"b", 0.0805e-9},     {"delta_T", 2e-3},
             {"tau_w", 144e-3},    {"v_thresh", -50.4e-3},
             {"e_rev_E", 0},       {"tau_syn_E", 5e-3},
             {"e_rev_I", -80e-3},  {"tau_syn_I", 5e-3},
             {"v_init", -70.6e-3}};
  for (size_t j = 0; j < sizeof def / sizeof def[0]; j++)
    ck_assert_msg(fabs(evs__pop_param(p, def[j].name) - def[j].value) <=
                      1e-12 * fabs(def[j].value),
                  "%s", def[j].name);
  ck_assert_uint_eq(T->n_params, 19);
  pop_free(p);
}
END_TEST

/* ---- subthreshold steady state in closed form -----------------------------
 */

/* At rest under a constant current I below rheobase, dv/dt = dw/dt = 0:
 * w* = a (v* - E_L), and v* is the lower root of
 *   I - (g_L + a)(v - E_L) + g_L delta_T exp((v - V_T) / delta_T) = 0,
 * found by bisection on [E_L, V_T + delta_T ln((g_L + a) / g_L)] (where the
 * left side has its minimum). RK4 keeps the ODE's equilibria, so the type
 * must converge to v*, w* to rounding. */
START_TEST(test_steady_state) {
  const ref_par P = ref_defaults();
  const double currents[] = {0.0, 0.2e-9, 0.4e-9, -0.3e-9};
  for (size_t c = 0; c < 4; c++) {
    double I = currents[c];
    double lo = P.el - 1.0, hi = P.vt + P.dT * log((P.gl + P.a) / P.gl);
    for (int it = 0; it < 200; it++) {
      double mid = 0.5 * (lo + hi);
      double F = I - (P.gl + P.a) * (mid - P.el) +
                 P.gl * P.dT * exp((mid - P.vt) / P.dT);
      if (F > 0)
        lo = mid;
      else
        hi = mid;
    }
    double vs = 0.5 * (lo + hi), ws = P.a * (vs - P.el);
    evs_pop *p = pop_new(2, 1e-4);
    pop_set(p, "i_offset", I);
    pop_init(p);
    for (long k = 1; k <= 40000; k++) pop_tick(p, k); /* 4 s ~ 28 tau_w */
    ck_assert_uint_eq(p->nspikes + p->nspk, 0);
    for (uint32_t i = 0; i < 2; i++) {
      ck_assert_msg(fabs(V(p, i) - vs) < 1e-9, "I %g nA: v %.12g, v* %.12g",
                    I * 1e9, V(p, i), vs);
      ck_assert_msg(fabs(evs__adex_w(p, i) - ws) < 1e-15,
                    "I %g nA: w %.6g A, w* %.6g A", I * 1e9, evs__adex_w(p, i),
                    ws);
    }
    pop_free(p);
  }
}
END_TEST

/* ---- spike trains against the fine-step reference -------------------------
 */

/* Every spike of the type falls on the tick of the reference's (RK4 at
 * dt/100, threshold at the clock's ticks), give or take one tick for a
 * crossing that lands within rounding of a tick; the counts agree (measured:
 * 5, 17, 33, 64 spikes in 0.5 s at 0.7, 1, 1.5, 2.5 nA, every one on the
 * reference's tick).
 * Also the f-I curve is increasing. */
START_TEST(test_fi_reference) {
  const double dt = 1e-4;
  const long nsteps = 5000; /* 0.5 s */
  const double currents[] = {0.7e-9, 1.0e-9, 1.5e-9, 2.5e-9};
  enum { CAP = 400 };
  double ref[CAP], sim[CAP];
  size_t prev = 0;
  for (size_t c = 0; c < 4; c++) {
    ref_par P = ref_defaults();
    P.iof = currents[c];
    size_t nr = ref_run(&P, dt, nsteps, 100, ref, CAP);
    size_t ns = sim_run(&P, dt, nsteps, sim, CAP);
    ck_assert_msg(nr >= 3 && nr < CAP, "I %g nA: %zu spikes", P.iof * 1e9, nr);
    ck_assert_msg(ns == nr,
                  "I %g nA: %zu spikes, "
                  "reference %zu",
                  P.iof * 1e9, ns, nr);
    ck_assert_msg(fabs(sim[0] - ref[0]) <= 1.01 * dt,
                  "I %g nA: first spike %g s, reference %g s", P.iof * 1e9,
                  sim[0], ref[0]);
    size_t m = ns < nr ? ns : nr, off = 0;
    for (size_t j = 0; j < m; j++)
      if (fabs(sim[j] - ref[j]) > 1.01 * dt) off++;
    /* a one-tick slip may shift later spikes by a tick; never more */
    for (size_t j = 0; j < m; j++)
      ck_assert_msg(fabs(sim[j] - ref[j]) <= 3.01 * dt,
                    "I %g nA: spike %zu at %g s, reference %g s", P.iof * 1e9,
                    j, sim[j], ref[j]);
    ck_assert_msg(off <= m / 4, "I %g nA: %zu of %zu spikes off by > 1 tick",
                  P.iof * 1e9, off, m);
    ck_assert_uint_gt(ns, prev);
    prev = ns;
  }
}
END_TEST

/* ---- a conductance PSP against the reference ------------------------------
 */

START_TEST(test_psp_reference) {
  const double dt = 1e-4;
  ref_par P = ref_defaults();
  const float w = 5e-9f; /* 5 nS, subthreshold from rest */
  evs_pop *p = pop_new(2, dt);
  pop_init(p);
  const uint32_t id = 1;
  /* delivered at the state time 0: acts from the first step on */
  p->type->deliver(p, 0.0, EVS_RECEPTOR_EXC, &id, &w, 0, 1);
  double y[4] = {P.el, 0, (double)w, 0}, y0[4] = {P.el, 0, 0, 0};
  double worst = 0, peak = P.el;
  for (long k = 1; k <= 1000; k++) {
    pop_tick(p, k);
    ref_step(&P, y, (k - 1) * dt, dt, 100, -1e30);
    worst = fmax(worst, fabs(V(p, 1) - y[0]));
    peak = fmax(peak, V(p, 1));
    /* neuron 0 got nothing: it follows the reference without input (at
     * v_rest the exponential term still pushes by ~2e-15 A) */
    ref_step(&P, y0, (k - 1) * dt, dt, 1, -1e30);
    REQUIRE(fabs(V(p, 0) - y0[0]) < 1e-12);
  }
  ck_assert_msg(worst < 1e-9, "max deviation %g V", worst);
  ck_assert_msg(peak - P.el > 1e-3, "PSP %g V too small to test", peak - P.el);
  ck_assert(fabs(evs__adex_w(p, 1) - y[1]) < 1e-15);
  pop_free(p);
}
END_TEST

/* ---- adaptation -----------------------------------------------------------
 */

START_TEST(test_adaptation) {
  const double dt = 1e-4;
  enum { CAP = 200 };
  double s[CAP];
  ref_par P = ref_defaults();
  P.iof = 1.0e-9;
  size_t n = sim_run(&P, dt, 10000, s, CAP); /* 1 s */
  ck_assert_uint_ge(n, 6);
  /* b > 0 and a > 0: the inter-spike intervals grow (to a tick) */
  for (size_t j = 2; j < n; j++)
    ck_assert_msg(s[j] - s[j - 1] >= s[j - 1] - s[j - 2] - 1.01 * dt,
                  "ISI %zu shrank: %g s after %g s", j, s[j] - s[j - 1],
                  s[j - 1] - s[j - 2]);
  double first = s[1] - s[0], last = s[n - 1] - s[n - 2];
  ck_assert_msg(last > 2 * first, "first ISI %g s, last %g s", first, last);
  /* a = b = 0: no adaptation, every ISI the same to a tick */
  P.a = P.b = 0;
  size_t m = sim_run(&P, dt, 10000, s, CAP);
  ck_assert_uint_gt(m, n);
  for (size_t j = 2; j < m && j < CAP; j++)
    ck_assert(fabs((s[j] - s[j - 1]) - (s[1] - s[0])) <= 1.01 * dt);
}
END_TEST

/* w jumps by b at each spike: between spikes w follows the ODE, so with
 * a = 0 it decays as w exp(-t / tau_w) and the spike adds b exactly. */
START_TEST(test_w_jump) {
  const double dt = 1e-4, b = 0.0805e-9, tw = 144e-3;
  evs_pop *p = pop_new(1, dt);
  pop_set(p, "a", 0);
  pop_set(p, "i_offset", 1.0e-9);
  pop_init(p);
  double w = 0;
  size_t spikes = 0;
  for (long k = 1; k <= 5000; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    w *= exp(-dt / tw);
    if (p->nspk) {
      w += b;
      spikes++;
    }
    REQUIRE_MSG(fabs(evs__adex_w(p, 0) - w) <= 1e-9 * w + 1e-24,
                "tick %ld: w %g A, expected %g A", k, evs__adex_w(p, 0), w);
  }
  ck_assert_uint_ge(spikes, 5);
  pop_free(p);
}
END_TEST

/* ---- refractory clamp -----------------------------------------------------
 */

START_TEST(test_refractory) {
  const double dt = 1e-4, tref = 2e-3;
  evs_pop *p = pop_new(1, dt);
  pop_set(p, "tau_refrac", tref);
  pop_set(p, "i_offset", 3e-9);
  pop_init(p);
  long last = -1;
  size_t spikes = 0;
  for (long k = 1; k <= 3000; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    if (p->nspk) {
      if (last >= 0) REQUIRE((k - last) * dt > tref);
      last = k;
      spikes++;
    } else if (last >= 0 && k - last <= 20) {
      /* held at v_reset for tau_refrac = 20 ticks */
      REQUIRE_MSG(V(p, 0) == -70.6e-3, "tick %ld (%ld after a spike): v %g", k,
                  k - last, V(p, 0));
    }
    if (last >= 0 && k - last == 21) REQUIRE(V(p, 0) > -70.6e-3);
  }
  ck_assert_uint_ge(spikes, 5);
  pop_free(p);
}
END_TEST

/* ---- DC equals i_offset ---------------------------------------------------
 */

START_TEST(test_dc) {
  evs_pop *p = pop_new(2, 1e-4), *q = pop_new(1, 1e-4);
  p->dc = calloc(2, sizeof *p->dc);
  p->dc[1] = 1.2e-9;
  pop_set(q, "i_offset", 1.2e-9);
  pop_init(p);
  pop_init(q);
  size_t n = 0;
  for (long k = 1; k <= 3000; k++) {
    p->nspk = q->nspk = 0;
    pop_tick(p, k);
    pop_tick(q, k);
    REQUIRE(p->nspk == q->nspk);
    REQUIRE(V(p, 1) == V(q, 0));
    REQUIRE(fabs(V(p, 0) - -70.6e-3) < 1e-6); /* undriven: near rest */
    n += q->nspk;
  }
  ck_assert_uint_ge(n, 3);
  pop_free(p);
  pop_free(q);
}
END_TEST

/* ---- validation -----------------------------------------------------------
 */

START_TEST(test_invalid) {
  expect_invalid_of(T_ADEX, "delta_T", 0, "delta_T");
  expect_invalid_of(T_ADEX, "tau_w", -1e-3, "tau_w");
  expect_invalid_of(T_ADEX, "cm", 0, "cm");
  expect_invalid_of(T_ADEX, "v_reset", -30e-3, "v_spike");
  expect_invalid_of(T_ADEX, "v_thresh", -40e-3, "v_spike");
  expect_invalid_of(T_ADEX, "a", INFINITY, "a");
  expect_invalid_of(T_ADEX, "tau_refrac", -1e-3, "tau_refrac");
}
END_TEST

/* ---- per-neuron parameters -------------------------------------------------
 */

/* Gives parameter name of p one value per neuron (v, SI), as
 * evs_net_set_param_values does. */
static void pop_set_values(evs_pop *p, const char *name, const double *v) {
  int k = evs__param_index(p->type, name);
  ck_assert_msg(k >= 0, "no parameter %s", name);
  if (!p->values) p->values = calloc(p->type->n_params, sizeof *p->values);
  ck_assert_ptr_nonnull(p->values);
  p->values[k] = malloc(p->size * sizeof **p->values);
  ck_assert_ptr_nonnull(p->values[k]);
  memcpy(p->values[k], v, p->size * sizeof **p->values);
}

static void pop_free_values(evs_pop *p) {
  for (size_t k = 0; p->values && k < p->type->n_params; k++)
    free(p->values[k]);
  free(p->values);
  p->values = NULL;
  pop_free(p);
}

/* AdEx's own parameters per neuron (a, b, tau_w, delta_T, v_thresh): four
 * neurons under 0.8 nA (PyNN's defaults; no adaptation; fast strong
 * adaptation; a sharper, lower exponential onset) each spike exactly (same
 * steps) as a one-neuron population with its values as constants, and the
 * four differ. */
START_TEST(test_per_neuron_parameters) {
  enum { N = 4, CAP = 256 };
  static const char *const names[5] = {"a", "b", "tau_w", "delta_T",
                                       "v_thresh"};
  const double P[N][5] = {{4e-9, 0.0805e-9, 144e-3, 2e-3, -50.4e-3},
                          {0, 0, 144e-3, 2e-3, -50.4e-3},
                          {4e-9, 0.3e-9, 50e-3, 2e-3, -50.4e-3},
                          {4e-9, 0.0805e-9, 144e-3, 1e-3, -52e-3}};
  const double dt = 1e-4;
  const long nsteps = 5000; /* 0.5 s */
  evs_pop *p = pop_new(N, dt);
  for (int k = 0; k < 5; k++) {
    double v[N];
    for (int i = 0; i < N; i++) v[i] = P[i][k];
    pop_set_values(p, names[k], v);
  }
  pop_set(p, "i_offset", 0.8e-9);
  pop_init(p);
  static double got[N][CAP];
  size_t n_got[N] = {0};
  for (long k = 1; k <= nsteps; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    for (size_t j = 0; j < p->nspk; j++) {
      uint32_t id = p->spk[j].id;
      ck_assert_uint_lt(id, N);
      if (n_got[id] < CAP) got[id][n_got[id]] = p->spk[j].t;
      n_got[id]++;
    }
  }
  pop_free_values(p);
  for (int i = 0; i < N; i++) {
    evs_pop *q = pop_new(1, dt);
    for (int k = 0; k < 5; k++) pop_set(q, names[k], P[i][k]);
    pop_set(q, "i_offset", 0.8e-9);
    pop_init(q);
    double want[CAP];
    size_t n = pop_run_free(q, nsteps, 1, want, CAP);
    ck_assert_msg(n >= 3 && n < CAP, "neuron %d: %zu spikes", i, n);
    ck_assert_msg(n_got[i] == n, "neuron %d: %zu spikes, alone %zu", i,
                  n_got[i], n);
    for (size_t j = 0; j < n; j++)
      ck_assert_msg(got[i][j] == want[j],
                    "neuron %d spike %zu: %.17g s, alone %.17g s", i, j,
                    got[i][j], want[j]);
  }
  for (int i = 0; i < N; i++)
    for (int j = i + 1; j < N; j++)
      ck_assert_msg(n_got[i] != n_got[j] || got[i][0] != got[j][0] ||
                        got[i][1] - got[i][0] != got[j][1] - got[j][0],
                    "neurons %d and %d fire alike", i, j);
}
END_TEST

/* Runs p (n neurons) for nsteps clock steps, an excitatory and an
 * inhibitory input of 5 nS into every neuron every 20 ms (delivered at a
 * tick, so they enter g at once); each neuron's spike times into got[i]
 * (cap each, their number in n_got[i]) and its final v and w into vw[i].
 * Frees p. */
static void run_with_inputs(evs_pop *p, long nsteps, size_t cap,
                            double (*got)[256], size_t *n_got,
                            double (*vw)[2]) {
  uint32_t ids[16];
  for (uint32_t i = 0; i < p->size; i++) ids[i] = i, n_got[i] = 0;
  for (long k = 1; k <= nsteps; k++) {
    if (k % 200 == 100) {
      p->type->deliver(p, (k - 1) * p->tick, EVS_RECEPTOR_EXC, ids, NULL, 5e-9f,
                       p->size);
      p->type->deliver(p, (k - 1) * p->tick, EVS_RECEPTOR_INH, ids, NULL, 5e-9f,
                       p->size);
    }
    p->nspk = 0;
    pop_tick(p, k);
    for (size_t j = 0; j < p->nspk; j++) {
      uint32_t id = p->spk[j].id;
      if (n_got[id] < cap) got[id][n_got[id]] = p->spk[j].t;
      n_got[id]++;
    }
  }
  for (uint32_t i = 0; i < p->size; i++) {
    vw[i][0] = V(p, i);
    vw[i][1] = evs__adex_w(p, i);
  }
}

/* The membrane's parameters per neuron (issue 16: cm, tau_m, v_rest,
 * v_reset, tau_refrac, e_rev_E/I, tau_syn_E/I, i_offset, v_spike): eight
 * neurons, each with some of them away from PyNN's defaults, under 0.8 nA
 * (one 1.2 nA) and conductance inputs every 20 ms, spike at the times
 * (same steps) and end at the v and w of one-neuron populations with their
 * values as constants, to the bit; and each differs from neuron 0. */
START_TEST(test_per_neuron_membrane) {
  enum { N = 8, K = 11, CAP = 256 };
  static const char *const names[K] = {
      "cm",        "tau_m",   "v_rest",    "v_reset",  "tau_refrac", "e_rev_E",
      "tau_syn_E", "e_rev_I", "tau_syn_I", "i_offset", "v_spike"};
  static const double d[K] = {0.281e-9, 9.3667e-3, -70.6e-3, -70.6e-3,
                              0.1e-3,   0,         5e-3,     -80e-3,
                              5e-3,     0.8e-9,    -40e-3};
  double P[N][K];
  for (int i = 0; i < N; i++) memcpy(P[i], d, sizeof d);
  P[1][0] = 0.2e-9;                    /* cm */
  P[2][1] = 15e-3;                     /* tau_m */
  P[3][2] = -65e-3;                    /* v_rest */
  P[4][3] = -55e-3, P[4][4] = 2e-3;    /* v_reset, tau_refrac */
  P[5][5] = -10e-3, P[5][6] = 2e-3;    /* e_rev_E, tau_syn_E */
  P[6][7] = -70e-3, P[6][8] = 10e-3;   /* e_rev_I, tau_syn_I */
  P[7][9] = 1.2e-9, P[7][10] = -35e-3; /* i_offset, v_spike */
  const double dt = 1e-4;
  const long nsteps = 5000; /* 0.5 s */
  evs_pop *p = pop_new(N, dt);
  for (int k = 0; k < K; k++) {
    double v[N];
    for (int i = 0; i < N; i++) v[i] = P[i][k];
    pop_set_values(p, names[k], v);
  }
  pop_init(p);
  static double got[N][CAP], want[CAP][CAP];
  size_t n_got[N], n_want[1];
  double vw[N][2], vw1[1][2];
  run_with_inputs(p, nsteps, CAP, got, n_got, vw);
  pop_free_values(p);
  for (int i = 0; i < N; i++) {
    evs_pop *q = pop_new(1, dt);
    for (int k = 0; k < K; k++) pop_set(q, names[k], P[i][k]);
    pop_init(q);
    run_with_inputs(q, nsteps, CAP, want, n_want, vw1);
    pop_free(q);
    ck_assert_msg(n_want[0] >= 3 && n_want[0] < CAP, "neuron %d: %zu spikes", i,
                  n_want[0]);
    ck_assert_msg(n_got[i] == n_want[0], "neuron %d: %zu spikes, alone %zu", i,
                  n_got[i], n_want[0]);
    for (size_t j = 0; j < n_want[0]; j++)
      ck_assert_msg(got[i][j] == want[0][j],
                    "neuron %d spike %zu: %.17g s, alone %.17g s", i, j,
                    got[i][j], want[0][j]);
    ck_assert_msg(vw[i][0] == vw1[0][0] && vw[i][1] == vw1[0][1],
                  "neuron %d: v %.17g, w %.17g; alone %.17g, %.17g", i,
                  vw[i][0], vw[i][1], vw1[0][0], vw1[0][1]);
    if (i > 0)
      ck_assert_msg(n_got[i] != n_got[0] || got[i][0] != got[0][0] ||
                        vw[i][0] != vw[0][0],
                    "neuron %d fires as neuron 0", i);
  }
}
END_TEST

/* A bad value of one neuron is refused naming the neuron and parameter. */
START_TEST(test_per_neuron_parameters_checked) {
  static const struct {
    const char *name;
    double v[3];
    const char *want;
  } bad[] = {{"tau_w", {144e-3, 0, 144e-3}, "neuron 1: tau_w must be positive"},
             {"delta_T", {2e-3, 2e-3, -1e-3}, "neuron 2: delta_T must be"},
             {"v_thresh",
              {-39e-3, -50e-3, -50e-3},
              "neuron 0: v_thresh must "
              "be below v_spike"},
             {"a", {0, NAN, 0}, "neuron 1: a must be finite"}};
  for (size_t c = 0; c < sizeof bad / sizeof *bad; c++) {
    evs_pop *p = pop_new(3, 1e-4);
    snprintf(p->name, sizeof p->name, "exc_layer");
    pop_set_values(p, bad[c].name, bad[c].v);
    evs_error err;
    evs_error_clear(&err);
    ck_assert_int_eq(p->type->init(p, &err), EVS_EMODEL);
    ck_assert_msg(strstr(err.msg, "exc_layer") && strstr(err.msg, bad[c].want),
                  "msg: %s", err.msg);
    ck_assert_str_eq(err.key, bad[c].name);
    pop_free_values(p);
  }
}
END_TEST

static Suite *adex_suite(void) {
  Suite *s = suite_create("adex");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_descriptor);
  tcase_add_test(tc, test_steady_state);
  tcase_add_test(tc, test_fi_reference);
  tcase_add_test(tc, test_psp_reference);
  tcase_add_test(tc, test_adaptation);
  tcase_add_test(tc, test_w_jump);
  tcase_add_test(tc, test_refractory);
  tcase_add_test(tc, test_dc);
  tcase_add_test(tc, test_invalid);
  tcase_add_test(tc, test_per_neuron_parameters);
  tcase_add_test(tc, test_per_neuron_parameters_checked);
  tcase_add_test(tc, test_per_neuron_membrane);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(adex_suite()); }
