/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses: the random builders (all-to-all, one-to-one,
 * fixed probability by geometric skipping, fixed out-degree, fixed in-degree,
 * fixed total number). Streams and memory bounds are described in csr.c. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synapses/csr_impl.h"
#include "evsnn/rng.h"

/* ---- choosing distinct indices ------------------------------------------ */

/* A bitmap over candidate indices, cleared after each use in O(chosen). */
typedef struct bitset {
  uint64_t *w;
} bitset;

static inline int bit_test_set(bitset *s, uint32_t i) {
  uint64_t m = (uint64_t)1 << (i & 63);
  int was = (s->w[i >> 6] & m) != 0;
  s->w[i >> 6] |= m;
  return was;
}

static inline void bit_clear(bitset *s, uint32_t i) {
  s->w[i >> 6] &= ~((uint64_t)1 << (i & 63));
}

/* Writes n indices from [0, m) into out: distinct (Floyd's algorithm, O(n))
 * unless multapses, then independent uniform draws. Leaves set clear. */
static void choose(evs_rng *r, uint32_t m, uint32_t n, int multapses,
                   bitset *set, uint32_t *out) {
  if (multapses) {
    for (uint32_t k = 0; k < n; k++) out[k] = evs_rng_below(r, m);
    return;
  }
  uint32_t k = 0;
  for (uint32_t j = m - n; j < m; j++) {
    uint32_t v = evs_rng_below(r, j + 1);
    if (bit_test_set(set, v)) {
      bit_test_set(set, j);
      v = j;
    }
    out[k++] = v;
  }
  for (k = 0; k < n; k++) bit_clear(set, out[k]);
}

/* Uniform integer in [0, n), n > 0, without bias. */
static uint64_t below64(evs_rng *r, uint64_t n) {
  if (n <= UINT32_MAX) return evs_rng_below(r, (uint32_t)n);
  uint64_t lim = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = evs_rng_u64(r);
  while (x >= lim);
  return x % n;
}

/* ---- builders that generate row by row ---------------------------------- */

/* Candidates of row i: post indices, without i when autapses are excluded.
 * Virtual index v maps to v, or v + 1 past the excluded diagonal. */
static inline uint32_t unskip(uint32_t v, uint32_t skip) {
  return v >= skip ? v + 1 : v;
}

