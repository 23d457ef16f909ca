/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the scheduler: runs a built net, dispatching every event to its
 * handler and calling the plug-ins' hooks (core/plugin.h) by index.
 *
 * Every population with a periodic event (exact window, clock step, source
 * window) has one such event in the queue at any time. After a periodic
 * handler returns, the population's new spikes are flushed: sorted by (time,
 * id), handed to the plug-ins that listen to the population, and turned
 * into one delivery event per outgoing projection and delay group (or,
 * for a projection delivered ahead, handed to the post type's ring buffer
 * at once: run_ahead.c). A delivery event hands one group's targets and weights
 * (through the projection's filter, if any) to the post type's deliver(), then
 * to the projection's rule. Record and protocol events belong to plug-ins:
 * their owner is the plug-in's slot in this run. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/comm.h"
#include "core/ranks.h"
#include "core/ranks_ckpt.h"
#include "core/run_impl.h"
#include "rules/plastic.h"

/* ---- what plug-ins may ask ----------------------------------------------- */

EVS_API int evs_run_push(evs_run *run, const evs_plugin *pl, double t,
                         uint32_t kind, uint32_t source, uint32_t arg) {
  if (kind != EVS_EV_RECORD && kind != EVS_EV_PROTOCOL) return EVS_EINVAL;
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = pl->index, .arg = arg};
  return evs_queue_push(&run->q, &ev);
}

EVS_API int evs_run_listen(evs_run *run, const evs_plugin *pl, uint32_t pop) {
  if (pop >= run->net->npop || !pl->type->spikes) return EVS_EINVAL;
  listeners *l = &run->lis[pop];
  if (l->n == l->cap) {
    uint32_t cap = l->cap ? 2 * l->cap : 4;
    uint32_t *s = realloc(l->slot, cap * sizeof *s);
    if (!s) return EVS_ENOMEM;
    l->slot = s;
    l->cap = cap;
  }
  l->slot[l->n++] = pl->index;
  return EVS_OK;
}

evs_output *evs__run_output(const evs_run *run) { return run->out; }

EVS_API double evs_run_end(const evs_run *run) { return run->t_end; }

EVS_API void evs_run_stop(evs_run *run, double t, const char *reason,
                          const char *log) {
  run->stopped = 1;
  run->t_end = t;
  snprintf(run->reason, sizeof run->reason, "%s", reason);
  snprintf(run->log, sizeof run->log, "%s", log);
}

/* ---- spikes and deliveries ----------------------------------------------- */

int evs__spike_order(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Copies the spikes of spk[0..n) that are not in told[0..m) (both sorted
 * by (time, id)) to out, returning their count. */
static size_t untold(const evs_spike *spk, size_t n, const evs_spike *told,
                     size_t m, evs_spike *out) {
  size_t k = 0, i = 0;
  for (size_t j = 0; j < n; j++) {
    while (i < m && evs__spike_order(&told[i], &spk[j]) < 0) i++;
    if (i < m && told[i].t == spk[j].t && told[i].id == spk[j].id)
      i++;
    else
      out[k++] = spk[j];
  }
  return k;
}

int evs__run_tell(evs_run *r, uint32_t pop, const evs_spike *spk, size_t n) {
  listeners *l = &r->lis[pop];
  if (l->ntold) { /* a phase's end told some of them */
    if (n > r->captold_scratch) {
      evs_spike *p = realloc(r->told_scratch, n * sizeof *p);
      if (!p) return EVS_ENOMEM;
      r->told_scratch = p;
      r->captold_scratch = n;
    }
    n = untold(spk, n, l->told, l->ntold, r->told_scratch);
    spk = r->told_scratch;
    l->ntold = 0;
    if (n == 0) return EVS_OK;
  }
  for (uint32_t k = 0; k < l->n; k++) {
    evs_plugin *pl = r->pl[l->slot[k]];
    int rc = pl->type->spikes(pl, r, pop, spk, n);
    if (rc) return rc;
  }
  return EVS_OK;
}

evs_csr *const *evs__run_proj_csrs(evs_run *r, const evs_proj *p, uint32_t *n) {
  *n = 0;
  if (!r || !r->par) return NULL;
  return evs__par_csrs(r->par, p->index, n);
}

evs_csr *const *evs__run_proj_parts(evs_run *r, const evs_proj *p,
                                    uint32_t *n) {
  *n = 0;
  return r && r->par ? evs__par_parts(r->par, p, n) : NULL;
}

void evs__run_gather(evs_run *r, const evs_proj *p) {
  if (r && r->par) evs__par_gather(r->par, p);
}

evs_rule *const *evs__run_rules(evs_run *r, evs_proj *p, uint32_t *n) {
  if (r && r->par) return evs__par_rules(r->par, p, n);
  *n = p->rule ? 1 : 0;
  return &p->rule;
}

evs_pop *evs__run_neuron(evs_run *r, evs_pop *pop, uint32_t *id) {
  return r->par ? evs__par_slice(r->par, pop, id) : pop;
}

void evs__run_weights_set(evs_run *r, evs_proj *p) {
  if (!p->rule || !p->rule->type->weights_set) return;
  uint32_t n;
  evs_rule *const *rl = evs__run_rules(r, p, &n);
  for (uint32_t k = 0; k < n; k++) rl[k]->type->weights_set(rl[k]);
}

int evs__run_ranks(const evs_run *r) { return r->net->nranks; }

int evs__run_holds(const evs_run *r, const evs_pop *pop, uint32_t id) {
  (void)r;
  return id >= pop->rank_lo && id < pop->rank_hi;
}

int evs__run_share(evs_run *r, double *v, size_t n, evs_error *err) {
  evs_net *net = r->net;
  uint64_t bits[256]; /* in chunks: nothing to allocate, nothing to fail */
  for (size_t i = 0; net->comm && i < n; i += 256) {
    size_t m = n - i < 256 ? n - i : 256;
    memcpy(bits, v + i, m * sizeof *bits);
    int rc = evs__comm_allreduce_u64(net->comm, bits, m, EVS_COMM_SUM, err);
    if (rc) return rc;
    memcpy(v + i, bits, m * sizeof *bits);
  }
  return EVS_OK;
}

double evs__run_voltage(evs_run *r, evs_pop *pop, uint32_t id, double t) {
  if (r->par) return evs__par_voltage(r->par, pop, id, t);
  return pop->type->voltage(pop, id, t);
}

static int push(evs_run *r, double t, uint32_t kind, uint32_t source,
                uint32_t owner, uint32_t arg) {
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = owner, .arg = arg};
  return evs_queue_push(&r->q, &ev);
}

