/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Check suite: plug-ins through the public API only (evsnn/plugin.h).
 *
 * A plug-in that counts the spikes of every population and ticks its own
 * clock must see exactly the spikes the library counts (evs_pop_info), in
 * time order, all before the run's end; its clock must fire at k * 10 ms;
 * its hooks must run once each in the documented order; a plug-in that
 * stops the run must end it at its time with EVS_ESTOPPED; bad requests
 * are refused; plug-ins' summary columns land in summary.tsv in the order
 * the plug-ins were added; a plug-in added after the build is built then. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_util.h"
#include "evsnn/evsnn.h"

#define STEP 0.01 /* s: the test plug-in's clock */
#define NPOP 2

typedef struct watch {
  int built, started, finished, destroyed; /* hook calls, in call order */
  int order;                               /* counter giving those orders */
  uint64_t spikes[NPOP];                   /* spikes seen per population */
  double last[NPOP];                       /* s: latest spike seen */
  int unsorted;                            /* a spike before the last */
  double late;                             /* s: latest spike time seen */
  uint64_t ticks;                          /* clock calls */
  int off_clock;                           /* a clock call not at k STEP */
  double t_finish;                         /* s: finish's t_end */
  double stop_at;                          /* s: stop there (0: never) */
  int bad_kind;                            /* evs_run_push's status for a
                                              delivery kind */
} watch;

static int w_build(evs_plugin *pl, evs_net *net, evs_error *err) {
  (void)net;
  (void)err;
  watch *w = evs_plugin_state(pl);
  w->built = ++w->order;
  return EVS_OK;
}

static int w_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  watch *w = evs_plugin_state(pl);
  w->started = ++w->order;
  w->bad_kind = evs_run_push(run, pl, STEP, EVS_EV_DELIVER, 0, 0);
  for (uint32_t i = 0; i < NPOP; i++) {
    int rc = evs_run_listen(run, pl, i);
    if (rc) return rc;
  }
  return evs_run_push(run, pl, STEP, EVS_EV_PROTOCOL, 0, 1);
}

static int w_clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  watch *w = evs_plugin_state(pl);
  w->ticks++;
  if (ev->arg != w->ticks || fabs(ev->t - (double)ev->arg * STEP) > 1e-15)
    w->off_clock = 1;
  if (w->stop_at > 0 && ev->t >= w->stop_at - 1e-12) {
    evs_run_stop(run, ev->t, "the test said so", "test: stopped");
    return EVS_OK;
  }
  return evs_run_push(run, pl, (double)(ev->arg + 1) * STEP, EVS_EV_PROTOCOL, 0,
                      ev->arg + 1);
}

static int w_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                    const evs_spike *spk, size_t n) {
  watch *w = evs_plugin_state(pl);
  double end = evs_run_end(run);
  for (size_t i = 0; i < n; i++) {
    if (spk[i].t < w->last[pop]) w->unsorted = 1;
    w->last[pop] = spk[i].t;
    if (spk[i].t >= end) w->late = spk[i].t;
  }
  w->spikes[pop] += n;
  return EVS_OK;
}

static int w_finish(evs_plugin *pl, evs_run *run, double t_end) {
  (void)run;
  watch *w = evs_plugin_state(pl);
  w->finished = ++w->order;
  w->t_finish = t_end;
  return EVS_OK;
}

/* The state is the test's: destroy only records the call. */
static void w_destroy(evs_plugin *pl) {
  watch *w = evs_plugin_state(pl);
  w->destroyed = ++w->order;
}

static const evs_plugin_type watcher = {
    .name = "test watcher",
    .build = w_build,
    .start = w_start,
    .clock = w_clock,
    .spikes = w_spikes,
    .finish = w_finish,
    .destroy = w_destroy,
};

/* Poisson input (200 neurons, 20 Hz) onto 50 IF_curr_exp neurons that a
 * DC input makes fire regularly. */
