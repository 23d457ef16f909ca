/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — networks: build populations, projections, inputs and recorders,
 * then run them.
 *
 * A net is built in any order, then run once, in one go (evs_net_run) or in
 * phases (evs_net_start, evs_net_run_until again and again, evs_net_finish:
 * the same bytes). Building validates eagerly: every call returns EVS_OK or
 * an error with a message, and a net with an error is never half-run. Running
 * writes its outputs into a folder: <population>.ras spike rasters,
 * v_<population>.tsv probes, summary.tsv and run.log (see evsnn(1)). */
#ifndef EVSNN_NET_H
#define EVSNN_NET_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "csr.h"
#include "dist.h"
#include "error.h"
#include "export.h"
#include "units.h"

typedef struct evs_net evs_net;

typedef enum evs_receptor {
  EVS_RECEPTOR_EXC = 0, /* excitatory synaptic current/conductance */
  EVS_RECEPTOR_INH = 1  /* inhibitory synaptic current/conductance */
} evs_receptor;

typedef struct evs_run_opts {
  double duration; /* simulated time, s: the run covers [0, duration) */
  const char
      *outdir; /* output folder (created if missing); NULL writes nothing */
  const char *model_name;   /* named in file headers; may be NULL */
  int progress;             /* 1: report progress on stderr (callers pass 1 only
                               when stderr is a terminal); 2: a line
                               "progress: t = T s of D s, W s of wall time" in
                               run.log every progress_interval (a batch run,
                               to watch it); 0: none */
  double progress_interval; /* s of wall time between run.log's progress
                             lines (progress = 2); 0: 60 s */
  const volatile sig_atomic_t *interrupt; /* NULL, or a flag the caller's
                             signal handler sets to the signal's number: the
                             run stops before its next event, as a stop (see
                             evs_net_run); may be NULL */
  int threads; /* threads the run uses (0 or 1: one); any number
                  writes the same bytes (doc/scaling.md) */
} evs_run_opts;

typedef struct evs_pop_info {
  const char *name; /* population name (owned by the net) */
  const char *type; /* type name */
  uint32_t size;    /* neurons */
  uint64_t spikes;  /* spikes emitted in [0, duration) of the last run */
} evs_pop_info;

typedef struct evs_run_stats {
  double t_end;      /* simulated time reached, s */
  double wall_build; /* s spent building synapses and state */
  double wall_run;   /* s spent in the event loop */
  uint64_t spikes;   /* spikes of all populations (sources included) */
  uint64_t
      syn_events; /* synaptic events delivered (one per synapse per spike) */
  uint64_t queue_pushes;     /* pushes onto the event queue */
  uint64_t queue_pops;       /* pops from the event queue */
  uint64_t crossings_solved; /* exact threshold-crossing searches run */
  uint64_t synapses;         /* synapses in all projections */
  uint64_t synapse_bytes; /* heap bytes of all projections' synapse storage */
} evs_run_stats;

/* Creates an empty net whose random streams are keyed by seed, whose delays
 * are multiples of resolution (s, 1e-6 ... 1e15) and whose clocked
 * populations step by resolution. Returns EVS_OK, EVS_EINVAL or EVS_ENOMEM.
 * Every number the setters below take must be finite and at most 1e15 in
 * magnitude (SI units), as in a model file (doc/manual.md, "Limits"). */
EVS_API int evs_net_new(evs_net **out, uint64_t seed, double resolution);

/* Frees the net and everything it owns; NULL is allowed. */
EVS_API void evs_net_free(evs_net *net);

/* Adds a population of size neurons of the named type (evs_neuron_type_names).
 * Names are unique, 1-63 characters of [A-Za-z0-9_]. Returns the population's
 * index (>= 0) or a negative status with a message in err. */
EVS_API int evs_net_add_population(evs_net *net, const char *name,
                                   const char *type, uint32_t size,
                                   evs_error *err);

/* Index of the population called name, or EVS_ENOENT. */
EVS_API int evs_net_find_population(const evs_net *net, const char *name);

