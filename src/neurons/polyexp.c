/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — first threshold crossing of a sum of (a + b h) exp(-r h) terms
 * (see polyexp.h).
 *
 * The walk goes forward from a point h where g < 0 by steps that provably
 * stay before the first root. Over a window [h, h + W] every term of g'' is
 * at most its exact maximum there (a term (p + q s) e^{-r s} is monotone
 * on each side of its one stationary point s = 1/r - p/q, so its maximum
 * over an interval is at an end or at that point), and C, their sum, bounds
 * the curvature. Hence g(h + s) <= g + g' s + C s^2/2 for s <= W, and the
 * first root lies no earlier than the smallest positive zero of that bound:
 * quadratic convergence to simple roots, linear to grazing ones. When the
 * zero lies beyond W, the walk moves to h + W and doubles W. The walk ends
 * without a root when d plus every term's maximum over [h, inf) is below 0:
 * g can never reach 0. */
#include "neurons/polyexp.h"

#include <math.h>

double evs__polyexp_eval(const evs_polyexp *g, double h) {
  double v = g->d;
  for (int k = 0; k < g->n; k++)
    v += (g->a[k] + g->b[k] * h) * exp(-g->r[k] * h);
  return v;
}

/* The largest value of (p + q s) exp(-r s) over s in [lo, hi] (hi may be
 * +inf, where the term tends to 0). */
static double term_max(double p, double q, double r, double lo, double hi) {
  double m = (p + q * lo) * exp(-r * lo);
  double end = isinf(hi) ? 0 : (p + q * hi) * exp(-r * hi);
  if (end > m) m = end;
  if (q != 0) {
    double s = 1 / r - p / q; /* where the derivative (q - r p - r q s) is 0 */
    if (s > lo && s < hi) {
      double v = (p + q * s) * exp(-r * s);
      if (v > m) m = v;
    }
  }
  return m;
}

/* d plus the largest value every term can take from h on: g never reaches
 * 0 after h when it is below 0. */
static double bound_after(const evs_polyexp *g, double h) {
  double m = g->d;
  for (int k = 0; k < g->n; k++)
    m += term_max(g->a[k], g->b[k], g->r[k], h, INFINITY);
  return m;
}

int evs__polyexp_first_root(const evs_polyexp *g, double horizon, double tol,
                            double *h) {
  double x = 0;
  double w = INFINITY; /* the window W: the smallest time constant first */
  for (int k = 0; k < g->n; k++)
    if (1 / g->r[k] < w) w = 1 / g->r[k];
  for (int it = 0; it < 100000; it++) {
    double val = g->d, slope = 0, c = 0;
    for (int k = 0; k < g->n; k++) {
      double a = g->a[k], b = g->b[k], r = g->r[k];
      double e = exp(-r * x);
      val += (a + b * x) * e;
      /* the term's derivatives have the same form: (p1 + q1 s) e^{-r s} */
      double p1 = b - r * a, q1 = -r * b;
      slope += (p1 + q1 * x) * e;
      double p2 = q1 - r * p1, q2 = -r * q1;
      c += term_max(p2, q2, r, x, x + w);
    }
    if (val >= 0) {
      *h = x;
      return 1;
    }
    if (g->d < 0 && bound_after(g, x) < 0) {
      *h = INFINITY;
      return 0;
    }
    if (c < 0) c = 0;
    double denom = slope + sqrt(slope * slope - 2 * c * val);
    double step = denom > 0 ? -2 * val / denom : INFINITY;
    if (step >= w) {
      x += w; /* no root in [x, x + w] */
      w *= 2;
      if (x >= horizon) {
        *h = x;
        return 0;
      }
      continue;
    }
    if (x + step >= horizon) {
      *h = x + step;
      return 0;
    }
    x += step;
    if (step <= tol) {
      *h = x;
      return 1;
    }
  }
  *h = x; /* only for pathological inputs: the walk is still below the root */
  return 1;
}
