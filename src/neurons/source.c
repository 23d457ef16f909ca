/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — spike sources: SpikeSourcePoisson here, SpikeSourceFrozenPoisson and
 * SpikeSourceArray in source_replay.c.
 *
 * A source receives nothing; its periodic event at time t emits the spikes
 * of [t, t + tick) (core/neuron_type.h). Spike times are exact doubles, never
 * rounded to a grid.
 *
 * - Poisson: neuron i draws exponential intervals (mean 1/rate) from its
 *   stream (seed, population, i, EVS_RNG_INPUT), the first counted from
 *   start; spikes lie in [start, stop). The rate may differ between
 *   neurons (evs__pop_value: set per neuron, or drawn by neuron i from
 *   (seed, population, i, EVS_RNG_INIT)). A binary heap of every neuron's next
 *   spike (ordered by time, then id) makes a run cost O(spikes log N),
 *   independent of the number of ticks.
 * - FrozenPoisson: neuron i's spikes in [0, period) are drawn once from
 *   (seed, population, i, EVS_RNG_PATTERN) and replayed every period: cycle
 *   k's spike is k * period + s, so every cycle is the same pattern.
 * - Array: the spikes of a .ras file ("time id" per line, seconds, '#'
 *   starts a comment), sorted by (time, id); played once (period 0) or
 *   every period.
 * The last two share one replay state: a sorted pattern and a cursor. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/checks.h"
#include "core/net_impl.h"
#include "neurons/types.h"

/* ---- shared ------------------------------------------------------------ */

double evs__source_weight_scale(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  (void)dim;
  return 0.0;
}

/* Returns 1 when heap entry a comes before b: earlier time, then lower id. */
static inline int spike_before(const evs_spike *a, const evs_spike *b) {
  return a->t < b->t || (a->t == b->t && a->id < b->id);
}

/* ---- SpikeSourcePoisson -------------------------------------------------- */

enum { PO_RATE, PO_START, PO_STOP, PO_N_PARAMS };

static const evs_param_def poisson_params[PO_N_PARAMS] = {
    {"rate", EVS_DIM_RATE, 1.0, EVS_PARAM_PER_NEURON, "mean firing rate"},
    {"start", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
     "time of the first possible spike"},
    {"stop", EVS_DIM_TIME, INFINITY, EVS_PARAM_CONST,
     "no spike at or after this time"},
};

typedef struct poisson_state {
  evs_rng *rng;    /* [size] one stream per neuron */
  evs_spike *heap; /* [n] next spike of every neuron still active */
  uint32_t n;      /* entries in heap */
  double inv_rate; /* s, mean interval */
  double *inv;     /* [size] s, each neuron's mean interval (inf: rate 0)
                      when the rate differs between neurons, else NULL */
  double stop;     /* s */
} poisson_state;

static void heap_sift_down(evs_spike *h, uint32_t n, uint32_t i) {
  evs_spike x = h[i];
  for (;;) {
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && spike_before(&h[c + 1], &h[c])) c++;
    if (!spike_before(&h[c], &x)) break;
    h[i] = h[c];
    i = c;
  }
  h[i] = x;
}

static void poisson_destroy(evs_pop *pop) {
  poisson_state *s = pop->state;
  if (!s) return;
  free(s->rng);
  free(s->heap);
  free(s->inv);
  free(s);
  pop->state = NULL;
}

/* The mean interval of neuron i (s). */
static inline double poisson_interval(const poisson_state *s, uint32_t i) {
  return s->inv ? s->inv[i] : s->inv_rate;
}

/* The constants that follow from pop's parameters: the end of the spikes
 * and the mean interval, the population's and, when the rate differs
 * between neurons, each neuron's (evs__pop_value, drawn from the neuron's
 * stream (seed, population, i, EVS_RNG_INIT)), checked. EVS_OK, or
 * EVS_EMODEL / EVS_ENOMEM with a message in err. */
