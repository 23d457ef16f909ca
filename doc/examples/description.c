/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn C API example: a model built from a description the program fills
 * in (evsnn/model_desc.h, evs_model_build), without INI text.
 *
 * The model: 100 Poisson sources drive 40 IF_curr_exp neurons (E) through
 * a projection that learns with pair STDP and records its weights; E
 * connects to itself with short-term depression, records the potential of
 * three neurons and has a rate check; a lone neuron R gets a constant
 * 1 nA. The program checks
 *   1. that R fires where theory says: from v_rest, a LIF neuron under a
 *      current I reaches v_thresh after tau_m ln(R I / (R I - (v_thresh -
 *      v_rest))) (R = tau_m / cm), then again every tau_refrac + tau_m
 *      ln(R I / (R I - (v_thresh - v_reset))): every spike time within
 *      1.5 ns (the raster's precision);
 *   2. that the same model written as a model file and loaded by
 *      evs_model_load_string (which checks the text into a description
 *      and builds that) writes the same bytes: every raster, the
 *      potentials and the weight statistics;
 *   3. that an error found while building is reported at the origin the
 *      program gave the value (here "my_program:42: ..."), and that the
 *      memory estimate refuses an all-to-all projection of 2^31 x 2^31
 *      synapses before drawing any, at the origin of its key "connect".
 * Prints what it checked; exits 1 on failure.
 *
 *   cc description.c $(pkg-config --cflags --libs evsnn) -lm */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, also under -std=c11 */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

/* The model as a model file, for check 2. */
static const char *const model_text = "[simulation]\n"
                                      "duration = 1 s\n"
                                      "seed = 7\n"
                                      "resolution = 0.1 ms\n"
                                      "[population in]\n"
                                      "type = SpikeSourcePoisson\n"
                                      "size = 100\n"
                                      "rate = 20 Hz\n"
                                      "record_spikes = yes\n"
                                      "[population E]\n"
                                      "type = IF_curr_exp\n"
                                      "size = 40\n"
                                      "v_init = uniform(-65 mV, -55 mV)\n"
                                      "record_v = 0-2\n"
                                      "record_interval = 1 ms\n"
                                      "rate_min = 0 Hz\n"
                                      "rate_max = 1000 Hz\n"
                                      "[population R]\n"
                                      "type = IF_curr_exp\n"
                                      "size = 1\n"
                                      "tau_refrac = 2 ms\n"
                                      "[projection inE]\n"
                                      "pre = in\n"
                                      "post = E\n"
                                      "connect = fixed_indegree\n"
                                      "n = 20\n"
                                      "weight = 0.5 nA\n"
                                      "delay = 1 ms\n"
                                      "rule = stdp_pair\n"
                                      "tau_plus = 20 ms\n"
                                      "tau_minus = 20 ms\n"
                                      "A_plus = 0.005 nA\n"
                                      "A_minus = 0.00525 nA\n"
                                      "w_min = 0 nA\n"
                                      "w_max = 1 nA\n"
                                      "record_weights = 100 ms\n"
                                      "[projection EE]\n"
                                      "pre = E\n"
                                      "post = E\n"
                                      "connect = fixed_probability\n"
                                      "p = 0.1\n"
                                      "weight = 0.2 nA\n"
                                      "delay = 1 ms\n"
                                      "stp_U = 0.5\n"
                                      "stp_tau_d = 200 ms\n"
                                      "[input drive]\n"
                                      "type = dc\n"
                                      "post = R\n"
                                      "amplitude = 1 nA\n";

/* The files both runs write and check 2 compares. */
static const char *const outputs[] = {"in.ras", "E.ras", "R.ras", "v_E.tsv",
                                      "inE.weights.tsv"};

/* The same model as a description. */
static const evs_param_desc in_params[] = {
    {.name = "rate", .value = {EVS_DIST_CONST, {20}}}};
static const evs_param_desc e_params[] = {
    {.name = "v_init", .value = {EVS_DIST_UNIFORM, {-65e-3, -55e-3}}}};
static const evs_param_desc r_params[] = {
    {.name = "tau_refrac", .value = {EVS_DIST_CONST, {2e-3}}}};
static const uint32_t probed[] = {0, 1, 2};
static const evs_record_desc e_records[] = {{"v", probed, 3, 1e-3, "record_v"}};
static const evs_rule_param_desc stdp[] = {
    {"tau_plus", 20e-3},     {"tau_minus", 20e-3}, {"A_plus", 0.005e-9},
    {"A_minus", 0.00525e-9}, {"w_min", 0},         {"w_max", 1e-9}};

static void describe(evs_model_desc *d, evs_pop_desc pops[3],
                     evs_proj_desc projs[2], evs_input_desc *drive) {
  evs_model_desc_defaults(d);
  d->name = "desc";
  d->sim.duration = 1;
  d->sim.seed = 7;
  pops[0] = (evs_pop_desc){.name = "in",
                           .type = "SpikeSourcePoisson",
                           .size = 100,
                           .params = in_params,
                           .n_params = 1,
                           .spikes_set = 1,
                           .record_spikes = 1};
  pops[1] = (evs_pop_desc){.name = "E",
                           .type = "IF_curr_exp",
                           .size = 40,
                           .params = e_params,
                           .n_params = 1,
                           .records = e_records,
                           .n_records = 1,
                           .check_rate = 1,
                           .rate_min = 0,
                           .rate_max = 1000,
                           .rate_tau = 0.1};
  pops[2] = (evs_pop_desc){.name = "R",
                           .type = "IF_curr_exp",
                           .size = 1,
                           .params = r_params,
                           .n_params = 1};
  evs_conn_spec in_e = {.kind = EVS_CONN_FIXED_INDEGREE,
                        .n = 20,
                        .weight = evs_dist_const(0.5e-9),
                        .delay = evs_dist_const(1e-3),
                        .delay_step = d->sim.resolution};
  projs[0] = (evs_proj_desc){.name = "inE",
                             .pre = "in",
                             .post = "E",
                             .spec = in_e,
                             .weight_dim = EVS_DIM_CURRENT,
                             .rule = "stdp_pair",
                             .rule_params = stdp,
                             .n_rule_params = 6,
                             .record_weights = 0.1};
  evs_conn_spec e_e = {.kind = EVS_CONN_FIXED_PROBABILITY,
                       .p = 0.1,
                       .weight = evs_dist_const(0.2e-9),
                       .delay = evs_dist_const(1e-3),
                       .delay_step = d->sim.resolution,
                       .same_population = 1};
  projs[1] = (evs_proj_desc){.name = "EE",
                             .pre = "E",
                             .post = "E",
                             .spec = e_e,
                             .weight_dim = EVS_DIM_CURRENT,
                             .has_stp = 1,
                             .stp_U = 0.5,
                             .stp_tau_d = 0.2};
  *drive = (evs_input_desc){
      .name = "drive", .post = "R", .amplitude = 1e-9, .dim = EVS_DIM_CURRENT};
  d->pops = pops;
  d->n_pops = 3;
  d->projs = projs;
  d->n_projs = 2;
  d->inputs = drive;
  d->n_inputs = 1;
}

/* Runs model m into dir. */
static int run(evs_model *m, const char *dir, evs_error *err) {
  evs_run_opts o = m->run;
  o.outdir = dir;
  return evs_net_run(m->net, &o, err);
}

/* The contents of dir/name (malloc'd) and its length, or NULL. */
static char *slurp(const char *dir, const char *name, long *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  char *b = NULL;
  if (f && fseek(f, 0, SEEK_END) == 0 && (*len = ftell(f)) >= 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (b = malloc((size_t)*len + 1)) &&
      fread(b, 1, (size_t)*len, f) != (size_t)*len) {
    free(b);
    b = NULL;
  }
  if (f) fclose(f);
  return b;
}

/* Check 1: R's spike times against the closed form. */
static int check_regular(const char *dir) {
  const double tau_m = 20e-3, cm = 1e-9, v_rest = -65e-3, v_reset = -65e-3,
               v_thresh = -50e-3, tau_refrac = 2e-3, I = 1e-9;
  const double RI = tau_m / cm * I;
  const double first = tau_m * log(RI / (RI - (v_thresh - v_rest)));
  const double period =
      tau_refrac + tau_m * log(RI / (RI - (v_thresh - v_reset)));
  char path[512], line[128];
  snprintf(path, sizeof path, "%s/R.ras", dir);
  FILE *f = fopen(path, "r");
  int k = 0, bad = 0;
  double t, worst = 0;
  unsigned id;
  if (!f) return fprintf(stderr, "description: no %s\n", path), 1;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && sscanf(line, "%lf %u", &t, &id) == 2) {
      double want = first + k++ * period;
      worst = fmax(worst, fabs(t - want));
      bad |= id != 0;
    }
  fclose(f);
  int expect = (int)floor((1.0 - first) / period) + 1;
  printf("1. R fired %d spikes (theory: %d, period %.6f ms), worst time "
         "error %.2g s\n",
         k, expect, period * 1e3, worst);
  return k != expect || bad || !(worst <= 1.5e-9);
}

