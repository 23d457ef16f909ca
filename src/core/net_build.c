/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — building a described net (evs_net_build): every required
 * parameter present, DC inputs summed, every projection's synapses drawn
 * (weights in the post population's internal units) with its learning rule
 * and delivery filter readied, each population's clock chosen and its type
 * initialised, and every plug-in's build hook called (also of one a
 * program adds after the build: evs_net_add_plugin). The description is
 * made in net.c, the run in core/run.c. */
#include <math.h>
#include <stdlib.h>

#include "base/clock.h"
#include "core/net_impl.h"
#include "core/plugin.h"
#include "core/ranks.h"
#include "rules/plastic.h"

/* Readies p's learning rule: one delay, the transposed index, parameters
 * in internal units, and the post population told to report its spikes. */
static int start_rule(evs_proj *p, evs_error *err) {
  evs_rule *pl = p->rule;
  const evs_rule_type *t = pl->type;
  if (p->csr->grp_ptr)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: a learning projection needs one delay "
                         "for all its synapses",
                         p->name);
  for (size_t k = 0; k < t->n_params; k++) {
    if (isnan(pl->par[k]))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "projection %s: rule parameter '%s' is required",
                           p->name, t->params[k].name);
    if (t->params[k].flags & EVS_PARAM_WEIGHT) pl->par[k] *= p->weight_scale;
  }
  int rc = evs_csr_build_transpose(p->csr);
  if (rc)
    return evs_error_set(err, rc, NULL, 0, "projection %s: %s", p->name,
                         evs_strerror(rc));
  if ((rc = t->init(pl, err))) return rc;
  evs_pop *post = p->post;
  evs_rule **l = realloc(post->learn, (post->n_learn + 1) * sizeof *l);
  if (!l) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  l[post->n_learn++] = pl;
  post->learn = l;
  return EVS_OK;
}

int evs__proj_narrow(const evs_proj *p, uint32_t post_size) {
  const evs_neuron_type *t = p->post->type;
  return !p->rule && !p->filter && post_size <= EVS_CSR_NARROW_MAX &&
         t->deliver16 && (!t->deliver_ahead || t->deliver_ahead16) &&
         (!t->prefetch || t->prefetch16);
}

/* Builds the synapses of projection p onto the post neurons this process
 * holds (all of them in one process), weights converted to the post
 * population's internal units. */
static int build_projection(evs_net *net, evs_proj *p, evs_error *err) {
  evs_conn_spec spec = p->spec;
  double scale = p->post->type->weight_scale(p->post, p->weight_dim);
  /* evs_net_connect checked the dimension; a parameter set since may have
   * made the post population refuse it (cm per neuron and voltages) */
  if (scale == 0) {
    evs_error_set(err, EVS_EINVAL, NULL, 0,
                  "%s: %s %s does not take weights of dimension %s", p->name,
                  p->post->type->name, p->post->name,
                  evs_dim_name(p->weight_dim));
    evs_error_key(err, "weight");
    return EVS_EINVAL;
  }
  /* an edge list's weights are SI like the spec's: scaled after the build */
  int file = spec.kind == EVS_CONN_FILE;
  if (!file) spec.weight = evs_dist_scale(spec.weight, scale);
  spec.delay_step = net->resolution;
  spec.seed = net->seed;
  spec.stream = p->index;
  spec.same_population = p->pre == p->post;
  uint32_t *own, n_own;
  if (evs__ranks_own(p->post, &own, &n_own))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  int rc = evs__csr_build_part(&p->csr, p->pre->size, p->post->size, &spec, own,
                               n_own, err);
  free(own);
  if (rc) return rc;
  for (uint64_t q = 0; file && q < p->csr->nnz; q++) {
    float w = (float)(p->csr->weight[q] * scale);
    if (!isfinite(w))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: edge %llu: weight %g beyond a float in the "
                           "neuron's internal unit",
                           p->name, (unsigned long long)q,
                           (double)p->csr->weight[q]);
    p->csr->weight[q] = w;
  }
  p->weight_scale = scale;
  if (p->rule && (rc = start_rule(p, err))) return rc;
  if (p->filter && (rc = p->filter->type->build(p->filter, p, err))) return rc;
  /* Nothing writes a static projection's weights, and no filter reads them:
   * one copy serves if they are all equal (4 bytes a synapse instead of 8). */
  if (!p->rule && !p->filter) evs_csr_share_weight(p->csr);
  /* and 2 bytes a synapse less with 16-bit targets where they serve */
  if (evs__proj_narrow(p, p->post->size) && evs_csr_narrow(p->csr) < 0)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  evs_pop *pre = p->pre;
  uint32_t *out = realloc(pre->out, (pre->n_out + 1) * sizeof *out);
  if (!out) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  out[pre->n_out++] = p->index;
  pre->out = out;
  return EVS_OK;
}

