/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a run's checkpoint (evsnn/checkpoint.h): what the scheduler
 * saves and restores, in one walk for both directions: the net's names
 * (a checkpoint of another model is refused), the output files' lengths,
 * the run's own state (phase, periodic counters, listeners, pending
 * events, counters), then every population (its spike buffer and counters,
 * then its type's hook), every projection (a learning projection's
 * weights, its rule's and filter's hooks) and every plug-in (its hook).
 * The file itself is io/checkpoint.c's.
 *
 * The run's own plug-in (slot 0: the progress line) is not part of the
 * state: its events are left out, and a resumed run starts its own. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "core/run_impl.h"
#include "rules/plastic.h"

/* A checkpoint's label from a printf format. */
static int label(evs_ckpt *ck, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int label(evs_ckpt *ck, const char *fmt, ...) {
  char s[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s, sizeof s, fmt, ap);
  va_end(ap);
  return evs_ckpt_label(ck, s);
}

/* 1 when ev belongs to the run's own plug-in (slot 0). */
static int own_event(const evs_event *ev) {
  return ev->kind >= EVS_EV_RECORD && ev->owner == 0;
}

static int by_order(const void *a, const void *b) {
  const evs_event *x = a, *y = b;
  return evs_event_before(x, y) ? -1 : evs_event_before(y, x);
}

/* The pending events: saved without the run's own plug-in's; loaded in
 * their total order, which is a valid heap (each slot before its
 * children), with their push numbers, so that they pop as they would have. */
static int queue_walk(evs_run *r, evs_ckpt *ck) {
  evs_queue *q = &r->q;
  evs_event *ev = NULL;
  size_t n = 0;
  if (!evs_ckpt_loading(ck)) {
    if (!(ev = malloc((q->size ? q->size : 1) * sizeof *ev)))
      return evs_ckpt_refuse(ck, "out of memory saving the events");
    for (size_t i = 0; i < q->size; i++)
      if (!own_event(&q->heap[i])) ev[n++] = q->heap[i];
  }
  evs_ckpt_array(ck, (void **)&ev, &n, NULL, sizeof *ev);
  evs_ckpt_bytes(ck, &q->next_seq, sizeof q->next_seq);
  evs_ckpt_bytes(ck, &q->pushes, sizeof q->pushes);
  evs_ckpt_bytes(ck, &q->pops, sizeof q->pops);
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    qsort(ev, n, sizeof *ev, by_order);
    for (size_t i = 0; i < n; i++)
      if (ev[i].kind > EVS_EV_PROTOCOL ||
          (ev[i].kind == EVS_EV_DELIVER && ev[i].owner >= r->net->nproj) ||
          (ev[i].kind < EVS_EV_DELIVER && ev[i].owner >= r->net->npop) ||
          (ev[i].kind >= EVS_EV_RECORD && ev[i].owner >= r->npl)) {
        free(ev);
        return evs_ckpt_refuse(ck, "a corrupt checkpoint: an event of "
                                   "nothing in the net");
      }
    free(q->heap);
    q->heap = ev;
    q->size = n;
    q->cap = n ? n : 1;
    return EVS_OK;
  }
  free(ev);
  return evs_ckpt_status(ck);
}

/* The run's own state. */
static int run_walk(evs_run *r, evs_ckpt *ck) {
  evs_net *net = r->net;
  label(ck, "run");
  evs_ckpt_bytes(ck, &r->t_phase, sizeof r->t_phase);
  evs_ckpt_fixed(ck, r->ticks, net->npop, sizeof *r->ticks);
  evs_ckpt_fixed(ck, r->last_n, net->npop, sizeof *r->last_n);
  for (uint32_t i = 0; i < net->npop; i++) {
    listeners *l = &r->lis[i];
    size_t n = l->n, cap = l->cap;
    evs_ckpt_array(ck, (void **)&l->slot, &n, &cap, sizeof *l->slot);
    l->n = (uint32_t)n;
    l->cap = (uint32_t)cap;
    for (uint32_t k = 0; k < l->n; k++)
      if (l->slot[k] >= r->npl || !r->pl[l->slot[k]]->type->spikes)
        return evs_ckpt_refuse(ck, "a corrupt checkpoint: a listener that "
                                   "is not a plug-in");
  }
  queue_walk(r, ck);
  evs_ckpt_bytes(ck, &net->stats, sizeof net->stats);
  return evs_ckpt_status(ck);
}

