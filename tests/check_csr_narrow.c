/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: 16-bit targets (evs_csr_narrow; evs__proj_narrow decides
 * which CSRs hold them: core/net_build.c).
 *
 *  - the kit: the same synapses built twice onto 65,536 and 65,537 post
 *    neurons, one copy narrowed: the narrow one (65,536 only; 65,537 stays
 *    32-bit) lists the same (source, target, weight, delay) synapse by
 *    synapse, 2 bytes a synapse less, the same in-degrees, the same result
 *    of a delay change (positions moved alike), and refuses a transposed
 *    index;
 *  - the deliveries, end to end: one source neuron reaches chosen neurons
 *    (both ends of the 16-bit range, and 65,536 in the larger population)
 *    of IF_curr_exp (delivered from the queue) and IF_curr_exp_grid
 *    (handed to its rings ahead) populations of 65,536 and 65,537 neurons
 *    through an edge list with a delay per edge, the delays changed
 *    between two phases; each chosen neuron, and no other, spikes once per
 *    source spike, a fixed latency (exact type) or within one step (grid)
 *    after the arrival the brute force predicts from the edge list; the
 *    net's CSR is narrow exactly for 65,536 neurons; on 2 and 3 threads
 *    (every slice narrow, also of 65,537) the spikes are the same bytes as
 *    on one. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "delays_util.h"
#include "evsnn/evsnn.h"

/* ---- the kit ------------------------------------------------------------- */

/* A fixed in-degree projection of n_pre sources onto n_post targets with
 * per-synapse weights and clipped-normal delays (several groups a row). */
static evs_csr *build(uint32_t n_pre, uint32_t n_post) {
  evs_conn_spec s;
  memset(&s, 0, sizeof s);
  s.kind = EVS_CONN_FIXED_INDEGREE;
  s.n = 3;
  s.multapses = 1;
  s.weight = (evs_dist){EVS_DIST_NORMAL, {1e-9, 0.1e-9, 0, 0}};
  s.delay = (evs_dist){EVS_DIST_NORMAL_CLIPPED, {1.5e-3, 0.75e-3, 0.1e-3, 1}};
  s.delay_step = 0.1e-3;
  s.seed = 7;
  s.stream = 2;
  evs_csr *c = NULL;
  evs_error err;
  int rc = evs_csr_build(&c, n_pre, n_post, &s, &err);
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  return c;
}

/* The delay (steps) of synapse q of row i of c, from its group. */
static uint32_t delay_of(const evs_csr *c, uint32_t i, uint64_t q) {
  if (!c->grp_ptr) return c->const_delay;
  uint64_t g = c->grp_ptr[i];
  while (evs_csr_group_end(c, i, g) <= q) g++;
  return c->grp_delay[g];
}

/* Checks that narrow and wide list the same synapses, synapse by synapse:
 * row (source), target, weight (bits) and delay. */
static void same_synapses(const evs_csr *wide, const evs_csr *narrow) {
  ck_assert_uint_eq(wide->nnz, narrow->nnz);
  ck_assert_uint_eq(wide->n_pre, narrow->n_pre);
  for (uint32_t i = 0; i < wide->n_pre; i++) {
    ck_assert_uint_eq(wide->row_ptr[i + 1], narrow->row_ptr[i + 1]);
    for (uint64_t q = wide->row_ptr[i]; q < wide->row_ptr[i + 1]; q++) {
      ck_assert_uint_eq(wide->target[q], evs_csr_target(narrow, q));
      float a = evs_csr_weight(wide, q), b = evs_csr_weight(narrow, q);
      ck_assert(memcmp(&a, &b, sizeof a) == 0);
      ck_assert_uint_eq(delay_of(wide, i, q), delay_of(narrow, i, q));
    }
  }
}

