/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the synapses' delays through the public API (evs_net_get_delays,
 * evs_net_set_delays): every synapse's, in seconds, in CSR order as
 * evs_net_get_weights gives the weights; set before the run or between its
 * phases. A change sorts each row again into delay groups
 * (evs_csr_set_delays: weights and the transposed index move with their
 * synapses), gives a delivery filter's per-group state to the new groups,
 * and makes the run's pending deliveries name the same synapses
 * (core/run_delays.c; on threads core/threads_delays.c, on the threads'
 * parts joined in the net's order): a spike scheduled before the change
 * arrives when it was due, a later one with the new delay. On several
 * ranks a collective call: each rank changes its own synapses, the ranks
 * agree on the refusals and on the shortest and longest delay.
 * doc/manual.md, "Phases". */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/net_impl.h"
#include "core/plugin.h"
#include "core/ranks.h"
#include "core/run.h"

/* The first position of group g (global index) of row in m. */
static uint64_t group_begin(const evs_csr *m, uint32_t row, uint64_t g) {
  return g > m->grp_ptr[row] ? evs_csr_group_end(m, row, g - 1)
                             : m->row_ptr[row];
}

static void read_delays(const evs_net *net, const evs_csr *m, double *d);

EVS_API int evs_net_get_delays(const evs_net *net, int proj, double *d,
                               size_t n, evs_error *err) {
  evs_proj *p;
  int rc = evs__net_built_proj(net, proj, &p, err);
  if (rc) return rc;
  const evs_csr *m;
  evs_csr *joined; /* a threaded run's splits, in the net's order */
  rc = evs__run_synapses(net->run, p, &m, &joined, err);
  if (rc == EVS_OK &&
      (rc = evs__net_count_ok(p, m->nnz, n, "delays", err)) == EVS_OK)
    read_delays(net, m, d);
  evs_csr_free(joined);
  return rc;
}

/* The delays of m's synapses (s) into d[0 .. nnz). */
static void read_delays(const evs_net *net, const evs_csr *m, double *d) {
  for (uint32_t i = 0; i < m->n_pre; i++) {
    if (!m->grp_ptr) {
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++)
        d[q] = m->const_delay * net->resolution;
      continue;
    }
    for (uint64_t g = m->grp_ptr[i]; g < m->grp_ptr[i + 1]; g++)
      for (uint64_t q = group_begin(m, i, g); q < evs_csr_group_end(m, i, g);
           q++)
        d[q] = m->grp_delay[g] * net->resolution;
  }
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Whether the new delays steps keep every delay group of m one group:
 * *bijective when each old group's synapses get one delay, distinct
 * between the groups of a row; *in_place when moreover those delays
 * increase along the row, so that no synapse moves. EVS_OK or
 * EVS_ENOMEM. */
static int group_map(const evs_csr *m, const uint32_t *steps, int *bijective,
                     int *in_place) {
  *bijective = *in_place = 1;
  uint64_t most = 1;
  for (uint32_t i = 0; m->grp_ptr && i < m->n_pre; i++)
    if (m->grp_ptr[i + 1] - m->grp_ptr[i] > most)
      most = m->grp_ptr[i + 1] - m->grp_ptr[i];
  uint32_t *d = malloc(most * sizeof *d);
  if (!d) return EVS_ENOMEM;
  for (uint32_t i = 0; i < m->n_pre && *bijective; i++) {
    uint64_t g0 = m->grp_ptr ? m->grp_ptr[i] : 0;
    uint64_t g1 = m->grp_ptr ? m->grp_ptr[i + 1] : 1;
    if (m->row_ptr[i] == m->row_ptr[i + 1]) continue;
    for (uint64_t g = g0; g < g1; g++) {
      uint64_t b = m->grp_ptr ? group_begin(m, i, g) : m->row_ptr[i];
      uint64_t e = m->grp_ptr ? evs_csr_group_end(m, i, g) : m->row_ptr[i + 1];
      for (uint64_t q = b + 1; q < e; q++)
        if (steps[q] != steps[b]) *bijective = 0;
      d[g - g0] = steps[b];
      if (g > g0 && d[g - g0] <= d[g - g0 - 1]) *in_place = 0;
    }
    qsort(d, g1 - g0, sizeof *d, cmp_u32);
    for (uint64_t k = 1; k < g1 - g0; k++)
      if (d[k] == d[k - 1]) *bijective = 0;
  }
  free(d);
  if (!*bijective) *in_place = 0;
  return EVS_OK;
}

/* The delivery groups (numbered as a filter's state is: evs__stp_group)
 * of every position of m, into grp[nnz]. */
static void groups_of(const evs_csr *m, uint64_t *grp) {
  for (uint32_t i = 0; i < m->n_pre; i++) {
    if (!m->grp_ptr) {
      for (uint64_t q = m->row_ptr[i]; q < m->row_ptr[i + 1]; q++) grp[q] = i;
      continue;
    }
    for (uint64_t g = m->grp_ptr[i]; g < m->grp_ptr[i + 1]; g++)
      for (uint64_t q = group_begin(m, i, g); q < evs_csr_group_end(m, i, g);
           q++)
        grp[q] = g;
  }
}

/* The checks of a delay change of p to steps that need the values alone:
 * at least one step, at least an exact presynaptic population's window
 * (its shortest outgoing delay when built), one delay on a learning
 * projection. */
static int check_steps(const evs_net *net, const evs_proj *p,
                       const uint32_t *steps, uint64_t n, evs_error *err) {
  uint32_t window = 1;
  if (p->pre->type->kind == EVS_POP_EXACT)
    window = (uint32_t)llround(p->pre->tick / net->resolution);
  for (uint64_t q = 0; q < n; q++) {
    if (steps[q] < window)
      return evs_error_set(
          err, EVS_EINVAL, NULL, 0,
          "%s: delay %g ms of synapse %llu is below %s (%g ms)%s", p->name,
          steps[q] * net->resolution * 1e3, (unsigned long long)q,
          window > 1 ? "the window of its exact presynaptic population, "
                       "its shortest outgoing delay when built"
                     : "the resolution",
          window * net->resolution * 1e3,
          window > 1 ? ": build the net with the shorter delay" : "");
    if (p->rule && steps[q] != steps[0])
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: a learning projection needs one delay for "
                           "all its synapses",
                           p->name);
  }
  return EVS_OK;
}

