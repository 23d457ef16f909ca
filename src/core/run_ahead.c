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

/* evs__run_ahead_row with m's targets 16-bit if narrow: a constant in each
 * inlined instance, so no group pays a test of the width (and what the
 * loop reads of m is read once). */
static inline __attribute__((always_inline)) uint64_t
ahead_row(const evs_proj *p, const evs_csr *m, evs_pop *post, uint32_t row,
          double t, double t_end, int narrow) {
  const uint64_t base = m->row_ptr[row], len = m->row_ptr[row + 1] - base;
  if (len == 0) return 0;
  const double res = post->resolution; /* as the queue's delivery times */
  const evs_neuron_type *type = post->type;
  const int receptor = p->receptor;
  /* the row's synapses, counted from its start as the groups' ends are */
  const uint16_t *t16 = narrow ? m->target16 + base : NULL;
  const uint32_t *t32 = narrow ? NULL : m->target + base;
  const float *weight = m->weight ? m->weight + base : NULL;
  const float shared = m->weight_shared;
  if (!m->grp_ptr) {
    double ta = t + m->const_delay * res;
    if (narrow)
      type->deliver_ahead16(post, ta, receptor, t16, weight, shared, len);
    else
      type->deliver_ahead(post, ta, receptor, t32, weight, shared, len);
    return ta < t_end ? len : 0;
  }
  /* The row's lines asked for at once: the rows of a spike lie anywhere
   * in the synapse arrays (24 MB at the microcircuit's 10 %), and its
   * groups' hand-overs read them one after the other, each miss waited
   * for (the copy's first reads were ~40 % of deliver_ahead's samples). */
  const uint64_t g0 = m->grp_ptr[row], g1 = m->grp_ptr[row + 1];
  for (uint64_t q = 0; q < len; q += 16) {
    if (!narrow || q % 32 == 0) /* a line holds 32 narrow targets */
      __builtin_prefetch(narrow ? (const void *)(t16 + q)
                                : (const void *)(t32 + q));
    if (weight) __builtin_prefetch(weight + q);
  }
  const uint32_t *grp_delay = m->grp_delay, *grp_end = m->grp_end;
  for (uint64_t g = g0; g < g1; g += 16) { /* 16 of each a line */
    __builtin_prefetch(grp_end + g);
    __builtin_prefetch(grp_delay + g);
  }
  uint64_t n = 0;
  uint32_t at = 0;
  for (uint64_t g = g0; g < g1; g++) {
    uint32_t ge = grp_end[g];
    if (ge == at) continue; /* a thread's split may hold none of it */
    double ta = t + grp_delay[g] * res;
    if (narrow)
      type->deliver_ahead16(post, ta, receptor, t16 + at,
                            weight ? weight + at : NULL, shared, ge - at);
    else
      type->deliver_ahead(post, ta, receptor, t32 + at,
                          weight ? weight + at : NULL, shared, ge - at);
    if (ta < t_end) n += ge - at;
    at = ge;
  }
  return n;
}

uint64_t evs__run_ahead_row(const evs_proj *p, const evs_csr *m, evs_pop *post,
                            uint32_t row, double t, double t_end) {
  return m->target16 ? ahead_row(p, m, post, row, t, t_end, 1)
                     : ahead_row(p, m, post, row, t, t_end, 0);
}
