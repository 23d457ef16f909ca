/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of building and running model files (src/model/model_read.c,
 * model_value.c, model_check.c, model_learning.c) and descriptions
 * (model_build.c): good models build the expected populations and
 * projections, overrides change what is built, relative paths are resolved
 * against the model's folder, the default demo builds, a projection's rule
 * keys and a population's rate check reach the net, and a program's
 * description is built, or refused at the origins it gave. Errors are tested in
 * tests/check_model.c; the helpers both use (among them the model text good)
 * are in model_test_util.h. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "evsnn/model.h"
#include "check_util.h"
#include "model_test_util.h"

/* ---- good models ------------------------------------------------------ */

static evs_model *load_ok(const char *text, const evs_model_opts *mo) {
  evs_model *m = NULL;
  evs_error err;
  int rc = evs_model_load_string(text, "good.ini", mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "load failed (%d): %s", rc, err.msg);
  ck_assert_ptr_nonnull(m);
  return m;
}

static uint64_t nnz(const evs_model *m, int proj) {
  const evs_csr *c = evs_net_projection_csr(m->net, proj);
  ck_assert_ptr_nonnull(c);
  return c->nnz;
}

static void pop_is(const evs_model *m, int i, const char *name,
                   const char *type, uint32_t size) {
  evs_pop_info info;
  ck_assert_int_eq(evs_net_population_info(m->net, i, &info), EVS_OK);
  ck_assert_str_eq(info.name, name);
  ck_assert_str_eq(info.type, type);
  ck_assert_uint_eq(info.size, size);
}

START_TEST(test_good_model) {
  evs_model *m = load_ok(good, NULL);
  ck_assert_str_eq(m->name, "good");
  ck_assert_ptr_eq(m->run.model_name, m->name);
  ck_assert_ptr_null(m->run.outdir);
  ck_assert(fabs(m->run.duration - 0.25) < 1e-12);
  ck_assert_uint_eq(m->seed, 7);
  ck_assert_int_eq(evs_net_population_count(m->net), 3);
  pop_is(m, 0, "E", "IF_curr_exp", 400);
  pop_is(m, 1, "I", "IF_curr_exp", 100);
  pop_is(m, 2, "P", "SpikeSourcePoisson", 50);
  /* EE: Binomial(400*399, 0.1) without autapses: mean 15960, sd 120;
   * 5 sd bound. */
  double mean = 400.0 * 399 * 0.1, sd = sqrt(mean * 0.9);
  ck_assert_msg(fabs((double)nnz(m, 0) - mean) < 5 * sd, "EE nnz %llu",
                (unsigned long long)nnz(m, 0));
  ck_assert_uint_eq(nnz(m, 1), 400u * 100u); /* all_to_all */
  ck_assert_uint_eq(nnz(m, 2), 20u * 400u);  /* indegree 20 onto 400 */
  ck_assert_uint_eq(nnz(m, 3), 1234u);       /* fixed_total */
  ck_assert_uint_eq(nnz(m, 4), 100u);        /* one_to_one */
  ck_assert_ptr_null(evs_net_projection_csr(m->net, 5));
  evs_model_free(m);
}
END_TEST

/* Formatting the parser must accept: CRLF, BOM, indentation, both comment
 * styles, blank lines, blanks around '='. */
START_TEST(test_syntax_variants) {
  const char *text = "\xEF\xBB\xBF# BOM, then a comment\r\n"
                     "[simulation]\r\n"
                     "  duration=2 s   ; inline comment\r\n"
                     "\tseed =  11 # another inline comment\r\n"
                     "\r\n"
                     "  [ population A ]\r\n"
                     "type = IF_curr_exp\r\n"
                     "size = 3\r\n";
  evs_model *m = load_ok(text, NULL);
  ck_assert(fabs(m->run.duration - 2.0) < 1e-12);
  ck_assert_uint_eq(m->seed, 11);
  pop_is(m, 0, "A", "IF_curr_exp", 3);
  evs_model_free(m);
}
END_TEST

