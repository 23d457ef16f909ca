/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — models, the build: a description (include/evsnn/model_desc.h),
 * filled by the model-file reader (model_check.c) or by a program, -> a
 * net through the public API (include/evsnn/net.h). The memory of the
 * synapses is estimated first (model_limits.c); an error of the net is
 * reported at the origin of the key it names (evs_error.key), or of the
 * object it is about (evs_error.about), never found in its text. Knows
 * nothing of the reader: the description is all it reads. Also
 * evs_model_free. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ranks.h"
#include "evsnn/model.h"
#include "model/model_build.h"

void evs_model_desc_defaults(evs_model_desc *d) {
  memset(d, 0, sizeof *d);
  d->sim.resolution = 1e-4;
  d->sim.seed = 1;
  d->sim.threads = 1;
  d->sim.spike_format = EVS_SPIKES_RAS;
}

/* An object of the description: what it is (evs_about), its index in
 * its array, and its origin. */
typedef struct desc_obj {
  evs_about about;
  int index;
  const evs_desc_origin *o;
} desc_obj;

/* Re-reports error rc of the net (message ne->msg, or evs_strerror(rc)
 * when empty) in err at the origin of key of ob when it has it, else of
 * the key the error names (ne->key), else of ob itself; err is about ob
 * (evs_error.about, .index) and that key (key, else ne->key). EVS_ENOMEM
 * and EVS_EIO keep their code, others become EVS_EMODEL; returns that
 * code. */
static int net_fail(evs_error *err, int rc, desc_obj ob, const char *key,
                    const evs_error *ne) {
  int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
  const evs_origin *at = evs__model_key_origin(ob.o, key);
  if (!at) at = evs__model_key_origin(ob.o, ne->key);
  evs__model_report(err, code, at ? at : &ob.o->at,
                    ne->msg[0] ? ne->msg : evs_strerror(rc));
  evs_error_about(err, ob.about, ob.index);
  evs_error_key(err, key && key[0] ? key : ne->key);
  return code;
}

/* The index in net of the population called name (what names it: key of
 * ob, in object what), or an EVS_EMODEL error there. */
static int find_pop(evs_net *net, const char *name, const char *what,
                    desc_obj ob, const char *key, evs_error *err) {
  int pop = name ? evs_net_find_population(net, name) : EVS_ENOENT;
  if (pop >= 0) return pop;
  evs_error ne;
  evs_error_set(&ne, EVS_EMODEL, NULL, 0, "%s: %s: undefined population '%s'",
                what, key, name ? name : "(none)");
  return net_fail(err, EVS_EMODEL, ob, key, &ne);
}

/* Adds population p, number k of the description, to net with its
 * parameters, background current, recordings and rate check. */
static int add_population(evs_net *net, const evs_pop_desc *p, int k,
                          evs_error *err) {
  const desc_obj o = {EVS_ABOUT_POPULATION, k, &p->origin};
  evs_error ne;
  evs_error_clear(&ne);
  int rc, pop = evs_net_add_population(net, p->name, p->type, p->size, &ne);
  if (pop < 0) return net_fail(err, pop, o, NULL, &ne);
  for (size_t i = 0; i < p->n_params; i++) {
    const evs_param_desc *q = &p->params[i];
    if (q->values)
      rc = evs_net_set_param_values(net, pop, q->name, q->values, q->n_values,
                                    &ne);
    else if (q->path)
      rc = evs_net_set_path(net, pop, q->name, q->path, &ne);
    else
      rc = evs_net_set_param(net, pop, q->name, &q->value, &ne);
    if (rc) return net_fail(err, rc, o, q->name, &ne);
  }
  if (p->has_dc && (rc = evs_net_add_dc(net, pop, p->dc, EVS_DIM_CURRENT, &ne)))
    return net_fail(err, rc, o, "background_rate", &ne);
  if (p->spikes_set &&
      (rc = evs_net_record_spikes(net, pop, p->record_spikes))) {
    evs_error_set(&ne, rc, NULL, 0, "record_spikes: %s", evs_strerror(rc));
    return net_fail(err, rc, o, "record_spikes", &ne);
  }
  for (size_t i = 0; i < p->n_records; i++) {
    const evs_record_desc *r = &p->records[i];
    if ((rc = evs_net_record(net, pop, r->var, r->ids, r->n, r->interval, &ne)))
      return net_fail(err, rc, o, r->key, &ne);
  }
  if (p->check_rate && (rc = evs_net_check_rate(net, pop, p->rate_min,
                                                p->rate_max, p->rate_tau, &ne)))
    return net_fail(err, rc, o, "rate_max", &ne);
  return EVS_OK;
}

