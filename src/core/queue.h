/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the run's event queue, a 4-ary min-heap over a flat
 * array (the events: evsnn/event.h). Not installed.
 *
 * Order is total and deterministic: (time, kind, source, seq), where seq is
 * the push counter. Equal-time events therefore always pop in the same order,
 * whatever the platform. push and pop cost O(log4 n). */
#ifndef EVSNN_CORE_QUEUE_H
#define EVSNN_CORE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "evsnn/event.h"

typedef struct evs_queue {
  evs_event *heap;   /* heap[0] is the earliest event */
  size_t size;       /* events held */
  size_t cap;        /* allocated slots */
  uint64_t next_seq; /* seq given to the next push */
  uint64_t pushes;   /* statistics: pushes since creation */
  uint64_t pops;     /* statistics: pops since creation */
} evs_queue;

/* 1 if a must pop before b in the total order, else 0. */
int evs_event_before(const evs_event *a, const evs_event *b);

/* Initialises an empty queue with room for capacity events (it grows by
 * doubling). Returns EVS_OK or EVS_ENOMEM. */
int evs_queue_init(evs_queue *q, size_t capacity);

/* Releases the queue's memory; q can be initialised again. */
void evs_queue_destroy(evs_queue *q);

/* Copies *ev in, setting its seq. O(log n). Returns EVS_OK or EVS_ENOMEM
 * (the queue is unchanged then). */
int evs_queue_push(evs_queue *q, const evs_event *ev);

/* Removes the earliest event into *out. Returns 1, or 0 if the queue is
 * empty. O(log n). */
int evs_queue_pop(evs_queue *q, evs_event *out);

/* The earliest event, or NULL when empty. O(1). */
const evs_event *evs_queue_peek(const evs_queue *q);

#endif
