/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the weight statistics a weight record writes
 * (evs__weight_stats, rules/plastic.c) against the one loop in synapse
 * order written out here: the same bytes for every length up to 40
 * (vector bodies and tails), with zeros of both signs first at random
 * places (the loop keeps the first zero of a zero extreme), NaNs, weights
 * at and beyond the bounds, a projection without a rule (no bounds), and
 * one shared weight; and a threaded run's parts read in place (each row cut
 * between two parts at a random place) against the one loop over the rows
 * in the net's order. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "rules/plastic.h"
#include "check_util.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_u64(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

/* The statistics by one loop in synapse order. */
static void reference(const evs_csr *m, double lo, double hi, double scale,
                      double out[6]) {
  double sum = 0, sum2 = 0, wmin = INFINITY, wmax = -INFINITY;
  uint64_t at_lo = 0, at_hi = 0;
  for (uint64_t s = 0; s < m->nnz; s++) {
    double w = evs_csr_weight(m, s);
    sum += w;
    sum2 += w * w;
    if (w < wmin) wmin = w;
    if (w > wmax) wmax = w;
    at_lo += w <= (float)lo;
    at_hi += w >= (float)hi;
  }
  double n = m->nnz ? (double)m->nnz : 1, mean = sum / n;
  double var = sum2 / n - mean * mean;
  out[0] = mean / scale;
  out[1] = sqrt(var > 0 ? var : 0) / scale;
  out[2] = m->nnz ? wmin / scale : 0;
  out[3] = m->nnz ? wmax / scale : 0;
  out[4] = at_lo / n;
  out[5] = at_hi / n;
}

/* A weight: mostly in [0, 1], some 0 or -0, some at or past the bounds,
 * rarely NaN; all of one sign when sign is +1 or -1. */
static float draw(int sign) {
  uint64_t r = next_u64() % 100;
  float w = r < 10   ? 0.0f
            : r < 20 ? -0.0f
            : r < 25 ? 1.0f
            : r < 28 ? 1.5f
            : r < 30 ? NAN
                     : (float)(next_u64() % 1000) / 1000.0f;
  if (sign < 0 && w > 0) w = -w;
  return w;
}

START_TEST(stats_match_one_loop) {
  const evs_rule_type *ty = evs__rule_type_find("stdp_pair");
  ck_assert_ptr_nonnull(ty);
  double par[32];
  ck_assert_uint_le(ty->n_params, 32);
  for (size_t k = 0; k < ty->n_params; k++)
    par[k] = strcmp(ty->params[k].name, "w_min") == 0   ? 0.0
             : strcmp(ty->params[k].name, "w_max") == 0 ? 1.0
                                                         : 0.5;
  evs_rule rule = {.type = ty, .par = par};
  static float w[40];
  for (int trial = 0; trial < 3000; trial++) {
    uint64_t n = (uint64_t)(trial % 41);
    int sign = trial % 3 - 1; /* -1, 0 or +1 */
    for (uint64_t s = 0; s < n; s++) w[s] = draw(sign);
    evs_csr m = {.nnz = n, .weight = w};
    int shared = trial % 7 == 0;
    if (shared) {
      m.weight = NULL;
      m.weight_shared = draw(sign);
    }
    evs_proj p = {.rule = trial % 5 ? &rule : NULL, .weight_scale = 2.0};
    double got[6], want[6];
    const evs_csr *one = &m;
    evs__weight_stats(&p, &one, 1, got);
    reference(&m, p.rule ? 0.0 : NAN, p.rule ? 1.0 : NAN, 2.0, want);
    REQUIRE_MSG(memcmp(got, want, sizeof got) == 0,
                "trial %d (n %d, shared %d): %g %g %g %g %g %g against %g %g "
                "%g %g %g %g",
                trial, (int)n, shared, got[0], got[1], got[2], got[3], got[4],
                got[5], want[0], want[1], want[2], want[3], want[4], want[5]);
  }
}
END_TEST

START_TEST(parts_match_one_loop) {
  static float w[40], w0[40], w1[40];
  static uint64_t r0[41], r1[41];
  for (int trial = 0; trial < 3000; trial++) {
    uint64_t n = (uint64_t)(trial % 41);
    uint32_t rows = 1 + (uint32_t)(next_u64() % 6);
    /* the net's weights row by row, each row's first part in part 0 */
    uint64_t s = 0, s0 = 0, s1 = 0;
    r0[0] = r1[0] = 0;
    for (uint32_t i = 0; i < rows; i++) {
      uint64_t len = i + 1 == rows ? n - s : next_u64() % (n - s + 1);
      uint64_t cut = next_u64() % (len + 1);
      for (uint64_t q = 0; q < len; q++, s++) {
        w[s] = draw(0);
        if (q < cut) w0[s0++] = w[s];
        else w1[s1++] = w[s];
      }
      r0[i + 1] = s0;
      r1[i + 1] = s1;
    }
    evs_csr m = {.nnz = n, .weight = w};
    evs_csr a = {.nnz = s0, .n_pre = rows, .row_ptr = r0, .weight = w0};
    evs_csr b = {.nnz = s1, .n_pre = rows, .row_ptr = r1, .weight = w1};
    const evs_csr *parts[2] = {&a, &b};
    evs_proj p = {.weight_scale = 1.0};
    double got[6], want[6];
    evs__weight_stats(&p, parts, 2, got);
    reference(&m, NAN, NAN, 1.0, want);
    REQUIRE_MSG(memcmp(got, want, sizeof got) == 0,
                "trial %d (n %d, rows %u): %g %g %g %g against %g %g %g %g",
                trial, (int)n, rows, got[0], got[1], got[2], got[3], want[0],
                want[1], want[2], want[3]);
  }
}
END_TEST

static Suite *weight_stats_suite(void) {
  Suite *s = suite_create("weight_stats");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, stats_match_one_loop);
  tcase_add_test(tc, parts_match_one_loop);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(weight_stats_suite()); }
