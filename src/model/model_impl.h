/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, private: the symbol tables that model_read.c fills
 * from the INI text and the --set overrides, and model_build.c checks and
 * turns into a net with the value readers of model_value.c (populations:
 * model_population.c; projections, through their description of
 * model_desc.h: model_projection.c; a projection's plasticity keys:
 * model_learning.c; the [superspike] section: model_superspike.c; limits:
 * model_limits.c). Not installed; include only from those files. */
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
  int pop_index;        /* populations: index in the net, -1 before build */
  int proj_index;       /* projections: index in the net, -1 before build */
  /* projections, from the check stage: what their synapses will cost */
  double synapses;    /* expected number (0: not known, an edge list) */
  double bytes_kept;  /* B: held from the build to the end of the run */
  double bytes_build; /* B: held only while they are built */
  const evs__model_key *count_key; /* the key that sets their number */
  /* populations and projections, from the check stage to the build: their
   * description (model_desc.h), or NULL */
  struct evs__model_pop_desc *pop;
  struct evs__model_proj_desc *proj;
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
  /* [network], read before the populations (model_build.c) */
  double scale;      /* factor on population sizes and synapse numbers */
  double k_scale;    /* factor on in-degrees (weights / sqrt(k_scale)) */
  int background_dc; /* 1: backgrounds become their mean current */
} evs__model_ctx;

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
 * scale), at least 1. (model_build.c) */
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

/* Re-reports error rc of the net (message ne->msg, or evs_strerror(rc) when
 * empty) in c->err at key k when k is not NULL (as evs__model_key_fail),
 * else at the key of s that the error names (ne->key) when s has it, else
 * at the header line of section s (no line when s is NULL or has none).
 * EVS_ENOMEM and EVS_EIO keep their code, others become EVS_EMODEL;
 * returns that code. */
int evs__model_net_fail(evs__model_ctx *c, int rc, const evs__model_sec *s,
                        const evs__model_key *k, const evs_error *ne);

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
 * syntax), EVS_ENOMEM. (model_population.c) */
int evs__model_get_ids(evs__model_ctx *c, const evs__model_key *k,
                       uint32_t size, uint32_t **ids, size_t *n);

/* [input NAME] of every type but a constant dc on a whole population: a
 * current source (evsnn/current.h) of type (dc, step, ac, noisy) onto
 * population pop (its index when net is not NULL; its type name post_type,
 * size post_size), added to net when not NULL. Returns EVS_OK or an error
 * at the key at fault. (model_current.c) */
int evs__model_current(evs__model_ctx *c, const evs__model_sec *s, evs_net *net,
                       int pop, const char *post_type, uint32_t post_size);

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

/* The learning rule's parameters of section s (rule with defs[0..nd)),
 * record_weights and record_matrix: checked (parameters flagged
 * EVS_PARAM_WEIGHT take the dimension wdim of the projection's weights),
 * and set on projection proj of net when net is not NULL. Returns EVS_OK
 * or EVS_EMODEL / EVS_ENOMEM reported at the key. */
int evs__model_learning(evs__model_ctx *c, const evs__model_sec *s,
                        evs_net *net, int proj, const char *rule,
                        const evs_param_def *defs, size_t nd, evs_dim wdim);

/* Short-term plasticity of projection proj (stp.h): stp_U and stp_tau_d
 * (both or neither), stp_tau_f (default 0: no facilitation); set on net when
 * it is not NULL. Returns EVS_OK or EVS_EMODEL reported at the key. */
int evs__model_stp(evs__model_ctx *c, const evs__model_sec *s, evs_net *net,
                   int proj);

/* The [superspike] section s: checks its keys and, when net is not NULL,
 * sets the net's SuperSpike learner (populations must have their indices).
 * Returns EVS_OK or EVS_EMODEL / EVS_ENOMEM reported at s or its key.
 * (model_superspike.c) */
int evs__model_superspike(evs__model_ctx *c, const evs__model_sec *s,
                          evs_net *net);

/* Limits (model_limits.c). */

/* Records in projection section s (check stage) the expected number of
 * synapses of spec between populations pre and post (sizes read from
 * their sections; 0 when not valid) and their memory, kept and while
 * built, and the key that sets their number (n, p or connect); rule is
 * the learning rule or NULL. Edge lists are not estimated. O(1). */
void evs__model_estimate(const evs__model_ctx *c, evs__model_sec *s,
                         const evs_conn_spec *spec, const char *pre,
                         const char *post, const char *rule);

/* Refuses, unless mo->force, a model whose projections (as estimated)
 * need more memory than the machine's physical memory: EVS_EMODEL at the
 * count key of the costliest projection, with the estimate. Else EVS_OK.
 * O(sections). */
int evs__model_check_memory(evs__model_ctx *c, const evs_model_opts *mo);

/* Stage 3: checks every section of c's tables in file order without a net
 * (so the first error reported is the first in the file), then creates
 * m->net (seed: mo->seed when mo->seed_set, else [simulation] seed), adds
 * populations, projections and inputs and calls evs_net_build; sets
 * m->seed and m->run (m->name must be set). Returns EVS_OK, or EVS_EMODEL /
 * EVS_ENOMEM / EVS_EIO with file:line (or --set) context in c->err; m->net
 * may then be half built (evs_model_free frees it). The tables stay owned by
 * c. (model_build.c) */
int evs__model_build(evs__model_ctx *c, const evs_model_opts *mo, evs_model *m);

#endif
