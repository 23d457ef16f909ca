/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, private: the symbol tables that model_read.c fills
 * from the INI text and model_override.c changes with the --set overrides,
 * and that the check stage (model_check.h) reads with the value readers of
 * model_value.c into the public description (evsnn/model_desc.h). Not
 * installed; include only from the reader's files. */
#ifndef EVSNN_MODEL_IMPL_H
#define EVSNN_MODEL_IMPL_H

#include <stddef.h>
#include <stdio.h>

#include "evsnn/model.h"
#include "evsnn/neuron.h"

/* uthash must never exit(): a failed insertion sets the flag `oomed` that
 * every function calling HASH_ADD* declares. */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (oomed = 1)
#include <uthash.h>

/* ---- symbol tables ---------------------------------------------------- */

typedef struct evs__model_key {
  char *name;      /* key (hash key) */
  char *value;     /* value, stripped */
  int line;        /* line in the file; 0 when added by an override */
  const char *set; /* the --set text that last wrote it, or NULL */
  UT_hash_handle hh;
} evs__model_key;

typedef enum evs__model_sec_kind {
  EVS__MODEL_SIM,
  EVS__MODEL_POP,
  EVS__MODEL_PROJ,
  EVS__MODEL_INPUT,
  EVS__MODEL_SUPERSPIKE, /* [superspike]: unnamed, like [simulation] */
  EVS__MODEL_NETWORK     /* [network]: unnamed; scale and background */
} evs__model_sec_kind;

typedef struct evs__model_sec {
  char *id; /* "kind name" or "simulation" (hash key) */
  evs__model_sec_kind kind;
  char *name;           /* points into id ("" for [simulation]) */
  int line;             /* header line; 0 when created by an override */
  evs__model_key *keys; /* hash, iterates in file order */
  UT_hash_handle hh;
} evs__model_sec;

typedef struct evs__model_ctx {
  const char *file;     /* name in messages */
  char *base;           /* folder of relative paths ("" = current) */
  evs__model_sec *secs; /* hash, iterates in file order */
  evs__model_sec *cur;  /* section receiving keys; NULL before the first */
  int skip;             /* 1: the current header was bad, ignore its keys */
  int line;             /* lines read so far */
  int err_line;         /* line of the first error found while reading */
  int rc;               /* first error status, 0 none */
  evs_error *err;
  /* the source: a stream or a string */
  FILE *fp;
  const char *text;
  size_t pos;
  char *lbuf; /* getline buffer */
  size_t lcap;
  /* what the description points to besides the tables (evs__model_keep) */
  void **kept;
  size_t n_kept, cap_kept;
  /* [network], read before the populations (model_check.c) */
  double scale;      /* factor on population sizes and synapse numbers */
  double k_scale;    /* factor on in-degrees (weights / sqrt(k_scale)) */
  int background_dc; /* 1: backgrounds become their mean current */
} evs__model_ctx;

/* ---- the tables (model_read.c) ------------------------------------------ */

/* Stage 1: reads c's source (c->fp or c->text; c->file, c->base set) into
 * c->secs. Returns EVS_OK, or the first error in the file (EVS_EMODEL,
 * EVS_ENOMEM, EVS_EIO) reported in c->err at its line. */
int evs__model_read(evs__model_ctx *c);

/* Frees c's tables and the description's store (evs__model_keep). */
void evs__model_tables_free(evs__model_ctx *c);

/* "simulation", "population", ...: the header word of a section kind. */
const char *evs__model_kind_name(evs__model_sec_kind kind);

/* 1 for the sections that take no name (one per model), else 0. */
int evs__model_unnamed(evs__model_sec_kind kind);

/* s without leading and trailing blanks (s's end cut in place). */
char *evs__model_trim(char *s);

/* Adds section (kind, name) at line (0: by an override) to c's tables;
 * NULL on out of memory. */
evs__model_sec *evs__model_sec_add(evs__model_ctx *c, evs__model_sec_kind kind,
                                   const char *name, int line);

/* Sets key name of s to value (copied), at line or by override set (NULL:
 * none; the text must outlive the tables); replaces an existing key's
 * value. NULL on out of memory. */