/* Adds projection p, number k of the description, to net: the
 * compensating DC, the synapses, short-term plasticity, the learning rule
 * and the weight recordings. */
static int add_projection(evs_net *net, const evs_proj_desc *p, int k,
                          evs_error *err) {
  const desc_obj o = {EVS_ABOUT_PROJECTION, k, &p->origin};
  evs_error ne;
  int rc, pre, post;
  evs_error_clear(&ne);
  if ((pre = find_pop(net, p->pre, p->name, o, "pre", err)) < 0) return pre;
  if ((post = find_pop(net, p->post, p->name, o, "post", err)) < 0) return post;
  if (p->has_dc) {
    const char *count = evs__model_count_key(p->spec.kind);
    if (!isfinite(p->dc)) {
      evs_error_set(&ne, EVS_EINVAL, NULL, 0,
                    "the compensating DC is not finite");
      return net_fail(err, EVS_EINVAL, o, count, &ne);
    }
    if ((rc = evs_net_add_dc(net, post, p->dc, p->weight_dim, &ne)))
      return net_fail(err, rc, o, count, &ne);
  }
  int idx = evs_net_connect(net, p->name, pre, post, p->receptor, &p->spec,
                            p->weight_dim, &ne);
  /* a weight the post type cannot take is the weight's error (ne.key) */
  if (idx < 0) return net_fail(err, idx, o, NULL, &ne);
  if (p->has_stp && (rc = evs_net_set_stp(net, idx, p->stp_U, p->stp_tau_d,
                                          p->stp_tau_f, &ne)))
    return net_fail(err, rc, o, "stp_U", &ne);
  if (p->rule && (rc = evs_net_set_rule(net, idx, p->rule, &ne)))
    return net_fail(err, rc, o, "rule", &ne);
  for (size_t i = 0; p->rule && i < p->n_rule_params; i++) {
    const evs_rule_param_desc *q = &p->rule_params[i];
    if ((rc = evs_net_set_rule_param(net, idx, q->name, q->value, &ne)))
      return net_fail(err, rc, o, q->name, &ne);
  }
  if (p->record_weights > 0 &&
      (rc = evs_net_record_weights(net, idx, p->record_weights, &ne)))
    return net_fail(err, rc, o, "record_weights", &ne);
  if (p->record_synapses > 0 &&
      (rc = evs_net_record_synapses(net, idx, p->record_synapses, &ne)))
    return net_fail(err, rc, o, "record_synapses", &ne);
  if (p->n_matrix_times &&
      (rc = evs_net_record_matrix(net, idx, p->matrix_times, p->n_matrix_times,
                                  &ne)))
    return net_fail(err, rc, o, "record_matrix", &ne);
  return EVS_OK;
}

/* Adds input in, number k of the description, to net: a constant current
 * or a current source. */
static int add_input(evs_net *net, const evs_input_desc *in, int k,
                     evs_error *err) {
  const desc_obj o = {EVS_ABOUT_INPUT, k, &in->origin};
  evs_error ne;
  int rc, pop = find_pop(net, in->post, in->name, o, "post", err);
  if (pop < 0) return pop;
  evs_error_clear(&ne);
  if (!in->source) {
    if ((rc = evs_net_add_dc(net, pop, in->amplitude, in->dim, &ne)))
      return net_fail(err, rc, o, "amplitude", &ne);
    return EVS_OK;
  }
  int idx = evs_net_add_current(net, pop, in->ids, in->ids ? in->n_ids : 0,
                                &in->current, &ne);
  return idx < 0 ? net_fail(err, idx, o, NULL, &ne) : EVS_OK;
}

/* Gives net the SuperSpike learner of ss. */
static int add_superspike(evs_net *net, const evs_superspike_desc *ss,
                          evs_error *err) {
  const desc_obj o = {EVS_ABOUT_LEARNER, 0, &ss->origin};
  evs_superspike_spec spec = ss->spec;
  evs_error ne;
  int rc;
  spec.output = find_pop(net, ss->output, "superspike", o, "output", err);
  if (spec.output < 0) return spec.output;
  evs_error_clear(&ne);
  if ((rc = evs_net_superspike(net, &spec, &ne)))
    return net_fail(err, rc, o, NULL, &ne);
  return EVS_OK;
}

