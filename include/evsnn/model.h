/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — models: a net and how to run it, built from a model file (INI
 * text) or from a description a program fills in (model_desc.h).
 *
 * Sections: [simulation], [network], [population NAME], [projection NAME],
 * [input NAME], [superspike]. The reference is evsnn-model(5). Loading
 * validates everything before anything runs; an error comes back as
 * "file:line: message". Loading reads the text, checks it into a
 * description (evs_model_desc) and builds that with evs_model_build. */
#ifndef EVSNN_MODEL_H
#define EVSNN_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "export.h"
#include "model_desc.h"
#include "net.h"

typedef struct evs_model_opts {
  const char *const *overrides; /* "section.key=value" strings (--set): a key
                                   of section "population E" is written
                                   "population E.tau_m=10 ms" or
                                   "E.tau_m=10 ms" (sections are found by
                                   their name alone when unique) */
  size_t n_overrides;
  int seed_set; /* 1: use seed instead of the file's */
  uint64_t seed;
  int force; /* 1: build a model whose estimated memory
                exceeds the machine's (see
                evs_model_load_file) */
} evs_model_opts;

/* A loaded model: the net, built, and how to run it. */
typedef struct evs_model {
  evs_net *net;            /* owned */
  evs_run_opts run;        /* duration from [simulation]; outdir NULL;
                              model_name points into name */
  uint64_t seed;           /* the seed in force */
  char name[256];          /* the model's name: file name without .ini */
  double checkpoint_every; /* s of wall time between checkpoints
                              ([simulation] checkpoint_every); 0: unset */
} evs_model;

/* Reads, validates and builds the model file at path (with mo's overrides;
 * mo may be NULL). Before anything big is allocated or drawn the memory of
 * the synapses is estimated from the connection rules (expected counts,
 * 12 bytes a synapse while built, 20 for fixed_total without multapses,
 * 8 more for a learning projection's transposed index); a model that needs
 * more than the machine's physical memory is refused with the estimate
 * unless mo->force. On success *out is a new model (evs_model_free). On
 * error returns EVS_EMODEL (or EVS_EIO/EVS_ENOMEM) with "path:line:
 * message" in err and *out NULL. */
EVS_API int evs_model_load_file(const char *path, const evs_model_opts *mo,
                                evs_model **out, evs_error *err);

/* The same for model text in memory; name is used in messages and as the
 * model's name. */
EVS_API int evs_model_load_string(const char *text, const char *name,
                                  const evs_model_opts *mo, evs_model **out,
                                  evs_error *err);

/* Builds the model that d describes: estimates the memory of the
 * projections' synapses first and refuses, unless mo->force, a model that
 * needs more than the machine's physical memory (EVS_EMODEL at the key
 * that sets the costliest projection's number of synapses); then creates
 * the net (seed: mo->seed when mo->seed_set, else d->sim.seed), adds the
 * populations, projections, inputs and the SuperSpike learner in order and
 * builds it (evs_net_build). mo may be NULL; its overrides apply to model
 * text only and must be 0 here. On success *out is a new model
 * (evs_model_free). On error returns the net's status (EVS_EMODEL for a
 * bad value, EVS_ENOMEM, EVS_EIO, EVS_EINVAL for bad arguments) with the
 * message at the origin of the object or key at fault (evs_origin) in err,
 * and *out NULL; err.about and err.index name that object of d when there
 * is one (EVS_ABOUT_POPULATION: d->pops[index], EVS_ABOUT_PROJECTION:
 * d->projs[index], EVS_ABOUT_INPUT: d->inputs[index], EVS_ABOUT_LEARNER:
 * d->superspike), err.key the key at fault ("" for the whole object), so
 * that a program can name its own object. O(synapses) for the build. */
EVS_API int evs_model_build(const evs_model_desc *d, const evs_model_opts *mo,
                            evs_model **out, evs_error *err);

/* Frees a model and its net; NULL is allowed. */
EVS_API void evs_model_free(evs_model *m);

/* The INI text of the built-in default demo (static). */
EVS_API const char *evs_model_default_demo(void);

#endif
