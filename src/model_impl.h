/* evsnn — model files, private: the symbol tables that model_read.c fills
 * from the INI text and the --set overrides, and model_build.c checks and
 * turns into a net. Not installed; include only from those two files. */
#ifndef EVSNN_MODEL_IMPL_H
#define EVSNN_MODEL_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include "evsnn/model.h"

/* uthash must never exit(): a failed insertion sets the flag `oomed` that
 * every function calling HASH_ADD* declares. */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (oomed = 1)
#include <uthash.h>

/* ---- symbol tables ---------------------------------------------------- */

typedef struct evs__model_key {
  char *name;          /* key (hash key) */
  char *value;         /* value, stripped */
  int line;            /* line in the file; 0 when added by an override */
  const char *set;     /* the --set text that last wrote it, or NULL */
  UT_hash_handle hh;
} evs__model_key;

typedef enum evs__model_sec_kind {
  EVS__MODEL_SIM, EVS__MODEL_POP, EVS__MODEL_PROJ, EVS__MODEL_INPUT
} evs__model_sec_kind;

typedef struct evs__model_sec {
  char *id;            /* "kind name" or "simulation" (hash key) */
  evs__model_sec_kind kind;
  char *name;          /* points into id ("" for [simulation]) */
  int line;            /* header line; 0 when created by an override */
  evs__model_key *keys; /* hash, iterates in file order */
  int pop_index;       /* populations: index in the net, -1 before build */
  UT_hash_handle hh;
} evs__model_sec;

typedef struct evs__model_ctx {
  const char *file;    /* name in messages */
  char *base;          /* folder of relative paths ("" = current) */
  evs__model_sec *secs; /* hash, iterates in file order */
  evs__model_sec *cur;  /* section receiving keys; NULL before the first */
  int skip;            /* 1: the current header was bad, ignore its keys */
  int line;            /* lines read so far */
  int err_line;        /* line of the first error found while reading */
  int rc;              /* first error status, 0 none */
  evs_error *err;
  /* the source: a stream or a string */
  FILE *fp;
  const char *text;
  size_t pos;
  char *lbuf;          /* getline buffer */
  size_t lcap;
} evs__model_ctx;

/* ---- shared by model_read.c and model_build.c -------------------------- */

/* A malloc'd copy of s; NULL on out of memory. (model_read.c) */
char *evs__model_strdup(const char *s);

/* Key name of section s, or NULL; O(1). (model_read.c) */
evs__model_key *evs__model_key_get(const evs__model_sec *s, const char *name);

/* Section (kind, name) of c's tables, or NULL; name is ignored for
 * [simulation]. O(1). (model_read.c) */
evs__model_sec *evs__model_sec_find(const evs__model_ctx *c,
                                    evs__model_sec_kind kind,
                                    const char *name);

/* Stage 3: checks every section of c's tables in file order without a net
 * (so the first error reported is the first in the file), then creates
 * m->net (seed: mo->seed when mo->seed_set, else [simulation] seed), adds
 * populations, projections and inputs and calls evs_net_build; sets
 * m->seed and m->run (m->name must be set). Returns EVS_OK, or EVS_EMODEL /
 * EVS_ENOMEM / EVS_EIO with file:line (or --set) context in c->err; m->net
 * may then be half built (evs_model_free frees it). The tables stay owned by
 * c. (model_build.c) */
int evs__model_build(evs__model_ctx *c, const evs_model_opts *mo,
                     evs_model *m);

#endif
