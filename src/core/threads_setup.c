/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's set-up and tear-down: the populations
 * cut into slices and dealt to the threads, every projection's synapses split
 * by target slice, and what the run reads back from them (doc/scaling.md;
 * the ownership is described atop threads.c; a rule's instance per thread,
 * its part, is threads_parts.c's). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/huge.h"
#include "core/ranks.h"
#include "core/threads_impl.h"

/* ---- setting up and tearing down ----------------------------------------- */

int evs__par_split_csr(const evs_proj *p, const evs_csr *m, uint32_t lo,
                       uint32_t hi, evs_csr **out) {
  evs_csr *c = calloc(1, sizeof *c);
  if (!c) return EVS_ENOMEM;
  *out = c;
  c->n_pre = m->n_pre;
  c->n_post = hi - lo;
  c->weight_shared = m->weight_shared;
  c->delay_step = m->delay_step;
  c->const_delay = m->const_delay;
  c->min_delay = m->min_delay;
  c->max_delay = m->max_delay;
  uint64_t nnz = 0;
  for (uint64_t q = 0; q < m->nnz; q++)
    nnz += evs_csr_target(m, q) >= lo && evs_csr_target(m, q) < hi;
  c->row_ptr = malloc(((size_t)m->n_pre + 1) * sizeof *c->row_ptr);
  c->target = malloc((nnz ? nnz : 1) * sizeof *c->target);
  if (m->weight)
    c->weight = evs__huge_alloc((nnz ? nnz : 1) * sizeof *c->weight);
  if (!c->row_ptr || !c->target || (m->weight && !c->weight)) return EVS_ENOMEM;
  uint64_t ngrp = m->grp_ptr ? m->grp_ptr[m->n_pre] : 0;
  if (m->grp_ptr) {
    c->grp_ptr = malloc(((size_t)m->n_pre + 1) * sizeof *c->grp_ptr);
    c->grp_delay = malloc((ngrp ? ngrp : 1) * sizeof *c->grp_delay);
    c->grp_end = malloc((ngrp ? ngrp : 1) * sizeof *c->grp_end);
    if (!c->grp_ptr || !c->grp_delay || !c->grp_end) return EVS_ENOMEM;
    memcpy(c->grp_ptr, m->grp_ptr, ((size_t)m->n_pre + 1) * sizeof *c->grp_ptr);
    memcpy(c->grp_delay, m->grp_delay, ngrp * sizeof *c->grp_delay);
  }
  uint64_t k = 0;
  for (uint32_t i = 0; i < m->n_pre; i++) {
    c->row_ptr[i] = k;
    uint64_t g = m->grp_ptr ? m->grp_ptr[i] : 0;
    for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
      while (m->grp_ptr && q == evs_csr_group_end(m, i, g))
        c->grp_end[g++] = (uint32_t)(k - c->row_ptr[i]);
      uint32_t j = evs_csr_target(m, q);
      if (j < lo || j >= hi) continue;
      c->target[k] = j - lo;
      if (m->weight) c->weight[k] = m->weight[q];
      k++;
    }
    if (m->grp_ptr)
      for (; g < m->grp_ptr[i + 1]; g++)
        c->grp_end[g] = (uint32_t)(k - c->row_ptr[i]);
  }
  c->row_ptr[m->n_pre] = k;
  c->nnz = k;
  if (evs__proj_narrow(p, hi - lo) && evs_csr_narrow(c) < 0) return EVS_ENOMEM;
  return EVS_OK;
}

/* 1 if a row of m longer than batch targets one neuron twice. */
static int repeats_in_long_row(const evs_csr *m, uint32_t batch,
                               uint32_t *mark) {
  int found = 0;
  for (uint32_t i = 0; i < m->n_pre && !found; i++) {
    uint64_t b = m->row_ptr[i], e = m->row_ptr[i + 1];
    if (e - b <= batch) continue;
    for (uint64_t q = b; q < e && !found; q++) {
      uint32_t j = evs_csr_target(m, q);
      if (mark[j] == i + 1) found = 1;
      mark[j] = i + 1;
    }
    for (uint64_t q = b; q < e; q++) mark[evs_csr_target(m, q)] = 0;
  }
  return found;
}

