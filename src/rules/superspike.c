/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the SuperSpike learner (include/evsnn/superspike.h, doc/validation.md
 * Part 2, doc/design-notes.md "The SuperSpike gradient"): traces, the
 * error-broadcast clock, windows and updates; the spec's checks and the start
 * of the learner are in src/rules/superspike_setup.c, targets, trial rows and
 * scores in src/rules/superspike_score.c, the shared state in
 * src/rules/superspike_impl.h.
 *
 * Traces. Every trace here is a sum of exponentials that jump at spikes,
 * kept in the learner's lazy trace bank (src/rules/trace_bank.h, as every
 * rule keeps its traces) as coefficients X = x(t) e^{(t - t0)/tau}: a spike
 * at t adds e^{(t - t0)/tau} (one exp() per time constant), and a tick at
 * t_k reads x = X e^{-(t_k - t0)/tau} (one exp() per time constant per tick,
 * one multiply per neuron, nothing written back); the tick rebases the bank
 * (t0 = t_k) once t_k - t0 passes its span:
 *  - presynaptic PSP trace of learning projection P and pre neuron j
 *    (arrivals at P's synapses, i.e. after P's delay):
 *      p_j = pa_j - pb_j,  pa: psp_decay, pb: psp_rise  (peak 1/4 for 5/10 ms);
 *  - output error e_i = (ed_i - er_i) / (tau_decay - tau_rise): the unit-area
 *    alpha kernel applied to +1 per target spike and -1 per own spike;
 *  - hidden spike trace z_i (tau_z, jump 1) for random feedback's penalty.
 * At tick k of a window the learner stores sg_i(k) = sigma'(U_i(t_k)) for
 * every learning neuron, e_i(k) for the outputs and p_j(k) for every
 * presynaptic neuron of every learning projection. When the window closes
 * (full, or an update is due), hidden errors follow from the output errors
 * through the feedback matrices (one dgemm per projection), and the synapse
 * work is src/rules/ssgrad.h's windowed method. Every `update` the normalised
 * update moves the CSR weights.
 *
 * Order of work at a tick (all events of earlier times, and deliveries of
 * the tick's time, have run): sample U of every learning neuron (exact
 * neurons find their spikes before t_k, whose on_post handlers add to the
 * traces), close the trial that ends at t_k, rebase the bank when due, add
 * the target spikes at or before t_k, store the series. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "rules/plastic.h"
#include "rules/ssgrad.h"
#include "rules/superspike_impl.h"

/* ---- the rule "superspike": feeds the traces ----------------------------- */

/* The projection's own keys: its weight bounds (weight units, volts). */
enum { SS_W_MIN, SS_W_MAX, SS_N_PARAMS };
static const evs_param_def rule_params[SS_N_PARAMS] = {
    [SS_W_MIN] = {"w_min", EVS_DIM_NONE, -0.1, EVS_PARAM_WEIGHT,
                  "lower weight bound"},
    [SS_W_MAX] = {"w_max", EVS_DIM_NONE, 0.1, EVS_PARAM_WEIGHT,
                  "upper weight bound"},
};

static int rule_init(evs_rule *pl, evs_error *err) {
  pl->state = NULL; /* the learner attaches its layer at start */
  if (!evs__superspike_of(pl->proj->post->net)) {
    evs_error_set(err, EVS_EINVAL, NULL, 0,
                  "projection %s: rule superspike needs the superspike "
                  "settings (a [superspike] section)",
                  pl->proj->name);
    evs_error_key(err, "rule");
    return EVS_EINVAL;
  }
  if (!(pl->par[SS_W_MIN] < pl->par[SS_W_MAX]))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: w_min must be below w_max",
                         pl->proj->name);
  return EVS_OK;
}

static void rule_destroy(evs_rule *pl) { pl->state = NULL; }

static void rule_on_pre(evs_rule *pl, double t, uint32_t pre, uint64_t begin,
                        uint64_t end) {
  (void)begin;
  (void)end;
  ss_layer *l = pl->state;
  evs_trace_bank *b = &l->ss->bank;
  evs__trace_bank_advance(b, t);
  evs__trace_spike(&l->pa[pre], evs__trace_growth(b, SS_PA, t), 0);
  evs__trace_spike(&l->pb[pre], evs__trace_growth(b, SS_PB, t), 0);
}

