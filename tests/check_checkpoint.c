/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: checkpoints through the public API (evsnn/checkpoint.h).
 *
 * A run without output files saved between phases and resumed in a new net
 * ends with the spike counts and weights of the run that never stopped; a
 * checkpoint is refused by a net built from another model (another
 * connection probability, another seed), naming what differs; a plug-in
 * without a checkpoint hook refuses periodic checkpoints at the start and
 * evs_net_checkpoint later, saying why; a checkpoint written on 1, 2 or 3
 * threads resumes on another number of threads with the counts of the
 * one-thread run that never stopped. */
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

/* models/NAME ($MODELS) with the overrides set[0..n) ($TESTDATA in a value
 * written @ is replaced by tests/data) and seed 7. */
static evs_model *model(const char *name, const char *const *set, size_t n) {
  const char *dir = getenv("MODELS"), *data = getenv("TESTDATA");
  char path[1024], buf[8][512];
  const char *sets[8];
  ck_assert(n <= 8);
  for (size_t i = 0; i < n; i++) {
    const char *at = strchr(set[i], '@');
    if (at)
      snprintf(buf[i], sizeof buf[i], "%.*s%s%s", (int)(at - set[i]), set[i],
               data ? data : "tests/data", at + 1);
    else
      snprintf(buf[i], sizeof buf[i], "%s", set[i]);
    sets[i] = buf[i];
  }
  snprintf(path, sizeof path, "%s/%s", dir ? dir : "models", name);
  evs_model_opts mo = {
      .overrides = sets, .n_overrides = n, .seed_set = 1, .seed = 7};
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", path, err.msg);
  return m;
}

/* The bytes of the file at path (*n of them; malloc'd). */
static unsigned char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  ck_assert_msg(f != NULL, "%s", path);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  rewind(f);
  unsigned char *b = malloc(len > 0 ? (size_t)len : 1);
  ck_assert(b && fread(b, 1, (size_t)len, f) == (size_t)len);
  fclose(f);
  *n = (size_t)len;
  return b;
}

/* The checkpoint of a model written on 2 and 3 threads holds the state of
 * the one written on one thread at the same time, byte for byte: the files
 * differ only in the run's statistics (the threads' queue operations and
 * the wall times: one stretch of at most 16 + sizeof(evs_run_stats)
 * bytes) and the CRC-32 (the last 4 bytes). CUBA (exact neurons and their
 * calendar), COBA with pair STDP made sparse (rows without synapses on some
 * thread: presynaptic traces from the thread holding the row) and P5
 * (conductance types with adaptation, orchestrated plasticity and its
 * per-synapse reference weights, short-term plasticity per delivery group,
 * inhibitory STDP on a whole population, sources). */
START_TEST(test_threads_same_state) {
  static const char *const cuba_set[] = {"E.size=400",
                                         "I.size=100",
                                         "EE.p=0.1",
                                         "EI.p=0.1",
                                         "IE.p=0.1",
                                         "II.p=0.1",
                                         "simulation.duration=0.3s"};
  static const char *const coba_set[] = {
      "E.size=800", "I.size=200", "EE.p=0.004", "simulation.duration=0.3s"};
  static const char *const p5_set[] = {"P.file=@/input.ras", "EE.cons_dt=0.05s",
                                       "simulation.duration=0.5s"};
  static const struct {
    const char *file;
    const char *const *set;
    size_t n;
    double t;
  } models[] = {{"cuba.ini", cuba_set, 7, 0.1234},
                {"coba_stdp.ini", coba_set, 4, 0.2377},
                {"p5_assemblies.ini", p5_set, 3, 0.4123}};
  char path[512];
  ckpt_path(path, sizeof path, "state");
  for (size_t k = 0; k < sizeof models / sizeof models[0]; k++) {
    unsigned char *ref = NULL;
    size_t nref = 0;
    for (int th = 1; th <= 3; th++) {
      evs_model *m = model(models[k].file, models[k].set, models[k].n);
      m->run.threads = th;
      run_to(m, path, models[k].t);
      evs_model_free(m);
      size_t n;
      unsigned char *b = slurp(path, &n);
      if (th == 1) {
        ref = b;
        nref = n;
        continue;
      }
      ck_assert_msg(n == nref, "%s on %d threads: %zu bytes, on 1: %zu",
                    models[k].file, th, n, nref);
      size_t first = n, last = 0;
      for (size_t i = 0; i + 4 < n; i++)
        if (b[i] != ref[i]) {
          if (first == n) first = i;
          last = i;
        }
      ck_assert_msg(first == n || last - first < 16 + sizeof(evs_run_stats),
                    "%s on %d threads: bytes %zu to %zu differ from one "
                    "thread's",
                    models[k].file, th, first, last);
      free(b);
    }
    free(ref);
  }
  unlink(path);
}
END_TEST

