/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the triplet STDP rules (src/rules/stdp.c): stdp_triplet and
 * stdp_triplet_homeo (their parameter checks are partly in
 * tests/check_stdp.c, their brute-force references in
 * tests/check_stdp_brute.c).
 *
 * A rule is driven directly: a hand-made projection (CSR plus transposed
 * index), parameters in par[], init, then on_pre/on_post in a prescribed time
 * order (the handlers' contract; the scheduler's order is tested end to end
 * elsewhere). Expected weights come from closed forms written here from the
 * rules' definitions, or from direct summation of the traces. Weights are
 * stored as float, so tolerances are a few float roundings of the
 * magnitudes involved. The rig, NEAR, expect_bad, geo and the constants TP,
 * TM, TY, A3, A2 are in stdp_test_util.h. */
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

/* ---- triplet rule ---------------------------------------------------------
 */

/* Pfister & Gerstner's visual-cortex rule on one synapse, weight 0, bounds
 * [-10, 10] (never reached). */
static rig *triplet1(void) {
  rig *r = rig_new(&evs__rule_stdp_triplet, 1, 1, 1, 0);
  rig_set(r, "A3_plus", A3);
  rig_set(r, "A2_minus", A2);
  rig_set(r, "w_min", -10);
  rig_set(r, "w_max", 10);
  rig_init(r);
  return r;
}

START_TEST(triplet_defaults) {
  /* the published time constants are the defaults */
  rig *r = triplet1();
  ck_assert(rig_get(r, "tau_plus") == TP);
  ck_assert(rig_get(r, "tau_minus") == TM);
  ck_assert(rig_get(r, "tau_y") == TY);
  ck_assert(rig_get(r, "w_min") == -10); /* set by triplet1 */
  rig_free(r);
  r = rig_new(&evs__rule_stdp_triplet, 1, 1, 1, 0);
  ck_assert(rig_get(r, "w_min") == 0);
  ck_assert(isnan(rig_get(r, "A3_plus"))); /* required: no default */
  rig_free(r);
}
END_TEST

/* Pairs and triplets against the definition:
 *  pre 0, post t1:          y2(t1-) = 0, so no change;
 *  post 0, pre s:           -A2 e^{-s/tm};
 *  pre 0, post t1, post t2: A3 e^{-t2/tp} e^{-(t2-t1)/ty};
 *  post 0, pre s, post u:   -A2 e^{-s/tm} + A3 e^{-(u-s)/tp} e^{-u/ty}. */
START_TEST(triplet_closed_forms) {
  rig *r = triplet1();
  pre(r, 0, 0.1);
  post(r, 0, 0.11);
  ck_assert(w_of(r, 0) == 0);
  rig_free(r);

  r = triplet1();
  post(r, 0, 0.1);
  pre(r, 0, 0.112);
  double want = -A2 * exp(-0.012 / TM);
  NEAR(w_of(r, 0), want, fabs(want), 1);
  rig_free(r);

  r = triplet1();
  pre(r, 0, 0.1);
  post(r, 0, 0.105);
  post(r, 0, 0.125);
  want = A3 * exp(-0.025 / TP) * exp(-0.020 / TY);
  NEAR(w_of(r, 0), want, want, 1);
  rig_free(r);

  r = triplet1();
  post(r, 0, 0.1);
  pre(r, 0, 0.108);
  post(r, 0, 0.118);
  double d1 = -A2 * exp(-0.008 / TM),
         d2 = A3 * exp(-0.010 / TP) * exp(-0.018 / TY);
  NEAR(w_of(r, 0), d1 + d2, fabs(d1) + fabs(d2), 2);
  ck_assert(fabs(d1 + d2) > 1e-4); /* the two terms do not cancel */
  rig_free(r);

  /* two pre then two post: x sums both pre spikes at each post */
  r = triplet1();
  pre(r, 0, 0.1);
  pre(r, 0, 0.104);
  post(r, 0, 0.110);
  post(r, 0, 0.130);
  want = A3 * (exp(-0.030 / TP) + exp(-0.026 / TP)) * exp(-0.020 / TY);
  NEAR(w_of(r, 0), want, want, 1);
  rig_free(r);
}
END_TEST