/* Schedules the deliveries of one spike of pop: the projections delivered
 * ahead hand it to their post type now (run_ahead.c), the others get one
 * queue event per delay group. EVS_OK, EVS_ENOMEM, or a post population's
 * failure. */
static int schedule_spike(evs_run *r, evs_pop *pop, const evs_spike *s) {
  evs_net *net = r->net;
  uint32_t gid = pop->gid0 + s->id;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_proj *p = net->proj[pop->out[k]];
    const evs_csr *m = p->csr;
    if (m->row_ptr[s->id] == m->row_ptr[s->id + 1]) continue;
    if (p->ahead) {
      net->stats.syn_events +=
          evs__run_ahead_row(p, m, p->post, s->id, s->t, r->t_end);
      if (p->post->failed) return p->post->failed;
      continue;
    }
    if (!m->grp_ptr) {
      if (push(r, s->t + m->const_delay * net->resolution, EVS_EV_DELIVER, gid,
               p->index, 0))
        return EVS_ENOMEM;
      continue;
    }
    for (uint64_t g = m->grp_ptr[s->id]; g < m->grp_ptr[s->id + 1]; g++)
      if (push(r, s->t + m->grp_delay[g] * net->resolution, EVS_EV_DELIVER, gid,
               p->index, (uint32_t)(g - m->grp_ptr[s->id])))
        return EVS_ENOMEM;
  }
  return EVS_OK;
}

/* Sorts the spikes pop found since the last flush, hands them to its
 * listeners and schedules their deliveries. Spikes at or after the run's
 * end are dropped. */
static int flush(evs_run *r, evs_pop *pop) {
  if (pop->failed) return pop->failed;
  r->last_n[pop->index] = 0;
  if (pop->nspk == 0) return EVS_OK;
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, evs__spike_order);
  size_t n = 0;
  while (n < pop->nspk && pop->spk[n].t < r->t_end) n++;
  pop->nspikes += n;
  r->last_n[pop->index] = n;
  int rc = n ? evs__run_tell(r, pop->index, pop->spk, n) : EVS_OK;
  if (rc) return rc;
  for (size_t i = 0; i < n; i++)
    if ((rc = schedule_spike(r, pop, &pop->spk[i]))) return rc;
  pop->nspk = 0;
  return EVS_OK;
}

/* The synapses [*begin, *end) of delivery event ev of projection p. */
static inline void delivery_range(const evs_proj *p, const evs_event *ev,
                                  uint64_t *begin, uint64_t *end) {
  const evs_csr *m = p->csr;
  uint32_t row = ev->source - p->pre->gid0;
  *begin = m->row_ptr[row];
  *end = m->row_ptr[row + 1];
  if (m->grp_ptr) {
    uint64_t g = m->grp_ptr[row] + ev->arg;
    if (g > m->grp_ptr[row]) *begin = evs_csr_group_end(m, row, g - 1);
    *end = evs_csr_group_end(m, row, g);
  }
}

