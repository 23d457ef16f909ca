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
 * state: its events are left out, and a resumed run starts its own.
 *
 * The state does not depend on the number of threads: a threaded run's
 * is saved as one thread's and dealt to the threads of the run that loads
 * it, whatever their number (core/threads_ckpt.c). Pending events are
 * saved in their total order with their ranks as push numbers (a queue
 * loaded from them pops as the saved one would, and the rest of the run
 * pushes after them); what a statistic counts (queue operations,
 * synaptic events) is the sum over the threads. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/checkpoint.h"
#include "core/ranks.h"
#include "core/ranks_ckpt.h"
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

/* The pending events of r in one thread's form and total order, their seq
 * their rank (the threads' ones from evs__par_events, the plug-ins' from
 * r->q without the run's own). EVS_OK or EVS_ENOMEM. */
static int pending_events(evs_run *r, evs_event **out, size_t *nout) {
  evs_queue *q = &r->q;
  evs_event *ev = NULL, *th = NULL;
  size_t n = 0, nth = 0;
  if (r->par && evs__par_events(r->par, &th, &nth)) return EVS_ENOMEM;
  if (!(ev = malloc((q->size + nth ? q->size + nth : 1) * sizeof *ev))) {
    free(th);
    return EVS_ENOMEM;
  }
  for (size_t i = 0; i < q->size; i++)
    if (!own_event(&q->heap[i])) ev[n++] = q->heap[i];
  qsort(ev, n, sizeof *ev, by_order);
  for (size_t i = 0; i < n; i++) ev[i].seq = i;
  /* a plug-in's event and a thread's never tie before seq: their kinds
   * differ */
  if (nth) memcpy(ev + n, th, nth * sizeof *ev);
  free(th);
  n += nth;
  qsort(ev, n, sizeof *ev, by_order);
  for (size_t i = 0; i < n; i++) ev[i].seq = i;
  *out = ev;
  *nout = n;
  return EVS_OK;
}

/* The pending events: saved without the run's own plug-in's, in their
 * total order with their ranks as push numbers (pending_events); loaded in
 * that order, which is a valid heap (each slot before its children), so
 * that they pop as they would have, or dealt to the threads. */
static int queue_walk(evs_run *r, evs_ckpt *ck) {
  evs_queue *q = &r->q;
  evs_event *ev = NULL;
  size_t n = 0;
  uint64_t next_seq = 0, pushes = q->pushes, pops = q->pops;
  if (!evs_ckpt_loading(ck)) {
    if (pending_events(r, &ev, &n))
      return evs_ckpt_refuse(ck, "out of memory saving the events");
    next_seq = n;
    if (r->par) evs__par_queue_counts(r->par, &pushes, &pops);
  }
  evs_ckpt_array(ck, (void **)&ev, &n, NULL, sizeof *ev);
  evs_ckpt_bytes(ck, &next_seq, sizeof next_seq);
  evs_ckpt_bytes(ck, &pushes, sizeof pushes);
  evs_ckpt_bytes(ck, &pops, sizeof pops);
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
    q->next_seq = next_seq;
    q->pushes = pushes;
    q->pops = pops;
    if (r->par) { /* the plug-ins' events here, the others the threads' */
      evs_event *th = malloc((n ? n : 1) * sizeof *th);
      size_t np = 0, nth = 0;
      if (!th) {
        free(ev);
        return evs_ckpt_refuse(ck, "out of memory loading the events");
      }
      for (size_t i = 0; i < n; i++)
        if (ev[i].kind >= EVS_EV_RECORD)
          ev[np++] = ev[i]; /* still in order: a valid heap */
        else
          th[nth++] = ev[i];
      int rc = evs__par_events_load(r->par, th, nth, r->t_phase);
      free(th);
      if (rc) {
        free(ev);
        return rc == EVS_ENOMEM
                   ? evs_ckpt_refuse(ck, "out of memory loading the events")
                   : evs_ckpt_refuse(ck, "a corrupt checkpoint: an event of "
                                         "nothing in the net");
      }
      n = np;
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
  if (r->par)
    evs__par_ckpt_ticks(r->par, ck);
  else
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
    /* the spikes a phase's end told them before their window's flush */
    evs_ckpt_spikes(ck, &l->told, &l->ntold, &l->captold);
  }
  queue_walk(r, ck);
  /* the threads' synaptic events so far count as the net's (a resumed
   * run's threads count from 0) */
  evs_run_stats stats = net->stats;
  if (r->par && !evs_ckpt_loading(ck))
    stats.syn_events += evs__par_syn_events(r->par);
  evs_ckpt_bytes(ck, &stats, sizeof stats);
  if (evs_ckpt_loading(ck)) net->stats = stats;
  return evs_ckpt_status(ck);
}

