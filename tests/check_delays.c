/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: synaptic delays read and set through the public API
 * (evs_net_get_delays, evs_net_set_delays), before a run and between its
 * phases.
 *
 *  - analytic: one source neuron's spikes reach two neurons whose delays
 *    change three times between phases (groups merged, split, kept): every
 *    arrival is the spike's time plus the delay in force when the spike was
 *    scheduled (old for spikes in flight at a change), seen as the post
 *    neuron's spike a fixed latency after it;
 *  - a random network of sources whose delays change at T gives the same
 *    post spikes, bit for bit, as a second network built from the start
 *    with the sources split in two, the spikes before T on synapses with
 *    the old delays and those after on synapses with the new ones;
 *  - delays set before a run on 1, 2 and 3 threads give the spikes of the
 *    net built with them, with short-term plasticity too;
 *  - the same delays set again between phases change nothing (the spikes
 *    of a run in one go);
 *  - a projection delivered ahead into ring buffers: a raised delay grows
 *    them.
 * Learning rules, short-term plasticity and refusals: check_delays_rules.c. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "delays_util.h"
#include "evsnn/evsnn.h"

/* ---- analytic arrivals --------------------------------------------------- */

/* The delays (ms) of the two synapses source -> post 0, post 1 from the
 * start and after each change at change_ms[k]. */
static const double change_ms[3] = {22, 60, 64};
static const double delay_ms[4][2] = {{3, 5}, {7, 7}, {1.5, 9}, {4, 2}};

/* Sets the delays of projection k, one synapse onto each of two neurons, to
 * ms[target] milliseconds, and reads them back. */
static void set_by_target(evs_net *net, int k, const double ms[2]) {
  const evs_csr *m = evs_net_projection_csr(net, k);
  double d[2], got[2];
  for (int q = 0; q < 2; q++) d[q] = ms[evs_csr_target(m, q)] * 1e-3;
  set_delays(net, k, d, 2);
  evs_error err;
  ck_assert_int_eq(evs_net_get_delays(net, k, got, 2, &err), EVS_OK);
  m = evs_net_projection_csr(net, k); /* in the new order */
  for (int q = 0; q < 2; q++)
    ck_assert(got[q] == lround(ms[evs_csr_target(m, q)] * 10) * RES);
  ck_assert(got[0] <= got[1]);
}

START_TEST(test_arrivals_across_changes) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  /* e2 is in flight at 22 ms (both groups merge), e4 at 60 ms (the merged
   * group splits) and at 64 ms (kept apart), e5's second arrival at 64 ms */
  const double e[6] = {10.05e-3, 20.35e-3, 30.45e-3,
                       58.70e-3, 60.30e-3, 72.00e-3};
  const unsigned zero[6] = {0};
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, RES), EVS_OK);
  int src = source(net, dir, "src", 1, e, zero, 6);
  int post = fast_neurons(net, "post", 2);
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.2),
                       .delay = evs_dist_const(3e-3)};
  int k = connect(net, "syn", src, post, &all);
  collect *c = collect_pop(net, post);
  evs_error err;
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  set_by_target(net, k, delay_ms[0]); /* before the run: two groups */
  evs_run_opts o = {.duration = 0.1, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  for (int ch = 0; ch < 3; ch++) {
    run_until(net, change_ms[ch] * 1e-3);
    set_by_target(net, k, delay_ms[ch + 1]);
  }
  run_until(net, 0.1);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  /* the expected arrivals: each spike with the delays in force when its
   * source's window (1 ms) scheduled it, i.e. before the change after it */
  double want[2][6];
  for (int i = 0; i < 6; i++) {
    int era = 0;
    while (era < 3 && e[i] >= change_ms[era] * 1e-3) era++;
    for (int s = 0; s < 2; s++)
      want[s][i] = e[i] + lround(delay_ms[era][s] * 10) * RES;
  }
  ck_assert_uint_eq(c->n, 12);
  size_t seen[2] = {0, 0};
  double latency = -1;
  for (size_t i = 0; i < c->n; i++) {
    unsigned id = c->spk[i].id;
    ck_assert_uint_lt(id, 2);
    /* the post neuron's spikes in time order meet the arrivals in time
     * order */
    double a[6];
    memcpy(a, want[id], sizeof a);
    for (int x = 0; x < 6; x++)
      for (int y = x + 1; y < 6; y++)
        if (a[y] < a[x]) {
          double tmp = a[x];
          a[x] = a[y];
          a[y] = tmp;
        }
    double lag = c->spk[i].t - a[seen[id]++];
    if (latency < 0) latency = lag;
    ck_assert_msg(lag > 0 && lag < 0.5e-3 && fabs(lag - latency) < 1e-9,
                  "neuron %u spike %zu at %.9f ms: latency %.9f ms, not "
                  "%.9f ms",
                  id, seen[id], c->spk[i].t * 1e3, lag * 1e3, latency * 1e3);
  }
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

/* ---- a projection delivered ahead (ring buffers) ------------------------ */

/* A static projection from a spike source onto IF_curr_exp_grid is handed
 * to the post type's ring buffers when its spikes are flushed (run_ahead.c),
 * not queued: a delay raised between phases beyond the rings' span grows
 * them (the run would fail otherwise), an input handed over before the
 * change (the source's window [19, 20) ms, at 19 ms) arrives with the old
 * delay, a later one with the new: the grid neuron answers each arrival
 * with the same latency in steps. */
START_TEST(test_ring_grows_with_the_delays) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays_ring");
  const double e[3] = {5.05e-3, 19.55e-3, 30.05e-3};
  const unsigned zero[3] = {0};
  const double arrive[3] = {6.05e-3, 20.55e-3, 45.05e-3}; /* 1, 1, 15 ms */
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 1, RES), EVS_OK);
  int src = source(net, dir, "src", 1, e, zero, 3);
  evs_error err;
  int post = evs_net_add_population(net, "post", "IF_curr_exp_grid", 1, &err);
  ck_assert_msg(post >= 0, "%s", err.msg);
  set_const(net, post, "tau_m", 1e-3);
  set_const(net, post, "tau_syn_E", 0.1e-3);
  set_const(net, post, "tau_refrac", 1.5e-3);
  evs_conn_spec one = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.2),
                       .delay = evs_dist_const(1e-3)};
  int k = connect(net, "syn", src, post, &one);
  collect *c = collect_pop(net, post);
  evs_run_opts o = {.duration = 0.06, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 20e-3);
  const double d = 15e-3;
  set_delays(net, k, &d, 1);
  run_until(net, 0.06);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  ck_assert_uint_eq(c->n, 3);
  double latency = c->spk[0].t - arrive[0];
  ck_assert(latency > 0 && latency < 1e-3);
  for (int i = 1; i < 3; i++)
    ck_assert_msg(fabs(c->spk[i].t - arrive[i] - latency) < 1e-9,
                  "spike %d at %.9f ms, arrival %.9f ms", i, c->spk[i].t * 1e3,
                  arrive[i] * 1e3);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

