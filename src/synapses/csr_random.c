/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses: the random builders (all-to-all, one-to-one,
 * fixed probability by geometric skipping, fixed in-degree, fixed total
 * number, fixed out-degree).
 *
 * Every builder but fixed out-degree draws the synapses onto target j from
 * j's own streams (seed, projection, j, CONNECT / WEIGHT / DELAY), so a build
 * of any set of targets (a thread's or a rank's, evs__csr_build_part) makes
 * exactly the synapses the whole build makes onto them. Fixed out-degree is
 * keyed by source by nature: every part draws every source's targets and
 * values and keeps those onto its own targets. doc/scaling.md, "Wiring and
 * ranks", has the scheme; csr.c the memory bounds. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/binomial.h"
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
static void choose(evs_rng *r, uint32_t m, uint64_t n, int multapses,
                   bitset *set, uint32_t *out) {
  if (multapses) {
    for (uint64_t k = 0; k < n; k++) out[k] = evs_rng_below(r, m);
    return;
  }
  uint64_t k = 0;
  for (uint32_t j = m - (uint32_t)n; j < m; j++) {
    uint32_t v = evs_rng_below(r, j + 1);
    if (bit_test_set(set, v)) {
      bit_test_set(set, j);
      v = j;
    }
    out[k++] = v;
  }
  for (k = 0; k < n; k++) bit_clear(set, out[k]);
}

/* Candidates of target (or source) i: the other side's indices, without i
 * when autapses are excluded. Virtual index v maps to v, or v + 1 past the
 * excluded diagonal. */
static inline uint32_t unskip(uint32_t v, uint32_t skip) {
  return v >= skip ? v + 1 : v;
}

/* ---- builders keyed by target ------------------------------------------- */

/* What drawing the sources of one target needs. */
typedef struct column_draw {
  const evs_conn_spec *s;
  uint32_t n_pre;
  int no_auto;
  double lq;      /* log1p(-p), fixed probability */
  uint32_t *pick; /* the sources of the current target */
  bitset set;     /* over sources, for distinct choices */
} column_draw;

/* Writes the sources of target j into d->pick in generation order, drawn
 * from the stream (seed, projection, j, CONNECT); k is the number of them
 * for fixed in-degree and fixed total. Returns how many. */
static uint64_t draw_column(column_draw *d, uint32_t j, uint64_t k) {
  const evs_conn_spec *s = d->s;
  const uint32_t skip = d->no_auto ? j : UINT32_MAX;
  const uint32_t m = d->n_pre - (d->no_auto && j < d->n_pre);
  uint64_t n = 0;
  evs_rng r;
  evs_rng_init(&r, s->seed, s->stream, j, EVS_RNG_CONNECT);
  switch (s->kind) {
  case EVS_CONN_ONE_TO_ONE:
    if (!d->no_auto) d->pick[n++] = j;
    break;
  case EVS_CONN_FIXED_PROBABILITY:
    if (s->p <= 0) break;
    if (s->p >= 1) {
      for (uint32_t v = 0; v < m; v++) d->pick[n++] = unskip(v, skip);
      break;
    }
    /* Geometric skipping: the gap to the next synapse is geometric. */
    for (double v = -1;;) {
      v += floor(log(evs_rng_uniform(&r)) / d->lq) + 1;
      if (v >= m) break;
      d->pick[n++] = unskip((uint32_t)v, skip);
    }
    break;
  case EVS_CONN_ALL_TO_ALL:
    for (uint32_t v = 0; v < m; v++) d->pick[n++] = unskip(v, skip);
    break;
  case EVS_CONN_FIXED_INDEGREE:
  case EVS_CONN_FIXED_TOTAL:
    choose(&r, m, k, s->multapses, &d->set, d->pick);
    for (n = 0; n < k; n++) d->pick[n] = unskip(d->pick[n], skip);
    break;
  default: break;
  }
  return n;
}

/* Fixed total number: the number of synapses onto each target, a
 * multinomial (with multapses) or multivariate hypergeometric (without)
 * split of n over all targets in order, each count drawn given the ones
 * before it from the stream (seed, projection, 0, COUNT). Every part draws
 * all n_post counts (O(n_post + sqrt(n n_post)) work) and keeps its own
 * targets' into count[t]; *most gets the largest kept count. */
