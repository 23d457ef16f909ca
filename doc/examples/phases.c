/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn C API example: a protocol in phases — baseline, stimulation,
 * recall.
 *
 * 100 IF_curr_exp neurons sit below threshold on a constant input and fire
 * now and then from a Poisson background. A stimulus (one Poisson source per
 * neuron, 40 Hz) is wired one-to-one with weight 0. The run goes in three
 * phases of 1 s: baseline; stimulation, the stimulus weights set to 4 mV
 * between the phases (evs_net_set_weight); recall, the stimulus off again.
 * Afterwards the program bins the raster by phase and checks that the
 * stimulus raised the rate several-fold and that the rate fell back to
 * the baseline's in recall (no plasticity here). Exits 1 on failure.
 *
 *   cc phases.c $(pkg-config --cflags --libs evsnn) -lm */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, also under -std=c11 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#define N 100     /* neurons */
#define PHASE 1.0 /* s per phase */

static int fail(const char *what, int rc, const evs_error *err) {
  fprintf(stderr, "phases: %s: %s\n", what,
          err && err->msg[0] ? err->msg : evs_strerror(rc));
  return 1;
}

/* Spikes of dir/E.ras per phase into n[0..3); -1 when unreadable. */
static int count_spikes(const char *dir, long n[3]) {
  char path[512], line[256];
  snprintf(path, sizeof path, "%s/E.ras", dir);
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  double t;
  unsigned id;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && sscanf(line, "%lf %u", &t, &id) == 2 && t >= 0 &&
        t < 3 * PHASE)
      n[(int)(t / PHASE)]++;
  fclose(f);
  return 0;
}

static int poisson(evs_net *net, const char *name, uint32_t n, double hz,
                   evs_error *err) {
  int p = evs_net_add_population(net, name, "SpikeSourcePoisson", n, err);
  evs_dist rate = evs_dist_const(hz);
  if (p >= 0 && evs_net_set_param(net, p, "rate", &rate, err)) return -1;
  return p;
}

int main(void) {
  const char *phase[3] = {"baseline", "stimulation", "recall"};
  const double stim_w = 4e-3; /* V */
  int status = 1, rc;
  evs_error err = {0};
  evs_net *net = NULL;
  char dir[] = "/tmp/evsnn-phases-XXXXXX";
  int have_dir = 0;

  if ((rc = evs_net_new(&net, 3, 0.1e-3))) return fail("evs_net_new", rc, 0);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", N, &err);
  int bg = poisson(net, "background", 200, 10, &err);
  int stim = poisson(net, "stimulus", N, 40, &err);
  evs_conn_spec sparse = {.kind = EVS_CONN_FIXED_PROBABILITY,
                          .p = 0.1,
                          .weight = evs_dist_const(1e-3),
                          .delay = evs_dist_const(1e-3)};
  evs_conn_spec one = {.kind = EVS_CONN_ONE_TO_ONE,
                       .weight = evs_dist_const(0),
                       .delay = evs_dist_const(1e-3)};
  int to_stim = -1;
  if (e < 0 || bg < 0 || stim < 0 ||
      (rc = evs_net_add_dc(net, e, 13e-3, EVS_DIM_VOLTAGE, &err)) ||
      evs_net_connect(net, "bg_E", bg, e, EVS_RECEPTOR_EXC, &sparse,
                      EVS_DIM_VOLTAGE, &err) < 0 ||
      (to_stim = evs_net_connect(net, "stim_E", stim, e, EVS_RECEPTOR_EXC, &one,
                                 EVS_DIM_VOLTAGE, &err)) < 0) {
    fail("building the net", EVS_EINVAL, &err);
    goto done;
  }
  if (!mkdtemp(dir)) {
    perror("phases: mkdtemp");
    goto done;
  }
  have_dir = 1;

  evs_run_opts opts = {3 * PHASE, dir, "phases", 0};
  if ((rc = evs_net_start(net, &opts, &err))) {
    fail("evs_net_start", rc, &err);
    goto done;
  }
  const double w[3] = {0, stim_w, 0}; /* the stimulus weight per phase */
  for (int k = 0; k < 3; k++) {
    if ((rc = evs_net_set_weight(net, to_stim, w[k], &err)) ||
        (rc = evs_net_run_until(net, (k + 1) * PHASE, &err))) {
      fail(phase[k], rc, &err);
      goto done;
    }
  }
  if ((rc = evs_net_finish(net, &err))) {
    fail("evs_net_finish", rc, &err);
    goto done;
  }

  long n[3] = {0, 0, 0};
  if (count_spikes(dir, n)) {
    perror("phases: reading E.ras");
    goto done;
  }
  double hz[3];
  for (int k = 0; k < 3; k++) {
    hz[k] = (double)n[k] / N / PHASE;
    printf("phases: %-11s stimulus weight %.0f mV: E fires at %6.2f Hz\n",
           phase[k], w[k] * 1e3, hz[k]);
  }
  int ok = hz[0] > 0 && hz[1] > 3 * hz[0] && hz[2] < 1.5 * hz[0] + 0.5;
  printf("phases: stimulation raised the rate and recall fell back: %s\n",
         ok ? "ok" : "FAIL");
  status = ok ? 0 : 1;

done:
  evs_net_free(net);
  if (have_dir) {
    const char *files[] = {"E.ras", "summary.tsv", "run.log"};
    char path[600];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[i]);
      unlink(path);
    }
    rmdir(dir);
  }
  return status;
}
