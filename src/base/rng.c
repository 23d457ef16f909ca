/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — counter-based random streams (see include/evsnn/rng.h).
 *
 * Philox4x32-10 (Salmon et al., SC'11) from Random123: block b of stream
 * (seed, population, neuron, purpose) is philox4x32(ctr = {population, neuron,
 * purpose, b}, key = {seed & 0xffffffff, seed >> 32}); its four words are
 * returned in order v[0], v[1], v[2], v[3]. */
#include "evsnn/rng.h"

#include <math.h>
#include <Random123/philox.h>

void evs_rng_init(evs_rng *r, uint64_t seed, uint32_t population,
                  uint32_t neuron, uint32_t purpose) {
  r->key[0] = (uint32_t)seed;
  r->key[1] = (uint32_t)(seed >> 32);
  r->ctr[0] = population;
  r->ctr[1] = neuron;
  r->ctr[2] = purpose;
  r->ctr[3] = 0;
  r->buf[0] = r->buf[1] = r->buf[2] = r->buf[3] = 0;
  r->left = 0;
  r->has_spare = 0;
  r->spare = 0.0;
}

/* Computes the block at the current counter into buf and advances the block
 * index (2^32 blocks per stream, then it wraps). */
static void refill(evs_rng *r) {
  philox4x32_ctr_t c = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
  philox4x32_key_t k = {{r->key[0], r->key[1]}};
  philox4x32_ctr_t out = philox4x32(c, k);
  r->buf[0] = out.v[0];
  r->buf[1] = out.v[1];
  r->buf[2] = out.v[2];
  r->buf[3] = out.v[3];
  r->ctr[3]++;
  r->left = 4;
}

uint32_t evs_rng_u32(evs_rng *r) {
  if (r->left <= 0) refill(r);
  return r->buf[4 - r->left--];
}

uint64_t evs_rng_u64(evs_rng *r) {
  uint64_t lo = evs_rng_u32(r);
  uint64_t hi = evs_rng_u32(r);
  return (hi << 32) | lo;
}

double evs_rng_uniform(evs_rng *r) {
  /* k / 2^53 with k in [1, 2^53): every value is exact, the set is symmetric
   * about 1/2, and 0 is excluded by redrawing (probability 2^-53). Adding
   * 1/2 ulp instead would round 1 - 2^-54 up to 1. */
  uint64_t k;
  do k = evs_rng_u64(r) >> 11;
  while (k == 0);
  return (double)k * 0x1p-53;
}

uint32_t evs_rng_below(evs_rng *r, uint32_t n) {
  /* Lemire, "Fast random integer generation in an interval" (2019): the high
   * word of x*n, rejecting the 2^32 mod n low words that would bias it. */
  if (n == 0) return 0;
  uint64_t m = (uint64_t)evs_rng_u32(r) * n;
  uint32_t low = (uint32_t)m;
  if (low < n) {
    uint32_t threshold = (uint32_t)(-n) % n; /* = 2^32 mod n */
    while (low < threshold) {
      m = (uint64_t)evs_rng_u32(r) * n;
      low = (uint32_t)m;
    }
  }
  return (uint32_t)(m >> 32);
}

double evs_rng_normal(evs_rng *r) {
  /* Marsaglia's polar method; the second deviate is kept for the next call. */
  if (r->has_spare) {
    r->has_spare = 0;
    return r->spare;
  }
  double u, v, s;
  do {
    u = 2.0 * evs_rng_uniform(r) - 1.0;
    v = 2.0 * evs_rng_uniform(r) - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  double f = sqrt(-2.0 * log(s) / s);
  r->spare = v * f;
  r->has_spare = 1;
  return u * f;
}

double evs_rng_exponential(evs_rng *r) { return -log(evs_rng_uniform(r)); }

/* log(k!) for k >= 0: summed exactly for small k, Stirling's series beyond
 * (truncation error below 1/(1680 k^7) < 1e-12 for k >= 20). */
static double log_factorial(double k) {
  if (k < 20.0) {
    double s = 0.0;
    for (double i = 2.0; i <= k; i += 1.0) s += log(i);
    return s;
  }
  double ik = 1.0 / k, ik2 = ik * ik;
  return (k + 0.5) * log(k) - k + 0.91893853320467274178 /* ln sqrt(2 pi) */
         + ik * (1.0 / 12 - ik2 * (1.0 / 360 - ik2 * (1.0 / 1260)));
}

/* Hörmann, "The transformed rejection method for generating Poisson random
 * variables", Insurance: Mathematics and Economics 12 (1993) 39-45: PTRS,
 * exact for mean >= 10, about 1.1 uniform pairs per deviate. */
static double poisson_ptrs(evs_rng *r, double mean) {
  const double slam = sqrt(mean);
  const double loglam = log(mean);
  const double b = 0.931 + 2.53 * slam;
  const double a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
  const double vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    double u = evs_rng_uniform(r) - 0.5;
    double v = evs_rng_uniform(r);
    double us = 0.5 - fabs(u);
    double k = floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (log(v) + log(inv_alpha) - log(a / (us * us) + b) <=
        -mean + k * loglam - log_factorial(k))
      return k;
  }
}

uint32_t evs_rng_poisson(evs_rng *r, double mean) {
  if (!(mean > 0.0)) /* also NaN */
    return 0;
  if (mean < 10.0) {
    /* Multiplication method: the number of uniforms whose running product
     * stays above e^-mean. */
    const double limit = exp(-mean);
    uint32_t k = 0;
    double p = evs_rng_uniform(r);
    while (p > limit) {
      p *= evs_rng_uniform(r);
      k++;
    }
    return k;
  }
  if (mean > 4.0e9) /* beyond uint32_t anyway (includes inf) */
    return UINT32_MAX;
  double k = poisson_ptrs(r, mean);
  return k >= 4294967295.0 ? UINT32_MAX : (uint32_t)k;
}
