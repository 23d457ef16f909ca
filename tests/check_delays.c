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
 *  - STDP: a learning projection's weights keep their synapses across a
 *    change (get_weights before and after), and the weight it learns
 *    across a change is the pair rule's sum over the arrivals with the old
 *    and new delays;
 *  - refusals: a checkpoint after a change, a short-term plasticity group
 *    split during a run, a
 *    learning projection's non-uniform delays, a delay below
 *    the resolution or an exact population's window, a run on threads, a
 *    run that has ended. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define RES 0.1e-3 /* s: the nets' resolution */

/* ---- a plug-in collecting one population's spikes ------------------------ */

typedef struct collect {
  int pop;
  evs_spike *spk;
  size_t n, cap;
} collect;

static int collect_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  collect *c = evs_plugin_state(pl);
  return evs_run_listen(run, pl, (uint32_t)c->pop);
}

static int collect_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                          const evs_spike *spk, size_t n) {
  (void)run;
  (void)pop;
  collect *c = evs_plugin_state(pl);
  if (c->n + n > c->cap) {
    c->cap = 2 * (c->n + n);
    c->spk = realloc(c->spk, c->cap * sizeof *c->spk);
    if (!c->spk) return EVS_ENOMEM;
  }
  memcpy(c->spk + c->n, spk, n * sizeof *spk);
  c->n += n;
  return EVS_OK;
}

static void collect_destroy(evs_plugin *pl) {
  collect *c = evs_plugin_state(pl);
  free(c->spk);
  free(c);
}

static const evs_plugin_type collect_type = {.name = "collect",
                                             .start = collect_start,
                                             .spikes = collect_spikes,
                                             .destroy = collect_destroy};

/* Collects pop's spikes; the net owns the result (freed with it). */
static collect *collect_pop(evs_net *net, int pop) {
  collect *c = calloc(1, sizeof *c);
  ck_assert(c != NULL);
  c->pop = pop;
  evs_error err;
  ck_assert_int_eq(evs_net_add_plugin(net, &collect_type, c, &err), EVS_OK);
  return c;
}

/* ---- building blocks ----------------------------------------------------- */

