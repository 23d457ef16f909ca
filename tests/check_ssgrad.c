/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the SuperSpike gradient engine (src/rules/ssgrad.h): the surrogate
 * and the alpha filter against their closed forms, the per-tick reference
 * against a brute-force double sum over closed-form kernels, the windowed
 * method (dense and CSR, states carried over several windows) against the
 * per-tick reference, the normalised update against its bound and hand-computed
 * values, and the feedback forms against direct matrix arithmetic. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/error.h"
#include "evsnn/rng.h"
#include "rules/ssgrad.h"
#include "check_util.h"

static const double DT = 1e-4, TAU_R = 5e-3, TAU_D = 10e-3;

/* alpha(t) = (exp(-t/tau_d) - exp(-t/tau_r)) / (tau_d - tau_r), 1/s. */
static double alpha_kernel(double t) {
  if (t < 0) return 0;
  return (exp(-t / TAU_D) - exp(-t / TAU_R)) / (TAU_D - TAU_R);
}

static double *dalloc(size_t n) {
  double *x = calloc(n ? n : 1, sizeof *x);
  ck_assert_ptr_nonnull(x);
  return x;
}

static void fill_uniform(evs_rng *r, double *x, size_t n, double lo,
                         double hi) {
  for (size_t k = 0; k < n; k++) x[k] = lo + (hi - lo) * evs_rng_uniform(r);
}

/* max |a - b| / max |b|, over n values (0 when b is all zero and a == b). */
static double rel_err(const double *a, const double *b, size_t n) {
  double d = 0, s = 0;
  for (size_t k = 0; k < n; k++) {
    if (fabs(a[k] - b[k]) > d) d = fabs(a[k] - b[k]);
    if (fabs(b[k]) > s) s = fabs(b[k]);
  }
  return s > 0 ? d / s : d;
}

/* ---- surrogate ----------------------------------------------------------- */

START_TEST(surrogate_values) {
  const double beta = 1000, theta = -0.050, floor_ = -0.080;
  /* beta / (1 + beta |u - theta|)^2 at 0, 1, 3 mV from threshold. */
  ck_assert_double_eq_tol(evs__ssgrad_surrogate(theta, theta, beta, floor_),
                          1000.0, 1e-9);
  ck_assert_double_eq_tol(
      evs__ssgrad_surrogate(theta + 0.001, theta, beta, floor_), 250.0, 1e-9);
  ck_assert_double_eq_tol(
      evs__ssgrad_surrogate(theta - 0.001, theta, beta, floor_), 250.0, 1e-9);
  ck_assert_double_eq_tol(
      evs__ssgrad_surrogate(theta - 0.003, theta, beta, floor_), 62.5, 1e-9);
  /* At the floor (30 mV below threshold) still 1000/31^2; below it 0. */
  ck_assert_double_eq_tol(evs__ssgrad_surrogate(-0.080, theta, beta, floor_),
                          1000.0 / 961.0, 1e-9);
  ck_assert_double_eq(evs__ssgrad_surrogate(-0.0801, theta, beta, floor_), 0);
  ck_assert_double_eq(evs__ssgrad_surrogate(-1.0, theta, beta, floor_), 0);
  /* Far above threshold it decays like 1/(beta d^2). */
  double s = evs__ssgrad_surrogate(theta + 1.0, theta, beta, floor_);
  ck_assert_double_eq_tol(s, 1000.0 / (1001.0 * 1001.0), 1e-12);
}
END_TEST

/* ---- the alpha filter ---------------------------------------------------- */

START_TEST(filter_rejects_bad_parameters) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 5e-3, 5e-3, 1e-4), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 0, 10e-3, 1e-4), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 5e-3, -1, 1e-4), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 5e-3, 10e-3, 0), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 5e-3, 10e-3, NAN), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, 5e-3, 10e-3, 1e-4), EVS_OK);
}
END_TEST

/* A spike train through the filter equals its direct convolution with the
 * sampled closed-form kernel: lambda(k) = sum_{l<k} x(l) dt alpha((k-l) dt). */