/* Decides which populations are split: sliceable types, unless a row onto
 * them would be batched differently (core/neuron_type.h, deliver_batch), or a
 * projection onto them learns with a rule that is not sliceable, filters
 * its deliveries, or is read in the net's order (whole_post) without a
 * rule: its rule instance, filter state and CSR are then the net's, and
 * one thread runs every handler call in the one-thread order. A sliceable
 * rule's projection gets one instance per thread (evs__par_make_parts) and
 * keeps the net's CSR, into which its weights are gathered
 * (evs__par_gather). */
static int choose_split(struct evs_par *par, evs_error *err) {
  evs_net *net = par->net;
  for (uint32_t p = 0; p < net->npop; p++)
    par->split[p] = net->pop[p]->type->sliceable;
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_proj *pj = net->proj[k];
    if ((pj->filter && !pj->filter->type->part) ||
        (pj->rule && !pj->rule->type->sliceable) ||
        (pj->whole_post && !pj->rule))
      par->split[pj->post->index] = 0;
  }
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_proj *pj = net->proj[k];
    uint32_t batch = pj->post->type->deliver_batch;
    if (!par->split[pj->post->index] || !batch) continue;
    uint32_t *mark = calloc(pj->post->size, sizeof *mark);
    if (!mark) return EVS_ENOMEM;
    /* a rank holds part of each row: any repeat there may be in a long
     * row of the whole projection */
    if (repeats_in_long_row(pj->csr, net->comm ? 0 : batch, mark))
      par->split[pj->post->index] = 0;
    free(mark);
  }
  /* on several ranks a population cut among them must be cut among the
   * threads too (its other ranks hold the rest) */
  for (uint32_t p = 0; net->comm && p < net->npop; p++)
    if (!par->split[p] && evs__ranks_split(net, net->pop[p]))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "population %s: runs whole on one thread here "
                           "(repeated targets in its synapses' rows, or "
                           "recorded static weights), which several ranks "
                           "do not support yet (run it in one process)",
                           net->pop[p]->name);
  return EVS_OK;
}

/* Slice [lo, hi) of population pop, initialised by its type, with the room
 * for inputs ahead that pop->ahead asks for (core/run_ahead.c). */
static int make_slice(const evs_pop *pop, uint32_t lo, uint32_t hi,
                      evs_pop **out, evs_error *err) {
  evs_pop *s = malloc(sizeof *s);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  *s = *pop;
  s->size = hi - lo;
  s->first = lo;
  s->dc = pop->dc ? pop->dc + (lo - pop->rank_lo) : NULL;
  s->state = NULL;
  s->spk = NULL;
  s->nspk = s->capspk = 0;
  s->nspikes = 0;
  s->learn = NULL;
  s->n_learn = 0;
  s->crossings = 0;
  s->failed = 0;
  *out = s;
  int rc = pop->type->init(s, err);
  if (rc == EVS_OK && (s->ahead[0] > 0 || s->ahead[1] > 0) &&
      pop->type->reserve_ahead(s, s->ahead))
    rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return rc;
}

static void free_slice(evs_pop *s) {
  if (!s) return;
  free(s->learn); /* the instances are the threads' parts' */
  s->type->destroy(s);
  free(s->spk);
  free(s);
}

