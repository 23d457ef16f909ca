/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the run of a built net, in phases (core/run_phases.c,
 * the events in core/run.c), and its threads (core/threads.c). Not
 * installed. */
#ifndef EVSNN_CORE_RUN_H
#define EVSNN_CORE_RUN_H

#include <stdint.h>

#include "core/net_impl.h"
#include "evsnn/csr.h"
#include "evsnn/error.h"
#include "evsnn/net.h"

/* The run of a built net, in phases (core/run_phases.c). evs__run_begin opens
 * the outputs, starts the plug-ins and sets net->run; extra (may be NULL;
 * copied) is a plug-in of this run only (the progress line), whose hooks run
 * before the net's. evs__run_until runs every event before t (s, from the
 * last phase's end up to opts->duration); evs__run_finish ends the run at
 * the last phase's end (or a plug-in's stop), writes the summary, closes
 * the outputs, frees the run and clears net->run. A failed begin or until
 * frees the run (outputs deleted) and clears net->run. Each returns EVS_OK,
 * EVS_ESTOPPED (a plug-in stopped the run: until runs nothing more, finish
 * completes the outputs) or an error, with a message in err.
 * evs__run_free discards an unfinished run (outputs deleted). */
struct evs_plugin;
struct evs_run;
int evs__run_begin(evs_net *net, const evs_run_opts *opts,
                   const struct evs_plugin *extra, evs_error *err);
int evs__run_until(struct evs_run *run, double t, evs_error *err);
int evs__run_finish(struct evs_run *run, evs_error *err);
void evs__run_free(struct evs_run *run);

/* The run of a built net from the checkpoint at net->ckpt_path instead of
 * its start (evs_net_resume): as evs__run_begin, with the state, pending
 * events and outputs restored (run_ckpt.c) and only extra started. */
int evs__run_resume(evs_net *net, const evs_run_opts *opts,
                    const struct evs_plugin *extra, evs_error *err);

/* A checkpoint of run between phases, at its phase's end, to
 * net->ckpt_path. EVS_OK or an error (err). */
int evs__run_checkpoint(struct evs_run *run, evs_error *err);

/* The time every event before which has run: 0 at the start, a resumed
 * run's checkpoint time, the last phase's end. */
double evs__run_time(const struct evs_run *run);

/* Before a parameter of run's net changes between phases: checkpoints,
 * which hold the state and not the parameters, are off from then on (an
 * interrupted run's log and evs_net_checkpoint say why). EVS_OK, or
 * EVS_ESTATE (err) for a run that saves checkpoints periodically. */
int evs__run_params_change(struct evs_run *run, evs_error *err);
/* The same before other settings a checkpoint does not hold change between
 * phases (what: "recordings"; the messages name it). */
int evs__run_settings_change(struct evs_run *run, const char *what,
                             evs_error *err);

/* Before projection p's delays change between run's phases
 * (core/net_delays.c; p's CSR still the old layout; dmax: the longest new
 * delay, steps, the ranks'): refuses a run that saves checkpoints
 * periodically (EVS_ESTATE), and on threads a delay too long
 * for distinct delivery times (EVS_EINVAL); on one thread, unless
 * bijective (every delay group of a row stays one group), makes each of
 * p's pending deliveries an explicit one naming its synapses' positions
 * (EVS_ENOMEM: those made so far stay, and right). Once past the
 * refusals, checkpoints are off from then on. (core/run_delays.c) */
int evs__run_delays_begin(struct evs_run *run, const evs_proj *p, int bijective,
                          uint32_t dmax, evs_error *err);

/* After p's CSR took its new delays (evs_csr_set_delays; old: its layout
 * before, row_ptr and groups; moved_to: each old position's new one;
 * bijective as for evs__run_delays_begin): p's pending deliveries name the
 * same synapses in the new layout and arrive when they were due; a
 * projection delivered ahead has its post type's ring buffers grown to its
 * new delays. On threads p->csr is the projection in the net's order (the
 * threads' splits joined, evs__run_synapses), from which the splits are
 * made again (core/threads_delays.c). EVS_OK or EVS_ENOMEM (err). */