START_TEST(filter_matches_convolution) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  const size_t n = 3000; /* 300 ms */
  double *x = dalloc(n), *lam = dalloc(n), *ref = dalloc(n);
  evs_rng r;
  evs_rng_init(&r, 11, 0, 0, EVS_RNG_TEST);
  for (size_t k = 0; k < n; k++) /* ~30 Hz spikes of random amplitude */
    x[k] = evs_rng_uniform(&r) < 0.003 ? 0.5 + evs_rng_uniform(&r) : 0;
  x[0] = 1; /* a spike at the very first tick */
  evs__ssgrad_filter_run(&f, NULL, n, x, lam);
  for (size_t k = 0; k < n; k++) {
    double s = 0;
    for (size_t l = 0; l < k; l++)
      if (x[l] != 0) s += x[l] * DT * alpha_kernel((double)(k - l) * DT);
    ref[k] = s;
  }
  ck_assert_double_eq(lam[0], 0); /* strictly causal */
  double e = rel_err(lam, ref, n);
  REQUIRE_MSG(e < 1e-12, "filter vs convolution: relative error %g", e);
  /* A single unit spike peaks at t* = ln(tau_d/tau_r) tau_d tau_r/(tau_d -
   * tau_r) = 6.93 ms with alpha(t*) = 1/(4 * 5 ms) for these constants. */
  memset(x, 0, n * sizeof *x);
  x[0] = 1;
  evs__ssgrad_filter_run(&f, NULL, n, x, lam);
  size_t kmax = 0;
  double sum = 0;
  for (size_t k = 0; k < n; k++) {
    if (lam[k] > lam[kmax]) kmax = k;
    sum += lam[k];
  }
  ck_assert_uint_eq(kmax, 69); /* 6.931 ms -> tick 69 */
  ck_assert_double_eq_tol(lam[kmax] / DT, 50.0, 50.0 * 1e-4);
  /* Unit area: the impulse response sums to 1 up to the sampling error
   * O((dt/tau)^2) and the tail beyond 300 ms (e^-30). */
  ck_assert_double_eq_tol(sum, 1.0, 1e-3);
  /* A carried-in state decays by a^k: lambda(k) = c1 a1^k s1 + c2 a2^k s2. */
  double s0[2] = {0.7, -0.2};
  memset(x, 0, n * sizeof *x);
  evs__ssgrad_filter_run(&f, s0, 100, x, lam);
  double want = f.c[0] * exp(-99 * DT / TAU_D) * 0.7 +
                f.c[1] * exp(-99 * DT / TAU_R) * -0.2;
  ck_assert_double_eq_tol(lam[99], want, 1e-15);
  free(x);
  free(lam);
  free(ref);
}
END_TEST

/* ---- the per-tick reference against a brute-force double sum ------------- */

/* With zero initial states, m_ij = sum_k e_i(k) sum_{l<k} dt alpha((k-l) dt)
 * sg_i(l) p_j(l): an O(L^2) double sum over the closed-form kernel, which
 * shares nothing with the recursion. */
START_TEST(reference_matches_double_sum) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  const uint32_t np = 3, nq = 4;
  const size_t len = 400, ld = 411;
  double *sg = dalloc(np * ld), *er = dalloc(np * ld), *p = dalloc(nq * ld);
  double *s1 = dalloc(np * nq), *s2 = dalloc(np * nq), *m = dalloc(np * nq);
  double *want = dalloc(np * nq);
  evs_rng r;
  evs_rng_init(&r, 12, 0, 0, EVS_RNG_TEST);
  fill_uniform(&r, sg, np * ld, 0, 1000);
  fill_uniform(&r, er, np * ld, -1, 1);
  fill_uniform(&r, p, nq * ld, 0, 1);
  ck_assert_int_eq(
      evs__ssgrad_ref_dense(&f, np, nq, len, ld, sg, er, p, s1, s2, m), EVS_OK);
  for (uint32_t i = 0; i < np; i++)
    for (uint32_t j = 0; j < nq; j++) {
      double s = 0;
      for (size_t k = 0; k < len; k++)
        for (size_t l = 0; l < k; l++)
          s += er[i * ld + k] * DT * alpha_kernel((double)(k - l) * DT) *
               sg[i * ld + l] * p[j * ld + l];
      want[i * nq + j] = s;
    }
  double e = rel_err(m, want, np * nq);
  REQUIRE_MSG(e < 1e-11, "reference vs double sum: relative error %g", e);
  /* The carried-out states: s_m(L) = sum_l b_m a_m^(L-1-l) x(l). */
  for (uint32_t i = 0; i < np; i++)
    for (uint32_t j = 0; j < nq; j++) {
      double w1 = 0, w2 = 0;
      for (size_t l = 0; l < len; l++) {
        double x = sg[i * ld + l] * p[j * ld + l];
        w1 += exp(-(double)(len - 1 - l) * DT / TAU_D) * x;
        w2 += exp(-(double)(len - 1 - l) * DT / TAU_R) * x;
      }
      REQUIRE_MSG(fabs(s1[i * nq + j] - w1) <= 1e-11 * w1 &&
                      fabs(s2[i * nq + j] - w2) <= 1e-11 * w2,
                  "state (%u,%u): %g/%g %g/%g", i, j, s1[i * nq + j], w1,
                  s2[i * nq + j], w2);
    }
  free(sg);
  free(er);
  free(p);
  free(s1);
  free(s2);
  free(m);
  free(want);
}
END_TEST

