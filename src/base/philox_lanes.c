/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Philox-4x32-10 in vector lanes (philox_lanes.h). Random123's
 * philox4x32 (Salmon et al. 2011), round by round:
 *   (hi0, lo0) = M0 x0, (hi1, lo1) = M1 x2 (32 x 32 -> 64-bit products),
 *   x <- (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0),
 *   then the key is bumped by the Weyl constants before the next round.
 * The x86 vector multiply of unsigned 32-bit lanes (pmuludq) multiplies the
 * even lanes of a vector into 64-bit products; the odd lanes go through it
 * shifted down, and the halves are put back in lane order. (GCC's portable
 * vector types do not lower a product of zero-extended lanes to pmuludq:
 * they made three multiplies of each, so the three widths are written in
 * intrinsics.) The microcircuit at 10 % spent a quarter of its run's
 * instructions here in four lanes. */
#include "base/philox_lanes.h"

#include <Random123/philox.h>

#if defined(__SSE2__) && defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The high and low words of the four lane products a m (m's lanes equal). */
static inline void mulhilo4(__m128i a, __m128i m, __m128i *hi, __m128i *lo) {
  __m128i p02 = _mm_mul_epu32(a, m);
  __m128i p13 = _mm_mul_epu32(_mm_srli_epi64(a, 32), m);
  /* (lo0, lo2, hi0, hi2) and (lo1, lo3, hi1, hi3) */
  __m128i s02 = _mm_shuffle_epi32(p02, _MM_SHUFFLE(3, 1, 2, 0));
  __m128i s13 = _mm_shuffle_epi32(p13, _MM_SHUFFLE(3, 1, 2, 0));
  *lo = _mm_unpacklo_epi32(s02, s13);
  *hi = _mm_unpackhi_epi32(s02, s13);
}

/* Lanes [j, j + 4) of evs__philox4x32_run. */
static void run4(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                 uint32_t k0, uint32_t k1, uint32_t *out, size_t stride) {
  const __m128i m0 = _mm_set1_epi32((int)PHILOX_M4x32_0);
  const __m128i m1 = _mm_set1_epi32((int)PHILOX_M4x32_1);
  __m128i x0 = _mm_set1_epi32((int)c0), x2 = _mm_set1_epi32((int)c2);
  __m128i x3 = _mm_set1_epi32((int)c3);
  __m128i x1 =
      _mm_add_epi32(_mm_set1_epi32((int)c1), _mm_set_epi32(3, 2, 1, 0));
  for (int r = 0; r < 10; r++) {
    __m128i hi0, lo0, hi1, lo1;
    mulhilo4(x0, m0, &hi0, &lo0);
    mulhilo4(x2, m1, &hi1, &lo1);
    x0 = _mm_xor_si128(_mm_xor_si128(hi1, x1), _mm_set1_epi32((int)k0));
    x1 = lo1;
    x2 = _mm_xor_si128(_mm_xor_si128(hi0, x3), _mm_set1_epi32((int)k1));
    x3 = lo0;
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  _mm_storeu_si128((__m128i *)out, x0);
  _mm_storeu_si128((__m128i *)(out + stride), x1);
  _mm_storeu_si128((__m128i *)(out + 2 * stride), x2);
  _mm_storeu_si128((__m128i *)(out + 3 * stride), x3);
}

/* The same in eight lanes: the odd lanes' products blended back in. */
__attribute__((target("avx2"))) static void run8(uint32_t c0, uint32_t c1,
                                                 uint32_t c2, uint32_t c3,
                                                 uint32_t k0, uint32_t k1,
                                                 uint32_t *out, size_t stride) {
  const __m256i m0 = _mm256_set1_epi32((int)PHILOX_M4x32_0);
  const __m256i m1 = _mm256_set1_epi32((int)PHILOX_M4x32_1);
  __m256i x0 = _mm256_set1_epi32((int)c0), x2 = _mm256_set1_epi32((int)c2);
  __m256i x3 = _mm256_set1_epi32((int)c3);
  __m256i x1 = _mm256_add_epi32(_mm256_set1_epi32((int)c1),
                                _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0));
  for (int r = 0; r < 10; r++) {
    __m256i p0e = _mm256_mul_epu32(x0, m0);
    __m256i p0o = _mm256_mul_epu32(_mm256_srli_epi64(x0, 32), m0);
    __m256i p1e = _mm256_mul_epu32(x2, m1);
    __m256i p1o = _mm256_mul_epu32(_mm256_srli_epi64(x2, 32), m1);
    __m256i lo0 = _mm256_blend_epi32(p0e, _mm256_slli_epi64(p0o, 32), 0xaa);
    __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(p0e, 32), p0o, 0xaa);
    __m256i lo1 = _mm256_blend_epi32(p1e, _mm256_slli_epi64(p1o, 32), 0xaa);
    __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(p1e, 32), p1o, 0xaa);
    x0 =
        _mm256_xor_si256(_mm256_xor_si256(hi1, x1), _mm256_set1_epi32((int)k0));
    x1 = lo1;
    x2 =
        _mm256_xor_si256(_mm256_xor_si256(hi0, x3), _mm256_set1_epi32((int)k1));
    x3 = lo0;
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  _mm256_storeu_si256((__m256i *)out, x0);
  _mm256_storeu_si256((__m256i *)(out + stride), x1);
  _mm256_storeu_si256((__m256i *)(out + 2 * stride), x2);
  _mm256_storeu_si256((__m256i *)(out + 3 * stride), x3);
}