/* ---- overrides -------------------------------------------------------- */

START_TEST(test_overrides) {
  const char *set[] = {
      "E.size=100", "population I.size = 30", "simulation.duration=2 s",
      "EE.p=1",     "projection PE.n=77",     "IE.n = 3"};
  evs_model_opts mo = {
      .overrides = set, .n_overrides = 6, .seed_set = 1, .seed = 99};
  evs_model *m = load_ok(good, &mo);
  pop_is(m, 0, "E", "IF_curr_exp", 100);
  pop_is(m, 1, "I", "IF_curr_exp", 30);
  ck_assert(fabs(m->run.duration - 2.0) < 1e-12);
  ck_assert_uint_eq(m->seed, 99);           /* seed_set beats the file */
  ck_assert_uint_eq(nnz(m, 0), 100u * 99u); /* p = 1, no autapses */
  ck_assert_uint_eq(nnz(m, 1), 100u * 30u);
  ck_assert_uint_eq(nnz(m, 2), 3u * 100u);
  ck_assert_uint_eq(nnz(m, 3), 77u);
  ck_assert_uint_eq(nnz(m, 4), 30u);
  evs_model_free(m);

  /* p = 0 empties the projection; a key not in the file can be added */
  const char *set2[] = {"EE.p=0", "EE.autapses=yes", "simulation.seed=5"};
  evs_model_opts mo2 = {.overrides = set2, .n_overrides = 3};
  m = load_ok(good, &mo2);
  ck_assert_uint_eq(nnz(m, 0), 0u);
  ck_assert_uint_eq(m->seed, 5);
  evs_model_free(m);
}
END_TEST

/* --set can supply what the file lacks: a model without [simulation]. */
START_TEST(test_override_adds_simulation) {
  const char *set = "simulation.duration=300 ms";
  evs_model_opts mo = {.overrides = &set, .n_overrides = 1};
  evs_model *m = load_ok(POP_E, &mo);
  ck_assert(fabs(m->run.duration - 0.3) < 1e-12);
  ck_assert_uint_eq(m->seed, 1); /* the default seed */
  evs_model_free(m);
}
END_TEST

/* ---- paths ------------------------------------------------------------ */

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_relative_paths) {
  char dir[256], sub[512], model[600], edges[600], ras[600], cwd[4096];
  evs_model *m;
  evs_error err;
  tu_mkdtemp(dir, sizeof dir, "check_model");
  snprintf(sub, sizeof sub, "%s/sub", dir);
  ck_assert_int_eq(mkdir(sub, 0700), 0);
  snprintf(model, sizeof model, "%s/net.ini", dir);
  snprintf(edges, sizeof edges, "%s/sub/edges.txt", dir);
  snprintf(ras, sizeof ras, "%s/in.ras", dir);
  /* five edges, all within 4 x 3 neurons */
  write_file(edges, "# pre post\n0 0\n1 2\n3 1\n2 2\n0 1\n");
  write_file(ras, "0.01 0\n0.02 1\n");
  const char *text =
      "[simulation]\nduration = 100 ms\n"
      "[population S]\ntype = SpikeSourceArray\nsize = 4\nfile = in.ras\n"
      "[population T]\ntype = IF_curr_exp\nsize = 3\n"
      "[projection F]\npre = S\npost = T\nconnect = file\n"
      "file = sub/edges.txt\nweight = 1 mV\n";
  write_file(model, text);
  /* load from another working directory: the paths must still be found */
  ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
  ck_assert_int_eq(chdir("/"), 0);
  int rc = evs_model_load_file(model, NULL, &m, &err);
  ck_assert_msg(rc == EVS_OK, "load: %s", err.msg);
  ck_assert_str_eq(m->name, "net");
  ck_assert_uint_eq(nnz(m, 0), 5u);
  evs_model_free(m);
  /* the same text from memory resolves against the working directory ("/"),
   * where the files are not: an error at the first path */
  rc = evs_model_load_string(text, "mem.ini", NULL, &m, &err);
  ck_assert_int_eq(rc, EVS_EMODEL);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "mem.ini:%d: ", line_of(text, "in.ras"));
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)), "got '%s'", err.msg);
  ck_assert_int_eq(chdir(cwd), 0);
  ck_assert_int_eq(tu_rm_rf(dir), 0);
}
END_TEST