/* Population pop's state: what the scheduler keeps (spikes not flushed,
 * and those of the last flush, which a stop may uncount), then its
 * type's. */
static int pop_walk(evs_run *r, evs_pop *pop, evs_ckpt *ck) {
  label(ck, "population %s %s %u", pop->name, pop->type->name,
        (unsigned)pop->size);
  size_t keep =
      pop->nspk > r->last_n[pop->index] ? pop->nspk : r->last_n[pop->index];
  size_t nspk = pop->nspk;
  evs_ckpt_bytes(ck, &nspk, sizeof nspk);
  evs_ckpt_spikes(ck, &pop->spk, &keep, &pop->capspk);
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    if (nspk > keep || r->last_n[pop->index] > keep)
      return evs_ckpt_refuse(ck,
                             "a corrupt checkpoint: population %s's "
                             "spikes",
                             pop->name);
    pop->nspk = nspk;
  }
  evs_ckpt_bytes(ck, &pop->nspikes, sizeof pop->nspikes);
  evs_ckpt_bytes(ck, &pop->crossings, sizeof pop->crossings);
  evs_ckpt_bytes(ck, &pop->failed, sizeof pop->failed);
  if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
  if (!pop->type->checkpoint)
    return evs_ckpt_refuse(ck,
                           "population %s: neuron type %s cannot be saved "
                           "in a checkpoint yet",
                           pop->name, pop->type->name);
  return pop->type->checkpoint(pop, ck);
}

/* Projection p's state: the weights of a learning projection, its rule's
 * and its filter's state. */
static int proj_walk(evs_proj *p, evs_ckpt *ck) {
  evs_csr *m = p->csr;
  label(ck, "projection %s %s %s %llu", p->name, p->pre->name, p->post->name,
        (unsigned long long)m->nnz);
  evs_ckpt_bytes(ck, &m->weight_shared, sizeof m->weight_shared);
  if (p->rule) {
    int has = m->weight != NULL;
    evs_ckpt_bytes(ck, &has, sizeof has);
    if (has != (m->weight != NULL))
      return evs_ckpt_refuse(ck,
                             "projection %s: its weights are stored "
                             "otherwise than in the checkpoint",
                             p->name);
    if (has) evs_ckpt_fixed(ck, m->weight, m->nnz, sizeof *m->weight);
    label(ck, "rule %s", p->rule->type->name);
    if (!evs_ckpt_status(ck)) {
      if (!p->rule->type->checkpoint)
        return evs_ckpt_refuse(ck,
                               "projection %s: learning rule %s cannot be "
                               "saved in a checkpoint yet",
                               p->name, p->rule->type->name);
      p->rule->type->checkpoint(p->rule, ck);
    }
  }
  if (p->filter && !evs_ckpt_status(ck)) {
    label(ck, "filter %s", p->filter->type->name);
    if (!p->filter->type->checkpoint)
      return evs_ckpt_refuse(ck,
                             "projection %s: %s cannot be saved in a "
                             "checkpoint yet",
                             p->name, p->filter->type->name);
    p->filter->type->checkpoint(p->filter, ck);
  }
  return evs_ckpt_status(ck);
}

