/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — SuperSpike set-up (include/evsnn/superspike.h, doc/validation.md
 * Part 2):
 * the spec's defaults and checks (evs_net_superspike), and the start of the
 * learner when the net is built: its layers (learning projections, in order
 * from the inputs to the output), the populations that learn, and every
 * series and synapse array, sized by the window. Shared state:
 * src/rules/superspike_impl.h; the clock, windows and updates:
 * src/rules/superspike.c; targets and scores: src/rules/superspike_score.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/rng.h"
#include "rules/plastic.h"
#include "rules/ssgrad.h"
#include "rules/superspike_impl.h"
#include "base/checks.h"

/* Longest window, ticks. A window costs its length in the Q product and
 * at most ~42 tau/dt ticks per filter in the R products (src/rules/ssgrad.c,
 * tail_ticks), so a window as long as the update interval is cheapest: at
 * the published numerics (0.5 s, dt = 0.1 ms) one window of 5,000 ticks
 * does 11,239 tick products where windows of 2,048 did 15,000 (B4's S4,
 * with row_stride below: 0.62 -> 0.49 s per trial, doc/superspike.md).
 * The cap and SERIES_BUDGET bound the series memory (8 bytes per tick per
 * series row, see series_rows). */
#define WINDOW_MAX 8192
#define SERIES_BUDGET ((size_t)1 << 30) /* bytes */
#define WINDOW_MIN 256                  /* ticks, whatever the budget */

/* ---- the spec ------------------------------------------------------------ */

EVS_API void evs_superspike_defaults(evs_superspike_spec *s) {
  *s = (evs_superspike_spec){
      .output = -1,
      .target = NULL,
      .trial = 0.5,
      .dt = 1e-4,
      .update = 0.5,
      .r0 = 1e-3,
      .r0_decay_time = 400,
      .r0_decay = 10,
      .burn_in = 20,
      .tau_rms = 30,
      .eps = 1e-12,
      .tau_rise = 5e-3,
      .tau_decay = 10e-3,
      .psp_rise = 5e-3,
      .psp_decay = 10e-3,
      .beta = 1e3,
      .u_floor = -80e-3,
      .feedback = EVS_FEEDBACK_SYMMETRIC,
      .rho = 1,
      .tau_z = 0.1,
      .tolerance = 2e-3,
  };
}

