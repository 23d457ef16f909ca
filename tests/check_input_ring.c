/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The ring buffers of IF_curr_exp_grid's inputs delivered ahead
 * (src/neurons/input_ring.[ch]): each step's sums are the doubles that
 * adding its inputs in hand-over order gives (computed here by the plain
 * loop; weights of random mantissas and exponents, so that the order
 * shows), whether the step stays a list, goes dense with inputs in its
 * list, or is taken across the ring's wrap and a larger ring reserved with
 * inputs in flight; a spike's row of delay groups goes group by group to
 * the steps of its arrival times, 32- and 16-bit targets alike; and a
 * checkpoint saved (from a list and from a dense step) and loaded gives
 * the same doubles, bit for bit, for sums that no float holds. */
#include <math.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/error.h"
#include "io/checkpoint.h"
#include "neurons/input_ring.h"

enum { SIZE = 211, STEPS = 40 };
#define H 1e-4

/* The reference: ref[k][j] the sum of the inputs of step k onto j, added
 * in hand-over order from +0. */
static double ref[STEPS + 20][SIZE];

/* xorshift32: the weights' mantissas and exponents */
static uint32_t rnd = 2463534242u;
static uint32_t next(void) {
  rnd ^= rnd << 13, rnd ^= rnd >> 17, rnd ^= rnd << 5;
  return rnd;
}

/* Hands over inputs weight[q] (shared when weight is NULL) onto target[q],
 * q < n, arriving at t through receptor r as a row of one group (delay 0),
 * with 16-bit targets if narrow. Returns evs__input_ring_add_row's
 * result. */
static int add_one(evs__input_ring *g, double t, int r, const uint32_t *target,
                   int narrow, const float *weight, float shared, uint32_t n) {
  const uint32_t delay = 0;
  uint16_t t16[16];
  for (uint32_t q = 0; narrow && q < n; q++) t16[q] = (uint16_t)target[q];
  evs_ahead_row a = {.t = t,
                     .res = H,
                     .target =
                         narrow ? (const void *)t16 : (const void *)target,
                     .weight = weight,
                     .shared = shared,
                     .n = 1,
                     .end = &n,
                     .delay = &delay};
  return evs__input_ring_add_row(g, r, &a, narrow);
}

/* Hands over n inputs onto targets t0, t0 + 7, ... (mod SIZE) arriving at
 * step k, to g and to ref, weights w0 times a mantissa in [1, 2) and 2^-e,
 * e < 48 (so that a sum's rounding depends on the order). */
static void hand(evs__input_ring *g, int64_t k, int n, float w0, uint32_t t0) {
  uint32_t target[16];
  float weight[16];
  for (int q = 0; q < n; q++) {
    uint32_t x = next();
    target[q] = (t0 + 7 * (uint32_t)q) % SIZE;
    weight[q] =
        ldexpf(w0 * (1 + (float)(x & 1023) / 1024), -(int)((x >> 10) % 48));
    ref[k][target[q]] += weight[q];
  }
  /* an arrival time within the step, as a delay would give */
  double t = ((double)k - 0.3) * H;
  ck_assert_int_eq(add_one(g, t, 0, target, (int)(k % 2), weight, 0, n), 0);
}

/* Every list of g says the room it has (evs__input_list.room): the
 * hand-over appends without a look at its capacity or length while count
 * <= room, so a room too large would write past the list or keep it a
 * list longer than dense_at. */
static void check_rooms(const evs__input_ring *g) {
  for (int r = 0; r < 2; r++)
    for (uint64_t i = 0; g->slot[r] && i <= g->mask[r]; i++) {
      const evs__input_list *l = &g->slot[r][i];
      size_t top = l->cap < g->dense_at ? l->cap : g->dense_at;
      ck_assert_uint_le(l->len, l->cap);
      ck_assert_uint_eq(l->room, (l->is_dense ? 0 : top - l->len));
    }
}

/* Takes step k from g and compares it with ref, bit for bit; the sums are
 * cleared as the tick clears them. */
