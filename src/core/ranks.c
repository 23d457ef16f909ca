/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a net on several ranks (see ranks.h and doc/scaling.md, "Ranks"):
 * the process's communicator, the deal of the populations and the
 * agreements after the build. */
#include "config.h"

#include "core/ranks.h"

#include <stdlib.h>
#include <string.h>

#include "core/plugin.h"
#include "rules/plastic.h"

int evs__ranks_launched(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v) {
      long n = strtol(v, NULL, 10);
      return n > 1 && n < (1L << 20) ? (int)n : 1;
    }
  }
  return 1;
}

int evs__ranks_local(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_LOCAL_SIZE",
                                     "MPI_LOCALNRANKS"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v) {
      long n = strtol(v, NULL, 10);
      return n > 1 && n < (1L << 20) ? (int)n : 1;
    }
  }
  return 1;
}

#ifdef HAVE_MPI
/* The process's communicator: joined at the first build on several ranks,
 * left at exit (before MPI is finalised: atexit runs in reverse order). */
static evs_comm *world;

static void leave_world(void) {
  evs__comm_free(world);
  world = NULL;
}
#endif

int evs__ranks_join(evs_net *net, evs_error *err) {
  int launched = evs__ranks_launched();
  if (launched == 1) return EVS_OK;
#ifndef HAVE_MPI
  (void)net;
  return evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "started on %d ranks (mpirun), but evsnn was built "
                       "without MPI: every rank would run the whole network "
                       "into the same files (./configure --with-mpi)",
                       launched);
#else
  if (!world) {
    int rc = evs__comm_new(&world, err);
    if (rc) return rc;
    atexit(leave_world);
  }
  if (evs__comm_size(world) > 1) { /* else one process, as without MPI */
    net->comm = world;
    net->rank = evs__comm_rank(world);
    net->nranks = evs__comm_size(world);
  }
  return EVS_OK;
#endif
}

int evs__ranks_fail_unjoined(const evs_net *net, int rc) {
  if (rc == EVS_OK || (net && net->comm) || evs__ranks_launched() == 1)
    return rc;
#ifdef HAVE_MPI
  evs_error e;
  evs_error_clear(&e);
  if (!world) {
    if (evs__comm_new(&world, &e)) return rc; /* mpirun ends the others */
    atexit(leave_world);
  }
  if (evs__comm_size(world) > 1) {
    uint64_t worst = rc < 0 ? (uint64_t) - (int64_t)rc : 1;
    evs__comm_allreduce_u64(world, &worst, 1, EVS_COMM_MAX, &e);
  }
#endif
  return rc;
}

int evs__ranks_split(const evs_net *net, const evs_pop *pop) {
  if (!pop->type->sliceable) return 0;
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_proj *pj = net->proj[k];
    if (pj->post != pop) continue;
    if ((pj->filter && !pj->filter->type->part) ||
        (pj->rule && (!pj->rule->type->sliceable || pj->rule->type->on_rank0)))
      return 0;
  }
  return 1;
}

/* 1 if a projection onto population p has a rule whose learner runs on
 * rank 0 (evs_rule_type.on_rank0). */
static int on_rank0(const evs_net *net, uint32_t p) {
  for (uint32_t k = 0; k < net->nproj; k++) {
    const evs_proj *pj = net->proj[k];
    if (pj->post == net->pop[p] && pj->rule && pj->rule->type->on_rank0)
      return 1;
  }
  return 0;
}

/* The rank that holds population p whole: rank 0 for the post population
 * of a rule whose learner runs there, else as threads_setup.c's
 * whole_owner deals whole populations to threads. */
static int whole_rank(const evs_net *net, uint32_t p) {
  if (on_rank0(net, p)) return 0;
  if (net->pop[p]->type->silent)
    for (uint32_t q = 0; q < p; q++)
      if (net->pop[q]->type->silent) return (int)(q % (uint32_t)net->nranks);
  return (int)(p % (uint32_t)net->nranks);
}

