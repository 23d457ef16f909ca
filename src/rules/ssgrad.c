/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the SuperSpike gradient engine (see ssgrad.h for the
 * conventions, which every function here follows to the tick). */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "rules/ssgrad.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/error.h"

#ifdef EVS_HAVE_CBLAS
#include <cblas.h>
#endif

/* Time block of the CSR variant's sparse path, ticks: the block's q, R1, R2
 * of every post neuron are packed into 3 n_post SSGRAD_CSR_BLOCK doubles
 * (256 neurons, 64 ticks: 384 KiB, in L2). */
#define SSGRAD_CSR_BLOCK EVS__SSGRAD_CSR_BLOCK

int evs__ssgrad_filter_alpha(evs__ssgrad_filter *f, double tau_rise,
                             double tau_decay, double dt) {
  if (!(tau_rise > 0) || !(tau_decay > 0) || !(dt > 0) ||
      tau_rise == tau_decay || !isfinite(tau_rise) || !isfinite(tau_decay) ||
      !isfinite(dt))
    return EVS_EINVAL;
  double kappa = dt / (tau_decay - tau_rise);
  f->a[0] = exp(-dt / tau_decay);
  f->a[1] = exp(-dt / tau_rise);
  f->b[0] = 1;
  f->b[1] = 1;
  f->c[0] = kappa * f->a[0];
  f->c[1] = -kappa * f->a[1];
  return EVS_OK;
}

void evs__ssgrad_filter_run(const evs__ssgrad_filter *f, const double *s0,
                            size_t n, const double *x, double *lambda) {
  double s1 = s0 ? s0[0] : 0, s2 = s0 ? s0[1] : 0;
  for (size_t k = 0; k < n; k++) {
    double xk = x[k];
    lambda[k] = f->c[0] * s1 + f->c[1] * s2;
    s1 = f->a[0] * s1 + f->b[0] * xk;
    s2 = f->a[1] * s2 + f->b[1] * xk;
  }
}

/* ---- per-tick reference -------------------------------------------------- */

int evs__ssgrad_ref_dense(const evs__ssgrad_filter *f, uint32_t n_post,
                          uint32_t n_pre, size_t len, size_t ld,
                          const double *sg, const double *err, const double *p,
                          double *s1, double *s2, double *m) {
  const double a1 = f->a[0], a2 = f->a[1], b1 = f->b[0], b2 = f->b[1];
  const double c1 = f->c[0], c2 = f->c[1];
  double *pk = malloc((n_pre ? n_pre : 1) * sizeof *pk);
  if (!pk) return EVS_ENOMEM;
  for (size_t k = 0; k < len; k++) {
    for (uint32_t j = 0; j < n_pre; j++) pk[j] = p[(size_t)j * ld + k];
    for (uint32_t i = 0; i < n_post; i++) {
      double sgi = sg[(size_t)i * ld + k], ei = err[(size_t)i * ld + k];
      size_t row = (size_t)i * n_pre;
      for (uint32_t j = 0; j < n_pre; j++) {
        size_t q = row + j;
        double x = sgi * pk[j];
        m[q] += (c1 * s1[q] + c2 * s2[q]) * ei;
        s1[q] = a1 * s1[q] + b1 * x;
        s2[q] = a2 * s2[q] + b2 * x;
      }
    }
  }
  free(pk);
  return EVS_OK;
}

void evs__ssgrad_ref_csr(const evs__ssgrad_filter *f, const evs_csr *c,
                         size_t len, size_t ld, const double *sg,
                         const double *err, const double *p, double *s1,
                         double *s2, double *m) {
  const double a1 = f->a[0], a2 = f->a[1], b1 = f->b[0], b2 = f->b[1];
  const double c1 = f->c[0], c2 = f->c[1];
  for (size_t k = 0; k < len; k++) {
    for (uint32_t j = 0; j < c->n_pre; j++) {
      double pj = p[(size_t)j * ld + k];
      for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++) {
        size_t i = c->target[q];
        double x = sg[i * ld + k] * pj;
        m[q] += (c1 * s1[q] + c2 * s2[q]) * err[i * ld + k];
        s1[q] = a1 * s1[q] + b1 * x;
        s2[q] = a2 * s2[q] + b2 * x;
      }
    }
  }
}

