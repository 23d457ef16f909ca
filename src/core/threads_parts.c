/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's learning and filtered projections: a
 * sliceable rule's instance and a filter's part per thread, and the learned
 * weights moved between the net's whole CSR and the threads' splits
 * (doc/scaling.md, "Learning rules, short-term plasticity, weight
 * recordings"; the rest of the set-up is threads_setup.c). */
#include <stdlib.h>
#include <string.h>

#include "core/threads_impl.h"

/* ---- learning rules on slices -------------------------------------------- */

/* Frees a thread's part of a projection (NULL does nothing); its CSR is
 * the thread's split, freed with the others. */
void evs__par_free_part(evs_proj *part) {
  if (!part) return;
  if (part->rule && part->rule->type->destroy)
    part->rule->type->destroy(part->rule);
  free(part->rule);
  if (part->filter) part->filter->type->destroy(part->filter);
  free(part);
}

/* Thread w's part of projection k onto a split population: a copy of the
 * projection whose CSR is the thread's split, with a filter of its own
 * (the filter type's part) and an instance of its rule of its own (state
 * made by the rule's init as at the start of a run, its own transposed
 * index), listed in the slice's learn[]. */
static int make_part(struct evs_par *par, worker *w, uint32_t k,
                     evs_error *err) {
  const evs_proj *pj = par->net->proj[k];
  evs_proj *part = malloc(sizeof *part);
  if (!part) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  *part = *pj;
  part->csr = w->csr[k];
  part->rule = NULL;
  part->filter = NULL;
  w->part[k] = part;
  int rc;
  if (pj->filter &&
      (rc = pj->filter->type->part(pj->filter, part, &part->filter, err)))
    return rc;
  if (!pj->rule) return EVS_OK;
  evs_pop *s = w->slice[pj->post->index];
  evs_rule *pl = calloc(1, sizeof *pl);
  evs_rule **l = realloc(s->learn, (s->n_learn + 1) * sizeof *l);
  if (l) s->learn = l;
  if (!pl || !l) {
    free(pl);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  *pl = (evs_rule){.type = pj->rule->type, .proj = part, .par = pj->rule->par};
  part->rule = pl;
  if ((rc = evs_csr_build_transpose(part->csr)))
    return evs_error_set(err, rc, NULL, 0, "projection %s: %s", pj->name,
                         evs_strerror(rc));
  if ((rc = pl->type->init(pl, err))) return rc;
  s->learn[s->n_learn++] = pl;
  return EVS_OK;
}

/* Gives every thread holding a split of a learning or filtered projection
 * its part (make_part), in the net's projection order, so that a slice's
 * learn[] is in the whole population's order. */
int evs__par_make_parts(struct evs_par *par, evs_error *err) {
  evs_net *net = par->net;
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_proj *pj = net->proj[k];
    if ((!pj->rule && !pj->filter) || !par->split[pj->post->index]) continue;
    for (uint32_t t = 0; t < par->n; t++) {
      int rc = par->w[t].csr[k] ? make_part(par, &par->w[t], k, err) : EVS_OK;
      if (rc) return rc;
    }
  }
  return EVS_OK;
}

/* 1 when every row of m lists its targets slice by slice (bounds b of n
 * slices): then a part's row i is a run of the whole row i, the runs in
 * slice order (fixed_probability builds rows by target: ascending).
 * O(synapses), once per learning projection. */
int evs__par_in_slice_order(const evs_csr *m, const uint32_t *b, uint32_t n) {
  for (uint32_t i = 0; i < m->n_pre; i++) {
    uint32_t t = 0;
    for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
      uint32_t j = evs_csr_target(m, q);
      if (j < b[t]) return 0;
      while (j >= b[t + 1] && t + 1 < n) t++;
    }
  }
  return 1;
}

/* Copies the weights of p's learning CSR between the net's whole CSR and
 * the threads' parts (to_parts: whole -> parts, else parts -> whole): the
 * synapses of row i onto slice t are, in order, the part's row i. Rows in
 * slice order (par->by_slice) move as one run per part and row (memcpy:
 * 20 M weights in ~0.01 s instead of ~0.08 s, where a branch per synapse
 * chose its part). */
static void move_weights(struct evs_par *par, const evs_proj *p, int to_parts) {
  evs_csr *m = p->csr;
  uint32_t k = p->index, post = p->post->index;
  if (!m || !m->weight || !par->split[post]) return;
  const uint32_t *b = par->bound + (size_t)post * (par->n + 1);
  if (par->by_slice[k]) {
    for (uint32_t i = 0; i < m->n_pre; i++) {
      float *whole = m->weight + m->row_ptr[i];
      for (uint32_t t = 0; t < par->n; t++) {
        const evs_csr *c = par->w[t].csr[k];
        if (!c) continue;
        size_t len = (size_t)(c->row_ptr[i + 1] - c->row_ptr[i]);
        float *part = c->weight + c->row_ptr[i];
        if (to_parts)
          memcpy(part, whole, len * sizeof *part);
        else
          memcpy(whole, part, len * sizeof *part);
        whole += len;
      }
    }
    return;
  }
  for (uint32_t i = 0; i < m->n_pre; i++) {
    for (uint32_t t = 0; t < par->n; t++)
      par->cursor[t] = par->w[t].csr[k] ? par->w[t].csr[k]->row_ptr[i] : 0;
    for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
      uint32_t j = evs_csr_target(m, q), t = 0;
      while (j >= b[t + 1]) t++;
      float *part = &par->w[t].csr[k]->weight[par->cursor[t]++];
      if (to_parts)
        *part = m->weight[q];
      else
        m->weight[q] = *part;
    }
  }
}

void evs__par_gather(struct evs_par *par, const evs_proj *p) {
  move_weights(par, p, 0);
}

evs_csr *const *evs__par_parts(struct evs_par *par, const evs_proj *p,
                               uint32_t *n) {
  *n = 0;
  if (!p->csr || !p->csr->weight || !par->split[p->post->index] ||
      !par->by_slice[p->index])
    return NULL;
  return evs__par_csrs(par, p->index, n);
}

void evs__par_scatter(struct evs_par *par, const evs_proj *p) {
  move_weights(par, p, 1);
}

evs_rule *const *evs__par_rules(struct evs_par *par, const evs_proj *p,
                                uint32_t *n) {
  *n = 0;
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].part[p->index] && par->w[t].part[p->index]->rule)
      par->rules[(*n)++] = par->w[t].part[p->index]->rule;
  if (*n == 0 && p->rule) par->rules[(*n)++] = p->rule;
  return par->rules;
}
