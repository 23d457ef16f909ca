/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler: a run split among N POSIX threads that
 * writes the same bytes as one thread (doc/scaling.md).
 *
 * Ownership. Every population of a sliceable type (core/neuron_type.h) is cut
 * into N blocks of consecutive neurons, one slice per thread, each a population
 * object of its own (pop->first, its own state from the type's init); the
 * others run whole on one thread (whole_owner), and so does the post
 * population of a projection whose rule is not sliceable, that filters its
 * deliveries or whose static weights are recorded (choose_split): its rule,
 * filter and CSR stay the net's, and its thread calls them as run.c does,
 * in the one-thread order. A sliceable rule gets one instance per thread
 * on the thread's split (evs__par_make_parts). Every
 * projection's synapses are split by target slice into one CSR per thread
 * (local target indices, rows and delay groups as in the net's CSR, which
 * is then freed). A thread owns its slices and their incoming synapses and
 * has its own event queue: the periodic events of its slices and the
 * deliveries onto them. Nothing it does touches another thread's neurons.
 *
 * Windows. All threads run their queues up to a common horizon, then meet
 * at a barrier; the main thread (thread 0) merges what they flushed; then
 * every thread schedules the merged spikes' deliveries onto its own slices
 * and runs on, and the spikes reach the plug-ins during that step (before
 * a plug-in event or the phase's end, at the barrier): on the thread that
 * ends its step first when every spikes hook may run on any thread (the
 * built-in raster and rate check: evs_plugin.spikes_any_thread; the
 * threads' slices are then equal), else on the main thread before its
 * step (it holds fewer neurons for it: main_share). In one process, with
 * the hand-over floating and no projection delivered ahead, the barrier
 * does not merge at all: it holds the threads' sealed flushes, each
 * thread lists their deliveries from them, and the thread that takes the
 * hand-over merges them first (evs__par_hold, evs_par.lazy). A plug-in
 * event with nothing before it on any thread (a probe's sample right
 * after a window's end) runs without a step (step_empty). A spike's
 * deliveries of one delay are one queue event, whatever projections and
 * delay groups they come from (schedule_spike): every thread takes one
 * per spike and delay it has synapses of, listed instead of pushed when due
 * before the step's horizon (threads_due.c). A horizon is the earliest
 * of
 *  - the exchange key (E, EVS_EV_DELIVER): E is the earliest time a spike
 *    flushed before it can be delivered, over every population with
 *    outgoing synapses: an exact population's next window time (its window
 *    is its shortest outgoing delay), a clocked or source population's next
 *    periodic time plus half its shortest outgoing delay (a margin against
 *    rounding; its spikes lie at or after its event's time);
 *  - the key (t, kind) of the earliest plug-in event (they all rank after
 *    the threads' events at equal times): the plug-in runs alone, with
 *    every event before it done, so a probe reads what one thread reads;
 *  - the phase's end (t, 0): every event before t.
 *
 * Order. A thread's queue pops its events in the one-thread total order
 * (time, kind, source, push order): periodic events have one source per
 * population, and deliveries of one presynaptic neuron are pushed in the
 * one-thread order (spike, projection, delay group). Every slice of a
 * population runs the same periodic events, each recording a flush (its
 * key and the spikes found since the last one). At the end of its step a
 * thread seals its flushes: sorts each one's spikes by (time, id) and moves
 * them out of its slices into one array of its own. At the barrier the
 * flushes are merged by key; one flush's spikes from all slices are
 * interleaved in (time, id) order, exactly as the one-thread flush sorts
 * them, then counted, handed to the listening plug-ins and scheduled. The
 * merge reads each thread's records and array and writes nothing the
 * other threads hold. Per-neuron arithmetic
 * does not depend on the slice: a slice's shared quantities (IF_curr_exp's
 * reference time t0 and its rebase) depend on time alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/comm.h"
#include "core/threads_impl.h"

void *evs__par_thread_main(void *arg) {
  worker *w = arg;
  struct evs_par *par = w->par;
  uint32_t seen = 0;
  for (;;) {
    evs__par_wait(w, &par->go, UNTIL_CHANGED, seen);
    seen = atomic_load(&par->go);
    if (atomic_load(&par->quit)) break;
    evs__par_step(w);
    evs__par_take_tell(par);
    evs__par_bump(par, &par->done);
  }
  return NULL;
}

/* Every thread runs one step to the horizon (h_t, h_kind); returns the
 * first thread's error. */
static int run_step(struct evs_par *par, double h_t, uint32_t h_kind) {
  par->h_t = h_t;
  par->h_kind = h_kind;
  /* the last barrier's spikes reach the plug-ins while the other threads
   * run: on the thread that ends its step first when the hand-over floats
   * (every thread's slices equal), else on the main thread before its step
   * (its slices smaller by that work, see threads_cut.c); the slices stay
   * in step after a stop there, and the merge that follows drops what they
   * found */
  const int floats = par->tell_floats && evs__par_tell_pending(par);
  par->tell_rc = EVS_OK;
  atomic_store_explicit(&par->tell_open, (uint32_t)floats,
                        memory_order_relaxed);
  evs__par_bump(par, &par->go); /* publishes the above */
  int rc = floats ? EVS_OK : evs__par_tell(par);
  evs__par_step(&par->w[0]);
  evs__par_take_tell(par);
  evs__par_wait(&par->w[0], &par->done, UNTIL_EQUAL,
                atomic_load(&par->go) * (par->n - 1));
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].rc) return par->w[t].rc;
  return rc ? rc : par->tell_rc;
}

/* ---- the run ------------------------------------------------------------- */

/* The exchange time E (see the header). */
static double exchange_time(const struct evs_par *par) {
  double e = INFINITY;
  for (uint32_t p = 0; p < par->net->npop; p++) {
    if (!(par->lead[p] < INFINITY)) continue;
    const evs_pop *pop = par->net->pop[p];
    double t = evs__periodic_time(pop, par->ticks[p]) + par->lead[p];
    if (t < e) e = t;
  }
  return e;
}

/* Runs the plug-in event at the head of r's queue (the horizon just
 * reached). Returns its status. */
static int run_plugin(evs_run *r, struct evs_par *par) {
  evs_event ev;
  evs_queue_pop(&r->q, &ev);
  evs_plugin *pl = r->pl[ev.owner];
  int rc = pl->type->clock(pl, r, &ev);
  /* a plug-in failed here only: the other ranks learn it at their next
   * exchange, which this one joins (unless they stop for a signal
   * instead) */
  size_t none;
  if (rc && par->comm && !par->interrupt_all) evs__par_exchange(par, rc, &none);
  return rc;
}

/* 1 if a step to the horizon (ht, hk) would run nothing on any thread: no
 * queue holds an event before it, and the spikes merged at the last
 * barrier, which the step would list first, are all delivered after it
 * and none through a projection delivered ahead (handed over when listed).
 * Read while the other threads wait for the next step. */
static int step_empty(const struct evs_par *par, double ht, uint32_t hk) {
  const evs_net *net = par->net;
  for (uint32_t t = 0; t < par->n; t++) {
    const evs_event *q = evs_queue_peek(&par->w[t].q);
    if (q && (q->t < ht || (q->t == ht && q->kind < hk))) return 0;
  }
  for (size_t f = 0; f < par->nlf; f++) {
    const evs_pop *pop = net->pop[par->lf[f].pop];
    uint32_t d = UINT32_MAX; /* its shortest delay on any thread */
    for (uint32_t k = 0; k < pop->n_out; k++) {
      if (net->proj[pop->out[k]]->ahead) return 0;
      for (uint32_t t = 0; t < par->n; t++) {
        const evs_csr *m = par->w[t].csr[pop->out[k]];
        if (m && m->nnz && m->min_delay < d) d = m->min_delay;
      }
    }
    if (d == UINT32_MAX) continue;
    /* its earliest spike's delivery time, as list_spike computes it */
    const double first = par->lf[f].spk[0].t + d * net->resolution;
    if (first < ht || (first == ht && EVS_EV_DELIVER < hk)) return 0;
  }
  return 1;
}

/* Barriers between two looks at the wall clock for periodic checkpoints
 * (a barrier is some hundreds of events or more). */
#define PAR_CKPT_POLL 16

int evs__par_run(evs_run *r, double until) {
  struct evs_par *par = r->par;
  int rc = EVS_OK, after_plugin = 0;
  if (r->ckpt_poll > PAR_CKPT_POLL) r->ckpt_poll = PAR_CKPT_POLL;
  evs__par_cpu(par, 0);
  while (rc == EVS_OK && !r->stopped) {
    /* on several ranks, a signal any of them received at the last
     * exchange: they all stop at the same horizon. Not right after a
     * plug-in's horizon (t, kind): the deliveries at t and the plug-in's
     * event ran, which a run of duration t does not run; the next horizon
     * is a time with every event before it run and none after. */
    int sig = par->comm      ? par->interrupt_all
              : r->interrupt ? (int)*r->interrupt
                             : 0;
    if (sig && !after_plugin) {
      /* every event before the last horizon has run, none after it */
      if ((rc = evs__par_tell(par)) || r->stopped) break;
      evs__run_interrupted(r, par->h_t, sig);
      if (r->net->ckpt_path) rc = evs__run_interrupted_checkpoint(r, par->h_t);
      break;
    }
    /* a checkpoint at the barrier (threads_ckpt.c), at a horizon as the
     * interruption's above */
    if (r->ckpt_poll && !after_plugin && --r->ckpt_poll == 0) {
      rc = evs__run_poll_checkpoint(r, par->h_t);
      r->ckpt_poll = PAR_CKPT_POLL;
      if (rc) break;
    }
    double ht = exchange_time(par);
    uint32_t hk = EVS_EV_DELIVER;
    const evs_event *pe = evs_queue_peek(&r->q);
    int plugin = 0, last = 0;
    if (pe && (pe->t < ht || (pe->t == ht && pe->kind < hk))) {
      ht = pe->t;
      hk = pe->kind;
      plugin = 1;
    }
    if (until < ht || (until == ht && hk > 0)) {
      ht = until;
      hk = 0;
      plugin = 0;
      last = 1;
    }
    after_plugin = plugin;
    if (plugin && !par->comm && step_empty(par, ht, hk)) {
      /* the plug-in's event comes before anything a thread would run (a
       * probe's sample right after a window's end): it runs without a
       * step, once the last barrier's spikes are handed over; the next
       * step lists their deliveries */
      par->h_t = ht;
      par->h_kind = hk;
      rc = evs__par_tell(par);
      if (rc == EVS_OK && !r->stopped) rc = run_plugin(r, par);
      if (rc || r->stopped) break;
      continue;
    }
    rc = run_step(par, ht, hk);
    if (rc && !par->comm) break;
    /* the plug-ins see these spikes during the next step, unless a
     * plug-in event or the phase's end comes first (on several ranks the
     * step's status is exchanged with the spikes) */
    const int defer = !plugin && !last && !r->stopped;
    rc = rc == EVS_OK && defer && par->lazy ? evs__par_hold(par)
                                            : evs__par_merge(par, defer, rc);
    if (rc == EVS_OK && !last && !r->stopped && plugin) rc = run_plugin(r, par);
    if (rc || last || r->stopped) break;
  }
  evs__par_cpu(par, 1);
  /* the phase ends alike on every rank: a failure one of them met after
   * its last exchange fails them all here */
  if (par->comm) rc = evs__par_agree(par, rc ? rc : par->deferred);
  return rc;
}

int evs__par_close(evs_run *r) {
  struct evs_par *par = r->par;
  int rc = EVS_OK;
  par->closing = 1; /* after a stop too (halted) */
  for (uint32_t p = 0; p < par->net->npop && rc == EVS_OK; p++) {
    evs_pop *pop = par->net->pop[p];
    if (pop->type->kind != EVS_POP_EXACT) continue;
    if (par->ticks[p] && evs__periodic_time(pop, par->ticks[p] - 1) >= r->t_end)
      continue;
    for (uint32_t t = 0; t < par->n && rc == EVS_OK; t++) {
      worker *w = &par->w[t];
      evs_pop *s = w->slice[p];
      if (!s) continue;
      evs_event ev = {.t = r->t_end, .kind = EVS_EV_WINDOW, .owner = p};
      if ((rc = evs__par_periodic(w, &ev)) == EVS_OK)
        rc = evs__par_seal_flushes(w);
    }
    rc = evs__par_merge(par, 0, rc); /* on several ranks, agreed */
  }
  /* the net's CSRs of the learning projections get their final weights */
  for (uint32_t k = 0; k < par->net->nproj && rc == EVS_OK; k++)
    evs__par_gather(par, par->net->proj[k]);
  /* a failure of this rank alone in the last merge: the run's finish
   * agrees on it (evs__run_finish) */
  return rc ? rc : par->deferred;
}

/* 1 if some slice of population p on this rank found spikes since its
 * last flush. */
static int pending_here(const struct evs_par *par, uint32_t p) {
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].slice[p] && par->w[t].slice[p]->nspk) return 1;
  return 0;
}

