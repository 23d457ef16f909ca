/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — private: the net, its populations and projections, shared by the
 * scheduler (net.c, run.c), the neuron and source types, the plug-ins and
 * the model reader. Not installed.
 *
 * Flow of a spike: a type finds a spike and calls evs__pop_emit(); after the
 * type's periodic handler returns, the scheduler (core/run.c) flushes the
 * population's spike buffer (sorted by time, then id): it counts the spikes,
 * hands them to the plug-ins listening to the population (core/plugin.h)
 * and pushes one EVS_EV_DELIVER event per outgoing projection and delay
 * group (a projection delivered ahead onto a clocked type hands the spike's
 * synapses to the post type's deliver_ahead instead: core/run_ahead.c).
 * When that event pops, the scheduler calls the post type's deliver()
 * with the group's targets and weights (through the projection's delivery
 * filter, if any). */
#ifndef EVSNN_CORE_NET_IMPL_H
#define EVSNN_CORE_NET_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/neuron_type.h"
#include "evsnn/csr.h"
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "evsnn/net.h"
#include "evsnn/plugin.h"
#include "evsnn/rng.h"
#include "evsnn/units.h"

/* The decay factors a neuron type's deliver last computed (evs_pop.memo),
 * for rates that are integer multiples 1, 2, 4 or 8 of a base rate: x =
 * exp(-base h) and its squares x^2, x^4, x^8, for the key (base, h). A
 * pure function of its key, so whoever finds the key equal may take the
 * powers: populations of equal rates and reference time share them
 * (IF_curr_exp's E and I populations receive a spike at one time). Never
 * shared between threads. */
typedef struct evs_decay_memo {
  double base, h; /* the key (1/s, s); h NaN: none yet */
  double p[4];    /* x, x^2, x^4, x^8 */
} evs_decay_memo;

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
  double **values;   /* [n_params] one value per neuron of a PER_NEURON
                        param (evs_net_set_param_values), [the whole
                        population's size] indexed by first + local
                        index, or NULL: dist gives them (evs__pop_value) */
  char **path;       /* [n_params] PATH params, NULL if unset */
  double *dc;        /* [size] constant input in internal units
                        (IF_curr_exp: volts R*I; IF_cond_exp:
                        amperes), set by the net before init;
                        NULL when the population has none. The
                        net's object holds the neurons of this
                        rank only: [rank_hi - rank_lo], from
                        rank_lo (NULL when it holds none) */
  void *state;       /* owned by the type */
  evs_net *net;      /* the owning net */
  uint64_t seed;     /* the run's seed */
  double tick;       /* s, interval of the periodic event; 0: none */
  double resolution; /* s, the net's resolution */
  uint32_t *out;     /* outgoing projection indices */
  uint32_t n_out;
  evs_spike *spk; /* spikes emitted since the last flush */
  size_t nspk, capspk;
  uint64_t nspikes;        /* spikes emitted in the run */
  struct evs_rule **learn; /* rules of the projections onto this
                                 population (a slice's: its threads'
                                 instances, owned by core/threads.c):
                                 told of every spike and periodic event */
  uint32_t n_learn;
  uint64_t crossings; /* statistics: exact crossing searches */
  /* the neurons [rank_lo, rank_hi) this process holds: all of them in one
   * process, a block or all or none on one of several ranks (core/ranks.c) */
  uint32_t rank_lo, rank_hi;
  double ahead[2]; /* s: how far past its state time inputs through
                      each receptor may arrive ahead of time
                      (deliver_ahead; core/run_ahead.c), 0: none */
  int failed;      /* EVS_ENOMEM once a spike could not be
                      stored, EVS_EINVAL once an input ahead fell
                      outside the reserved span; the scheduler
                      stops the run */
  evs_decay_memo *memo; /* deliver's decay factors, shared by the
                           objects one thread delivers to: the net's, in
                           a threaded run the thread's (its slices and
                           whole populations: core/threads_setup.c) */
};