/* n pairings at frequency f, pre at kT + a and post at kT + b ({a, b} =
 * {0, |lag|}, lag = b - a): the total change summed in closed form. For
 * pre-post (lag > 0) at pre k: y1 = e^{lag/tm} sum_{d=1}^{k} r-^d; at post k:
 * x = e^{-lag/tp} sum_{d=0}^{k} r+^d. For post-pre (lag < 0): y1 =
 * e^{lag/tm} sum_{d=0}^{k} r-^d, x = e^{-lag/tp} sum_{d=1}^{k} r+^d. Both:
 * y2(t-) = sum_{d=1}^{k} ry^d. */
static double pairing_closed(double f, double lag, int n, double *sum_abs) {
  double T = 1 / f, rp = exp(-T / TP), rm = exp(-T / TM), ry = exp(-T / TY);
  double total = 0, sa = 0;
  int d0m = lag > 0 ? 1 : 0, d0p = lag > 0 ? 0 : 1;
  for (int k = 0; k < n; k++) {
    double ltd = A2 * exp(lag / TM) * geo(rm, d0m, k);
    double ltp = A3 * exp(-lag / TP) * geo(rp, d0p, k) * geo(ry, 1, k);
    total += ltp - ltd;
    sa += ltp + ltd;
  }
  if (sum_abs) *sum_abs = sa;
  return total;
}

/* The steady change per pairing: the limits of the sums above. */
static double pairing_steady(double f, double lag) {
  double T = 1 / f, rp = exp(-T / TP), rm = exp(-T / TM), ry = exp(-T / TY);
  double y2 = ry / (1 - ry);
  if (lag > 0)
    return A3 * exp(-lag / TP) / (1 - rp) * y2 -
           A2 * exp(lag / TM) * rm / (1 - rm);
  return A3 * exp(-lag / TP) * rp / (1 - rp) * y2 -
         A2 * exp(lag / TM) / (1 - rm);
}

static void run_pairing(rig *r, double f, double lag, int n) {
  double T = 1 / f, a = lag > 0 ? 0 : -lag, b = lag > 0 ? lag : 0;
  for (int k = 0; k < n; k++) {
    double tp = 0.01 + k * T + a, tq = 0.01 + k * T + b;
    if (tp < tq) {
      pre(r, 0, tp);
      post(r, 0, tq);
    } else {
      post(r, 0, tq);
      pre(r, 0, tp);
    }
  }
}

/* Frequency dependence of pairing (Sjostrom et al. 2001 protocol, the
 * minimal model): the rule's total change equals the closed-form sum at
 * 1-50 Hz for lags +-10 ms; per pairing it tends to the geometric-series
 * limit; at 1 Hz post-pre depresses by about A2 e^{-10/33.7} per pairing and
 * pre-post barely moves, at 50 Hz both orders potentiate. */
START_TEST(triplet_frequency) {
  const double freqs[] = {1, 5, 10, 20, 30, 40, 50};
  const int n = 60;
  for (int fi = 0; fi < 7; fi++)
    for (int s = -1; s <= 1; s += 2) {
      double f = freqs[fi], lag = s * 0.010, sa;
      rig *r = triplet1();
      run_pairing(r, f, lag, n);
      double want = pairing_closed(f, lag, n, &sa);
      NEAR(w_of(r, 0), want, sa, 2 * n);
      double w60 = w_of(r, 0);
      rig_free(r);
      /* steady state: the last 20 of 80 pairings */
      r = triplet1();
      run_pairing(r, f, lag, 60);
      double wa = w_of(r, 0);
      rig_free(r);
      r = triplet1();
      run_pairing(r, f, lag, 80);
      double per = (w_of(r, 0) - wa) / 20, lim = pairing_steady(f, lag);
      REQUIRE_MSG(fabs(per - lim) <= 1e-4 * fabs(lim) + 1e-6 * fabs(wa),
                  "f %g lag %g: per pairing %.9g, limit %.9g", f, lag, per,
                  lim);
      rig_free(r);
      if (f == 1 && lag < 0)
        ck_assert(fabs(w60 / n + A2 * exp(-0.010 / TM)) < 1e-6);
      if (f == 1 && lag > 0) ck_assert(fabs(w60) / n < 1e-6);
      if (f == 50) ck_assert(w60 > 0.1);
    }
}
END_TEST

