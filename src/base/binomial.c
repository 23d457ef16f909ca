/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — exact binomial and hypergeometric deviates (see binomial.h).
 *
 * Both invert the distribution function by a chop-down search from the
 * mode: the outcomes are visited in a fixed order that depends on the
 * parameters only (the mode, then always the more probable of the two
 * neighbours of the visited range), each probability obtained from the
 * previous one by the ratio of consecutive terms, and the first outcome at
 * which the running sum reaches a uniform u is returned. Any fixed order of
 * the outcomes makes inversion exact; this one visits about 1.6 standard
 * deviations' worth of outcomes on average. The probability of the mode
 * comes from Loader (2000), "Fast and accurate computation of binomial
 * probabilities": stirlerr and bd0 keep the relative error near 1e-14 for
 * any n, where differences of lgamma values would lose digits. Should
 * rounding leave the sum below u when both tails are spent, u is drawn
 * again. */
#include "base/binomial.h"

#include <math.h>

#define LN_SQRT_2PI 0.918938533204672741780329736406

/* log(n!) - log(sqrt(2 pi n) (n/e)^n), n >= 1: lgamma for small n (absolute
 * error below 1e-14 there), Stirling's series beyond 15. */
static double stirlerr(double n) {
  if (n <= 15.0) return lgamma(n + 1.0) - (n + 0.5) * log(n) + n - LN_SQRT_2PI;
  const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260, S3 = 1.0 / 1680,
               S4 = 1.0 / 1188;
  double nn = n * n;
  return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/* x log(x / np) + np - x, accurate when x is close to np. */
static double bd0(double x, double np) {
  if (fabs(x - np) < 0.1 * (x + np)) {
    double v = (x - np) / (x + np);
    double s = (x - np) * v, ej = 2.0 * x * v;
    v *= v;
    for (int j = 1; j < 1000; j++) {
      ej *= v;
      double s1 = s + ej / (2 * j + 1);
      if (s1 == s) return s1;
      s = s1;
    }
  }
  return x * log(x / np) + np - x;
}

double evs__binomial_pmf(uint64_t xi, uint64_t ni, double p) {
  const double x = (double)xi, n = (double)ni, q = 1.0 - p;
  double lc;
  if (xi == 0) {
    lc = p < 0.1 ? -bd0(n, n * q) - n * p : n * log(q);
    return exp(lc);
  }
  if (xi == ni) {
    lc = q < 0.1 ? -bd0(n, n * p) - n * q : n * log(p);
    return exp(lc);
  }
  lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) -
       bd0(n - x, n * q);
  double lf = 2.0 * LN_SQRT_2PI + log(x) + log1p(-x / n);
  return exp(lc - 0.5 * lf);
}

/* The terms of a distribution on [lo, hi] for the search: f(k+1)/f(k) and
 * f(k-1)/f(k). */
typedef struct terms {
  uint64_t lo, hi, mode;
  double f_mode;
  double a, b, c, d; /* parameters of the ratios, see up() and down() */
  int hyper;         /* 0: binomial(n = a, p/q = b), 1: hypergeometric */
} terms;

static double up(const terms *t, double k) {
  if (!t->hyper) /* (n - k) / (k + 1) * p / q */
    return (t->a - k) / (k + 1.0) * t->b;
  /* (good - k)(draws - k) / ((k + 1)(total - good - draws + k + 1)) */
  return (t->b - k) * (t->a - k) / ((k + 1.0) * (t->c - t->b - t->a + k + 1.0));
}

static double down(const terms *t, double k) {
  if (!t->hyper) /* k / (n - k + 1) * q / p */
    return k / (t->a - k + 1.0) / t->b;
  /* k (total - good - draws + k) / ((good - k + 1)(draws - k + 1)) */
  return k * (t->c - t->b - t->a + k) / ((t->b - k + 1.0) * (t->a - k + 1.0));
}

static uint64_t search(evs_rng *r, const terms *t) {
  for (;;) {
    double u = evs_rng_uniform(r) - t->f_mode;
    if (u <= 0.0) return t->mode;
    uint64_t below = t->mode, above = t->mode; /* the visited range */
    double f_below = t->f_mode, f_above = t->f_mode;
    double next_below = below > t->lo ? f_below * down(t, (double)below) : 0.0;
    double next_above = above < t->hi ? f_above * up(t, (double)above) : 0.0;
    while (next_below > 0.0 || next_above > 0.0) {
      if (next_above >= next_below) {
        above++;
        f_above = next_above;
        if ((u -= f_above) <= 0.0) return above;
        next_above = above < t->hi ? f_above * up(t, (double)above) : 0.0;
      } else {
        below--;
        f_below = next_below;
        if ((u -= f_below) <= 0.0) return below;
        next_below = below > t->lo ? f_below * down(t, (double)below) : 0.0;
      }
    }
  }
}

uint64_t evs__rng_binomial(evs_rng *r, uint64_t n, double p) {
  if (n == 0 || !(p > 0.0)) return 0;
  if (p >= 1.0) return n;
  terms t = {0, n, 0, 0.0, (double)n, p / (1.0 - p), 0.0, 0.0, 0};
  double m = floor(((double)n + 1.0) * p);
  t.mode = m > (double)n ? n : (uint64_t)m;
  t.f_mode = evs__binomial_pmf(t.mode, n, p);
  return search(r, &t);
}

uint64_t evs__rng_hypergeometric(evs_rng *r, uint64_t draws, uint64_t good,
                                 uint64_t total) {
  const uint64_t bad = total - good;
  const uint64_t lo = draws > bad ? draws - bad : 0;
  const uint64_t hi = draws < good ? draws : good;
  if (lo == hi) return lo;
  terms t = {lo,  hi, 0, 0.0, (double)draws, (double)good, (double)total,
             0.0, 1};
  double m = floor(((double)draws + 1.0) * ((double)good + 1.0) /
                   ((double)total + 2.0));
  t.mode = m < (double)lo ? lo : m > (double)hi ? hi : (uint64_t)m;
  /* f(x) = b(x; good, p) b(draws - x; bad, p) / b(draws; total, p) for any
   * p; p = draws / total puts every term near its mode (R's dhyper). */
  double p = (double)draws / (double)total;
  t.f_mode = evs__binomial_pmf(t.mode, good, p) *
             evs__binomial_pmf(draws - t.mode, bad, p) /
             evs__binomial_pmf(draws, total, p);
  return search(r, &t);
}
