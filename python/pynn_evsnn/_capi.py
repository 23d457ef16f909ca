# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""libevsnn through cffi in ABI mode: the declarations of the public
headers (include/evsnn/*.h) that pynn_evsnn uses, the library opened with
dlopen, and `check`, which turns a status code into a Python exception.

The library is the build tree's (.libs/libevsnn.so) when the package is
imported from the source or build tree, the installed one ($(libdir)) when
installed: both paths come from _config.py, which `make` writes. The
environment variable EVSNN_LIBRARY, when set, names the library instead."""

import os

import cffi

ffi = cffi.FFI()
ffi.cdef("""
typedef struct evs_net evs_net;
typedef struct evs_run evs_run;
typedef struct evs_plugin evs_plugin;

typedef struct evs_error {
  int code; int line; char file[256]; char msg[768];
  int about; int index; char key[32];
} evs_error;

typedef enum evs_dim {
  EVS_DIM_NONE = 0, EVS_DIM_TIME, EVS_DIM_VOLTAGE, EVS_DIM_CURRENT,
  EVS_DIM_CONDUCTANCE, EVS_DIM_CAPACITANCE, EVS_DIM_RATE,
  EVS_DIM_VOLTAGE_RATE, EVS_DIM_COUNT_
} evs_dim;

typedef enum evs_dist_kind {
  EVS_DIST_CONST = 0, EVS_DIST_UNIFORM, EVS_DIST_NORMAL,
  EVS_DIST_NORMAL_CLIPPED, EVS_DIST_LOGNORMAL
} evs_dist_kind;
typedef struct evs_dist { evs_dist_kind kind; double p[4]; } evs_dist;

typedef enum evs_conn_kind {
  EVS_CONN_ALL_TO_ALL = 0, EVS_CONN_ONE_TO_ONE, EVS_CONN_FIXED_PROBABILITY,
  EVS_CONN_FIXED_INDEGREE, EVS_CONN_FIXED_OUTDEGREE, EVS_CONN_FIXED_TOTAL,
  EVS_CONN_FILE
} evs_conn_kind;

typedef struct evs_conn_spec {
  evs_conn_kind kind; double p; uint64_t n; int autapses; int multapses;
  const char *path; evs_dist weight; evs_dist delay; double delay_step;
  uint64_t seed; uint32_t stream; int same_population;
} evs_conn_spec;

typedef struct evs_csr {
  uint32_t n_pre, n_post; uint64_t nnz; uint64_t *row_ptr; uint32_t *target;
  float *weight; float weight_shared; double delay_step; uint32_t const_delay;
  uint64_t *grp_ptr; uint32_t *grp_delay; uint32_t *grp_end;
  uint32_t min_delay, max_delay;
  uint64_t *post_ptr; uint32_t *post_pos; uint32_t *post_pre;
  uint16_t *target16;
} evs_csr;

typedef struct evs_run_opts {
  double duration; const char *outdir; const char *model_name; int progress;
  double progress_interval;
  const void *interrupt;  /* const volatile sig_atomic_t *: NULL here */
  int threads;            /* 0 or 1: one thread; setup(threads=N) */
} evs_run_opts;

typedef struct evs_event {
  double t; uint64_t seq; uint32_t kind; uint32_t source; uint32_t owner;
  uint32_t arg;
} evs_event;

typedef struct evs_spike { double t; uint32_t id; } evs_spike;

typedef struct evs_param_def {
  const char *name; evs_dim dim; double def; int flags; const char *doc;
} evs_param_def;

typedef enum evs_pop_kind {
  EVS_POP_EXACT = 0, EVS_POP_CLOCKED = 1, EVS_POP_SOURCE = 2
} evs_pop_kind;

typedef struct evs_plugin_type {
  const char *name;
  int (*build)(evs_plugin *pl, evs_net *net, evs_error *err);
  int (*start)(evs_plugin *pl, evs_run *run, evs_error *err);
  int (*clock)(evs_plugin *pl, evs_run *run, const evs_event *ev);
  int (*spikes)(evs_plugin *pl, evs_run *run, uint32_t pop,
                const evs_spike *spk, size_t n);
  int (*finish)(evs_plugin *pl, evs_run *run, double t_end);
  void (*destroy)(evs_plugin *pl);
  const char *summary_columns;
  void (*summary)(evs_plugin *pl, evs_run *run, uint32_t pop, char *cells,
                  size_t size);
  int (*checkpoint)(evs_plugin *pl, evs_run *run, struct evs_ckpt *ck);
} evs_plugin_type;

typedef struct evs_current_spec {
  int kind; double start, stop; double amplitude; double offset;
  double frequency; double phase; double mean, stdev; double dt;
  const double *times; const double *amplitudes; size_t n_steps;
} evs_current_spec;

