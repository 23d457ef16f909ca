/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: checkpoints through the public API (evsnn/checkpoint.h).
 *
 * A run without output files saved between phases and resumed in a new net
 * ends with the spike counts and weights of the run that never stopped; a
 * checkpoint is refused by a net built from another model (another
 * connection probability, another seed), naming what differs; a plug-in
 * without a checkpoint hook, and a threaded run, refuse periodic
 * checkpoints at the start and evs_net_checkpoint later, saying why. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

static const char *const small[] = {
    "E.size=400", "I.size=100", "EE.p=0.1",       "EI.p=0.1",
    "IE.p=0.1",   "II.p=0.1",   "E.record_v=0-0", "simulation.duration=0.3s"};
enum { N_SMALL = sizeof small / sizeof small[0] };

/* models/cuba.ini ($MODELS) at 500 neurons with extra overrides and seed. */
static evs_model *cuba(const char *extra, uint64_t seed) {
  const char *dir = getenv("MODELS");
  char path[1024];
  const char *set[N_SMALL + 1];
  size_t n = 0;
  for (; n < N_SMALL; n++) set[n] = small[n];
  if (extra) set[n++] = extra;
  snprintf(path, sizeof path, "%s/cuba.ini", dir ? dir : "models");
  evs_model_opts mo = {
      .overrides = set, .n_overrides = n, .seed_set = 1, .seed = seed};
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", path, err.msg);
  return m;
}

/* A checkpoint file's path in the test's scratch folder. */
static void ckpt_path(char *path, size_t size, const char *name) {
  snprintf(path, size, "%s/evsnn-ckpt-%ld-%s",
           getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (long)getpid(), name);
}

/* Runs m without output to t, saves a checkpoint to path, finishes. */
static void run_to(evs_model *m, const char *path, double t) {
  evs_error err;
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, 0, "meta", 4, &err),
                   EVS_OK);
  m->run.outdir = NULL;
  ck_assert_msg(evs_net_start(m->net, &m->run, &err) == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_run_until(m->net, t, &err), EVS_OK);
  ck_assert_msg(evs_net_checkpoint(m->net, &err) == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
}

START_TEST(test_resume_without_files) {
  char path[512];
  ckpt_path(path, sizeof path, "plain");
  evs_model *whole = cuba(NULL, 7);
  evs_error err;
  whole->run.outdir = NULL;
  ck_assert_int_eq(evs_net_run(whole->net, &whole->run, &err), EVS_OK);
  evs_model *a = cuba(NULL, 7);
  run_to(a, path, 0.1234);
  evs_checkpoint_info info;
  ck_assert_msg(evs_checkpoint_info_read(path, &info, &err) == EVS_OK, "%s",
                err.msg);
  ck_assert(info.t == 0.1234 && info.duration == 0.3 && info.seed == 7);
  ck_assert(info.meta_len == 4 && memcmp(info.meta, "meta", 4) == 0);
  free(info.meta);
  evs_model *b = cuba(NULL, 7);
  ck_assert_int_eq(evs_net_set_checkpoint(b->net, path, 0, NULL, 0, &err),
                   EVS_OK);
  b->run.outdir = NULL;
  ck_assert_msg(evs_net_resume(b->net, &b->run, &err) == EVS_OK, "%s", err.msg);
  ck_assert_int_eq(evs_net_run_until(b->net, 0.3, &err), EVS_OK);
  ck_assert_int_eq(evs_net_finish(b->net, &err), EVS_OK);
  /* the spike counts of the whole run, not of its part after 0.1234 s */
  for (int i = 0; i < evs_net_population_count(whole->net); i++) {
    evs_pop_info x, y;
    evs_net_population_info(whole->net, i, &x);
    evs_net_population_info(b->net, i, &y);
    ck_assert_msg(x.spikes == y.spikes && x.spikes > 0,
                  "%s: %llu spikes, resumed %llu", x.name,
                  (unsigned long long)x.spikes, (unsigned long long)y.spikes);
  }
  evs_run_stats sx, sy;
  evs_net_stats(whole->net, &sx);
  evs_net_stats(b->net, &sy);
  ck_assert(sx.syn_events == sy.syn_events && sx.t_end == sy.t_end);
  evs_model_free(whole);
  evs_model_free(a);
  evs_model_free(b);
  unlink(path);
}
END_TEST

