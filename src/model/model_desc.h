/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, private: the validated description that the check
 * stage makes of [simulation] and of each [projection] section and the
 * build stage hands to the net (model_build.c, model_projection.c). Plain
 * structs: every value that came from the file keeps the key it came from
 * (its line, or the --set text that wrote it), so that an error the net
 * finds while building is reported at that key. Not installed. */
#ifndef EVSNN_MODEL_DESC_H
#define EVSNN_MODEL_DESC_H

#include <stdint.h>

#include "evsnn/csr.h"
#include "evsnn/neuron.h"
#include "evsnn/spikes.h"
#include "evsnn/units.h"
#include "model/model_impl.h"

/* [simulation], checked. */
typedef struct evs__model_sim_desc {
  double duration, resolution; /* s */
  uint64_t seed;
  int threads;                       /* threads of the run (1: one) */
  const evs__model_key *threads_key; /* where they were asked for, or NULL */
  evs_spike_format spike_format;     /* spike_format (default ras) */
} evs__model_sim_desc;

/* A [projection NAME] section, checked: what evs_net_connect takes, and
 * the keys it came from. */
typedef struct evs__model_proj_desc {
  evs_conn_spec spec; /* under [network] scale and k_scale; spec.path (an
                         edge list, resolved) owned */
  evs_receptor receptor;
  evs_dim wdim; /* of the weights; EVS_DIM_NONE: dimensionless (rate) */
  const evs__model_key *pre, *post; /* the populations, by name */
  const evs__model_key *count;      /* the key that sets the number of synapses:
                                       p, n, or connect */
  int has_dc; /* 1: a DC of dc (wdim units) onto post keeps its mean input
                 under [network] k_scale (reported at count) */
  double dc;
  /* the learning rule (NULL: static) and its parameter table */
  const char *rule;
  const evs_param_def *rdefs;
  size_t nrd;
} evs__model_proj_desc;

/* Checks projection section s against c's tables (populations by name,
 * the [simulation] sim, [network]) and records its description in s->proj
 * (allocated; freed by evs__model_proj_desc_free) and its cost estimate
 * (evs__model_estimate). Returns EVS_OK, or EVS_EMODEL / EVS_ENOMEM
 * reported at the key at fault. (model_projection.c) */
int evs__model_projection_check(evs__model_ctx *c, evs__model_sec *s,
                                const evs__model_sim_desc *sim);

/* Adds projection s, as checked (s->proj), to net: the compensating DC,
 * the synapses (s->proj_index), short-term plasticity and the learning
 * rule; the populations have their indices. Returns EVS_OK or the net's
 * error reported at the key it names (evs_error.key), else at the
 * section's header. */
int evs__model_projection_build(evs__model_ctx *c, evs__model_sec *s,
                                evs_net *net);

/* Frees s->proj (NULL: nothing) and sets it to NULL. */
void evs__model_proj_desc_free(evs__model_sec *s);

#endif