void evs__ranks_deal(evs_net *net) {
  uint64_t r = (uint64_t)net->rank, n = (uint64_t)net->nranks;
  for (uint32_t p = 0; p < net->npop; p++) {
    evs_pop *pop = net->pop[p];
    if (n == 1) {
      pop->rank_lo = 0;
      pop->rank_hi = pop->size;
    } else if (evs__ranks_split(net, pop)) {
      pop->rank_lo = (uint32_t)(pop->size * r / n);
      pop->rank_hi = (uint32_t)(pop->size * (r + 1) / n);
    } else {
      pop->rank_lo = 0;
      pop->rank_hi = whole_rank(net, p) == net->rank ? pop->size : 0;
    }
  }
}

int evs__ranks_own(const evs_pop *pop, uint32_t **own, uint32_t *n) {
  *own = NULL;
  *n = 0;
  if (!pop->net->comm) return EVS_OK;
  uint32_t m = pop->rank_hi - pop->rank_lo;
  if (!(*own = malloc((m ? m : 1) * sizeof **own))) return EVS_ENOMEM;
  for (uint32_t j = 0; j < m; j++) (*own)[j] = pop->rank_lo + j;
  *n = m;
  return EVS_OK;
}

int evs__ranks_agree(evs_net *net, int rc, evs_error *err) {
  if (!net->comm) return rc;
  /* the worst status: errors are negative, reduced as their magnitude */
  uint64_t worst = rc < 0 ? (uint64_t) - (int64_t)rc : 0;
  evs_error e;
  evs_error_clear(&e);
  int crc = evs__comm_allreduce_u64(net->comm, &worst, 1, EVS_COMM_MAX, &e);
  if (crc) {
    if (!rc) *err = e;
    return rc ? rc : crc;
  }
  if (rc || !worst) return rc;
  rc = -(int)worst;
  return evs_error_set(err, rc, NULL, 0, "another rank failed (%s)",
                       evs_strerror(rc));
}

int evs__ranks_agree_build(evs_net *net, int rc, uint64_t *bytes,
                           evs_error *err) {
  uint32_t nk = net->nproj;
  *bytes = 0;
  for (uint32_t k = 0; k < nk && rc == EVS_OK; k++)
    *bytes += evs_csr_bytes(net->proj[k]->csr);
  if (!net->comm) {
    for (uint32_t k = 0; k < nk && rc == EVS_OK; k++)
      net->proj[k]->synapses = net->proj[k]->csr->nnz;
    return rc;
  }
  if ((rc = evs__ranks_agree(net, rc, err))) return rc;
  /* [0, nk): synapses; nk: bytes (summed); then the shortest delays of
   * the parts holding synapses (minimum), then the longest (maximum) */
  uint64_t *v = malloc(((size_t)2 * nk + 1) * sizeof *v);
  int bad = v == NULL;
  if (!bad) {
    for (uint32_t k = 0; k < nk; k++) {
      const evs_csr *m = net->proj[k]->csr;
      v[k] = m->nnz;
      v[nk + 1 + k] = m->nnz ? m->min_delay : UINT32_MAX;
    }
    v[nk] = *bytes;
  }
  /* a failed allocation on one rank fails them all, alike */
  if ((rc = evs__ranks_agree(net, bad ? EVS_ENOMEM : EVS_OK, err))) {
    free(v);
    if (bad) evs_error_set(err, rc, NULL, 0, "out of memory");
    return rc;
  }
  if ((rc = evs__comm_allreduce_u64(net->comm, v, nk + 1, EVS_COMM_SUM, err)) ||
      (rc = evs__comm_allreduce_u64(net->comm, v + nk + 1, nk, EVS_COMM_MIN,
                                    err)))
    goto done;
  for (uint32_t k = 0; k < nk; k++) {
    evs_proj *p = net->proj[k];
    p->synapses = v[k];
    p->csr->min_delay = v[k] ? (uint32_t)v[nk + 1 + k] : 0;
    v[nk + 1 + k] = p->csr->nnz ? p->csr->max_delay : 0;
  }
  *bytes = v[nk];
  if ((rc = evs__comm_allreduce_u64(net->comm, v + nk + 1, nk, EVS_COMM_MAX,
                                    err)))
    goto done;
  for (uint32_t k = 0; k < nk; k++)
    net->proj[k]->csr->max_delay = (uint32_t)v[nk + 1 + k];
done:
  free(v);
  return rc;
}

