/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a model's description: plain structs that say what a net holds
 * and how it runs, which evs_model_build (model.h) turns into a net.
 *
 * The model-file reader fills one from INI text (evs_model_load_file:
 * read, check, then this description, then the build), every object with
 * the keys its values came from, so that an error found while building is
 * reported at the line of the key at fault. A program fills one itself,
 * without INI text (doc/examples/description.c); its origins may stay
 * zero (errors then carry the library's message alone).
 *
 * Values are SI units. Every array and string is the caller's and is only
 * read during evs_model_build (names are copied by the net). Populations,
 * projections and inputs are added in array order: population i and
 * projection i of the description are those of the net. */
#ifndef EVSNN_MODEL_DESC_H
#define EVSNN_MODEL_DESC_H

#include <stddef.h>
#include <stdint.h>

#include "csr.h"
#include "current.h"
#include "dist.h"
#include "net.h"
#include "spikes.h"
#include "superspike.h"
#include "units.h"

/* Where a value came from. An error reported there reads "--set SET: MSG"
 * when set is not NULL, else "FILE:LINE: MSG" ("FILE: MSG" for line 0)
 * when file is not NULL, else "MSG". */
typedef struct evs_origin {
  const char *file; /* model file, or NULL */
  int line;         /* its line, or 0 */
  const char *set;  /* the --set override that wrote the value, or NULL */
} evs_origin;

/* The origin of one key of an object ("tau_m", "weight", "record_v"). */
typedef struct evs_key_origin {
  const char *key;
  evs_origin at;
} evs_key_origin;

/* Where an object of a description came from: the object as a whole (a
 * section's header) and its keys. An error of the net that names a key
 * (evs_error.key) is reported at that key's origin when keys has it, else
 * at the object's. */
typedef struct evs_desc_origin {
  evs_origin at;
  const evs_key_origin *keys; /* n_keys of them; may be NULL */
  size_t n_keys;
} evs_desc_origin;

/* How the net runs ([simulation]). */
typedef struct evs_sim_desc {
  double duration;               /* s, > 0 */
  double resolution;             /* s: delays' step, clocked types' step */
  uint64_t seed;                 /* keys every random stream */
  int threads;                   /* threads of the run (0 or 1: one) */
  evs_spike_format spike_format; /* format of recorded spikes */
  double checkpoint_every;       /* s of wall time between checkpoints
                                    (evs_model.checkpoint_every); 0: none */
  evs_desc_origin origin;
} evs_sim_desc;

/* A parameter of a population: a number or distribution, one value per
 * neuron, or a file. */
typedef struct evs_param_desc {
  const char *name;     /* a parameter of the type (evs_neuron_type_params) */
  evs_dist value;       /* SI; a distribution only for per-neuron parameters */
  const char *path;     /* an EVS_PARAM_PATH parameter's file, else NULL */
  const double *values; /* an EVS_PARAM_PER_NEURON parameter's value of
                           each neuron (SI; evs_net_set_param_values),
                           n_values of them (the population's size), or
                           NULL: value or path. The model-file reader
                           leaves it NULL */
  size_t n_values;
} evs_param_desc;

/* A recording of a state variable (evs_net_record). */
typedef struct evs_record_desc {
  const char *var;     /* "v" or one of the type's recordables */
  const uint32_t *ids; /* the neurons, n of them */
  size_t n;
  double interval; /* s between samples */
  const char *key; /* the key that asked for it (its errors are
                      reported there), or NULL: the population's */
} evs_record_desc;

/* A population, its parameters, recordings and rate check. */
typedef struct evs_pop_desc {
  const char *name; /* unique, 1-63 characters of [A-Za-z0-9_] */
  const char *type; /* evs_neuron_type_names() */
  uint32_t size;
  const evs_param_desc *params; /* set in order, n_params of them */
  size_t n_params;
  int has_dc;        /* 1: a constant current dc (A) onto every neuron */
  double dc;         /* (errors at key background_rate) */
  int spikes_set;    /* 1: record_spikes says whether spikes are recorded;
                        0: the type's default (evs_net_record_spikes) */
  int record_spikes; /* 1: on, 0: off (key record_spikes) */
  const evs_record_desc *records; /* n_records of them, in order */
  size_t n_records;
  int check_rate; /* 1: evs_net_check_rate with rate_min, rate_max (Hz) and
                     rate_tau (s) (errors at key rate_max) */
  double rate_min, rate_max, rate_tau;
  evs_desc_origin origin;
} evs_pop_desc;

/* A parameter of a projection's learning rule (SI; for EVS_PARAM_WEIGHT
 * parameters in the projection's weight dimension). */
typedef struct evs_rule_param_desc {
  const char *name;
  double value;
} evs_rule_param_desc;

/* A projection: its synapses, plasticity and recordings. */
typedef struct evs_proj_desc {
  const char *name;
  const char *pre, *post; /* populations, by name */
  evs_receptor receptor;
  evs_conn_spec spec; /* as evs_net_connect takes it (spec.path: an edge
                         list); a model file's defaults are the reader's:
                         a program sets autapses for one_to_one and
                         multapses for fixed_total and file itself */
  evs_dim weight_dim; /* of spec.weight; EVS_DIM_NONE: rate populations */
  int has_dc;         /* 1: a constant dc (weight_dim units) onto post
                         that keeps its mean input under a smaller
                         in-degree ([network] k_scale; errors at the key
                         that sets the number of synapses: p, n or
                         connect) */
  double dc;
  const char *rule; /* learning rule (evs_rule_names), or NULL: static */
  const evs_rule_param_desc *rule_params; /* n_rule_params, in order */
  size_t n_rule_params;
  int has_stp; /* 1: short-term plasticity stp_U, stp_tau_d, stp_tau_f
                  (evs_net_set_stp) */
  double stp_U, stp_tau_d, stp_tau_f;
  double record_weights;      /* s between weight statistics; 0: none */
  double record_synapses;     /* s between every weight; 0: none */
  const double *matrix_times; /* s: weight snapshots (record_matrix) */
  size_t n_matrix_times;
  evs_desc_origin origin;
} evs_proj_desc;

/* An input: a constant current onto a whole population, or a current
 * source (current.h) onto some of its neurons. The inputs with source 1
 * are the net's current sources 0, 1, ... in array order (the index
 * evs_net_add_current returns, which evs_net_current_value takes). */
typedef struct evs_input_desc {
  const char *name;
  const char *post; /* the population, by name */
  int source;       /* 0: amplitude (dimension dim: current, or its
                       voltage equivalent) onto every neuron of post
                       (evs_net_add_dc; errors at key amplitude);
                       1: the current source `current` onto ids */
  double amplitude;
  evs_dim dim;
  evs_current_spec current;
  const uint32_t *ids; /* n_ids neurons; NULL: every neuron */
  size_t n_ids;
  evs_desc_origin origin;
} evs_input_desc;

/* The SuperSpike learner (superspike.h). */
typedef struct evs_superspike_desc {
  evs_superspike_spec spec; /* spec.output is set from output */
  const char *output;       /* the output population, by name */
  evs_desc_origin origin;
} evs_superspike_desc;

/* A whole model. */
typedef struct evs_model_desc {
  const char *name; /* the model's name (evs_model.name), or NULL: "model" */
  const char *file; /* named in errors that belong to no object, or NULL */
  evs_sim_desc sim;
  const evs_pop_desc *pops;
  size_t n_pops;
  const evs_proj_desc *projs;
  size_t n_projs;
  const evs_input_desc *inputs;
  size_t n_inputs;
  const evs_superspike_desc *superspike; /* NULL: none */
} evs_model_desc;

/* Zeroes *d and sets the defaults of a model file: resolution 0.1 ms,
 * seed 1, one thread, spikes as .ras. */
EVS_API void evs_model_desc_defaults(evs_model_desc *d);

#endif
