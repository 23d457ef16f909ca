/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the end-to-end suites of the scheduler
 * (tests/check_net.c, tests/check_rate_checker.c): a temporary output
 * folder per test, setting a constant parameter, and a connection spec
 * with constant weight and delay. (Rasters: tu_read_raster, check_util.h.) */
#ifndef EVSNN_NET_TEST_UTIL_H
#define EVSNN_NET_TEST_UTIL_H

#include <check.h>
#include <stdio.h>

#include "evsnn/evsnn.h"
#include "check_util.h"

static char tmpdir[256];

static inline void make_tmpdir(void) {
  tu_mkdtemp(tmpdir, sizeof tmpdir, "evsnn-net");
}

static inline void remove_tmpdir(void) {
  ck_assert_int_eq(tu_rm_rf(tmpdir), 0);
}

static inline void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

static inline evs_conn_spec conn(evs_conn_kind kind, double p, double w,
                                 double d) {
  evs_conn_spec s = {.kind = kind,
                     .p = p,
                     .weight = evs_dist_const(w),
                     .delay = evs_dist_const(d)};
  return s;
}

#endif