/* Sets a numeric parameter (SI units) of population pop. A distribution is
 * allowed only for EVS_PARAM_PER_NEURON parameters. Unknown names, paths and
 * bad values (not finite or above 1e15 in magnitude, unless the parameter's
 * default; negative time constants, v_reset >= v_thresh checked later by
 * evs_net_run) are errors.
 *
 * After the build, a constant (or, with evs_net_set_param_values, one value
 * per neuron) may change what the type lets change, checked at once as the
 * build checks it (an error changes nothing):
 *  - between the phases of a run (evs_net_run_until), at the phase's end t:
 *    every neuron is brought up to t with the old values (an exact type
 *    finds its spikes before t), then follows the new ones with v and the
 *    synaptic currents continuous, its next spikes predicted anew; a
 *    clocked type (IF_cond_exp) takes them from its last step before t; a
 *    Poisson source's rate from the end of the spikes it has drawn (the
 *    next multiple of 1 ms at or after t, its pending intervals scaled);
 *    any number of threads, the same bytes; a value set to the value it
 *    has changes nothing;
 *  - before the run starts: as if set before the build (the initial state
 *    is drawn again, the same draws).
 * What may change: IF_curr_exp: v_rest, i_offset, v_thresh, v_reset,
 * tau_refrac, tau_syn_E, tau_syn_I; IF_curr_alpha: the same but the
 * synaptic time constants; IF_curr_exp_grid: the same as IF_curr_exp and
 * background_rate, background_weight; IF_cond_exp, IF_cond_exp_gsfa_grr,
 * IF_cond_ampa_nmda, EIF_cond_exp_isfa_ista, Izhikevich: every parameter
 * but the initial values (a clocked type from its last step before t);
 * SpikeSourcePoisson: rate; RateGaussian: mean, sd, corr; RateConstant:
 * amplitude (doc/manual.md, "Parameters between phases"). Refused
 * (EVS_EINVAL, naming the key): cm and tau_m of the current-based types
 * (R = tau_m / cm scales the weights they hold), initial values, a
 * source's start and stop, files, IF_curr_exp's background, a rate
 * population's dt; a distribution (drawn at the build). Refused
 * (EVS_ESTATE): any after the run ended.
 * A checkpoint holds the state, not the parameters: once one changes
 * between phases the run takes no checkpoint (evs_net_checkpoint refuses,
 * an interruption saves none), and a run that saves them periodically
 * refuses the change (EVS_ESTATE). */
EVS_API int evs_net_set_param(evs_net *net, int pop, const char *name,
                              const evs_dist *value, evs_error *err);

/* Sets an EVS_PARAM_PER_NEURON parameter (SI units) of population pop to
 * one value per neuron: values[i] for neuron i, n the population's size
 * (copied). Replaces a value or distribution set before, as a later
 * evs_net_set_param replaces these. Errors: an unknown name, a parameter
 * that is one value for the population, n not the size, a value not
 * finite or above 1e15 in magnitude; the type checks each neuron's values
 * as it checks a population's (evs_net_build). O(n). After the build, as
 * evs_net_set_param (between phases: per neuron, only the neurons whose
 * value changes are touched). */
EVS_API int evs_net_set_param_values(evs_net *net, int pop, const char *name,
                                     const double *values, size_t n,
                                     evs_error *err);

/* Sets a path parameter (EVS_PARAM_PATH) of population pop; copied. */
EVS_API int evs_net_set_path(evs_net *net, int pop, const char *name,
                             const char *path, evs_error *err);

/* Connects pre to post through receptor. The spec's weights have dimension
 * weight_dim, which the post type must accept (IF_curr_exp: current, or
 * voltage meaning the current's voltage equivalent R*I, refused when cm
 * differs between the post neurons, here or at the build; IF_cond_exp:
 * conductance); its seed and stream fields are set by the net. Synapses are
 * built by evs_net_build (or the first run). Returns the projection's index
 * (>= 0) or a negative status. The spec's path is copied. */
EVS_API int evs_net_connect(evs_net *net, const char *name, int pre, int post,
                            evs_receptor receptor, const evs_conn_spec *spec,
                            evs_dim weight_dim, evs_error *err);

/* Index of the projection called name, or EVS_ENOENT. */
EVS_API int evs_net_find_projection(const evs_net *net, const char *name);

/* Makes projection proj learn with the named rule (evs_rule_names()), its
 * parameters at their defaults. A learning projection needs one delay for all
 * its synapses (checked by evs_net_build). */