/* ---- windowed method ----------------------------------------------------- */

int evs__ssgrad_work_new(evs__ssgrad_work **out, uint32_t n_post,
                         size_t len_max) {
  *out = NULL;
  if (n_post == 0 || len_max == 0) return EVS_EINVAL;
  if (len_max > SIZE_MAX / sizeof(double) / n_post) return EVS_ENOMEM;
  size_t cells = (size_t)n_post * len_max;
  evs__ssgrad_work *w = calloc(1, sizeof *w);
  if (!w) return EVS_ENOMEM;
  w->n_post = n_post;
  w->len_max = len_max;
  w->q = malloc(cells * sizeof *w->q);
  w->r1 = malloc(cells * sizeof *w->r1);
  w->r2 = malloc(cells * sizeof *w->r2);
  w->e1 = malloc((size_t)n_post * sizeof *w->e1);
  w->e2 = malloc((size_t)n_post * sizeof *w->e2);
  w->pack = malloc((size_t)n_post * 3 * SSGRAD_CSR_BLOCK * sizeof *w->pack);
  if (!w->q || !w->r1 || !w->r2 || !w->e1 || !w->e2 || !w->pack) goto fail;
  *out = w;
  return EVS_OK;
fail:
  evs__ssgrad_work_free(w);
  return EVS_ENOMEM;
}

void evs__ssgrad_work_free(evs__ssgrad_work *w) {
  if (!w) return;
  free(w->q);
  free(w->r1);
  free(w->r2);
  free(w->e1);
  free(w->e2);
  free(w->pack);
  free(w);
}

/* Powers of a decay below DBL_MIN are flushed to 0: subnormal operands
 * would slow the loop down (only long windows get there). */
static inline double flush(double x) { return fabs(x) < DBL_MIN ? 0 : x; }

/* Ticks at the end of a window over which a decay a keeps a^n >= 2^-60.
 * Earlier ticks reach the carried-out states with a weight below 2^-60 and
 * are left out of the R products: the absolute error in a state is below
 * len 2^-60 |b| max_l |sg(l) p(l)|, i.e. under the rounding of any state
 * within a factor 1e3 of the window's largest input. About 42 tau/dt ticks
 * (4159 of 5000 for tau = 10 ms at dt = 0.1 ms). */
static size_t tail_ticks(double a, size_t len) {
  if (!(a > 0) || !(a < 1)) return len;
  double n = floor(-60 * log(2.0) / log(a)) + 1;
  return n < (double)len ? (size_t)n : len;
}

int evs__ssgrad_prepare(evs__ssgrad_work *w, const evs__ssgrad_filter *f,
                        size_t len, size_t ld, const double *sg,
                        const double *err) {
  if (len == 0 || len > w->len_max || ld < len) return EVS_EINVAL;
  const double a1 = f->a[0], a2 = f->a[1];
  const double cb1 = f->c[0] * f->b[0], cb2 = f->c[1] * f->b[1];
  const size_t r1_from = len - tail_ticks(a1, len),
               r2_from = len - tail_ticks(a2, len);
  for (uint32_t i = 0; i < w->n_post; i++) {
    const double *sgi = sg + (size_t)i * ld, *ei = err + (size_t)i * ld;
    double *qi = w->q + (size_t)i * w->len_max;
    double *r1i = w->r1 + (size_t)i * w->len_max;
    double *r2i = w->r2 + (size_t)i * w->len_max;
    /* Backwards in time: et_m = et_m(l), pw_m = b_m a_m^(len-1-l). */
    double et1 = 0, et2 = 0, pw1 = f->b[0], pw2 = f->b[1];
    for (size_t l = len; l-- > 0;) {
      double s = sgi[l];
      qi[l] = s * (cb1 * et1 + cb2 * et2);
      r1i[l] = l >= r1_from ? s * pw1 : 0;
      r2i[l] = l >= r2_from ? s * pw2 : 0;
      pw1 = flush(pw1 * a1);
      pw2 = flush(pw2 * a2);
      et1 = ei[l] + a1 * et1; /* now et_m(l-1) */
      et2 = ei[l] + a2 * et2;
    }
    /* et_m(k0-1) = sum_k e(k) a_m^(k-k0) = E_m. */
    w->e1[i] = et1;
    w->e2[i] = et2;
  }
  w->r_from[0] = r1_from;
  w->r_from[1] = r2_from;
  w->aL[0] = pow(a1, (double)len);
  w->aL[1] = pow(a2, (double)len);
  w->c[0] = f->c[0];
  w->c[1] = f->c[1];
  w->len = len;
  return EVS_OK;
}

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
#endif