START_TEST(test_kit) {
  const uint32_t sizes[2] = {65536, 65537};
  for (int k = 0; k < 2; k++) {
    const uint32_t n_post = sizes[k];
    evs_csr *wide = build(40, n_post), *narrow = build(40, n_post);
    size_t bytes = evs_csr_bytes(wide);
    int rc = evs_csr_narrow(narrow);
    ck_assert_int_eq(rc, n_post <= 65536);
    ck_assert_int_eq(evs_csr_narrow(narrow), rc); /* idempotent */
    ck_assert_ptr_null(wide->target16);
    if (rc) {
      ck_assert_ptr_null(narrow->target);
      ck_assert_ptr_nonnull(narrow->target16);
      ck_assert_uint_eq(evs_csr_bytes(narrow), bytes - 2 * narrow->nnz);
      ck_assert_int_eq(evs_csr_build_transpose(narrow), EVS_EINVAL);
    } else {
      ck_assert_ptr_null(narrow->target16);
      ck_assert_uint_eq(evs_csr_bytes(narrow), bytes);
    }
    ck_assert_ptr_nonnull(wide->grp_ptr); /* several delays a row */
    same_synapses(wide, narrow);
    /* every target has 3 synapses: both ends of the range are used */
    uint32_t *d0 = malloc(n_post * sizeof *d0),
             *d1 = malloc(n_post * sizeof *d1);
    evs_csr_indegrees(wide, d0);
    evs_csr_indegrees(narrow, d1);
    ck_assert(memcmp(d0, d1, n_post * sizeof *d0) == 0);
    ck_assert_uint_eq(d1[n_post - 1], 3);
    ck_assert_uint_eq(d1[65535], 3);
    /* a delay change: the same new order on both, widths kept */
    uint64_t nnz = wide->nnz;
    uint32_t *steps = malloc(nnz * sizeof *steps);
    uint64_t *m0 = malloc(nnz * sizeof *m0), *m1 = malloc(nnz * sizeof *m1);
    for (uint64_t q = 0; q < nnz; q++)
      steps[q] = 1 + (uint32_t)((q * 2654435761u) >> 7) % 30;
    ck_assert_int_eq(evs_csr_set_delays(wide, steps, m0), EVS_OK);
    ck_assert_int_eq(evs_csr_set_delays(narrow, steps, m1), EVS_OK);
    ck_assert(memcmp(m0, m1, nnz * sizeof *m0) == 0);
    ck_assert_int_eq(narrow->target16 != NULL, rc);
    same_synapses(wide, narrow);
    free(steps);
    free(m0);
    free(m1);
    free(d0);
    free(d1);
    evs_csr_free(wide);
    evs_csr_free(narrow);
  }
}
END_TEST

/* ---- the deliveries ------------------------------------------------------ */

#define NE 9           /* edges */
#define SPIKE1 1.05e-3 /* s: the source's spikes */
#define SPIKE2 10.05e-3
#define CHANGE 5e-3 /* s: the delays change here */
#define T_END 20e-3

/* The targets reached (the last one only in a population of 65,537) and
 * their delays (ms) before and after the change. */
static const unsigned edge_to[NE] = {0,     1,     255,   256,  32767,
                                     32768, 65279, 65535, 65536};
static const double delay_a[NE] = {1.0, 2.5, 1.2, 3.0, 1.5, 2.0, 1.1, 2.9, 1.7};
static const double delay_b[NE] = {3.3, 1.0, 2.2, 1.4, 3.1, 1.6, 2.4, 1.3, 2.6};

/* One run onto n neurons of type on threads threads: the spikes of the
 * targets (malloc'd, *n_spk of them); *narrow whether the net's CSR held
 * 16-bit targets after the build. */
