/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: weights and delays read and set between the phases of a run
 * on 1, 2 and 3 threads (the threads' splits gathered in the net's order
 * and written back: core/threads_synapses.c, core/threads_delays.c).
 *
 *  - analytic: one source neuron's spikes reach four neurons whose delays
 *    change three times (groups merged, split, reordered) and whose weights
 *    change three times (per synapse twice, then all at once): every
 *    arrival is the spike's time plus the delay in force when it was
 *    scheduled, and it makes the neuron spike, a fixed latency later,
 *    exactly when the weight in force at its arrival is not zero; the gets
 *    after each set return what was set; the spikes are the same bytes on
 *    1, 2 and 3 threads;
 *  - a random network of exact, grid (ring buffers), short-term plasticity
 *    and STDP projections whose weights (all, per synapse) and delays
 *    (raised, reordered, lowered) change at four phase ends: the spikes,
 *    and the weights and delays read at every phase end, are the same
 *    bytes on 1, 2 and 3 threads; the gets after the sets return what was
 *    set (delays as a multiset per change, and on one thread synapse by
 *    synapse, through the CSR's targets). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "delays_util.h"
#include "evsnn/evsnn.h"

/* ---- analytic arrivals and weights on threads ---------------------------- */

#define NT 4 /* targets */

/* Delays (ms) of the synapses onto targets 0..3: set before the run, then
 * at d_at[k] (ms); weights (V): from the start, then at w_at[k], the last
 * one for all synapses (evs_net_set_weight). */
static const double d_at[3] = {22, 60, 64};
static const double d_ms[4][NT] = {
    {3, 5, 3, 5}, {7, 7, 7, 7}, {1.5, 9, 3, 9}, {4, 2, 9, 1.5}};
static const double w_at[3] = {40, 80, 90};
static const double w_v[4][NT] = {{0.2, 0.2, 0.2, 0.2},
                                  {0.2, 0, 0.2, 0},
                                  {0, 0.2, 0, 0.2},
                                  {0.2, 0.2, 0.2, 0.2}};
#define NE 8
static const double e_ms[NE] = {10.05, 20.35, 30.45, 58.70,
                                60.30, 72.00, 85.15, 95.55};
#define T_END 0.11

/* The era of time t (ms) given the change times at[0..3). */
static int era(const double at[3], double t) {
  int k = 0;
  while (k < 3 && t >= at[k]) k++;
  return k;
}

/* The projection's order: the targets of its synapses, as the rows are
 * sorted by (delay, target); after a change to delays ms[target]. */
static void sort_order(unsigned order[NT], const double ms[NT]) {
  for (int a = 0; a < NT; a++)
    for (int b = a + 1; b < NT; b++) {
      long da = lround(ms[order[a]] * 10), db = lround(ms[order[b]] * 10);
      if (db < da || (db == da && order[b] < order[a])) {
        unsigned x = order[a];
        order[a] = order[b];
        order[b] = x;
      }
    }
}

/* Sets projection k's delays to ms[target] through the order it has, and
 * checks that the get returns them in the new order. */
static void set_delays_by_target(evs_net *net, int k, unsigned order[NT],
                                 const double ms[NT]) {
  double d[NT], got[NT];
  for (int q = 0; q < NT; q++) d[q] = ms[order[q]] * 1e-3;
  set_delays(net, k, d, NT);
  sort_order(order, ms);
  evs_error err;
  ck_assert_int_eq(evs_net_get_delays(net, k, got, NT, &err), EVS_OK);
  for (int q = 0; q < NT; q++)
    ck_assert_msg(got[q] == lround(ms[order[q]] * 10) * RES,
                  "delay %d: %g ms, not %g", q, got[q] * 1e3, ms[order[q]]);
}

/* Sets projection k's weights to v[target] (one call per synapse, or
 * evs_net_set_weight when all are one), and checks the get. */
static void set_weights_by_target(evs_net *net, int k, const unsigned order[NT],
                                  const double v[NT], int all) {
  double w[NT], got[NT];
  evs_error err;
  for (int q = 0; q < NT; q++) w[q] = v[order[q]];
  int rc = all ? evs_net_set_weight(net, k, v[0], &err)
               : evs_net_set_weights(net, k, w, NT, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_get_weights(net, k, got, NT, &err), EVS_OK);
  for (int q = 0; q < NT; q++)
    ck_assert_msg(fabs(got[q] - w[q]) <= 1e-7 * fabs(w[q]),
                  "weight %d: %g, not %g", q, got[q], w[q]);
}

/* 1 if the n spikes a and the m spikes b are the same, bit for bit. */
static int same_spikes(const evs_spike *a, size_t n, const evs_spike *b,
                       size_t m) {
  if (n != m) return 0;
  for (size_t i = 0; i < n; i++)
    if (memcmp(&a[i].t, &b[i].t, sizeof a[i].t) || a[i].id != b[i].id) return 0;
  return 1;
}

/* One run of the analytic net on threads threads: its spikes, malloc'd,
 * their count in *n. */
static evs_spike *run_analytic(const char *dir, int threads, size_t *n) {
  double e[NE];
  unsigned zero[NE] = {0};
  for (int i = 0; i < NE; i++) e[i] = e_ms[i] * 1e-3;
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, RES), EVS_OK);
  int src = source(net, dir, "src", 1, e, zero, NE);
  int post = fast_neurons(net, "post", NT);
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.2),
                       .delay = evs_dist_const(3e-3)};
  int k = connect(net, "syn", src, post, &all);
  collect *c = collect_pop(net, post);
  evs_error err;
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  unsigned order[NT] = {0, 1, 2, 3};
  set_delays_by_target(net, k, order, d_ms[0]); /* before the run */
  evs_run_opts o = {.duration = T_END, .outdir = NULL, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  int di = 0, wi = 0;
  while (di < 3 || wi < 3) { /* the changes in time order */
    int delay_next = wi == 3 || (di < 3 && d_at[di] < w_at[wi]);
    run_until(net, (delay_next ? d_at[di] : w_at[wi]) * 1e-3);
    if (delay_next) {
      set_delays_by_target(net, k, order, d_ms[di + 1]);
      di++;
    } else {
      set_weights_by_target(net, k, order, w_v[wi + 1], wi == 2);
      wi++;
    }
  }
  run_until(net, T_END);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_spike *s = malloc((c->n ? c->n : 1) * sizeof *s);
  memcpy(s, c->spk, c->n * sizeof *s);
  *n = c->n;
  evs_net_free(net);
  return s;
}

