/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private to src/core: the run of a net, shared by the scheduler
 * (run.c: one thread; run_phases.c its life, run_summary.c its summary)
 * and the threaded scheduler (threads.c: a run split among threads, each
 * owning a slice of every population). */
#ifndef EVSNN_CORE_RUN_IMPL_H
#define EVSNN_CORE_RUN_IMPL_H

#include <signal.h>
#include <stdint.h>

#include "base/clock.h"
#include "core/plugin.h"
#include "core/queue.h"
#include "core/net_impl.h"
#include "core/run.h"
#include "io/output.h"

/* The plug-ins listening to one population's spikes, and the spikes handed
 * to them at a phase's end before the population's window closed
 * (evs__run_tell_found): its flush then hands the others alone. */
typedef struct listeners {
  uint32_t *slot; /* run slots of the plug-ins, in subscription order */
  uint32_t n, cap;
  evs_spike *told; /* [ntold] sorted by (time, id), all before the last
                      phase's end */
  size_t ntold, captold;
} listeners;

struct evs_par;

/* A delivery in flight at a change of its projection's delays that no
 * delay group of the new layout names (run_delays.c): its event's arg is
 * EVS__INFLIGHT | its slot in evs_run.fly. */
typedef struct evs_inflight {
  uint32_t proj; /* the projection */
  uint64_t n;    /* synapses */
  uint64_t *pos; /* [n] their positions in the projection's CSR now, in
                    the order the group held them; NULL: a free slot */
} evs_inflight;

/* The mark of an explicit delivery in a delivery event's arg (a group's
 * place in its row stays below it). */
#define EVS__INFLIGHT 0x80000000u

struct evs_run {
  evs_net *net;
  evs_queue q;      /* every event; in a threaded run the plug-ins'
                       events only */
  evs_output *out;  /* NULL: the run writes nothing */
  double t_end;     /* s: end of the run: its planned duration, the stop
                       time after a stop, the last phase's end after
                       evs__run_finish */
  double t_phase;   /* s: every event before it has run */
  double t_planned; /* s: the duration the run was started for */
  evs_plugin extra; /* the run's own plug-in (evs__run_begin), if
                       has_extra */
  int has_extra;
  uint64_t *ticks; /* [npop] periodic events so far */
  size_t *last_n;  /* [npop] spikes kept by the last flush */
  evs_plugin **pl; /* [npl] plug-ins by slot: the run's extra one
                      first, then the net's */
  uint32_t npl;
  listeners *lis;                         /* [npop] */
  const volatile sig_atomic_t *interrupt; /* evs_run_opts.interrupt */
  int stopped;         /* a plug-in stopped the run (evs__run_stop) */
  char reason[160];    /* why: run.log's last line */
  char log[320];       /* run.log's line about the stop */
  struct evs_par *par; /* the threads of a threaded run (threads.c), or
                          NULL: one thread */
  uint32_t ckpt_poll;  /* events until the wall clock is read for the next
                          periodic checkpoint; 0: none are due */
  double ckpt_wall;    /* s: wall clock when the next one is due */
  int ckpt_error;      /* a checkpoint failed (its message in reason) */
  int ckpt_off;        /* checkpoints were asked for at an interruption
                          only and the net cannot be saved */
  char ckpt_why[160];  /* why not */
  uint32_t ckpt_slot;  /* on several ranks: the slot of the part files the
                          next checkpoint writes (core/ranks_ckpt.h) */
  evs_inflight *fly;   /* [nfly] explicit deliveries (run_delays.c) */
  uint32_t nfly, capfly;
  uint32_t live;           /* slots of fly not yet delivered */
  evs_spike *told_scratch; /* [captold_scratch] a flush's spikes not told
                              yet (evs__run_tell) */
  size_t captold_scratch;
  uint32_t *fly_target; /* [fly_room] scratch: an explicit delivery's */
  float *fly_weight;    /* targets and weights */
  uint64_t fly_room;
};

/* ---- the run's steps (run.c, run_summary.c) ------------------------------ */

/* The first periodic event of every population, then every plug-in's
 * start, in slot order. EVS_OK or an error (err). */
int evs__run_start(evs_run *r, evs_error *err);

/* Runs every event before min(t, t_end), in the queue's order; an event at
 * or after it stays in the queue for the next phase. EVS_OK or the error
 * that ends the run. */
int evs__run_events(evs_run *r, double t);

/* Ends the run at the last phase's end (or the stop): the plug-ins' finish,
 * then the exact populations' last window. EVS_OK or an error. */
