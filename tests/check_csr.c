/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the CSR builders where the result is exact: the connection rules
 * whose counts the rule fixes (all-to-all, one-to-one, fixed probability at
 * p = 0 and 1, autapses), invalid parameters, delays (rounding to the grid,
 * negative delays), structure (sorted rows, delay groups), the transposed
 * index by brute force, determinism, the edge file reader and its messages,
 * and the memory bound. The random rules' statistics are tested in
 * tests/check_csr_stats.c; the helpers both use are in csr_test_util.h. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "check_util.h"
#include "csr_test_util.h"

START_TEST(test_all_to_all) {
  evs_conn_spec s = base_spec(EVS_CONN_ALL_TO_ALL);
  evs_csr *c = build_ok(50, 40, &s);
  REQ_UINT(c->nnz, ==, 2000);
  for (uint32_t i = 0; i < 50; i++)
    for (uint32_t j = 0; j < 40; j++)
      REQ_UINT(c->target[c->row_ptr[i] + j], ==, j);
  ck_assert_ptr_null(c->grp_ptr);
  REQ_UINT(c->const_delay, ==, 15);
  for (uint64_t q = 0; q < c->nnz; q++) REQUIRE(c->weight[q] == 1e-9f);
  free(check_structure(c));
  evs_csr_free(c);
  /* One population without autapses: everything but the diagonal. */
  s.same_population = 1;
  s.autapses = 0;
  c = build_ok(30, 30, &s);
  REQ_UINT(c->nnz, ==, 30 * 29);
  for (uint32_t i = 0; i < 30; i++)
    REQ_UINT(c->row_ptr[i + 1] - c->row_ptr[i], ==, 29);
  check_no_autapses(c);
  check_no_multapses(c);
  evs_csr_free(c);
}
END_TEST

START_TEST(test_one_to_one) {
  evs_conn_spec s = base_spec(EVS_CONN_ONE_TO_ONE);
  evs_csr *c = build_ok(25, 25, &s);
  REQ_UINT(c->nnz, ==, 25);
  for (uint32_t i = 0; i < 25; i++) {
    REQ_UINT(c->row_ptr[i], ==, i);
    REQ_UINT(c->target[i], ==, i);
  }
  evs_csr_free(c);
  evs_error err;
  c = (evs_csr *)&s; /* must be reset to NULL */
  REQ_INT(evs_csr_build(&c, 25, 24, &s, &err), ==, EVS_EINVAL);
  ck_assert_ptr_null(c);
  REQUIRE(strlen(err.msg) > 0);
}
END_TEST

START_TEST(test_fixed_probability_edges) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 1;
  s.same_population = 1;
  s.autapses = 0;
  evs_csr *c = build_ok(40, 40, &s);
  REQ_UINT(c->nnz, ==, 40 * 39);
  check_no_autapses(c);
  evs_csr_free(c);
  s.autapses = 1;
  c = build_ok(40, 40, &s);
  REQ_UINT(c->nnz, ==, 40 * 40);
  evs_csr_free(c);
  s.p = 0;
  c = build_ok(40, 40, &s);
  REQ_UINT(c->nnz, ==, 0);
  REQ_UINT(c->min_delay, ==, 0);
  evs_csr_free(c);
  /* Autapse exclusion at p < 1: never i -> i, and rate p elsewhere. */
  s.p = 0.3;
  s.autapses = 0;
  c = build_ok(300, 300, &s);
  check_no_autapses(c);
  double N = 300.0 * 299;
  REQUIRE(fabs(c->nnz - N * 0.3) < 5 * sqrt(N * 0.3 * 0.7));
  evs_csr_free(c);
  evs_error err;
  s.p = 1.5;
  REQ_INT(evs_csr_build(&c, 10, 10, &s, &err), ==, EVS_EINVAL);
  ck_assert_ptr_null(c);
  s.p = NAN;
  REQ_INT(evs_csr_build(&c, 10, 10, &s, &err), ==, EVS_EINVAL);
}
END_TEST

START_TEST(test_negative_delay) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.2;
  s.delay.kind = EVS_DIST_NORMAL;
  s.delay.p[0] = 1e-3;
  s.delay.p[1] = 1e-3; /* P(d < 0) = 16%: certain among 2000 synapses */
  evs_csr *c;
  evs_error err;
  REQ_INT(evs_csr_build(&c, 100, 100, &s, &err), ==, EVS_EINVAL);
  ck_assert_ptr_null(c);
  ck_assert_ptr_nonnull(strstr(err.msg, "negative delay"));
  s.delay = evs_dist_const(1e-3);
  s.delay_step = 0;
  REQ_INT(evs_csr_build(&c, 100, 100, &s, &err), ==, EVS_EINVAL);
}
END_TEST

