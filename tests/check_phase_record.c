/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: recording settings changed between the phases of a run
 * (evs_net_record_spikes, evs_net_record after evs_net_run_until).
 *
 * A Poisson input S drives IF_curr_exp neurons E; the run in one go
 * records S's and E's spikes and v of three E neurons every ms. Then:
 * - the same phases (T1, T2) with nothing changed: every file byte for byte;
 * - spikes of S and E and the v recording switched off at T1 and on again
 *   at T2: each file holds the one-go file's lines (header included) of the
 *   times before T1 and from T2 on, and nothing else (for the source S, of
 *   the times before and after the ends of its spikes drawn by then, 101
 *   and 201 ms);
 * - S's spikes and v recorded only from T1 on (and at T2 stopped and
 *   started again at once): the one-go lines from T1 (101 ms for S);
 * on one thread and two (the same bytes). A recording restarted with other
 * neurons (its file has its columns) is refused; after a change the run
 * takes no checkpoint. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define T1 0.1005 /* s: between two samples */
#define T2 0.2005
/* A source draws its spikes a step of 1 ms ahead: its recording switches at
 * the end of the spikes drawn, the first multiple of 1 ms at or after T. */
#define T1_SRC 0.101
#define T2_SRC 0.201
#define T_END 0.3

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

enum { ONE_GO, SAME_PHASES, OFF_ON, FROM_T1 };

/* Runs the net in mode (above) on threads threads into a fresh folder
 * dir. */