EVS_API int evs_net_set_rule(evs_net *net, int proj, const char *rule,
                             evs_error *err);

/* Sets a parameter of proj's rule; value is SI in the parameter's dimension
 * (for EVS_PARAM_WEIGHT parameters: the dimension of the projection's
 * weights, given when it was connected). */
EVS_API int evs_net_set_rule_param(evs_net *net, int proj, const char *name,
                                   double value, evs_error *err);

/* Gives projection proj Tsodyks–Markram short-term plasticity: each
 * presynaptic spike delivers w * u * x, with utilisation u (increment and
 * resting value U in (0, 1], facilitation decaying with tau_f >= 0 s, 0 for
 * none) and resources x (recovering with tau_d > 0 s); see src/synapses/stp.h.
 * Works on static and learning projections. Before the build only. EVS_OK, or
 * EVS_EINVAL / EVS_ESTATE with a message in err. */
EVS_API int evs_net_set_stp(evs_net *net, int proj, double U, double tau_d,
                            double tau_f, evs_error *err);

/* Records statistics of proj's weights every interval seconds (>= 1e-6), from
 * t = 0, into <proj>.weights.tsv: columns time, mean, sd, min, max, at_min,
 * at_max; weights in SI units of the projection's weight dimension; at_min
 * and at_max are the fractions of synapses at the rule's w_min and w_max
 * (0 for a projection without bounds). */
EVS_API int evs_net_record_weights(evs_net *net, int proj, double interval,
                                   evs_error *err);

/* Writes the weights of proj at each of times[0..n) (s, >= 0; copied) into
 * <proj>_<milliseconds>ms.mtx, Matrix Market coordinate format: row = pre
 * neuron + 1, column = post neuron + 1, one entry per synapse (multapses
 * repeat an entry), weight in SI units of the projection's weight dimension.
 * Times at or after the run's end write nothing. */
EVS_API int evs_net_record_matrix(evs_net *net, int proj, const double *times,
                                  size_t n, evs_error *err);

/* Records every weight of proj every interval seconds (>= 1e-6), from t = 0,
 * into <proj>.synapses.tsv: columns time, then one column per synapse in CSR
 * order named w<pre>_<post> (local indices), weights in SI units of the
 * projection's weight dimension. Meant for small projections (weight
 * trajectories, e.g. Oja's rule): evs_net_build refuses it for a projection
 * of more than EVS_RECORD_SYNAPSES_MAX synapses. Returns EVS_OK or
 * EVS_EINVAL. */
#define EVS_RECORD_SYNAPSES_MAX 1024
EVS_API int evs_net_record_synapses(evs_net *net, int proj, double interval,
                                    evs_error *err);

/* Adds a constant current to every neuron of pop: amplitude has dimension
 * dim (current, or its voltage equivalent: refused, here or at the build,
 * when cm differs between the neurons of IF_curr_exp or IF_curr_alpha). */
EVS_API int evs_net_add_dc(evs_net *net, int pop, double amplitude, evs_dim dim,
                           evs_error *err);

/* Turns spike recording of pop on or off (default: on for neurons, off for
 * sources). Between the phases of a run it acts on the spikes from the
 * phase's end on (a source's from the end of the spikes it has drawn, the
 * first multiple of 1 ms at or after it); a population recorded for the
 * first time gets its file then (not with the sonata spike format:
 * EVS_ESTATE), and the run takes no checkpoint from then on. EVS_OK,
 * EVS_EINVAL (no such population), EVS_ESTATE, EVS_ENOMEM. */
EVS_API int evs_net_record_spikes(evs_net *net, int pop, int on);

/* Records the membrane potential of neurons ids[0..n) of pop every interval
 * seconds (>= 1e-6) into v_<pop>.tsv. The ids are copied. */
EVS_API int evs_net_record_v(evs_net *net, int pop, const uint32_t *ids,
                             size_t n, double interval, evs_error *err);