/* The pairing protocol over 700 pairings at 50 Hz (14 s, over 800 tau+):
 * the coefficients are rebased some 20 times with every trace carrying
 * across, and e^{(t - t0)/tau+} would overflow without rebasing; the total
 * still equals the closed-form sum (about 10.4, so the bounds are widened to
 * [-100, 100]). */
START_TEST(triplet_long_train_rebase) {
  const int n = 700;
  for (int s = -1; s <= 1; s += 2) {
    double lag = s * 0.010, sa;
    rig *r = rig_new(&evs__rule_stdp_triplet, 1, 1, 1, 0);
    rig_set(r, "A3_plus", A3);
    rig_set(r, "A2_minus", A2);
    rig_set(r, "w_min", -100);
    rig_set(r, "w_max", 100);
    rig_init(r);
    run_pairing(r, 50, lag, n);
    double want = pairing_closed(50, lag, n, &sa);
    ck_assert(fabs(want) > 1 && fabs(want) < 100); /* moved, not clipped */
    NEAR(w_of(r, 0), want, sa, 2 * n);
    rig_free(r);
  }
}
END_TEST

/* ---- homeostatic triplet rule: closed forms -------------------------------
 */

static const double H_ETA = 2.5, H_KAPPA = 4, H_TAU_HOM = 0.7, H_A3 = 6.5e-3;

/* c with A2-(t) = c nu(t)^2: eta A3 tau+ tau_y / (tau- kappa). */
static double homeo_c(double tp) {
  return H_ETA * H_A3 * tp * TY / (TM * H_KAPPA);
}

/* One rule instance n_pre -> n_post, all to all, weight 0, wide bounds. */
static rig *homeo_rig(uint32_t n_pre, uint32_t n_post, double tp) {
  rig *r = rig_new(&evs__rule_stdp_triplet_homeo, n_pre, n_post, 1, 0);
  rig_set(r, "A3_plus", H_A3);
  rig_set(r, "tau_plus", tp);
  rig_set(r, "tau_hom", H_TAU_HOM);
  rig_set(r, "kappa", H_KAPPA);
  rig_set(r, "eta", H_ETA);
  rig_set(r, "w_min", -10);
  rig_set(r, "w_max", 10);
  rig_init(r);
  return r;
}

/* nu(t) by direct summation: kappa e^{-t/tau_hom} plus e^{-(t - s)/tau_hom} /
 * tau_hom for every post spike s < t. */
static double nu_direct(const double *s, int n, double t) {
  double nu = H_KAPPA * exp(-t / H_TAU_HOM);
  for (int k = 0; k < n && s[k] < t; k++)
    nu += exp(-(t - s[k]) / H_TAU_HOM) / H_TAU_HOM;
  return nu;
}

START_TEST(homeo_defaults_and_params) {
  rig *r = rig_new(&evs__rule_stdp_triplet_homeo, 1, 1, 1, 0);
  ck_assert(rig_get(r, "tau_plus") == TP);
  ck_assert(rig_get(r, "tau_minus") == TM);
  ck_assert(rig_get(r, "tau_y") == TY);
  ck_assert(rig_get(r, "kappa") == 3);
  ck_assert(rig_get(r, "eta") == 1);
  ck_assert(isnan(rig_get(r, "tau_hom"))); /* required */
  ck_assert(isnan(rig_get(r, "A3_plus")));
  rig_set(r, "A3_plus", 0.01);
  rig_set(r, "w_max", 1);
  expect_bad(r, "tau_hom unset");
  const char *bad[] = {"tau_hom", "kappa", "eta", "tau_y"};
  const double val[] = {0, 0, -1, -0.1};
  for (int i = 0; i < 4; i++) {
    r = rig_new(&evs__rule_stdp_triplet_homeo, 1, 1, 1, 0);
    rig_set(r, "A3_plus", 0.01);
    rig_set(r, "w_max", 1);
    rig_set(r, "tau_hom", 1);
    rig_set(r, bad[i], val[i]);
    expect_bad(r, bad[i]);
  }
}
END_TEST

