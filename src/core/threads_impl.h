/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the threaded scheduler's private types, shared by threads.c (the
 * windows), threads_sync.c (the barrier), threads_events.c (one thread's
 * work in a window), threads_merge.c (the merge for the plug-ins),
 * threads_setup.c (dealing the populations and synapses to the threads,
 * the rules' parts, tearing down) and the files of the statistics,
 * checkpoints and ranks. Not installed. */
#ifndef EVSNN_THREADS_IMPL_H
#define EVSNN_THREADS_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/run_impl.h"
#include "rules/plastic.h"

/* Sorted runs the merge interleaves directly (one per thread holding a
 * slice of the population); beyond that it sorts their concatenation. */
#define EVS_PAR_MERGE_MAX 16

/* One periodic event of a slice: its key and its spikes in the slice's
 * buffer. */
typedef struct flush_rec {
  double t;
  uint32_t kind, pop; /* event kind, population index */
  uint32_t worker;    /* the thread that ran it (on several ranks: rank
                       * times threads plus thread, in the merge) */
  size_t begin, end;  /* its spikes: slice->spk[begin .. end) until the
                       * thread seals it, then its out[begin .. end) */
  /* in the merge: the array begin and end index (a thread's out, or the
   * ranks' exchange buffer) */
  const evs_spike *spk;
} flush_rec;

/* What a pending delivery event delivers of one projection whose delays
 * changed after it was pushed (threads_delays.c): the synapses of a delay
 * (pos NULL; delay UINT32_MAX: none), or those at positions pos[0 .. n)
 * of the thread's split, in that order. */
typedef struct evs_par_redirect {
  uint32_t proj, delay;
  uint64_t n;
  uint64_t *pos;
} evs_par_redirect;

/* A pending delivery event's record (its arg: EVS__INFLIGHT | its slot):
 * its delay when pushed, which the projections without an entry keep, and
 * the entries of those changed since. */
typedef struct evs_par_fly {
  uint32_t delay;
  uint32_t n; /* entries */
  evs_par_redirect *r;
  int used; /* 0: a free slot */
} evs_par_fly;

/* A delivery due before the step's horizon (threads_due.c): one spike's
 * synapses of one delay on the thread, listed, not pushed. */
typedef struct due_ev {
  double t;          /* s: its time */
  uint32_t source;   /* the spike's global neuron id */
  uint32_t seq;      /* its place in the order of the step's pushes */
  uint32_t pop, row; /* the presynaptic population and neuron (its row) */
  uint32_t first, n; /* its synapses: the ranges w->rng[first .. first + n),
                        in the projections' order */
} due_ev;

/* Synapses [begin, end) of a thread's split of projection proj, in the
 * delay group at place grp of their row (0 without groups). */
typedef struct due_range {
  uint64_t begin, end;
  uint32_t proj, grp;
} due_range;

/* How a thread delivers its listed ranges of one projection
 * (threads_due.c), found again at every step for the projections of the
 * spikes merged: what evs__par_deliver_range looks up per range, once. */
typedef struct due_route {
  evs_pop *post;       /* the thread's slice of the post population */
  const evs_csr *m;    /* the thread's split (w->csr) */
  const evs_proj *p;   /* the projection */
  const float *weight; /* m's weights, or NULL (one shared weight) */
  int receptor;        /* p's */
  int plain;           /* 1: no filter and no rule on the thread's part:
                          the ranges go to the post type's deliver */
} due_route;

/* One thread: its slices, synapses, queue and flushes (on cache lines of
 * its own: the array of them is aligned, see par_alloc). */
typedef struct worker {
  _Alignas(64) struct evs_par *par;
  uint32_t index;
  pthread_t tid;
  int started;
  evs_queue q;
  evs_pop **slice; /* [npop] its slice of each population, or NULL */
  int *own;        /* [npop] 1 if slice[p] is a slice object it owns,
                      0 if it is the net's whole population */
  size_t *flushed; /* [npop] spikes of slice[p] already in a record */
  evs_csr **csr;   /* [nproj] synapses onto its slice, or NULL */
  int *own_csr;    /* [nproj] 1 if csr[k] is a split it owns */
  evs_proj **part; /* [nproj] its part of a learning or filtered
                      projection split among the threads (csr[k], its
                      own rule instance and filter), or NULL
                      (evs__par_make_parts) */
  uint64_t *ticks; /* [npop] periodic events run */
  flush_rec *rec;  /* flushes since the last barrier, in event order */
  size_t nrec, caprec;
  size_t sealed;  /* rec[0 .. sealed) have their spikes in out */
  evs_spike *out; /* the sealed flushes' spikes, each flush's sorted by
                     (time, id): what the merge reads of this thread, in
                     one array it alone writes (evs__par_seal_flushes) */
  size_t nout, capout;
  flush_rec *hrec; /* the flushes the last barrier held instead of merging
                      them (evs__par_hold), nhrec of them, their spikes in
                      hout: rec and out of the step before, swapped */
  size_t nhrec, caphrec;
  evs_spike *hout;
  size_t caphout;
  struct head *head; /* [most outgoing projections of a population]:
                        list_spike's scratch (threads_due.c) */
  due_ev *due;       /* [capdue] the step's deliveries due before its
                        horizon (threads_due.c), ndue of them */
  due_ev *due_tmp;   /* [capdue] their sort's scratch */
  size_t ndue, capdue;
  due_range *rng; /* [caprng] their synapses, nrng of them */
  size_t nrng, caprng;
  due_route *route;    /* [nproj] how the ranges of each projection of the
                          step's merged spikes are delivered */
  evs_decay_memo memo; /* the memo of the objects it delivers to (their
                          evs_pop.memo) */
  uint64_t listed;     /* deliveries listed due over the run: the queue
                          pushes and pops they stand for */
  uint64_t syn_events; /* synaptic events delivered */
  size_t queue_peak;   /* most events its queue held */
  int rc;              /* first error */
  unsigned spin_limit; /* its spins before it sleeps (evs__par_wait) */
  double waited;       /* s of wall time spent in waits not over at once */
  double cpu;          /* s of CPU time the thread ran in the runs' loops
                          (evs__par_cpu), its waits' spinning included */
  evs_par_fly *fly;    /* [nfly] records of deliveries pushed before a
                          delay change (threads_delays.c) */
  uint32_t nfly, capfly, live; /* live: slots not yet delivered */
  uint32_t *fly_target;        /* [fly_room] scratch: an explicit */
  float *fly_weight;           /* delivery's targets and weights */
  uint64_t fly_room;
} worker;

/* The spikes of one merged flush: mspk[begin .. begin + n). */
typedef struct merged {
  uint32_t pop;
  size_t begin, n;
} merged;

/* One flush of the last barrier's spikes as a step lists their
 * deliveries: spk[0 .. n), in (time, id) order, all before the run's end
 * (a merged flush, or one thread's part of a held one). */
typedef struct flush_view {
  uint32_t pop;
  const evs_spike *spk;
  size_t n;
} flush_view;

struct evs_par {
  evs_run *run;
  evs_net *net;
  uint32_t n;      /* threads */
  worker *w;       /* [n] */
  uint32_t *bound; /* [npop * (n + 1)]: slice t of a split population
                      holds neurons bound[p*(n+1)+t] .. [p*(n+1)+t+1] */
  int *split;      /* [npop] 1: split in slices, 0: whole on one thread */
  double *lead;    /* [npop] s: see the header (E); INFINITY for a
                      population without outgoing synapses */
  uint64_t *ticks; /* [npop] periodic events merged */
  evs_spike *mspk; /* spikes of the flushes merged at the last barrier */
  size_t nmspk, capmspk;
  merged *mf; /* those flushes, in order */
  size_t nmf, capmf;
  size_t told;    /* mf[0 .. told) have been handed to the plug-ins */
  flush_view *lf; /* the last barrier's spikes, which the next step lists:
                     views of mf, or of the threads' held flushes */
  size_t nlf, caplf;
  /* lazy: a barrier that hands its spikes over during the next step holds
   * the threads' flushes (evs__par_hold) instead of merging them: each
   * thread lists their deliveries from the threads' held runs, and the
   * thread that takes the hand-over merges them first (evs__par_tell), off
   * the barrier's serial part. When the hand-over floats, in one process,
   * and no projection is delivered ahead (whose hand-over to the post type
   * follows the listing's order). held: the last barrier held them;
   * held_merged: they are in mf since. */
  int lazy, held, held_merged;
  int closing;    /* evs__par_close runs: a stop no longer ends a merge */
  flush_rec *all; /* scratch: every thread's records */
  size_t capall;
  evs_spike **last; /* [npop] the last flush's spikes, r->last_n[p] of
                       them (evs__par_uncount) */
  size_t *caplast;
  evs_csr **csrs;          /* scratch of evs__par_csrs: [n] */
  evs_rule **rules;        /* scratch of evs__par_rules: [n] */
  uint64_t *cursor;        /* scratch of evs__par_gather: [n] */
  unsigned char *by_slice; /* [nproj] 1: every row of the learning
                              projection's net CSR lists its synapses onto
                              slice 0 first, then slice 1, ...: the row
                              is its parts' rows end to end
                              (evs__par_in_slice_order) */
  /* several ranks (threads_ranks.c): the net's communicator, or NULL */
  struct evs_comm *comm;
  unsigned char *send; /* this rank's part of a window's exchange */
  size_t capsend;
  int interrupt_all; /* a signal any rank received, at the last exchange */
  int deferred;      /* a failure of this rank alone after an exchange (out of
                        memory merging): the others hear of it at the next
                        exchange or agreement, until which the rank goes on
                        without the window's spikes (the run fails anyway) */
  evs_error cerr;    /* the communicator's error, if it failed */
  /* synchronisation: the main thread releases generation go with its
   * horizon; each other thread adds one to done when it has finished it
   * (done counts over the run: generation g is over at done = g (n - 1),
   * so the main thread writes nothing the others write). What the main
   * thread writes to release a step and what the others write to end it
   * lie on two cache lines of their own: a step's start and end cost one
   * line's transfer each (~220 ns between this machine's cores, measured
   * with two threads bouncing a counter) */
  _Alignas(64) _Atomic uint32_t go;
  _Atomic uint32_t sleepers; /* threads asleep in wait_for */
  double h_t;                /* the current horizon: (h_t, h_kind) */
  uint32_t h_kind;
  /* a step's hand-over of the last barrier's spikes to the plug-ins, when
   * it floats (tell_floats): open until the first thread to end its step
   * takes it (evs__par_take_tell), which leaves its status in tell_rc */
  _Atomic uint32_t tell_open;
  int tell_rc;
  int tell_floats; /* 1: every spikes hook of the run may be called from
                      any thread (evs_plugin.spikes_any_thread) */
  _Alignas(64) _Atomic uint32_t done;
  _Alignas(64) unsigned spins; /* the most a waiter spins before it sleeps */
  _Atomic int quit;
  pthread_mutex_t lock; /* guards the sleeping */
  pthread_cond_t wake;
};

/* One outgoing projection's delay groups on a thread, for one spike: its
 * next group with synapses there, as list_spike walks them. */
typedef struct head {
  uint32_t delay;       /* steps: the group's delay */
  uint64_t g, ge;       /* the group, the row's group end (no groups: 0, 1) */
  uint32_t at;          /* where group g starts on the thread, from the row's
                           start (as the groups' ends) */
  const evs_csr *m;     /* the thread's split (threads_due.c: NULL once done) */
  uint64_t start, stop; /* threads_due.c: the row's synapses in m */
  uint32_t proj;        /* threads_due.c: the projection's index */
} head;

/* The synapses [begin, end) of row in w's split m of projection p (group
 * grp's place in the row) delivered at time t: through the filter, to the
 * post slice, to the rule. EVS_OK or the post slice's failure. */
static inline int evs__par_deliver_range(worker *w, double t, const evs_proj *p,
                                         const evs_csr *m, uint32_t row,
                                         uint64_t begin, uint64_t end,
                                         uint32_t grp) {
  evs_pop *post = w->slice[p->post->index];
  const float *wt = m->weight ? m->weight + begin : NULL;
  /* the thread's own filter and rule instance on a split post population
   * (evs__par_make_parts), else the net's (the post population is whole) */
  const evs_proj *own = w->part[p->index] ? w->part[p->index] : p;
  if (own->filter)
    wt = own->filter->type->apply(own->filter, t, row, grp, wt, end - begin);
  evs__deliver(post, t, p->receptor, m, begin, wt, end - begin);
  if (own->rule) own->rule->type->on_pre(own->rule, t, row, begin, end);
  w->syn_events += end - begin;
  return post->failed;
}

/* Delivers queue event ev of kind EVS_EV_DELIVER (see evs__par_schedule):
 * the synapses of delay ev->arg of the spike's row on w's slices,
 * projection by projection in pop->out's order, first fetching what next
 * (the step's next event, or NULL) reads first. EVS_OK or a post slice's
 * failure. (threads_events.c) */
int evs__par_deliver_event(worker *w, const evs_event *ev,
                           const evs_event *next);

/* Starts fetching what listing the merged spikes' deliveries reads in w's
 * splits, every spike's at once so that the misses overlap instead of
 * stalling the listing one by one (each thread reads them for every
 * spike): first the rows' bounds, then what they point at, the delay
 * groups' ends and delays and, for a row handed over ahead at once
 * (run_ahead.c), its targets and weights. (threads_events.c) */
void evs__par_prefetch_rows(const worker *w);

/* Pushes an event (t, kind, source, owner, arg) on w's queue and keeps
 * its peak size. EVS_OK or EVS_ENOMEM. */
int evs__par_push(worker *w, double t, uint32_t kind, uint32_t source,
                  uint32_t owner, uint32_t arg);

/* What evs__par_wait waits for: *v != x (a new generation of go), or
 * *v == x (done reached the count of the other threads). */
typedef enum { UNTIL_CHANGED, UNTIL_EQUAL } wait_kind;

/* Waits, as thread w, until v is as k and x say: spinning, then asleep;
 * a wait not over at its first look adds its wall time to w->waited
 * (threads_sync.c). */
void evs__par_wait(worker *w, _Atomic uint32_t *v, wait_kind k, uint32_t x);

/* Pushes the deliveries of spike s of population pop onto w's slices (the
 * projections delivered ahead hand it to their slices' deliver_ahead at
 * once instead: core/run_ahead.c): one event (time, EVS_EV_DELIVER, the
 * neuron's gid, owner pop's index, arg the delay in steps) per delay that a
 * synapse of it onto w's slices has, in every projection and delay group of
 * that delay. One thread pushes one event per projection and group, in the
 * order (projection, group): a spike's events of one time pop together (nothing
 * else has their time, kind and source and a push between theirs), and deliver
 * goes through the projections in that order, so every neuron gets its inputs
 * in the one-thread order. Distinct delays give distinct times (par_begin
 * checks the run's end against the resolution). EVS_OK, EVS_ENOMEM or a slice's
 * failure. (threads_due.c) */
int evs__par_schedule(worker *w, const evs_pop *pop, const evs_spike *s);

/* Runs periodic event ev of w's slice of population ev->owner, records
 * its flush (key and the spikes found since the last) and pushes the
 * slice's next periodic event. EVS_OK or an error. */
int evs__par_periodic(worker *w, const evs_event *ev);

/* Seals w's flushes recorded since the last seal: sorts each one's spikes
 * by (time, id), moves them from the slices to w->out and drops them from
 * the slices (which keep the spikes found after their last flush). Done
 * by every thread for its own, in parallel, so that the merge only
 * interleaves the threads' sorted runs and reads one array of each
 * thread, and writes nothing the thread's slices hold. EVS_OK or
 * EVS_ENOMEM (nothing sealed). */
int evs__par_seal_flushes(worker *w);

/* One step of thread w: the deliveries of the last barrier's spikes, then
 * every event of its queue before the horizon (par->h_t, par->h_kind); its
 * first error in w->rc. (threads_due.c) */
void evs__par_step(worker *w);

/* Hands the merged flushes not yet handed to the plug-ins, in order, up to
 * a stop (as the one-thread loop stops after the flush whose hook stopped
 * it; not while evs__par_close closes the last windows), merging the held
 * ones first (evs__par_hold). EVS_OK, EVS_ENOMEM or a hook's error.
 * (threads_merge.c) */
int evs__par_tell(struct evs_par *par);

/* Hands the last barrier's spikes to the plug-ins if no thread has taken
 * that on in this step (tell_open), as thread 0 does before its step when
 * the hand-over does not float: called by every thread at the end of its
 * step, so that the thread ending first does it while the others finish
 * theirs (threads.c). (threads_merge.c) */
void evs__par_take_tell(struct evs_par *par);

/* 1 if the last barrier's spikes have not all been handed to the plug-ins
 * (evs__par_tell). */
static inline int evs__par_tell_pending(const struct evs_par *par) {
  return (par->held && !par->held_merged) || par->told < par->nmf;
}

/* The last barrier of a lazy run (see evs_par.lazy; in place of
 * evs__par_merge, with the hand-over deferred): every thread's flushes
 * since the barrier before are held (rec and out swapped with hrec and
 * hout), counted as the merge counts them, and viewed in lf, nothing
 * merged. EVS_OK or EVS_ENOMEM. (threads_merge.c) */
int evs__par_hold(struct evs_par *par);

/* Merges the threads' flushes since the last barrier (on several ranks,
 * every rank's threads', exchanged with this rank's status rc) in key
 * order: one flush's spikes from every slice, sorted by (time, id) and cut
 * at the run's end, kept for scheduling (mf) and, unless later (defer:
 * see run_step), handed to the plug-ins. A stop by a plug-in ends the
 * merge after that flush (not while evs__par_close closes the last
 * windows). Returns rc (in one process), the first error of
 * the ranks, or the merge's (out of memory: in one process; on several
 * ranks it becomes par->deferred). */
int evs__par_merge(struct evs_par *par, int defer, int rc);

/* At the start (end 0) of evs__par_run, subtracts every thread's CPU
 * time so far from its w->cpu; at its end (end 1), adds it: w->cpu sums
 * the CPU seconds each thread ran in the runs' loops (the main thread's
 * merges and tells, the waits' spinning). Two clock readings a thread
 * (threads_stats.c). */
void evs__par_cpu(struct evs_par *par, int end);

/* Adds one to *v (the go or done counter) and wakes the sleepers, if any. */
void evs__par_bump(struct evs_par *par, _Atomic uint32_t *v);

/* The most a waiter at the barrier spins before it sleeps, for a run
 * of that many threads (threads_sync.c). */
unsigned evs__par_spins(uint32_t threads);

/* Every rank's flush records since the last barrier, with their spikes,
 * into par->all (*nall of them; spikes valid until the next exchange), in
 * exchange for this rank's, with every rank's status rc (or this rank's
 * par->deferred failure) and interrupt flag (collective: one
 * evs__comm_allgatherv). Returns the first error over the ranks in rank
 * order (this rank's own included), or the communicator's (its message in
 * par->cerr); par->interrupt_all becomes a signal some rank received, or
 * 0. Out of memory for the records once the others sent them: par->deferred,
 * no records, EVS_OK. (threads_ranks.c) */
int evs__par_exchange(struct evs_par *par, int rc, size_t *nall);

/* The worst status over the ranks (collective); the local one in one
 * process. */
int evs__par_agree(struct evs_par *par, int rc);

/* What evs__par_walk calls for every synapse: the net's position q (from
 * 0, over this rank's synapses), its row, its delay group's global index g
 * (0 without groups), and where it lies: position x of the split s onto
 * targets from lo (s->target[x] + lo is the population's index). */
typedef void evs__par_visit(void *ctx, uint64_t q, uint32_t row, uint64_t g,
                            const evs_csr *s, uint64_t x, uint32_t lo);

/* Calls f for every synapse of projection p held by the threads, in the
 * net's order (see threads_synapses.c). O(synapses). */
void evs__par_walk(struct evs_par *par, const evs_proj *p, evs__par_visit *f,
                   void *ctx);

/* The threads' splits of projection p joined into one new CSR *out in the
 * net's order (this rank's synapses, population indices as targets, the
 * splits' delay groups; weights shared if every split shares them; no
 * transposed index). EVS_OK or EVS_ENOMEM (*out, if not NULL, is the
 * caller's to free either way). O(synapses). */
int evs__par_join(struct evs_par *par, const evs_proj *p, evs_csr **out);

/* The synapses of m (projection p's) onto post neurons [lo, hi),
 * renumbered from lo, rows and delay groups kept (a group may be empty): a
 * thread's split, with 16-bit targets when evs__proj_narrow(p, hi - lo).
 * EVS_OK or EVS_ENOMEM (*out, if not NULL, is the caller's to free).
 * (threads_setup.c) */
int evs__par_split_csr(const evs_proj *p, const evs_csr *m, uint32_t lo,
                       uint32_t hi, evs_csr **out);

/* The learning and filtered projections' parts (threads_parts.c): frees
 * a thread's part of a projection (NULL does nothing; its CSR is the
 * thread's split, freed with the others); gives every thread holding a
 * split of a learning or filtered projection its part (a copy of the
 * projection on the thread's split, with its own filter part and rule
 * instance, made by the rule's init as at the start of a run, listed in
 * the slice's learn[] in the net's projection order), EVS_OK or an error
 * in err; and 1 when every row of m lists its targets slice by slice
 * (bounds b of n slices, so that a part's row is a run of the whole row),
 * O(synapses). */
void evs__par_free_part(evs_proj *part);
int evs__par_make_parts(struct evs_par *par, evs_error *err);
int evs__par_in_slice_order(const evs_csr *m, const uint32_t *b, uint32_t n);

/* Cuts every split population into the threads' slices (par->bound),
 * from the costs it expects of them (threads_cut.c). */
void evs__par_cut(struct evs_par *par);

/* Frees w's record in slot (its delivery done); the slots are reused once
 * every record has been delivered. (threads_delays.c) */
void evs__par_fly_done(worker *w, uint32_t slot);

/* Frees every record of w and its scratch arrays. */
void evs__par_fly_free(worker *w);

/* The body of threads 1 .. n-1 (pthread_create's start routine, arg the
 * worker): runs each generation the main thread releases until quit. */
void *evs__par_thread_main(void *arg);

#endif