int evs__csr_build_rows(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre, n_post = c->n_post;
  const int no_auto = s->same_population && !s->autapses;
  uint32_t *pick = NULL;
  bitset set = {NULL};
  int rc = EVS_OK;
  double lq = 0; /* log1p(-p) */

  uint64_t est = 0;
  switch (s->kind) {
  case EVS_CONN_ALL_TO_ALL:
    est = (uint64_t)n_pre * (n_post - (no_auto && n_post > 0));
    break;
  case EVS_CONN_ONE_TO_ONE: est = no_auto ? 0 : n_pre; break;
  case EVS_CONN_FIXED_PROBABILITY: {
    double mean = (double)n_pre * n_post * s->p;
    est = (uint64_t)(mean + 10 * sqrt(mean) + 1024);
    lq = log1p(-s->p);
    break;
  }
  case EVS_CONN_FIXED_OUTDEGREE:
    est = (uint64_t)n_pre * s->n;
    pick = malloc((s->n ? s->n : 1) * sizeof *pick);
    set.w = calloc(n_post / 64 + 1, sizeof *set.w);
    if (!pick || !set.w) {
      rc = evs__csr_fail_nomem(b->err);
      goto done;
    }
    break;
  default: break;
  }
  if ((rc = evs__csr_resize(b, est)) != EVS_OK) goto done;

  for (uint32_t i = 0; i < n_pre; i++) {
    const uint64_t start = c->nnz;
    const uint32_t skip = no_auto ? i : UINT32_MAX;
    const uint32_t m = n_post - (no_auto && i < n_post);
    c->row_ptr[i] = start;
    evs_rng r;
    evs_rng_init(&r, s->seed, s->stream, i, EVS_RNG_CONNECT);
    switch (s->kind) {
    case EVS_CONN_ALL_TO_ALL:
      if ((rc = evs__csr_reserve(b, m)) != EVS_OK) goto done;
      for (uint32_t v = 0; v < m; v++) c->target[c->nnz++] = unskip(v, skip);
      break;
    case EVS_CONN_ONE_TO_ONE:
      if (!no_auto) {
        if ((rc = evs__csr_reserve(b, 1)) != EVS_OK) goto done;
        c->target[c->nnz++] = i;
      }
      break;
    case EVS_CONN_FIXED_PROBABILITY:
      if (s->p <= 0) break;
      if (s->p >= 1) {
        if ((rc = evs__csr_reserve(b, m)) != EVS_OK) goto done;
        for (uint32_t v = 0; v < m; v++) c->target[c->nnz++] = unskip(v, skip);
        break;
      }
      /* Geometric skipping: the gap to the next synapse is geometric. */
      for (double v = -1;;) {
        double gap = floor(log(evs_rng_uniform(&r)) / lq);
        v += gap + 1;
        if (v >= m) break;
        if ((rc = evs__csr_reserve(b, 1)) != EVS_OK) goto done;
        c->target[c->nnz++] = unskip((uint32_t)v, skip);
      }
      break;
    case EVS_CONN_FIXED_OUTDEGREE:
      if ((rc = evs__csr_reserve(b, s->n)) != EVS_OK) goto done;
      choose(&r, m, (uint32_t)s->n, s->multapses, &set, pick);
      for (uint32_t k = 0; k < s->n; k++)
        c->target[c->nnz++] = unskip(pick[k], skip);
      break;
    default: break;
    }
    if ((rc = evs__csr_draw_values(b, i, start, c->nnz)) != EVS_OK) goto done;
  }
  c->row_ptr[n_pre] = c->nnz;
done:
  free(pick);
  free(set.w);
  return rc;
}

/* ---- builders that generate twice: count, then place -------------------- */

