/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of cond_nmda_single.c (IF_cond_ampa_nmda_single: IF_cond_ampa_nmda
 * with precision = single): exp_neg_poly_f against exp() within its
 * derived bound; the float vector sweep against the float step written out
 * in scalars here, to the bit, whatever the processor's width; and the
 * float type against the double one under the same random input within a
 * running bound derived from float's rounding per step. The closed-form
 * tests (relaxation, kicks, spike ticks) run for both types in
 * check_cond_nmda.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "neurons/cond_nmda.h"
#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"
#include "cond_test_util.h"

#define T_D (&evs__if_cond_ampa_nmda)
#define T_F (&evs__if_cond_ampa_nmda_single)
#define U_F 0x1p-24 /* float's unit roundoff */

enum { VAR_GEXC, VAR_GINH, VAR_GAMPA, VAR_GNMDA, VAR_THETA };

static double S(evs_pop *p, uint32_t id, int var) {
  return p->type->state(p, id, 0, var);
}

static void kick(evs_pop *p, double t, int receptor, uint32_t id, float w) {
  p->type->deliver(p, t, receptor, &id, &w, 0, 1);
}

/* ---- exp(-x) in float ----------------------------------------------------- */

/* Every 7th float of [0, 0.5] (1.5e8 of them) and the range's ends:
 * relative error <= 2.25 u, the bound cond_nmda.h derives (0.40 u of the
 * polynomial with float coefficients, 1.83 u of Horner's roundings). */
START_TEST(test_exp_poly_f) {
  const float half = 0.5f;
  uint32_t end;
  memcpy(&end, &half, sizeof end);
  double worst = 0;
  for (uint32_t b = 0; b <= end; b += (b + 7 > end && b != end) ? end - b : 7) {
    float x;
    memcpy(&x, &b, sizeof x);
    double e = exp(-(double)x);
    worst = fmax(worst, fabs(exp_neg_poly_f(x) - e) / e);
    if (b == end) break;
  }
  ck_assert_msg(worst <= 2.25 * U_F, "max relative error %g u", worst / U_F);
  /* the bound is not vacuous: float itself rounds by up to u */
  ck_assert_msg(worst > 0.5 * U_F, "max relative error %g u", worst / U_F);
}
END_TEST

/* ---- the float sweep against the float step in scalars ------------------- */

static inline float relu_f(float z) { return 0.5f * (z + fabsf(z)); }

/* As sweep_case of check_cond_nmda.c, in float: 300 neurons, 400 steps of
 * 0.1 ms, random AMPA and GABA kicks at the state time and between ticks, a
 * few strong enough (3 uS) for expf() beyond the polynomial's range,
 * i_offset making them spike, against cond_nmda_single.c's step written out
 * here with the constants rounded once to float: v, g_A, g_N, g_G, th and
 * the spikes agree to the bit at every tick. tau_refrac > 0 takes the
 * refractory ends (until - t0 in double, rounded) into the sweep; tau_thr
 * = 0.2 ms lets th reach NMDA_TH_MIN (14 ms after a spike), which sets it
 * to 0. */
