/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — checkpoints of a threaded run: the threads' state in the layout
 * of one thread's (core/run_ckpt.c walks it), so that a checkpoint written
 * on any number of threads resumes on any other (doc/reliability.md).
 *
 * A checkpoint is taken at a barrier, once the merged spikes of the last
 * one are handed to the plug-ins and scheduled on every thread
 * (evs__par_settle). Then:
 *  - pending events: a thread holds one delivery event per spike and delay
 *    it has synapses of (owner: the presynaptic population, arg: the delay
 *    in steps); one thread holds one per projection and delay group (owner:
 *    the projection, arg: the group's place in the row), pushed when the
 *    spike is flushed, in the order (projection in the population's out
 *    list, group). The union of the threads' events is turned into one
 *    thread's. Their total order is (time, kind, source, push number); at
 *    equal (time, kind, source) two deliveries come from one neuron: from
 *    the same spike, pushed in (projection, group) order, or from two
 *    spikes of which the earlier (the longer delay) was flushed first. So
 *    the key (time, kind, source, -delay, projection's place, group) orders
 *    them as one thread pushed them, and the saved push numbers are the
 *    ranks in that order (run_ckpt.c saves one thread's as ranks too). On
 *    loading, each thread gets the events of its slices: periodic events
 *    of the populations it holds, and one delivery per (time, neuron,
 *    delay) that it has synapses of, in the same order;
 *  - a population's state: a split population's slices through
 *    evs__ckpt_gather / evs__ckpt_scatter (io/checkpoint_parts.c), the
 *    others as they are (the net's population is the slice);
 *  - a learning or filtered projection split among the threads: the net's
 *    CSR holds the weights (evs__par_gather, and evs__par_scatter back);
 *    its per-thread rule instances and filters as parts: presynaptic
 *    traces (rows) from the first thread holding synapses of the row,
 *    delivery groups the same, postsynaptic traces joined, per-synapse
 *    state in the net's synapse order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/threads_impl.h"
#include "io/checkpoint.h"

/* ---- events -------------------------------------------------------------- */

/* 1 if split m has synapses of row with delay d (steps). */
static int has_delay(const evs_csr *m, uint32_t row, uint32_t d) {
  if (m->row_ptr[row] == m->row_ptr[row + 1]) return 0;
  if (!m->grp_ptr) return m->const_delay == d;
  uint32_t at = 0; /* from the row's start */
  for (uint64_t g = m->grp_ptr[row]; g < m->grp_ptr[row + 1]; g++) {
    if (m->grp_delay[g] == d) return m->grp_end[g] > at;
    at = m->grp_end[g];
  }
  return 0;
}

/* 1 if group g (of row) of split m has synapses. */
static int group_has(const evs_csr *m, uint32_t row, uint64_t g) {
  uint32_t at = g > m->grp_ptr[row] ? m->grp_end[g - 1] : 0;
  return m->grp_end[g] > at;
}

/* An event with what orders equal (time, kind, source) deliveries. */
typedef struct keyed {
  evs_event ev;
  uint32_t d;   /* delay (steps) */
  uint32_t pos; /* the projection's place in the population's out list */
} keyed;

static int keyed_order(const void *a, const void *b) {
  const keyed *x = a, *y = b;
  if (x->ev.t != y->ev.t) return x->ev.t < y->ev.t ? -1 : 1;
  if (x->ev.kind != y->ev.kind) return x->ev.kind < y->ev.kind ? -1 : 1;
  if (x->ev.source != y->ev.source) return x->ev.source < y->ev.source ? -1 : 1;
  if (x->d != y->d) return x->d > y->d ? -1 : 1; /* the earlier spike */
  if (x->pos != y->pos) return x->pos < y->pos ? -1 : 1;
  return (x->ev.arg > y->ev.arg) - (x->ev.arg < y->ev.arg);
}

/* A thread's delivery (see the header). */
typedef struct pend {
  double t;
  uint32_t gid, pop, d;
} pend;

static int pend_order(const void *a, const void *b) {
  const pend *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  if (x->gid != y->gid) return x->gid < y->gid ? -1 : 1;
  return (x->d < y->d) - (x->d > y->d);
}

/* Appends e to *out (room *cap). */
static int add(keyed **out, size_t *n, size_t *cap, keyed e) {
  if (*n == *cap) {
    size_t c = *cap ? 2 * *cap : 64;
    keyed *p = realloc(*out, c * sizeof *p);
    if (!p) return EVS_ENOMEM;
    *out = p;
    *cap = c;
  }
  (*out)[(*n)++] = e;
  return EVS_OK;
}

/* The one-thread events of a thread's delivery d: one per projection of
 * its population with synapses of the row and delay on some thread. */
static int expand(struct evs_par *par, const pend *d, keyed **out, size_t *n,
                  size_t *cap) {
  const evs_pop *pre = par->net->pop[d->pop];
  uint32_t row = d->gid - pre->gid0;
  for (uint32_t pos = 0; pos < pre->n_out; pos++) {
    uint32_t k = pre->out[pos], nc;
    if (par->net->proj[k]->ahead) continue; /* no events (run_ahead.c) */
    evs_csr *const *cs = evs__par_csrs(par, k, &nc);
    if (!nc) continue;
    const evs_csr *m0 = cs[0];
    keyed e = {
        .ev = {.t = d->t, .kind = EVS_EV_DELIVER, .source = d->gid, .owner = k},
        .d = d->d,
        .pos = pos};
    if (!m0->grp_ptr) {
      if (m0->const_delay != d->d) continue;
      for (uint32_t c = 0; c < nc; c++)
        if (cs[c]->row_ptr[row] < cs[c]->row_ptr[row + 1]) {
          if (add(out, n, cap, e)) return EVS_ENOMEM;
          break;
        }
      continue;
    }
    for (uint64_t g = m0->grp_ptr[row]; g < m0->grp_ptr[row + 1]; g++) {
      if (m0->grp_delay[g] != d->d) continue;
      for (uint32_t c = 0; c < nc; c++)
        if (group_has(cs[c], row, g)) {
          e.ev.arg = (uint32_t)(g - m0->grp_ptr[row]);
          if (add(out, n, cap, e)) return EVS_ENOMEM;
          break;
        }
      break; /* one group per delay in a row */
    }
  }
  return EVS_OK;
}

int evs__par_events(struct evs_par *par, evs_event **out, size_t *nout) {
  const evs_net *net = par->net;
  size_t nd = 0, m = 0, n = 0, cap = 0;
  for (uint32_t t = 0; t < par->n; t++) nd += par->w[t].q.size;
  pend *pd = malloc((nd ? nd : 1) * sizeof *pd);
  int *have = calloc(net->npop ? net->npop : 1, sizeof *have);
  keyed *ks = NULL;
  int rc = pd && have ? EVS_OK : EVS_ENOMEM;
  for (uint32_t t = 0; t < par->n && rc == EVS_OK; t++) {
    const evs_queue *q = &par->w[t].q;
    for (size_t i = 0; i < q->size && rc == EVS_OK; i++) {
      const evs_event *ev = &q->heap[i];
      if (ev->kind == EVS_EV_DELIVER) {
        pd[m++] = (pend){ev->t, ev->source, ev->owner, ev->arg};
      } else if (!have[ev->owner]) { /* every slice holds the same one */
        have[ev->owner] = 1;
        keyed e = {.ev = *ev};
        e.ev.seq = 0;
        rc = add(&ks, &n, &cap, e);
      }
    }
  }
  if (rc == EVS_OK) qsort(pd, m, sizeof *pd, pend_order);
  for (size_t i = 0; i < m && rc == EVS_OK; i++)
    if (i == 0 || pend_order(&pd[i - 1], &pd[i]) != 0)
      rc = expand(par, &pd[i], &ks, &n, &cap);
  evs_event *ev = NULL;
  if (rc == EVS_OK && !(ev = malloc((n ? n : 1) * sizeof *ev))) rc = EVS_ENOMEM;
  if (rc == EVS_OK) {
    qsort(ks, n, sizeof *ks, keyed_order);
    for (size_t i = 0; i < n; i++) {
      ev[i] = ks[i].ev;
      ev[i].seq = i;
    }
    *out = ev;
    *nout = n;
  }
  free(pd);
  free(have);
  free(ks);
  return rc;
}

int evs__par_events_load(struct evs_par *par, const evs_event *ev, size_t n,
                         double t_phase) {
  const evs_net *net = par->net;
  for (uint32_t t = 0; t < par->n; t++) { /* the run's counts are r->q's */
    evs_queue *q = &par->w[t].q;
    q->size = 0;
    q->next_seq = q->pushes = q->pops = 0;
  }
  double pt = 0;
  uint32_t pgid = 0, pdelay = 0;
  int prev = 0;
  for (size_t i = 0; i < n; i++) {
    const evs_event *e = &ev[i];
    if (e->kind < EVS_EV_DELIVER) {
      for (uint32_t t = 0; t < par->n; t++)
        if (par->w[t].slice[e->owner] &&
            evs__par_push(&par->w[t], e->t, e->kind, e->source, e->owner, 0))
          return EVS_ENOMEM;
      continue;
    }
    if (e->kind != EVS_EV_DELIVER) return EVS_EINVAL;
    const evs_proj *p = net->proj[e->owner];
    if (p->ahead) return EVS_EINVAL; /* delivered ahead: never an event */
    const evs_pop *pre = p->pre;
    uint32_t row = e->source - pre->gid0, nc, d;
    if (e->source < pre->gid0 || row >= pre->size) return EVS_EINVAL;
    evs_csr *const *cs = evs__par_csrs(par, e->owner, &nc);
    if (!nc) return EVS_EINVAL;
    const evs_csr *m0 = cs[0];
    if (m0->grp_ptr) {
      uint64_t g = m0->grp_ptr[row] + e->arg;
      if (g >= m0->grp_ptr[row + 1]) return EVS_EINVAL;
      d = m0->grp_delay[g];
    } else {
      if (e->arg) return EVS_EINVAL;
      d = m0->const_delay;
    }
    if (prev && pt == e->t && pgid == e->source && pdelay == d) continue;
    prev = 1;
    pt = e->t;
    pgid = e->source;
    pdelay = d;
    for (uint32_t t = 0; t < par->n; t++) {
      worker *w = &par->w[t];
      int has = 0;
      for (uint32_t k = 0; k < pre->n_out && !has; k++)
        has = w->csr[pre->out[k]] && !net->proj[pre->out[k]]->ahead &&
              has_delay(w->csr[pre->out[k]], row, d);
      if (has &&
          evs__par_push(w, e->t, EVS_EV_DELIVER, e->source, pre->index, d))
        return EVS_ENOMEM;
    }
  }
  par->h_t = t_phase;
  par->h_kind = 0;
  return EVS_OK;
}

/* ---- counters ------------------------------------------------------------ */

int evs__par_ckpt_ticks(struct evs_par *par, evs_ckpt *ck) {
  const evs_net *net = par->net;
  evs_ckpt_fixed(ck, par->ticks, net->npop, sizeof *par->ticks);
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck))
    for (uint32_t t = 0; t < par->n; t++)
      for (uint32_t p = 0; p < net->npop; p++)
        par->w[t].ticks[p] = par->ticks[p];
  return evs_ckpt_status(ck);
}

uint64_t evs__par_syn_events(const struct evs_par *par) {
  uint64_t n = 0;
  for (uint32_t t = 0; t < par->n; t++) n += par->w[t].syn_events;
  return n;
}

void evs__par_queue_counts(const struct evs_par *par, uint64_t *pushes,
                           uint64_t *pops) {
  for (uint32_t t = 0; t < par->n; t++) {
    /* a delivery listed due stands for a push and a pop (threads_due.c) */
    *pushes += par->w[t].q.pushes + par->w[t].listed;
    *pops += par->w[t].q.pops + par->w[t].listed;
  }
}

/* ---- populations --------------------------------------------------------- */

/* The slices of population p and their parts' description (n, first,
 * size filled; the caller frees first and size). */
static int pop_parts(struct evs_par *par, uint32_t p, evs_pop **sl,
                     evs_ckpt_parts *ps, uint32_t *first, uint32_t *size) {
  const uint32_t *b = par->bound + (size_t)p * (par->n + 1);
  /* on several ranks, the rank's block is the whole it saves */
  const uint32_t lo = par->net->pop[p]->rank_lo;
  ps->n = 0;
  for (uint32_t t = 0; t < par->n; t++) {
    if (!par->w[t].own[p]) continue;
    sl[ps->n] = par->w[t].slice[p];
    first[ps->n] = b[t] - lo;
    size[ps->n++] = b[t + 1] - b[t];
  }
  ps->first = first;
  ps->size = size;
  ps->whole = par->net->pop[p]->rank_hi - lo;
  return EVS_OK;
}

static int pop_hook(void *ctx, uint32_t k, evs_ckpt *sub) {
  evs_pop *s = ((evs_pop **)ctx)[k];
  return s->type->checkpoint(s, sub);
}

/* The spikes as run_ckpt.c saves one population's: those not yet flushed
 * (sorted, as the flush sorts them), over the first of the last flush's,
 * r->last_n[p] of them. */
static int spikes_walk(struct evs_par *par, uint32_t p, evs_ckpt *ck) {
  evs_run *r = par->run;
  size_t nspk = 0, last = r->last_n[p];
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].slice[p]) nspk += par->w[t].slice[p]->nspk;
  size_t keep = nspk > last ? nspk : last;
  evs_spike *a = malloc((keep ? keep : 1) * sizeof *a);
  if (!a) return evs_ckpt_refuse(ck, "out of memory in a checkpoint");
  if (!evs_ckpt_loading(ck)) {
    size_t m = 0;
    for (uint32_t t = 0; t < par->n; t++) {
      const evs_pop *s = par->w[t].slice[p];
      if (s) memcpy(a + m, s->spk, s->nspk * sizeof *a);
      m += s ? s->nspk : 0;
    }
    qsort(a, nspk, sizeof *a, evs__spike_order);
    if (last > nspk)
      memcpy(a + nspk, par->last[p] + nspk, (last - nspk) * sizeof *a);
  }
  size_t cap = keep;
  evs_ckpt_bytes(ck, &nspk, sizeof nspk);
  evs_ckpt_spikes(ck, &a, &keep, &cap);
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    const evs_pop *pop = par->net->pop[p];
    if (nspk > keep || last > keep) {
      free(a);
      return evs_ckpt_refuse(ck, "a corrupt checkpoint: population %s's spikes",
                             pop->name);
    }
    for (uint32_t t = 0; t < par->n; t++) {
      evs_pop *s = par->w[t].slice[p];
      if (!s) continue;
      s->nspk = 0;
      for (size_t i = 0; i < nspk; i++)
        if (a[i].id >= s->first && a[i].id - s->first < s->size &&
            evs__spike_append(&s->spk, &s->nspk, &s->capspk, a[i].t, a[i].id)) {
          free(a);
          return evs_ckpt_refuse(ck, "out of memory in a checkpoint");
        }
    }
    evs_spike *l = realloc(par->last[p], (last ? last : 1) * sizeof *l);
    if (!l) {
      free(a);
      return evs_ckpt_refuse(ck, "out of memory in a checkpoint");
    }
    memcpy(l, a, last * sizeof *l);
    par->last[p] = l;
    par->caplast[p] = last ? last : 1;
  }
  free(a);
  return evs_ckpt_status(ck);
}

