/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, private: the validated description that the check
 * stage makes of [simulation] and of each [population] and [projection]
 * section and the build stage hands to the net (model_build.c,
 * model_population.c, model_projection.c). Plain
 * structs: every value that came from the file keeps the key it came from
 * (its line, or the --set text that wrote it), so that an error the net
 * finds while building is reported at that key. Not installed. */
#ifndef EVSNN_MODEL_DESC_H
#define EVSNN_MODEL_DESC_H

#include <stdint.h>

#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/net.h"
#include "evsnn/neuron.h"
#include "evsnn/spikes.h"
#include "evsnn/units.h"
#include "model/model_impl.h"

/* [simulation], checked. */
typedef struct evs__model_sim_desc {
  double duration, resolution; /* s */
  uint64_t seed;
  int threads;                   /* threads of the run (1: one) */
  evs_spike_format spike_format; /* spike_format (default ras) */
  double checkpoint_every;       /* s of wall time; 0: unset */
} evs__model_sim_desc;

/* A parameter of a population, checked: its key (name, line) and its value
 * or its file. */
typedef struct evs__model_param_desc {
  const evs__model_key *key;
  evs_dist value; /* under [network] k_scale (background_rate, _weight) */
  char *path;     /* a file parameter's resolved path (owned), else NULL */
} evs__model_param_desc;

/* A [population NAME] section, checked: what evs_net_add_population and
 * the parameter setters take, and the keys it came from. */
typedef struct evs__model_pop_desc {
  const char *type; /* the net's type (integration = grid: IF_curr_exp_grid) */
  const evs_param_def *defs; /* the type's parameter table */
  size_t nd;
  evs_pop_kind kind;
  uint32_t size;              /* under [network] scale */
  evs__model_param_desc *par; /* the parameters given, in file order */
  size_t npar;
  int has_dc; /* 1: the background (or its compensation) as a constant
                 current dc (A), from key dc_key (background_rate) */
  double dc;
  const evs__model_key *dc_key;
} evs__model_pop_desc;

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

/* Checks population section s (its type, size, parameters, recordings and
 * rate check) and records its description in s->pop (allocated; freed by
 * evs__model_desc_free). Returns EVS_OK, or EVS_EMODEL / EVS_ENOMEM
 * reported at the key at fault. (model_population.c) */
int evs__model_population_check(evs__model_ctx *c, evs__model_sec *s);

/* Adds population s, as checked (s->pop), to net (s->pop_index) with its
 * parameters, background current, recordings and rate check. Returns
 * EVS_OK or the net's error reported at the key it names. */
int evs__model_population_build(evs__model_ctx *c, evs__model_sec *s,
                                evs_net *net);

/* Checks projection section s against c's tables (populations by name,
 * the [simulation] sim, [network]) and records its description in s->proj
 * (allocated; freed by evs__model_desc_free) and its cost estimate
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

/* Frees the description of s (s->pop, s->proj; NULL: none) and sets it to
 * NULL. (model_build.c) */
void evs__model_desc_free(evs__model_sec *s);

#endif
