/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the rate checker (evs_net_check_rate, as Auryn's RateChecker):
 * a population's rate filtered by an exponential, checked every dt, stops
 * the run when it leaves its band. A flush before check k may hold spikes
 * at or after T_k (a source generates one tick ahead, a clocked type spikes
 * at its step's end), but never at or after T_(k+1), as dt is a whole
 * number of the population's ticks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plugins/plugins.h"
#include "base/checks.h"

/* The checker of one population. */
typedef struct checker {
  double lo, hi;  /* Hz: the band */
  double tau;     /* s: the filter's time constant; 0: not checked */
  uint64_t every; /* ticks of the population per check */
  double dt;      /* s: every * tick */
  uint64_t k;     /* index of the next check, >= 1 */
  double t_next;  /* s: time of check k */
  double r;       /* Hz: the filtered rate */
  uint64_t cur;   /* spikes in [T_(k-1), T_k) */
  uint64_t ahead; /* spikes in [T_k, T_(k+1)) */
} checker;

typedef struct checkers {
  checker *pop; /* [npop] by population index */
  uint32_t npop;
} checkers;

EVS_API int evs_net_check_rate(evs_net *net, int pop_index, double lo,
                               double hi, double tau, evs_error *err) {
  if (net->ran)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "the network has already run");
  if (pop_index < 0 || (uint32_t)pop_index >= net->npop)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "no population with index %d", pop_index);
  const evs_pop *pop = net->pop[pop_index];
  if (!(lo >= 0) || !(hi > lo) || !evs__value_ok(hi))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: the rate band needs 0 <= min < max, got "
                         "[%g, %g] Hz",
                         pop->name, lo, hi);
  if (!(tau > 0) || !evs__value_ok(tau))
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: the rate filter time constant must be > 0, "
                         "got %g s",
                         pop->name, tau);
  evs_plugin *pl = evs__net_find_plugin(net, &evs__rate_check_plugin);
  if (!pl->state) pl->state = calloc(1, sizeof(checkers));
  checkers *s = pl->state;
  if (!s || evs__plugin_slot((void **)&s->pop, &s->npop, (uint32_t)pop_index,
                             sizeof *s->pop))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  checker *c = &s->pop[pop_index];
  c->lo = lo;
  c->hi = hi;
  c->tau = tau;
  return EVS_OK;
}

/* Time of check k of pop: computed as its periodic events' times are, so
 * that a check coincides exactly with one of them and pops after it (the
 * protocol rank is last). */
static double check_time(const evs_pop *pop, const checker *c, uint64_t k) {
  return (double)(k * c->every) * pop->tick;
}

/* Readies the checkers and pushes their first checks. */
static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  checkers *s = pl->state;
  for (uint32_t i = 0; s && i < s->npop; i++) {
    checker *c = &s->pop[i];
    const evs_pop *pop = pl->net->pop[i];
    if (!(c->tau > 0)) continue;
    double want = fmin(c->tau / 10, 0.01);
    /* the relative slack keeps 10 ms / 1 ms at 10 ticks despite rounding */
    double m = ceil(want / pop->tick * (1 - 1e-9));
    c->every = m < 1 ? 1 : (uint64_t)m;
    c->dt = (double)c->every * pop->tick;
    c->k = 1;
    c->t_next = check_time(pop, c, 1);
    c->r = 0.5 * (c->lo + c->hi);
    c->cur = c->ahead = 0;
    if (evs_run_listen(run, pl, i) ||
        evs_run_push(run, pl, c->t_next, EVS_EV_PROTOCOL, pop->gid0, i))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  return EVS_OK;
}

static int spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                  const evs_spike *spk, size_t n) {
  (void)run;
  checker *c = &((checkers *)pl->state)->pop[pop];
  for (size_t i = 0; i < n; i++) {
    if (spk[i].t < c->t_next)
      c->cur++;
    else
      c->ahead++;
  }
  return EVS_OK;
}

/* Check k of population ev->arg: updates the filter; stops the run when
 * the rate is outside the band. */
static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  checker *c = &((checkers *)pl->state)->pop[ev->arg];
  const evs_pop *pop = pl->net->pop[ev->arg];
  c->r = c->r * exp(-c->dt / c->tau) +
         (double)c->cur / ((double)pop->size * c->tau);
  c->cur = c->ahead;
  c->ahead = 0;
  if (c->r < c->lo || c->r > c->hi) {
    char reason[160], log[160];
    snprintf(reason, sizeof reason, "rate %.9g Hz outside [%g, %g]", c->r,
             c->lo, c->hi);
    snprintf(log, sizeof log,
             "rate check: population %s left its band at t = %.9g s", pop->name,
             ev->t);
    evs_run_stop(run, ev->t, reason, log);
    return EVS_OK;
  }
  c->t_next = check_time(pop, c, ++c->k);
  return evs_run_push(run, pl, c->t_next, EVS_EV_PROTOCOL, pop->gid0, ev->arg);
}

/* Every checker: its band, filter, next check and counts. */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  (void)run;
  checkers *s = pl->state;
  if (!s) return evs_ckpt_label(ck, "no rate check");
  evs_ckpt_label(ck, "rate checks");
  return evs_ckpt_fixed(ck, s->pop, s->npop, sizeof *s->pop);
}

static void destroy(evs_plugin *pl) {
  checkers *s = pl->state;
  if (!s) return;
  free(s->pop);
  free(s);
}

const evs_plugin_type evs__rate_check_plugin = {
    .name = "rate checker",
    .start = start,
    .clock = clock,
    .spikes = spikes,
    .destroy = destroy,
    .checkpoint = checkpoint,
};
