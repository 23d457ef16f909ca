/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of rng.c: Philox known answers, stream layout, and the statistics of
 * every deviate (tolerances are 5 standard errors unless stated). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <Random123/philox.h>

#include "base/philox_lanes.h"
#include "evsnn/rng.h"
#include "check_util.h"

/* ---- known answers ------------------------------------------------------- */

/* philox4x32 (10 rounds) vectors from Random123's examples/kat_vectors. */
static const struct {
  uint32_t ctr[4], key[2], out[4];
} kat[] = {
    {{0, 0, 0, 0}, {0, 0}, {0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8}},
    {{0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff},
     {0xffffffff, 0xffffffff},
     {0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd}},
    {{0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
     {0xa4093822, 0x299f31d0},
     {0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1}},
};

START_TEST(test_kat_through_stream) {
  /* The stream's layout expresses every vector: key = seed (low word
   * first), counter = (population, neuron, purpose, block). The block index
   * starts at 0, so the vectors with a non-zero fourth word are reached by
   * setting the (public) block counter. */
  for (int i = 0; i < 3; i++) {
    uint64_t seed = (uint64_t)kat[i].key[1] << 32 | kat[i].key[0];
    evs_rng r;
    evs_rng_init(&r, seed, kat[i].ctr[0], kat[i].ctr[1], kat[i].ctr[2]);
    ck_assert_uint_eq(r.ctr[3], 0);
    r.ctr[3] = kat[i].ctr[3];
    for (int j = 0; j < 4; j++)
      ck_assert_msg(evs_rng_u32(&r) == kat[i].out[j], "vector %d word %d", i,
                    j);
  }
  /* The first vector straight from init: seed 0, stream (0, 0, 0). */
  evs_rng r;
  evs_rng_init(&r, 0, 0, 0, 0);
  for (int j = 0; j < 4; j++) ck_assert_uint_eq(evs_rng_u32(&r), kat[0].out[j]);
}
END_TEST

START_TEST(test_kat_raw) {
  for (int i = 0; i < 3; i++) {
    philox4x32_ctr_t c = {
        {kat[i].ctr[0], kat[i].ctr[1], kat[i].ctr[2], kat[i].ctr[3]}};
    philox4x32_key_t k = {{kat[i].key[0], kat[i].key[1]}};
    philox4x32_ctr_t o = philox4x32(c, k);
    for (int j = 0; j < 4; j++) ck_assert_uint_eq(o.v[j], kat[i].out[j]);
  }
}
END_TEST

START_TEST(test_layout) {
  /* Word w of block b of stream (seed, pop, neuron, purpose) is word w of
   * philox4x32({pop, neuron, purpose, b}, {seed lo, seed hi}). */
  const uint64_t seed = 0x0123456789abcdefULL;
  evs_rng r;
  evs_rng_init(&r, seed, 7, 123456, EVS_RNG_TEST);
  philox4x32_key_t k = {{0x89abcdefu, 0x01234567u}};
  for (uint32_t b = 0; b < 50; b++) {
    philox4x32_ctr_t c = {{7, 123456, EVS_RNG_TEST, b}};
    philox4x32_ctr_t o = philox4x32(c, k);
    for (int j = 0; j < 4; j++) ck_assert_uint_eq(evs_rng_u32(&r), o.v[j]);
  }
  /* u64: the first word is the low half. */
  evs_rng_init(&r, seed, 7, 123456, EVS_RNG_TEST);
  philox4x32_ctr_t c0 = {{7, 123456, EVS_RNG_TEST, 0}};
  philox4x32_ctr_t o0 = philox4x32(c0, k);
  ck_assert(evs_rng_u64(&r) == ((uint64_t)o0.v[1] << 32 | o0.v[0]));
  ck_assert(evs_rng_u64(&r) == ((uint64_t)o0.v[3] << 32 | o0.v[2]));
  /* uniform: the top 53 bits of u64 (when not all zero) over 2^53. */
  evs_rng_init(&r, seed, 7, 123456, EVS_RNG_TEST);
  uint64_t k53 = ((uint64_t)o0.v[1] << 32 | o0.v[0]) >> 11;
  ck_assert(k53 != 0);
  ck_assert(evs_rng_uniform(&r) == (double)k53 / 9007199254740992.0);
}
END_TEST

START_TEST(test_philox_lanes) {
  /* A run of counters {c0, c1 + l, c2, c3} gives Random123's blocks, word
   * for word, in every lane written (n rounded up to the run's lanes): the
   * known-answer vectors' counters and keys in lane 0 with their
   * neighbours, counters across the 2^32 wrap of word 1, and counters and
   * keys from a simple generator; runs of every length from 1 to 40 (whole
   * vectors and a part of one, at each width the processor has). */
  enum { STRIDE = 80 };
  uint32_t cases[64][6];
  int n = 0;
  for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++, n++) {
    memcpy(cases[n], kat[i].ctr, 4 * sizeof(uint32_t));
    memcpy(cases[n] + 4, kat[i].key, 2 * sizeof(uint32_t));
  }
  uint32_t wrap[6] = {7, 0xfffffff6u, EVS_RNG_BACKGROUND, 9, 1, 2};
  memcpy(cases[n++], wrap, sizeof wrap);
  uint32_t x = 2463534242u;
  for (; n < 64; n++)
    for (int i = 0; i < 6; i++) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5; /* xorshift32 */
      cases[n][i] = x;
    }
  for (int c = 0; c < n; c++) {
    uint32_t *q = cases[c];
    size_t len = 1 + (size_t)c % 40;
    size_t written = (len + EVS_PHILOX_RUN_LANES - 1) / EVS_PHILOX_RUN_LANES *
                     EVS_PHILOX_RUN_LANES;
    uint32_t out[4 * STRIDE];
    memset(out, 0, sizeof out);
    evs__philox4x32_run(q[0], q[1], q[2], q[3], q[4], q[5], len, out, STRIDE);
    philox4x32_key_t k = {{q[4], q[5]}};
    for (uint32_t l = 0; l < STRIDE; l++) {
      philox4x32_ctr_t ctr = {{q[0], q[1] + l, q[2], q[3]}};
      philox4x32_ctr_t o = philox4x32(ctr, k);
      for (int w = 0; w < 4; w++)
        if (l < written)
          ck_assert_uint_eq(out[w * STRIDE + l], o.v[w]);
        else
          ck_assert_uint_eq(out[w * STRIDE + l], 0); /* nothing beyond */
    }
  }
}
END_TEST