/* ---- the demo and the shipped models ----------------------------------- */

START_TEST(test_default_demo) {
  const char *demo = evs_model_default_demo();
  ck_assert_ptr_nonnull(demo);
  ck_assert_ptr_eq(demo, evs_model_default_demo());
  evs_model *m = load_ok(demo, NULL);
  ck_assert(fabs(m->run.duration - 1.0) < 1e-12);
  ck_assert_int_eq(evs_net_population_count(m->net), 2);
  pop_is(m, 0, "E", "IF_curr_exp", 3200);
  pop_is(m, 1, "I", "IF_curr_exp", 800);
  /* four projections at p = 0.02 without autapses, each within 5 sd */
  const double n[4][2] = {{3200, 3199}, {3200, 800}, {800, 3200}, {800, 799}};
  for (int j = 0; j < 4; j++) {
    double mean = n[j][0] * n[j][1] * 0.02, sd = sqrt(mean * 0.98);
    ck_assert_msg(fabs((double)nnz(m, j) - mean) < 5 * sd, "proj %d: %llu", j,
                  (unsigned long long)nnz(m, j));
  }
  ck_assert_ptr_null(evs_net_projection_csr(m->net, 4));
  evs_model_free(m);
}
END_TEST

/* ---- learning rules -------------------------------------------------- */

/* A rule on a conductance projection takes its weight parameters in siemens;
 * overrides reach the rule's keys and are checked like the file's. */
START_TEST(test_rule_conductance) {
  const char *text = SIM
      "[population C]\ntype = IF_cond_exp\nsize = 20\n"
      "[projection CC]\npre = C\npost = C\nconnect = fixed_indegree\nn = 5\n"
      "weight = 6 nS\ndelay = 1 ms\nrule = stdp_pair\nA_plus = 0.06 nS\n"
      "A_minus = 0.063 nS\nw_max = 12 nS\ntau_plus = 20 ms\n"
      "record_weights = 10 ms\n"
      "[projection CS]\npre = C\npost = C\nconnect = one_to_one\n"
      "weight = 1 nS\nrecord_weights = 5 ms\n"; /* static, recorded */
  evs_model *m = load_ok(text, NULL);
  ck_assert_uint_eq(nnz(m, 0), 100u);
  ck_assert_uint_eq(nnz(m, 1), 20u);
  /* the weights are built as usual (the rule does not touch them before
   * the run): all 6 nS in the post type's internal unit, the same for all */
  const evs_csr *c = evs_net_projection_csr(m->net, 0);
  for (uint64_t k = 1; k < c->nnz; k++) ck_assert(c->weight[k] == c->weight[0]);
  evs_model_free(m);
  /* overrides: a parameter, the rule itself (triplet keys then) */
  const char *set1[] = {"CC.A_plus=0.1 nS", "CC.w_min=1 nS",
                        "projection CC.record_weights=1 ms"};
  evs_model_opts mo1 = {.overrides = set1, .n_overrides = 3};
  evs_model_free(load_ok(text, &mo1));
  expect_set_error(text, "CC.A_plus=0.1 mV", "expected a conductance");
  expect_set_error(text, "CC.A_plus=0.1", "needs a unit");
  expect_set_error(text, "CC.A3_plus=0.1 nS", "no such parameter");
  expect_set_error(text, "CC.record_weights=-1 ms", "> 0");
  /* a bad value found by the rule when the net builds names the override's
   * projection at its header */
  const char *bad_tau = "CC.tau_plus=0 ms";
  evs_model_opts mo2 = {.overrides = &bad_tau, .n_overrides = 1};
  evs_model *mm;
  evs_error err;
  ck_assert_int_eq(evs_model_load_string(text, "t.ini", &mo2, &mm, &err),
                   EVS_EMODEL);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "t.ini:%d: ", line_of(text, "[projection"));
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)), "got '%s'", err.msg);
  ck_assert_ptr_nonnull(strstr(err.msg, "tau_plus"));
}
END_TEST

