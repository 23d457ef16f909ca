/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the SuperSpike gradient engine (doc/validation.md Part 2,
 * doc/design-notes.md "The SuperSpike gradient").
 *
 * Pure numerics over series sampled on the error-broadcast clock; it knows
 * nothing of events, populations or the scheduler. A rule module records,
 * during one update window, the per-neuron series below and hands them here.
 * Private (src/, evs__ssgrad_*) because its data layout (time-major series,
 * the two filter states per synapse) is tied to how the engine samples the
 * clock; users reach SuperSpike through the model file and the rule table.
 *
 * ---- Conventions (every function below follows them) ------------------------
 * Ticks k = 0, 1, 2, ... of width dt (s). A window W of L ticks starts at
 * tick k0 and holds ticks k0 .. k0+L-1. For post neuron i and pre neuron j,
 * per tick:
 *   p_j(k)   presynaptic PSP trace (eps * S_j)(k dt), any unit (>= 0 in use);
 *   sg_i(k)  surrogate sigma'(U_i(k dt)), 1/V (evs__ssgrad_surrogate);
 *   e_i(k)   error signal at tick k;
 *   x_ij(k) = sg_i(k) p_j(k).
 * The eligibility filter has two states per synapse, s = (s1, s2). s(k) is the
 * state at the START of tick k, before x(k) enters. Tick k does, in order:
 *   lambda_ij(k) = c1 s1(k) + c2 s2(k)           read-out
 *   m_ij        += lambda_ij(k) e_i(k)            gradient sum
 *   s_m(k+1)     = a_m s_m(k) + b_m x_ij(k)       m = 1, 2; a_m in (0, 1)
 * so lambda(k) = sum_{l<k} h(k-l) x(l), h(n) = sum_m c_m b_m a_m^(n-1), n >= 1:
 * an input acts from the next tick on (strictly causal; with the alpha kernel
 * h(0) = alpha(0) = 0 anyway, so nothing is lost).
 *
 * The alpha filter (evs__ssgrad_filter_alpha) is the unit-area difference of
 * exponentials alpha(t) = (exp(-t/tau_d) - exp(-t/tau_r)) / (tau_d - tau_r),
 * 1/s, sampled exactly: h(n) = dt alpha(n dt). It is realised with
 *   a = (exp(-dt/tau_d), exp(-dt/tau_r)),  b = (1, 1),
 *   c = (kappa a1, -kappa a2),  kappa = dt / (tau_d - tau_r),
 * so s_m is the plain exponentially decayed sum of past inputs and lambda has
 * the unit of x; the DC gain sum_n h(n) is 1 + O((dt/tau)^2).
 *
 * The windowed method (doc/design-notes.md): with s(k0) carried in,
 *   m_ij += sum_m c_m s_m,ij(k0) E_m,i + sum_{l in W} q_i(l) p_j(l)
 *   E_m,i = sum_{k in W} e_i(k) a_m^(k-k0)
 *   q_i(l) = sg_i(l) et_i(l),  et_i(l) = sum_m c_m b_m et_m,i(l),
 *   et_m,i(l) = sum_{k=l+1}^{k0+L-1} e_i(k) a_m^(k-1-l)    (backwards filter;
 *               0 at the last tick, whose input only reaches the next window)
 *   s_m,ij(k0+L) = a_m^L s_m,ij(k0) + sum_{l in W} R_m,i(l) p_j(l)
 *   R_m,i(l) = sg_i(l) b_m a_m^(k0+L-1-l).
 * Per window: O(L) per post neuron (evs__ssgrad_prepare), then per synapse
 * three dot products over the window (three matrix products Q P^T, R1 P^T,
 * R2 P^T for a dense layer through CBLAS dgemm; three sampled dot products
 * per synapse for a CSR projection). Identical to the per-tick recursion in
 * exact arithmetic; in double they agree to ~1e-15 relative (max-norm) at the
 * published sizes (tests assert 1e-10). The window's gradient is ADDED to m:
 * an update interval may span several windows; evs__ssgrad_update consumes
 * m and resets it. Ticks whose weight a_m^(k0+L-1-l) in the carried-out
 * states is below 2^-60 (more than 42 tau_m/dt ticks before the window's
 * end) are left out of the R products: absolute error below
 * L 2^-60 |b_m| max_l |sg(l) p(l)| per state, and a quarter less work at the
 * published sizes. Unlike the published code, nothing is skipped below 1e-7
 * (small traces or errors): both methods are exact.
 *
 * ---- Layouts ----------------------------------------------------------------
 * A "series" array holds one row per neuron: the value of neuron r at window
 * tick l (0-based inside the window) is at a[r*ld + l], ld >= L.
 * Dense layer synapse arrays (s1, s2, m, v, w) are post-major: synapse (i, j)
 * at [i*n_pre + j]. CSR synapse arrays are indexed by CSR position (row =
 * presynaptic neuron, evsnn/csr.h); only row_ptr, target, n_pre and n_post
 * are read. */