START_TEST(test_delay_rounding) {
  /* 0.149 ms and 0.151 ms on a 0.1 ms grid: 1 and 2 steps. */
  evs_conn_spec s = base_spec(EVS_CONN_ONE_TO_ONE);
  s.delay = evs_dist_const(0.149e-3);
  evs_csr *c = build_ok(3, 3, &s);
  REQ_UINT(c->const_delay, ==, 1);
  evs_csr_free(c);
  s.delay = evs_dist_const(0.151e-3);
  c = build_ok(3, 3, &s);
  REQ_UINT(c->const_delay, ==, 2);
  REQUIRE(c->delay_step == 1e-4);
  evs_csr_free(c);
}
END_TEST

/* The transposed index against brute force: for each post neuron j, every
 * position whose target is j in increasing order (post_pos), and for each
 * such position the row holding it, found by a linear walk over row_ptr
 * (post_pre). */
static void check_transpose(const evs_csr *c) {
  REQ_UINT(c->post_ptr[0], ==, 0);
  REQ_UINT(c->post_ptr[c->n_post], ==, c->nnz);
  uint32_t *pre_of = malloc((c->nnz ? c->nnz : 1) * sizeof *pre_of);
  REQUIRE(pre_of);
  uint32_t i = 0;
  for (uint64_t q = 0; q < c->nnz; q++) {
    while (c->row_ptr[i + 1] <= q) i++;
    pre_of[q] = i;
  }
  for (uint32_t j = 0; j < c->n_post; j++) {
    uint64_t k = c->post_ptr[j];
    for (uint64_t q = 0; q < c->nnz; q++)
      if (c->target[q] == j) {
        REQ_UINT(k, <, c->post_ptr[j + 1]);
        REQ_UINT(c->post_pos[k], ==, q);
        REQ_UINT(c->post_pre[k], ==, pre_of[q]);
        k++;
      }
    REQ_UINT(k, ==, c->post_ptr[j + 1]);
  }
  free(pre_of);
}

START_TEST(test_transpose) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.1;
  s.delay.kind = EVS_DIST_UNIFORM;
  s.delay.p[0] = 0.1e-3;
  s.delay.p[1] = 1e-3;
  evs_csr *c = build_ok(300, 250, &s);
  ck_assert_ptr_null(c->post_ptr);
  ck_assert_ptr_null(c->post_pre);
  size_t before = evs_csr_bytes(c);
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK);
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK); /* idempotent */
  /* post_ptr, then 4 bytes position + 4 bytes presynaptic index a synapse */
  REQ_UINT(evs_csr_bytes(c), ==, before + 8 * 251 + 8 * c->nnz);
  check_transpose(c);
  evs_csr_free(c);
}
END_TEST

/* The presynaptic index where a row search is easy to get wrong: long runs
 * of empty rows, repeated pairs, a single
 * post neuron collecting every row, and no synapses at all. */
START_TEST(test_transpose_pre) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.004;
  evs_csr *c = build_ok(2000, 150, &s);
  uint32_t empty = 0;
  for (uint32_t i = 0; i < c->n_pre; i++)
    empty += c->row_ptr[i + 1] == c->row_ptr[i];
  ck_assert(empty > 1000 && c->nnz > 500); /* 2000 e^{-0.6} ~ 1100 empty */
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK);
  check_transpose(c);
  evs_csr_free(c);

  s = base_spec(EVS_CONN_FIXED_TOTAL);
  s.n = 3000;
  s.multapses = 1;
  c = build_ok(40, 30, &s);
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK);
  check_transpose(c);
  evs_csr_free(c);

  s = base_spec(EVS_CONN_ALL_TO_ALL);
  c = build_ok(500, 1, &s);
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK);
  check_transpose(c);
  for (uint32_t i = 0; i < 500; i++) REQ_UINT(c->post_pre[i], ==, i);
  evs_csr_free(c);

  s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0;
  c = build_ok(20, 10, &s);
  REQ_UINT(c->nnz, ==, 0);
  REQ_INT(evs_csr_build_transpose(c), ==, EVS_OK);
  check_transpose(c);
  evs_csr_free(c);
}
END_TEST

