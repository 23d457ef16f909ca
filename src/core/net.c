/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — describing a net: populations, projections, rules, inputs and
 * the plug-ins that watch it (core/plugin.c holds them; the built-in ones
 * and their settings: src/plugins/), and its run in phases (evs_net_start,
 * evs_net_run_until, evs_net_finish). The populations' parameters are
 * net_params.c's, the weights net_weights.c's; building the net
 * (synapses, rules, clocks) is in net_build.c, the scheduler that runs it
 * in core/run.c, a population's spikes at run time in core/pop.c. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "base/checks.h"
#include "core/comm.h"
#include "core/net_impl.h"
#include "core/run.h"
#include "io/output.h"
#include "evsnn/checkpoint.h"
#include "core/plugin.h"
#include "rules/plastic.h"
#include "plugins/plugins.h"

EVS_API const char *evs_version(void) { return PACKAGE_VERSION; }

/* Grows *arr (of elements of size sz) to hold at least need elements. */
static int grow(void **arr, uint32_t *cap, uint32_t need, size_t sz) {
  if (need <= *cap) return EVS_OK;
  uint32_t ncap = *cap ? *cap * 2 : 8;
  while (ncap < need) ncap *= 2;
  void *p = realloc(*arr, (size_t)ncap * sz);
  if (!p) return EVS_ENOMEM;
  *arr = p;
  *cap = ncap;
  return EVS_OK;
}

EVS_API int evs_net_new(evs_net **out, uint64_t seed, double resolution) {
  *out = NULL;
  if (!(resolution >= EVS__MIN_STEP) || !evs__value_ok(resolution))
    return EVS_EINVAL;
  evs_net *net = calloc(1, sizeof *net);
  if (!net) return EVS_ENOMEM;
  net->seed = seed;
  net->resolution = resolution;
  net->nranks = 1;
  net->memo.h = NAN;
  if (evs__net_add_default_plugins(net)) {
    evs_net_free(net);
    return EVS_ENOMEM;
  }
  *out = net;
  return EVS_OK;
}

static void pop_free(evs_pop *pop) {
  if (!pop) return;
  if (pop->type->destroy) pop->type->destroy(pop);
  if (pop->path)
    for (size_t i = 0; i < pop->type->n_params; i++) free(pop->path[i]);
  free(pop->path);
  if (pop->values)
    for (size_t i = 0; i < pop->type->n_params; i++) free(pop->values[i]);
  free(pop->values);
  free(pop->par);
  free(pop->dist);
  free(pop->dc);
  free(pop->out);
  free(pop->spk);
  free(pop->learn);
  free(pop);
}

static void rule_free(evs_rule *pl) {
  if (!pl) return;
  if (pl->type->destroy) pl->type->destroy(pl);
  free(pl->par);
  free(pl);
}

EVS_API void evs_net_free(evs_net *net) {
  if (!net) return;
  evs__run_free(net->run);
  for (uint32_t i = 0; i < net->nplugin; i++) {
    evs_plugin *pl = net->plugin[i];
    if (pl->type->destroy) pl->type->destroy(pl);
    free(pl);
  }
  free(net->plugin);
  for (uint32_t i = 0; i < net->npop; i++) pop_free(net->pop[i]);
  for (uint32_t i = 0; i < net->nproj; i++) {
    rule_free(net->proj[i]->rule);
    if (net->proj[i]->filter)
      net->proj[i]->filter->type->destroy(net->proj[i]->filter);
    evs_csr_free(net->proj[i]->csr);
    free(net->proj[i]->path);
    free(net->proj[i]);
  }
  free(net->pop);
  free(net->proj);
  free(net->dc);
  free(net->ckpt_path);
  free(net->ckpt_meta);
  free(net);
}

static int valid_name(const char *name) {
  size_t n = strlen(name);
  if (n == 0 || n > 63) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)name[i]) && name[i] != '_') return 0;
  return 1;
}

static int name_taken(const evs_net *net, const char *name) {
  for (uint32_t i = 0; i < net->npop; i++)
    if (strcmp(net->pop[i]->name, name) == 0) return 1;
  for (uint32_t i = 0; i < net->nproj; i++)
    if (strcmp(net->proj[i]->name, name) == 0) return 1;
  return 0;
}

int evs__net_mutable(const evs_net *net, evs_error *err) {
  if (net->built)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the network is already built and cannot change");
  return EVS_OK;
}