int evs__run_end_events(evs_run *r);

/* Writes the summary and the run's counters into run.log (run_summary.c).
 * EVS_OK, or EVS_ENOMEM when the summary could not be made (a run without
 * its summary.tsv is a failed run, not a shorter output). */
int evs__run_write_summary(evs_run *r);

/* ---- checkpoints (run_ckpt.c) -------------------------------------------- */

/* Walks r's whole state as a checkpoint would, writing nothing: EVS_OK, or
 * EVS_EINVAL with what cannot be saved in err. */
int evs__run_checkpoint_check(evs_run *r, evs_error *err);

/* Writes the checkpoint of r at t (every event before t has run, the
 * queue holds the rest) to net->ckpt_path, atomically, and logs it in
 * run.log. Changes nothing in the run. EVS_OK or an error (err). */
int evs__run_checkpoint_save(evs_run *r, double t, evs_error *err);

/* Loads the checkpoint at net->ckpt_path into r, a run begun from the same
 * model without its plug-ins started, reopening the outputs in outdir
 * (evs__output_resume). EVS_OK or an error (err). */
int evs__run_checkpoint_load(evs_run *r, const char *outdir,
                             const char *model_name, evs_error *err);

/* Stops the run at t for an interruption by signal sig (run.log's
 * reason names it): every event before t has run, none after. */
void evs__run_interrupted(evs_run *r, double t, int sig);

/* The checkpoint at an interruption's stop t (after
 * evs__run_interrupted), and how to resume in run.log's line about the
 * stop. EVS_OK or the error that ends the run (run.c). */
int evs__run_interrupted_checkpoint(evs_run *r, double t);

/* Events between two readings of the wall clock for periodic checkpoints:
 * a reading costs about as much as a few events. */
#define CKPT_POLL 4096

/* A periodic checkpoint at t once its wall time has come; the next look
 * at the wall clock in CKPT_POLL events (run.c). EVS_OK or the error that
 * ends the run. */
int evs__run_poll_checkpoint(evs_run *r, double t);

/* Kind of pop's periodic event (EVS_EV_WINDOW, _CLOCK or _SOURCE). */
uint32_t evs__periodic_kind(const evs_pop *pop);

/* Time of pop's k-th periodic event (k from 0): sources start at 0, the
 * others at one tick (their event closes the interval that ends there). */
double evs__periodic_time(const evs_pop *pop, uint64_t k);

/* Orders spikes by time, then id (qsort). */
int evs__spike_order(const void *a, const void *b);

/* Hands the n spikes spk (sorted, all before the run's end) that
 * population pop flushed to the plug-ins listening to it, in subscription
 * order, but for those a phase's end told them already (listeners.told,
 * then forgotten: a population's first flush after a phase's end is the
 * one that closes the window holding it). EVS_OK, EVS_ENOMEM or a hook's
 * error. */
int evs__run_tell(evs_run *r, uint32_t pop, const evs_spike *spk, size_t n);

/* At the end of a phase at t = r->t_phase (every event before t has run):
 * hands the plug-ins listening to each exact population the spikes before t
 * its open window has not flushed yet, those found already and those its
 * type peeks (neuron_type.h), sorted by (time, id), as its flush will, and
 * keeps them in listeners.told so that the flush does not hand them again
 * (also without listeners: one added between the phases hears the spikes
 * from t on).
 * The run does not change: the window closes, counts and schedules its
 * spikes as in a run without phases. A spike already told at an earlier
 * phase's end in the same window is not told again. On several threads
 * the slices' spikes, on several ranks every rank's. EVS_OK, EVS_ENOMEM or
 * a hook's error. */
int evs__run_tell_found(evs_run *r);

/* ---- delays changed between phases (run_delays.c) ------------------------ */

/* Delivery ev, an explicit one (ev->arg & EVS__INFLIGHT): its synapses'
 * targets and current weights to the post type; its slot freed. Returns
 * the post population's failure, else EVS_OK. */
int evs__run_deliver_inflight(evs_run *r, const evs_event *ev);

/* Frees r's explicit deliveries (evs__run_free). */
void evs__run_delays_free(evs_run *r);

/* ---- deliveries ahead of time (run_ahead.c) ------------------------------ */

/* Decides which projections of net are delivered ahead (proj->ahead) and
 * how far past their state time the post populations' inputs may arrive
 * (pop->ahead). Call before the run starts or resumes, after the build,
 * before the threads split the net (a thread's slice reserves its room as
 * it is made, threads_setup.c). */
