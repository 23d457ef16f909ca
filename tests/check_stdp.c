/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the pair STDP rule (src/rules/stdp.c): stdp_pair, and the parameter
 * checks of stdp_pair and stdp_triplet. The triplet rules are tested in
 * tests/check_triplet.c; all three rules against a brute-force fixed-step
 * simulation in tests/check_stdp_brute.c.
 *
 * A rule is driven directly: a hand-made projection (CSR plus transposed
 * index), parameters in par[], init, then on_pre/on_post in a prescribed time
 * order (the handlers' contract; the scheduler's order is tested end to end
 * elsewhere). Expected weights come from closed forms written here from the
 * rule's definition. Weights are stored as float, so tolerances are a few
 * float roundings of the magnitudes involved. The rig, NEAR, expect_bad and
 * geo are in stdp_test_util.h. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "rules/plastic.h"
#include "rule_test_util.h"
#include "stdp_test_util.h"

/* A pair rule on one synapse with bounds [-1, 1], weight 0. */
static rig *pair1(double a_plus, double a_minus, double tau_plus,
                  double tau_minus) {
  rig *r = rig_new(&evs__rule_stdp_pair, 1, 1, 1, 0);
  rig_set(r, "A_plus", a_plus);
  rig_set(r, "A_minus", a_minus);
  rig_set(r, "tau_plus", tau_plus);
  rig_set(r, "tau_minus", tau_minus);
  rig_set(r, "w_min", -1);
  rig_set(r, "w_max", 1);
  return r;
}

/* ---- pair rule ------------------------------------------------------------
 */

/* The STDP window: pre at t0, post at t0 + dt gives A+ e^{-dt/tau+} for
 * dt >= 0 (at dt = 0 the pre handler runs first); post first gives
 * -A- e^{-|dt|/tau-}. Distinct time constants catch a swap. */
START_TEST(pair_window_additive) {
  const double ap = 0.01, am = 0.012, tp = 0.02, tm = 0.03, t0 = 0.05;
  for (int ms = -100; ms <= 100; ms++) {
    double dt = ms * 1e-3;
    for (int pre_first = 0; pre_first <= 1; pre_first++) {
      if (ms != 0 && pre_first != (ms > 0)) continue;
      rig *r = pair1(ap, am, tp, tm);
      rig_init(r);
      double want;
      if (pre_first) {
        pre(r, 0, t0);
        post(r, 0, t0 + dt);
        want = ap * exp(-dt / tp);
      } else {
        post(r, 0, t0);
        pre(r, 0, t0 - dt);
        want = -am * exp(dt / tm);
      }
      NEAR(w_of(r, 0), want, fabs(want), 1);
      rig_free(r);
    }
  }
}
END_TEST

/* Long trains of alternating pairs: each later spike sees the sum over all
 * earlier spikes of the other side (all-to-all). Pre at 0, post at 10 ms, pre
 * at 30 ms: LTP A+ e^{-10/20}, then LTD -A- e^{-20/30}. */
START_TEST(pair_sequence_all_to_all) {
  const double ap = 0.01, am = 0.012, tp = 0.02, tm = 0.03;
  rig *r = pair1(ap, am, tp, tm);
  rig_init(r);
  pre(r, 0, 0);
  post(r, 0, 0.010);
  pre(r, 0, 0.030);
  post(r, 0, 0.045);
  /* the last post sees both pre spikes: e^{-45/20} + e^{-15/20} */
  double d1 = ap * exp(-0.5), d2 = -am * exp(-20.0 / 30),
         d3 = ap * (exp(-45.0 / 20) + exp(-15.0 / 20));
  NEAR(w_of(r, 0), d1 + d2 + d3, fabs(d1) + fabs(d2) + fabs(d3), 3);
  rig_free(r);
}
END_TEST