EVS_API int evs_net_add_population(evs_net *net, const char *name,
                                   const char *type, uint32_t size,
                                   evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  if (!valid_name(name))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "bad population name '%s' (1-63 letters, digits, _)",
                         name);
  if (name_taken(net, name))
    return evs_error_set(err, EVS_EEXIST, NULL, 0, "name '%s' is already used",
                         name);
  const evs_neuron_type *t = evs__neuron_type_find(type);
  if (!t)
    return evs_error_set(err, EVS_ENOENT, NULL, 0, "unknown neuron type '%s'",
                         type);
  if (size == 0)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "population %s: size must be positive", name);
  if ((uint64_t)net->next_gid + size > UINT32_MAX)
    return evs_error_set(err, EVS_ERANGE, NULL, 0,
                         "population %s: too many neurons in the network",
                         name);
  if (grow((void **)&net->pop, &net->cappop, net->npop + 1, sizeof *net->pop))
    goto nomem;
  evs_pop *pop = calloc(1, sizeof *pop);
  if (!pop) goto nomem;
  pop->type = t;
  pop->memo = &net->memo;
  pop->par = calloc(t->n_params ? t->n_params : 1, sizeof *pop->par);
  pop->dist = calloc(t->n_params ? t->n_params : 1, sizeof *pop->dist);
  pop->path = calloc(t->n_params ? t->n_params : 1, sizeof *pop->path);
  pop->values = calloc(t->n_params ? t->n_params : 1, sizeof *pop->values);
  if (!pop->par || !pop->dist || !pop->path || !pop->values) {
    pop_free(pop);
    goto nomem;
  }
  for (size_t i = 0; i < t->n_params; i++) {
    pop->par[i] =
        (t->params[i].flags & EVS_PARAM_REQUIRED) ? NAN : t->params[i].def;
    pop->dist[i] = evs_dist_const(pop->par[i]);
  }
  strcpy(pop->name, name);
  pop->index = net->npop;
  pop->size = size;
  pop->gid0 = net->next_gid;
  pop->net = net;
  pop->seed = net->seed;
  pop->resolution = net->resolution;
  net->next_gid += size;
  net->pop[net->npop++] = pop;
  return (int)pop->index;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

EVS_API int evs_net_find_population(const evs_net *net, const char *name) {
  for (uint32_t i = 0; i < net->npop; i++)
    if (strcmp(net->pop[i]->name, name) == 0) return (int)i;
  return EVS_ENOENT;
}

evs_pop *evs__net_pop(const evs_net *net, int i, evs_error *err) {
  if (i < 0 || (uint32_t)i >= net->npop) {
    evs_error_set(err, EVS_EINVAL, NULL, 0, "no population with index %d", i);
    return NULL;
  }
  return net->pop[i];
}

EVS_API int evs_net_connect(evs_net *net, const char *name, int pre, int post,
                            evs_receptor receptor, const evs_conn_spec *spec,
                            evs_dim weight_dim, evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  evs_pop *a = evs__net_pop(net, pre, err),
          *b = a ? evs__net_pop(net, post, err) : NULL;
  if (!a || !b) return EVS_EINVAL;
  if (!valid_name(name))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "bad projection name '%s' (1-63 letters, digits, _)",
                         name);
  if (name_taken(net, name))
    return evs_error_set(err, EVS_EEXIST, NULL, 0, "name '%s' is already used",
                         name);
  if (receptor != EVS_RECEPTOR_EXC && receptor != EVS_RECEPTOR_INH)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s: bad receptor", name);
  if (!evs__dist_ok(&spec->weight) || !evs__dist_ok(&spec->delay)) {
    int w = !evs__dist_ok(&spec->weight);
    evs_error_set(err, EVS_EINVAL, NULL, 0,
                  "%s: the %s must be finite and at most %g in magnitude (SI "
                  "units)",
                  name, w ? "weight" : "delay", EVS__MAX_MAGNITUDE);
    evs_error_key(err, w ? "weight" : "delay");
    return EVS_EINVAL;
  }
  if (b->type->kind == EVS_POP_SOURCE)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: %s is a spike source and cannot receive synapses",
                         name, b->name);
  if (b->type->weight_scale(b, weight_dim) == 0) {
    if (weight_dim == EVS_DIM_NONE)
      evs_error_set(err, EVS_EINVAL, NULL, 0,
                    "%s: the weight needs a unit (%s takes no "
                    "dimensionless weights)",
                    name, b->type->name);
    else
      evs_error_set(err, EVS_EINVAL, NULL, 0,
                    "%s: %s does not take weights of dimension %s", name,
                    b->type->name, evs_dim_name(weight_dim));
    evs_error_key(err, "weight");
    return EVS_EINVAL;
  }
  if (grow((void **)&net->proj, &net->capproj, net->nproj + 1,
           sizeof *net->proj))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  evs_proj *p = calloc(1, sizeof *p);
  if (!p) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  if (spec->path && !(p->path = strdup(spec->path))) {
    free(p);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  strcpy(p->name, name);
  p->index = net->nproj;
  p->pre = a;
  p->post = b;
  p->receptor = receptor;
  p->spec = *spec;
  p->spec.path = p->path;
  p->weight_dim = weight_dim;
  net->proj[net->nproj++] = p;
  return (int)p->index;
}

