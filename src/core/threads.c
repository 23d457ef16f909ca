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
 * on the thread's split (make_parts). Every
 * projection's synapses are split by target slice into one CSR per thread
 * (local target indices, rows and delay groups as in the net's CSR, which
 * is then freed). A thread owns its slices and their incoming synapses and
 * has its own event queue: the periodic events of its slices and the
 * deliveries onto them. Nothing it does touches another thread's neurons.
 *
 * Windows. All threads run their queues up to a common horizon, then meet
 * at a barrier; the main thread (thread 0) merges what they flushed; then
 * every thread schedules the merged spikes' deliveries onto its own slices
 * and runs on, while the main thread first hands the merged spikes to the
 * plug-ins (before a plug-in event or the phase's end it does so at the
 * barrier) and holds fewer neurons for it (main_share). A spike's
 * deliveries of one delay are one queue event, whatever projections and
 * delay groups they come from (schedule_spike): every thread pops one
 * event per spike and delay it has synapses of. A horizon is the earliest
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
 * key and the spikes found since the last one). At the barrier the flushes
 * are merged by key; one flush's spikes from all slices are sorted by
 * (time, id), exactly as the one-thread flush sorts them, then counted,
 * handed to the listening plug-ins and scheduled. Per-neuron arithmetic
 * does not depend on the slice: a slice's shared quantities (IF_curr_exp's
 * reference time t0 and its rebase) depend on time alone. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/comm.h"
#include "core/threads_impl.h"

/* ---- barrier --------------------------------------------------------------
 * A window lasts microseconds (0.1 ms of CUBA is a few hundred deliveries),
 * so a waiting thread first spins on the counter, and only when that takes
 * longer does it sleep on a condition variable. Waking a sleeper costs tens
 * of microseconds on a virtual machine (B1 at N = 64,000 on 2 threads and 2
 * cores ran 2x slower than on one thread with 300 spins: 45,000 context
 * switches in 2 s), so on an idle machine a waiter should spin about as
 * long as a window lasts; but when the threads outnumber the free cores
 * (the tests run 4 threads on 2 cores; a shared machine at load 20) the
 * spinning keeps the thread it waits for off its core (S4 reduced on 2
 * threads at load 20: 165 s instead of 10). So each thread adapts its own
 * limit (worker.spin_limit), between SPINS_MIN and the run's most
 * (evs__par_spins: SPINS_MIN when the run has more threads than the machine
 * has cores): doubled after a wait that ended while spinning, halved after
 * one that had to sleep. A waiter counts itself in sleepers before its last
 * look at the counter, and a writer looks at sleepers after changing the
 * counter (both sequentially consistent), so a wake-up is never lost and
 * costs nothing when nobody sleeps. */
#define SPINS_MIN 300
#define SPINS_MAX 20000

/* The most a waiter spins before it sleeps, for a run of that many threads. */
unsigned evs__par_spins(uint32_t threads) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return cores >= (long)threads ? SPINS_MAX : SPINS_MIN;
}

/* What wait_for waits for: *v != x (a new generation of go), or *v == x
 * (done reached the count of the other threads). */
typedef enum { UNTIL_CHANGED, UNTIL_EQUAL } wait_kind;

static inline int waited(_Atomic uint32_t *v, wait_kind k, uint32_t x) {
  uint32_t now = atomic_load(v);
  return k == UNTIL_CHANGED ? now != x : now == x;
}

