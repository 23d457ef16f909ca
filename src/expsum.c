/* evsnn — first threshold crossing of a sum of exponentials (see expsum.h).
 *
 * The search walks h forward from a point where g < 0 by steps that provably
 * cannot pass the first root. Each term of g, g' and g'' is monotone in h, so
 * over [h, inf) the slope is at most M (the sum of the rising terms of g') and
 * the curvature at most C (the sum of the positive terms of g''). Hence
 *   g(h + s) <= g + M s   and   g(h + s) <= g + g' s + C s^2 / 2,
 * and the first root lies no earlier than the smallest positive zero of either
 * bound. The second bound makes the walk converge quadratically to simple
 * roots and still (linearly) to grazing ones; the walk never overshoots. */
#include "expsum.h"

#include <math.h>

double evs__expsum_eval(const evs_expsum *g, double h) {
  double v = g->d;
  for (int k = 0; k < g->n; k++) v += g->a[k] * exp(-g->r[k] * h);
  return v;
}

double evs__expsum_slope_bound(const evs_expsum *g, double h) {
  double m = 0;
  for (int k = 0; k < g->n; k++) {
    double s = -g->r[k] * g->a[k] * exp(-g->r[k] * h);
    if (s > 0) m += s;
  }
  return m;
}

void evs__rates_init(evs_rates *rates, const double *r, int n) {
  rates->n = n;
  rates->base = r[0];
  for (int k = 0; k < n; k++) {
    rates->r[k] = r[k];
    if (r[k] < rates->base) rates->base = r[k];
  }
  rates->integer = 1;
  for (int k = 0; k < n; k++) {
    double m = r[k] / rates->base, rounded = floor(m + 0.5);
    rates->mult[k] = fabs(m - rounded) < 1e-12 * m && rounded <= 64 ? (int)rounded : 0;
    if (!rates->mult[k]) rates->integer = 0;
  }
}

void evs__rates_decay(const evs_rates *rates, double h, double *e) {
  if (!rates->integer) {
    for (int k = 0; k < rates->n; k++) e[k] = exp(-rates->r[k] * h);
    return;
  }
  double x = exp(-rates->base * h);
  for (int k = 0; k < rates->n; k++) {
    /* x^m by squaring */
    double y = 1, p = x;
    for (int m = rates->mult[k]; m; m >>= 1, p *= p)
      if (m & 1) y *= p;
    e[k] = y;
  }
}

/* exp(-r_k h) for the terms of g. */
static inline void term_decay(const evs_expsum *g, double h, double *e) {
  if (g->powers) {
    evs__rates_decay(g->powers, h, e);
    return;
  }
  for (int k = 0; k < g->n; k++) e[k] = exp(-g->r[k] * h);
}

/* The largest step from h that provably stays before the first root
 * (+inf when g can never reach 0 again); *v receives g(h). */
static double safe_step(const evs_expsum *g, double h, double *v) {
  double val = g->d, slope = 0, m = 0, c = 0, e[EVS_EXPSUM_MAX];
  term_decay(g, h, e);
  for (int k = 0; k < g->n; k++) {
    double term = g->a[k] * e[k];
    double d1 = -g->r[k] * term, d2 = g->r[k] * g->r[k] * term;
    val += term;
    slope += d1;
    if (d1 > 0) m += d1;
    if (d2 > 0) c += d2;
  }
  *v = val;
  if (val >= 0) return 0;
  if (m <= 0) return INFINITY; /* g can only fall from here */
  double first = -val / m;
  /* zero of val + slope s + c s^2/2, written to avoid cancellation */
  double disc = slope * slope - 2 * c * val;
  double denom = slope + sqrt(disc);
  double second = denom > 0 ? -2 * val / denom : INFINITY;
  return first > second ? first : second;
}

int evs__expsum_first_root(const evs_expsum *g, double horizon, double tol,
                           double *h) {
  double x = 0;
  for (int it = 0; it < 10000; it++) {
    double v, step = safe_step(g, x, &v);
    if (v >= 0) { *h = x; return 1; }
    if (x + step >= horizon) { *h = x + step; return 0; }
    x += step;
    if (step <= tol) { *h = x; return 1; }
  }
  *h = x; /* only for pathological inputs: the walk is still below the root */
  return 1;
}
