/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses in CSR by presynaptic neuron: storage and building.
 *
 * Every builder first fills the rows (targets, weights and a temporary
 * delay-in-steps array, 4 bytes a synapse), then sorts each row by (delay,
 * target) with a stable sort and splits it into delay groups. Builders keyed
 * by target (all-to-all, one-to-one, fixed probability, fixed in-degree,
 * fixed total) and the file builder generate twice from the same streams
 * (or lines): once to count each row, once to place the synapses, so that
 * no edge list is ever held; fixed out-degree writes its rows straight.
 * Peak memory is therefore 12 bytes a synapse (8 final + 4 delay) plus
 * O(rows + targets); an edge list that leaves weights or delays to be drawn
 * holds 8 more bytes for each such synapse while drawing them.
 *
 * Streams: the synapses onto target j come from (seed, stream, j, CONNECT)
 * and their weights and delays from (seed, stream, j, WEIGHT / DELAY), drawn
 * in generation order; fixed total draws the number of synapses of every
 * target first, from (seed, stream, 0, COUNT). Fixed out-degree is keyed by
 * source: row i from (seed, stream, i, CONNECT / WEIGHT / DELAY). So a build
 * of a subset of the targets (evs__csr_build_part) gives exactly the whole
 * build's synapses onto them.
 *
 * This file holds the storage, sorting into delay groups and the public
 * functions; the random builders are in csr_random.c, the file builder in
 * csr_file.c; what they share is in csr_impl.h. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "synapses/csr_impl.h"
#include "base/huge.h"
#include "evsnn/rng.h"

int evs__csr_fail_nomem(evs_error *err) {
  evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory building synapses");
  evs_error_key(err, "connect"); /* the rule that asked for them */
  return EVS_ENOMEM;
}