/* Bounds clip exactly, also with w_min != 0. */
START_TEST(pair_bounds_clip) {
  rig *r = rig_new(&evs__rule_stdp_pair, 1, 1, 1, 0.9);
  rig_set(r, "A_plus", 0.5);
  rig_set(r, "A_minus", 0.5);
  rig_set(r, "w_min", 0.25);
  rig_set(r, "w_max", 1);
  rig_init(r);
  pre(r, 0, 0);
  post(r, 0, 0.001); /* +0.5 e^{-1/20} > 0.1 */
  ck_assert(w_of(r, 0) == 1.0);
  pre(r, 0, 0.002); /* y = e^{-1/20}: not clipped */
  NEAR(w_of(r, 0), 1 - 0.5 * exp(-0.05), 1, 2);
  post(r, 0, 0.003); /* x = e^{-3/20} + e^{-1/20}: +0.9, clipped */
  ck_assert(w_of(r, 0) == 1.0);
  pre(r, 0, 0.003); /* y = e^{-2/20} + 1: -0.95, clipped at 0.25 */
  ck_assert(w_of(r, 0) == 0.25);
  rig_free(r);
  /* a float weight a rounding step above a bound (0.8f > 0.8) under
   * fractional mu: the factor is 0 there, not NaN */
  r = rig_new(&evs__rule_stdp_pair, 1, 1, 1, 0.8);
  rig_set(r, "A_plus", 0.1);
  rig_set(r, "A_minus", 0.1);
  rig_set(r, "w_max", 0.8);
  rig_set(r, "mu_plus", 0.5);
  rig_init(r);
  ck_assert(w_of(r, 0) > 0.8);
  pre(r, 0, 0);
  post(r, 0, 0.001);
  ck_assert(w_of(r, 0) == (float)0.8);
  rig_free(r);
}
END_TEST

/* Weight dependence: LTP scaled by ((w_max - w)/(w_max - w_min))^mu+, LTD by
 * ((w - w_min)/(w_max - w_min))^mu-. */
START_TEST(pair_multiplicative) {
  const double mus[] = {0, 0.3, 0.5, 1};
  const double wmin = 0.1, wmax = 1.1, ap = 0.05, am = 0.04, d = 0.01;
  for (int m = 0; m < 4; m++) {
    double mu = mus[m];
    for (int ltp = 0; ltp <= 1; ltp++) {
      rig *r = rig_new(&evs__rule_stdp_pair, 1, 1, 1, 0.35);
      rig_set(r, "A_plus", ap);
      rig_set(r, "A_minus", am);
      rig_set(r, "w_min", wmin);
      rig_set(r, "w_max", wmax);
      rig_set(r, "mu_plus", mu);
      rig_set(r, "mu_minus", mu);
      rig_init(r);
      double w0 = w_of(r, 0), want;
      if (ltp) {
        pre(r, 0, 0.1);
        post(r, 0, 0.1 + d);
        want = w0 + ap * pow((wmax - w0) / (wmax - wmin), mu) * exp(-d / 0.02);
      } else {
        post(r, 0, 0.1);
        pre(r, 0, 0.1 + d);
        want = w0 - am * pow((w0 - wmin) / (wmax - wmin), mu) * exp(-d / 0.02);
      }
      NEAR(w_of(r, 0), want, 1, 1);
      /* the factor matters: additive would differ by more than 1e-3 */
      if (mu > 0) {
        double add = ltp ? w0 + ap * exp(-d / 0.02) : w0 - am * exp(-d / 0.02);
        ck_assert(fabs(w_of(r, 0) - add) > 1e-3);
      }
      rig_free(r);
    }
  }
}
END_TEST

/* A burst of pre spikes then a post spike: all-to-all sums every pre spike,
 * nearest counts only the last. The same for posts before a pre. With
 * nearest, a pre still pairs with every later post (the trace is only reset
 * by its own side). */
