/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the event queue against a brute-force reference: a plain array
 * kept sorted with qsort by the (t, kind, source, seq) order, written here
 * independently of the heap. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/error.h"
#include "core/queue.h"
#include "check_util.h"

/* A small deterministic generator (splitmix64) so the test does not depend
 * on the library's own random streams. */
static uint64_t sm_state;
static uint64_t sm_next(void) {
  uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/* Reference order, written out field by field. */
static int ref_cmp(const void *pa, const void *pb) {
  const evs_event *a = pa, *b = pb;
  if (a->t < b->t) return -1;
  if (a->t > b->t) return 1;
  if (a->kind != b->kind) return a->kind < b->kind ? -1 : 1;
  if (a->source != b->source) return a->source < b->source ? -1 : 1;
  if (a->seq != b->seq) return a->seq < b->seq ? -1 : 1;
  return 0;
}

static evs_event random_event(int coarse) {
  evs_event e;
  memset(&e, 0, sizeof e);
  /* Coarse times make many exact ties, exercising the tie-breakers. */
  e.t = coarse ? (double)(sm_next() % 8) * 1e-4
               : (double)(sm_next() % 1000000) * 1e-7;
  e.kind = (uint32_t)(sm_next() % 7);
  e.source = (uint32_t)(sm_next() % (coarse ? 3 : 100000));
  e.owner = (uint32_t)(sm_next() % 50);
  e.arg = (uint32_t)sm_next();
  e.seq = 12345; /* must be overwritten by push */
  return e;
}

static int same_event(const evs_event *a, const evs_event *b) {
  return a->t == b->t && a->seq == b->seq && a->kind == b->kind &&
         a->source == b->source && a->owner == b->owner && a->arg == b->arg;
}

START_TEST(test_before) {
  evs_event a = {1.0, 5, 2, 7, 0, 0}, b = a;
  REQ_INT(evs_event_before(&a, &b), ==, 0); /* irreflexive */
  b.t = 2.0;
  REQ_INT(evs_event_before(&a, &b), ==, 1);
  REQ_INT(evs_event_before(&b, &a), ==, 0);
  b = a;
  b.kind = 1; /* lower kind first, even with a later seq */
  b.seq = 99;
  REQ_INT(evs_event_before(&b, &a), ==, 1);
  b = a;
  b.source = 8; /* higher source later, even with an earlier seq */
  b.seq = 0;
  REQ_INT(evs_event_before(&a, &b), ==, 1);
  b = a;
  b.seq = 4;
  REQ_INT(evs_event_before(&b, &a), ==, 1);
}
END_TEST

/* Random interleavings of pushes and pops against the sorted reference. */
static void run_random(int coarse, uint64_t seed, size_t init_cap) {
  sm_state = seed;
  evs_queue q;
  REQ_INT(evs_queue_init(&q, init_cap), ==, EVS_OK);
  size_t cap = 20000, n = 0;
  evs_event *ref = malloc(cap * sizeof *ref);
  uint64_t pushes = 0, pops = 0, seq = 0;
  for (int step = 0; step < 20000; step++) {
    /* Phases of mostly pushing and mostly popping let the size swing. */
    int push_bias = (step / 2500) % 2 ? 35 : 65;
    if ((int)(sm_next() % 100) < push_bias) {
      evs_event e = random_event(coarse);
      REQ_INT(evs_queue_push(&q, &e), ==, EVS_OK);
      e.seq = seq++;
      ref[n++] = e;
      pushes++;
    } else {
      evs_event got;
      int ok = evs_queue_pop(&q, &got);
      if (n == 0) {
        REQ_INT(ok, ==, 0);
        continue;
      }
      REQ_INT(ok, ==, 1);
      pops++;
      qsort(ref, n, sizeof *ref, ref_cmp);
      REQUIRE_MSG(same_event(&got, &ref[0]),
                  "step %d: popped t=%g kind=%u src=%u seq=%llu, expected t=%g "
                  "kind=%u src=%u seq=%llu",
                  step, got.t, got.kind, got.source,
                  (unsigned long long)got.seq, ref[0].t, ref[0].kind,
                  ref[0].source, (unsigned long long)ref[0].seq);
      memmove(ref, ref + 1, (n - 1) * sizeof *ref);
      n--;
    }
    REQ_UINT(q.size, ==, n);
    const evs_event *top = evs_queue_peek(&q);
    if (n == 0) {
      ck_assert_ptr_null(top);
    } else {
      ck_assert_ptr_nonnull(top);
    }
  }
  /* Drain the rest: the whole remaining sequence must match. */
  qsort(ref, n, sizeof *ref, ref_cmp);
  for (size_t k = 0; k < n; k++) {
    evs_event got;
    REQ_INT(evs_queue_pop(&q, &got), ==, 1);
    pops++;
    REQUIRE(same_event(&got, &ref[k]));
  }
  evs_event dummy;
  REQ_INT(evs_queue_pop(&q, &dummy), ==, 0);
  REQ_UINT(q.pushes, ==, pushes);
  REQ_UINT(q.pops, ==, pops);
  REQ_UINT(q.next_seq, ==, pushes);
  free(ref);
  evs_queue_destroy(&q);
}

START_TEST(test_random_fine) { run_random(0, 1 + (uint64_t)_i, 16); }
END_TEST

START_TEST(test_random_ties) { run_random(1, 100 + (uint64_t)_i, 1); }
END_TEST

START_TEST(test_equal_times) {
  evs_queue q;
  REQ_INT(evs_queue_init(&q, 1), ==, EVS_OK);
  /* Pushed in an order unrelated to the expected pop order. */
  const uint32_t kinds[] = {3, 0, 3, 6, 3, 0, 2, 3};
  const uint32_t srcs[] = {5, 9, 1, 0, 5, 9, 4, 1};
  for (int i = 0; i < 8; i++) {
    evs_event e = {0.5, 0, kinds[i], srcs[i], 0, (uint32_t)i};
    REQ_INT(evs_queue_push(&q, &e), ==, EVS_OK);
  }
  /* Expected by hand: kind, then source, then push order (arg = push index). */
  const uint32_t want_arg[] = {1, 5, 6, 2, 7, 0, 4, 3};
  for (int i = 0; i < 8; i++) {
    evs_event got;
    REQ_INT(evs_queue_pop(&q, &got), ==, 1);
    REQ_UINT(got.arg, ==, want_arg[i]);
    REQ_UINT(got.seq, ==, want_arg[i]);
  }
  evs_queue_destroy(&q);
}
END_TEST

START_TEST(test_growth_from_one) {
  evs_queue q;
  REQ_INT(evs_queue_init(&q, 1), ==, EVS_OK);
  REQ_UINT(q.cap, >=, 1);
  /* Decreasing times: every push sifts to the root. */
  for (int i = 0; i < 1000; i++) {
    evs_event e = {1000.0 - i, 0, 0, 0, 0, (uint32_t)i};
    REQ_INT(evs_queue_push(&q, &e), ==, EVS_OK);
    REQ_UINT(q.cap, >=, q.size);
    REQUIRE(evs_queue_peek(&q)->t == 1000.0 - i);
  }
  for (int i = 999; i >= 0; i--) {
    evs_event got;
    REQ_INT(evs_queue_pop(&q, &got), ==, 1);
    REQ_UINT(got.arg, ==, (uint32_t)i);
  }
  evs_queue_destroy(&q);
}
END_TEST

START_TEST(test_empty) {
  evs_queue q;
  REQ_INT(evs_queue_init(&q, 4), ==, EVS_OK);
  evs_event got;
  memset(&got, 0x5a, sizeof got);
  evs_event before = got;
  REQ_INT(evs_queue_pop(&q, &got), ==, 0);
  REQ_INT(evs_queue_pop(&q, &got), ==, 0);
  REQUIRE(memcmp(&got, &before, sizeof got) == 0); /* untouched */
  ck_assert_ptr_null(evs_queue_peek(&q));
  REQ_UINT(q.pops, ==, 0);
  evs_event e = {0.1, 0, 1, 2, 3, 4};
  REQ_INT(evs_queue_push(&q, &e), ==, EVS_OK);
  REQ_INT(evs_queue_pop(&q, &got), ==, 1);
  REQ_INT(evs_queue_pop(&q, &got), ==, 0);
  REQ_UINT(q.pushes, ==, 1);
  REQ_UINT(q.pops, ==, 1);
  evs_queue_destroy(&q);
  /* Initialised again after destroy. */
  REQ_INT(evs_queue_init(&q, 0), ==, EVS_OK);
  REQ_INT(evs_queue_push(&q, &e), ==, EVS_OK);
  REQ_UINT(q.size, ==, 1);
  evs_queue_destroy(&q);
}
END_TEST

static Suite *queue_suite(void) {
  Suite *s = suite_create("queue");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_before);
  tcase_add_loop_test(tc, test_random_fine, 0, 3);
  tcase_add_loop_test(tc, test_random_ties, 0, 3);
  tcase_add_test(tc, test_equal_times);
  tcase_add_test(tc, test_growth_from_one);
  tcase_add_test(tc, test_empty);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(queue_suite()); }
