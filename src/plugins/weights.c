/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the weight recorders of projections: statistics rows
 * (<proj>.weights.tsv, evs_net_record_weights), every weight of a small
 * projection (<proj>.synapses.tsv, evs_net_record_synapses) and Matrix
 * Market snapshots (<proj>_<ms>ms.mtx, evs_net_record_matrix). Each first
 * brings the projection's weights up to the event's time. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/run.h"
#include "rules/plastic.h"
#include "plugins/plugins.h"
#include "core/ranks.h"
#include "base/checks.h"
#include "io/output.h"

/* The weight recordings of one projection. */
typedef struct recording {
  double stats_every;    /* s between statistics rows; 0: none */
  double synapses_every; /* s between rows of every weight; 0: none */
  double *matrix_t;      /* [n_matrix] s, sorted, distinct: snapshot times */
  size_t n_matrix;
  int stats_out, synapses_out;        /* output files of the run */
  uint64_t stats_rows, synapses_rows; /* rows written in the run */
} recording;

typedef struct weights {
  recording *proj; /* [nproj] by projection index */
  uint32_t nproj;
} weights;

/* The events' args: which recording of projection arg >> 2. */
enum { STATS = 1, MATRIX = 2, SYNAPSES = 3 };

/* The recording of projection proj (a valid index), made if missing, or
 * NULL when out of memory. */
static recording *get(evs_net *net, int proj) {
  evs_plugin *pl = evs__net_find_plugin(net, &evs__weights_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(weights));
  weights *s = pl->state;
  if (!s || evs__plugin_slot((void **)&s->proj, &s->nproj, (uint32_t)proj,
                             sizeof *s->proj))
    return NULL;
  return &s->proj[proj];
}

/* Checks that proj exists and interval is within [EVS__MIN_STEP, 1e15] s;
 * sets *out to the projection's recording. EVS_OK, or EVS_EINVAL / EVS_ENOMEM
 * with a message in err. */
