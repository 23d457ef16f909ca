/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — values that are constants or random distributions.
 *
 * Written in a model file as "1.62 mV", "uniform(-60 mV, -50 mV)",
 * "normal(87.8 pA, 8.78 pA)", "normal_clipped(1.5 ms, 0.75 ms, 0.1 ms, inf)"
 * or "lognormal(1 nS, 0.5 nS)". */
#ifndef EVSNN_DIST_H
#define EVSNN_DIST_H

#include <stddef.h>
#include "export.h"
#include "rng.h"
#include "units.h"

typedef enum evs_dist_kind {
  EVS_DIST_CONST = 0,      /* p[0] = value */
  EVS_DIST_UNIFORM,        /* p[0] = low, p[1] = high */
  EVS_DIST_NORMAL,         /* p[0] = mean, p[1] = sd */
  EVS_DIST_NORMAL_CLIPPED, /* p[0] = mean, p[1] = sd, p[2] = low, p[3] = high;
                              out-of-range draws are redrawn (as NEST) */
  EVS_DIST_LOGNORMAL       /* p[0] = mean, p[1] = sd of the value itself
                              (not of its logarithm); values > 0 */
} evs_dist_kind;

typedef struct evs_dist {
  evs_dist_kind kind;
  double p[4]; /* parameters in SI units, see evs_dist_kind */
} evs_dist;

/* A constant. */
EVS_API evs_dist evs_dist_const(double value);

/* Parses a constant or distribution expression whose values have dimension
 * dim. Returns EVS_OK, or EVS_EMODEL with a short reason in why (unknown
 * distribution, wrong number of arguments, bad unit, sd < 0, low > high,
 * a clipped range with no probability mass...). */
EVS_API int evs_dist_parse(const char *text, evs_dim dim, evs_dist *out,
                           char *why, size_t whylen);

/* Draws one value. Constants draw nothing from r (r may be NULL for them). */
EVS_API double evs_dist_draw(const evs_dist *d, evs_rng *r);

/* The distribution's mean (for a clipped normal: of the untruncated normal). */
EVS_API double evs_dist_mean(const evs_dist *d);

/* Multiplies every value the distribution can produce by factor > 0
 * (constants, means, sds, bounds). */
EVS_API evs_dist evs_dist_scale(evs_dist d, double factor);

/* Smallest value the distribution can produce (-inf when unbounded). */
EVS_API double evs_dist_min(const evs_dist *d);

#endif
