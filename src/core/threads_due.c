/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a thread's deliveries due in its step, listed instead of pushed.
 *
 * At the start of a step a thread turns the spikes merged at the barrier
 * into deliveries onto its slices, one per spike and delay it holds
 * synapses of (evs__par_schedule). Those before the
 * step's horizon are not pushed on its queue: they are listed (w->due),
 * with the ranges of their synapses in every projection (w->rng, found
 * while the rows' bounds are at hand), sorted in the queue's order and
 * taken in turn with the queue's events (evs__par_step), exactly where the
 * queue would have popped them: the queue's order is (time, kind, source,
 * push order), the list's (time, source, listing order) with the kind
 * EVS_EV_DELIVER, and a queue event of the same (time, kind, source) was
 * pushed at an earlier barrier, so it goes first (due_first). On B1
 * every delivery is due in its step (its one delay is the window): a
 * thread's queue holds its periodic events alone, and the step pays no
 * push and pop per spike, nor finds a delivery's synapses twice (once to
 * fetch them ahead, once to deliver them). Later deliveries (longer delays,
 * a horizon cut by a plug-in's event) are pushed as before. */
#include <stdlib.h>
#include <string.h>

#include "core/threads_impl.h"

/* Room for one more due delivery and n more ranges (due_room's growth).
 * EVS_OK or EVS_ENOMEM. */
static int due_grow(worker *w, uint32_t n) {
  if (w->ndue == w->capdue) {
    size_t cap = w->capdue ? 2 * w->capdue : 256;
    due_ev *a = realloc(w->due, cap * sizeof *a);
    if (!a) return EVS_ENOMEM;
    w->due = a;
    a = realloc(w->due_tmp, cap * sizeof *a);
    if (!a) return EVS_ENOMEM;
    w->due_tmp = a;
    w->capdue = cap;
  }
  if (w->nrng + n > w->caprng) {
    size_t cap = w->caprng ? 2 * w->caprng : 512;
    while (cap < w->nrng + n) cap *= 2;
    due_range *r = realloc(w->rng, cap * sizeof *r);
    if (!r) return EVS_ENOMEM;
    w->rng = r;
    w->caprng = cap;
  }
  return EVS_OK;
}

/* Room for one more due delivery and n more ranges. EVS_OK or EVS_ENOMEM. */
static inline int due_room(worker *w, uint32_t n) {
  if (w->ndue < w->capdue && w->nrng + n <= w->caprng) return EVS_OK;
  return due_grow(w, n);
}

/* Moves h to its next group with synapses on the thread; 0 when none. */
static inline int head_next(head *h) {
  const evs_csr *m = h->m;
  if (!m->grp_ptr) return 0;
  h->at = m->grp_end[h->g++];
  while (h->g < h->ge && m->grp_end[h->g] == h->at) h->g++;
  if (h->g == h->ge) return 0;
  h->delay = m->grp_delay[h->g];
  return 1;
}

/* Spike s of population pop on w: its deliveries, one per delay in
 * increasing delay, each through every projection in the projections'
 * order (evs__par_schedule); with list set, those before the horizon
 * listed with their ranges, the rest pushed. */
static int list_spike(worker *w, const evs_pop *pop, const evs_spike *s,
                      int list) {
  const struct evs_par *par = w->par;
  const double res = par->net->resolution, ht = par->h_t;
  const uint32_t hk = par->h_kind, row = s->id;
  const evs_net *net = par->net;
  head *hs = w->head;
  uint32_t nh = 0, live = 0;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_csr *m = w->csr[pop->out[k]];
    if (!m) continue;
    uint64_t b = m->row_ptr[row], e = m->row_ptr[row + 1];
    if (b == e) continue;
    const evs_proj *p = net->proj[pop->out[k]];
    if (p->ahead) { /* handed over now (run_ahead.c) */
      evs_pop *post = w->slice[p->post->index];
      w->syn_events +=
          evs__run_ahead_row(p, m, post, row, s->t, par->run->t_end);
      if (post->failed) return post->failed;
      continue;
    }
    /* a delivery due in this step: its first targets fetched now, with
     * every merged spike's (prefetch_due reads them) */
    if (s->t + m->min_delay * res < ht)
      __builtin_prefetch(evs__target_addr(m, b));
    head *h = &hs[nh++];
    live++;
    if (!m->grp_ptr) {
      *h = (head){.delay = m->const_delay,
                  .g = 0,
                  .ge = 1,
                  .m = m,
                  .start = b,
                  .stop = e,
                  .proj = pop->out[k]};
      continue;
    }
    *h = (head){.g = m->grp_ptr[row],
                .ge = m->grp_ptr[row + 1],
                .m = m,
                .start = b,
                .proj = pop->out[k]};
    while (m->grp_end[h->g] == 0) h->g++; /* the row has some here */
    h->delay = m->grp_delay[h->g];
  }
  const uint32_t gid = pop->gid0 + row;
  while (live) {
    uint32_t d = UINT32_MAX;
    for (uint32_t k = 0; k < nh; k++)
      if (hs[k].m && hs[k].delay < d) d = hs[k].delay;
    double t = s->t + d * res;
    int due = list && (t < ht || (t == ht && EVS_EV_DELIVER < hk));
    if (!due) {
      if (evs__par_push(w, t, EVS_EV_DELIVER, gid, pop->index, d))
        return EVS_ENOMEM;
    } else {
      if (due_room(w, nh)) return EVS_ENOMEM;
      w->due[w->ndue] = (due_ev){.t = t,
                                 .source = gid,
                                 .seq = (uint32_t)w->ndue,
                                 .pop = pop->index,
                                 .row = row,
                                 .first = (uint32_t)w->nrng};
    }
    uint32_t n = 0;
    for (uint32_t k = 0; k < nh; k++) {
      head *h = &hs[k];
      if (!h->m || h->delay != d) continue;
      const evs_csr *m = h->m;
      if (due) {
        due_range *r = &w->rng[w->nrng + n++];
        if (!m->grp_ptr)
          *r = (due_range){h->start, h->stop, h->proj, 0};
        else
          *r = (due_range){h->start + h->at, h->start + m->grp_end[h->g],
                           h->proj, (uint32_t)(h->g - m->grp_ptr[row])};
      }
      if (!head_next(h)) {
        h->m = NULL;
        live--;
      }
    }
    if (due) {
      w->due[w->ndue++].n = n;
      w->nrng += n;
    }
  }
  return EVS_OK;
}