#ifndef EVSNN_SSGRAD_H
#define EVSNN_SSGRAD_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "evsnn/csr.h"
#include "evsnn/rng.h"

/* The 2-state linear eligibility filter (see the conventions above). */
typedef struct evs__ssgrad_filter {
  double a[2]; /* per-tick decay of each state, in (0, 1) */
  double b[2]; /* input weights */
  double c[2]; /* read-out weights: lambda = c1 s1 + c2 s2 */
} evs__ssgrad_filter;

/* Fills f with the unit-area alpha filter of rise tau_rise and decay
 * tau_decay (s) sampled every dt (s), with a, b, c as documented above.
 * Needs 0 < tau_rise, 0 < tau_decay, tau_rise != tau_decay, 0 < dt.
 * Returns EVS_OK or EVS_EINVAL (f untouched). */
int evs__ssgrad_filter_alpha(evs__ssgrad_filter *f, double tau_rise,
                             double tau_decay, double dt);

/* Runs the filter over x[0..n): lambda[k] = c . s(k) with s(0) = s0 (s0 may be
 * NULL for zero), i.e. lambda[k] = sum_{l<k} h(k-l) x[l] + the decay of s0.
 * lambda may alias x. O(n). */
void evs__ssgrad_filter_run(const evs__ssgrad_filter *f, const double *s0,
                            size_t n, const double *x, double *lambda);

/* SuperSpike surrogate derivative sigma'(u) = beta / (1 + beta |u - theta|)^2,
 * 1/V, or 0 when u < u_floor. u, theta, u_floor in V, beta in 1/V (the
 * published values: beta = 1000 /V (1 /mV), u_floor = -0.080 V). */
static inline double evs__ssgrad_surrogate(double u, double theta, double beta,
                                           double u_floor) {
  if (u < u_floor) return 0;
  double d = 1 + beta * fabs(u - theta);
  return beta / (d * d);
}

/* ---- per-tick reference -------------------------------------------------- */

/* Runs L ticks of the per-tick recursion above for a dense layer (n_post x
 * n_pre synapses, post-major s1, s2, m): per tick, every synapse's two states
 * and m. sg and err are series of n_post rows, p of n_pre rows, all with row
 * stride ld. The test oracle and the B4 baseline: O(L n_post n_pre) with three
 * per-synapse arrays streamed every tick (plus a gather of the n_pre values of
 * p at each tick). Returns EVS_OK or EVS_ENOMEM (n_pre doubles of scratch). */
int evs__ssgrad_ref_dense(const evs__ssgrad_filter *f, uint32_t n_post,
                          uint32_t n_pre, size_t len, size_t ld,
                          const double *sg, const double *err, const double *p,
                          double *s1, double *s2, double *m);

/* The same for the synapses of a CSR projection (arrays by CSR position).
 * O(L nnz). */
void evs__ssgrad_ref_csr(const evs__ssgrad_filter *f, const evs_csr *c,
                         size_t len, size_t ld, const double *sg,
                         const double *err, const double *p, double *s1,
                         double *s2, double *m);

/* ---- windowed method ----------------------------------------------------- */

/* Time block of the CSR sparse path, ticks. */
#define EVS__SSGRAD_CSR_BLOCK 64