/* ---- a random network against one built with its delays ------------------ */

#define NS 20  /* sources */
#define NP 30  /* post neurons */
#define NSPK 6 /* spikes per source */
#define T_CHANGE 0.05
#define T_RUN 0.1

/* A fixed random draw in [0, 1) (the tests' own stream, not the library's). */
static double uniform(uint64_t *s) {
  *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(*s >> 11) / 9007199254740992.0;
}

typedef struct edges {
  unsigned pre[NS * NP], post[NS * NP];
  double w[NS * NP], d1[NS * NP], d2[NS * NP];
  size_t n;
  double t[NS * NSPK];
  unsigned id[NS * NSPK];
} edges;

static void draw(edges *g) {
  uint64_t s = 12345;
  g->n = 0;
  for (unsigned i = 0; i < NS; i++)
    for (unsigned j = 0; j < NP; j++) {
      if (uniform(&s) >= 0.5) continue;
      g->pre[g->n] = i;
      g->post[g->n] = j;
      g->w[g->n] = 2e-3 + 6e-3 * uniform(&s);
      g->d1[g->n] = lround(1 + 49 * uniform(&s)) * RES;
      g->d2[g->n] = lround(1 + 79 * uniform(&s)) * RES;
      g->n++;
    }
  for (unsigned k = 0; k < NS * NSPK; k++) {
    g->t[k] = T_RUN * uniform(&s);
    g->id[k] = k % NS;
  }
}

/* Writes the edge list with delays d (s) into dir/name and returns a
 * FILE connection spec reading it. */
static evs_conn_spec edge_file(const edges *g, const double *d, const char *dir,
                               const char *name, char *path, size_t cap) {
  snprintf(path, cap, "%s/%s.edges", dir, name);
  FILE *f = fopen(path, "w");
  ck_assert(f != NULL);
  for (size_t q = 0; q < g->n; q++)
    fprintf(f, "%u %u %.17g %.17g\n", g->pre[q], g->post[q], g->w[q], d[q]);
  fclose(f);
  return (evs_conn_spec){
      .kind = EVS_CONN_FILE, .path = path, .delay_step = RES};
}