static void run_mode(int mode, int threads, char *dir, size_t cap) {
  tu_mkdtemp(dir, cap, "evsnn-record");
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 21, 1e-4), EVS_OK);
  int s = evs_net_add_population(net, "S", "SpikeSourcePoisson", 50, &err);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 40, &err);
  ck_assert(s >= 0 && e >= 0);
  setp(net, s, "rate", 40);
  setp(net, e, "tau_refrac", 2e-3);
  evs_conn_spec c = {.kind = EVS_CONN_FIXED_PROBABILITY,
                     .p = 0.2,
                     .weight = evs_dist_const(4e-3),
                     .delay = evs_dist_const(1e-3)};
  ck_assert_int_ge(evs_net_connect(net, "SE", s, e, EVS_RECEPTOR_EXC, &c,
                                   EVS_DIM_VOLTAGE, &err),
                   0);
  const uint32_t ids[3] = {0, 1, 2};
  if (mode != FROM_T1) {
    ck_assert_int_eq(evs_net_record_spikes(net, s, 1), EVS_OK);
    ck_assert_int_eq(evs_net_record_v(net, e, ids, 3, 1e-3, &err), EVS_OK);
  }
  char ckpt[600];
  snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", dir);
  ck_assert_int_eq(evs_net_set_checkpoint(net, ckpt, 0, NULL, 0, &err), EVS_OK);
  evs_run_opts opts = {.duration = T_END, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  if (mode != ONE_GO) {
    ck_assert_int_eq(evs_net_run_until(net, T1, &err), EVS_OK);
    if (mode == OFF_ON) {
      ck_assert_int_eq(evs_net_record_spikes(net, s, 0), EVS_OK);
      ck_assert_int_eq(evs_net_record_spikes(net, e, 0), EVS_OK);
      ck_assert_int_eq(evs_net_record(net, e, "v", NULL, 0, 1e-3, &err),
                       EVS_OK);
      ck_assert_int_eq(evs_net_checkpoint(net, &err), EVS_EINVAL);
    } else if (mode == FROM_T1) {
      ck_assert_int_eq(evs_net_record_spikes(net, s, 1), EVS_OK);
      ck_assert_int_eq(evs_net_record_v(net, e, ids, 3, 1e-3, &err), EVS_OK);
    }
    ck_assert_int_eq(evs_net_run_until(net, T2, &err), EVS_OK);
    if (mode == OFF_ON) {
      ck_assert_int_eq(evs_net_record_spikes(net, s, 1), EVS_OK);
      ck_assert_int_eq(evs_net_record_spikes(net, e, 1), EVS_OK);
      /* the file has the columns of neurons 0, 1, 2 */
      ck_assert_int_eq(evs_net_record_v(net, e, ids + 1, 2, 1e-3, &err),
                       EVS_ESTATE);
      ck_assert_int_eq(evs_net_record_v(net, e, ids, 3, 1e-3, &err), EVS_OK);
    } else if (mode == FROM_T1) { /* off and on again: nothing changes */
      ck_assert_int_eq(evs_net_record(net, e, "v", NULL, 0, 1e-3, &err),
                       EVS_OK);
      ck_assert_int_eq(evs_net_record_v(net, e, ids, 3, 1e-3, &err), EVS_OK);
      ck_assert_int_eq(evs_net_record_spikes(net, e, 0), EVS_OK);
      ck_assert_int_eq(evs_net_record_spikes(net, e, 1), EVS_OK);
    }
  }
  ck_assert_int_eq(evs_net_run_until(net, T_END, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  evs_net_free(net);
  unlink(ckpt);
}

/* The lines of file name in folder dir (malloc'd, NUL-separated in one
 * block; their number in *n). */
static char **lines_of(const char *dir, const char *name, size_t *n) {
  char path[700];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  size_t cap = 64, len = 0;
  char **out = malloc(cap * sizeof *out), *line = NULL;
  *n = 0;
  while (getline(&line, &len, f) > 0) {
    if (*n == cap) out = realloc(out, (cap *= 2) * sizeof *out);
    ck_assert_ptr_nonnull(out);
    out[(*n)++] = strdup(line);
  }
  free(line);
  fclose(f);
  return out;
}

static void free_lines(char **l, size_t n) {
  for (size_t i = 0; i < n; i++) free(l[i]);
  free(l);
}

/* File name of run got holds exactly the lines of the one-go run's (want)
 * that are headers or whose time (first number) lies in [0, lo) or
 * [hi, T_END]; returns how many data lines it holds. */
static size_t check_subset(const char *want, const char *got, const char *name,
                           double lo, double hi) {
  size_t nw, ng, k = 0, data = 0;
  char **w = lines_of(want, name, &nw), **g = lines_of(got, name, &ng);
  for (size_t i = 0; i < nw; i++) {
    char *end;
    double t = strtod(w[i], &end);
    int header = end == w[i];
    if (!header && t >= lo && t < hi) continue;
    ck_assert_msg(k < ng, "%s: line %zu of the one go missing: %s", name, i,
                  w[i]);
    ck_assert_msg(!strcmp(w[i], g[k]), "%s: '%s' where the one go has '%s'",
                  name, g[k], w[i]);
    k++;
    data += !header;
  }
  ck_assert_msg(k == ng, "%s: %zu lines more than the one go's", name, ng - k);
  free_lines(w, nw);
  free_lines(g, ng);
  return data;
}

static const char *files[] = {"E.ras", "v_E.tsv", "S.ras"};
static const double off[3][2] = {{T1, T2}, {T1, T2}, {T1_SRC, T2_SRC}};

START_TEST(test_recording_between_phases) {
  char one[512], dir[512];
  run_mode(ONE_GO, 1, one, sizeof one);
  for (int threads = 1; threads <= 2; threads++) {
    run_mode(SAME_PHASES, threads, dir, sizeof dir);
    for (int f = 0; f < 3; f++) /* everything: the same bytes */
      check_subset(one, dir, files[f], 1, 0);
    tu_rm_rf(dir);
    run_mode(OFF_ON, threads, dir, sizeof dir);
    for (int f = 0; f < 3; f++) {
      size_t kept = check_subset(one, dir, files[f], off[f][0], off[f][1]);
      size_t all = check_subset(one, one, files[f], 1, 0);
      ck_assert_msg(kept > 0 && kept < all, "%s: %zu of %zu lines", files[f],
                    kept, all); /* something was left out, not all */
    }
    tu_rm_rf(dir);
    run_mode(FROM_T1, threads, dir, sizeof dir);
    check_subset(one, dir, "S.ras", 0, T1_SRC);
    check_subset(one, dir, "E.ras", 1, 0);
    ck_assert_uint_gt(check_subset(one, dir, "v_E.tsv", 0, T1), 150);
    tu_rm_rf(dir);
  }
  tu_rm_rf(one);
}
END_TEST

static Suite *phase_record_suite(void) {
  Suite *s = suite_create("phase_record");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_recording_between_phases);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phase_record_suite()); }
