/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the structures shared by the scheduler (net.c), the
 * neuron and source types, and the output module. Not installed.
 *
 * Flow of a spike: a type finds a spike and calls evs__pop_emit(); after the
 * type's periodic handler returns, the scheduler (core/run.c) flushes the
 * population's spike buffer (sorted by time, then id): it counts the spikes,
 * hands them to the plug-ins listening to the population (core/plugin.h)
 * and pushes one EVS_EV_DELIVER event per outgoing projection and delay
 * group. When that event pops, the scheduler calls the post type's deliver()
 * with the group's targets and weights (through the projection's delivery
 * filter, if any). */
#ifndef EVSNN_ENGINE_H
#define EVSNN_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "evsnn/export.h"
#include "evsnn/net.h"
#include "evsnn/neuron.h"
#include "evsnn/plugin.h"
#include "evsnn/units.h"

typedef struct evs_pop evs_pop;
typedef struct evs_output evs_output;

/* A neuron or source type: a const descriptor table (see neuron.h). */
typedef struct evs_neuron_type {
  const char *name;            /* "IF_curr_exp" */
  evs_pop_kind kind;           /* exact, clocked or source */
  const evs_param_def *params; /* parameter table */
  size_t n_params;
  /* Factor that converts a weight of dimension dim into the type's internal
   * synaptic unit, given the population's parameters; 0 when the type does
   * not accept weights of that dimension (sources accept none). */
  double (*weight_scale)(const evs_pop *pop, evs_dim dim);
  /* Checks parameters, derives constants, allocates state and draws the
   * initial state (streams (seed, pop->index, neuron, EVS_RNG_INIT)).
   * pop->tick is set by the scheduler before the call. EVS_OK or an error. */
  int (*init)(evs_pop *pop, evs_error *err);
  /* Frees what init allocated (also after a failed init). */
  void (*destroy)(evs_pop *pop);
  /* Inputs arriving at time t through receptor (evs_receptor) on targets
   * target[0..n) with weights weight[0..n) in internal units, or, when weight
   * is NULL, the weight shared for every synapse. Not called for sources.
   * Hot path: no allocation, no exp() per synapse. */
  void (*deliver)(evs_pop *pop, double t, int receptor, const uint32_t *target,
                  const float *weight, float shared, size_t n);
  /* The population's periodic event at time t, every pop->tick seconds from
   * pop->tick on (and once at the run's end with t = duration for exact
   * types, whose last window may be partial):
   *   exact:   find every spike before t (the window [t - tick, t) closes);
   *   clocked: advance the state from t - tick to t, spikes at t;
   *   source:  emit the spikes of [t, t + tick) (first call at t = 0), so
   *            that deliveries with any delay >= 0 lie in the future.
   * Spikes go through evs__pop_emit. Returns EVS_OK or an error. */
  int (*tick)(evs_pop *pop, double t);
  /* Membrane potential of neuron id at time t (>= every input delivered so
   * far); exact types may advance lazily and emit spikes found before t.
   * NULL for sources. */
  double (*voltage)(evs_pop *pop, uint32_t id, double t);
  /* Optional: the membrane potential of every neuron at time t into
   * v[0..size), exactly as voltage() would give them one after another
   * (neuron 0 first), but sharing what neurons share (decay factors). NULL:
   * callers use voltage(). */
  void (*voltages)(evs_pop *pop, double t, double *v);
  /* Factor that converts a constant input (DC) of dimension dim into the
   * internal units of pop->dc; 0 when not accepted. NULL for sources. */
  double (*dc_scale)(const evs_pop *pop, evs_dim dim);
  /* 1 when the type never spikes (rate populations): nothing records its
   * spikes. */
  int silent;
  /* 1 when a population of the type may be split into slices that run on
   * different threads (core/threads.c): init, tick, deliver and voltage
   * touch only the slice's neurons, key every per-neuron stream and value
   * by pop->first + local index, and share nothing between neurons but
   * quantities that depend on time alone. 0: the population runs whole on
   * one thread. */
  int sliceable;
  /* Synapses deliver() takes at a time when that matters for the result
   * (IF_curr_exp certifies the targets of each batch), 0 when it does not.
   * A threaded run splits every delivery among slices, which would batch a
   * row with a repeated target differently: a population receiving such a
   * row longer than this runs whole on one thread. */
  uint32_t deliver_batch;
  /* Optional: adds delta, in the internal units of pop->dc (dc_scale of
   * EVS_DIM_CURRENT), to neuron id's injected current from time t on; t is
   * not before any input delivered so far or any earlier change (the
   * current sources, plugins/current.c). Exact types find the spikes before
   * t with the old current, keep v continuous and certify anew, so a step
   * change is exact; for clocked types t is a tick time (the caller rounds
   * up to one) and the new current drives the steps after t. NULL: the type
   * takes no current (sources, rate types). */
  void (*inject)(evs_pop *pop, uint32_t id, double t, double delta);
  /* The variables besides v that probes can record (evs_net_record), and
   * their value: var indexes recordables[0..n_recordables); the value is in
   * SI units of recordables[var].unit, of neuron id at time t (>= every input
   * delivered so far): exact types evaluate it at t in closed form (and may
   * advance lazily, as voltage), clocked types give it at the state time
   * (the last tick). NULL / 0: only v. */
  const struct evs_recordable *recordables;
  size_t n_recordables;
  double (*state)(evs_pop *pop, uint32_t id, double t, int var);
} evs_neuron_type;

