/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Helpers shared by the suites that drive a learning rule directly through
 * its handlers (tests/check_stdp.c, check_triplet.c, check_stdp_brute.c,
 * check_stp.c, check_orchestrated.c): the rig (a
 * hand-made projection with its transposed index and one rule instance), a
 * small deterministic random stream, and Poisson spike trains as sorted
 * events for brute-force references. Header-only (static functions and one
 * static variable): a suite includes it after check_util.h and lists it in
 * its *_SOURCES in Makefile.am. */
#ifndef EVSNN_RULE_TEST_UTIL_H
#define EVSNN_RULE_TEST_UTIL_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "rules/plastic.h"

/* ---- the rig --------------------------------------------------------------
 * The handlers' contract without the scheduler: the test calls init, then
 * on_pre/on_post in the time order it prescribes. */

typedef struct rig {
  evs_proj proj;  /* weight_scale 1: parameters are in weight units as is */
  evs_rule pl;    /* the rule instance; proj.rule points here */
  double par[32]; /* pl.par */
} rig;

/* A projection called name, n_pre -> n_post (all to all when p >= 1, else
 * each pair with probability p, drawn from connection seed and stream), with
 * one delay (1 ms), every weight w0 and the transposed index built; rule type
 * with its parameters at their defaults (NaN for required ones), not yet
 * initialised. Aborts the test on failure. The caller frees it (rig_free). */
static inline rig *rig_new_as(const evs_rule_type *type, uint32_t n_pre,
                              uint32_t n_post, double p, double w0,
                              const char *name, uint64_t seed,
                              uint32_t stream) {
  rig *r = calloc(1, sizeof *r);
  REQUIRE(r);
  REQUIRE(strlen(name) < sizeof r->proj.name);
  strcpy(r->proj.name, name);
  evs_conn_spec s;
  memset(&s, 0, sizeof s);
  s.kind = p >= 1 ? EVS_CONN_ALL_TO_ALL : EVS_CONN_FIXED_PROBABILITY;
  s.p = p;
  s.weight = evs_dist_const(w0);
  s.delay = evs_dist_const(1e-3);
  s.delay_step = 1e-4;
  s.seed = seed;
  s.stream = stream;
  s.autapses = 1;
  evs_error err;
  evs_error_clear(&err);
  int rc = evs_csr_build(&r->proj.csr, n_pre, n_post, &s, &err);
  REQUIRE_MSG(rc == EVS_OK, "csr build: %s", err.msg);
  REQ_INT(evs_csr_build_transpose(r->proj.csr), ==, EVS_OK);
  for (uint64_t k = 0; k < r->proj.csr->nnz; k++)
    r->proj.csr->weight[k] = (float)w0;
  r->proj.weight_scale = 1;
  r->pl.type = type;
  r->pl.proj = &r->proj;
  r->pl.par = r->par;
  REQUIRE(type->n_params <= 32);
  for (size_t i = 0; i < type->n_params; i++)
    r->par[i] = (type->params[i].flags & EVS_PARAM_REQUIRED)
                    ? NAN
                    : type->params[i].def;
  r->proj.rule = &r->pl;
  return r;
}

/* Sets the rule parameter name to v; aborts the test if the rule has none. */
static inline void rig_set(rig *r, const char *name, double v) {
  const evs_rule_type *t = r->pl.type;
  for (size_t i = 0; i < t->n_params; i++)
    if (!strcmp(t->params[i].name, name)) {
      r->par[i] = v;
      return;
    }
  ck_abort_msg("rule %s has no parameter %s", t->name, name);
}

/* The value of rule parameter name; aborts the test if the rule has none. */
static inline double rig_get(const rig *r, const char *name) {
  const evs_rule_type *t = r->pl.type;
  for (size_t i = 0; i < t->n_params; i++)
    if (!strcmp(t->params[i].name, name)) return r->par[i];
  ck_abort_msg("rule %s has no parameter %s", t->name, name);
  return 0;
}

