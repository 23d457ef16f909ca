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

#define EVS_EXPSUM_MAX 4 /* terms at most */

typedef struct evs_expsum {
  int n;                    /* number of exponential terms */
  double d;                 /* constant term */
  double a[EVS_EXPSUM_MAX]; /* amplitudes at h = 0 */
  double r[EVS_EXPSUM_MAX]; /* decay rates, 1/s, > 0 */
} evs_expsum;

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
