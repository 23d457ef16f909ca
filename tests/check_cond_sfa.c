/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of cond_sfa.c (IF_cond_exp_gsfa_grr): closed-form relaxation, the
 * closed form of g_sfa and g_rr after a known spike train, adaptation of a
 * DC-driven neuron against a fine-step RK4 reference with the same spike and
 * reset rules, bit-for-bit agreement with IF_cond_exp when q_sfa = q_rr = 0,
 * and parameter validation. Populations are built by hand (as net.c does)
 * and driven tick by tick. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/cond_math.h"
#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"
#include "cond_test_util.h"

#define T_SFA (&evs__if_cond_exp_gsfa_grr)

/* ---- a population built by hand ------------------------------------------ */

static evs_pop *pop_new(uint32_t n, double dt, uint64_t seed, uint32_t index) {
  return pop_new_of(T_SFA, n, dt, seed, index);
}

static void tick(evs_pop *p, long k) {
  int rc = p->type->tick(p, k * p->tick);
  REQ_INT(rc, ==, EVS_OK);
}

static double GS(evs_pop *p, uint32_t id) {
  double g;
  evs__cond_sfa_probe(p, id, &g, NULL);
  return g;
}

static double GR(evs_pop *p, uint32_t id) {
  double g;
  evs__cond_sfa_probe(p, id, NULL, &g);
  return g;
}

/* ---- descriptor -------------------------------------------------------------
 */

START_TEST(test_descriptor) {
  const evs_neuron_type *T = T_SFA;
  ck_assert_str_eq(T->name, "IF_cond_exp_gsfa_grr");
  ck_assert_ptr_eq(evs__neuron_type_find("IF_cond_exp_gsfa_grr"), T);
  ck_assert_int_eq(T->kind, EVS_POP_CLOCKED);
  evs_pop *p = pop_new(1, 1e-4, 1, 0);
  ck_assert(T->weight_scale(p, EVS_DIM_CONDUCTANCE) == 1.0);
  ck_assert(T->weight_scale(p, EVS_DIM_CURRENT) == 0.0);
  ck_assert(T->dc_scale(p, EVS_DIM_CURRENT) == 1.0);
  ck_assert(T->dc_scale(p, EVS_DIM_VOLTAGE) == 0.0);
  /* PyNN's defaults (ms, mV, nF, nS, nA), converted to SI */
  static const struct {
    const char *name;
    double value;
  } def[] = {
      {"cm", 1e-9},         {"tau_m", 20e-3},      {"v_rest", -65e-3},
      {"v_thresh", -57e-3}, {"v_reset", -70e-3},   {"tau_refrac", 0.1e-3},
      {"tau_syn_E", 5e-3},  {"tau_syn_I", 5e-3},   {"e_rev_E", 0},
      {"e_rev_I", -75e-3},  {"e_rev_sfa", -75e-3}, {"e_rev_rr", -75e-3},
      {"tau_sfa", 100e-3},  {"tau_rr", 2e-3},      {"q_sfa", 15e-9},
      {"q_rr", 3000e-9},    {"i_offset", 0}};
  for (size_t j = 0; j < sizeof def / sizeof def[0]; j++)
    ck_assert_msg(fabs(evs__pop_param(p, def[j].name) - def[j].value) <=
                      1e-12 * fabs(def[j].value),
                  "%s", def[j].name);
  static const char *per_neuron[] = {"v_init", "gsyn_exc_init",
                                     "gsyn_inh_init"};
  for (size_t j = 0; j < 3; j++) {
    int k = evs__param_index(T, per_neuron[j]);
    ck_assert_int_ge(k, 0);
    ck_assert(T->params[k].flags & EVS_PARAM_PER_NEURON);
  }
  pop_free(p);
}
END_TEST

/* ---- relaxation without input ------------------------------------------- */

START_TEST(test_relaxation) {
  const double dt = 1e-4, v0 = -58e-3, vr = -65e-3, tau = 20e-3;
  evs_pop *p = pop_new(3, dt, 7, 0);
  pop_set(p, "v_init", v0);
  pop_init(p);
  ck_assert(fabs(V(p, 0) - v0) < 1e-15);
  double worst = 0;
  for (long k = 1; k <= 3000; k++) {
    tick(p, k);
    double exact = vr + (v0 - vr) * exp(-k * dt / tau);
    for (uint32_t i = 0; i < 3; i++) worst = fmax(worst, fabs(V(p, i) - exact));
  }
  ck_assert_msg(worst < 1e-12, "max error %g V", worst);
  ck_assert_uint_eq(p->nspk, 0);
  ck_assert(GS(p, 0) == 0 && GR(p, 2) == 0);
  pop_free(p);
}
END_TEST

