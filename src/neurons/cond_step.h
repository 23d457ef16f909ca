/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to cond.c: IF_cond_exp's step (steps 1 and 2 of cond.c's
 * list, and the threshold test of step 3) in one sweep over a block, in
 * vectors of STEP_LANES neurons, compiled for the target STEP_TARGET into
 * the function STEP_NAME; STEP_ANY_TOP(w) tells whether the top bit of some
 * lane of the vector of words w is set. cond.c includes this file once for
 * each width it offers (2 lanes on any target, 4 with AVX2, 8 with
 * AVX-512) and picks the widest the processor has. Each neuron's arithmetic
 * is the scalar formula's in its order whatever the width (ISO C: no fused
 * multiply-add), so the widths give the same bytes, and those of the two
 * passes it replaced (cond_pass_exp, then cond_pass_v); tests/check_cond_step
 * holds every tick to the scalar formula bit for bit. Also defined by
 * cond.c: STEP_WAYS, the vectors an iteration interleaves (cond_vec.h);
 * STEP_MAX0(z), max(z, +0) lane by lane, which is relu(z) = 0.5 (z + |z|)
 * to the bit for every z but NaN (+0 for z = -0 too), and free_time's
 * arguments here are never NaN (until and t0 are finite); and
 * STEP_OUT_OF_RANGE(x), exp_neg_checked's test over the iteration's
 * vectors x.
 *
 * STEP_NAME(s, lo, n, t0, pending, thr) steps the neurons [lo, lo + n) of
 * the population with the base's constant parameters s (lo and n multiples
 * of COND_CHUNK, lo + n at most s->cap) from t0 to t0 + s->dt:
 * v by exponential Euler, g_e and g_i decay and take the pending inputs
 * (when pending; then cleared). A vector where some neuron's exp() argument
 * lies outside [0, COND_XMAX] (or is NaN: exp_neg_checked) is stepped by
 * cond_step_scalar instead, with libm's exp(). thr ((n + 63) / 64 words)
 * gets bit b of word w set when neuron lo + 64 w + b may have
 * reached v_thresh (threshold_bit), clear for the others and beyond n;
 * the caller tests the set ones exactly. The sweep ORs threshold_bit over
 * each chunk of COND_CHUNK neurons (one vector operation a vector), and
 * only a chunk where it is set, a few a step, is read again for its
 * neurons' bits (STEP_TOP_BITS(w): the top bits of the lanes of w, lane l
 * as bit l). */

#include "neurons/cond_vec.h"

#define STEP_CAT_(a, b) a##b
#define STEP_CAT(a, b) STEP_CAT_(a, b)
#define STEP_BODY STEP_CAT(STEP_NAME, _body)