evs__model_key *evs__model_key_put(evs__model_sec *s, const char *name,
                                   const char *value, int line,
                                   const char *set);

/* Stage 2: applies override text ("section.key=value", evsnn --set) to
 * c's tables. Returns EVS_OK, or EVS_EMODEL / EVS_ENOMEM with a message
 * naming the override in c->err. (model_override.c) */
int evs__model_override(evs__model_ctx *c, const char *text);

/* ---- the description's store and origins -------------------------------- */

/* Hands p (malloc'd, may be NULL) to c's store, freed with the tables at
 * the end of the load. Returns EVS_OK, or EVS_ENOMEM (p freed) reported in
 * c->err. (model_read.c) */
int evs__model_keep(evs__model_ctx *c, void *p);

/* n zeroed bytes (n > 0) in c's store into *out. Returns EVS_OK, or
 * EVS_ENOMEM reported in c->err. (model_read.c) */
int evs__model_alloc(evs__model_ctx *c, size_t n, void *out);

/* The origin of section s: its header and every key (in c's store).
 * Returns EVS_OK or EVS_ENOMEM. (model_value.c) */
int evs__model_origin(evs__model_ctx *c, const evs__model_sec *s,
                      evs_desc_origin *o);

/* ---- shared by the model files ------------------------------------------ */

/* A malloc'd copy of s; NULL on out of memory. (model_read.c) */
char *evs__model_strdup(const char *s);

/* Key name of section s, or NULL; O(1). (model_read.c) */
evs__model_key *evs__model_key_get(const evs__model_sec *s, const char *name);

/* Section (kind, name) of c's tables, or NULL; name is ignored for
 * [simulation]. O(1). (model_read.c) */
evs__model_sec *evs__model_sec_find(const evs__model_ctx *c,
                                    evs__model_sec_kind kind, const char *name);

/* An error at key k when section s has no key other than those listed in
 * allowed (NULL-terminated): "unknown key 'K' in [ID]" then what (may be
 * NULL). Returns EVS_OK or EVS_EMODEL. (model_value.c) */
int evs__model_check_keys(evs__model_ctx *c, const evs__model_sec *s,
                          const char *const *allowed, const char *what);

/* Key name of section s, or NULL with *rc = EVS_EMODEL reported at the
 * section's header ("missing required key"). (model_value.c) */
const evs__model_key *evs__model_need(evs__model_ctx *c,
                                      const evs__model_sec *s, const char *name,
                                      int *rc);

/* A population size n of the model file under [network] scale: round(n
 * scale), at least 1. (model_value.c) */
uint64_t evs__model_scaled_size(const evs__model_ctx *c, uint64_t n);

/* ---- one key's value, errors at file:line (model_value.c) -------------- */

/* Reports an EVS_EMODEL error about key k in c->err, the message formatted
 * as printf (at most 599 bytes): after "--set SET: " when an override wrote
 * k, else at c->file:k->line. Returns EVS_EMODEL. */
