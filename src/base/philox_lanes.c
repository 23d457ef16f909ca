/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Philox-4x32-10 in four lanes (philox_lanes.h). Random123's
 * philox4x32 (Salmon et al. 2011), round by round:
 *   (hi0, lo0) = M0 x0, (hi1, lo1) = M1 x2 (32 x 32 -> 64-bit products),
 *   x <- (hi1 ^ x1 ^ k0, lo1, hi0 ^ x3 ^ k1, lo0),
 *   then the key is bumped by the Weyl constants before the next round.
 * SSE2's _mm_mul_epu32 multiplies lanes 0 and 2 of a vector; lanes 1 and 3
 * go through it shifted down, and the halves are interleaved back. */
#include "base/philox_lanes.h"

#include <Random123/philox.h>

#if defined(__SSE2__)
#include <emmintrin.h>

/* The high and low words of the four lane products a m (m's lanes equal). */
static inline void mulhilo(__m128i a, __m128i m, __m128i *hi, __m128i *lo) {
  __m128i p02 = _mm_mul_epu32(a, m);
  __m128i p13 = _mm_mul_epu32(_mm_srli_epi64(a, 32), m);
  /* (lo0, lo2, hi0, hi2) and (lo1, lo3, hi1, hi3) */
  __m128i s02 = _mm_shuffle_epi32(p02, _MM_SHUFFLE(3, 1, 2, 0));
  __m128i s13 = _mm_shuffle_epi32(p13, _MM_SHUFFLE(3, 1, 2, 0));
  *lo = _mm_unpacklo_epi32(s02, s13);
  *hi = _mm_unpackhi_epi32(s02, s13);
}

void evs__philox4x32_lanes(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                           uint32_t k0, uint32_t k1, uint32_t out[4][4]) {
  const __m128i m0 = _mm_set1_epi32((int)PHILOX_M4x32_0);
  const __m128i m1 = _mm_set1_epi32((int)PHILOX_M4x32_1);
  __m128i x0 = _mm_set1_epi32((int)c0), x2 = _mm_set1_epi32((int)c2);
  __m128i x3 = _mm_set1_epi32((int)c3);
  __m128i x1 =
      _mm_add_epi32(_mm_set1_epi32((int)c1), _mm_set_epi32(3, 2, 1, 0));
  for (int r = 0; r < 10; r++) {
    __m128i hi0, lo0, hi1, lo1;
    mulhilo(x0, m0, &hi0, &lo0);
    mulhilo(x2, m1, &hi1, &lo1);
    x0 = _mm_xor_si128(_mm_xor_si128(hi1, x1), _mm_set1_epi32((int)k0));
    x1 = lo1;
    x2 = _mm_xor_si128(_mm_xor_si128(hi0, x3), _mm_set1_epi32((int)k1));
    x3 = lo0;
    k0 += PHILOX_W32_0;
    k1 += PHILOX_W32_1;
  }
  _mm_storeu_si128((__m128i *)out[0], x0);
  _mm_storeu_si128((__m128i *)out[1], x1);
  _mm_storeu_si128((__m128i *)out[2], x2);
  _mm_storeu_si128((__m128i *)out[3], x3);
}

#else

void evs__philox4x32_lanes(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                           uint32_t k0, uint32_t k1, uint32_t out[4][4]) {
  philox4x32_key_t key = {{k0, k1}};
  for (uint32_t l = 0; l < 4; l++) {
    philox4x32_ctr_t ctr = {{c0, c1 + l, c2, c3}};
    philox4x32_ctr_t w = philox4x32(ctr, key); /* a macro: no literal */
    for (int i = 0; i < 4; i++) out[i][l] = w.v[i];
  }
}

#endif