/* A variable a type can record: its name in record = ... and its SI unit
 * (the column header of <var>_<pop>.tsv says neither; doc/model-format.md
 * lists them). */
typedef struct evs_recordable {
  const char *name; /* "gsyn_exc" */
  const char *unit; /* "S" */
} evs_recordable;

/* A population. */
struct evs_pop {
  char name[64];
  uint32_t index; /* position in net->pop */
  uint32_t size;  /* neurons */
  uint32_t gid0;  /* global id of neuron 0 */
  uint32_t first; /* population index of neuron 0 of this
                     object: 0, or the slice's offset when
                     the object is one thread's slice of a
                     population (core/threads.c); size is
                     then the slice's */
  const evs_neuron_type *type;
  double *par;       /* [n_params] constant values, SI */
  evs_dist *dist;    /* [n_params] per-neuron values (PER_NEURON params) */
  char **path;       /* [n_params] PATH params, NULL if unset */
  double *dc;        /* [size] constant input in internal units
                        (IF_curr_exp: volts R*I; IF_cond_exp:
                        amperes), set by the net before init;
                        NULL when the population has none */
  void *state;       /* owned by the type */
  evs_net *net;      /* the owning net */
  uint64_t seed;     /* the run's seed */
  double tick;       /* s, interval of the periodic event; 0: none */
  double resolution; /* s, the net's resolution */
  uint32_t *out;     /* outgoing projection indices */
  uint32_t n_out;
  evs_spike *spk; /* spikes emitted since the last flush */
  size_t nspk, capspk;
  uint64_t nspikes;           /* spikes emitted in the run */
  struct evs_plastic **learn; /* rules of the projections onto this
                                 population: told of every spike */
  uint32_t n_learn;
  uint64_t crossings; /* statistics: exact crossing searches */
  int failed;         /* EVS_ENOMEM once a spike could not be
                         stored; the scheduler stops the run */
};

/* A projection: synapses from pre to post through one receptor. */
typedef struct evs_proj {
  char name[64];
  uint32_t index; /* position in net->proj */
  evs_pop *pre, *post;
  int receptor;       /* evs_receptor */
  evs_conn_spec spec; /* as given; weights in weight_dim units */
  char *path;         /* owned copy of spec.path */
  evs_dim weight_dim; /* dimension of the spec's weights */
  evs_csr *csr;       /* built synapses (weights in post's internal units) */
  struct evs_plastic *rule;  /* its learning rule, or NULL (static) */
  double weight_scale;       /* internal units per SI unit of weight_dim */
  struct evs_filter *filter; /* its delivery filter (core/plugin.h), or
                              NULL; owned */
} evs_proj;

/* A requested constant input: amplitude of dimension dim on every neuron. */
typedef struct evs_dc_req {
  uint32_t pop;
  double amplitude;
  evs_dim dim;
} evs_dc_req;

struct evs_net {
  uint64_t seed;     /* keys every random stream */
  double resolution; /* s: delay grid, clock step */
  evs_pop **pop;     /* populations, in creation order */
  uint32_t npop, cappop;
  evs_proj **proj; /* projections, in creation order */
  uint32_t nproj, capproj;
  evs_dc_req *dc; /* DC requests, applied at build */
  uint32_t ndc, capdc;
  uint32_t next_gid;        /* global id of the next population's neuron 0 */
  int built;                /* evs_net_build succeeded */
  int build_failed;         /* evs_net_build failed: the net cannot be built */
  int ran;                  /* the run started (evs_net_start) */
  double progress_interval; /* s of wall time between run.log's progress
                               lines, for this run (evs_run_opts) */
  struct evs_run *run;      /* the run between evs_net_start and
                               evs_net_finish, else NULL; owned */
  evs_run_stats stats;      /* counters of the last run */
  struct evs_plugin **plugin; /* plug-ins (core/plugin.h), in the order
                                their hooks run; owned */
  uint32_t nplugin, capplugin;
};

/* Seconds on a monotonic clock (core/run.c). */
double evs__wall_clock(void);

