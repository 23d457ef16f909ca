/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of pair STDP's additive walks (rules/stdp_walk.h): every width the
 * processor runs gives, byte for byte, the scalar formula written out here
 * (w = (float)clip(w + a * (C[i] d), w_min, w_max) in double), for rows and
 * columns of every length up to 21 (vector bodies and scalar tails), with
 * sums that fall below w_min, above w_max and in between, and a negative
 * amplitude (depression). */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "rules/stdp_walk.h"
#include "check_util.h"

enum { N_NEURONS = 97, N_SYN = 400 };

/* A small xorshift: the data only need to be varied and repeatable. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t next_u64(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static double uniform(void) { return (next_u64() >> 11) * 0x1p-53; }

static float reference(float w, double c, double d, double a, double lo,
                       double hi) {
  double s = (double)w + a * (c * d);
  return (float)(s < lo ? lo : (s > hi ? hi : s));
}

/* Fills coef, weights (some at and beyond the bounds), a row's targets and
 * a column's distinct positions with their presynaptic indices. */
static void fill(double *coef, float *w, uint32_t *target, uint32_t *pos,
                 uint32_t *pre) {
  for (int i = 0; i < N_NEURONS; i++) coef[i] = 3 * uniform();
  for (int k = 0; k < N_SYN; k++) {
    w[k] = (float)(-0.5 + 2 * uniform()); /* bounds [0, 1] below */
    target[k] = (uint32_t)(next_u64() % N_NEURONS);
    pos[k] = (uint32_t)k;
    pre[k] = (uint32_t)(next_u64() % N_NEURONS);
  }
  for (int k = N_SYN - 1; k > 0; k--) { /* shuffle: scattered positions */
    int j = (int)(next_u64() % (uint64_t)(k + 1));
    uint32_t tmp = pos[k];
    pos[k] = pos[j];
    pos[j] = tmp;
  }
}

static void check_width(int lanes) {
  const evs__stdp_walk *wk = evs__stdp_walk_get(lanes);
  if (!wk) return; /* the processor lacks it */
  REQ_INT(wk->lanes, ==, lanes);
  static double coef[N_NEURONS];
  static float w[N_SYN], want[N_SYN];
  static uint32_t target[N_SYN], pos[N_SYN], pre[N_SYN];
  for (int trial = 0; trial < 200; trial++) {
    fill(coef, w, target, pos, pre);
    const double a = (trial & 1 ? -0.4 : 0.3), d = 0.2 + uniform();
    const evs__stdp_add add = {coef, d, a, 0.0, 1.0};
    uint64_t begin = next_u64() % 50, len = (uint64_t)(trial % 22);
    memcpy(want, w, sizeof w);
    for (uint64_t k = begin; k < begin + len; k++)
      want[k] = reference(w[k], coef[target[k]], d, a, 0, 1);
    wk->row(w, target, begin, begin + len, &add);
    REQUIRE_MSG(memcmp(w, want, sizeof w) == 0,
                "row walk of %d lanes, trial %d", lanes, trial);
    for (uint64_t q = begin; q < begin + len; q++)
      want[pos[q]] = reference(w[pos[q]], coef[pre[q]], d, a, 0, 1);
    wk->col(w, pos, pre, begin, begin + len, &add);
    REQUIRE_MSG(memcmp(w, want, sizeof w) == 0,
                "column walk of %d lanes, trial %d", lanes, trial);
  }
}

START_TEST(widths_match_the_formula) {
  check_width(1);
  check_width(4);
  check_width(8);
}
END_TEST

/* The pick: the widest the processor runs, scalar when an index or a
 * position would not fit a gather's signed 32 bits. */
START_TEST(pick_falls_back_to_scalar) {
  const evs__stdp_walk *best = evs__stdp_walk_pick(100, 100, 1000);
  ck_assert_ptr_nonnull(best);
  int widest = evs__stdp_walk_get(8) ? 8 : evs__stdp_walk_get(4) ? 4 : 1;
  ck_assert_int_eq(best->lanes, widest);
  ck_assert_int_eq(evs__stdp_walk_pick(100, 100, (uint64_t)1 << 31)->lanes, 1);
  ck_assert_int_eq(evs__stdp_walk_pick((uint32_t)1 << 31, 100, 1000)->lanes,
                   1);
  ck_assert_ptr_null(evs__stdp_walk_get(2));
}
END_TEST

static Suite *stdp_walk_suite(void) {
  Suite *s = suite_create("stdp_walk");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, widths_match_the_formula);
  tcase_add_test(tc, pick_falls_back_to_scalar);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(stdp_walk_suite()); }