static evs_net *make_net(watch *w) {
  evs_net *net;
  evs_error err;
  ck_assert_int_eq(evs_net_new(&net, 5, 1e-4), EVS_OK);
  int in = evs_net_add_population(net, "in", "SpikeSourcePoisson", 200, &err);
  int out = evs_net_add_population(net, "out", "IF_curr_exp", 50, &err);
  ck_assert_int_eq(in, 0);
  ck_assert_int_eq(out, 1);
  evs_dist rate = evs_dist_const(20);
  ck_assert_int_eq(evs_net_set_param(net, in, "rate", &rate, &err), EVS_OK);
  ck_assert_int_eq(evs_net_add_dc(net, out, 20e-3, EVS_DIM_VOLTAGE, &err),
                   EVS_OK);
  evs_conn_spec spec = {.kind = EVS_CONN_FIXED_PROBABILITY,
                        .p = 0.1,
                        .weight = evs_dist_const(1e-3),
                        .delay = evs_dist_const(1e-3)};
  ck_assert_int_ge(evs_net_connect(net, "in_out", in, out, EVS_RECEPTOR_EXC,
                                   &spec, EVS_DIM_VOLTAGE, &err),
                   0);
  ck_assert_int_eq(evs_net_add_plugin(net, &watcher, w, &err), EVS_OK);
  return net;
}

START_TEST(test_watcher_sees_the_run) {
  watch w = {0};
  evs_net *net = make_net(&w);
  evs_error err;
  evs_run_opts opts = {.duration = 0.2};
  ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_OK);
  for (int i = 0; i < NPOP; i++) {
    evs_pop_info info;
    ck_assert_int_eq(evs_net_population_info(net, i, &info), EVS_OK);
    ck_assert_uint_gt(info.spikes, 0);
    ck_assert_uint_eq(w.spikes[i], info.spikes);
  }
  ck_assert_int_eq(w.unsorted, 0);
  ck_assert(w.late == 0);
  ck_assert_uint_eq(w.ticks, 19); /* 10 ms .. 190 ms */
  ck_assert_int_eq(w.off_clock, 0);
  ck_assert_int_eq(w.bad_kind, EVS_EINVAL);
  ck_assert_int_eq(w.built, 1);
  ck_assert_int_eq(w.started, 2);
  ck_assert_int_eq(w.finished, 3);
  ck_assert(w.t_finish == 0.2);
  ck_assert_int_eq(w.destroyed, 0);
  watch late = {0};
  ck_assert_int_eq(evs_net_add_plugin(net, &watcher, &late, &err), EVS_ESTATE);
  ck_assert_int_eq(late.destroyed, 1); /* the net took it and freed it */
  evs_net_free(net);
  ck_assert_int_eq(w.destroyed, 4);
}
END_TEST

START_TEST(test_plugin_stops_the_run) {
  watch w = {.stop_at = 0.05};
  evs_net *net = make_net(&w);
  evs_error err;
  evs_run_opts opts = {.duration = 0.2};
  ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_ESTOPPED);
  ck_assert_str_eq(err.msg, "stopped at t = 0.05 s: the test said so");
  evs_run_stats st;
  evs_net_stats(net, &st);
  ck_assert(fabs(st.t_end - 0.05) < 1e-15);
  ck_assert(w.t_finish == st.t_end);
  ck_assert_uint_eq(w.ticks, 5);
  ck_assert(w.late == 0);
  evs_net_free(net);
}
END_TEST

/* A build hook that refuses (EVS_EINVAL). */
static int w_build_fails(evs_plugin *pl, evs_net *net, evs_error *err) {
  (void)net;
  watch *w = evs_plugin_state(pl);
  w->built = ++w->order;
  return evs_error_set(err, EVS_EINVAL, NULL, 0, "test: build refused");
}

static const evs_plugin_type refuser = {
    .name = "test refuser",
    .build = w_build_fails,
    .start = w_start,
    .destroy = w_destroy,
};

/* A plug-in added after evs_net_build is built at once (its build hook
 * called once, before start), then sees the run as one added before the
 * build; one whose build refuses is not added: destroyed, and the run goes
 * on without it. */