/* Reads the first spike time of a raster; returns 0 when it has none. */
static int first_spike(const char *path, double *t) {
  FILE *f = fopen(path, "r");
  ck_assert_msg(f != NULL, "cannot open %s", path);
  char line[256];
  int found = 0;
  while (!found && fgets(line, sizeof line, f))
    if (line[0] != '#' && sscanf(line, "%lf", t) == 1) found = 1;
  fclose(f);
  return found;
}

/* Runs the pairing model of test_rule_override_effect with overrides set;
 * returns the plastic weight's change (V) and the post spike time. */
static double pairing_dw(const char *dir, const char *const *set, size_t n,
                         double *t_post) {
  char path[700], out[600];
  snprintf(path, sizeof path, "%s/pair.ini", dir);
  snprintf(out, sizeof out, "%s/out%zu", dir, n);
  evs_model_opts mo = {.overrides = set, .n_overrides = n};
  evs_model *m;
  evs_error err;
  int rc = evs_model_load_file(path, &mo, &m, &err);
  ck_assert_msg(rc == EVS_OK, "load: %s", err.msg);
  int proj = evs_net_find_projection(m->net, "PN");
  ck_assert_int_ge(proj, 0);
  double w0 = evs_net_projection_csr(m->net, proj)->weight[0];
  m->run.outdir = out;
  rc = evs_net_run(m->net, &m->run, &err);
  ck_assert_msg(rc == EVS_OK, "run: %s", err.msg);
  double w1 = evs_net_projection_csr(m->net, proj)->weight[0];
  snprintf(path, sizeof path, "%s/N.ras", out);
  ck_assert(first_spike(path, t_post));
  evs_model_free(m);
  return w1 - w0;
}

/* --set PROJ.A_plus changes what the rule does: one pre arrival, then one
 * post spike (driven by a teacher input); potentiation
 * A_plus exp(-(t_post - t_arrival)/tau_plus), three times as large when
 * A_plus is. */