void evs__par_free(struct evs_par *par) {
  if (!par) return;
  evs_net *net = par->net;
  atomic_store(&par->quit, 1);
  evs__par_bump(par, &par->go);
  for (uint32_t t = 0; par->w && t < par->n; t++)
    if (par->w[t].started) pthread_join(par->w[t].tid, NULL);
  pthread_mutex_destroy(&par->lock);
  pthread_cond_destroy(&par->wake);
  /* the whole populations' memos were their threads' (deal) */
  for (uint32_t p = 0; p < net->npop; p++) net->pop[p]->memo = &net->memo;
  for (uint32_t t = 0; par->w && t < par->n; t++) {
    worker *w = &par->w[t];
    evs_queue_destroy(&w->q);
    /* (par_alloc may have failed between a worker's arrays) */
    for (uint32_t p = 0; w->slice && w->own && p < net->npop; p++)
      if (w->own[p]) free_slice(w->slice[p]);
    for (uint32_t k = 0; w->csr && w->own_csr && k < net->nproj; k++)
      if (w->own_csr[k]) evs_csr_free(w->csr[k]);
    free(w->slice);
    free(w->own);
    free(w->flushed);
    free(w->csr);
    free(w->own_csr);
    for (uint32_t k = 0; w->part && k < net->nproj; k++)
      evs__par_free_part(w->part[k]);
    free(w->part);
    free(w->ticks);
    free(w->rec);
    free(w->out);
    free(w->hrec);
    free(w->hout);
    free(w->head);
    free(w->route);
    free(w->due);
    free(w->due_tmp);
    free(w->rng);
    evs__par_fly_free(w);
  }
  for (uint32_t p = 0; par->last && p < net->npop; p++) free(par->last[p]);
  free(par->last);
  free(par->caplast);
  free(par->w);
  free(par->bound);
  free(par->split);
  free(par->lead);
  free(par->ticks);
  free(par->mspk);
  free(par->mf);
  free(par->lf);
  free(par->all);
  free(par->csrs);
  free(par->rules);
  free(par->cursor);
  free(par->by_slice);
  free(par->send);
  free(par);
}

/* The allocations of par and its workers. */
/* n zeroed objects of size bytes (a multiple of 64) on cache lines of
 * their own, or NULL; free() frees them. */
static void *calloc_lines(size_t n, size_t size) {
  void *p = aligned_alloc(64, n * size);
  if (p) memset(p, 0, n * size);
  return p;
}

static int par_alloc(struct evs_par *par) {
  evs_net *net = par->net;
  uint32_t np = net->npop ? net->npop : 1, nk = net->nproj ? net->nproj : 1;
  uint32_t nout = 0;
  for (uint32_t p = 0; p < net->npop; p++)
    if (net->pop[p]->n_out > nout) nout = net->pop[p]->n_out;
  par->w = calloc_lines(par->n, sizeof *par->w);
  par->bound = calloc((size_t)np * (par->n + 1), sizeof *par->bound);
  par->split = calloc(np, sizeof *par->split);
  par->lead = calloc(np, sizeof *par->lead);
  par->ticks = calloc(np, sizeof *par->ticks);
  par->last = calloc(np, sizeof *par->last);
  par->caplast = calloc(np, sizeof *par->caplast);
  par->csrs = calloc(par->n, sizeof *par->csrs);
  par->rules = calloc(par->n, sizeof *par->rules);
  par->cursor = calloc(par->n, sizeof *par->cursor);
  par->by_slice = calloc(nk, sizeof *par->by_slice);
  if (!par->w || !par->bound || !par->split || !par->lead || !par->ticks ||
      !par->last || !par->caplast || !par->csrs || !par->rules ||
      !par->cursor || !par->by_slice)
    return EVS_ENOMEM;
  for (uint32_t t = 0; t < par->n; t++) {
    worker *w = &par->w[t];
    w->par = par;
    w->index = t;
    w->memo.h = NAN;
    w->slice = calloc(np, sizeof *w->slice);
    w->own = calloc(np, sizeof *w->own);
    w->flushed = calloc(np, sizeof *w->flushed);
    w->ticks = calloc(np, sizeof *w->ticks);
    w->csr = calloc(nk, sizeof *w->csr);
    w->own_csr = calloc(nk, sizeof *w->own_csr);
    w->part = calloc(nk, sizeof *w->part);
    w->head = calloc(nout ? nout : 1, sizeof *w->head);
    w->route = calloc(nk, sizeof *w->route);
    if (!w->slice || !w->own || !w->flushed || !w->ticks || !w->csr ||
        !w->own_csr || !w->part || !w->head || !w->route ||
        evs_queue_init(&w->q, 1024))
      return EVS_ENOMEM;
  }
  return EVS_OK;
}

/* The thread that runs population p whole: p mod n, except that every
 * silent (rate) population runs on the thread of the first one, since a
 * rate population reads its presynaptic populations' rates at its step
 * (neurons/rate.c), which must be done with their steps in the one-thread
 * order. */
static uint32_t whole_owner(const struct evs_par *par, uint32_t p) {
  const evs_net *net = par->net;
  if (net->pop[p]->type->silent)
    for (uint32_t q = 0; q < p; q++)
      if (net->pop[q]->type->silent) return q % par->n;
  return p % par->n;
}