/* Ticks of width dt in span, or 0 when span is not a whole number of them. */
static uint64_t whole_ticks(double span, double dt) {
  double n = span / dt, r = nearbyint(n);
  return r >= 1 && fabs(n - r) <= 1e-6 * r ? (uint64_t)r : 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

EVS_API int evs_net_superspike(evs_net *net, const evs_superspike_spec *s,
                               evs_error *err) {
  if (net->built || net->build_failed)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "superspike: the net is already built");
#define NEED(cond, ...)                                                        \
  do {                                                                         \
    if (!(cond)) return evs_error_set(err, EVS_EINVAL, NULL, 0, __VA_ARGS__);  \
  } while (0)
  NEED(s->output >= 0 && (uint32_t)s->output < net->npop,
       "superspike: no output population");
  NEED(s->target, "superspike: a target file is required");
  { /* every number within a model file's bounds (finite, <= 1e15) */
    const struct {
      const char *name;
      double v;
    } num[] = {{"target_period", s->target_period},
               {"trial", s->trial},
               {"dt", s->dt},
               {"update", s->update},
               {"r0", s->r0},
               {"r0_decay_time", s->r0_decay_time},
               {"r0_decay", s->r0_decay},
               {"r0_decay_period", s->r0_decay_period},
               {"burn_in", s->burn_in},
               {"tau_rms", s->tau_rms},
               {"eps", s->eps},
               {"tau_rise", s->tau_rise},
               {"tau_decay", s->tau_decay},
               {"psp_rise", s->psp_rise},
               {"psp_decay", s->psp_decay},
               {"beta", s->beta},
               {"u_floor", s->u_floor},
               {"rho", s->rho},
               {"tau_z", s->tau_z},
               {"tolerance", s->tolerance}};
    for (size_t i = 0; i < sizeof num / sizeof *num; i++)
      NEED(evs__value_ok(num[i].v),
           "superspike: %s (%g) must be finite and at most %g in magnitude",
           num[i].name, num[i].v, EVS__MAX_MAGNITUDE);
  }
  NEED(s->dt >= EVS_SUPERSPIKE_DT_MIN && isfinite(s->dt),
       "superspike: dt (%g s) must be at least %g s", s->dt,
       EVS_SUPERSPIKE_DT_MIN);
  NEED(whole_ticks(s->trial, s->dt),
       "superspike: trial (%g s) must be a whole number of dt (%g s)", s->trial,
       s->dt);
  NEED(whole_ticks(s->update, s->dt),
       "superspike: update (%g s) must be a whole number of dt (%g s)",
       s->update, s->dt);
  NEED(s->r0 > 0 && isfinite(s->r0), "superspike: r0 must be > 0");
  NEED(s->r0_decay >= 1 && isfinite(s->r0_decay),
       "superspike: r0_decay must be >= 1");
  NEED(s->r0_decay_time >= 0 && s->burn_in >= 0 && s->r0_decay_period >= 0,
       "superspike: r0_decay_time, r0_decay_period and burn_in must be >= 0");
  NEED(s->tau_rms > 0 && s->eps >= 0, "superspike: tau_rms must be > 0, "
                                      "eps >= 0");
  NEED(s->tau_rise > 0 && s->tau_decay > 0 && s->tau_rise != s->tau_decay,
       "superspike: tau_rise and tau_decay must be > 0 and differ");
  NEED(s->psp_rise > 0 && s->psp_decay > 0 && s->psp_rise != s->psp_decay,
       "superspike: psp_rise and psp_decay must be > 0 and differ");
  NEED(s->beta > 0 && isfinite(s->beta), "superspike: beta must be > 0");
  NEED(s->feedback >= EVS_FEEDBACK_SYMMETRIC &&
           s->feedback <= EVS_FEEDBACK_UNIFORM,
       "superspike: unknown feedback");
  NEED(s->rho >= 0 && s->tau_z > 0, "superspike: rho >= 0 and tau_z > 0");
  NEED(s->tolerance >= 0, "superspike: tolerance must be >= 0");
  NEED(s->target_period >= 0 && isfinite(s->target_period),
       "superspike: target_period must be >= 0");
  for (size_t i = 0; i < s->n_record_trials; i++)
    NEED(s->record_trials[i] >= 1, "superspike: trials count from 1");
#undef NEED
  evs_superspike *ss = calloc(1, sizeof *ss);
  if (!ss) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  ss->spec = *s;
  ss->target_path = malloc(strlen(s->target) + 1);
  ss->rec = malloc((s->n_record_trials + 1) * sizeof *ss->rec);
  if (!ss->target_path || !ss->rec) {
    evs__superspike_free(ss);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  strcpy(ss->target_path, s->target);
  if (s->n_record_trials)
    memcpy(ss->rec, s->record_trials, s->n_record_trials * sizeof *ss->rec);
  qsort(ss->rec, s->n_record_trials, sizeof *ss->rec, cmp_u64);
  ss->spec.target = ss->target_path;
  ss->spec.record_trials = ss->rec;
  ss->table = -1;
  evs_plugin *pl = evs__net_find_plugin(net, &evs__superspike_plugin);
  if (pl) { /* a second call replaces the first */
    evs__superspike_free(pl->state);
    pl->state = ss;
    return EVS_OK;
  }
  if (evs__net_add_plugin(net, &evs__superspike_plugin, ss, NULL))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
}

/* ---- start --------------------------------------------------------------- */

void evs__superspike_free(evs_superspike *ss) {
  if (!ss) return;
  for (uint32_t i = 0; i < ss->ngrp; i++) {
    ss_group *g = &ss->grp[i];
    free(g->sg);
    free(g->err);
    free(g->u);
    evs__ssgrad_work_free(g->work);
    free(g->z4);
    free(g->spk);
  }
  for (uint32_t i = 0; i < ss->nlay; i++) {
    ss_layer *l = &ss->lay[i];
    if (l->proj->rule) l->proj->rule->state = NULL;
    free(l->p);
    free(l->s1);
    free(l->s2);
    free(l->m);
    free(l->v);
    free(l->fb);
  }
  free(ss->grp);
  free(ss->lay);
  free(ss->tgt);
  free(ss->tgt_ptr);
  free(ss->tgt_time);
  evs__trace_bank_free(&ss->bank);
  free(ss->correct);
  free(ss->rows);
  free(ss->target_path);
  free(ss->rec);
  free(ss);
}

static int is_learning(const evs_proj *p) {
  return p->rule && p->rule->type == &evs__rule_superspike;
}

static ss_group *group_of(evs_superspike *ss, const evs_pop *pop) {
  for (uint32_t i = 0; i < ss->ngrp; i++)
    if (ss->grp[i].pop == pop) return &ss->grp[i];
  return NULL;
}

/* Finds the learning projections and their post populations; orders the
 * groups so that errors can flow from the output back. */
static int find_layers(evs_superspike *ss, evs_error *err) {
  evs_net *net = ss->net;
  uint32_t n = 0;
  for (uint32_t i = 0; i < net->nproj; i++) n += is_learning(net->proj[i]);
  if (!n)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "superspike: no projection has rule = superspike");
  ss->lay = calloc(n, sizeof *ss->lay);
  ss->grp = calloc(n, sizeof *ss->grp);
  evs_pop **posts = calloc(n, sizeof *posts);
  uint32_t *placed = calloc(n, sizeof *placed);
  int rc = EVS_OK;
  if (!ss->lay || !ss->grp || !posts || !placed) {
    rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    goto done;
  }
  /* distinct post populations */
  uint32_t np = 0;
  for (uint32_t i = 0; i < net->nproj; i++) {
    evs_proj *p = net->proj[i];
    if (!is_learning(p)) continue;
    if (p->weight_dim != EVS_DIM_VOLTAGE ||
        p->post->type->kind != EVS_POP_EXACT ||
        p->post->type->weight_scale(p->post, EVS_DIM_VOLTAGE) == 0 ||
        evs__param_index(p->post->type, "v_thresh") < 0 ||
        evs__pop_varies(p->post, evs__param_index(p->post->type, "v_thresh"))) {
      rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: superspike learns PSP amplitudes: "
                         "its weights must be voltages and its post "
                         "population an exact type such as IF_curr_exp "
                         "with one v_thresh for all its neurons",
                         p->name);
      evs_error_key(err, "weight");
      evs_error_about(err, EVS_ABOUT_PROJECTION, (int)i);
      goto done;
    }
    uint32_t k = 0;
    while (k < np && posts[k] != p->post) k++;
    if (k == np) posts[np++] = p->post;
  }
  evs_pop *out = net->pop[ss->spec.output];
  uint32_t k = 0;
  while (k < np && posts[k] != out) k++;
  if (k == np) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "superspike: output population %s receives no "
                       "learning projection",
                       out->name);
    evs_error_key(err, "output");
    goto done;
  }
  /* order: the output, then any group whose learning projections all lead
   * to groups already placed */
  ss->grp[ss->ngrp++] = (ss_group){.pop = out, .output = 1};
  placed[k] = 1;
  for (int progress = 1; progress && ss->ngrp < np;) {
    progress = 0;
    for (uint32_t a = 0; a < np; a++) {
      if (placed[a]) continue;
      int outs = 0, ready = 1;
      for (uint32_t i = 0; i < net->nproj; i++) {
        const evs_proj *p = net->proj[i];
        if (!is_learning(p) || p->pre != posts[a]) continue;
        outs++;
        if (!group_of(ss, p->post)) ready = 0;
      }
      if (outs && ready) {
        ss->grp[ss->ngrp++] = (ss_group){.pop = posts[a]};
        placed[a] = 1;
        progress = 1;
      }
    }
  }
  for (uint32_t a = 0; a < np; a++)
    if (!placed[a]) {
      rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "superspike: population %s learns but no error "
                         "reaches it (its own learning projections must lead "
                         "to the output without cycles)",
                         posts[a]->name);
      goto done;
    }
  ss->out = &ss->grp[0];
  for (uint32_t i = 0; i < net->nproj; i++) {
    evs_proj *p = net->proj[i];
    if (!is_learning(p)) continue;
    ss_layer *l = &ss->lay[ss->nlay++];
    l->ss = ss;
    l->proj = p;
    l->post = group_of(ss, p->post);
    l->pre = group_of(ss, p->pre);
    l->owns_post = 1;
    for (uint32_t j = 0; j + 1 < ss->nlay; j++)
      if (ss->lay[j].post == l->post) l->owns_post = 0;
    p->rule->state = l;
  }