static int same_csr(const evs_csr *a, const evs_csr *b) {
  if (a->nnz != b->nnz || a->const_delay != b->const_delay) return 0;
  if ((a->grp_ptr == NULL) != (b->grp_ptr == NULL)) return 0;
  if (memcmp(a->row_ptr, b->row_ptr, (a->n_pre + 1) * sizeof *a->row_ptr))
    return 0;
  if (memcmp(a->target, b->target, a->nnz * sizeof *a->target)) return 0;
  if (memcmp(a->weight, b->weight, a->nnz * sizeof *a->weight)) return 0;
  if (a->grp_ptr) {
    uint64_t g = a->grp_ptr[a->n_pre];
    if (memcmp(a->grp_ptr, b->grp_ptr, (a->n_pre + 1) * sizeof *a->grp_ptr))
      return 0;
    if (memcmp(a->grp_delay, b->grp_delay, g * sizeof *a->grp_delay)) return 0;
    if (memcmp(a->grp_end, b->grp_end, g * sizeof *a->grp_end)) return 0;
  }
  return 1;
}

START_TEST(test_determinism) {
  const evs_conn_kind kinds[] = {
      EVS_CONN_FIXED_PROBABILITY, EVS_CONN_FIXED_INDEGREE,
      EVS_CONN_FIXED_OUTDEGREE, EVS_CONN_FIXED_TOTAL};
  for (int k = 0; k < 4; k++) {
    evs_conn_spec s = base_spec(kinds[k]);
    s.p = 0.1;
    s.n = kinds[k] == EVS_CONN_FIXED_TOTAL ? 3000 : 20;
    s.multapses = k == 3;
    s.weight.kind = EVS_DIST_UNIFORM;
    s.weight.p[0] = 0;
    s.weight.p[1] = 1e-9;
    s.delay.kind = EVS_DIST_UNIFORM;
    s.delay.p[0] = 0.1e-3;
    s.delay.p[1] = 2e-3;
    evs_csr *a = build_ok(150, 120, &s), *b = build_ok(150, 120, &s);
    REQUIRE_MSG(same_csr(a, b), "kind %d not reproducible", kinds[k]);
    evs_csr_free(b);
    s.seed++;
    b = build_ok(150, 120, &s);
    REQUIRE_MSG(!same_csr(a, b), "kind %d ignores the seed", kinds[k]);
    evs_csr_free(b);
    s.seed--;
    s.stream++;
    b = build_ok(150, 120, &s);
    REQUIRE_MSG(!same_csr(a, b), "kind %d ignores the stream", kinds[k]);
    evs_csr_free(b);
    evs_csr_free(a);
  }
}
END_TEST

START_TEST(test_memory_bound) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.1;
  evs_csr *c = build_ok(2000, 2000, &s);
  ck_assert_ptr_null(c->grp_ptr);
  uint64_t bound = 8 * c->nnz + 8 * (2000 + 1) + 16 * count_groups(c) + 256;
  REQ_UINT(evs_csr_bytes(c), <=, bound);
  /* And the exact account: the struct, row_ptr, target and weight. */
  REQ_UINT(evs_csr_bytes(c), ==, sizeof *c + 8 * 2001 + 8 * c->nnz);
  evs_csr_free(c);
  evs_csr_free(NULL);
}
END_TEST

START_TEST(test_share_weight) {
  /* One weight for all: shared, 4 bytes a synapse fewer, same values. */
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0.1;
  evs_csr *c = build_ok(300, 200, &s);
  size_t before = evs_csr_bytes(c);
  REQ_INT(evs_csr_share_weight(c), ==, 1);
  ck_assert_ptr_null(c->weight);
  REQ_UINT(evs_csr_bytes(c), ==, before - 4 * c->nnz);
  for (uint64_t q = 0; q < c->nnz; q++) REQUIRE(evs_csr_weight(c, q) == 1e-9f);
  REQ_INT(evs_csr_share_weight(c), ==, 1); /* already shared */
  evs_csr_free(c);
  /* Drawn weights differ: nothing changes. */
  s.weight.kind = EVS_DIST_UNIFORM;
  s.weight.p[0] = 0;
  s.weight.p[1] = 1e-9;
  c = build_ok(300, 200, &s);
  before = evs_csr_bytes(c);
  REQ_INT(evs_csr_share_weight(c), ==, 0);
  ck_assert_ptr_nonnull(c->weight);
  REQ_UINT(evs_csr_bytes(c), ==, before);
  evs_csr_free(c);
  /* No synapses: left alone. */
  s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 0;
  c = build_ok(10, 10, &s);
  REQ_INT(evs_csr_share_weight(c), ==, 0);
  evs_csr_free(c);
}
END_TEST