/* Waits, as thread w, until v is as k and x say (see the barrier above). */
static void wait_for(worker *w, _Atomic uint32_t *v, wait_kind k, uint32_t x) {
  struct evs_par *par = w->par;
  for (unsigned spins = 0; spins < w->spin_limit; spins++) {
    if (waited(v, k, x)) {
      if (w->spin_limit < par->spins) w->spin_limit *= 2;
      if (w->spin_limit > par->spins) w->spin_limit = par->spins;
      return;
    }
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  if (w->spin_limit / 2 >= SPINS_MIN) w->spin_limit /= 2;
  pthread_mutex_lock(&par->lock);
  atomic_fetch_add(&par->sleepers, 1);
  while (!waited(v, k, x)) pthread_cond_wait(&par->wake, &par->lock);
  atomic_fetch_sub(&par->sleepers, 1);
  pthread_mutex_unlock(&par->lock);
}

/* Adds one to *v and wakes the sleepers, if any. */
void evs__par_bump(struct evs_par *par, _Atomic uint32_t *v) {
  atomic_fetch_add(v, 1);
  if (atomic_load(&par->sleepers)) {
    pthread_mutex_lock(&par->lock);
    pthread_cond_broadcast(&par->wake);
    pthread_mutex_unlock(&par->lock);
  }
}

/* ---- one thread's work --------------------------------------------------- */

int evs__par_push(worker *w, double t, uint32_t kind, uint32_t source,
                  uint32_t owner, uint32_t arg) {
  evs_event ev = {
      .t = t, .kind = kind, .source = source, .owner = owner, .arg = arg};
  int rc = evs_queue_push(&w->q, &ev);
  if (w->q.size > w->queue_peak) w->queue_peak = w->q.size;
  return rc;
}

/* Moves h to its next group with synapses on the thread; 0 when none. */
static inline int head_next(head *h) {
  const evs_csr *m = h->m;
  if (!m->grp_ptr) return 0;
  h->at = m->grp_end[h->g++];
  while (h->g < h->ge && m->grp_end[h->g] == h->at) h->g++;
  if (h->g == h->ge) return 0;
  h->delay = m->grp_delay[h->g];
  return 1;
}

/* Pushes the deliveries of spike s of population pop onto w's slices: one
 * event (time, EVS_EV_DELIVER, the neuron's gid, owner pop's index, arg
 * the delay in steps) per delay that a synapse of it onto w's slices has,
 * in every projection and delay group of that delay. One thread pushes
 * one event per projection and group, in the order (projection, group):
 * a spike's events of one time pop together (nothing else has their time,
 * kind and source and a push between theirs), and deliver goes through
 * the projections in that order, so every neuron gets its inputs in the
 * one-thread order. Distinct delays give distinct times (par_begin checks
 * the run's end against the resolution). */
static int schedule_spike(worker *w, const evs_pop *pop, const evs_spike *s) {
  const double res = w->par->net->resolution;
  uint32_t gid = pop->gid0 + s->id, nh = 0;
  head *hs = w->head;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_csr *m = w->csr[pop->out[k]];
    if (!m || m->row_ptr[s->id] == m->row_ptr[s->id + 1]) continue;
    head *h = &hs[nh++];
    h->m = m;
    if (!m->grp_ptr) {
      *h = (head){.delay = m->const_delay, .g = 0, .ge = 1, .m = m};
      continue;
    }
    h->g = m->grp_ptr[s->id];
    h->ge = m->grp_ptr[s->id + 1];
    h->at = m->row_ptr[s->id];
    while (m->grp_end[h->g] == h->at) h->g++; /* the row has some here */
    h->delay = m->grp_delay[h->g];
  }
  while (nh) {
    uint32_t d = hs[0].delay;
    for (uint32_t k = 1; k < nh; k++)
      if (hs[k].delay < d) d = hs[k].delay;
    if (evs__par_push(w, s->t + d * res, EVS_EV_DELIVER, gid, pop->index, d))
      return EVS_ENOMEM;
    for (uint32_t k = 0; k < nh;)
      if (hs[k].delay == d && !head_next(&hs[k]))
        hs[k] = hs[--nh];
      else
        k++;
  }
  return EVS_OK;
}

/* The synapses [*begin, *end) of presynaptic neuron row in w's split m
 * that have delay d (steps), and *grp their delay group's place in the row
 * (0 without groups; a split keeps the net's groups); an empty range when
 * none. */
static inline void delivery_range(const evs_csr *m, uint32_t row, uint32_t d,
                                  uint64_t *begin, uint64_t *end,
                                  uint32_t *grp) {
  *begin = m->row_ptr[row];
  *end = m->row_ptr[row + 1];
  *grp = 0;
  if (!m->grp_ptr) {
    if (m->const_delay != d) *end = *begin;
    return;
  }
  /* the row's groups have increasing delays */
  uint64_t lo = m->grp_ptr[row], hi = m->grp_ptr[row + 1], g0 = lo;
  while (lo < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    if (m->grp_delay[mid] < d)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo == m->grp_ptr[row + 1] || m->grp_delay[lo] != d) {
    *end = *begin;
    return;
  }
  if (lo > g0) *begin = m->grp_end[lo - 1];
  *end = m->grp_end[lo];
  *grp = (uint32_t)(lo - g0);
}