done:
  free(posts);
  free(placed);
  return rc;
}

/* Series rows per window tick: sigma', error and the workspace's q, r1, r2
 * of every learning neuron, and the PSP trace of every presynaptic neuron
 * of every learning projection. */
static size_t series_rows(const evs_superspike *ss) {
  size_t rows = 0;
  for (uint32_t i = 0; i < ss->ngrp; i++)
    rows += 5 * (size_t)ss->grp[i].pop->size;
  for (uint32_t i = 0; i < ss->nlay; i++) rows += ss->lay[i].proj->csr->n_pre;
  return rows;
}

/* The window length, ticks: the update interval U, at most WINDOW_MAX, and
 * at most what SERIES_BUDGET holds (but never below WINDOW_MIN). */
static size_t window_ticks(const evs_superspike *ss) {
  size_t rows = series_rows(ss);
  size_t fit = rows ? SERIES_BUDGET / (rows * sizeof(double)) : WINDOW_MAX;
  size_t len = ss->U < WINDOW_MAX ? (size_t)ss->U : WINDOW_MAX;
  if (len > fit) len = fit > WINDOW_MIN ? fit : WINDOW_MIN;
  return len;
}

/* The row stride for windows of len ticks: whole cache lines, an odd number
 * of them. Rows a power of two apart in memory fall into the same cache
 * sets, and the per-tick work reads one tick of every row: with 2,048-tick
 * rows the per-tick reference took twice as long on S4. */
