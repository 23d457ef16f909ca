/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the event queue: a 4-ary min-heap over a flat array.
 *
 * Children of slot i are 4i+1 .. 4i+4, its parent (i-1)/4. A 4-ary heap is
 * half as deep as a binary one and its four children share a cache line or
 * two, which makes pops (the dominant cost) cheaper. Sifting moves a hole
 * instead of swapping, so each level costs one copy. */
#include <assert.h>
#include <stdlib.h>

#include "evsnn/error.h"
#include "core/queue.h"

/* The total order, inlined on the hot path. */
static inline int before(const evs_event *a, const evs_event *b) {
  if (a->t != b->t) return a->t < b->t;
  if (a->kind != b->kind) return a->kind < b->kind;
  if (a->source != b->source) return a->source < b->source;
  return a->seq < b->seq;
}

int evs_event_before(const evs_event *a, const evs_event *b) {
  return before(a, b);
}

int evs_queue_init(evs_queue *q, size_t capacity) {
  if (capacity == 0) capacity = 1;
  q->heap = malloc(capacity * sizeof *q->heap);
  q->size = 0;
  q->cap = q->heap ? capacity : 0;
  q->next_seq = 0;
  q->pushes = 0;
  q->pops = 0;
  return q->heap ? EVS_OK : EVS_ENOMEM;
}

void evs_queue_destroy(evs_queue *q) {
  free(q->heap);
  q->heap = NULL;
  q->size = q->cap = 0;
}

/* Doubles the capacity; the queue is unchanged on failure. */
static int grow(evs_queue *q) {
  size_t cap = q->cap ? 2 * q->cap : 16;
  if (cap < q->cap || cap > SIZE_MAX / sizeof *q->heap) return EVS_ENOMEM;
  evs_event *h = realloc(q->heap, cap * sizeof *h);
  if (!h) return EVS_ENOMEM;
  q->heap = h;
  q->cap = cap;
  return EVS_OK;
}

int evs_queue_push(evs_queue *q, const evs_event *ev) {
  if (q->size == q->cap && grow(q) != EVS_OK) return EVS_ENOMEM;
  evs_event e = *ev;
  e.seq = q->next_seq++;
  evs_event *h = q->heap;
  size_t i = q->size++;
  while (i > 0) {
    size_t parent = (i - 1) >> 2;
    if (!before(&e, &h[parent])) break;
    h[i] = h[parent];
    i = parent;
  }
  h[i] = e;
  q->pushes++;
  return EVS_OK;
}

int evs_queue_pop(evs_queue *q, evs_event *out) {
  if (q->size == 0) return 0;
  evs_event *h = q->heap;
  *out = h[0];
  q->pops++;
  size_t n = --q->size;
  if (n == 0) return 1;
  /* Sift the last element down from the root. */
  const evs_event last = h[n];
  size_t i = 0;
  for (;;) {
    size_t c = 4 * i + 1;
    if (c >= n) break;
    size_t best = c;
    size_t end = c + 4 < n ? c + 4 : n;
    for (size_t k = c + 1; k < end; k++)
      if (before(&h[k], &h[best])) best = k;
    if (!before(&h[best], &last)) break;
    h[i] = h[best];
    i = best;
  }
  h[i] = last;
  return 1;
}

const evs_event *evs_queue_peek(const evs_queue *q) {
  return q->size ? &q->heap[0] : NULL;
}