/* Starts fetching the first targets of w's next delivery (run.c measured
 * it): its row in the first projection held here. */
static inline void prefetch_next(const worker *w) {
  const evs_event *next = evs_queue_peek(&w->q);
  if (!next || next->kind != EVS_EV_DELIVER) return;
  const evs_pop *pre = w->par->net->pop[next->owner];
  for (uint32_t k = 0; k < pre->n_out; k++) {
    const evs_csr *m = w->csr[pre->out[k]];
    if (!m) continue;
    __builtin_prefetch(m->target + m->row_ptr[next->source - pre->gid0]);
    return;
  }
}

/* Delivery ev (see schedule_spike): the synapses of delay ev->arg of the
 * spike's row on w's slices, projection by projection in pop->out's
 * order. */
static int deliver(worker *w, const evs_event *ev) {
  const evs_net *net = w->par->net;
  const evs_pop *pre = net->pop[ev->owner];
  uint32_t row = ev->source - pre->gid0;
  prefetch_next(w);
  for (uint32_t k = 0; k < pre->n_out; k++) {
    const evs_proj *p = net->proj[pre->out[k]];
    const evs_csr *m = w->csr[p->index];
    if (!m) continue;
    uint64_t begin, end;
    uint32_t grp;
    delivery_range(m, row, ev->arg, &begin, &end, &grp);
    if (begin == end) continue;
    evs_pop *post = w->slice[p->post->index];
    const float *wt = m->weight ? m->weight + begin : NULL;
    /* the thread's own filter and rule instance on a split post population
     * (make_parts), else the net's (the post population is whole) */
    const evs_proj *own = w->part[p->index] ? w->part[p->index] : p;
    if (own->filter)
      wt = own->filter->type->apply(own->filter, ev->t, row, grp, wt,
                                    end - begin);
    post->type->deliver(post, ev->t, p->receptor, m->target + begin, wt,
                        m->weight_shared, end - begin);
    if (own->rule) own->rule->type->on_pre(own->rule, ev->t, row, begin, end);
    w->syn_events += end - begin;
    if (post->failed) return post->failed;
  }
  return EVS_OK;
}

static int periodic(worker *w, const evs_event *ev) {
  uint32_t p = ev->owner;
  evs_pop *s = w->slice[p];
  int rc = s->type->tick(s, ev->t);
  if (rc) return rc;
  if (s->failed) return s->failed;
  evs__pop_ticked(s, ev->t);
  if (w->nrec == w->caprec) {
    size_t cap = w->caprec ? 2 * w->caprec : 64;
    flush_rec *nr = realloc(w->rec, cap * sizeof *nr);
    if (!nr) return EVS_ENOMEM;
    w->rec = nr;
    w->caprec = cap;
  }
  w->rec[w->nrec++] = (flush_rec){.t = ev->t,
                                  .kind = ev->kind,
                                  .pop = p,
                                  .worker = w->index,
                                  .begin = w->flushed[p],
                                  .end = s->nspk};
  w->flushed[p] = s->nspk;
  uint64_t k = ++w->ticks[p];
  return evs__par_push(w, evs__periodic_time(s, k), ev->kind, s->gid0, p, 0);
}

/* Flushes up to this many spikes are sorted by insertion: a window of B1
 * finds about 20 a slice, and glibc's qsort allocates and calls the
 * comparison through a pointer (10.4 M of a thread's 539 M instructions on
 * B1 at N = 64,000, 0.3 s; 3.0 M by insertion). */
#define INSERTION_MAX 32

/* Sorts the spikes of each of w's flushes by (time, id): done by every
 * thread for its own, in parallel, so that the merge only interleaves the
 * threads' sorted runs. */