static int poisson_derive(evs_pop *pop, poisson_state *s, evs_error *err) {
  s->stop = pop->par[PO_STOP];
  s->inv_rate = 1.0 / pop->par[PO_RATE];
  if (!evs__pop_varies(pop, PO_RATE)) {
    free(s->inv); /* one rate for all now */
    s->inv = NULL;
    return EVS_OK;
  }
  if (!s->inv && !(s->inv = malloc((size_t)pop->size * sizeof *s->inv)))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "population %s: out of memory for %u sources",
                         pop->name, (unsigned)pop->size);
  for (uint32_t i = 0; i < pop->size; i++) {
    evs_rng r;
    evs_rng_init(&r, pop->seed, pop->index, i, EVS_RNG_INIT);
    double ri = evs__pop_value(pop, PO_RATE, i, &r);
    if (!(ri >= 0) || !isfinite(ri))
      return evs__error_key_set(err, EVS_EMODEL, "rate",
                                "population %s: neuron %u: rate must be "
                                ">= 0 and finite (got %g Hz)",
                                pop->name, (unsigned)i, ri);
    s->inv[i] = 1.0 / ri; /* inf for 0: no spike */
  }
  return EVS_OK;
}

static int poisson_init(evs_pop *pop, evs_error *err) {
  const double rate = pop->par[PO_RATE], start = pop->par[PO_START],
               stop = pop->par[PO_STOP];
  if (!(rate >= 0) || !isfinite(rate))
    return evs__error_key_set(
        err, EVS_EMODEL, "rate",
        "population %s: rate must be >= 0 and finite (got %g Hz)", pop->name,
        rate);
  if (!(start >= 0) || !isfinite(start))
    return evs__error_key_set(
        err, EVS_EMODEL, "start",
        "population %s: start must be >= 0 and finite (got %g s)", pop->name,
        start);
  if (!(stop >= start))
    return evs__error_key_set(
        err, EVS_EMODEL, "stop",
        "population %s: stop (%g s) must not be before start "
        "(%g s)",
        pop->name, stop, start);
  poisson_state *s = calloc(1, sizeof *s);
  if (!s) goto nomem;
  pop->state = s;
  if (rate == 0 || stop == start || pop->size == 0) {
    s->stop = stop;
    return EVS_OK;
  }
  int rc = poisson_derive(pop, s, err);
  if (rc) return rc;
  s->rng = malloc((size_t)pop->size * sizeof *s->rng);
  s->heap = malloc((size_t)pop->size * sizeof *s->heap);
  if (!s->rng || !s->heap) goto nomem;
  for (uint32_t i = 0; i < pop->size; i++) {
    evs_rng_init(&s->rng[i], pop->seed, pop->index, i, EVS_RNG_INPUT);
    double t = start + evs_rng_exponential(&s->rng[i]) * poisson_interval(s, i);
    if (t < stop) s->heap[s->n++] = (evs_spike){t, i};
  }
  for (uint32_t i = s->n / 2; i-- > 0;) heap_sift_down(s->heap, s->n, i);
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                       "population %s: out of memory for %u sources", pop->name,
                       (unsigned)pop->size);
}

static int poisson_tick(evs_pop *pop, double t) {
  poisson_state *s = pop->state;
  const double end = t + pop->tick;
  while (s->n > 0 && s->heap[0].t < end) {
    evs_spike *top = &s->heap[0];
    int rc = evs__pop_emit(pop, top->t, top->id);
    if (rc) return rc;
    double next = top->t + evs_rng_exponential(&s->rng[top->id]) *
                               poisson_interval(s, top->id);
    if (next < s->stop) {
      top->t = next;
    } else {
      *top = s->heap[--s->n];
    }
    heap_sift_down(s->heap, s->n, 0);
  }
  return EVS_OK;
}

/* Rate checks before a change after the build: the population's and each
 * neuron's rate >= 0 and finite; start and stop are fixed once built. */
static int poisson_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k != PO_RATE)
    return evs__bad_param(next, k, "cannot change once the net is built", err);
  for (uint32_t i = 0; i < next->size; i++) {
    double ri = evs__pop_value(next, PO_RATE, i, NULL); /* no draw: values */
    if (!(ri >= 0) || !isfinite(ri))
      return evs__error_key_set(err, EVS_EMODEL, "rate",
                                "population %s: neuron %u: rate must be "
                                ">= 0 and finite (got %g Hz)",
                                next->name, (unsigned)i, ri);
  }
  return EVS_OK;
}

/* The end of the spikes the source has emitted by its periodic events
 * before t: (k - 1) tick + tick for the last event time (k - 1) tick
 * before t (core/run.c's periodic times), 0 before any. */
static double poisson_emitted(const evs_pop *pop, double t) {
  double k = ceil(t / pop->tick);
  while (k * pop->tick < t) k++;
  while (k > 0 && (k - 1) * pop->tick >= t) k--;
  return k > 0 ? (k - 1) * pop->tick + pop->tick : 0;
}