START_TEST(test_analytic_on_threads) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays_thr");
  /* the arrivals that make a spike: each source spike with the delays in
   * force when its window (1 ms) scheduled it, onto a target whose weight
   * is not zero when it arrives */
  double want[NT][NE];
  size_t nwant[NT] = {0}, total = 0;
  for (int i = 0; i < NE; i++)
    for (int s = 0; s < NT; s++) {
      double a = e_ms[i] + lround(d_ms[era(d_at, e_ms[i])][s] * 10) * 0.1;
      if (a >= T_END * 1e3 || w_v[era(w_at, a)][s] == 0) continue;
      want[s][nwant[s]++] = a * 1e-3;
      total++;
    }
  for (int s = 0; s < NT; s++) /* in time order */
    for (size_t x = 0; x < nwant[s]; x++)
      for (size_t y = x + 1; y < nwant[s]; y++)
        if (want[s][y] < want[s][x]) {
          double tmp = want[s][x];
          want[s][x] = want[s][y];
          want[s][y] = tmp;
        }
  size_t n1 = 0;
  evs_spike *one = NULL;
  for (int threads = 1; threads <= 3; threads++) {
    size_t n;
    evs_spike *spk = run_analytic(dir, threads, &n);
    ck_assert_msg(n == total, "%d threads: %zu spikes, %zu arrivals", threads,
                  n, total);
    size_t seen[NT] = {0};
    double latency = -1;
    for (size_t i = 0; i < n; i++) {
      unsigned id = spk[i].id;
      ck_assert_uint_lt(id, NT);
      double lag = spk[i].t - want[id][seen[id]++];
      if (latency < 0) latency = lag;
      ck_assert_msg(lag > 0 && lag < 0.5e-3 && fabs(lag - latency) < 1e-9,
                    "%d threads: neuron %u spike %zu at %.9f ms: latency "
                    "%.9f ms, not %.9f ms",
                    threads, id, seen[id], spk[i].t * 1e3, lag * 1e3,
                    latency * 1e3);
    }
    if (threads == 1) {
      one = spk;
      n1 = n;
      continue;
    }
    ck_assert_msg(same_spikes(spk, n, one, n1),
                  "%d threads: spikes differ from one thread's", threads);
    free(spk);
  }
  free(one);
  tu_rm_rf(dir);
}
END_TEST

/* ---- ring buffers: what was flushed before a change ---------------------- */