int evs__par_schedule(worker *w, const evs_pop *pop, const evs_spike *s) {
  return list_spike(w, pop, s, 0);
}

/* 1 if due delivery a goes before b: the queue's order (time, source,
 * push order; the kind is the same). */
static inline int due_before(const due_ev *a, const due_ev *b) {
  if (a->t != b->t) return a->t < b->t;
  if (a->source != b->source) return a->source < b->source;
  return a->seq < b->seq;
}

/* Sorts w->due in the queue's order: its runs merged pair by pair,
 * w->due_tmp the scratch (the two swap). The list comes in sorted runs (a
 * flush's spikes are in time order, and one delay keeps it): on B1 two,
 * the excitatory and the inhibitory population's, so one merge.
 * O(n log runs). */
static void sort_due(worker *w) {
  const size_t n = w->ndue;
  for (;;) {
    due_ev *a = w->due, *b = w->due_tmp;
    size_t runs = 0, i = 0;
    while (i < n) {
      size_t m = i + 1; /* a run [i, m) */
      while (m < n && !due_before(&a[m], &a[m - 1])) m++;
      runs++;
      if (m == n) {
        if (runs > 1) memcpy(b + i, a + i, (n - i) * sizeof *a);
        break;
      }
      size_t e = m + 1; /* the next run [m, e) */
      while (e < n && !due_before(&a[e], &a[e - 1])) e++;
      runs++;
      size_t x = i, y = m, o = i;
      while (x < m && y < e)
        b[o++] = due_before(&a[y], &a[x]) ? a[y++] : a[x++];
      if (x < m) memcpy(b + o, a + x, (m - x) * sizeof *a);
      if (y < e) memcpy(b + o, a + y, (e - y) * sizeof *a);
      i = e;
    }
    if (runs <= 1) return;
    w->due = b;
    w->due_tmp = a;
  }
}

/* The delay (steps) of every synapse of pop on w if each of its outgoing
 * projections held here has one (no delay groups; none delivered ahead)
 * and they all have the same, with those projections in w->head (m, proj);
 * else UINT32_MAX. *nh: how many. */
