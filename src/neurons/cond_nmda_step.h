/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to cond_nmda.c: IF_cond_ampa_nmda's step (steps 1 and 2
 * of cond_nmda.c's list, and the tests that decide whether step 3 or 4
 * may act) in one sweep over a block, in vectors of STEP_LANES neurons,
 * compiled for the target STEP_TARGET into the function STEP_NAME;
 * STEP_ANY_TOP(w) tells whether the top bit of some lane of the vector of
 * words w is set. cond_nmda.c includes this file once for each width it
 * offers (2 lanes on any target, 4 with AVX2, 8 with AVX-512) and picks the
 * widest the processor has. Each neuron's arithmetic is the scalar
 * formula's in its order whatever the width (ISO C: no fused
 * multiply-add), so the widths give the same bytes, and those of the two
 * passes it replaced (nmda_pass_exp, then nmda_pass_v: one sweep reads
 * g_A, g_N, g_G once and keeps the exp factor in a register, where the two
 * passes stored it and read the conductances twice; cond_step.h did the
 * same for IF_cond_exp).
 *
 * STEP_NAME(s, lo, n, t0, pending, refr, thr) steps the neurons [lo, lo +
 * n) of the population with state s (lo a multiple of COND_BLOCK, n of
 * COND_CHUNK, at most COND_BLOCK) from t0 to t0 + dt: v by exponential
 * Euler over h = dt, or over the part of the step after a refractory
 * period when refr (else none runs after t0: free_time would give dt to
 * the bit); g_N, g_A, g_G and th by their propagators, g_A and g_G take the
 * pending inputs (when pending; then cleared). A vector pair where some
 * neuron's exp() argument lies outside [0, COND_XMAX] (or is NaN:
 * exp_neg_checked) is stepped by nmda_step_scalar instead, with libm's
 * exp(). *thr gets bit k set when some neuron of the k-th chunk of
 * COND_CHUNK neurons may have reached v_thresh + th or left [v_lo, v_hi]
 * (sign bits, as threshold_bit); the caller clips and tests those.
 *
 * With STEP_SINGLE 1 (cond_nmda_single.c) the same step in float on the
 * state s->f: STEP_LANES floats a vector, the constants rounded to float,
 * exp(-x) by exp_neg_poly_f (COND_VEC_EXP_POLY_F), th below NMDA_TH_MIN
 * set to 0, the vector pairs out of range stepped by nmda_single_scalar; a refractory end's remaining time
 * until - t0 is taken in double and rounded to float (t0v is then 0). */

#define STEP_WAYS 2 /* vectors a loop iteration (cond_vec.h) */
#include "neurons/cond_vec.h"

#ifndef STEP_SINGLE
#define STEP_SINGLE 0
#endif
#if STEP_SINGLE
#define STEP_REAL float
#define STEP_WORD int32_t
#define STEP_UWORD uint32_t
#define STEP_WORD_MAX INT32_MAX
#define STEP_ARR(dbl, flt) (flt)
#define STEP_SCALAR nmda_single_scalar
#define STEP_EXP COND_VEC_EXP_POLY_F
#else
#define STEP_REAL double
#define STEP_WORD int64_t
#define STEP_UWORD uint64_t
#define STEP_WORD_MAX INT64_MAX
#define STEP_ARR(dbl, flt) (dbl)
#define STEP_SCALAR nmda_step_scalar
#define STEP_EXP COND_VEC_EXP_POLY
#endif

#define STEP_CAT_(a, b) a##b
#define STEP_CAT(a, b) STEP_CAT_(a, b)
#define STEP_BODY STEP_CAT(STEP_NAME, _body)