/* The run of a built net, in phases (core/run.c). evs__run_begin opens the
 * outputs, starts the plug-ins and sets net->run; extra (may be NULL;
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

/* EVS_OK if the described net can run on n >= 2 threads, else EVS_EINVAL
 * with the reason in err: learning rules and delivery filters do not run
 * threaded yet (core/threads.c). */
int evs__threads_check(const evs_net *net, uint32_t n, evs_error *err);

/* The synapse matrices of projection p, split among the threads of run
 * (p->csr is NULL once split; core/threads.c); *n receives their count. A
 * finished run has none: *n = 0. */
evs_csr *const *evs__run_proj_csrs(struct evs_run *run, const evs_proj *p,
                                   uint32_t *n);

/* Writes a printf-formatted message into why[0..whylen), truncated and
 * NUL-terminated; does nothing when why is NULL or whylen is 0. The "why"
 * convention of evs_unit_parse and evs_dist_parse (units.c). */
void evs__unit_say(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Index of parameter name in type's table, or -1. */
int evs__param_index(const evs_neuron_type *type, const char *name);

/* The bounds of the values the library takes, through the C API as from a
 * model file (issue 15): a magnitude above EVS__MAX_MAGNITUDE in SI units
 * (far beyond any physical value; weights stay finite as floats in any
 * internal unit), and a time step or recording interval below
 * EVS__MIN_STEP (NEST's tic: smaller ones make a run endless). */
#define EVS__MAX_MAGNITUDE 1e15
#define EVS__MIN_STEP 1e-6

/* 1 when v is finite and |v| <= EVS__MAX_MAGNITUDE, else 0. */
static inline int evs__value_ok(double v) {
  return v >= -EVS__MAX_MAGNITUDE && v <= EVS__MAX_MAGNITUDE;
}

/* 1 when every parameter of d is within evs__value_ok (a clipped normal's
 * bounds may also be infinite), else 0. */
int evs__dist_ok(const evs_dist *d);

/* The value of a constant parameter by name (it must exist: asserted). */
double evs__pop_param(const evs_pop *pop, const char *name);

/* Appends spike (t, id) to the growable array *spk of *n spikes and room
 * for *cap (doubled when full; *spk may start NULL). Returns EVS_OK or
 * EVS_ENOMEM (the array unchanged). (net.c) */
int evs__spike_append(evs_spike **spk, size_t *n, size_t *cap, double t,
                      uint32_t id);

/* Records a spike of neuron id (local to pop: the spike's id is pop->first
 * + id) at time t. Spikes may be emitted out of time order within one
 * periodic event; the flush sorts them. Returns EVS_OK or EVS_ENOMEM. */
int evs__pop_emit(evs_pop *pop, double t, uint32_t id);

/* Reads a .ras spike file (source.c): 'time id' per line, time in s
 * (>= 0, before period when period > 0), id < size, '#' comments; owner
 * names the file's user in messages ("population P"). On EVS_OK *out holds
 * the *n spikes sorted by (time, id) (malloc'd, NULL when empty); else an
 * error with path:line in err. */
int evs__ras_read(const char *path, uint32_t size, double period,
                  const char *owner, evs_spike **out, size_t *n,
                  evs_error *err);

/* The registry of types. */
const evs_neuron_type *evs__neuron_type_find(const char *name);

/* The types, defined in their own modules. */
extern const evs_neuron_type evs__if_curr_exp;            /* lif.c */
extern const evs_neuron_type evs__if_curr_exp_grid;       /* lif_grid.c */
extern const evs_neuron_type evs__if_cond_exp;            /* cond.c */
extern const evs_neuron_type evs__if_cond_exp_gsfa_grr;   /* cond_sfa.c */
extern const evs_neuron_type evs__eif_cond_exp_isfa_ista; /* adex.c */
extern const evs_neuron_type evs__izhikevich;             /* izhikevich.c */
extern const evs_neuron_type evs__source_poisson;         /* source.c */
extern const evs_neuron_type evs__source_frozen;          /* source.c */
extern const evs_neuron_type evs__source_array;           /* source.c */

/* ---- output (output.c) ------------------------------------------------ */

/* Creates the part file part for writing: exclusively, never through a
 * symbolic link, replacing a stale one once (output.c). Returns the stream
 * or NULL with errno set. A test hook: tests point it elsewhere (/dev/full)
 * to inject write failures. */
extern FILE *(*evs__output_create_part)(const char *part);

/* Opens the output folder dir (created with parents if missing). Every file
 * is written as NAME.part and renamed to NAME by evs__output_close, so a run
 * that dies leaves no file that looks complete. run.log starts with the
 * model name, seed and start date. Returns EVS_OK or EVS_EIO naming the path.
 */
int evs__output_open(evs_output **out, const char *dir, const char *model_name,
                     uint64_t seed, evs_error *err);

/* Starts <pop>.ras with a header comment (model, population, size, units:
 * "# time [s] id"). Returns a handle >= 0 or a negative status. */
int evs__output_raster_open(evs_output *o, const char *pop, uint32_t size,
                            evs_error *err);

/* Appends spikes ("%.9f %u\n": time in s with ns resolution, local id). */
void evs__output_raster_write(evs_output *o, int handle, const evs_spike *spk,
                              size_t n);

/* Starts <pop>.spk, evsnn's binary spike file (evsnn/spikes.h): its
 * header (model, population, size). Returns a handle >= 0 or a negative
 * status. */
int evs__output_spike_file_open(evs_output *o, const char *pop, uint32_t size,
                                evs_error *err);

/* Appends spikes as binary records (float64 time in s, uint32 local id). */
void evs__output_spike_file_write(evs_output *o, int handle,
                                  const evs_spike *spk, size_t n);

/* A file that another library writes (spikes.h5, through libhdf5): close
 * finishes it (abort 0: flush and close, returning 0 or an errno value that
 * makes evs__output_close fail naming the file) or discards it (abort 1:
 * release what it holds, the part file is deleted next). Called exactly
 * once per file, also when the run fails; it may free ctx. */
typedef struct evs_output_closer {
  int (*close)(void *ctx, int abort);
  void *ctx;
} evs_output_closer;

/* Registers NAME as an output written by someone else: listed in run.log,
 * a stale NAME.part removed, and *part (owned by o, valid until o closes)
 * is the path the writer must create exclusively. closer (not copied; must
 * outlive the output's close) is called by evs__output_close before NAME.part
 * is renamed to NAME, or by evs__output_abort before it is deleted. Returns
 * a handle >= 0 or a negative status (closer not called). */
int evs__output_external_open(evs_output *o, const char *name,
                              const evs_output_closer *closer,
                              const char **part, evs_error *err);

/* Starts <var>_<pop>.tsv (v_E.tsv): header "time" then "<var><id>" per
 * probed neuron (v3: the variable's SI unit). Returns a handle >= 0 or a
 * negative status. */
int evs__output_probe_open(evs_output *o, const char *var, const char *pop,
                           const uint32_t *ids, size_t n, evs_error *err);

/* Starts a tab-separated table NAME (e.g. "EE.weights.tsv") whose first line
 * is header (without the newline). Returns a handle >= 0 for
 * evs__output_probe_row, or a negative status. */
int evs__output_table_open(evs_output *o, const char *name, const char *header,
                           evs_error *err);

/* Writes NAME (e.g. "EE_500ms.mtx") in Matrix Market coordinate format:
 * a comment line, "n_pre n_post nnz", then "pre+1 post+1 weight" per synapse
 * in CSR order, weights divided by scale (internal units per SI unit).
 * Returns a handle >= 0 or a negative status. */
int evs__output_matrix(evs_output *o, const char *name, const char *comment,
                       const evs_csr *m, double scale, evs_error *err);

/* Appends one row to a probe or table file: time, then n values. */
void evs__output_probe_row(evs_output *o, int handle, double t, const double *v,
                           size_t n);

/* Appends printf-formatted text to a table opened by evs__output_table_open
 * (the caller writes whole rows, newline included). */
void evs__output_table_printf(evs_output *o, int handle, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a line to run.log (a newline is added). */
void evs__output_log(evs_output *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Writes summary.tsv: header "population\tneurons\tspikes\trate_hz" and one
 * row per population (rate = spikes / neurons / duration). */
void evs__output_summary(evs_output *o, const evs_pop_info *info, size_t n,
                         double duration);

/* The same with more columns after rate_hz: header (tab-separated names)
 * and cells[i], the tab-separated values of row i (both NULL: none). */
void evs__output_summary_cols(evs_output *o, const evs_pop_info *info, size_t n,
                              double duration, const char *header,
                              const char *const *cells);

/* Ends the run's output: last line of run.log is "completed at t = T s" when
 * reason is NULL, else "stopped at t = T s: <reason>"; flushes, checks every
 * write (a full disk is an error), renames NAME.part to NAME, frees o.
 * Returns EVS_OK or EVS_EIO naming the file that failed. */
int evs__output_close(evs_output *o, double t, const char *reason,
                      evs_error *err);

/* Discards the output: closes and deletes every file written, frees o. */
void evs__output_abort(evs_output *o);

/* Progress on stderr (simulated time, real-time factor, ETA), at most a few
 * times a second; the scheduler calls it often and cheaply. */
void evs__progress(double t, double t_end);

/* Ends the progress line. */
void evs__progress_done(void);

/* For a batch run: once every interval s of wall time (from the output's
 * opening), the line "progress: t = T s of D s, W s of wall time" in
 * run.log, on disk at once. o may be NULL (nothing written). */
void evs__output_progress(evs_output *o, double t, double t_end,
                          double interval);

#endif