/* Records variable var of neurons ids[0..n) of pop every interval seconds
 * (> 0) from t = 0 into <var>_<pop>.tsv (columns <var><id>, SI units): "v"
 * (as evs_net_record_v) or one of the variables the population's type lists
 * (evs_neuron_type_recordable: gsyn_exc, gsyn_inh, i_syn_exc, i_syn_inh, w,
 * u, ...). Exact types give the value at the sample time in closed form,
 * clocked types at the step that ends there. A second call for the same
 * population and variable replaces the first; n = 0 records nothing. The
 * ids are copied. Between the phases of a run a recording starts (its
 * samples at the multiples of interval from the phase's end on, those of a
 * recording from 0), stops (n = 0) or starts again (the same neurons: its
 * file has their columns), and the run takes no checkpoint from then on.
 * Returns EVS_OK, or EVS_EINVAL (a variable the type does not have, an id
 * out of range, a bad interval), EVS_ESTATE (other neurons for a file
 * begun, a run that has ended or saves checkpoints periodically),
 * EVS_ENOMEM, with a message in err. */
EVS_API int evs_net_record(evs_net *net, int pop, const char *var,
                           const uint32_t *ids, size_t n, double interval,
                           evs_error *err);

/* Stops the run when the rate of population pop leaves [lo, hi] (Hz,
 * 0 <= lo < hi, finite; tau > 0, s). The estimate is the population rate
 * filtered by an exponential of time constant tau (as Auryn's RateChecker):
 * starting at (lo + hi) / 2, at every check time T_k = k dt it becomes
 *   r <- r e^(-dt/tau) + (spikes of pop in [T_(k-1), T_k)) / (size tau),
 * where dt is min(tau / 10, 10 ms) rounded up to a whole number of the
 * population's periodic intervals (1 ms for spike sources, the resolution
 * for clocked types, the shortest outgoing delay for exact types, see
 * evs_neuron_type.tick). At the first T_k where r is outside [lo, hi] the
 * run ends at T_k: every output is written as for a completed run, with
 * summary rates over [0, T_k) (a source's raster may hold the spikes it
 * generated for the window [T_k, T_k + 1 ms)), run.log names the
 * population and ends with "stopped at t = T s: rate R Hz outside [lo, hi]",
 * evs_net_run returns EVS_ESTOPPED with that last line as err's message,
 * and evs_run_stats.t_end is T_k. One checker per population (a second call
 * replaces the first); any number of populations. Returns EVS_OK,
 * EVS_EINVAL, or EVS_ESTATE after the run. */
EVS_API int evs_net_check_rate(evs_net *net, int pop, double lo, double hi,
                               double tau, evs_error *err);

/* Builds all synapses and neuron states (draws initial values). Idempotent.
 * Checks the whole net (parameter consistency, delays of exact populations'
 * projections >= resolution, ...). */
EVS_API int evs_net_build(evs_net *net, evs_error *err);

/* Runs the net once for opts->duration, writing outputs into opts->outdir.
 * Builds first if needed. Returns EVS_OK, EVS_ESTOPPED when a rate checker
 * (evs_net_check_rate) or an interruption ended the run early (outputs
 * complete, err holds "stopped at t = T s: ..."), or an error (EVS_EIO for
 * output that could not be written, naming the file). Interruption: once
 * *opts->interrupt is nonzero (a signal number), no further event runs; the
 * run stops at T, the time of the next event (every event before T has run,
 * none after it), and ends as after a rate checker's stop, its last run.log
 * line "stopped at t = T s: interrupted (SIGINT)" (SIGTERM, or "signal N"):
 * the spikes in every file are those of an uninterrupted run before T. A net
 * runs at most once. The same as evs_net_start, evs_net_run_until(net,
 * opts->duration) and evs_net_finish. */
EVS_API int evs_net_run(evs_net *net, const evs_run_opts *opts, evs_error *err);

/* Starts the net's run in phases: builds it if needed, opens the outputs in
 * opts->outdir, readies every recorder and plug-in at t = 0. opts->duration
 * is the longest the run may last (s); the SuperSpike learner scores the
 * trials of that span. Runs nothing yet. Returns EVS_OK, EVS_ESTATE when
 * the net has run or started, or an error. */
EVS_API int evs_net_start(evs_net *net, const evs_run_opts *opts,
                          evs_error *err);

