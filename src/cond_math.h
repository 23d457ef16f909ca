/* evsnn — private: numerical helpers shared by the clocked conductance
 * types (cond.c: IF_cond_exp, cond_sfa.c: IF_cond_exp_gsfa_grr), and the
 * state probe of cond_sfa.c for its tests. Header-only (static inline). */
#ifndef EVSNN_COND_MATH_H
#define EVSNN_COND_MATH_H

#include <math.h>
#include <stdint.h>

#include "engine.h"

/* Largest argument of the polynomial exp(-x); larger ones call exp(). */
#define COND_XMAX 0.5

/* exp(-x) for 0 <= x <= COND_XMAX: the degree-8 polynomial interpolating
 * exp(-x) at the Chebyshev nodes of [0, 0.5], in powers of y = x - 0.25
 * (coefficients computed with 50-digit arithmetic). Relative error
 * < 6e-14 on [0, 0.5] (a Taylor polynomial needs degree 12 for that);
 * branch-free so the step loop vectorises. */
static inline double exp_neg_poly(double x) {
  const double y = x - 0.25;
  double p = 1.9345065693677845355090417e-05;
  p = p * y + -1.5482593791572832786669622e-04;
  p = p * y + 1.0816663293058213345804175e-03;
  p = p * y + -6.4899923673713624805436950e-03;
  p = p * y + 3.2450032657143100534025137e-02;
  p = p * y + -1.2980013075786056564453474e-01;
  p = p * y + 3.8940039153546379679937672e-01;
  p = p * y + -7.7880078307024969141991733e-01;
  p = p * y + 7.7880078307140532256624965e-01;
  return p;
}

/* max(z, 0) without a comparison: GCC does not if-convert floating-point
 * comparisons under the default -ftrapping-math, so a ?: would keep the step
 * loop scalar. Exact (z + |z| is 2z or 0). */
static inline double relu(double z) { return 0.5 * (z + fabs(z)); }

/* The vectorised passes are compiled twice, for AVX2 and for the baseline,
 * and chosen at load time. No FMA: every element sees the same IEEE
 * operations either way, so results are bit-identical across machines. */
#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define COND_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef COND_CLONES
#define COND_CLONES
#endif

/* IF_cond_exp_gsfa_grr (cond_sfa.c): the adaptation and relative-refractory
 * conductances of neuron id (< pop->size) of an initialised population of
 * that type, at the state time (the last tick), in siemens. For tests and
 * diagnostics; O(1). */
void evs__cond_sfa_probe(const evs_pop *pop, uint32_t id, double *g_sfa,
                         double *g_rr);

#endif
