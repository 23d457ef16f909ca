/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — crossing calendar: lazily invalidated per-neuron wake-up buckets.
 *
 * Invariants:
 *  - the ring holds windows current .. current + nslots - 1; slot
 *    w & (nslots-1) holds entries of window w only (a window beyond the ring
 *    is clamped to current + nslots - 1 before filing, and the slot stores the
 *    clamped window);
 *  - the entry at index k of the bucket of window w is live iff the
 *    neuron's slot has filed == w and pos == k; every other entry is stale.
 *    So a neuron moved away and back leaves at most stale duplicates, never
 *    a second visit, and it is visited at the place of its latest move. */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "evsnn/checkpoint.h"
#include "evsnn/error.h"

#define MAX_SLOTS ((uint32_t)1 << 30)
/* Entries of a bucket whose per-neuron data is fetched ahead while draining. */
#define PREFETCH_AHEAD 8
#define WINDOW_CAP 4611686018427387904.0 /* 2^62: finite times beyond it */
/* Beyond 2^52 windows consecutive window numbers are no longer distinct
 * doubles, so the floor corrections below could not terminate; such times
 * lie far past any ring (at most 2^30 windows), where the exact window does
 * not matter. */
#define WINDOW_EXACT 4503599627370496.0 /* 2^52 */

int evs_cal_init(evs_calendar *c, uint32_t n, double width, double horizon) {
  memset(c, 0, sizeof *c);
  if (!(width > 0) || !isfinite(width) || !(horizon >= 0) || !isfinite(horizon))
    return EVS_EINVAL;
  /* The current window is partly consumed, so a ring that must reach
   * horizon seconds past any moment inside it needs one window more. */
  double need = ceil(horizon / width) + 1;
  if (need > (double)MAX_SLOTS) return EVS_EINVAL;
  uint32_t ns = 1;
  while (ns < (uint32_t)need) ns <<= 1;
  c->width = width;
  c->inv_width = 1.0 / width;
  c->current = 0;
  c->nslots = ns;
  c->nneurons = n;
  c->slot = calloc(ns, sizeof *c->slot);
  c->own = malloc((n ? n : 1) * sizeof *c->own);
  if (!c->slot || !c->own) goto fail;
  evs_cal_place(c, c->own, sizeof *c->own);
  return EVS_OK;
fail:
  evs_cal_destroy(c);
  return EVS_ENOMEM;
}

void evs_cal_place(evs_calendar *c, void *records, size_t stride) {
  if (records != (void *)c->own) {
    free(c->own);
    c->own = NULL;
  }
  c->slots = records;
  c->slot_stride = stride;
  for (uint32_t i = 0; i < c->nneurons; i++) {
    evs_cal_slot *s = evs_cal_slot_of(c, i);
    s->filed = EVS_CAL_NONE;
    s->pos = 0;
  }
}

void evs_cal_destroy(evs_calendar *c) {
  if (c->slot)
    for (uint32_t s = 0; s < c->nslots; s++) free(c->slot[s].id);
  free(c->slot);
  free(c->own);
  c->slot = NULL;
  c->own = NULL;
  c->slots = NULL;
  c->nslots = 0;
  c->nneurons = 0;
}

double evs_cal_window_end(const evs_calendar *c, int64_t w) {
  return (double)(w + 1) * c->width;
}

int64_t evs_cal_window_of(const evs_calendar *c, double t) {
  assert(!isnan(t));
  double x = t * c->inv_width;
  if (!(x < WINDOW_CAP)) {
    if (t == INFINITY) return EVS_CAL_NONE;
    x = WINDOW_CAP;
  }
  if (x < -WINDOW_CAP) x = -WINDOW_CAP;
  /* truncation, then the corrections below make it the floor (cheaper than
   * floor(), which is a library call without SSE4.1) */
  int64_t w = (int64_t)x;
  if (!(fabs(x) < WINDOW_EXACT)) return w;
  /* t * inv_width may round across an integer: correct against the exact
   * expressions used by evs_cal_window_end(). */
  while ((double)w * c->width > t) w--;
  while ((double)(w + 1) * c->width <= t) w++;
  return w;
}

/* Appends id to the bucket of window w; returns its index via *k. */
static int append(evs_calendar *c, int64_t w, uint32_t id, uint32_t *k) {
  evs_cal_bucket *b = &c->slot[(uint64_t)w & (c->nslots - 1)];
  if (b->n == b->cap) {
    if (b->cap == UINT32_MAX) return EVS_ENOMEM;
    uint32_t cap =
        b->cap ? (b->cap > UINT32_MAX / 2 ? UINT32_MAX : 2 * b->cap) : 16;
    uint32_t *p = realloc(b->id, (size_t)cap * sizeof *p);
    if (!p) return EVS_ENOMEM;
    b->id = p;
    b->cap = cap;
  }
  *k = b->n;
  b->id[b->n++] = id;
  c->filings++;
  return EVS_OK;
}

