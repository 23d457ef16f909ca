/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of building a projection in parts (evs__csr_build_part, the wiring
 * keyed by target of doc/scaling.md, "Wiring and ranks"): for every
 * connection rule, with random weights and delays, the targets split into
 * 1, 2, 3 and 4 parts (dealt round-robin and in blocks), each part holds
 * only synapses onto its own targets, and the parts together hold exactly
 * the whole build's synapses: the same (source, target, weight, delay),
 * synapse for synapse. Also the parts' argument checks. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "synapses/csr_impl.h"
#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "check_util.h"
#include "csr_test_util.h"

/* One synapse, comparable bit for bit. */
typedef struct synapse {
  uint32_t pre, post, weight_bits, delay;
} synapse;

static int cmp_synapse(const void *a, const void *b) {
  const synapse *x = a, *y = b;
  if (x->pre != y->pre) return x->pre < y->pre ? -1 : 1;
  if (x->post != y->post) return x->post < y->post ? -1 : 1;
  if (x->delay != y->delay) return x->delay < y->delay ? -1 : 1;
  if (x->weight_bits != y->weight_bits)
    return x->weight_bits < y->weight_bits ? -1 : 1;
  return 0;
}

/* Appends c's synapses to out[*n...] (out has room). */
static void collect(const evs_csr *c, synapse *out, uint64_t *n) {
  uint32_t *d = check_structure(c);
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++) {
      float w = evs_csr_weight(c, q);
      synapse s = {i, c->target[q], 0, d[q]};
      memcpy(&s.weight_bits, &w, sizeof w);
      out[(*n)++] = s;
    }
  free(d);
}

static evs_csr *build_part_ok(uint32_t n_pre, uint32_t n_post,
                              const evs_conn_spec *s, const uint32_t *own,
                              uint32_t n_own) {
  evs_csr *c = NULL;
  evs_error err;
  evs_error_clear(&err);
  int rc = evs__csr_build_part(&c, n_pre, n_post, s, own, n_own, &err);
  REQUIRE_MSG(rc == EVS_OK, "part build failed (%d): %s", rc, err.msg);
  return c;
}

/* Builds s whole and in K = 1..4 parts, dealt round-robin (block = 0) or
 * in blocks, and compares. */
static void check_parts(const char *what, uint32_t n_pre, uint32_t n_post,
                        const evs_conn_spec *s) {
  evs_csr *whole = build_ok(n_pre, n_post, s);
  REQUIRE_MSG(whole->nnz > 0, "%s: no synapses to compare", what);
  synapse *ref = malloc(whole->nnz * sizeof *ref),
          *got = malloc(whole->nnz * sizeof *got);
  uint32_t *own = malloc((n_post ? n_post : 1) * sizeof *own);
  uint64_t n_ref = 0;
  collect(whole, ref, &n_ref);
  qsort(ref, n_ref, sizeof *ref, cmp_synapse);
  for (uint32_t k = 1; k <= 4; k++)
    for (int blocks = 0; blocks < 2; blocks++) {
      uint64_t n_got = 0;
      for (uint32_t part = 0; part < k; part++) {
        uint32_t n_own = 0;
        for (uint32_t j = 0; j < n_post; j++) {
          uint32_t owner =
              blocks ? (uint32_t)((uint64_t)j * k / n_post) : j % k;
          if (owner == part) own[n_own++] = j;
        }
        evs_csr *c = build_part_ok(n_pre, n_post, s, own, n_own);
        REQ_UINT(c->n_pre, ==, n_pre);
        REQ_UINT(c->n_post, ==, n_post);
        REQUIRE_MSG(n_got + c->nnz <= n_ref,
                    "%s: %u parts hold more synapses than the whole", what, k);
        uint64_t first = n_got;
        collect(c, got, &n_got);
        for (uint64_t x = first; x < n_got; x++) {
          uint32_t owner = blocks
                               ? (uint32_t)((uint64_t)got[x].post * k / n_post)
                               : got[x].post % k;
          REQUIRE_MSG(owner == part,
                      "%s: part %u of %u holds a synapse onto %u", what, part,
                      k, got[x].post);
        }
        evs_csr_free(c);
      }
      REQUIRE_MSG(n_got == n_ref,
                  "%s: %u parts (%s) hold %llu synapses, the whole %llu", what,
                  k, blocks ? "blocks" : "round-robin",
                  (unsigned long long)n_got, (unsigned long long)n_ref);
      qsort(got, n_got, sizeof *got, cmp_synapse);
      for (uint64_t x = 0; x < n_ref; x++)
        REQUIRE_MSG(cmp_synapse(&got[x], &ref[x]) == 0,
                    "%s: %u parts (%s): synapse %llu is %u->%u (w %08x, d %u), "
                    "the whole build's %u->%u (w %08x, d %u)",
                    what, k, blocks ? "blocks" : "round-robin",
                    (unsigned long long)x, got[x].pre, got[x].post,
                    got[x].weight_bits, got[x].delay, ref[x].pre, ref[x].post,
                    ref[x].weight_bits, ref[x].delay);
    }
  free(own);
  free(ref);
  free(got);
  evs_csr_free(whole);
}

