/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the CSR suites (tests/check_csr.c, check_csr_stats.c):
 * the base connection spec, a build that must succeed, and the structural
 * checks (sorted rows, delay groups, no multapses, no autapses).
 * Header-only (static inline functions): a suite includes it after
 * check_util.h and lists it in its *_SOURCES in Makefile.am. */
#ifndef EVSNN_CSR_TEST_UTIL_H
#define EVSNN_CSR_TEST_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "check_util.h"

static inline evs_conn_spec base_spec(evs_conn_kind kind) {
  evs_conn_spec s;
  memset(&s, 0, sizeof s);
  s.kind = kind;
  s.weight.kind = EVS_DIST_CONST;
  s.weight.p[0] = 1e-9;
  s.delay.kind = EVS_DIST_CONST;
  s.delay.p[0] = 1.5e-3;
  s.delay_step = 1e-4;
  s.seed = 12345;
  s.stream = 3;
  s.autapses = 1;
  return s;
}

static inline evs_csr *build_ok(uint32_t n_pre, uint32_t n_post,
                                const evs_conn_spec *s) {
  evs_csr *c = NULL;
  evs_error err;
  evs_error_clear(&err);
  int rc = evs_csr_build(&c, n_pre, n_post, s, &err);
  REQUIRE_MSG(rc == EVS_OK, "build failed (%d): %s", rc, err.msg);
  ck_assert_ptr_nonnull(c);
  return c;
}

/* Checks the structural invariants and returns each synapse's delay in
 * steps, taken from its group (caller frees). */
static inline uint32_t *check_structure(const evs_csr *c) {
  REQ_UINT(c->row_ptr[0], ==, 0);
  REQ_UINT(c->row_ptr[c->n_pre], ==, c->nnz);
  uint32_t *d = malloc((c->nnz ? c->nnz : 1) * sizeof *d);
  uint32_t dmin = UINT32_MAX, dmax = 0;
  for (uint32_t i = 0; i < c->n_pre; i++) {
    uint64_t lo = c->row_ptr[i], hi = c->row_ptr[i + 1];
    REQ_UINT(lo, <=, hi);
    if (!c->grp_ptr) {
      for (uint64_t q = lo; q < hi; q++) d[q] = c->const_delay;
    } else {
      uint64_t start = lo;
      REQ_UINT(c->grp_ptr[i], <=, c->grp_ptr[i + 1]);
      if (hi == lo) REQ_UINT(c->grp_ptr[i], ==, c->grp_ptr[i + 1]);
      for (uint64_t g = c->grp_ptr[i]; g < c->grp_ptr[i + 1]; g++) {
        uint64_t end = evs_csr_group_end(c, i, g);
        REQ_UINT(end, >, start); /* nonempty */
        if (g > c->grp_ptr[i])
          REQ_UINT(c->grp_delay[g], >, c->grp_delay[g - 1]);
        for (uint64_t q = start; q < end; q++) d[q] = c->grp_delay[g];
        start = end;
      }
      REQ_UINT(start, ==, hi); /* the groups cover the row */
    }
    for (uint64_t q = lo; q < hi; q++) {
      REQ_UINT(c->target[q], <, c->n_post);
      if (q > lo) /* sorted by (delay, target) */
        REQUIRE(d[q] > d[q - 1] ||
                (d[q] == d[q - 1] && c->target[q] >= c->target[q - 1]));
      if (d[q] < dmin) dmin = d[q];
      if (d[q] > dmax) dmax = d[q];
    }
  }
  if (c->nnz) {
    REQ_UINT(c->min_delay, ==, dmin);
    REQ_UINT(c->max_delay, ==, dmax);
    if (c->grp_ptr) REQ_UINT(dmin, <, dmax); /* NULL iff one delay */
  }
  return d;
}

static inline uint64_t count_groups(const evs_csr *c) {
  if (c->grp_ptr) return c->grp_ptr[c->n_pre];
  uint64_t g = 0;
  for (uint32_t i = 0; i < c->n_pre; i++)
    g += c->row_ptr[i + 1] > c->row_ptr[i];
  return g;
}

/* No repeated (pre, post) pair; rows are sorted by target within a delay,
 * so with one delay a repeat is adjacent, otherwise search the row. */
static inline void check_no_multapses(const evs_csr *c) {
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++)
      for (uint64_t r = c->row_ptr[i]; r < q; r++)
        REQ_UINT(c->target[q], !=, c->target[r]);
}

static inline void check_no_autapses(const evs_csr *c) {
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++)
      REQ_UINT(c->target[q], !=, i);
}

#endif
