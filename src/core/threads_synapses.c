/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a threaded run's synapses read and set between its phases, in
 * the net's order: a projection split among the threads (threads_setup.c,
 * deal) joined again into one CSR (this rank's synapses), and weights
 * written back into the threads' splits.
 *
 * The net's order from the splits. The builders sort every row by (delay,
 * target), stably (synapses/csr.c), and evs_csr_set_delays sorts it again
 * so; a thread's split holds the synapses of every row onto its block of
 * consecutive targets, in the row's order, and keeps the row's delay
 * groups (a group may be empty there). Blocks are dealt in thread order
 * with increasing targets, so within one delay group the net's order is
 * thread 0's share of the group, then thread 1's, and so on: the net's
 * row i is, group by group (the whole row without groups), the threads'
 * shares of that group in thread order. A split made again from a CSR so
 * ordered (evs__par_split_csr) keeps this true after a delay change. */
#include <stdlib.h>
#include <string.h>

#include "base/huge.h"
#include "core/threads_impl.h"

/* The first split of projection k held here, or NULL. */
static const evs_csr *first_split(const struct evs_par *par, uint32_t k) {
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].csr[k]) return par->w[t].csr[k];
  return NULL;
}

void evs__par_walk(struct evs_par *par, const evs_proj *p, evs__par_visit *f,
                   void *ctx) {
  const uint32_t k = p->index, n = par->n;
  const uint32_t *b = par->bound + (size_t)p->post->index * (n + 1);
  const evs_csr *m0 = first_split(par, k);
  if (!m0) return;
  uint64_t q = 0; /* the net's position */
  for (uint32_t i = 0; i < m0->n_pre; i++) {
    uint64_t g0 = m0->grp_ptr ? m0->grp_ptr[i] : 0;
    uint64_t g1 = m0->grp_ptr ? m0->grp_ptr[i + 1] : 1;
    for (uint64_t g = g0; g < g1; g++)
      for (uint32_t t = 0; t < n; t++) {
        evs_csr *s = par->w[t].csr[k];
        if (!s) continue;
        uint64_t lo = s->row_ptr[i], hi = s->row_ptr[i + 1];
        if (s->grp_ptr) {
          if (g > g0) lo = evs_csr_group_end(s, i, g - 1);
          hi = evs_csr_group_end(s, i, g);
        }
        for (uint64_t x = lo; x < hi; x++) f(ctx, q++, i, g, s, x, b[t]);
      }
  }
}

/* ---- joining the splits ----------------------------------------------------
 */

typedef struct join_ctx {
  evs_csr *c;
} join_ctx;

static void join_one(void *ctx, uint64_t q, uint32_t row, uint64_t g,
                     const evs_csr *s, uint64_t x, uint32_t lo) {
  evs_csr *c = ((join_ctx *)ctx)->c;
  c->target[q] = evs_csr_target(s, x) + lo;
  if (c->weight) c->weight[q] = s->weight ? s->weight[x] : s->weight_shared;
  if (c->grp_end) c->grp_end[g] = (uint32_t)(q + 1 - c->row_ptr[row]);
}

