/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, private: the check stage, which turns the symbol
 * tables (model_impl.h) section by section into the public description
 * (include/evsnn/model_desc.h) that evs_model_build turns into a net.
 * Every object's origin lists its section's keys (file, line, --set text),
 * so that an error the net finds while building is reported at that key.
 * What the description points to lives in the tables or in the context's
 * store (evs__model_keep, model_impl.h) until the load ends. Not
 * installed. */
#ifndef EVSNN_MODEL_CHECK_H
#define EVSNN_MODEL_CHECK_H

#include <stdint.h>

#include "evsnn/model.h"
#include "model/model_impl.h"

/* Checks population section s (its type, size, parameters, recordings and
 * rate check) into *d. Returns EVS_OK, or EVS_EMODEL / EVS_ENOMEM reported
 * at the key at fault. (model_population.c) */
int evs__model_population_check(evs__model_ctx *c, const evs__model_sec *s,
                                evs_pop_desc *d);

/* The recordings and rate check of population section s (type and size
 * already in d) into d. Returns EVS_OK, or EVS_EMODEL / EVS_ENOMEM
 * reported at the key at fault. (model_record.c) */
int evs__model_recordings(evs__model_ctx *c, const evs__model_sec *s,
                          evs_pop_kind kind, evs_pop_desc *d);

/* Checks projection section s against c's tables (populations by name,
 * [network]) and sim (its resolution) into *d. Returns EVS_OK, or
 * EVS_EMODEL / EVS_ENOMEM reported at the key at fault.
 * (model_projection.c) */
int evs__model_projection_check(evs__model_ctx *c, const evs__model_sec *s,
                                const evs_sim_desc *sim, evs_proj_desc *d);

/* The learning rule's parameters of projection section s (d->rule with
 * its table defs[0..nd)), record_weights, record_synapses and
 * record_matrix into d: parameters flagged EVS_PARAM_WEIGHT take the
 * dimension d->weight_dim. Returns EVS_OK or EVS_EMODEL / EVS_ENOMEM
 * reported at the key. (model_learning.c) */
int evs__model_learning(evs__model_ctx *c, const evs__model_sec *s,
                        const evs_param_def *defs, size_t nd, evs_proj_desc *d);

/* Short-term plasticity of projection section s into d: stp_U and
 * stp_tau_d (both or neither), stp_tau_f (default 0: no facilitation).
 * Returns EVS_OK or EVS_EMODEL reported at the key. (model_learning.c) */
int evs__model_stp(evs__model_ctx *c, const evs__model_sec *s,
                   evs_proj_desc *d);

/* [input NAME] of every type but a constant dc on a whole population: a
 * current source (evsnn/current.h) of type (dc, step, ac, noisy) onto the
 * population of type post_type and size post_size named by post, into d
 * (d->source 1). Returns EVS_OK or an error at the key at fault.
 * (model_current.c) */
int evs__model_current(evs__model_ctx *c, const evs__model_sec *s,
                       const char *post_type, uint32_t post_size,
                       evs_input_desc *d);

/* The [superspike] section s checked into *d. Returns EVS_OK or
 * EVS_EMODEL / EVS_ENOMEM reported at s or its key.
 * (model_superspike.c) */
int evs__model_superspike(evs__model_ctx *c, const evs__model_sec *s,
                          evs_superspike_desc *d);

/* Stage 3: checks every section of c's tables in file order ([simulation]
 * and [network] first; so the first error reported is the first in the
 * file) into *d (named name; its arrays in c's store). Returns EVS_OK, or
 * EVS_EMODEL / EVS_ENOMEM / EVS_EIO with file:line (or --set) context in
 * c->err. (model_check.c) */
int evs__model_check(evs__model_ctx *c, const char *name, evs_model_desc *d);

#endif
