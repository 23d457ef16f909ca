/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn C API example: a learning rule defined outside the library.
 *
 * Defines "example_nearest_pair", a nearest-spike pair STDP rule written
 * against the public API only (evsnn/rule.h), registers it with
 * evs_rule_register and runs it on one synapse: a presynaptic spike source
 * fires at 10 ms and 40 ms (arriving 1 ms later), and a teacher source makes
 * the postsynaptic IF_curr_exp neuron fire once, shortly after 15 ms. At the
 * post spike t_post the synapse gains A_plus exp(-(t_post - 11 ms)/tau_plus);
 * at the second arrival (41 ms) it loses A_minus exp(-(41 ms - t_post) /
 * tau_minus). The program reads t_post from the run's raster, computes the
 * final weight from that formula, and compares it with the weight the
 * library holds after the run. Exits 1 on failure.
 *
 *   cc custom_rule.c $(pkg-config --cflags --libs evsnn) -lm */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, also under -std=c11 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

/* ---- the rule ------------------------------------------------------------ */

enum { A_PLUS, A_MINUS, TAU_PLUS, TAU_MINUS, N_PARAMS };

static const evs_param_def params[N_PARAMS] = {
    [A_PLUS] = {"A_plus", EVS_DIM_NONE, 1e-3, EVS_PARAM_WEIGHT,
                "potentiation of a pre-then-post pair at zero lag"},
    [A_MINUS] = {"A_minus", EVS_DIM_NONE, 1e-3, EVS_PARAM_WEIGHT,
                 "depression of a post-then-pre pair at zero lag"},
    [TAU_PLUS] = {"tau_plus", EVS_DIM_TIME, 20e-3, EVS_PARAM_CONST,
                  "potentiation window, s"},
    [TAU_MINUS] = {"tau_minus", EVS_DIM_TIME, 20e-3, EVS_PARAM_CONST,
                   "depression window, s"},
};

/* The rule's state: the last arrival per presynaptic neuron and the last
 * spike per postsynaptic neuron (s; NAN: none yet). */
typedef struct pair_state {
  double *last_pre, *last_post;
} pair_state;

static void pair_destroy(evs_rule *pl) {
  pair_state *s = evs_rule_state(pl);
  if (!s) return;
  free(s->last_pre);
  free(s->last_post);
  free(s);
  evs_rule_set_state(pl, NULL);
}

static int pair_init(evs_rule *pl, evs_error *err) {
  const evs_csr *m = evs_rule_synapses(pl);
  pair_state *s = calloc(1, sizeof *s);
  if (s) {
    evs_rule_set_state(pl, s);
    s->last_pre = malloc((m->n_pre + 1) * sizeof *s->last_pre);
    s->last_post = malloc((m->n_post + 1) * sizeof *s->last_post);
  }
  if (!s || !s->last_pre || !s->last_post)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "%s: out of memory",
                         evs_rule_projection(pl));
  for (uint32_t i = 0; i < m->n_pre; i++) s->last_pre[i] = NAN;
  for (uint32_t j = 0; j < m->n_post; j++) s->last_post[j] = NAN;
  return EVS_OK;
}

/* Depression against each target's last spike, then the arrival counts. */
static void pair_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                        uint64_t end) {
  evs_csr *m = evs_rule_synapses(pl);
  const double *p = evs_rule_values(pl);
  pair_state *s = evs_rule_state(pl);
  for (uint64_t k = begin; k < end; k++) {
    double tp = s->last_post[m->target[k]];
    if (!isnan(tp))
      m->weight[k] -= (float)(p[A_MINUS] * exp(-(t - tp) / p[TAU_MINUS]));
  }
  s->last_pre[pre] = t;
}

/* Potentiation of every synapse onto post against its source's last
 * arrival. */
static void pair_on_post(evs_rule *pl, double t, uint32_t post) {
  evs_csr *m = evs_rule_synapses(pl);
  const double *p = evs_rule_values(pl);
  pair_state *s = evs_rule_state(pl);
  for (uint64_t k = m->post_ptr[post]; k < m->post_ptr[post + 1]; k++) {
    double ta = s->last_pre[m->post_pre[k]];
    if (!isnan(ta))
      m->weight[m->post_pos[k]] +=
          (float)(p[A_PLUS] * exp(-(t - ta) / p[TAU_PLUS]));
  }
  s->last_post[post] = t;
}

static const evs_rule_type nearest_pair = {
    .name = "example_nearest_pair",
    .params = params,
    .n_params = N_PARAMS,
    .init = pair_init,
    .destroy = pair_destroy,
    .on_pre = pair_on_pre,
    .on_post = pair_on_post,
};

/* ---- the run ------------------------------------------------------------- */

static int fail(const char *what, int rc, const evs_error *err) {
  fprintf(stderr, "custom_rule: %s: %s\n", what,
          err && err->msg[0] ? err->msg : evs_strerror(rc));
  return 1;
}

/* Writes a one-neuron .ras file of n spike times into dir/name. */
static int write_ras(const char *dir, const char *name, const double *t, int n,
                     char *path, size_t len) {
  snprintf(path, len, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) return -1;
  for (int i = 0; i < n; i++) fprintf(f, "%.9f 0\n", t[i]);
  return fclose(f);
}

