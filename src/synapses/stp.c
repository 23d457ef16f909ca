/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — Tsodyks–Markram short-term plasticity (see stp.h for the model). */
#include <math.h>
#include <stdlib.h>

#include "synapses/stp.h"

int evs__stp_check(const char *proj, double U, double tau_d, double tau_f,
                   evs_error *err) {
  if (!(U > 0 && U <= 1))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: stp_U must lie in (0, 1] (got %g)",
                         proj, U);
  if (!(tau_d > 0) || !isfinite(tau_d))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: stp_tau_d must be a positive time "
                         "(got %g s)",
                         proj, tau_d);
  if (!(tau_f >= 0) || !isfinite(tau_f))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: stp_tau_f must be >= 0 (got %g s)",
                         proj, tau_f);
  return EVS_OK;
}

void evs__stp_free(evs_stp *s) {
  if (!s) return;
  free(s->u);
  free(s->x);
  free(s->t_last);
  free(s);
}

int evs__stp_new(evs_stp **out, const evs_csr *m, const char *proj, double U,
                 double tau_d, double tau_f, evs_error *err) {
  *out = NULL;
  int rc = evs__stp_check(proj, U, tau_d, tau_f, err);
  if (rc) return rc;
  evs_stp *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  s->U = U;
  s->tau_d = tau_d;
  s->tau_f = tau_f;
  s->rate_d = 1 / tau_d;
  s->rate_f = tau_f > 0 ? 1 / tau_f : 0;
  s->n = m->grp_ptr ? m->grp_ptr[m->n_pre] : m->n_pre;
  size_t n = s->n ? s->n : 1;
  s->u = malloc(n * sizeof *s->u);
  s->x = malloc(n * sizeof *s->x);
  s->t_last = malloc(n * sizeof *s->t_last);
  if (!s->u || !s->x || !s->t_last) goto nomem;
  for (uint64_t k = 0; k < s->n; k++) {
    s->u[k] = U; /* at rest: the elapsed time does not matter */
    s->x[k] = 1;
    s->t_last[k] = 0;
  }
  for (uint32_t r = 0; r < m->n_pre; r++) {
    if (!m->grp_ptr) {
      size_t len = (size_t)(m->row_ptr[r + 1] - m->row_ptr[r]);
      if (len > s->max_group) s->max_group = len;
      continue;
    }
    uint32_t b = 0; /* the groups' ends are from the row's start */
    for (uint64_t g = m->grp_ptr[r]; g < m->grp_ptr[r + 1]; g++) {
      size_t len = (size_t)(m->grp_end[g] - b);
      if (len > s->max_group) s->max_group = len;
      b = m->grp_end[g];
    }
  }
  *out = s;
  return EVS_OK;
nomem:
  evs__stp_free(s);
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "projection %s: short-term plasticity: out of memory",
                       proj);
}

double evs__stp_spike(evs_stp *s, uint64_t k, double t) {
  double h = t - s->t_last[k];
  if (h < 0) h = 0; /* arrivals of one group come in time order */
  double U = s->U;
  double u = s->rate_f > 0 ? U + (s->u[k] - U) * exp(-h * s->rate_f) : U;
  double x = 1 + (s->x[k] - 1) * exp(-h * s->rate_d);
  double r = u * x;
  s->x[k] = x - r;
  s->u[k] = u + U * (1 - u);
  s->t_last[k] = t;
  return r;
}

/* ---- the delivery filter (core/plugin.h) -------------------------------- */

/* Short-term plasticity as the filter of one projection: its parameters
 * until the build, then its state and the scratch the post type reads. */
typedef struct stp_filter {
  double U, tau_d, tau_f; /* as evs_net_set_stp got them (s) */
  const evs_csr *m;       /* the projection's synapses, after the build */
  evs_stp *s;             /* the state, made by the build */
  float *w;               /* [s->max_group] scratch: the filtered weights */
} stp_filter;

static int filter_build(evs_filter *f, const evs_proj *p, evs_error *err) {
  stp_filter *sf = f->state;
  int rc =
      evs__stp_new(&sf->s, p->csr, p->name, sf->U, sf->tau_d, sf->tau_f, err);
  if (rc) return rc;
  sf->m = p->csr;
  sf->w = malloc((sf->s->max_group ? sf->s->max_group : 1) * sizeof *sf->w);
  if (!sf->w)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "projection %s: short-term plasticity: out of memory",
                         p->name);
  return EVS_OK;
}