/* The whole state after the header and the outputs. */
static int walk(evs_run *r, evs_ckpt *ck) {
  evs_net *net = r->net;
  label(ck, "net %u populations %u projections %u plug-ins",
        (unsigned)net->npop, (unsigned)net->nproj, (unsigned)net->nplugin);
  if (run_walk(r, ck)) return evs_ckpt_status(ck);
  for (uint32_t i = 0; i < net->npop; i++)
    if (pop_walk(r, net->pop[i], ck)) return evs_ckpt_status(ck);
  for (uint32_t i = 0; i < net->nproj; i++)
    if (proj_walk(net->proj[i], ck)) return evs_ckpt_status(ck);
  for (uint32_t s = 1; s < r->npl; s++) {
    evs_plugin *pl = r->pl[s];
    if (label(ck, "plug-in %s", pl->type->name)) break;
    if (pl->type->checkpoint)
      pl->type->checkpoint(pl, r, ck);
    else if (pl->type->start || pl->type->clock || pl->type->spikes ||
             pl->type->finish)
      evs_ckpt_refuse(ck, "plug-in %s cannot be saved in a checkpoint",
                      pl->type->name);
    if (evs_ckpt_status(ck)) break;
  }
  return evs_ckpt_status(ck);
}

/* The header's fields of r's checkpoint at t. */
static evs_checkpoint_info info_of(const evs_run *r, double t) {
  const evs_net *net = r->net;
  return (evs_checkpoint_info){.t = t,
                               .duration = r->t_planned,
                               .seed = net->seed,
                               .meta = net->ckpt_meta,
                               .meta_len = net->ckpt_meta_len};
}

int evs__run_checkpoint_check(evs_run *r, evs_error *err) {
  evs_ckpt ck;
  memset(&ck, 0, sizeof ck); /* no file: the walk only counts */
  ck.err = err;
  evs__output_checkpoint(r->out, &ck);
  walk(r, &ck);
  return ck.status;
}

int evs__run_checkpoint_save(evs_run *r, double t, evs_error *err) {
  evs_net *net = r->net;
  evs_ckpt ck;
  double phase = r->t_phase;
  evs_checkpoint_info info = info_of(r, t);
  int rc = evs__ckpt_save_open(&ck, net->ckpt_path, &info, err);
  if (rc) return rc;
  r->t_phase = t; /* every event before t has run */
  evs__output_checkpoint(r->out, &ck);
  walk(r, &ck);
  r->t_phase = phase;
  /* logged (after the lengths saved) before the file takes its name: the
   * last checkpoint line in run.log is never older than the file */
  if (!evs_ckpt_status(&ck) && r->out) {
    evs__output_log(r->out, "checkpoint: t = %.9g s: %s", t, net->ckpt_path);
    evs__output_log_sync(r->out);
  }
  rc = evs__ckpt_save_close(&ck);
  /* from now on a failed run leaves its files for the checkpoint */
  if (rc == EVS_OK) evs__output_keep(r->out);
  return rc;
}

int evs__run_checkpoint_load(evs_run *r, const char *outdir,
                             const char *model_name, evs_error *err) {
  evs_net *net = r->net;
  evs_ckpt ck;
  evs_checkpoint_info info;
  int rc = evs__ckpt_load_open(&ck, net->ckpt_path, &info, err);
  if (rc) return rc;
  free(info.meta);
  if (info.seed != net->seed)
    evs_ckpt_refuse(&ck,
                    "%s: the checkpoint is of seed %llu, the model's seed "
                    "is %llu",
                    net->ckpt_path, (unsigned long long)info.seed,
                    (unsigned long long)net->seed);
  else if (info.duration != r->t_end)
    evs_ckpt_refuse(&ck, "%s: the checkpoint is of a run of %.9g s, not %.9g s",
                    net->ckpt_path, info.duration, r->t_end);
  if (!evs_ckpt_status(&ck))
    evs__output_resume(&r->out, &ck, outdir, model_name, net->seed, info.t);
  if (!evs_ckpt_status(&ck)) walk(r, &ck);
  rc = evs__ckpt_load_close(&ck);
  if (rc == EVS_OK && !(r->t_phase == info.t))
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: a corrupt checkpoint (its time)", net->ckpt_path);
  return rc;
}
