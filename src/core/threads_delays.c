/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a projection's delays changed between the phases of a threaded
 * run (evs_net_set_delays, core/net_delays.c; the one-thread side is
 * core/run_delays.c): the threads' splits made again from the projection's
 * synapses in their new order, and the deliveries in flight.
 *
 * net_delays.c changes the delays on the projection's synapses joined in
 * the net's order (evs__run_synapses; a learning projection's and a whole
 * post population's CSR is the net's own), as on one thread. Then each
 * thread's split is made again from the result (evs__par_split_csr), so
 * that the splits keep the layout deal gives them (threads_synapses.c),
 * and each split position's new place is known.
 *
 * A threaded delivery event is one per spike and delay: (time, deliver,
 * the neuron's gid, its population, the delay in steps) names every
 * synapse of that delay in every projection out of the population
 * (threads_events.c). After a change the synapses of that delay in the
 * changed projection are others, so each of the thread's pending events of
 * the presynaptic population gets a record (its arg: EVS__INFLIGHT | its
 * slot in the worker's fly) saying, per changed projection, what the event
 * delivers there: a delay group of the new layout (the new delay of its
 * synapses' old group, when the change keeps every group whole: one
 * delivery range, with the filter's group and the rule's range as any
 * delivery), the positions of the old group's synapses on this thread (a
 * change that splits or merges groups; remapped at every later change
 * until the event pops), or nothing (the projection had no synapse of that
 * delay there). The projections without a record keep the event's delay.
 * The event keeps its place in the queue (time, kind, source, push order):
 * the spike arrives when it was due and the post types receive, per
 * projection in the pre population's out order, the synapses the
 * one-thread run's rewritten events hand them, in the same order. */
#include <math.h>
#include <stdlib.h>

#include "core/threads_impl.h"

/* What a pending event delivers of the changed projection: NOTHING, by
 * delay, or positions. */
#define NOTHING UINT32_MAX

/* The old group of row holding delay d in layout m (its global index), or
 * -1 when the row has none. */
static int64_t group_with(const evs_csr *m, uint32_t row, uint32_t d) {
  if (m->row_ptr[row] == m->row_ptr[row + 1]) return -1;
  if (!m->grp_ptr) return m->const_delay == d ? (int64_t)row : -1;
  for (uint64_t g = m->grp_ptr[row]; g < m->grp_ptr[row + 1]; g++)
    if (m->grp_delay[g] == d) return (int64_t)g;
  return -1;
}

/* The positions [*b, *e) of group g (from group_with) of row in m. */
static void group_span(const evs_csr *m, uint32_t row, int64_t g, uint64_t *b,
                       uint64_t *e) {
  *b = m->row_ptr[row];
  *e = m->row_ptr[row + 1];
  if (!m->grp_ptr) return;
  if ((uint64_t)g > m->grp_ptr[row])
    *b = evs_csr_group_end(m, row, (uint64_t)g - 1);
  *e = evs_csr_group_end(m, row, (uint64_t)g);
}

/* The delay (steps) of position q of row in m. */
static uint32_t delay_at(const evs_csr *m, uint32_t row, uint64_t q) {
  if (!m->grp_ptr) return m->const_delay;
  uint64_t g = m->grp_ptr[row];
  while (evs_csr_group_end(m, row, g) <= q) g++;
  return m->grp_delay[g];
}

/* The record of pending event ev on w, made if it has none (the event's
 * arg becomes its slot); NULL when out of memory. */
static evs_par_fly *fly_of(worker *w, evs_event *ev) {
  if (ev->arg & EVS__INFLIGHT) return &w->fly[ev->arg & ~EVS__INFLIGHT];
  if (w->nfly == w->capfly) {
    uint32_t cap = w->capfly ? 2 * w->capfly : 16;
    if (cap >= EVS__INFLIGHT) return NULL;
    evs_par_fly *f = realloc(w->fly, cap * sizeof *f);
    if (!f) return NULL;
    w->fly = f;
    w->capfly = cap;
  }
  w->fly[w->nfly] = (evs_par_fly){.delay = ev->arg, .used = 1};
  w->live++;
  ev->arg = EVS__INFLIGHT | w->nfly;
  return &w->fly[w->nfly++];
}

/* Record f's entry for projection k, added (delivering by f's delay) if it
 * has none; NULL when out of memory. */
static evs_par_redirect *entry_of(evs_par_fly *f, uint32_t k) {
  for (uint32_t i = 0; i < f->n; i++)
    if (f->r[i].proj == k) return &f->r[i];
  evs_par_redirect *r = realloc(f->r, (f->n + 1) * sizeof *r);
  if (!r) return NULL;
  f->r = r;
  f->r[f->n] = (evs_par_redirect){.proj = k, .delay = f->delay};
  return &f->r[f->n++];
}

/* Room for an explicit delivery of n synapses in w's scratch arrays. */
static int fly_room(worker *w, uint64_t n) {
  if (n <= w->fly_room) return EVS_OK;
  uint32_t *t = realloc(w->fly_target, n * sizeof *t);
  if (!t) return EVS_ENOMEM;
  w->fly_target = t;
  float *x = realloc(w->fly_weight, n * sizeof *x);
  if (!x) return EVS_ENOMEM;
  w->fly_weight = x;
  w->fly_room = n;
  return EVS_OK;
}

/* The change of p seen by one thread: its split before (s; the net's CSR
 * itself when the post population runs whole: then old is its layout
 * before), and each of s's old positions' new one (moved). */
typedef struct change {
  const evs_proj *p;
  const evs_csr *s, *old, *now; /* split before; the net's layout before and
                                   now (the whole projection, joined) */
  const uint64_t *moved;        /* [s->nnz] */
  const uint64_t *moved_whole;  /* [synapses]: the net's */
  int bijective;
} change;

/* Redirects entry e of a pending delivery of row on w for change c. */
static int redirect(worker *w, const change *c, uint32_t row,
                    evs_par_redirect *e) {
  if (e->pos) {
    for (uint64_t i = 0; i < e->n; i++) e->pos[i] = c->moved[e->pos[i]];
    return EVS_OK;
  }
  if (e->delay == NOTHING) return EVS_OK;
  int64_t g = group_with(c->old, row, e->delay);
  if (g < 0) {
    e->delay = NOTHING;
    return EVS_OK;
  }
  uint64_t b, end;
  group_span(c->old, row, g, &b, &end);
  if (c->bijective) { /* the group is whole in the new layout */
    e->delay = delay_at(c->now, row, c->moved_whole[b]);
    return EVS_OK;
  }
  /* its synapses on this thread (a split keeps the net's groups), where
   * they are now */
  group_span(c->s == c->now ? c->old : c->s, row, g, &b, &end);
  if (b == end) {
    e->delay = NOTHING;
    return EVS_OK;
  }
  if (!(e->pos = malloc((end - b) * sizeof *e->pos))) return EVS_ENOMEM;
  e->n = end - b;
  for (uint64_t q = b; q < end; q++) e->pos[q - b] = c->moved[q];
  return fly_room(w, e->n);
}

/* Every pending delivery of p's pre population on w made to deliver, of
 * p, the synapses it named before change c. EVS_OK or EVS_ENOMEM (the
 * records made so far are right). */
static int redirect_queue(worker *w, const change *c) {
  const evs_proj *p = c->p;
  for (size_t i = 0; i < w->q.size; i++) {
    evs_event *ev = &w->q.heap[i];
    if (ev->kind != EVS_EV_DELIVER || ev->owner != p->pre->index) continue;
    uint32_t row = ev->source - p->pre->gid0;
    evs_par_fly *f = fly_of(w, ev);
    evs_par_redirect *e = f ? entry_of(f, p->index) : NULL;
    if (!e || redirect(w, c, row, e)) return EVS_ENOMEM;
  }
  return EVS_OK;
}

void evs__par_fly_done(worker *w, uint32_t slot) {
  evs_par_fly *f = &w->fly[slot];
  for (uint32_t i = 0; i < f->n; i++) free(f->r[i].pos);
  free(f->r);
  *f = (evs_par_fly){0};
  if (--w->live == 0) w->nfly = 0; /* every slot free again */
}

void evs__par_fly_free(worker *w) {
  for (uint32_t i = 0; i < w->nfly; i++)
    if (w->fly[i].used) {
      for (uint32_t j = 0; j < w->fly[i].n; j++) free(w->fly[i].r[j].pos);
      free(w->fly[i].r);
    }
  free(w->fly);
  free(w->fly_target);
  free(w->fly_weight);
}

/* ---- the splits made again -------------------------------------------------
 */

/* The thread of target j of a population with bounds b over n threads. */
static uint32_t thread_of(const uint32_t *b, uint32_t n, uint32_t j) {
  uint32_t t = 0;
  while (t + 1 < n && j >= b[t + 1]) t++;
  return t;
}

/* For every thread t holding a split of p (not the net's CSR): its split
 * of the new layout now into fresh[t], and moved[t][x] the new place of
 * its old position x. The k-th synapse onto a thread's block in the net's
 * order is the split's k-th, before as after. EVS_OK or EVS_ENOMEM. */
static int resplit(struct evs_par *par, const evs_proj *p, const evs_csr *now,
                   const uint64_t *moved_to, evs_csr **fresh,
                   uint64_t **moved) {
  const uint32_t n = par->n, k = p->index;
  const uint32_t *b = par->bound + (size_t)p->post->index * (n + 1);
  uint64_t *place = malloc((now->nnz ? now->nnz : 1) * sizeof *place);
  uint64_t *count = calloc(n, sizeof *count);
  int rc = place && count ? EVS_OK : EVS_ENOMEM;
  for (uint32_t t = 0; t < n && rc == EVS_OK; t++) {
    const evs_csr *s = par->w[t].csr[k];
    if (!s || s == now) continue;
    if (evs__par_split_csr(p, now, b[t], b[t + 1], &fresh[t]) ||
        !(moved[t] = malloc((s->nnz ? s->nnz : 1) * sizeof **moved)))
      rc = EVS_ENOMEM;
  }
  if (rc == EVS_OK) {
    for (uint64_t q = 0; q < now->nnz; q++) /* new places */
      place[q] = count[thread_of(b, n, evs_csr_target(now, q))]++;
    for (uint32_t t = 0; t < n; t++) count[t] = 0;
    for (uint64_t q = 0; q < now->nnz; q++) { /* old places, in old order */
      uint64_t to = moved_to[q];
      uint32_t t = thread_of(b, n, evs_csr_target(now, to));
      if (moved[t]) moved[t][count[t]] = place[to];
      count[t]++;
    }
  }
  free(place);
  free(count);
  return rc;
}

/* Split s of a learning projection takes the delays of fresh, which holds
 * its synapses in the same places (a learning projection has one delay:
 * no synapse moves); its weights, transposed index and rule state stay. */
static void adopt_delays(evs_csr *s, evs_csr *fresh) {
  free(s->grp_ptr);
  free(s->grp_delay);
  free(s->grp_end);
  s->grp_ptr = fresh->grp_ptr;
  s->grp_delay = fresh->grp_delay;
  s->grp_end = fresh->grp_end;
  s->const_delay = fresh->const_delay;
  s->min_delay = fresh->min_delay;
  s->max_delay = fresh->max_delay;
  fresh->grp_ptr = NULL;
  fresh->grp_delay = NULL;
  fresh->grp_end = NULL;
  evs_csr_free(fresh);
}

/* The rings of p's post population (its slices', or its own when whole)
 * long enough for p's new delays (core/run_ahead.c's span). */
static int grow_rings(struct evs_par *par, const evs_proj *p,
                      const evs_csr *now, evs_error *err) {
  evs_pop *post = p->post;
  double lead = p->pre->type->kind == EVS_POP_SOURCE ? p->pre->tick : 0;
  double span = lead + now->max_delay * par->net->resolution;
  double *a = &post->ahead[p->receptor == EVS_RECEPTOR_INH];
  if (!(span > *a)) return EVS_OK;
  *a = span;
  for (uint32_t t = 0; t < par->n; t++) {
    evs_pop *s = par->w[t].slice[post->index];
    if (!s) continue;
    if (s != post) s->ahead[0] = post->ahead[0], s->ahead[1] = post->ahead[1];
    if (s->type->reserve_ahead(s, s->ahead))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                           "population %s: out of memory for the inputs "
                           "delivered ahead",
                           post->name);
  }
  return EVS_OK;
}

