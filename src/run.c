/* evsnn — the event loop: runs a built net and writes its outputs.
 *
 * Every population with a periodic event (exact window, clock step, source
 * window) has one such event in the queue at any time. After a periodic
 * handler returns, the population's new spikes are flushed: sorted by (time,
 * id), recorded, and turned into one delivery event per outgoing projection
 * and delay group. A delivery event hands one group's targets and weights to
 * the post type's deliver(). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "engine.h"
#include "plastic.h"
#include "stp.h"
#include "superspike.h"

double evs__wall_clock(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Simulated time between progress reports, s. */
#define PROGRESS_STEP 0.01

/* The rate checker of one population (evs_net_check_rate): the filtered
 * rate, and the population's spikes counted by the check interval they fall
 * in. A flush before check k may hold spikes at or after T_k (a source
 * generates one tick ahead, a clocked type spikes at its step's end), but
 * never at or after T_(k+1), as dt is a whole number of ticks. */
typedef struct rate_check {
  uint64_t every;       /* ticks of the population per check */
  double dt;            /* s: every * tick */
  uint64_t k;           /* index of the next check, >= 1 */
  double t_next;        /* s: time of check k */
  double r;             /* Hz: the filtered rate */
  uint64_t cur;         /* spikes in [T_(k-1), T_k) */
  uint64_t ahead;       /* spikes in [T_k, T_(k+1)) */
} rate_check;

/* Protocol events: arg 0 reports progress, arg 1 checks pop owner's rate,
 * arg 2 is a tick of the SuperSpike error-broadcast clock, arg 3 runs the
 * clock of projection owner's learning rule (evs_rule_type.on_clock). */
enum { PROTOCOL_PROGRESS = 0, PROTOCOL_RATE = 1, PROTOCOL_LEARN = 2,
       PROTOCOL_RULE = 3 };

typedef struct run_ctx {
  evs_net *net;
  evs_queue q;
  evs_output *out;
  double t_end;
  uint64_t *ticks;      /* [npop] periodic events so far */
  uint64_t *samples;    /* [npop] probe samples so far */
  uint64_t *weight_samples; /* [nproj] weight statistics rows so far */
  uint64_t *synapse_samples; /* [nproj] rows of every weight so far */
  double *probe_v;      /* scratch row for probes */
  rate_check *rc;       /* [npop] rate checkers (used where rate_tau > 0) */
  size_t *last_n;       /* [npop] spikes kept by the last flush */
  float *stp_w;         /* scratch: one delivery's weights scaled by its
                           projection's short-term plasticity (stp.h) */
  uint64_t *rule_ticks; /* [nproj] rule clock calls so far */
  int stop_pop;         /* population whose check stopped the run, or -1 */
  char reason[160];     /* why it stopped */
} run_ctx;

static int by_time_then_id(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int push(run_ctx *c, double t, uint32_t kind, uint32_t source,
                uint32_t owner, uint32_t arg) {
  evs_event ev = {.t = t, .kind = kind, .source = source, .owner = owner,
                  .arg = arg};
  return evs_queue_push(&c->q, &ev);
}

/* Schedules the deliveries of one spike of pop. */
static int schedule_spike(run_ctx *c, evs_pop *pop, const evs_spike *s) {
  evs_net *net = c->net;
  uint32_t gid = pop->gid0 + s->id;
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_proj *p = net->proj[pop->out[k]];
    const evs_csr *m = p->csr;
    if (m->row_ptr[s->id] == m->row_ptr[s->id + 1]) continue;
    if (!m->grp_ptr) {
      if (push(c, s->t + m->const_delay * net->resolution, EVS_EV_DELIVER, gid,
               p->index, 0))
        return EVS_ENOMEM;
      continue;
    }
    for (uint64_t g = m->grp_ptr[s->id]; g < m->grp_ptr[s->id + 1]; g++)
      if (push(c, s->t + m->grp_delay[g] * net->resolution, EVS_EV_DELIVER, gid,
               p->index, (uint32_t)(g - m->grp_ptr[s->id])))
        return EVS_ENOMEM;
  }
  return EVS_OK;
}

