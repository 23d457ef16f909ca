/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — one thread's work in a threaded run: the deliveries of the
 * merged spikes pushed on its queue (those due in the step are listed
 * instead: threads_due.c, which runs the step), its queue's events (the
 * deliveries onto its slices and their periodic events), its flushes
 * recorded and sealed (the order they keep: atop threads.c). */
#include <stdlib.h>
#include <string.h>

#include "core/threads_impl.h"

/* ---- one thread's work --------------------------------------------------- */

int evs__par_push(worker *w, double t, uint32_t kind, uint32_t source,
                  uint32_t owner, uint32_t arg) {
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = owner, .arg = arg};
  int rc = evs_queue_push(&w->q, &ev);
  if (w->q.size > w->queue_peak) w->queue_peak = w->q.size;
  return rc;
}

/* The synapses [*begin, *end) of presynaptic neuron row in w's split m
 * that have delay d (steps), and *grp their delay group's place in the row
 * (0 without groups; a split keeps the net's groups); an empty range when
 * none. */
static inline void delivery_range(const evs_csr *m, uint32_t row, uint32_t d,
                                  uint64_t *begin, uint64_t *end,
                                  uint32_t *grp) {
  *begin = m->row_ptr[row];
  *end = m->row_ptr[row + 1];
  *grp = 0;
  if (!m->grp_ptr) {
    if (m->const_delay != d) *end = *begin;
    return;
  }
  /* the row's groups have increasing delays */
  uint64_t lo = m->grp_ptr[row], hi = m->grp_ptr[row + 1], g0 = lo;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (m->grp_delay[mid] < d)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == m->grp_ptr[row + 1] || m->grp_delay[lo] != d) {
    *end = *begin;
    return;
  }
  if (lo > g0) *begin = evs_csr_group_end(m, row, lo - 1);
  *end = evs_csr_group_end(m, row, lo);
  *grp = (uint32_t)(lo - g0);
}

/* Starts fetching what queue event next, if a delivery, reads first: in every
 * projection held here (one thread event holds a spike's deliveries of one
 * delay through all of them), its targets and, through the post type's
 * prefetch, the records of the first of them. The targets of a delivery
 * due in the step that scheduled it were fetched then (threads_due.c),
 * so reading them here does not wait, and the records arrive while the
 * current delivery runs: a split row is short (B1 at N = 64,000: 32 and 8
 * targets a thread), so without this every delivery began by waiting for
 * memory, once per spike, projection and thread. */
static inline void prefetch_next(const worker *w, const evs_event *next) {
  if (!next || next->kind != EVS_EV_DELIVER) return;
  const evs_net *net = w->par->net;
  const evs_pop *pre = net->pop[next->owner];
  uint32_t row = next->source - pre->gid0;
  for (uint32_t k = 0; k < pre->n_out; k++) {
    const evs_proj *p = net->proj[pre->out[k]];
    const evs_csr *m = w->csr[p->index];
    if (!m || p->ahead) continue;
    uint64_t begin, end;
    uint32_t grp;
    delivery_range(m, row, next->arg, &begin, &end, &grp);
    if (begin == end) continue;
    const evs_pop *post = w->slice[p->post->index];
    evs__prefetch(post, m, begin, end - begin);
  }
}

/* Delivery ev pushed before a delay change (ev->arg & EVS__INFLIGHT): per
 * projection, what its record says (threads_delays.c), else the synapses
 * of its delay; then the record is freed. Out of deliver's line (cold):
 * deliver keeps its code and pays one bit test. */
__attribute__((noinline, cold)) static int
deliver_changed(worker *w, const evs_event *ev) {
  const evs_net *net = w->par->net;
  const uint32_t slot = ev->arg & ~EVS__INFLIGHT;
  const evs_par_fly *f = &w->fly[slot];
  const evs_pop *pre = net->pop[ev->owner];
  uint32_t row = ev->source - pre->gid0;
  int rc = EVS_OK;
  for (uint32_t k = 0; k < pre->n_out && rc == EVS_OK; k++) {
    const evs_proj *p = net->proj[pre->out[k]];
    const evs_csr *m = w->csr[p->index];
    if (!m || p->ahead) continue;
    const evs_par_redirect *e = NULL;
    for (uint32_t i = 0; i < f->n && !e; i++)
      if (f->r[i].proj == p->index) e = &f->r[i];
    if (e && e->pos) { /* no filter, no rule (net_delays.c) */
      evs_pop *post = w->slice[p->post->index];
      for (uint64_t i = 0; i < e->n; i++) {
        w->fly_target[i] = evs_csr_target(m, e->pos[i]);
        if (m->weight) w->fly_weight[i] = m->weight[e->pos[i]];
      }
      post->type->deliver(post, ev->t, p->receptor, w->fly_target,
                          m->weight ? w->fly_weight : NULL, m->weight_shared,
                          e->n);
      w->syn_events += e->n;
      rc = post->failed;
      continue;
    }
    uint32_t d = e ? e->delay : f->delay;
    if (d == UINT32_MAX) continue; /* none of that delay then */
    uint64_t begin, end;
    uint32_t grp;
    delivery_range(m, row, d, &begin, &end, &grp);
    if (begin < end)
      rc = evs__par_deliver_range(w, ev->t, p, m, row, begin, end, grp);
  }
  evs__par_fly_done(w, slot);
  return rc;
}