/* ---- windowed == per-tick ------------------------------------------------ */

/* Runs windows of the given lengths back to back over series of n_post/n_pre
 * rows (stride ld, windows at consecutive offsets), once with the per-tick
 * reference and once windowed, from the same random initial states, and
 * compares m, s1, s2 after every window. */
static void compare_dense(const evs__ssgrad_filter *f, uint32_t np, uint32_t nq,
                          const size_t *lens, int nw, uint64_t seed) {
  size_t total = 0, lmax = 0;
  for (int w = 0; w < nw; w++) {
    total += lens[w];
    if (lens[w] > lmax) lmax = lens[w];
  }
  size_t ld = total + 3, ns = (size_t)np * nq;
  double *sg = dalloc(np * ld), *er = dalloc(np * ld), *p = dalloc(nq * ld);
  double *rs1 = dalloc(ns), *rs2 = dalloc(ns), *rm = dalloc(ns);
  double *ws1 = dalloc(ns), *ws2 = dalloc(ns), *wm = dalloc(ns);
  evs_rng r;
  evs_rng_init(&r, seed, 0, 0, EVS_RNG_TEST);
  fill_uniform(&r, sg, np * ld, 0, 1000);
  fill_uniform(&r, er, np * ld, -1, 1);
  fill_uniform(&r, p, nq * ld, 0, 1);
  fill_uniform(&r, rs1, ns, 0, 5);
  fill_uniform(&r, rs2, ns, 0, 5);
  fill_uniform(&r, rm, ns, -1, 1);
  memcpy(ws1, rs1, ns * sizeof *ws1);
  memcpy(ws2, rs2, ns * sizeof *ws2);
  memcpy(wm, rm, ns * sizeof *wm);
  evs__ssgrad_work *wk;
  ck_assert_int_eq(evs__ssgrad_work_new(&wk, np, lmax), EVS_OK);
  size_t k0 = 0;
  for (int w = 0; w < nw; w++) {
    size_t L = lens[w];
    ck_assert_int_eq(evs__ssgrad_ref_dense(f, np, nq, L, ld, sg + k0, er + k0,
                                           p + k0, rs1, rs2, rm),
                     EVS_OK);
    ck_assert_int_eq(evs__ssgrad_prepare(wk, f, L, ld, sg + k0, er + k0),
                     EVS_OK);
    ck_assert_int_eq(evs__ssgrad_dense(wk, nq, ld, p + k0, ws1, ws2, wm),
                     EVS_OK);
    double em = rel_err(wm, rm, ns), e1 = rel_err(ws1, rs1, ns),
           e2 = rel_err(ws2, rs2, ns);
    REQUIRE_MSG(em < 1e-10 && e1 < 1e-10 && e2 < 1e-10,
                "dense %ux%u window %d (L=%zu): rel err m %g s1 %g s2 %g", np,
                nq, w, L, em, e1, e2);
    k0 += L;
  }
  evs__ssgrad_work_free(wk);
  free(sg);
  free(er);
  free(p);
  free(rs1);
  free(rs2);
  free(rm);
  free(ws1);
  free(ws2);
  free(wm);
}

START_TEST(windowed_dense_alpha) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  const size_t lens[] = {37, 1, 101, 2, 64, 250, 997};
  compare_dense(&f, 7, 9, lens, 7, 21);
  compare_dense(&f, 1, 1, lens, 7, 22);
  compare_dense(&f, 13, 5, lens + 4, 3, 23);
}
END_TEST

/* The published window (0.5 s = 5000 ticks, then a partial one): the states'
 * decay a^L spans 1e-22 .. 1e-44 here. */