/* A fast IF_curr_exp_grid population of n neurons (see fast_neurons). */
static int fast_grid(evs_net *net, const char *name, uint32_t n) {
  evs_error err;
  int p = evs_net_add_population(net, name, "IF_curr_exp_grid", n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  set_const(net, p, "tau_m", 1e-3);
  set_const(net, p, "tau_syn_E", 0.1e-3);
  set_const(net, p, "tau_refrac", 1.5e-3);
  return p;
}

/* A source drives a grid neuron (pre) to spike after 10 and 20 ms; pre
 * reaches a grid neuron (post) through a projection delivered ahead
 * (rings: weights and delays read when pre's spike is flushed, at its
 * tick). At t_change, half a step after pre's first spike (at tfirst, or
 * none: no change), its weights become 0 (what = 'w': evs_net_set_weights,
 * 'a': evs_net_set_weight) or its delay 2 ms becomes 5 ms ('d'). Returns the
 * spikes of pre then post, their counts in n[0], n[1]. */
static evs_spike *run_ring(const char *dir, int threads, double t_change,
                           char what, size_t n[2]) {
  const double e[2] = {10.05e-3, 20.05e-3};
  const unsigned zero[2] = {0};
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, RES), EVS_OK);
  int src = source(net, dir, "src", 1, e, zero, 2);
  int pre = fast_grid(net, "pre", 1), post = fast_grid(net, "post", 2);
  evs_conn_spec drive = {.kind = EVS_CONN_ALL_TO_ALL,
                         .weight = evs_dist_const(0.2),
                         .delay = evs_dist_const(1e-3)};
  connect(net, "drive", src, pre, &drive);
  evs_conn_spec ahead = drive;
  ahead.delay = evs_dist_const(2e-3);
  int k = connect(net, "ahead", pre, post, &ahead);
  collect *c[2] = {collect_pop(net, pre), collect_pop(net, post)};
  evs_error err;
  evs_run_opts o = {.duration = 0.04, .outdir = NULL, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  if (t_change > 0) {
    run_until(net, t_change);
    double x[2] = {0, 0}, d[2] = {5e-3, 5e-3};
    if (what == 'w')
      ck_assert_int_eq(evs_net_set_weights(net, k, x, 2, &err), EVS_OK);
    else if (what == 'a')
      ck_assert_int_eq(evs_net_set_weight(net, k, 0, &err), EVS_OK);
    else
      set_delays(net, k, d, 2);
  }
  run_until(net, 0.04);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  n[0] = c[0]->n;
  n[1] = c[1]->n;
  evs_spike *s = malloc((n[0] + n[1] + 1) * sizeof *s);
  memcpy(s, c[0]->spk, n[0] * sizeof *s);
  memcpy(s + n[0], c[1]->spk, n[1] * sizeof *s);
  evs_net_free(net);
  return s;
}

START_TEST(test_rings_take_what_was_flushed) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays_ring_thr");
  size_t n0[2];
  evs_spike *free_run = run_ring(dir, 1, 0, 0, n0);
  ck_assert_uint_eq(n0[0], 2);
  ck_assert_uint_eq(n0[1], 4); /* each pre spike makes both post spike */
  const double t_pre[2] = {free_run[0].t, free_run[1].t};
  const double latency = free_run[2].t - (t_pre[0] + 2e-3);
  ck_assert(latency > 0 && latency < 1e-3);
  /* pre's first spike is flushed at its tick, half a step before the
   * change: it keeps the old weight and delay; its second one takes the
   * new */
  const double t_change = t_pre[0] + 0.5 * RES;
  for (int threads = 1; threads <= 3; threads++) {
    size_t n[2];
    for (int all = 0; all < 2; all++) {
      evs_spike *s = run_ring(dir, threads, t_change, all ? 'a' : 'w', n);
      ck_assert_msg(n[0] == 2 && n[1] == 2, "%d threads, weight%s: %zu, %zu",
                    threads, all ? " (all)" : "", n[0], n[1]);
      for (size_t i = 0; i < 2; i++)
        ck_assert_msg(fabs(s[2 + i].t - (t_pre[0] + 2e-3 + latency)) < 1e-9,
                      "%d threads, weight: post spike at %.9f ms", threads,
                      s[2 + i].t * 1e3);
      free(s);
    }
    evs_spike *s = run_ring(dir, threads, t_change, 'd', n);
    ck_assert_msg(n[0] == 2 && n[1] == 4, "%d threads, delay: %zu, %zu",
                  threads, n[0], n[1]);
    for (size_t i = 0; i < 4; i++) {
      double arrival = i < 2 ? t_pre[0] + 2e-3 : t_pre[1] + 5e-3;
      ck_assert_msg(fabs(s[2 + i].t - (arrival + latency)) < 1e-9,
                    "%d threads, delay: post spike at %.9f ms, arrival %.9f",
                    threads, s[2 + i].t * 1e3, arrival * 1e3);
    }
    free(s);
  }
  free(free_run);
  tu_rm_rf(dir);
}
END_TEST