/* ---- edge files ---------------------------------------------------------- */

static char data_path[1024];
static const char *data_file(const char *name) {
  const char *dir = getenv("TESTDATA");
  snprintf(data_path, sizeof data_path, "%s/%s", dir ? dir : "tests/data",
           name);
  return data_path;
}

START_TEST(test_file) {
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  s.path = data_file("edges.txt");
  s.weight = evs_dist_const(7e-9);
  evs_csr *c = build_ok(4, 4, &s);
  REQ_UINT(c->nnz, ==, 7);
  uint32_t *d = check_structure(c);
  /* Expected by hand from the file, rows sorted by (delay, target). */
  const uint64_t row_ptr[] = {0, 3, 4, 6, 7};
  const uint32_t target[] = {1, 2, 1, 2, 0, 3, 3};
  const float weight[] = {4.5e-9f, 2.5e-9f, 1.5e-9f, 3e-9f,
                          -1e-9f,  7e-9f,   1e-9f};
  const uint32_t delay[] = {5, 5, 10, 15, 10, 15, 20};
  for (int i = 0; i < 5; i++) REQ_UINT(c->row_ptr[i], ==, row_ptr[i]);
  for (int q = 0; q < 7; q++) {
    REQ_UINT(c->target[q], ==, target[q]);
    REQUIRE(c->weight[q] == weight[q]);
    REQ_UINT(d[q], ==, delay[q]);
  }
  /* Groups: row 0 has two (5: [0,2), 10: [2,3)), every other row one. */
  ck_assert_ptr_nonnull(c->grp_ptr);
  REQ_UINT(c->grp_ptr[1] - c->grp_ptr[0], ==, 2);
  REQ_UINT(c->grp_end[0], ==, 2);
  REQ_UINT(c->grp_end[1], ==, 3);
  REQ_UINT(c->grp_ptr[4], ==, 6);
  REQ_UINT(c->min_delay, ==, 5);
  REQ_UINT(c->max_delay, ==, 20);
  free(d);
  evs_csr_free(c);
}
END_TEST

/* Writes text to a fresh temporary file; returns its path (static). */
static char tmp_path[256];
static const char *write_tmp(const char *text) {
  tu_write_tmp(tmp_path, sizeof tmp_path, "check_csr", text);
  return tmp_path;
}

START_TEST(test_file_delay_order) {
  /* Targets in order, delays not: the sort by delay must carry the
   * weights along (a row like the ones fixed-probability generates). */
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  s.path =
      write_tmp("0 0 1e-9 3e-4\n0 1 2e-9 1e-4\n0 2 3e-9 2e-4\n0 3 4e-9 1e-4\n"
                "1 0 5e-9 1e-4\n");
  evs_csr *c = build_ok(2, 4, &s);
  unlink(s.path);
  uint32_t *d = check_structure(c);
  const uint32_t target[] = {1, 3, 2, 0, 0};
  const float weight[] = {2e-9f, 4e-9f, 3e-9f, 1e-9f, 5e-9f};
  const uint32_t delay[] = {1, 1, 2, 3, 1};
  for (int q = 0; q < 5; q++) {
    REQ_UINT(c->target[q], ==, target[q]);
    REQUIRE(c->weight[q] == weight[q]);
    REQ_UINT(d[q], ==, delay[q]);
  }
  REQ_UINT(c->grp_ptr[2], ==, 4);
  free(d);
  evs_csr_free(c);
}
END_TEST

/* Hostile edge lists (issue 15): a device that never ends is no edge list
 * (it was read until memory ran out, then taken for an empty file), and a
 * NUL byte does not cut a line short unseen. */