/* The spike times of dir/post.ras into t[0..max); returns their count. */
static int read_ras(const char *dir, double *t, int max) {
  char path[512], line[256];
  snprintf(path, sizeof path, "%s/post.ras", dir);
  FILE *f = fopen(path, "r");
  int n = 0;
  unsigned id;
  if (!f) return -1;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && n < max && sscanf(line, "%lf %u", &t[n], &id) == 2)
      n++;
  fclose(f);
  return n;
}

static int link_pops(evs_net *net, const char *name, int pre, int post,
                     double weight, evs_error *err) {
  evs_conn_spec spec = {.kind = EVS_CONN_ALL_TO_ALL,
                        .weight = evs_dist_const(weight),
                        .delay = evs_dist_const(1e-3)};
  return evs_net_connect(net, name, pre, post, EVS_RECEPTOR_EXC, &spec,
                         EVS_DIM_VOLTAGE, err);
}

int main(void) {
  const double pre_t[] = {10e-3, 40e-3}, teacher_t[] = {15e-3}, delay = 1e-3;
  const double w0 = 0.1e-3, a_plus = 1e-3, a_minus = 0.5e-3, tau_plus = 20e-3,
               tau_minus = 30e-3;
  int status = 1, have_dir = 0, rc;
  evs_error err = {0};
  evs_net *net = NULL;
  char dir[] = "/tmp/evsnn-rule-XXXXXX", pre_path[512], teacher_path[512];

  if ((rc = evs_rule_register(&nearest_pair)))
    return fail("register", rc, NULL);
  if (evs_rule_register(&nearest_pair) != EVS_EEXIST)
    return fail("a second registration of one name must fail", 0, NULL);
  if (!mkdtemp(dir)) {
    perror("custom_rule: mkdtemp");
    return 1;
  }
  have_dir = 1;
  if (write_ras(dir, "input_pre.ras", pre_t, 2, pre_path, sizeof pre_path) ||
      write_ras(dir, "input_teacher.ras", teacher_t, 1, teacher_path,
                sizeof teacher_path)) {
    perror("custom_rule: writing the inputs");
    goto done;
  }

  if ((rc = evs_net_new(&net, 1, 0.1e-3))) {
    fail("evs_net_new", rc, NULL);
    goto done;
  }
  int pre = evs_net_add_population(net, "pre", "SpikeSourceArray", 1, &err);
  int tea = evs_net_add_population(net, "teacher", "SpikeSourceArray", 1, &err);
  int post = evs_net_add_population(net, "post", "IF_curr_exp", 1, &err);
  if (pre < 0 || tea < 0 || post < 0) {
    fail("add_population", EVS_EINVAL, &err);
    goto done;
  }
  int syn = -1, drive = -1;
  if ((rc = evs_net_set_path(net, pre, "file", pre_path, &err)) ||
      (rc = evs_net_set_path(net, tea, "file", teacher_path, &err)) ||
      (drive = link_pops(net, "drive", tea, post, 0.1, &err)) < 0 ||
      (syn = link_pops(net, "syn", pre, post, w0, &err)) < 0 ||
      (rc = evs_net_set_rule(net, syn, "example_nearest_pair", &err)) ||
      (rc = evs_net_set_rule_param(net, syn, "A_plus", a_plus, &err)) ||
      (rc = evs_net_set_rule_param(net, syn, "A_minus", a_minus, &err)) ||
      (rc = evs_net_set_rule_param(net, syn, "tau_minus", tau_minus, &err))) {
    fail("building the net", rc ? rc : EVS_EINVAL, &err);
    goto done;
  }
  evs_run_opts opts = {
      .duration = 0.1, .outdir = dir, .model_name = "custom_rule"};
  if ((rc = evs_net_run(net, &opts, &err))) {
    fail("evs_net_run", rc, &err);
    goto done;
  }

  double t_post[4];
  int n_post = read_ras(dir, t_post, 4);
  if (n_post != 1 || !(t_post[0] > teacher_t[0] + delay) ||
      !(t_post[0] < pre_t[1] + delay)) {
    fprintf(stderr,
            "custom_rule: expected one post spike between the "
            "teacher's arrival and the second pre arrival, got %d\n",
            n_post);
    goto done;
  }
  double ltp = a_plus * exp(-(t_post[0] - (pre_t[0] + delay)) / tau_plus);
  double ltd = a_minus * exp(-((pre_t[1] + delay) - t_post[0]) / tau_minus);
  double want = w0 + ltp - ltd;
  const evs_csr *m = evs_net_projection_csr(net, syn);
  double got = evs_csr_weight(m, 0);
  /* tolerance: float weights, and t_post printed to 1 ns */
  int ok = m->nnz == 1 && fabs(got - want) < 1e-9;
  printf("custom_rule: rule %s: post spike at %.6f ms: weight %.6f mV -> "
         "%.9f mV (analytic %.9f mV: +%.6f -%.6f): %s\n",
         nearest_pair.name, t_post[0] * 1e3, w0 * 1e3, got * 1e3, want * 1e3,
         ltp * 1e3, ltd * 1e3, ok ? "ok" : "FAIL");
  status = ok ? 0 : 1;

done:
  evs_net_free(net);
  if (have_dir) {
    const char *files[] = {"post.ras", "summary.tsv", "run.log",
                           "input_pre.ras", "input_teacher.ras"};
    char path[600];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[i]);
      unlink(path);
    }
    rmdir(dir);
  }
  return status;
}