static size_t row_stride(size_t len) {
  size_t lines = (len + 7) / 8; /* 8 doubles a 64-byte line */
  return 8 * (lines % 2 ? lines : lines + 1);
}

static void *zalloc(size_t n, size_t size) { return calloc(n ? n : 1, size); }
#define ALLOC(p, n) (((p) = zalloc((n), sizeof *(p))) != NULL)

/* Adds the learner's traces to its bank, in the order of SS_PA ... SS_Z,
 * and points every layer and group at its part of them (one array per
 * trace; a layer's PSP parts at its offset among all the layers' pre
 * neurons, a hidden group's z among the hidden groups' neurons, in their
 * orders). Every coefficient starts at 0, t0 at 0. Returns 0, or -1 when
 * out of memory or when a trace would pass 2^32 neurons. */
_Static_assert(SS_N_TRACES <= EVS_TRACE_BANK_MAX,
               "the learner's traces fit in one bank");
static int add_traces(evs_superspike *ss) {
  const evs_superspike_spec *s = &ss->spec;
  evs_trace_bank *b = &ss->bank;
  uint64_t npre = 0, nz = 0;
  for (uint32_t i = 0; i < ss->nlay; i++) npre += ss->lay[i].proj->csr->n_pre;
  for (uint32_t i = 0; i < ss->ngrp; i++)
    if (ss->grp[i].z4) nz += ss->grp[i].pop->size;
  if (npre > UINT32_MAX || nz > UINT32_MAX) return -1;
  uint32_t nout = ss->out->pop->size;
  /* the PSP parts are the presynaptic neurons' (evs_ckpt_rows), the
   * errors' and z the learning neurons' own (evs_ckpt_neurons) */
  double *pa = evs__trace_bank_add(b, (uint32_t)npre, s->psp_decay);
  double *pb = pa ? evs__trace_bank_add(b, (uint32_t)npre, s->psp_rise) : NULL;
  ss->er = pb ? evs__trace_bank_add_post(b, nout, s->tau_rise) : NULL;
  ss->ed = ss->er ? evs__trace_bank_add_post(b, nout, s->tau_decay) : NULL;
  if (!ss->ed) return -1;
  for (uint32_t i = 0, at = 0; i < ss->nlay; i++) {
    ss->lay[i].pa = pa + at;
    ss->lay[i].pb = pb + at;
    at += ss->lay[i].proj->csr->n_pre;
  }
  if (!nz) return 0;
  double *z = evs__trace_bank_add_post(b, (uint32_t)nz, s->tau_z);
  if (!z) return -1;
  for (uint32_t i = 0, at = 0; i < ss->ngrp; i++)
    if (ss->grp[i].z4) {
      ss->grp[i].z = z + at;
      at += ss->grp[i].pop->size;
    }
  return 0;
}