/* Population pop's state: what the scheduler keeps (spikes not flushed,
 * and those of the last flush, which a stop may uncount), then its
 * type's. */
static int pop_walk(evs_run *r, evs_pop *pop, evs_ckpt *ck) {
  label(ck, "population %s %s %u", pop->name, pop->type->name,
        (unsigned)pop->size);
  if (r->par) return evs__par_ckpt_pop(r->par, pop, ck);
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
 * and its filter's state. In a threaded run, a projection split among the
 * threads has its synapses in the threads' CSRs (the net keeps a learning
 * one's, whose weights are gathered and dealt out here) and its rule and
 * filter in parts (evs__par_ckpt_parts). */
static int proj_walk(evs_run *r, evs_proj *p, evs_ckpt *ck) {
  uint32_t nc = 0;
  evs_csr *const *cs = evs__run_proj_csrs(r, p, &nc);
  uint64_t nnz = 0;
  for (uint32_t c = 0; c < nc; c++) nnz += cs[c]->nnz;
  if (!nc) nnz = p->csr->nnz;
  label(ck, "projection %s %s %s %llu", p->name, p->pre->name, p->post->name,
        (unsigned long long)nnz);
  float shared = nc ? cs[0]->weight_shared : p->csr->weight_shared;
  evs_ckpt_bytes(ck, &shared, sizeof shared);
  if (evs_ckpt_loading(ck)) {
    for (uint32_t c = 0; c < nc; c++) cs[c]->weight_shared = shared;
    if (p->csr) p->csr->weight_shared = shared;
  }
  int parts = r->par && evs__par_split_proj(r->par, p);
  evs_csr *m = p->csr;
  if (p->rule && r->par && !evs_ckpt_loading(ck)) evs__par_gather(r->par, p);
  if (p->rule) {
    int has = m->weight != NULL;
    evs_ckpt_bytes(ck, &has, sizeof has);
    if (has != (m->weight != NULL))
      return evs_ckpt_refuse(ck,
                             "projection %s: its weights are stored "
                             "otherwise than in the checkpoint",
                             p->name);
    if (has) evs_ckpt_fixed(ck, m->weight, m->nnz, sizeof *m->weight);
    if (has && r->par && evs_ckpt_loading(ck) && !evs_ckpt_status(ck))
      evs__par_scatter(r->par, p);
    label(ck, "rule %s", p->rule->type->name);
    if (!evs_ckpt_status(ck)) {
      if (!p->rule->type->checkpoint)
        return evs_ckpt_refuse(ck,
                               "projection %s: learning rule %s cannot be "
                               "saved in a checkpoint yet",
                               p->name, p->rule->type->name);
      if (parts)
        evs__par_ckpt_parts(r->par, p, 0, ck);
      else
        p->rule->type->checkpoint(p->rule, ck);
    }
    if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck))
      evs__run_weights_set(r, p);
  }
  if (p->filter && !evs_ckpt_status(ck)) {
    label(ck, "filter %s", p->filter->type->name);
    if (!p->filter->type->checkpoint)
      return evs_ckpt_refuse(ck,
                             "projection %s: %s cannot be saved in a "
                             "checkpoint yet",
                             p->name, p->filter->type->name);
    if (parts)
      evs__par_ckpt_parts(r->par, p, 1, ck);
    else
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
    if (proj_walk(r, net->proj[i], ck)) return evs_ckpt_status(ck);
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

/* Logs r's checkpoint at t in run.log, synced (after the lengths saved,
 * before the file takes its name: the last checkpoint line in run.log is
 * never older than the file). */
static void log_checkpoint(evs_run *r, double t) {
  if (!r->out) return;
  evs__output_log(r->out, "checkpoint: t = %.9g s: %s", t, r->net->ckpt_path);
  evs__output_log_sync(r->out);
}

/* On several ranks, the commit of the parts every rank wrote (rc: this
 * rank's status, its part complete in path.tmp when EVS_OK): once every
 * rank's is, ranks r > 0 rename theirs, then, once every rank's rename
 * is done, rank 0 logs it and renames its file, which commits the
 * checkpoint (ranks_ckpt.h). A failure anywhere fails every rank and
 * leaves the last committed checkpoint whole. EVS_OK or an error (err). */
static int commit_parts(evs_run *r, const char *path, double t, int rc,
                        evs_error *err) {
  evs_net *net = r->net;
  if ((rc = evs__ranks_agree(net, rc, err))) {
    evs__ckpt_discard(path);
    return rc;
  }
  if (net->rank > 0) rc = evs__ckpt_commit(path, err);
  if ((rc = evs__ranks_agree(net, rc, err))) {
    evs__ckpt_discard(path);
    return rc;
  }
  if (net->rank == 0) {
    log_checkpoint(r, t);
    rc = evs__ckpt_commit(path, err);
  }
  if ((rc = evs__ranks_agree(net, rc, err))) return rc;
  r->ckpt_slot ^= 1; /* the other slot's parts are the older ones now */
  return EVS_OK;
}

int evs__run_checkpoint_save(evs_run *r, double t, evs_error *err) {
  evs_net *net = r->net;
  evs_ckpt ck;
  double phase = r->t_phase;
  evs_checkpoint_info info = info_of(r, t);
  /* a threaded run's pending spikes into the threads' queues first */
  int rc = r->par ? evs__par_settle(r->par) : EVS_OK;
  if (rc)
    evs_error_set(err, rc, NULL, 0, "a checkpoint at t = %.9g s: %s", t,
                  evs_strerror(rc));
  if (!net->comm) {
    if (rc) return rc;
    if ((rc = evs__ckpt_save_open(&ck, net->ckpt_path, &info, err))) return rc;
  } else { /* this rank's part (ranks_ckpt.h) */
    char *path = evs__ranks_ckpt_part(net, r->ckpt_slot);
    if (!path && !rc)
      rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    if (!rc) rc = evs__ckpt_save_open(&ck, path, &info, err);
    if (!rc) {
      uint32_t nranks = (uint32_t)net->nranks, rank = (uint32_t)net->rank;
      ck.keep_tmp = 1;
      evs__ckpt_ranks(&ck, &nranks, &rank);
      r->t_phase = t;
      evs__output_checkpoint(r->out, &ck);
      walk(r, &ck);
      r->t_phase = phase;
      rc = evs__ckpt_save_close(&ck);
    }
    rc = path ? commit_parts(r, path, t, rc, err)
              : evs__ranks_agree(net, rc, err);
    free(path);
    if (rc == EVS_OK) evs__output_keep(r->out);
    return rc;
  }
  r->t_phase = t; /* every event before t has run */
  evs__output_checkpoint(r->out, &ck);
  walk(r, &ck);
  r->t_phase = phase;
  if (!evs_ckpt_status(&ck)) log_checkpoint(r, t);
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
  uint32_t slot = 0;
  int rc = net->comm ? evs__ranks_ckpt_load_open(net, &ck, &info, &slot, err)
                     : evs__ckpt_load_open(&ck, net->ckpt_path, &info, err);
  if (rc) return rc;
  free(info.meta);
  if (!net->comm) { /* a checkpoint of several ranks is refused */
    uint32_t nranks = 1, rank = 0;
    if (evs__ckpt_ranks(&ck, &nranks, &rank) == EVS_OK && nranks > 1)
      evs_ckpt_refuse(&ck,
                      "%s: a checkpoint of a run on %u ranks resumes on %u "
                      "ranks (mpirun -np %u), not in one process",
                      net->ckpt_path, (unsigned)nranks, (unsigned)nranks,
                      (unsigned)nranks);
  }
  r->ckpt_slot = slot ^ 1; /* the next checkpoint keeps this one's parts */
  if (!evs_ckpt_status(&ck) && info.seed != net->seed)
    evs_ckpt_refuse(&ck,
                    "%s: the checkpoint is of seed %llu, the model's seed "
                    "is %llu",
                    net->ckpt_path, (unsigned long long)info.seed,
                    (unsigned long long)net->seed);
  else if (!evs_ckpt_status(&ck) && info.duration != r->t_end)
    evs_ckpt_refuse(&ck, "%s: the checkpoint is of a run of %.9g s, not %.9g s",
                    net->ckpt_path, info.duration, r->t_end);
  if (!evs_ckpt_status(&ck))
    evs__output_resume(&r->out, &ck, outdir, model_name, net->seed, info.t);
  if (!evs_ckpt_status(&ck)) walk(r, &ck);
  rc = evs__ckpt_load_close(&ck);
  if (rc == EVS_OK && !(r->t_phase == info.t))
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: a corrupt checkpoint (its time)", net->ckpt_path);
  return net->comm ? evs__ranks_agree(net, rc, err) : rc;
}