/* Starts fetching the first targets of the next event if it is a delivery
 * too: a row starts at a random place of a large target array, and the
 * delivery running now gives the fetch time to arrive. */
static inline void prefetch_next_delivery(const evs_run *r) {
  const evs_event *next = evs_queue_peek(&r->q);
  if (!next || next->kind != EVS_EV_DELIVER || (next->arg & EVS__INFLIGHT))
    return;
  const evs_proj *p = r->net->proj[next->owner];
  uint64_t begin, end;
  delivery_range(p, next, &begin, &end);
  __builtin_prefetch(evs__target_addr(p->csr, begin));
  if (end - begin > 16)
    __builtin_prefetch(evs__target_addr(p->csr, begin + 16));
}

static int deliver(evs_run *r, const evs_event *ev) {
  if (ev->arg & EVS__INFLIGHT) return evs__run_deliver_inflight(r, ev);
  const evs_proj *p = r->net->proj[ev->owner];
  const evs_csr *m = p->csr;
  uint32_t row = ev->source - p->pre->gid0;
  uint64_t begin, end;
  delivery_range(p, ev, &begin, &end);
  prefetch_next_delivery(r);
  const float *w = m->weight ? m->weight + begin : NULL;
  if (p->filter) /* the post type receives the filtered weights */
    w = p->filter->type->apply(p->filter, ev->t, row, ev->arg, w, end - begin);
  evs__deliver(p->post, ev->t, p->receptor, m, begin, w, end - begin);
  if (p->rule) p->rule->type->on_pre(p->rule, ev->t, row, begin, end);
  r->net->stats.syn_events += end - begin;
  return p->post->failed;
}

/* ---- periodic events ----------------------------------------------------- */

uint32_t evs__periodic_kind(const evs_pop *pop) {
  switch (pop->type->kind) {
  case EVS_POP_EXACT: return EVS_EV_WINDOW;
  case EVS_POP_CLOCKED: return EVS_EV_CLOCK;
  case EVS_POP_SOURCE: return EVS_EV_SOURCE;
  }
  return EVS_EV_SOURCE;
}

double evs__periodic_time(const evs_pop *pop, uint64_t k) {
  return pop->type->kind == EVS_POP_SOURCE ? (double)k * pop->tick
                                           : (double)(k + 1) * pop->tick;
}

static int periodic(evs_run *r, const evs_event *ev) {
  evs_pop *pop = r->net->pop[ev->owner];
  int rc = pop->type->tick(pop, ev->t);
  if (rc) return rc;
  evs__pop_ticked(pop, ev->t);
  if ((rc = flush(r, pop))) return rc;
  uint64_t k = ++r->ticks[pop->index];
  return push(r, evs__periodic_time(pop, k), ev->kind, pop->gid0, pop->index,
              0);
}

/* After a stop at r->t_end: a source generates spikes up to one tick ahead
 * and a clocked type spikes at its step's end, so the last flush may have
 * counted spikes at or after the stop; they lie outside the run. (Its
 * spikes are still in pop->spk unless new ones were emitted since.) */
static void uncount_ahead(evs_run *r) {
  if (r->par) {
    evs__par_uncount(r);
    return;
  }
  for (uint32_t i = 0; i < r->net->npop; i++) {
    evs_pop *pop = r->net->pop[i];
    if (pop->nspk) continue;
    for (size_t j = 0; j < r->last_n[i]; j++)
      if (pop->spk[j].t >= r->t_end) pop->nspikes--;
  }
}

/* ---- the run ------------------------------------------------------------- */

