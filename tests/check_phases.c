/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: runs in phases (evs_net_start, evs_net_run_until,
 * evs_net_finish) through the public API.
 *
 * A model run in one go and the same model run in phases, split at times
 * that fall inside windows, between clock ticks, on a weight snapshot and
 * inside SuperSpike trials, must write the same bytes in every output file
 * (run.log but its dates and wall times), also when parameters are set
 * to the values they have between the phases; parameters changed between
 * phases give the same bytes on any number of threads. Phases out of order
 * or past the duration are refused, and a run finished early ends where
 * its last phase did. */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

/* Loads models/<name>.ini ($MODELS) with the overrides. */
static evs_model *load(const char *name, const char *const *set, size_t n) {
  const char *dir = getenv("MODELS");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.ini", dir ? dir : "models", name);
  evs_model_opts mo = {.overrides = set, .n_overrides = n};
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", path, err.msg);
  return m;
}

/* The bytes of path (malloc'd; *n its length), dropping run.log's lines
 * that name the date or a wall time. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  int is_log = strstr(path, "run.log") != NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap), line[4096];
  ck_assert(buf != NULL);
  while (fgets(line, sizeof line, f)) {
    if (is_log && (strstr(line, "wall") || strstr(line, "started"))) continue;
    size_t l = strlen(line);
    if (len + l + 1 > cap) {
      while (len + l + 1 > cap) cap *= 2;
      buf = realloc(buf, cap);
      ck_assert(buf != NULL);
    }
    memcpy(buf + len, line, l);
    len += l;
  }
  fclose(f);
  *n = len;
  return buf;
}

/* Every file of folder a exists in b with the same bytes; returns how many
 * files were compared. */
static int same_files(const char *a, const char *b) {
  DIR *d = opendir(a);
  ck_assert(d != NULL);
  struct dirent *e;
  int files = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char pa[1024], pb[1024];
    snprintf(pa, sizeof pa, "%s/%s", a, e->d_name);
    snprintf(pb, sizeof pb, "%s/%s", b, e->d_name);
    size_t na, nb;
    char *x = slurp(pa, &na), *y = slurp(pb, &nb);
    ck_assert_msg(na == nb && memcmp(x, y, na) == 0,
                  "%s differs between one run and phases", e->d_name);
    free(x);
    free(y);
    files++;
  }
  closedir(d);
  return files;
}

/* What a test does between phases: called after phase i, before the
 * next. */
typedef void (*between_fn)(evs_net *net, size_t i);

/* Runs model name in phases ending at split[0..n) (the last is the
 * duration) into dir, between(net, i) after phase i < n - 1 (may be NULL);
 * n = 0: in one go. */
static void run_in_phases(const char *name, const char *const *set, size_t nset,
                          const double *split, size_t n, between_fn between,
                          const char *dir) {
  evs_error err;
  evs_model *m = load(name, set, nset);
  m->run.outdir = dir;
  if (n == 0) {
    ck_assert_msg(evs_net_run(m->net, &m->run, &err) == EVS_OK, "%s", err.msg);
  } else {
    ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
    for (size_t i = 0; i < n; i++) {
      ck_assert_msg(evs_net_run_until(m->net, split[i], &err) == EVS_OK, "%s",
                    err.msg);
      if (between && i + 1 < n) between(m->net, i);
    }
    ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  }
  evs_model_free(m);
}

/* Runs model name once and in phases ending at split[0..n) (the last is
 * the duration), between them between (may be NULL), compares the
 * outputs; returns the number of files. */
static int compare_with(const char *name, const char *const *set, size_t nset,
                        const double *split, size_t n, between_fn between) {
  char one[512], many[512];
  tu_mkdtemp(one, sizeof one, "evsnn-one");
  tu_mkdtemp(many, sizeof many, "evsnn-phases");
  run_in_phases(name, set, nset, NULL, 0, NULL, one);
  run_in_phases(name, set, nset, split, n, between, many);
  int files = same_files(one, many);
  ck_assert_int_eq(files, same_files(many, one));
  tu_rm_rf(one);
  tu_rm_rf(many);
  return files;
}

static int compare(const char *name, const char *const *set, size_t nset,
                   const double *split, size_t n) {
  return compare_with(name, set, nset, split, n, NULL);
}

/* COBA with STDP: exact windows, plastic deliveries, weight statistics and
 * a Matrix Market snapshot at a phase boundary; a phase repeated (empty). */
START_TEST(test_coba_stdp_in_phases) {
  const char *set[] = {"simulation.duration=0.6s",
                       "EE.record_matrix=0.25s, 0.5s"};
  const double split[] = {0.1, 0.1, 0.25, 0.33333, 0.40005, 0.6};
  ck_assert_int_ge(compare("coba_stdp", set, 2, split, 6), 6);
}
END_TEST

/* CUBA with probes sampled every millisecond. */
START_TEST(test_cuba_in_phases) {
  const char *set[] = {"simulation.duration=0.3s"};
  const double split[] = {0.0005, 0.1234567, 0.3};
  ck_assert_int_ge(compare("cuba", set, 1, split, 3), 4);
}
END_TEST

