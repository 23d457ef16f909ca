/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of errors in model files (src/model/model_read.c, model_value.c,
 * model_build.c): every kind of error is reported as EVS_EMODEL with the
 * right "file:line:" prefix ("--set TEXT: " for an override), a missing file
 * as EVS_EIO. Good models, overrides, paths and runs are tested in
 * tests/check_model_build.c; the helpers both use are in model_test_util.h.
 *
 * Expected line numbers are found by the tests themselves (the first line of
 * the model text containing a marker), never taken from the parser. */
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

#define PROJ_EE                                                                \
  "[projection EE]\npre = E\npost = E\nconnect = all_to_all\n"                 \
  "weight = 0.1 mV\ndelay = 1 ms\n"
/* the required parameters of stdp_pair on a voltage projection */
#define PAIR_OK "A_plus = 1 uV\nA_minus = 1.05 uV\nw_max = 1 mV\n"

/* Loads text, expects EVS_EMODEL with "t.ini:<line of needle>: " and what. */
static void expect_error(const char *text, const char *needle,
                         const char *what) {
  evs_model *m = (evs_model *)1;
  evs_error err;
  char prefix[64];
  int line = needle ? line_of(text, needle) : 1;
  ck_assert_msg(line > 0, "test bug: marker '%s' not in text", needle);
  int rc = evs_model_load_string(text, "t.ini", NULL, &m, &err);
  ck_assert_int_eq(rc, EVS_EMODEL);
  ck_assert_ptr_null(m);
  snprintf(prefix, sizeof prefix, "t.ini:%d: ", line);
  ck_assert_msg(strncmp(err.msg, prefix, strlen(prefix)) == 0,
                "want prefix '%s', got '%s'", prefix, err.msg);
  ck_assert_msg(strstr(err.msg, what) != NULL, "want '%s' in '%s'", what,
                err.msg);
  ck_assert_int_eq(err.line, line);
}

/* ---- every kind of error --------------------------------------------- */

typedef struct bad_case {
  const char *text;
  const char *needle; /* marks the line the error must name (NULL: line 1) */
  const char *what;   /* substring of the message */
} bad_case;