/* The high and low words of the sixteen lane products a m (m's lanes
 * equal). */
__attribute__((target("avx512f"))) static inline void
mulhilo16(__m512i a, __m512i m, __m512i *hi, __m512i *lo) {
  const __mmask16 odd = 0xaaaa;
  __m512i pe = _mm512_mul_epu32(a, m);
  __m512i po = _mm512_mul_epu32(_mm512_srli_epi64(a, 32), m);
  *lo = _mm512_mask_blend_epi32(odd, pe, _mm512_slli_epi64(po, 32));
  *hi = _mm512_mask_blend_epi32(odd, _mm512_srli_epi64(pe, 32), po);
}

/* The same in thirty-two lanes, two vectors of sixteen whose rounds are
 * interleaved (a round's products wait ~8 cycles for the last: one vector
 * at a time left the multipliers idle). */
__attribute__((target("avx512f"))) static void
run32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
      uint32_t k1, uint32_t *out, size_t stride) {
  const __m512i m0 = _mm512_set1_epi32((int)PHILOX_M4x32_0);
  const __m512i m1 = _mm512_set1_epi32((int)PHILOX_M4x32_1);
  const __m512i lane =
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512i x[2][4];
  for (int v = 0; v < 2; v++) {
    x[v][0] = _mm512_set1_epi32((int)c0);
    x[v][1] = _mm512_add_epi32(_mm512_set1_epi32((int)(c1 + 16u * v)), lane);
    x[v][2] = _mm512_set1_epi32((int)c2);
    x[v][3] = _mm512_set1_epi32((int)c3);
  }
  for (int r = 0; r < 10; r++) {
    const __m512i a = _mm512_set1_epi32((int)k0),
                  b = _mm512_set1_epi32((int)k1);
    for (int v = 0; v < 2; v++) {
      __m512i hi0, lo0, hi1, lo1;
      mulhilo16(x[v][0], m0, &hi0, &lo0);
      mulhilo16(x[v][2], m1, &hi1, &lo1);
      x[v][0] = _mm512_xor_si512(_mm512_xor_si512(hi1, x[v][1]), a);
      x[v][1] = lo1;
      x[v][2] = _mm512_xor_si512(_mm512_xor_si512(hi0, x[v][3]), b);
      x[v][3] = lo0;
    }
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  for (int v = 0; v < 2; v++)
    for (int i = 0; i < 4; i++)
      _mm512_storeu_si512((void *)(out + i * stride + 16 * v), x[v][i]);
}

void evs__philox4x32_run(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                         uint32_t k0, uint32_t k1, size_t n, uint32_t *out,
                         size_t stride) {
  size_t l = 0;
  if (__builtin_cpu_supports("avx512f"))
    for (; l < n; l += 32)
      run32(c0, c1 + (uint32_t)l, c2, c3, k0, k1, out + l, stride);
  else if (__builtin_cpu_supports("avx2"))
    for (; l < n; l += 8)
      run8(c0, c1 + (uint32_t)l, c2, c3, k0, k1, out + l, stride);
  /* up to the lanes promised (writes after a narrower width's last vector) */
  for (; l < n || l % EVS_PHILOX_RUN_LANES; l += 4)
    run4(c0, c1 + (uint32_t)l, c2, c3, k0, k1, out + l, stride);
}

#else

void evs__philox4x32_run(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                         uint32_t k0, uint32_t k1, size_t n, uint32_t *out,
                         size_t stride) {
  philox4x32_key_t key = {{k0, k1}};
  for (size_t l = 0; l < n || l % EVS_PHILOX_RUN_LANES; l++) {
    philox4x32_ctr_t ctr = {{c0, c1 + (uint32_t)l, c2, c3}};
    philox4x32_ctr_t w = philox4x32(ctr, key); /* a macro: no literal */
    for (int i = 0; i < 4; i++) out[i * stride + l] = w.v[i];
  }
}

#endif