/* The post population: exact neurons near threshold on a constant input. */
static int near_threshold(evs_net *net) {
  evs_error err;
  int p = evs_net_add_population(net, "post", "IF_curr_exp", NP, &err);
  ck_assert(p >= 0);
  ck_assert_int_eq(evs_net_add_dc(net, p, 12e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  return p;
}

/* Gives projection k of net, built from g's edges, the delays d (one per
 * edge of g) in its CSR's order. */
static void set_by_edge(evs_net *net, int k, const edges *g, const double *d) {
  const evs_csr *m = evs_net_projection_csr(net, k);
  ck_assert_uint_eq(m->nnz, g->n);
  double *x = malloc(g->n * sizeof *x);
  for (uint32_t i = 0; i < m->n_pre; i++)
    for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++)
      for (size_t e = 0; e < g->n; e++)
        if (g->pre[e] == i && g->post[e] == evs_csr_target(m, q)) x[q] = d[e];
  set_delays(net, k, x, g->n);
  free(x);
}

/* The post spikes of a net whose synapses (with Tsodyks-Markram
 * short-term plasticity if stp) are built from g's edges with delays d1,
 * then given d2 before a run on threads threads (d2 NULL: none); malloc'd,
 * their count in *n. */
static evs_spike *run_set_before(const edges *g, const char *dir,
                                 const double *d1, const double *d2, int stp,
                                 int threads, size_t *n) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 7, RES), EVS_OK);
  int src = source(net, dir, "src", NS, g->t, g->id, NS * NSPK);
  int post = near_threshold(net);
  char path[1024];
  evs_conn_spec spec = edge_file(g, d1, dir, "a", path, sizeof path);
  int k = connect(net, "syn", src, post, &spec);
  collect *c = collect_pop(net, post);
  evs_error err;
  if (stp)
    ck_assert_int_eq(evs_net_set_stp(net, k, 0.3, 20e-3, 50e-3, &err), EVS_OK);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  if (d2) set_by_edge(net, k, g, d2);
  evs_run_opts o = {.duration = T_RUN, .outdir = NULL, .threads = threads};
  ck_assert_int_eq(evs_net_run(net, &o, &err), EVS_OK);
  evs_spike *s = malloc((c->n ? c->n : 1) * sizeof *s);
  memcpy(s, c->spk, c->n * sizeof *s);
  *n = c->n;
  evs_net_free(net);
  return s;
}

/* Net A: the sources' synapses with d1, changed to d2 at T_CHANGE (unless
 * !change). Returns its post spikes (count in *n; malloc'd). */
static evs_spike *run_changed(const edges *g, const char *dir, int change,
                              size_t *n) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 7, RES), EVS_OK);
  int src = source(net, dir, "src", NS, g->t, g->id, NS * NSPK);
  int post = near_threshold(net);
  char path[1024];
  evs_conn_spec spec = edge_file(g, g->d1, dir, "a", path, sizeof path);
  int k = connect(net, "syn", src, post, &spec);
  collect *c = collect_pop(net, post);
  evs_error err;
  evs_run_opts o = {.duration = T_RUN, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, T_CHANGE);
  if (change) { /* d2 in the CSR's order: each synapse by its (pre, post) */
    set_by_edge(net, k, g, g->d2);
    double *back = malloc(g->n * sizeof *back);
    ck_assert_int_eq(evs_net_get_delays(net, k, back, g->n, &err), EVS_OK);
    const evs_csr *m = evs_net_projection_csr(net, k); /* sorted again */
    for (uint32_t i = 0; i < m->n_pre; i++)
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++)
        for (size_t e = 0; e < g->n; e++)
          if (g->pre[e] == i && g->post[e] == evs_csr_target(m, q))
            ck_assert(back[q] == g->d2[e]);
    free(back);
  }
  run_until(net, T_RUN);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_spike *s = malloc((c->n ? c->n : 1) * sizeof *s);
  memcpy(s, c->spk, c->n * sizeof *s);
  *n = c->n;
  evs_net_free(net);
  return s;
}

/* Net B: the sources split into their spikes before T_CHANGE (synapses
 * with d1) and after (synapses with d2), built so from the start. */
static evs_spike *run_split(const edges *g, const char *dir, size_t *n) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 7, RES), EVS_OK);
  double t[2][NS * NSPK];
  unsigned id[2][NS * NSPK];
  size_t m[2] = {0, 0};
  for (size_t k = 0; k < NS * NSPK; k++) {
    int late = g->t[k] >= T_CHANGE;
    t[late][m[late]] = g->t[k];
    id[late][m[late]++] = g->id[k];
  }
  int early = source(net, dir, "early", NS, t[0], id[0], m[0]);
  int late = source(net, dir, "late", NS, t[1], id[1], m[1]);
  int post = near_threshold(net);
  char p1[1024], p2[1024];
  evs_conn_spec s1 = edge_file(g, g->d1, dir, "b1", p1, sizeof p1);
  evs_conn_spec s2 = edge_file(g, g->d2, dir, "b2", p2, sizeof p2);
  connect(net, "early_post", early, post, &s1);
  connect(net, "late_post", late, post, &s2);
  collect *c = collect_pop(net, post);
  evs_error err;
  evs_run_opts o = {.duration = T_RUN, .outdir = NULL};
  ck_assert_int_eq(evs_net_run(net, &o, &err), EVS_OK);
  evs_spike *s = malloc((c->n ? c->n : 1) * sizeof *s);
  memcpy(s, c->spk, c->n * sizeof *s);
  *n = c->n;
  evs_net_free(net);
  return s;
}