/* Pairs and triplets with the sliding amplitude (nu from kappa and the post
 * spikes before the arrival), against the definition:
 *  post t1, pre s:            -c nu(s)^2 e^{-(s - t1)/tau-};
 *  pre a, post t1, post t2:   eta A3 e^{-(t2 - a)/tau+} e^{-(t2 - t1)/tau_y};
 *  post t1, pre s, post u:    the LTD above + eta A3 e^{-(u-s)/tau+}
 * e^{-(u-t1)/tau_y}; two posts, pre:            y1 and nu both count both
 * posts. With nu = kappa (t1 -> 0) the LTD amplitude is the one that balances
 * LTP at kappa for Poisson spikes: c kappa^2 tau- = eta A3 tau+ tau_y kappa. */
START_TEST(homeo_closed_forms) {
  const double c = homeo_c(TP);
  rig *r = homeo_rig(1, 1, TP);
  pre(r, 0, 0.2); /* no post spike yet: y1 = 0 */
  ck_assert(w_of(r, 0) == 0);
  post(r, 0, 0.31);
  ck_assert(w_of(r, 0) == 0); /* a single post spike: y2(t-) = 0 */
  rig_free(r);

  r = homeo_rig(1, 1, TP);
  const double t1 = 1.5, s = 1.512;
  post(r, 0, t1);
  pre(r, 0, s);
  double nu =
      H_KAPPA * exp(-s / H_TAU_HOM) + exp(-(s - t1) / H_TAU_HOM) / H_TAU_HOM;
  double want = -c * nu * nu * exp(-(s - t1) / TM);
  NEAR(w_of(r, 0), want, fabs(want), 1);
  /* the sliding amplitude matters: nu(s) is about kappa / 2 here */
  ck_assert(fabs(want / (-c * H_KAPPA * H_KAPPA * exp(-(s - t1) / TM)) - 1) >
            0.5);
  const double u = 1.525;
  post(r, 0, u);
  double ltp = H_ETA * H_A3 * exp(-(u - s) / TP) * exp(-(u - t1) / TY);
  NEAR(w_of(r, 0), want + ltp, fabs(want) + ltp, 2);
  rig_free(r);

  r = homeo_rig(1, 1, TP);
  pre(r, 0, 0.1);
  post(r, 0, 0.105);
  post(r, 0, 0.125);
  want = H_ETA * H_A3 * exp(-0.025 / TP) * exp(-0.020 / TY);
  NEAR(w_of(r, 0), want, want, 1);
  rig_free(r);

  r = homeo_rig(1, 1, TP);
  const double q[2] = {0.4, 0.43};
  post(r, 0, q[0]);
  post(r, 0, q[1]);
  pre(r, 0, 0.44);
  nu = nu_direct(q, 2, 0.44);
  want = -c * nu * nu * (exp(-0.04 / TM) + exp(-0.01 / TM));
  NEAR(w_of(r, 0), want, fabs(want), 1);
  rig_free(r);

  /* nu(0) = kappa: post at 1 us, pre at 2 us */
  r = homeo_rig(1, 1, TP);
  post(r, 0, 1e-6);
  pre(r, 0, 2e-6);
  nu = H_KAPPA * exp(-2e-6 / H_TAU_HOM) + exp(-1e-6 / H_TAU_HOM) / H_TAU_HOM;
  want = -c * nu * nu * exp(-1e-6 / TM);
  NEAR(w_of(r, 0), want, fabs(want), 1);
  rig_free(r);
  ck_assert(fabs(c * H_KAPPA * H_KAPPA * TM -
                 H_ETA * H_A3 * TP * TY * H_KAPPA) < 1e-15);
}
END_TEST

/* learn_from: spikes before it change no weight but count in every trace.
 * With learn_from = 1 s: pre 0.2, post 0.5, post 0.55, pre 0.56 leave w = 0
 * (an LTP triplet and an LTD pair, both before 1 s); then post 1.01, pre
 * 1.02, post 1.03 give exactly what a rule without learn_from adds for
 * those three spikes after the same history: the LTD at 1.02 with y1 and nu
 * counting all three post spikes, the LTP at 1.03 with x counting both
 * earlier arrivals and y2 both earlier post trains. The same with the
 * triplet and pair rules (the pair rule: LTD at 1.02 from y, LTP at 1.03
 * from x). */
