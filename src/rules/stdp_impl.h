/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to the STDP rules (stdp.c: stdp_pair, stdp_triplet.c:
 * stdp_triplet and stdp_triplet_homeo): the checks, weight clipping and
 * parameter table entries they share. */
#ifndef EVSNN_RULES_STDP_IMPL_H
#define EVSNN_RULES_STDP_IMPL_H

#include "rules/plastic.h"

/* Checks on top of plastic.c's evs__rule_fail, evs__rule_check_set and
 * evs__rule_need_transpose, which the rules here use as they are. */

static inline int check_tau(const evs_rule *pl, evs_error *err,
                            const char *name, double tau) {
  if (!(tau > 0))
    return evs__rule_fail(pl, err, "%s must be positive (got %g s)", name, tau);
  return EVS_OK;
}

static inline int check_amp(const evs_rule *pl, evs_error *err,
                            const char *name, double a) {
  if (!(a >= 0))
    return evs__rule_fail(pl, err, "%s must not be negative", name);
  return EVS_OK;
}

static inline int check_bounds(const evs_rule *pl, evs_error *err, double w_min,
                               double w_max) {
  if (!(w_min < w_max))
    return evs__rule_fail(pl, err, "w_min must lie below w_max");
  return EVS_OK;
}

/* Fails with EVS_ENOMEM and "projection P: rule R: out of memory". */
static inline int no_memory(const evs_rule *pl, evs_error *err) {
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "projection %s: rule %s: out of memory", pl->proj->name,
                       pl->type->name);
}

/* w clipped to [lo, hi]. */
static inline double clip(double w, double lo, double hi) {
  return w < lo ? lo : (w > hi ? hi : w);
}

/* Parameter table entries the rules share, for enums whose names start with
 * P (as rate_rules.c's COMMON_PARAMS): the weight bounds, and the triplet
 * rules' trace time constants (Pfister & Gerstner 2006, visual cortex). */
#define BOUND_PARAMS(P)                                                        \
  [P##_W_MIN] = {"w_min", EVS_DIM_NONE, 0, EVS_PARAM_WEIGHT,                   \
                 "lower weight bound"},                                        \
  [P##_W_MAX] = {"w_max", EVS_DIM_NONE, 0,                                     \
                 EVS_PARAM_WEIGHT | EVS_PARAM_REQUIRED, "upper weight bound"}
#define TRIPLET_TAU_PARAMS(P)                                                  \
  [P##_TAU_PLUS] = {"tau_plus", EVS_DIM_TIME, 16.8e-3, 0,                      \
                    "decay time of the presynaptic trace x"},                  \
  [P##_TAU_MINUS] = {"tau_minus", EVS_DIM_TIME, 33.7e-3, 0,                    \
                     "decay time of the fast postsynaptic trace y1"},          \
  [P##_TAU_Y] = {"tau_y", EVS_DIM_TIME, 114e-3, 0,                             \
                 "decay time of the slow postsynaptic trace y2"}

#define LEARN_FROM_PARAM(P)                                                    \
  [P##_LEARN_FROM] = {"learn_from", EVS_DIM_TIME, 0, 0,                        \
                      "weights change from this time on; the traces count "    \
                      "every spike from t = 0"}

static inline int check_learn_from(const evs_rule *pl, evs_error *err,
                                   double t) {
  if (!(t >= 0))
    return evs__rule_fail(pl, err, "learn_from must not be negative (got %g s)",
                          t);
  return EVS_OK;
}

#endif