int evs__run_delays_end(struct evs_run *run, const evs_proj *p,
                        const evs_csr *old, const uint64_t *moved_to,
                        int bijective, evs_error *err);

/* After filtered projection p's delays changed: new delay group k takes the
 * filter state of old group from[k], in the net's filter or in a threaded
 * run's parts (run may be NULL). EVS_OK or the filter's error. */
int evs__run_regroup(struct evs_run *run, const evs_proj *p,
                     const uint64_t *from, evs_error *err);

/* The synapse matrices of projection p, split among the threads of run
 * (p->csr is NULL once split, unless p learns: then it is kept, and its
 * weights are gathered by evs__run_gather; core/threads.c), or the net's
 * one CSR when the post population runs whole; *n receives their count. A
 * run on one thread, or a finished one, has none: *n = 0. */
evs_csr *const *evs__run_proj_csrs(struct evs_run *run, const evs_proj *p,
                                   uint32_t *n);

/* The parts of learning projection p split among run's threads, when
 * read one after the other row by row (row i of part 0, of part 1, ...)
 * they give its weights in the net's order without evs__run_gather
 * (evs__par_parts); NULL with *n = 0 otherwise (one thread, a NULL run,
 * p not split or not in that order). */
evs_csr *const *evs__run_proj_parts(struct evs_run *run, const evs_proj *p,
                                    uint32_t *n);

/* Brings the net's CSR of projection p up to date with a threaded run's
 * splits (a learning projection's weights, evs__par_gather); nothing for a
 * run on one thread, a NULL run or a projection that is not split. */
void evs__run_gather(struct evs_run *run, const evs_proj *p);

/* The synapses of projection p this process holds, in the net's order, in
 * *m: p->csr when the net holds them (*joined = NULL), else those a
 * threaded run split among its threads joined into a new CSR, *joined as
 * well, for the caller to free (evs_csr_free). Weights as the threads
 * hold them (a learning projection's net CSR needs evs__run_gather).
 * EVS_OK, EVS_ENOMEM, or EVS_ESTATE when the run that split them has
 * ended (err). (core/threads_synapses.c) */
int evs__run_synapses(struct evs_run *run, const evs_proj *p, const evs_csr **m,
                      evs_csr **joined, evs_error *err);

/* The number of synapses of projection p this process holds into *n:
 * p->csr's, or those of a threaded run's splits. EVS_OK, or EVS_ESTATE
 * when the run that split them has ended (err).
 * (core/threads_synapses.c) */
int evs__run_held(struct evs_run *run, const evs_proj *p, uint64_t *n,
                  evs_error *err);

/* Sets the weights of static projection p, split among the threads of
 * run (p->csr NULL), from w[0 .. synapses) in the net's order (SI units
 * of its weight dimension; checked by the caller): every split gets
 * weights of its own. EVS_OK or EVS_ENOMEM (err; some weights may be
 * set). */
int evs__run_set_weights(struct evs_run *run, const evs_proj *p,
                         const double *w, evs_error *err);

/* Copies the weights of learning projection p from the net's CSR into a
 * threaded run's splits (evs__par_scatter); nothing for a run on one
 * thread, a NULL run or a projection that is not split. */
void evs__run_scatter(struct evs_run *run, const evs_proj *p);

/* Schedules a threaded run's spikes merged at the last barrier now (the
 * next step would first; evs__par_settle), so that everything flushed
 * before the phase's end is scheduled with the weights and delays it was
 * flushed with, as on one thread; nothing for a run on one thread or a
 * NULL run. EVS_OK or an error of a plug-in or of memory. */
int evs__run_settle(struct evs_run *run);

/* The instances of projection p's rule in run: a threaded run's per-thread
 * instances of a split learning projection, else p->rule (run may be
 * NULL); *n receives their count (0 without a rule). */
struct evs_rule *const *evs__run_rules(struct evs_run *run, evs_proj *p,
                                       uint32_t *n);

/* Tells every instance of projection p's rule in run (run may be NULL)
 * that its weights were written from outside the handlers
 * (evs_rule_type.weights_set). */
void evs__run_weights_set(struct evs_run *run, evs_proj *p);

#endif