/* Builds d's net into m (m->net created here). */
static int build(const evs_model_desc *d, uint64_t seed, evs_model *m,
                 evs_error *err) {
  const evs_desc_origin *so = &d->sim.origin;
  evs_error ne;
  char msg[128];
  int rc;
  if ((rc = evs_net_new(&m->net, seed, d->sim.resolution)) != EVS_OK) {
    snprintf(msg, sizeof msg, "cannot create the net: %s", evs_strerror(rc));
    return evs__model_report(err, rc == EVS_ENOMEM ? rc : EVS_EMODEL, &so->at,
                             msg);
  }
  if ((rc = evs_net_set_spike_format(m->net, d->sim.spike_format, &ne)))
    return evs__model_report(err, rc, &so->at, ne.msg);
  for (size_t i = 0; i < d->n_pops; i++)
    if ((rc = add_population(m->net, &d->pops[i], (int)i, err))) return rc;
  for (size_t i = 0; i < d->n_projs; i++)
    if ((rc = add_projection(m->net, &d->projs[i], (int)i, err))) return rc;
  for (size_t i = 0; i < d->n_inputs; i++)
    if ((rc = add_input(m->net, &d->inputs[i], (int)i, err))) return rc;
  if (d->superspike && (rc = add_superspike(m->net, d->superspike, err)))
    return rc;
  evs_error_clear(&ne);
  if ((rc = evs_net_build(m->net, &ne)) != EVS_OK) {
    desc_obj o = {ne.about, ne.index, NULL};
    if (ne.about == EVS_ABOUT_POPULATION && ne.index >= 0 &&
        (size_t)ne.index < d->n_pops)
      o.o = &d->pops[ne.index].origin;
    else if (ne.about == EVS_ABOUT_PROJECTION && ne.index >= 0 &&
             (size_t)ne.index < d->n_projs)
      o.o = &d->projs[ne.index].origin;
    else if (ne.about == EVS_ABOUT_LEARNER && d->superspike)
      o.o = &d->superspike->origin;
    if (o.o) return net_fail(err, rc, o, NULL, &ne);
    const evs_origin whole = {d->file, 0, NULL};
    int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
    return evs__model_report(err, code, &whole,
                             ne.msg[0] ? ne.msg : evs_strerror(rc));
  }
  return EVS_OK;
}

void evs_model_free(evs_model *m) {
  if (!m) return;
  evs_net_free(m->net);
  free(m);
}

int evs_model_build(const evs_model_desc *d, const evs_model_opts *mo,
                    evs_model **out, evs_error *err) {
  evs_model *m;
  int rc;
  if (out) *out = NULL;
  /* a failure before the net joins the ranks is this rank's alone,
   * perhaps: evs__ranks_fail_unjoined tells the others */
  if (!d || !out || (d->n_pops && !d->pops) || (d->n_projs && !d->projs) ||
      (d->n_inputs && !d->inputs))
    return evs__ranks_fail_unjoined(
        NULL, evs_error_set(err, EVS_EINVAL, NULL, 0,
                            "evs_model_build: NULL argument"));
  if (mo && mo->n_overrides)
    return evs__ranks_fail_unjoined(
        NULL, evs_error_set(err, EVS_EINVAL, NULL, 0,
                            "evs_model_build: --set overrides apply to model "
                            "text only"));
  if ((rc = evs__model_check_memory(d, mo && mo->force, err)))
    return evs__ranks_fail_unjoined(NULL, rc);
  if (!(m = calloc(1, sizeof *m)))
    return evs__ranks_fail_unjoined(
        NULL, evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory"));
  snprintf(m->name, sizeof m->name, "%s", d->name ? d->name : "model");
  m->seed = mo && mo->seed_set ? mo->seed : d->sim.seed;
  m->run.duration = d->sim.duration;
  m->run.threads = d->sim.threads;
  m->run.model_name = m->name;
  m->checkpoint_every = d->sim.checkpoint_every;
  if ((rc = build(d, m->seed, m, err))) {
    rc = evs__ranks_fail_unjoined(m->net, rc);
    evs_model_free(m);
    return rc;
  }
  *out = m;
  return EVS_OK;
}