START_TEST(test_changed_equals_built) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  static edges g;
  draw(&g);
  size_t na, nb, n0;
  evs_spike *a = run_changed(&g, dir, 1, &na);
  evs_spike *b = run_split(&g, dir, &nb);
  evs_spike *z = run_changed(&g, dir, 0, &n0);
  ck_assert_msg(na > 20, "only %zu spikes", na);
  ck_assert_uint_eq(na, nb);
  for (size_t i = 0; i < na; i++)
    ck_assert_msg(a[i].t == b[i].t && a[i].id == b[i].id,
                  "spike %zu: %u at %.17g ms changed, %u at %.17g ms built", i,
                  a[i].id, a[i].t * 1e3, b[i].id, b[i].t * 1e3);
  /* and the change did change something */
  int differ = n0 != na;
  for (size_t i = 0; !differ && i < na; i++)
    differ = a[i].t != z[i].t || a[i].id != z[i].id;
  ck_assert(differ);
  free(a);
  free(b);
  free(z);
  tu_rm_rf(dir);
}
END_TEST

/* Delays set before the run on 1, 2 and 3 threads: the spikes of the net
 * built with them; so with short-term plasticity (its state regrouped at
 * rest). */
START_TEST(test_set_before_the_run_on_threads) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  static edges g;
  draw(&g);
  for (int stp = 0; stp < 2; stp++) {
    size_t nb;
    evs_spike *b = run_set_before(&g, dir, g.d2, NULL, stp, 1, &nb);
    ck_assert_msg(nb > 20, "only %zu spikes", nb);
    for (int threads = 1; threads <= 3; threads++) {
      size_t na;
      evs_spike *a = run_set_before(&g, dir, g.d1, g.d2, stp, threads, &na);
      ck_assert_uint_eq(na, nb);
      for (size_t i = 0; i < na; i++)
        ck_assert_msg(a[i].t == b[i].t && a[i].id == b[i].id,
                      "stp %d, %d threads: spike %zu differs", stp, threads, i);
      free(a);
    }
    free(b);
  }
  tu_rm_rf(dir);
}
END_TEST

/* ---- the same delays again ----------------------------------------------- */

START_TEST(test_same_delays_change_nothing) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  static edges g;
  draw(&g);
  evs_spike *s[2];
  size_t n[2];
  for (int again = 0; again < 2; again++) {
    evs_net *net;
    ck_assert_int_eq(evs_net_new(&net, 7, RES), EVS_OK);
    int src = source(net, dir, "src", NS, g.t, g.id, NS * NSPK);
    int post = near_threshold(net);
    char path[1024];
    evs_conn_spec spec = edge_file(&g, g.d1, dir, "a", path, sizeof path);
    int k = connect(net, "syn", src, post, &spec);
    collect *c = collect_pop(net, post);
    evs_error err;
    evs_run_opts o = {.duration = T_RUN, .outdir = NULL};
    ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
    for (int ph = 1; ph <= 4; ph++) {
      run_until(net, ph * T_RUN / 5 + 0.37e-3);
      if (!again) continue;
      double d[NS * NP];
      ck_assert_int_eq(evs_net_get_delays(net, k, d, g.n, &err), EVS_OK);
      set_delays(net, k, d, g.n);
    }
    ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
    s[again] = malloc(c->n * sizeof *s[again]);
    memcpy(s[again], c->spk, c->n * sizeof *s[again]);
    n[again] = c->n;
    evs_net_free(net);
  }
  ck_assert_uint_eq(n[0], n[1]);
  for (size_t i = 0; i < n[0]; i++)
    ck_assert(s[0][i].t == s[1][i].t && s[0][i].id == s[1][i].id);
  free(s[0]);
  free(s[1]);
  tu_rm_rf(dir);
}
END_TEST

static Suite *delays_suite(void) {
  Suite *s = suite_create("delays");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_arrivals_across_changes);
  tcase_add_test(tc, test_changed_equals_built);
  tcase_add_test(tc, test_set_before_the_run_on_threads);
  tcase_add_test(tc, test_same_delays_change_nothing);
  tcase_add_test(tc, test_ring_grows_with_the_delays);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(delays_suite()); }
