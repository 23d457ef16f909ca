/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the suites of the conductance types (check_cond.c,
 * check_cond_sfa.c): a population of a given type built by hand (as net.c
 * does), its parameters, initialisation and teardown. Header-only (static
 * functions); include after core/net_impl.h and check_util.h, and list in the
 * suite's *_SOURCES in Makefile.am. */
#ifndef EVSNN_COND_TEST_UTIL_H
#define EVSNN_COND_TEST_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"

/* A population of n neurons of type T on clock step dt (s), every parameter
 * at its default, not yet initialised. */
static inline evs_pop *pop_new_of(const evs_neuron_type *T, uint32_t n,
                                  double dt, uint64_t seed, uint32_t index) {
  evs_pop *p = calloc(1, sizeof *p);
  ck_assert_ptr_nonnull(p);
  snprintf(p->name, sizeof p->name, "cells");
  p->type = T;
  p->size = n;
  p->index = index;
  p->seed = seed;
  p->tick = p->resolution = dt;
  p->par = malloc(T->n_params * sizeof *p->par);
  p->dist = malloc(T->n_params * sizeof *p->dist);
  p->path = calloc(T->n_params, sizeof *p->path);
  for (size_t k = 0; k < T->n_params; k++) {
    p->par[k] = T->params[k].def;
    p->dist[k] = evs_dist_const(T->params[k].def);
  }
  return p;
}

/* Sets parameter name of p to the constant v (SI units). */
static inline void pop_set(evs_pop *p, const char *name, double v) {
  int k = evs__param_index(p->type, name);
  ck_assert_msg(k >= 0, "no parameter %s", name);
  p->par[k] = v;
  p->dist[k] = evs_dist_const(v);
}

/* Initialises p; the test fails unless init returns EVS_OK. */
static inline void pop_init(evs_pop *p) {
  evs_error err;
  evs_error_clear(&err);
  int rc = p->type->init(p, &err);
  ck_assert_msg(rc == EVS_OK, "init: %s", err.msg);
}

/* Destroys p's state (which must leave p->state NULL) and frees p. */
static inline void pop_free(evs_pop *p) {
  p->type->destroy(p);
  ck_assert_ptr_null(p->state);
  free(p->par);
  free(p->dist);
  free(p->path);
  free(p->spk);
  free(p->dc);
  free(p);
}

/* Advances p by its k-th clock step (to k * tick); the test fails unless the
 * type returns EVS_OK. */
static inline void pop_tick(evs_pop *p, long k) {
  int rc = p->type->tick(p, k * p->tick);
  REQ_INT(rc, ==, EVS_OK);
}

/* Runs p through clock steps 1..nsteps and frees it: the first cap spike
 * times, times scale (1 for s, 1e3 for ms), into spk; returns how many
 * spikes there were in all. */
static inline size_t pop_run_free(evs_pop *p, long nsteps, double scale,
                                  double *spk, size_t cap) {
  size_t n = 0;
  for (long k = 1; k <= nsteps; k++) {
    p->nspk = 0;
    pop_tick(p, k);
    for (size_t j = 0; j < p->nspk; j++, n++)
      if (n < cap) spk[n] = p->spk[j].t * scale;
  }
  pop_free(p);
  return n;
}

/* The membrane potential (V) of neuron id at p's state time. */
static inline double V(evs_pop *p, uint32_t id) {
  return p->type->voltage(p, id, 0);
}

/* Sets parameter name of a 4-neuron population of type T (named
 * "exc_layer") to value: init must fail with a negative code, also stored
 * in the error, whose message names the population and contains word. */
static inline void expect_invalid_of(const evs_neuron_type *T, const char *name,
                                     double value, const char *word) {
  evs_pop *p = pop_new_of(T, 4, 1e-4, 1, 0);
  snprintf(p->name, sizeof p->name, "exc_layer");
  pop_set(p, name, value);
  evs_error err;
  evs_error_clear(&err);
  int rc = p->type->init(p, &err);
  ck_assert_int_lt(rc, 0);
  ck_assert_int_eq(err.code, rc);
  ck_assert_msg(strstr(err.msg, "exc_layer") != NULL, "msg: %s", err.msg);
  ck_assert_msg(strstr(err.msg, word) != NULL, "msg: %s", err.msg);
  pop_free(p); /* destroy after a failed init */
}

/* One random input of the NMDA suites' drives (check_cond_nmda.c,
 * check_cond_nmda_single.c) and check_cond_step.c's: from the LCG state *lcg
 * (advanced), a neuron *i of n, inhibitory or not (*inh), at the step's start
 * or halfway (*later), with a weight *w of 0-6.3 nS, or 3 uS one time in 500
 * (then *strong is incremented). */
static inline void nmda_random_input(uint64_t *lcg, uint32_t n, uint32_t *i,
                                     int *inh, int *later, float *w,
                                     size_t *strong) {
  *lcg = *lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  uint32_t x = (uint32_t)(*lcg >> 33);
  *i = x % n;
  *inh = (x >> 10) & 1;
  *later = (x >> 11) & 1;
  *w = (float)(((x >> 12) % 64) * 0.1e-9);
  if (((x >> 20) % 500) == 0) *w = 3e-6f, (*strong)++;
}

#endif