/* The interval of pop's periodic event (see evs_neuron_type.tick). An exact
 * population's window must not exceed the shortest delay of its outgoing
 * synapses, so that a spike found in a window is delivered after it. */
static int choose_tick(evs_net *net, evs_pop *pop, evs_error *err) {
  switch (pop->type->kind) {
  case EVS_POP_CLOCKED: {
    /* a type with a parameter dt (the rate types, rate.c) may step on its
     * own clock; dt = 0 means the resolution */
    int k = evs__param_index(pop->type, "dt");
    pop->tick = k >= 0 && pop->par[k] > 0 ? pop->par[k] : net->resolution;
    return EVS_OK;
  }
  case EVS_POP_SOURCE: pop->tick = fmax(net->resolution, 1e-3); return EVS_OK;
  case EVS_POP_EXACT: break;
  }
  uint32_t dmin = UINT32_MAX;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_proj *p = net->proj[pop->out[k]];
    if (p->synapses == 0) continue;
    if (p->csr->min_delay == 0) {
      evs_error_set(err, EVS_EINVAL, NULL, 0,
                    "projection %s: delays from the exact population %s "
                    "must be at least the resolution (%g ms)",
                    p->name, pop->name, net->resolution * 1e3);
      evs_error_key(err, "delay");
      evs_error_about(err, EVS_ABOUT_PROJECTION, (int)p->index);
      return EVS_EINVAL;
    }
    if (p->csr->min_delay < dmin) dmin = p->csr->min_delay;
  }
  /* Without outgoing synapses any window is exact; 1 ms keeps ticks cheap. */
  pop->tick =
      dmin == UINT32_MAX ? fmax(net->resolution, 1e-3) : dmin * net->resolution;
  return EVS_OK;
}

/* Initialises population pop's state by its type. On several ranks a
 * population cut among them is initialised as its threads' slices when the
 * run starts (core/threads_setup.c): here the rank's block is initialised
 * once to check its parameters, then let go, and a population held whole
 * by another rank is not initialised here at all (pop->state stays NULL). */
static int init_held(evs_pop *pop, evs_error *err) {
  const evs_net *net = pop->net;
  if (!net->comm || (pop->rank_lo == 0 && pop->rank_hi == pop->size &&
                     !evs__ranks_split(net, pop)))
    return pop->type->init(pop, err);
  if (pop->rank_lo == pop->rank_hi) return EVS_OK;
  evs_pop block = *pop;
  block.first = pop->rank_lo;
  block.size = pop->rank_hi - pop->rank_lo;
  block.dc = pop->dc; /* the block's already */
  block.state = NULL;
  int rc = pop->type->init(&block, err);
  if (block.state) pop->type->destroy(&block);
  return rc;
}

/* Builds everything; on failure the net is left half-built for freeing. */
static int build(evs_net *net, evs_error *err);

EVS_API int evs_net_build(evs_net *net, evs_error *err) {
  if (net->built) return EVS_OK;
  if (net->build_failed)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the network failed to build before; it cannot be "
                         "built again");
  int rc = build(net, err);
  if (rc) net->build_failed = 1;
  return rc;
}