void evs__run_plan_ahead(evs_net *net);

/* Has the types of the net's populations that hold a state (not the split
 * ones of a threaded run: their slices hold it) reserve the room
 * pop->ahead asks for. EVS_OK or EVS_ENOMEM (err). */
int evs__run_reserve_ahead(evs_net *net, evs_error *err);

/* Hands the synapses of row in m (projection p's synapses onto post: the
 * net's CSR and population, or a thread's split and slice) of a spike at
 * t to post's deliver_ahead (deliver_ahead16 for 16-bit targets) in one
 * call, its delay groups each at t + its delay.
 * Returns the synapses handed over that arrive before t_end (the run's
 * end: those the queue would have delivered, for stat syn_events). */
uint64_t evs__run_ahead_row(const evs_proj *p, const evs_csr *m, evs_pop *post,
                            uint32_t row, double t, double t_end);

/* ---- the threaded scheduler (threads.c) ---------------------------------- */

/* Splits the run r of a built net among n threads (r->par; n >= 2, or
 * any n on several ranks, of which this rank holds its neurons' share): slices
 * of the sliceable populations (core/neuron_type.h) dealt in blocks, the others
 * whole on one thread each (so are the post populations of projections with a
 * learning rule, a delivery filter or whole_post: their CSR, rule and
 * filter stay the net's), every other projection's synapses split by
 * target slice (the net's CSR of a split projection is freed: proj->csr is
 * NULL), one queue per thread holding every population's first periodic
 * event, the threads started. Returns EVS_OK or an error (r->par is then
 * NULL; the net may have lost the synapses split so far, and like any net
 * whose start failed it does not run again). */
int evs__par_begin(evs_run *r, uint32_t n, evs_error *err);

/* Runs every event before until (s) on the threads, in windows no longer
 * than the shortest delay, handing spikes to the plug-ins and running
 * plug-in events in the one-thread total order. EVS_OK or an error. */
int evs__par_run(evs_run *r, double until);

/* The exact populations' last, possibly partial window at r->t_end, as the
 * one-thread scheduler closes it, and their spikes handed to the plug-ins.
 * EVS_OK or an error. */
int evs__par_close(evs_run *r);

/* Corrects the spike counts after a stop at r->t_end (as run.c's
 * uncount_ahead does for one thread). */
void evs__par_uncount(evs_run *r);

/* Adds the threads' counters (synaptic events, queue operations, exact
 * crossings) to the net's statistics and writes one line per thread about
 * its share and memory to run.log (when the run writes one). */
void evs__par_stats(evs_run *r);

/* Stops and joins the threads and frees the slices, their synapses and
 * queues; NULL does nothing. */
void evs__par_free(struct evs_par *par);

/* The slice that holds neuron *id of population pop; *id becomes its index
 * in the slice. NULL when another rank holds it. */
evs_pop *evs__par_slice(struct evs_par *par, evs_pop *pop, uint32_t *id);

/* Appends to *spk (*n of *cap) the spikes before t of exact population p's
 * slices on this rank that have not been flushed, and those their type
 * peeks (neuron_type.h), unsorted, ids in the population. Call between
 * phases (the threads wait). EVS_OK or EVS_ENOMEM. */
int evs__par_found(struct evs_par *par, uint32_t p, double t, evs_spike **spk,
                   size_t *n, size_t *cap);

/* Membrane potential of neuron id of population pop at time t through the
 * slice that holds it (the population's type's voltage()); 0 when another
 * rank holds it. */
double evs__par_voltage(struct evs_par *par, evs_pop *pop, uint32_t id,
                        double t);

/* Copies the weights of learning projection p's threads' splits into the
 * net's CSR (kept for it), in the net's order; nothing for a projection
 * that is not split. O(synapses). */
void evs__par_gather(struct evs_par *par, const evs_proj *p);

/* The threads' parts of learning projection p in slice order when each
 * row of the net's CSR is their rows i end to end (rows in slice order:
 * fixed_probability's), so that they can be read in place in the net's
 * order; *n receives their count. NULL (and *n = 0) otherwise: p->csr
 * then needs evs__par_gather. O(threads). */
evs_csr *const *evs__par_parts(struct evs_par *par, const evs_proj *p,
                               uint32_t *n);

/* The instances of projection p's rule: one per thread holding a split of
 * it, or the net's one; *n receives their count (0 without a rule). */
struct evs_rule *const *evs__par_rules(struct evs_par *par, const evs_proj *p,
                                       uint32_t *n);

