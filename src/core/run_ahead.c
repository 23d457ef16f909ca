/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — deliveries ahead of time onto clocked populations (NEST's ring
 * buffers; doc/design-notes.md, "Ring buffers"): which projections hand
 * their spikes to the post type's deliver_ahead when the spikes are
 * flushed instead of as one queue event per spike and delay group, how far
 * ahead the post types must reach, and one spike's row handed over.
 *
 * A projection is delivered ahead when its post type has deliver_ahead,
 * it has neither a learning rule nor a delivery filter (both act on each
 * delivery at its arrival time: a rule's on_pre, a filter's state), its pre
 * population is not exact and every delay is at least one step. The last
 * two make the hand-over come before the tick that takes the input, on
 * one thread and on any number of threads (core/threads.c): the spikes of
 * a clocked population flushed at t arrive at t + d >= t + resolution, a
 * source's spikes of its window [t, t + tick) after t; a threaded run
 * hands them over at the next barrier, whose horizon lies before t_n +
 * d_min (t_n the population's next periodic event at the last barrier),
 * so every tick at or after the arrival is still to run. An exact
 * population's spikes could arrive at the very horizon, after a tick of
 * that time ran on some thread: they keep the queue.
 *
 * The order in which a target's inputs are handed over is the order of the
 * spikes in the one-thread flush order (the flushes in event order, each
 * sorted by time and id), then the projections in the pre population's out
 * list, then the delay groups: the order threads.c merges the flushes in,
 * so the sums do not depend on the number of threads or ranks. */
#include <math.h>

#include "core/run_impl.h"

/* 1 if projection p may be delivered ahead (see the header). */
static int can_go_ahead(const evs_proj *p) {
  const evs_csr *m = p->csr;
  return p->post->type->deliver_ahead && !p->rule && !p->filter &&
         p->pre->type->kind != EVS_POP_EXACT && m && m->nnz > 0 &&
         m->min_delay >= 1;
}

void evs__run_plan_ahead(evs_net *net) {
  for (uint32_t i = 0; i < net->npop; i++)
    net->pop[i]->ahead[0] = net->pop[i]->ahead[1] = 0;
  for (uint32_t k = 0; k < net->nproj; k++) {
    evs_proj *p = net->proj[k];
    p->ahead = can_go_ahead(p);
    if (!p->ahead) continue;
    /* a source hands over its window [t, t + tick) at t */
    double lead = p->pre->type->kind == EVS_POP_SOURCE ? p->pre->tick : 0;
    double span = lead + p->csr->max_delay * net->resolution;
    double *a = &p->post->ahead[p->receptor == EVS_RECEPTOR_INH];
    if (span > *a) *a = span;
  }
}

int evs__run_reserve_ahead(evs_net *net, evs_error *err) {
  for (uint32_t i = 0; i < net->npop; i++) {
    evs_pop *pop = net->pop[i];
    if (!(pop->ahead[0] > 0 || pop->ahead[1] > 0) || !pop->state) continue;
    if (pop->type->reserve_ahead(pop, pop->ahead))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                           "population %s: out of memory for the inputs "
                           "delivered ahead",
                           pop->name);
  }
  return EVS_OK;
}

/* The synapses of the row a (from its start) that arrive before t_end:
 * a row's arrival times increase with its groups (t + d res rounds
 * monotonically in d). */
static uint64_t arriving(const evs_ahead_row *a, double t_end) {
  if (a->t + a->delay[a->n - 1] * a->res < t_end) return a->end[a->n - 1];
  uint64_t n = 0;
  for (uint32_t g = 0, x = 0; g < a->n; x = a->end[g++])
    if (a->t + a->delay[g] * a->res < t_end) n += a->end[g] - x;
  return n;
}

uint64_t evs__run_ahead_row(const evs_proj *p, const evs_csr *m, evs_pop *post,
                            uint32_t row, double t, double t_end) {
  const uint64_t base = m->row_ptr[row], len = m->row_ptr[row + 1] - base;
  if (len == 0) return 0;
  const int narrow = m->target16 != NULL;
  void (*hand)(evs_pop *, int, const evs_ahead_row *) =
      narrow ? post->type->deliver_ahead16 : post->type->deliver_ahead;
  /* the row's synapses, counted from its start as the groups' ends are */
  const void *target = narrow ? (const void *)(m->target16 + base)
                              : (const void *)(m->target + base);
  const float *weight = m->weight ? m->weight + base : NULL;
  evs_ahead_row a = {.t = t,
                     .res = post->resolution, /* as the queue's times */
                     .target = target,
                     .weight = weight,
                     .shared = m->weight_shared,
                     .n = 1,
                     .delay = &m->const_delay};
  if (!m->grp_ptr) {
    /* one group, handed over in parts of at most 2^32 - 1 synapses (the
     * ends are 32-bit; only a row that long has no groups, and the parts
     * keep its order) */
    uint64_t n = 0;
    for (uint64_t at = 0; at < len; at += UINT32_MAX) {
      const uint32_t part =
          len - at < UINT32_MAX ? (uint32_t)(len - at) : UINT32_MAX;
      a.target = narrow ? (const void *)(m->target16 + base + at)
                        : (const void *)(m->target + base + at);
      a.weight = weight ? weight + at : NULL;
      a.end = &part;
      hand(post, p->receptor, &a);
      n += arriving(&a, t_end);
    }
    return n;
  }
  /* The row's lines asked for at once: the rows of a spike lie anywhere
   * in the synapse arrays (24 MB at the microcircuit's 10 %), and its
   * groups' hand-overs read them one after the other, each miss waited
   * for (the copy's first reads were ~40 % of deliver_ahead's samples). */
  const uint64_t g0 = m->grp_ptr[row], g1 = m->grp_ptr[row + 1];
  const size_t bytes = narrow ? 2 : 4; /* a target's */
  for (uint64_t q = 0; q < len; q += 16) {
    if (!narrow || !(q & 16)) /* a line holds 32 narrow targets */
      __builtin_prefetch((const char *)target + q * bytes);
    if (weight) __builtin_prefetch(weight + q);
  }
  for (uint64_t g = g0; g < g1; g += 16) { /* 16 of each a line */
    __builtin_prefetch(m->grp_end + g);
    __builtin_prefetch(m->grp_delay + g);
  }
  a.n = (uint32_t)(g1 - g0);
  a.end = m->grp_end + g0;
  a.delay = m->grp_delay + g0;
  hand(post, p->receptor, &a);
  return arriving(&a, t_end);
}