static int allocate(evs_superspike *ss, evs_error *err) {
  const evs_superspike_spec *s = &ss->spec;
  size_t ld = ss->ld;
  int random = s->feedback == EVS_FEEDBACK_RANDOM;
  for (uint32_t i = 0; i < ss->ngrp; i++) {
    ss_group *g = &ss->grp[i];
    size_t n = g->pop->size;
    g->thresh = evs__param_index(g->pop->type, "v_thresh");
    if (!ALLOC(g->sg, n * ld) || !ALLOC(g->err, n * ld) || !ALLOC(g->u, n))
      goto oom;
    if (n && evs__ssgrad_work_new(&g->work, (uint32_t)n, ld)) goto oom;
    if (random && !g->output && !ALLOC(g->z4, n)) goto oom;
  }
  for (uint32_t i = 0; i < ss->nlay; i++) {
    ss_layer *l = &ss->lay[i];
    const evs_csr *c = l->proj->csr;
    size_t npre = c->n_pre, nnz = c->nnz;
    if (!ALLOC(l->p, npre * ld) || !ALLOC(l->s1, nnz) || !ALLOC(l->s2, nnz) ||
        !ALLOC(l->m, nnz) || !ALLOC(l->v, nnz))
      goto oom;
    if (!l->pre) continue;
    size_t nb = (size_t)c->n_post * npre;
    if (!ALLOC(l->fb, nb)) goto oom;
    if (s->feedback == EVS_FEEDBACK_RANDOM) {
      evs_rng r;
      evs_rng_init(&r, ss->net->seed, l->proj->index, 0, EVS_RNG_FEEDBACK);
      evs__ssgrad_feedback_random(l->fb, nb, &r);
    } else if (s->feedback == EVS_FEEDBACK_UNIFORM) {
      for (size_t k = 0; k < nb; k++) l->fb[k] = 1;
    }
  }
  if (!ALLOC(ss->correct, ss->out->pop->size) || add_traces(ss)) goto oom;
  return EVS_OK;
oom:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "superspike: out of memory for the window series");
}

int evs__superspike_start(evs_superspike *ss, evs_net *net, evs_error *err) {
  const evs_superspike_spec *s = &ss->spec;
  ss->net = net;
  ss->T = whole_ticks(s->trial, s->dt);
  ss->P = s->target_period > 0 ? whole_ticks(s->target_period, s->dt) : ss->T;
  if (!ss->P || ss->P % ss->T)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "superspike: target_period (%g s) must be a whole "
                         "number of trials (%g s)",
                         s->target_period, s->trial);
  ss->U = whole_ticks(s->update, s->dt);
  int rc;
  if ((rc = find_layers(ss, err))) return rc;
  /* on several ranks every learning population is on rank 0 (the rule's
   * on_rank0), which runs the learner and writes its files */
  ss->idle = net->rank != 0;
  if (ss->idle) return EVS_OK;
  ss->window = window_ticks(ss);
  ss->ld = row_stride(ss->window);
  if ((rc = evs__ss_read_targets(ss, err)) || (rc = allocate(ss, err)))
    return rc;
  evs__ssgrad_single_thread();
  if (evs__ssgrad_filter_alpha(&ss->filt, s->tau_rise, s->tau_decay, s->dt))
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "superspike: bad filter");
  return EVS_OK;
}