/* Sorts, records and schedules the spikes pop found since the last flush.
 * Spikes at or after the run's end are dropped. */
static int flush(run_ctx *c, evs_pop *pop) {
  if (pop->failed) return pop->failed;
  c->last_n[pop->index] = 0;
  if (pop->nspk == 0) return EVS_OK;
  qsort(pop->spk, pop->nspk, sizeof *pop->spk, by_time_then_id);
  size_t n = 0;
  while (n < pop->nspk && pop->spk[n].t < c->t_end) n++;
  pop->nspikes += n;
  c->last_n[pop->index] = n;
  if (pop->rate_tau > 0) {
    rate_check *rc = &c->rc[pop->index];
    for (size_t i = 0; i < n; i++) {
      if (pop->spk[i].t < rc->t_next) rc->cur++;
      else rc->ahead++;
    }
  }
  if (c->out && pop->raster >= 0)
    evs__output_raster_write(c->out, pop->raster, pop->spk, n);
  for (size_t i = 0; i < n; i++)
    if (schedule_spike(c, pop, &pop->spk[i])) return EVS_ENOMEM;
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
    if (g > m->grp_ptr[row]) *begin = m->grp_end[g - 1];
    *end = m->grp_end[g];
  }
}

/* Starts fetching the first targets of the next event if it is a delivery
 * too: a row starts at a random place of a large target array, and the
 * delivery running now gives the fetch time to arrive. */
static inline void prefetch_next_delivery(const run_ctx *c) {
  const evs_event *next = evs_queue_peek(&c->q);
  if (!next || next->kind != EVS_EV_DELIVER) return;
  const evs_proj *p = c->net->proj[next->owner];
  uint64_t begin, end;
  delivery_range(p, next, &begin, &end);
  const uint32_t *target = p->csr->target + begin;
  __builtin_prefetch(target);
  if (end - begin > 16) __builtin_prefetch(target + 16);
}

static int deliver(run_ctx *c, const evs_event *ev) {
  const evs_proj *p = c->net->proj[ev->owner];
  const evs_csr *m = p->csr;
  uint32_t row = ev->source - p->pre->gid0;
  uint64_t begin, end;
  delivery_range(p, ev, &begin, &end);
  prefetch_next_delivery(c);
  const float *w = m->weight ? m->weight + begin : NULL;
  if (p->stp) { /* the post type receives w u x; the stored w is unchanged */
    double f = evs__stp_spike(p->stp, evs__stp_group(m, row, ev->arg), ev->t);
    evs__stp_scale(c->stp_w, w, end - begin, f);
    w = c->stp_w;
  }
  p->post->type->deliver(p->post, ev->t, p->receptor, m->target + begin, w,
                         m->weight_shared, end - begin);
  if (p->rule) p->rule->type->on_pre(p->rule, ev->t, row, begin, end);
  c->net->stats.syn_events += end - begin;
  return p->post->failed;
}

static uint32_t periodic_kind(const evs_pop *pop) {
  switch (pop->type->kind) {
  case EVS_POP_EXACT: return EVS_EV_WINDOW;
  case EVS_POP_CLOCKED: return EVS_EV_CLOCK;
  case EVS_POP_SOURCE: return EVS_EV_SOURCE;
  }
  return EVS_EV_SOURCE;
}

/* Time of pop's k-th periodic event: sources start at 0, the others at one
 * tick (their event closes the interval that ends there). */
static double periodic_time(const evs_pop *pop, uint64_t k) {
  return pop->type->kind == EVS_POP_SOURCE ? (double)k * pop->tick
                                           : (double)(k + 1) * pop->tick;
}

