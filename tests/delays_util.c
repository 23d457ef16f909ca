/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* The building blocks of the delay tests (check_delays.c,
 * check_delays_rules.c): a plug-in collecting one population's spikes,
 * populations, sources, projections, delays set and phases run, each
 * failing the test on an error. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delays_util.h"

/* ---- a plug-in collecting one population's spikes ------------------------ */

static int collect_start(evs_plugin *pl, evs_run *run, evs_error *err) {
  (void)err;
  collect *c = evs_plugin_state(pl);
  return evs_run_listen(run, pl, (uint32_t)c->pop);
}

static int collect_spikes(evs_plugin *pl, evs_run *run, uint32_t pop,
                          const evs_spike *spk, size_t n) {
  (void)run;
  (void)pop;
  collect *c = evs_plugin_state(pl);
  if (c->n + n > c->cap) {
    c->cap = 2 * (c->n + n);
    c->spk = realloc(c->spk, c->cap * sizeof *c->spk);
    if (!c->spk) return EVS_ENOMEM;
  }
  memcpy(c->spk + c->n, spk, n * sizeof *spk);
  c->n += n;
  return EVS_OK;
}

static void collect_destroy(evs_plugin *pl) {
  collect *c = evs_plugin_state(pl);
  free(c->spk);
  free(c);
}

static const evs_plugin_type collect_type = {.name = "collect",
                                             .start = collect_start,
                                             .spikes = collect_spikes,
                                             .destroy = collect_destroy};

collect *collect_pop(evs_net *net, int pop) {
  collect *c = calloc(1, sizeof *c);
  ck_assert(c != NULL);
  c->pop = pop;
  evs_error err;
  ck_assert_int_eq(evs_net_add_plugin(net, &collect_type, c, &err), EVS_OK);
  return c;
}

/* ---- building blocks ----------------------------------------------------- */

void set_const(evs_net *net, int pop, const char *name, double v) {
  evs_dist d = evs_dist_const(v);
  evs_error err;
  int rc = evs_net_set_param(net, pop, name, &d, &err);
  ck_assert_msg(rc == EVS_OK, "%s: %s", name, err.msg);
}

/* A population of n IF_curr_exp neurons that spike once, a fixed latency
 * after a strong input reaches them at rest: fast membrane and synapse,
 * refractory long enough for the input to be gone. */
int fast_neurons(evs_net *net, const char *name, uint32_t n) {
  evs_error err;
  int p = evs_net_add_population(net, name, "IF_curr_exp", n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  set_const(net, p, "tau_m", 1e-3);
  set_const(net, p, "tau_syn_E", 0.1e-3);
  set_const(net, p, "tau_refrac", 1.5e-3);
  return p;
}

/* A SpikeSourceArray of n neurons playing the spikes t[k] of neurons
 * id[k] (written to a file under dir). */
int source(evs_net *net, const char *dir, const char *name, uint32_t n,
           const double *t, const unsigned *id, size_t k) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.in.ras", dir, name);
  FILE *f = fopen(path, "w");
  ck_assert(f != NULL);
  for (size_t i = 0; i < k; i++) fprintf(f, "%.17g %u\n", t[i], id[i]);
  fclose(f);
  evs_error err;
  int p = evs_net_add_population(net, name, "SpikeSourceArray", n, &err);
  ck_assert_msg(p >= 0, "%s", err.msg);
  ck_assert_int_eq(evs_net_set_path(net, p, "file", path, &err), EVS_OK);
  return p;
}

int connect(evs_net *net, const char *name, int pre, int post,
            const evs_conn_spec *spec) {
  evs_error err;
  int k = evs_net_connect(net, name, pre, post, EVS_RECEPTOR_EXC, spec,
                          EVS_DIM_VOLTAGE, &err);
  ck_assert_msg(k >= 0, "%s", err.msg);
  return k;
}

void set_delays(evs_net *net, int proj, const double *d, size_t n) {
  evs_error err;
  int rc = evs_net_set_delays(net, proj, d, n, &err);
  ck_assert_msg(rc == EVS_OK, "set_delays: %s", err.msg);
}

void run_until(evs_net *net, double t) {
  evs_error err;
  int rc = evs_net_run_until(net, t, &err);
  ck_assert_msg(rc == EVS_OK, "run_until %g: %s", t, err.msg);
}