int evs__par_deliver_event(worker *w, const evs_event *ev,
                           const evs_event *next) {
  if (__builtin_expect(ev->arg & EVS__INFLIGHT, 0))
    return deliver_changed(w, ev);
  const evs_net *net = w->par->net;
  const evs_pop *pre = net->pop[ev->owner];
  uint32_t row = ev->source - pre->gid0;
  prefetch_next(w, next);
  for (uint32_t k = 0; k < pre->n_out; k++) {
    const evs_proj *p = net->proj[pre->out[k]];
    const evs_csr *m = w->csr[p->index];
    if (!m || p->ahead) continue;
    uint64_t begin, end;
    uint32_t grp;
    delivery_range(m, row, ev->arg, &begin, &end, &grp);
    if (begin == end) continue;
    int rc = evs__par_deliver_range(w, ev->t, p, m, row, begin, end, grp);
    if (rc) return rc;
  }
  return EVS_OK;
}

int evs__par_periodic(worker *w, const evs_event *ev) {
  uint32_t p = ev->owner;
  evs_pop *s = w->slice[p];
  int rc = s->type->tick(s, ev->t);
  if (rc) return rc;
  if (s->failed) return s->failed;
  evs__pop_ticked(s, ev->t);
  if (w->nrec == w->caprec) {
    size_t cap = w->caprec ? 2 * w->caprec : 64;
    flush_rec *nr = realloc(w->rec, cap * sizeof *nr);
    if (!nr) return EVS_ENOMEM;
    w->rec = nr;
    w->caprec = cap;
  }
  w->rec[w->nrec++] = (flush_rec){.t = ev->t,
                                  .kind = ev->kind,
                                  .pop = p,
                                  .worker = w->index,
                                  .begin = w->flushed[p],
                                  .end = s->nspk};
  w->flushed[p] = s->nspk;
  uint64_t k = ++w->ticks[p];
  return evs__par_push(w, evs__periodic_time(s, k), ev->kind, s->gid0, p, 0);
}

/* Flushes up to this many spikes are sorted by insertion: a window of B1
 * finds about 20 a slice, and glibc's qsort allocates and calls the
 * comparison through a pointer (10.4 M of a thread's 539 M instructions on
 * B1 at N = 64,000, 0.3 s; 3.0 M by insertion). */
#define INSERTION_MAX 32

int evs__par_seal_flushes(worker *w) {
  size_t need = w->nout;
  for (size_t i = w->sealed; i < w->nrec; i++)
    need += w->rec[i].end - w->rec[i].begin;
  if (need > w->capout) {
    size_t cap = w->capout ? w->capout : 64;
    while (cap < need) cap *= 2;
    evs_spike *o = realloc(w->out, cap * sizeof *o);
    if (!o) return EVS_ENOMEM;
    w->out = o;
    w->capout = cap;
  }
  for (size_t i = w->sealed; i < w->nrec; i++) {
    flush_rec *f = &w->rec[i];
    evs_spike *a = w->slice[f->pop]->spk + f->begin;
    size_t n = f->end - f->begin;
    if (n > INSERTION_MAX) {
      qsort(a, n, sizeof *a, evs__spike_order);
    } else {
      for (size_t j = 1; j < n; j++) {
        evs_spike x = a[j];
        size_t k = j;
        for (; k > 0 &&
               (a[k - 1].t > x.t || (a[k - 1].t == x.t && a[k - 1].id > x.id));
             k--)
          a[k] = a[k - 1];
        a[k] = x;
      }
    }
    if (n) memcpy(w->out + w->nout, a, n * sizeof *a);
    f->begin = w->nout;
    f->end = w->nout += n;
  }
  /* the slices keep only the spikes found after their last flush */
  for (size_t i = w->sealed; i < w->nrec; i++) {
    uint32_t p = w->rec[i].pop;
    evs_pop *s = w->slice[p];
    if (!w->flushed[p]) continue;
    memmove(s->spk, s->spk + w->flushed[p],
            (s->nspk - w->flushed[p]) * sizeof *s->spk);
    s->nspk -= w->flushed[p];
    w->flushed[p] = 0;
  }
  w->sealed = w->nrec;
  return EVS_OK;
}

void evs__par_prefetch_rows(const worker *w) {
  const struct evs_par *par = w->par;
  const evs_net *net = par->net;
  for (int pass = 0; pass < 2; pass++)
    for (size_t f = 0; f < par->nlf; f++) {
      const evs_pop *pop = net->pop[par->lf[f].pop];
      const evs_spike *spk = par->lf[f].spk;
      for (uint32_t k = 0; k < pop->n_out; k++) {
        const evs_csr *m = w->csr[pop->out[k]];
        if (!m) continue;
        int ahead = net->proj[pop->out[k]]->ahead;
        if (pass == 1 && !m->grp_ptr && !ahead) continue;
        for (size_t i = 0; i < par->lf[f].n; i++) {
          uint32_t id = spk[i].id;
          if (pass == 0) {
            __builtin_prefetch(m->row_ptr + id);
            if (m->grp_ptr) __builtin_prefetch(m->grp_ptr + id);
            continue;
          }
          if (m->grp_ptr) {
            __builtin_prefetch(m->grp_end + m->grp_ptr[id]);
            __builtin_prefetch(m->grp_delay + m->grp_ptr[id]);
          }
          if (ahead) {
            __builtin_prefetch(evs__target_addr(m, m->row_ptr[id]));
            if (m->weight) __builtin_prefetch(m->weight + m->row_ptr[id]);
          }
        }
      }
    }
}