static void sweep_case_f(double tau_refrac) {
  enum { N = 300, STEPS = 400 };
  const double dt = 1e-4, cm = 200e-12, tau_m = 20e-3, r = 1, ta = 5e-3,
               tn = 100e-3, tg = 10e-3, i_off = 0.25e-9, g_ld = cm / tau_m;
  evs_pop *p = pop_new_of(T_F, N, dt, 3, 0);
  pop_set(p, "tau_refrac", tau_refrac);
  pop_set(p, "i_offset", i_off);
  pop_set(p, "v_init", -65e-3);
  pop_set(p, "tau_thr", 0.2e-3);
  pop_init(p);
  const float dtf = (float)dt, g_l = (float)g_ld, inv_cm = (float)(1.0 / cm),
              aa = (float)(r / (r + 1)), an = (float)(1 / (r + 1)),
              da = (float)exp(-dt / ta), dg = (float)exp(-dt / tg),
              dn = (float)exp(-dt / tn), dth = (float)exp(-dt / 0.2e-3),
              can = (float)(ta / (tn - ta) * exp(-dt / ta) *
                            expm1(dt * ((tn - ta) / (ta * tn)))),
              ib = (float)(g_ld * -70e-3 + i_off), ee = 0, ei = (float)-80e-3,
              vth = (float)-50e-3, v_reset = (float)-70e-3,
              jump = (float)100e-3;
  static float v[N], ga[N], gn[N], gg[N], th[N], pe[N], pg[N];
  static double until[N];
  for (int i = 0; i < N; i++) {
    v[i] = (float)-65e-3;
    ga[i] = gn[i] = gg[i] = th[i] = pe[i] = pg[i] = 0;
    until[i] = COND_NEVER;
  }
  uint64_t lcg = 99;
  size_t spikes = 0, strong = 0, flushed = 0;
  for (long k = 1; k <= STEPS; k++) {
    const double t = k * dt, t0 = t - dt;
    for (int j = 0; j < 40; j++) { /* inputs, then the tick at t */
      uint32_t i;
      int inh, later;
      float w;
      nmda_random_input(&lcg, N, &i, &inh, &later, &w, &strong);
      kick(p, later ? t0 + 0.5 * dt : t0, inh, i, w);
      float *g = later ? (inh ? pg : pe) : (inh ? gg : ga);
      g[i] += w;
    }
    p->nspk = 0;
    pop_tick(p, k);
    size_t s = 0;
    for (int i = 0; i < N; i++) {
      float a = ga[i], n = gn[i], b = gg[i];
      float ge = aa * a + an * n;
      float h = relu_f(dtf - relu_f((float)(until[i] - t0)));
      float x = h * (g_l + ge + b) * inv_cm;
      float ex = x >= 0 && x <= COND_XMAX ? exp_neg_poly_f(x) : expf(-x);
      float vinf = (ib + ge * ee + b * ei) / (g_l + ge + b);
      v[i] = vinf + (v[i] - vinf) * ex;
      gn[i] = dn * n + can * a;
      ga[i] = a * da + pe[i];
      gg[i] = b * dg + pg[i];
      pe[i] = pg[i] = 0;
      th[i] = th[i] * dth;
      flushed += th[i] > 0 && th[i] < NMDA_TH_MIN;
      th[i] = th[i] >= NMDA_TH_MIN ? th[i] : 0.0f;
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
                    "neuron %d at step %ld: v %.9g against %.9g", i, k,
                    V(p, i), (double)v[i]);
    }
    ck_assert_uint_eq(s, p->nspk);
    spikes += s;
  }
  ck_assert_msg(spikes > 100 && strong > 5 && flushed > 10,
                "%zu spikes, %zu strong kicks, %zu th set to 0", spikes,
                strong, flushed);
  pop_free(p);
}

START_TEST(test_sweep_scalar_f) {
  sweep_case_f(0);
  sweep_case_f(2e-3);
}
END_TEST

/* ---- float against double ------------------------------------------------ */

/* Parameter name of p changed to v at time t, as net_params.c tells a
 * population between two phases. */
static void change(evs_pop *p, const char *name, double v, double t) {
  int k = evs__param_index(p->type, name);
  ck_assert_int_ge(k, 0);
  evs_pop before = *p;
  double *old = malloc(p->type->n_params * sizeof *old);
  memcpy(old, p->par, p->type->n_params * sizeof *old);
  before.par = old;
  p->par[k] = v;
  p->dist[k] = evs_dist_const(v);
  ck_assert_int_eq(p->type->change(p, &before, k, t), EVS_OK);
  free(old);
}

/* 64 neurons of each type under the same random AMPA and GABA kicks for 3,000
 * steps of 0.1 ms (v over more than 10 mV, below threshold: v_thresh at
 * -1 mV). Every step, for every neuron, with D_X the running bound of
 * |g_X(float) - g_X(double)|:
 *   D_A' = da D_A + 3u g_A'  (the product, the input's addition, da's own
 *          rounding), D_G alike;
 *   D_N' = dn D_N + can D_A + 5u (dn g_N + can g_A)  (two products, a sum,
 *          two constants' roundings);
 *   B'   = p B + 17u V + 2 (h/cm) V (a_A D_A + a_N D_N + D_G)
 * for v, V = 80 mV bounding |v|, |v_inf| and |v - v_inf| (every potential
 * lies in [e_rev_I, e_rev_E] = [-80, 0] mV): v' = v_inf + (v - v_inf) p
 * passes an error of v on times p; its own roundings are v_inf's (two
 * products, two sums and a division of terms of one sign, and the float
 * roundings of e_rev_I and g_L: 7u |v_inf|), the difference's (u), p's
 * (2.25 u of exp_neg_poly_f, and x's nine roundings, counting those of
 * dt, g_L, 1/cm, a_A, a_N, times x <= 1/2: 4.5 u; 6.75 u of |v - v_inf|),
 * the product's and the sum's (2u): 16.75 u V; and |dv'/dg| <= (h/cm)
 * (|E - v_inf| + |v - v_inf|) <= 2 (h/cm) V per unit of conductance. The
 * float state must stay within D_A, D_N, D_G and B of the double state.
 * Halfway, i_offset changes from 0 to 0.05 nA in both (a phase change:
 * the float drive must follow, else v parts by millivolts). */
