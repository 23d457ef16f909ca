/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the first-crossing search for sums of exponentials (expsum.h),
 * against the closed form of the tau_m = 2 tau_s case and a brute-force scan.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "evsnn/rng.h"
#include "neurons/expsum.h"
#include "check_util.h"

/* First root by brute force: scan a fine grid for the first point with
 * g >= 0, then bisect between it and the previous point. -1 if none. */
static double scan_first_root(const evs_expsum *g, double horizon,
                              double step) {
  double prev = 0;
  if (evs__expsum_eval(g, 0) >= 0) return 0;
  for (double h = step; h < horizon + step; h += step) {
    if (evs__expsum_eval(g, h) >= 0) {
      double lo = prev, hi = h;
      for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (evs__expsum_eval(g, mid) >= 0)
          hi = mid;
        else
          lo = mid;
      }
      return hi < horizon ? hi : -1;
    }
    prev = h;
  }
  return -1;
}

START_TEST(closed_form_quadratic) {
  /* g(h) = d + A x + B x^2 with x = exp(-h/tau): the LIF response with
   * tau_m = 2 tau_syn. The first root is the largest x in (0, 1]. */
  evs_rng r;
  evs_rng_init(&r, 1, 0, 0, EVS_RNG_TEST);
  int found = 0;
  for (int trial = 0; trial < 2000; trial++) {
    double tau = 0.02;
    double d = -0.001 - 0.01 * evs_rng_uniform(&r); /* below threshold */
    double w = 0.05 * evs_rng_uniform(&r);
    /* one input at h = 0 on a neuron at threshold + d: A = w, B = -w */
    evs_expsum g = {.n = 2, .d = d, .a = {w, -w}, .r = {1 / tau, 2 / tau}};
    double disc = 1 + 4 * d / w; /* x^2 - x - d/w = 0 */
    double h;
    int got = evs__expsum_first_root(&g, INFINITY, 1e-13, &h);
    if (disc < 0) {
      ck_assert_int_eq(got, 0);
      continue;
    }
    double x = 0.5 * (1 + sqrt(disc));
    double expect = tau * log(1 / x);
    if (disc < 1e-6) continue; /* grazing: the crossing is ill-conditioned */
    ck_assert_int_eq(got, 1);
    ck_assert_msg(fabs(h - expect) < 1e-12, "root %.17g expected %.17g", h,
                  expect);
    found++;
  }
  ck_assert_int_gt(found, 100);
}
END_TEST

START_TEST(random_sums_against_scan) {
  evs_rng r;
  evs_rng_init(&r, 2, 0, 0, EVS_RNG_TEST);
  int roots = 0, none = 0;
  for (int trial = 0; trial < 400; trial++) {
    evs_expsum g = {.n = 3};
    g.d = 0.004 * (evs_rng_uniform(&r) - 0.3);
    double rates[3] = {1 / 0.02, 1 / 0.005, 1 / 0.01};
    double total = g.d;
    for (int k = 0; k < 3; k++) {
      g.r[k] = rates[k];
      g.a[k] = 0.03 * (evs_rng_uniform(&r) - 0.5);
      total += g.a[k];
    }
    if (total >= 0) g.a[0] -= total + 0.001; /* start below zero */
    double horizon = 0.1, h;
    int got = evs__expsum_first_root(&g, horizon, 1e-13, &h);
    double ref = scan_first_root(&g, horizon, 2e-6);
    if (ref >= 0) {
      ck_assert_msg(got == 1, "missed root at %.17g", ref);
      ck_assert_msg(fabs(h - ref) < 1e-10, "root %.17g, scan %.17g", h, ref);
      roots++;
    } else {
      if (got == 1) /* a root the scan missed must be real and tangential */
        ck_assert(fabs(evs__expsum_eval(&g, h)) < 1e-12);
      else
        ck_assert(h >= horizon);
      none++;
    }
  }
  ck_assert_int_gt(roots, 50);
  ck_assert_int_gt(none, 50);
}
END_TEST

START_TEST(lower_bound_is_valid) {
  /* Whatever horizon is asked, the lower bound returned when no root lies
   * before it must not pass the true first root. */
  evs_rng r;
  evs_rng_init(&r, 3, 0, 0, EVS_RNG_TEST);
  for (int trial = 0; trial < 300; trial++) {
    evs_expsum g = {.n = 3,
                    .d = 0.001,
                    .a = {-0.012 - 0.01 * evs_rng_uniform(&r),
                          0.02 * (evs_rng_uniform(&r) - 0.5),
                          0.02 * (evs_rng_uniform(&r) - 0.5)},
                    .r = {50, 200, 100}};
    if (evs__expsum_eval(&g, 0) >= 0) continue;
    double root;
    ck_assert_int_eq(evs__expsum_first_root(&g, INFINITY, 1e-13, &root), 1);
    for (double horizon = 1e-4; horizon < root; horizon *= 1.7) {
      double lb;
      ck_assert_int_eq(evs__expsum_first_root(&g, horizon, 1e-13, &lb), 0);
      ck_assert(lb >= horizon);
      ck_assert_msg(lb <= root + 1e-13, "bound %.17g after root %.17g", lb,
                    root);
    }
  }
}
END_TEST