/* Fixed in-degree: column j draws its sources from stream j. */
int evs__csr_build_indegree(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre, n_post = c->n_post, n = (uint32_t)s->n;
  const int no_auto = s->same_population && !s->autapses;
  uint32_t *pick = malloc((n ? n : 1) * sizeof *pick);
  uint64_t *cur = malloc(((size_t)n_pre + 1) * sizeof *cur);
  bitset set = {calloc(n_pre / 64 + 1, sizeof *set.w)};
  int rc = EVS_OK;
  if (!pick || !cur || !set.w) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  for (int pass = 0; pass < 2; pass++) {
    for (uint32_t j = 0; j < n_post; j++) {
      const uint32_t skip = no_auto ? j : UINT32_MAX;
      const uint32_t m = n_pre - (no_auto && j < n_pre);
      evs_rng r, rw, rd;
      evs_rng_init(&r, s->seed, s->stream, j, EVS_RNG_CONNECT);
      choose(&r, m, n, s->multapses, &set, pick);
      if (pass == 0) {
        for (uint32_t k = 0; k < n; k++)
          c->row_ptr[unskip(pick[k], skip) + 1]++;
        continue;
      }
      evs_rng_init(&rw, s->seed, s->stream, j, EVS_RNG_WEIGHT);
      evs_rng_init(&rd, s->seed, s->stream, j, EVS_RNG_DELAY);
      for (uint32_t k = 0; k < n; k++) {
        uint64_t q = cur[unskip(pick[k], skip)]++;
        c->target[q] = j;
        c->weight[q] = (float)evs_dist_draw(&s->weight, &rw);
        double d = evs_dist_draw(&s->delay, &rd);
        if ((rc = evs__csr_delay_steps(b, d, &b->dl[q])) != EVS_OK) goto done;
      }
    }
    if (pass == 0) {
      if ((rc = evs__csr_counts_to_rows(b)) != EVS_OK) goto done;
      memcpy(cur, c->row_ptr, ((size_t)n_pre + 1) * sizeof *cur);
    }
  }
  c->nnz = c->row_ptr[n_pre];
done:
  free(pick);
  free(cur);
  free(set.w);
  return rc;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Sorts codes[0..n) and removes duplicates; returns the distinct count. */
static uint64_t sort_unique(uint64_t *codes, uint64_t n) {
  if (n == 0) return 0;
  qsort(codes, n, sizeof *codes, cmp_u64);
  uint64_t k = 1;
  for (uint64_t i = 1; i < n; i++)
    if (codes[i] != codes[k - 1]) codes[k++] = codes[i];
  return k;
}

/* Fixed total number: n (pre, post) pairs uniformly from one stream. */
int evs__csr_build_total(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre, n_post = c->n_post;
  const int no_auto = s->same_population && !s->autapses;
  const uint32_t m_post =
      n_post - (no_auto && n_post > 0); /* candidates a row */
  const uint64_t n = s->n;
  int rc = EVS_OK;
  uint64_t *codes = NULL, *cur = NULL;
  evs_rng r;

  if (s->multapses) {
    cur = malloc(((size_t)n_pre + 1) * sizeof *cur);
    if (!cur) return evs__csr_fail_nomem(b->err);
    for (int pass = 0; pass < 2; pass++) {
      evs_rng_init(&r, s->seed, s->stream, 0, EVS_RNG_CONNECT);
      for (uint64_t k = 0; k < n; k++) {
        uint32_t i = evs_rng_below(&r, n_pre);
        uint32_t j =
            unskip(evs_rng_below(&r, m_post), no_auto ? i : UINT32_MAX);
        if (pass == 0)
          c->row_ptr[i + 1]++;
        else
          c->target[cur[i]++] = j;
      }
      if (pass == 0) {
        if ((rc = evs__csr_counts_to_rows(b)) != EVS_OK) goto done;
        memcpy(cur, c->row_ptr, ((size_t)n_pre + 1) * sizeof *cur);
      }
    }
  } else {
    /* A uniform n-subset of the M allowed pairs, as sorted codes
     * i * m_post + v: draw, sort, drop repeats, draw the shortfall again.
     * Conditioned on its size the set of distinct draws is a uniform subset,
     * so the result is uniform. For n > M/2 the excluded pairs are drawn
     * instead, which keeps the rejection rate below one half. */
    const uint64_t M = (uint64_t)n_pre * m_post;
    const int complement = n > M / 2;
    const uint64_t want = complement ? M - n : n;
    codes = malloc((want ? want : 1) * sizeof *codes);
    if (!codes) return evs__csr_fail_nomem(b->err);
    evs_rng_init(&r, s->seed, s->stream, 0, EVS_RNG_CONNECT);
    uint64_t have = 0;
    while (have < want) {
      for (uint64_t k = have; k < want; k++) codes[k] = below64(&r, M);
      have = sort_unique(codes, want);
    }
    /* Two walks over the chosen codes in increasing order: count, place. */
    for (int pass = 0; pass < 2; pass++) {
      uint64_t k = 0, e = 0;
      for (uint64_t code = 0; k < n; code++) {
        if (!complement) {
          code = codes[k];
        } else if (e < want && codes[e] == code) {
          e++;
          continue;
        }
        uint32_t i = (uint32_t)(code / m_post);
        if (pass == 0) {
          c->row_ptr[i + 1]++;
        } else {
          uint32_t v = (uint32_t)(code % m_post);
          c->target[k] = unskip(v, no_auto ? i : UINT32_MAX);
        }
        k++;
      }
      if (pass == 0 && (rc = evs__csr_counts_to_rows(b)) != EVS_OK) goto done;
    }
  }
  c->nnz = n;
  for (uint32_t i = 0; i < n_pre; i++)
    if ((rc = evs__csr_draw_values(b, i, c->row_ptr[i], c->row_ptr[i + 1])) !=
        EVS_OK)
      goto done;
done:
  free(codes);
  free(cur);
  return rc;
}