static int periodic(run_ctx *c, const evs_event *ev) {
  evs_pop *pop = c->net->pop[ev->owner];
  int rc = pop->type->tick(pop, ev->t);
  if (rc) return rc;
  if ((rc = flush(c, pop))) return rc;
  uint64_t k = ++c->ticks[pop->index];
  return push(c, periodic_time(pop, k), ev->kind, pop->gid0, pop->index, 0);
}

/* Time of check k of pop: computed as its periodic events' times are, so
 * that a check coincides exactly with one of them and pops after it (the
 * protocol rank is last). */
static double check_time(const evs_pop *pop, const rate_check *rc, uint64_t k) {
  return (double)(k * rc->every) * pop->tick;
}

/* Check k of population owner: updates the filter; stops the run (sets
 * c->stop_pop, c->t_end) when the rate is outside the band. */
static int check_rate(run_ctx *c, const evs_event *ev) {
  evs_pop *pop = c->net->pop[ev->owner];
  rate_check *rc = &c->rc[pop->index];
  rc->r = rc->r * exp(-rc->dt / pop->rate_tau) +
          (double)rc->cur / ((double)pop->size * pop->rate_tau);
  rc->cur = rc->ahead;
  rc->ahead = 0;
  if (rc->r < pop->rate_lo || rc->r > pop->rate_hi) {
    c->stop_pop = (int)pop->index;
    c->t_end = ev->t;
    snprintf(c->reason, sizeof c->reason, "rate %.9g Hz outside [%g, %g]",
             rc->r, pop->rate_lo, pop->rate_hi);
    return EVS_OK;
  }
  rc->t_next = check_time(pop, rc, ++rc->k);
  return push(c, rc->t_next, EVS_EV_PROTOCOL, pop->gid0, pop->index,
              PROTOCOL_RATE);
}

/* Readies the rate checkers and schedules their first checks. */
static int start_checks(run_ctx *c) {
  for (uint32_t i = 0; i < c->net->npop; i++) {
    evs_pop *pop = c->net->pop[i];
    if (!(pop->rate_tau > 0)) continue;
    rate_check *rc = &c->rc[i];
    double want = fmin(pop->rate_tau / 10, 0.01);
    /* the relative slack keeps 10 ms / 1 ms at 10 ticks despite rounding */
    double m = ceil(want / pop->tick * (1 - 1e-9));
    rc->every = m < 1 ? 1 : (uint64_t)m;
    rc->dt = (double)rc->every * pop->tick;
    rc->k = 1;
    rc->t_next = check_time(pop, rc, 1);
    rc->r = 0.5 * (pop->rate_lo + pop->rate_hi);
    if (push(c, rc->t_next, EVS_EV_PROTOCOL, pop->gid0, i, PROTOCOL_RATE))
      return EVS_ENOMEM;
  }
  return EVS_OK;
}

/* After a stop at c->t_end: a source generates spikes up to one tick ahead
 * and a clocked type spikes at its step's end, so the last flush may have
 * counted spikes at or after the stop; they lie outside the run. (Its
 * spikes are still in pop->spk unless new ones were emitted since.) */
static void uncount_ahead(run_ctx *c) {
  for (uint32_t i = 0; i < c->net->npop; i++) {
    evs_pop *pop = c->net->pop[i];
    if (pop->nspk) continue;
    for (size_t j = 0; j < c->last_n[i]; j++)
      if (pop->spk[j].t >= c->t_end) pop->nspikes--;
  }
}

/* Record events: arg 0 samples a population's probes, arg 1 writes a row of
 * a projection's weight statistics, arg 2 a Matrix Market snapshot, arg 3 a
 * row of every weight (record_synapses). */
enum { RECORD_PROBES = 0, RECORD_WEIGHTS = 1, RECORD_MATRIX = 2,
       RECORD_SYNAPSES = 3 };

/* Brings p's weights up to time t: an exact post population may not have
 * found its spikes before t yet; advancing every neuron to t runs their
 * learning rules first. */
