/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the CSR builders' random connection rules (fixed probability,
 * fixed in-degree, fixed out-degree, fixed total): exact counts where the
 * rule fixes them, statistics against the rule's distribution where it does
 * not (tolerances of 5 standard deviations unless said otherwise), and the
 * moments of drawn weights and delays. Exact results, the transposed index
 * and the edge file reader are tested in tests/check_csr.c; the helpers both
 * use are in csr_test_util.h. */
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

/* Chi-square of counts against a uniform expectation: within mean +- 5 sd
 * of the chi-square(k-1) distribution (mean k-1, variance 2(k-1)). factor is
 * the counts' variance relative to multinomial counts: 1 for independent
 * draws, (M-n)/(M-1) for n draws without replacement from M, 1-p for
 * independent Bernoulli(p) trials; the statistic is divided by it. */
static void check_uniform_counts(const uint32_t *count, uint32_t k,
                                 double factor, const char *what) {
  double total = 0;
  for (uint32_t j = 0; j < k; j++) total += count[j];
  double e = total / k, chi2 = 0;
  for (uint32_t j = 0; j < k; j++) chi2 += (count[j] - e) * (count[j] - e) / e;
  chi2 /= factor;
  /* And each count on its own (a defect in one bin hardly moves chi2):
   * within 6 sd, which all of a few hundred bins pass but with p ~ 1e-6. */
  for (uint32_t j = 0; j < k; j++)
    REQUIRE_MSG(fabs(count[j] - e) < 6 * sqrt(e * factor) + 1,
                "%s: count[%u] = %u, expected %g", what, j, count[j], e);
  double dof = k - 1;
  REQUIRE_MSG(fabs(chi2 - dof) < 5 * sqrt(2 * dof), "%s: chi2 %g with %g dof",
              what, chi2, dof);
}

/* Sample mean and variance within tolerance of the population's: mean to 5
 * standard errors, variance to 5 sd of the sample variance (normal theory
 * with the given excess kurtosis). */
static void check_moments(const double *x, uint64_t n, double mean, double var,
                          double kurt_excess, const char *what) {
  double m = 0, v = 0;
  for (uint64_t k = 0; k < n; k++) m += x[k];
  m /= n;
  for (uint64_t k = 0; k < n; k++) v += (x[k] - m) * (x[k] - m);
  v /= (n - 1);
  REQUIRE_MSG(fabs(m - mean) < 5 * sqrt(var / n) + 1e-12 * fabs(mean),
              "%s: mean %g, expected %g", what, m, mean);
  double sd_v = var * sqrt((2.0 + kurt_excess) / n);
  REQUIRE_MSG(fabs(v - var) < 5 * sd_v + 1e-12 * var,
              "%s: variance %g, expected %g", what, v, var);
}

START_TEST(test_fixed_probability_stats) {
  const uint32_t n_pre = 2000, n_post = 1000;
  const double p = 0.05;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = p;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  double N = (double)n_pre * n_post;
  REQUIRE_MSG(fabs(c->nnz - N * p) < 5 * sqrt(N * p * (1 - p)), "nnz %llu",
              (unsigned long long)c->nnz);
  /* Out-degrees: binomial(n_post, p) per row. */
  double *deg = malloc(n_pre * sizeof *deg);
  for (uint32_t i = 0; i < n_pre; i++)
    deg[i] = (double)(c->row_ptr[i + 1] - c->row_ptr[i]);
  double npq = n_post * p * (1 - p);
  check_moments(deg, n_pre, n_post * p, npq, (1 - 6 * p * (1 - p)) / npq,
                "out-degree");
  /* Every target equally likely: in-degrees uniform across columns. */
  uint32_t *in = malloc(n_post * sizeof *in);
  evs_csr_indegrees(c, in);
  check_uniform_counts(in, n_post, 1 - p, "in-degree");
  /* Adjacent pairs (j, j+1) in a row occur with probability p^2 each: an
   * off-by-one in the geometric gaps would change that. */
  uint64_t adj = 0;
  for (uint32_t i = 0; i < n_pre; i++)
    for (uint64_t q = c->row_ptr[i] + 1; q < c->row_ptr[i + 1]; q++)
      adj += c->target[q] == c->target[q - 1] + 1;
  double m_adj = (double)n_pre * (n_post - 1) * p * p;
  REQUIRE_MSG(fabs(adj - m_adj) < 5 * sqrt(m_adj * 1.2), "adjacent %llu vs %g",
              (unsigned long long)adj, m_adj);
  check_no_multapses(c);
  free(check_structure(c));
  free(deg);
  free(in);
  evs_csr_free(c);
}
END_TEST

