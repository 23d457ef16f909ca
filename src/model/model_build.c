/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 3: the symbol tables read by model_read.c
 * (model_impl.h) -> a validated description -> a net.
 *
 * Every section is checked in file order without a net (so the first error
 * reported is the first in the file): [simulation] and [network] here,
 * populations in model_population.c, projections into their description
 * (model_desc.h, model_projection.c), inputs here and in model_current.c,
 * [superspike] in model_superspike.c. Then the net is built through the
 * public API: populations, projections, inputs, evs_net_build; an error of
 * the net is reported at the key its evs_error names. Values are read and
 * errors reported by model_value.c.
 * The format is documented in doc/model-format.md and evsnn-model(5). */
#include "model/model_desc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/net_impl.h"
#include "core/run.h"
#include "evsnn/neuron.h"
#include "evsnn/rule.h"
#include "evsnn/spikes.h"

/* ---- [simulation] ---------------------------------------------------- */

static int do_simulation(evs__model_ctx *c, const evs__model_sec *s,
                         evs__model_sim_desc *so) {
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

uint64_t evs__model_scaled_size(const evs__model_ctx *c, uint64_t n) {
  if (c->scale == 1) return n;
  double v = nearbyint((double)n * c->scale);
  return v < 1 ? 1 : v > 1e18 ? (uint64_t)1e18 : (uint64_t)v;
}

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

/* ---- [input NAME] and the net's errors ---------------------------------- */

/* The population named by key k of section s. */
static int find_pop(evs__model_ctx *c, const evs__model_key *k, evs_net *net,
                    int *pop) {
  const evs__model_sec *p = evs__model_sec_find(c, EVS__MODEL_POP, k->value);
  if (!p)
    return evs__model_key_fail(c, k, "undefined population '%s'", k->value);
  *pop = net ? p->pop_index : 0;
  return EVS_OK;
}

/* [input NAME]: a constant dc on a whole population (evs_net_add_dc, in
 * the type's internal units from build on), or a current source
 * (model_current.c). */
static int do_input(evs__model_ctx *c, const evs__model_sec *s, evs_net *net) {
  static const char *const keys[] = {"type", "post", "amplitude", NULL};
  static const evs_dim adims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE};
  const evs__model_key *k, *kp;
  evs_dist a;
  evs_dim dim = EVS_DIM_NONE;
  evs_error ne;
  int rc = EVS_OK, pop = -1;
  if ((k = evs__model_key_get(s, "type")) &&
      (strcmp(k->value, "dc") || evs__model_key_get(s, "start") ||
       evs__model_key_get(s, "stop") || evs__model_key_get(s, "neurons"))) {
    if (!(kp = evs__model_need(c, s, "post", &rc)) ||
        (rc = find_pop(c, kp, net, &pop)))
      return rc;
    const evs__model_sec *ps =
        evs__model_sec_find(c, EVS__MODEL_POP, kp->value);
    const evs__model_key *ktype = evs__model_key_get(ps, "type");
    const evs__model_key *ksize = evs__model_key_get(ps, "size");
    uint64_t size;
    /* a population without a valid type or size is its own error */
    if (!ktype || !ksize || evs__model_parse_u64(ksize->value, &size) ||
        size == 0 || size > UINT32_MAX)
      return EVS_OK;
    return evs__model_current(c, s, net, pop, ktype->value, (uint32_t)size);
  }
  if ((rc = evs__model_check_keys(c, s, keys, NULL))) return rc;
  if (!(k = evs__model_need(c, s, "type", &rc))) return rc;
  if (!(kp = evs__model_need(c, s, "post", &rc)) ||
      (rc = find_pop(c, kp, net, &pop)))
    return rc;
  if (!(k = evs__model_need(c, s, "amplitude", &rc))) return rc;
  if ((rc = evs__model_get_dist_any(c, k, adims, 2, &a, &dim))) return rc;
  if (a.kind != EVS_DIST_CONST)
    return evs__model_key_fail(c, k, "amplitude must be a constant");
  if (net && (rc = evs_net_add_dc(net, pop, a.p[0], dim, &ne)))
    return evs__model_net_fail(c, rc, s, k, &ne);
  return EVS_OK;
}

/* The section that described object (about, index) of the net (an
 * evs_error's evs_about), or NULL. */