int evs__par_ckpt_pop(struct evs_par *par, evs_pop *pop, evs_ckpt *ck) {
  uint32_t p = pop->index;
  if (spikes_walk(par, p, ck)) return evs_ckpt_status(ck);
  uint64_t crossings = pop->crossings;
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].own[p]) crossings += par->w[t].slice[p]->crossings;
  evs_ckpt_bytes(ck, &pop->nspikes, sizeof pop->nspikes);
  evs_ckpt_bytes(ck, &crossings, sizeof crossings);
  evs_ckpt_bytes(ck, &pop->failed, sizeof pop->failed);
  if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
  if (evs_ckpt_loading(ck)) { /* the slices count from 0 on */
    pop->crossings = crossings;
    for (uint32_t t = 0; t < par->n; t++)
      if (par->w[t].own[p]) par->w[t].slice[p]->crossings = 0;
  }
  if (!pop->type->checkpoint)
    return evs_ckpt_refuse(ck,
                           "population %s: neuron type %s cannot be saved "
                           "in a checkpoint yet",
                           pop->name, pop->type->name);
  /* on several ranks, a population another rank holds whole is that
   * rank's to save */
  if (par->comm && pop->rank_hi == pop->rank_lo) return evs_ckpt_status(ck);
  if (!par->split[p]) return pop->type->checkpoint(pop, ck);
  char what[96];
  snprintf(what, sizeof what, "population %s", pop->name);
  evs_pop **sl = calloc(par->n, sizeof *sl);
  uint32_t *first = calloc(par->n, sizeof *first);
  uint32_t *size = calloc(par->n, sizeof *size);
  evs_ckpt_parts ps = {.what = what};
  if (!sl || !first || !size)
    evs_ckpt_refuse(ck, "out of memory in a checkpoint");
  else {
    pop_parts(par, p, sl, &ps, first, size);
    if (evs_ckpt_loading(ck))
      evs__ckpt_scatter(ck, &ps, pop_hook, sl);
    else
      evs__ckpt_gather(ck, &ps, pop_hook, sl);
  }
  free(sl);
  free(first);
  free(size);
  return evs_ckpt_status(ck);
}