/* Resuming path in m fails with EVS_EINVAL and a message containing
 * want. */
static void refused(evs_model *m, const char *path, const char *want) {
  evs_error err;
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, 0, NULL, 0, &err),
                   EVS_OK);
  m->run.outdir = NULL;
  int rc = evs_net_resume(m->net, &m->run, &err);
  ck_assert_msg(rc == EVS_EINVAL && strstr(err.msg, want),
                "resume: %d '%s', expected '%s'", rc, err.msg, want);
  evs_model_free(m);
}

START_TEST(test_another_model_refused) {
  char path[512];
  ckpt_path(path, sizeof path, "other");
  evs_model *a = cuba(NULL, 7);
  run_to(a, path, 0.05);
  evs_model_free(a);
  refused(cuba("EE.p=0.12", 7), path, "projection EE E E");
  refused(cuba(NULL, 8), path, "seed 7");
  refused(cuba("simulation.duration=0.4s", 7), path, "a run of 0.3 s");
  refused(cuba("E.size=401", 7), path, "population E IF_curr_exp 400");
  unlink(path);
}
END_TEST

static int noop_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)pl, (void)run, (void)err;
  return EVS_OK;
}

static const evs_plugin_type hookless = {.name = "hookless",
                                         .start = noop_start};

START_TEST(test_unsaveable_refused) {
  char path[512];
  ckpt_path(path, sizeof path, "refused");
  evs_error err;
  /* periodic checkpoints asked for: refused at the start */
  evs_model *m = cuba(NULL, 7);
  ck_assert_int_eq(evs_net_add_plugin(m->net, &hookless, NULL, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, 60, NULL, 0, &err),
                   EVS_OK);
  m->run.outdir = NULL;
  int rc = evs_net_start(m->net, &m->run, &err);
  ck_assert_msg(rc == EVS_EINVAL && strstr(err.msg, "plug-in hookless"),
                "%d %s", rc, err.msg);
  evs_model_free(m);
  /* only at an interruption: the run goes on; a checkpoint says why not */
  m = cuba(NULL, 7);
  ck_assert_int_eq(evs_net_add_plugin(m->net, &hookless, NULL, &err), EVS_OK);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, 0, NULL, 0, &err),
                   EVS_OK);
  m->run.outdir = NULL;
  ck_assert_int_eq(evs_net_start(m->net, &m->run, &err), EVS_OK);
  ck_assert_int_eq(evs_net_run_until(m->net, 0.01, &err), EVS_OK);
  rc = evs_net_checkpoint(m->net, &err);
  ck_assert_msg(rc == EVS_EINVAL && strstr(err.msg, "plug-in hookless"),
                "%d %s", rc, err.msg);
  ck_assert(access(path, F_OK) != 0);
  ck_assert_int_eq(evs_net_finish(m->net, &err), EVS_OK);
  evs_model_free(m);
  /* a threaded run */
  m = cuba(NULL, 7);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, 60, NULL, 0, &err),
                   EVS_OK);
  m->run.outdir = NULL;
  m->run.threads = 2;
  rc = evs_net_start(m->net, &m->run, &err);
  ck_assert_msg(rc == EVS_EINVAL && strstr(err.msg, "one thread"), "%d %s", rc,
                err.msg);
  evs_model_free(m);
  /* bad settings */
  m = cuba(NULL, 7);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, "", 0, NULL, 0, &err),
                   EVS_EINVAL);
  ck_assert_int_eq(evs_net_set_checkpoint(m->net, path, -1, NULL, 0, &err),
                   EVS_EINVAL);
  ck_assert_int_eq(evs_net_checkpoint(m->net, &err), EVS_ESTATE);
  ck_assert_int_eq(evs_net_resume(m->net, &m->run, &err), EVS_ESTATE);
  evs_model_free(m);
}
END_TEST

static Suite *checkpoint_suite(void) {
  Suite *s = suite_create("checkpoint");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 600);
  tcase_add_test(tc, test_resume_without_files);
  tcase_add_test(tc, test_another_model_refused);
  tcase_add_test(tc, test_unsaveable_refused);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(checkpoint_suite()); }
