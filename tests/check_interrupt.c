/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: an interruption (evs_run_opts.interrupt) of a threaded run,
 * raised at chosen points of the run rather than by a signal's timing.
 *
 * A signal sets the flag at any moment of the run's main thread; the run
 * looks at it between two barriers of its threads. So which barrier first
 * sees it is the only thing a signal's timing decides, and raising the flag
 * from a plug-in's hooks at every point in turn (the k-th call of its
 * spikes hook, or its clock's k-th event) reproduces every outcome of the
 * race deterministically. Whatever the point, the spikes the plug-ins are
 * handed must be exactly those of the same model run uninterrupted on one
 * thread before the stop time T (the same times, ids and order), and T
 * must be where the run says it stopped (evs_run_end at finish). The
 * reference is that one-thread run, cut at each T: independent of the
 * threaded scheduler under test. */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define CLOCK_STEP 1e-3 /* s: the watcher's own clock, as a probe's */

/* One spike as the plug-ins see it. */
typedef struct seen {
  double t;
  uint32_t pop, id;
} seen;

typedef struct watcher {
  seen *spk; /* the spikes handed to the spikes hook, in order */
  size_t n, cap;
  long calls;       /* spikes hook calls so far */
  long ticks;       /* clock events so far */
  double last_tick; /* s: the latest clock event's time */
  long raise_call;  /* raise the flag at this spikes call (-1: never) */
  long raise_tick;  /* raise the flag at this clock event (-1: never) */
  double t_end;     /* s: finish's t_end */
  int npop;         /* populations listened to */
} watcher;

/* The flag the run looks at, as a signal handler would set it. */
static volatile sig_atomic_t flag;

static int w_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  watcher *w = evs_plugin_state(pl);
  for (int p = 0; p < w->npop; p++) {
    int rc = evs_run_listen(run, pl, (uint32_t)p);
    if (rc) return rc;
  }
  return evs_run_push(run, pl, CLOCK_STEP, EVS_EV_RECORD, 0, 1);
}

static int w_clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  watcher *w = evs_plugin_state(pl);
  w->last_tick = ev->t;
  if (w->ticks++ == w->raise_tick) flag = SIGINT;
  return evs_run_push(run, pl, (double)(ev->arg + 1) * CLOCK_STEP,
                      EVS_EV_RECORD, 0, ev->arg + 1);
}

static int w_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                    const evs_spike *spk, size_t n) {
  (void)run;
  watcher *w = evs_plugin_state(pl);
  if (w->calls++ == w->raise_call) flag = SIGINT;
  if (w->n + n > w->cap) {
    while (w->n + n > w->cap) w->cap = w->cap ? 2 * w->cap : 4096;
    w->spk = realloc(w->spk, w->cap * sizeof *w->spk);
    if (!w->spk) return EVS_ENOMEM;
  }
  for (size_t i = 0; i < n; i++)
    w->spk[w->n++] = (seen){.t = spk[i].t, .pop = pop, .id = spk[i].id};
  return EVS_OK;
}

static int w_finish(evs_plugin *pl, evs_run *run, double t_end) {
  (void)run;
  watcher *w = evs_plugin_state(pl);
  w->t_end = t_end;
  return EVS_OK;
}

/* The state is the test's: nothing to free with the net. */
static void w_destroy(evs_plugin *pl) { (void)pl; }

static const evs_plugin_type watcher_type = {
    .name = "interrupt watcher",
    .start = w_start,
    .clock = w_clock,
    .spikes = w_spikes,
    .finish = w_finish,
    .destroy = w_destroy,
};

/* models/cuba.ini ($MODELS) with the inhibitory delays at 0.5 ms, for
 * duration seconds on threads threads, the watcher raising the flag at w's
 * points; returns evs_net_run's status. The two exact populations then
 * have windows of 0.1 ms (E) and 0.5 ms (I), so most barriers fall inside
 * an I window: a stop there closes that window at T, as the one-thread run
 * closes the window a stop falls in. */
