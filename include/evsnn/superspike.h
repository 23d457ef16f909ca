/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — SuperSpike: surrogate-gradient, three-factor learning of precisely
 * timed output spikes (Zenke & Ganguli 2018; doc/validation.md Part 2).
 *
 * The projections that learn carry the rule "superspike" (evs_net_set_rule,
 * with its parameters w_min and w_max: the projection's weight bounds,
 * default -0.1 V and 0.1 V);
 * one call to evs_net_superspike says which population is the output, where
 * its target spikes come from, and how learning proceeds. At every tick of
 * the error-broadcast clock (dt) the learner samples, for every population
 * that receives a learning projection, the surrogate sigma'(U) of every
 * neuron, the error signal of every output neuron (target and own spikes
 * filtered by the alpha kernel) and the presynaptic PSP trace of every
 * presynaptic neuron; per-synapse work happens once per window, as matrix
 * products (src/rules/ssgrad.h). Every `update` seconds each learning weight
 * moves by at most r0 (the per-synapse normalised update). Hidden populations
 * receive the output errors through their outgoing learning projections
 * with symmetric (current forward weights), fixed random N(0, 1), or
 * uniform (all ones) feedback.
 *
 * Output (when the run writes a folder): learning.tsv, one row per completed
 * trial with columns trial (1-based), loss (van Rossum distance of the
 * trial, 1/2 sum_i integral e_i^2 dt, e with the unit-area alpha kernel, 1/s),
 * spikes (output spikes in the trial), accuracy (fraction of output neurons
 * that fired exactly as many spikes as their targets in the trial, each
 * within +-tolerance of its target, in order; or the class criterion of
 * class_accuracy), t_end (s) and r0 (the
 * learning rate in force, SI weight units; 0 during burn-in); for each
 * trial in record_trials, <population>_trial<N>.ras with the spikes of that
 * trial of every learning population, times relative to the trial's start;
 * <output>_target.ras, the targets of one target period; and outputs.tsv,
 * per output neuron: neuron, targets (its target spikes per target period)
 * and accuracy_last (the fraction of the run's last 100 trials in which it
 * matched its targets). */
#ifndef EVSNN_SUPERSPIKE_H
#define EVSNN_SUPERSPIKE_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "export.h"

struct evs_net;

typedef enum evs_feedback {
  EVS_FEEDBACK_SYMMETRIC = 0, /* e_hidden = W^T e_out, W the current weights */
  EVS_FEEDBACK_RANDOM = 1,    /* a fixed B with N(0, 1) entries, plus the
                                 hidden-layer penalty -rho w z^4 */
  EVS_FEEDBACK_UNIFORM = 2    /* B = 1: a global third factor */
} evs_feedback;

/* s: the smallest dt (as NEST's tic, 1 µs); a smaller one would make a
 * run of any length take forever. */
#define EVS_SUPERSPIKE_DT_MIN 1e-6

typedef struct evs_superspike_spec {
  int output;             /* the output population (index) */
  const char *target;     /* .ras file of target spikes ('time id', time in
                             [0, target_period)), repeated every
                             target_period */
  double target_period;   /* s: a whole number of trials, so that trials
                             may differ (0: one trial) */
  double trial;           /* s: trial length (a whole number of dt) */
  double dt;              /* s: the error-broadcast clock (0.1 ms) */
  double update;          /* s: update interval (0.5 s; a whole number of dt) */
  double r0;              /* learning rate: largest |dw| per update, SI
                             weight units (1e-3 V) */
  double r0_decay_time;   /* s: from here on r0 / r0_decay (400 s) */
  double r0_decay;        /* >= 1 (10) */
  double r0_decay_period; /* s: > 0: r0 is divided by r0_decay again every
                             period after r0_decay_time (0: only once) */
  double burn_in;         /* s: no weight changes before (20 s) */
  double tau_rms;         /* s: time constant of the per-synapse RMS (30 s) */
  double eps;             /* added to the RMS (1e-12) */
  double tau_rise;        /* s: alpha kernel of error and eligibility (5 ms) */
  double tau_decay;       /* s: (10 ms) */
  double psp_rise;        /* s: presynaptic PSP trace kernel (5 ms) */
  double psp_decay;       /* s: (10 ms) */
  double beta;            /* 1/V: surrogate steepness (1000 /V = 1 /mV) */
  double u_floor;         /* V: surrogate is 0 below (-80 mV) */
  evs_feedback feedback;  /* hidden layers' feedback (symmetric) */
  double rho;             /* random feedback's hidden-layer penalty (1) */
  double tau_z;           /* s: its postsynaptic spike trace (100 ms) */
  double tolerance;       /* s: accuracy's timing window (2 ms) */
  int class_accuracy;     /* 1: a trial's accuracy is 1 when the output
                             neuron with the most spikes (no tie) is the
                             one with the most targets in the trial, else
                             0 (classification tasks); 0: the timing
                             criterion above */
  int per_tick;           /* 1: accumulate the gradient with the per-tick
                             reference (every synapse's state streamed at
                             every tick) instead of the windowed method;
                             the same numbers to rounding, for benchmark B4
                             and tests (0) */
  const uint64_t *record_trials; /* trials (1-based) whose rasters are
                                    written; copied */
  size_t n_record_trials;
} evs_superspike_spec;

/* Fills *s with the published values above (output -1, target NULL). */
EVS_API void evs_superspike_defaults(evs_superspike_spec *s);

/* Makes net learn with SuperSpike as *s describes (copied; the target file is
 * read by evs_net_build). Checks the values; a second call replaces the
 * first. Returns EVS_OK, EVS_EINVAL (a value out of range, message in err),
 * EVS_ENOMEM or EVS_ESTATE (net already built). */
EVS_API int evs_net_superspike(struct evs_net *net,
                               const evs_superspike_spec *s, evs_error *err);

/* A row of learning.tsv: one completed trial. */
typedef struct evs_superspike_trial {
  uint64_t trial;  /* 1-based */
  double loss;     /* 1/s: the trial's van Rossum distance */
  uint64_t spikes; /* output spikes in the trial */
  double accuracy;
  double t_end; /* s: the trial's end */
  double r0;    /* the learning rate in force (0 in the burn-in) */
} evs_superspike_trial;

/* The rows of learning.tsv so far (in full precision; the file rounds them
 * to 9 and 6 digits) of net's run, during it: between its phases
 * (evs_net_run_until) every trial that ended before the last phase's end,
 * a trial ending at it with the next phase (or evs_net_finish). *rows
 * points into the learner (valid until the run goes on or the net is
 * freed), *n of them, in trial order. Returns EVS_OK (0 rows before the
 * start), or EVS_EINVAL without a learner (evs_net_superspike). */
EVS_API int evs_net_superspike_trials(const struct evs_net *net,
                                      const evs_superspike_trial **rows,
                                      size_t *n);

#endif