/* Per-window, per-post-neuron workspace. */
typedef struct evs__ssgrad_work {
  uint32_t n_post;  /* post neurons */
  size_t len_max;   /* longest window, ticks (row stride of q, r1, r2) */
  size_t len;       /* ticks of the window last prepared (0: none) */
  double *q;        /* [n_post*len_max] q_i(l) */
  double *r1, *r2;  /* [n_post*len_max] R_1,i(l), R_2,i(l) */
  double *e1, *e2;  /* [n_post] E_1,i, E_2,i */
  double *pack;     /* [n_post*3*EVS__SSGRAD_CSR_BLOCK] the CSR sparse path's
                       packed time block */
  double aL[2];     /* a_m^len */
  size_t r_from[2]; /* R_m,i(l) is 0 for l < r_from[m] (a_m^(len-1-l) below
                       2^-60: dropped from the products) */
  double c[2];      /* the filter's read-out, copied at prepare */
} evs__ssgrad_work;

/* Allocates a workspace for n_post neurons and windows up to len_max ticks
 * (3 n_post (len_max + EVS__SSGRAD_CSR_BLOCK) + 2 n_post doubles). Returns
 * EVS_OK, EVS_EINVAL (zero size) or EVS_ENOMEM; *out is NULL on failure.
 * Free with evs__ssgrad_work_free. */
int evs__ssgrad_work_new(evs__ssgrad_work **out, uint32_t n_post,
                         size_t len_max);

/* Frees w; NULL is allowed. */
void evs__ssgrad_work_free(evs__ssgrad_work *w);

/* The per-neuron part of a window of len ticks (1 <= len <= len_max): from
 * the surrogate and error series (n_post rows, stride ld) computes q, R1, R2,
 * E1, E2 and a^len into w. O(n_post len), no exp(). Returns EVS_OK or
 * EVS_EINVAL (len out of range). */
int evs__ssgrad_prepare(evs__ssgrad_work *w, const evs__ssgrad_filter *f,
                        size_t len, size_t ld, const double *sg,
                        const double *err);

/* The synapse part for a dense layer, after evs__ssgrad_prepare: adds the
 * window's gradient to m and moves the states s1, s2 from the window's start
 * to its end (all post-major [n_post*n_pre]). p: n_pre rows of len ticks,
 * stride ldp. Three dgemm calls (CBLAS when configure found it, else a
 * portable loop), O(3 n_post n_pre len) flops. Returns EVS_OK or EVS_EINVAL
 * (nothing prepared, sizes beyond int for CBLAS). */
int evs__ssgrad_dense(const evs__ssgrad_work *w, uint32_t n_pre, size_t ldp,
                      const double *p, double *s1, double *s2, double *m);

/* The same for a CSR projection (c->n_post == w->n_post; arrays by CSR
 * position), in one of two ways chosen by evs__ssgrad_csr_mode (AUTO here):
 *  - sparse: three dot products of length len per synapse, walked in time
 *    blocks of EVS__SSGRAD_CSR_BLOCK ticks packed per post neuron so they
 *    stay in cache; O(3 nnz len), about 0.75 ns per synapse-tick on the
 *    reference machine (SSE2), 3x less than the per-tick reference;
 *  - dense: the three dense products into scratch (3 n_post n_pre doubles,
 *    allocated for the call), then one gather per synapse; O(3 n_post n_pre
 *    len) at BLAS speed (about 0.25 ns per pair-tick), so it wins above a
 *    density of about 1/3.
 * AUTO takes dense when nnz >= EVS__SSGRAD_CSR_DENSITY n_pre n_post and the
 * scratch is at most EVS__SSGRAD_CSR_DENSE_MAX bytes (and falls back to
 * sparse when the scratch cannot be allocated). Returns EVS_OK or EVS_EINVAL
 * (nothing prepared, mismatched sizes, DENSE asked beyond the limits). */