void evs__ssgrad_single_thread(void) {
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads(1);
#endif
}

int evs__ssgrad_have_blas(void) {
#ifdef EVS_HAVE_CBLAS
  return 1;
#else
  return 0;
#endif
}

/* C[n x k] += A[n x len] B[k x len]^T, row-major with leading dimensions. */
static void gemm_nt(size_t n, size_t k, size_t len, const double *a, size_t lda,
                    const double *b, size_t ldb, double *c, size_t ldc) {
#ifdef EVS_HAVE_CBLAS
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)k, (int)len,
              1.0, a, (int)lda, b, (int)ldb, 1.0, c, (int)ldc);
#else
  /* Portable: blocks of 4 B rows share each A element load; 4 partial sums
   * per dot product break the dependency chain. */
  for (size_t i = 0; i < n; i++) {
    const double *ai = a + i * lda;
    size_t j = 0;
    for (; j + 4 <= k; j += 4) {
      const double *b0 = b + j * ldb, *b1 = b0 + ldb, *b2 = b1 + ldb,
                   *b3 = b2 + ldb;
      double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (size_t l = 0; l < len; l++) {
        double x = ai[l];
        s0 += x * b0[l];
        s1 += x * b1[l];
        s2 += x * b2[l];
        s3 += x * b3[l];
      }
      c[i * ldc + j] += s0;
      c[i * ldc + j + 1] += s1;
      c[i * ldc + j + 2] += s2;
      c[i * ldc + j + 3] += s3;
    }
    for (; j < k; j++) {
      const double *bj = b + j * ldb;
      double s = 0;
      for (size_t l = 0; l < len; l++) s += ai[l] * bj[l];
      c[i * ldc + j] += s;
    }
  }
#endif
}

int evs__ssgrad_dense(const evs__ssgrad_work *w, uint32_t n_pre, size_t ldp,
                      const double *p, double *s1, double *s2, double *m) {
  size_t len = w->len, n_post = w->n_post;
  if (len == 0 || ldp < len) return EVS_EINVAL;
#ifdef EVS_HAVE_CBLAS
  if (n_post > INT_MAX || n_pre > INT_MAX || w->len_max > INT_MAX ||
      ldp > INT_MAX)
    return EVS_EINVAL;
#endif
  if (n_pre == 0) return EVS_OK;
  /* The carried-in states: their share of m, then their decay over W. */
  const double c1 = w->c[0], c2 = w->c[1], aL1 = w->aL[0], aL2 = w->aL[1];
  for (size_t i = 0; i < n_post; i++) {
    double f1 = c1 * w->e1[i], f2 = c2 * w->e2[i];
    size_t row = i * n_pre;
    for (size_t j = 0; j < n_pre; j++) {
      m[row + j] += f1 * s1[row + j] + f2 * s2[row + j];
      s1[row + j] *= aL1;
      s2[row + j] *= aL2;
    }
  }
  const size_t f1 = w->r_from[0], f2 = w->r_from[1];
  gemm_nt(n_post, n_pre, len, w->q, w->len_max, p, ldp, m, n_pre);
  gemm_nt(n_post, n_pre, len - f1, w->r1 + f1, w->len_max, p + f1, ldp, s1,
          n_pre);
  gemm_nt(n_post, n_pre, len - f2, w->r2 + f2, w->len_max, p + f2, ldp, s2,
          n_pre);
  return EVS_OK;
}