static int weights_at(evs_proj *p, double t) {
  evs_pop *post = p->post;
  if (p->rule && post->type->kind == EVS_POP_EXACT)
    for (uint32_t j = 0; j < post->size; j++) post->type->voltage(post, j, t);
  return post->failed;
}

static int record_matrix(run_ctx *c, const evs_event *ev) {
  evs_proj *p = c->net->proj[ev->owner];
  int rc = weights_at(p, ev->t);
  if (rc) return rc;
  char name[112], comment[320];
  snprintf(name, sizeof name, "%s_%.9gms.mtx", p->name, ev->t * 1e3);
  snprintf(comment, sizeof comment,
           "evsnn: weights of projection %s (rows: %s, columns: %s) at t = "
           "%.9g s, SI units", p->name, p->pre->name, p->post->name, ev->t);
  rc = evs__output_matrix(c->out, name, comment, p->csr, p->weight_scale, NULL);
  return rc < 0 ? rc : EVS_OK;
}

static int record_weights(run_ctx *c, const evs_event *ev) {
  evs_proj *p = c->net->proj[ev->owner];
  int rc = weights_at(p, ev->t);
  if (rc) return rc;
  double row[6];
  evs__weight_stats(p, row);
  evs__output_probe_row(c->out, p->weights_out, ev->t, row, 6);
  uint64_t k = ++c->weight_samples[p->index];
  return push(c, (double)k * p->record_interval, EVS_EV_RECORD, ev->source,
              p->index, RECORD_WEIGHTS);
}

/* A row of <proj>.synapses.tsv: every weight in CSR order, SI units. */
static int record_synapses(run_ctx *c, const evs_event *ev) {
  evs_proj *p = c->net->proj[ev->owner];
  int rc = weights_at(p, ev->t);
  if (rc) return rc;
  double row[EVS_RECORD_SYNAPSES_MAX];
  uint64_t n = p->csr->nnz; /* <= EVS_RECORD_SYNAPSES_MAX (net.c) */
  for (uint64_t s = 0; s < n; s++)
    row[s] = evs_csr_weight(p->csr, s) / p->weight_scale;
  evs__output_probe_row(c->out, p->synapses_out, ev->t, row, (size_t)n);
  uint64_t k = ++c->synapse_samples[p->index];
  return push(c, (double)k * p->synapse_interval, EVS_EV_RECORD, ev->source,
              p->index, RECORD_SYNAPSES);
}

/* Opens <proj>.synapses.tsv: "time" then w<pre>_<post> per synapse. */
static int open_synapses(run_ctx *c, evs_proj *p, evs_error *err) {
  const evs_csr *m = p->csr;
  size_t cap = 8 + (size_t)m->nnz * 24;
  char *h = malloc(cap), name[96];
  if (!h) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  size_t len = (size_t)snprintf(h, cap, "time");
  for (uint32_t j = 0; j < m->n_pre; j++)
    for (uint64_t s = m->row_ptr[j]; s < m->row_ptr[j + 1]; s++)
      len += (size_t)snprintf(h + len, cap - len, "\tw%u_%u", j, m->target[s]);
  snprintf(name, sizeof name, "%s.synapses.tsv", p->name);
  p->synapses_out = evs__output_table_open(c->out, name, h, err);
  free(h);
  return p->synapses_out < 0 ? p->synapses_out : EVS_OK;
}

/* Clock call k of projection owner's rule, at t = k * clock (plastic.h). */
static int rule_clock(run_ctx *c, const evs_event *ev) {
  evs_proj *p = c->net->proj[ev->owner];
  int rc = weights_at(p, ev->t);
  if (rc) return rc;
  p->rule->type->on_clock(p->rule, ev->t);
  uint64_t k = ++c->rule_ticks[p->index] + 1;
  return push(c, (double)k * p->rule->clock, EVS_EV_PROTOCOL, ev->source,
              p->index, PROTOCOL_RULE);
}