static void sort_flushes(worker *w) {
  for (size_t i = 0; i < w->nrec; i++) {
    const flush_rec *f = &w->rec[i];
    evs_spike *a = w->slice[f->pop]->spk + f->begin;
    size_t n = f->end - f->begin;
    if (n > INSERTION_MAX) {
      qsort(a, n, sizeof *a, evs__spike_order);
      continue;
    }
    for (size_t j = 1; j < n; j++) {
      evs_spike x = a[j];
      size_t k = j;
      for (; k > 0 &&
             (a[k - 1].t > x.t || (a[k - 1].t == x.t && a[k - 1].id > x.id));
           k--)
        a[k] = a[k - 1];
      a[k] = x;
    }
  }
}

/* One step of thread w: the deliveries of the last barrier's spikes, then
 * every event of its queue before the horizon. */
static void step(worker *w) {
  struct evs_par *par = w->par;
  int rc = EVS_OK;
  for (size_t f = 0; f < par->nmf && rc == EVS_OK; f++) {
    const evs_pop *pop = par->net->pop[par->mf[f].pop];
    const evs_spike *spk = par->mspk + par->mf[f].begin;
    for (size_t i = 0; i < par->mf[f].n && rc == EVS_OK; i++)
      rc = schedule_spike(w, pop, &spk[i]);
  }
  const double ht = par->h_t;
  const uint32_t hk = par->h_kind;
  const evs_event *next;
  evs_event ev;
  while (rc == EVS_OK && (next = evs_queue_peek(&w->q)) &&
         (next->t < ht || (next->t == ht && next->kind < hk))) {
    evs_queue_pop(&w->q, &ev);
    rc = ev.kind == EVS_EV_DELIVER ? deliver(w, &ev) : periodic(w, &ev);
  }
  sort_flushes(w);
  if (rc && !w->rc) w->rc = rc;
}

void *evs__par_thread_main(void *arg) {
  worker *w = arg;
  struct evs_par *par = w->par;
  uint32_t seen = 0;
  for (;;) {
    wait_for(w, &par->go, UNTIL_CHANGED, seen);
    seen = atomic_load(&par->go);
    if (atomic_load(&par->quit)) break;
    step(w);
    evs__par_bump(par, &par->done);
  }
  return NULL;
}

/* Every thread runs one step to the horizon (h_t, h_kind); returns the
 * first thread's error. */
static int tell(struct evs_par *par);

static int run_step(struct evs_par *par, double h_t, uint32_t h_kind) {
  par->h_t = h_t;
  par->h_kind = h_kind;
  atomic_store(&par->done, 0);
  evs__par_bump(par, &par->go);
  /* the last barrier's spikes reach the plug-ins while the other threads
   * run (the main thread's slices are smaller by that work, see deal);
   * the slices stay in step after a stop there, and the merge that
   * follows drops what they found */
  int rc = tell(par);
  step(&par->w[0]);
  wait_for(&par->w[0], &par->done, UNTIL_EQUAL, par->n - 1);
  for (uint32_t t = 0; t < par->n; t++)
    if (par->w[t].rc) return par->w[t].rc;
  return rc;
}

/* ---- the barrier's merge ------------------------------------------------- */

static int rec_order(const void *a, const void *b) {
  const flush_rec *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  if (x->kind != y->kind) return x->kind < y->kind ? -1 : 1;
  if (x->pop != y->pop) return x->pop < y->pop ? -1 : 1;
  return (x->worker > y->worker) - (x->worker < y->worker);
}

/* Grows *arr (elements of sz bytes, room for *cap) to hold need. */
static int reserve(void **arr, size_t *cap, size_t need, size_t sz) {
  if (need <= *cap) return EVS_OK;
  size_t c = *cap ? *cap : 64;
  while (c < need) c *= 2;
  void *p = realloc(*arr, c * sz);
  if (!p) return EVS_ENOMEM;
  *arr = p;
  *cap = c;
  return EVS_OK;
}

/* Keeps a copy of pop's last flush (evs__par_uncount reads it). */
static int keep_last(struct evs_par *par, uint32_t pop, const evs_spike *spk,
                     size_t n) {
  if (reserve((void **)&par->last[pop], &par->caplast[pop], n ? n : 1,
              sizeof *spk))
    return EVS_ENOMEM;
  memcpy(par->last[pop], spk, n * sizeof *spk);
  return EVS_OK;
}