static const bad_case bad[] = {
    /* numbers and units */
    {SIM POP_E "tau_m = 20\n", "tau_m", "needs a unit"},
    {SIM POP_E "tau_m = 20 mX\n", "tau_m", "unknown unit 'mX'"},
    {SIM POP_E "v_rest = x49 mV\n", "v_rest", "malformed number"},
    {SIM POP_E "v_rest = 20 ms\n", "v_rest", "expected a voltage"},
    {"[simulation]\nduration = 1\n", "duration =", "needs a unit"},
    {"[simulation]\nduration = 1 s\nresolution = 0.1\n", "resolution",
     "needs a unit"},
    {"[simulation]\nduration = 0 s\n", "duration", "duration must be > 0"},
    {"[simulation]\nduration = 1 s\nseed = -1\n", "seed", "non-negative"},
    {"[simulation]\nduration = 1 s\nseed = 1.5\n", "seed", "non-negative"},
    /* sizes */
    {SIM "[population E]\ntype = IF_curr_exp\nsize = -5\n", "size",
     "positive integer"},
    {SIM "[population E]\ntype = IF_curr_exp\nsize = 0\n", "size",
     "positive integer"},
    {SIM "[population E]\ntype = IF_curr_exp\nsize = 10.5\n", "size",
     "positive integer"},
    {SIM "[population E]\ntype = IF_curr_exp\nsize = 99999999999\n", "size",
     "positive integer"},
    /* references */
    {SIM POP_E "[projection P]\npre = E\npost = X\nconnect = all_to_all\n"
               "weight = 1 mV\n",
     "post = X", "undefined population 'X'"},
    {SIM POP_E "[projection P]\npre = Y\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\n",
     "pre = Y", "undefined population 'Y'"},
    {SIM POP_E "[input D]\ntype = dc\npost = Q\namplitude = 1 pA\n", "post = Q",
     "undefined population 'Q'"},
    /* a projection's name is not a population */
    {SIM POP_E "[projection P]\npre = E\npost = P\nconnect = all_to_all\n"
               "weight = 1 mV\n",
     "post = P", "undefined population 'P'"},
    /* sections */
    {SIM "[neuron E]\ntype = IF_curr_exp\n", "[neuron", "unknown section kind"},
    {SIM "[population]\ntype = IF_curr_exp\n", "[population]", "needs a name"},
    {SIM "[population E-1]\ntype = IF_curr_exp\n", "[population E-1",
     "invalid name"},
    {"[simulation x]\nduration = 1 s\n", "[simulation x]", "takes no name"},
    {SIM "[population E\nsize = 3\n", "[population E", "without ']'"},
    {SIM "[population E] junk\n", "[population E]", "text after section"},
    {SIM POP_E "[population E]\ntype = IF_curr_exp\nsize = 3\n",
     "[population E]\ntype = IF_curr_exp\nsize = 3", "duplicate section"},
    {SIM "[simulation]\nseed = 2\n", "[simulation]\nseed", "duplicate section"},
    {POP_E, NULL, "missing section [simulation]"},
    {"", NULL, "missing section [simulation]"},
    {"; only a comment\n", NULL, "missing section [simulation]"},
    /* keys */
    {SIM POP_E "taum = 20 ms\n", "taum", "unknown key 'taum'"},
    {"[simulation]\nduration = 1 s\ndt = 1 ms\n", "dt =", "unknown key 'dt'"},
    {SIM "[input D]\ntype = dc\npost = E\nfoo = 1\n", "foo", "unknown key"},
    {SIM POP_E "size = 20\n", "size = 20", "duplicate key 'size'"},
    {"duration = 1 s\n" SIM, "duration = 1 s", "outside any section"},
    {SIM POP_E "tau_m =\n", "tau_m", "has no value"},
    {SIM POP_E "= 3 ms\n", "= 3 ms", "missing key name"},
    {SIM POP_E "just words\n", "just words", "expected '[section]'"},
    {"[simulation]\nseed = 3\n", "[simulation]",
     "missing required key "
     "'duration'"},
    {SIM "[population E]\nsize = 10\n", "[population E]", "'type'"},
    {SIM "[population E]\ntype = IF_curr_exp\n", "[population E]", "'size'"},
    {SIM "[population E]\ntype = IF_foo\nsize = 1\n", "type",
     "unknown neuron "
     "type 'IF_foo'"},
    {SIM "[population S]\ntype = SpikeSourceArray\nsize = 1\n",
     "[population S]", "missing required key 'file'"},
    {SIM POP_E "tau_m = uniform(10 ms, 20 ms)\n", "tau_m",
     "must be a constant"},
    {SIM POP_E "v_init = gauss(1 mV, 2 mV)\n", "v_init", "gauss"},
    {SIM POP_E "v_init = uniform(-50 mV)\n", "v_init", "v_init"},
    {SIM POP_E "record_spikes = maybe\n", "record_spikes", "yes or no"},
    {SIM POP_E "record_v = 0-3, 10\n", "record_v", "out of range"},
    {SIM POP_E "record_v = 5-2\n", "record_v", "empty range"},
    {SIM POP_E "record_v = a, b\n", "record_v", "expected neuron ids"},
    {SIM POP_E "record_interval = 1 ms\n", "record_interval",
     "without "
     "record_v"},
    {SIM "[population P]\ntype = SpikeSourcePoisson\nsize = 3\nrate = 1 Hz\n"
         "record_v = 0\n",
     "record_v", "no membrane potential"},
    /* projections */
    {SIM POP_E "[projection P]\npre = E\npost = E\nweight = 1 mV\n",
     "[projection P]", "missing required key 'connect'"},
    {SIM POP_E "[projection P]\npre = E\nconnect = all_to_all\nweight = 1 mV\n",
     "[projection P]", "missing required key 'post'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n",
     "[projection P]", "missing required key 'weight'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\n"
               "connect = fixed_probability\nweight = 1 mV\n",
     "[projection P]", "missing required key 'p'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_indegree\n"
               "weight = 1 mV\n",
     "[projection P]", "missing required key 'n'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = file\n"
               "weight = 1 mV\n",
     "[projection P]", "missing required key 'file'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\np = 0.5\n",
     "p = 0.5",
     "does not apply to connect = "
     "all_to_all"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = one_to_one\n"
               "weight = 1 mV\nautapses = yes\n",
     "autapses", "does not apply"},
    {SIM POP_E "[projection P]\npre = E\npost = E\n"
               "connect = fixed_probability\np = 0.1\nn = 3\nweight = 1 mV\n",
     "n = 3", "does not apply"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
               "n = 3\nweight = 1 mV\nfile = x.txt\n",
     "file =", "does not apply"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\nfoo = 1\n",
     "foo", "unknown key 'foo'"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = random\n"
               "weight = 1 mV\n",
     "connect", "unknown connect rule"},
    {SIM POP_E "[projection P]\npre = E\npost = E\n"
               "connect = fixed_probability\np = 1.5\nweight = 1 mV\n",
     "p = 1.5", "p must be in [0, 1]"},
    {SIM POP_E "[projection P]\npre = E\npost = E\n"
               "connect = fixed_probability\np = 0.1 ms\nweight = 1 mV\n",
     "p = 0.1", "p = 0.1 ms"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
               "n = -2\nweight = 1 mV\n",
     "n = -2", "non-negative integer"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1.62\n",
     "weight", "needs a unit"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 5 ms\n",
     "weight", "current, voltage or conductance"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 5 zz\n",
     "weight", "unknown unit"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\ndelay = 1\n",
     "delay", "needs a unit"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\ndelay = 1 mV\n",
     "delay", "expected a time"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
               "weight = 1 mV\ndelay = normal(1 ms, 1 ms)\n",
     "delay", "negative"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nreceptor = gaba\n"
               "connect = all_to_all\nweight = 1 mV\n",
     "receptor",
     "excitatory or "
     "inhibitory"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
               "n = 3\nmultapses = 2\nweight = 1 mV\n",
     "multapses", "yes or no"},
    {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = file\n"
               "file = /nonexistent/edges.txt\nweight = 1 mV\n",
     "file =", "cannot read"},
    /* learning rules */
    {SIM POP_E PROJ_EE "rule = hebb\n",
     "rule =", "unknown learning rule 'hebb'"},
    {SIM POP_E PROJ_EE "tau_plus = 20 ms\n", "tau_plus",
     "needs 'rule = stdp_pair'"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "A3_plus = 1 uV\n",
     "A3_plus", "learning rule stdp_pair has no such parameter"},
    {SIM POP_E PROJ_EE "rule = stdp_triplet\nA_plus = 1 uV\n", "A_plus",
     "learning rule stdp_triplet has no such parameter"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\nA_plus = 0.06 nS\n"
                       "A_minus = 1 uV\nw_max = 1 mV\n",
     "A_plus", "expected a voltage"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "tau_minus = 20 mV\n",
     "tau_minus", "expected a time"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "tau_minus = 20\n",
     "tau_minus", "needs a unit"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "mu_plus = 0.5 ms\n",
     "mu_plus", "mu_plus = 0.5 ms"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\nA_plus = 1 uV\nw_max = 1 mV\n",
     "[projection EE]", "missing required key 'A_minus'"},
    {SIM POP_E PROJ_EE "rule = stdp_triplet\nA3_plus = 1 uV\nw_max = 1 mV\n",
     "[projection EE]", "missing required key 'A2_minus'"},
    /* refused by the net when it builds: the projection's header line */
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "tau_plus = -1 ms\n",
     "[projection EE]", "tau_plus must be positive"},
    {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "w_min = 2 mV\n",
     "[projection EE]", "w_min must lie below w_max"},
    {SIM POP_E
     "[projection EE]\npre = E\npost = E\nconnect = all_to_all\n"
     "weight = 0.1 mV\ndelay = uniform(1 ms, 3 ms)\nrule = stdp_pair\n" PAIR_OK,
     "[projection EE]", "needs one delay"},
    {SIM POP_E PROJ_EE "record_weights = 0 s\n", "record_weights", "> 0"},
    {SIM POP_E PROJ_EE "record_weights = 10\n", "record_weights",
     "needs a unit"},
    {SIM POP_E PROJ_EE "record_weights = 10 mV\n", "record_weights",
     "expected a time"},
    /* inputs */
    {SIM POP_E "[input D]\ntype = ramp\npost = E\namplitude = 1 pA\n",
     "type = ramp", "unknown input type"},
    /* current sources */
    {SIM POP_E "[input D]\ntype = ac\npost = E\namplitude = 1 pA\n",
     "type = ac", "an ac input needs a clocked type"},
    {SIM POP_E "[input D]\ntype = step\npost = E\ntimes = 1 ms, 2 ms\n"
               "amplitudes = 1 pA\n",
     "amplitudes", "1 values for 2 times"},
    {SIM POP_E "[input D]\ntype = step\npost = E\ntimes = 2 ms, 1 ms\n"
               "amplitudes = 1 pA, 2 pA\n",
     "times =", "increase"},
    {SIM POP_E "[input D]\ntype = step\npost = E\ntimes = 1 ms\n"
               "amplitudes = 1 pA\namplitude = 1 pA\n",
     "amplitude =", "unknown key"},
    {SIM POP_E "[input D]\ntype = noisy\npost = E\nstdev = 1 pA\n", "[input D]",
     "missing required key 'dt'"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\namplitude = 1 pA\n"
               "start = 5 ms\nstop = 2 ms\n",
     "stop", "after start"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\namplitude = 1 mV\n"
               "neurons = 0\n",
     "amplitude", "expected a current"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\namplitude = 1 pA\n"
               "neurons = 0-999\n",
     "neurons", "out of range"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\namplitude = 1\n", "amplitude",
     "needs a unit"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\namplitude = 1 nS\n",
     "amplitude", "expected a current or voltage"},
    {SIM POP_E "[input D]\ntype = dc\npost = E\n", "[input D]",
     "missing required key 'amplitude'"},
    /* rate checks */
    {SIM POP_E "rate_min = 1 Hz\n", "rate_min", "rate_min without rate_max"},
    {SIM POP_E "rate_max = 1 Hz\n", "rate_max", "rate_max without rate_min"},
    {SIM POP_E "rate_tau = 1 s\n", "rate_tau", "rate_tau without rate_min"},
    {SIM POP_E "rate_min = 5 Hz\nrate_max = 5 Hz\n",
     "rate_max =", "rate_max must be above rate_min"},
    {SIM POP_E "rate_min = -1 Hz\nrate_max = 5 Hz\n", "rate_min",
     "rate_min must be >= 0"},
    {SIM POP_E "rate_min = 1 ms\nrate_max = 5 Hz\n", "rate_min",
     "expected a rate"},
    {SIM POP_E "rate_min = 1 Hz\nrate_max = 5 Hz\nrate_tau = -2 ms\n",
     "rate_tau", "rate_tau must be > 0"},
    {SIM POP_E "rate_min = 1 Hz\nrate_max = 5 Hz\nrate_tau = 2 Hz\n",
     "rate_tau", "expected a time"},
    /* the first error in the file is the one reported */
    {SIM POP_E "tau_m = 1\n[population F]\ntype = IF_curr_exp\nsize = 0\n",
     "tau_m", "needs a unit"},
};

