/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn C API demo: a few IF_curr_exp neurons driven by a constant current.
 *
 * Builds the net by hand (no model file), runs it for 1 s into a temporary
 * folder, and checks the result against theory: with no other input, a LIF
 * neuron under a current I relaxes towards v_inf = v_rest + R I (R = tau_m /
 * cm) and, from the reset, reaches v_thresh after tau_m ln((v_inf - v_reset)
 * / (v_inf - v_thresh)); adding the refractory period gives the period T of
 * regular firing, so each neuron fires 1 s / T times, give or take the one
 * spike that depends on where in the cycle it started. Exits 1 on failure.
 *
 *   cc c_api_demo.c $(pkg-config --cflags --libs evsnn) -lm */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, also under -std=c11 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#define N 5 /* neurons */

static int fail(const char *what, int rc, const evs_error *err) {
  fprintf(stderr, "c_api_demo: %s: %s\n", what,
          err && err->msg[0] ? err->msg : evs_strerror(rc));
  return 1;
}

static int set(evs_net *net, int pop, const char *name, double value,
               evs_error *err) {
  evs_dist d = evs_dist_const(value);
  return evs_net_set_param(net, pop, name, &d, err);
}

int main(void) {
  /* Parameters, SI units. */
  const double tau_m = 20e-3, cm = 0.25e-9, v_rest = -65e-3, v_reset = -70e-3,
               v_thresh = -50e-3, tau_refrac = 2e-3;
  const double i_dc = 0.25e-9, duration = 1.0;
  int status = 1;
  evs_error err;
  evs_net *net = NULL;
  char dir[] = "/tmp/evsnn-demo-XXXXXX";
  int have_dir = 0;
  char path[256];

  int rc = evs_net_new(&net, 42, 0.1e-3);
  if (rc) return fail("evs_net_new", rc, NULL);
  int pop = evs_net_add_population(net, "cells", "IF_curr_exp", N, &err);
  if (pop < 0) {
    fail("add_population", pop, &err);
    goto done;
  }
  struct {
    const char *name;
    double value;
  } par[] = {{"tau_m", tau_m},       {"cm", cm},
             {"v_rest", v_rest},     {"v_reset", v_reset},
             {"v_thresh", v_thresh}, {"tau_refrac", tau_refrac},
             {"v_init", v_rest}};
  for (size_t i = 0; i < sizeof par / sizeof par[0]; i++)
    if ((rc = set(net, pop, par[i].name, par[i].value, &err))) {
      fail(par[i].name, rc, &err);
      goto done;
    }
  if ((rc = evs_net_add_dc(net, pop, i_dc, EVS_DIM_CURRENT, &err))) {
    fail("add_dc", rc, &err);
    goto done;
  }

  if (!mkdtemp(dir)) {
    perror("c_api_demo: mkdtemp");
    goto done;
  }
  have_dir = 1;
  evs_run_opts opts = {
      .duration = duration, .outdir = dir, .model_name = "c_api_demo"};
  if ((rc = evs_net_run(net, &opts, &err))) {
    fail("evs_net_run", rc, &err);
    goto done;
  }

  /* Theory. */
  double v_inf = v_rest + tau_m / cm * i_dc;
  double period =
      tau_refrac + tau_m * log((v_inf - v_reset) / (v_inf - v_thresh));
  double expected = duration / period; /* spikes per neuron */

  evs_pop_info info;
  evs_net_population_info(net, pop, &info);
  double per_neuron = (double)info.spikes / N;
  printf("v_inf = %.2f mV, period = %.4f ms: expected %.2f spikes per "
         "neuron, got %.2f (%llu in all)\n",
         v_inf * 1e3, period * 1e3, expected, per_neuron,
         (unsigned long long)info.spikes);

  /* Every neuron, from the raster: count within 1 spike of theory. */
  snprintf(path, sizeof path, "%s/cells.ras", dir);
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    goto done;
  }
  unsigned count[N] = {0};
  char line[256];
  while (fgets(line, sizeof line, f)) {
    double t;
    unsigned id;
    if (line[0] == '#') continue;
    if (sscanf(line, "%lf %u", &t, &id) == 2 && id < N) count[id]++;
  }
  fclose(f);
  int ok = fabs(per_neuron - expected) <= 1.0;
  for (int i = 0; i < N; i++) {
    if (fabs(count[i] - expected) > 1.0) {
      fprintf(stderr, "neuron %d fired %u times, expected %.2f +- 1\n", i,
              count[i], expected);
      ok = 0;
    }
  }
  status = ok ? 0 : 1;
  printf("%s\n", ok ? "ok: rates match the closed form"
                    : "FAILED: rates differ from the closed form");

done:
  evs_net_free(net);
  if (have_dir) { /* remove the run's files and the folder */
    const char *files[] = {"cells.ras", "summary.tsv", "run.log"};
    for (size_t i = 0; i < 3; i++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[i]);
      unlink(path);
    }
    rmdir(dir);
  }
  return status;
}