static int get_recorded(evs_net *net, int proj, double interval,
                        recording **out, evs_error *err) {
  if (proj < 0 || (uint32_t)proj >= net->nproj)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no projection with index %d", proj);
  if (net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: recordings cannot change during a run",
                         net->proj[proj]->name);
  if (!(interval >= EVS__MIN_STEP) || !evs__value_ok(interval))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: the recording interval must be at least %g s "
                         "and finite, got %g s",
                         net->proj[proj]->name, EVS__MIN_STEP, interval);
  if (!(*out = get(net, proj)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
}

EVS_API int evs_net_record_weights(evs_net *net, int proj, double interval,
                                   evs_error *err) {
  recording *r;
  int rc = get_recorded(net, proj, interval, &r, err);
  if (rc == EVS_OK) r->stats_every = interval;
  return rc;
}

EVS_API int evs_net_record_synapses(evs_net *net, int proj, double interval,
                                    evs_error *err) {
  recording *r;
  int rc = get_recorded(net, proj, interval, &r, err);
  if (rc == EVS_OK) r->synapses_every = interval;
  return rc;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

EVS_API int evs_net_record_matrix(evs_net *net, int proj, const double *times,
                                  size_t n, evs_error *err) {
  if (proj < 0 || (uint32_t)proj >= net->nproj)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no projection with index %d", proj);
  if (net->run)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "%s: recordings cannot change during a run",
                         net->proj[proj]->name);
  for (size_t i = 0; i < n; i++)
    if (!(times[i] >= 0) || !evs__value_ok(times[i]))
      return evs_error_set(err, EVS_EINVAL, NULL, 0,
                           "%s: snapshot times must be finite and >= 0",
                           net->proj[proj]->name);
  recording *r = get(net, proj);
  double *t = malloc((n ? n : 1) * sizeof *t);
  if (!r || !t) {
    free(t);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  memcpy(t, times, n * sizeof *t);
  qsort(t, n, sizeof *t, by_value);
  size_t u = 0; /* one snapshot per distinct time */
  for (size_t i = 0; i < n; i++)
    if (u == 0 || t[i] != t[u - 1]) t[u++] = t[i];
  free(r->matrix_t);
  r->matrix_t = t;
  r->n_matrix = u;
  return EVS_OK;
}

/* record_synapses is for small projections. A recorded projection keeps
 * its post population whole in a threaded run (engine.h, whole_post): the
 * recordings read its CSR in the net's order. */
static int build(evs_plugin *pl, evs_net *net, evs_error *err) {
  const weights *s = pl->state;
  for (uint32_t i = 0; s && i < s->nproj; i++) {
    const recording *r = &s->proj[i];
    if (!(r->stats_every || r->synapses_every > 0 || r->n_matrix)) continue;
    evs_proj *p = net->proj[i];
    p->whole_post = 1;
    /* on several ranks each holds the synapses onto its own neurons, and
     * the recording gathers them in the net's order (rows built by target
     * list their targets in order; evs__ranks_whole_csr) */
    int by_source = p->spec.kind == EVS_CONN_FIXED_OUTDEGREE ||
                    p->spec.kind == EVS_CONN_FILE;
    if (net->nranks > 1 && evs__ranks_split(net, p->post) &&
        (by_source || !p->rule)) {
      evs_error_set(err, EVS_EINVAL, NULL, 0,
                    "projection %s: weight recordings of a %s projection "
                    "onto a population cut among the ranks do not run on "
                    "several ranks yet (run it in one process)",
                    p->name, by_source ? "fixed_outdegree or file" : "static");
      evs_error_about(err, EVS_ABOUT_PROJECTION, (int)i);
      return EVS_EINVAL;
    }
  }
  for (uint32_t i = 0; s && i < s->nproj; i++)
    if (s->proj[i].synapses_every > 0 &&
        net->proj[i]->synapses > EVS_RECORD_SYNAPSES_MAX) {
      evs_error_set(err, EVS_EINVAL, NULL, 0,
                    "projection %s: record_synapses writes every weight "
                    "and is for at most %d synapses (it has %llu); use "
                    "record_weights or record_matrix",
                    net->proj[i]->name, EVS_RECORD_SYNAPSES_MAX,
                    (unsigned long long)net->proj[i]->synapses);
      evs_error_key(err, "record_synapses");
      evs_error_about(err, EVS_ABOUT_PROJECTION, (int)i);
      return EVS_EINVAL;
    }
  return EVS_OK;
}

/* The synapses of p in the net's order: p->csr in one process; on several
 * ranks (collective) every rank's part gathered into *whole (the caller
 * frees it). */
static int view(evs_run *run, evs_proj *p, const evs_csr **m, evs_csr **whole,
                evs_error *err) {
  *whole = NULL;
  *m = p->csr;
  if (evs__run_ranks(run) == 1) return EVS_OK;
  int rc = evs__ranks_whole_csr(p->post->net, p->csr, whole, err);
  *m = *whole;
  return rc;
}

/* Opens <proj>.synapses.tsv: "time" then w<pre>_<post> per synapse of m. */
static int open_synapses(evs_output *o, const evs_proj *p, const evs_csr *m,
                         recording *r, evs_error *err) {
  size_t cap = 8 + (size_t)m->nnz * 24;
  char *h = malloc(cap), name[96];
  if (!h) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  size_t len = (size_t)snprintf(h, cap, "time");
  for (uint32_t j = 0; j < m->n_pre; j++)
    for (uint64_t k = m->row_ptr[j]; k < m->row_ptr[j + 1]; k++)
      len += (size_t)snprintf(h + len, cap - len, "\tw%u_%u", j,
                              evs_csr_target(m, k));
  snprintf(name, sizeof name, "%s.synapses.tsv", p->name);
  r->synapses_out = evs__output_table_open(o, name, h, err);
  free(h);
  return r->synapses_out < 0 ? r->synapses_out : EVS_OK;
}

/* Opens the files and pushes the first events; a projection's events have
 * the source net->next_gid + its index (after every neuron's). */
static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  weights *s = pl->state;
  evs_output *o = evs__run_output(run);
  if (!s || !o) return EVS_OK;
  evs_net *net = pl->net;
  int rc;
  for (uint32_t i = 0; i < s->nproj; i++) {
    if (!(s->proj[i].synapses_every > 0)) continue;
    const evs_csr *m;
    evs_csr *whole;
    if ((rc = view(run, net->proj[i], &m, &whole, err)) == EVS_OK)
      rc = open_synapses(o, net->proj[i], m, &s->proj[i], err);
    evs_csr_free(whole);
    if (rc) return rc;
  }
  for (uint32_t i = 0; i < s->nproj; i++) {
    recording *r = &s->proj[i];
    r->stats_rows = r->synapses_rows = 0;
    if (!r->stats_every) continue;
    char name[96];
    snprintf(name, sizeof name, "%s.weights.tsv", net->proj[i]->name);
    r->stats_out = evs__output_table_open(
        o, name, "time\tmean\tsd\tmin\tmax\tat_min\tat_max", err);
    if (r->stats_out < 0) return r->stats_out;
  }
  for (uint32_t i = 0; i < s->nproj; i++) {
    const recording *r = &s->proj[i];
    uint32_t src = net->next_gid + i;
    if (r->stats_every &&
        evs_run_push(run, pl, 0, EVS_EV_RECORD, src, i << 2 | STATS))
      goto nomem;
    if (r->synapses_every > 0 &&
        evs_run_push(run, pl, 0, EVS_EV_RECORD, src, i << 2 | SYNAPSES))
      goto nomem;
    for (size_t k = 0; k < r->n_matrix; k++)
      if (evs_run_push(run, pl, r->matrix_t[k], EVS_EV_RECORD, src,
                       i << 2 | MATRIX))
        goto nomem;
  }
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

static int write_matrix(evs_output *o, const evs_proj *p, const evs_csr *m,
                        double t) {
  char name[112], comment[320];
  snprintf(name, sizeof name, "%s_%.9gms.mtx", p->name, t * 1e3);
  snprintf(comment, sizeof comment,
           "evsnn: weights of projection %s (rows: %s, columns: %s) at t = "
           "%.9g s, SI units",
           p->name, p->pre->name, p->post->name, t);
  int rc = evs__output_matrix(o, name, comment, m, p->weight_scale, NULL);
  return rc < 0 ? rc : EVS_OK;
}

/* Writes recording ev->arg of p from the nm CSRs m (its synapses in the
 * net's order: one, or a threaded run's parts row by row, for statistics
 * only) and pushes its next event. */
static int record(evs_plugin *pl, evs_run *run, const evs_event *ev,
                  evs_proj *p, const evs_csr *const *m, uint32_t nm) {
  weights *s = pl->state;
  recording *r = &s->proj[ev->arg >> 2];
  evs_output *o = evs__run_output(run);
  switch (ev->arg & 3) {
  case MATRIX: return write_matrix(o, p, m[0], ev->t);
  case STATS: {
    double row[6];
    evs__weight_stats(p, m, nm, row);
    evs__output_probe_row(o, r->stats_out, ev->t, row, 6);
    uint64_t k = ++r->stats_rows;
    return evs_run_push(run, pl, (double)k * r->stats_every, EVS_EV_RECORD,
                        ev->source, ev->arg);
  }
  default: { /* SYNAPSES: every weight in CSR order, SI units */
    double row[EVS_RECORD_SYNAPSES_MAX];
    uint64_t n = m[0]->nnz; /* <= EVS_RECORD_SYNAPSES_MAX (build) */
    for (uint64_t k = 0; k < n; k++)
      row[k] = evs_csr_weight(m[0], k) / p->weight_scale;
    evs__output_probe_row(o, r->synapses_out, ev->t, row, (size_t)n);
    uint64_t k = ++r->synapses_rows;
    return evs_run_push(run, pl, (double)k * r->synapses_every, EVS_EV_RECORD,
                        ev->source, ev->arg);
  }
  }
}

/* Statistics on one rank read a threaded run's parts in place when they
 * are in the net's order (evs__run_proj_parts): B7's 20 M weights were
 * gathered on one thread for each row, ~0.08 s. */
static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  evs_proj *p = pl->net->proj[ev->arg >> 2];
  uint32_t nm = 0;
  evs_csr *const *parts = NULL;
  if ((ev->arg & 3) == STATS && evs__run_ranks(run) == 1)
    parts = evs__run_proj_parts(run, p, &nm);
  int rc = evs__proj_weights_at(p, ev->t, !parts);
  const evs_csr *m;
  evs_csr *whole = NULL;
  evs_error err;
  if (rc == EVS_OK && parts)
    return record(pl, run, ev, p, (const evs_csr *const *)parts, nm);
  if (rc == EVS_OK) rc = view(run, p, &m, &whole, &err);
  if (rc == EVS_OK) rc = record(pl, run, ev, p, &m, 1);
  evs_csr_free(whole);
  return rc;
}

/* Each projection's files and rows so far. */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  weights *s = pl->state;
  if (!s || !evs__run_output(run)) return evs_ckpt_status(ck);
  for (uint32_t i = 0; i < s->nproj; i++) {
    recording *r = &s->proj[i];
    evs_ckpt_bytes(ck, &r->stats_out, sizeof r->stats_out);
    evs_ckpt_bytes(ck, &r->synapses_out, sizeof r->synapses_out);
    evs_ckpt_bytes(ck, &r->stats_rows, sizeof r->stats_rows);
    evs_ckpt_bytes(ck, &r->synapses_rows, sizeof r->synapses_rows);
  }
  return evs_ckpt_status(ck);
}

static void destroy(evs_plugin *pl) {
  weights *s = pl->state;
  if (!s) return;
  for (uint32_t i = 0; i < s->nproj; i++) free(s->proj[i].matrix_t);
  free(s->proj);
  free(s);
}

const evs_plugin_type evs__weights_plugin = {
    .name = "weights",
    .build = build,
    .start = start,
    .clock = clock,
    .destroy = destroy,
    .checkpoint = checkpoint,
};