static void total_counts(const evs__csr_builder *b, uint64_t *count,
                         uint64_t *most) {
  const evs_conn_spec *s = b->spec;
  const uint32_t n_post = b->c->n_post, n_pre = b->c->n_pre;
  const int no_auto = s->same_population && !s->autapses;
  const uint64_t m = n_pre - (no_auto && n_pre > 0); /* candidates a target */
  uint64_t left = s->n, t = 0;
  evs_rng r;
  evs_rng_init(&r, s->seed, s->stream, 0, EVS_RNG_COUNT);
  *most = 0;
  for (uint32_t j = 0; j < n_post && t < evs__csr_targets(b); j++) {
    const uint64_t pairs = m * (n_post - j); /* pairs onto j and beyond */
    uint64_t k = s->multapses
                     ? evs__rng_binomial(&r, left, 1.0 / (double)(n_post - j))
                     : evs__rng_hypergeometric(&r, left, m, pairs);
    left -= k;
    if (evs__csr_target(b, t) != j) continue;
    count[t++] = k;
    if (k > *most) *most = k;
  }
}

/* All-to-all, one-to-one, fixed probability, fixed in-degree and fixed
 * total: each target's sources, then its weights and delays in the same
 * order, from its streams. A counting pass finds the length of every row
 * and a placing pass puts each synapse into its row, so no edge list is
 * held beyond the synapse arrays themselves (the sources are drawn again
 * in the placing pass unless weight and delay are constants); placing
 * targets in increasing order leaves every row sorted by target. */
int evs__csr_build_by_target(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre, targets = evs__csr_targets(b);
  column_draw d = {s, n_pre, s->same_population && !s->autapses,
                   0, NULL,  {NULL}};
  uint64_t *count = NULL, *ncol = NULL, *cur = NULL, most = n_pre;
  int rc = EVS_OK;

  if (s->kind == EVS_CONN_FIXED_PROBABILITY) d.lq = log1p(-s->p);
  if (s->kind == EVS_CONN_FIXED_INDEGREE) most = s->n;
  if (s->kind == EVS_CONN_FIXED_TOTAL) {
    count = malloc(((size_t)targets + 1) * sizeof *count);
    if (!count) return evs__csr_fail_nomem(b->err);
    total_counts(b, count, &most);
  }
  /* Allocate the expected synapses before drawing any, so that a build
   * too large for memory fails at once rather than after the counting pass
   * (counts_to_rows then sets the exact size). */
  const uint32_t n_post = c->n_post, m = n_pre - (d.no_auto && n_pre > 0);
  double est = 0;
  switch (s->kind) {
  case EVS_CONN_ALL_TO_ALL: est = (double)targets * m; break;
  case EVS_CONN_ONE_TO_ONE: est = d.no_auto ? 0 : targets; break;
  case EVS_CONN_FIXED_PROBABILITY: est = (double)targets * m * s->p; break;
  case EVS_CONN_FIXED_INDEGREE: est = (double)targets * s->n; break;
  default: est = n_post ? (double)s->n * targets / n_post : 0; break;
  }
  if (est >= 0x1p62 || (rc = evs__csr_resize(b, (uint64_t)est)) != EVS_OK) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  if (most > SIZE_MAX / sizeof *d.pick) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  d.pick = malloc((most ? most : 1) * sizeof *d.pick);
  d.set.w = calloc(n_pre / 64 + 1, sizeof *d.set.w);
  cur = malloc(((size_t)n_pre + 1) * sizeof *cur);
  if (!d.pick || !d.set.w || !cur) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  /* Constant weight and delay: no stream to draw from, so the counting
   * pass keeps each target's sources, target after target, in the delay
   * array (4 bytes a synapse that the build holds anyway; the constant
   * delay goes there at the end) and their number in ncol, and the placing
   * pass scatters them from there instead of drawing them again: 1.66x on
   * B1's build (bench/results/2026-12-06-wiring-build.md). Only the targets
   * are scattered into the rows; weights and delays are filled in order. */
  const int constant =
      s->weight.kind == EVS_DIST_CONST && s->delay.kind == EVS_DIST_CONST;
  if (constant && !(ncol = malloc(((size_t)targets + 1) * sizeof *ncol))) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  for (uint32_t t = 0; t < targets; t++) { /* counting */
    const uint32_t j = evs__csr_target(b, t);
    const uint64_t n = draw_column(&d, j, count ? count[t] : s->n);
    for (uint64_t x = 0; x < n; x++) c->row_ptr[d.pick[x] + 1]++;
    if (!constant) continue;
    if ((rc = evs__csr_reserve(b, n)) != EVS_OK) goto done;
    memcpy(b->dl + c->nnz, d.pick, n * sizeof *d.pick);
    c->nnz += n;
    ncol[t] = n;
  }
  if ((rc = evs__csr_counts_to_rows(b)) != EVS_OK) goto done;
  memcpy(cur, c->row_ptr, ((size_t)n_pre + 1) * sizeof *cur);
  for (uint64_t t = 0, p = 0; t < targets; t++) { /* placing */
    const uint32_t j = evs__csr_target(b, (uint32_t)t);
    if (constant) {
      for (const uint64_t end = p + ncol[t]; p < end; p++)
        c->target[cur[b->dl[p]]++] = j;
      continue;
    }
    const uint64_t n = draw_column(&d, j, count ? count[t] : s->n);
    evs_rng rw, rd;
    evs_rng_init(&rw, s->seed, s->stream, j, EVS_RNG_WEIGHT);
    evs_rng_init(&rd, s->seed, s->stream, j, EVS_RNG_DELAY);
    for (uint64_t x = 0; x < n; x++) {
      const uint64_t q = cur[d.pick[x]]++;
      c->target[q] = j;
      c->weight[q] = (float)evs_dist_draw(&s->weight, &rw);
      rc = evs__csr_delay_steps(b, evs_dist_draw(&s->delay, &rd), &b->dl[q]);
      if (rc != EVS_OK) goto done;
    }
  }
  c->nnz = c->row_ptr[n_pre];
  if (constant && c->nnz) {
    /* Scattering one array instead of three: a measured 2-3x on B1's build
     * (bench/results/2026-12-06-wiring-build.md). */
    const float w = (float)s->weight.p[0];
    uint32_t steps;
    if ((rc = evs__csr_delay_steps(b, s->delay.p[0], &steps)) != EVS_OK)
      goto done;
    for (uint64_t q = 0; q < c->nnz; q++) {
      c->weight[q] = w;
      b->dl[q] = steps;
    }
  }
done:
  free(count);
  free(ncol);
  free(cur);
  free(d.pick);
  free(d.set.w);
  return rc;
}