#define EVS__SSGRAD_CSR_AUTO 0
#define EVS__SSGRAD_CSR_SPARSE 1
#define EVS__SSGRAD_CSR_DENSE 2
#define EVS__SSGRAD_CSR_DENSITY 0.25 /* nnz / (n_pre n_post) */
#define EVS__SSGRAD_CSR_DENSE_MAX (64.0 * 1024 * 1024) /* bytes of scratch */
int evs__ssgrad_csr(const evs__ssgrad_work *w, const evs_csr *c, size_t ldp,
                    const double *p, double *s1, double *s2, double *m);
int evs__ssgrad_csr_mode(const evs__ssgrad_work *w, const evs_csr *c,
                         size_t ldp, const double *p, double *s1, double *s2,
                         double *m, int mode);

/* 1 when the dense products use a CBLAS library, 0 for the portable loop. */
int evs__ssgrad_have_blas(void);

/* Makes OpenBLAS (when configure found openblas_set_num_threads) run its
 * products in the calling thread. The engine is single-threaded and its
 * window products are moderate: OpenBLAS's worker threads spinning and
 * yielding between them doubled the wall time of a SuperSpike run on a busy
 * 2-core machine (S3: 6.7 s -> 3.0 s, sys time 1.6 s -> 0.02 s). A process
 * setting, like OPENBLAS_NUM_THREADS=1. */
void evs__ssgrad_single_thread(void);

/* ---- the normalised update (doc/superspike.md, "Updates") ---------------- */

typedef struct evs__ssgrad_norm {
  double r0;    /* learning rate: the largest |dw| of one update, V */
  double gamma; /* per-update decay of v, exp(-T_update / tau_rms)
                   (exp(-0.5 s / 30 s) published) */
  double eps;   /* added to sqrt(v), 1e-12 published */
  double w_min; /* clip, V (-0.1 published) */
  double w_max; /* clip, V (+0.1 published) */
} evs__ssgrad_norm;

/* For each of n synapses: g = m/len, v = max(g^2, gamma v),
 * w += r0 g / (sqrt(v) + eps), w clipped to [w_min, w_max], m = 0.
 * Before clipping |dw| <= r0 since sqrt(v) >= |g|. len >= 1 ticks. O(n). */
void evs__ssgrad_update(const evs__ssgrad_norm *nm, size_t n, size_t len,
                        double *m, double *v, float *w);

/* ---- hidden-layer feedback (e_hidden from the output errors) ------------- */

/* Symmetric: e_hid[k] = sum_i w[i*n_hid + k] e_out[i], with w the current
 * forward weights hidden -> output (post-major, n_out x n_hid).
 * O(n_out n_hid). */
void evs__ssgrad_feedback_symmetric(uint32_t n_out, uint32_t n_hid,
                                    const float *w, const double *e_out,
                                    double *e_hid);

/* Fixed matrix: e_hid[k] = sum_i b[i*n_hid + k] e_out[i] (same layout as the
 * forward weights, so b = w gives the symmetric case). O(n_out n_hid). */
void evs__ssgrad_feedback_matrix(uint32_t n_out, uint32_t n_hid,
                                 const double *b, const double *e_out,
                                 double *e_hid);

/* Uniform (global third factor): e_hid[k] = sum_i e_out[i] for every k. */
void evs__ssgrad_feedback_uniform(uint32_t n_out, uint32_t n_hid,
                                  const double *e_out, double *e_hid);

/* The same over a window, for all ticks at once: e_hid[k*ld + l] +=
 * sum_i b[i*n_hid + k] e_out[i*ld + l] for l < len (ADDS, so several
 * projections out of one hidden population sum). b as in
 * evs__ssgrad_feedback_matrix (pass the forward weights for symmetric
 * feedback, ones for uniform). One dgemm through CBLAS when configure found
 * it, else a portable loop; O(n_out n_hid len). */
void evs__ssgrad_feedback_window(uint32_t n_out, uint32_t n_hid,
                                 const double *b, size_t len, size_t ld,
                                 const double *e_out, double *e_hid);

/* Fills b[0..n) with independent N(0, 1) deviates from rng, the fixed random
 * feedback matrix. The caller keys rng with a stream of its own (not the
 * projection's weight stream, or B would correlate with W). */
void evs__ssgrad_feedback_random(double *b, size_t n, evs_rng *rng);

#endif
