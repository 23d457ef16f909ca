/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: a phase's end hands the plug-ins every spike before it.
 *
 * Exact populations find their spikes lazily and flush them when their
 * window closes, which may be after a phase's end. evs_net_run_until(t)
 * must still hand the listening plug-ins every spike with time < t (one
 * at t comes with the next phase, as in a run in one go it comes with the
 * flush of the window holding t) without changing the run. A Poisson
 * input S drives IF_curr_exp neurons E (recurrent, 1.5 ms, with a Poisson
 * background each neuron draws lazily) and IF_curr_alpha neurons A; the run in
 * one go gives each population's spikes. Then the same run in phases that end
 * 20 us after a spike (inside the window that finds it), exactly at a spike,
 * twice within one window and on a window's end, on one thread and two: after
 * each phase a plug-in has received exactly the one go's spikes before the
 * phase's end, in its order, and at the end all of them; every output file (the
 * rasters, run.log but its wall times) has the one go's bytes. E's
 * raster switched on at a phase's end inside a window holds exactly the
 * one go's spikes from then on. And a SuperSpike learner's rows
 * (evs_net_superspike_trials) between phases are the trials that ended before
 * each phase's end, at the end learning.tsv's lines. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define T_END 0.3

/* ---- a plug-in collecting two populations' spikes ------------------------ */

typedef struct collect {
  int pop[2];
  evs_spike *spk[2];
  size_t n[2], cap[2];
} collect;

static int collect_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  collect *c = evs_plugin_state(pl);
  int rc = evs_run_listen(run, pl, (uint32_t)c->pop[0]);
  return rc ? rc : evs_run_listen(run, pl, (uint32_t)c->pop[1]);
}

static int collect_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                          const evs_spike *spk, size_t n) {
  (void)run;
  collect *c = evs_plugin_state(pl);
  int k = (int)pop == c->pop[0] ? 0 : 1;
  if (c->n[k] + n > c->cap[k]) {
    c->cap[k] = 2 * (c->n[k] + n);
    c->spk[k] = realloc(c->spk[k], c->cap[k] * sizeof *c->spk[k]);
    if (!c->spk[k]) return EVS_ENOMEM;
  }
  memcpy(c->spk[k] + c->n[k], spk, n * sizeof *spk);
  c->n[k] += n;
  return EVS_OK;
}

static void collect_destroy(evs_plugin *pl) {
  collect *c = evs_plugin_state(pl);
  free(c->spk[0]);
  free(c->spk[1]);
  free(c);
}

static const evs_plugin_type collect_type = {.name = "collect",
                                             .start = collect_start,
                                             .spikes = collect_spikes,
                                             .destroy = collect_destroy};

/* ---- the network --------------------------------------------------------- */

static void setp(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  ck_assert_msg(evs_net_set_param(net, pop, name, &d, &err) == EVS_OK, "%s",
                err.msg);
}

static void conn(evs_net *net, const char *name, int pre, int post, double p,
                 double w, double d) {
  evs_error err;
  evs_conn_spec c = {.kind = EVS_CONN_FIXED_PROBABILITY,
                     .p = p,
                     .weight = evs_dist_const(w),
                     .delay = evs_dist_const(d)};
  ck_assert_msg(evs_net_connect(net, name, pre, post, EVS_RECEPTOR_EXC, &c,
                                EVS_DIM_VOLTAGE, &err) >= 0,
                "%s", err.msg);
}

/* A net S -> E -> E, S -> A, E -> A recording E's and A's spikes; *c
 * collects them (c NULL: nothing listens to them but the rasters). */
static evs_net *make_net(collect **c) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 7, 1e-4), EVS_OK);
  int s = evs_net_add_population(net, "S", "SpikeSourcePoisson", 50, &err);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", 40, &err);
  int a = evs_net_add_population(net, "A", "IF_curr_alpha", 20, &err);
  ck_assert(s >= 0 && e >= 0 && a >= 0);
  setp(net, s, "rate", 80);
  setp(net, e, "tau_refrac", 2e-3);
  setp(net, e, "background_rate", 300); /* drawn lazily per neuron */
  setp(net, e, "background_weight", 1e-10);
  setp(net, a, "tau_refrac", 2e-3);
  conn(net, "SE", s, e, 0.2, 6e-3, 1e-3);
  conn(net, "EE", e, e, 0.1, 1e-3, 1.5e-3);
  conn(net, "SA", s, a, 0.3, 1.5e-2, 1e-3);
  conn(net, "EA", e, a, 0.2, 5e-3, 2e-3);
  ck_assert_int_eq(evs_net_record_spikes(net, e, 1), EVS_OK);
  ck_assert_int_eq(evs_net_record_spikes(net, a, 1), EVS_OK);
  if (!c) return net;
  *c = calloc(1, sizeof **c);
  ck_assert_ptr_nonnull(*c);
  (*c)->pop[0] = e;
  (*c)->pop[1] = a;
  ck_assert_int_eq(evs_net_add_plugin(net, &collect_type, *c, &err), EVS_OK);
  return net;
}