int evs__par_join(struct evs_par *par, const evs_proj *p, evs_csr **out) {
  const uint32_t k = p->index;
  const evs_csr *m0 = first_split(par, k);
  evs_csr *c = calloc(1, sizeof *c);
  *out = c;
  if (!c) return EVS_ENOMEM;
  c->n_pre = p->pre->size;
  c->n_post = p->post->size;
  c->row_ptr = calloc((size_t)c->n_pre + 1, sizeof *c->row_ptr);
  if (!c->row_ptr) return EVS_ENOMEM;
  if (!m0) return EVS_OK; /* none of its synapses here */
  int shared = 1;
  for (uint32_t t = 0; t < par->n; t++) {
    const evs_csr *s = par->w[t].csr[k];
    if (!s) continue;
    c->nnz += s->nnz;
    if (s->weight) shared = 0;
  }
  c->weight_shared = m0->weight_shared;
  c->delay_step = m0->delay_step;
  c->const_delay = m0->const_delay;
  c->min_delay = m0->min_delay;
  c->max_delay = m0->max_delay;
  uint64_t alloc = c->nnz ? c->nnz : 1;
  c->target = malloc(alloc * sizeof *c->target);
  if (!shared) c->weight = malloc(alloc * sizeof *c->weight);
  if (!c->target || (!shared && !c->weight)) return EVS_ENOMEM;
  if (m0->grp_ptr) {
    uint64_t groups = m0->grp_ptr[m0->n_pre];
    size_t rows = ((size_t)m0->n_pre + 1) * sizeof *c->grp_ptr;
    c->grp_ptr = malloc(rows);
    c->grp_delay = malloc((groups ? groups : 1) * sizeof *c->grp_delay);
    c->grp_end = calloc(groups ? groups : 1, sizeof *c->grp_end);
    if (!c->grp_ptr || !c->grp_delay || !c->grp_end) return EVS_ENOMEM;
    memcpy(c->grp_ptr, m0->grp_ptr, rows);
    memcpy(c->grp_delay, m0->grp_delay, groups * sizeof *c->grp_delay);
  }
  /* the rows' starts */
  for (uint32_t i = 0; i < c->n_pre; i++) {
    uint64_t len = 0;
    for (uint32_t t = 0; t < par->n; t++) {
      const evs_csr *s = par->w[t].csr[k];
      if (s) len += s->row_ptr[i + 1] - s->row_ptr[i];
    }
    c->row_ptr[i + 1] = c->row_ptr[i] + len;
  }
  join_ctx ctx = {c};
  evs__par_walk(par, p, join_one, &ctx);
  /* a group empty on every thread ends where the one before it does */
  for (uint32_t i = 0; c->grp_ptr && i < c->n_pre; i++)
    for (uint64_t g = c->grp_ptr[i]; g < c->grp_ptr[i + 1]; g++) {
      uint32_t begin = g > c->grp_ptr[i] ? c->grp_end[g - 1] : 0;
      if (c->grp_end[g] < begin) c->grp_end[g] = begin;
    }
  return EVS_OK;
}

/* ---- weights set -----------------------------------------------------------
 */

typedef struct scatter_ctx {
  const double *w;
  double scale;
} scatter_ctx;

static void scatter_one(void *ctx, uint64_t q, uint32_t row, uint64_t g,
                        const evs_csr *s, uint64_t x, uint32_t lo) {
  const scatter_ctx *c = ctx;
  (void)row, (void)g, (void)lo;
  s->weight[x] = (float)(c->w[q] * c->scale);
}

/* Gives every split of projection k weights of its own (its shared one
 * copied). EVS_OK or EVS_ENOMEM (those given so far keep theirs). */
static int own_weights(struct evs_par *par, uint32_t k) {
  for (uint32_t t = 0; t < par->n; t++) {
    evs_csr *s = par->w[t].csr[k];
    if (!s || s->weight) continue;
    if (!(s->weight =
              evs__huge_alloc((s->nnz ? s->nnz : 1) * sizeof *s->weight)))
      return EVS_ENOMEM;
    for (uint64_t x = 0; x < s->nnz; x++) s->weight[x] = s->weight_shared;
  }
  return EVS_OK;
}

/* ---- the run's side (core/run.h) ------------------------------------------
 */

int evs__run_synapses(evs_run *r, const evs_proj *p, const evs_csr **m,
                      evs_csr **joined, evs_error *err) {
  *joined = NULL;
  *m = p->csr;
  uint64_t n;
  int rc = evs__run_held(r, p, &n, err);
  if (rc || p->csr) return rc;
  rc = evs__par_join(r->par, p, joined);
  if (rc) {
    evs_csr_free(*joined);
    *joined = NULL;
    return evs_error_set(err, rc, NULL, 0, "%s: out of memory", p->name);
  }
  *m = *joined;
  return EVS_OK;
}

int evs__run_held(evs_run *r, const evs_proj *p, uint64_t *n, evs_error *err) {
  *n = p->csr ? p->csr->nnz : 0;
  if (p->csr) return EVS_OK;
  if (!r || !r->par)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: its synapses were split among the threads of a "
                         "run that has ended",
                         p->name);
  for (uint32_t t = 0; t < r->par->n; t++)
    if (r->par->w[t].csr[p->index]) *n += r->par->w[t].csr[p->index]->nnz;
  return EVS_OK;
}

int evs__run_set_weights(evs_run *r, const evs_proj *p, const double *w,
                         evs_error *err) {
  struct evs_par *par = r->par;
  if (own_weights(par, p->index))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "%s: out of memory",
                         p->name);
  scatter_ctx ctx = {w, p->weight_scale};
  evs__par_walk(par, p, scatter_one, &ctx);
  return EVS_OK;
}

void evs__run_scatter(evs_run *r, const evs_proj *p) {
  if (r && r->par) evs__par_scatter(r->par, p);
}

int evs__run_settle(evs_run *r) {
  return r && r->par ? evs__par_settle(r->par) : EVS_OK;
}