static void learn_from_case(const evs_rule_type *type) {
  rig *r[2];
  for (int k = 0; k < 2; k++) {
    if (type == &evs__rule_stdp_triplet_homeo) {
      r[k] = rig_new(type, 1, 1, 1, 0);
      rig_set(r[k], "A3_plus", H_A3);
      rig_set(r[k], "tau_hom", H_TAU_HOM);
      rig_set(r[k], "kappa", H_KAPPA);
      rig_set(r[k], "eta", H_ETA);
    } else if (type == &evs__rule_stdp_triplet) {
      r[k] = rig_new(type, 1, 1, 1, 0);
      rig_set(r[k], "A3_plus", A3);
      rig_set(r[k], "A2_minus", A2);
    } else {
      r[k] = rig_new(type, 1, 1, 1, 0);
      rig_set(r[k], "A_plus", 0.01);
      rig_set(r[k], "A_minus", 0.012);
    }
    rig_set(r[k], "w_min", -10);
    rig_set(r[k], "w_max", 10);
    if (k == 0) rig_set(r[k], "learn_from", 1.0);
    rig_init(r[k]);
  }
  double before[2];
  for (int k = 0; k < 2; k++) {
    pre(r[k], 0, 0.2);
    post(r[k], 0, 0.5);
    post(r[k], 0, 0.55);
    pre(r[k], 0, 0.56);
    before[k] = w_of(r[k], 0);
  }
  ck_assert(before[0] == 0);
  ck_assert(before[1] != 0); /* without learn_from the same spikes learn */
  for (int k = 0; k < 2; k++) {
    post(r[k], 0, 1.01);
    pre(r[k], 0, 1.02);
    post(r[k], 0, 1.03);
  }
  double d0 = w_of(r[0], 0), d1 = w_of(r[1], 0) - before[1];
  ck_assert_msg(d1 != 0 && fabs(d0 - d1) <= 4 * FLT_EPSILON * fabs(before[1]),
                "%s: %.10g after learn_from, %.10g without", type->name, d0,
                d1);
  rig_free(r[0]);
  rig_free(r[1]);
  /* learn_from < 0 is refused */
  rig *b = rig_new(type, 1, 1, 1, 0);
  rig_set(b, "w_max", 1);
  rig_set(b, type == &evs__rule_stdp_pair ? "A_plus" : "A3_plus", 0.01);
  if (type == &evs__rule_stdp_pair) rig_set(b, "A_minus", 0.01);
  if (type == &evs__rule_stdp_triplet) rig_set(b, "A2_minus", 0.01);
  if (type == &evs__rule_stdp_triplet_homeo) rig_set(b, "tau_hom", 1);
  rig_set(b, "learn_from", -1);
  expect_bad(b, "learn_from");
}

START_TEST(learn_from_primes_traces) {
  learn_from_case(&evs__rule_stdp_triplet_homeo);
  learn_from_case(&evs__rule_stdp_triplet);
  learn_from_case(&evs__rule_stdp_pair);
}
END_TEST

/* nu after arbitrary spike trains against direct summation. Three post
 * neurons fire Poisson trains (6, 15 and 30 Hz, 12 s: tau_hom = 0.7 s, so nu
 * moves far from kappa = 4 Hz) and 120 presynaptic probes each arrive once,
 * 2-12 ms after a post spike, at no post spike within 3 ms after it. A probe
 * j at T only depresses: w_ji = -c nu_i(T)^2 y1_i(T) (tau+ = 0.1 ms, so the
 * later post spikes add less than e^{-30} of LTP), hence nu_i(T) =
 * sqrt(-w_ji / (c y1_i(T))) with y1_i by direct summation. The rule rebases
 * every 4 ms (40 tau+): some 3000 times over the run. */