START_TEST(test_fixed_probability_sparse_is_fast) {
  /* 4e10 candidate pairs, ~1e5 synapses: only O(synapses + rows) work
   * finishes within the test's timeout. */
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = 2.5e-6;
  evs_csr *c = build_ok(200000, 200000, &s);
  double N = 4e10;
  REQUIRE(fabs(c->nnz - N * s.p) < 5 * sqrt(N * s.p));
  evs_csr_free(c);
}
END_TEST

START_TEST(test_fixed_indegree) {
  const uint32_t n_pre = 300, n_post = 400, n = 60;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_INDEGREE);
  s.n = n;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  REQ_UINT(c->nnz, ==, (uint64_t)n * n_post);
  uint32_t *in = malloc(n_post * sizeof *in);
  evs_csr_indegrees(c, in);
  for (uint32_t j = 0; j < n_post; j++) REQ_UINT(in[j], ==, n);
  check_no_multapses(c);
  /* Sources uniform: each column picks n of n_pre without replacement. */
  uint32_t *out = malloc(n_pre * sizeof *out);
  for (uint32_t i = 0; i < n_pre; i++)
    out[i] = (uint32_t)(c->row_ptr[i + 1] - c->row_ptr[i]);
  check_uniform_counts(out, n_pre, (double)(n_pre - n) / (n_pre - 1),
                       "out-degree");
  free(check_structure(c));
  evs_csr_free(c);
  /* One population, no autapses, n = n_pre - 1: everyone but itself. */
  s.same_population = 1;
  s.autapses = 0;
  s.n = 99;
  c = build_ok(100, 100, &s);
  REQ_UINT(c->nnz, ==, 9900);
  check_no_autapses(c);
  check_no_multapses(c);
  evs_csr_free(c);
  evs_error err;
  s.n = 100;
  REQ_INT(evs_csr_build(&c, 100, 100, &s, &err), ==, EVS_EINVAL);
  ck_assert_ptr_null(c);
  s.same_population = 0;
  s.n = 101;
  REQ_INT(evs_csr_build(&c, 100, 100, &s, &err), ==, EVS_EINVAL);
  free(in);
  free(out);
}
END_TEST

START_TEST(test_fixed_indegree_multapses) {
  /* With multapses each column draws n times with replacement from m: the
   * number of distinct sources D per column has the occupancy distribution
   * with E[empty] = m q1^n, Var[empty] = m(m-1) q2^n + m q1^n - m^2 q1^2n,
   * q1 = 1 - 1/m, q2 = 1 - 2/m. */
  const uint32_t m = 100, n = 50, cols = 500;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_INDEGREE);
  s.n = n;
  s.multapses = 1;
  evs_csr *c = build_ok(m, cols, &s);
  evs_csr_build_transpose(c);
  uint32_t in[500];
  evs_csr_indegrees(c, in);
  double empty = 0;
  for (uint32_t j = 0; j < cols; j++) {
    REQ_UINT(in[j], ==, n);
    char seen[100] = {0};
    int distinct = 0;
    /* the presynaptic index, checked against a row walk in check_csr.c */
    for (uint64_t k = c->post_ptr[j]; k < c->post_ptr[j + 1]; k++)
      if (!seen[c->post_pre[k]]++) distinct++;
    empty += m - distinct;
  }
  double q1 = 1 - 1.0 / m, q2 = 1 - 2.0 / m;
  double e = m * pow(q1, n),
         v = m * (m - 1) * pow(q2, n) + e - (double)m * m * pow(q1, 2 * n);
  REQUIRE_MSG(fabs(empty - cols * e) < 5 * sqrt(cols * v), "empty %g vs %g",
              empty, cols * e);
  evs_csr_free(c);
}
END_TEST