static int record(run_ctx *c, const evs_event *ev) {
  if (ev->arg == RECORD_SYNAPSES) return record_synapses(c, ev);
  if (ev->arg == RECORD_WEIGHTS) return record_weights(c, ev);
  if (ev->arg == RECORD_MATRIX) return record_matrix(c, ev);
  evs_pop *pop = c->net->pop[ev->owner];
  for (size_t i = 0; i < pop->n_probe; i++)
    c->probe_v[i] = pop->type->voltage(pop, pop->probe_id[i], ev->t);
  evs__output_probe_row(c->out, pop->probe, ev->t, c->probe_v, pop->n_probe);
  uint64_t k = ++c->samples[pop->index];
  return push(c, (double)k * pop->probe_interval, EVS_EV_RECORD, pop->gid0,
              pop->index, 0);
}

/* Opens the output files of every population. */
static int open_outputs(run_ctx *c, const evs_run_opts *opts, evs_error *err) {
  evs_net *net = c->net;
  int rc = evs__output_open(&c->out, opts->outdir,
                            opts->model_name ? opts->model_name : "model",
                            net->seed, err);
  if (rc) return rc;
  for (uint32_t i = 0; i < net->npop; i++) {
    evs_pop *pop = net->pop[i];
    if (pop->record_spikes) {
      pop->raster = evs__output_raster_open(c->out, pop->name, pop->size, err);
      if (pop->raster < 0) return pop->raster;
    }
    if (pop->n_probe) {
      pop->probe = evs__output_probe_open(c->out, pop->name, pop->probe_id,
                                          pop->n_probe, err);
      if (pop->probe < 0) return pop->probe;
    }
  }
  for (uint32_t i = 0; i < net->nproj; i++)
    if (net->proj[i]->synapse_interval > 0 &&
        (rc = open_synapses(c, net->proj[i], err)))
      return rc;
  for (uint32_t i = 0; i < net->nproj; i++) {
    evs_proj *p = net->proj[i];
    if (!p->record_interval) continue;
    char name[96];
    snprintf(name, sizeof name, "%s.weights.tsv", p->name);
    p->weights_out = evs__output_table_open(
        c->out, name, "time\tmean\tsd\tmin\tmax\tat_min\tat_max", err);
    if (p->weights_out < 0) return p->weights_out;
  }
  if (net->ss)
    return evs__superspike_open(net->ss, c->out, opts->duration, err);
  return EVS_OK;
}

/* The first event of every periodic activity. */
static int schedule_start(run_ctx *c, const evs_run_opts *opts) {
  evs_net *net = c->net;
  for (uint32_t i = 0; i < net->npop; i++) {
    evs_pop *pop = net->pop[i];
    if (push(c, periodic_time(pop, 0), periodic_kind(pop), pop->gid0, i, 0))
      return EVS_ENOMEM;
    if (c->out && pop->n_probe && push(c, 0, EVS_EV_RECORD, pop->gid0, i, 0))
      return EVS_ENOMEM;
  }
  for (uint32_t i = 0; i < net->nproj; i++) {
    const evs_proj *p = net->proj[i];
    if (!c->out) break;
    if (p->record_interval &&
        push(c, 0, EVS_EV_RECORD, net->next_gid + i, i, RECORD_WEIGHTS))
      return EVS_ENOMEM;
    if (p->synapse_interval > 0 &&
        push(c, 0, EVS_EV_RECORD, net->next_gid + i, i, RECORD_SYNAPSES))
      return EVS_ENOMEM;
    for (size_t k = 0; k < p->n_matrix; k++)
      if (push(c, p->matrix_t[k], EVS_EV_RECORD, net->next_gid + i, i,
               RECORD_MATRIX))
        return EVS_ENOMEM;
  }
  for (uint32_t i = 0; i < net->nproj; i++) {
    const evs_plastic *pl = net->proj[i]->rule;
    if (pl && pl->type->on_clock && pl->clock > 0 &&
        push(c, pl->clock, EVS_EV_PROTOCOL, net->next_gid + i, i,
             PROTOCOL_RULE))
      return EVS_ENOMEM;
  }
  if (opts->progress &&
      push(c, PROGRESS_STEP, EVS_EV_PROTOCOL, 0, 0, PROTOCOL_PROGRESS))
    return EVS_ENOMEM;
  if (net->ss && push(c, evs__superspike_next(net->ss), EVS_EV_PROTOCOL,
                      UINT32_MAX, 0, PROTOCOL_LEARN))
    return EVS_ENOMEM;
  return start_checks(c);
}