void evs__par_uncount(evs_run *r) {
  struct evs_par *par = r->par;
  const uint32_t np = par->net->npop;
  /* on several ranks: whether a slice on any rank found some */
  uint64_t *pending = NULL;
  if (par->comm) {
    pending = calloc(np ? np : 1, sizeof *pending);
    if (!pending) return; /* the counts stay as the last flush left them */
    for (uint32_t p = 0; p < np; p++) pending[p] = pending_here(par, p);
    evs__comm_allreduce_u64(par->comm, pending, np, EVS_COMM_MAX, &par->cerr);
  }
  for (uint32_t p = 0; p < np; p++) {
    if (pending ? pending[p] != 0 : pending_here(par, p)) continue;
    for (size_t j = 0; j < r->last_n[p]; j++)
      if (par->last[p][j].t >= r->t_end) par->net->pop[p]->nspikes--;
  }
  free(pending);
}

/* ---- checkpoints (the rest in threads_ckpt.c) ---------------------------- */

int evs__par_settle(struct evs_par *par) {
  int rc = par->run->stopped ? EVS_OK : evs__par_tell(par);
  for (uint32_t t = 0; t < par->n && rc == EVS_OK; t++)
    for (size_t f = 0; f < par->nlf && rc == EVS_OK; f++) {
      const evs_pop *pop = par->net->pop[par->lf[f].pop];
      for (size_t i = 0; i < par->lf[f].n && rc == EVS_OK; i++)
        rc = evs__par_schedule(&par->w[t], pop, &par->lf[f].spk[i]);
    }
  par->nmf = par->nmspk = par->told = par->nlf = 0;
  par->held = 0;
  return rc;
}

int evs__par_found(struct evs_par *par, uint32_t p, double t, evs_spike **spk,
                   size_t *n, size_t *cap) {
  int rc = EVS_OK;
  for (uint32_t k = 0; k < par->n && rc == EVS_OK; k++) {
    evs_pop *s = par->w[k].slice[p];
    if (!s) continue;
    for (size_t i = 0; i < s->nspk && rc == EVS_OK; i++)
      if (s->spk[i].t < t)
        rc = evs__spike_append(spk, n, cap, s->spk[i].t, s->spk[i].id);
    if (rc == EVS_OK) rc = s->type->peek(s, t, spk, n, cap);
  }
  return rc;
}