START_TEST(test_fixed_outdegree) {
  const uint32_t n_pre = 400, n_post = 300, n = 45;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_OUTDEGREE);
  s.n = n;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  REQ_UINT(c->nnz, ==, (uint64_t)n * n_pre);
  for (uint32_t i = 0; i < n_pre; i++)
    REQ_UINT(c->row_ptr[i + 1] - c->row_ptr[i], ==, n);
  check_no_multapses(c);
  uint32_t *in = malloc(n_post * sizeof *in);
  evs_csr_indegrees(c, in);
  check_uniform_counts(in, n_post, (double)(n_post - n) / (n_post - 1),
                       "in-degree");
  free(check_structure(c));
  evs_csr_free(c);
  s.same_population = 1;
  s.autapses = 0;
  s.n = 49;
  c = build_ok(50, 50, &s);
  REQ_UINT(c->nnz, ==, 50 * 49);
  check_no_autapses(c);
  check_no_multapses(c);
  evs_csr_free(c);
  /* Many short draws: a bias of a few percent on some targets shows. */
  s.n = 10;
  s.same_population = 0;
  c = build_ok(20000, 50, &s);
  uint32_t in50[50];
  evs_csr_indegrees(c, in50);
  check_uniform_counts(in50, 50, 40.0 / 49, "in-degree of 20000 rows");
  evs_csr_free(c);
  s.same_population = 1;
  evs_error err;
  s.n = 50;
  REQ_INT(evs_csr_build(&c, 50, 50, &s, &err), ==, EVS_EINVAL);
  s.multapses = 1; /* with multapses any n works */
  s.n = 200;
  c = build_ok(50, 50, &s);
  REQ_UINT(c->nnz, ==, 50 * 200);
  check_no_autapses(c);
  evs_csr_free(c);
  free(in);
}
END_TEST

START_TEST(test_fixed_total) {
  const uint32_t n_pre = 300, n_post = 200;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_TOTAL);
  s.n = 30000;
  s.multapses = 1;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  REQ_UINT(c->nnz, ==, 30000);
  /* Multinomial: in-degrees and out-degrees uniform. */
  uint32_t *in = malloc(n_post * sizeof *in);
  evs_csr_indegrees(c, in);
  check_uniform_counts(in, n_post, 1, "in-degree");
  uint32_t *out = malloc(n_pre * sizeof *out);
  for (uint32_t i = 0; i < n_pre; i++)
    out[i] = (uint32_t)(c->row_ptr[i + 1] - c->row_ptr[i]);
  check_uniform_counts(out, n_pre, 1, "out-degree");
  free(check_structure(c));
  evs_csr_free(c);
  free(in);
  free(out);
}
END_TEST

START_TEST(test_fixed_total_no_multapses) {
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_TOTAL);
  s.same_population = 1;
  s.autapses = 0;
  s.multapses = 0;
  /* Sparse (direct draw), dense (complement draw) and full. */
  const uint64_t ns[] = {2000, 7000, 9900};
  for (int k = 0; k < 3; k++) {
    s.n = ns[k];
    evs_csr *c = build_ok(100, 100, &s);
    REQ_UINT(c->nnz, ==, ns[k]);
    check_no_multapses(c);
    check_no_autapses(c);
    uint32_t in[100];
    evs_csr_indegrees(c, in);
    /* n of the M = 9900 allowed pairs without replacement. */
    if (ns[k] < 9900)
      check_uniform_counts(in, 100, (9900.0 - ns[k]) / 9899, "in-degree");
    else
      for (int j = 0; j < 100; j++) REQ_UINT(in[j], ==, 99);
    free(check_structure(c));
    evs_csr_free(c);
  }
  evs_csr *c;
  evs_error err;
  s.n = 9901;
  REQ_INT(evs_csr_build(&c, 100, 100, &s, &err), ==, EVS_EINVAL);
  ck_assert_ptr_null(c);
}
END_TEST