static evs_spike *run_edges(const char *dir, const char *type, uint32_t n,
                            int threads, size_t *n_spk, int *narrow) {
  const double e[2] = {SPIKE1, SPIKE2};
  const unsigned zero[2] = {0, 0};
  int ne = n > 65536 ? NE : NE - 1;
  char path[1024];
  snprintf(path, sizeof path, "%s/edges.txt", dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  for (int k = 0; k < ne; k++)
    fprintf(f, "0 %u 0.2 %.17g\n", edge_to[k], delay_a[k] * 1e-3);
  fclose(f);
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, RES), EVS_OK);
  int src = source(net, dir, "src", 1, e, zero, 2);
  evs_error err;
  int post = evs_net_add_population(net, "post", type, n, &err);
  ck_assert_msg(post >= 0, "%s", err.msg);
  set_const(net, post, "tau_m", 1e-3);
  set_const(net, post, "tau_syn_E", 0.1e-3);
  set_const(net, post, "tau_refrac", 1.5e-3);
  evs_conn_spec spec = {.kind = EVS_CONN_FILE, .path = path};
  int k = connect(net, "syn", src, post, &spec);
  collect *c = collect_pop(net, post);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  const evs_csr *m = evs_net_projection_csr(net, k);
  *narrow = m->target16 != NULL;
  ck_assert_int_eq(m->target == NULL, *narrow);
  evs_run_opts o = {.duration = T_END, .outdir = NULL, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, CHANGE);
  /* the edge list's order is the CSR's after sorting by (delay, target) */
  double d[NE], got[NE];
  ck_assert_int_eq(evs_net_get_delays(net, k, got, (size_t)ne, &err), EVS_OK);
  for (int q = 0; q < ne; q++) {
    int x = 0; /* the edge with the q-th delay got: delays are distinct */
    while (fabs(delay_a[x] * 1e-3 - got[q]) > 1e-9) x++;
    d[q] = delay_b[x] * 1e-3;
  }
  set_delays(net, k, d, (size_t)ne);
  run_until(net, T_END);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_spike *s = malloc((c->n ? c->n : 1) * sizeof *s);
  memcpy(s, c->spk, c->n * sizeof *s);
  *n_spk = c->n;
  evs_net_free(net);
  return s;
}

/* Checks the spikes of one run against the edge list: every target, and no
 * other neuron, spikes once after each source spike's arrival through it,
 * a fixed latency later (exact) or within a step (grid). */
static void check_arrivals(const evs_spike *spk, size_t n, uint32_t size,
                           int grid) {
  int ne = size > 65536 ? NE : NE - 1;
  ck_assert_uint_eq(n, 2 * (size_t)ne);
  int seen[NE][2] = {{0}};
  double latency = -1;
  for (size_t i = 0; i < n; i++) {
    int x = 0;
    while (x < ne && edge_to[x] != spk[i].id) x++;
    ck_assert_msg(x < ne, "neuron %u spiked: no synapse reaches it", spk[i].id);
    int second = spk[i].t > CHANGE;
    double arrival =
        second ? SPIKE2 + delay_b[x] * 1e-3 : SPIKE1 + delay_a[x] * 1e-3;
    double lag = spk[i].t - arrival;
    seen[x][second]++;
    if (grid) {
      ck_assert_msg(lag > -1e-9 && lag < 1e-3, "neuron %u: lag %g s", spk[i].id,
                    lag);
      continue;
    }
    if (latency < 0) latency = lag;
    ck_assert_msg(lag > 0 && fabs(lag - latency) < 1e-9,
                  "neuron %u at %.9f s: latency %g s, not %g s", spk[i].id,
                  spk[i].t, lag, latency);
  }
  for (int x = 0; x < ne; x++)
    ck_assert_msg(seen[x][0] == 1 && seen[x][1] == 1,
                  "neuron %u spiked %d and %d times", edge_to[x], seen[x][0],
                  seen[x][1]);
}

static void deliveries(const char *type, int grid) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "csr_narrow");
  const uint32_t sizes[2] = {65536, 65537};
  for (int k = 0; k < 2; k++) {
    evs_spike *one = NULL;
    size_t n1 = 0;
    for (int threads = 1; threads <= 3; threads++) {
      size_t n;
      int narrow;
      evs_spike *spk = run_edges(dir, type, sizes[k], threads, &n, &narrow);
      ck_assert_int_eq(narrow, sizes[k] <= 65536);
      check_arrivals(spk, n, sizes[k], grid);
      if (threads == 1) {
        one = spk;
        n1 = n;
        continue;
      }
      ck_assert_uint_eq(n, n1);
      for (size_t i = 0; i < n; i++)
        ck_assert_msg(memcmp(&spk[i].t, &one[i].t, sizeof spk[i].t) == 0 &&
                          spk[i].id == one[i].id,
                      "%s, %u neurons, %d threads: spike %zu differs", type,
                      sizes[k], threads, i);
      free(spk);
    }
    free(one);
  }
  tu_rm_rf(dir);
}

START_TEST(test_deliveries_exact) { deliveries("IF_curr_exp", 0); }
END_TEST

START_TEST(test_deliveries_ahead) { deliveries("IF_curr_exp_grid", 1); }
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("csr_narrow");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_kit);
  tcase_add_test(tc, test_deliveries_exact);
  tcase_add_test(tc, test_deliveries_ahead);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
