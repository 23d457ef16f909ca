/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the binomial and hypergeometric deviates (src/binomial.c) that
 * split a fixed total number of synapses over the targets: the pmf against
 * the textbook product formula, the deviates' histograms against the exact
 * pmf (chi-square within 5 sd of its mean), the moments at sizes where only
 * the closed forms are practical (5 standard errors), and the boundaries. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/binomial.h"
#include "evsnn/rng.h"
#include "check_util.h"

/* C(n, k) p^k q^(n-k) by products of small factors (n small). */
static double binom_direct(unsigned k, unsigned n, double p) {
  double c = 1;
  for (unsigned i = 1; i <= k; i++) c = c * (n - k + i) / i;
  return c * pow(p, k) * pow(1 - p, n - k);
}

static double choose_direct(unsigned n, unsigned k) {
  if (k > n) return 0;
  double c = 1;
  for (unsigned i = 1; i <= k; i++) c = c * (n - k + i) / i;
  return c;
}

/* Chi-square of count[0..k) against the probabilities f over draws
 * samples, bins with expectation below 5 pooled into one. */
static void check_histogram(const uint64_t *count, const double *f, unsigned k,
                            uint64_t draws, const char *what) {
  double chi2 = 0, pool_e = 0, pool_o = 0;
  int bins = 0;
  for (unsigned x = 0; x < k; x++) {
    double e = f[x] * draws;
    if (e < 5) {
      pool_e += e;
      pool_o += count[x];
      continue;
    }
    chi2 += (count[x] - e) * (count[x] - e) / e;
    bins++;
  }
  if (pool_e > 0) {
    chi2 += (pool_o - pool_e) * (pool_o - pool_e) / pool_e;
    bins++;
  }
  double dof = bins - 1;
  REQUIRE_MSG(fabs(chi2 - dof) < 5 * sqrt(2 * dof), "%s: chi2 %g with %g dof",
              what, chi2, dof);
}

START_TEST(test_pmf) {
  const double ps[] = {0.01, 0.3, 0.5, 0.97};
  for (int a = 0; a < 4; a++)
    for (unsigned n = 1; n <= 60; n += 7)
      for (unsigned k = 0; k <= n; k++) {
        double want = binom_direct(k, n, ps[a]),
               got = evs__binomial_pmf(k, n, ps[a]);
        REQUIRE_MSG(fabs(got - want) <= 1e-12 * want + 1e-300,
                    "pmf(%u; %u, %g) = %.17g, expected %.17g", k, n, ps[a], got,
                    want);
      }
  /* Large n: the pmf sums to 1 over mean +- 12 sd. */
  const uint64_t big[] = {1000000, 1000000000000ull};
  for (int a = 0; a < 2; a++) {
    double mean = big[a] * 0.4, sd = sqrt(big[a] * 0.24), sum = 0;
    for (uint64_t k = (uint64_t)(mean - 12 * sd);
         k <= (uint64_t)(mean + 12 * sd); k++)
      sum += evs__binomial_pmf(k, big[a], 0.4);
    REQUIRE_MSG(fabs(sum - 1) < 1e-11, "pmf over n = %llu sums to %.15g",
                (unsigned long long)big[a], sum);
  }
}
END_TEST

START_TEST(test_binomial_histogram) {
  const struct {
    unsigned n;
    double p;
  } cases[] = {{20, 0.3}, {7, 0.9}, {300, 0.02}, {1, 0.5}};
  evs_rng r;
  evs_rng_init(&r, 11, 0, 0, EVS_RNG_TEST);
  for (int a = 0; a < 4; a++) {
    const unsigned n = cases[a].n;
    const uint64_t draws = 200000;
    uint64_t *count = calloc(n + 1, sizeof *count);
    double *f = malloc((n + 1) * sizeof *f);
    for (unsigned k = 0; k <= n; k++) f[k] = binom_direct(k, n, cases[a].p);
    for (uint64_t d = 0; d < draws; d++) {
      uint64_t x = evs__rng_binomial(&r, n, cases[a].p);
      REQ_UINT(x, <=, n);
      count[x]++;
    }
    check_histogram(count, f, n + 1, draws, "binomial");
    free(count);
    free(f);
  }
}
END_TEST