static uint32_t one_delay(worker *w, const evs_pop *pop, uint32_t *nh) {
  const evs_net *net = w->par->net;
  uint32_t d = UINT32_MAX;
  *nh = 0;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_csr *m = w->csr[pop->out[k]];
    if (!m) continue;
    if (m->grp_ptr || net->proj[pop->out[k]]->ahead ||
        (d != UINT32_MAX && m->const_delay != d))
      return UINT32_MAX;
    d = m->const_delay;
    w->head[(*nh)++] = (head){.m = m, .proj = pop->out[k]};
  }
  return d;
}

/* list_spike for a population whose synapses on w all have delay d, in the
 * nh projections of w->head: one delivery, or none. */
static inline int list_one_delay(worker *w, const evs_pop *pop,
                                 const evs_spike *s, uint32_t d, uint32_t nh) {
  const struct evs_par *par = w->par;
  const double t = s->t + d * par->net->resolution;
  const uint32_t row = s->id;
  if (!(t < par->h_t || (t == par->h_t && EVS_EV_DELIVER < par->h_kind))) {
    for (uint32_t k = 0; k < nh; k++) {
      const evs_csr *m = w->head[k].m;
      if (m->row_ptr[row] != m->row_ptr[row + 1])
        return evs__par_push(w, t, EVS_EV_DELIVER, pop->gid0 + row, pop->index,
                             d);
    }
    return EVS_OK;
  }
  if (due_room(w, nh)) return EVS_ENOMEM;
  uint32_t n = 0;
  due_range *r = w->rng + w->nrng;
  for (uint32_t k = 0; k < nh; k++) {
    const evs_csr *m = w->head[k].m;
    uint64_t b = m->row_ptr[row], e = m->row_ptr[row + 1];
    if (b == e) continue;
    /* its first targets fetched now, with every merged spike's
     * (prefetch_due reads them) */
    __builtin_prefetch(evs__target_addr(m, b));
    r[n++] = (due_range){b, e, w->head[k].proj, 0};
  }
  if (!n) return EVS_OK;
  w->due[w->ndue] = (due_ev){.t = t,
                             .source = pop->gid0 + row,
                             .seq = (uint32_t)w->ndue,
                             .pop = pop->index,
                             .row = row,
                             .first = (uint32_t)w->nrng,
                             .n = n};
  w->ndue++;
  w->nrng += n;
  return EVS_OK;
}

/* w->route of pop's outgoing projections held on w. */
static void set_routes(worker *w, const evs_pop *pop) {
  const evs_net *net = w->par->net;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const uint32_t j = pop->out[k];
    const evs_csr *m = w->csr[j];
    if (!m) continue;
    const evs_proj *p = net->proj[j];
    const evs_proj *own = w->part[j] ? w->part[j] : p;
    w->route[j] = (due_route){.post = w->slice[p->post->index],
                              .m = m,
                              .p = p,
                              .weight = m->weight,
                              .receptor = p->receptor,
                              .plain = !own->filter && !own->rule};
  }
}

/* Lists the deliveries of the spikes merged at the last barrier on w's
 * slices: those before the step's horizon in w->due, sorted in the queue's
 * order, with their synapses' ranges in w->rng; the later ones pushed; the
 * projections delivered ahead handed over at once. EVS_OK, EVS_ENOMEM or a
 * slice's failure. */
static int list_due(worker *w) {
  const struct evs_par *par = w->par;
  int rc = EVS_OK;
  w->ndue = w->nrng = 0;
  for (size_t f = 0; f < par->nlf && rc == EVS_OK; f++) {
    const flush_view *v = &par->lf[f];
    const evs_pop *pop = par->net->pop[v->pop];
    set_routes(w, pop);
    uint32_t nh, d = one_delay(w, pop, &nh);
    if (d != UINT32_MAX) {
      for (size_t i = 0; i < v->n && rc == EVS_OK; i++)
        rc = list_one_delay(w, pop, &v->spk[i], d, nh);
      continue;
    }
    for (size_t i = 0; i < v->n && rc == EVS_OK; i++)
      rc = list_spike(w, pop, &v->spk[i], 1);
  }
  if (rc == EVS_OK) sort_due(w);
  /* the queue's statistics as if they had been pushed: the peak is reached
   * once every delivery is scheduled (the step then pops one event before
   * each push) */
  w->listed += w->ndue;
  if (w->q.size + w->ndue > w->queue_peak) w->queue_peak = w->q.size + w->ndue;
  return rc;
}