/* Slices every population where evs__par_cut cuts it and splits every
 * projection. A population held whole by another rank has no slice here. */
static int deal(struct evs_par *par, evs_error *err) {
  evs_net *net = par->net;
  int rc;
  evs__par_cut(par);
  for (uint32_t p = 0; p < net->npop; p++) {
    evs_pop *pop = net->pop[p];
    uint32_t *b = par->bound + (size_t)p * (par->n + 1);
    if (!par->split[p]) {
      uint32_t owner = whole_owner(par, p);
      int held = pop->rank_hi > pop->rank_lo;
      for (uint32_t t = 0; t <= par->n; t++)
        b[t] = held && t > owner ? pop->size : 0;
      if (held) {
        par->w[owner].slice[p] = pop;
        pop->memo = &par->w[owner].memo; /* until par_free */
      }
      continue;
    }
    for (uint32_t t = 0; t < par->n; t++) {
      if (b[t] == b[t + 1]) continue;
      par->w[t].own[p] = 1;
      if ((rc = make_slice(pop, b[t], b[t + 1], &par->w[t].slice[p], err))) {
        evs_error_about(err, EVS_ABOUT_POPULATION, (int)p);
        return rc;
      }
      par->w[t].slice[p]->memo = &par->w[t].memo;
    }
  }
  for (uint32_t k = 0; k < net->nproj; k++) {
    evs_proj *pj = net->proj[k];
    uint32_t q = pj->post->index;
    const uint32_t *b = par->bound + (size_t)q * (par->n + 1);
    if (!par->split[q]) {
      if (pj->post->rank_hi > pj->post->rank_lo)
        par->w[whole_owner(par, q)].csr[k] = pj->csr;
      continue;
    }
    for (uint32_t t = 0; t < par->n; t++) {
      if (b[t] == b[t + 1]) continue;
      par->w[t].own_csr[k] = 1;
      if (evs__par_split_csr(pj, pj->csr, b[t], b[t + 1], &par->w[t].csr[k]))
        return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    }
    /* split: the net's copy goes at once, so that at most one projection
     * is held twice; a learning one keeps it for its weights in the net's
     * order (evs__par_gather) */
    if (pj->rule) {
      par->by_slice[k] =
          (unsigned char)evs__par_in_slice_order(pj->csr, b, par->n);
      continue;
    }
    evs_csr_free(pj->csr);
    pj->csr = NULL;
  }
  return EVS_OK;
}

/* The lead of every population (see the header): how far past its next
 * periodic event the earliest delivery of what it flushes there lies;
 * from the net's CSRs before the deal, from the threads' splits (which
 * keep the net's shortest delay) after it. */
void evs__par_leads(struct evs_par *par) {
  evs_net *net = par->net;
  for (uint32_t p = 0; p < net->npop; p++) {
    evs_pop *pop = net->pop[p];
    uint32_t dmin = UINT32_MAX;
    for (uint32_t k = 0; k < pop->n_out; k++) {
      const evs_proj *pj = net->proj[pop->out[k]];
      const evs_csr *m = pj->csr;
      for (uint32_t t = 0; t < par->n && !m; t++) m = par->w[t].csr[pj->index];
      if (pj->synapses && m && m->min_delay < dmin) dmin = m->min_delay;
    }
    if (dmin == UINT32_MAX)
      par->lead[p] = INFINITY;
    else if (pop->type->kind == EVS_POP_EXACT)
      par->lead[p] = 0; /* its window is its shortest delay (net_build.c) */
    else
      par->lead[p] = 0.5 * dmin * net->resolution;
  }
}

/* 1 if spike times up to the run's end plus distinct delays (multiples of
 * the resolution) always give distinct delivery times, as schedule_spike
 * needs: the resolution exceeds four units in the last place of the latest
 * delivery time (true unless a run lasts ~1e11 resolutions or more). */
static int delays_distinct(const evs_run *r) {
  const evs_net *net = r->net;
  uint32_t dmax = 0;
  for (uint32_t k = 0; k < net->nproj; k++)
    if (net->proj[k]->csr->max_delay > dmax)
      dmax = net->proj[k]->csr->max_delay;
  double x = r->t_end + dmax * net->resolution;
  return isfinite(x) && net->resolution > 4 * (nextafter(x, INFINITY) - x);
}

