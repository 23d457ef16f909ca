/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — pair STDP's additive weight walks in vectors (stdp_walk.h).
 *
 * Why: in B3 (COBA with pair STDP on E->E) the two walks were ~15 and ~20
 * instructions a synapse, scalar (no gathers on the default target); the
 * vector widths load the indices, gather the coefficients (and, for a
 * column, the weights) and do the arithmetic of 4 or 8 synapses at once.
 * The column walk stays bound by its scattered weights (one cache line
 * each), which no layout of a row-major weight array avoids. B3, 2 s,
 * callgrind (AVX2): ~19 -> ~7.6 instructions a synapse update; on the
 * loaded Zen 4 here the walks' perf samples did not move (they wait on
 * memory), so the gain is in instructions (bench/results/2026-12-07-b3.md). */
#include "rules/stdp_walk.h"

#include <stddef.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define WALK_WIDE 1
#endif

/* One synapse: the scalar formula every width reproduces (the clip of
 * stdp_impl.h: w_min below, w_max above, else the sum; NaN stays). */
static inline float add_one(float w, double c, const evs__stdp_add *p) {
  const double s = (double)w + p->a * (c * p->decay);
  return (float)(s < p->w_min ? p->w_min : (s > p->w_max ? p->w_max : s));
}

static void row1(float *weight, const uint32_t *target, uint64_t begin,
                 uint64_t end, const evs__stdp_add *p) {
  for (uint64_t k = begin; k < end; k++)
    weight[k] = add_one(weight[k], p->coef[target[k]], p);
}

static void col1(float *weight, const uint32_t *pos, const uint32_t *pre,
                 uint64_t qb, uint64_t qe, const evs__stdp_add *p) {
  for (uint64_t q = qb; q < qe; q++)
    weight[pos[q]] = add_one(weight[pos[q]], p->coef[pre[q]], p);
}

static const evs__stdp_walk walk1 = {1, row1, col1};

#ifdef WALK_WIDE
/* AVX2: clip as the ternary of stdp_impl.h (lo where below, else hi where
 * above, else the sum; NaN stays). */
__attribute__((target("avx2"))) static inline __m128
add_four(__m128 w, __m256d c, __m256d d, __m256d a, __m256d lo, __m256d hi) {
  __m256d s = _mm256_add_pd(_mm256_cvtps_pd(w),
                            _mm256_mul_pd(a, _mm256_mul_pd(c, d)));
  s = _mm256_blendv_pd(s, hi, _mm256_cmp_pd(s, hi, _CMP_GT_OQ));
  s = _mm256_blendv_pd(s, lo, _mm256_cmp_pd(s, lo, _CMP_LT_OQ));
  return _mm256_cvtpd_ps(s);
}

__attribute__((target("avx2"))) static void
row4(float *weight, const uint32_t *target, uint64_t begin, uint64_t end,
     const evs__stdp_add *p) {
  const __m256d d = _mm256_set1_pd(p->decay), a = _mm256_set1_pd(p->a),
                lo = _mm256_set1_pd(p->w_min), hi = _mm256_set1_pd(p->w_max);
  uint64_t k = begin;
  for (; k + 4 <= end; k += 4) {
    __m128i ix = _mm_loadu_si128((const __m128i *)(target + k));
    __m256d c = _mm256_i32gather_pd(p->coef, ix, 8);
    _mm_storeu_ps(weight + k,
                  add_four(_mm_loadu_ps(weight + k), c, d, a, lo, hi));
  }
  row1(weight, target, k, end, p);
}

__attribute__((target("avx2"))) static void
col4(float *weight, const uint32_t *pos, const uint32_t *pre, uint64_t qb,
     uint64_t qe, const evs__stdp_add *p) {
  const __m256d d = _mm256_set1_pd(p->decay), a = _mm256_set1_pd(p->a),
                lo = _mm256_set1_pd(p->w_min), hi = _mm256_set1_pd(p->w_max);
  uint64_t q = qb;
  for (; q + 4 <= qe; q += 4) {
    __m128i ix = _mm_loadu_si128((const __m128i *)(pre + q));
    __m128i kx = _mm_loadu_si128((const __m128i *)(pos + q));
    __m256d c = _mm256_i32gather_pd(p->coef, ix, 8);
    __m128 w = _mm_i32gather_ps(weight, kx, 4);
    float out[4];
    _mm_storeu_ps(out, add_four(w, c, d, a, lo, hi));
    for (int l = 0; l < 4; l++) weight[pos[q + l]] = out[l];
  }
  col1(weight, pos, pre, q, qe, p);
}

static const evs__stdp_walk walk4 = {4, row4, col4};

#define TARGET512 __attribute__((target("avx512f")))

TARGET512 static inline __m256 add_eight(__m256 w, __m512d c, __m512d d,
                                         __m512d a, __m512d lo, __m512d hi) {
  __m512d s = _mm512_add_pd(_mm512_cvtps_pd(w),
                            _mm512_mul_pd(a, _mm512_mul_pd(c, d)));
  s = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(s, hi, _CMP_GT_OQ), s, hi);
  s = _mm512_mask_blend_pd(_mm512_cmp_pd_mask(s, lo, _CMP_LT_OQ), s, lo);
  return _mm512_cvtpd_ps(s);
}

TARGET512 static void row8(float *weight, const uint32_t *target,
                           uint64_t begin, uint64_t end,
                           const evs__stdp_add *p) {
  const __m512d d = _mm512_set1_pd(p->decay), a = _mm512_set1_pd(p->a),
                lo = _mm512_set1_pd(p->w_min), hi = _mm512_set1_pd(p->w_max);
  uint64_t k = begin;
  for (; k + 8 <= end; k += 8) {
    __m256i ix = _mm256_loadu_si256((const __m256i *)(target + k));
    __m512d c = _mm512_i32gather_pd(ix, p->coef, 8);
    _mm256_storeu_ps(weight + k,
                     add_eight(_mm256_loadu_ps(weight + k), c, d, a, lo, hi));
  }
  row1(weight, target, k, end, p);
}

/* The column walk stays col4's: an AVX-512 one (gathers and a scatter)
 * measured no faster on the Zen 4 here, where the scatter is microcoded
 * and the walk waits on its scattered weights anyway. */
static const evs__stdp_walk walk8 = {8, row8, col4};
#endif

const evs__stdp_walk *evs__stdp_walk_get(int lanes) {
  if (lanes == 1) return &walk1;
#ifdef WALK_WIDE
  if (lanes == 4 && __builtin_cpu_supports("avx2")) return &walk4;
  if (lanes == 8 && __builtin_cpu_supports("avx512f")) return &walk8;
#endif
  return NULL;
}

const evs__stdp_walk *evs__stdp_walk_pick(uint32_t n_pre, uint32_t n_post,
                                          uint64_t nnz) {
  if (n_pre > INT32_MAX || n_post > INT32_MAX || nnz > INT32_MAX)
    return &walk1;
  const evs__stdp_walk *w = evs__stdp_walk_get(8);
  if (!w) w = evs__stdp_walk_get(4);
  return w ? w : &walk1;
}