START_TEST(pair_nearest_vs_all) {
  const double ap = 0.01, am = 0.012, tp = 0.02, tm = 0.03;
  for (int nn = 0; nn <= 1; nn++) {
    /* LTP */
    rig *r = pair1(ap, am, tp, tm);
    rig_set(r, "nearest", nn);
    rig_init(r);
    pre(r, 0, 0);
    pre(r, 0, 0.004);
    pre(r, 0, 0.009);
    post(r, 0, 0.015);
    double want =
        nn ? ap * exp(-0.006 / tp)
           : ap * (exp(-0.015 / tp) + exp(-0.011 / tp) + exp(-0.006 / tp));
    NEAR(w_of(r, 0), want, want, 1);
    post(r, 0, 0.025); /* pairs again with the same pre spikes */
    double w2 =
        want +
        (nn ? ap * exp(-0.016 / tp)
            : ap * (exp(-0.025 / tp) + exp(-0.021 / tp) + exp(-0.016 / tp)));
    NEAR(w_of(r, 0), w2, w2, 2);
    rig_free(r);
    /* LTD */
    r = pair1(ap, am, tp, tm);
    rig_set(r, "nearest", nn);
    rig_init(r);
    post(r, 0, 0);
    post(r, 0, 0.003);
    post(r, 0, 0.007);
    pre(r, 0, 0.012);
    want = nn ? -am * exp(-0.005 / tm)
              : -am * (exp(-0.012 / tm) + exp(-0.009 / tm) + exp(-0.005 / tm));
    NEAR(w_of(r, 0), want, fabs(want), 1);
    rig_free(r);
  }
}
END_TEST

/* on_post finds each synapse's presynaptic neuron from its CSR position: a
 * sparse projection with many empty rows, each pre neuron spiking once at its
 * own time, so every synapse's change names its pre neuron. */
START_TEST(pair_pre_lookup_sparse) {
  const uint32_t n_pre = 1000, n_post = 6;
  rig *r = rig_new(&evs__rule_stdp_pair, n_pre, n_post, 0.01, 0);
  rig_set(r, "A_plus", 0.01);
  rig_set(r, "A_minus", 0.01);
  rig_set(r, "w_min", -1);
  rig_set(r, "w_max", 1);
  rig_set(r, "tau_plus", 0.005);
  rig_init(r);
  const evs_csr *c = r->proj.csr;
  ck_assert(c->nnz > 20);
  for (uint32_t j = 0; j < n_pre; j++) pre(r, j, j * 1e-5);
  const double T = 0.0105;
  for (uint32_t i = 0; i < n_post; i++) post(r, i, T);
  for (uint32_t j = 0; j < n_pre; j++)
    for (uint64_t k = c->row_ptr[j]; k < c->row_ptr[j + 1]; k++) {
      double want = 0.01 * exp(-(T - j * 1e-5) / 0.005);
      NEAR(w_of(r, k), want, want, 1);
    }
  rig_free(r);
}
END_TEST

/* Long trains: traces are coefficients against a reference time t0 that the
 * rule moves forward every EVS_TRACE_SPAN tau_min (plastic.h). Pre at
 * a_k = 1 ms + kT, post at a_k + d, k < n, with T < tau so the traces carry
 * across every rebase; then a silence of 2500 tau+ and one more pair. Over
 * 1000 pairings (1000 tau+) the factor e^{(t - t0)/tau+} would overflow
 * without rebasing. All-to-all, at post k: x = e^{-d/tp} sum_{m=0}^{k} rp^m,
 * at pre k: y = e^{d/tm} sum_{m=1}^{k} rm^m; nearest: x = e^{-d/tp}, y =
 * e^{-(T-d)/tm} (k >= 1). After the silence only the new pair counts (the old
 * spikes' share is below e^{-2500}). Tolerance: each of the 2n + 2 float
 * stores rounds by at most half an ulp of the largest |w|. */