/* ---- a random network --------------------------------------------------- */

#define NPROJ 5
#define NPHASE 5 /* phase ends with changes */
static const double phase_end[NPHASE + 1] = {0.05, 0.1, 0.15, 0.2, 0.25, 0.3};

typedef struct record {
  evs_spike *spk[2]; /* E's, G's */
  size_t nspk[2];
  double *w[NPHASE + 1][NPROJ], *d[NPHASE + 1][NPROJ]; /* at each phase end */
} record;

typedef struct random_net {
  evs_net *net;
  int k[NPROJ]; /* src->E, E->E, src->G (rings), src->E STP, src->E STDP */
  size_t n[NPROJ];
  collect *c[2];
} random_net;

static int add_pop(evs_net *net, const char *name, const char *type,
                   uint32_t n) {
  evs_error err;
  int p = evs_net_add_population(net, name, type, n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  return p;
}

static void build_random(random_net *g) {
  evs_error err;
  ck_assert_int_eq(evs_net_new(&g->net, 7, RES), EVS_OK);
  evs_net *net = g->net;
  int src = add_pop(net, "src", "SpikeSourcePoisson", 80);
  set_const(net, src, "rate", 40);
  int e = add_pop(net, "E", "IF_curr_exp", 120);
  int gr = add_pop(net, "G", "IF_curr_exp_grid", 60);
  ck_assert_int_eq(evs_net_add_dc(net, e, 10e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_add_dc(net, gr, 10e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  evs_conn_spec s0 = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.25,
                      .weight = {EVS_DIST_UNIFORM, {1.5e-3, 3.5e-3}},
                      .delay = {EVS_DIST_UNIFORM, {0.5e-3, 4e-3}}};
  g->k[0] = connect(net, "src_E", src, e, &s0);
  evs_conn_spec s1 = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.05,
                      .weight = evs_dist_const(1e-3),
                      .delay = {EVS_DIST_UNIFORM, {2e-3, 4e-3}}};
  g->k[1] = connect(net, "E_E", e, e, &s1);
  evs_conn_spec s2 = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.3,
                      .weight = {EVS_DIST_UNIFORM, {1e-3, 3e-3}},
                      .delay = {EVS_DIST_UNIFORM, {0.3e-3, 2e-3}}};
  g->k[2] = connect(net, "src_G", src, gr, &s2);
  evs_conn_spec s3 = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.1,
                      .weight = evs_dist_const(2e-3),
                      .delay = evs_dist_const(1.5e-3)};
  g->k[3] = connect(net, "src_E_stp", src, e, &s3);
  ck_assert_int_eq(evs_net_set_stp(net, g->k[3], 0.3, 20e-3, 0, &err), EVS_OK);
  evs_conn_spec s4 = {.kind = EVS_CONN_FIXED_PROBABILITY,
                      .p = 0.1,
                      .weight = evs_dist_const(1e-3),
                      .delay = evs_dist_const(2e-3)};
  g->k[4] = connect(net, "src_E_stdp", src, e, &s4);
  ck_assert_int_eq(evs_net_set_rule(net, g->k[4], "stdp_pair", &err), EVS_OK);
  const char *name[3] = {"A_plus", "A_minus", "w_max"};
  const double value[3] = {1e-4, 1.2e-4, 5e-3};
  for (int i = 0; i < 3; i++)
    ck_assert_int_eq(
        evs_net_set_rule_param(net, g->k[4], name[i], value[i], &err), EVS_OK);
  g->c[0] = collect_pop(net, e);
  g->c[1] = collect_pop(net, gr);
  int brc = evs_net_build(net, &err);
  ck_assert_msg(brc == EVS_OK, "%s", err.msg);
  for (int j = 0; j < NPROJ; j++)
    g->n[j] = evs_net_projection_csr(net, g->k[j])->nnz;
}