static void take_and_check(evs__input_ring *g, int64_t k) {
  check_rooms(g);
  double *sum = evs__input_ring_take(g, 0, k);
  for (int j = 0; j < SIZE; j++) {
    ck_assert_msg(memcmp(&sum[j], &ref[k][j], sizeof(double)) == 0,
                  "step %lld neuron %d: %.17g, expected %.17g", (long long)k, j,
                  sum[j], ref[k][j]);
    sum[j] = 0;
  }
  (void)evs__input_ring_take(g, 1, k);
  g->k_now = k;
  check_rooms(g);
}

START_TEST(test_sums_wrap_and_grow) {
  memset(ref, 0, sizeof ref);
  evs__input_ring g = {0};
  double span[2] = {5 * H, H};
  ck_assert_int_eq(evs__input_ring_reserve(&g, span, SIZE, H), EVS_OK);
  ck_assert_uint_ge(g.n[0], 7);
  /* beyond the span and at the state time: refused, nothing added */
  uint32_t j0 = 0;
  float w = 1;
  ck_assert_int_eq(add_one(&g, 0.5 * H, 0, &j0, 0, &w, 0, 1), 0);
  ref[1][0] += 1;
  ck_assert_int_eq(add_one(&g, 0, 0, &j0, 1, &w, 0, 1), -1);
  ck_assert_int_eq(add_one(&g, (double)(g.n[0] + 1) * H, 0, &j0, 0, &w, 0, 1),
                   -1);
  for (int64_t k = 1; k <= 25; k++) {
    /* inputs for the next few steps: at d = 2 five times three onto the
     * same neurons (in a list: a list of 211 neurons goes dense at 422),
     * at d = 3 every third step 120 times four onto the same neurons
     * (several of each neuron's inputs in the list when it goes dense,
     * more added densely), else 16 */
    for (int d = 1; d <= 5; d++) {
      int reps = d == 2 ? 5 : d == 3 ? (k % 3 ? 0 : 120) : 1;
      for (int rep = 0; rep < reps; rep++)
        hand(&g, k + d,
             d == 2   ? 3
             : d == 3 ? 4
                      : 16,
             1e-4f * (float)d, (uint32_t)k);
    }
    if (k == 12) { /* a larger ring, inputs in flight */
      span[0] = 11 * H;
      ck_assert_int_eq(evs__input_ring_reserve(&g, span, SIZE, H), EVS_OK);
      hand(&g, k + 11, 3, 3e-5f, 5);
    }
    take_and_check(&g, k);
  }
  evs__input_ring_free(&g);
}
END_TEST

START_TEST(test_checkpoint_same_sums) {
  memset(ref, 0, sizeof ref);
  char dir[512], path[600];
  tu_mkdtemp(dir, sizeof dir, "ring");
  snprintf(path, sizeof path, "%s/ring.ckpt", dir);
  evs__input_ring a = {0}, b = {0};
  double span[2] = {6 * H, 2 * H};
  ck_assert_int_eq(evs__input_ring_reserve(&a, span, SIZE, H), EVS_OK);
  ck_assert_int_eq(evs__input_ring_reserve(&b, span, SIZE, H), EVS_OK);
  a.k_now = 3;
  /* sums of many floats of different magnitudes: not floats themselves */
  for (int64_t k = 4; k <= 9; k++)
    for (int rep = 0; rep < (k % 2 ? 30 : 3); rep++) /* dense, a list */
      hand(&a, k, 16, 1e-4f * (float)k, 0);
  int nonfloat = 0;
  for (int j = 0; j < SIZE; j++) nonfloat += ref[6][j] != (float)ref[6][j];
  ck_assert_int_gt(nonfloat, 0);
  evs_checkpoint_info info = {0};
  evs_error err = {0};
  evs_ckpt ck = {0};
  ck_assert_int_eq(evs__ckpt_save_open(&ck, path, &info, &err), EVS_OK);
  ck_assert_int_eq(evs__input_ring_checkpoint(&a, 3, SIZE, "P", &ck), EVS_OK);
  ck_assert_int_eq(evs__ckpt_save_close(&ck), EVS_OK);
  evs_checkpoint_info back = {0};
  ck_assert_int_eq(evs__ckpt_load_open(&ck, path, &back, &err), EVS_OK);
  ck_assert_int_eq(evs__input_ring_checkpoint(&b, 3, SIZE, "P", &ck), EVS_OK);
  ck_assert_int_eq(evs__ckpt_load_close(&ck), EVS_OK);
  free(back.meta);
  /* inputs after the load add to the loaded sums as to the saved ones */
  for (int64_t k = 4; k <= 9; k++) {
    float w = 7e-5f;
    uint32_t j = 3;
    for (evs__input_ring *g = &a; g; g = g == &a ? &b : NULL)
      ck_assert_int_eq(add_one(g, ((double)k - 0.5) * H, 0, &j, 0, &w, 0, 1),
                       0);
    ref[k][3] += w;
  }
  for (int64_t k = 4; k <= 9; k++) {
    take_and_check(&b, k);
    take_and_check(&a, k);
  }
  evs__input_ring_free(&a);
  evs__input_ring_free(&b);
  remove(path);
  rmdir(dir);
}
END_TEST

