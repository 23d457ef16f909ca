/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the progress line (evs_run_opts.progress): every 10 ms of
 * simulated time a protocol event of source 0 hands the time to
 * evs__progress (output.c), which prints at most a few times a second; or,
 * for a batch run, to evs__output_progress, which writes a line into
 * run.log every progress_interval of wall time. */
#include <math.h>

#include "core/run.h"
#include "io/output.h"
#include "plugins/plugins.h"

/* Simulated time between progress reports, s. */
#define PROGRESS_STEP 0.01

/* The first report one step after the run's start (a resumed run's
 * checkpoint time). */
static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  double t = PROGRESS_STEP * (floor(evs__run_time(run) / PROGRESS_STEP) + 1);
  if (evs_run_push(run, pl, t, EVS_EV_PROTOCOL, 0, 0))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
}

static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  evs__progress(ev->t, evs_run_end(run));
  return evs_run_push(run, pl, ev->t + PROGRESS_STEP, EVS_EV_PROTOCOL, 0, 0);
}

const evs_plugin_type evs__progress_plugin = {
    .name = "progress",
    .start = start,
    .clock = clock,
};

/* The same clock, into run.log (evs_run_opts.progress = 2). */
static int clock_log(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  evs__output_progress(evs__run_output(run), ev->t, evs_run_end(run),
                       pl->net->progress_interval);
  return evs_run_push(run, pl, ev->t + PROGRESS_STEP, EVS_EV_PROTOCOL, 0, 0);
}

const evs_plugin_type evs__progress_log_plugin = {
    .name = "progress_log",
    .start = start,
    .clock = clock_log,
};