/* ---- projections --------------------------------------------------------- */

/* Projection k's parts (the threads holding a part of it, in order) and
 * their maps (io/checkpoint.h, evs_ckpt_parts): post slices, the part
 * holding each row's and each group's synapses first, and each synapse's
 * part and place when the net keeps the projection's CSR. */
typedef struct proj_parts {
  evs_ckpt_parts ps;
  evs_proj **part; /* [n] */
  uint32_t *first, *size, *row_part, *grp_part, *syn_part;
  uint64_t *syn_at;
  char what[96];
} proj_parts;

static void proj_parts_free(proj_parts *pp) {
  free(pp->part);
  free(pp->first);
  free(pp->size);
  free(pp->row_part);
  free(pp->grp_part);
  free(pp->syn_part);
  free(pp->syn_at);
}

static int proj_parts_make(struct evs_par *par, const evs_proj *p,
                           proj_parts *pp) {
  uint32_t k = p->index, post = p->post->index, n = 0;
  const uint32_t *b = par->bound + (size_t)post * (par->n + 1);
  memset(pp, 0, sizeof *pp);
  snprintf(pp->what, sizeof pp->what, "projection %s", p->name);
  pp->ps.what = pp->what;
  uint32_t *index = calloc(par->n, sizeof *index); /* thread -> part */
  pp->part = calloc(par->n, sizeof *pp->part);
  pp->first = calloc(par->n, sizeof *pp->first);
  pp->size = calloc(par->n, sizeof *pp->size);
  if (!index || !pp->part || !pp->first || !pp->size) goto nomem;
  const evs_csr *m0 = NULL;
  for (uint32_t t = 0; t < par->n; t++) {
    if (!par->w[t].part[k]) continue;
    index[t] = n;
    pp->part[n] = par->w[t].part[k];
    pp->first[n] = b[t] - p->post->rank_lo;
    pp->size[n++] = b[t + 1] - b[t];
    m0 = par->w[t].csr[k];
  }
  pp->ps.n = n;
  pp->ps.first = pp->first;
  pp->ps.size = pp->size;
  pp->ps.whole = p->post->rank_hi - p->post->rank_lo;
  if (!n) {
    free(index);
    return EVS_OK;
  }
  uint32_t rows = m0->n_pre;
  uint64_t groups = m0->grp_ptr ? m0->grp_ptr[rows] : rows;
  pp->row_part = calloc(rows ? rows : 1, sizeof *pp->row_part);
  pp->grp_part = calloc(groups ? groups : 1, sizeof *pp->grp_part);
  if (!pp->row_part || !pp->grp_part) goto nomem;
  for (uint32_t i = 0; i < rows; i++) {
    int row_set = 0;
    for (uint32_t q = 0; q < n; q++) {
      const evs_csr *m = pp->part[q]->csr;
      if (!row_set && m->row_ptr[i] < m->row_ptr[i + 1]) {
        pp->row_part[i] = q;
        row_set = 1;
      }
    }
    if (!m0->grp_ptr) {
      pp->grp_part[i] = pp->row_part[i];
      continue;
    }
    for (uint64_t g = m0->grp_ptr[i]; g < m0->grp_ptr[i + 1]; g++)
      for (uint32_t q = n; q-- > 0;) /* the first part that has some */
        if (group_has(pp->part[q]->csr, i, g)) pp->grp_part[g] = q;
  }
  pp->ps.row_part = pp->row_part;
  pp->ps.rows = rows;
  pp->ps.grp_part = pp->grp_part;
  pp->ps.groups = groups;
  const evs_csr *m = p->csr; /* the net's, kept for a learning projection */
  if (m) {
    pp->syn_part = malloc((m->nnz ? m->nnz : 1) * sizeof *pp->syn_part);
    pp->syn_at = malloc((m->nnz ? m->nnz : 1) * sizeof *pp->syn_at);
    if (!pp->syn_part || !pp->syn_at) goto nomem;
    for (uint32_t i = 0; i < m->n_pre; i++) {
      for (uint32_t t = 0; t < par->n; t++)
        par->cursor[t] = par->w[t].csr[k] ? par->w[t].csr[k]->row_ptr[i] : 0;
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
        uint32_t j = evs_csr_target(m, q), t = 0;
        while (j >= b[t + 1]) t++;
        pp->syn_part[q] = index[t];
        pp->syn_at[q] = par->cursor[t]++;
      }
    }
    pp->ps.syn_part = pp->syn_part;
    pp->ps.syn_at = pp->syn_at;
    pp->ps.synapses = m->nnz;
  }
  free(index);
  return EVS_OK;
