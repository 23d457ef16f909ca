/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* bench/ssgrad_bench — B4's SuperSpike gradient at the S4 size: the per-tick
 * eligibility reference against the windowed method (src/rules/ssgrad.h), one
 * trial of both layers (200 -> 256 and 256 -> 200), median of several runs.
 *
 *   bench/ssgrad_bench [--runs R] [--ticks T] [--window L] [--dt S]
 *                      [--threads N] [--no-csr]
 *
 * Defaults: R = 3, T = 18900 (1.89 s at dt = 0.1 ms), L = 5000 (0.5 s),
 * BLAS threads N = 1 (OpenBLAS only). Each run starts from zero states and
 * applies the normalised update after every window, so both methods do the
 * whole per-trial learning work except the simulation itself. A third line
 * times the CSR variant's sparse path (three dot products per synapse) on an
 * all-to-all CSR of the same sizes (--no-csr skips it). Input series
 * (presynaptic PSP traces of 5 Hz / 20 Hz Poisson spikes, surrogates of
 * random potentials, double-filtered spike-difference errors) are made once
 * before timing. Prints per-method medians, the ratio, and the largest
 * relative difference between the methods' final states and weights. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"
#include "evsnn/error.h"
#include "evsnn/rng.h"
#include "rules/ssgrad.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
#endif

#define MAX_RUNS 15

typedef struct layer {
  uint32_t n_pre, n_post;
  const double *p;         /* [n_pre * ld] presynaptic traces */
  const double *sg, *er;   /* [n_post * ld] surrogate, error */
  double *s1, *s2, *m, *v; /* [n_post * n_pre] */
  float *w;
  evs_csr *csr; /* all-to-all CSR of the same pairs */
  evs__ssgrad_work *wk;
} layer;

/* Rows of the double-exponential-filtered Poisson spike trains at rate hz
 * (a PSP trace, or an error when twice filtered and signed). */
static double *make_traces(uint32_t rows, size_t ticks, double dt, double hz,
                           int error, uint64_t seed) {
  evs__ssgrad_filter f;
  evs__ssgrad_filter_alpha(&f, 5e-3, 10e-3, dt);
  double *out = bench_xalloc((size_t)rows * ticks * sizeof *out);
  double *tmp = bench_xalloc(ticks * sizeof *tmp);
  for (uint32_t r = 0; r < rows; r++) {
    evs_rng g;
    evs_rng_init(&g, seed, 0, r, EVS_RNG_TEST);
    double *x = out + (size_t)r * ticks;
    for (size_t k = 0; k < ticks; k++) {
      x[k] = evs_rng_uniform(&g) < hz * dt ? 1 : 0;
      if (error && evs_rng_uniform(&g) < hz * dt) x[k] -= 1; /* own spike */
    }
    evs__ssgrad_filter_run(&f, NULL, ticks, x, tmp);
    if (error) evs__ssgrad_filter_run(&f, NULL, ticks, tmp, tmp);
    memcpy(x, tmp, ticks * sizeof *x);
  }
  free(tmp);
  return out;
}

static double *make_surrogates(uint32_t rows, size_t ticks, uint64_t seed) {
  double *out = bench_xalloc((size_t)rows * ticks * sizeof *out);
  for (uint32_t r = 0; r < rows; r++) {
    evs_rng g;
    evs_rng_init(&g, seed, 1, r, EVS_RNG_TEST);
    double u = -0.060;
    for (size_t k = 0; k < ticks; k++) { /* a slow random walk in V */
      u += 2e-4 * (evs_rng_uniform(&g) - 0.5) + 0.002 * (-0.060 - u);
      out[(size_t)r * ticks + k] =
          evs__ssgrad_surrogate(u, -0.050, 1000, -0.080);
    }
  }
  return out;
}

static evs_csr *all_to_all(uint32_t n_pre, uint32_t n_post) {
  evs_csr *c = bench_xalloc(sizeof *c);
  c->n_pre = n_pre;
  c->n_post = n_post;
  c->nnz = (uint64_t)n_pre * n_post;
  c->row_ptr = bench_xalloc((n_pre + 1) * sizeof *c->row_ptr);
  c->target = bench_xalloc(c->nnz * sizeof *c->target);
  for (uint32_t j = 0; j <= n_pre; j++) c->row_ptr[j] = (uint64_t)j * n_post;
  for (uint64_t q = 0; q < c->nnz; q++) c->target[q] = (uint32_t)(q % n_post);
  return c;
}

static void reset(layer *ly) {
  size_t n = (size_t)ly->n_post * ly->n_pre;
  memset(ly->s1, 0, n * sizeof *ly->s1);
  memset(ly->s2, 0, n * sizeof *ly->s2);
  memset(ly->m, 0, n * sizeof *ly->m);
  memset(ly->v, 0, n * sizeof *ly->v);
  for (size_t k = 0; k < n; k++) ly->w[k] = 0.01f * (float)((k % 11) - 5);
}