START_TEST(test_file_hostile) {
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  evs_csr *c = NULL;
  evs_error err;
  s.path = "/dev/zero";
  REQ_INT(evs_csr_build(&c, 4, 4, &s, &err), ==, EVS_EIO);
  ck_assert_ptr_null(c);
  REQUIRE_MSG(strstr(err.msg, "/dev/zero: not a regular file") != NULL,
              "message '%s'", err.msg);
  char path[] = "/tmp/check_csr_nul.XXXXXX";
  int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  static const char text[] = "0 1\n2 3\0 9 9\n";
  REQUIRE(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
  close(fd);
  s.path = path;
  int rc = evs_csr_build(&c, 4, 4, &s, &err);
  unlink(path);
  REQ_INT(rc, ==, EVS_EINVAL);
  REQUIRE_MSG(strstr(err.msg, ":2: NUL byte") != NULL, "message '%s'", err.msg);
}
END_TEST

static void expect_file_error(const char *text, int line, const char *words,
                              int code) {
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  s.path = write_tmp(text);
  evs_csr *c = (evs_csr *)&s;
  evs_error err;
  evs_error_clear(&err);
  int rc = evs_csr_build(&c, 4, 4, &s, &err);
  char prefix[300];
  snprintf(prefix, sizeof prefix, "%s:%d: ", s.path, line);
  unlink(s.path);
  REQ_INT(rc, ==, code);
  ck_assert_ptr_null(c);
  REQUIRE_MSG(strncmp(err.msg, prefix, strlen(prefix)) == 0,
              "message '%s', expected prefix '%s'", err.msg, prefix);
  REQUIRE_MSG(strstr(err.msg, words) != NULL, "message '%s' lacks '%s'",
              err.msg, words);
}

START_TEST(test_file_errors) {
  expect_file_error("0 1\n0 x\n", 2, "malformed post index", EVS_EINVAL);
  expect_file_error("# comment\n\n0 1 abc\n", 3, "malformed weight",
                    EVS_EINVAL);
  expect_file_error("0 1\n1 0\n5 0\n", 3, "out of range", EVS_EINVAL);
  expect_file_error("0 1\n1 4\n", 2, "out of range", EVS_EINVAL);
  expect_file_error("0 1 1e-9 -1e-3\n", 1, "negative delay", EVS_EINVAL);
  expect_file_error("0 1 1e-9 1e-3x\n", 1, "malformed delay", EVS_EINVAL);
  expect_file_error("0 1 1e-9 1e-3 7\n", 1, "too many fields", EVS_EINVAL);
  expect_file_error("\n\n\n\n-1 0\n", 5, "malformed pre index", EVS_EINVAL);
  expect_file_error("0 1\n2\n", 2, "one field", EVS_EINVAL);
  expect_file_error("0 1.5\n", 1, "malformed post index", EVS_EINVAL);
  /* a weight beyond float's range (found by tests/fuzz/fuzz_edges: it was
   * stored as an infinite weight) */
  expect_file_error("0 1\n1 2 3e79\n", 2, "weight 3e+79 out of range",
                    EVS_EINVAL);
  expect_file_error("0 1 -1e39\n", 1, "out of range", EVS_EINVAL);
  /* An unreadable file. */
  evs_conn_spec s = base_spec(EVS_CONN_FILE);
  s.path = "/nonexistent/evsnn/edges.txt";
  evs_csr *c;
  evs_error err;
  REQ_INT(evs_csr_build(&c, 4, 4, &s, &err), ==, EVS_EIO);
  ck_assert_ptr_null(c);
  ck_assert_ptr_nonnull(strstr(err.msg, s.path));
  /* Comments, blank lines and an empty file are fine. */
  s.path = write_tmp("# only a comment\n\n   \n");
  int rc = evs_csr_build(&c, 4, 4, &s, &err);
  unlink(s.path);
  REQ_INT(rc, ==, EVS_OK);
  REQ_UINT(c->nnz, ==, 0);
  evs_csr_free(c);
}
END_TEST

static Suite *csr_suite(void) {
  Suite *s = suite_create("csr");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_all_to_all);
  tcase_add_test(tc, test_one_to_one);
  tcase_add_test(tc, test_fixed_probability_edges);
  tcase_add_test(tc, test_negative_delay);
  tcase_add_test(tc, test_delay_rounding);
  tcase_add_test(tc, test_transpose);
  tcase_add_test(tc, test_transpose_pre);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_memory_bound);
  tcase_add_test(tc, test_share_weight);
  tcase_add_test(tc, test_file);
  tcase_add_test(tc, test_file_errors);
  tcase_add_test(tc, test_file_hostile);
  tcase_add_test(tc, test_file_delay_order);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(csr_suite()); }