START_TEST(test_hypergeometric_histogram) {
  const struct {
    unsigned draws, good, total;
  } cases[] = {{15, 20, 50}, {40, 45, 50}, {3, 1000, 1003}, {200, 30, 1000}};
  evs_rng r;
  evs_rng_init(&r, 12, 0, 0, EVS_RNG_TEST);
  for (int a = 0; a < 4; a++) {
    const unsigned n = cases[a].draws, g = cases[a].good, t = cases[a].total;
    const uint64_t draws = 200000;
    uint64_t *count = calloc(n + 1, sizeof *count);
    double *f = malloc((n + 1) * sizeof *f);
    for (unsigned k = 0; k <= n; k++)
      f[k] = choose_direct(g, k) * choose_direct(t - g, n - k) /
             choose_direct(t, n);
    for (uint64_t d = 0; d < draws; d++) {
      uint64_t x = evs__rng_hypergeometric(&r, n, g, t);
      REQUIRE(x <= n && x <= g && n - x <= t - g);
      count[x]++;
    }
    check_histogram(count, f, n + 1, draws, "hypergeometric");
    free(count);
    free(f);
  }
}
END_TEST

/* Sample mean and variance against the closed forms: 5 standard errors
 * (the variance's for a near-normal sample: var sqrt(2 / n)). */
static void check_moments(const double *x, int n, double mean, double var,
                          const char *what) {
  double m = 0, v = 0;
  for (int k = 0; k < n; k++) m += x[k];
  m /= n;
  for (int k = 0; k < n; k++) v += (x[k] - m) * (x[k] - m);
  v /= n - 1;
  REQUIRE_MSG(fabs(m - mean) < 5 * sqrt(var / n),
              "%s: mean %.10g, expected %.10g", what, m, mean);
  REQUIRE_MSG(fabs(v - var) < 5 * var * sqrt(2.0 / n),
              "%s: variance %g, expected %g", what, v, var);
}

START_TEST(test_large_moments) {
  enum { N = 20000 };
  static double x[N];
  evs_rng r;
  evs_rng_init(&r, 13, 0, 0, EVS_RNG_TEST);
  /* The search costs O(sd): large n with a moderate sd, as the fixed
   * total builder's per-target counts have. */
  const uint64_t n = 1000000000000ull;
  for (int k = 0; k < N; k++) x[k] = (double)evs__rng_binomial(&r, n, 1e-6);
  check_moments(x, N, 1e6, 1e6 * (1 - 1e-6), "binomial(1e12, 1e-6)");
  for (int k = 0; k < N; k++)
    x[k] = (double)evs__rng_binomial(&r, 10000000, 0.3) - 3e6;
  check_moments(x, N, 0, 1e7 * 0.3 * 0.7, "binomial(1e7, 0.3)");
  for (int k = 0; k < N; k++)
    x[k] = (double)evs__rng_binomial(&r, 100000, 1e-4);
  check_moments(x, N, 10, 10 * (1 - 1e-4), "binomial(1e5, 1e-4)");
  /* 1e7 draws from 4e12 items of which 1e12 are good */
  const double d = 1e7, g = 1e12, t = 4e12;
  for (int k = 0; k < N; k++)
    x[k] = (double)evs__rng_hypergeometric(&r, (uint64_t)d, (uint64_t)g,
                                           (uint64_t)t) -
           d * g / t;
  check_moments(x, N, 0, d * (g / t) * (1 - g / t) * (t - d) / (t - 1),
                "hypergeometric");
}
END_TEST

START_TEST(test_bounds) {
  evs_rng r;
  evs_rng_init(&r, 14, 0, 0, EVS_RNG_TEST);
  REQ_UINT(evs__rng_binomial(&r, 0, 0.5), ==, 0);
  REQ_UINT(evs__rng_binomial(&r, 50, 0), ==, 0);
  REQ_UINT(evs__rng_binomial(&r, 50, 1), ==, 50);
  REQ_UINT(evs__rng_hypergeometric(&r, 0, 5, 10), ==, 0);
  REQ_UINT(evs__rng_hypergeometric(&r, 10, 5, 10), ==, 5); /* all drawn */
  REQ_UINT(evs__rng_hypergeometric(&r, 7, 0, 10), ==, 0);  /* none good */
  REQ_UINT(evs__rng_hypergeometric(&r, 7, 10, 10), ==, 7); /* all good */
  REQ_UINT(evs__rng_hypergeometric(&r, 8, 5, 10), >=, 3);  /* 3 bad at most */
}
END_TEST

int main(void) {
  Suite *s = suite_create("binomial");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_pmf);
  tcase_add_test(tc, test_binomial_histogram);
  tcase_add_test(tc, test_hypergeometric_histogram);
  tcase_add_test(tc, test_large_moments);
  tcase_add_test(tc, test_bounds);
  suite_add_tcase(s, tc);
  return tu_run_suite(s);
}