START_TEST(windowed_dense_long) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  const size_t lens[] = {5000, 3901, 5000};
  compare_dense(&f, 6, 10, lens, 3, 31);
}
END_TEST

/* Any 2-state filter (b, c not the alpha values, slow decays so the carried
 * states matter a lot): the method must not rely on the alpha's b = 1. */
START_TEST(windowed_dense_general_filter) {
  evs__ssgrad_filter f = {{0.999, 0.93}, {0.3, -1.7}, {2.5, 0.4}};
  const size_t lens[] = {10, 333, 1, 77, 500};
  compare_dense(&f, 5, 8, lens, 5, 41);
}
END_TEST

/* A random CSR with an empty row and a repeated pair (multapse). */
static evs_csr *random_csr(uint32_t n_pre, uint32_t n_post, double prob,
                           uint64_t seed) {
  evs_csr *c = calloc(1, sizeof *c);
  ck_assert_ptr_nonnull(c);
  c->n_pre = n_pre;
  c->n_post = n_post;
  c->row_ptr = calloc(n_pre + 1, sizeof *c->row_ptr);
  c->target = calloc((size_t)n_pre * (n_post + 1), sizeof *c->target);
  ck_assert_ptr_nonnull(c->row_ptr);
  ck_assert_ptr_nonnull(c->target);
  evs_rng r;
  evs_rng_init(&r, seed, 0, 0, EVS_RNG_TEST);
  uint64_t nnz = 0;
  for (uint32_t j = 0; j < n_pre; j++) {
    c->row_ptr[j] = nnz;
    if (j == 1) continue; /* empty row */
    for (uint32_t i = 0; i < n_post; i++)
      if (evs_rng_uniform(&r) < prob) c->target[nnz++] = i;
    if (j == 0) c->target[nnz++] = n_post - 1; /* multapse (or new pair) */
  }
  c->row_ptr[n_pre] = nnz;
  c->nnz = nnz;
  return c;
}

static void free_csr(evs_csr *c) {
  free(c->row_ptr);
  free(c->target);
  free(c);
}

/* Windows back to back over a random CSR of connection probability prob,
 * windowed (in the given mode) against the CSR per-tick reference, and the
 * CSR reference against the dense one at the synapses' pairs. */
static void compare_csr(double prob, int mode, uint64_t seed) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  const uint32_t nq = 17, np = 11;
  evs_csr *c = random_csr(nq, np, prob, seed);
  const size_t lens[] = {1, 63, 64, 65, 200, 517, 5000};
  const int nw = 7;
  size_t total = 0;
  for (int w = 0; w < nw; w++) total += lens[w];
  size_t ld = total + 1, nnz = c->nnz, nd = (size_t)np * nq;
  double *sg = dalloc(np * ld), *er = dalloc(np * ld), *p = dalloc(nq * ld);
  double *rs1 = dalloc(nnz), *rs2 = dalloc(nnz), *rm = dalloc(nnz);
  double *ws1 = dalloc(nnz), *ws2 = dalloc(nnz), *wm = dalloc(nnz);
  /* The dense reference over all pairs, to cross-check the CSR one. */
  double *ds1 = dalloc(nd), *ds2 = dalloc(nd), *dm = dalloc(nd);
  double *gather = dalloc(nnz);
  evs_rng r;
  evs_rng_init(&r, seed + 1, 0, 0, EVS_RNG_TEST);
  fill_uniform(&r, sg, np * ld, 0, 1000);
  fill_uniform(&r, er, np * ld, -1, 1);
  fill_uniform(&r, p, nq * ld, 0, 1);
  evs__ssgrad_work *wk;
  ck_assert_int_eq(evs__ssgrad_work_new(&wk, np, 5000), EVS_OK);
  size_t k0 = 0;
  for (int w = 0; w < nw; w++) {
    size_t L = lens[w];
    evs__ssgrad_ref_csr(&f, c, L, ld, sg + k0, er + k0, p + k0, rs1, rs2, rm);
    ck_assert_int_eq(evs__ssgrad_ref_dense(&f, np, nq, L, ld, sg + k0, er + k0,
                                           p + k0, ds1, ds2, dm),
                     EVS_OK);
    ck_assert_int_eq(evs__ssgrad_prepare(wk, &f, L, ld, sg + k0, er + k0),
                     EVS_OK);
    ck_assert_int_eq(
        evs__ssgrad_csr_mode(wk, c, ld, p + k0, ws1, ws2, wm, mode), EVS_OK);
    double em = rel_err(wm, rm, nnz), e1 = rel_err(ws1, rs1, nnz),
           e2 = rel_err(ws2, rs2, nnz);
    REQUIRE_MSG(em < 1e-10 && e1 < 1e-10 && e2 < 1e-10,
                "csr (p %g, mode %d) window %d (L=%zu): rel err m %g s1 %g "
                "s2 %g",
                prob, mode, w, L, em, e1, e2);
    /* CSR reference == dense reference at the synapses' pairs (exactly:
     * the same operations in the same order per synapse). */
    for (uint32_t j = 0; j < nq; j++)
      for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++)
        gather[q] = dm[(size_t)c->target[q] * nq + j];
    REQUIRE_MSG(rel_err(rm, gather, nnz) < 1e-14, "csr ref != dense ref");
    k0 += L;
  }
  /* The multapse (row 0's last synapse repeats a pair or is unique) and
   * every other synapse onto the same pair agree. */
  uint64_t last = c->row_ptr[1] - 1;
  for (uint64_t q = c->row_ptr[0]; q < last; q++)
    if (c->target[q] == c->target[last])
      ck_assert_double_eq_tol(wm[q], wm[last], 1e-12 * fabs(wm[last]));
  evs__ssgrad_work_free(wk);
  free_csr(c);
  free(sg);
  free(er);
  free(p);
  free(rs1);
  free(rs2);
  free(rm);
  free(ws1);
  free(ws2);
  free(wm);
  free(ds1);
  free(ds2);
  free(dm);
  free(gather);
}