int evs__par_delays_end(struct evs_par *par, const evs_proj *p,
                        const evs_csr *old, const uint64_t *moved_to,
                        int bijective, evs_error *err) {
  const uint32_t n = par->n, k = p->index;
  const evs_csr *now = p->csr; /* the new layout, in the net's order */
  evs_csr **fresh = calloc(n, sizeof *fresh);
  uint64_t **moved = calloc(n, sizeof *moved);
  int rc = fresh && moved ? resplit(par, p, now, moved_to, fresh, moved)
                          : EVS_ENOMEM;
  for (uint32_t t = 0; t < n && rc == EVS_OK; t++) {
    worker *w = &par->w[t];
    const evs_csr *s = w->csr[k];
    if (!s || p->ahead) continue; /* delivered ahead: nothing in flight */
    change c = {.p = p,
                .s = s,
                .old = old,
                .now = now,
                .moved = s == now ? moved_to : moved[t],
                .moved_whole = moved_to,
                .bijective = bijective};
    rc = redirect_queue(w, &c);
  }
  for (uint32_t t = 0; t < n && rc == EVS_OK; t++) {
    worker *w = &par->w[t];
    if (!fresh[t]) continue;
    if (w->part[k] && w->part[k]->rule) {
      adopt_delays(w->csr[k], fresh[t]); /* no synapse moved */
    } else {
      evs_csr_free(w->csr[k]);
      w->csr[k] = fresh[t];
      if (w->part[k]) w->part[k]->csr = fresh[t];
    }
    fresh[t] = NULL;
  }
  if (rc == EVS_OK && p->ahead)
    rc = grow_rings(par, p, now, err);
  else if (rc)
    evs_error_set(err, rc, NULL, 0, "%s: out of memory changing delays",
                  p->name);
  evs__par_leads(par);
  for (uint32_t t = 0; t < n; t++) {
    if (fresh) evs_csr_free(fresh[t]);
    if (moved) free(moved[t]);
  }
  free(fresh);
  free(moved);
  return rc;
}

int evs__par_regroup(struct evs_par *par, const evs_proj *p,
                     const uint64_t *from, evs_error *err) {
  int parts = 0;
  for (uint32_t t = 0; t < par->n; t++) {
    evs_proj *part = par->w[t].part[p->index];
    if (!part || !part->filter) continue;
    parts = 1;
    int rc = part->filter->type->regroup(part->filter, part, from, err);
    if (rc) return rc;
  }
  return parts ? EVS_OK : p->filter->type->regroup(p->filter, p, from, err);
}
