/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: the symbol tables read by model_read.c
 * (model_impl.h) checked into the public description
 * (include/evsnn/model_desc.h), which evs_model_build (model_build.c)
 * turns into a net.
 *
 * Every section is checked in file order without a net (so the first error
 * reported is the first in the file): [simulation], [network] and [input]
 * here, populations in model_population.c (their recordings and rate check
 * in model_record.c), projections in model_projection.c (their plasticity
 * in model_learning.c), current sources in model_current.c, [superspike] in
 * model_superspike.c. Values are read and errors reported by
 * model_value.c. The format is documented in doc/model-format.md and
 * evsnn-model(5). */
#include "model/model_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evsnn/neuron.h"
#include "evsnn/spikes.h"

/* ---- [simulation] ---------------------------------------------------- */

static int do_simulation(evs__model_ctx *c, const evs__model_sec *s,
                         evs_sim_desc *so) {
  static const char *const keys[] = {
      "duration",         "seed", "resolution", "threads", "spike_format",
      "checkpoint_every", NULL};
  const evs__model_key *k;
  int rc = evs__model_check_keys(c, s, keys, NULL);
  if (rc) return rc;
  if (!(k = evs__model_need(c, s, "duration", &rc))) return rc;
  if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &so->duration)))
    return rc;
  if (!(so->duration > 0))
    return evs__model_key_fail(c, k, "duration must be > 0, got '%s'",
                               k->value);
  so->resolution = 1e-4;
  if ((k = evs__model_key_get(s, "resolution"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME, &so->resolution)))
      return rc;
    if (!(so->resolution > 0) || so->resolution > 1e300)
      return evs__model_key_fail(c, k, "resolution must be > 0, got '%s'",
                                 k->value);
    if (so->resolution < EVS__MODEL_MIN_STEP)
      return evs__model_key_fail(c, k,
                                 "resolution = %s: below the smallest "
                                 "step (1 µs)",
                                 k->value);
  }
  so->seed = 1;
  if ((k = evs__model_key_get(s, "seed")) &&
      evs__model_parse_u64(k->value, &so->seed))
    return evs__model_key_fail(
        c, k, "seed must be a non-negative integer, got '%s'", k->value);
  so->threads = 1;
  if ((k = evs__model_key_get(s, "threads"))) {
    uint64_t n = 0;
    if (!strcmp(k->value, "auto")) {
      long cores = sysconf(_SC_NPROCESSORS_ONLN);
      so->threads = cores > 1 ? (int)(cores < EVS__MODEL_MAX_THREADS
                                          ? cores
                                          : EVS__MODEL_MAX_THREADS)
                              : 1;
    } else if (evs__model_parse_u64(k->value, &n) || n < 1 ||
               n > EVS__MODEL_MAX_THREADS) {
      return evs__model_key_fail(c, k,
                                 "threads must be 'auto' or an integer "
                                 "from 1 to %d, got '%s'",
                                 EVS__MODEL_MAX_THREADS, k->value);
    } else {
      so->threads = (int)n;
    }
  }
  so->spike_format = EVS_SPIKES_RAS;
  if ((k = evs__model_key_get(s, "spike_format"))) {
    evs_error ne;
    if (evs_spike_format_parse(k->value, &so->spike_format, &ne))
      return evs__model_key_fail(c, k, "spike_format: %s", ne.msg);
  }
  so->checkpoint_every = 0;
  if ((k = evs__model_key_get(s, "checkpoint_every"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_TIME,
                                      &so->checkpoint_every)))
      return rc;
    if (!(so->checkpoint_every > 0) || !(so->checkpoint_every <= 1e15))
      return evs__model_key_fail(c, k,
                                 "checkpoint_every must be a time > 0 (of "
                                 "wall time), got '%s'",
                                 k->value);
  }
  return EVS_OK;
}

/* ---- [network]: scale and background ---------------------------------- */

/* Reads [network] (s may be NULL: the defaults) into c: scale (population
 * sizes and synapse numbers, in-degrees kept), k_scale (in-degrees, with
 * weights / sqrt(k_scale) and the mean input kept by a DC) and background
 * (poisson or dc). */
static int do_network(evs__model_ctx *c, const evs__model_sec *s) {
  static const char *const keys[] = {"scale", "k_scale", "background", NULL};
  const evs__model_key *k;
  int rc;
  c->scale = c->k_scale = 1;
  c->background_dc = 0;
  if (!s) return EVS_OK;
  if ((rc = evs__model_check_keys(c, s, keys, NULL))) return rc;
  if ((k = evs__model_key_get(s, "scale"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &c->scale)))
      return rc;
    if (!(c->scale > 0 && c->scale <= 1000))
      return evs__model_key_fail(c, k, "scale must be in (0, 1000], got '%s'",
                                 k->value);
  }
  if ((k = evs__model_key_get(s, "k_scale"))) {
    if ((rc = evs__model_get_quantity(c, k, EVS_DIM_NONE, &c->k_scale)))
      return rc;
    if (!(c->k_scale > 0 && c->k_scale <= 1))
      return evs__model_key_fail(c, k, "k_scale must be in (0, 1], got '%s'",
                                 k->value);
  }
  if ((k = evs__model_key_get(s, "background"))) {
    if (!strcmp(k->value, "dc"))
      c->background_dc = 1;
    else if (strcmp(k->value, "poisson"))
      return evs__model_key_fail(c, k,
                                 "background must be poisson or dc, "
                                 "got '%s'",
                                 k->value);
  }
  return EVS_OK;
}