int evs__run_start(evs_run *r, evs_error *err) {
  evs_net *net = r->net;
  for (uint32_t i = 0; i < net->npop && !r->par; i++) {
    evs_pop *pop = net->pop[i];
    if (push(r, evs__periodic_time(pop, 0), evs__periodic_kind(pop), pop->gid0,
             i, 0))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  for (uint32_t s = 0; s < r->npl; s++) {
    evs_plugin *pl = r->pl[s];
    int rc = pl->type->start ? pl->type->start(pl, r, err) : EVS_OK;
    if (rc) return rc;
  }
  return EVS_OK;
}

/* Stops the run at t, the time of the next event, for an interruption by
 * signal sig: every event before t has run, the queue holds every later
 * one. (A checkpoint of the run at t would be written here, before
 * evs__run_end_events closes the windows at t.) */
void evs__run_interrupted(evs_run *r, double t, int sig) {
  char why[32];
  if (sig == SIGINT)
    snprintf(why, sizeof why, "SIGINT");
  else if (sig == SIGTERM)
    snprintf(why, sizeof why, "SIGTERM");
  else
    snprintf(why, sizeof why, "signal %d", sig);
  r->stopped = 1;
  r->t_end = t;
  snprintf(r->reason, sizeof r->reason, "interrupted (%s)", why);
  snprintf(r->log, sizeof r->log, "interrupted by %s", why);
}

/* The run's error while it runs: the message of a checkpoint that could not
 * be written, kept for evs__run_until. */
static int ckpt_failed(evs_run *r, int rc, const evs_error *e) {
  snprintf(r->reason, sizeof r->reason, "%.150s", e->msg);
  r->ckpt_error = rc;
  return rc;
}

int evs__run_poll_checkpoint(evs_run *r, double t) {
  r->ckpt_poll = CKPT_POLL;
  /* on several ranks rank 0's clock decides for all (ranks_ckpt.h) */
  if (!evs__ranks_ckpt_due(r->net, evs__wall_clock() >= r->ckpt_wall))
    return EVS_OK;
  evs_error e;
  evs_error_clear(&e);
  int rc = evs__run_checkpoint_save(r, t, &e);
  r->ckpt_wall = evs__wall_clock() + r->net->ckpt_every;
  return rc ? ckpt_failed(r, rc, &e) : EVS_OK;
}

int evs__run_interrupted_checkpoint(evs_run *r, double t) {
  size_t n = strlen(r->log);
  if (r->ckpt_off) {
    snprintf(r->log + n, sizeof r->log - n, "; no checkpoint: %s", r->ckpt_why);
    return EVS_OK;
  }
  evs_error e;
  evs_error_clear(&e);
  int rc = evs__run_checkpoint_save(r, t, &e);
  if (rc) return ckpt_failed(r, rc, &e);
  snprintf(r->log + n, sizeof r->log - n,
           "; the checkpoint at t = %.9g s resumes the run (evsnn resume)", t);
  return EVS_OK;
}

int evs__run_events(evs_run *r, double t) {
  double until = t < r->t_end ? t : r->t_end;
  if (r->par) {
    int rc = evs__par_run(r, until);
    if (!r->stopped) r->t_phase = until;
    return rc;
  }
  const evs_event *next;
  evs_event ev;
  int rc = EVS_OK;
  while (rc == EVS_OK && !r->stopped && (next = evs_queue_peek(&r->q)) &&
         next->t < until) {
    if (r->interrupt && *r->interrupt) {
      double t_stop = next->t;
      evs__run_interrupted(r, t_stop, (int)*r->interrupt);
      if (r->net->ckpt_path) rc = evs__run_interrupted_checkpoint(r, t_stop);
      break;
    }
    if (r->ckpt_poll && --r->ckpt_poll == 0 &&
        (rc = evs__run_poll_checkpoint(r, next->t)))
      break;
    evs_queue_pop(&r->q, &ev);
    switch (ev.kind) {
    case EVS_EV_DELIVER: rc = deliver(r, &ev); break;
    case EVS_EV_SOURCE:
    case EVS_EV_WINDOW:
    case EVS_EV_CLOCK: rc = periodic(r, &ev); break;
    default: { /* a plug-in's own clock */
      evs_plugin *pl = r->pl[ev.owner];
      rc = pl->type->clock(pl, r, &ev);
      break;
    }
    }
  }
  if (!r->stopped) r->t_phase = until;
  return rc;
}

int evs__run_end_events(evs_run *r) {
  int rc = EVS_OK;
  if (!r->stopped && r->t_phase < r->t_end) {
    r->t_end = r->t_phase; /* finished early: as a stop there */
    uncount_ahead(r);
  }
  if (r->stopped) uncount_ahead(r);
  for (uint32_t s = 0; s < r->npl && rc == EVS_OK; s++)
    if (r->pl[s]->type->finish)
      rc = r->pl[s]->type->finish(r->pl[s], r, r->t_end);
  /* Exact populations close their last, possibly partial, window (after a
   * stop, the checked population closed it at the stop time already). On
   * several ranks they all go on, or all fail. */
  evs_error ignored;
  if ((rc = evs__ranks_agree(r->net, rc, &ignored))) return rc;
  if (r->par) return evs__par_close(r);
  for (uint32_t i = 0; i < r->net->npop && rc == EVS_OK; i++) {
    evs_pop *pop = r->net->pop[i];
    if (pop->type->kind != EVS_POP_EXACT) continue;
    if (r->ticks[i] && evs__periodic_time(pop, r->ticks[i] - 1) >= r->t_end)
      continue;
    if ((rc = pop->type->tick(pop, r->t_end)) == EVS_OK) rc = flush(r, pop);
  }
  return rc;
}
