/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the STDP rules (src/rules/stdp.c) against a brute-force reference:
 * stdp_pair (additive, multiplicative with nearest-spike pairing, partial
 * weight dependence), stdp_triplet and stdp_triplet_homeo on random trains.
 *
 * A rule is driven directly: a hand-made projection (CSR plus transposed
 * index), parameters in par[], init, then on_pre/on_post in the events' time
 * order (the handlers' contract; the scheduler's order is tested end to end
 * elsewhere). Expected weights come from a fixed-step simulation on a 1 us
 * grid whose traces decay by exp(-dt/tau) every step. Weights are stored as
 * float, so tolerances are a few float roundings of the magnitudes
 * involved. The rig and the constants TP, TM, TY are in stdp_test_util.h. */
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/csr.h"
#include "rules/plastic.h"
#include "rule_test_util.h"
#include "stdp_test_util.h"

/* ---- lazy traces vs a fine fixed-step simulation --------------------------
 */

/* Poisson trains (rate Hz, duration s) of n_pre + n_post neurons on the
 * grid dt, sorted. Two spikes of one neuron on the same step are merged. */
static event *make_events(uint32_t n_pre, uint32_t n_post, double rate,
                          double dur, double dt, size_t *n_ev) {
  size_t cap = 1024, n = 0;
  event *ev = malloc(cap * sizeof *ev);
  REQUIRE(ev);
  events_add_poisson(&ev, &n, &cap, n_pre, n_post, rate, dur, dt);
  /* a few exact coincidences of pre and post, to fix the tie order */
  for (uint32_t i = 0; i < 3 && n + 1 < cap; i++) {
    int64_t st = (int64_t)(dur / dt) / 2 + 1000 * i;
    ev[n++] = (event){st, 0, i % n_post};
    ev[n++] = (event){st, 1, i % n_pre};
  }
  qsort(ev, n, sizeof *ev, event_cmp);
  *n_ev = n;
  return ev;
}

typedef struct ref_rule {
  int triplet, nearest;
  double tp, tm, ty, ap, am, wmin, wmax, mup, mum;
  /* homeo: stdp_triplet_homeo (triplet = 1, ap = A3_plus before eta, am
   * unused): LTD amplitude eta ap tp ty nu^2 / (tm kappa), nu = z / tau_hom */
  int homeo;
  double tau_hom, kappa, eta;
} ref_rule;

/* The reference: traces stored per neuron at every grid step, decayed by
 * exp(-dt/tau) each step; synapses found by scanning row_ptr (not the
 * transposed index). Updates as the rules define them, weights stored as
 * float after each update. */
static void reference(const ref_rule *p, const evs_csr *c, const event *ev,
                      size_t n_ev, double dt, float *w) {
  uint32_t n_pre = c->n_pre, n_post = c->n_post;
  uint64_t nnz = c->nnz;
  uint32_t *pre_of = malloc((nnz ? nnz : 1) * sizeof *pre_of);
  double *x = calloc(n_pre, sizeof *x), *y1 = calloc(n_post, sizeof *y1),
         *y2 = calloc(n_post, sizeof *y2), *z = calloc(n_post, sizeof *z);
  REQUIRE(pre_of && x && y1 && y2 && z);
  double ap = p->ap, dz = 1;
  if (p->homeo) {
    for (uint32_t i = 0; i < n_post; i++) z[i] = p->kappa * p->tau_hom;
    ap = p->eta * p->ap;
    dz = exp(-dt / p->tau_hom);
  }
  for (uint32_t j = 0; j < n_pre; j++)
    for (uint64_t k = c->row_ptr[j]; k < c->row_ptr[j + 1]; k++) pre_of[k] = j;
  double dx = exp(-dt / p->tp), dy1 = exp(-dt / p->tm),
         dy2 = exp(-dt / (p->triplet ? p->ty : 1));
  int64_t last = ev[n_ev - 1].step;
  size_t e = 0;
  for (int64_t st = 0; st <= last; st++) {
    if (st > 0) {
      for (uint32_t j = 0; j < n_pre; j++) x[j] *= dx;
      for (uint32_t i = 0; i < n_post; i++) {
        y1[i] *= dy1;
        y2[i] *= dy2;
        z[i] *= dz;
      }
    }
    for (; e < n_ev && ev[e].step == st; e++) {
      uint32_t id = ev[e].id;
      if (ev[e].kind == 1) { /* pre */
        for (uint64_t k = 0; k < nnz; k++) {
          if (pre_of[k] != id) continue;
          double wk = w[k], yi = y1[c->target[k]], f = 1, am = p->am;
          if (!p->triplet && p->mum > 0)
            f = pow((wk - p->wmin) / (p->wmax - p->wmin), p->mum);
          if (p->homeo) {
            double nu = z[c->target[k]] / p->tau_hom;
            am = ap * p->tp * p->ty * nu * nu / (p->tm * p->kappa);
          }
          wk -= am * f * yi;
          w[k] = (float)fmin(fmax(wk, p->wmin), p->wmax);
        }
        x[id] = p->nearest ? 1 : x[id] + 1;
      } else { /* post */
        for (uint64_t k = 0; k < nnz; k++) {
          if (c->target[k] != id) continue;
          double wk = w[k], xj = x[pre_of[k]];
          if (p->triplet) {
            wk += ap * xj * y2[id];
          } else {
            double f = 1;
            if (p->mup > 0)
              f = pow((p->wmax - wk) / (p->wmax - p->wmin), p->mup);
            wk += p->ap * f * xj;
          }
          w[k] = (float)fmin(fmax(wk, p->wmin), p->wmax);
        }
        y1[id] = p->nearest ? 1 : y1[id] + 1;
        y2[id] += 1;
        z[id] += 1;
      }
    }
  }
  free(z);
  free(pre_of);
  free(x);
  free(y1);
  free(y2);
}