/* The CSR synapses' three dot products over one time block [t0, t0+n),
 * n <= SSGRAD_CSR_BLOCK, from the block packed per post neuron as
 * pack[i][0..2][0..n) (q, R1, R2): one contiguous stream per synapse. Four
 * lanes of partial sums per product. */
static void csr_block(const evs__ssgrad_work *w, const evs_csr *c, size_t ldp,
                      const double *p, size_t t0, size_t n, double *s1,
                      double *s2, double *m) {
  const size_t lm = w->len_max, stride = 3 * (size_t)SSGRAD_CSR_BLOCK;
  double *pack = w->pack;
  for (size_t i = 0; i < w->n_post; i++) {
    memcpy(pack + i * stride, w->q + i * lm + t0, n * sizeof *pack);
    memcpy(pack + i * stride + n, w->r1 + i * lm + t0, n * sizeof *pack);
    memcpy(pack + i * stride + 2 * n, w->r2 + i * lm + t0, n * sizeof *pack);
  }
  for (uint32_t j = 0; j < c->n_pre; j++) {
    const double *pj = p + (size_t)j * ldp + t0;
    for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++) {
      const double *qi = pack + (size_t)c->target[q] * stride, *r1i = qi + n,
                   *r2i = qi + 2 * n;
      size_t l = 0;
#if defined(__GNUC__)
      /* GNU C vector extension (gcc, clang): SSE2 pairs of partial sums,
       * twice as fast here as the scalar code below, which ISO C's strict
       * evaluation order keeps the compiler from vectorising itself. */
      typedef double v2d __attribute__((vector_size(16)));
      v2d aq = {0, 0}, bq = aq, a1 = aq, b1 = aq, a2 = aq, b2 = aq;
      for (; l + 4 <= n; l += 4) {
        v2d x, y, t, u;
        memcpy(&x, pj + l, sizeof x);
        memcpy(&y, pj + l + 2, sizeof y);
        memcpy(&t, qi + l, sizeof t);
        memcpy(&u, qi + l + 2, sizeof u);
        aq += t * x;
        bq += u * y;
        memcpy(&t, r1i + l, sizeof t);
        memcpy(&u, r1i + l + 2, sizeof u);
        a1 += t * x;
        b1 += u * y;
        memcpy(&t, r2i + l, sizeof t);
        memcpy(&u, r2i + l + 2, sizeof u);
        a2 += t * x;
        b2 += u * y;
      }
      double q0 = aq[0], q1 = aq[1], q2 = bq[0], q3 = bq[1];
      double u0 = a1[0], u1 = a1[1], u2 = b1[0], u3 = b1[1];
      double v0 = a2[0], v1 = a2[1], v2 = b2[0], v3 = b2[1];
#else
      double q0 = 0, q1 = 0, q2 = 0, q3 = 0, u0 = 0, u1 = 0, u2 = 0, u3 = 0,
             v0 = 0, v1 = 0, v2 = 0, v3 = 0;
      for (; l + 4 <= n; l += 4) {
        double x0 = pj[l], x1 = pj[l + 1], x2 = pj[l + 2], x3 = pj[l + 3];
        q0 += qi[l] * x0;
        q1 += qi[l + 1] * x1;
        q2 += qi[l + 2] * x2;
        q3 += qi[l + 3] * x3;
        u0 += r1i[l] * x0;
        u1 += r1i[l + 1] * x1;
        u2 += r1i[l + 2] * x2;
        u3 += r1i[l + 3] * x3;
        v0 += r2i[l] * x0;
        v1 += r2i[l + 1] * x1;
        v2 += r2i[l + 2] * x2;
        v3 += r2i[l + 3] * x3;
      }
#endif
      /* The tail in scalars of its own (lanes indexed by a variable would
       * leave the registers). */
      double tq = 0, t1s = 0, t2s = 0;
      for (; l < n; l++) {
        double x = pj[l];
        tq += qi[l] * x;
        t1s += r1i[l] * x;
        t2s += r2i[l] * x;
      }
      m[q] += (q0 + q1) + (q2 + q3) + tq;
      s1[q] += (u0 + u1) + (u2 + u3) + t1s;
      s2[q] += (v0 + v1) + (v2 + v3) + t2s;
    }
  }
}

