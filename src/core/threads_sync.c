/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's barrier: waiting threads spin, then
 * sleep (doc/scaling.md; the windows it separates are in threads.c). */
#include <unistd.h>

#include "base/clock.h"
#include "core/threads_impl.h"

/* ---- barrier --------------------------------------------------------------
 * A window lasts microseconds (0.1 ms of CUBA is a few hundred deliveries),
 * so a waiting thread first spins on the counter, and only when that takes
 * longer does it sleep on a condition variable. Waking a sleeper costs tens
 * of microseconds on a virtual machine (B1 at N = 64,000 on 2 threads and 2
 * cores ran 2x slower than on one thread with 300 spins: 45,000 context
 * switches in 2 s), so on an idle machine a waiter should spin about as
 * long as a window lasts; but when the threads outnumber the free cores
 * (the tests run 4 threads on 2 cores; a shared machine at load 20) the
 * spinning keeps the thread it waits for off its core (S4 reduced on 2
 * threads at load 20: 165 s instead of 10). So each thread adapts its own
 * limit (worker.spin_limit), between SPINS_MIN and the run's most
 * (evs__par_spins: SPINS_MIN when the run has more threads than the machine
 * has cores): doubled after a wait that ended while spinning, halved after
 * one that had to sleep. A waiter counts itself in sleepers before its last
 * look at the counter, and a writer looks at sleepers after changing the
 * counter (both sequentially consistent), so a wake-up is never lost and
 * costs nothing when nobody sleeps. */
#define SPINS_MIN 300
#define SPINS_MAX 20000

unsigned evs__par_spins(uint32_t threads) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores >= (long)threads ? SPINS_MAX : SPINS_MIN;
}

static inline int waited(_Atomic uint32_t *v, wait_kind k, uint32_t x) {
  uint32_t now = atomic_load(v);
  return k == UNTIL_CHANGED ? now != x : now == x;
}

/* The wait of evs__par_wait once its first look found v not yet as
 * asked. */
static void wait_on(worker *w, _Atomic uint32_t *v, wait_kind k, uint32_t x) {
  struct evs_par *par = w->par;
  for (unsigned spins = 0; spins < w->spin_limit; spins++) {
    if (waited(v, k, x)) {
      if (w->spin_limit < par->spins) w->spin_limit *= 2;
      if (w->spin_limit > par->spins) w->spin_limit = par->spins;
      return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  if (w->spin_limit / 2 >= SPINS_MIN) w->spin_limit /= 2;
  pthread_mutex_lock(&par->lock);
  atomic_fetch_add(&par->sleepers, 1);
  while (!waited(v, k, x)) pthread_cond_wait(&par->wake, &par->lock);
  atomic_fetch_sub(&par->sleepers, 1);
  pthread_mutex_unlock(&par->lock);
}

void evs__par_wait(worker *w, _Atomic uint32_t *v, wait_kind k, uint32_t x) {
  if (waited(v, k, x)) return;
  /* timed: two clock readings, tens of nanoseconds against a window's
   * microseconds */
  double t0 = evs__wall_clock();
  wait_on(w, v, k, x);
  w->waited += evs__wall_clock() - t0;
}

void evs__par_bump(struct evs_par *par, _Atomic uint32_t *v) {
  atomic_fetch_add(v, 1);
  if (atomic_load(&par->sleepers)) {
    pthread_mutex_lock(&par->lock);
    pthread_cond_broadcast(&par->wake);
    pthread_mutex_unlock(&par->lock);
  }
}