/* CUBA on 3 threads (doc/scaling.md): phases end between the threads'
 * exchange windows and between probe samples. */
START_TEST(test_cuba_threads_in_phases) {
  const char *set[] = {"simulation.duration=0.3s", "simulation.threads=3"};
  const double split[] = {0.00005, 0.0005, 0.1234567, 0.25, 0.3};
  ck_assert_int_ge(compare("cuba", set, 2, split, 5), 4);
}
END_TEST

/* COBA + STDP on 3 threads (E split, one rule instance per thread): phases
 * cut the threads' windows and a weight snapshot, as on one thread. */
START_TEST(test_coba_stdp_threads_in_phases) {
  const char *set[] = {"simulation.duration=0.3s", "simulation.threads=3",
                       "EE.record_matrix=0.25s"};
  const double split[] = {0.1, 0.25, 0.25005, 0.3};
  ck_assert_int_ge(compare("coba_stdp", set, 3, split, 4), 6);
}
END_TEST

/* The learned weights of COBA + STDP through evs_net_get_weights, between
 * phases (the threads' splits gathered in the net's order) and after the
 * run (the net's CSR holds the last weights), on 1 and 3 threads: the
 * same numbers, and most of them moved between the two. */
START_TEST(test_coba_stdp_threads_weights) {
  const char *one[] = {"simulation.duration=0.3s"};
  const char *par[] = {"simulation.duration=0.3s", "simulation.threads=3"};
  double *w[2][2];
  size_t n = 0;
  for (int r = 0; r < 2; r++) {
    evs_model *m = load("coba_stdp", r ? par : one, r ? 2 : 1);
    evs_error err;
    int ee = evs_net_find_projection(m->net, "EE");
    ck_assert_int_ge(ee, 0);
    ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
    n = evs_net_projection_csr(m->net, ee)->nnz;
    for (int k = 0; k < 2; k++) {
      ck_assert_msg(evs_net_run_until(m->net, k ? 0.3 : 0.15, &err) == EVS_OK,
                    "%s", err.msg);
      if (k) ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
      w[r][k] = malloc(n * sizeof **w);
      ck_assert_ptr_nonnull(w[r][k]);
      ck_assert_msg(evs_net_get_weights(m->net, ee, w[r][k], n, &err) == EVS_OK,
                    "%s", err.msg);
    }
    evs_model_free(m);
  }
  size_t moved = 0;
  for (int k = 0; k < 2; k++)
    for (size_t q = 0; q < n; q++) {
      ck_assert_msg(w[0][k][q] == w[1][k][q], "synapse %zu at phase %d", q, k);
      moved += k && w[0][1][q] != w[0][0][q];
    }
  ck_assert_uint_gt(moved, n / 10);
  for (int r = 0; r < 2; r++)
    for (int k = 0; k < 2; k++) free(w[r][k]);
}
END_TEST

/* SuperSpike: the error-broadcast clock, windows and trials cut by phases. */
START_TEST(test_superspike_in_phases) {
  const char *set[] = {"simulation.duration=3s",
                       "superspike.record_trials=1, 6"};
  const double split[] = {0.25, 0.5, 1.77777, 3};
  ck_assert_int_ge(compare("s1_single", set, 2, split, 4), 5);
}
END_TEST

/* ---- parameters changed between phases --------------------------------- */