int evs_cal_file(evs_calendar *c, uint32_t id, double t, int force) {
  assert(id < c->nneurons);
  int64_t w = evs_cal_window_of(c, t);
  assert(w >= c->current); /* filing into the past is a caller bug */
  int64_t last = c->current + (int64_t)c->nslots - 1;
  if (w != EVS_CAL_NONE && w > last) w = last;
  evs_cal_slot *s = evs_cal_slot_of(c, id);
  int64_t f = s->filed;
  if (f == w || (f < w && !force)) return EVS_OK;
  if (w == EVS_CAL_NONE) {
    s->filed = EVS_CAL_NONE;
    return EVS_OK;
  }
  uint32_t k;
  int rc = append(c, w, id, &k);
  if (rc != EVS_OK) return rc;
  s->filed = w;
  s->pos = k;
  return EVS_OK;
}

int evs_cal_drain(evs_calendar *c, int (*visit)(void *ctx, uint32_t id),
                  void *ctx) {
  const int64_t w = c->current;
  evs_cal_bucket *b = &c->slot[(uint64_t)w & (c->nslots - 1)];
  /* b->n and b->id are re-read every step: visit may append and realloc. */
  for (uint32_t k = 0; k < b->n; k++) {
    if (k + PREFETCH_AHEAD < b->n) {
      uint32_t ahead = b->id[k + PREFETCH_AHEAD];
      __builtin_prefetch(evs_cal_slot_of(c, ahead), 1);
    }
    uint32_t id = b->id[k];
    evs_cal_slot *s = evs_cal_slot_of(c, id);
    if (s->filed != w || s->pos != k) {
      c->stale++;
      continue;
    }
    s->filed = EVS_CAL_NONE;
    int rc = visit(ctx, id);
    if (rc != 0) {
      /* Keep the unvisited rest as the window's bucket, so that a later
       * drain resumes where this one stopped. */
      uint32_t rest = b->n - (k + 1);
      memmove(b->id, b->id + k + 1, (size_t)rest * sizeof *b->id);
      b->n = rest;
      for (uint32_t j = 0; j < rest; j++) {
        evs_cal_slot *r = evs_cal_slot_of(c, b->id[j]);
        if (r->filed == w && r->pos == j + k + 1) r->pos = j;
      }
      return rc;
    }
  }
  b->n = 0;
  c->current = w + 1;
  return EVS_OK;
}

int evs_cal_rebuild(evs_calendar *c) {
  for (uint32_t i = 0; i < c->nslots; i++) c->slot[i].n = 0;
  uint64_t filings = c->filings;
  for (uint32_t id = 0; id < c->nneurons; id++) {
    evs_cal_slot *s = evs_cal_slot_of(c, id);
    if (s->filed == EVS_CAL_NONE) continue;
    if (s->filed < c->current || s->filed > c->current + (int64_t)c->nslots - 1)
      return EVS_EINVAL;
    int rc = append(c, s->filed, id, &s->pos);
    if (rc) return rc;
  }
  c->filings = filings; /* statistics: filings by the owner only */
  return EVS_OK;
}

int evs_cal_checkpoint(evs_calendar *c, struct evs_ckpt *ck) {
  evs_ckpt_bytes(ck, &c->current, sizeof c->current);
  evs_ckpt_count(ck, &c->stale);
  evs_ckpt_count(ck, &c->filings);
  if (c->own) {
    if (evs_ckpt_loading(ck)) {
      evs_ckpt_neurons(ck, c->own, c->nneurons, sizeof *c->own);
    } else { /* the live entries' places are made again on loading */
      evs_cal_slot *copy = calloc(c->nneurons ? c->nneurons : 1, sizeof *copy);
      if (!copy) return evs_ckpt_refuse(ck, "out of memory saving a calendar");
      for (uint32_t i = 0; i < c->nneurons; i++)
        copy[i].filed = c->own[i].filed;
      evs_ckpt_neurons(ck, copy, c->nneurons, sizeof *copy);
      free(copy);
    }
  }
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    int rc = evs_cal_rebuild(c);
    if (rc == EVS_EINVAL)
      return evs_ckpt_refuse(ck, "a corrupt checkpoint: a neuron filed in a "
                                 "window outside the calendar");
    if (rc) return evs_ckpt_refuse(ck, "out of memory loading a calendar");
  }
  return evs_ckpt_status(ck);
}