typedef enum evs_feedback {
  EVS_FEEDBACK_SYMMETRIC = 0, EVS_FEEDBACK_RANDOM = 1, EVS_FEEDBACK_UNIFORM = 2
} evs_feedback;

typedef struct evs_superspike_spec {
  int output; const char *target; double target_period; double trial;
  double dt; double update; double r0; double r0_decay_time; double r0_decay;
  double r0_decay_period; double burn_in; double tau_rms; double eps;
  double tau_rise; double tau_decay; double psp_rise; double psp_decay;
  double beta; double u_floor; evs_feedback feedback; double rho;
  double tau_z; double tolerance; int class_accuracy; int per_tick;
  const uint64_t *record_trials; size_t n_record_trials;
} evs_superspike_spec;

typedef struct evs_superspike_trial {
  uint64_t trial; double loss; uint64_t spikes; double accuracy;
  double t_end; double r0;
} evs_superspike_trial;

typedef enum evs_spike_format {
  EVS_SPIKES_RAS = 0, EVS_SPIKES_BIN = 1, EVS_SPIKES_SONATA = 2
} evs_spike_format;
typedef enum evs_receptor {
  EVS_RECEPTOR_EXC = 0, EVS_RECEPTOR_INH = 1
} evs_receptor;

/* evsnn/model_desc.h: a model's description */
typedef struct evs_origin { const char *file; int line; const char *set; }
  evs_origin;
typedef struct evs_key_origin { const char *key; evs_origin at; }
  evs_key_origin;
typedef struct evs_desc_origin {
  evs_origin at; const evs_key_origin *keys; size_t n_keys;
} evs_desc_origin;
typedef struct evs_sim_desc {
  double duration; double resolution; uint64_t seed; int threads;
  evs_spike_format spike_format; double checkpoint_every;
  evs_desc_origin origin;
} evs_sim_desc;
typedef struct evs_param_desc {
  const char *name; evs_dist value; const char *path; const double *values;
  size_t n_values;
} evs_param_desc;
typedef struct evs_record_desc {
  const char *var; const uint32_t *ids; size_t n; double interval;
  const char *key;
} evs_record_desc;
typedef struct evs_pop_desc {
  const char *name; const char *type; uint32_t size;
  const evs_param_desc *params; size_t n_params; int has_dc; double dc;
  int spikes_set; int record_spikes; const evs_record_desc *records;
  size_t n_records; int check_rate; double rate_min, rate_max, rate_tau;
  evs_desc_origin origin;
} evs_pop_desc;
typedef struct evs_rule_param_desc { const char *name; double value; }
  evs_rule_param_desc;
typedef struct evs_proj_desc {
  const char *name; const char *pre, *post; evs_receptor receptor;
  evs_conn_spec spec; evs_dim weight_dim; int has_dc; double dc;
  const char *rule; const evs_rule_param_desc *rule_params;
  size_t n_rule_params; int has_stp; double stp_U, stp_tau_d, stp_tau_f;
  double record_weights; double record_synapses; const double *matrix_times;
  size_t n_matrix_times; evs_desc_origin origin;
} evs_proj_desc;
typedef struct evs_input_desc {
  const char *name; const char *post; int source; double amplitude;
  evs_dim dim; evs_current_spec current; const uint32_t *ids; size_t n_ids;
  evs_desc_origin origin;
} evs_input_desc;
typedef struct evs_superspike_desc {
  evs_superspike_spec spec; const char *output; evs_desc_origin origin;
} evs_superspike_desc;
typedef struct evs_model_desc {
  const char *name; const char *file; evs_sim_desc sim;
  const evs_pop_desc *pops; size_t n_pops; const evs_proj_desc *projs;
  size_t n_projs; const evs_input_desc *inputs; size_t n_inputs;
  const evs_superspike_desc *superspike;
} evs_model_desc;

/* evsnn/model.h: a description built */
typedef struct evs_model_opts {
  const char *const *overrides; size_t n_overrides; int seed_set;
  uint64_t seed; int force;
} evs_model_opts;
typedef struct evs_model {
  evs_net *net; evs_run_opts run; uint64_t seed; char name[256];
  double checkpoint_every;
} evs_model;
void evs_model_desc_defaults(evs_model_desc *d);
int evs_model_build(const evs_model_desc *d, const evs_model_opts *mo,
                    evs_model **out, evs_error *err);
void evs_model_free(evs_model *m);

const char *evs_version(void);
void evs_superspike_defaults(evs_superspike_spec *s);
int evs_net_superspike_trials(const evs_net *net,
                              const evs_superspike_trial **rows, size_t *n);