/* The streams and the heap of a population that had none (its rate was 0
 * at init), every neuron's stream at its start. EVS_OK or EVS_ENOMEM. */
static int poisson_streams(evs_pop *pop, poisson_state *s) {
  s->rng = malloc((size_t)pop->size * sizeof *s->rng);
  s->heap = malloc((size_t)pop->size * sizeof *s->heap);
  if (!s->rng || !s->heap) return EVS_ENOMEM;
  for (uint32_t i = 0; i < pop->size; i++)
    evs_rng_init(&s->rng[i], pop->seed, pop->index, i, EVS_RNG_INPUT);
  return EVS_OK;
}

/* The rate changed at t: it holds from h on, the end of the spikes already
 * emitted (or start, if later). A Poisson process forgets its past, so
 * neuron i's pending next spike x becomes h + (x - h) r_old / r_new (the
 * same draw of its stream, scaled: an interval of the new rate), dropped at
 * a rate of 0 or at or after stop; a neuron whose rate was 0 draws its next
 * spike h + X / r_new from its stream. A neuron whose rate stays is left
 * as it was. */
static int poisson_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)old, (void)k;
  poisson_state *s = pop->state;
  if (pop->size == 0) return EVS_OK;
  double h = fmax(poisson_emitted(pop, t), pop->par[PO_START]);
  /* without streams (init's rate was 0) every old interval is infinite */
  double inv_rate0 = s->rng ? s->inv_rate : INFINITY, *inv0 = s->inv;
  s->inv = NULL;
  uint8_t *held = calloc(pop->size, 1);
  int rc = held ? poisson_derive(pop, s, NULL) : EVS_ENOMEM;
  if (rc == EVS_OK && !s->rng) rc = poisson_streams(pop, s);
  if (rc) {
    free(held);
    free(inv0);
    return rc;
  }
  int moved = 0;
  for (uint32_t q = 0; q < s->n;) {
    uint32_t i = s->heap[q].id;
    double a = inv0 ? inv0[i] : inv_rate0, b = poisson_interval(s, i);
    held[i] = 1;
    if (a == b) {
      q++;
      continue;
    }
    moved = 1;
    double x = isinf(b) ? INFINITY : h + (s->heap[q].t - h) / a * b;
    if (x < s->stop)
      s->heap[q++].t = x;
    else
      s->heap[q] = s->heap[--s->n];
  }
  for (uint32_t i = 0; i < pop->size && h < s->stop; i++) {
    double a = inv0 ? inv0[i] : inv_rate0, b = poisson_interval(s, i);
    if (held[i] || !isinf(a) || isinf(b)) continue;
    double x = h + evs_rng_exponential(&s->rng[i]) * b;
    if (x < s->stop) s->heap[s->n++] = (evs_spike){x, i};
    moved = 1;
  }
  if (moved)
    for (uint32_t i = s->n / 2; i-- > 0;) heap_sift_down(s->heap, s->n, i);
  free(held);
  free(inv0);
  return EVS_OK;
}

/* The neurons' streams and the heap of their next spikes. */
static int poisson_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  poisson_state *s = pop->state;
  uint32_t n = s->n;
  evs_ckpt_bytes(ck, &n, sizeof n);
  if (evs_ckpt_status(ck)) return evs_ckpt_status(ck);
  if (n > (s->heap ? pop->size : 0))
    return evs_ckpt_refuse(ck,
                           "population %s: a corrupt checkpoint (its "
                           "sources)",
                           pop->name);
  s->n = n;
  for (uint32_t i = 0; i < n; i++) { /* not the structs' padding */
    evs_ckpt_bytes(ck, &s->heap[i].t, sizeof s->heap[i].t);
    evs_ckpt_bytes(ck, &s->heap[i].id, sizeof s->heap[i].id);
  }
  if (s->rng) evs_ckpt_fixed(ck, s->rng, pop->size, sizeof *s->rng);
  return evs_ckpt_status(ck);
}

const evs_neuron_type evs__source_poisson = {
    .name = "SpikeSourcePoisson",
    .kind = EVS_POP_SOURCE,
    .params = poisson_params,
    .n_params = PO_N_PARAMS,
    .weight_scale = evs__source_weight_scale,
    .init = poisson_init,
    .destroy = poisson_destroy,
    .deliver = NULL,
    .tick = poisson_tick,
    .voltage = NULL,
    .dc_scale = NULL,
    .checkpoint = poisson_checkpoint,
    .check_change = poisson_check_change,
    .change = poisson_change,
};