/* Reads every projection's weights and delays into r at phase ph. */
static void read_all(random_net *g, record *r, int ph) {
  evs_error err;
  for (int j = 0; j < NPROJ; j++) {
    size_t n = g->n[j];
    r->w[ph][j] = malloc(n * sizeof(double));
    r->d[ph][j] = malloc(n * sizeof(double));
    int rc = evs_net_get_weights(g->net, g->k[j], r->w[ph][j], n, &err);
    ck_assert_msg(rc == EVS_OK, "%s", err.msg);
    rc = evs_net_get_delays(g->net, g->k[j], r->d[ph][j], n, &err);
    ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Sets projection j's delays to d (s) and checks the get: the same values
 * rounded to the resolution, in the rows' new order (a multiset here; on
 * one thread synapse by synapse through the CSR's targets). */
static void change_delays(random_net *g, int j, const double *d) {
  size_t n = g->n[j];
  const evs_csr *m = evs_net_projection_csr(g->net, g->k[j]);
  double *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
  /* one thread: the new delay of each (row, target), CSR before */
  uint64_t *key = NULL;
  if (m) {
    key = malloc(n * sizeof *key);
    for (uint32_t i = 0; i < m->n_pre; i++)
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++)
        key[q] = (uint64_t)i << 32 | evs_csr_target(m, q);
  }
  for (size_t q = 0; q < n; q++) want[q] = lround(d[q] / RES) * RES;
  set_delays(g->net, g->k[j], d, n);
  evs_error err;
  ck_assert_int_eq(evs_net_get_delays(g->net, g->k[j], got, n, &err), EVS_OK);
  if (key) { /* FixedProbability: one synapse per (row, target) */
    m = evs_net_projection_csr(g->net, g->k[j]);
    for (uint32_t i = 0; i < m->n_pre; i++)
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) {
        uint64_t x = (uint64_t)i << 32 | evs_csr_target(m, q);
        size_t was = 0;
        while (key[was] != x) was++;
        ck_assert_msg(got[q] == want[was], "synapse %llu: %g, not %g",
                      (unsigned long long)q, got[q], want[was]);
      }
  }
  qsort(want, n, sizeof *want, cmp_double);
  qsort(got, n, sizeof *got, cmp_double);
  ck_assert(memcmp(want, got, n * sizeof *got) == 0);
  free(key);
  free(want);
  free(got);
}