START_TEST(pair_long_train_rebase) {
  const double ap = 0.01, am = 0.012, tp = 0.002, tm = 0.003, T = 0.002,
               d = 0.0006, gap = 2500 * tp;
  const int n = 1000;
  for (int nn = 0; nn <= 1; nn++) {
    rig *r = pair1(ap, am, tp, tm);
    rig_set(r, "w_min", -100);
    rig_set(r, "w_max", 100);
    rig_set(r, "nearest", nn);
    rig_init(r);
    double rp = exp(-T / tp), rm = exp(-T / tm), want = 0, big = 0;
    for (int k = 0; k < n; k++) {
      double a = 0.001 + k * T;
      pre(r, 0, a);
      want -= am *
              (nn ? (k ? exp(-(T - d) / tm) : 0) : exp(d / tm) * geo(rm, 1, k));
      big = fmax(big, fabs(want));
      post(r, 0, a + d);
      want += ap * exp(-d / tp) * (nn ? 1 : geo(rp, 0, k));
      big = fmax(big, fabs(want));
    }
    NEAR(w_of(r, 0), want, big, n + 1);
    ck_assert(fabs(want) > 0.1); /* the train moved the weight far */
    double a = 0.001 + n * T + gap;
    pre(r, 0, a);
    post(r, 0, a + d);
    want += ap * exp(-d / tp);
    NEAR(w_of(r, 0), want, big, n + 2);
    rig_free(r);
  }
}
END_TEST

static rig *pair_ok(void) {
  rig *r = rig_new(&evs__rule_stdp_pair, 2, 2, 1, 0.5);
  rig_set(r, "A_plus", 0.01);
  rig_set(r, "A_minus", 0.01);
  rig_set(r, "w_max", 1);
  return r;
}

START_TEST(params_checked) {
  rig *r = pair_ok();
  rig_init(r); /* the baseline is valid */
  rig_free(r);
  r = rig_new(&evs__rule_stdp_pair, 2, 2, 1, 0.5);
  rig_set(r, "A_plus", 0.01);
  rig_set(r, "A_minus", 0.01);
  expect_bad(r, "w_max unset");
  r = pair_ok();
  rig_set(r, "tau_plus", 0);
  expect_bad(r, "tau_plus 0");
  r = pair_ok();
  rig_set(r, "tau_minus", -1);
  expect_bad(r, "tau_minus < 0");
  r = pair_ok();
  rig_set(r, "A_plus", -0.1);
  expect_bad(r, "A_plus < 0");
  r = pair_ok();
  rig_set(r, "A_minus", -0.1);
  expect_bad(r, "A_minus < 0");
  r = pair_ok();
  rig_set(r, "w_min", 1);
  expect_bad(r, "w_min = w_max");
  r = pair_ok();
  rig_set(r, "w_max", INFINITY);
  expect_bad(r, "w_max inf");
  r = pair_ok();
  rig_set(r, "mu_plus", 1.5);
  expect_bad(r, "mu_plus 1.5");
  r = pair_ok();
  rig_set(r, "mu_minus", -0.5);
  expect_bad(r, "mu_minus < 0");
  r = pair_ok();
  rig_set(r, "nearest", 0.5);
  expect_bad(r, "nearest 0.5");
  r = rig_new(&evs__rule_stdp_triplet, 2, 2, 1, 0.5);
  rig_set(r, "A3_plus", 0.01);
  rig_set(r, "A2_minus", 0.01);
  rig_set(r, "w_max", 1);
  rig_init(r);
  rig_free(r);
  r = rig_new(&evs__rule_stdp_triplet, 2, 2, 1, 0.5);
  rig_set(r, "A3_plus", 0.01);
  rig_set(r, "A2_minus", 0.01);
  rig_set(r, "w_max", 1);
  rig_set(r, "tau_y", 0);
  expect_bad(r, "tau_y 0");
  r = rig_new(&evs__rule_stdp_triplet, 2, 2, 1, 0.5);
  rig_set(r, "A3_plus", 0.01);
  rig_set(r, "w_max", 1);
  expect_bad(r, "A2_minus unset");
}
END_TEST

static Suite *stdp_suite(void) {
  Suite *s = suite_create("stdp");
  TCase *tc = tcase_create("pair");
  tcase_add_test(tc, pair_window_additive);
  tcase_add_test(tc, pair_sequence_all_to_all);
  tcase_add_test(tc, pair_bounds_clip);
  tcase_add_test(tc, pair_multiplicative);
  tcase_add_test(tc, pair_nearest_vs_all);
  tcase_add_test(tc, pair_pre_lookup_sparse);
  tcase_add_test(tc, pair_long_train_rebase);
  tcase_add_test(tc, params_checked);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(stdp_suite()); }
