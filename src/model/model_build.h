/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — models, private: what the build of a description
 * (model_build.c) shares with its limits (model_limits.c) and its error
 * reports (model_origin.c). Reads only the public description
 * (evsnn/model_desc.h), never the reader's tables. Not installed. */
#ifndef EVSNN_MODEL_BUILD_H
#define EVSNN_MODEL_BUILD_H

#include "evsnn/model.h"

/* The origin of key in o (the first entry of o->keys named key), or NULL
 * when o has none or key is NULL or "". O(keys). (model_origin.c) */
const evs_origin *evs__model_key_origin(const evs_desc_origin *o,
                                        const char *key);

/* Reports code with message msg in err at origin at (see evs_origin;
 * at may be NULL: the message alone). Returns code. (model_origin.c) */
int evs__model_report(evs_error *err, int code, const evs_origin *at,
                      const char *msg);

/* The key of a projection that sets its number of synapses for connect
 * rule kind: "p", "n", or "connect" itself. (model_origin.c) */
const char *evs__model_count_key(evs_conn_kind kind);

/* Refuses, unless force, a model whose projections need more memory than
 * the machine's physical memory, estimated from their connection rules
 * (expected counts; 8 bytes a synapse kept, 4 more while built, 8 more for
 * a learning rule's transposed index, 8 bytes a row): EVS_EMODEL at the
 * count key of the costliest projection (err about that projection and
 * key), with the estimate. Else EVS_OK.
 * O(projections x populations). (model_limits.c) */
int evs__model_check_memory(const evs_model_desc *d, int force, evs_error *err);

#endif