static void set_const(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  int rc = evs_net_set_param(net, pop, name, &d, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", name, err.msg);
}

/* A population of n IF_curr_exp neurons that spike once, a fixed latency
 * after a strong input reaches them at rest: fast membrane and synapse,
 * refractory long enough for the input to be gone. */
static int fast_neurons(evs_net *net, const char *name, uint32_t n) {
  evs_error err;
  int p = evs_net_add_population(net, name, "IF_curr_exp", n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  set_const(net, p, "tau_m", 1e-3);
  set_const(net, p, "tau_syn_E", 0.1e-3);
  set_const(net, p, "tau_refrac", 1.5e-3);
  return p;
}

/* A SpikeSourceArray of n neurons playing the spikes t[k] of neurons
 * id[k] (written to a file under dir). */
static int source(evs_net *net, const char *dir, const char *name, uint32_t n,
                  const double *t, const unsigned *id, size_t k) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.in.ras", dir, name);
  FILE *f = fopen(path, "w");
  ck_assert(f != NULL);
  for (size_t i = 0; i < k; i++) fprintf(f, "%.17g %u\n", t[i], id[i]);
  fclose(f);
  evs_error err;
  int p = evs_net_add_population(net, name, "SpikeSourceArray", n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  ck_assert_int_eq(evs_net_set_path(net, p, "file", path, &err), EVS_OK);
  return p;
}

static int connect(evs_net *net, const char *name, int pre, int post,
                   const evs_conn_spec *spec) {
  evs_error err;
  int k = evs_net_connect(net, name, pre, post, EVS_RECEPTOR_EXC, spec,
                          EVS_DIM_VOLTAGE, &err);
  ck_assert_msg(k >= 0, "%s", err.msg);
  return k;
}

static void set_delays(evs_net *net, int proj, const double *d, size_t n) {
  evs_error err;
  int rc = evs_net_set_delays(net, proj, d, n, &err);
  ck_assert_msg(rc == EVS_OK, "set_delays: %s", err.msg);
}

static void run_until(evs_net *net, double t) {
  evs_error err;
  int rc = evs_net_run_until(net, t, &err);
  ck_assert_msg(rc == EVS_OK, "run_until %g: %s", t, err.msg);
}

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
  for (int q = 0; q < 2; q++) d[q] = ms[m->target[q]] * 1e-3;
  set_delays(net, k, d, 2);
  evs_error err;
  ck_assert_int_eq(evs_net_get_delays(net, k, got, 2, &err), EVS_OK);
  m = evs_net_projection_csr(net, k); /* in the new order */
  for (int q = 0; q < 2; q++)
    ck_assert(got[q] == lround(ms[m->target[q]] * 10) * RES);
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
        if (g->pre[e] == i && g->post[e] == m->target[q]) x[q] = d[e];
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
          if (g->pre[e] == i && g->post[e] == m->target[q])
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

/* ---- STDP ---------------------------------------------------------------- */

#define A_PLUS 1e-4
#define A_MINUS 1.2e-4
#define TAU 20e-3

START_TEST(test_stdp_across_a_change) {
  char dir[512];
  tu_mkdtemp(dir, sizeof dir, "delays");
  /* pre spikes (one neuron); the post neuron is driven to spike by its
   * own source; the learning synapse's delay is 2 ms, then 6 ms from 40
   * ms: the pre spike at 39.5 ms is in flight at the change */
  const double pre_t[5] = {5e-3, 21e-3, 39.5e-3, 52e-3, 71e-3};
  const double drive_t[5] = {8e-3, 19e-3, 43e-3, 55e-3, 60e-3};
  const unsigned zero[5] = {0};
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 3, RES), EVS_OK);
  int pre = source(net, dir, "pre", 1, pre_t, zero, 5);
  int drive = source(net, dir, "drive", 1, drive_t, zero, 5);
  int post = fast_neurons(net, "post", 1);
  evs_conn_spec one = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(0.2),
                       .delay = evs_dist_const(1e-3)};
  connect(net, "drive_post", drive, post, &one);
  evs_conn_spec learn = {.kind = EVS_CONN_ALL_TO_ALL,
                         .weight = evs_dist_const(1e-3),
                         .delay = evs_dist_const(2e-3)};
  int k = connect(net, "pre_post", pre, post, &learn);
  evs_error err;
  ck_assert_int_eq(evs_net_set_rule(net, k, "stdp_pair", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_plus", A_PLUS, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_minus", A_MINUS, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "tau_plus", TAU, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "tau_minus", TAU, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "w_max", 1, &err), EVS_OK);
  collect *c = collect_pop(net, post);
  evs_run_opts o = {.duration = 0.09, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 40e-3);
  double w0, w1, d = 6e-3;
  ck_assert_int_eq(evs_net_get_weights(net, k, &w0, 1, &err), EVS_OK);
  set_delays(net, k, &d, 1);
  ck_assert_int_eq(evs_net_get_weights(net, k, &w1, 1, &err), EVS_OK);
  ck_assert(w0 == w1);
  run_until(net, 0.09);
  ck_assert_int_eq(evs_net_get_weights(net, k, &w1, 1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  /* the pair rule over the arrivals (old delay for spikes scheduled before
   * 40 ms) and the post spikes the run found; no bound is reached */
  double arr[5], w = 1e-3;
  for (int i = 0; i < 5; i++) arr[i] = pre_t[i] + (pre_t[i] < 40e-3 ? 2e-3 : d);
  ck_assert_uint_eq(c->n, 5);
  for (int i = 0; i < 5; i++)
    for (size_t j = 0; j < c->n; j++) {
      double lag = c->spk[j].t - arr[i];
      w += lag > 0 ? A_PLUS * exp(-lag / TAU) : -A_MINUS * exp(lag / TAU);
    }
  ck_assert_msg(fabs(w1 - w) < 1e-9, "learned %.12g, pair rule %.12g", w1, w);
  evs_net_free(net);
  tu_rm_rf(dir);
}
END_TEST

/* A learning projection of many synapses: weights learned before the change
 * stay with their synapses. */
START_TEST(test_stdp_weights_keep_their_synapses) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int in = evs_net_add_population(net, "in", "SpikeSourcePoisson", 50, &err);
  set_const(net, in, "rate", 40);
  int post = evs_net_add_population(net, "post", "IF_curr_exp", 20, &err);
  ck_assert_int_eq(evs_net_add_dc(net, post, 10e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  evs_conn_spec spec = {.kind = EVS_CONN_FIXED_PROBABILITY,
                        .p = 0.5,
                        .weight = {EVS_DIST_UNIFORM, {1e-3, 3e-3}},
                        .delay = evs_dist_const(1.5e-3)};
  int k = connect(net, "in_post", in, post, &spec);
  ck_assert_int_eq(evs_net_set_rule(net, k, "stdp_pair", &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_plus", 1e-4, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "A_minus", 1e-4, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_set_rule_param(net, k, "w_max", 5e-3, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.4, .outdir = NULL};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.2);
  size_t n = evs_net_projection_csr(net, k)->nnz;
  double *w0 = malloc(n * sizeof *w0), *w1 = malloc(n * sizeof *w1);
  double *d = malloc(n * sizeof *d);
  uint32_t *t0 = malloc(n * sizeof *t0);
  memcpy(t0, evs_net_projection_csr(net, k)->target, n * sizeof *t0);
  ck_assert_int_eq(evs_net_get_weights(net, k, w0, n, &err), EVS_OK);
  for (size_t q = 0; q < n; q++) d[q] = q % 2 ? 4e-3 : 5e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, n, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "one delay") != NULL, "%s", err.msg);
  for (size_t q = 0; q < n; q++) d[q] = 4e-3;
  set_delays(net, k, d, n);
  ck_assert_int_eq(evs_net_get_weights(net, k, w1, n, &err), EVS_OK);
  ck_assert(memcmp(w0, w1, n * sizeof *w0) == 0);
  ck_assert(
      memcmp(t0, evs_net_projection_csr(net, k)->target, n * sizeof *t0) == 0);
  run_until(net, 0.4);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  free(w0);
  free(w1);
  free(d);
  free(t0);
  evs_net_free(net);
}
END_TEST

/* ---- refusals ------------------------------------------------------------ */

START_TEST(test_refusals) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int a = evs_net_add_population(net, "a", "IF_curr_exp", 10, &err);
  int b = evs_net_add_population(net, "b", "IF_curr_exp", 10, &err);
  evs_conn_spec spec = {.kind = EVS_CONN_ONE_TO_ONE,
                        .weight = evs_dist_const(1e-3),
                        .delay = evs_dist_const(2e-3)};
  int k = connect(net, "a_b", a, b, &spec);
  double d[10];
  for (int q = 0; q < 10; q++) d[q] = 3e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 9, &err), EVS_EINVAL);
  d[3] = 1e-3; /* below a's window: its shortest delay when built */
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "window") != NULL, "%s", err.msg);
  d[3] = -1;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 10, &err), EVS_EINVAL);
  d[3] = 2.5e-3;
  set_delays(net, k, d, 10);
  evs_run_opts o = {.duration = 0.01, .outdir = NULL, .threads = 2};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.005);
  int rc = evs_net_set_delays(net, k, d, 10, &err);
  ck_assert_msg(rc == EVS_ESTATE, "threads: %d %s", rc, err.msg);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  rc = evs_net_set_delays(net, k, d, 10, &err);
  ck_assert_int_eq(rc, EVS_ESTATE);
  evs_net_free(net);
}
END_TEST