START_TEST(test_added_after_build) {
  watch w0 = {0}, w = {0}, bad = {0};
  evs_net *net = make_net(&w0);
  evs_error err;
  ck_assert_int_eq(evs_net_build(net, &err), EVS_OK);
  ck_assert_int_eq(w0.built, 1);
  ck_assert_int_eq(evs_net_add_plugin(net, &watcher, &w, &err), EVS_OK);
  ck_assert_int_eq(w.built, 1);
  ck_assert_int_eq(evs_net_add_plugin(net, &refuser, &bad, &err), EVS_EINVAL);
  ck_assert_str_eq(err.msg, "test: build refused");
  ck_assert_int_eq(bad.built, 1);
  ck_assert_int_eq(bad.destroyed, 2);
  evs_run_opts opts = {.duration = 0.2};
  ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_OK);
  ck_assert_int_eq(w.built, 1);
  ck_assert_int_eq(w.started, 2);
  ck_assert_int_eq(w.finished, 3);
  ck_assert_int_eq(bad.started, 0);
  ck_assert_uint_eq(w.ticks, 19);
  for (int i = 0; i < NPOP; i++) ck_assert_uint_eq(w.spikes[i], w0.spikes[i]);
  evs_net_free(net);
  ck_assert_int_eq(w.destroyed, 4);
  ck_assert_int_eq(bad.destroyed, 2);
}
END_TEST

/* Summary columns: "seen" the spikes the watcher saw in the population;
 * the second plug-in's two columns "twice" and "name", from its own
 * watcher's count. */
static void w_summary(evs_plugin *pl, evs_run *run, uint32_t pop, char *cells,
                      size_t size) {
  (void)run;
  const watch *w = evs_plugin_state(pl);
  snprintf(cells, size, "%llu", (unsigned long long)w->spikes[pop]);
}

static void w_summary2(evs_plugin *pl, evs_run *run, uint32_t pop, char *cells,
                       size_t size) {
  (void)run;
  const watch *w = evs_plugin_state(pl);
  snprintf(cells, size, "%llu\tp%u", 2 * (unsigned long long)w->spikes[pop],
           (unsigned)pop);
}

static const evs_plugin_type counter = {
    .name = "test counter",
    .start = w_start,
    .clock = w_clock,
    .spikes = w_spikes,
    .summary_columns = "seen",
    .summary = w_summary,
};

static const evs_plugin_type counter2 = {
    .name = "test counter 2",
    .start = w_start,
    .clock = w_clock,
    .spikes = w_spikes,
    .summary_columns = "twice\tname",
    .summary = w_summary2,
};

START_TEST(test_summary_columns) {
  watch w0 = {0}, w1 = {0}, w2 = {0};
  evs_net *net = make_net(&w0);
  evs_error err;
  ck_assert_int_eq(evs_net_add_plugin(net, &counter, &w1, &err), EVS_OK);
  ck_assert_int_eq(evs_net_add_plugin(net, &counter2, &w2, &err), EVS_OK);
  char dir[512], path[600], line[256];
  tu_mkdtemp(dir, sizeof dir, "plugin_summary");
  evs_run_opts opts = {.duration = 0.2, .outdir = dir};
  ck_assert_int_eq(evs_net_run(net, &opts, &err), EVS_OK);
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
  ck_assert_str_eq(line,
                   "population\tneurons\tspikes\trate_hz\tseen\ttwice\tname\n");
  for (int i = 0; i < NPOP; i++) {
    evs_pop_info info;
    ck_assert_int_eq(evs_net_population_info(net, i, &info), EVS_OK);
    char want[256], rate[64];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    /* the rate column as the library writes it: copied from the line */
    const char *r = line;
    for (int tab = 0; tab < 3; tab++) r = strchr(r, '\t') + 1;
    size_t rl = strcspn(r, "\t");
    memcpy(rate, r, rl);
    rate[rl] = '\0';
    snprintf(want, sizeof want, "%s\t%u\t%llu\t%s\t%llu\t%llu\tp%d\n",
             info.name, (unsigned)info.size, (unsigned long long)info.spikes,
             rate, (unsigned long long)info.spikes,
             2 * (unsigned long long)info.spikes, i);
    ck_assert_uint_gt(info.spikes, 0);
    ck_assert_str_eq(line, want);
  }
  ck_assert_ptr_null(fgets(line, sizeof line, f));
  fclose(f);
  evs_net_free(net);
  ck_assert_int_eq(tu_rm_rf(dir), 0);
}
END_TEST

static Suite *plugin_suite(void) {
  Suite *s = suite_create("plugin");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, test_watcher_sees_the_run);
  tcase_add_test(tc, test_plugin_stops_the_run);
  tcase_add_test(tc, test_summary_columns);
  tcase_add_test(tc, test_added_after_build);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(plugin_suite()); }