/* Sets parameter name of population pop to v between phases. */
static void set_const(evs_net *net, const char *pop, const char *name,
                      double v) {
  evs_error err;
  int p = evs_net_find_population(net, pop);
  ck_assert_int_ge(p, 0);
  evs_dist d = evs_dist_const(v);
  ck_assert_msg(evs_net_set_param(net, p, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

/* Sets parameter name of every neuron i of population pop to
 * v0 + dv (i mod 7) between phases. */
static void set_each(evs_net *net, const char *pop, const char *name, double v0,
                     double dv) {
  evs_error err;
  int p = evs_net_find_population(net, pop);
  ck_assert_int_ge(p, 0);
  evs_pop_info info;
  ck_assert_int_eq(evs_net_population_info(net, p, &info), EVS_OK);
  double *v = malloc(info.size * sizeof *v);
  ck_assert_ptr_nonnull(v);
  for (uint32_t i = 0; i < info.size; i++) v[i] = v0 + dv * (i % 7);
  ck_assert_msg(evs_net_set_param_values(net, p, name, v, info.size, &err) ==
                    EVS_OK,
                "%s", err.msg);
  free(v);
}

/* CUBA's parameters in SI units, so that the values set again below are
 * the same doubles. */
#define CUBA_SI                                                                \
  "simulation.duration=0.3s", "E.v_rest=-0.049 V", "E.v_thresh=-0.05 V",       \
      "E.v_reset=-0.06 V", "E.tau_refrac=0.005 s", "E.tau_syn_E=0.005 s",      \
      "I.tau_syn_I=0.01 s", "I.v_rest=-0.049 V"

/* Every parameter a change takes, set to the value it has: thresholds,
 * resets, refractory periods, synaptic time constants, and v_rest and
 * i_offset one value per neuron. */
static void cuba_same(evs_net *net, size_t i) {
  set_const(net, "E", "v_thresh", -0.05);
  set_const(net, "E", "v_reset", -0.06);
  set_const(net, "E", "tau_refrac", 0.005);
  set_const(net, "E", "tau_syn_E", 0.005);
  set_const(net, "I", "tau_syn_I", 0.01);
  if (i % 2 == 0) {
    set_each(net, "E", "v_rest", -0.049, 0);
    set_each(net, "I", "i_offset", 0, 0);
  } else {
    set_const(net, "E", "v_rest", -0.049);
    set_const(net, "I", "i_offset", 0);
  }
}

/* A value "changed" to itself between phases changes nothing: the bytes of
 * the run in one go, on one thread and on three. */
START_TEST(test_same_values_in_phases) {
  const char *set[] = {CUBA_SI, "simulation.threads=1"};
  const double split[] = {0.05, 0.1234567, 0.2, 0.3};
  size_t nset = sizeof set / sizeof *set;
  ck_assert_int_ge(compare_with("cuba", set, nset, split, 4, cuba_same), 4);
  set[nset - 1] = "simulation.threads=3";
  ck_assert_int_ge(compare_with("cuba", set, nset, split, 4, cuba_same), 4);
}
END_TEST

/* Real changes: the equilibrium per neuron, a synaptic time constant, a
 * threshold, a refractory period and a reset. */
static void cuba_changes(evs_net *net, size_t i) {
  switch (i) {
  case 0:
    set_each(net, "E", "v_rest", -0.0495, 0.0002);
    set_const(net, "I", "v_thresh", -0.051);
    break;
  case 1:
    set_const(net, "E", "tau_syn_E", 0.007);
    set_const(net, "I", "tau_refrac", 0.002);
    break;
  default:
    set_each(net, "I", "i_offset", 0, 2e-12);
    set_const(net, "E", "v_reset", -0.058);
  }
}

/* The same changes between the same phases give the same bytes on one,
 * two and three threads (every thread's slice takes them), and change the
 * run: the rasters differ from the run without them. */
START_TEST(test_changes_on_threads) {
  const char *set[] = {CUBA_SI, "simulation.threads=1"};
  size_t nset = sizeof set / sizeof *set;
  const double split[] = {0.05, 0.1234567, 0.2, 0.3};
  char dir[4][512];
  for (int k = 0; k < 4; k++) {
    tu_mkdtemp(dir[k], sizeof dir[k], "evsnn-change");
    char threads[32];
    snprintf(threads, sizeof threads, "simulation.threads=%d", k ? k : 1);
    set[nset - 1] = threads;
    run_in_phases("cuba", set, nset, split, 4, k ? cuba_changes : NULL, dir[k]);
  }
  /* run.log names the threads: the spikes and the traces */
  const char *file[] = {"E.ras", "I.ras", "v_E.tsv", "summary.tsv"};
  for (size_t f = 0; f < sizeof file / sizeof *file; f++) {
    char *x[4];
    size_t n[4];
    for (int k = 0; k < 4; k++) {
      char path[600];
      snprintf(path, sizeof path, "%s/%s", dir[k], file[f]);
      x[k] = slurp(path, &n[k]);
    }
    for (int k = 2; k < 4; k++)
      ck_assert_msg(n[k] == n[1] && memcmp(x[k], x[1], n[1]) == 0,
                    "%s differs between 1 and %d threads", file[f], k);
    if (f == 0)
      ck_assert_msg(n[0] != n[1] || memcmp(x[0], x[1], n[0]) != 0,
                    "the changes changed nothing");
    for (int k = 0; k < 4; k++) free(x[k]);
  }
  for (int k = 0; k < 4; k++) tu_rm_rf(dir[k]);
}
END_TEST

START_TEST(test_phase_errors_and_early_finish) {
  const char *set[] = {"simulation.duration=0.3s"};
  evs_model *m = load("cuba", set, 1);
  evs_error err;
  ck_assert_int_eq(evs_net_run_until(m->net, 0.1, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
  ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_run_until(m->net, 0.4, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_run_until(m->net, 0.1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(m->net, 0.05, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_run_until(m->net, NAN, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  evs_run_stats st;
  evs_net_stats(m->net, &st);
  ck_assert(st.t_end == 0.1);
  ck_assert_uint_gt(st.spikes, 0);
  ck_assert_int_eq(evs_net_run_until(m->net, 0.2, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_ESTATE);
  evs_model_free(m);
}
END_TEST

static Suite *phases_suite(void) {
  Suite *s = suite_create("phases");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_coba_stdp_in_phases);
  tcase_add_test(tc, test_cuba_in_phases);
  tcase_add_test(tc, test_cuba_threads_in_phases);
  tcase_add_test(tc, test_coba_stdp_threads_in_phases);
  tcase_add_test(tc, test_coba_stdp_threads_weights);
  tcase_add_test(tc, test_superspike_in_phases);
  tcase_add_test(tc, test_phase_errors_and_early_finish);
  tcase_add_test(tc, test_same_values_in_phases);
  tcase_add_test(tc, test_changes_on_threads);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phases_suite()); }