/* The synapse matrices holding projection proj's synapses: the net's, or
 * its threads' slices; *n receives their count. */
evs_csr *const *evs__par_csrs(struct evs_par *par, uint32_t proj, uint32_t *n);

/* ---- checkpoints of a threaded run (threads_ckpt.c) ---------------------- */

/* Hands the last barrier's merged spikes to the plug-ins (unless the run
 * was stopped) and schedules their deliveries on every thread now, as the
 * threads' next step would first, so that the threads' queues hold every
 * pending event (threads.c). Changes nothing the run does next. EVS_OK or
 * an error. */
int evs__par_settle(struct evs_par *par);

/* The threads' pending events (not the plug-ins') as one thread holds
 * them: each population's next periodic event and one delivery per
 * projection and delay group (arg: the group's place in its row) of every
 * pending spike and delay, in one thread's total order, each seq its rank
 * from 0; *out malloc'd, *n of them. Call after evs__par_settle. EVS_OK or
 * EVS_ENOMEM. */
int evs__par_events(struct evs_par *par, evs_event **out, size_t *n);

/* Empties the threads' queues and gives each the events of the n events
 * ev (one thread's, sorted in the total order, no plug-in events) that
 * concern its slices, as a threaded run holds them; the next horizon
 * starts at t_phase. EVS_OK, EVS_ENOMEM, or EVS_EINVAL (an event of
 * nothing in the net). */
int evs__par_events_load(struct evs_par *par, const evs_event *ev, size_t n,
                         double t_phase);

/* Saves or loads the periodic events run, one count per population (the
 * threads' counts set from it). EVS_OK or the checkpoint's error. */
int evs__par_ckpt_ticks(struct evs_par *par, evs_ckpt *ck);

/* The synaptic events delivered by the threads so far. */
uint64_t evs__par_syn_events(const struct evs_par *par);

/* Adds the threads' queue pushes and pops to *pushes and *pops. */
void evs__par_queue_counts(const struct evs_par *par, uint64_t *pushes,
                           uint64_t *pops);

/* Saves or loads population pop as run_ckpt.c's walk does for one thread
 * (spikes not flushed and of the last flush, counters, its type's state):
 * a split population's state gathered from its slices or dealt to them.
 * EVS_OK or the checkpoint's error. */
int evs__par_ckpt_pop(struct evs_par *par, evs_pop *pop, evs_ckpt *ck);

/* 1 if projection p is held in parts by the threads (per-thread rule
 * instances or filters, evs__par_make_parts), else 0. */
int evs__par_split_proj(const struct evs_par *par, const evs_proj *p);

/* Saves or loads the state of the rule (filter = 0) or the filter
 * (filter = 1) of projection p, held in parts, as one instance's:
 * gathered from the parts or dealt to them. EVS_OK or the checkpoint's
 * error. */
int evs__par_ckpt_parts(struct evs_par *par, const evs_proj *p, int filter,
                        evs_ckpt *ck);

/* ---- delays changed between phases (threads_delays.c) ------------------- */

/* After p's synapses took new delays in the net's order (p->csr: the
 * threads' splits joined, or the net's own CSR; old: its layout before,
 * rows and groups; moved_to: each old position's new one; bijective: as
 * net_delays.c's group_map): every thread's split made again from p->csr
 * (a learning projection's in place: its synapses do not move), each of
 * its pending deliveries of p's pre population made to deliver of p the
 * synapses it named before (they arrive when they were due), p's post
 * population's rings grown for its new delays and the horizons' leads
 * computed again. EVS_OK or EVS_ENOMEM (err). */
int evs__par_delays_end(struct evs_par *par, const evs_proj *p,
                        const evs_csr *old, const uint64_t *moved_to,
                        int bijective, evs_error *err);

/* Gives the new delay groups of filtered projection p the state of old
 * group from[k] (the filter type's regroup), in every thread's part, or
 * the net's filter when it has no parts. EVS_OK or the filter's error. */
int evs__par_regroup(struct evs_par *par, const evs_proj *p,
                     const uint64_t *from, evs_error *err);

/* Computes every population's lead (the horizons', threads.c) from its
 * projections' shortest delays as they are now. (threads_setup.c) */
void evs__par_leads(struct evs_par *par);

/* Copies the weights of learning projection p from the net's CSR into its
 * threads' splits (evs__par_gather's inverse); nothing for a projection
 * that is not split. O(synapses). */
void evs__par_scatter(struct evs_par *par, const evs_proj *p);

#endif