START_TEST(test_reproducible_and_distinct) {
  enum { N = 1000 };
  static uint32_t ref[N], other[N];
  evs_rng r;
  evs_rng_init(&r, 42, 1, 2, EVS_RNG_TEST);
  for (int i = 0; i < N; i++) ref[i] = evs_rng_u32(&r);
  evs_rng_init(&r, 42, 1, 2, EVS_RNG_TEST);
  for (int i = 0; i < N; i++) ck_assert_uint_eq(evs_rng_u32(&r), ref[i]);

  /* Changing any part of the key gives a different sequence: with 1000
   * independent words, agreeing in more than a few is impossible by chance. */
  const uint32_t alt[5][4] = {{43, 1, 2, EVS_RNG_TEST},
                              {42, 0, 2, EVS_RNG_TEST},
                              {42, 1, 3, EVS_RNG_TEST},
                              {42, 1, 2, EVS_RNG_INIT},
                              {42, 2, 1, EVS_RNG_TEST}};
  for (int a = 0; a < 5; a++) {
    evs_rng_init(&r, alt[a][0], alt[a][1], alt[a][2], alt[a][3]);
    int same = 0;
    for (int i = 0; i < N; i++) {
      other[i] = evs_rng_u32(&r);
      same += other[i] == ref[i];
    }
    ck_assert_int_le(same, 2);
  }
  /* A seed above 2^32 differs from its low word. */
  evs_rng r2;
  evs_rng_init(&r, 42, 1, 2, EVS_RNG_TEST);
  evs_rng_init(&r2, 42 + (1ULL << 32), 1, 2, EVS_RNG_TEST);
  int same = 0;
  for (int i = 0; i < N; i++) same += evs_rng_u32(&r) == evs_rng_u32(&r2);
  ck_assert_int_le(same, 2);
}
END_TEST