/* Runs every event before t (s; from the last phase's end, or 0, up to
 * opts->duration): one phase. A run split into phases writes the same
 * bytes as one evs_net_run, whatever the split. When it returns, every
 * spike with time < t has reached the recorders and the plug-ins
 * listening to its population (their spikes hook), also a spike an exact
 * population finds in its window still open at t, whose flush comes after
 * t (its deliveries are not scheduled any earlier: the run goes on as
 * without the phase); a spike at t or later comes with a later phase or
 * evs_net_finish, as its window's flush brings it in one run. Between
 * phases a program may read the projections' weights and delays
 * (evs_net_get_weights, evs_net_get_delays) and set them
 * (evs_net_set_weight, evs_net_set_weights, evs_net_set_delays), on any
 * number of threads: deliveries before t have been handed over, later
 * ones use the new weights (but a static projection onto IF_curr_exp_grid
 * hands a spike's weights to the neuron's ring buffer when the spike is
 * flushed, as NEST does: spikes flushed before t keep the old weights,
 * doc/design-notes.md "Ring buffers"); and change the populations'
 * parameters and input rates (evs_net_set_param, evs_net_set_param_values)
 * and the recordings (evs_net_record_spikes, evs_net_record). Returns EVS_OK,
 * EVS_ESTOPPED when a rate checker stopped the run (later phases run nothing;
 * finish completes the outputs), EVS_EINVAL for a t outside that range,
 * EVS_ESTATE without a run in progress, or an error that ends the run (its
 * outputs deleted). */
EVS_API int evs_net_run_until(evs_net *net, double t, evs_error *err);

/* Ends the run at the last phase's end (or the rate checker's stop):
 * populations close their last window, summary.tsv and run.log are
 * written as for a run of that length, every output is closed. Returns as
 * evs_net_run does, or EVS_ESTATE without a run in progress. Freeing a
 * net whose run was not finished deletes its outputs. */
EVS_API int evs_net_finish(evs_net *net, evs_error *err);

/* Number of populations. */
EVS_API int evs_net_population_count(const evs_net *net);

/* Facts about population pop (valid until the net is freed). */
EVS_API int evs_net_population_info(const evs_net *net, int pop,
                                    evs_pop_info *info);

/* Sets every synapse of projection proj to weight w (SI, in the dimension
 * the projection's weights were given in), after the build: before a run,
 * or between the phases of one (evs_net_run_until), on any number of
 * threads (the spikes flushed before the phase's end keep the old weight
 * where the post type takes them when flushed: ring buffers, as on one
 * thread). Returns EVS_OK, EVS_EINVAL (bad index, w not finite) or
 * EVS_ESTATE before the build, or after a run on several threads ended
 * (its threads held the synapses). O(synapses). */
EVS_API int evs_net_set_weight(evs_net *net, int proj, double w,
                               evs_error *err);

/* Copies the weight of every synapse of projection proj into w[0..n), in
 * CSR order (evs_net_projection_csr: row = pre neuron; within a row by
 * delay, then target), in SI units of the dimension the projection's
 * weights were given in; n must be the number of synapses. After the
 * build: before a run or between phases, on any number of threads: the
 * threads' parts are read in the net's order, the same array as on one
 * thread. On several ranks each rank reads the synapses it holds (onto
 * its own neurons: evs_net_projection_csr's nnz before the run), in the
 * net's order restricted to them (not a collective call). Returns EVS_OK, EVS_EINVAL (bad index,
 * wrong n), EVS_ENOMEM, or EVS_ESTATE before the build or after a run on
 * several threads ended. O(synapses). */
EVS_API int evs_net_get_weights(const evs_net *net, int proj, double *w,
                                size_t n, evs_error *err);

/* Sets the weight of every synapse of projection proj from w[0..n), in CSR
 * order and SI units as evs_net_get_weights gives them (stored as floats);
 * n must be the number of synapses. After the build: before a run, or
 * between the phases of one (later deliveries use the new weights; as
 * evs_net_set_weight for ring buffers), on any number of threads, with
 * the bytes of one thread (each thread's part written from the net's
 * order); on several ranks each rank sets the synapses it holds, as
 * evs_net_get_weights reads them. A projection whose synapses shared one
 * weight gets one per synapse. Returns EVS_OK, EVS_EINVAL (bad index,
 * wrong n, a weight not finite: nothing changes), EVS_ESTATE (before the
 * build, after a threaded run ended) or EVS_ENOMEM. O(synapses). */