START_TEST(test_errors) {
  expect_error(bad[_i].text, bad[_i].needle, bad[_i].what);
}
END_TEST

/* Lines longer than the reader's buffer are an error of their own line. */
START_TEST(test_long_line) {
  char text[2048];
  int n = snprintf(text, sizeof text, SIM POP_E "record_v = 0");
  for (int i = 0; i < 150; i++) n += snprintf(text + n, sizeof text - n, ", 1");
  snprintf(text + n, sizeof text - n, "\nbad_key = 1\n");
  expect_error(text, "record_v", "too long");
}
END_TEST

/* Error from a file: the prefix is the path as given; a missing file is an
 * I/O error. */
START_TEST(test_file_errors) {
  char dir[256], path[512];
  evs_model *m;
  evs_error err;
  tu_mkdtemp(dir, sizeof dir, "check_model");
  snprintf(path, sizeof path, "%s/broken.ini", dir);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs("; comment\n[simulation]\nduration = 5\n", f);
  fclose(f);
  ck_assert_int_eq(evs_model_load_file(path, NULL, &m, &err), EVS_EMODEL);
  ck_assert_ptr_null(m);
  char prefix[600];
  snprintf(prefix, sizeof prefix, "%s:3: ", path);
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)), "got '%s'", err.msg);
  unlink(path);
  ck_assert_int_eq(evs_model_load_file(path, NULL, &m, &err), EVS_EIO);
  ck_assert_ptr_null(m);
  ck_assert_ptr_nonnull(strstr(err.msg, path));
  rmdir(dir);
}
END_TEST