/* A projection: synapses from pre to post through one receptor. */
typedef struct evs_proj {
  char name[64];
  uint32_t index; /* position in net->proj */
  evs_pop *pre, *post;
  int receptor;          /* evs_receptor */
  evs_conn_spec spec;    /* as given; weights in weight_dim units */
  char *path;            /* owned copy of spec.path */
  evs_dim weight_dim;    /* dimension of the spec's weights */
  evs_csr *csr;          /* built synapses (weights in post's internal units) */
  struct evs_rule *rule; /* its learning rule, or NULL (static) */
  double weight_scale;   /* internal units per SI unit of weight_dim */
  struct evs_filter *filter; /* its delivery filter (core/plugin.h), or
                              NULL; owned */
  int whole_post; /* 1: a threaded run keeps the post population whole on
                     one thread and this CSR in the net (set at the build
                     by what reads the synapses in the net's order, such
                     as weight recordings; core/threads.c) */
  int ahead;      /* 1: its spikes are handed to the post type's deliver_ahead
                     when they are flushed, not as queue events at their arrival
                     (core/run_ahead.c) */
  /* synapses of the projection on every rank (csr->nnz in one process;
   * core/ranks.c) */
  uint64_t synapses;
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
  char *ckpt_path;   /* where checkpoints go (evs_net_set_checkpoint),
                        or NULL: none */
  double ckpt_every; /* s of wall time between checkpoints; 0: none */
  void *ckpt_meta;   /* the caller's bytes for the checkpoint's header */
  size_t ckpt_meta_len;
  struct evs_comm *comm; /* the ranks this net runs on (core/ranks.c), or
                            NULL: one process */
  int rank, nranks;      /* this process's rank, and their number (0, 1
                            in one process) */
  evs_decay_memo memo; /* its populations' memo (evs_pop.memo) outside a
                          threaded run */
};

/* EVS_OK while net may still change its description (populations,
 * projections, rules, inputs), else EVS_ESTATE with a message in err: once
 * it is built. (net.c) */
int evs__net_mutable(const evs_net *net, evs_error *err);

/* The population at index i of net, or NULL with a message in err. (net.c) */
evs_pop *evs__net_pop(const evs_net *net, int i, evs_error *err);

/* The projection at index i of net, or NULL with a message in err.
 * (net.c) */
evs_proj *evs__net_proj(const evs_net *net, int i, evs_error *err);

/* The built projection proj of net into *out: EVS_OK, else EVS_EINVAL (no
 * such projection) or EVS_ESTATE (not built yet) with a message in err.
 * (net.c) */
int evs__net_built_proj(const evs_net *net, int proj, evs_proj **out,
                        evs_error *err);

/* EVS_OK if n, the number of values (what: "weights", "delays") a caller
 * gives for projection p, is held, the synapses of p here; else EVS_EINVAL
 * with a message in err. (net.c) */
int evs__net_count_ok(const evs_proj *p, uint64_t held, size_t n,
                      const char *what, evs_error *err);

/* 1 if p's synapses onto post_size neurons (the population, or a thread's
 * slice of it) are to be held with 16-bit targets (evs_csr_narrow): a
 * static projection (no learning rule, no filter: nothing builds a
 * transposed index or reads the targets but the deliveries) of at most
 * EVS_CSR_NARROW_MAX neurons onto a type that delivers from 16-bit
 * targets (deliver16, and deliver_ahead16 and prefetch16 where it has the
 * 32-bit ones). The one place that decides a CSR's width. (net_build.c) */
int evs__proj_narrow(const evs_proj *p, uint32_t post_size);

/* pop's type's deliver() of the synapses [at, at + n) of m, through the
 * 32- or 16-bit entry as m's targets are (weight as deliver() takes it).
 * (evs__run_ahead_row calls deliver_ahead so, a width per row.) */
