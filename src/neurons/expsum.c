/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
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
#include "neurons/expsum.h"

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
    rates->mult[k] =
        fabs(m - rounded) < 1e-12 * m && rounded <= 64 ? (int)rounded : 0;
    if (!rates->mult[k]) rates->integer = 0;
  }
  rates->top = 0;
  for (int k = 0; k < n; k++) {
    int m = rates->mult[k];
    rates->bit[k] = -1;
    for (int i = 0; i < 7; i++) {
      if (m >> i & 1 && i > rates->top) rates->top = i;
      if (m == 1 << i) rates->bit[k] = i;
    }
  }
  rates->pow2 = rates->integer && rates->top <= 3;
  for (int k = 0; k < n; k++)
    if (rates->bit[k] < 0) rates->pow2 = 0;
}

void evs__rates_decay(const evs_rates *rates, double h, double *e) {
  if (!rates->integer) {
    for (int k = 0; k < rates->n; k++) e[k] = exp(-rates->r[k] * h);
    return;
  }
  /* x^m by squaring: p[i] = x^(2^i), shared by every rate, and x^m the
   * product of the p[i] of m's set bits, lowest first (one of them alone is
   * x^m exactly, as 1 * p[i] = p[i]). */
  double p[7];
  p[0] = exp(-rates->base * h);
  if (rates->pow2) { /* the common case without loops: multiples 1, 2, 4, 8 */
    p[1] = p[0] * p[0];
    p[2] = p[1] * p[1];
    p[3] = p[2] * p[2];
    for (int k = 0; k < rates->n; k++) e[k] = p[rates->bit[k]];
    return;
  }
  for (int i = 1; i <= rates->top; i++) p[i] = p[i - 1] * p[i - 1];
  for (int k = 0; k < rates->n; k++) {
    if (rates->bit[k] >= 0) {
      e[k] = p[rates->bit[k]];
      continue;
    }
    double y = 1;
    for (int i = 0, m = rates->mult[k]; m; m >>= 1, i++)
      if (m & 1) y *= p[i];
    e[k] = y;
  }
}

/* exp(-r_k h) for the terms of g. */
static inline void term_decay(const evs_expsum *g, double h, double *e) {
  if (h == 0) { /* exp(-0) = 1 exactly, and so is every power of it */
    for (int k = 0; k < g->n; k++) e[k] = 1;
    return;
  }
  if (g->powers) {
    evs__rates_decay_fast(g->powers, h, e);
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
    if (v >= 0) {
      *h = x;
      return 1;
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