EVS_API int evs_net_find_projection(const evs_net *net, const char *name) {
  for (uint32_t i = 0; i < net->nproj; i++)
    if (strcmp(net->proj[i]->name, name) == 0) return (int)i;
  return EVS_ENOENT;
}

evs_proj *evs__net_proj(const evs_net *net, int i, evs_error *err) {
  if (i < 0 || (uint32_t)i >= net->nproj) {
    evs_error_set(err, EVS_EINVAL, NULL, 0, "no projection with index %d", i);
    return NULL;
  }
  return net->proj[i];
}

int evs__net_built_proj(const evs_net *net, int proj, evs_proj **out,
                        evs_error *err) {
  evs_proj *p = *out = evs__net_proj(net, proj, err);
  if (!p) return EVS_EINVAL;
  if (!net->built)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: the network is not built yet", p->name);
  return EVS_OK;
}

int evs__net_count_ok(const evs_proj *p, uint64_t held, size_t n,
                      const char *what, evs_error *err) {
  if (n == held) return EVS_OK;
  return evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: %zu %s given for %llu synapses", p->name, n, what,
                       (unsigned long long)held);
}

EVS_API int evs_net_set_rule(evs_net *net, int proj, const char *rule,
                             evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  evs_proj *p = evs__net_proj(net, proj, err);
  if (!p) return EVS_EINVAL;
  const evs_rule_type *t = evs__rule_type_find(rule);
  if (!t)
    return evs_error_set(err, EVS_ENOENT, NULL, 0, "unknown learning rule '%s'",
                         rule);
  evs_rule *pl = calloc(1, sizeof *pl);
  if (pl) pl->par = calloc(t->n_params ? t->n_params : 1, sizeof *pl->par);
  if (!pl || !pl->par) {
    free(pl);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  pl->type = t;
  pl->proj = p;
  for (size_t k = 0; k < t->n_params; k++)
    pl->par[k] =
        (t->params[k].flags & EVS_PARAM_REQUIRED) ? NAN : t->params[k].def;
  rule_free(p->rule);
  p->rule = pl;
  return EVS_OK;
}

EVS_API int evs_net_set_rule_param(evs_net *net, int proj, const char *name,
                                   double value, evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  evs_proj *p = evs__net_proj(net, proj, err);
  if (!p) return EVS_EINVAL;
  if (!p->rule)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "projection %s has no learning rule", p->name);
  const evs_rule_type *t = p->rule->type;
  for (size_t k = 0; k < t->n_params; k++)
    if (strcmp(t->params[k].name, name) == 0) {
      if (!evs__value_ok(value))
        return evs_error_set(err, EVS_EINVAL, NULL, 0,
                             "%s: '%s' must be finite and at most %g in "
                             "magnitude",
                             p->name, name, EVS__MAX_MAGNITUDE);
      p->rule->par[k] = value;
      return EVS_OK;
    }
  return evs_error_set(err, EVS_ENOENT, NULL, 0,
                       "rule %s has no parameter '%s'", t->name, name);
}

EVS_API int evs_net_add_dc(evs_net *net, int pop_index, double amplitude,
                           evs_dim dim, evs_error *err) {
  int rc = evs__net_mutable(net, err);
  if (rc) return rc;
  evs_pop *pop = evs__net_pop(net, pop_index, err);
  if (!pop) return EVS_EINVAL;
  if (!pop->type->dc_scale || pop->type->dc_scale(pop, dim) == 0)
    return evs_error_set(
        err, EVS_EINVAL, NULL, 0,
        "%s: %s does not take a constant input of dimension %s", pop->name,
        pop->type->name, evs_dim_name(dim));
  if (!evs__value_ok(amplitude))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: bad DC amplitude %g (finite, at most %g)",
                         pop->name, amplitude, EVS__MAX_MAGNITUDE);
  if (grow((void **)&net->dc, &net->capdc, net->ndc + 1, sizeof *net->dc))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  net->dc[net->ndc++] = (evs_dc_req){(uint32_t)pop_index, amplitude, dim};
  return EVS_OK;
}

/* The progress plug-in opts asks for (*pl), or NULL: none. On several
 * ranks every rank has it if one asks (its events cut the windows alike),
 * and only rank 0 prints it. */