/* The number of spikes of s[0..n) before t (they are sorted by time). */
static size_t before(const evs_spike *s, size_t n, double t) {
  size_t k = 0;
  while (k < n && s[k].t < t) k++;
  return k;
}

/* got[0..n) is want[0..n), bit for bit. */
static void same_spikes(const evs_spike *got, const evs_spike *want, size_t n,
                        const char *what, double t) {
  for (size_t i = 0; i < n; i++)
    ck_assert_msg(got[i].t == want[i].t && got[i].id == want[i].id,
                  "%s after the phase to %.17g s: spike %zu is (%.17g, %u), "
                  "the one go's (%.17g, %u)",
                  what, t, i, got[i].t, got[i].id, want[i].t, want[i].id);
}

/* Runs the net into dir on threads threads in phases ending at split[0..n)
 * (sorted, then T_END), checking after each that the plug-in holds want's
 * spikes before its end (want NULL: in one go, the spikes into *one). */
static void run(int threads, const double *split, size_t n, char *dir,
                size_t cap, collect *one) {
  tu_mkdtemp(dir, cap, "evsnn-found");
  collect *c;
  evs_net *net = make_net(&c);
  evs_error err;
  evs_run_opts opts = {.duration = T_END, .outdir = dir, .threads = threads};
  ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
  for (size_t i = 0; i < n; i++) {
    ck_assert_msg(evs_net_run_until(net, split[i], &err) == EVS_OK, "%s",
                  err.msg);
    for (int k = 0; k < 2; k++) {
      const char *what = k ? "A" : "E";
      size_t want = before(one->spk[k], one->n[k], split[i]);
      ck_assert_msg(c->n[k] == want,
                    "%s, %d threads: %zu spikes after the phase to %.17g s, "
                    "the one go has %zu before it",
                    what, threads, c->n[k], split[i], want);
      same_spikes(c->spk[k], one->spk[k], want, what, split[i]);
    }
  }
  ck_assert_msg(evs_net_run_until(net, T_END, &err) == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
  if (n == 0) { /* the one go: keep its spikes */
    *one = *c;
    for (int k = 0; k < 2; k++) {
      one->spk[k] = malloc(c->n[k] * sizeof *c->spk[k] + 1);
      ck_assert_ptr_nonnull(one->spk[k]);
      memcpy(one->spk[k], c->spk[k], c->n[k] * sizeof *c->spk[k]);
    }
  } else {
    for (int k = 0; k < 2; k++) {
      ck_assert_uint_eq(c->n[k], one->n[k]);
      same_spikes(c->spk[k], one->spk[k], one->n[k], k ? "A" : "E", T_END);
    }
  }
  evs_net_free(net);
}

/* The bytes of path (malloc'd, *n of them), without run.log's lines that
 * name the date or a wall time. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  int is_log = strstr(path, "run.log") != NULL;
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap), line[4096];
  ck_assert_ptr_nonnull(buf);
  while (fgets(line, sizeof line, f)) {
    if (is_log && (strstr(line, "wall") || strstr(line, "started"))) continue;
    size_t l = strlen(line);
    while (len + l + 1 > cap) buf = realloc(buf, cap *= 2);
    ck_assert_ptr_nonnull(buf);
    memcpy(buf + len, line, l);
    len += l;
  }
  fclose(f);
  *n = len;
  return buf;
}

/* Every file of folder a is in b with the same bytes; returns their
 * number. */
static int same_files(const char *a, const char *b) {
  DIR *d = opendir(a);
  ck_assert_ptr_nonnull(d);
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

static int by_time(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

START_TEST(test_phase_end_tells_spikes_before_it) {
  char one_dir[512], dir[512];
  collect one = {.n = {0, 0}};
  run(1, NULL, 0, one_dir, sizeof one_dir, &one);
  ck_assert_msg(one.n[0] > 20 && one.n[1] > 20, "E %zu, A %zu spikes", one.n[0],
                one.n[1]);
  /* phase ends: 20 us after E's and A's spikes (inside the window that
   * finds them: E's is 1 ms, A's the resolution... and E's spikes reach A
   * 2 ms later), exactly at a spike, twice in one window, on a window's
   * end */
  double split[16];
  size_t n = 0;
  const evs_spike *e = one.spk[0], *a = one.spk[1];
  split[n++] = e[3].t + 2e-5;
  split[n++] = e[one.n[0] / 3].t;
  split[n++] = e[one.n[0] / 2].t + 1e-5;
  split[n++] = e[one.n[0] / 2].t + 3e-5;
  split[n++] = a[one.n[1] / 2].t + 2e-5;
  split[n++] = a[2 * one.n[1] / 3].t;
  split[n++] = 0.25;
  split[n++] = e[one.n[0] - 2].t + 2e-5;
  qsort(split, n, sizeof *split, by_time);
  for (int threads = 1; threads <= 2; threads++) {
    char go[512];
    collect other = {.n = {0, 0}};
    run(threads, NULL, 0, go, sizeof go, &other);
    for (int k = 0; k < 2; k++) { /* the same on any number of threads */
      ck_assert_uint_eq(other.n[k], one.n[k]);
      same_spikes(other.spk[k], one.spk[k], one.n[k], "threads", T_END);
      free(other.spk[k]);
    }
    collect want = one;
    run(threads, split, n, dir, sizeof dir, &want);
    ck_assert_int_ge(same_files(go, dir), 4);
    tu_rm_rf(dir);
    tu_rm_rf(go);
  }
  tu_rm_rf(one_dir);
  free(one.spk[0]);
  free(one.spk[1]);
}
END_TEST

/* The data lines of dir/E.ras whose time is at or after t, concatenated
 * (malloc'd). */
static char *raster_from(const char *dir, double t) {
  char path[600], line[256];
  snprintf(path, sizeof path, "%s/E.ras", dir);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  size_t cap = 1 << 16, len = 0;
  char *out = malloc(cap);
  ck_assert_ptr_nonnull(out);
  out[0] = 0;
  while (fgets(line, sizeof line, f)) {
    char *end;
    double x = strtod(line, &end);
    if (end == line || x < t) continue; /* a header, or before t */
    size_t l = strlen(line);
    while (len + l + 1 > cap) out = realloc(out, cap *= 2);
    ck_assert_ptr_nonnull(out);
    memcpy(out + len, line, l + 1);
    len += l;
  }
  fclose(f);
  return out;
}

START_TEST(test_raster_switched_on_between_phases) {
  /* E's raster off at the start and switched on at a phase's end inside
   * the window of a spike of E: E.ras holds exactly the one go's spikes
   * from then on (the window's flush after the phase's end does not hand
   * the new listener the spikes before it) */
  char one_dir[512], dir[512];
  collect one = {.n = {0, 0}};
  run(1, NULL, 0, one_dir, sizeof one_dir, &one);
  double t = one.spk[0][one.n[0] / 2].t + 2e-5;
  for (int threads = 1; threads <= 2; threads++) {
    tu_mkdtemp(dir, sizeof dir, "evsnn-found");
    evs_net *net = make_net(NULL);
    int e = evs_net_find_population(net, "E");
    ck_assert_int_eq(evs_net_record_spikes(net, e, 0), EVS_OK);
    evs_error err;
    evs_run_opts opts = {.duration = T_END, .outdir = dir, .threads = threads};
    ck_assert_int_eq(evs_net_start(net, &opts, &err), EVS_OK);
    ck_assert_int_eq(evs_net_run_until(net, t, &err), EVS_OK);
    ck_assert_int_eq(evs_net_record_spikes(net, e, 1), EVS_OK);
    ck_assert_int_eq(evs_net_run_until(net, T_END, &err), EVS_OK);
    ck_assert_int_eq(evs_net_finish(net, &err), EVS_OK);
    evs_net_free(net);
    char *want = raster_from(one_dir, t), *got = raster_from(dir, 0);
    ck_assert_msg(strlen(want) > 100 && !strcmp(want, got),
                  "%d threads: E.ras from %.9g s differs from the one go's",
                  threads, t);
    free(want);
    free(got);
    tu_rm_rf(dir);
  }
  tu_rm_rf(one_dir);
  free(one.spk[0]);
  free(one.spk[1]);
}
END_TEST

/* The lines of dir/learning.tsv after its header (malloc'd, NUL-separated
 * in one block), *n of them. */
static char *learning_rows(const char *dir, size_t *n) {
  char path[600];
  snprintf(path, sizeof path, "%s/learning.tsv", dir);
  size_t len;
  char *text = slurp(path, &len);
  text[len] = 0;
  *n = 0;
  char *p = strchr(text, '\n');
  ck_assert_ptr_nonnull(p);
  for (char *q = p + 1; *q; q++) *n += *q == '\n';
  return text;
}

START_TEST(test_learning_rows_between_phases) {
  /* S1 for 5 trials of 0.5 s, in phases ending inside trial 2, at the end
   * of trial 2 (its row comes with the next phase), inside trial 4 and at
   * the end of the run, whose last row comes with evs_net_finish, the
   * run stopped at 1.9 s with a checkpoint and resumed from it: after each
   * phase the learner's rows are the trials that ended before it, and at
   * the end every row is learning.tsv's line (as the file prints it) */
  const char *dir = getenv("MODELS");
  char path[1024], out[512];
  snprintf(path, sizeof path, "%s/s1_single.ini", dir ? dir : "models");
  const char *set[] = {"simulation.duration=2.5s"};
  evs_model_opts mo = {.overrides = set, .n_overrides = 1};
  evs_model *m = NULL;
  evs_error err;
  ck_assert_msg(evs_model_load_file(path, &mo, &m, &err) == EVS_OK, "%s",
                err.msg);
  tu_mkdtemp(out, sizeof out, "evsnn-found");
  m->run.outdir = out;
  const evs_superspike_trial *rows;
  size_t n;
  ck_assert_int_eq(evs_net_superspike_trials(m->net, &rows, &n), EVS_OK);
  ck_assert_uint_eq(n, 0);
  char ckpt[600];
  snprintf(ckpt, sizeof ckpt, "%s/run.ckpt", out);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, ckpt, 0, NULL, 0, &err),
                   EVS_OK);
  ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
  const double ends[] = {0.7, 1.0, 1.9, 2.5};
  const size_t want[] = {1, 1, 3, 4}; /* the 5th: with evs_net_finish */
  for (int i = 0; i < 4; i++) {
    if (i == 3) { /* stopped at 1.9 s with a checkpoint, resumed */
      ck_assert_int_eq(evs_net_checkpoint(m->net, &err), EVS_OK);
      ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
      evs_model_free(m);
      ck_assert_int_eq(evs_model_load_file(path, &mo, &m, &err), EVS_OK);
      m->run.outdir = out;
      ck_assert_int_eq(evs_net_set_checkpoint(m->net, ckpt, 0, NULL, 0, &err),
                       EVS_OK);
      ck_assert_msg(evs_net_resume(m->net, &m->run, &err) == EVS_OK, "%s",
                    err.msg);
    }
    ck_assert_int_eq(evs_net_run_until(m->net, ends[i], &err), EVS_OK);
    ck_assert_int_eq(evs_net_superspike_trials(m->net, &rows, &n), EVS_OK);
    ck_assert_uint_eq(n, want[i]);
    for (size_t k = 0; k < n; k++) {
      ck_assert_uint_eq(rows[k].trial, k + 1);
      ck_assert(rows[k].t_end < ends[i]);
    }
  }
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  ck_assert_int_eq(evs_net_superspike_trials(m->net, &rows, &n), EVS_OK);
  size_t lines;
  char *text = learning_rows(out, &lines);
  ck_assert_uint_eq(n, 5);
  ck_assert_uint_eq(lines, n);
  char *line = strchr(text, '\n') + 1;
  for (size_t k = 0; k < n; k++) {
    char mine[256];
    snprintf(mine, sizeof mine, "%llu\t%.9g\t%llu\t%.6g\t%.9g\t%.9g\n",
             (unsigned long long)rows[k].trial, rows[k].loss,
             (unsigned long long)rows[k].spikes, rows[k].accuracy,
             rows[k].t_end, rows[k].r0);
    ck_assert_msg(strncmp(line, mine, strlen(mine)) == 0,
                  "row %zu: '%s', learning.tsv has '%.*s'", k, mine,
                  (int)strlen(mine), line);
    line += strlen(mine);
  }
  free(text);
  evs_model_free(m);
  unlink(ckpt);
  tu_rm_rf(out);
}
END_TEST

static Suite *phase_found_suite(void) {
  Suite *s = suite_create("phase_found");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 300);
  tcase_add_test(tc, test_phase_end_tells_spikes_before_it);
  tcase_add_test(tc, test_raster_switched_on_between_phases);
  tcase_add_test(tc, test_learning_rows_between_phases);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(phase_found_suite()); }