STEP_TARGET static inline void STEP_BODY(nmda_state *restrict s, uint32_t lo,
                                         uint32_t n, double t0, int pending,
                                         int refr, uint32_t *thr) {
  typedef STEP_REAL vd
      __attribute__((vector_size(STEP_LANES * sizeof(STEP_REAL))));
  typedef STEP_WORD vl
      __attribute__((vector_size(STEP_LANES * sizeof(STEP_WORD))));
  typedef STEP_UWORD vu
      __attribute__((vector_size(STEP_LANES * sizeof(STEP_WORD))));
  const vd zero = {0};
  const evs__cond_base *c = &s->c;
#if STEP_SINGLE
  const nmda_single *f = s->f;
  const vd th_min = (vd){0} + NMDA_TH_MIN;
  typedef double vw __attribute__((vector_size(STEP_LANES * sizeof(double))));
  const vw t0w = (vw){0} + t0;
#endif
  /* the constants in vectors, lane by lane (zero + x would turn a -0 into
   * +0; with scalar operands GCC broadcasts them again in the loop) */
  vd dt, g_l, inv_cm, e_e, e_i, da, dg, dn, can, dth, a_a, a_n, vth, v_lo,
      v_hi, t0v, half;
  for (int l = 0; l < STEP_LANES; l++) {
    dt[l] = c->dt;
    g_l[l] = c->g_l;
    inv_cm[l] = c->inv_cm;
    e_e[l] = c->e_e;
    e_i[l] = c->e_i;
    da[l] = c->de;
    dg[l] = c->di;
    dn[l] = s->dn;
    can[l] = s->can;
    dth[l] = s->dth;
    a_a[l] = s->a_ampa;
    a_n[l] = s->a_nmda;
    vth[l] = c->v_thresh;
    v_lo[l] = s->v_lo;
    v_hi[l] = s->v_hi;
    t0v[l] = STEP_SINGLE ? 0 : t0;
    half[l] = 0.5;
  }
  STEP_REAL xmax = COND_XMAX;
  STEP_UWORD xmax_bits;
  memcpy(&xmax_bits, &xmax, sizeof xmax_bits);
  const vu lim = (vu){0} + xmax_bits;
  const vl mag = (vl){0} + STEP_WORD_MAX; /* all bits but the sign */
  STEP_REAL *restrict v = STEP_ARR(c->v, f->v) + lo,
            *restrict ga = STEP_ARR(c->ge, f->ga) + lo,
            *restrict gi = STEP_ARR(c->gi, f->gi) + lo,
            *restrict pe = STEP_ARR(c->pe, f->pe) + lo,
            *restrict pi = STEP_ARR(c->pi, f->pi) + lo,
            *restrict gn = STEP_ARR(s->gn, f->gn) + lo,
            *restrict th = STEP_ARR(s->th, f->th) + lo;
  const STEP_REAL *restrict ib = STEP_ARR(c->ib, f->ib) + lo;
  const double *restrict until = c->until + lo;
  uint32_t reach = 0;
  for (uint32_t k = 0; k < n; k += COND_CHUNK) {
    vl reached = {0};
    for (uint32_t j = k; j < k + COND_CHUNK; j += 2 * STEP_LANES) {
      vd a[2], nm[2], b[2], ge[2], h[2], g_tot[2], x[2];
      COND_VEC_EACH(VEC_LOAD(a[q], ga + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(nm[q], gn + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(b[q], gi + j + q * STEP_LANES));
      COND_VEC_EACH(ge[q] = a_a * a[q] + a_n * nm[q]);
      COND_VEC_EACH(g_tot[q] = g_l + ge[q] + b[q]);
      if (refr) { /* h = free_time(until, t0, dt) */
        vd u[2];
#if STEP_SINGLE
        vw uw[2];
        COND_VEC_EACH(VEC_LOAD(uw[q], until + j + q * STEP_LANES));
        COND_VEC_EACH(u[q] = __builtin_convertvector(uw[q] - t0w, vd));
#else
        COND_VEC_EACH(VEC_LOAD(u[q], until + j + q * STEP_LANES));
#endif
        COND_VEC_FREE_TIME(h, u);
      } else {
        COND_VEC_EACH(h[q] = dt);
      }
      COND_VEC_EACH(x[q] = h[q] * g_tot[q] * inv_cm);
      if (COND_VEC_OUT_OF_RANGE(x)) {
        /* rare: very strong or negative g_tot */
        STEP_SCALAR(s, lo + j, 2 * STEP_LANES, t0);
        reached = (vl){0} - 1;
        continue;
      }
      vd p[2], vo[2], drive[2], v_inf[2], vn[2], tn[2], in_e[2],
          in_i[2];
      STEP_EXP(p, x);
      COND_VEC_EACH(VEC_LOAD(vo[q], v + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(drive[q], ib + j + q * STEP_LANES));
      COND_VEC_EACH(v_inf[q] = (drive[q] + ge[q] * e_e + b[q] * e_i) / g_tot[q]);
      COND_VEC_EACH(vn[q] = v_inf[q] + (vo[q] - v_inf[q]) * p[q]);
      COND_VEC_EACH(VEC_STORE(v + j + q * STEP_LANES, vn[q]));
      COND_VEC_EACH(VEC_STORE(gn + j + q * STEP_LANES, dn * nm[q] + can * a[q]));
      if (pending) {
        COND_VEC_EACH(VEC_LOAD(in_e[q], pe + j + q * STEP_LANES));
        COND_VEC_EACH(VEC_LOAD(in_i[q], pi + j + q * STEP_LANES));
        COND_VEC_EACH(VEC_STORE(pe + j + q * STEP_LANES, zero));
        COND_VEC_EACH(VEC_STORE(pi + j + q * STEP_LANES, zero));
      } else { /* + 0 as the scalar step adds it (a -0 becomes +0) */
        COND_VEC_EACH(in_e[q] = zero);
        COND_VEC_EACH(in_i[q] = zero);
      }
      COND_VEC_EACH(VEC_STORE(ga + j + q * STEP_LANES, a[q] * da + in_e[q]));
      COND_VEC_EACH(VEC_STORE(gi + j + q * STEP_LANES, b[q] * dg + in_i[q]));
      COND_VEC_EACH(VEC_LOAD(tn[q], th + j + q * STEP_LANES));
      COND_VEC_EACH(tn[q] = tn[q] * dth);
#if STEP_SINGLE /* NMDA_TH_MIN: no subnormal th */
      COND_VEC_EACH(tn[q] = (vd)((vl)tn[q] & (vl)(tn[q] >= th_min)));
#endif
      COND_VEC_EACH(VEC_STORE(th + j + q * STEP_LANES, tn[q]));
      /* threshold_bit of v - (v_thresh + th), and the clip's signs */
      COND_VEC_EACH(reached |= ~(vl)(vn[q] - (vth + tn[q])) | (vl)(vn[q] - v_lo) |
                          (vl)(v_hi - vn[q]));
    }
    reach |= (uint32_t)STEP_ANY_TOP((vu)reached) << (k / COND_CHUNK);
  }
  *thr = reach;
}

/* The four cases, each with its flags constant in the loop. */
STEP_TARGET static void STEP_NAME(nmda_state *restrict s, uint32_t lo,
                                  uint32_t n, double t0, int pending, int refr,
                                  uint32_t *thr) {
  if (pending && refr)
    STEP_BODY(s, lo, n, t0, 1, 1, thr);
  else if (pending)
    STEP_BODY(s, lo, n, t0, 1, 0, thr);
  else if (refr)
    STEP_BODY(s, lo, n, t0, 0, 1, thr);
  else
    STEP_BODY(s, lo, n, t0, 0, 0, thr);
}

#undef STEP_BODY
#undef STEP_REAL
#undef STEP_WORD
#undef STEP_WORD_MAX
#undef STEP_UWORD
#undef STEP_ARR
#undef STEP_SCALAR
#undef STEP_EXP
#undef STEP_SINGLE
#undef STEP_ANY_TOP
#undef STEP_WAYS
#undef STEP_CAT
#undef STEP_CAT_
#undef STEP_NAME
#undef STEP_LANES
#undef STEP_TARGET