START_TEST(windowed_csr) {
  compare_csr(0.3, EVS__SSGRAD_CSR_SPARSE, 51);
  compare_csr(0.3, EVS__SSGRAD_CSR_DENSE, 51);
  compare_csr(0.6, EVS__SSGRAD_CSR_AUTO, 53);  /* dense path */
  compare_csr(0.04, EVS__SSGRAD_CSR_AUTO, 55); /* sparse path */
  compare_csr(1.0, EVS__SSGRAD_CSR_SPARSE, 57);
}
END_TEST

START_TEST(window_argument_errors) {
  evs__ssgrad_filter f;
  ck_assert_int_eq(evs__ssgrad_filter_alpha(&f, TAU_R, TAU_D, DT), EVS_OK);
  evs__ssgrad_work dummy, *wk = &dummy;
  ck_assert_int_eq(evs__ssgrad_work_new(&wk, 0, 10), EVS_EINVAL);
  ck_assert_ptr_null(wk);
  ck_assert_int_eq(evs__ssgrad_work_new(&wk, 3, 0), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_work_new(&wk, 3, 10), EVS_OK);
  double sg[40] = {0}, er[40] = {0}, p[40] = {0}, s[12] = {0};
  /* Nothing prepared yet. */
  ck_assert_int_eq(evs__ssgrad_dense(wk, 4, 10, p, s, s, s), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_prepare(wk, &f, 11, 11, sg, er), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_prepare(wk, &f, 0, 10, sg, er), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_prepare(wk, &f, 10, 9, sg, er), EVS_EINVAL);
  ck_assert_int_eq(evs__ssgrad_prepare(wk, &f, 10, 10, sg, er), EVS_OK);
  ck_assert_int_eq(evs__ssgrad_dense(wk, 4, 9, p, s, s, s), EVS_EINVAL);
  uint64_t rp[2] = {0, 1};
  uint32_t tg[1] = {0};
  evs_csr c = {.n_pre = 1, .n_post = 3, .nnz = 1, .row_ptr = rp, .target = tg};
  ck_assert_int_eq(evs__ssgrad_csr_mode(wk, &c, 10, p, s, s, s, 7), EVS_EINVAL);
  c.n_post = 4;
  ck_assert_int_eq(evs__ssgrad_csr(wk, &c, 10, p, s, s, s), EVS_EINVAL);
  evs__ssgrad_work_free(wk);
  evs__ssgrad_work_free(NULL);
}
END_TEST

/* ---- normalised update --------------------------------------------------- */

