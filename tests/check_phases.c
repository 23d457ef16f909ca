/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: runs in phases (evs_net_start, evs_net_run_until,
 * evs_net_finish) through the public API.
 *
 * A model run in one go and the same model run in phases, split at times
 * that fall inside windows, between clock ticks, on a weight snapshot and
 * inside SuperSpike trials, must write the same bytes in every output file
 * (run.log but its dates and wall times). Phases out of order or past the
 * duration are refused, and a run finished early ends where its last phase
 * did. */
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

/* Runs model name once and in phases ending at split[0..n) (the last is
 * the duration), compares the outputs; returns the number of files. */
static int compare(const char *name, const char *const *set, size_t nset,
                   const double *split, size_t n) {
  char one[512], many[512];
  tu_mkdtemp(one, sizeof one, "evsnn-one");
  tu_mkdtemp(many, sizeof many, "evsnn-phases");
  evs_error err;
  evs_model *m = load(name, set, nset);
  m->run.outdir = one;
  ck_assert_msg(evs_net_run(m->net, &m->run, &err) == EVS_OK, "%s", err.msg);
  evs_model_free(m);
  m = load(name, set, nset);
  m->run.outdir = many;
  ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(evs_net_run_until(m->net, split[i], &err) == EVS_OK, "%s",
                  err.msg);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  evs_model_free(m);
  int files = same_files(one, many);
  ck_assert_int_eq(files, same_files(many, one));
  tu_rm_rf(one);
  tu_rm_rf(many);
  return files;
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
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phases_suite()); }