/* ---- [input NAME] ------------------------------------------------------ */

/* The population named by key k: an error at k when there is none. */
static int find_pop(evs__model_ctx *c, const evs__model_key *k) {
  const evs__model_sec *p = evs__model_sec_find(c, EVS__MODEL_POP, k->value);
  if (!p)
    return evs__model_key_fail(c, k, "undefined population '%s'", k->value);
  return EVS_OK;
}

/* [input NAME]: a constant dc on a whole population (evs_net_add_dc, in
 * the type's internal units from build on), or a current source
 * (model_current.c), into d. */
static int do_input(evs__model_ctx *c, const evs__model_sec *s,
                    evs_input_desc *d) {
  static const char *const keys[] = {"type", "post", "amplitude", NULL};
  static const evs_dim adims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE};
  const evs__model_key *k, *kp;
  evs_dist a;
  int rc = EVS_OK;
  d->name = s->name;
  if ((rc = evs__model_origin(c, s, &d->origin))) return rc;
  if ((k = evs__model_key_get(s, "type")) &&
      (strcmp(k->value, "dc") || evs__model_key_get(s, "start") ||
       evs__model_key_get(s, "stop") || evs__model_key_get(s, "neurons"))) {
    if (!(kp = evs__model_need(c, s, "post", &rc)) || (rc = find_pop(c, kp)))
      return rc;
    d->post = kp->value;
    const evs__model_sec *ps =
        evs__model_sec_find(c, EVS__MODEL_POP, kp->value);
    const evs__model_key *ktype = evs__model_key_get(ps, "type");
    const evs__model_key *ksize = evs__model_key_get(ps, "size");
    uint64_t size;
    /* a population without a valid type or size is its own error */
    if (!ktype || !ksize || evs__model_parse_u64(ksize->value, &size) ||
        size == 0 || size > UINT32_MAX)
      return EVS_OK;
    return evs__model_current(c, s, ktype->value, (uint32_t)size, d);
  }
  if ((rc = evs__model_check_keys(c, s, keys, NULL))) return rc;
  if (!(k = evs__model_need(c, s, "type", &rc))) return rc;
  if (!(kp = evs__model_need(c, s, "post", &rc)) || (rc = find_pop(c, kp)))
    return rc;
  d->post = kp->value;
  if (!(k = evs__model_need(c, s, "amplitude", &rc))) return rc;
  if ((rc = evs__model_get_dist_any(c, k, adims, 2, &a, &d->dim))) return rc;
  if (a.kind != EVS_DIST_CONST)
    return evs__model_key_fail(c, k, "amplitude must be a constant");
  d->amplitude = a.p[0];
  return EVS_OK;
}

/* ---- the whole model ---------------------------------------------------- */

/* The number of sections of kind k in c's tables. */
static size_t count(const evs__model_ctx *c, evs__model_sec_kind k) {
  const evs__model_sec *s, *tmp;
  size_t n = 0;
  HASH_ITER(hh, c->secs, s, tmp) n += s->kind == k;
  return n;
}

int evs__model_check(evs__model_ctx *c, const char *name, evs_model_desc *d) {
  evs__model_sec *s, *tmp, *sim = evs__model_sec_find(c, EVS__MODEL_SIM, "");
  evs_pop_desc *pops = NULL;
  evs_proj_desc *projs = NULL;
  evs_input_desc *inputs = NULL;
  evs_superspike_desc *ss = NULL;
  size_t np = count(c, EVS__MODEL_POP), nj = count(c, EVS__MODEL_PROJ);
  size_t ni = count(c, EVS__MODEL_INPUT);
  int rc;
  evs_model_desc_defaults(d);
  d->name = name;
  d->file = c->file;
  if (!sim)
    return evs_error_set(c->err, EVS_EMODEL, c->file, 1,
                         "missing section [simulation] (it needs at least "
                         "'duration')");
  /* [simulation] first (projections need its resolution), then the rest
   * in file order */
  if ((rc = do_simulation(c, sim, &d->sim)) ||
      (rc = evs__model_origin(c, sim, &d->sim.origin)))
    return rc;
  if ((rc = do_network(c, evs__model_sec_find(c, EVS__MODEL_NETWORK, ""))))
    return rc;
  if ((np && (rc = evs__model_alloc(c, np * sizeof *pops, &pops))) ||
      (nj && (rc = evs__model_alloc(c, nj * sizeof *projs, &projs))) ||
      (ni && (rc = evs__model_alloc(c, ni * sizeof *inputs, &inputs))))
    return rc;
  d->pops = pops;
  d->projs = projs;
  d->inputs = inputs;
  HASH_ITER(hh, c->secs, s, tmp) {
    switch (s->kind) {
    case EVS__MODEL_SIM: rc = EVS_OK; break;
    case EVS__MODEL_NETWORK: rc = EVS_OK; break;
    case EVS__MODEL_POP:
      rc = evs__model_population_check(c, s, &pops[d->n_pops++]);
      break;
    case EVS__MODEL_PROJ:
      rc = evs__model_projection_check(c, s, &d->sim, &projs[d->n_projs++]);
      break;
    case EVS__MODEL_SUPERSPIKE:
      if (!(rc = evs__model_alloc(c, sizeof *ss, &ss)) &&
          !(rc = evs__model_superspike(c, s, ss)))
        d->superspike = ss;
      break;
    default: rc = do_input(c, s, &inputs[d->n_inputs++]); break;
    }
    if (rc) return rc;
  }
  return EVS_OK;
}
