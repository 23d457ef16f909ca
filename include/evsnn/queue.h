/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the event queue: a 4-ary min-heap over a flat array.
 *
 * Order is total and deterministic: (time, kind, source, seq), where seq is
 * the push counter. Equal-time events therefore always pop in the same order,
 * whatever the platform. push and pop cost O(log4 n). */
#ifndef EVSNN_QUEUE_H
#define EVSNN_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "export.h"

/* Event kinds. The numeric value is the tie-break rank at equal times:
 * lower values pop first. */
typedef enum evs_event_kind {
  EVS_EV_SOURCE = 0,   /* an input source generates its next window */
  EVS_EV_WINDOW = 1,   /* an exact population closes a min-delay window */
  EVS_EV_CLOCK = 2,    /* a clocked population takes one step */
  EVS_EV_DELIVER = 3,  /* one presynaptic spike reaches one delay group */
  EVS_EV_RECORD = 4,   /* probes sample their variables */
  EVS_EV_PROTOCOL = 5, /* progress report, rate check, other run control */
  EVS_EV_END = 6       /* end of run */
} evs_event_kind;

typedef struct evs_event {
  double t;        /* event time, s */
  uint64_t seq;    /* push order, set by evs_queue_push: last tie-breaker */
  uint32_t kind;   /* evs_event_kind (its value is the rank) */
  uint32_t source; /* causing object: global neuron id for spikes */
  uint32_t owner;  /* handling object: projection or population index */
  uint32_t arg;    /* handler argument: delay group, version, ... */
} evs_event;

typedef struct evs_queue {
  evs_event *heap;   /* heap[0] is the earliest event */
  size_t size;       /* events held */
  size_t cap;        /* allocated slots */
  uint64_t next_seq; /* seq given to the next push */
  uint64_t pushes;   /* statistics: pushes since creation */
  uint64_t pops;     /* statistics: pops since creation */
} evs_queue;

/* 1 if a must pop before b in the total order, else 0. */
EVS_API int evs_event_before(const evs_event *a, const evs_event *b);

/* Initialises an empty queue with room for capacity events (it grows by
 * doubling). Returns EVS_OK or EVS_ENOMEM. */
EVS_API int evs_queue_init(evs_queue *q, size_t capacity);

/* Releases the queue's memory; q can be initialised again. */
EVS_API void evs_queue_destroy(evs_queue *q);

/* Copies *ev in, setting its seq. O(log n). Returns EVS_OK or EVS_ENOMEM
 * (the queue is unchanged then). */
EVS_API int evs_queue_push(evs_queue *q, const evs_event *ev);

/* Removes the earliest event into *out. Returns 1, or 0 if the queue is
 * empty. O(log n). */
EVS_API int evs_queue_pop(evs_queue *q, evs_event *out);

/* The earliest event, or NULL when empty. O(1). */
EVS_API const evs_event *evs_queue_peek(const evs_queue *q);

#endif