int evs__model_key_fail(evs__model_ctx *c, const evs__model_key *k,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* As evs__model_key_fail, about section s as a whole: at its header line
 * (line 1 for a section created by an override). Returns EVS_EMODEL. */
int evs__model_sec_fail(evs__model_ctx *c, const evs__model_sec *s,
                        const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The constant value of parameter name of population section s: its key's,
 * else the type's default (defs[0..nd)); NaN when it has neither or the
 * key is not a constant (its own check reports that). (model_population.c)
 */
double evs__model_pop_value(evs__model_ctx *c, const evs__model_sec *s,
                            const evs_param_def *defs, size_t nd,
                            const char *name);

/* The neuron ids of key k ("0-4, 10": ids and ranges) of a population of
 * size neurons, sorted and distinct, into *ids (malloc'd) and *n. Returns
 * EVS_OK or an error at k (empty or reversed ranges, ids out of range,
 * syntax), EVS_ENOMEM. (model_value.c) */
int evs__model_get_ids(evs__model_ctx *c, const evs__model_key *k,
                       uint32_t size, uint32_t **ids, size_t *n);

/* Parses s as an unsigned decimal integer: digits only, blanks around
 * allowed, at most UINT64_MAX. Returns 0 with *out set, or -1 (*out
 * untouched); may change errno. */
int evs__model_parse_u64(const char *s, uint64_t *out);

/* Parses "yes"/"true" as 1 and "no"/"false" as 0 (exact, case matters).
 * Returns 0 with *out set, or -1 (*out untouched). */
int evs__model_parse_bool(const char *s, int *out);

/* The largest magnitude of a number in a model file, in SI units: far
 * beyond any physical value, small enough that weights stay finite as
 * floats in any internal unit. */
#define EVS__MODEL_MAX_MAGNITUDE 1e15

/* Checks the value d read from key k as evs__model_get_dist does (finite,
 * within EVS__MODEL_MAX_MAGNITUDE). Returns EVS_OK or EVS_EMODEL reported
 * at k. */
int evs__model_check_dist(evs__model_ctx *c, const evs__model_key *k,
                          const evs_dist *d);

/* s: the smallest time step of a model ([simulation] resolution,
 * [superspike] dt): NEST's tic. Smaller steps make any run endless. */
#define EVS__MODEL_MIN_STEP 1e-6
/* The most threads [simulation] threads may ask for. */
#define EVS__MODEL_MAX_THREADS 1024

/* Reads k's value as a quantity of dimension dim (evs_unit_parse: a number
 * with a unit, a plain number for EVS_DIM_NONE) into *out, SI units.
 * Returns EVS_OK, or EVS_EMODEL reported at k ("key = value: reason"),
 * also for a value that is not finite or above EVS__MODEL_MAX_MAGNITUDE. */
int evs__model_get_quantity(evs__model_ctx *c, const evs__model_key *k,
                            evs_dim dim, double *out);

/* Reads k's value as a constant quantity (as evs__model_get_quantity) or,
 * when it contains '(', a distribution (evs_dist_parse) of dimension dim,
 * its parameters finite and within EVS__MODEL_MAX_MAGNITUDE (a clipped
 * normal's bounds may be infinite). Returns EVS_OK, or EVS_EMODEL reported
 * at k. */
int evs__model_get_dist(evs__model_ctx *c, const evs__model_key *k, evs_dim dim,
                        evs_dist *out);

/* As evs__model_get_dist with the first dimension of dims[0..n) (n >= 1)
 * that fits the value's units, stored in *dim. Returns EVS_OK, or
 * EVS_EMODEL reported at k: a missing unit, the parse error when every
 * dimension gives the same one, the distribution's own error when one of
 * its arguments has a unit of one of dims, else "expected a D1, D2 or D3".
 * Values are checked as by evs__model_get_dist. At most 2n + 2 parses. */
int evs__model_get_dist_any(evs__model_ctx *c, const evs__model_key *k,
                            const evs_dim *dims, size_t n, evs_dist *out,
                            evs_dim *dim);

/* Reads k's value as the path of a readable file, relative paths resolved
 * against c->base. Returns EVS_OK with *out a malloc'd path (caller frees),
 * EVS_EMODEL reported at k when access(R_OK) fails or the path is not a
 * regular file (a device such as /dev/zero never ends), or EVS_ENOMEM (no
 * context). */
int evs__model_get_path(evs__model_ctx *c, const evs__model_key *k, char **out);

/* A projection's plasticity keys (model_learning.c). */

/* The learning rule named by `rule` in section s into *rule, its parameter
 * table into *defs, *nd; *rule NULL when none is given. An unknown name is
 * an error at its line. Returns EVS_OK or EVS_EMODEL. */
int evs__model_get_rule(evs__model_ctx *c, const evs__model_sec *s,
                        const char **rule, const evs_param_def **defs,
                        size_t *nd);

/* Index of parameter name in defs[0..nd), or -1. */
long evs__model_rule_param_index(const evs_param_def *defs, size_t nd,
                                 const char *name);

/* The first rule (evs_rule_names) with a parameter called name, or NULL. */
const char *evs__model_rule_with_param(const char *name);

#endif
