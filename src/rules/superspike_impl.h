/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the SuperSpike learner's state, shared by its three
 * modules: src/rules/superspike_setup.c (the spec's checks, the start: layers
 * and arrays), src/rules/superspike.c (traces, the error-broadcast clock,
 * windows, updates) and src/rules/superspike_score.c (targets, trials, scores,
 * files). */
#ifndef EVSNN_SUPERSPIKE_IMPL_H
#define EVSNN_SUPERSPIKE_IMPL_H

#include <stdint.h>

#include "rules/ssgrad.h"
#include "rules/superspike.h"
#include "rules/trace_bank.h"

/* The learner's traces in its bank (evs_superspike.bank): each is one
 * array of coefficients over the neurons of every layer or group that has
 * it, a layer's or group's part at an offset. */
enum {
  SS_PA, /* PSP decay part (psp_decay), every layer's pre neurons */
  SS_PB, /* PSP rise part (psp_rise), the same neurons */
  SS_ER, /* error rise part (tau_rise), the output neurons */
  SS_ED, /* error decay part (tau_decay), the output neurons */
  SS_Z,  /* hidden spike trace (tau_z): random feedback's hidden
            neurons, group after group; absent otherwise */
  SS_N_TRACES
};

/* A population that learns: the post population of learning projections. */
typedef struct ss_group {
  evs_pop *pop;
  int output;       /* 1: the output population */
  int thresh;       /* v_thresh's index in pop's parameters: the
                       surrogate's centre, read at each sample (it may
                       change between the phases of a run) */
  double *sg, *err; /* [size*ld] the window's series */
  double *u;        /* [size] scratch: one tick's potentials */
  evs__ssgrad_work *work;
  double *z;      /* [size] random feedback: the coefficients of z (its
                     part of the bank's SS_Z); NULL otherwise */
  double *z4;     /* [size] random feedback: the window's sum of z^4 */
  evs_spike *spk; /* spikes since the current trial began */
  size_t nspk, cap;
} ss_group;

/* A learning projection. */
typedef struct ss_layer {
  evs_superspike *ss; /* the learner */
  evs_proj *proj;
  ss_group *post;
  ss_group *pre;           /* its pre population's group when that learns */
  int owns_post;           /* 1: its on_post reports post's spikes (the
                              first learning projection onto post) */
  double *pa, *pb;         /* [n_pre] coefficients of the PSP trace's parts
                              (its part of the bank's SS_PA, SS_PB) */
  double *p;               /* [n_pre*ld] the window's series */
  double *s1, *s2, *m, *v; /* [nnz] filter states, gradient sum, RMS */
  double *fb;              /* [n_post*n_pre] feedback matrix onto pre's
                              neurons (when pre learns), post-major */
} ss_layer;

struct evs_superspike {
  evs_superspike_spec spec; /* record_trials points at rec */
  char *target_path;
  uint64_t *rec; /* sorted trials to record */
  evs_net *net;
  int idle;      /* 1 on a rank other than 0 of several: rank 0 holds every
                    learning population and runs the learner; this rank
                    keeps its clock only (the same plug-in events) */
  ss_group *grp; /* output first, then every group after all the
                    groups its outgoing learning projections
                    reach (the order errors flow back in) */
  uint32_t ngrp;
  ss_layer *lay;
  uint32_t nlay;
  ss_group *out;
  evs_spike *tgt; /* targets sorted by (time, id), t in
                     [0, target period) */
  size_t ntgt, tgt_next;
  uint64_t tgt_cycle;
  uint32_t *tgt_ptr;   /* [n_out+1] per-neuron target times: */
  double *tgt_time;    /* tgt_time[tgt_ptr[i] .. tgt_ptr[i+1]) sorted */
  evs_trace_bank bank; /* every trace: SS_PA ... SS_Z, rebased at ticks */
  double *er, *ed;     /* [n_out] coefficients of the error's parts (the
                          bank's SS_ER, SS_ED) */
  evs__ssgrad_filter filt;
  uint64_t k;                    /* next tick */
  uint64_t T, U, P;              /* ticks per trial, per update, per target
                                    period (a multiple of T) */
  size_t window, len;            /* window capacity and fill, ticks */
  size_t ld;                     /* row stride of the series, >= window */
  uint64_t since_update;         /* ticks summed into m since the last update */
  double loss;                   /* the current trial's loss so far */
  double r0_now;                 /* r0 of the last update (0: none yet) */
  uint64_t score_from, score_to; /* trials scored per neuron in outputs.tsv */
  uint32_t *correct;             /* [n_out] of those trials, how many matched */
  double sum_loss, sum_acc;      /* of those trials: loss (1/s) and accuracy */
  uint64_t n_scored;             /* of those trials, how many ran */
  uint64_t trials_done;          /* trials whose row is written */
  evs_superspike_trial *rows;    /* [nrows] those rows (of caprows) */
  size_t nrows, caprows;
  evs_output *o;
  int table; /* learning.tsv, or -1 */
};

/* Reads the target file into ss->tgt and indexes it per output neuron
 * (tgt_ptr, tgt_time). Returns EVS_OK or an error naming file and line. */
int evs__ss_read_targets(evs_superspike *ss, evs_error *err);

/* Ends trial n (1-based) at t_end: scores the output spikes before t_end
 * against the trial's targets, writes learning.tsv's row (and the recorded
 * trial's rasters), keeps only the spikes at or after t_end, resets the
 * trial's loss. Returns EVS_OK or an output error. */
int evs__ss_end_trial(evs_superspike *ss, uint64_t n, double t_end);

/* Writes outputs.tsv: per output neuron, its target spikes per target
 * period and the fraction of the scored trials in which it matched them.
 * Nothing without an output folder. Returns EVS_OK or an output error. */
int evs__ss_write_outputs(evs_superspike *ss, evs_error *err);

#endif
