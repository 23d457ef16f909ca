/* Tests of the CSR builders: exact counts where the rule fixes them,
 * statistics against the rule's distribution where it does not (tolerances
 * of 5 standard deviations unless said otherwise), structure (sorted rows,
 * delay groups), the transposed index by brute force, determinism, the edge
 * file reader and its messages, and the memory bound. */
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

static evs_conn_spec base_spec(evs_conn_kind kind) {
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

static evs_csr *build_ok(uint32_t n_pre, uint32_t n_post, const evs_conn_spec *s) {
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
static uint32_t *check_structure(const evs_csr *c) {
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
        REQ_UINT(c->grp_end[g], >, start); /* nonempty */
        if (g > c->grp_ptr[i]) REQ_UINT(c->grp_delay[g], >, c->grp_delay[g - 1]);
        for (uint64_t q = start; q < c->grp_end[g]; q++) d[q] = c->grp_delay[g];
        start = c->grp_end[g];
      }
      REQ_UINT(start, ==, hi); /* the groups cover the row */
    }
    for (uint64_t q = lo; q < hi; q++) {
      REQ_UINT(c->target[q], <, c->n_post);
      if (q > lo) /* sorted by (delay, target) */
        REQUIRE(d[q] > d[q - 1] || (d[q] == d[q - 1] && c->target[q] >= c->target[q - 1]));
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

static uint64_t count_groups(const evs_csr *c) {
  if (c->grp_ptr) return c->grp_ptr[c->n_pre];
  uint64_t g = 0;
  for (uint32_t i = 0; i < c->n_pre; i++) g += c->row_ptr[i + 1] > c->row_ptr[i];
  return g;
}

/* No repeated (pre, post) pair; rows are sorted by target within a delay,
 * so with one delay a repeat is adjacent, otherwise search the row. */
static void check_no_multapses(const evs_csr *c) {
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++)
      for (uint64_t r = c->row_ptr[i]; r < q; r++) REQ_UINT(c->target[q], !=, c->target[r]);
}

static void check_no_autapses(const evs_csr *c) {
  for (uint32_t i = 0; i < c->n_pre; i++)
    for (uint64_t q = c->row_ptr[i]; q < c->row_ptr[i + 1]; q++) REQ_UINT(c->target[q], !=, i);
}

/* Chi-square of counts against a uniform expectation: within mean +- 5 sd
 * of the chi-square(k-1) distribution (mean k-1, variance 2(k-1)). factor is
 * the counts' variance relative to multinomial counts: 1 for independent
 * draws, (M-n)/(M-1) for n draws without replacement from M, 1-p for
 * independent Bernoulli(p) trials; the statistic is divided by it. */
static void check_uniform_counts(const uint32_t *count, uint32_t k, double factor,
                                 const char *what) {
  double total = 0;
  for (uint32_t j = 0; j < k; j++) total += count[j];
  double e = total / k, chi2 = 0;
  for (uint32_t j = 0; j < k; j++) chi2 += (count[j] - e) * (count[j] - e) / e;
  chi2 /= factor;
  /* And each count on its own (a defect in one bin hardly moves chi2):
   * within 6 sd, which all of a few hundred bins pass but with p ~ 1e-6. */
  for (uint32_t j = 0; j < k; j++)
    REQUIRE_MSG(fabs(count[j] - e) < 6 * sqrt(e * factor) + 1, "%s: count[%u] = %u, expected %g",
                what, j, count[j], e);
  double dof = k - 1;
  REQUIRE_MSG(fabs(chi2 - dof) < 5 * sqrt(2 * dof), "%s: chi2 %g with %g dof", what, chi2, dof);
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
  REQUIRE_MSG(fabs(m - mean) < 5 * sqrt(var / n) + 1e-12 * fabs(mean), "%s: mean %g, expected %g", what, m, mean);
  double sd_v = var * sqrt((2.0 + kurt_excess) / n);
  REQUIRE_MSG(fabs(v - var) < 5 * sd_v + 1e-12 * var, "%s: variance %g, expected %g", what, v, var);
}

START_TEST(test_all_to_all) {
  evs_conn_spec s = base_spec(EVS_CONN_ALL_TO_ALL);
  evs_csr *c = build_ok(50, 40, &s);
  REQ_UINT(c->nnz, ==, 2000);
  for (uint32_t i = 0; i < 50; i++)
    for (uint32_t j = 0; j < 40; j++) REQ_UINT(c->target[c->row_ptr[i] + j], ==, j);
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
  for (uint32_t i = 0; i < 30; i++) REQ_UINT(c->row_ptr[i + 1] - c->row_ptr[i], ==, 29);
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

START_TEST(test_fixed_probability_stats) {
  const uint32_t n_pre = 2000, n_post = 1000;
  const double p = 0.05;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_PROBABILITY);
  s.p = p;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  double N = (double)n_pre * n_post;
  REQUIRE_MSG(fabs(c->nnz - N * p) < 5 * sqrt(N * p * (1 - p)), "nnz %llu", (unsigned long long)c->nnz);
  /* Out-degrees: binomial(n_post, p) per row. */
  double *deg = malloc(n_pre * sizeof *deg);
  for (uint32_t i = 0; i < n_pre; i++) deg[i] = (double)(c->row_ptr[i + 1] - c->row_ptr[i]);
  double npq = n_post * p * (1 - p);
  check_moments(deg, n_pre, n_post * p, npq, (1 - 6 * p * (1 - p)) / npq, "out-degree");
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
  REQUIRE_MSG(fabs(adj - m_adj) < 5 * sqrt(m_adj * 1.2), "adjacent %llu vs %g", (unsigned long long)adj, m_adj);
  check_no_multapses(c);
  free(check_structure(c));
  free(deg);
  free(in);
  evs_csr_free(c);
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
  for (uint32_t i = 0; i < n_pre; i++) out[i] = (uint32_t)(c->row_ptr[i + 1] - c->row_ptr[i]);
  check_uniform_counts(out, n_pre, (double)(n_pre - n) / (n_pre - 1), "out-degree");
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
    for (uint64_t k = c->post_ptr[j]; k < c->post_ptr[j + 1]; k++) {
      uint64_t q = c->post_pos[k];
      uint32_t i = 0;
      while (c->row_ptr[i + 1] <= q) i++;
      if (!seen[i]++) distinct++;
    }
    empty += m - distinct;
  }
  double q1 = 1 - 1.0 / m, q2 = 1 - 2.0 / m;
  double e = m * pow(q1, n), v = m * (m - 1) * pow(q2, n) + e - (double)m * m * pow(q1, 2 * n);
  REQUIRE_MSG(fabs(empty - cols * e) < 5 * sqrt(cols * v), "empty %g vs %g", empty, cols * e);
  evs_csr_free(c);
}
END_TEST