/* Delivers due delivery d: its ranges in order, each straight to the post
 * type when its projection has neither filter nor rule on the thread
 * (evs__par_deliver_range's work). EVS_OK or a post slice's failure. */
static inline int deliver_due(worker *w, const due_ev *d) {
  for (uint32_t k = 0; k < d->n; k++) {
    const due_range *r = &w->rng[d->first + k];
    const due_route *rt = &w->route[r->proj];
    int rc;
    if (rt->plain) {
      const size_t n = r->end - r->begin;
      evs__deliver(rt->post, d->t, rt->receptor, rt->m, r->begin,
                   rt->weight ? rt->weight + r->begin : NULL, n);
      w->syn_events += n;
      rc = rt->post->failed;
    } else {
      rc = evs__par_deliver_range(w, d->t, rt->p, rt->m, d->row, r->begin,
                                  r->end, r->grp);
    }
    if (rc) return rc;
  }
  return EVS_OK;
}

/* Starts fetching what delivering d reads first: every range's targets
 * (fetched while listing) and, through the post type's prefetch, the
 * records of the first of them (see prefetch_next in threads_events.c). */
static inline void prefetch_due(const worker *w, const due_ev *d) {
  for (uint32_t k = 0; k < d->n; k++) {
    const due_range *r = &w->rng[d->first + k];
    const due_route *rt = &w->route[r->proj];
    evs__prefetch(rt->post, rt->m, r->begin, r->end - r->begin);
  }
}

/* 1 if due delivery d pops before queue event q in the queue's order. On an
 * equal (time, kind, source) q does: it was pushed at an earlier barrier (a
 * step pushes periodic events only). */
static inline int due_first(const due_ev *d, const evs_event *q) {
  if (d->t != q->t) return d->t < q->t;
  if (q->kind != EVS_EV_DELIVER) return EVS_EV_DELIVER < q->kind;
  return d->source < q->source;
}

/* The first event of w's queue if it comes before the step's horizon
 * (ht, hk), else NULL. */
static inline const evs_event *queue_head(worker *w, double ht, uint32_t hk) {
  const evs_event *q = evs_queue_peek(&w->q);
  return q && (q->t < ht || (q->t == ht && q->kind < hk)) ? q : NULL;
}

void evs__par_step(worker *w) {
  struct evs_par *par = w->par;
  evs__par_prefetch_rows(w);
  int rc = list_due(w);
  const double ht = par->h_t;
  const uint32_t hk = par->h_kind;
  /* the due deliveries and the queue's events before the horizon, in the
   * queue's order: as if the due ones had been pushed. q (the queue's
   * next) and first (due[i] goes before it) are found again after a pop
   * only: a delivery pushes nothing (a step pushes periodic events only) */
  const due_ev *due = w->due;
  size_t i = 0, nd = rc == EVS_OK ? w->ndue : 0;
  const evs_event *q = queue_head(w, ht, hk);
  int first = nd && (!q || due_first(&due[0], q));
  while (rc == EVS_OK) {
    if (first) {
      const due_ev *d = &due[i++];
      /* what follows it: the next due one, else q */
      first = i < nd && (!q || due_first(&due[i], q));
      if (first) prefetch_due(w, &due[i]);
      rc = deliver_due(w, d);
      continue;
    }
    if (!q) break;
    evs_event ev;
    evs_queue_pop(&w->q, &ev);
    if (ev.kind != EVS_EV_DELIVER) {
      rc = evs__par_periodic(w, &ev);
    } else {
      const evs_event *next = evs_queue_peek(&w->q);
      if (i < nd && (!next || due_first(&due[i], next))) {
        prefetch_due(w, &due[i]);
        next = NULL;
      }
      rc = evs__par_deliver_event(w, &ev, next);
    }
    q = queue_head(w, ht, hk);
    first = i < nd && (!q || due_first(&due[i], q));
  }
  w->ndue = w->nrng = 0;
  if (rc == EVS_OK) rc = evs__par_seal_flushes(w);
  if (rc && !w->rc) w->rc = rc;
}
