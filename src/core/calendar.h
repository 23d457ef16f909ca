/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the crossing calendar of exact populations (not
 * installed): lazily invalidated per-neuron wake-up buckets.
 *
 * An exact population must look at a neuron no later than the window in
 * which the neuron might cross threshold. The calendar keeps, for each
 * min-delay window, a list of neurons to look at. Moving a neuron to another
 * window does not search the old list: each neuron remembers its current
 * window, and entries for any other window are stale and skipped when that
 * window is drained (lazy invalidation). Windows further ahead than the ring
 * holds are clamped to its last slot; the owner re-files such neurons when
 * they come up early, which is always safe.
 *
 * Windows are numbered from 0 at time 0: window w covers [w*width,
 * (w+1)*width). */
#ifndef EVSNN_CORE_CALENDAR_H
#define EVSNN_CORE_CALENDAR_H

#include <stddef.h>
#include <stdint.h>
#include "evsnn/error.h"

#define EVS_CAL_NONE INT64_MAX /* a neuron filed nowhere */

typedef struct evs_cal_bucket {
  uint32_t *id; /* neuron ids, in filing order */
  uint32_t n;   /* entries */
  uint32_t cap; /* allocated entries */
} evs_cal_bucket;

/* Where a neuron's live entry is. */
typedef struct evs_cal_slot {
  int64_t filed; /* window of the live entry, or EVS_CAL_NONE (a window
                    beyond the ring is stored clamped) */
  uint32_t pos;  /* index of the live entry in its bucket */
} evs_cal_slot;

typedef struct evs_calendar {
  double width;         /* window length, s */
  double inv_width;     /* 1 / width */
  int64_t current;      /* the window being filled/drained next */
  uint32_t nslots;      /* ring size, a power of two */
  evs_cal_bucket *slot; /* ring of buckets, slot = window & (nslots-1) */
  char *slots;          /* neuron id's slot is at slots + id * slot_stride:
                           in own[], or in the owner's per-neuron records
                           (evs_cal_place) */
  size_t slot_stride;   /* bytes */
  evs_cal_slot *own;    /* the calendar's own slots, NULL once placed */
  uint32_t nneurons;    /* neurons tracked */
  uint64_t stale;       /* statistics: stale entries skipped */
  uint64_t filings;     /* statistics: entries written */
} evs_calendar;

/* Prepares a calendar for n neurons, windows of width seconds, and a ring of
 * at least horizon seconds (rounded up to a power-of-two number of windows).
 * Every neuron starts filed nowhere. Returns EVS_OK, EVS_EINVAL or EVS_ENOMEM.
 */
int evs_cal_init(evs_calendar *c, uint32_t n, double width, double horizon);

/* Keeps the slot of neuron id at (char *)records + id * stride instead of
 * the calendar's own array, so that it shares a cache line with the owner's
 * record of the neuron (the owner reserves an evs_cal_slot there, suitably
 * aligned, for the calendar's lifetime); evs_cal_drain's prefetch of the
 * slots a few entries ahead then fetches the records the visits read. Call
 * before anything is filed; every neuron is then filed nowhere. */
void evs_cal_place(evs_calendar *c, void *records, size_t stride);

/* The slot of neuron id. */
static inline evs_cal_slot *evs_cal_slot_of(const evs_calendar *c,
                                            uint32_t id) {
  return (evs_cal_slot *)(void *)(c->slots + (size_t)id * c->slot_stride);
}

/* Frees the calendar's memory. */
void evs_cal_destroy(evs_calendar *c);

/* The window that contains time t: the w with w*width <= t < (w+1)*width,
 * evaluated with the same arithmetic as evs_cal_window_end(), for
 * |t/width| < 2^52; beyond, a window at least that far (times past any
 * ring); EVS_CAL_NONE for t = +infinity. */
int64_t evs_cal_window_of(const evs_calendar *c, double t);

/* End time of window w, (w+1)*width. */
double evs_cal_window_end(const evs_calendar *c, int64_t w);

/* Files neuron id to be looked at in the window containing time t (t >= start
 * of the current window; t = +inf files it nowhere). If the neuron is already
 * filed at that window or an earlier one, nothing changes unless force is set,
 * in which case it is filed at exactly that window. A window beyond the ring
 * (current + nslots - 1) is clamped to it, and the neuron counts as filed
 * there. Re-filing the neuron's own window changes nothing (it keeps its place
 * in the filing order). Filing before the current window is a caller bug
 * (asserted). Amortised O(1), no search. Returns EVS_OK or EVS_ENOMEM (the
 * calendar is unchanged then). */
int evs_cal_file(evs_calendar *c, uint32_t id, double t, int force);

/* Files neuron id in the window containing time t, moving it there from
 * whichever window it is filed at (earlier or later): exactly
 * evs_cal_file(c, id, t, 1), with the common case (t inside the ring, room in
 * the bucket) inlined for the owners' hot paths. Same preconditions and
 * return values. */
static inline int evs_cal_move(evs_calendar *c, uint32_t id, double t) {
  double x = t * c->inv_width;
  if (x >= 0 && x < 4503599627370496.0) { /* 2^52; false for NaN, inf */
    /* the arithmetic of evs_cal_window_of() */
    int64_t w = (int64_t)x;
    while ((double)w * c->width > t) w--;
    while ((double)(w + 1) * c->width <= t) w++;
    if (w >= c->current && w < c->current + (int64_t)c->nslots - 1) {
      evs_cal_slot *s = evs_cal_slot_of(c, id);
      if (s->filed == w) return EVS_OK;
      evs_cal_bucket *b = &c->slot[(uint64_t)w & (c->nslots - 1)];
      if (b->n < b->cap) {
        s->pos = b->n;
        b->id[b->n++] = id;
        s->filed = w;
        c->filings++;
        return EVS_OK;
      }
    }
  }
  return evs_cal_file(c, id, t, 1);
}

/* Takes the live entries of the current window, in filing order, and
 * advances to the next window. Entries appended to the current window while
 * it is drained (by the callback) are visited too. For every live entry the
 * neuron is first filed nowhere, then visit(ctx, id) is called, which may
 * file it again. Returns EVS_OK or the first non-zero value visit returned;
 * in that case the calendar does not advance and a later drain resumes with
 * the entries not yet visited. Cost O(entries of the window, stale included).
 */
int evs_cal_drain(evs_calendar *c, int (*visit)(void *ctx, uint32_t id),
                  void *ctx);

/* Makes the buckets again from the neurons' slots: every neuron filed at a
 * window gets the live entry there, in the order of ids, and no stale
 * entry is left (the order of a window's visits changes nothing that the
 * visits find when each touches its own neuron only, as exact types'
 * visits do). EVS_OK, EVS_EINVAL (a slot outside the ring) or EVS_ENOMEM. */
int evs_cal_rebuild(evs_calendar *c);

/* Saves or loads (checkpoint.h) the calendar's filings: the window being
 * filled, the statistics (evs_ckpt_count) and its own slots with their
 * windows only (evs_ckpt_neurons; slots placed in the owner's records are
 * the owner's to save, their pos need not be), not the buckets: loading
 * makes them again (evs_cal_rebuild) after the slots, so the file is the
 * same whatever the filing history, and a threaded run's slices save it
 * as one thread's. Loading fills a calendar initialised with the same
 * size and width, after the owner loaded its placed slots. EVS_OK or the
 * checkpoint's error. */
struct evs_ckpt;
int evs_cal_checkpoint(evs_calendar *c, struct evs_ckpt *ck);

#endif
