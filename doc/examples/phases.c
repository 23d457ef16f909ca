/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn C API example: a protocol in phases — baseline, stimulation,
 * recall.
 *
 * 100 IF_curr_exp neurons sit below threshold on a constant input and fire
 * now and then from a Poisson background. A stimulus (one Poisson source per
 * neuron, silent: rate 0 Hz) is wired one-to-one with weight 4 mV. The run
 * goes in three phases of 1 s: baseline; stimulation, the stimulus' rate
 * raised to 40 Hz between the phases (evs_net_set_param on the running
 * net); recall, its rate 0 Hz again. Afterwards the program bins the
 * rasters by phase and checks that the stimulus fired only in the
 * stimulation phase, at 40 Hz within five standard deviations of its
 * count, that it raised E's rate several-fold, and that E's rate fell back
 * to the baseline's in recall (no plasticity here). Exits 1 on failure.
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

/* Spikes of dir/<pop>.ras per phase into n[0..3); -1 when unreadable. */
static int count_spikes(const char *dir, const char *pop, long n[3]) {
  char path[512], line[256];
  snprintf(path, sizeof path, "%s/%s.ras", dir, pop);
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
  const double stim_hz = 40; /* the stimulus' rate while it lasts */
  int status = 1, rc;
  evs_error err = {0};
  evs_net *net = NULL;
  char dir[] = "/tmp/evsnn-phases-XXXXXX";
  int have_dir = 0;

  if ((rc = evs_net_new(&net, 3, 0.1e-3))) return fail("evs_net_new", rc, 0);
  int e = evs_net_add_population(net, "E", "IF_curr_exp", N, &err);
  int bg = poisson(net, "background", 200, 10, &err);
  int stim = poisson(net, "stimulus", N, 0, &err);
  evs_conn_spec sparse = {.kind = EVS_CONN_FIXED_PROBABILITY,
                          .p = 0.1,
                          .weight = evs_dist_const(1e-3),
                          .delay = evs_dist_const(1e-3)};
  evs_conn_spec one = {.kind = EVS_CONN_ONE_TO_ONE,
                       .weight = evs_dist_const(4e-3),
                       .delay = evs_dist_const(1e-3)};
  if (e < 0 || bg < 0 || stim < 0 ||
      (rc = evs_net_add_dc(net, e, 13e-3, EVS_DIM_VOLTAGE, &err)) ||
      evs_net_connect(net, "bg_E", bg, e, EVS_RECEPTOR_EXC, &sparse,
                      EVS_DIM_VOLTAGE, &err) < 0 ||
      evs_net_connect(net, "stim_E", stim, e, EVS_RECEPTOR_EXC, &one,
                      EVS_DIM_VOLTAGE, &err) < 0 ||
      (rc = evs_net_record_spikes(net, stim, 1))) {
    fail("building the net", EVS_EINVAL, &err);
    goto done;
  }
  if (!mkdtemp(dir)) {
    perror("phases: mkdtemp");
    goto done;
  }
  have_dir = 1;

  evs_run_opts opts = {
      .duration = 3 * PHASE, .outdir = dir, .model_name = "phases"};
  if ((rc = evs_net_start(net, &opts, &err))) {
    fail("evs_net_start", rc, &err);
    goto done;
  }
  const double rate[3] = {0, stim_hz, 0}; /* the stimulus' rate per phase */
  for (int k = 0; k < 3; k++) {
    evs_dist r = evs_dist_const(rate[k]);
    if ((k > 0 && (rc = evs_net_set_param(net, stim, "rate", &r, &err))) ||
        (rc = evs_net_run_until(net, (k + 1) * PHASE, &err))) {
      fail(phase[k], rc, &err);
      goto done;
    }
  }
  if ((rc = evs_net_finish(net, &err))) {
    fail("evs_net_finish", rc, &err);
    goto done;
  }

  long n[3] = {0, 0, 0}, s[3] = {0, 0, 0};
  if (count_spikes(dir, "E", n) || count_spikes(dir, "stimulus", s)) {
    perror("phases: reading the rasters");
    goto done;
  }
  double hz[3];
  for (int k = 0; k < 3; k++) {
    hz[k] = (double)n[k] / N / PHASE;
    printf("phases: %-11s stimulus at %2.0f Hz: %5ld stimulus spikes, E fires "
           "at %6.2f Hz\n",
           phase[k], rate[k], s[k], hz[k]);
  }
  double expect = N * stim_hz * PHASE; /* Poisson: sd = sqrt(expect) */
  int stim_ok =
      s[0] == 0 && s[2] == 0 && fabs((double)s[1] - expect) < 5 * sqrt(expect);
  printf("phases: the stimulus fired only while stimulating, %ld spikes for "
         "%.0f +- %.0f expected: %s\n",
         s[1], expect, 5 * sqrt(expect), stim_ok ? "ok" : "FAIL");
  int ok = hz[0] > 0 && hz[1] > 3 * hz[0] && hz[2] < 1.5 * hz[0] + 0.5;
  printf("phases: stimulation raised the rate and recall fell back: %s\n",
         ok ? "ok" : "FAIL");
  status = ok && stim_ok ? 0 : 1;

done:
  evs_net_free(net);
  if (have_dir) {
    const char *files[] = {"E.ras", "stimulus.ras", "summary.tsv", "run.log"};
    char path[600];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[i]);
      unlink(path);
    }
    rmdir(dir);
  }
  return status;
}