static void rule_on_post(evs_rule *pl, double t, uint32_t post) {
  ss_layer *l = pl->state;
  if (!l->owns_post) return;
  evs_superspike *ss = l->ss;
  ss_group *g = l->post;
  evs_trace_bank *b = &ss->bank;
  if (evs__spike_append(&g->spk, &g->nspk, &g->cap, t, post))
    g->pop->failed = EVS_ENOMEM;
  evs__trace_bank_advance(b, t);
  if (g->output) { /* -1 per own spike */
    ss->er[post] -= evs__trace_growth(b, SS_ER, t);
    ss->ed[post] -= evs__trace_growth(b, SS_ED, t);
  }
  if (g->z) evs__trace_spike(&g->z[post], evs__trace_growth(b, SS_Z, t), 0);
}

/* The rule holds nothing of its own: the learner (its plug-in) saves the
 * layer. */
static int rule_checkpoint(evs_rule *pl, evs_ckpt *ck) {
  (void)pl;
  return evs_ckpt_status(ck);
}

const evs_rule_type evs__rule_superspike = {
    .name = "superspike",
    .params = rule_params,
    .n_params = SS_N_PARAMS,
    .init = rule_init,
    .destroy = rule_destroy,
    .on_pre = rule_on_pre,
    .on_post = rule_on_post,
    .checkpoint = rule_checkpoint,
    .on_rank0 = 1, /* the learner reads and writes every layer's state */
};

/* ---- the clock ----------------------------------------------------------- */

double evs__superspike_next(const evs_superspike *ss) {
  return (double)ss->k * ss->spec.dt;
}

/* Samples sigma'(U) of every learning neuron at t into window tick l, or
 * only advances them (finding their spikes) when store is 0. */
static int sample_voltages(evs_superspike *ss, double t, size_t l, int store) {
  const evs_superspike_spec *s = &ss->spec;
  for (uint32_t gi = 0; gi < ss->ngrp; gi++) {
    ss_group *g = &ss->grp[gi];
    evs_pop *pop = g->pop;
    if (pop->type->voltages)
      pop->type->voltages(pop, t, g->u);
    else
      for (uint32_t i = 0; i < pop->size; i++)
        g->u[i] = pop->type->voltage(pop, i, t);
    if (store) {
      const double theta = pop->par[g->thresh], beta = s->beta,
                   u_floor = s->u_floor;
      for (uint32_t i = 0, n = pop->size; i < n; i++)
        g->sg[(size_t)i * ss->ld + l] =
            evs__ssgrad_surrogate(g->u[i], theta, beta, u_floor);
    }
    if (pop->failed) return pop->failed;
  }
  return EVS_OK;
}

/* Hidden errors from the output errors, then the window's gradient of every
 * learning synapse into m. */
static void close_window(evs_superspike *ss) {
  size_t L = ss->len, ld = ss->ld;
  const evs_superspike_spec *s = &ss->spec;
  for (uint32_t gi = 0; gi < ss->ngrp; gi++) {
    ss_group *g = &ss->grp[gi];
    uint32_t n = g->pop->size;
    if (!g->output) {
      for (uint32_t i = 0; i < n; i++)
        memset(g->err + (size_t)i * ld, 0, L * sizeof *g->err);
      for (uint32_t li = 0; li < ss->nlay; li++) {
        ss_layer *l = &ss->lay[li];
        if (l->pre != g) continue;
        const evs_csr *c = l->proj->csr;
        if (s->feedback == EVS_FEEDBACK_SYMMETRIC) {
          memset(l->fb, 0, (size_t)c->n_post * c->n_pre * sizeof *l->fb);
          for (uint32_t j = 0; j < c->n_pre; j++)
            for (uint64_t q = c->row_ptr[j]; q < c->row_ptr[j + 1]; q++)
              l->fb[(size_t)c->target[q] * c->n_pre + j] += c->weight[q];
        }
        evs__ssgrad_feedback_window(c->n_post, c->n_pre, l->fb, L, ld,
                                    l->post->err, g->err);
      }
    }
    if (n && !s->per_tick)
      evs__ssgrad_prepare(g->work, &ss->filt, L, ld, g->sg, g->err);
  }
  for (uint32_t li = 0; li < ss->nlay; li++) {
    ss_layer *l = &ss->lay[li];
    const evs_csr *c = l->proj->csr;
    if (!c->nnz) continue;
    if (s->per_tick)
      evs__ssgrad_ref_csr(&ss->filt, c, L, ld, l->post->sg, l->post->err, l->p,
                          l->s1, l->s2, l->m);
    else
      evs__ssgrad_csr(l->post->work, c, ld, l->p, l->s1, l->s2, l->m);
    if (l->post->z4 && s->rho > 0) {
      /* The published code's eligibility is tau_rise / dt times ours and its
       * error dt times ours (both kernels there have area tau_rise and dt,
       * here 1): its lambda e is tau_rise times ours, so its rho is
       * rho / tau_rise here (doc/superspike.md). */
      double rho = s->rho / s->tau_rise;
      for (uint64_t q = 0; q < c->nnz; q++)
        l->m[q] -= rho * c->weight[q] * l->post->z4[c->target[q]];
    }
  }
  for (uint32_t gi = 0; gi < ss->ngrp; gi++)
    if (ss->grp[gi].z4)
      memset(ss->grp[gi].z4, 0, ss->grp[gi].pop->size * sizeof *ss->grp[gi].z4);
  ss->len = 0;
}