/* ---- fixed out-degree: keyed by source ---------------------------------- */

/* Row i draws its targets from (seed, projection, i, CONNECT) and their
 * weights and delays, in the same order, from the WEIGHT and DELAY streams
 * of i. A part draws every row whole (O(all synapses) time) and keeps the
 * synapses onto its own targets (memory for those only). */
int evs__csr_build_outdegree(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre, n_post = c->n_post, n = (uint32_t)s->n;
  const int no_auto = s->same_population && !s->autapses;
  uint32_t *pick = malloc((n ? n : 1) * sizeof *pick);
  bitset set = {calloc(n_post / 64 + 1, sizeof *set.w)};
  int rc = EVS_OK;
  if (!pick || !set.w) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  /* Expected synapses: n a row, times the share of targets kept. */
  double share = n_post ? (double)evs__csr_targets(b) / n_post : 0;
  if ((rc = evs__csr_resize(b, (uint64_t)((double)n_pre * n * share) + 1024)) !=
      EVS_OK)
    goto done;
  for (uint32_t i = 0; i < n_pre; i++) {
    const uint32_t skip = no_auto ? i : UINT32_MAX;
    const uint32_t m = n_post - (no_auto && i < n_post);
    evs_rng r, rw, rd;
    evs_rng_init(&r, s->seed, s->stream, i, EVS_RNG_CONNECT);
    evs_rng_init(&rw, s->seed, s->stream, i, EVS_RNG_WEIGHT);
    evs_rng_init(&rd, s->seed, s->stream, i, EVS_RNG_DELAY);
    c->row_ptr[i] = c->nnz;
    if ((rc = evs__csr_reserve(b, n)) != EVS_OK) goto done;
    choose(&r, m, n, s->multapses, &set, pick);
    for (uint32_t k = 0; k < n; k++) {
      const uint32_t j = unskip(pick[k], skip);
      const float w = (float)evs_dist_draw(&s->weight, &rw);
      uint32_t steps;
      rc = evs__csr_delay_steps(b, evs_dist_draw(&s->delay, &rd), &steps);
      if (rc != EVS_OK) goto done;
      if (!evs__csr_owns(b, j)) continue;
      c->target[c->nnz] = j;
      c->weight[c->nnz] = w;
      b->dl[c->nnz++] = steps;
    }
  }
  c->row_ptr[n_pre] = c->nnz;
done:
  free(pick);
  free(set.w);
  return rc;
}