/* Hands merged flush f to the plug-ins: counts its spikes, keeps a copy
 * (evs__par_uncount) and calls the listeners' spikes hooks. */
static int tell_one(struct evs_par *par, const merged *f) {
  evs_run *r = par->run;
  r->last_n[f->pop] = f->n;
  if (f->n == 0) return EVS_OK;
  par->net->pop[f->pop]->nspikes += f->n;
  const evs_spike *spk = par->mspk + f->begin;
  int rc = keep_last(par, f->pop, spk, f->n);
  return rc ? rc : evs__run_tell(r, f->pop, spk, f->n);
}

/* 1 when a merge ends at the run's stop: while the run goes, as the
 * one-thread loop runs no event after the one whose hook stopped it; not
 * while evs__par_close closes the last windows, which the one-thread run
 * flushes and hands out after any stop (run.c, end_events). */
static int halted(const struct evs_par *par) {
  return par->run->stopped && !par->closing;
}

/* Hands the merged flushes not yet handed to the plug-ins, in order, up to
 * a stop (halted). EVS_OK or a hook's error. */
static int tell(struct evs_par *par) {
  int rc = EVS_OK;
  while (par->told < par->nmf && rc == EVS_OK && !halted(par))
    rc = tell_one(par, &par->mf[par->told++]);
  return rc;
}

/* Merges the threads' flushes since the last barrier (on several ranks,
 * every rank's threads', exchanged with this rank's status rc) in key
 * order: one flush's spikes from every slice, sorted by (time, id) and cut
 * at the run's end, kept for scheduling (mf) and, unless later (defer:
 * see run_step), handed to the plug-ins. A stop by a plug-in ends the
 * merge after that flush. Returns rc (in one process), the first error of
 * the ranks, or the merge's. */