/* ---- continuous deviates --------------------------------------------------
 */

#define N_STAT 1000000

START_TEST(test_uniform) {
  evs_rng r;
  evs_rng_init(&r, 1, 0, 0, EVS_RNG_TEST);
  double s = 0, s2 = 0;
  double lo = 1, hi = 0;
  int outside = 0; /* counted, not asserted per draw: ck_assert is a syscall */
  for (int i = 0; i < N_STAT; i++) {
    double u = evs_rng_uniform(&r);
    outside += !(u > 0.0 && u < 1.0);
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
    s += u - 0.5;
    s2 += (u - 0.5) * (u - 0.5);
  }
  ck_assert_int_eq(outside, 0);
  double mean = 0.5 + s / N_STAT;
  double var = s2 / N_STAT - (s / N_STAT) * (s / N_STAT);
  /* U(0,1): var 1/12; the variance estimator's sd is
   * sqrt((mu4 - var^2)/n) with mu4 = 1/80. */
  ck_assert_double_le(fabs(mean - 0.5), 5 * sqrt(1.0 / 12 / N_STAT));
  ck_assert_double_le(fabs(var - 1.0 / 12),
                      5 * sqrt((1.0 / 80 - 1.0 / 144) / N_STAT));
  /* Range: min and max of 1e6 uniforms lie within ~1e-5 of the ends. */
  ck_assert_double_lt(lo, 2e-5);
  ck_assert_double_gt(hi, 1 - 2e-5);
}
END_TEST

START_TEST(test_normal) {
  evs_rng r;
  evs_rng_init(&r, 2, 0, 0, EVS_RNG_TEST);
  double m1 = 0, m2 = 0, m4 = 0;
  for (int i = 0; i < N_STAT; i++) {
    double x = evs_rng_normal(&r);
    m1 += x;
    m2 += x * x;
    m4 += x * x * x * x;
  }
  m1 /= N_STAT;
  m2 /= N_STAT;
  m4 /= N_STAT;
  double var = m2 - m1 * m1;
  double kurt = m4 / (m2 * m2);
  /* N(0,1): se(mean) = 1/sqrt(n), se(var) = sqrt(2/n), se(kurtosis) =
   * sqrt(24/n). */
  ck_assert_double_le(fabs(m1), 5 / sqrt(N_STAT));
  ck_assert_double_le(fabs(var - 1), 5 * sqrt(2.0 / N_STAT));
  ck_assert_double_le(fabs(kurt - 3), 5 * sqrt(24.0 / N_STAT));
}
END_TEST

START_TEST(test_normal_tails) {
  /* P(|Z| > 2) = erfc(sqrt 2) = 0.0455; a wrong transform (e.g. a missing
   * factor 2 inside the root) changes it drastically. */
  evs_rng r;
  evs_rng_init(&r, 3, 0, 0, EVS_RNG_TEST);
  int n = 400000, out = 0;
  for (int i = 0; i < n; i++) out += fabs(evs_rng_normal(&r)) > 2.0;
  double p = erfc(sqrt(2.0));
  ck_assert_double_le(fabs((double)out / n - p), 5 * sqrt(p * (1 - p) / n));
}
END_TEST