int evs__par_begin(evs_run *r, uint32_t n, evs_error *err) {
  evs_net *net = r->net;
  int rc;
  if (!delays_distinct(r)) {
    evs_error_set(err, EVS_EINVAL, NULL, 0,
                  "threads = %u: a run of %g s is too long for its resolution "
                  "on several threads (use threads = 1)",
                  n, r->t_end);
    evs_error_key(err, "threads");
    return EVS_EINVAL;
  }
  struct evs_par *par = calloc_lines(1, sizeof *par);
  if (!par) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  par->run = r;
  par->net = net;
  par->n = n;
  par->comm = net->comm;
  par->tell_floats = 1;
  for (uint32_t s = 0; s < r->npl; s++) /* see evs_plugin */
    par->tell_floats &= !r->pl[s]->type->spikes || r->pl[s]->spikes_any_thread;
  par->lazy = par->tell_floats && !par->comm;
  for (uint32_t k = 0; k < net->nproj; k++) par->lazy &= !net->proj[k]->ahead;
  pthread_mutex_init(&par->lock, NULL);
  pthread_cond_init(&par->wake, NULL);
  /* the ranks on this machine share its cores */
  par->spins =
      evs__par_spins(n * (uint32_t)(net->comm ? evs__ranks_local() : 1));
  if ((rc = par_alloc(par))) {
    evs_error_set(err, rc, NULL, 0, "out of memory");
    goto fail;
  }
  if ((rc = choose_split(par, err))) {
    if (rc == EVS_ENOMEM) evs_error_set(err, rc, NULL, 0, "out of memory");
    goto fail;
  }
  evs__par_leads(par);
  for (uint32_t t = 0; t < n; t++) par->w[t].spin_limit = par->spins;
  if ((rc = deal(par, err)) || (rc = evs__par_make_parts(par, err))) goto fail;
  for (uint32_t t = 0; t < n; t++)
    for (uint32_t p = 0; p < net->npop; p++) {
      evs_pop *s = par->w[t].slice[p];
      if (s && evs__par_push(&par->w[t], evs__periodic_time(s, 0),
                             evs__periodic_kind(s), s->gid0, p, 0)) {
        rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
        goto fail;
      }
    }
  for (uint32_t t = 1; t < n; t++) {
    if (pthread_create(&par->w[t].tid, NULL, evs__par_thread_main,
                       &par->w[t])) {
      rc = evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "threads = %u: cannot start thread %u", n, t);
      goto fail;
    }
    par->w[t].started = 1;
  }
  /* From here the slices hold the state: the whole populations' goes. */
  for (uint32_t p = 0; p < net->npop; p++)
    if (par->split[p] && net->pop[p]->state) {
      net->pop[p]->type->destroy(net->pop[p]);
      net->pop[p]->state = NULL;
    }
  r->par = par;
  return EVS_OK;
fail:
  evs__par_free(par);
  return rc;
}

evs_pop *evs__par_slice(struct evs_par *par, evs_pop *pop, uint32_t *id) {
  uint32_t p = pop->index;
  const uint32_t *b = par->bound + (size_t)p * (par->n + 1);
  uint32_t th = 0;
  while (th < par->n && !(*id >= b[th] && *id < b[th + 1])) th++;
  if (th == par->n) return NULL; /* another rank's */
  evs_pop *s = par->w[th].slice[p];
  *id -= s->first;
  return s;
}

double evs__par_voltage(struct evs_par *par, evs_pop *pop, uint32_t id,
                        double t) {
  uint32_t p = pop->index;
  const uint32_t *b = par->bound + (size_t)p * (par->n + 1);
  uint32_t th = 0;
  while (th < par->n && !(id >= b[th] && id < b[th + 1])) th++;
  if (th == par->n) return 0; /* another rank's (evs__run_holds) */
  evs_pop *s = par->w[th].slice[p];
  return s->type->voltage(s, id - s->first, t);
}

evs_csr *const *evs__par_csrs(struct evs_par *par, uint32_t proj, uint32_t *n) {
  *n = 0;
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].csr[proj]) /* a whole post population's: on one thread */
      par->csrs[(*n)++] = par->w[t].csr[proj];
  return par->csrs;
}
