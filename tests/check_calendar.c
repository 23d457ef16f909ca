/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the crossing calendar against a brute-force model: per neuron its
 * live window and the stamp of the filing that put it there. Draining window
 * w must visit exactly the neurons whose live window is w, in stamp order,
 * each once; stale entries are counted. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "evsnn/error.h"
#include "check_util.h"

static uint64_t sm_state;
static uint64_t sm_next(void) {
  uint64_t z = (sm_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static double sm_unif(void) { return (double)(sm_next() >> 11) * 0x1p-53; }

/* The window of t by the contract's definition, found by division and a
 * search on the defining inequality (not the library's multiplication). */
static int64_t ref_window(double width, double t) {
  if (isinf(t)) return EVS_CAL_NONE;
  int64_t w = (int64_t)floor(t / width);
  while ((double)w * width > t) w--;
  while ((double)(w + 1) * width <= t) w++;
  return w;
}

#define NN 300

typedef struct model {
  evs_calendar cal;
  int64_t live[NN];     /* live window or EVS_CAL_NONE */
  uint64_t stamp[NN];   /* filing counter of the live entry */
  uint64_t counter;     /* filings so far (entries written) */
  uint64_t entries[64]; /* entries written per slot since its last drain */
  uint64_t stale;       /* expected stale count */
  int64_t draining;     /* window being drained */
  uint64_t visits;      /* visits in the current drain */
  int refile_pct;       /* chance the visitor files the neuron again */
  int fail_at;          /* visit number at which visit returns 7, or -1 */
} model;

static void model_file(model *m, uint32_t id, double t, int force) {
  evs_calendar *c = &m->cal;
  int64_t w = ref_window(c->width, t);
  int64_t last = c->current + (int64_t)c->nslots - 1;
  if (w != EVS_CAL_NONE && w > last) w = last;
  /* evs_cal_move must be exactly evs_cal_file with force. */
  if (force && sm_next() % 2)
    REQ_INT(evs_cal_move(c, id, t), ==, EVS_OK);
  else
    REQ_INT(evs_cal_file(c, id, t, force), ==, EVS_OK);
  int64_t f = m->live[id];
  if (f == w || (f < w && !force)) {
    /* unchanged */
  } else if (w == EVS_CAL_NONE) {
    m->live[id] = EVS_CAL_NONE;
  } else {
    m->live[id] = w;
    m->stamp[id] = ++m->counter;
    m->entries[(uint64_t)w & (c->nslots - 1)]++;
  }
  REQ_INT(evs_cal_slot_of(c, id)->filed, ==, m->live[id]);
  REQ_UINT(c->filings, ==, m->counter);
}

/* A random time from the current window's start to beyond the ring. */
static double random_time(model *m) {
  evs_calendar *c = &m->cal;
  double start = (double)c->current * c->width;
  uint64_t r = sm_next() % 100;
  if (r < 5) return INFINITY;
  if (r < 25) { /* exactly on a window boundary */
    int64_t k = c->current + (int64_t)(sm_next() % (2 * c->nslots));
    return (double)k * c->width;
  }
  if (r < 35) return start; /* inside the current window */
  double t = start + sm_unif() * 1.5 * c->nslots * c->width;
  return t;
}

static int visitor(void *ctx, uint32_t id) {
  model *m = ctx;
  /* The expected next neuron: live in the drained window, smallest stamp. */
  int best = -1;
  for (int i = 0; i < NN; i++)
    if (m->live[i] == m->draining && (best < 0 || m->stamp[i] < m->stamp[best]))
      best = i;
  REQUIRE_MSG(best == (int)id, "visited %u, expected %d", id, best);
  REQ_INT(evs_cal_slot_of(&m->cal, id)->filed, ==,
          EVS_CAL_NONE); /* unfiled before the visit */
  m->live[id] = EVS_CAL_NONE;
  m->visits++;
  if ((int)(sm_next() % 100) < m->refile_pct) {
    /* Often back into the window being drained: it must come up again. */
    double start = (double)m->draining * m->cal.width;
    double t = sm_next() % 2 ? start + 0.3 * m->cal.width : random_time(m);
    model_file(m, id, t, (int)(sm_next() % 2));
  }
  if (m->fail_at >= 0 && (int64_t)m->visits == m->fail_at) return 7;
  return 0;
}

static void model_drain(model *m) {
  evs_calendar *c = &m->cal;
  int64_t w = c->current;
  uint64_t slot = (uint64_t)w & (c->nslots - 1);
  uint64_t stale0 = c->stale;
  m->draining = w;
  m->visits = 0;
  m->fail_at = sm_next() % 10 == 0 ? (int)(sm_next() % 4) + 1 : -1;
  int rc = evs_cal_drain(c, visitor, m);
  if (rc == 7) {
    /* Not advanced; the rest comes in a second drain of the same window. */
    REQ_INT(c->current, ==, w);
    m->fail_at = -1; /* m->visits keeps counting across both drains */
    REQ_INT(evs_cal_drain(c, visitor, m), ==, EVS_OK);
  } else {
    REQ_INT(rc, ==, EVS_OK);
  }
  REQ_INT(c->current, ==, w + 1);
  for (int i = 0; i < NN; i++) REQ_INT(m->live[i], !=, w); /* all visited */
  /* Every entry of the window was either visited or skipped as stale. */
  REQ_UINT(c->stale - stale0, ==, m->entries[slot] - m->visits);
  m->entries[slot] = 0;
}

/* An owner's per-neuron record with the calendar's slot inside it. */
typedef struct owner_record {
  double before;
  evs_cal_slot cal;
  double after;
} owner_record;

/* Random filings and drains checked against the model; with placed, the
 * slots live in records of an owner array whose other fields must stay
 * untouched. */
static void run_model(uint64_t seed, double width, double horizon, int placed) {
  model *m = calloc(1, sizeof *m);
  owner_record *rec = calloc(NN, sizeof *rec);
  for (int i = 0; i < NN; i++) rec[i].before = rec[i].after = i;
  sm_state = seed;
  REQ_INT(evs_cal_init(&m->cal, NN, width, horizon), ==, EVS_OK);
  if (placed) {
    evs_cal_place(&m->cal, &rec[0].cal, sizeof *rec);
    ck_assert_ptr_null(m->cal.own);
    REQUIRE(evs_cal_slot_of(&m->cal, 7) == &rec[7].cal);
  }
  REQ_UINT(m->cal.nslots, <=, 64);
  for (int i = 0; i < NN; i++) m->live[i] = EVS_CAL_NONE;
  for (int step = 0; step < 40000; step++) {
    if (sm_next() % 40 == 0) {
      m->refile_pct = (int)(sm_next() % 3) * 30;
      model_drain(m);
    } else {
      uint32_t id = (uint32_t)(sm_next() % NN);
      model_file(m, id, random_time(m), sm_next() % 10 < 3);
    }
  }
  evs_cal_destroy(&m->cal);
  for (int i = 0; i < NN; i++) {
    REQUIRE(rec[i].before == i);
    REQUIRE(rec[i].after == i);
  }
  free(rec);
  free(m);
}

START_TEST(test_model_small_ring) {
  run_model(11 + (uint64_t)_i, 1e-4, 5e-4, 0);
}
END_TEST

START_TEST(test_model_odd_width) {
  run_model(21 + (uint64_t)_i, 1.5e-4, 1.5e-3, 0);
}
END_TEST

START_TEST(test_model_placed) { run_model(31 + (uint64_t)_i, 1e-4, 5e-4, 1); }
END_TEST

START_TEST(test_init) {
  evs_calendar c;
  const double widths[] = {1e-4, 1.5e-4, 0.1};
  const double horizons[] = {0, 1e-4, 7e-4, 2.5e-3, 1.0};
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 5; b++) {
      REQ_INT(evs_cal_init(&c, 10, widths[a], horizons[b]), ==, EVS_OK);
      REQ_UINT(c.nslots, >, 0);
      REQ_UINT(c.nslots & (c.nslots - 1), ==, 0); /* power of two */
      /* From anywhere in the current window the ring reaches horizon on. */
      REQUIRE((double)(c.nslots - 1) * widths[a] >= horizons[b] * (1 - 1e-12));
      REQ_INT(c.current, ==, 0);
      for (int i = 0; i < 10; i++)
        REQ_INT(evs_cal_slot_of(&c, i)->filed, ==, EVS_CAL_NONE);
      evs_cal_destroy(&c);
    }
  REQ_INT(evs_cal_init(&c, 10, 0, 1), ==, EVS_EINVAL);
  REQ_INT(evs_cal_init(&c, 10, -1e-4, 1), ==, EVS_EINVAL);
  REQ_INT(evs_cal_init(&c, 10, NAN, 1), ==, EVS_EINVAL);
  REQ_INT(evs_cal_init(&c, 10, 1e-4, -1), ==, EVS_EINVAL);
}
END_TEST

START_TEST(test_window_boundaries) {
  const double widths[] = {1e-4, 0.1e-3, 1.5e-4, 1e-3 / 3, 0.1, 7.0e-5};
  int naive_wrong = 0;
  for (int a = 0; a < 6; a++) {
    evs_calendar c;
    double width = widths[a];
    REQ_INT(evs_cal_init(&c, 1, width, 10 * width), ==, EVS_OK);
    for (int64_t k = 0; k < 300000; k += 1 + k / 1000) {
      double t = (double)k * width;
      /* At the boundary itself: window k, by the definition. */
      REQ_INT(evs_cal_window_of(&c, t), ==, k);
      REQUIRE(evs_cal_window_end(&c, k) == (double)(k + 1) * width);
      REQUIRE(evs_cal_window_end(&c, k - 1) <= t);
      REQUIRE(evs_cal_window_end(&c, k) > t);
      if (floor(t * c.inv_width) != (double)k) naive_wrong++;
      /* Just below and just above. */
      double lo = nextafter(t, -INFINITY), hi = nextafter(t, INFINITY);
      REQ_INT(evs_cal_window_of(&c, lo), ==, ref_window(width, lo));
      REQ_INT(evs_cal_window_of(&c, hi), ==, ref_window(width, hi));
      if (k > 0) {
        REQ_INT(evs_cal_window_of(&c, lo), ==, k - 1);
      }
      REQ_INT(evs_cal_window_of(&c, hi), ==, k);
      /* And points inside. */
      double mid = t + 0.5 * width;
      REQ_INT(evs_cal_window_of(&c, mid), ==, ref_window(width, mid));
      /* evs_cal_move files at the same windows (inside the ring). */
      c.current = k > 0 ? k - 1 : 0;
      const double ts[4] = {t, lo, hi, mid};
      for (int i = 0; i < 4; i++) {
        if (ts[i] < (double)c.current * width) continue;
        REQ_INT(evs_cal_move(&c, 0, ts[i]), ==, EVS_OK);
        REQ_INT(evs_cal_slot_of(&c, 0)->filed, ==, ref_window(width, ts[i]));
      }
      for (uint32_t sl = 0; sl < c.nslots; sl++) c.slot[sl].n = 0;
    }
    REQ_INT(evs_cal_window_of(&c, INFINITY), ==, EVS_CAL_NONE);
    /* Far-future finite times (a neuron that will not fire for ages):
     * beyond 2^52 windows the floor corrections could not end (regression:
     * a SuperSpike run hung at t = 1.6e18 s); they are filed at the ring's
     * last window. */
    c.current = 0;
    for (double tf = 1e12; tf < 1e300; tf *= 1e7) {
      REQ_INT(evs_cal_window_of(&c, tf), >, (int64_t)1 << 40);
      REQ_INT(evs_cal_move(&c, 0, tf), ==, EVS_OK);
      REQ_INT(evs_cal_slot_of(&c, 0)->filed, ==, (int64_t)c.nslots - 1);
      REQ_INT(evs_cal_file(&c, 0, tf, 1), ==, EVS_OK);
      REQ_INT(evs_cal_slot_of(&c, 0)->filed, ==, (int64_t)c.nslots - 1);
    }
    for (uint32_t sl = 0; sl < c.nslots; sl++) c.slot[sl].n = 0;
    evs_cal_destroy(&c);
  }
  /* The inputs do reach the case where t * (1/width) rounds below k, so
   * the correction above is exercised. */
  REQ_INT(naive_wrong, >, 0);
}
END_TEST

static uint32_t seen[64];
static int nseen;
static int record(void *ctx, uint32_t id) {
  (void)ctx;
  seen[nseen++] = id;
  return 0;
}

START_TEST(test_clamp_and_force) {
  evs_calendar c;
  const double width = 1e-4;
  REQ_INT(evs_cal_init(&c, 8, width, 3e-4), ==, EVS_OK);
  const int64_t last = (int64_t)c.nslots - 1;
  /* Far beyond the ring: comes up in the ring's last window, not before. */
  REQ_INT(evs_cal_file(&c, 0, 1.0, 0), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 0)->filed, ==, last);
  /* A later time without force changes nothing; an earlier one moves it. */
  REQ_INT(evs_cal_file(&c, 1, 2.5 * width, 0), ==, EVS_OK);
  REQ_INT(evs_cal_file(&c, 1, 0.5 * width + width * last, 0), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 1)->filed, ==, 2);
  REQ_INT(evs_cal_file(&c, 1, 1.5 * width, 0), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 1)->filed, ==, 1);
  /* force moves it later; infinity with force files it nowhere. */
  REQ_INT(evs_cal_file(&c, 2, 0.2 * width, 0), ==, EVS_OK);
  REQ_INT(evs_cal_file(&c, 2, 2.2 * width, 1), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 2)->filed, ==, 2);
  REQ_INT(evs_cal_file(&c, 3, 0.0, 0), ==, EVS_OK);
  REQ_INT(evs_cal_file(&c, 3, INFINITY, 0), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 3)->filed, ==, 0);
  REQ_INT(evs_cal_file(&c, 3, INFINITY, 1), ==, EVS_OK);
  REQ_INT(evs_cal_slot_of(&c, 3)->filed, ==, EVS_CAL_NONE);
  REQ_INT(evs_cal_file(&c, 4, 0.9 * width, 0), ==, EVS_OK);
  for (int64_t w = 0; w <= last; w++) {
    nseen = 0;
    REQ_INT(evs_cal_drain(&c, record, NULL), ==, EVS_OK);
    if (w == 0) {
      REQ_INT(nseen, ==, 1); /* 3 was moved away, 2 forced later */
      REQ_UINT(seen[0], ==, 4);
    } else if (w == 1) {
      REQ_INT(nseen, ==, 1);
      REQ_UINT(seen[0], ==, 1);
    } else if (w == 2) {
      REQ_INT(nseen, ==, 1);
      REQ_UINT(seen[0], ==, 2);
    } else if (w == last) {
      REQ_INT(nseen, ==, 1);
      REQ_UINT(seen[0], ==, 0);
    } else {
      REQ_INT(nseen, ==, 0);
    }
  }
  /* Entries written: 0, 1 (at 2), 1 (at 1), 2, 2 (forced), 3, 4 = 7; live
   * visits 4, so 3 stale: 1 at window 2, 2 and 3 at window 0. */
  REQ_UINT(c.filings, ==, 7);
  REQ_UINT(c.stale, ==, 3);
  evs_cal_destroy(&c);
}
END_TEST

static Suite *calendar_suite(void) {
  Suite *s = suite_create("calendar");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_init);
  tcase_add_test(tc, test_window_boundaries);
  tcase_add_test(tc, test_clamp_and_force);
  tcase_add_loop_test(tc, test_model_small_ring, 0, 3);
  tcase_add_loop_test(tc, test_model_odd_width, 0, 2);
  tcase_add_loop_test(tc, test_model_placed, 0, 2);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(calendar_suite()); }