static void lazy_vs_reference(const ref_rule *p, uint64_t seed) {
  const uint32_t n_pre = 12, n_post = 8;
  const double dt = 1e-6, dur = 1.0, rate = 25;
  const evs_rule_type *type = p->homeo     ? &evs__rule_stdp_triplet_homeo
                              : p->triplet ? &evs__rule_stdp_triplet
                                           : &evs__rule_stdp_pair;
  rig *r = rig_new(type, n_pre, n_post, 0.4, 0.5);
  if (p->homeo) {
    rig_set(r, "tau_plus", p->tp);
    rig_set(r, "tau_minus", p->tm);
    rig_set(r, "tau_y", p->ty);
    rig_set(r, "A3_plus", p->ap);
    rig_set(r, "tau_hom", p->tau_hom);
    rig_set(r, "kappa", p->kappa);
    rig_set(r, "eta", p->eta);
  } else if (p->triplet) {
    rig_set(r, "tau_plus", p->tp);
    rig_set(r, "tau_minus", p->tm);
    rig_set(r, "tau_y", p->ty);
    rig_set(r, "A3_plus", p->ap);
    rig_set(r, "A2_minus", p->am);
  } else {
    rig_set(r, "tau_plus", p->tp);
    rig_set(r, "tau_minus", p->tm);
    rig_set(r, "A_plus", p->ap);
    rig_set(r, "A_minus", p->am);
    rig_set(r, "mu_plus", p->mup);
    rig_set(r, "mu_minus", p->mum);
    rig_set(r, "nearest", p->nearest);
  }
  rig_set(r, "w_min", p->wmin);
  rig_set(r, "w_max", p->wmax);
  rig_init(r);
  const evs_csr *c = r->proj.csr;
  ck_assert(c->nnz > 10);
  xs_state = seed;
  size_t n_ev;
  event *ev = make_events(n_pre, n_post, rate, dur, dt, &n_ev);
  float *wref = malloc(c->nnz * sizeof *wref);
  REQUIRE(wref);
  memcpy(wref, c->weight, c->nnz * sizeof *wref);
  for (size_t e = 0; e < n_ev; e++) {
    double t = ev[e].step * dt;
    if (ev[e].kind)
      pre(r, ev[e].id, t);
    else
      post(r, ev[e].id, t);
  }
  reference(p, c, ev, n_ev, dt, wref);
  double moved = 0;
  for (uint64_t k = 0; k < c->nnz; k++) {
    double a = c->weight[k], b = wref[k];
    REQUIRE_MSG(fabs(a - b) <= 1e-6 * fmax(fabs(b), 1e-2),
                "synapse %llu: lazy %.9g, reference %.9g",
                (unsigned long long)k, a, b);
    moved = fmax(moved, fabs(b - 0.5));
  }
  ck_assert(moved > 0.02); /* the weights did change */
  free(wref);
  free(ev);
  rig_free(r);
}

START_TEST(brute_pair_additive) {
  ref_rule p = {0, 0, 0.02, 0.03, 0, 0.01, 0.012, 0, 1, 0, 0, 0, 0, 0, 0};
  lazy_vs_reference(&p, 11);
}
END_TEST

START_TEST(brute_pair_multiplicative_nearest) {
  ref_rule p = {0, 1, 0.02, 0.02, 0, 0.02, 0.02, 0.125, 1, 1, 1, 0, 0, 0, 0};
  lazy_vs_reference(&p, 12);
}
END_TEST

START_TEST(brute_pair_partial_mu) {
  ref_rule p = {0,    0,   0.015, 0.025, 0, 0.02, 0.025, 0,
                0.75, 0.5, 0.3,   0,     0, 0,    0};
  lazy_vs_reference(&p, 13);
}
END_TEST

START_TEST(brute_triplet) {
  ref_rule p = {1, 0, TP, TM, TY, 0.02, 0.01, 0, 1, 0, 0, 0, 0, 0, 0};
  lazy_vs_reference(&p, 14);
}
END_TEST

/* The homeostatic rule with the sliding amplitude: eta and every time
 * constant off their defaults so that a swap shows. */
START_TEST(brute_triplet_homeo) {
  /* nu starts at kappa = 12 Hz and moves to the trains' 25 Hz within the
   * second (tau_hom = 0.2 s), so the LTD amplitude changes by about 4x */
  ref_rule p = {1, 0, 0.015, 0.03, 0.09, 0.004, 0, 0, 1, 0, 0, 1, 0.2, 12, 2.5};
  lazy_vs_reference(&p, 15);
}
END_TEST

static Suite *stdp_brute_suite(void) {
  Suite *s = suite_create("stdp_brute");
  TCase *tc = tcase_create("brute_force");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, brute_pair_additive);
  tcase_add_test(tc, brute_pair_multiplicative_nearest);
  tcase_add_test(tc, brute_pair_partial_mu);
  tcase_add_test(tc, brute_triplet);
  tcase_add_test(tc, brute_triplet_homeo);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(stdp_brute_suite()); }
