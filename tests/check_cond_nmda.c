/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of cond_nmda.c (IF_cond_ampa_nmda, the neuron of Zenke et al. 2013 /
 * Auryn's IFGroup): the relaxation and the three conductances after a kick
 * against their closed forms (also with equal AMPA and NMDA time constants),
 * the threshold jump, clip and reset against the closed-form spike ticks of
 * a current-driven neuron, the membrane under random AMPA, NMDA and GABA
 * input against a fine-step RK4 reference (error and first-order
 * convergence), the vector sweep against the scalar step to the bit, and
 * parameter validation. Populations are built by hand (as
 * net.c does) and driven tick by tick. The closed-form tests run twice:
 * for the type in double precision (loop index 0) and for
 * IF_cond_ampa_nmda_single (1, precision = single) at the float tolerances
 * derived where they are asserted (u = 2^-24, float's unit roundoff);
 * check_cond_nmda_single.c has the single type's own tests. */
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

#define T_NMDA (&evs__if_cond_ampa_nmda)
#define U_F 0x1p-24 /* float's unit roundoff */

/* 1 while a loop test runs for the single-precision type */
static int single;

enum { VAR_GEXC, VAR_GINH, VAR_GAMPA, VAR_GNMDA, VAR_THETA };

static evs_pop *pop_new(uint32_t n, double dt) {
  return pop_new_of(single ? &evs__if_cond_ampa_nmda_single : T_NMDA, n, dt,
                    3, 0);
}

/* A value as the population stores it: rounded to float when single. */
static double stored(double x) { return single ? (double)(float)x : x; }

static double S(evs_pop *p, uint32_t id, int var) {
  return p->type->state(p, id, 0, var);
}

static void kick(evs_pop *p, double t, int receptor, uint32_t id, double w) {
  float wf = (float)w;
  p->type->deliver(p, t, receptor, &id, &wf, 0, 1);
}

/* ---- descriptor ---------------------------------------------------------- */

START_TEST(test_descriptor) {
  const evs_neuron_type *T = T_NMDA;
  ck_assert_str_eq(T->name, "IF_cond_ampa_nmda");
  ck_assert_ptr_eq(evs__neuron_type_find("IF_cond_ampa_nmda"), T);
  ck_assert_int_eq(T->kind, EVS_POP_CLOCKED);
  evs_pop *p = pop_new(1, 1e-4);
  ck_assert(T->weight_scale(p, EVS_DIM_CONDUCTANCE) == 1.0);
  ck_assert(T->weight_scale(p, EVS_DIM_VOLTAGE) == 0.0);
  /* Auryn's IFGroup::init, and cm giving g_L = 10 nS */
  static const struct {
    const char *name;
    double value;
  } def[] = {{"cm", 200e-12},      {"tau_m", 20e-3},      {"tau_ampa", 5e-3},
             {"tau_gaba", 10e-3},  {"tau_nmda", 100e-3},  {"tau_thr", 5e-3},
             {"thr_jump", 100e-3}, {"v_rest", -70e-3},    {"v_reset", -70e-3},
             {"v_thresh", -50e-3}, {"e_rev_E", 0},        {"e_rev_I", -80e-3},
             {"tau_refrac", 0},    {"ampa_nmda_ratio", 1}};
  for (size_t j = 0; j < sizeof def / sizeof def[0]; j++)
    ck_assert_msg(fabs(evs__pop_param(p, def[j].name) - def[j].value) <=
                      1e-12 * fabs(def[j].value),
                  "%s", def[j].name);
  ck_assert_uint_eq(T->n_recordables, 5);
  ck_assert_str_eq(T->recordables[VAR_GNMDA].name, "g_nmda");
  ck_assert_str_eq(T->recordables[VAR_THETA].name, "theta");
  pop_free(p);
}
END_TEST

/* ---- relaxation and conductances: closed forms ----------------------------
 */

/* Float: each step rounds v near 70 mV (~3 roundings of at most u 80 mV:
 * 2.3e-8 V... counted 4u 80 mV) and the decay factor is off by a
 * constant relative ~3u (exp_neg_poly_f's 2.25 u, x's roundings); with the
 * contraction p = e^{-dt/tau} the first sum stays below 4u 80 mV / (1 -
 * p), the second below 12 mV 3u k p^k <= 12 mV 3u / (e (1 - p)): 4.0e-6 V
 * in all (v can stall a hundred ulps from v_rest: a rounding undoes
 * steps smaller than half an ulp). */
START_TEST(test_relaxation) {
  single = _i;
  const double dt = 1e-4, v0 = -58e-3, vr = -70e-3, tau = 20e-3;
  const double p1 = 1 - exp(-dt / tau);
  const double tol =
      single ? (4 * U_F * 80e-3 + 12e-3 * 3 * U_F / exp(1.0)) / p1 : 1e-12;
  evs_pop *p = pop_new(3, dt);
  pop_set(p, "v_init", v0);
  pop_init(p);
  double worst = 0;
  for (long k = 1; k <= 3000; k++) {
    pop_tick(p, k);
    double exact = vr + (v0 - vr) * exp(-k * dt / tau);
    for (uint32_t i = 0; i < 3; i++) worst = fmax(worst, fabs(V(p, i) - exact));
  }
  ck_assert_msg(worst < tol, "max error %g V (bound %g V)", worst, tol);
  ck_assert_uint_eq(p->nspk, 0);
  pop_free(p);
}
END_TEST

/* A kick w onto g_A (and one onto g_G) at t = 0: g_A = w e^{-t/ta}, g_N =
 * w ta (e^{-t/tn} - e^{-t/ta}) / (tn - ta) (w (t/t) e^{-t/t} when equal),
 * g_G = w e^{-t/tg}; gsyn_exc = r/(1+r) g_A + 1/(1+r) g_N. Float: after k
 * steps g_A and g_G carry k roundings of the product and the decay
 * factor's own rounding k times, relative 2ku, so |error| / w <= 2u
 * max_k k e^{-k dt/tau} = 2u tau / (e dt): 74u for tau = 10 ms; g_N adds
 * the roundings of dn g_N + can g_A (4u of its value per step) over its
 * rise and fall: 4u max_k k g_N(k) / w <= 80u for these time constants.
 * 128u covers both. */
static void conductances_closed_form(double ta, double tn, double r) {
  const double tol = single ? 128 * U_F : 1e-12;
  const double dt = 1e-4, tg = 10e-3, w = 3e-9;
  evs_pop *p = pop_new(2, dt);
  pop_set(p, "tau_ampa", ta);
  pop_set(p, "tau_nmda", tn);
  pop_set(p, "ampa_nmda_ratio", r);
  pop_init(p);
  kick(p, 0, EVS_RECEPTOR_EXC, 1, w);
  kick(p, 0, EVS_RECEPTOR_INH, 1, w);
  const double wf = (float)w; /* weights are floats */
  double worst = 0;
  for (long k = 1; k <= 5000; k++) {
    pop_tick(p, k);
    double t = k * dt;
    double ga = wf * exp(-t / ta), gg = wf * exp(-t / tg);
    /* in long double: for nearly equal time constants the difference
     * of the two exponentials cancels ~5 digits */
    long double tal = ta, tnl = tn, tl = t;
    double gn = ta == tn
                    ? wf * t / tn * exp(-t / tn)
                    : (double)(wf * tal * (expl(-tl / tnl) - expl(-tl / tal)) /
                               (tnl - tal));
    double ge = r / (1 + r) * ga + 1 / (1 + r) * gn;
    double e[4] = {S(p, 1, VAR_GAMPA) - ga, S(p, 1, VAR_GNMDA) - gn,
                   S(p, 1, VAR_GINH) - gg, S(p, 1, VAR_GEXC) - ge};
    for (int j = 0; j < 4; j++) worst = fmax(worst, fabs(e[j]) / wf);
    REQUIRE(S(p, 0, VAR_GAMPA) == 0 && S(p, 0, VAR_GNMDA) == 0);
  }
  ck_assert_msg(worst < tol, "ta %g tn %g r %g: max relative error %g", ta,
                tn, r, worst);
  pop_free(p);
}

START_TEST(test_conductances) {
  single = _i;
  conductances_closed_form(5e-3, 100e-3, 1);    /* Auryn's */
  conductances_closed_form(5e-3, 100e-3, 3);    /* another mix */
  conductances_closed_form(5e-3, 5e-3, 1);      /* equal: the limit form */
  conductances_closed_form(5e-3, 5.0001e-3, 1); /* nearly equal */
}
END_TEST

/* ---- threshold jump, clip and reset --------------------------------------
 */

/* A neuron driven by a constant current alone: exponential Euler is then
 * exact, so v at tick k after a reset at tick k0 is v_inf + (v_reset -
 * v_inf) e^{-(k - k0) dt / tau_m}, clipped to e_rev_E = 0 from above, and
 * the threshold is v_thresh + thr_jump e^{-(k - k0) dt / tau_thr}: the neuron
 * spikes at the first tick where v exceeds it. With a drive that would carry
 * v far above 0 mV the clip makes the neuron wait until the threshold has
 * decayed below 0 mV: the interval is at least tau_thr ln(thr_jump /
 * (e_rev_E - v_thresh)) = 5 ms ln 2. *margin gets the smallest |v - (v_thresh
 * + theta)| over the ticks: a float neuron, whose v and theta are within
 * TOL_F of these, must spike at the same ticks when the margin exceeds it. */
static void threshold_ticks(double i_off, long *ticks, size_t cap, size_t *n,
                            long nsteps, double *margin) {
  const double dt = 1e-4, gl = 10e-9, tm = 20e-3, vr = -70e-3, vth = -50e-3,
               jump = 100e-3, tt = 5e-3;
  const double vinf = vr + i_off / gl;
  long k0 = 0; /* last reset (tick 0: the start, theta = 0) */
  int spiked = 0;
  *n = 0;
  *margin = INFINITY;
  for (long k = 1; k <= nsteps; k++) {
    double v = vinf + (vr - vinf) * exp(-(k - k0) * dt / tm);
    if (v > 0) v = 0;
    double th = spiked ? jump * exp(-(k - k0) * dt / tt) : 0;
    *margin = fmin(*margin, fabs(v - (vth + th)));
    if (v > vth + th) {
      if (*n < cap) ticks[*n] = k;
      (*n)++;
      k0 = k;
      spiked = 1;
    }
  }
}

/* Float: v as in test_relaxation (<= 4.0e-6 V off; the clip at 0 is
 * exact), theta = jump d^k off by (2k + 1)u of its value, <= 0.1 V 2u tau_thr
 * / (e dt) = 2.2e-7 V: 4.3e-6 V. */
#define TOL_F 4.3e-6

static void threshold_case(double i_off) {
  const double dt = 1e-4;
  const long nsteps = 3000;
  enum { CAP = 200 };
  long want[CAP];
  size_t nw;
  double margin;
  threshold_ticks(i_off, want, CAP, &nw, nsteps, &margin);
  ck_assert(nw >= 5 && nw < CAP);
  /* else the float ticks could differ without a fault */
  ck_assert_msg(!single || margin > TOL_F, "I %g A: margin %g V", i_off,
                margin);
  evs_pop *p = pop_new(2, dt);
  pop_set(p, "v_init", -70e-3);
  p->dc = calloc(2, sizeof *p->dc);
  p->dc[1] = i_off;
  pop_init(p);
  size_t ns = 0;
  long last = 0;
  for (long k = 1; k <= nsteps; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    for (size_t j = 0; j < p->nspk; j++) {
      REQ_UINT(p->spk[j].id, ==, 1);
      REQUIRE_MSG(ns < nw && want[ns] == k, "I %g A: spike %zu at tick %ld",
                  i_off, ns, k);
      ns++;
      last = k;
      REQUIRE(V(p, 1) == stored(-70e-3));
      REQUIRE(S(p, 1, VAR_THETA) == stored(100e-3));
    }
    if (last && k > last) {
      double th = 100e-3 * exp(-(k - last) * dt / 5e-3);
      double rel = single ? (2 * (k - last) + 1) * U_F : 1e-12;
      REQUIRE_MSG(fabs(S(p, 1, VAR_THETA) - th) <= rel * th,
                  "theta %g, closed form %g", S(p, 1, VAR_THETA), th);
    }
    REQUIRE(V(p, 1) <= 0); /* the clip at e_rev_E */
  }
  ck_assert_uint_eq(ns, nw);
  pop_free(p);
}

START_TEST(test_threshold) {
  single = _i;
  threshold_case(0.5e-9); /* v_inf -20 mV: intervals set by the drive */
  threshold_case(5e-9);   /* v_inf +430 mV: clipped, set by theta */
  /* the clip-limited interval: ceil(5 ms ln 2 / dt) ticks */
  long t[200];
  size_t n;
  double margin;
  threshold_ticks(50e-9, t, 200, &n, 3000, &margin);
  ck_assert(n > 10);
  long gap = (long)ceil(5e-3 * log(2.0) / 1e-4);
  for (size_t j = 2; j < 10; j++) ck_assert_int_eq(t[j] - t[j - 1], gap);
  threshold_case(50e-9);
}
END_TEST

/* ---- the membrane under input against RK4 ---------------------------------
 */

typedef struct ref_par {
  double cm, gl, vr, ee, ei, ta, tn, tg, aa, an;
} ref_par;

static void ref_f(const ref_par *P, const double y[4], double d[4]) {
  double ge = P->aa * y[1] + P->an * y[2];
  d[0] =
      (P->gl * (P->vr - y[0]) + ge * (P->ee - y[0]) + y[3] * (P->ei - y[0])) /
      P->cm;
  d[1] = -y[1] / P->ta;
  d[2] = (y[1] - y[2]) / P->tn;
  d[3] = -y[3] / P->tg;
}

static void ref_rk4(const ref_par *P, double y[4], double h) {
  double k1[4], k2[4], k3[4], k4[4], z[4];
  ref_f(P, y, k1);
  for (int i = 0; i < 4; i++) z[i] = y[i] + 0.5 * h * k1[i];
  ref_f(P, z, k2);
  for (int i = 0; i < 4; i++) z[i] = y[i] + 0.5 * h * k2[i];
  ref_f(P, z, k3);
  for (int i = 0; i < 4; i++) z[i] = y[i] + h * k3[i];
  ref_f(P, z, k4);
  for (int i = 0; i < 4; i++)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/* The input of 0.1 ms slot j (0 .. nslots): an AMPA kick (2-5 nS) with
 * probability 0.25, a GABA kick (8 nS) with probability 0.08; fixed by an
 * LCG, the same for every dt. */
static void inputs(long nslots, float *we, float *wi) {
  uint64_t s = 12345;
  for (long j = 0; j < nslots; j++) {
    s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    uint32_t r = (uint32_t)(s >> 33);
    we[j] = r % 100 < 25 ? (float)(2e-9 + 1e-9 * (r % 4)) : 0.0f;
    wi[j] = (r >> 8) % 100 < 8 ? 8e-9f : 0.0f;
  }
}

/* Max |v - v_ref| over the 1 ms sample times of a 400 ms run with step dt
 * (a divisor of 0.1 ms); the reference is RK4 with 1 us steps. */
static double rk4_error(double dt, double *vmin, double *vmax) {
  const double slot = 1e-4, T = 0.4;
  const long nslots = lround(T / slot), per = lround(slot / dt);
  float *we = malloc(nslots * sizeof *we), *wi = malloc(nslots * sizeof *wi);
  inputs(nslots, we, wi);
  ref_par P = {200e-12, 10e-9,  -70e-3, 0,   -80e-3,
               5e-3,    100e-3, 10e-3,  0.5, 0.5};
  evs_pop *p = pop_new(1, dt);
  pop_set(p, "v_thresh", -1e-3); /* never reached: subthreshold test */
  pop_set(p, "v_init", -65e-3);
  pop_init(p);
  double y[4] = {-65e-3, 0, 0, 0}, worst = 0;
  *vmin = 1, *vmax = -1;
  for (long j = 0; j < nslots; j++) {
    /* inputs at the slot's start, the state time of both */
    double t = j * slot;
    if (we[j] != 0) {
      kick(p, t, EVS_RECEPTOR_EXC, 0, we[j]);
      y[1] += we[j];
    }
    if (wi[j] != 0) {
      kick(p, t, EVS_RECEPTOR_INH, 0, wi[j]);
      y[3] += wi[j];
    }
    for (long m = 1; m <= per; m++) pop_tick(p, j * per + m);
    for (int s = 0; s < 100; s++) ref_rk4(&P, y, slot / 100);
    if ((j + 1) % 10 == 0) {
      worst = fmax(worst, fabs(V(p, 0) - y[0]));
      *vmin = fmin(*vmin, y[0]);
      *vmax = fmax(*vmax, y[0]);
    }
  }
  ck_assert_uint_eq(p->nspk, 0);
  free(we);
  free(wi);
  pop_free(p);
  return worst;
}

START_TEST(test_membrane_rk4) {
  double lo, hi, lo2, hi2;
  double e1 = rk4_error(1e-4, &lo, &hi);
  double e2 = rk4_error(0.5e-4, &lo2, &hi2);
  double e4 = rk4_error(0.25e-4, &lo2, &hi2);
  /* the input moves v over more than 10 mV: not a trivial comparison */
  ck_assert_msg(hi - lo > 10e-3, "v within [%g, %g] V", lo, hi);
  /* exponential Euler with frozen conductances: first order, so halving
   * the step halves the error (0.096 mV at Auryn's 0.1 ms when written) */
  ck_assert_msg(e1 < 0.15e-3, "error %g V at 0.1 ms", e1);
  if (getenv("EVSNN_TEST_VERBOSE"))
    printf("v in [%g, %g] mV; max error %g, %g, %g mV at dt = 0.1, 0.05, "
           "0.025 ms\n",
           lo * 1e3, hi * 1e3, e1 * 1e3, e2 * 1e3, e4 * 1e3);
  ck_assert_msg(e1 / e2 > 1.7 && e1 / e2 < 2.3 && e2 / e4 > 1.7 &&
                    e2 / e4 < 2.3,
                "errors %g, %g, %g V: not first order", e1, e2, e4);
}
END_TEST

/* ---- the vector sweep against the scalar step ----------------------------
 */

/* Runs 300 neurons (a whole block of 256 and a partial one) for 400 steps
 * of 0.1 ms under random AMPA and GABA kicks, some at the state time and
 * some between ticks (pending), a few strong enough (3 uS) to put the exp()
 * argument beyond the polynomial's range, with i_offset making them spike,
 * against the step of cond_nmda.c's list written out in scalars here
 * (exp_neg_poly, or libm's exp() beyond its range, over free_time's h):
 * v, g_A, g_N, g_G, th and the spikes must agree to the bit at every
 * tick, whatever width the processor's sweep has. tau_refrac > 0 takes
 * the refractory ends into the sweep. */
static void sweep_case(double tau_refrac) {
  enum { N = 300, STEPS = 400 };
  const double dt = 1e-4, cm = 200e-12, tau_m = 20e-3, r = 1, vth = -50e-3,
               v_reset = -70e-3, v_rest = -70e-3, ee = 0, ei = -80e-3,
               i_off = 0.25e-9, jump = 100e-3, ta = 5e-3, tn = 100e-3,
               tg = 10e-3;
  evs_pop *p = pop_new(N, dt);
  pop_set(p, "tau_refrac", tau_refrac);
  pop_set(p, "i_offset", i_off);
  pop_set(p, "v_init", -65e-3);
  pop_init(p);
  const double g_l = cm / tau_m, inv_cm = 1.0 / cm, aa = r / (r + 1),
               an = 1 / (r + 1), da = exp(-dt / ta), dg = exp(-dt / tg),
               dn = exp(-dt / tn), dth = exp(-dt / 5e-3),
               can = ta / (tn - ta) * exp(-dt / ta) *
                     expm1(dt * ((tn - ta) / (ta * tn))),
               ib = g_l * v_rest + i_off;
  static double v[N], ga[N], gn[N], gg[N], th[N], until[N], pe[N], pg[N];
  for (int i = 0; i < N; i++) {
    v[i] = -65e-3;
    ga[i] = gn[i] = gg[i] = th[i] = pe[i] = pg[i] = 0;
    until[i] = COND_NEVER;
  }
  uint64_t lcg = 99;
  size_t spikes = 0, strong = 0;
  for (long k = 1; k <= STEPS; k++) {
    const double t = k * dt, t0 = t - dt;
    for (int j = 0; j < 40; j++) { /* inputs, then the tick at t */
      uint32_t i;
      int inh, later;
      float w;
      nmda_random_input(&lcg, N, &i, &inh, &later, &w, &strong);
      kick(p, later ? t0 + 0.5 * dt : t0, inh, i, w);
      double *g = later ? (inh ? pg : pe) : (inh ? gg : ga);
      g[i] += w;
    }
    p->nspk = 0;
    pop_tick(p, k);
    size_t s = 0;
    for (int i = 0; i < N; i++) {
      double a = ga[i], n = gn[i], b = gg[i];
      double ge = aa * a + an * n;
      double x = free_time(until[i], t0, dt) * (g_l + ge + b) * inv_cm;
      double ex = exp_neg_poly(x);
      exp_neg_exact(&ex, x);
      double vinf = (ib + ge * ee + b * ei) / (g_l + ge + b);
      v[i] = vinf + (v[i] - vinf) * ex;
      gn[i] = dn * n + can * a;
      ga[i] = a * da + pe[i];
      gg[i] = b * dg + pg[i];
      pe[i] = pg[i] = 0;
      th[i] = th[i] * dth;
      if (v[i] < ei) v[i] = ei;
      if (v[i] > ee) v[i] = ee;
      if (v[i] > vth + th[i]) {
        ck_assert_uint_lt(s, p->nspk);
        ck_assert_uint_eq(p->spk[s].id, i);
        s++;
        v[i] = v_reset;
        th[i] = jump;
        until[i] = t + tau_refrac;
      }
      ck_assert_msg(V(p, i) == v[i] && S(p, i, VAR_GAMPA) == ga[i] &&
                        S(p, i, VAR_GNMDA) == gn[i] &&
                        S(p, i, VAR_GINH) == gg[i] &&
                        S(p, i, VAR_THETA) == th[i],
                    "neuron %d at step %ld: v %.17g against %.17g", i, k,
                    V(p, i), v[i]);
    }
    ck_assert_uint_eq(s, p->nspk);
    spikes += s;
  }
  /* not a trivial comparison: spikes, and vectors with the libm path */
  ck_assert_msg(spikes > 100 && strong > 5, "%zu spikes, %zu strong kicks",
                spikes, strong);
  pop_free(p);
}

START_TEST(test_sweep_scalar) {
  sweep_case(0);
  sweep_case(2e-3);
}
END_TEST

/* ---- validation ---------------------------------------------------------- */

START_TEST(test_validation) {
  expect_invalid_of(T_NMDA, "tau_nmda", 0, "tau_nmda");
  expect_invalid_of(T_NMDA, "tau_thr", -1e-3, "tau_thr");
  expect_invalid_of(T_NMDA, "tau_ampa", NAN, "tau_ampa");
  expect_invalid_of(T_NMDA, "ampa_nmda_ratio", -1, "ampa_nmda_ratio");
  expect_invalid_of(T_NMDA, "thr_jump", INFINITY, "thr_jump");
  expect_invalid_of(T_NMDA, "e_rev_I", 1e-3, "e_rev_I");
  expect_invalid_of(T_NMDA, "v_reset", -40e-3, "v_reset");
}
END_TEST

static Suite *cond_nmda_suite(void) {
  Suite *s = suite_create("cond_nmda");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_descriptor);
  tcase_add_loop_test(tc, test_relaxation, 0, 2);
  tcase_add_loop_test(tc, test_conductances, 0, 2);
  tcase_add_loop_test(tc, test_threshold, 0, 2);
  tcase_add_test(tc, test_membrane_rk4);
  tcase_add_test(tc, test_sweep_scalar);
  tcase_add_test(tc, test_validation);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(cond_nmda_suite()); }
