/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the triplet rules' skip of potentiations that change no weight
 * (src/rules/stdp_triplet.c, triplet_bound): a post spike's increment
 * below a quarter of the float spacing above the least weight leaves its
 * weight as it is, and the column walk does not read it.
 *
 * The reference is the same rule that never skips: a rig with one more
 * presynaptic neuron, silent, whose synapses weigh -1 whenever the rule
 * derives its bound (a weight below w_min turns the skip off for good, and
 * so would a bound at or below 0 on its own). Its first rows are the rig's
 * (all to all), so every weight must come out with the same bits. The runs are
 * Poisson trains with the presynaptic rate low enough (3 Hz, B7's) that many
 * increments meet traces decayed by e^-17 and more, and depression strong
 * enough to take the weights down two binades (the bound must follow it). */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "rules/plastic.h"
#include "rule_test_util.h"
#include "stdp_test_util.h"

enum { N_PRE = 30, N_POST = 30, CLOCK = 2 };
static const double DT = 1e-4; /* s: the event grid */

/* The rig of type (parameters set by set, w_min) and its reference: one more
 * presynaptic neuron whose synapses weigh -1 (poison). */
typedef struct pair {
  rig *a, *ref;
} pair;

static void poison(rig *ref) {
  const evs_csr *c = ref->proj.csr;
  for (uint64_t k = c->row_ptr[N_PRE]; k < c->nnz; k++) c->weight[k] = -1;
}

/* The weights of both rigs set from outside to w(k) (the reference's
 * extra row poisoned again), and the rules told. */
static void set_weights(pair p, float (*w)(uint64_t)) {
  rig *r[2] = {p.a, p.ref};
  for (int x = 0; x < 2; x++) {
    for (uint64_t k = 0; k < (uint64_t)N_PRE * N_POST; k++)
      r[x]->proj.csr->weight[k] = w(k);
    if (x) poison(r[x]);
    r[x]->pl.type->weights_set(&r[x]->pl);
  }
}

static pair pair_new(const evs_rule_type *type, void (*set)(rig *),
                     double w_min) {
  pair p = {rig_new(type, N_PRE, N_POST, 1, 1.0),
            rig_new(type, N_PRE + 1, N_POST, 1, 1.0)};
  set(p.a);
  set(p.ref);
  rig_set(p.a, "w_min", w_min);
  rig_set(p.ref, "w_min", w_min);
  poison(p.ref);
  rig_init(p.a);
  rig_init(p.ref);
  return p;
}

static void pair_free(pair p) {
  rig_free(p.a);
  rig_free(p.ref);
}

/* The weights of a (all) against ref's first rows, bit for bit; aborts
 * naming the first that differs. */
static void same_weights(pair p, const char *when) {
  const evs_csr *a = p.a->proj.csr, *r = p.ref->proj.csr;
  for (uint64_t k = 0; k < a->nnz; k++)
    if (memcmp(&a->weight[k], &r->weight[k], sizeof(float)))
      ck_abort_msg("%s: synapse %llu: %.9g, never skipping %.9g", when,
                   (unsigned long long)k, a->weight[k], r->weight[k]);
}

/* Poisson trains over [0, dur): pre neurons at 3 Hz, post neurons at
 * post_rate, and a clock event (the rule's on_tick) every 0.1 s, sorted
 * in the handlers' order; *n events. */
static event *trains(double post_rate, double dur, size_t *n) {
  size_t cap = 1024;
  event *ev = malloc(cap * sizeof *ev);
  REQUIRE(ev);
  *n = 0;
  xs_state = 0x9e3779b97f4a7c15u;
  events_add_poisson(&ev, n, &cap, 0, N_POST, post_rate, dur, DT);
  events_add_poisson(&ev, n, &cap, N_PRE, 0, 3, dur, DT);
  for (int64_t st = 1000; st * DT < dur; st += 1000)
    events_push(&ev, n, &cap, (event){st, CLOCK, 0});
  qsort(ev, *n, sizeof *ev, event_cmp);
  return ev;
}

/* Events [from, to) of ev on both rigs, with the weights compared after
 * each when each is set. */
static void drive(pair p, const event *ev, size_t from, size_t to, int each) {
  for (size_t e = from; e < to; e++) {
    const double t = (double)ev[e].step * DT;
    rig *r[2] = {p.a, p.ref};
    for (int x = 0; x < 2; x++) {
      if (ev[e].kind == 0)
        post(r[x], ev[e].id, t);
      else if (ev[e].kind == 1)
        pre(r[x], ev[e].id, t);
      else
        r[x]->pl.type->on_tick(&r[x]->pl, t);
    }
    if (each) same_weights(p, "after an event");
  }
}

static void set_triplet(rig *r) {
  rig_set(r, "A3_plus", 0.05);
  rig_set(r, "A2_minus", 0.05);
  rig_set(r, "w_max", 4);
}

static void set_homeo(rig *r) {
  rig_set(r, "A3_plus", 0.05);
  rig_set(r, "w_max", 4);
  rig_set(r, "tau_hom", 1);
  rig_set(r, "kappa", 4);
}

/* 20 s of trains: the weights leave 1.0 downwards (the depression
 * outweighs the potentiation), the bound with them. */
static void skip_case(const evs_rule_type *type, void (*set)(rig *),
                      double post_rate) {
  pair p = pair_new(type, set, 0.01);
  size_t n;
  event *ev = trains(post_rate, 20, &n);
  drive(p, ev, 0, n / 2, 0);
  same_weights(p, "halfway");
  drive(p, ev, n / 2, n, 0);
  same_weights(p, "at the end");
  /* the case covers what it must: weights below 0.25 (two binades under
   * the start, some at w_min), others still near it */
  const evs_csr *c = p.a->proj.csr;
  float lo = INFINITY, hi = 0;
  for (uint64_t k = 0; k < c->nnz; k++) {
    lo = fminf(lo, c->weight[k]);
    hi = fmaxf(hi, c->weight[k]);
  }
  REQUIRE_MSG(lo < 0.25f && hi > 0.5f,
              "weights in [%g, %g]: not the case meant", lo, hi);
  free(ev);
  pair_free(p);
}

START_TEST(skip_triplet) { skip_case(&evs__rule_stdp_triplet, set_triplet, 8); }
END_TEST

START_TEST(skip_homeo) {
  skip_case(&evs__rule_stdp_triplet_homeo, set_homeo, 8);
}
END_TEST

static float small(uint64_t k) { return 0.001f * (float)(1 + k % 7); }

/* Weights set from outside after 0.5 s, far below the bound derived so
 * far (the least weight still above 0.5; w_min 1e-4 here): weights_set
 * derives it anew, or increments that move the new weights would be
 * skipped. */
static void weights_set_case(const evs_rule_type *type, void (*set)(rig *)) {
  pair p = pair_new(type, set, 1e-4);
  size_t n, half = 0;
  event *ev = trains(8, 4, &n);
  while (ev[half].step * DT < 0.5) half++;
  drive(p, ev, 0, half, 0);
  const evs_csr *c = p.a->proj.csr;
  float lo = INFINITY;
  for (uint64_t k = 0; k < c->nnz; k++) lo = fminf(lo, c->weight[k]);
  REQUIRE_MSG(lo > 0.5f, "least weight %g: not the case meant", lo);
  set_weights(p, small);
  drive(p, ev, half, n, 1);
  same_weights(p, "after the weights were set");
  free(ev);
  pair_free(p);
}

START_TEST(skip_after_weights_set) {
  weights_set_case(&evs__rule_stdp_triplet, set_triplet);
  weights_set_case(&evs__rule_stdp_triplet_homeo, set_homeo);
}
END_TEST

/* Weights outside [w_min, w_max] turn the skip off rather than into a
 * wrong bound: the first increment of any size clips them (5 to w_max,
 * 0.001 to w_min), which a skip would miss; compared after every event. */
static float outside(uint64_t k) {
  return k / N_POST == 3 ? 5 : (k / N_POST == 7 ? 0.001f : 1);
}

START_TEST(skip_off_outside_bounds) {
  pair p = pair_new(&evs__rule_stdp_triplet, set_triplet, 0.01);
  set_weights(p, outside);
  size_t n;
  event *ev = trains(8, 4, &n);
  drive(p, ev, 0, n, 1);
  free(ev);
  pair_free(p);
}
END_TEST

static Suite *skip_suite(void) {
  Suite *s = suite_create("triplet_skip");
  TCase *tc = tcase_create("skip");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, skip_triplet);
  tcase_add_test(tc, skip_homeo);
  tcase_add_test(tc, skip_after_weights_set);
  tcase_add_test(tc, skip_off_outside_bounds);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(skip_suite()); }
