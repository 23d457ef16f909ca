/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the huge-page allocations (base/huge.h): evs__huge_alloc and
 * evs__huge_realloc keep an array's contents like malloc and realloc, and
 * the arrays a learning rule walks at random (a projection's weights, the
 * transposed index) are backed by 2 MiB pages where the kernel offers
 * transparent huge pages for advised ranges: /proc/self/smaps shows
 * AnonHugePages under them. Before the weights were allocated through
 * huge.h, glibc's realloc copied them into fresh 4 KiB pages whenever it
 * could not grow the mapping in place, and the advice came too late: none
 * of their pages was huge (doc/zenke2013.md, "Speed"). */
#include <check.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/huge.h"
#include "evsnn/csr.h"
#include "check_util.h"
#include "csr_test_util.h"

#define MIB ((size_t)1 << 20)

/* 1 when the kernel backs advised ranges with huge pages: the file
 * /sys/kernel/mm/transparent_hugepage/enabled selects "always" or
 * "madvise". */
static int thp_available(void) {
  FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
  if (!f) return 0;
  char line[128] = "";
  int ok = fgets(line, sizeof line, f) &&
           (strstr(line, "[always]") || strstr(line, "[madvise]"));
  fclose(f);
  return ok;
}

/* The kB of AnonHugePages of the mapping of /proc/self/smaps that holds
 * p; -1 when no mapping holds it or the file cannot be read. */
static long huge_kb_at(const void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  int inside = 0;
  long kb = -1;
  uintptr_t a = (uintptr_t)p;
  while (fgets(line, sizeof line, f)) {
    uintmax_t lo, hi;
    long v;
    char perm[8];
    if (sscanf(line, "%jx-%jx %7s", &lo, &hi, perm) == 3) { /* a mapping */
      inside = a >= lo && a < hi;
    } else if (inside && sscanf(line, "AnonHugePages: %ld kB", &v) == 1) {
      kb = v;
      break;
    }
  }
  fclose(f);
  return kb;
}

/* Contents survive both paths of evs__huge_realloc: a small array grows by
 * realloc, a large one by a copy into a new advised array; growing from
 * NULL allocates. */
START_TEST(realloc_keeps_contents) {
  const size_t sizes[][2] = {{1000, 3000},         /* realloc */
                             {1000, 8 * MIB},      /* small to large */
                             {6 * MIB, 12 * MIB},  /* large, grown */
                             {12 * MIB, 5 * MIB}}; /* large, shrunk */
  for (size_t c = 0; c < sizeof sizes / sizeof sizes[0]; c++) {
    size_t n = sizes[c][0], m = sizes[c][1];
    unsigned char *p = evs__huge_alloc(n);
    ck_assert_ptr_nonnull(p);
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 7 + c);
    /* only the first n / 2 bytes are declared used */
    unsigned char *q = evs__huge_realloc(p, n / 2, m);
    ck_assert_ptr_nonnull(q);
    size_t keep = n / 2 < m ? n / 2 : m;
    for (size_t i = 0; i < keep; i++)
      REQUIRE_MSG(q[i] == (unsigned char)(i * 7 + c),
                  "case %zu: byte %zu changed", c, i);
    memset(q, 1, m); /* the whole new size is writable */
    free(q);
  }
  unsigned char *r = evs__huge_realloc(NULL, 0, 6 * MIB);
  ck_assert_ptr_nonnull(r);
  memset(r, 2, 6 * MIB);
  free(r);
}
END_TEST

/* A fresh large allocation written after evs__huge_alloc lies on huge
 * pages (where the kernel has them). */
START_TEST(alloc_is_huge) {
  if (!thp_available()) {
    fprintf(stderr, "alloc_is_huge: no transparent huge pages here\n");
    return;
  }
  size_t n = 16 * MIB;
  unsigned char *p = evs__huge_alloc(n);
  ck_assert_ptr_nonnull(p);
  memset(p, 3, n);
  long kb = huge_kb_at(p + n / 2);
  REQUIRE_MSG(kb > 0, "AnonHugePages %ld kB under a 16 MiB array", kb);
  free(p);
}
END_TEST

/* A projection of 5 M synapses (20 MB of weights), built by each rule
 * (loop index _i) that grows or shrinks its arrays while building, and its
 * transposed index: the weights, positions and presynaptic indices all lie
 * on huge pages. One rule a process (Check forks each loop iteration): an
 * array that malloc places in memory used before keeps the pages it has
 * (huge.h), and glibc's mmap threshold rises to the size of the large
 * blocks freed. */
START_TEST(csr_weights_are_huge) {
  if (!thp_available()) {
    fprintf(stderr, "csr_weights_are_huge: no transparent huge pages here\n");
    return;
  }
  const evs_conn_kind kinds[] = {EVS_CONN_FIXED_PROBABILITY,
                                 EVS_CONN_FIXED_INDEGREE,
                                 EVS_CONN_FIXED_OUTDEGREE};
  evs_conn_spec s = base_spec(kinds[_i]);
  s.p = 0.05;
  s.n = 500;
  evs_csr *c = build_ok(10000, 10000, &s);
  REQ_UINT(c->nnz, >, 4000000);
  ck_assert_int_eq(evs_csr_build_transpose(c), EVS_OK);
  const void *arrays[] = {c->weight, c->post_pos, c->post_pre};
  const char *names[] = {"weight", "post_pos", "post_pre"};
  for (int a = 0; a < 3; a++) {
    long kb = huge_kb_at((const char *)arrays[a] + c->nnz * 2);
    REQUIRE_MSG(kb > 0, "connector %d: AnonHugePages %ld kB under %s", _i, kb,
                names[a]);
  }
  evs_csr_free(c);
}
END_TEST

static Suite *huge_suite(void) {
  Suite *s = suite_create("huge");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, realloc_keeps_contents);
  tcase_add_test(tc, alloc_is_huge);
  tcase_add_loop_test(tc, csr_weights_are_huge, 0, 3);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(huge_suite()); }
