/* evsnn — Tsodyks–Markram short-term plasticity (see stp.h for the model). */
#include <math.h>
#include <stdlib.h>

#include "stp.h"

int evs__stp_check(const char *proj, double U, double tau_d, double tau_f,
                   evs_error *err) {
  if (!(U > 0 && U <= 1))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: stp_U must lie in (0, 1] (got %g)",
                         proj, U);
  if (!(tau_d > 0) || !isfinite(tau_d))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "projection %s: stp_tau_d must be a positive time "
                         "(got %g s)", proj, tau_d);
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
    uint64_t b = m->row_ptr[r];
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