/* A checkpoint at 0.1234 s of a run on `wrote` threads, resumed on `reads`
 * threads, ends with the spike counts, synaptic events and end of the
 * one-thread run that never stopped. */
START_TEST(test_threads_resume) {
  /* {threads that write, threads that read, periodic}: a periodic
   * checkpoint (due at every look at the clock) is taken at a barrier of
   * the threads, the last one before 0.05 s is resumed */
  static const int cases[][3] = {
      {2, 1, 0}, {1, 2, 0}, {2, 3, 0}, {3, 3, 0}, {2, 1, 1}};
  char path[512];
  ckpt_path(path, sizeof path, "threads");
  evs_model *whole = cuba(NULL, 7);
  evs_error err;
  whole->run.outdir = NULL;
  ck_assert_int_eq(evs_net_run(whole->net, &whole->run, &err), EVS_OK);
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    evs_model *a = cuba(NULL, 7);
    a->run.threads = cases[c][0];
    if (cases[c][2]) {
      ck_assert_int_eq(
          evs_net_set_checkpoint(a->net, path, 1e-9, NULL, 0, &err), EVS_OK);
      a->run.outdir = NULL;
      ck_assert_int_eq(evs_net_start(a->net, &a->run, &err), EVS_OK);
      ck_assert_int_eq(evs_net_run_until(a->net, 0.05, &err), EVS_OK);
      ck_assert_int_eq(evs_net_finish(a->net, &err), EVS_OK);
      evs_checkpoint_info info;
      ck_assert_msg(evs_checkpoint_info_read(path, &info, &err) == EVS_OK, "%s",
                    err.msg);
      ck_assert_msg(info.t > 0.02 && info.t < 0.05, "t = %g", info.t);
      free(info.meta);
    } else {
      run_to(a, path, 0.1234);
    }
    evs_model *b = cuba(NULL, 7);
    ck_assert_int_eq(evs_net_set_checkpoint(b->net, path, 0, NULL, 0, &err),
                     EVS_OK);
    b->run.outdir = NULL;
    b->run.threads = cases[c][1];
    ck_assert_msg(evs_net_resume(b->net, &b->run, &err) == EVS_OK, "%s",
                  err.msg);
    ck_assert_int_eq(evs_net_run_until(b->net, 0.3, &err), EVS_OK);
    ck_assert_int_eq(evs_net_finish(b->net, &err), EVS_OK);
    for (int i = 0; i < evs_net_population_count(whole->net); i++) {
      evs_pop_info x, y;
      evs_net_population_info(whole->net, i, &x);
      evs_net_population_info(b->net, i, &y);
      ck_assert_msg(x.spikes == y.spikes && x.spikes > 0,
                    "threads %d then %d: %s: %llu spikes, resumed %llu",
                    cases[c][0], cases[c][1], x.name,
                    (unsigned long long)x.spikes, (unsigned long long)y.spikes);
    }
    evs_run_stats sx, sy;
    evs_net_stats(whole->net, &sx);
    evs_net_stats(b->net, &sy);
    ck_assert_msg(sx.syn_events == sy.syn_events && sx.t_end == sy.t_end,
                  "threads %d then %d: %llu synaptic events, resumed %llu",
                  cases[c][0], cases[c][1], (unsigned long long)sx.syn_events,
                  (unsigned long long)sy.syn_events);
    evs_model_free(a);
    evs_model_free(b);
  }
  evs_model_free(whole);
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
  tcase_add_test(tc, test_threads_resume);
  tcase_add_test(tc, test_threads_same_state);
  tcase_add_test(tc, test_another_model_refused);
  tcase_add_test(tc, test_unsaveable_refused);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(checkpoint_suite()); }