STEP_TARGET static inline __attribute__((always_inline)) void
STEP_BODY(evs__cond_base *restrict s, uint32_t lo, uint32_t n, double t0,
          int pending, uint64_t *thr) {
  typedef double vd __attribute__((vector_size(STEP_LANES * sizeof(double))));
  typedef int64_t vl __attribute__((vector_size(STEP_LANES * sizeof(int64_t))));
  typedef uint64_t vu
      __attribute__((vector_size(STEP_LANES * sizeof(uint64_t))));
  const vd zero = {0};
  /* the constants in vectors, lane by lane (zero + x would turn a -0 into
   * +0; with scalar operands GCC broadcasts them again in the loop) */
  vd dt, g_l, inv_cm, e_e, e_i, de, di, vth, t0v;
  for (int l = 0; l < STEP_LANES; l++) {
    dt[l] = s->dt;
    g_l[l] = s->g_l;
    inv_cm[l] = s->inv_cm;
    e_e[l] = s->e_e;
    e_i[l] = s->e_i;
    de[l] = s->de;
    di[l] = s->di;
    vth[l] = s->v_thresh;
    t0v[l] = t0;
  }
  const vu lim = (vu){0} + s->xmax_bits;
  double *restrict v = s->v + lo, *restrict ge = s->ge + lo,
                   *restrict gi = s->gi + lo, *restrict pe = s->pe + lo,
                   *restrict pi = s->pi + lo;
  const double *restrict until = s->until + lo, *restrict ib = s->ib + lo;
  for (uint32_t w = 0; w < (n + 63) / 64; w++) thr[w] = 0;
  for (uint32_t c = 0; c < n; c += COND_CHUNK) {
    vl reached = {0};
    for (uint32_t j = c; j < c + COND_CHUNK; j += STEP_WAYS * STEP_LANES) {
      vd u[STEP_WAYS], a[STEP_WAYS], b[STEP_WAYS], h[STEP_WAYS];
      vd g_tot[STEP_WAYS], x[STEP_WAYS];
      COND_VEC_EACH(VEC_LOAD(u[q], until + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(a[q], ge + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(b[q], gi + j + q * STEP_LANES));
      /* h = free_time(u, t0, dt) with relu(z) = STEP_MAX0(z) */
      COND_VEC_EACH(h[q] = dt - STEP_MAX0(u[q] - t0v));
      COND_VEC_EACH(h[q] = STEP_MAX0(h[q]));
      COND_VEC_EACH(g_tot[q] = g_l + a[q] + b[q]);
      COND_VEC_EACH(x[q] = h[q] * g_tot[q] * inv_cm);
      if (STEP_OUT_OF_RANGE(x)) {
        /* rare: very strong or negative g_tot */
        cond_step_scalar(s, lo + j, STEP_WAYS * STEP_LANES, t0);
        reached = (vl){0} - 1;
        continue;
      }
      vd p[STEP_WAYS], vo[STEP_WAYS], drive[STEP_WAYS], v_inf[STEP_WAYS],
          vn[STEP_WAYS], an[STEP_WAYS], bn[STEP_WAYS];
      COND_VEC_EXP_POLY(p, x);
      COND_VEC_EACH(VEC_LOAD(vo[q], v + j + q * STEP_LANES));
      COND_VEC_EACH(VEC_LOAD(drive[q], ib + j + q * STEP_LANES));
      COND_VEC_EACH(v_inf[q] = (drive[q] + a[q] * e_e + b[q] * e_i) / g_tot[q]);
      COND_VEC_EACH(vn[q] = v_inf[q] + (vo[q] - v_inf[q]) * p[q]);
      COND_VEC_EACH(VEC_STORE(v + j + q * STEP_LANES, vn[q]));
      COND_VEC_EACH(reached |= ~(vl)(vn[q] - vth)); /* threshold_bit */
      COND_VEC_EACH(an[q] = a[q] * de);
      COND_VEC_EACH(bn[q] = b[q] * di);
      if (pending) { /* (without, +0 would turn a -0 into +0) */
        vd in_e[STEP_WAYS], in_i[STEP_WAYS];
        COND_VEC_EACH(VEC_LOAD(in_e[q], pe + j + q * STEP_LANES));
        COND_VEC_EACH(VEC_LOAD(in_i[q], pi + j + q * STEP_LANES));
        COND_VEC_EACH(an[q] += in_e[q]);
        COND_VEC_EACH(bn[q] += in_i[q]);
        COND_VEC_EACH(VEC_STORE(pe + j + q * STEP_LANES, zero));
        COND_VEC_EACH(VEC_STORE(pi + j + q * STEP_LANES, zero));
      }
      COND_VEC_EACH(VEC_STORE(ge + j + q * STEP_LANES, an[q]));
      COND_VEC_EACH(VEC_STORE(gi + j + q * STEP_LANES, bn[q]));
    }
    if (STEP_ANY_TOP((vu)reached)) { /* rare: the chunk's bits, from v */
      uint64_t bits = 0;
      for (uint32_t j = c; j < c + COND_CHUNK; j += STEP_LANES) {
        vd vj;
        VEC_LOAD(vj, v + j);
        bits |= STEP_TOP_BITS((vu) ~(vl)(vj - vth)) << (j - c);
      }
      thr[c / 64] |= bits << (c % 64);
    }
  }
}

/* The two cases, each with its flag constant in the loop. */
STEP_TARGET static void STEP_NAME(evs__cond_base *restrict s, uint32_t lo,
                                  uint32_t n, double t0, int pending,
                                  uint64_t *thr) {
  if (pending)
    STEP_BODY(s, lo, n, t0, 1, thr);
  else
    STEP_BODY(s, lo, n, t0, 0, thr);
}

#undef STEP_BODY
#undef STEP_ANY_TOP
#undef STEP_TOP_BITS
#undef STEP_MAX0
#undef STEP_OUT_OF_RANGE
#undef STEP_WAYS
#undef STEP_CAT
#undef STEP_CAT_
#undef STEP_NAME
#undef STEP_LANES
#undef STEP_TARGET
