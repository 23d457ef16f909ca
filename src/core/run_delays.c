/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a projection's delays changed between the phases of a run
 * (evs_net_set_delays, core/net_delays.c): its deliveries in flight.
 *
 * A delivery event names a row and a delay group of that row (run.c); the
 * queue orders events by (time, kind, source, push order) and never by
 * their argument, so a pending event's argument can be rewritten in place.
 * At a change every pending delivery of the projection keeps its time (the
 * spike arrives when it was due, NEST's semantics) and is made to name the
 * same synapses in the new layout:
 *  - when every old group of the row is one new group (the change is
 *    "bijective": a learning projection's one delay, a shift of every
 *    delay, one synapse), by the new group's place in the row;
 *  - otherwise by an explicit delivery (evs_inflight): the positions of the
 *    group's synapses, kept and remapped at every later change until the
 *    event pops, which then hands the targets and the weights they have
 *    then to the post type in the group's old order. Only projections
 *    without a rule or a delivery filter get these (net_delays.c refuses
 *    the rest), so a delivery needs nothing else.
 * The record does not depend on how the post type stores what it receives:
 * the event pops at its time and calls the post type's deliver() as any
 * delivery does. A projection delivered ahead (run_ahead.c) has no pending
 * deliveries: its inputs handed over arrive as due, and its post type's
 * rings are made long enough for the new delays. A threaded run's
 * deliveries are one event per spike and delay: threads_delays.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/run_impl.h"

/* The synapses [*b, *e) of old group j (place in the row) of row in the
 * layout old. */
static void group_range(const evs_csr *old, uint32_t row, uint32_t j,
                        uint64_t *b, uint64_t *e) {
  *b = old->row_ptr[row];
  *e = old->row_ptr[row + 1];
  if (!old->grp_ptr) return;
  uint64_t g = old->grp_ptr[row] + j;
  if (g > old->grp_ptr[row]) *b = evs_csr_group_end(old, row, g - 1);
  *e = evs_csr_group_end(old, row, g);
}

/* The place in its row of the group of m holding position q of row. */
static uint32_t group_of(const evs_csr *m, uint32_t row, uint64_t q) {
  if (!m->grp_ptr) return 0;
  uint64_t lo = m->grp_ptr[row], hi = m->grp_ptr[row + 1] - 1;
  while (lo < hi) { /* the first group that ends after q */
    uint64_t mid = lo + (hi - lo) / 2;
    if (evs_csr_group_end(m, row, mid) <= q)
      lo = mid + 1;
    else
      hi = mid;
  }
  return (uint32_t)(lo - m->grp_ptr[row]);
}

/* A new record slot of r (slots are not reused until every record has
 * been delivered), or -1 when out of memory. */
static int64_t fly_slot(evs_run *r) {
  if (r->nfly == r->capfly) {
    uint32_t cap = r->capfly ? 2 * r->capfly : 16;
    if (cap >= EVS__INFLIGHT) return -1;
    evs_inflight *f = realloc(r->fly, cap * sizeof *f);
    if (!f) return -1;
    r->fly = f;
    r->capfly = cap;
  }
  r->fly[r->nfly] = (evs_inflight){0};
  return r->nfly++;
}

/* Room for a record of n synapses in the scratch arrays. */
static int fly_scratch(evs_run *r, uint64_t n) {
  if (n <= r->fly_room) return EVS_OK;
  uint32_t *t = realloc(r->fly_target, n * sizeof *t);
  if (!t) return EVS_ENOMEM;
  r->fly_target = t;
  float *w = realloc(r->fly_weight, n * sizeof *w);
  if (!w) return EVS_ENOMEM;
  r->fly_weight = w;
  r->fly_room = n;
  return EVS_OK;
}

int evs__run_delays_begin(evs_run *r, const evs_proj *p, int bijective,
                          uint32_t dmax, evs_error *err) {
  /* a threaded run's deliveries of one spike are one event per delay: at
   * distinct times (threads_setup.c, delays_distinct) */
  double res = r->net->resolution, last = r->t_end + dmax * res;
  if (r->par &&
      !(isfinite(last) && res > 4 * (nextafter(last, INFINITY) - last)))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: a delay of %g s is too long for "
                         "the run's resolution on several threads",
                         p->name, dmax * res);
  if (r->net->ckpt_every > 0)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the run saves checkpoints (checkpoint_every), "
                         "which do not hold delays: they cannot change "
                         "between its phases");
  r->ckpt_off = 1; /* also when the change fails: records may be made */
  snprintf(r->ckpt_why, sizeof r->ckpt_why,
           "delays changed between phases, which a checkpoint does not "
           "hold");
  if (bijective || r->par) return EVS_OK; /* threads: evs__par_delays_end */
  const evs_csr *m = p->csr;
  for (size_t i = 0; i < r->q.size; i++) {
    evs_event *ev = &r->q.heap[i];
    if (ev->kind != EVS_EV_DELIVER || ev->owner != p->index ||
        (ev->arg & EVS__INFLIGHT))
      continue;
    uint64_t b, e;
    group_range(m, ev->source - p->pre->gid0, ev->arg, &b, &e);
    int64_t k = fly_slot(r);
    uint64_t *pos = k >= 0 ? malloc((e - b) * sizeof *pos) : NULL;
    if (!pos || fly_scratch(r, e - b)) {
      free(pos);
      /* the records made so far name the synapses as they are: right */
      return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                           "projection %s: out of memory changing delays",
                           p->name);
    }
    for (uint64_t q = b; q < e; q++) pos[q - b] = q;
    r->fly[k] = (evs_inflight){.proj = p->index, .n = e - b, .pos = pos};
    r->live++;
    ev->arg = EVS__INFLIGHT | (uint32_t)k;
  }
  return EVS_OK;
}

