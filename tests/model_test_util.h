/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the model-file suites (tests/check_model.c,
 * check_model_build.c): model text fragments, the line of a marker, the
 * check of an override's error, and the good model both load. Header-only
 * (macros, static inline functions and a constant): a suite includes it
 * after check_util.h and lists it in its *_SOURCES in Makefile.am. */
#ifndef EVSNN_MODEL_TEST_UTIL_H
#define EVSNN_MODEL_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <string.h>

#include "evsnn/model.h"
#include "check_util.h"

#define SIM "[simulation]\nduration = 100 ms\n"
#define POP_E "[population E]\ntype = IF_curr_exp\nsize = 10\n"

/* 1-based number of the first line of text containing needle (0: none). */
static inline int line_of(const char *text, const char *needle) {
  const char *p = strstr(text, needle);
  int line = 1;
  if (!p) return 0;
  for (const char *q = text; q < p; q++)
    if (*q == '\n') line++;
  return line;
}

/* Errors in overrides name the --set text, not the file. */
static inline void expect_set_error(const char *text, const char *set,
                                    const char *what) {
  evs_model *m = (evs_model *)1;
  evs_error err;
  char prefix[256];
  evs_model_opts mo = {.overrides = &set, .n_overrides = 1};
  int rc = evs_model_load_string(text, "t.ini", &mo, &m, &err);
  ck_assert_int_eq(rc, EVS_EMODEL);
  ck_assert_ptr_null(m);
  snprintf(prefix, sizeof prefix, "--set %s: ", set);
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)),
                "want prefix '%s', got '%s'", prefix, err.msg);
  ck_assert_msg(strstr(err.msg, what) != NULL, "want '%s' in '%s'", what,
                err.msg);
}

/* A good model: three populations, five projections (fixed probability,
 * all to all, fixed in-degree, fixed total, one to one) and an input. */
static const char *const good = "; a small network\n"
                                "[simulation]\n"
                                "duration = 250 ms\n"
                                "seed = 7\n"
                                "resolution = 0.1 ms\n"
                                "\n"
                                "[population E]\n"
                                "type = IF_curr_exp\n"
                                "size = 400\n"
                                "tau_m = 20 ms\n"
                                "v_init = uniform(-60 mV, -50 mV)\n"
                                "record_v = 0-2, 7\n"
                                "\n"
                                "[population I]\n"
                                "type = IF_curr_exp\n"
                                "size = 100\n"
                                "\n"
                                "[population P]\n"
                                "type = SpikeSourcePoisson\n"
                                "size = 50\n"
                                "rate = 5 Hz\n"
                                "\n"
                                "[projection EE]\n"
                                "pre = E\n"
                                "post = E\n"
                                "connect = fixed_probability\n"
                                "p = 0.1\n"
                                "weight = 0.1 mV\n"
                                "delay = 1 ms\n"
                                "\n"
                                "[projection EI]\n"
                                "pre = E\n"
                                "post = I\n"
                                "connect = all_to_all\n"
                                "weight = 10 pA\n"
                                "\n"
                                "[projection IE]\n"
                                "pre = I\n"
                                "post = E\n"
                                "receptor = inhibitory\n"
                                "connect = fixed_indegree\n"
                                "n = 20\n"
                                "weight = normal(-1 mV, 0.1 mV)\n"
                                "delay = uniform(0.5 ms, 1.5 ms)\n"
                                "\n"
                                "[projection PE]\n"
                                "pre = P\n"
                                "post = E\n"
                                "connect = fixed_total\n"
                                "n = 1234\n"
                                "weight = 0.5 mV\n"
                                "\n"
                                "[projection II]\n"
                                "pre = I\n"
                                "post = I\n"
                                "connect = one_to_one\n"
                                "weight = -0.5 mV\n"
                                "\n"
                                "[input bias]\n"
                                "type = dc\n"
                                "post = I\n"
                                "amplitude = 0.5 mV\n";

#endif
