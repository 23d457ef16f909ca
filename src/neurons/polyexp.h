/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: first threshold crossing of a sum of terms
 * (a + b h) exp(-r h).
 *
 * Between inputs, the distance of an IF_curr_alpha neuron's membrane
 * potential from threshold is g(h) = d + sum_k (a_k + b_k h) exp(-r_k h),
 * h >= 0 measured from the start of the interval (the leak is a term with
 * b = 0, each alpha synapse one with b != 0). Unlike the pure exponentials
 * of expsum.h the terms are not monotone, so the bounds on g's rise are
 * taken as each term's exact maximum over an interval: a term of this form
 * has at most one stationary point. The search never passes a first root. */
#ifndef EVSNN_POLYEXP_H
#define EVSNN_POLYEXP_H

#define EVS_POLYEXP_MAX 3 /* terms at most */

typedef struct evs_polyexp {
  int n;                     /* terms */
  double d;                  /* constant term */
  double a[EVS_POLYEXP_MAX]; /* value of term k at h = 0 */
  double b[EVS_POLYEXP_MAX]; /* its slope factor: (a + b h) exp(-r h) */
  double r[EVS_POLYEXP_MAX]; /* decay rates, 1/s, > 0 */
} evs_polyexp;

/* Value of g at h. */
double evs__polyexp_eval(const evs_polyexp *g, double h);

/* Searches [0, horizon) for the first root of g. Returns 1 with *h the
 * root (never later than the true first root by more than tol seconds; 0
 * at once when g(0) >= 0), or 0 with *h a lower bound of the first root
 * that is >= horizon (+inf when g can never reach 0). horizon may be +inf. */
int evs__polyexp_first_root(const evs_polyexp *g, double horizon, double tol,
                            double *h);

#endif