START_TEST(homeo_rate_trace) {
  const double tp = 1e-4, dur = 12, rates[3] = {6, 15, 30};
  const int n_probe = 120;
  enum { CAP = 1024 };
  static double spk[3][CAP];
  int ns[3] = {0, 0, 0};
  xs_state = 99;
  for (int i = 0; i < 3; i++)
    for (double t = -log(uniform01()) / rates[i]; t < dur;
         t += -log(uniform01()) / rates[i]) {
      REQUIRE(ns[i] < CAP);
      spk[i][ns[i]++] = t;
    }
  /* probe times: 2-12 ms after a spike of neuron (j mod 3), with no post
   * spike of any neuron in [T, T + 3 ms) */
  double probe[120];
  int np = 0;
  while (np < n_probe) {
    int i = np % 3;
    int k = (int)(uniform01() * ns[i]);
    double T = spk[i][k] + 0.002 + 0.01 * uniform01();
    int ok = T < dur;
    for (int m = 0; m < 3 && ok; m++)
      for (int q = 0; q < ns[m]; q++)
        if (spk[m][q] >= T && spk[m][q] < T + 0.003) ok = 0;
    if (ok) probe[np++] = T;
  }
  /* one merged time order of all events, as the scheduler gives: sort */
  for (int a = 1; a < n_probe; a++)
    for (int b = a; b > 0 && probe[b] < probe[b - 1]; b--) {
      double x = probe[b];
      probe[b] = probe[b - 1];
      probe[b - 1] = x;
    }
  rig *r = homeo_rig(n_probe, 3, tp);
  const double c = homeo_c(tp);
  int ip[3] = {0, 0, 0}, jp = 0;
  for (;;) { /* merge: earliest event first, posts before probes at ties */
    int best = -1;
    double tb = INFINITY;
    for (int i = 0; i < 3; i++)
      if (ip[i] < ns[i] && spk[i][ip[i]] < tb) tb = spk[i][ip[i]], best = i;
    if (jp < n_probe && probe[jp] < tb) {
      pre(r, (uint32_t)jp, probe[jp]);
      jp++;
    } else if (best >= 0) {
      post(r, (uint32_t)best, tb);
      ip[best]++;
    } else {
      break;
    }
  }
  const evs_csr *cs = r->proj.csr;
  double lo = INFINITY, hi = 0;
  int checked = 0;
  for (int j = 0; j < n_probe; j++)
    for (uint64_t k = cs->row_ptr[j]; k < cs->row_ptr[j + 1]; k++) {
      uint32_t i = cs->target[k];
      double T = probe[j], y1 = 0;
      for (int q = 0; q < ns[i] && spk[i][q] < T; q++)
        y1 += exp(-(T - spk[i][q]) / TM);
      double nu = nu_direct(spk[i], ns[i], T);
      double want = -c * nu * nu * y1;
      /* where y1 is tiny the e^{-30} LTP bound is no longer negligible */
      if (y1 > 0.05) NEAR(w_of(r, k), want, fabs(want), 1);
      if (y1 > 0.5) { /* a probe right after i's spike: nu is well defined */
        double got = sqrt(-w_of(r, k) / (c * y1));
        REQUIRE_MSG(fabs(got - nu) <= 1e-6 * nu,
                    "post %u at %.6f s: nu %.9g, direct sum %.9g", i, T, got,
                    nu);
        lo = fmin(lo, nu);
        hi = fmax(hi, nu);
        checked++;
      }
    }
  ck_assert_int_ge(checked, n_probe);
  ck_assert(lo < 6 && hi > 25); /* nu spans the three trains' rates */
  rig_free(r);
}
END_TEST

static Suite *triplet_suite(void) {
  Suite *s = suite_create("triplet");
  TCase *tc = tcase_create("triplet");
  tcase_add_test(tc, triplet_defaults);
  tcase_add_test(tc, triplet_closed_forms);
  tcase_add_test(tc, triplet_frequency);
  tcase_add_test(tc, triplet_long_train_rebase);
  suite_add_tcase(s, tc);
  tc = tcase_create("triplet_homeo");
  tcase_add_test(tc, homeo_defaults_and_params);
  tcase_add_test(tc, homeo_closed_forms);
  tcase_add_test(tc, homeo_rate_trace);
  tcase_add_test(tc, learn_from_primes_traces);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(triplet_suite()); }