int evs_rule_params(const char *rule, const evs_param_def **defs, size_t *n);
int evs_neuron_type_params(const char *type, const evs_param_def **defs,
                           size_t *n, evs_pop_kind *kind);
const char *evs_strerror(int code);
int evs_net_current_value(const evs_net *net, int src, size_t i,
                          double *amps);
int evs_net_start(evs_net *net, const evs_run_opts *opts, evs_error *err);
int evs_net_run_until(evs_net *net, double t, evs_error *err);
int evs_net_finish(evs_net *net, evs_error *err);
int evs_net_get_weights(const evs_net *net, int proj, double *w, size_t n,
                        evs_error *err);
int evs_net_set_weights(evs_net *net, int proj, const double *w, size_t n,
                        evs_error *err);
int evs_net_set_param(evs_net *net, int pop, const char *name,
                      const evs_dist *value, evs_error *err);
int evs_net_set_param_values(evs_net *net, int pop, const char *name,
                             const double *values, size_t n, evs_error *err);
int evs_net_get_delays(const evs_net *net, int proj, double *d, size_t n,
                       evs_error *err);
int evs_net_set_delays(evs_net *net, int proj, const double *d, size_t n,
                       evs_error *err);
const evs_csr *evs_net_projection_csr(const evs_net *net, int proj);
int evs_net_add_plugin(evs_net *net, const evs_plugin_type *type,
                       void *state, evs_error *err);
int evs_run_push(evs_run *run, const evs_plugin *pl, double t, uint32_t kind,
                 uint32_t source, uint32_t arg);
int evs_run_listen(evs_run *run, const evs_plugin *pl, uint32_t pop);
int evs_plugin_voltages(const evs_plugin *pl, uint32_t pop,
                        const uint32_t *ids, size_t n, double t, double *v);
int evs_plugin_sample(const evs_plugin *pl, uint32_t pop, const char *var,
                      const uint32_t *ids, size_t n, double t, double *out);
""")

EV_RECORD = 4     # evsnn/event.h: EVS_EV_RECORD
EVS_ESTATE = -8   # evsnn/error.h: operation not valid in this state
PARAM_PER_NEURON, PARAM_REQUIRED, PARAM_WEIGHT = 1, 4, 8  # evsnn/neuron.h: evs_param_flag
RECEPTOR = {"excitatory": 0, "inhibitory": 1}  # evsnn/net.h: evs_receptor


def _library_path():
    """The libevsnn to open: $EVSNN_LIBRARY, else the build tree's when this
    package runs from the source or build tree, else the installed one."""
    if os.environ.get("EVSNN_LIBRARY"):
        return os.environ["EVSNN_LIBRARY"]
    from . import _config
    here = os.path.dirname(os.path.abspath(_config.__file__))
    if here == os.path.abspath(_config.BUILD_PACKAGE_DIR):
        return _config.BUILD_LIBRARY
    return _config.INSTALLED_LIBRARY


lib = ffi.dlopen(_library_path())


class EvsnnError(RuntimeError):
    """An error reported by libevsnn: its status code and message, and, for
    an error in the network a script described, the PyNN object at fault
    (obj: a Population, Projection, current source or SuperSpikeLearner)
    and its parameter (key, PyNN's name), else None."""

    def __init__(self, code, message, obj=None, key=None):
        RuntimeError.__init__(self, message)
        self.code = code
        self.obj = obj
        self.key = key


def new_error():
    """A zeroed evs_error record for one call."""
    return ffi.new("evs_error *")


def check(rc, err=None, what=""):
    """Returns rc when it is >= 0; raises EvsnnError with the library's
    message (or its description of rc) otherwise."""
    if rc >= 0:
        return rc
    msg = ffi.string(err.msg).decode() if err is not None else ""
    if not msg:
        msg = ffi.string(lib.evs_strerror(rc)).decode()
    raise EvsnnError(rc, "evsnn: %s%s" % (what + ": " if what else "", msg))


def per_neuron_params(type_name):
    """The names of evsnn type type_name's parameters that may differ
    between its neurons (EVS_PARAM_PER_NEURON: a distribution, or values
    set per neuron with evs_net_set_param_values)."""
    if type_name not in _PER_NEURON:
        defs, n = ffi.new("evs_param_def **"), ffi.new("size_t *")
        kind = ffi.new("evs_pop_kind *")
        out = set()
        if lib.evs_neuron_type_params(type_name.encode(), defs, n, kind) == 0:
            out = {ffi.string(defs[0][k].name).decode() for k in range(n[0])
                   if defs[0][k].flags & PARAM_PER_NEURON}
        _PER_NEURON[type_name] = frozenset(out)
    return _PER_NEURON[type_name]


_PER_NEURON = {}