START_TEST(update_bound_random) {
  const evs__ssgrad_norm nm = {1e-3, exp(-0.5 / 30), 1e-12, -0.1, 0.1};
  const size_t n = 20000, len = 5000;
  double *m = dalloc(n), *v = dalloc(n), *v0 = dalloc(n), *m0 = dalloc(n);
  float *w = malloc(n * sizeof *w), *w0 = malloc(n * sizeof *w0);
  ck_assert_ptr_nonnull(w);
  ck_assert_ptr_nonnull(w0);
  evs_rng r;
  evs_rng_init(&r, 61, 0, 0, EVS_RNG_TEST);
  for (size_t k = 0; k < n; k++) {
    /* m over many decades, v from 0 to large, w anywhere in the range. */
    m[k] = m0[k] =
        (evs_rng_uniform(&r) - 0.5) * pow(10, 6 * evs_rng_uniform(&r) - 3);
    v[k] = v0[k] = k % 7 == 0 ? 0 : pow(10, 10 * evs_rng_uniform(&r) - 12);
    w[k] = w0[k] = (float)(0.2 * evs_rng_uniform(&r) - 0.1);
  }
  evs__ssgrad_update(&nm, n, len, m, v, w);
  for (size_t k = 0; k < n; k++) {
    double g = m0[k] / (double)len;
    double dw = (double)w[k] - (double)w0[k];
    /* float weights: allow a few ulps of 0.1 beyond r0 */
    REQUIRE_MSG(fabs(dw) <= nm.r0 + 3e-8, "k=%zu |dw| = %g > r0", k, fabs(dw));
    REQUIRE_MSG(w[k] >= (float)nm.w_min && w[k] <= (float)nm.w_max,
                "k=%zu w = %g out of range", k, (double)w[k]);
    double g2 = g * g, gv = nm.gamma * v0[k], tol = 1e-14 * (g2 + gv);
    REQUIRE_MSG(v[k] >= g2 - tol && v[k] >= gv - tol &&
                    (fabs(v[k] - g2) <= tol || fabs(v[k] - gv) <= tol),
                "k=%zu v not max(g^2, gamma v)", k);
    REQUIRE_MSG(m[k] == 0, "m not reset");
    /* The step has the sign of g (unless a clip or zero g intervenes). */
    REQUIRE_MSG(dw * g >= 0 || w[k] == (float)nm.w_min ||
                    w[k] == (float)nm.w_max,
                "k=%zu step against the gradient", k);
  }
  free(m);
  free(v);
  free(v0);
  free(m0);
  free(w);
  free(w0);
}
END_TEST

START_TEST(update_hand_computed) {
  const double gamma = exp(-0.5 / 30);
  const evs__ssgrad_norm nm = {1e-3, gamma, 1e-12, -0.1, 0.1};
  double m[4] = {0.5, -50.0, 50.0, 0.0};
  double v[4] = {4e-8, 1e-6, 0, 1e-8};
  float w[4] = {0.01f, -0.0995f, 0.05f, 0.02f};
  evs__ssgrad_update(&nm, 4, 5000, m, v, w);
  /* 0: g = 1e-4, gamma v = 4e-8 e^-1/60 > g^2 = 1e-8, so
   *    dw = 1e-3 * 1e-4 / (2e-4 e^-1/120) = 5e-4 e^(1/120). */
  ck_assert_double_eq_tol(v[0], 4e-8 * exp(-1.0 / 60), 1e-20);
  ck_assert_float_eq_tol(w[0], (float)(0.01 + 5e-4 * exp(1.0 / 120)), 2e-9f);
  /* 1: g = -0.01, g^2 = 1e-4 > gamma 1e-6: dw = -r0 and the clip at -0.1. */
  ck_assert_double_eq_tol(v[1], 1e-4, 1e-18);
  ck_assert_float_eq(w[1], -0.1f);
  /* 2: g = 0.01 from v = 0: dw = r0 (1 - 1e-10) exactly enough. */
  ck_assert_float_eq_tol(w[2], 0.051f, 4e-9f);
  /* 3: g = 0: no step, v decays. */
  ck_assert_float_eq(w[3], 0.02f);
  ck_assert_double_eq_tol(v[3], 1e-8 * gamma, 1e-22);
  for (int k = 0; k < 4; k++) ck_assert_double_eq(m[k], 0);
}
END_TEST

/* ---- feedback ------------------------------------------------------------ */