/* Sets projection j's weights to w (V) and checks the get. */
static void change_weights(random_net *g, int j, const double *w) {
  size_t n = g->n[j];
  evs_error err;
  int rc = evs_net_set_weights(g->net, g->k[j], w, n, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  double *got = malloc(n * sizeof *got);
  ck_assert_int_eq(evs_net_get_weights(g->net, g->k[j], got, n, &err), EVS_OK);
  for (size_t q = 0; q < n; q++)
    ck_assert_msg(fabs(got[q] - w[q]) <= 1e-7 * fabs(w[q]),
                  "synapse %zu: %g, not %g", q, got[q], w[q]);
  free(got);
}

/* The changes at the end of phase ph (r holds what was read there). */
static void phase_changes(random_net *g, const record *r, int ph) {
  evs_error err;
  size_t most = 0;
  for (int j = 0; j < NPROJ; j++)
    if (g->n[j] > most) most = g->n[j];
  double *x = malloc(most * sizeof *x);
  const double ms = 1e-3;
  switch (ph) {
  case 0: /* weights: per synapse, all at once */
    for (size_t q = 0; q < g->n[0]; q++)
      x[q] = r->w[0][0][q] * (0.5 + 0.5 * (double)(q % 3));
    change_weights(g, 0, x);
    ck_assert_int_eq(evs_net_set_weight(g->net, g->k[1], 1.5e-3, &err), EVS_OK);
    for (size_t q = 0; q < g->n[2]; q++) x[q] = (1 + (q * 7 % 5)) * 0.6e-3;
    change_weights(g, 2, x);
    for (size_t q = 0; q < g->n[4]; q++) x[q] = (1 + (q * 3 % 4)) * 0.5e-3;
    change_weights(g, 4, x); /* learning: the threads' parts */
    break;
  case 1: /* delays raised: in place, a ring grows, STP and STDP shifted */
    for (size_t q = 0; q < g->n[0]; q++) x[q] = r->d[1][0][q] + 2 * ms;
    change_delays(g, 0, x);
    for (size_t q = 0; q < g->n[2]; q++) x[q] = r->d[1][2][q] + 6 * ms;
    change_delays(g, 2, x);
    for (size_t q = 0; q < g->n[3]; q++) x[q] = 2.5 * ms;
    change_delays(g, 3, x);
    for (size_t q = 0; q < g->n[4]; q++) x[q] = 3 * ms;
    change_delays(g, 4, x);
    break;
  case 2: /* delays reordered: groups split and merged */
    for (size_t q = 0; q < g->n[0]; q++) x[q] = (0.5 + (q * 37 % 8) * 0.5) * ms;
    change_delays(g, 0, x);
    for (size_t q = 0; q < g->n[1]; q++) x[q] = (2.5 + (q * 13 % 5) * 0.5) * ms;
    change_delays(g, 1, x);
    break;
  case 3: { /* delays lowered: E->E to its window, src->E to one delay */
    double low = r->d[0][1][0];
    for (size_t q = 0; q < g->n[1]; q++)
      if (r->d[0][1][q] < low) low = r->d[0][1][q];
    for (size_t q = 0; q < g->n[1]; q++) x[q] = low;
    change_delays(g, 1, x);
    for (size_t q = 0; q < g->n[0]; q++) x[q] = 0.5 * ms;
    change_delays(g, 0, x);
    for (size_t q = 0; q < g->n[2]; q++) x[q] = 0.3 * ms;
    change_delays(g, 2, x);
    break;
  }
  case 4: /* weights in the new order; a learning projection's, all */
    for (size_t q = 0; q < g->n[0]; q++) x[q] = (1 + (q * 11 % 7)) * 0.5e-3;
    change_weights(g, 0, x);
    ck_assert_int_eq(evs_net_set_weight(g->net, g->k[4], 2e-3, &err), EVS_OK);
    break;
  }
  free(x);
}

static void run_random(int threads, record *r) {
  random_net g;
  build_random(&g);
  evs_error err;
  evs_run_opts o = {.duration = phase_end[NPHASE], .threads = threads};
  ck_assert_int_eq(evs_net_start(g.net, &o, &err), EVS_OK);
  for (int ph = 0; ph <= NPHASE; ph++) {
    run_until(g.net, phase_end[ph]);
    read_all(&g, r, ph);
    if (ph < NPHASE) phase_changes(&g, r, ph);
  }
  ck_assert_int_eq(evs_net_finish(g.net, &err), EVS_OK);
  for (int i = 0; i < 2; i++) {
    r->nspk[i] = g.c[i]->n;
    r->spk[i] = malloc((g.c[i]->n ? g.c[i]->n : 1) * sizeof(evs_spike));
    memcpy(r->spk[i], g.c[i]->spk, g.c[i]->n * sizeof(evs_spike));
  }
  evs_net_free(g.net);
}

static void free_record(record *r) {
  for (int i = 0; i < 2; i++) free(r->spk[i]);
  for (int ph = 0; ph <= NPHASE; ph++)
    for (int j = 0; j < NPROJ; j++) {
      free(r->w[ph][j]);
      free(r->d[ph][j]);
    }
}

START_TEST(test_random_net_on_threads) {
  record one = {0};
  run_random(1, &one);
  ck_assert_msg(one.nspk[0] > 200 && one.nspk[1] > 100, "E %zu, G %zu spikes",
                one.nspk[0], one.nspk[1]);
  random_net sizes;
  build_random(&sizes); /* the synapse counts */
  for (int threads = 2; threads <= 3; threads++) {
    record r = {0};
    run_random(threads, &r);
    for (int i = 0; i < 2; i++)
      ck_assert_msg(same_spikes(r.spk[i], r.nspk[i], one.spk[i], one.nspk[i]),
                    "%d threads: the spikes of %s differ (%zu, %zu)", threads,
                    i ? "G" : "E", r.nspk[i], one.nspk[i]);
    for (int ph = 0; ph <= NPHASE; ph++)
      for (int j = 0; j < NPROJ; j++) {
        size_t n = sizes.n[j];
        ck_assert_msg(memcmp(r.w[ph][j], one.w[ph][j], n * sizeof(double)) == 0,
                      "%d threads: weights of projection %d at %g s differ",
                      threads, j, phase_end[ph]);
        ck_assert_msg(memcmp(r.d[ph][j], one.d[ph][j], n * sizeof(double)) == 0,
                      "%d threads: delays of projection %d at %g s differ",
                      threads, j, phase_end[ph]);
      }
    free_record(&r);
  }
  evs_net_free(sizes.net);
  free_record(&one);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("delays_threads");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_analytic_on_threads);
  tcase_add_test(tc, test_rings_take_what_was_flushed);
  tcase_add_test(tc, test_random_net_on_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