START_TEST(test_fixed_outdegree) {
  const uint32_t n_pre = 400, n_post = 300, n = 45;
  evs_conn_spec s = base_spec(EVS_CONN_FIXED_OUTDEGREE);
  s.n = n;
  evs_csr *c = build_ok(n_pre, n_post, &s);
  REQ_UINT(c->nnz, ==, (uint64_t)n * n_pre);
  for (uint32_t i = 0; i < n_pre; i++) REQ_UINT(c->row_ptr[i + 1] - c->row_ptr[i], ==, n);
  check_no_multapses(c);
  uint32_t *in = malloc(n_post * sizeof *in);
  evs_csr_indegrees(c, in);
  check_uniform_counts(in, n_post, (double)(n_post - n) / (n_post - 1), "in-degree");
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
  for (uint32_t i = 0; i < n_pre; i++) out[i] = (uint32_t)(c->row_ptr[i + 1] - c->row_ptr[i]);
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
    if (ns[k] < 9900) check_uniform_counts(in, 100, (9900.0 - ns[k]) / 9899, "in-degree");
    else for (int j = 0; j < 100; j++) REQ_UINT(in[j], ==, 99);
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
  const evs_conn_kind kinds[] = {EVS_CONN_FIXED_PROBABILITY, EVS_CONN_FIXED_INDEGREE,
                                 EVS_CONN_FIXED_TOTAL};
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
    REQ_UINT(evs_csr_bytes(c), <=, 8 * c->nnz + 8 * ((uint64_t)c->n_pre + 1) + 16 * count_groups(c) + 256);
    free(x);
    free(d);
    evs_csr_free(c);
  }
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
  for (uint32_t i = 0; i < c->n_pre; i++) empty += c->row_ptr[i + 1] == c->row_ptr[i];
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
  if (memcmp(a->row_ptr, b->row_ptr, (a->n_pre + 1) * sizeof *a->row_ptr)) return 0;
  if (memcmp(a->target, b->target, a->nnz * sizeof *a->target)) return 0;
  if (memcmp(a->weight, b->weight, a->nnz * sizeof *a->weight)) return 0;
  if (a->grp_ptr) {
    uint64_t g = a->grp_ptr[a->n_pre];
    if (memcmp(a->grp_ptr, b->grp_ptr, (a->n_pre + 1) * sizeof *a->grp_ptr)) return 0;
    if (memcmp(a->grp_delay, b->grp_delay, g * sizeof *a->grp_delay)) return 0;
    if (memcmp(a->grp_end, b->grp_end, g * sizeof *a->grp_end)) return 0;
  }
  return 1;
}