nomem:
  free(index);
  proj_parts_free(pp);
  return EVS_ENOMEM;
}

static int rule_hook(void *ctx, uint32_t k, evs_ckpt *sub) {
  evs_rule *pl = ((proj_parts *)ctx)->part[k]->rule;
  return pl->type->checkpoint(pl, sub);
}

static int filter_hook(void *ctx, uint32_t k, evs_ckpt *sub) {
  evs_filter *f = ((proj_parts *)ctx)->part[k]->filter;
  return f->type->checkpoint(f, sub);
}

int evs__par_split_proj(const struct evs_par *par, const evs_proj *p) {
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].part[p->index]) return 1;
  return 0;
}

int evs__par_ckpt_parts(struct evs_par *par, const evs_proj *p, int filter,
                        evs_ckpt *ck) {
  proj_parts pp;
  if (proj_parts_make(par, p, &pp))
    return evs_ckpt_refuse(ck, "out of memory in a checkpoint");
  evs_ckpt_part_hook hook = filter ? filter_hook : rule_hook;
  if (evs_ckpt_loading(ck))
    evs__ckpt_scatter(ck, &pp.ps, hook, &pp);
  else
    evs__ckpt_gather(ck, &pp.ps, hook, &pp);
  proj_parts_free(&pp);
  return evs_ckpt_status(ck);
}
