/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: first threshold crossing of a sum of exponentials.
 *
 * Between inputs, the distance of an exact neuron's membrane potential from
 * threshold is g(h) = d + sum_k a[k] exp(-r[k] h), h >= 0 measured from the
 * start of the interval. This module finds the first h at which g reaches 0,
 * or proves that there is none before a horizon and returns a lower bound on
 * where one could be. It never misses a first crossing: every step it takes
 * is bounded by rigorous first- and second-order bounds on how fast g can
 * rise, so it approaches the root from below and never passes it. */
#ifndef EVSNN_EXPSUM_H
#define EVSNN_EXPSUM_H

#include <math.h>

#define EVS_EXPSUM_MAX 4 /* terms at most */

typedef struct evs_expsum {
  int n;                          /* number of exponential terms */
  double d;                       /* constant term */
  double a[EVS_EXPSUM_MAX];       /* amplitudes at h = 0 */
  double r[EVS_EXPSUM_MAX];       /* decay rates, 1/s, > 0 */
  const struct evs_rates *powers; /* optional: when every rate is an integer
                                     multiple of one base rate, one exp() per
                                     evaluation (NULL: one per term) */
} evs_expsum;

/* A set of decay rates, and whether they are small integer multiples of
 * their smallest one (then exp(-r_k h) = x^m_k with x = exp(-r_min h)). */
typedef struct evs_rates {
  int n;                    /* rates */
  double r[EVS_EXPSUM_MAX]; /* 1/s */
  double base;              /* the smallest rate */
  int mult[EVS_EXPSUM_MAX]; /* r[k] = mult[k] * base, or 0 when not integer */
  int integer;              /* every mult[k] is set */
  int top;                  /* highest set bit of any mult[k] */
  int bit[EVS_EXPSUM_MAX];  /* the bit of mult[k] when it is a power of two,
                               else -1 */
  int pow2;                 /* every mult[k] is a power of two up to 8 */
} evs_rates;

/* Fills rates from r[0..n) and finds integer multiples up to 64. */
void evs__rates_init(evs_rates *rates, const double *r, int n);

/* e[k] = exp(-r_k h) for every rate, with one exp() call when the rates are
 * integer multiples (relative error below (r_k h + 2 m_k + 8) 2^-53: 1e-14
 * for r_k h <= 40 and multiples up to 4). */
void evs__rates_decay(const evs_rates *rates, double h, double *e);

/* evs__rates_decay with its common case inlined (every multiple 1, 2, 4 or
 * 8): the same values, bit for bit. */
static inline void evs__rates_decay_fast(const evs_rates *rates, double h,
                                         double *e) {
  if (!rates->pow2) {
    evs__rates_decay(rates, h, e);
    return;
  }
  double p[4];
  p[0] = exp(-rates->base * h);
  p[1] = p[0] * p[0];
  p[2] = p[1] * p[1];
  p[3] = p[2] * p[2];
  for (int k = 0; k < rates->n; k++) e[k] = p[rates->bit[k]];
}

/* Value of g at h. */
double evs__expsum_eval(const evs_expsum *g, double h);

/* Upper bound on the slope of g over [h, +inf): the sum of the positive
 * parts of the terms of g'(h). g cannot rise faster than this after h. */
double evs__expsum_slope_bound(const evs_expsum *g, double h);

/* Searches [0, horizon) for the first root of g, assuming g(0) < 0 or
 * returning 0 at once when g(0) >= 0. Returns 1 with *h set to the root
 * (to within tol seconds, never later than the true root by more than tol),
 * or 0 with *h set to a lower bound of the first root that is >= horizon
 * (+inf when g can never reach 0). horizon may be +inf. Cost: a few
 * evaluations (each n exp() calls) for ordinary crossings, more for grazing
 * ones. */
int evs__expsum_first_root(const evs_expsum *g, double horizon, double tol,
                           double *h);

#endif