int evs__ranks_sum(evs_net *net, uint64_t *values, size_t n, evs_error *err) {
  if (!net->comm) return EVS_OK;
  return evs__comm_allreduce_u64(net->comm, values, n, EVS_COMM_SUM, err);
}

int evs__ranks_extent(evs_net *net, uint32_t *lo, uint32_t *hi,
                      evs_error *err) {
  if (!net->comm) return EVS_OK;
  uint64_t a = *lo, b = *hi;
  int rc = evs__comm_allreduce_u64(net->comm, &a, 1, EVS_COMM_MIN, err);
  if (rc == EVS_OK)
    rc = evs__comm_allreduce_u64(net->comm, &b, 1, EVS_COMM_MAX, err);
  *lo = (uint32_t)a;
  *hi = (uint32_t)b;
  return rc;
}

int evs__ranks_whole_csr(evs_net *net, const evs_csr *part, evs_csr **out,
                         evs_error *err) {
  *out = NULL;
  const size_t n_pre = part->n_pre;
  /* this rank's part: every row's length, then the targets, then the
   * weights (4 bytes each) */
  size_t bytes = 4 * (n_pre + 2 * (size_t)part->nnz);
  unsigned char *buf = malloc(bytes ? bytes : 1);
  int rc = evs__ranks_agree(net, buf ? EVS_OK : EVS_ENOMEM, err);
  if (rc) {
    free(buf);
    return buf ? rc : evs_error_set(err, rc, NULL, 0, "out of memory");
  }
  for (size_t i = 0; i < n_pre; i++) {
    uint32_t len = (uint32_t)(part->row_ptr[i + 1] - part->row_ptr[i]);
    memcpy(buf + 4 * i, &len, 4);
  }
  for (uint64_t s = 0; s < part->nnz; s++) {
    uint32_t j = evs_csr_target(part, s); /* narrow or not */
    float w = evs_csr_weight(part, s);
    memcpy(buf + 4 * (n_pre + s), &j, 4);
    memcpy(buf + 4 * (n_pre + part->nnz + s), &w, 4);
  }
  const void *recv;
  const uint64_t *off;
  rc = evs__comm_allgatherv(net->comm, buf, bytes, &recv, &off, err);
  free(buf);
  if (rc) return rc;
  const unsigned char *all = recv;
  const int nr = net->nranks;
  uint64_t nnz = 0;
  for (int q = 0; q < nr; q++) nnz += (off[q + 1] - off[q] - 4 * n_pre) / 8;
  evs_csr *c = calloc(1, sizeof *c);
  uint64_t *cur = calloc((size_t)nr, sizeof *cur);
  if (c) {
    c->row_ptr = malloc((n_pre + 1) * sizeof *c->row_ptr);
    c->target = malloc((nnz ? nnz : 1) * sizeof *c->target);
    c->weight = malloc((nnz ? nnz : 1) * sizeof *c->weight);
  }
  if (!c || !cur || !c->row_ptr || !c->target || !c->weight) {
    evs_csr_free(c);
    free(cur);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  c->n_pre = part->n_pre;
  c->n_post = part->n_post;
  c->nnz = nnz;
  c->delay_step = part->delay_step;
  c->const_delay = part->const_delay;
  c->min_delay = part->min_delay;
  c->max_delay = part->max_delay;
  /* row i of the whole: rank 0's row i, then rank 1's, ... (the ranks hold
   * increasing blocks of targets, and a row built by target lists its
   * targets in increasing order) */
  uint64_t k = 0;
  for (size_t i = 0; i < n_pre; i++) {
    c->row_ptr[i] = k;
    for (int q = 0; q < nr; q++) {
      const unsigned char *b = all + off[q];
      uint64_t nq = (off[q + 1] - off[q] - 4 * n_pre) / 8;
      uint32_t len;
      memcpy(&len, b + 4 * i, 4);
      memcpy(c->target + k, b + 4 * (n_pre + cur[q]), 4 * (size_t)len);
      memcpy(c->weight + k, b + 4 * (n_pre + nq + cur[q]), 4 * (size_t)len);
      cur[q] += len;
      k += len;
    }
  }
  c->row_ptr[n_pre] = k;
  free(cur);
  *out = c;
  return EVS_OK;
}