/* The refusals of a change that moves synapses or splits delay groups
 * during a run. */
static int check_layout(const evs_net *net, const evs_proj *p, int bijective,
                        int in_place, evs_error *err) {
  if (p->filter && !p->filter->type->regroup)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: its delivery filter (%s) keeps its delays",
                         p->name, p->filter->type->name);
  if (!net->run) return EVS_OK;
  if (p->filter && !bijective)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: during a run, the delays of a projection with "
                         "%s state per delay group must keep each group "
                         "whole (one new delay per group, distinct in a "
                         "row); set others before the run",
                         p->name, p->filter->type->name);
  if (p->whole_post && !in_place)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: its weights are recorded, in CSR order; "
                         "during the run a delay change must not reorder "
                         "its synapses",
                         p->name);
  return EVS_OK;
}

static int change_delays(evs_net *net, evs_proj *p, const double *d, size_t n,
                         evs_error *err);

EVS_API int evs_net_set_delays(evs_net *net, int proj, const double *d,
                               size_t n, evs_error *err) {
  evs_proj *p;
  int rc = evs__net_built_proj(net, proj, &p, err);
  if (rc) return rc;
  if (net->ran && !net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0, "%s: the run has ended",
                         p->name);
  const evs_csr *held;
  evs_csr *joined; /* a threaded run's splits, changed in the net's order */
  rc = evs__run_synapses(net->run, p, &held, &joined, err);
  if (rc == EVS_OK) rc = evs__net_count_ok(p, held->nnz, n, "delays", err);
  /* on several ranks, every rank changes its part (a collective call) */
  if ((rc = evs__ranks_agree(net, rc, err))) {
    evs_csr_free(joined);
    return rc;
  }
  if (joined) p->csr = joined; /* until the splits are made from it again */
  rc = change_delays(net, p, d, n, err);
  if (joined) {
    p->csr = NULL;
    evs_csr_free(joined);
  }
  return rc;
}