START_TEST(test_rule_override_effect) {
  char dir[256], path[600];
  tu_mkdtemp(dir, sizeof dir, "check_model");
  snprintf(path, sizeof path, "%s/in.ras", dir);
  write_file(path, "0.01 0\n0.01 1\n");
  snprintf(path, sizeof path, "%s/pair.ini", dir);
  write_file(path,
             "[simulation]\nduration = 50 ms\n"
             "[population X]\ntype = SpikeSourceArray\nsize = 2\n"
             "file = in.ras\n"
             "[population N]\ntype = IF_curr_exp\nsize = 1\ntau_m = 20 ms\n"
             "tau_syn_E = 10 ms\nv_rest = -60 mV\nv_init = -60 mV\n"
             "v_reset = -60 mV\nv_thresh = -50 mV\n"
             "[projection TN]\npre = X\npost = N\nconnect = file\n"
             "file = teacher.txt\nweight = 50 mV\ndelay = 1 ms\n"
             "[projection PN]\npre = X\npost = N\nconnect = file\n"
             "file = plastic.txt\nweight = 1e-9 mV\ndelay = 2 ms\n"
             "rule = stdp_pair\nA_plus = 1e-10 mV\nA_minus = 1e-10 mV\n"
             "w_min = -1 mV\nw_max = 1 mV\ntau_plus = 20 ms\n");
  snprintf(path, sizeof path, "%s/teacher.txt", dir);
  write_file(path, "0 0\n");
  snprintf(path, sizeof path, "%s/plastic.txt", dir);
  write_file(path, "1 0\n");
  double t1, t2;
  double dw1 = pairing_dw(dir, NULL, 0, &t1);
  const char *set[] = {"PN.A_plus=3e-13 V"};
  double dw3 = pairing_dw(dir, set, 1, &t2);
  /* the teacher alone fixes the post spike: 1 ms delay + tau_m ln(1/x),
   * x = (1 + sqrt(1 - 4 D/w))/2 for tau_m = 2 tau_syn (D = 10 mV, w =
   * 50 mV); the plastic PSP (1e-12 V) moves it by far less than 1 ns */
  double x = 0.5 * (1 + sqrt(1 - 4 * 0.01 / (double)(float)0.05));
  double t_post = 0.01 + 1e-3 + 0.02 * log(1 / x);
  ck_assert_msg(fabs(t1 - t_post) < 2e-9 && fabs(t2 - t_post) < 2e-9,
                "post spikes at %.9f, %.9f, expected %.9f", t1, t2, t_post);
  double expect = 1e-13 * exp(-(t_post - 0.012) / 0.02);
  /* float weights near 1e-12 V: relative rounding 6e-8 */
  ck_assert_msg(fabs(dw1 - expect) < 1e-6 * expect, "dw %.9g, expected %.9g",
                dw1, expect);
  ck_assert_msg(fabs(dw3 - 3 * expect) < 3e-6 * expect,
                "dw %.9g, expected %.9g", dw3, 3 * expect);
  ck_assert_int_eq(tu_rm_rf(dir), 0);
}
END_TEST

/* rate_min/rate_max/rate_tau reach the net: a silent population (no input)
 * has the estimate 50.5 e^(-T/tau) Hz at the checks T = k dt (dt = tau/10),
 * first below 1 Hz at k = 40: T = 4 tau, for the default tau = 100 ms and
 * for rate_tau = 50 ms. Without the keys the run completes. */
static double silent_stop(const char *extra, int *rc) {
  char text[512];
  snprintf(text, sizeof text, "[simulation]\nduration = 3 s\n" POP_E "%s",
           extra);
  evs_model *m;
  evs_error err;
  ck_assert_msg(evs_model_load_string(text, "t.ini", NULL, &m, &err) == EVS_OK,
                "%s", err.msg);
  *rc = evs_net_run(m->net, &m->run, &err);
  evs_run_stats st;
  evs_net_stats(m->net, &st);
  if (*rc == EVS_ESTOPPED)
    ck_assert_ptr_nonnull(strstr(err.msg, "outside [1, 100]"));
  evs_model_free(m);
  return st.t_end;
}

START_TEST(test_rate_check) {
  int rc;
  double t = silent_stop("rate_min = 1 Hz\nrate_max = 100 Hz\n", &rc);
  ck_assert_int_eq(rc, EVS_ESTOPPED);
  ck_assert(fabs(t - 0.4) < 1e-12);
  t = silent_stop("rate_min = 1 Hz\nrate_max = 0.1 kHz\nrate_tau = 50 ms\n",
                  &rc);
  ck_assert_int_eq(rc, EVS_ESTOPPED);
  ck_assert(fabs(t - 0.2) < 1e-12);
  t = silent_stop("", &rc);
  ck_assert_int_eq(rc, EVS_OK);
  ck_assert(t == 3.0);
}
END_TEST

/* ---- descriptions filled by a program -------------------------------- */

/* One population E of 10 IF_curr_exp, and a projection EE onto it from a
 * population named pre, with origins "prog.c" lines 1 (E), 2 (EE) and 3
 * (EE's key pre). */