/* Check 2: the files of both runs are the same bytes. */
static int check_same(const char *a, const char *b) {
  int fail = 0;
  for (size_t i = 0; i < sizeof outputs / sizeof *outputs; i++) {
    long na = -1, nb = -2;
    char *x = slurp(a, outputs[i], &na), *y = slurp(b, outputs[i], &nb);
    int same = x && y && na == nb && na > 0 && !memcmp(x, y, (size_t)na);
    printf("2. %s: %ld bytes from the description, %ld from the text: %s\n",
           outputs[i], na, nb, same ? "the same" : "DIFFERENT");
    fail |= !same;
    free(x);
    free(y);
  }
  return fail;
}

/* Check 3: errors at the origins the program gave. */
static int check_errors(void) {
  evs_model_desc d;
  evs_pop_desc pops[3];
  evs_proj_desc projs[2];
  evs_input_desc drive;
  evs_model *m = NULL;
  evs_error err;
  int fail = 0;
  /* a negative membrane time constant, given at my_program:42 */
  static const evs_param_desc bad[] = {
      {.name = "tau_m", .value = {EVS_DIST_CONST, {-20e-3}}}};
  static const evs_key_origin where[] = {{"tau_m", {"my_program", 42, NULL}}};
  describe(&d, pops, projs, &drive);
  pops[2].params = bad;
  pops[2].origin = (evs_desc_origin){{"my_program", 40, NULL}, where, 1};
  int rc = evs_model_build(&d, NULL, &m, &err);
  printf("3. tau_m = -20 ms: %s\n", err.msg);
  fail |= rc != EVS_EMODEL || m || strncmp(err.msg, "my_program:42: ", 15);
  /* 2^31 x 2^31 synapses, connect given at my_program:7 */
  static const evs_key_origin conn[] = {{"connect", {"my_program", 7, NULL}}};
  static const evs_pop_desc big[2] = {
      {.name = "A", .type = "SpikeSourcePoisson", .size = 1u << 31},
      {.name = "B", .type = "IF_curr_exp", .size = 1u << 31}};
  evs_proj_desc all = {.name = "AB",
                       .pre = "A",
                       .post = "B",
                       .spec = {.kind = EVS_CONN_ALL_TO_ALL,
                                .weight = evs_dist_const(1e-12),
                                .delay = evs_dist_const(1e-3),
                                .delay_step = 1e-4},
                       .weight_dim = EVS_DIM_CURRENT,
                       .origin = {{"my_program", 5, NULL}, conn, 1}};
  evs_model_desc_defaults(&d);
  d.sim.duration = 1;
  d.pops = big;
  d.n_pops = 2;
  d.projs = &all;
  d.n_projs = 1;
  rc = evs_model_build(&d, NULL, &m, &err);
  printf("3. all-to-all 2^31 x 2^31: %s\n", err.msg);
  fail |= rc != EVS_EMODEL || m || strncmp(err.msg, "my_program:7: ", 14) ||
          !strstr(err.msg, "GiB");
  return fail;
}