/* ---- g_sfa and g_rr after a known spike train ------------------------------
 */

/* Strong excitatory kicks (5 uS, decaying with tau_syn_E = 0.2 ms) delivered
 * at the state time of tick k make the neuron spike at tick k + 1 and only
 * then (tau_refrac = 2 ms outlasts the kick; no other drive). */
START_TEST(test_adaptation_closed_form) {
  const double dt = 1e-4, q_sfa = 15e-9, q_rr = 3000e-9, tau_sfa = 100e-3,
               tau_rr = 2e-3;
  static const long kick[] = {100, 160, 230, 300, 700, 760, 1500, 1550};
  const size_t nk = sizeof kick / sizeof kick[0];
  evs_pop *p = pop_new(2, dt, 1, 0);
  pop_set(p, "tau_syn_E", 0.2e-3);
  pop_set(p, "tau_refrac", 2e-3);
  pop_init(p);
  double tsp[16];
  size_t ns = 0, next = 0;
  const uint32_t id = 1;
  const float w = 5e-6f;
  for (long k = 1; k <= 2500; k++) {
    if (next < nk && kick[next] == k - 1) {
      p->type->deliver(p, (k - 1) * dt, EVS_RECEPTOR_EXC, &id, &w, 0, 1);
      next++;
    }
    p->nspk = 0;
    tick(p, k);
    int expect = ns < nk && kick[ns] + 1 == k;
    REQUIRE_MSG((int)p->nspk == expect, "tick %ld: %zu spikes", k, p->nspk);
    if (p->nspk) {
      REQ_UINT(p->spk[0].id, ==, 1);
      REQUIRE(p->spk[0].t == k * dt);
      tsp[ns++] = k * dt;
    }
    if (k % 50 == 0 || p->nspk) {
      double t = k * dt, gs = 0, gr = 0;
      for (size_t j = 0; j < ns; j++) {
        gs += q_sfa * exp(-(t - tsp[j]) / tau_sfa);
        gr += q_rr * exp(-(t - tsp[j]) / tau_rr);
      }
      REQUIRE_MSG(fabs(GS(p, 1) - gs) <= 1e-11 * gs + 1e-30,
                  "t %g: g_sfa %.15g S, closed form %.15g S", t, GS(p, 1), gs);
      REQUIRE_MSG(fabs(GR(p, 1) - gr) <= 1e-11 * gr + 1e-30,
                  "t %g: g_rr %.15g S, closed form %.15g S", t, GR(p, 1), gr);
      REQUIRE(GS(p, 0) == 0 && GR(p, 0) == 0);
    }
  }
  ck_assert_uint_eq(ns, nk);
  /* 4 spikes within 20 ms then a pause: g_sfa built up above one q_sfa */
  double t = 30.1e-3;
  ck_assert(q_sfa *
                (exp(-(t - tsp[0]) / tau_sfa) + exp(-(t - tsp[3]) / tau_sfa)) >
            q_sfa);
  pop_free(p);
}
END_TEST

/* ---- adaptation against a fine-step RK4 reference --------------------------
 */

typedef struct ref_par {
  double cm, gl, vr, vreset, vth, tref, es, er, ts, tr, qs, qr, iof;
} ref_par;

/* f(v, g_sfa, g_rr) of the ODE without synaptic input. */
static void ref_f(const ref_par *P, const double y[3], double d[3], int hold) {
  d[0] = hold ? 0
              : (P->gl * (P->vr - y[0]) + y[1] * (P->es - y[0]) +
                 y[2] * (P->er - y[0]) + P->iof) /
                    P->cm;
  d[1] = -y[1] / P->ts;
  d[2] = -y[2] / P->tr;
}

/* One clock step of the reference, from t0 to t0 + dt: classical RK4 with
 * step dt/sub; sub-steps starting before until hold v (refractory). */