static const evs_key_origin ee_keys[] = {{"pre", {"prog.c", 3, NULL}}};

static void small(evs_model_desc *d, evs_pop_desc *e, evs_proj_desc *ee,
                  const char *pre) {
  evs_model_desc_defaults(d);
  d->sim.duration = 0.1;
  *e = (evs_pop_desc){.name = "E", .type = "IF_curr_exp", .size = 10};
  e->origin.at = (evs_origin){"prog.c", 1, NULL};
  *ee = (evs_proj_desc){.name = "EE",
                        .pre = pre,
                        .post = "E",
                        .spec = {.kind = EVS_CONN_ONE_TO_ONE,
                                 .autapses = 1, /* i -> i is the rule */
                                 .weight = evs_dist_const(1e-10),
                                 .delay = evs_dist_const(1e-3),
                                 .delay_step = 1e-4},
                        .weight_dim = EVS_DIM_CURRENT,
                        .origin = {{"prog.c", 2, NULL}, ee_keys, 1}};
  d->pops = e;
  d->n_pops = 1;
  d->projs = ee;
  d->n_projs = 1;
}

START_TEST(test_desc_build) {
  evs_model_desc d;
  evs_pop_desc e;
  evs_proj_desc ee;
  evs_model *m = NULL;
  evs_error err;
  small(&d, &e, &ee, "E");
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_OK);
  ck_assert_ptr_nonnull(m);
  pop_is(m, 0, "E", "IF_curr_exp", 10);
  ck_assert_uint_eq(nnz(m, 0), 10); /* one to one */
  ck_assert_str_eq(m->name, "model");
  ck_assert(m->run.duration == 0.1);
  evs_model_free(m);
  /* an unknown population, at the origin of key pre */
  small(&d, &e, &ee, "F");
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_ptr_null(m);
  ck_assert_msg(!strncmp(err.msg, "prog.c:3: ", 10) &&
                    strstr(err.msg, "undefined population 'F'"),
                "%s", err.msg);
  /* a bad size, at the population's own origin (it has no keys) */
  small(&d, &e, &ee, "E");
  e.size = 0;
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_msg(!strncmp(err.msg, "prog.c:1: ", 10), "%s", err.msg);
  /* without origins: the net's message alone */
  e.origin.at.file = NULL;
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_msg(strncmp(err.msg, "prog.c", 6) != 0 && err.msg[0], "%s",
                err.msg);
  /* overrides are for text; NULL arguments */
  const char *set[] = {"E.size=3"};
  evs_model_opts mo = {set, 1, 0, 0, 0};
  e.size = 10;
  ck_assert_int_eq(evs_model_build(&d, &mo, &m, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_model_build(NULL, NULL, &m, &err), EVS_EINVAL);
  ck_assert_int_eq(evs_model_build(&d, NULL, NULL, &err), EVS_EINVAL);
}
END_TEST

/* A description's errors say which of its objects and keys they are
 * about (evs_error.about, .index, .key), whatever stage finds them. */