enum { M_REF, M_WIN, M_CSR };

/* One trial of both layers with method `method`; returns seconds. */
static double trial(layer *ly, int nl, const evs__ssgrad_filter *f,
                    const evs__ssgrad_norm *nm, size_t ticks, size_t win,
                    int method) {
  for (int l = 0; l < nl; l++) reset(&ly[l]);
  double t0 = bench_now();
  for (size_t k0 = 0; k0 < ticks; k0 += win) {
    size_t len = ticks - k0 < win ? ticks - k0 : win;
    for (int l = 0; l < nl; l++) {
      layer *y = &ly[l];
      int rc = EVS_OK;
      if (method == M_REF) {
        rc = evs__ssgrad_ref_dense(f, y->n_post, y->n_pre, len, ticks,
                                   y->sg + k0, y->er + k0, y->p + k0, y->s1,
                                   y->s2, y->m);
      } else {
        rc = evs__ssgrad_prepare(y->wk, f, len, ticks, y->sg + k0, y->er + k0);
        if (rc == EVS_OK && method == M_WIN)
          rc = evs__ssgrad_dense(y->wk, y->n_pre, ticks, y->p + k0, y->s1,
                                 y->s2, y->m);
        /* The sparse CSR path on an all-to-all CSR (AUTO would take the
         * dense path there). The CSR arrays are by (pre, post), the dense
         * ones by (post, pre): timing only, the results are not compared. */
        if (rc == EVS_OK && method == M_CSR)
          rc = evs__ssgrad_csr_mode(y->wk, y->csr, ticks, y->p + k0, y->s1,
                                    y->s2, y->m, EVS__SSGRAD_CSR_SPARSE);
      }
      if (rc != EVS_OK) {
        fprintf(stderr, "ssgrad_bench: %s\n", evs_strerror(rc));
        exit(2);
      }
      evs__ssgrad_update(nm, (size_t)y->n_post * y->n_pre, len, y->m, y->v,
                         y->w);
    }
  }
  return bench_now() - t0;
}

static double rel_diff(const double *a, const double *b, size_t n) {
  double d = 0, s = 0;
  for (size_t k = 0; k < n; k++) {
    if (fabs(a[k] - b[k]) > d) d = fabs(a[k] - b[k]);
    if (fabs(b[k]) > s) s = fabs(b[k]);
  }
  return s > 0 ? d / s : d;
}