/* The event loop over [0, t_end). */
static int loop(run_ctx *c) {
  evs_event ev;
  int rc = EVS_OK;
  while (rc == EVS_OK && c->stop_pop < 0 && evs_queue_pop(&c->q, &ev)) {
    if (ev.t >= c->t_end) break;
    switch (ev.kind) {
    case EVS_EV_DELIVER: rc = deliver(c, &ev); break;
    case EVS_EV_SOURCE:
    case EVS_EV_WINDOW:
    case EVS_EV_CLOCK: rc = periodic(c, &ev); break;
    case EVS_EV_RECORD: rc = record(c, &ev); break;
    case EVS_EV_PROTOCOL:
      if (ev.arg == PROTOCOL_RATE) {
        rc = check_rate(c, &ev);
        break;
      }
      if (ev.arg == PROTOCOL_RULE) {
        rc = rule_clock(c, &ev);
        break;
      }
      if (ev.arg == PROTOCOL_LEARN) {
        evs_superspike *ss = c->net->ss;
        if ((rc = evs__superspike_tick(ss, ev.t)) == EVS_OK)
          rc = push(c, evs__superspike_next(ss), EVS_EV_PROTOCOL, UINT32_MAX,
                    0, PROTOCOL_LEARN);
        break;
      }
      evs__progress(ev.t, c->t_end);
      rc = push(c, ev.t + PROGRESS_STEP, EVS_EV_PROTOCOL, 0, 0,
                PROTOCOL_PROGRESS);
      break;
    default: break;
    }
  }
  if (rc) return rc;
  if (c->stop_pop >= 0) uncount_ahead(c);
  if (c->net->ss && (rc = evs__superspike_finish(c->net->ss, c->t_end)))
    return rc;
  /* Exact populations close their last, possibly partial, window (after a
   * stop, the checked population closed it at the stop time already). */
  for (uint32_t i = 0; i < c->net->npop && rc == EVS_OK; i++) {
    evs_pop *pop = c->net->pop[i];
    if (pop->type->kind != EVS_POP_EXACT) continue;
    if (c->ticks[i] && periodic_time(pop, c->ticks[i] - 1) >= c->t_end)
      continue;
    if ((rc = pop->type->tick(pop, c->t_end)) == EVS_OK) rc = flush(c, pop);
  }
  return rc;
}

/* Writes the summary and the run's counters into run.log. */
static void write_summary(run_ctx *c) {
  evs_net *net = c->net;
  evs_pop_info *info = malloc((net->npop ? net->npop : 1) * sizeof *info);
  if (info) {
    for (uint32_t i = 0; i < net->npop; i++)
      evs_net_population_info(net, (int)i, &info[i]);
    evs__output_summary(c->out, info, net->npop, c->t_end);
    free(info);
  }
  const evs_run_stats *s = &net->stats;
  evs__output_log(c->out, "stat wall_build %.6f", s->wall_build);
  evs__output_log(c->out, "stat wall_run %.6f", s->wall_run);
  evs__output_log(c->out, "stat spikes %llu", (unsigned long long)s->spikes);
  evs__output_log(c->out, "stat syn_events %llu",
                  (unsigned long long)s->syn_events);
  evs__output_log(c->out, "stat queue_pushes %llu",
                  (unsigned long long)s->queue_pushes);
  evs__output_log(c->out, "stat queue_pops %llu",
                  (unsigned long long)s->queue_pops);
  evs__output_log(c->out, "stat crossings_solved %llu",
                  (unsigned long long)s->crossings_solved);
  evs__output_log(c->out, "stat synapses %llu", (unsigned long long)s->synapses);
  evs__output_log(c->out, "stat synapse_bytes %llu",
                  (unsigned long long)s->synapse_bytes);
}