EVS_API int evs_net_set_weights(evs_net *net, int proj, const double *w,
                                size_t n, evs_error *err);

/* Copies the delay of every synapse of projection proj (s, multiples of
 * the resolution) into d[0..n), in CSR order as evs_net_get_weights gives
 * the weights (on any number of threads; a rank's synapses on several);
 * n must be the number of synapses. After the build: before a run or
 * between phases. Returns EVS_OK, EVS_EINVAL (bad index, wrong n),
 * EVS_ENOMEM or EVS_ESTATE (before the build; after a run on several
 * threads ended). O(synapses). */
EVS_API int evs_net_get_delays(const evs_net *net, int proj, double *d,
                               size_t n, evs_error *err);

/* Sets the delay of every synapse of projection proj from d[0..n) (s, in
 * the order evs_net_get_delays gives them), rounded to the resolution; n
 * must be the number of synapses. After the build: before a run, or
 * between the phases of one, on any number of threads (the same bytes as
 * on one: the threads' parts are changed in the net's order and their
 * deliveries in flight kept, doc/design-notes.md) and ranks (a collective
 * call: every rank passes the delays of the synapses it holds, in the
 * order evs_net_get_delays gives them there; the ranks agree on the
 * refusals and on the projection's shortest and longest delay, which the
 * exchange windows follow). As in NEST, a
 * spike scheduled after the change travels with the new delay, and a spike
 * already in flight arrives when it was due (an exact population schedules
 * its spikes when its window closes: a spike of the window open at the
 * change, at most its shortest delay before it, takes the new delay).
 * Each row is sorted again by (delay, target): the CSR order changes
 * (weights move with their synapses; read the order again with
 * evs_net_projection_csr on one thread, evs_net_get_weights and
 * evs_net_get_delays on any number). Refused, nothing changed: a delay
 * below the resolution, or below the window of an exact presynaptic
 * population (its shortest outgoing delay when built), EVS_EINVAL; a
 * learning projection's delays other than one for all its synapses,
 * EVS_EINVAL; on several threads, a delay so long that the run's end plus
 * it cannot be told from the next step, EVS_EINVAL; a refusal on one rank
 * (every rank returns an error, nothing changed); in a run that saves
 * checkpoints periodically, on a projection with short-term plasticity when a delay
 * group would not stay whole, or one whose weights are recorded when its
 * synapses would move, EVS_ESTATE; after the run. A run whose delays
 * changed takes no checkpoint (evs_net_checkpoint refuses, an
 * interruption saves none). Returns EVS_OK, one of those, or EVS_ENOMEM.
 * O(synapses log(row) + pending deliveries). */
EVS_API int evs_net_set_delays(evs_net *net, int proj, const double *d,
                               size_t n, evs_error *err);

/* The projection's synapses (NULL before evs_net_build or for a bad index).
 * A static projection whose synapses all have one weight keeps it once
 * (weight NULL, weight_shared set): read weights with evs_csr_weight().
 * A static projection onto at most 65,536 neurons of a type that takes
 * them (IF_curr_exp, IF_curr_exp_grid, the conductance types) holds its
 * targets in 16 bits (target NULL, target16 set): read targets with
 * evs_csr_target().
 * NULL too from the start of a run on several threads (evs_run_opts
 * threads) for a static projection onto a population split among them:
 * each thread holds the synapses onto its own neurons (doc/scaling.md);
 * evs_net_get_weights, evs_net_set_weights, evs_net_set_weight,
 * evs_net_get_delays and evs_net_set_delays read and set them in the
 * net's order while the run lasts. */
EVS_API const evs_csr *evs_net_projection_csr(const evs_net *net, int proj);

/* Counters of the last run. */
EVS_API void evs_net_stats(const evs_net *net, evs_run_stats *stats);

/* This process's rank among those the net runs on, once it is built; *size
 * (may be NULL) receives their number. One process: 0 and 1. Several
 * when mpirun started the program on several ranks and evsnn was built
 * with MPI (./configure --with-mpi; doc/scaling.md, "Ranks"): each builds
 * the synapses onto its own neurons (evs_net_projection_csr gives this
 * rank's part: every row, only its targets), and rank 0 writes the files. */
EVS_API int evs_net_rank(const evs_net *net, int *size);

#endif