int main(int argc, char **argv) {
  int runs = 3, threads = 1, do_csr = 1;
  size_t ticks = 18900, win = 5000;
  double dt = 1e-4;
  for (int a = 1; a < argc; a++) {
    const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
    if (!strcmp(o, "--runs") && v)
      runs = atoi(argv[++a]);
    else if (!strcmp(o, "--ticks") && v)
      ticks = (size_t)atol(argv[++a]);
    else if (!strcmp(o, "--window") && v)
      win = (size_t)atol(argv[++a]);
    else if (!strcmp(o, "--dt") && v)
      dt = atof(argv[++a]);
    else if (!strcmp(o, "--threads") && v)
      threads = atoi(argv[++a]);
    else if (!strcmp(o, "--no-csr"))
      do_csr = 0;
    else {
      fprintf(stderr,
              "usage: %s [--runs R] [--ticks T] [--window L] [--dt S] "
              "[--threads N] [--no-csr]\n",
              argv[0]);
      return 2;
    }
  }
  if (runs < 1 || runs > MAX_RUNS || ticks == 0 || win == 0 || !(dt > 0) ||
      threads < 1) {
    fprintf(stderr, "ssgrad_bench: bad arguments\n");
    return 2;
  }
  if (win > ticks) win = ticks;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads(threads);
#endif

  evs__ssgrad_filter f;
  if (evs__ssgrad_filter_alpha(&f, 5e-3, 10e-3, dt) != EVS_OK) return 2;
  const evs__ssgrad_norm nm = {1e-3, exp(-0.5 / 30), 1e-12, -0.1, 0.1};

  /* S4: inputs 200 (5 Hz) -> hidden 256 (~20 Hz) -> outputs 200 (~27 Hz). */
  const uint32_t n_in = 200, n_hid = 256, n_out = 200;
  double *p_in = make_traces(n_in, ticks, dt, 5, 0, 1);
  double *p_hid = make_traces(n_hid, ticks, dt, 20, 0, 2);
  double *e_hid = make_traces(n_hid, ticks, dt, 20, 1, 3);
  double *e_out = make_traces(n_out, ticks, dt, 27, 1, 4);
  double *sg_hid = make_surrogates(n_hid, ticks, 5);
  double *sg_out = make_surrogates(n_out, ticks, 6);

  layer ly[2] = {{n_in, n_hid, p_in, sg_hid, e_hid, 0, 0, 0, 0, 0, 0, 0},
                 {n_hid, n_out, p_hid, sg_out, e_out, 0, 0, 0, 0, 0, 0, 0}};
  for (int l = 0; l < 2; l++) {
    size_t n = (size_t)ly[l].n_post * ly[l].n_pre;
    ly[l].s1 = bench_xalloc(n * sizeof(double));
    ly[l].s2 = bench_xalloc(n * sizeof(double));
    ly[l].m = bench_xalloc(n * sizeof(double));
    ly[l].v = bench_xalloc(n * sizeof(double));
    ly[l].w = bench_xalloc(n * sizeof(float));
    ly[l].csr = all_to_all(ly[l].n_pre, ly[l].n_post);
    if (evs__ssgrad_work_new(&ly[l].wk, ly[l].n_post, win) != EVS_OK) return 2;
  }

  double t_ref[MAX_RUNS], t_win[MAX_RUNS], t_csr[MAX_RUNS];
  /* Keep the per-tick run's final state of the last run for the check. */
  size_t n1 = (size_t)n_in * n_hid, n2 = (size_t)n_hid * n_out;
  double *ref_s1[2] = {bench_xalloc(n1 * 8), bench_xalloc(n2 * 8)};
  double *ref_s2[2] = {bench_xalloc(n1 * 8), bench_xalloc(n2 * 8)};
  double *ref_w[2] = {bench_xalloc(n1 * 8), bench_xalloc(n2 * 8)};
  double *win_w[2] = {bench_xalloc(n1 * 8), bench_xalloc(n2 * 8)};
  double d_s = 0, d_w = 0;
  for (int r = 0; r < runs; r++) {
    t_ref[r] = trial(ly, 2, &f, &nm, ticks, win, M_REF);
    for (int l = 0; l < 2; l++) {
      size_t n = (size_t)ly[l].n_post * ly[l].n_pre;
      memcpy(ref_s1[l], ly[l].s1, n * 8);
      memcpy(ref_s2[l], ly[l].s2, n * 8);
      for (size_t k = 0; k < n; k++) ref_w[l][k] = ly[l].w[k];
    }
    t_win[r] = trial(ly, 2, &f, &nm, ticks, win, M_WIN);
    for (int l = 0; l < 2; l++) {
      size_t n = (size_t)ly[l].n_post * ly[l].n_pre;
      double a = rel_diff(ly[l].s1, ref_s1[l], n);
      double b = rel_diff(ly[l].s2, ref_s2[l], n);
      for (size_t k = 0; k < n; k++) win_w[l][k] = ly[l].w[k];
      double c = rel_diff(win_w[l], ref_w[l], n);
      if (a > d_s) d_s = a;
      if (b > d_s) d_s = b;
      if (c > d_w) d_w = c;
    }
    if (do_csr) t_csr[r] = trial(ly, 2, &f, &nm, ticks, win, M_CSR);
  }
  double mr = bench_median(t_ref, runs), mw = bench_median(t_win, runs);
  double syn_ticks = (double)(n1 + n2) * (double)ticks;
  printf("ssgrad_bench: S4 gradient, %u->%u->%u, dt %g s, %zu ticks (%.3g s), "
         "windows of %zu ticks, %d runs\n",
         n_in, n_hid, n_out, dt, ticks, (double)ticks * dt, win, runs);
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  printf("dense products: CBLAS dgemm, OpenBLAS with %d thread(s)\n", threads);
#else
  printf("dense products: %s\n", evs__ssgrad_have_blas()
                                     ? "CBLAS dgemm (library's own threading)"
                                     : "portable loop (no CBLAS)");
#endif
  printf("per-tick reference: median %.3f s per trial "
         "(%.2f ns per synapse-tick)\n",
         mr, 1e9 * mr / syn_ticks);
  printf("windowed (dense):   median %.3f s per trial "
         "(%.2f ns per synapse-tick)\n",
         mw, 1e9 * mw / syn_ticks);
  if (do_csr) {
    double mc = bench_median(t_csr, runs);
    printf("windowed (CSR sparse path, all-to-all): median %.3f s per trial "
           "(%.2f ns per synapse-tick)\n",
           mc, 1e9 * mc / syn_ticks);
    printf("speed-up CSR sparse path vs per-tick: %.1fx\n", mr / mc);
  }
  printf("speed-up dense windowed vs per-tick: %.1fx\n", mr / mw);
  printf("agreement: max relative difference of final states %.2g, of "
         "weights %.2g\n",
         d_s, d_w);
  for (int l = 0; l < 2; l++) {
    free(ly[l].s1);
    free(ly[l].s2);
    free(ly[l].m);
    free(ly[l].v);
    free(ly[l].w);
    evs__ssgrad_work_free(ly[l].wk);
    free(ly[l].csr->row_ptr);
    free(ly[l].csr->target);
    free(ly[l].csr);
    free(ref_s1[l]);
    free(ref_s2[l]);
    free(ref_w[l]);
    free(win_w[l]);
  }
  free(p_in);
  free(p_hid);
  free(e_hid);
  free(e_out);
  free(sg_hid);
  free(sg_out);
  return 0;
}