/* Runs the rule's init; aborts the test with its message unless EVS_OK. */
static inline void rig_init(rig *r) {
  evs_error err;
  evs_error_clear(&err);
  int rc = r->pl.type->init(&r->pl, &err);
  REQUIRE_MSG(rc == EVS_OK, "init: %s", err.msg);
}

/* Runs the rule's init and returns its status (the message is dropped). */
static inline int rig_init_rc(rig *r) {
  evs_error err;
  evs_error_clear(&err);
  return r->pl.type->init(&r->pl, &err);
}

/* Destroys the rule (also valid after a failed or no init), the synapses
 * and r. NULL is a no-op. */
static inline void rig_free(rig *r) {
  if (!r) return;
  r->pl.type->destroy(&r->pl);
  evs_csr_free(r->proj.csr);
  free(r);
}

/* Pre neuron j's spike reaches all its synapses at t (one delay). */
static inline void pre(rig *r, uint32_t j, double t) {
  const evs_csr *c = r->proj.csr;
  r->pl.type->on_pre(&r->pl, t, j, c->row_ptr[j], c->row_ptr[j + 1]);
}

/* Post neuron i spikes at t. */
static inline void post(rig *r, uint32_t i, double t) {
  r->pl.type->on_post(&r->pl, t, i);
}

/* The weight of synapse k (CSR position), as stored. */
static inline double w_of(const rig *r, uint64_t k) {
  return r->proj.csr->weight[k];
}

/* ---- random numbers -------------------------------------------------------
 * xorshift64 on xs_state (the test seeds it, nonzero): uniform01() is
 * uniform in (0, 1), never 0, so -log(uniform01()) is finite. */

static uint64_t xs_state;

static inline double uniform01(void) {
  xs_state ^= xs_state << 13;
  xs_state ^= xs_state >> 7;
  xs_state ^= xs_state << 17;
  return ((xs_state >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

/* ---- events for brute-force references ----------------------------------- */

typedef struct event {
  int64_t step; /* time on the reference grid, in steps */
  int kind;     /* 0 post, 1 pre, 2 and up a suite's own (a clock) */
  uint32_t id;  /* the neuron (0 for a suite's own kinds) */
} event;

/* qsort order: by step, then kind (at equal steps posts run first, then
 * pres, then a suite's own kinds), then id. */
static inline int event_cmp(const void *pa, const void *pb) {
  const event *a = pa, *b = pb;
  if (a->step != b->step) return a->step < b->step ? -1 : 1;
  if (a->kind != b->kind) return a->kind - b->kind;
  return a->id < b->id ? -1 : a->id > b->id;
}

/* Appends e to the array *ev of *n events and capacity *cap (> 0), doubling
 * it when full; aborts the test when out of memory. */
static inline void events_push(event **ev, size_t *n, size_t *cap, event e) {
  if (*n == *cap) {
    *cap *= 2;
    *ev = realloc(*ev, *cap * sizeof **ev);
    REQUIRE(*ev);
  }
  (*ev)[(*n)++] = e;
}

/* Appends Poisson trains (rate Hz, over [0, dur) s, from uniform01) of
 * n_post post neurons, then n_pre pre neurons, each spike rounded to the
 * grid dt (s); two spikes of one neuron on the same step are merged. The
 * events are unsorted; array as in events_push. */
static inline void events_add_poisson(event **ev, size_t *n, size_t *cap,
                                      uint32_t n_pre, uint32_t n_post,
                                      double rate, double dur, double dt) {
  for (int kind = 0; kind <= 1; kind++)
    for (uint32_t id = 0; id < (kind ? n_pre : n_post); id++) {
      double t = 0;
      int64_t last = -1;
      for (;;) {
        t += -log(uniform01()) / rate;
        if (t >= dur) break;
        int64_t st = llround(t / dt);
        if (st == last) continue;
        last = st;
        events_push(ev, n, cap, (event){st, kind, id});
      }
    }
}

#endif