START_TEST(slope_bound_bounds_slope) {
  evs_rng r;
  evs_rng_init(&r, 4, 0, 0, EVS_RNG_TEST);
  for (int trial = 0; trial < 200; trial++) {
    evs_expsum g = {.n = 3, .d = 0};
    for (int k = 0; k < 3; k++) {
      g.a[k] = evs_rng_uniform(&r) - 0.5;
      g.r[k] = 10 + 300 * evs_rng_uniform(&r);
    }
    double h0 = 0.01 * evs_rng_uniform(&r);
    double m = evs__expsum_slope_bound(&g, h0);
    for (double h = h0; h < h0 + 0.1; h += 1e-4) {
      double slope =
          (evs__expsum_eval(&g, h + 1e-7) - evs__expsum_eval(&g, h)) / 1e-7;
      ck_assert(slope <= m + 1e-6);
    }
  }
}
END_TEST

START_TEST(never_crossing) {
  /* Decaying towards a level below zero: no root, lower bound +inf. */
  evs_expsum g = {.n = 2, .d = -0.001, .a = {-0.01, 0.005}, .r = {50, 200}};
  double h;
  ck_assert_int_eq(evs__expsum_first_root(&g, INFINITY, 1e-13, &h), 0);
  ck_assert(isinf(h));
}
END_TEST

/* x^m by the square-and-multiply loop the engine used before its factors
 * were shared between rates: the bits every spike time was computed with. */
static double pow_by_squaring(double x, int m) {
  double y = 1, p = x;
  for (; m; m >>= 1, p *= p)
    if (m & 1) y *= p;
  return y;
}

START_TEST(rates_decay_values) {
  /* CUBA's rates (multiples 1, 4, 2), odd multiples, the largest multiple
   * (64) and rates that are not integer multiples (one exp() each). */
  static const double sets[][3] = {{50, 200, 100},
                                   {50, 150, 250},
                                   {10, 640, 20},
                                   {50, 133.3, 100},
                                   {1000, 1000, 8000}};
  evs_rng r;
  evs_rng_init(&r, 3, 0, 0, EVS_RNG_TEST);
  for (int a = 0; a < 5; a++) {
    evs_rates rates;
    evs__rates_init(&rates, sets[a], 3);
    ck_assert_int_eq(rates.integer, a != 3);
    ck_assert_int_eq(rates.pow2, a == 0 || a == 4);
    for (int trial = 0; trial < 2000; trial++) {
      /* the engine keeps every r_k h below 40 (its rebase span) */
      double rmax = fmax(sets[a][0], fmax(sets[a][1], sets[a][2]));
      double h = trial == 0 ? 0 : 40 / rmax * evs_rng_uniform(&r);
      double e[3], f[3];
      evs__rates_decay(&rates, h, e);
      evs__rates_decay_fast(&rates, h, f);
      double x = exp(-rates.base * h);
      for (int k = 0; k < 3; k++) {
        double want = exp(-sets[a][k] * h);
        /* Both roundings of the argument (relative r h 2^-53 each), two
         * exp() results (1 ulp each) and the 2 log2(m) <= 12 products. */
        int m = rates.integer ? rates.mult[k] : 1;
        double tol = (2 * sets[a][k] * h + 2 * m + 16) * 0x1p-53;
        ck_assert_msg(fabs(e[k] - want) <= tol * want,
                      "set %d k %d h %.17g: %.17g vs %.17g", a, k, h, e[k],
                      want);
        ck_assert(f[k] == e[k]);
        if (rates.integer) /* bit for bit the engine's earlier values */
          ck_assert(e[k] == pow_by_squaring(x, rates.mult[k]));
      }
    }
  }
}
END_TEST

static Suite *expsum_suite(void) {
  Suite *s = suite_create("expsum");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, closed_form_quadratic);
  tcase_add_test(tc, random_sums_against_scan);
  tcase_add_test(tc, lower_bound_is_valid);
  tcase_add_test(tc, slope_bound_bounds_slope);
  tcase_add_test(tc, never_crossing);
  tcase_add_test(tc, rates_decay_values);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(expsum_suite()); }
