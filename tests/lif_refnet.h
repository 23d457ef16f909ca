/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn tests — a small recurrent network of IF_curr_exp neurons run through
 * the public API and, neuron by neuron, by the lockstep RK4 reference of
 * lif_reference.h (tests/check_net.c: one set of constants;
 * tests/check_lif_own.c: the excitatory neurons' own constants).
 *
 * REFNET_NX input trains at 30 Hz (a .ras file written with full
 * precision) drive REFNET_NE excitatory and REFNET_NI inhibitory neurons;
 * projections XE, XI, EE, EI (p = 0.3, receptor 0) and IE, II (p = 0.5,
 * receptor 1), all with one delay. The reference reads the built synapses
 * (evs_net_projection_csr) and gives input g the jump w scale[g], w as the
 * projection stores it; it integrates every neuron in lockstep up to the
 * next input or one delay ahead, so a spike becomes deliveries one delay
 * later, never in the past. Needs net_test_util.h (tmpdir, setp, conn). */
#ifndef EVSNN_TESTS_LIF_REFNET_H
#define EVSNN_TESTS_LIF_REFNET_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "evsnn/evsnn.h"
#include "lif_reference.h"
#include "net_test_util.h"

enum {
  REFNET_NX = 40,
  REFNET_NE = 16,
  REFNET_NI = 4,
  REFNET_N = REFNET_NE + REFNET_NI, /* reference index: E 0..15, I 16..19 */
  REFNET_MAX_IN = 4000,
  REFNET_MAX_SPIKES = 400 /* a neuron's, in the reference */
};

typedef struct refnet {
  evs_net *net;
  int x, pe, pi; /* the populations X, E, I */
  double in_t[REFNET_MAX_IN];
  unsigned in_id[REFNET_MAX_IN];
  size_t n_in;
  double spikes[REFNET_N][REFNET_MAX_SPIKES]; /* the reference's */
  int ns[REFNET_N];
} refnet;

/* Writes the input trains to tmpdir/in.ras (kept in r) and makes the net
 * (seed 9, resolution 0.1 ms) with its populations, E and I with the
 * constants of base and v_init = -60 mV. The caller may set more
 * (evs_net_set_param_values) before refnet_connect. */
static void refnet_new(refnet *r, double t_end, const ref_par *base) {
  char ras[300];
  snprintf(ras, sizeof ras, "%s/in.ras", tmpdir);
  FILE *f = fopen(ras, "w");
  ck_assert_ptr_nonnull(f);
  evs_rng rng;
  evs_rng_init(&rng, 5, 0, 0, EVS_RNG_TEST);
  r->n_in = 0;
  for (unsigned i = 0; i < REFNET_NX; i++)
    for (double t = evs_rng_exponential(&rng) / 30; t < t_end;
         t += evs_rng_exponential(&rng) / 30) {
      ck_assert(r->n_in < REFNET_MAX_IN);
      r->in_t[r->n_in] = t;
      r->in_id[r->n_in++] = i;
      fprintf(f, "%.17g %u\n", t, i);
    }
  fclose(f);
  evs_error err;
  ck_assert_int_eq(evs_net_new(&r->net, 9, 1e-4), EVS_OK);
  r->x = evs_net_add_population(r->net, "X", "SpikeSourceArray", REFNET_NX,
                                &err);
  r->pe = evs_net_add_population(r->net, "E", "IF_curr_exp", REFNET_NE, &err);
  r->pi = evs_net_add_population(r->net, "I", "IF_curr_exp", REFNET_NI, &err);
  ck_assert_int_eq(evs_net_set_path(r->net, r->x, "file", ras, &err), EVS_OK);
  int pops[2] = {r->pe, r->pi};
  for (int k = 0; k < 2; k++) {
    setp(r->net, pops[k], "tau_m", base->tau_m);
    setp(r->net, pops[k], "tau_syn_E", base->tau_e);
    setp(r->net, pops[k], "tau_syn_I", base->tau_i);
    setp(r->net, pops[k], "v_rest", base->v_rest);
    setp(r->net, pops[k], "v_reset", base->v_reset);
    setp(r->net, pops[k], "v_thresh", base->v_thresh);
    setp(r->net, pops[k], "tau_refrac", base->tau_ref);
    setp(r->net, pops[k], "v_init", -0.06);
  }
}

/* Connects the six projections (projections 0..5: XE XI EE EI IE II) with
 * the weights w[0] from X, w[1] from E, w[2] from I in dimension dim. */
static void refnet_connect(refnet *r, const double w[3], evs_dim dim,
                           double delay) {
  struct {
    const char *name;
    int pre, post, rec;
    double p, w;
  } proj[] = {{"XE", r->x, r->pe, 0, 0.3, w[0]},
              {"XI", r->x, r->pi, 0, 0.3, w[0]},
              {"EE", r->pe, r->pe, 0, 0.3, w[1]},
              {"EI", r->pe, r->pi, 0, 0.3, w[1]},
              {"IE", r->pi, r->pe, 1, 0.5, w[2]},
              {"II", r->pi, r->pi, 1, 0.5, w[2]}};
  evs_error err;
  for (int k = 0; k < 6; k++) {
    evs_conn_spec c =
        conn(EVS_CONN_FIXED_PROBABILITY, proj[k].p, proj[k].w, delay);
    ck_assert_int_eq(evs_net_connect(r->net, proj[k].name, proj[k].pre,
                                     proj[k].post, proj[k].rec, &c, dim, &err),
                     k);
  }
}

typedef struct refnet_input {
  double t;
  int target; /* reference index */
  int receptor;
  double x; /* the jump of the target's synaptic variable, V */
} refnet_input;

static int refnet_by_time(const void *a, const void *b) {
  const refnet_input *x = a, *y = b;
  return (x->t > y->t) - (x->t < y->t);
}

/* Appends the deliveries of a spike at t of row `row` of projection k
 * (its targets in E when k is even, in I when odd). */
static size_t refnet_push_row(const refnet *r, refnet_input *q, size_t *np,
                              size_t cap, int k, uint32_t row, double t,
                              int receptor, const double scale[REFNET_N]) {
  const evs_csr *m = evs_net_projection_csr(r->net, k);
  size_t added = 0;
  for (uint64_t e = m->row_ptr[row]; e < m->row_ptr[row + 1]; e++) {
    int g = (int)evs_csr_target(m, e) + (k % 2 ? REFNET_NE : 0);
    ck_assert(*np < cap);
    q[(*np)++] = (refnet_input){t, g, receptor, evs_csr_weight(m, e) * scale[g]};
    added++;
  }
  return added;
}

/* Runs the reference over [0, t_end) with neuron g's constants p[g] and
 * input scale scale[g], on the net's built synapses: r->spikes, r->ns. */
static void refnet_reference(refnet *r, const ref_par p[REFNET_N],
                             const double scale[REFNET_N], double delay,
                             double t_end) {
  ref_neuron rn[REFNET_N];
  for (int i = 0; i < REFNET_N; i++) {
    rn[i] = (ref_neuron){-0.06, 0, 0, -1};
    r->ns[i] = 0;
  }
  size_t cap = 200000, np = 0;
  refnet_input *q = malloc(cap * sizeof *q);
  ck_assert_ptr_nonnull(q);
  for (size_t s = 0; s < r->n_in; s++)
    for (int k = 0; k < 2; k++)
      refnet_push_row(r, q, &np, cap, k, r->in_id[s], r->in_t[s] + delay, 0,
                      scale);
  qsort(q, np, sizeof *q, refnet_by_time);
  double t = 0;
  size_t head = 0;
  while (t < t_end) {
    double t_next = head < np ? q[head].t : t_end;
    double target = fmin(fmin(t_next, t + delay), t_end);
    int before[REFNET_N];
    for (int i = 0; i < REFNET_N; i++) {
      before[i] = r->ns[i];
      ref_advance(&p[i], &rn[i], t, target, 2e-6, r->spikes[i], &r->ns[i]);
      ck_assert(r->ns[i] < REFNET_MAX_SPIKES);
    }
    /* new spikes become deliveries one delay later (never before target) */
    size_t added = 0;
    for (int i = 0; i < REFNET_N; i++)
      for (int s = before[i]; s < r->ns[i]; s++) {
        int from_e = i < REFNET_NE;
        for (int k = 0; k < 2; k++)
          added += refnet_push_row(
              r, q, &np, cap, from_e ? 2 + k : 4 + k,
              (uint32_t)(from_e ? i : i - REFNET_NE), r->spikes[i][s] + delay,
              from_e ? 0 : 1, scale);
      }
    if (added) qsort(q + head, np - head, sizeof *q, refnet_by_time);
    t = target;
    while (head < np && q[head].t <= t) {
      ref_neuron *n = &rn[q[head].target];
      if (q[head].receptor == 0)
        n->xe += q[head].x;
      else
        n->xi += q[head].x;
      head++;
    }
  }
  free(q);
}

/* Compares the run's rasters tmpdir/E.ras and I.ras (1 ns resolution)
 * with the reference's spikes, spike by spike within 2 ns; the numbers of
 * spikes of E and of all neurons go to *total_e and *total. */
static void refnet_compare(const refnet *r, int *total_e, int *total) {
  *total = *total_e = 0;
  for (int k = 0; k < 2; k++) {
    char out[300];
    snprintf(out, sizeof out, "%s/%s.ras", tmpdir, k ? "I" : "E");
    static double rt[REFNET_MAX_IN];
    static unsigned rid[REFNET_MAX_IN];
    size_t n = tu_read_raster(out, rt, rid, REFNET_MAX_IN);
    int seen[REFNET_N] = {0};
    for (size_t s = 0; s < n; s++) {
      int g = (int)rid[s] + (k ? REFNET_NE : 0);
      ck_assert_msg(seen[g] < r->ns[g], "neuron %d: extra spike at %.9f", g,
                    rt[s]);
      ck_assert_msg(fabs(rt[s] - r->spikes[g][seen[g]]) < 2e-9,
                    "neuron %d spike %d: %.9f vs reference %.12f", g, seen[g],
                    rt[s], r->spikes[g][seen[g]]);
      seen[g]++;
    }
    for (int i = k ? REFNET_NE : 0; i < (k ? REFNET_N : REFNET_NE); i++) {
      ck_assert_msg(seen[i] == r->ns[i], "neuron %d: %d spikes, reference %d",
                    i, seen[i], r->ns[i]);
      *total += r->ns[i];
      if (!k) *total_e += r->ns[i];
    }
  }
}

#endif
