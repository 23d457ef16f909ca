/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the synapses' weights through the public API: one weight for a
 * whole projection (evs_net_set_weight), every synapse's
 * (evs_net_get_weights, evs_net_set_weights: in SI units of the
 * projection's weight dimension, in CSR order, for programs and language
 * bindings (python/pynn_evsnn) that read and set weights one by one), and
 * the projection's synapses (evs_net_projection_csr). */
#include <math.h>
#include <stdlib.h>

#include "base/checks.h"
#include "core/net_impl.h"
#include "core/run.h"

EVS_API int evs_net_get_weights(const evs_net *net, int proj, double *w,
                                size_t n, evs_error *err) {
  evs_proj *p;
  int rc = evs__net_built_proj(net, proj, &p, err);
  if (rc) return rc;
  const evs_csr *m;
  evs_csr *joined; /* a threaded run's splits, in the net's order */
  rc = evs__run_synapses(net->run, p, &m, &joined, err);
  if (rc == EVS_OK) rc = evs__net_count_ok(p, m->nnz, n, "weights", err);
  if (rc == EVS_OK) {
    evs__run_gather(net->run, p); /* a threaded run's learned weights */
    for (uint64_t q = 0; q < m->nnz; q++)
      w[q] = evs_csr_weight(m, q) / p->weight_scale;
  }
  evs_csr_free(joined);
  return rc;
}

EVS_API int evs_net_set_weights(evs_net *net, int proj, const double *w,
                                size_t n, evs_error *err) {
  evs_proj *p;
  int rc = evs__net_built_proj(net, proj, &p, err);
  if (rc) return rc;
  uint64_t held;
  if ((rc = evs__run_held(net->run, p, &held, err))) return rc;
  if ((rc = evs__net_count_ok(p, held, n, "weights", err))) return rc;
  for (size_t q = 0; q < n; q++)
    if (!isfinite(w[q]) || !isfinite((float)(w[q] * p->weight_scale)))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: bad weight %g for synapse %zu", p->name, w[q],
                           q);
  /* what a threaded run flushed before now leaves with the old weights */
  if ((rc = evs__run_settle(net->run)))
    return evs_error_set(err, rc, NULL, 0, "%s: %s", p->name, evs_strerror(rc));
  if (!p->csr) /* a static projection split among the threads */
    return evs__run_set_weights(net->run, p, w, err);
  evs_csr *m = p->csr;
  if (!m->weight && n) { /* shared until now: give every synapse its own */
    if (!(m->weight = malloc(n * sizeof *m->weight)))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  for (size_t q = 0; q < n; q++) m->weight[q] = (float)(w[q] * p->weight_scale);
  /* a learning projection's threads hold its weights in their parts */
  evs__run_scatter(net->run, p);
  evs__run_weights_set(net->run, p);
  return EVS_OK;
}

EVS_API int evs_net_set_weight(evs_net *net, int proj, double w,
                               evs_error *err) {
  evs_proj *p = evs__net_proj(net, proj, err);
  if (!p) return EVS_EINVAL;
  if (!net->built)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: the network is not built yet", p->name);
  if (!evs__value_ok(w))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: bad weight %g (finite, at most %g)", p->name, w,
                         EVS__MAX_MAGNITUDE);
  float v = (float)(w * p->weight_scale);
  int rc = evs__run_settle(net->run); /* flushed before: the old weight */
  if (rc)
    return evs_error_set(err, rc, NULL, 0, "%s: %s", p->name, evs_strerror(rc));
  uint32_t n = 0; /* a threaded run's splits, and the net's CSR if kept */
  evs_csr *const *all = evs__run_proj_csrs(net->run, p, &n);
  if (n == 0 && !p->csr)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: its synapses were split among the threads of a "
                         "run that has ended",
                         p->name);
  for (uint32_t i = 0; i <= n; i++) {
    evs_csr *m = i < n ? all[i] : p->csr;
    if (!m || (i < n && m == p->csr)) continue;
    if (!m->weight) m->weight_shared = v;
    for (uint64_t k = 0; m->weight && k < m->nnz; k++) m->weight[k] = v;
  }
  evs__run_weights_set(net->run, p);
  return EVS_OK;
}

EVS_API const evs_csr *evs_net_projection_csr(const evs_net *net, int proj) {
  if (proj < 0 || (uint32_t)proj >= net->nproj) return NULL;
  return net->proj[proj]->csr;
}