static void ref_step(const ref_par *P, double y[3], double t0, double dt,
                     int sub, double until) {
  double h = dt / sub;
  for (int j = 0; j < sub; j++) {
    int hold = t0 + j * h < until - 1e-3 * h;
    double k1[3], k2[3], k3[3], k4[3], z[3];
    ref_f(P, y, k1, hold);
    for (int i = 0; i < 3; i++) z[i] = y[i] + 0.5 * h * k1[i];
    ref_f(P, z, k2, hold);
    for (int i = 0; i < 3; i++) z[i] = y[i] + 0.5 * h * k2[i];
    ref_f(P, z, k3, hold);
    for (int i = 0; i < 3; i++) z[i] = y[i] + h * k3[i];
    ref_f(P, z, k4, hold);
    for (int i = 0; i < 3; i++)
      y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
}

/* The spike/reset rule (the type's): at a spike at t, v = v_reset,
 * g_sfa += q_sfa, g_rr += q_rr, v held until t + tau_refrac. */
static void ref_reset(const ref_par *P, double y[3], double t, double *until) {
  y[0] = P->vreset;
  y[1] += P->qs;
  y[2] += P->qr;
  *until = t + P->tref;
}

/* The free-running reference: the threshold is tested at the end of every
 * clock step dt, as the type does. Writes spike times, returns their number. */
static size_t ref_run(const ref_par *P, double dt, long nsteps, int sub,
                      double *spk, size_t cap) {
  double y[3] = {P->vr, 0, 0}, until = -1e30;
  size_t n = 0;
  for (long k = 1; k <= nsteps; k++) {
    ref_step(P, y, (k - 1) * dt, dt, sub, until);
    if (y[0] >= P->vth) {
      if (n < cap) spk[n] = k * dt;
      n++;
      ref_reset(P, y, k * dt, &until);
    }
  }
  return n;
}

/* The reference shadowing a spike train s[0..n): for each k, the time
 * pred[k] at which the reference started from the state just after spike
 * k - 1 (reset at s[k - 1], with every earlier reset at the given times; from
 * rest at 0 for k = 0) first crosses threshold at the end of a clock step.
 * pred[n]: the crossing after the last spike (up to nsteps + 1 steps; then
 * nsteps + 1 steps). Isolates each interval's error from the drift of
 * earlier ones. */
static void ref_shadow(const ref_par *P, double dt, long nsteps, int sub,
                       const double *s, size_t n, double *pred) {
  double y[3] = {P->vr, 0, 0}, until = -1e30;
  long k0 = 0;
  for (size_t k = 0; k <= n; k++) {
    long ks = k < n ? lround(s[k] / dt) : nsteps + 1; /* next reset */
    double at[3] = {0, 0, 0};
    long kp = -1, k1 = k0;
    while (k1 < ks || kp < 0) {
      ref_step(P, y, k1 * dt, dt, sub, until);
      k1++;
      if (kp < 0 && y[0] >= P->vth) kp = k1;
      if (k1 == ks) memcpy(at, y, sizeof at);
      if (k1 > nsteps + 1) break;
    }
    pred[k] = (kp < 0 ? nsteps + 1 : kp) * dt;
    if (k == n) break;
    memcpy(y, at, sizeof at);
    ref_reset(P, y, ks * dt, &until);
    k0 = ks;
  }
}

START_TEST(test_adaptation_rk4) {
  const double dt = 1e-4, T = 1.0, iof = 1.2e-9, tref = 0.25e-3;
  const long nsteps = lround(T / dt);
  ref_par P = {1e-9,   1e-9 / 20e-3, -65e-3, -70e-3, -57e-3,  tref, -75e-3,
               -75e-3, 100e-3,       2e-3,   15e-9,  3000e-9, iof};
  enum { CAP = 400 };
  double *ref = malloc(CAP * sizeof *ref), *sim = malloc(CAP * sizeof *sim);
  size_t nr = ref_run(&P, dt, nsteps, 100, ref, CAP);
  ck_assert(nr >= 10 && nr < CAP);

  evs_pop *p = pop_new(3, dt, 5, 0);
  pop_set(p, "tau_refrac", tref);
  p->dc = calloc(3, sizeof *p->dc);
  p->dc[2] = iof; /* neuron 2 by DC; q below by i_offset */
  pop_init(p);
  evs_pop *q = pop_new(1, dt, 5, 0);
  pop_set(q, "tau_refrac", tref);
  pop_set(q, "i_offset", iof);
  pop_init(q);
  size_t ns = 0, nq = 0;
  for (long k = 1; k <= nsteps; k++) {
    p->nspk = q->nspk = 0;
    tick(p, k);
    tick(q, k);
    for (size_t j = 0; j < p->nspk; j++) {
      REQ_UINT(p->spk[j].id, ==, 2); /* neurons 0, 1 are undriven */
      if (ns < CAP) sim[ns] = p->spk[j].t;
      ns++;
    }
    /* i_offset and a DC of the same amperes give the same neuron */
    REQUIRE(q->nspk == p->nspk);
    nq += q->nspk;
    REQUIRE(V(q, 0) == V(p, 2));
  }
  ck_assert_uint_eq(nq, ns);
  /* each interval, from the same history, within one step of the
   * reference (the first-order method's error; at most one step late or
   * early at the threshold test) */
  double *pred = malloc((ns + 1) * sizeof *pred);
  ref_shadow(&P, dt, nsteps, 100, sim, ns, pred);
  for (size_t j = 0; j < ns; j++)
    ck_assert_msg(fabs(sim[j] - pred[j]) <= dt * (1 + 1e-6),
                  "spike %zu at %.6f s, reference %.6f s", j, sim[j], pred[j]);
  ck_assert_msg(pred[ns] > T - dt, "missed a spike at %g s", pred[ns]);
  free(pred);
  /* the free-running reference: the same number of spikes, every interval
   * within one step (the per-interval bound above; the times themselves
   * drift by up to ~1 step per interval while g_sfa builds up) */
  ck_assert_msg(ns == nr, "%zu spikes, reference %zu", ns, nr);
  for (size_t j = 1; j < ns; j++)
    ck_assert_msg(fabs((sim[j] - sim[j - 1]) - (ref[j] - ref[j - 1])) <=
                      dt * (1 + 1e-6),
                  "interval %zu: %.6f s, reference %.6f s", j,
                  sim[j] - sim[j - 1], ref[j] - ref[j - 1]);
  /* adaptation: the intervals lengthen, and settle */
  double i_first = ref[1] - ref[0], i_last = ref[nr - 1] - ref[nr - 2];
  double i_prev = ref[nr - 2] - ref[nr - 3];
  ck_assert_msg(i_last > 1.5 * i_first, "ISI %g -> %g", i_first, i_last);
  ck_assert_msg(fabs(i_last - i_prev) <= dt, "not settled: %g, %g", i_prev,
                i_last);
  ck_assert(sim[1] - sim[0] < sim[5] - sim[4]);
  ck_assert(sim[5] - sim[4] < sim[ns - 1] - sim[ns - 2] + dt);
  for (size_t j = ns - 5; j < ns; j++)
    ck_assert_msg(fabs((sim[j] - sim[j - 1]) - i_last) <= dt * (1 + 1e-6),
                  "ISI %g vs steady state %g", sim[j] - sim[j - 1], i_last);
  free(ref);
  free(sim);
  pop_free(p);
  pop_free(q);
}
END_TEST

/* ---- q_sfa = q_rr = 0: IF_cond_exp bit for bit ------------------------------
 */

static uint64_t lcg(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return *s >> 33;
}

/* Runs IF_cond_exp and IF_cond_exp_gsfa_grr (q_sfa, q_rr given, other
 * parameters equal) on the same random inputs, DC and initial draws. Returns
 * the number of ticks after which the two differed in some v or spike; *nsp
 * counts IF_cond_exp's spikes. */
static long compare_cond(double q_sfa, double q_rr, uint64_t *nsp) {
  const double dt = 1e-4;
  const uint32_t n = 300; /* two blocks, the second padded */
  evs_pop *a = pop_new_of(&evs__if_cond_exp, n, dt, 11, 2);
  evs_pop *b = pop_new_of(T_SFA, n, dt, 11, 2);
  pop_set(b, "q_sfa", q_sfa);
  pop_set(b, "q_rr", q_rr);
  pop_set(b, "tau_refrac", 0.35e-3);
  /* every parameter IF_cond_exp has takes the value b has */
  for (size_t k = 0; k < a->type->n_params; k++) {
    int j = evs__param_index(b->type, a->type->params[k].name);
    ck_assert_int_ge(j, 0);
    a->par[k] = b->par[j];
    a->dist[k] = b->dist[j];
  }
  evs_dist dv = {EVS_DIST_UNIFORM, {-70e-3, -56e-3, 0, 0}};
  evs_dist dg = {EVS_DIST_NORMAL, {10e-9, 5e-9, 0, 0}};
  a->dist[evs__param_index(a->type, "v_init")] = dv;
  b->dist[evs__param_index(b->type, "v_init")] = dv;
  a->dist[evs__param_index(a->type, "gsyn_exc_init")] = dg;
  b->dist[evs__param_index(b->type, "gsyn_exc_init")] = dg;
  a->dc = calloc(n, sizeof *a->dc);
  b->dc = calloc(n, sizeof *b->dc);
  for (uint32_t i = 0; i < n; i += 3) a->dc[i] = b->dc[i] = 0.3e-9 + 1e-12 * i;
  pop_init(a);
  pop_init(b);
  uint64_t rs = 99;
  long differ = 0;
  *nsp = 0;
  for (long k = 1; k <= 3000 && !differ; k++) {
    /* a few inputs at the state time and strictly inside the step */
    for (int m = 0; m < 12; m++) {
      uint32_t id = (uint32_t)(lcg(&rs) % n);
      float w = (float)(1e-9 * (1 + lcg(&rs) % 20));
      int rec = lcg(&rs) % 3 == 0 ? EVS_RECEPTOR_INH : EVS_RECEPTOR_EXC;
      double t = (k - 1 + (m % 3) * 0.4) * dt;
      a->type->deliver(a, t, rec, &id, &w, 0, 1);
      b->type->deliver(b, t, rec, &id, &w, 0, 1);
    }
    a->nspk = b->nspk = 0;
    tick(a, k);
    tick(b, k);
    *nsp += a->nspk;
    if (a->nspk != b->nspk) differ = k;
    for (size_t j = 0; j < a->nspk && !differ; j++)
      if (a->spk[j].id != b->spk[j].id || a->spk[j].t != b->spk[j].t)
        differ = k;
    for (uint32_t i = 0; i < n && !differ; i++) {
      double va = V(a, i), vb = V(b, i);
      if (memcmp(&va, &vb, sizeof va) != 0) differ = k;
    }
  }
  pop_free(a);
  pop_free(b);
  return differ;
}

START_TEST(test_matches_cond_exp) {
  uint64_t nsp;
  long d = compare_cond(0, 0, &nsp);
  ck_assert_msg(d == 0, "differs from IF_cond_exp after tick %ld", d);
  ck_assert_msg(nsp > 200, "only %llu spikes", (unsigned long long)nsp);
  /* the comparison can fail: any adaptation makes the two differ */
  ck_assert_int_gt(compare_cond(1e-12, 0, &nsp), 0);
  ck_assert_int_gt(compare_cond(0, 1e-12, &nsp), 0);
}
END_TEST

/* ---- validation ---------------------------------------------------------- */

static void expect_invalid(const char *name, double value, const char *word) {
  expect_invalid_of(T_SFA, name, value, word);
}

START_TEST(test_validation) {
  expect_invalid("v_reset", -57e-3, "v_reset");
  expect_invalid("tau_m", 0, "tau_m");
  expect_invalid("cm", NAN, "cm");
  expect_invalid("tau_sfa", 0, "tau_sfa");
  expect_invalid("tau_rr", -2e-3, "tau_rr");
  expect_invalid("q_sfa", -1e-9, "q_sfa");
  expect_invalid("q_rr", INFINITY, "q_rr");
  expect_invalid("e_rev_sfa", NAN, "e_rev_sfa");
  expect_invalid("e_rev_rr", INFINITY, "e_rev_rr");
  expect_invalid("tau_refrac", -1e-3, "tau_refrac");
}
END_TEST

static Suite *cond_sfa_suite(void) {
  Suite *s = suite_create("cond_sfa");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_descriptor);
  tcase_add_test(tc, test_relaxation);
  tcase_add_test(tc, test_adaptation_closed_form);
  tcase_add_test(tc, test_adaptation_rk4);
  tcase_add_test(tc, test_matches_cond_exp);
  tcase_add_test(tc, test_validation);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(cond_sfa_suite()); }