/* r0 at time t: divided by r0_decay for each decay time strictly before t
 * (r0_decay_time, then every r0_decay_period after it). Update and decay
 * times lie on the dt grid; half a tick of slack keeps rounding out. */
static double r0_at(const evs_superspike_spec *s, double t) {
  double x = t - s->r0_decay_time - 0.5 * s->dt;
  if (x <= 0) return s->r0;
  double steps = s->r0_decay_period > 0 ? ceil(x / s->r0_decay_period) : 1;
  return s->r0 / pow(s->r0_decay, steps);
}

/* The update at time t: every learning weight moves by at most r0. */
static void update(evs_superspike *ss, double t) {
  const evs_superspike_spec *s = &ss->spec;
  int learning = t > s->burn_in + 0.5 * s->dt;
  double r0 = r0_at(s, t);
  ss->r0_now = learning ? r0 : 0;
  for (uint32_t li = 0; li < ss->nlay; li++) {
    ss_layer *l = &ss->lay[li];
    evs_csr *c = l->proj->csr;
    double scale = l->proj->weight_scale;
    const double *b = l->proj->rule->par; /* bounds, internal units */
    if (!learning) {
      memset(l->m, 0, c->nnz * sizeof *l->m);
      continue;
    }
    evs__ssgrad_norm nm = {.r0 = r0 * scale,
                           .gamma = exp(-s->update / s->tau_rms),
                           .eps = s->eps,
                           .w_min = b[SS_W_MIN],
                           .w_max = b[SS_W_MAX]};
    evs__ssgrad_update(&nm, c->nnz, ss->since_update, l->m, l->v, c->weight);
  }
  ss->since_update = 0;
}

int evs__superspike_tick(evs_superspike *ss, double t) {
  const evs_superspike_spec *s = &ss->spec;
  uint64_t k = ss->k;
  int update_due = k > 0 && k % ss->U == 0;
  if (ss->len == ss->window || (update_due && ss->len)) close_window(ss);
  if (update_due) update(ss, t);
  size_t l = ss->len, ld = ss->ld;
  int rc = sample_voltages(ss, t, l, 1);
  if (rc) return rc;
  if (k > 0 && k % ss->T == 0 && (rc = evs__ss_end_trial(ss, k / ss->T, t)))
    return rc;
  evs_trace_bank *b = &ss->bank;
  evs__trace_bank_tick(b, t);
  /* targets at or before t: +1 each */
  for (;;) {
    if (!ss->ntgt) break;
    const evs_spike *g = &ss->tgt[ss->tgt_next];
    double tt = (double)ss->tgt_cycle * (double)ss->P * s->dt + g->t;
    if (tt > t) break;
    evs__trace_spike(&ss->er[g->id], evs__trace_growth(b, SS_ER, tt), 0);
    evs__trace_spike(&ss->ed[g->id], evs__trace_growth(b, SS_ED, tt), 0);
    if (++ss->tgt_next == ss->ntgt) {
      ss->tgt_next = 0;
      ss->tgt_cycle++;
    }
  }
  /* the series: every trace read at t */
  const double norm = 1 / (s->tau_decay - s->tau_rise);
  const double d_er = evs__trace_decay(b, SS_ER, t) * norm,
               d_ed = evs__trace_decay(b, SS_ED, t) * norm;
  double loss = ss->loss;
  for (uint32_t i = 0; i < ss->out->pop->size; i++) {
    double e = ss->ed[i] * d_ed - ss->er[i] * d_er;
    ss->out->err[(size_t)i * ld + l] = e;
    loss += 0.5 * e * e * s->dt;
  }
  ss->loss = loss;
  const double d_pa = evs__trace_decay(b, SS_PA, t),
               d_pb = evs__trace_decay(b, SS_PB, t);
  for (uint32_t li = 0; li < ss->nlay; li++) {
    ss_layer *y = &ss->lay[li];
    for (uint32_t j = 0; j < y->proj->csr->n_pre; j++)
      y->p[(size_t)j * ld + l] = y->pa[j] * d_pa - y->pb[j] * d_pb;
  }
  if (b->n_traces > SS_Z) {
    const double d_z = evs__trace_decay(b, SS_Z, t);
    for (uint32_t gi = 0; gi < ss->ngrp; gi++) {
      ss_group *g = &ss->grp[gi];
      if (!g->z) continue;
      for (uint32_t i = 0; i < g->pop->size; i++) {
        double z = g->z[i] * d_z, z2 = z * z;
        g->z4[i] += z2 * z2;
      }
    }
  }
  ss->len++;
  ss->since_update++;
  ss->k++;
  return EVS_OK;
}