/* ---- overrides -------------------------------------------------------- */

START_TEST(test_override_errors) {
  expect_set_error(good, "E.size=-1", "positive integer");
  expect_set_error(good, "E.size=0", "positive integer");
  expect_set_error(good, "E.tau_m=20", "needs a unit");
  expect_set_error(good, "E.taum=20 ms", "unknown key 'taum'");
  expect_set_error(good, "X.size=3", "no section named 'X'");
  expect_set_error(good, "population X.size=3", "no section");
  expect_set_error(good, "neuron E.size=3", "unknown section kind");
  expect_set_error(good, "E.size", "expected SECTION.KEY=VALUE");
  expect_set_error(good, "size=3", "expected SECTION.KEY=VALUE");
  expect_set_error(good, "EE.n=3", "does not apply");
  expect_set_error(good, "EE.pre=Z", "undefined population 'Z'");
  expect_set_error(good, "simulation.duration=-1 s", "> 0");
  /* a name shared by a population and a projection is ambiguous */
  expect_set_error(SIM POP_E "[projection E]\npre = E\npost = E\n"
                             "connect = all_to_all\nweight = 1 mV\n",
                   "E.size=3", "several sections");
}
END_TEST

/* ---- errors found by the net ---------------------------------------- */

/* A weight whose dimension the post type cannot take is refused by the net;
 * the message is tied to the projection (its header or its weight line). */
START_TEST(test_net_error_line) {
  const char *text = SIM POP_E "[projection P]\npre = E\npost = E\n"
                               "connect = all_to_all\nweight = 1 nS\n";
  evs_model *m;
  evs_error err;
  ck_assert_int_eq(evs_model_load_string(text, "t.ini", NULL, &m, &err),
                   EVS_EMODEL);
  ck_assert_ptr_null(m);
  int l1 = line_of(text, "[projection P]"), l2 = line_of(text, "weight");
  ck_assert_msg(err.line == l1 || err.line == l2, "line %d: %s", err.line,
                err.msg);
  ck_assert_ptr_nonnull(strstr(err.msg, "t.ini:"));
}
END_TEST

static Suite *model_suite(void) {
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("errors");
  tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof bad / sizeof *bad));
  tcase_add_test(tc, test_long_line);
  tcase_add_test(tc, test_file_errors);
  tcase_add_test(tc, test_override_errors);
  tcase_add_test(tc, test_net_error_line);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(model_suite()); }