int evs__run_delays_end(evs_run *r, const evs_proj *p, const evs_csr *old,
                        const uint64_t *moved_to, int bijective,
                        evs_error *err) {
  if (r->par)
    return evs__par_delays_end(r->par, p, old, moved_to, bijective, err);
  for (uint32_t i = 0; i < r->nfly; i++)
    if (r->fly[i].pos && r->fly[i].proj == p->index)
      for (uint64_t k = 0; k < r->fly[i].n; k++)
        r->fly[i].pos[k] = moved_to[r->fly[i].pos[k]];
  for (size_t i = 0; i < r->q.size; i++) {
    evs_event *ev = &r->q.heap[i];
    if (ev->kind != EVS_EV_DELIVER || ev->owner != p->index ||
        (ev->arg & EVS__INFLIGHT))
      continue;
    uint32_t row = ev->source - p->pre->gid0;
    uint64_t b, e;
    group_range(old, row, ev->arg, &b, &e);
    ev->arg = group_of(p->csr, row, moved_to[b]);
  }
  if (!p->ahead) return EVS_OK;
  /* delivered ahead (run_ahead.c): the inputs handed over stay where they
   * are, due when they were; the post type's rings grow to the new
   * largest delay, their contents kept */
  evs__run_plan_ahead(r->net);
  return evs__run_reserve_ahead(r->net, err);
}

int evs__run_regroup(evs_run *r, const evs_proj *p, const uint64_t *from,
                     evs_error *err) {
  if (r && r->par) return evs__par_regroup(r->par, p, from, err);
  return p->filter->type->regroup(p->filter, p, from, err);
}

int evs__run_deliver_inflight(evs_run *r, const evs_event *ev) {
  evs_inflight *f = &r->fly[ev->arg & ~EVS__INFLIGHT];
  const evs_proj *p = r->net->proj[f->proj];
  const evs_csr *m = p->csr;
  for (uint64_t k = 0; k < f->n; k++) {
    r->fly_target[k] = evs_csr_target(m, f->pos[k]);
    if (m->weight) r->fly_weight[k] = m->weight[f->pos[k]];
  }
  p->post->type->deliver(p->post, ev->t, p->receptor, r->fly_target,
                         m->weight ? r->fly_weight : NULL, m->weight_shared,
                         f->n);
  r->net->stats.syn_events += f->n;
  free(f->pos);
  *f = (evs_inflight){0};
  if (--r->live == 0) r->nfly = 0; /* every slot free again */
  return p->post->failed;
}

void evs__run_delays_free(evs_run *r) {
  for (uint32_t i = 0; i < r->nfly; i++) free(r->fly[i].pos);
  free(r->fly);
  free(r->fly_target);
  free(r->fly_weight);
}