static const evs__model_sec *sec_of(const evs__model_ctx *c, int about,
                                    int index) {
  const evs__model_sec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) {
    if (about == EVS_ABOUT_POPULATION && s->kind == EVS__MODEL_POP &&
        s->pop_index == index)
      return s;
    if (about == EVS_ABOUT_PROJECTION && s->kind == EVS__MODEL_PROJ &&
        s->proj_index == index)
      return s;
    if (about == EVS_ABOUT_SUPERSPIKE && s->kind == EVS__MODEL_SUPERSPIKE)
      return s;
  }
  return NULL;
}

void evs__model_desc_free(evs__model_sec *s) {
  if (s->pop) {
    for (size_t i = 0; i < s->pop->npar; i++) free(s->pop->par[i].path);
    free(s->pop->par);
    free(s->pop);
    s->pop = NULL;
  }
  if (s->proj) {
    free((char *)s->proj->spec.path);
    free(s->proj);
    s->proj = NULL;
  }
}

/* evs__model_build without freeing the descriptions. */
static int build(evs__model_ctx *c, const evs_model_opts *mo, evs_model *m) {
  evs__model_sim_desc so = {0, 1e-4, 1, 1, EVS_SPIKES_RAS, 0};
  evs__model_sec *s, *tmp, *sim = evs__model_sec_find(c, EVS__MODEL_SIM, "");
  evs_error ne;
  int rc;
  if (!sim)
    return evs_error_set(c->err, EVS_EMODEL, c->file, 1,
                         "missing section [simulation] (it needs at least "
                         "'duration')");
  /* check everything, building nothing: [simulation] first (projections
   * need its resolution), then the rest in file order */
  if ((rc = do_simulation(c, sim, &so))) return rc;
  if ((rc = do_network(c, evs__model_sec_find(c, EVS__MODEL_NETWORK, ""))))
    return rc;
  HASH_ITER(hh, c->secs, s, tmp) {
    switch (s->kind) {
    case EVS__MODEL_SIM: rc = EVS_OK; break;
    case EVS__MODEL_NETWORK: rc = EVS_OK; break;
    case EVS__MODEL_POP: rc = evs__model_population_check(c, s); break;
    case EVS__MODEL_PROJ: rc = evs__model_projection_check(c, s, &so); break;
    case EVS__MODEL_SUPERSPIKE: rc = evs__model_superspike(c, s, NULL); break;
    default: rc = do_input(c, s, NULL); break;
    }
    if (rc) return rc;
  }
  if ((rc = evs__model_check_memory(c, mo))) return rc;
  if (mo && mo->seed_set) so.seed = mo->seed;
  m->seed = so.seed;
  m->run.duration = so.duration;
  m->run.threads = so.threads;
  m->run.model_name = m->name;
  m->checkpoint_every = so.checkpoint_every;
  if ((rc = evs_net_new(&m->net, so.seed, so.resolution)) != EVS_OK)
    return evs_error_set(c->err, rc == EVS_ENOMEM ? rc : EVS_EMODEL, c->file,
                         sim->line, "cannot create the net: %s",
                         evs_strerror(rc));
  if ((rc = evs_net_set_spike_format(m->net, so.spike_format, &ne)))
    return evs_error_set(c->err, rc, c->file, sim->line, "%s", ne.msg);
  for (evs__model_sec_kind k = EVS__MODEL_POP; k <= EVS__MODEL_INPUT; k++)
    HASH_ITER(hh, c->secs, s, tmp) {
      if (s->kind != k) continue;
      if (k == EVS__MODEL_POP)
        rc = evs__model_population_build(c, s, m->net);
      else if (k == EVS__MODEL_PROJ)
        rc = evs__model_projection_build(c, s, m->net);
      else
        rc = do_input(c, s, m->net);
      if (rc) return rc;
    }
  if ((s = evs__model_sec_find(c, EVS__MODEL_SUPERSPIKE, "")) &&
      (rc = evs__model_superspike(c, s, m->net)))
    return rc;
  evs_error_clear(&ne);
  if ((rc = evs_net_build(m->net, &ne)) != EVS_OK) {
    const evs__model_sec *at = sec_of(c, ne.about, ne.index);
    if (at) return evs__model_net_fail(c, rc, at, NULL, &ne);
    int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
    return evs_error_set(c->err, code, c->file, 0, "%s",
                         ne.msg[0] ? ne.msg : evs_strerror(rc));
  }
  return EVS_OK;
}

int evs__model_build(evs__model_ctx *c, const evs_model_opts *mo,
                     evs_model *m) {
  int rc = build(c, mo, m);
  evs__model_sec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) evs__model_desc_free(s);
  return rc;
}