size_t evs__superspike_window(const evs_superspike *ss) { return ss->window; }

const double *evs__superspike_gradient(evs_superspike *ss,
                                       const evs_proj *proj) {
  if (ss->len) close_window(ss);
  for (uint32_t li = 0; li < ss->nlay; li++)
    if (ss->lay[li].proj == proj) return ss->lay[li].m;
  return NULL;
}

int evs__superspike_finish(evs_superspike *ss, double t_end) {
  uint64_t k = ss->k;
  /* the tick at t_end did not run (k dt may differ from t_end by rounding) */
  if (k > 0 && k % ss->T == 0 &&
      fabs(evs__superspike_next(ss) - t_end) <= 1e-6 * ss->spec.dt) {
    int rc = sample_voltages(ss, t_end, 0, 0);
    if (rc || (rc = evs__ss_end_trial(ss, k / ss->T, t_end))) return rc;
  }
  return evs__ss_write_outputs(ss, NULL);
}

/* ---- the plug-in --------------------------------------------------------- */

evs_superspike *evs__superspike_of(const evs_net *net) {
  evs_plugin *pl = evs__net_find_plugin(net, &evs__superspike_plugin);
  return pl ? pl->state : NULL;
}

static int plugin_build(evs_plugin *pl, evs_net *net, evs_error *err) {
  int rc = evs__superspike_start(pl->state, net, err);
  if (rc) evs_error_about(err, EVS_ABOUT_LEARNER, 0);
  return rc;
}

/* Opens the files (when the run writes any) and pushes the first tick. */
static int plugin_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  evs_superspike *ss = pl->state;
  evs_output *o = evs__run_output(run);
  int rc;
  if (o && !ss->idle &&
      (rc = evs__superspike_open(ss, o, evs_run_end(run), err)))
    return rc;
  if (evs_run_push(run, pl, evs__superspike_next(ss), EVS_EV_PROTOCOL,
                   UINT32_MAX, 0))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
}

static int plugin_clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  evs_superspike *ss = pl->state;
  int rc = ss->idle ? (ss->k++, EVS_OK) : evs__superspike_tick(ss, ev->t);
  if (rc) return rc;
  return evs_run_push(run, pl, evs__superspike_next(ss), EVS_EV_PROTOCOL,
                      UINT32_MAX, 0);
}

static int plugin_finish(evs_plugin *pl, evs_run *run, double t_end) {
  (void)run;
  evs_superspike *ss = pl->state;
  return ss->idle ? EVS_OK : evs__superspike_finish(ss, t_end);
}

/* summary.tsv's columns: the output population's final loss and accuracy. */
static void plugin_summary(evs_plugin *pl, evs_run *run, uint32_t pop,
                           char *cells, size_t size) {
  (void)run;
  evs__superspike_summary(pl->state, evs_plugin_net(pl)->pop[pop], cells, size);
}

/* Saves or loads n doubles at p (p may be NULL when n is 0). */
static void doubles(evs_ckpt *ck, double *p, size_t n) {
  evs_ckpt_fixed(ck, p, p ? n : 0, sizeof *p);
}

/* The learner's state in the run: every group's series, feedback and
 * spikes of the trial, every layer's series, filters, gradient and RMS
 * (the optimiser's normaliser) and feedback matrix, the trace bank, the
 * targets' place, the clock, the trial's loss, the scores and the files'
 * handles. The arrays exist from the build (evs__superspike_start). On a
 * rank other than 0 of several (idle: rank 0 runs the learner and saves
 * all that in its part), the clock only. */