START_TEST(test_weight_delay_moments) {
  /* Weights normal(2 nA, 0.5 nA); delays uniform(0.5 ms, 3 ms) rounded to
   * 0.1 ms: steps 5..30, the ends with half the mass of the inner values,
   * so the mean stays 17.5 steps and the variance is that of the discrete
   * distribution, computed here by hand. */
  const evs_conn_kind kinds[] = {EVS_CONN_FIXED_PROBABILITY,
                                 EVS_CONN_FIXED_INDEGREE, EVS_CONN_FIXED_TOTAL};
  for (int k = 0; k < 3; k++) {
    evs_conn_spec s = base_spec(kinds[k]);
    s.p = 0.1;
    s.n = kinds[k] == EVS_CONN_FIXED_TOTAL ? 60000 : 100;
    s.multapses = 1;
    s.weight.kind = EVS_DIST_NORMAL;
    s.weight.p[0] = 2e-9;
    s.weight.p[1] = 0.5e-9;
    s.delay.kind = EVS_DIST_UNIFORM;
    s.delay.p[0] = 0.5e-3;
    s.delay.p[1] = 3e-3;
    evs_csr *c = build_ok(1000, 600, &s);
    uint32_t *d = check_structure(c);
    ck_assert_ptr_nonnull(c->grp_ptr);
    double *x = malloc(c->nnz * sizeof *x);
    for (uint64_t q = 0; q < c->nnz; q++) x[q] = c->weight[q] * 1e9;
    check_moments(x, c->nnz, 2.0, 0.25, 0, "weight");
    double pm = 0, pv = 0; /* discrete delay distribution */
    for (int st = 5; st <= 30; st++) {
      double w = (st == 5 || st == 30) ? 0.5 / 25 : 1.0 / 25;
      pm += w * st;
    }
    for (int st = 5; st <= 30; st++) {
      double w = (st == 5 || st == 30) ? 0.5 / 25 : 1.0 / 25;
      pv += w * (st - pm) * (st - pm);
    }
    REQUIRE(fabs(pm - 17.5) < 1e-12);
    for (uint64_t q = 0; q < c->nnz; q++) {
      REQUIRE(d[q] >= 5 && d[q] <= 30);
      x[q] = d[q];
    }
    check_moments(x, c->nnz, pm, pv, -1.2, "delay");
    REQ_UINT(c->min_delay, ==, 5);
    REQ_UINT(c->max_delay, ==, 30);
    /* The memory bound, with groups. */
    REQ_UINT(evs_csr_bytes(c), <=,
             8 * c->nnz + 8 * ((uint64_t)c->n_pre + 1) + 16 * count_groups(c) +
                 256);
    free(x);
    free(d);
    evs_csr_free(c);
  }
}
END_TEST

static Suite *csr_stats_suite(void) {
  Suite *s = suite_create("csr_stats");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_fixed_probability_stats);
  tcase_add_test(tc, test_fixed_probability_sparse_is_fast);
  tcase_add_test(tc, test_fixed_indegree);
  tcase_add_test(tc, test_fixed_indegree_multapses);
  tcase_add_test(tc, test_fixed_outdegree);
  tcase_add_test(tc, test_fixed_total);
  tcase_add_test(tc, test_fixed_total_no_multapses);
  tcase_add_test(tc, test_weight_delay_moments);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(csr_stats_suite()); }