/* A spike's row handed over in one call (evs__input_ring_add_row), with
 * 32-bit targets (_i = 0) and 16-bit ones (_i = 1): each group's inputs go
 * to the step of t + delay res, group by group in the row's order, an
 * empty group adds none, a row of shared weight adds the shared weight;
 * and a row whose later group lies beyond the span returns -1 with the
 * groups before it added. */
START_TEST(test_rows) {
  const int narrow = _i;
  memset(ref, 0, sizeof ref);
  evs__input_ring g = {0};
  const double span[2] = {8 * H, H};
  ck_assert_int_eq(evs__input_ring_reserve(&g, span, SIZE, H), EVS_OK);
  uint32_t target[64];
  uint16_t t16[64];
  float weight[64];
  for (int64_t k = 1; k <= STEPS; k++) {
    for (int spike = 0; spike < 3; spike++) {
      /* groups of 0 to 3 synapses at increasing delays from 1 to 9 */
      uint32_t end[6], delay[6], x = 0;
      int shared = spike == 2;
      double t = (double)(k - 1) * H; /* a spike at the state time */
      for (int i = 0; i < 6; i++) {
        delay[i] = (uint32_t)(i + 1 + (next() % 2 ? 0 : i / 2));
        if (i > 0 && delay[i] <= delay[i - 1]) delay[i] = delay[i - 1] + 1;
        int n = (int)(next() % 4);
        for (int q = 0; q < n; q++, x++) {
          uint32_t r = next();
          target[x] = r % SIZE;
          t16[x] = (uint16_t)target[x];
          weight[x] =
              ldexpf(1 + (float)(r & 1023) / 1024, -(int)((r >> 10) % 48));
          int64_t kk = (int64_t)ceil((t + delay[i] * H) / H - 1e-6);
          ref[kk][target[x]] += shared ? 0.25f : weight[x];
        }
        end[i] = x;
      }
      evs_ahead_row a = {.t = t,
                         .res = H,
                         .target =
                             narrow ? (const void *)t16 : (const void *)target,
                         .weight = shared ? NULL : weight,
                         .shared = 0.25f,
                         .n = 6,
                         .end = end,
                         .delay = delay};
      ck_assert_int_eq(evs__input_ring_add_row(&g, 0, &a, narrow), 0);
    }
    take_and_check(&g, k);
  }
  /* beyond the span: the first group added, the second refused */
  uint32_t end[2] = {1, 2}, delay[2] = {1, 20};
  target[0] = t16[0] = 3;
  target[1] = t16[1] = 4;
  weight[0] = weight[1] = 1;
  evs_ahead_row a = {.t = STEPS * H,
                     .res = H,
                     .target =
                         narrow ? (const void *)t16 : (const void *)target,
                     .weight = weight,
                     .n = 2,
                     .end = end,
                     .delay = delay};
  ck_assert_int_eq(evs__input_ring_add_row(&g, 0, &a, narrow), -1);
  ref[STEPS + 1][3] += 1;
  take_and_check(&g, STEPS + 1);
  evs__input_ring_free(&g);
}
END_TEST

static Suite *ring_suite(void) {
  Suite *s = suite_create("input_ring");
  TCase *tc = tcase_create("ring");
  tcase_add_test(tc, test_sums_wrap_and_grow);
  tcase_add_test(tc, test_checkpoint_same_sums);
  tcase_add_loop_test(tc, test_rows, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(ring_suite()); }