int evs__net_simulate(evs_net *net, const evs_run_opts *opts, evs_error *err) {
  run_ctx c = {.net = net, .t_end = opts->duration, .stop_pop = -1};
  size_t max_probe = 1;
  for (uint32_t i = 0; i < net->npop; i++)
    if (net->pop[i]->n_probe > max_probe) max_probe = net->pop[i]->n_probe;
  c.ticks = calloc(net->npop + 1, sizeof *c.ticks);
  c.samples = calloc(net->npop + 1, sizeof *c.samples);
  c.weight_samples = calloc(net->nproj + 1, sizeof *c.weight_samples);
  c.synapse_samples = calloc(net->nproj + 1, sizeof *c.synapse_samples);
  c.probe_v = calloc(max_probe, sizeof *c.probe_v);
  c.rc = calloc(net->npop + 1, sizeof *c.rc);
  c.last_n = calloc(net->npop + 1, sizeof *c.last_n);
  size_t max_stp = 1;
  for (uint32_t i = 0; i < net->nproj; i++)
    if (net->proj[i]->stp && net->proj[i]->stp->max_group > max_stp)
      max_stp = net->proj[i]->stp->max_group;
  c.stp_w = malloc(max_stp * sizeof *c.stp_w);
  c.rule_ticks = calloc(net->nproj + 1, sizeof *c.rule_ticks);
  int rc = EVS_ENOMEM;
  if (!c.ticks || !c.samples || !c.weight_samples || !c.synapse_samples ||
      !c.probe_v || !c.rc ||
      !c.last_n || !c.stp_w || !c.rule_ticks ||
      evs_queue_init(&c.q, 1024)) {
    evs_error_set(err, rc, NULL, 0, "out of memory");
    goto done;
  }
  if (opts->outdir && (rc = open_outputs(&c, opts, err))) goto done;
  if ((rc = schedule_start(&c, opts))) {
    evs_error_set(err, rc, NULL, 0, "out of memory");
    goto done;
  }
  double t0 = evs__wall_clock();
  rc = loop(&c);
  net->stats.wall_run = evs__wall_clock() - t0;
  if (opts->progress) evs__progress_done();
  if (rc) {
    evs_error_set(err, rc, NULL, 0, "the run failed: %s", evs_strerror(rc));
    goto done;
  }
  net->stats.t_end = c.t_end;
  net->stats.queue_pushes = c.q.pushes;
  net->stats.queue_pops = c.q.pops;
  for (uint32_t i = 0; i < net->npop; i++) {
    net->stats.spikes += net->pop[i]->nspikes;
    net->stats.crossings_solved += net->pop[i]->crossings;
  }
  const char *reason = c.stop_pop >= 0 ? c.reason : NULL;
  if (c.out) {
    write_summary(&c);
    if (reason)
      evs__output_log(c.out, "rate check: population %s left its band at "
                      "t = %.9g s", net->pop[c.stop_pop]->name, c.t_end);
    rc = evs__output_close(c.out, c.t_end, reason, err);
    c.out = NULL;
  }
  if (rc == EVS_OK && reason)
    rc = evs_error_set(err, EVS_ESTOPPED, NULL, 0, "stopped at t = %.9g s: %s",
                       c.t_end, reason);
done:
  if (c.out) evs__output_abort(c.out);
  evs_queue_destroy(&c.q);
  free(c.ticks);
  free(c.samples);
  free(c.weight_samples);
  free(c.synapse_samples);
  free(c.probe_v);
  free(c.rc);
  free(c.last_n);
  free(c.stp_w);
  free(c.rule_ticks);
  return rc;
}