/* A spec with random weights and delays (several delay groups a row). */
static evs_conn_spec random_spec(evs_conn_kind kind) {
  evs_conn_spec s = base_spec(kind);
  s.weight.kind = EVS_DIST_NORMAL;
  s.weight.p[0] = 1e-9;
  s.weight.p[1] = 0.3e-9;
  s.delay.kind = EVS_DIST_UNIFORM;
  s.delay.p[0] = 0.1e-3;
  s.delay.p[1] = 2e-3;
  return s;
}

START_TEST(test_parts_every_rule) {
  const struct {
    evs_conn_kind kind;
    double p;
    uint64_t n;
    int multapses, same;
    const char *what;
  } cases[] = {
      {EVS_CONN_ALL_TO_ALL, 0, 0, 0, 0, "all_to_all"},
      {EVS_CONN_ALL_TO_ALL, 0, 0, 0, 1, "all_to_all, no autapses"},
      {EVS_CONN_ONE_TO_ONE, 0, 0, 0, 0, "one_to_one"},
      {EVS_CONN_FIXED_PROBABILITY, 0.1, 0, 0, 0, "fixed_probability"},
      {EVS_CONN_FIXED_PROBABILITY, 0.3, 0, 0, 1,
       "fixed_probability, no autapses"},
      {EVS_CONN_FIXED_INDEGREE, 0, 12, 0, 1, "fixed_indegree"},
      {EVS_CONN_FIXED_INDEGREE, 0, 40, 1, 0, "fixed_indegree, multapses"},
      {EVS_CONN_FIXED_OUTDEGREE, 0, 12, 0, 1, "fixed_outdegree"},
      {EVS_CONN_FIXED_OUTDEGREE, 0, 40, 1, 0, "fixed_outdegree, multapses"},
      {EVS_CONN_FIXED_TOTAL, 0, 2500, 1, 0, "fixed_total, multapses"},
      {EVS_CONN_FIXED_TOTAL, 0, 2500, 0, 1, "fixed_total"},
      {EVS_CONN_FIXED_TOTAL, 0, 9000, 0, 1, "fixed_total, dense"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
    evs_conn_spec s = random_spec(cases[k].kind);
    s.p = cases[k].p;
    s.n = cases[k].n;
    s.multapses = cases[k].multapses;
    s.same_population = cases[k].same;
    s.autapses = !cases[k].same;
    /* one_to_one and same-population rules need equal sizes */
    uint32_t n_pre =
        cases[k].kind == EVS_CONN_ONE_TO_ONE || cases[k].same ? 97 : 83;
    check_parts(cases[k].what, n_pre, 97, &s);
  }
}
END_TEST

START_TEST(test_parts_file) {
  /* Some lines give weight and delay, some only a weight, some neither;
   * repeated pairs and targets in no order. */
  char path[4096];
  char text[1 << 16];
  size_t len = 0;
  evs_rng r;
  evs_rng_init(&r, 7, 0, 0, EVS_RNG_TEST);
  for (int line = 0; line < 900; line++) {
    unsigned pre = evs_rng_below(&r, 40), post = evs_rng_below(&r, 50);
    switch (line % 3) {
    case 0:
      len +=
          (size_t)snprintf(text + len, sizeof text - len, "%u %u\n", pre, post);
      break;
    case 1:
      len += (size_t)snprintf(text + len, sizeof text - len, "%u %u 2e-9\n",
                              pre, post);
      break;
    default:
      len += (size_t)snprintf(text + len, sizeof text - len,
                              "%u %u 3e-9 5e-4\n", pre, post);
    }
  }
  tu_write_tmp(path, sizeof path, "check_csr_part", text);
  evs_conn_spec s = random_spec(EVS_CONN_FILE);
  s.path = path;
  check_parts("file", 40, 50, &s);
  unlink(path);
}
END_TEST

START_TEST(test_part_arguments) {
  evs_conn_spec s = random_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.5;
  evs_csr *c;
  evs_error err;
  const uint32_t unsorted[] = {3, 1}, repeated[] = {1, 1}, beyond[] = {2, 10};
  REQ_INT(evs__csr_build_part(&c, 10, 10, &s, unsorted, 2, &err), ==,
          EVS_EINVAL);
  ck_assert_ptr_null(c);
  REQ_INT(evs__csr_build_part(&c, 10, 10, &s, repeated, 2, &err), ==,
          EVS_EINVAL);
  REQ_INT(evs__csr_build_part(&c, 10, 10, &s, beyond, 2, &err), ==, EVS_EINVAL);
  /* No targets: no synapses, but every row is there. */
  c = build_part_ok(10, 10, &s, beyond, 0);
  REQ_UINT(c->nnz, ==, 0);
  REQ_UINT(c->row_ptr[10], ==, 0);
  evs_csr_free(c);
}
END_TEST

int main(void) {
  Suite *s = suite_create("csr_part");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_parts_every_rule);
  tcase_add_test(tc, test_parts_file);
  tcase_add_test(tc, test_part_arguments);
  suite_add_tcase(s, tc);
  return tu_run_suite(s);
}