static inline void evs__deliver(evs_pop *pop, double t, int receptor,
                                const evs_csr *m, uint64_t at,
                                const float *weight, size_t n) {
  if (m->target16)
    pop->type->deliver16(pop, t, receptor, m->target16 + at, weight,
                         m->weight_shared, n);
  else
    pop->type->deliver(pop, t, receptor, m->target + at, weight,
                       m->weight_shared, n);
}

/* Starts fetching the first records of the synapses [at, at + n) of m
 * (pop's type's prefetch, else the targets themselves). */
static inline void evs__prefetch(const evs_pop *pop, const evs_csr *m,
                                 uint64_t at, size_t n) {
  if (m->target16) {
    if (pop->type->prefetch16)
      pop->type->prefetch16(pop, m->target16 + at, n);
    else
      __builtin_prefetch(m->target16 + at);
  } else if (pop->type->prefetch) {
    pop->type->prefetch(pop, m->target + at, n);
  } else {
    __builtin_prefetch(m->target + at);
  }
}

/* The address of synapse q's target in m, to fetch ahead. */
static inline const void *evs__target_addr(const evs_csr *m, uint64_t q) {
  return m->target16 ? (const void *)(m->target16 + q)
                     : (const void *)(m->target + q);
}

/* The value of a constant parameter by name (it must exist: asserted). */
double evs__pop_param(const evs_pop *pop, const char *name);

/* The value of PER_NEURON parameter k for neuron i of pop (local: the
 * population's neuron pop->first + i): the one set for it
 * (evs_net_set_param_values), else a draw from the parameter's
 * distribution with r, the neuron's stream (seed, population, neuron,
 * EVS_RNG_INIT) at the type's documented place (a constant draws
 * nothing). A parameter the build drew from a distribution and given
 * values since (between phases) still draws, and discards the draw: read
 * again in the type's order, the parameters after it get the build's
 * values. */
double evs__pop_value(const evs_pop *pop, int k, uint32_t i, evs_rng *r);

/* 1 when PER_NEURON parameter k of pop may differ between its neurons (a
 * distribution or values set per neuron), 0 when every neuron has
 * pop->par[k]. */
int evs__pop_varies(const evs_pop *pop, int k);

/* Appends spike (t, id) to the growable array *spk of *n spikes and room
 * for *cap (doubled when full; *spk may start NULL). Returns EVS_OK or
 * EVS_ENOMEM (the array unchanged). (core/pop.c, as the two below) */
int evs__spike_append(evs_spike **spk, size_t *n, size_t *cap, double t,
                      uint32_t id);

/* Records a spike of neuron id (local to pop: the spike's id is pop->first
 * + id) at time t and tells pop's rules (on_post with the local id).
 * Spikes may be emitted out of time order within one periodic event; the
 * flush sorts them. Returns EVS_OK or EVS_ENOMEM. */
int evs__pop_emit(evs_pop *pop, double t, uint32_t id);

/* Where an exact type's peek hook (evs_neuron_type.peek) puts the spikes
 * it finds instead of emitting them: the caller's growable array. */
typedef struct evs__peek_list {
  evs_spike **spk;
  size_t *n, *cap;
} evs__peek_list;

/* A spike of neuron id (local to pop) found at t: emitted (evs__pop_emit)
 * when peek is NULL, else appended to peek's array with the id
 * pop->first + id. Returns EVS_OK or EVS_ENOMEM. Inline so that a search
 * inlined with a constant NULL peek keeps only the emit. */
static inline int evs__pop_found(evs_pop *pop, const evs__peek_list *peek,
                                 double t, uint32_t id) {
  return peek ? evs__spike_append(peek->spk, peek->n, peek->cap, t,
                                  id + pop->first)
              : evs__pop_emit(pop, t, id);
}

/* After pop's periodic event at t (both schedulers): its rules' on_tick. */
void evs__pop_ticked(evs_pop *pop, double t);

#endif