START_TEST(test_exponential) {
  evs_rng r;
  evs_rng_init(&r, 4, 0, 0, EVS_RNG_TEST);
  double s = 0, s2 = 0;
  int above2 = 0, bad = 0;
  for (int i = 0; i < N_STAT; i++) {
    double x = evs_rng_exponential(&r);
    bad += !(x > 0 && isfinite(x));
    s += x;
    s2 += x * x;
    above2 += x > 2.0;
  }
  ck_assert_int_eq(bad, 0);
  double mean = s / N_STAT, var = s2 / N_STAT - mean * mean;
  /* Exp(1): mean 1, sd 1; var's estimator sd sqrt((mu4 - 1)/n), mu4 = 9. */
  ck_assert_double_le(fabs(mean - 1), 5 / sqrt(N_STAT));
  ck_assert_double_le(fabs(var - 1), 5 * sqrt(8.0 / N_STAT));
  double p = exp(-2.0);
  ck_assert_double_le(fabs((double)above2 / N_STAT - p),
                      5 * sqrt(p * (1 - p) / N_STAT));
}
END_TEST

/* ---- discrete deviates ----------------------------------------------------
 */

/* Upper critical value of chi-square with df degrees of freedom at about 5
 * standard normal deviations (p ~ 3e-7), by Wilson and Hilferty. */
static double chi2_crit(int df) {
  double a = 2.0 / (9.0 * df);
  double t = 1 - a + 5.0 * sqrt(a);
  return df * t * t * t;
}

START_TEST(test_below) {
  evs_rng r;
  evs_rng_init(&r, 5, 0, 0, EVS_RNG_TEST);
  ck_assert_uint_eq(evs_rng_below(&r, 1), 0);

  /* Small n: chi-square over the n values. */
  static const uint32_t ns[] = {2, 7, 10, 1000};
  for (int t = 0; t < 4; t++) {
    uint32_t n = ns[t];
    int draws = 100 * (int)n > 500000 ? 100 * (int)n : 500000;
    long *count = calloc(n, sizeof *count);
    ck_assert_ptr_nonnull(count);
    int over = 0;
    for (int i = 0; i < draws; i++) {
      uint32_t x = evs_rng_below(&r, n);
      if (x < n)
        count[x]++;
      else
        over++;
    }
    ck_assert_int_eq(over, 0);
    double e = (double)draws / n, chi2 = 0;
    for (uint32_t k = 0; k < n; k++)
      chi2 += (count[k] - e) * (count[k] - e) / e;
    free(count);
    ck_assert_msg(chi2 < chi2_crit((int)n - 1), "n=%u chi2 %g", n, chi2);
  }

  /* Large n = 3 * 2^30: x mod n would put half the mass in the first third;
   * an unbiased method gives each third 1/3. */
  const uint32_t n = 3u << 30;
  long third[3] = {0, 0, 0};
  int draws = 300000;
  int over = 0;
  for (int i = 0; i < draws; i++) {
    uint32_t x = evs_rng_below(&r, n);
    over += x >= n;
    third[x >> 30 < 3 ? x >> 30 : 2]++;
  }
  ck_assert_int_eq(over, 0);
  double e = draws / 3.0, chi2 = 0;
  for (int k = 0; k < 3; k++) chi2 += (third[k] - e) * (third[k] - e) / e;
  ck_assert_msg(chi2 < chi2_crit(2), "thirds chi2 %g", chi2);
}
END_TEST