int main(void) {
  char a[] = "/tmp/evsnn_desc_XXXXXX", b[] = "/tmp/evsnn_text_XXXXXX";
  evs_model_desc d;
  evs_pop_desc pops[3];
  evs_proj_desc projs[2];
  evs_input_desc drive;
  evs_model *m = NULL;
  evs_error err;
  int rc, fail = 0;
  if (!mkdtemp(a) || !mkdtemp(b)) return perror("mkdtemp"), 1;
  describe(&d, pops, projs, &drive);
  if ((rc = evs_model_build(&d, NULL, &m, &err)) || (rc = run(m, a, &err))) {
    fprintf(stderr, "description: %s\n", err.msg);
    return 1;
  }
  evs_model_free(m);
  if ((rc = evs_model_load_string(model_text, "desc", NULL, &m, &err)) ||
      (rc = run(m, b, &err))) {
    fprintf(stderr, "description: the text: %s\n", err.msg);
    return 1;
  }
  evs_model_free(m);
  fail |= check_regular(a);
  fail |= check_same(a, b);
  fail |= check_errors();
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", a, b);
  if (system(cmd) != 0)
    fprintf(stderr, "description: could not remove %s\n", a);
  printf(fail ? "FAIL\n" : "PASS\n");
  return fail;
}