/* Dense products into scratch [3][n_post][n_pre], then one gather per
 * synapse. Returns 0 when the scratch cannot be had (the caller then takes
 * the sparse path). */
static int csr_via_dense(const evs__ssgrad_work *w, const evs_csr *c,
                         size_t ldp, const double *p, double *s1, double *s2,
                         double *m) {
  size_t n_post = w->n_post, n_pre = c->n_pre, cells = n_post * n_pre;
  double *d = calloc(3 * cells, sizeof *d);
  if (!d) return 0;
  const size_t len = w->len, f1 = w->r_from[0], f2 = w->r_from[1];
  gemm_nt(n_post, n_pre, len, w->q, w->len_max, p, ldp, d, n_pre);
  gemm_nt(n_post, n_pre, len - f1, w->r1 + f1, w->len_max, p + f1, ldp,
          d + cells, n_pre);
  gemm_nt(n_post, n_pre, len - f2, w->r2 + f2, w->len_max, p + f2, ldp,
          d + 2 * cells, n_pre);
  for (size_t j = 0; j < n_pre; j++)
    for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++) {
      size_t at = (size_t)c->target[q] * n_pre + j;
      m[q] += d[at];
      s1[q] += d[cells + at];
      s2[q] += d[2 * cells + at];
    }
  free(d);
  return 1;
}

int evs__ssgrad_csr_mode(const evs__ssgrad_work *w, const evs_csr *c,
                         size_t ldp, const double *p, double *s1, double *s2,
                         double *m, int mode) {
  size_t len = w->len;
  if (len == 0 || ldp < len || c->n_post != w->n_post ||
      (mode != EVS__SSGRAD_CSR_AUTO && mode != EVS__SSGRAD_CSR_SPARSE &&
       mode != EVS__SSGRAD_CSR_DENSE))
    return EVS_EINVAL;
  const double c1 = w->c[0], c2 = w->c[1], aL1 = w->aL[0], aL2 = w->aL[1];
  for (uint32_t j = 0; j < c->n_pre; j++)
    for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++) {
      size_t i = c->target[q];
      m[q] += c1 * w->e1[i] * s1[q] + c2 * w->e2[i] * s2[q];
      s1[q] *= aL1;
      s2[q] *= aL2;
    }
  if (c->n_pre == 0 || c->nnz == 0) return EVS_OK;
  double pairs = (double)c->n_pre * (double)c->n_post;
  int dense_ok = pairs * 3 * sizeof(double) <= EVS__SSGRAD_CSR_DENSE_MAX
#ifdef EVS_HAVE_CBLAS
                 && c->n_pre <= INT_MAX && c->n_post <= INT_MAX &&
                 w->len_max <= INT_MAX && ldp <= INT_MAX
#endif
      ;
  if (mode == EVS__SSGRAD_CSR_DENSE && !dense_ok) return EVS_EINVAL;
  if (mode == EVS__SSGRAD_CSR_DENSE ||
      (mode == EVS__SSGRAD_CSR_AUTO && dense_ok &&
       (double)c->nnz >= EVS__SSGRAD_CSR_DENSITY * pairs))
    if (csr_via_dense(w, c, ldp, p, s1, s2, m)) return EVS_OK;
  for (size_t t0 = 0; t0 < len; t0 += SSGRAD_CSR_BLOCK)
    csr_block(w, c, ldp, p, t0,
              len - t0 < SSGRAD_CSR_BLOCK ? len - t0 : SSGRAD_CSR_BLOCK, s1, s2,
              m);
  return EVS_OK;
}