START_TEST(feedback_forms) {
  /* Output layer weights hidden(3) -> output(2), post-major. */
  const float w[6] = {1, 2, 3, 4, 5, 6};
  const double e_out[2] = {2, 0.5};
  double e_hid[3];
  /* W^T e by hand: (1*2 + 4*0.5, 2*2 + 5*0.5, 3*2 + 6*0.5) = (4, 6.5, 9). */
  evs__ssgrad_feedback_symmetric(2, 3, w, e_out, e_hid);
  ck_assert_double_eq(e_hid[0], 4);
  ck_assert_double_eq(e_hid[1], 6.5);
  ck_assert_double_eq(e_hid[2], 9);
  const double b[6] = {-1, 0, 0.25, 2, -3, 1};
  evs__ssgrad_feedback_matrix(2, 3, b, e_out, e_hid);
  ck_assert_double_eq(e_hid[0], -2 + 1);
  ck_assert_double_eq(e_hid[1], 0 - 1.5);
  ck_assert_double_eq(e_hid[2], 0.5 + 0.5);
  evs__ssgrad_feedback_uniform(2, 3, e_out, e_hid);
  for (int k = 0; k < 3; k++) ck_assert_double_eq(e_hid[k], 2.5);

  /* Larger: random B against a naive (k outer, i inner) product, and the
   * symmetric form equals the matrix form with B = W. */
  enum { NO = 23, NH = 31 };
  static double bb[NO * NH], e[NO], got[NH], bw[NO * NH], got2[NH];
  static float wf[NO * NH];
  evs_rng r;
  evs_rng_init(&r, 71, 0, 0, EVS_RNG_TEST);
  evs__ssgrad_feedback_random(bb, NO * NH, &r);
  fill_uniform(&r, e, NO, -1, 1);
  evs__ssgrad_feedback_matrix(NO, NH, bb, e, got);
  for (int k = 0; k < NH; k++) {
    double s = 0;
    for (int i = 0; i < NO; i++) s += bb[i * NH + k] * e[i];
    ck_assert_double_eq_tol(got[k], s, 1e-13);
  }
  for (int q = 0; q < NO * NH; q++) {
    wf[q] = (float)(0.1 * evs_rng_normal(&r));
    bw[q] = wf[q];
  }
  evs__ssgrad_feedback_symmetric(NO, NH, wf, e, got);
  evs__ssgrad_feedback_matrix(NO, NH, bw, e, got2);
  for (int k = 0; k < NH; k++) ck_assert_double_eq_tol(got[k], got2[k], 1e-15);
}
END_TEST

/* The random feedback matrix is N(0, 1) and reproducible from its stream. */
START_TEST(feedback_random_statistics) {
  const size_t n = 40000;
  double *b = dalloc(n), *b2 = dalloc(n);
  evs_rng r;
  evs_rng_init(&r, 81, 3, 0, EVS_RNG_TEST);
  evs__ssgrad_feedback_random(b, n, &r);
  evs_rng_init(&r, 81, 3, 0, EVS_RNG_TEST);
  evs__ssgrad_feedback_random(b2, n, &r);
  ck_assert_int_eq(memcmp(b, b2, n * sizeof *b), 0);
  double mean = 0, var = 0;
  for (size_t k = 0; k < n; k++) mean += b[k];
  mean /= (double)n;
  for (size_t k = 0; k < n; k++) var += (b[k] - mean) * (b[k] - mean);
  var /= (double)(n - 1);
  /* 5 standard errors: sd(mean) = 1/200, sd(var) = sqrt(2/n) = 0.0071. */
  ck_assert_double_le(fabs(mean), 5.0 / 200);
  ck_assert_double_le(fabs(var - 1), 5 * 0.0071);
  free(b);
  free(b2);
}
END_TEST

static Suite *ssgrad_suite(void) {
  Suite *s = suite_create("ssgrad");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, surrogate_values);
  tcase_add_test(tc, filter_rejects_bad_parameters);
  tcase_add_test(tc, filter_matches_convolution);
  tcase_add_test(tc, reference_matches_double_sum);
  tcase_add_test(tc, windowed_dense_alpha);
  tcase_add_test(tc, windowed_dense_long);
  tcase_add_test(tc, windowed_dense_general_filter);
  tcase_add_test(tc, windowed_csr);
  tcase_add_test(tc, window_argument_errors);
  tcase_add_test(tc, update_bound_random);
  tcase_add_test(tc, update_hand_computed);
  tcase_add_test(tc, feedback_forms);
  tcase_add_test(tc, feedback_random_statistics);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(ssgrad_suite()); }
