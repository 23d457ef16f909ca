/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — neuron and source types, and their parameter tables.
 *
 * Every population has a type: an exact event-driven neuron (IF_curr_exp), a
 * clocked neuron integrated on the run's resolution (IF_cond_exp), or a spike
 * source (SpikeSourcePoisson, SpikeSourceFrozenPoisson, SpikeSourceArray).
 * Parameter names follow PyNN. */
#ifndef EVSNN_NEURON_H
#define EVSNN_NEURON_H

#include <stddef.h>
#include "export.h"
#include "units.h"

typedef enum evs_param_flag {
  EVS_PARAM_CONST = 0, /* one value for the whole population */
  EVS_PARAM_PER_NEURON =
      1,                  /* may be a distribution, drawn per neuron from the
                             stream (seed, population, neuron, EVS_RNG_INIT) */
  EVS_PARAM_PATH = 2,     /* a file path, set with evs_net_set_path */
  EVS_PARAM_REQUIRED = 4, /* has no default */
  EVS_PARAM_WEIGHT = 8    /* learning rules: has the dimension of the
                             projection's weights (dim is ignored) */
} evs_param_flag;

typedef struct evs_param_def {
  const char *name; /* "tau_m" */
  evs_dim dim;      /* expected dimension */
  double def;       /* default, SI (ignored for paths and required values) */
  int flags;        /* evs_param_flag bits */
  const char *doc;  /* meaning, one line */
} evs_param_def;

typedef enum evs_pop_kind {
  EVS_POP_EXACT = 0,   /* closed form between events, predicted crossings */
  EVS_POP_CLOCKED = 1, /* integrated on a fixed step */
  EVS_POP_SOURCE = 2   /* emits spikes, receives nothing */
} evs_pop_kind;

/* Looks up a type's parameter table. Returns EVS_OK and sets *defs, *n and
 * (if kind is not NULL) *kind, or EVS_ENOENT if no type has that name. The
 * table is static and lives forever. */
EVS_API int evs_neuron_type_params(const char *type, const evs_param_def **defs,
                                   size_t *n, evs_pop_kind *kind);

/* The i-th variable probes can record on neurons of type (i = 0: "v" for
 * every type but the sources), with its SI unit in *unit (when not NULL):
 * "V" (a rate type's v is its rate, "Hz"), then the type's own (IF_curr_exp:
 * i_syn_exc, i_syn_inh in A; the conductance types gsyn_exc, gsyn_inh in S,
 * and more). NULL past the last, for an unknown type, or for a source. */
EVS_API const char *evs_neuron_type_recordable(const char *type, size_t i,
                                               const char **unit);

/* Names of all types, NULL-terminated, static. */
EVS_API const char *const *evs_neuron_type_names(void);

#endif