/* evs_net_set_delays on p's synapses in p->csr, n of them. */
static int change_delays(evs_net *net, evs_proj *p, const double *d, size_t n,
                         evs_error *err) {
  evs_csr *m = p->csr;
  uint32_t *steps = malloc((n ? n : 1) * sizeof *steps);
  uint64_t *moved_to = malloc((n ? n : 1) * sizeof *moved_to);
  uint64_t *from = NULL, *grp = NULL;
  evs_csr old = *m; /* the layout before: rows, and copies of the groups */
  old.grp_ptr = NULL;
  old.grp_delay = NULL;
  old.grp_end = NULL;
  int rc = EVS_OK, bijective = 1, in_place = 1;
  uint32_t dmin = UINT32_MAX, dmax = 0;
  if (!steps || !moved_to) goto check_nomem;
  for (size_t q = 0; q < n; q++) {
    double s = d[q] / net->resolution;
    if (!(s >= 0) || !(s < 4294967294.0)) {
      rc =
          evs_error_set(err, EVS_EINVAL, NULL, 0,
                        "%s: bad delay %g s for synapse %zu", p->name, d[q], q);
      goto checked;
    }
    steps[q] = (uint32_t)lround(s);
    if (steps[q] > dmax) dmax = steps[q];
  }
  if ((rc = check_steps(net, p, steps, n, err))) goto checked;
  if (group_map(m, steps, &bijective, &in_place)) goto check_nomem;
  if ((rc = check_layout(net, p, bijective, in_place, err))) goto checked;
  if (m->grp_ptr) {
    uint64_t groups = m->grp_ptr[m->n_pre];
    size_t rows = ((size_t)m->n_pre + 1) * sizeof *old.grp_ptr;
    old.grp_ptr = malloc(rows);
    old.grp_delay = malloc((groups ? groups : 1) * sizeof *old.grp_delay);
    old.grp_end = malloc((groups ? groups : 1) * sizeof *old.grp_end);
    if (!old.grp_ptr || !old.grp_delay || !old.grp_end) goto check_nomem;
    memcpy(old.grp_ptr, m->grp_ptr, rows);
    memcpy(old.grp_delay, m->grp_delay, groups * sizeof *old.grp_delay);
    memcpy(old.grp_end, m->grp_end, groups * sizeof *old.grp_end);
  }
  if (p->filter) { /* the old group of each synapse */
    if (!(grp = malloc((n ? n : 1) * sizeof *grp))) goto check_nomem;
    groups_of(m, grp);
  }
  goto checked;
check_nomem:
  rc = evs_error_set(err, EVS_ENOMEM, NULL, 0,
                     "%s: out of memory changing delays", p->name);
checked: /* on several ranks: all change, or none (collective) */
  if ((rc = evs__ranks_agree(net, rc, err)) ||
      (rc = evs__ranks_extent(net, &dmin, &dmax, err)))
    goto out;
  if (net->run &&
      (rc = evs__run_delays_begin(net->run, p, bijective, dmax, err)))
    goto out; /* alike on every rank: dmax is the ranks' */
  /* a threaded run's spikes flushed before now leave with the old delays */
  if ((rc = evs__run_settle(net->run)))
    evs_error_set(err, rc, NULL, 0, "%s: %s", p->name, evs_strerror(rc));
  if (rc == EVS_OK && p->rule) /* its weights move too */
    evs__run_gather(net->run, p);
  int set = rc == EVS_OK ? evs_csr_set_delays(m, steps, moved_to) : EVS_OK;
  if (set == EVS_ENOMEM)
    rc = evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "%s: out of memory changing delays", p->name);
  else if (set)
    rc = evs_error_set(err, set, NULL, 0,
                       "%s: a row of more than 2^32 - 1 synapses must keep "
                       "one delay",
                       p->name);
  const int changed = rc == EVS_OK;
  /* on several ranks the shortest and longest delays are the ranks' (the
   * exchange windows follow them), as at the build */
  dmin = m->nnz ? m->min_delay : UINT32_MAX;
  dmax = m->nnz ? m->max_delay : 0;
  int agreed = evs__ranks_agree(net, rc, err);
  if (agreed == EVS_OK) agreed = evs__ranks_extent(net, &dmin, &dmax, err);
  if (agreed) { /* another rank failed: its synapses did not move */
    if (changed) p->post->failed = agreed;
    rc = agreed;
    goto out;
  }
  if (net->comm) {
    m->min_delay = dmin == UINT32_MAX ? 0 : dmin;
    m->max_delay = dmax;
  }
  if (net->run &&
      (rc = evs__run_delays_end(net->run, p, &old, moved_to, bijective, err))) {
    p->post->failed = rc; /* the synapses moved, the rings did not grow */
    goto out;
  }
  if (p->filter) { /* each new group takes its synapses' old group's state */
    uint64_t groups = m->grp_ptr ? m->grp_ptr[m->n_pre] : m->n_pre;
    uint64_t *now = malloc((n ? n : 1) * sizeof *now);
    from = calloc(groups ? groups : 1, sizeof *from);
    if (!now || !from) {
      free(now);
      goto filter_nomem;
    }
    groups_of(m, now);
    for (size_t q = 0; q < n; q++) from[now[moved_to[q]]] = grp[q];
    free(now);
    if ((rc = evs__run_regroup(net->run, p, from, err))) goto filter_failed;
  }
  goto out;
filter_nomem:
  rc = evs_error_set(err, EVS_ENOMEM, NULL, 0,
                     "%s: out of memory changing delays", p->name);
filter_failed: /* the synapses moved, the filter's state did not */
  p->post->failed = rc;
out:
  free(steps);
  free(moved_to);
  free(from);
  free(grp);
  free(old.grp_ptr);
  free(old.grp_delay);
  free(old.grp_end);
  return rc;
}
