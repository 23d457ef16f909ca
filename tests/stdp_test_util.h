/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the STDP suites (tests/check_stdp.c, check_triplet.c,
 * check_stdp_brute.c): the suites' rig constructor, the float tolerance,
 * the parameter-check helper, a geometric sum and the triplet rule's
 * published constants. Header-only (static inline functions, a macro and
 * constants): a suite includes it after check_util.h and rule_test_util.h
 * and lists it in its *_SOURCES in Makefile.am. */
#ifndef EVSNN_STDP_TEST_UTIL_H
#define EVSNN_STDP_TEST_UTIL_H

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "check_util.h"
#include "rules/plastic.h"
#include "rule_test_util.h"

/* ---- the rig (rule_test_util.h) ------------------------------------------ */

/* The suites' rigs: projection "EE_test" (error messages must name it),
 * connection seed 2024, stream 7. */
static inline rig *rig_new(const evs_rule_type *type, uint32_t n_pre,
                           uint32_t n_post, double p, double w0) {
  return rig_new_as(type, n_pre, n_post, p, w0, "EE_test", 2024, 7);
}

/* |got - want| within n float roundings of magnitude scale. */
#define NEAR(got, want, scale, n)                                              \
  do {                                                                         \
    double g_ = (got), w_ = (want), tol_ = (n)*FLT_EPSILON * (scale);          \
    if (!(fabs(g_ - w_) <= tol_))                                              \
      ck_abort_msg("line %d: %s = %.12g, expected %.12g (tol %.3g)", __LINE__, \
                   #got, g_, w_, tol_);                                        \
  } while (0)

/* Parameter checks name the projection. */
static inline void expect_bad(rig *r, const char *what) {
  evs_error err;
  evs_error_clear(&err);
  int rc = r->pl.type->init(&r->pl, &err);
  REQUIRE_MSG(rc == EVS_EINVAL, "%s: init returned %d", what, rc);
  REQUIRE_MSG(strstr(err.msg, "EE_test") != NULL, "%s: message '%s'", what,
              err.msg);
  rig_free(r);
}

/* sum_{d=d0}^{k} r^d */
static inline double geo(double r, int d0, int k) {
  if (k < d0) return 0;
  return (pow(r, d0) - pow(r, k + 1)) / (1 - r);
}

/* ---- the triplet rule's constants ------------------------------------------
 * Pfister & Gerstner's visual-cortex rule: the default time constants
 * tau_plus, tau_minus, tau_y (s) and the amplitudes A3_plus, A2_minus. */

static const double TP = 16.8e-3, TM = 33.7e-3, TY = 114e-3, A3 = 6.5e-3,
                    A2 = 7.1e-3;

#endif
