/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the SuperSpike learner's hooks into the net and the
 * scheduler (the user-facing contract is include/evsnn/superspike.h).
 *
 * Life of a learner: evs_net_superspike adds it to the net as a plug-in
 * (evs__superspike_plugin, core/plugin.h) holding the spec; the plug-in's
 * build hook calls evs__superspike_start once every projection is built
 * (its learning projections carry the rule "superspike", whose handlers
 * feed the learner's traces); its start hook calls evs__superspike_open
 * with the run's output, its clock evs__superspike_tick at every tick of
 * the error-broadcast clock, k dt for k = 0, 1, ..., each after every other
 * event of its time but other protocol events (deliveries at the tick's
 * time have been received; its events' source is UINT32_MAX), and its
 * finish hook evs__superspike_finish after the last event. */
#ifndef EVSNN_SUPERSPIKE_PRIVATE_H
#define EVSNN_SUPERSPIKE_PRIVATE_H

#include "core/plugin.h"
#include "core/net_impl.h"
#include "io/output.h"
#include "evsnn/superspike.h"

typedef struct evs_superspike evs_superspike;

/* The plug-in (superspike.c); its state is the learner. */
extern const evs_plugin_type evs__superspike_plugin;

/* The learner of net, or NULL when evs_net_superspike was not called. */
evs_superspike *evs__superspike_of(const evs_net *net);

/* Readies ss for net's built projections: finds the learning projections
 * and populations, reads the target file, allocates the window series and
 * workspaces, draws the random feedback matrices. Returns EVS_OK or an
 * error naming what is wrong. */
int evs__superspike_start(evs_superspike *ss, evs_net *net, evs_error *err);

/* Frees ss (NULL allowed). */
void evs__superspike_free(evs_superspike *ss);

/* Opens learning.tsv and writes <output>_target.ras in o, for a run of
 * duration seconds (outputs.tsv scores the trials of its last
 * EVS__SUPERSPIKE_LAST). Returns EVS_OK or a negative status. */
#define EVS__SUPERSPIKE_LAST 100
int evs__superspike_open(evs_superspike *ss, evs_output *o, double duration,
                         evs_error *err);

/* The tick at time t (= the time evs__superspike_next returned): closes the
 * window and updates the weights when due, writes the row of a trial that
 * ended at t, then samples every series. Returns EVS_OK or the status of a
 * population that failed. */
int evs__superspike_tick(evs_superspike *ss, double t);

/* Time of the next tick, s. */
double evs__superspike_next(const evs_superspike *ss);

/* After the run's last event at t_end: writes the row of a trial that ended
 * exactly at t_end (its tick is not part of the run), then outputs.tsv:
 * per output neuron, its target spikes per target period and the fraction
 * of the last EVS__SUPERSPIKE_LAST trials (of those the run was to have) in
 * which it matched them (the accuracy criterion of learning.tsv). */
int evs__superspike_finish(evs_superspike *ss, double t_end);

/* The SuperSpike columns of population pop's row of summary.tsv, into
 * cells (cap bytes): "LOSS\tACCURACY", the means of the loss (1/s) and the
 * accuracy of learning.tsv over the trials that outputs.tsv scores (the
 * run's last EVS__SUPERSPIKE_LAST), for the output population; "nan\tnan"
 * for any other population or when none of those trials ran. Returns 1
 * when it wrote numbers. */
#define EVS__SUPERSPIKE_SUMMARY_HEADER "loss_last\taccuracy_last"
int evs__superspike_summary(const evs_superspike *ss, const evs_pop *pop,
                            char *cells, size_t cap);

/* For tests: the longest window, ticks (the update interval, capped by the
 * series memory; src/rules/superspike_setup.c). */
size_t evs__superspike_window(const evs_superspike *ss);

/* For tests and tools: closes the open window (its gradient joins the sum;
 * windows may split anywhere) and returns the gradient sum m of proj's
 * synapses (CSR order) since the last update, or NULL when proj does not
 * learn with SuperSpike. */
const double *evs__superspike_gradient(evs_superspike *ss,
                                       const evs_proj *proj);

#endif