START_TEST(test_poisson_moments) {
  static const double means[] = {0.5, 5.0, 10.0, 50.0, 5000.0};
  evs_rng r;
  evs_rng_init(&r, 6, 0, 0, EVS_RNG_TEST);
  for (int t = 0; t < 5; t++) {
    double lam = means[t];
    int n = 400000;
    double s = 0, s2 = 0;
    int zeros = 0;
    for (int i = 0; i < n; i++) {
      double x = (double)evs_rng_poisson(&r, lam) - lam;
      s += x;
      s2 += x * x;
      zeros += x == -lam;
    }
    double mean = lam + s / n;
    double var = s2 / n - (s / n) * (s / n);
    /* Poisson(lam): mean = var = lam, central mu4 = lam (1 + 3 lam), so the
     * variance estimator has sd sqrt((lam + 2 lam^2) / n). */
    ck_assert_msg(fabs(mean - lam) <= 5 * sqrt(lam / n), "lam %g: mean %g", lam,
                  mean);
    ck_assert_msg(fabs(var - lam) <= 5 * sqrt((lam + 2 * lam * lam) / n),
                  "lam %g: var %g", lam, var);
    if (lam == 0.5) {
      double p0 = exp(-0.5);
      ck_assert_msg(fabs((double)zeros / n - p0) <= 5 * sqrt(p0 * (1 - p0) / n),
                    "P(0) %g, want %g", (double)zeros / n, p0);
    }
  }
  ck_assert_uint_eq(evs_rng_poisson(&r, 0.0), 0);
}
END_TEST

/* Chi-square of Poisson draws against the exact pmf (by the recursion
 * p(k) = p(k-1) lam / k), pooling cells with expectation below 20. */
static void poisson_chi2(double lam, uint64_t seed, int n) {
  evs_rng r;
  evs_rng_init(&r, seed, 0, 0, EVS_RNG_TEST);
  int kmax = (int)(lam + 12 * sqrt(lam) + 20);
  long *count = calloc((size_t)kmax + 1, sizeof *count);
  double *pmf = calloc((size_t)kmax + 1, sizeof *pmf);
  ck_assert(count != NULL && pmf != NULL);
  for (int i = 0; i < n; i++) {
    uint32_t k = evs_rng_poisson(&r, lam);
    count[k < (uint32_t)kmax ? k : (uint32_t)kmax]++;
  }
  /* log-space start for large lam: log p(0) = -lam. */
  double logp = -lam, total = 0;
  for (int k = 0; k <= kmax; k++) {
    if (k > 0) logp += log(lam / k);
    pmf[k] = exp(logp);
    total += pmf[k];
  }
  pmf[kmax] += 1 - total; /* tail mass into the last cell */
  double chi2 = 0, cell_e = 0, cell_o = 0;
  int cells = 0;
  for (int k = 0; k <= kmax; k++) {
    cell_e += pmf[k] * n;
    cell_o += count[k];
    if (cell_e >= 20 || k == kmax) {
      if (cell_e > 0) {
        chi2 += (cell_o - cell_e) * (cell_o - cell_e) / cell_e;
        cells++;
      }
      cell_e = cell_o = 0;
    }
  }
  free(count);
  free(pmf);
  ck_assert_msg(chi2 < chi2_crit(cells - 1), "lam %g: chi2 %g over %d cells",
                lam, chi2, cells);
}

START_TEST(test_poisson_pmf) {
  /* Both sides of the method switch at 10, and PTRS at moderate and large
   * means. */
  poisson_chi2(3.0, 20, 300000);
  poisson_chi2(9.9, 21, 300000);
  poisson_chi2(10.0, 22, 300000);
  poisson_chi2(37.5, 23, 300000);
  poisson_chi2(5000.0, 24, 300000);
}
END_TEST

static Suite *rng_suite(void) {
  Suite *s = suite_create("rng");
  TCase *tc = tcase_create("philox");
  tcase_add_test(tc, test_kat_through_stream);
  tcase_add_test(tc, test_kat_raw);
  tcase_add_test(tc, test_layout);
  tcase_add_test(tc, test_philox_lanes);
  tcase_add_test(tc, test_reproducible_and_distinct);
  suite_add_tcase(s, tc);

  tc = tcase_create("deviates");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_uniform);
  tcase_add_test(tc, test_normal);
  tcase_add_test(tc, test_normal_tails);
  tcase_add_test(tc, test_exponential);
  tcase_add_test(tc, test_below);
  tcase_add_test(tc, test_poisson_moments);
  tcase_add_test(tc, test_poisson_pmf);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(rng_suite()); }