/* During a run, a Tsodyks-Markram projection's delay group may not split
 * (its state is per group); a change that keeps the groups whole is
 * taken, and the run then takes no checkpoint (it took one before). */
START_TEST(test_stp_groups_stay_whole) {
  evs_net *net;
  ck_assert_int_eq(evs_net_new(&net, 5, RES), EVS_OK);
  evs_error err;
  int in = evs_net_add_population(net, "in", "SpikeSourcePoisson", 4, &err);
  set_const(net, in, "rate", 50);
  int post = evs_net_add_population(net, "post", "IF_curr_exp", 3, &err);
  evs_conn_spec all = {.kind = EVS_CONN_ALL_TO_ALL,
                       .weight = evs_dist_const(1e-3),
                       .delay = evs_dist_const(2e-3)};
  int k = connect(net, "in_post", in, post, &all);
  ck_assert_int_eq(evs_net_set_stp(net, k, 0.3, 20e-3, 0, &err), EVS_OK);
  char dir[512], ckpt[1024];
  tu_mkdtemp(dir, sizeof dir, "delays");
  snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);
  ck_assert_int_eq(evs_net_set_checkpoint(net, ckpt, 0, NULL, 0, &err), EVS_OK);
  evs_run_opts o = {.duration = 0.05, .outdir = dir};
  ck_assert_int_eq(evs_net_start(net, &o, &err), EVS_OK);
  run_until(net, 0.02);
  int rc = evs_net_checkpoint(net, &err); /* before any change: saved */
  ck_assert_msg(rc == EVS_OK, "%s", err.msg);
  double d[12];
  for (int q = 0; q < 12; q++) d[q] = q % 3 ? 2e-3 : 3e-3;
  ck_assert_int_eq(evs_net_set_delays(net, k, d, 12, &err), EVS_ESTATE);
  ck_assert_msg(strstr(err.msg, "whole") != NULL, "%s", err.msg);
  for (int q = 0; q < 12; q++) d[q] = (q / 3 + 1) * 1e-3;
  set_delays(net, k, d, 12);
  ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_EINVAL);
  ck_assert_msg(strstr(err.msg, "delays changed") != NULL, "%s", err.msg);
  run_until(net, 0.05);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
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
  tcase_add_test(tc, test_stdp_across_a_change);
  tcase_add_test(tc, test_stdp_weights_keep_their_synapses);
  tcase_add_test(tc, test_stp_groups_stay_whole);
  tcase_add_test(tc, test_refusals);
  tcase_add_test(tc, test_ring_grows_with_the_delays);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(delays_suite()); }