static int build(evs_net *net, evs_error *err) {
  double t_start = evs__wall_clock();
  int rc;
  /* on several ranks each builds the synapses onto its own neurons; a
   * failure from here on reaches the others at an agreement (a rank that
   * fails before it joins them: evs__ranks_fail_unjoined) */
  if ((rc = evs__ranks_join(net, err))) return rc;
  for (uint32_t i = 0; i < net->npop && rc == EVS_OK; i++) {
    evs_pop *pop = net->pop[i];
    for (size_t k = 0; k < pop->type->n_params && rc == EVS_OK; k++) {
      const evs_param_def *d = &pop->type->params[k];
      if (((d->flags & EVS_PARAM_PATH) && (d->flags & EVS_PARAM_REQUIRED) &&
           !pop->path[k]) ||
          (!(d->flags & EVS_PARAM_PATH) && isnan(pop->par[k]))) {
        rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "population %s: '%s' is required", pop->name,
                           d->name);
        evs_error_about(err, EVS_ABOUT_POPULATION, (int)i);
      }
    }
  }
  if (rc) return evs__ranks_agree(net, rc, err); /* agree_build's first */
  evs__ranks_deal(net);
  /* DC inputs, for the neurons this rank holds only (a rank's failure
   * reaches the others at the agreement after the projections) */
  for (uint32_t i = 0; i < net->ndc && rc == EVS_OK; i++) {
    evs_pop *pop = net->pop[net->dc[i].pop];
    uint32_t n = pop->rank_hi - pop->rank_lo;
    if (!n) continue;
    if (!pop->dc && !(pop->dc = calloc(n, sizeof *pop->dc))) {
      rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
      break;
    }
    double scale = pop->type->dc_scale(pop, net->dc[i].dim);
    if (scale == 0) { /* a parameter set since evs_net_add_dc refuses it */
      rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: %s does not take a constant input of "
                         "dimension %s",
                         pop->name, pop->type->name,
                         evs_dim_name(net->dc[i].dim));
      evs_error_about(err, EVS_ABOUT_POPULATION, (int)net->dc[i].pop);
      break;
    }
    double v = net->dc[i].amplitude * scale;
    for (uint32_t j = 0; j < n; j++) pop->dc[j] += v;
  }
  /* errors say which object (and key) they are about: a model file points
   * at the line that asked for it */
  for (uint32_t i = 0; i < net->nproj && rc == EVS_OK; i++)
    if ((rc = build_projection(net, net->proj[i], err)))
      evs_error_about(err, EVS_ABOUT_PROJECTION, (int)i);
  uint64_t bytes;
  if ((rc = evs__ranks_agree_build(net, rc, &bytes, err))) return rc;
  for (uint32_t i = 0; i < net->npop && rc == EVS_OK; i++) {
    evs_pop *pop = net->pop[i];
    if ((rc = choose_tick(net, pop, err)) || (rc = init_held(pop, err)))
      evs_error_about(err, EVS_ABOUT_POPULATION, (int)i);
  }
  if ((rc = evs__ranks_agree(net, rc, err))) return rc;
  /* a plug-in's build says what its errors are about itself; one that
   * fails on one rank (reading a file only rank 0 reads) fails them all */
  for (uint32_t i = 0; i < net->nplugin && rc == EVS_OK; i++) {
    evs_plugin *pl = net->plugin[i];
    if (pl->type->build) rc = pl->type->build(pl, net, err);
  }
  if ((rc = evs__ranks_agree(net, rc, err))) return rc;
  net->built = 1;
  net->stats.wall_build = evs__wall_clock() - t_start;
  for (uint32_t i = 0; i < net->nproj; i++)
    net->stats.synapses += net->proj[i]->synapses;
  net->stats.synapse_bytes = bytes; /* of every rank */
  return EVS_OK;
}

/* ---- plug-ins added by a program ---------------------------------------- */

EVS_API int evs_net_add_plugin(evs_net *net, const evs_plugin_type *type,
                               void *state, evs_error *err) {
  if (net->ran) {
    if (type->destroy) {
      evs_plugin tmp = {.type = type, .net = net, .state = state};
      type->destroy(&tmp);
    }
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "plug-in %s: the network has already run", type->name);
  }
  evs_plugin *pl;
  if (evs__net_add_plugin(net, type, state, &pl))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  if (!net->built || !type->build) return EVS_OK;
  /* added after evs_net_build: built now, as the build would have (on
   * every rank, agreeing); one whose build fails leaves the net */
  int rc = evs__ranks_agree(net, type->build(pl, net, err), err);
  if (rc) {
    net->nplugin--;
    if (type->destroy) type->destroy(pl);
    free(pl);
  }
  return rc;
}