static const evs_plugin *progress_plugin(evs_net *net, const evs_run_opts *opts,
                                         evs_plugin *pl) {
  uint64_t asked = (uint64_t)opts->progress;
  evs_error ignored; /* a failure of the communicator shows at the start */
  if (net->comm)
    evs__comm_allreduce_u64(net->comm, &asked, 1, EVS_COMM_MAX, &ignored);
  int log = opts->progress == 2 || net->rank != 0;
  *pl = (evs_plugin){.type = log ? &evs__progress_log_plugin
                                 : &evs__progress_plugin,
                     .net = net};
  return asked ? pl : NULL;
}

EVS_API int evs_net_start(evs_net *net, const evs_run_opts *opts,
                          evs_error *err) {
  if (net->ran)
    return evs_error_set(err, EVS_ESTATE, NULL, 0, "a network runs only once");
  if (!(opts->duration >= 0) || !evs__value_ok(opts->duration))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "the duration must be a time >= 0 and at most %g s",
                         EVS__MAX_MAGNITUDE);
  int rc = evs_net_build(net, err);
  if (rc) return rc;
  net->ran = 1;
  if (opts->progress == 2 && !(opts->progress_interval >= 0))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "the progress interval must be a time >= 0");
  net->progress_interval =
      opts->progress_interval > 0 ? opts->progress_interval : 60;
  evs_plugin progress;
  return evs__run_begin(net, opts, progress_plugin(net, opts, &progress), err);
}

EVS_API int evs_net_set_checkpoint(evs_net *net, const char *path, double every,
                                   const void *meta, size_t meta_len,
                                   evs_error *err) {
  if (net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "checkpoints are set before the run starts");
  if (!path || !*path)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "an empty checkpoint file name");
  if (!(every >= 0) || !evs__value_ok(every))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "the checkpoint interval must be a time >= 0 and at "
                         "most %g s",
                         EVS__MAX_MAGNITUDE);
  if (meta_len > (1u << 20))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "a checkpoint's caller data is at most 1 MiB");
  char *p = strdup(path);
  void *m = meta_len ? malloc(meta_len) : NULL;
  if (!p || (meta_len && !m)) {
    free(p);
    free(m);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  if (meta_len) memcpy(m, meta, meta_len);
  free(net->ckpt_path);
  free(net->ckpt_meta);
  net->ckpt_path = p;
  net->ckpt_meta = m;
  net->ckpt_meta_len = meta_len;
  net->ckpt_every = every;
  return EVS_OK;
}

EVS_API int evs_net_checkpoint(evs_net *net, evs_error *err) {
  if (!net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "no run in progress to save in a checkpoint");
  return evs__run_checkpoint(net->run, err);
}

EVS_API int evs_net_resume(evs_net *net, const evs_run_opts *opts,
                           evs_error *err) {
  if (net->ran)
    return evs_error_set(err, EVS_ESTATE, NULL, 0, "a network runs only once");
  if (!net->ckpt_path)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "no checkpoint file was set (evs_net_set_checkpoint)");
  if (!(opts->duration >= 0) || !evs__value_ok(opts->duration))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "the duration must be a time >= 0 and at most %g s",
                         EVS__MAX_MAGNITUDE);
  int rc = evs_net_build(net, err);
  if (rc) return rc;
  net->ran = 1;
  net->progress_interval =
      opts->progress_interval > 0 ? opts->progress_interval : 60;
  evs_plugin progress;
  return evs__run_resume(net, opts, progress_plugin(net, opts, &progress), err);
}

/* The run's error when there is none to continue or finish. */
static int no_run(evs_error *err) {
  return evs_error_set(err, EVS_ESTATE, NULL, 0,
                       "no run in progress (evs_net_start starts one; it "
                       "ends with evs_net_finish or an error)");
}

EVS_API int evs_net_run_until(evs_net *net, double t, evs_error *err) {
  if (!net->run) return no_run(err);
  int rc = evs__run_until(net->run, t, err);
  if (!net->run) evs__progress_done(); /* the run failed */
  return rc;
}

EVS_API int evs_net_finish(evs_net *net, evs_error *err) {
  if (!net->run) return no_run(err);
  int rc = evs__run_finish(net->run, err);
  evs__progress_done();
  return rc;
}

EVS_API int evs_net_run(evs_net *net, const evs_run_opts *opts,
                        evs_error *err) {
  int rc = evs_net_start(net, opts, err);
  if (rc) return rc;
  rc = evs_net_run_until(net, opts->duration, err);
  if (rc && rc != EVS_ESTOPPED) return rc;
  return evs_net_finish(net, err);
}

EVS_API int evs_net_rank(const evs_net *net, int *size) {
  if (size) *size = net->nranks;
  return net->rank;
}

EVS_API void evs_net_stats(const evs_net *net, evs_run_stats *stats) {
  *stats = net->stats;
}