static int plugin_checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  evs_superspike *ss = pl->state;
  size_t ld = ss->ld;
  if (ss->idle) { /* a rank other than 0's part: the clock alone */
    evs_ckpt_label(ck, "superspike clock");
    evs_ckpt_bytes(ck, &ss->k, sizeof ss->k);
    return evs_ckpt_status(ck);
  }
  for (uint32_t i = 0; i < ss->ngrp; i++) {
    ss_group *g = &ss->grp[i];
    size_t n = g->pop->size;
    evs_ckpt_label(ck, g->pop->name);
    doubles(ck, g->sg, n * ld);
    doubles(ck, g->err, n * ld);
    doubles(ck, g->u, n);
    doubles(ck, g->z4, g->z4 ? n : 0);
    evs_ckpt_spikes(ck, &g->spk, &g->nspk, &g->cap);
    evs__ssgrad_work *w = g->work;
    if (!w) continue;
    size_t big = (size_t)w->n_post * w->len_max;
    evs_ckpt_bytes(ck, &w->len, sizeof w->len);
    doubles(ck, w->q, big);
    doubles(ck, w->r1, big);
    doubles(ck, w->r2, big);
    doubles(ck, w->e1, w->n_post);
    doubles(ck, w->e2, w->n_post);
    evs_ckpt_bytes(ck, w->aL, sizeof w->aL);
    evs_ckpt_bytes(ck, w->r_from, sizeof w->r_from);
    evs_ckpt_bytes(ck, w->c, sizeof w->c);
  }
  for (uint32_t i = 0; i < ss->nlay; i++) {
    ss_layer *l = &ss->lay[i];
    const evs_csr *c = l->proj->csr;
    evs_ckpt_label(ck, l->proj->name);
    doubles(ck, l->p, c->n_pre * ld);
    doubles(ck, l->s1, c->nnz);
    doubles(ck, l->s2, c->nnz);
    doubles(ck, l->m, c->nnz);
    doubles(ck, l->v, c->nnz);
    doubles(ck, l->fb, l->fb ? (size_t)c->n_post * c->n_pre : 0);
  }
  uint32_t nout = ss->out->pop->size;
  evs__trace_bank_checkpoint(&ss->bank, ck);
  evs_ckpt_bytes(ck, &ss->tgt_next, sizeof ss->tgt_next);
  evs_ckpt_bytes(ck, &ss->tgt_cycle, sizeof ss->tgt_cycle);
  evs_ckpt_bytes(ck, &ss->k, sizeof ss->k);
  evs_ckpt_bytes(ck, &ss->len, sizeof ss->len);
  evs_ckpt_bytes(ck, &ss->since_update, sizeof ss->since_update);
  evs_ckpt_bytes(ck, &ss->loss, sizeof ss->loss);
  evs_ckpt_bytes(ck, &ss->r0_now, sizeof ss->r0_now);
  evs_ckpt_bytes(ck, &ss->score_from, sizeof ss->score_from);
  evs_ckpt_bytes(ck, &ss->score_to, sizeof ss->score_to);
  evs_ckpt_fixed(ck, ss->correct, nout, sizeof *ss->correct);
  evs_ckpt_bytes(ck, &ss->sum_loss, sizeof ss->sum_loss);
  evs_ckpt_bytes(ck, &ss->sum_acc, sizeof ss->sum_acc);
  evs_ckpt_bytes(ck, &ss->n_scored, sizeof ss->n_scored);
  evs_ckpt_bytes(ck, &ss->trials_done, sizeof ss->trials_done);
  evs_ckpt_array(ck, (void **)&ss->rows, &ss->nrows, &ss->caprows,
                 sizeof *ss->rows);
  evs_ckpt_bytes(ck, &ss->table, sizeof ss->table);
  if (evs_ckpt_loading(ck)) {
    ss->o = evs__run_output(run);
    if (!evs_ckpt_status(ck) &&
        (ss->tgt_next > ss->ntgt || ss->len > ss->window))
      return evs_ckpt_refuse(ck, "superspike: a corrupt checkpoint");
  }
  return evs_ckpt_status(ck);
}

static void plugin_destroy(evs_plugin *pl) { evs__superspike_free(pl->state); }

EVS_API int evs_net_superspike_trials(const evs_net *net,
                                      const evs_superspike_trial **rows,
                                      size_t *n) {
  const evs_superspike *ss = evs__superspike_of(net);
  if (!ss) return EVS_EINVAL;
  *rows = ss->rows;
  *n = ss->nrows;
  return EVS_OK;
}

const evs_plugin_type evs__superspike_plugin = {
    .name = "superspike",
    .build = plugin_build,
    .start = plugin_start,
    .clock = plugin_clock,
    .finish = plugin_finish,
    .destroy = plugin_destroy,
    .summary_columns = EVS__SUPERSPIKE_SUMMARY_HEADER,
    .summary = plugin_summary,
    .checkpoint = plugin_checkpoint,
};