static int run_cuba(watcher *w, int threads, double duration) {
  static const char *const set[] = {"IE.delay=0.5 ms", "II.delay=0.5 ms"};
  const char *dir = getenv("MODELS");
  char path[1024];
  snprintf(path, sizeof path, "%s/cuba.ini", dir ? dir : "models");
  evs_model_opts mo = {.overrides = set, .n_overrides = 2};
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", path, err.msg);
  w->npop = evs_net_population_count(m->net);
  ck_assert_int_eq(evs_net_add_plugin(m->net, &watcher_type, w, &err), EVS_OK);
  flag = 0;
  m->run.duration = duration;
  m->run.threads = threads;
  m->run.interrupt = &flag;
  rc = evs_net_run(m->net, &m->run, &err);
  evs_model_free(m);
  return rc;
}

/* The reference: the whole run on one thread, uninterrupted. */
static watcher reference;
#define DURATION 0.08 /* s */

static void make_reference(void) {
  if (reference.n) return;
  reference = (watcher){.raise_call = -1, .raise_tick = -1};
  ck_assert_int_eq(run_cuba(&reference, 1, DURATION), EVS_OK);
  ck_assert_uint_gt(reference.n, 1000);
}

/* A run on threads threads interrupted at w's point: stopped
 * (EVS_ESTOPPED) at T = its t_end inside the run, the watcher's clock run
 * at every event time before T and at none after, and each population's
 * spikes those of the reference before T, in the same order (a
 * population's spikes reach the plug-ins in time order; populations with
 * different windows interleave differently once cut at T, so they are
 * compared one by one). */
static void check_stop(int threads, watcher *w, const char *what, long k) {
  int rc = run_cuba(w, threads, DURATION);
  REQUIRE_MSG(rc == EVS_ESTOPPED, "%d threads, %s %ld: status %d", threads,
              what, k, rc);
  const double T = w->t_end;
  REQUIRE_MSG(T > 0 && T < DURATION, "%d threads, %s %ld: T = %.17g", threads,
              what, k, T);
  /* every event before T ran, none at or after it: the clock's too */
  REQUIRE_MSG(w->last_tick < T && w->last_tick + CLOCK_STEP >= T,
              "%d threads, %s %ld: T = %.17g, the last clock event at %.17g",
              threads, what, k, T, w->last_tick);
  for (int p = 0; p < reference.npop; p++) {
    size_t i = 0, j = 0; /* w's and the reference's spikes of p */
    for (;;) {
      while (i < w->n && (int)w->spk[i].pop != p) i++;
      while (j < reference.n &&
             ((int)reference.spk[j].pop != p || !(reference.spk[j].t < T)))
        j++;
      if (i == w->n || j == reference.n) break;
      const seen *a = &w->spk[i], *b = &reference.spk[j];
      REQUIRE_MSG(a->t == b->t && a->id == b->id,
                  "%d threads, %s %ld (T = %.17g): population %d's spike "
                  "(%u, %.17g), the uninterrupted run's (%u, %.17g)",
                  threads, what, k, T, p, a->id, a->t, b->id, b->t);
      i++;
      j++;
    }
    REQUIRE_MSG(i == w->n && j == reference.n,
                "%d threads, %s %ld (T = %.17g): population %d: %s at %.17g",
                threads, what, k, T, p,
                i < w->n ? "an extra spike"
                         : "the uninterrupted run's spike missing",
                i < w->n ? w->spk[i].t : reference.spk[j].t);
  }
  free(w->spk);
}

/* The flag raised at every spikes call in a stretch of the run (the tell
 * of each barrier's merged flushes), on 2 and 3 threads. */
START_TEST(test_raised_in_spikes_hook) {
  make_reference();
  for (int threads = 2; threads <= 3; threads++)
    for (long k = 200; k < 260; k++) {
      watcher w = {.raise_call = k, .raise_tick = -1};
      check_stop(threads, &w, "spikes call", k);
    }
}
END_TEST

/* The flag raised at each of the watcher's clock events (a plug-in's
 * horizon, after which the deliveries at its time and its event have run:
 * not a time to stop at), on 2 and 3 threads. */
START_TEST(test_raised_in_clock_hook) {
  make_reference();
  for (int threads = 2; threads <= 3; threads++)
    for (long k = 10; k < 70; k++) {
      watcher w = {.raise_call = -1, .raise_tick = k};
      check_stop(threads, &w, "clock event", k);
    }
}
END_TEST

static Suite *interrupt_suite(void) {
  Suite *s = suite_create("interrupt");
  TCase *tc = tcase_create("threads");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_raised_in_spikes_hook);
  tcase_add_test(tc, test_raised_in_clock_hook);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(interrupt_suite()); }