START_TEST(test_determinism) {
  const evs_conn_kind kinds[] = {EVS_CONN_FIXED_PROBABILITY, EVS_CONN_FIXED_INDEGREE,
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

/* ---- edge files ---------------------------------------------------------- */

static char data_path[1024];
static const char *data_file(const char *name) {
  const char *dir = getenv("TESTDATA");
  snprintf(data_path, sizeof data_path, "%s/%s", dir ? dir : "tests/data", name);
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
  const float weight[] = {4.5e-9f, 2.5e-9f, 1.5e-9f, 3e-9f, -1e-9f, 7e-9f, 1e-9f};
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
  s.path = write_tmp("0 0 1e-9 3e-4\n0 1 2e-9 1e-4\n0 2 3e-9 2e-4\n0 3 4e-9 1e-4\n"
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

static void expect_file_error(const char *text, int line, const char *words, int code) {
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
  REQUIRE_MSG(strncmp(err.msg, prefix, strlen(prefix)) == 0, "message '%s', expected prefix '%s'", err.msg, prefix);
  REQUIRE_MSG(strstr(err.msg, words) != NULL, "message '%s' lacks '%s'", err.msg, words);
}

START_TEST(test_file_errors) {
  expect_file_error("0 1\n0 x\n", 2, "malformed post index", EVS_EINVAL);
  expect_file_error("# comment\n\n0 1 abc\n", 3, "malformed weight", EVS_EINVAL);
  expect_file_error("0 1\n1 0\n5 0\n", 3, "out of range", EVS_EINVAL);
  expect_file_error("0 1\n1 4\n", 2, "out of range", EVS_EINVAL);
  expect_file_error("0 1 1e-9 -1e-3\n", 1, "negative delay", EVS_EINVAL);
  expect_file_error("0 1 1e-9 1e-3x\n", 1, "malformed delay", EVS_EINVAL);
  expect_file_error("0 1 1e-9 1e-3 7\n", 1, "too many fields", EVS_EINVAL);
  expect_file_error("\n\n\n\n-1 0\n", 5, "malformed pre index", EVS_EINVAL);
  expect_file_error("0 1\n2\n", 2, "one field", EVS_EINVAL);
  expect_file_error("0 1.5\n", 1, "malformed post index", EVS_EINVAL);
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
  tcase_add_test(tc, test_fixed_probability_stats);
  tcase_add_test(tc, test_fixed_probability_edges);
  tcase_add_test(tc, test_fixed_probability_sparse_is_fast);
  tcase_add_test(tc, test_fixed_indegree);
  tcase_add_test(tc, test_fixed_indegree_multapses);
  tcase_add_test(tc, test_fixed_outdegree);
  tcase_add_test(tc, test_fixed_total);
  tcase_add_test(tc, test_fixed_total_no_multapses);
  tcase_add_test(tc, test_weight_delay_moments);
  tcase_add_test(tc, test_negative_delay);
  tcase_add_test(tc, test_delay_rounding);
  tcase_add_test(tc, test_transpose);
  tcase_add_test(tc, test_transpose_pre);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_memory_bound);
  tcase_add_test(tc, test_file);
  tcase_add_test(tc, test_file_errors);
  tcase_add_test(tc, test_file_delay_order);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(csr_suite()); }