START_TEST(test_desc_error_about) {
  evs_model_desc d;
  evs_pop_desc e;
  evs_proj_desc ee;
  evs_model *m = NULL;
  evs_error err;
  /* found by the net when the key is set (a negative tau_m is refused
   * at the build; a wrong count of values at once) */
  const double two[] = {-0.07, -0.06};
  const evs_param_desc bad[] = {{"v_init", {0}, NULL, two, 2}};
  small(&d, &e, &ee, "E");
  e.params = bad;
  e.n_params = 1;
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_int_eq(err.about, EVS_ABOUT_POPULATION);
  ck_assert_int_eq(err.index, 0);
  ck_assert_str_eq(err.key, "v_init");
  const evs_param_desc neg[] = {
      {.name = "tau_m", .value = {EVS_DIST_CONST, {-0.01}}}};
  e.params = neg;
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_int_eq(err.about, EVS_ABOUT_POPULATION);
  ck_assert_str_eq(err.key, "tau_m");
  /* a projection's key */
  small(&d, &e, &ee, "F");
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_int_eq(err.about, EVS_ABOUT_PROJECTION);
  ck_assert_int_eq(err.index, 0);
  ck_assert_str_eq(err.key, "pre");
  /* an input: a current source's bad amplitude, the whole object */
  evs_input_desc in[2] = {
      {.name = "dc", .post = "E", .amplitude = 1e-9, .dim = EVS_DIM_CURRENT},
      {.name = "src",
       .post = "E",
       .source = 1,
       .current = {
           .kind = EVS_CURRENT_DC, .stop = INFINITY, .amplitude = NAN}}};
  small(&d, &e, &ee, "E");
  d.inputs = in;
  d.n_inputs = 2;
  ck_assert_int_eq(evs_model_build(&d, NULL, &m, &err), EVS_EMODEL);
  ck_assert_int_eq(err.about, EVS_ABOUT_INPUT);
  ck_assert_int_eq(err.index, 1);
}
END_TEST

/* A parameter given one value per neuron (evs_param_desc.values) reaches
 * each neuron: Poisson sources at rates 0, 2 kHz, 0, 2 kHz for 50 ms; the
 * silent ones have no spike, the others about 100 (none with probability
 * e^-100). */
START_TEST(test_desc_values) {
  char dir[256], path[600];
  tu_mkdtemp(dir, sizeof dir, "check_model_build");
  const double rates[] = {0, 2000, 0, 2000};
  const evs_param_desc par[] = {{"rate", {0}, NULL, rates, 4}};
  evs_model_desc d;
  evs_model_desc_defaults(&d);
  d.sim.duration = 0.05;
  evs_pop_desc p = {.name = "P",
                    .type = "SpikeSourcePoisson",
                    .size = 4,
                    .params = par,
                    .n_params = 1,
                    .spikes_set = 1,
                    .record_spikes = 1};
  d.pops = &p;
  d.n_pops = 1;
  evs_model *m = NULL;
  evs_error err;
  ck_assert_msg(evs_model_build(&d, NULL, &m, &err) == EVS_OK, "%s", err.msg);
  m->run.outdir = dir;
  ck_assert_msg(evs_net_run(m->net, &m->run, &err) == EVS_OK, "%s", err.msg);
  evs_model_free(m);
  snprintf(path, sizeof path, "%s/P.ras", dir);
  FILE *f = fopen(path, "r");
  ck_assert_ptr_nonnull(f);
  char line[256];
  int count[4] = {0, 0, 0, 0}, id;
  double t;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#' && sscanf(line, "%lf %d", &t, &id) == 2) {
      ck_assert(id >= 0 && id < 4);
      count[id]++;
    }
  fclose(f);
  ck_assert_int_eq(count[0], 0);
  ck_assert_int_eq(count[2], 0);
  ck_assert_msg(count[1] > 40 && count[3] > 40, "%d %d", count[1], count[3]);
  ck_assert_int_eq(tu_rm_rf(dir), 0);
}
END_TEST

static Suite *model_build_suite(void) {
  Suite *s = suite_create("model_build");
  TCase *tc = tcase_create("build");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_good_model);
  tcase_add_test(tc, test_syntax_variants);
  tcase_add_test(tc, test_overrides);
  tcase_add_test(tc, test_override_adds_simulation);
  tcase_add_test(tc, test_relative_paths);
  tcase_add_test(tc, test_default_demo);
  tcase_add_test(tc, test_rule_conductance);
  tcase_add_test(tc, test_rule_override_effect);
  tcase_add_test(tc, test_rate_check);
  tcase_add_test(tc, test_desc_build);
  tcase_add_test(tc, test_desc_error_about);
  tcase_add_test(tc, test_desc_values);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(model_build_suite()); }