START_TEST(test_single_vs_double) {
  enum { N = 64, STEPS = 3000 };
  const double dt = 1e-4, cm = 200e-12, Vs = 80e-3, u = U_F;
  evs_pop *pd = pop_new_of(T_D, N, dt, 5, 0), *pf = pop_new_of(T_F, N, dt, 5, 0);
  evs_pop *both[2] = {pd, pf};
  for (int j = 0; j < 2; j++) {
    pop_set(both[j], "v_thresh", -1e-3);
    pop_set(both[j], "v_init", -65e-3);
    pop_init(both[j]);
  }
  const double da = exp(-dt / 5e-3), dg = exp(-dt / 10e-3),
               dn = exp(-dt / 100e-3),
               can = 5e-3 / 95e-3 * exp(-dt / 5e-3) *
                     expm1(dt * (95e-3 / (5e-3 * 100e-3))),
               g_l = 10e-9;
  static double DA[N], DN[N], DG[N], B[N];
  double vlo = 1, vhi = -1, worst = 0, worst_g = 0;
  uint64_t lcg = 7;
  for (long k = 1; k <= STEPS; k++) {
    const double t0 = (k - 1) * dt;
    if (k == STEPS / 2) {
      change(pd, "i_offset", 0.05e-9, t0);
      change(pf, "i_offset", 0.05e-9, t0);
    }
    for (int j = 0; j < 12; j++) {
      lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
      uint32_t x = (uint32_t)(lcg >> 33), i = x % N;
      int inh = (x >> 10) & 1;
      float w = (float)((1 + (x >> 12) % 40) * 0.1e-9);
      kick(pd, t0, inh, i, w);
      kick(pf, t0, inh, i, w);
    }
    double gtot[N];
    for (int i = 0; i < N; i++)
      gtot[i] = g_l + S(pd, i, VAR_GEXC) + S(pd, i, VAR_GINH);
    for (int i = 0; i < N; i++) {
      /* the bounds over the step, from the start's state */
      double ga = S(pd, i, VAR_GAMPA), gn = S(pd, i, VAR_GNMDA);
      double p = exp(-dt * gtot[i] / cm);
      B[i] = p * B[i] + 17 * u * Vs +
             2 * dt / cm * Vs * (0.5 * DA[i] + 0.5 * DN[i] + DG[i]);
      DN[i] = dn * DN[i] + can * DA[i] + 5 * u * (dn * gn + can * ga);
    }
    pop_tick(pd, k);
    pop_tick(pf, k);
    for (int i = 0; i < N; i++) {
      DA[i] = da * DA[i] + 3 * u * S(pd, i, VAR_GAMPA);
      DG[i] = dg * DG[i] + 3 * u * S(pd, i, VAR_GINH);
      double e[4] = {fabs(V(pf, i) - V(pd, i)),
                     fabs(S(pf, i, VAR_GAMPA) - S(pd, i, VAR_GAMPA)),
                     fabs(S(pf, i, VAR_GNMDA) - S(pd, i, VAR_GNMDA)),
                     fabs(S(pf, i, VAR_GINH) - S(pd, i, VAR_GINH))};
      double b[4] = {B[i], DA[i], DN[i], DG[i]};
      for (int q = 0; q < 4; q++)
        REQUIRE_MSG(e[q] <= b[q], "neuron %d step %ld: |%s difference| %g > "
                    "bound %g", i, k, q ? "conductance" : "v", e[q], b[q]);
      worst = fmax(worst, e[0] / B[i]);
      worst_g = fmax(worst_g, e[2] / DN[i]);
      vlo = fmin(vlo, V(pd, i));
      vhi = fmax(vhi, V(pd, i));
    }
  }
  ck_assert_uint_eq(pd->nspk + pf->nspk, 0);
  ck_assert_msg(vhi - vlo > 10e-3, "v within [%g, %g] V", vlo, vhi);
  if (getenv("EVSNN_TEST_VERBOSE"))
    printf("float - double: at most %.3g of the bound for v, %.3g for g_N; "
           "v in [%g, %g] mV\n",
           worst, worst_g, vlo * 1e3, vhi * 1e3);
  /* not vacuous: the float state differs from the double one */
  ck_assert_msg(worst > 1e-4, "v: at most %g of the bound", worst);
  pop_free(pd);
  pop_free(pf);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("cond_nmda_single");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_exp_poly_f);
  tcase_add_test(tc, test_sweep_scalar_f);
  tcase_add_test(tc, test_single_vs_double);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
