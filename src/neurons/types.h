/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the built-in neuron and source types, each defined in
 * its own module (listed in src/registry.def), and the .ras reader of the
 * spike sources. */
#ifndef EVSNN_NEURONS_TYPES_H
#define EVSNN_NEURONS_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "core/neuron_type.h"
#include "evsnn/error.h"
#include "evsnn/plugin.h"

/* Reads a .ras spike file (source_replay.c): 'time id' per line, time in s
 * (>= 0, before period when period > 0), id < size, '#' comments; owner
 * names the file's user in messages ("population P"). On EVS_OK *out holds
 * the *n spikes sorted by (time, id) (malloc'd, NULL when empty); else an
 * error with path:line in err. */
int evs__ras_read(const char *path, uint32_t size, double period,
                  const char *owner, evs_spike **out, size_t *n,
                  evs_error *err);

/* A spike source's weight scale: 0 in every dimension, a source receives
 * nothing (source.c; the three source types share it). */
double evs__source_weight_scale(const evs_pop *pop, evs_dim dim);

/* The types, defined in their own modules. */
extern const evs_neuron_type evs__if_curr_exp;            /* lif.c */
extern const evs_neuron_type evs__if_curr_exp_grid;       /* lif_grid.c */
extern const evs_neuron_type evs__if_curr_alpha;          /* lif_alpha.c */
extern const evs_neuron_type evs__if_cond_exp;            /* cond.c */
extern const evs_neuron_type evs__if_cond_exp_gsfa_grr;   /* cond_sfa.c */
extern const evs_neuron_type evs__if_cond_ampa_nmda;      /* cond_nmda.c */
extern const evs_neuron_type evs__if_cond_ampa_nmda_single; /* cond_nmda_single.c */
extern const evs_neuron_type evs__eif_cond_exp_isfa_ista; /* adex.c */
extern const evs_neuron_type evs__izhikevich;             /* izhikevich.c */
extern const evs_neuron_type evs__source_poisson;         /* source.c */
extern const evs_neuron_type evs__source_frozen;          /* source.c */
extern const evs_neuron_type evs__source_array;           /* source.c */

#endif
