/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — events as plug-ins see them (plugin.h: a plug-in's clock hook
 * gets the event it pushed). The run's queue (private) orders them totally
 * by (time, kind, source, seq), seq the push order: equal-time events
 * always pop in the same order, whatever the platform. */
#ifndef EVSNN_EVENT_H
#define EVSNN_EVENT_H

#include <stdint.h>

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
  uint64_t seq;    /* push order, set when pushed: last tie-breaker */
  uint32_t kind;   /* evs_event_kind (its value is the rank) */
  uint32_t source; /* causing object: global neuron id for spikes */
  uint32_t owner;  /* handling object: projection or population index */
  uint32_t arg;    /* handler argument: delay group, version, ... */
} evs_event;

#endif