/* evs_error_set about the spec's field key (evs_error_key). */
static int fail_key(evs_error *err, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_key(evs_error *err, const char *key, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  evs_error_set(err, EVS_EINVAL, NULL, 0, "%s", msg);
  evs_error_key(err, key);
  return EVS_EINVAL;
}

int evs__csr_resize(evs__csr_builder *b, uint64_t cap) {
  evs_csr *c = b->c;
  if (cap == 0) cap = 1;
  if (cap > SIZE_MAX / sizeof(uint32_t)) return evs__csr_fail_nomem(b->err);
  uint32_t *t = realloc(c->target, cap * sizeof *t);
  if (!t) return evs__csr_fail_nomem(b->err);
  c->target = t;
  /* a learning rule updates the weights of one post neuron, one per row:
   * random access over the whole array (doc/zenke2013.md) */
  float *w = evs__huge_realloc(c->weight, c->nnz * sizeof *w, cap * sizeof *w);
  if (!w) return evs__csr_fail_nomem(b->err);
  c->weight = w;
  uint32_t *d = realloc(b->dl, cap * sizeof *d);
  if (!d) return evs__csr_fail_nomem(b->err);
  b->dl = d;
  b->cap = cap;
  return EVS_OK;
}

int evs__csr_reserve(evs__csr_builder *b, uint64_t extra) {
  uint64_t need = b->c->nnz + extra;
  if (need <= b->cap) return EVS_OK;
  uint64_t cap = b->cap + b->cap / 2;
  return evs__csr_resize(b, cap > need ? cap : need);
}

int evs__csr_delay_steps(evs__csr_builder *b, double d, uint32_t *steps) {
  double s = d / b->spec->delay_step;
  if (!(d >= 0))
    return fail_key(b->err, "delay",
                    "negative delay %g s (delays must be >= 0)", d);
  if (!(s < 4294967294.0))
    return fail_key(b->err, "delay",
                    "delay %g s is too large for a step of %g s", d,
                    b->spec->delay_step);
  *steps = (uint32_t)lround(s);
  return EVS_OK;
}

/* Turns per-row counts in row_ptr[1..n_pre] into offsets and allocates. */
int evs__csr_counts_to_rows(evs__csr_builder *b) {
  evs_csr *c = b->c;
  c->row_ptr[0] = 0;
  for (uint32_t i = 0; i < c->n_pre; i++) c->row_ptr[i + 1] += c->row_ptr[i];
  c->nnz = 0;
  return evs__csr_resize(b, c->row_ptr[c->n_pre]);
}

/* ---- sorting rows and delay groups -------------------------------------- */

typedef struct syn {
  uint64_t key; /* delay << 32 | target */
  float w;
} syn;

/* Stable sort of a[0..n) by key, using tmp[0..n). */
static void merge_sort(syn *a, syn *tmp, uint64_t n) {
  const uint64_t run = 16;
  for (uint64_t lo = 0; lo < n; lo += run) {
    uint64_t hi = lo + run < n ? lo + run : n;
    for (uint64_t i = lo + 1; i < hi; i++) {
      syn x = a[i];
      uint64_t j = i;
      while (j > lo && a[j - 1].key > x.key) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  syn *src = a, *dst = tmp;
  for (uint64_t width = run; width < n; width *= 2) {
    for (uint64_t lo = 0; lo < n; lo += 2 * width) {
      uint64_t mid = lo + width < n ? lo + width : n;
      uint64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      uint64_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi)
        dst[k++] = src[j].key < src[i].key ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    syn *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
}

/* Stable counting sort of row [lo, hi) by delay, whose values lie in
 * [rmin, rmin + range); cnt has range + 1 entries, a holds hi - lo. */
static void counting_sort(evs__csr_builder *b, uint64_t lo, uint64_t hi,
                          uint32_t rmin, uint32_t range, uint64_t *cnt,
                          syn *a) {
  evs_csr *c = b->c;
  memset(cnt, 0, ((size_t)range + 1) * sizeof *cnt);
  for (uint64_t q = lo; q < hi; q++) cnt[b->dl[q] - rmin + 1]++;
  for (uint32_t k = 0; k < range; k++) cnt[k + 1] += cnt[k];
  for (uint64_t q = lo; q < hi; q++) {
    syn *x = &a[cnt[b->dl[q] - rmin]++];
    x->key = (uint64_t)b->dl[q] << 32 | c->target[q];
    x->w = c->weight[q];
  }
  for (uint64_t q = lo; q < hi; q++) {
    b->dl[q] = (uint32_t)(a[q - lo].key >> 32);
    c->target[q] = (uint32_t)a[q - lo].key;
    c->weight[q] = a[q - lo].w;
  }
}

/* Sorts every row by (delay, target) and builds the delay groups. A row
 * already sorted by target (the generation order of most builders) with a
 * small delay range is counting-sorted by delay, stably; any other unsorted
 * row is merge-sorted. Both are stable, so multapses keep generation order. */
static int finish(evs__csr_builder *b) {
  evs_csr *c = b->c;
  const uint32_t n_pre = c->n_pre;
  uint64_t maxrow = 0, groups = 0;
  uint32_t dmin = UINT32_MAX, dmax = 0;
  for (uint32_t i = 0; i < n_pre; i++) {
    uint64_t len = c->row_ptr[i + 1] - c->row_ptr[i];
    if (len > maxrow) maxrow = len;
  }
  for (uint64_t q = 0; q < c->nnz; q++) {
    if (b->dl[q] < dmin) dmin = b->dl[q];
    if (b->dl[q] > dmax) dmax = b->dl[q];
  }
  const uint32_t max_range = 1u << 16; /* counting sort only below this */
  syn *a = NULL, *tmp = NULL;
  uint64_t *cnt = NULL;
  if (maxrow > 1) {
    uint64_t range = c->nnz ? (uint64_t)dmax - dmin + 1 : 1;
    a = malloc(maxrow * sizeof *a);
    tmp = malloc(maxrow * sizeof *tmp);
    cnt = malloc(((range < max_range ? range : max_range) + 1) * sizeof *cnt);
    if (!a || !tmp || !cnt) {
      free(a);
      free(tmp);
      free(cnt);
      return evs__csr_fail_nomem(b->err);
    }
  }
  for (uint32_t i = 0; i < n_pre; i++) {
    const uint64_t lo = c->row_ptr[i], hi = c->row_ptr[i + 1];
    int sorted = 1, by_target = 1;
    uint32_t rmin = UINT32_MAX, rmax = 0;
    for (uint64_t q = lo; q < hi; q++) {
      uint32_t d = b->dl[q];
      if (d < rmin) rmin = d;
      if (d > rmax) rmax = d;
      if (q == lo) continue;
      if (c->target[q] < c->target[q - 1]) by_target = 0;
      if (d < b->dl[q - 1] ||
          (d == b->dl[q - 1] && c->target[q] < c->target[q - 1]))
        sorted = 0;
    }
    if (!sorted) {
      uint64_t range = (uint64_t)rmax - rmin + 1;
      if (by_target && range <= max_range && range <= 4 * (hi - lo) + 64) {
        counting_sort(b, lo, hi, rmin, (uint32_t)range, cnt, a);
      } else {
        for (uint64_t q = lo; q < hi; q++) {
          a[q - lo].key = (uint64_t)b->dl[q] << 32 | c->target[q];
          a[q - lo].w = c->weight[q];
        }
        merge_sort(a, tmp, hi - lo);
        for (uint64_t q = lo; q < hi; q++) {
          b->dl[q] = (uint32_t)(a[q - lo].key >> 32);
          c->target[q] = (uint32_t)a[q - lo].key;
          c->weight[q] = a[q - lo].w;
        }
      }
    }
    for (uint64_t q = lo; q < hi; q++)
      if (q == lo || b->dl[q] != b->dl[q - 1]) groups++;
  }
  free(cnt);
  free(a);
  free(tmp);
  c->min_delay = c->nnz ? dmin : 0;
  c->max_delay = c->nnz ? dmax : 0;
  if (dmin == dmax || c->nnz == 0) {
    c->const_delay = c->min_delay;
    return EVS_OK;
  }
  if (maxrow > UINT32_MAX) /* group ends are 32-bit from the row's start */
    return fail_key(b->err, "delay",
                    "a row of %" PRIu64 " synapses must have one delay",
                    maxrow);
  c->grp_ptr = malloc(((size_t)n_pre + 1) * sizeof *c->grp_ptr);
  c->grp_delay = malloc(groups * sizeof *c->grp_delay);
  c->grp_end = malloc(groups * sizeof *c->grp_end);
  if (!c->grp_ptr || !c->grp_delay || !c->grp_end)
    return evs__csr_fail_nomem(b->err);
  uint64_t g = 0;
  for (uint32_t i = 0; i < n_pre; i++) {
    const uint64_t lo = c->row_ptr[i], hi = c->row_ptr[i + 1];
    c->grp_ptr[i] = g;
    for (uint64_t q = lo; q < hi; q++) {
      if (q > lo && b->dl[q] != b->dl[q - 1])
        c->grp_end[g - 1] = (uint32_t)(q - lo);
      if (q == lo || b->dl[q] != b->dl[q - 1]) c->grp_delay[g++] = b->dl[q];
    }
    if (hi > lo) c->grp_end[g - 1] = (uint32_t)(hi - lo);
  }
  c->grp_ptr[n_pre] = g;
  return EVS_OK;
}

/* ---- the public functions ----------------------------------------------- */

/* Checks the spec against the population sizes. */
static int check_spec(const evs_conn_spec *s, uint32_t n_pre, uint32_t n_post,
                      evs_error *err) {
  const int no_auto = s->same_population && !s->autapses;
  if (s->same_population && n_pre != n_post)
    return fail_key(err, "connect",
                    "same population with different sizes %u and %u", n_pre,
                    n_post);
  if (!(s->delay_step > 0) || !isfinite(s->delay_step))
    return fail_key(err, "delay", "delay step %g s must be > 0", s->delay_step);
  switch (s->kind) {
  case EVS_CONN_ALL_TO_ALL:
  case EVS_CONN_FILE: return EVS_OK;
  case EVS_CONN_ONE_TO_ONE:
    if (n_pre != n_post)
      return fail_key(err, "connect",
                      "one_to_one needs equal sizes, got %u and %u", n_pre,
                      n_post);
    return EVS_OK;
  case EVS_CONN_FIXED_PROBABILITY:
    if (!(s->p >= 0 && s->p <= 1))
      return fail_key(err, "p", "connection probability %g is not in [0, 1]",
                      s->p);
    return EVS_OK;
  case EVS_CONN_FIXED_INDEGREE:
  case EVS_CONN_FIXED_OUTDEGREE: {
    const int in = s->kind == EVS_CONN_FIXED_INDEGREE;
    uint32_t m = in ? n_pre : n_post;        /* candidates */
    uint32_t other = in ? n_post : n_pre;    /* draws that many times */
    uint32_t avail = m - (no_auto && m > 0); /* without the diagonal */
    const char *what = in ? "fixed_indegree" : "fixed_outdegree";
    if (s->n > UINT32_MAX)
      return fail_key(err, "n", "%s: n = %" PRIu64 " is too large", what, s->n);
    if (s->n > 0 && other > 0 && (s->multapses ? avail == 0 : s->n > avail))
      return fail_key(err, "n",
                      "%s: n = %" PRIu64 " but only %u distinct %s neurons%s",
                      what, s->n, avail, in ? "source" : "target",
                      s->multapses ? "" : " and no multapses allowed");
    return EVS_OK;
  }
  case EVS_CONN_FIXED_TOTAL: {
    uint64_t M = (uint64_t)n_pre * (n_post - (no_auto && n_post > 0));
    if (s->n > 0 && (M == 0 || (!s->multapses && s->n > M)))
      return fail_key(err, "n",
                      "fixed_total: n = %" PRIu64 " but only %" PRIu64
                      " possible pairs%s",
                      s->n, M, s->multapses ? "" : " without multapses");
    if (s->n > ((uint64_t)1 << 40))
      return fail_key(err, "n", "fixed_total: n = %" PRIu64 " is too large",
                      s->n);
    return EVS_OK;
  }
  }
  return fail_key(err, "connect", "unknown connection rule %d", (int)s->kind);
}

int evs_csr_build(evs_csr **out, uint32_t n_pre, uint32_t n_post,
                  const evs_conn_spec *spec, evs_error *err) {
  return evs__csr_build_part(out, n_pre, n_post, spec, NULL, 0, err);
}

int evs__csr_build_part(evs_csr **out, uint32_t n_pre, uint32_t n_post,
                        const evs_conn_spec *spec, const uint32_t *own,
                        uint32_t n_own, evs_error *err) {
  *out = NULL;
  int rc = check_spec(spec, n_pre, n_post, err);
  if (rc != EVS_OK) return rc;
  for (uint32_t t = 0; own && t < n_own; t++)
    if (own[t] >= n_post || (t > 0 && own[t] <= own[t - 1]))
      return fail_key(err, "connect",
                      "the targets of a part must increase "
                      "below %u (target %u is %u)",
                      n_post, t, own[t]);
  evs_csr *c = calloc(1, sizeof *c);
  evs__csr_builder b = {c, NULL, 0, spec, err, own, own ? n_own : 0};
  if (!c) return evs__csr_fail_nomem(err);
  c->n_pre = n_pre;
  c->n_post = n_post;
  c->delay_step = spec->delay_step;
  c->row_ptr = calloc((size_t)n_pre + 1, sizeof *c->row_ptr);
  if (!c->row_ptr) {
    rc = evs__csr_fail_nomem(err);
    goto fail;
  }
  switch (spec->kind) {
  case EVS_CONN_FIXED_OUTDEGREE: rc = evs__csr_build_outdegree(&b); break;
  case EVS_CONN_FILE:
    rc = evs__csr_build_file(&b);
    if (rc) evs_error_key(err, "file"); /* unless out of memory ("connect") */
    break;
  default: rc = evs__csr_build_by_target(&b); break;
  }
  if (rc != EVS_OK) goto fail;
  if ((rc = finish(&b)) != EVS_OK) goto fail;
  free(b.dl);
  b.dl = NULL;
  /* Give back what the estimate over-allocated. */
  if (b.cap > c->nnz && c->nnz > 0) {
    uint32_t *t = realloc(c->target, c->nnz * sizeof *t);
    if (t) c->target = t;
    float *w = realloc(c->weight, c->nnz * sizeof *w);
    if (w) c->weight = w;
  }
  *out = c;
  return EVS_OK;
fail:
  free(b.dl);
  evs_csr_free(c);
  return rc;
}

/* Frees every array of c but its row pointers (the struct stays). */
static void free_arrays(evs_csr *c) {
  free(c->target);
  free(c->target16);
  free(c->weight);
  free(c->grp_ptr);
  free(c->grp_delay);
  free(c->grp_end);
  free(c->post_ptr);
  free(c->post_pos);
  free(c->post_pre);
}

void evs_csr_free(evs_csr *c) {
  if (!c) return;
  free(c->row_ptr);
  free_arrays(c);
  free(c);
}

int evs_csr_narrow(evs_csr *c) {
  if (c->target16) return 1;
  if (c->n_post > EVS_CSR_NARROW_MAX || c->post_ptr) return 0;
  uint16_t *t = malloc((c->nnz ? c->nnz : 1) * sizeof *t);
  if (!t) return EVS_ENOMEM;
  for (uint64_t q = 0; q < c->nnz; q++) t[q] = (uint16_t)c->target[q];
  free(c->target);
  c->target = NULL;
  c->target16 = t;
  return 1;
}

int evs_csr_build_transpose(evs_csr *c) {
  if (c->post_ptr) return EVS_OK;
  if (c->target16) return EVS_EINVAL;
  if (c->nnz > UINT32_MAX) return EVS_ERANGE;
  uint64_t *ptr = calloc((size_t)c->n_post + 1, sizeof *ptr);
  /* the placement below scatters over both arrays */
  uint32_t *pos = evs__huge_alloc((c->nnz ? c->nnz : 1) * sizeof *pos);
  uint32_t *pre = evs__huge_alloc((c->nnz ? c->nnz : 1) * sizeof *pre);
  if (!ptr || !pos || !pre) {
    free(ptr);
    free(pos);
    free(pre);
    return EVS_ENOMEM;
  }
  for (uint64_t q = 0; q < c->nnz; q++) ptr[c->target[q] + 1]++;
  for (uint32_t j = 0; j < c->n_post; j++) ptr[j + 1] += ptr[j];
  /* Place positions in increasing order, row by row; ptr[j] walks to the end
   * of j. */
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++) {
      uint64_t k = ptr[c->target[q]]++;
      pos[k] = (uint32_t)q;
      pre[k] = i;
    }
  for (uint32_t j = c->n_post; j > 0; j--) ptr[j] = ptr[j - 1];
  ptr[0] = 0;
  c->post_ptr = ptr;
  c->post_pos = pos;
  c->post_pre = pre;
  return EVS_OK;
}

/* A synapse as evs_csr_set_delays sorts it: by key (delay << 32 | target),
 * then by its position before. */
typedef struct moved {
  uint64_t key, q;
} moved;

static int moved_order(const void *a, const void *b) {
  const moved *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->q > y->q) - (x->q < y->q);
}

int evs_csr_set_delays(evs_csr *c, const uint32_t *steps, uint64_t *moved_to) {
  const uint64_t nnz = c->nnz, alloc = nnz ? nnz : 1;
  uint64_t maxrow = 0, groups = 0;
  uint32_t dmin = UINT32_MAX, dmax = 0;
  for (uint32_t i = 0; i < c->n_pre; i++) {
    uint64_t len = c->row_ptr[i + 1] - c->row_ptr[i];
    if (len > maxrow) maxrow = len;
  }
  for (uint64_t q = 0; q < nnz; q++) {
    if (steps[q] < dmin) dmin = steps[q];
    if (steps[q] > dmax) dmax = steps[q];
  }
  int grouped = nnz && dmin != dmax;
  if (grouped && maxrow > UINT32_MAX) return EVS_ERANGE;
  evs_csr next = *c; /* the new arrays, committed at the end */
  next.grp_ptr = NULL;
  next.grp_delay = NULL;
  next.grp_end = NULL;
  next.post_ptr = NULL;
  next.post_pos = NULL;
  next.post_pre = NULL;
  next.target = c->target ? malloc(alloc * sizeof *next.target) : NULL;
  next.target16 = c->target16 ? malloc(alloc * sizeof *next.target16) : NULL;
  next.weight = c->weight ? evs__huge_alloc(alloc * sizeof *next.weight) : NULL;
  uint32_t *dl = malloc(alloc * sizeof *dl); /* the new delays, new order */
  moved *a = malloc((maxrow ? maxrow : 1) * sizeof *a);
  if ((!next.target && !next.target16) || (c->weight && !next.weight) || !dl ||
      !a)
    goto nomem;
  for (uint32_t i = 0; i < c->n_pre; i++) {
    const uint64_t lo = c->row_ptr[i], hi = c->row_ptr[i + 1];
    for (uint64_t q = lo; q < hi; q++)
      a[q - lo] = (moved){(uint64_t)steps[q] << 32 | evs_csr_target(c, q), q};
    qsort(a, hi - lo, sizeof *a, moved_order);
    for (uint64_t k = lo; k < hi; k++) {
      uint64_t q = a[k - lo].q;
      moved_to[q] = k;
      if (next.target16)
        next.target16[k] = c->target16[q];
      else
        next.target[k] = c->target[q];
      if (next.weight) next.weight[k] = c->weight[q];
      dl[k] = steps[q];
      if (k == lo || dl[k] != dl[k - 1]) groups++;
    }
  }
  if (grouped) {
    next.grp_ptr = malloc(((size_t)c->n_pre + 1) * sizeof *next.grp_ptr);
    next.grp_delay = malloc(groups * sizeof *next.grp_delay);
    next.grp_end = malloc(groups * sizeof *next.grp_end);
    if (!next.grp_ptr || !next.grp_delay || !next.grp_end) goto nomem;
    uint64_t g = 0;
    for (uint32_t i = 0; i < c->n_pre; i++) {
      const uint64_t lo = c->row_ptr[i], hi = c->row_ptr[i + 1];
      next.grp_ptr[i] = g;
      for (uint64_t q = lo; q < hi; q++) {
        if (q > lo && dl[q] != dl[q - 1])
          next.grp_end[g - 1] = (uint32_t)(q - lo);
        if (q == lo || dl[q] != dl[q - 1]) next.grp_delay[g++] = dl[q];
      }
      if (hi > lo) next.grp_end[g - 1] = (uint32_t)(hi - lo);
    }
    next.grp_ptr[c->n_pre] = g;
  }
  if (c->post_ptr && evs_csr_build_transpose(&next)) goto nomem;
  next.min_delay = nnz ? dmin : 0;
  next.max_delay = nnz ? dmax : 0;
  next.const_delay = grouped ? 0 : next.min_delay;
  free(dl);
  free(a);
  free_arrays(c);
  *c = next;
  return EVS_OK;
nomem:
  free(dl);
  free(a);
  free_arrays(&next);
  return EVS_ENOMEM;
}

int evs_csr_share_weight(evs_csr *c) {
  if (!c->weight) return 1;
  if (c->nnz == 0) return 0;
  uint32_t first;
  memcpy(&first, &c->weight[0], sizeof first);
  for (uint64_t q = 1; q < c->nnz; q++) {
    uint32_t b;
    memcpy(&b, &c->weight[q], sizeof b);
    if (b != first) return 0;
  }
  c->weight_shared = c->weight[0];
  free(c->weight);
  c->weight = NULL;
  return 1;
}

size_t evs_csr_bytes(const evs_csr *c) {
  size_t bytes = sizeof *c;
  bytes += ((size_t)c->n_pre + 1) * sizeof *c->row_ptr;
  bytes += (c->nnz ? c->nnz : 1) *
           (c->target16 ? sizeof *c->target16 : sizeof *c->target);
  if (c->weight) bytes += (c->nnz ? c->nnz : 1) * sizeof *c->weight;
  if (c->grp_ptr) {
    uint64_t g = c->grp_ptr[c->n_pre];
    bytes += ((size_t)c->n_pre + 1) * sizeof *c->grp_ptr;
    bytes += g * (sizeof *c->grp_delay + sizeof *c->grp_end);
  }
  if (c->post_ptr) {
    bytes += ((size_t)c->n_post + 1) * sizeof *c->post_ptr;
    bytes +=
        (c->nnz ? c->nnz : 1) * (sizeof *c->post_pos + sizeof *c->post_pre);
  }
  return bytes;
}

void evs_csr_indegrees(const evs_csr *c, uint32_t *deg) {
  memset(deg, 0, (size_t)c->n_post * sizeof *deg);
  for (uint64_t q = 0; q < c->nnz; q++) deg[evs_csr_target(c, q)]++;
}
