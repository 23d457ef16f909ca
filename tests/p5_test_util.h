/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the suites of the P5 mechanisms (tests/check_stp.c,
 * tests/check_orchestrated.c): an absolute tolerance and the one-to-one
 * synapses of their end-to-end runs. Header-only (a macro and a static
 * inline function): a suite includes it after check_util.h and lists it in
 * its *_SOURCES in Makefile.am. */
#ifndef EVSNN_P5_TEST_UTIL_H
#define EVSNN_P5_TEST_UTIL_H

#include <check.h>
#include <math.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "evsnn/dist.h"

/* |got - want| within tol. */
#define NEAR(got, want, tol)                                                   \
  do {                                                                         \
    double g_ = (got), w_ = (want), t_ = (tol);                                \
    if (!(fabs(g_ - w_) <= t_))                                                \
      ck_abort_msg("line %d: %s = %.12g, expected %.12g (tol %.3g)", __LINE__, \
                   #got, g_, w_, t_);                                          \
  } while (0)

/* One-to-one synapses of weight w (SI), delay 1 ms, for evs_net_connect. */
static inline evs_conn_spec one_to_one(double w) {
  evs_conn_spec s;
  memset(&s, 0, sizeof s);
  s.kind = EVS_CONN_ONE_TO_ONE;
  s.weight = evs_dist_const(w);
  s.delay = evs_dist_const(1e-3);
  return s;
}

#endif