int evs__ssgrad_csr(const evs__ssgrad_work *w, const evs_csr *c, size_t ldp,
                    const double *p, double *s1, double *s2, double *m) {
  return evs__ssgrad_csr_mode(w, c, ldp, p, s1, s2, m, EVS__SSGRAD_CSR_AUTO);
}

/* ---- the normalised update ----------------------------------------------- */

void evs__ssgrad_update(const evs__ssgrad_norm *nm, size_t n, size_t len,
                        double *m, double *v, float *w) {
  const double inv_len = 1.0 / (double)len;
  for (size_t k = 0; k < n; k++) {
    double g = m[k] * inv_len;
    double g2 = g * g, decayed = nm->gamma * v[k];
    double vk = g2 > decayed ? g2 : decayed;
    v[k] = vk;
    double wk = (double)w[k] + nm->r0 * g / (sqrt(vk) + nm->eps);
    if (wk < nm->w_min) wk = nm->w_min;
    if (wk > nm->w_max) wk = nm->w_max;
    w[k] = (float)wk;
    m[k] = 0;
  }
}

/* ---- hidden-layer feedback ----------------------------------------------- */

void evs__ssgrad_feedback_symmetric(uint32_t n_out, uint32_t n_hid,
                                    const float *w, const double *e_out,
                                    double *e_hid) {
  for (uint32_t k = 0; k < n_hid; k++) e_hid[k] = 0;
  for (uint32_t i = 0; i < n_out; i++) {
    const float *wi = w + (size_t)i * n_hid;
    double ei = e_out[i];
    for (uint32_t k = 0; k < n_hid; k++) e_hid[k] += (double)wi[k] * ei;
  }
}

void evs__ssgrad_feedback_matrix(uint32_t n_out, uint32_t n_hid,
                                 const double *b, const double *e_out,
                                 double *e_hid) {
  for (uint32_t k = 0; k < n_hid; k++) e_hid[k] = 0;
  for (uint32_t i = 0; i < n_out; i++) {
    const double *bi = b + (size_t)i * n_hid;
    double ei = e_out[i];
    for (uint32_t k = 0; k < n_hid; k++) e_hid[k] += bi[k] * ei;
  }
}

void evs__ssgrad_feedback_uniform(uint32_t n_out, uint32_t n_hid,
                                  const double *e_out, double *e_hid) {
  double sum = 0;
  for (uint32_t i = 0; i < n_out; i++) sum += e_out[i];
  for (uint32_t k = 0; k < n_hid; k++) e_hid[k] = sum;
}

void evs__ssgrad_feedback_window(uint32_t n_out, uint32_t n_hid,
                                 const double *b, size_t len, size_t ld,
                                 const double *e_out, double *e_hid) {
  if (!n_out || !n_hid || !len) return;
#ifdef EVS_HAVE_CBLAS
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)n_hid, (int)len,
              (int)n_out, 1.0, b, (int)n_hid, e_out, (int)ld, 1.0, e_hid,
              (int)ld);
#else
  for (uint32_t i = 0; i < n_out; i++) {
    const double *ei = e_out + (size_t)i * ld;
    for (uint32_t k = 0; k < n_hid; k++) {
      double bik = b[(size_t)i * n_hid + k];
      double *ek = e_hid + (size_t)k * ld;
      for (size_t l = 0; l < len; l++) ek[l] += bik * ei[l];
    }
  }
#endif
}

void evs__ssgrad_feedback_random(double *b, size_t n, evs_rng *rng) {
  for (size_t k = 0; k < n; k++) b[k] = evs_rng_normal(rng);
}