static int merge(struct evs_par *par, int defer, int rc) {
  evs_run *r = par->run;
  size_t nall = 0;
  par->nmf = 0;
  par->nmspk = 0;
  par->told = 0;
  if (par->comm) { /* every rank's flushes (threads_ranks.c) */
    if ((rc = evs__par_exchange(par, rc, &nall))) return rc;
  } else {
    if (rc) return rc;
    for (uint32_t t = 0; t < par->n; t++) nall += par->w[t].nrec;
    if (reserve((void **)&par->all, &par->capall, nall ? nall : 1,
                sizeof *par->all))
      return EVS_ENOMEM;
    size_t k = 0;
    for (uint32_t t = 0; t < par->n; t++)
      for (size_t i = 0; i < par->w[t].nrec; i++, k++) {
        par->all[k] = par->w[t].rec[i];
        par->all[k].spk = par->w[t].slice[par->all[k].pop]->spk;
      }
  }
  qsort(par->all, nall, sizeof *par->all, rec_order);
  for (size_t i = 0; i < nall && rc == EVS_OK && !halted(par);) {
    size_t j = i;
    size_t count = 0;
    while (j < nall && par->all[j].t == par->all[i].t &&
           par->all[j].kind == par->all[i].kind &&
           par->all[j].pop == par->all[i].pop) {
      count += par->all[j].end - par->all[j].begin;
      j++;
    }
    uint32_t p = par->all[i].pop;
    if (reserve((void **)&par->mspk, &par->capmspk, par->nmspk + count + 1,
                sizeof *par->mspk) ||
        reserve((void **)&par->mf, &par->capmf, par->nmf + 1, sizeof *par->mf))
      return EVS_ENOMEM;
    /* the records' runs, each sorted by (time, id), interleaved: the
     * order one thread's flush sorts them into (ids are distinct) */
    evs_spike *out = par->mspk + par->nmspk;
    const evs_spike *head[EVS_PAR_MERGE_MAX], *end[EVS_PAR_MERGE_MAX];
    size_t nrun = 0, m = 0;
    for (size_t q = i; q < j; q++) {
      const flush_rec *f = &par->all[q];
      if (f->end == f->begin) continue;
      if (nrun == EVS_PAR_MERGE_MAX) { /* more runs than that: sort them */
        memcpy(out + m, f->spk + f->begin, (f->end - f->begin) * sizeof *out);
        m += f->end - f->begin;
        continue;
      }
      head[nrun] = f->spk + f->begin;
      end[nrun++] = f->spk + f->end;
    }
    if (m) { /* beyond EVS_PAR_MERGE_MAX runs */
      for (size_t k = 0; k < nrun; k++) {
        memcpy(out + m, head[k], (size_t)(end[k] - head[k]) * sizeof *out);
        m += (size_t)(end[k] - head[k]);
      }
      qsort(out, m, sizeof *out, evs__spike_order);
    } else {
      while (nrun) {
        size_t best = 0;
        for (size_t k = 1; k < nrun; k++)
          if (evs__spike_order(head[k], head[best]) < 0) best = k;
        out[m++] = *head[best]++;
        if (head[best] == end[best]) {
          head[best] = head[nrun - 1];
          end[best] = end[--nrun];
        }
      }
    }
    par->ticks[p]++;
    i = j;
    size_t n = 0;
    while (n < m && out[n].t < r->t_end) n++;
    par->mf[par->nmf++] = (merged){.pop = p, .begin = par->nmspk, .n = n};
    par->nmspk += n;
    if (!defer) rc = tell(par);
  }
  /* every slice keeps only the spikes found after its last flush */
  for (uint32_t t = 0; t < par->n; t++) {
    worker *w = &par->w[t];
    w->nrec = 0;
    for (uint32_t p = 0; p < par->net->npop; p++) {
      evs_pop *s = w->slice[p];
      if (!s || !w->flushed[p]) continue;
      memmove(s->spk, s->spk + w->flushed[p],
              (s->nspk - w->flushed[p]) * sizeof *s->spk);
      s->nspk -= w->flushed[p];
      w->flushed[p] = 0;
    }
  }
  return rc;
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

/* Barriers between two looks at the wall clock for periodic checkpoints
 * (a barrier is some hundreds of events or more). */
#define PAR_CKPT_POLL 16

int evs__par_run(evs_run *r, double until) {
  struct evs_par *par = r->par;
  int rc = EVS_OK, after_plugin = 0;
  if (r->ckpt_poll > PAR_CKPT_POLL) r->ckpt_poll = PAR_CKPT_POLL;
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
      if ((rc = tell(par)) || r->stopped) break;
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
    rc = run_step(par, ht, hk);
    if (rc && !par->comm) break;
    /* the plug-ins see these spikes during the next step, unless a
     * plug-in event or the phase's end comes first (on several ranks the
     * step's status is exchanged with the spikes) */
    rc = merge(par, !plugin && !last && !r->stopped, rc);
    if (rc == EVS_OK && !last && !r->stopped && plugin) {
      evs_event ev;
      evs_queue_pop(&r->q, &ev);
      evs_plugin *pl = r->pl[ev.owner];
      rc = pl->type->clock(pl, r, &ev);
      /* a plug-in failed here only: the other ranks learn it at their
       * next exchange, which this one joins (unless they stop for a
       * signal instead) */
      size_t none;
      if (rc && par->comm && !par->interrupt_all)
        evs__par_exchange(par, rc, &none);
    }
    if (rc || last || r->stopped) break;
  }
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
      if ((rc = periodic(w, &ev)) == EVS_OK) sort_flushes(w);
    }
    rc = merge(par, 0, rc); /* on several ranks, agreed */
  }
  /* the net's CSRs of the learning projections get their final weights */
  for (uint32_t k = 0; k < par->net->nproj && rc == EVS_OK; k++)
    evs__par_gather(par, par->net->proj[k]);
  return rc;
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
  int rc = par->run->stopped ? EVS_OK : tell(par);
  for (uint32_t t = 0; t < par->n && rc == EVS_OK; t++)
    for (size_t f = 0; f < par->nmf && rc == EVS_OK; f++) {
      const evs_pop *pop = par->net->pop[par->mf[f].pop];
      const evs_spike *spk = par->mspk + par->mf[f].begin;
      for (size_t i = 0; i < par->mf[f].n && rc == EVS_OK; i++)
        rc = schedule_spike(&par->w[t], pop, &spk[i]);
    }
  par->nmf = par->nmspk = par->told = 0;
  return rc;
}