/* The post type receives w u x; the stored w is unchanged. */
static const float *filter_apply(evs_filter *f, double t, uint32_t row,
                                 uint32_t g, const float *w, size_t n) {
  stp_filter *sf = f->state;
  double r = evs__stp_spike(sf->s, evs__stp_group(sf->m, row, g), t);
  evs__stp_scale(sf->w, w, n, r);
  return sf->w;
}

static void filter_destroy(evs_filter *f) {
  stp_filter *sf = f->state;
  if (sf) {
    evs__stp_free(sf->s);
    free(sf->w);
    free(sf);
  }
  free(f);
}

/* A filter at rest for part of the projection: every group's state is
 * per group and advanced by that group's own arrivals only. */
static int filter_part(const evs_filter *f, const evs_proj *part,
                       evs_filter **out, evs_error *err);

/* Every delivery group's u, x and last arrival. */
static int filter_checkpoint(evs_filter *f, evs_ckpt *ck) {
  evs_stp *s = ((stp_filter *)f->state)->s;
  evs_ckpt_groups(ck, s->u, s->n, sizeof *s->u);
  evs_ckpt_groups(ck, s->x, s->n, sizeof *s->x);
  return evs_ckpt_groups(ck, s->t_last, s->n, sizeof *s->t_last);
}

/* New group k takes the u, x and last arrival of old group from[k]. */
static int filter_regroup(evs_filter *f, const evs_proj *p,
                          const uint64_t *from, evs_error *err) {
  stp_filter *sf = f->state;
  evs_stp *old = sf->s, *s = NULL;
  int rc =
      evs__stp_new(&s, p->csr, p->name, old->U, old->tau_d, old->tau_f, err);
  if (rc) return rc;
  float *w = malloc((s->max_group ? s->max_group : 1) * sizeof *w);
  if (!w) {
    evs__stp_free(s);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "projection %s: short-term plasticity: out of memory",
                         p->name);
  }
  for (uint64_t k = 0; k < s->n; k++) {
    s->u[k] = old->u[from[k]];
    s->x[k] = old->x[from[k]];
    s->t_last[k] = old->t_last[from[k]];
  }
  evs__stp_free(old);
  free(sf->w);
  sf->s = s;
  sf->w = w;
  sf->m = p->csr;
  return EVS_OK;
}

static const evs_filter_type stp_filter_type = {
    .name = "tsodyks_markram",
    .build = filter_build,
    .apply = filter_apply,
    .destroy = filter_destroy,
    .part = filter_part,
    .checkpoint = filter_checkpoint,
    .regroup = filter_regroup,
};

/* A filter of type stp_filter_type with parameters U, tau_d, tau_f (not
 * built), or NULL when out of memory. */
static evs_filter *filter_new(double U, double tau_d, double tau_f) {
  evs_filter *f = calloc(1, sizeof *f);
  stp_filter *sf = calloc(1, sizeof *sf);
  if (!f || !sf) {
    free(f);
    free(sf);
    return NULL;
  }
  *sf = (stp_filter){.U = U, .tau_d = tau_d, .tau_f = tau_f};
  *f = (evs_filter){.type = &stp_filter_type, .state = sf};
  return f;
}

static int filter_part(const evs_filter *f, const evs_proj *part,
                       evs_filter **out, evs_error *err) {
  const stp_filter *sf = f->state;
  *out = filter_new(sf->U, sf->tau_d, sf->tau_f);
  if (!*out)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "projection %s: short-term plasticity: out of memory",
                         part->name);
  int rc = filter_build(*out, part, err);
  if (rc) {
    filter_destroy(*out);
    *out = NULL;
  }
  return rc;
}

EVS_API int evs_net_set_stp(evs_net *net, int proj, double U, double tau_d,
                            double tau_f, evs_error *err) {
  if (net->built)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the network is already built and cannot change");
  if (proj < 0 || (uint32_t)proj >= net->nproj)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no projection with index %d", proj);
  evs_proj *p = net->proj[proj];
  int rc = evs__stp_check(p->name, U, tau_d, tau_f, err);
  if (rc) return rc;
  evs_filter *f = filter_new(U, tau_d, tau_f);
  if (!f) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  if (p->filter) p->filter->type->destroy(p->filter);
  p->filter = f;
  return EVS_OK;
}
