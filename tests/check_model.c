/* Tests of model files (src/model_read.c, model_value.c, model_build.c):
 * every kind of error is reported as
 * EVS_EMODEL with the right "file:line:" prefix, overrides change what is
 * built, good models build the expected populations and projections, and
 * relative paths are resolved against the model's folder.
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

#define SIM "[simulation]\nduration = 100 ms\n"
#define POP_E "[population E]\ntype = IF_curr_exp\nsize = 10\n"
#define PROJ_EE "[projection EE]\npre = E\npost = E\nconnect = all_to_all\n" \
                "weight = 0.1 mV\ndelay = 1 ms\n"
/* the required parameters of stdp_pair on a voltage projection */
#define PAIR_OK "A_plus = 1 uV\nA_minus = 1.05 uV\nw_max = 1 mV\n"

/* 1-based number of the first line of text containing needle (0: none). */
static int line_of(const char *text, const char *needle) {
  const char *p = strstr(text, needle);
  int line = 1;
  if (!p) return 0;
  for (const char *q = text; q < p; q++)
    if (*q == '\n') line++;
  return line;
}

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
   "weight = 1 mV\n", "post = X", "undefined population 'X'"},
  {SIM POP_E "[projection P]\npre = Y\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\n", "pre = Y", "undefined population 'Y'"},
  {SIM POP_E "[input D]\ntype = dc\npost = Q\namplitude = 1 pA\n", "post = Q",
   "undefined population 'Q'"},
  /* a projection's name is not a population */
  {SIM POP_E "[projection P]\npre = E\npost = P\nconnect = all_to_all\n"
   "weight = 1 mV\n", "post = P", "undefined population 'P'"},
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
  {"[simulation]\nseed = 3\n", "[simulation]", "missing required key "
   "'duration'"},
  {SIM "[population E]\nsize = 10\n", "[population E]", "'type'"},
  {SIM "[population E]\ntype = IF_curr_exp\n", "[population E]", "'size'"},
  {SIM "[population E]\ntype = IF_foo\nsize = 1\n", "type", "unknown neuron "
   "type 'IF_foo'"},
  {SIM "[population S]\ntype = SpikeSourceArray\nsize = 1\n", "[population S]",
   "missing required key 'file'"},
  {SIM POP_E "tau_m = uniform(10 ms, 20 ms)\n", "tau_m", "must be a constant"},
  {SIM POP_E "v_init = gauss(1 mV, 2 mV)\n", "v_init", "gauss"},
  {SIM POP_E "v_init = uniform(-50 mV)\n", "v_init", "v_init"},
  {SIM POP_E "record_spikes = maybe\n", "record_spikes", "yes or no"},
  {SIM POP_E "record_v = 0-3, 10\n", "record_v", "out of range"},
  {SIM POP_E "record_v = 5-2\n", "record_v", "empty range"},
  {SIM POP_E "record_v = a, b\n", "record_v", "expected neuron ids"},
  {SIM POP_E "record_interval = 1 ms\n", "record_interval", "without "
   "record_v"},
  {SIM "[population P]\ntype = SpikeSourcePoisson\nsize = 3\nrate = 1 Hz\n"
   "record_v = 0\n", "record_v", "no membrane potential"},
  /* projections */
  {SIM POP_E "[projection P]\npre = E\npost = E\nweight = 1 mV\n",
   "[projection P]", "missing required key 'connect'"},
  {SIM POP_E "[projection P]\npre = E\nconnect = all_to_all\nweight = 1 mV\n",
   "[projection P]", "missing required key 'post'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n",
   "[projection P]", "missing required key 'weight'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\n"
   "connect = fixed_probability\nweight = 1 mV\n", "[projection P]",
   "missing required key 'p'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_indegree\n"
   "weight = 1 mV\n", "[projection P]", "missing required key 'n'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = file\n"
   "weight = 1 mV\n", "[projection P]", "missing required key 'file'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\np = 0.5\n", "p = 0.5", "does not apply to connect = "
   "all_to_all"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = one_to_one\n"
   "weight = 1 mV\nautapses = yes\n", "autapses", "does not apply"},
  {SIM POP_E "[projection P]\npre = E\npost = E\n"
   "connect = fixed_probability\np = 0.1\nn = 3\nweight = 1 mV\n", "n = 3",
   "does not apply"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
   "n = 3\nweight = 1 mV\nfile = x.txt\n", "file =", "does not apply"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\nfoo = 1\n", "foo", "unknown key 'foo'"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = random\n"
   "weight = 1 mV\n", "connect", "unknown connect rule"},
  {SIM POP_E "[projection P]\npre = E\npost = E\n"
   "connect = fixed_probability\np = 1.5\nweight = 1 mV\n", "p = 1.5",
   "p must be in [0, 1]"},
  {SIM POP_E "[projection P]\npre = E\npost = E\n"
   "connect = fixed_probability\np = 0.1 ms\nweight = 1 mV\n", "p = 0.1",
   "p = 0.1 ms"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
   "n = -2\nweight = 1 mV\n", "n = -2", "non-negative integer"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1.62\n", "weight", "needs a unit"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 5 ms\n", "weight", "current, voltage or conductance"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 5 zz\n", "weight", "unknown unit"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\ndelay = 1\n", "delay", "needs a unit"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\ndelay = 1 mV\n", "delay", "expected a time"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 1 mV\ndelay = normal(1 ms, 1 ms)\n", "delay", "negative"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nreceptor = gaba\n"
   "connect = all_to_all\nweight = 1 mV\n", "receptor", "excitatory or "
   "inhibitory"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = fixed_total\n"
   "n = 3\nmultapses = 2\nweight = 1 mV\n", "multapses", "yes or no"},
  {SIM POP_E "[projection P]\npre = E\npost = E\nconnect = file\n"
   "file = /nonexistent/edges.txt\nweight = 1 mV\n", "file =",
   "cannot read"},
  /* learning rules */
  {SIM POP_E PROJ_EE "rule = hebb\n", "rule =", "unknown learning rule 'hebb'"},
  {SIM POP_E PROJ_EE "tau_plus = 20 ms\n", "tau_plus",
   "needs 'rule = stdp_pair'"},
  {SIM POP_E PROJ_EE "rule = stdp_pair\n" PAIR_OK "A3_plus = 1 uV\n",
   "A3_plus", "learning rule stdp_pair has no such parameter"},
  {SIM POP_E PROJ_EE "rule = stdp_triplet\nA_plus = 1 uV\n", "A_plus",
   "learning rule stdp_triplet has no such parameter"},
  {SIM POP_E PROJ_EE "rule = stdp_pair\nA_plus = 0.06 nS\n"
   "A_minus = 1 uV\nw_max = 1 mV\n", "A_plus", "expected a voltage"},
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
  {SIM POP_E "[projection EE]\npre = E\npost = E\nconnect = all_to_all\n"
   "weight = 0.1 mV\ndelay = uniform(1 ms, 3 ms)\nrule = stdp_pair\n"
   PAIR_OK, "[projection EE]", "needs one delay"},
  {SIM POP_E PROJ_EE "record_weights = 0 s\n", "record_weights", "> 0"},
  {SIM POP_E PROJ_EE "record_weights = 10\n", "record_weights",
   "needs a unit"},
  {SIM POP_E PROJ_EE "record_weights = 10 mV\n", "record_weights",
   "expected a time"},
  /* inputs */
  {SIM POP_E "[input D]\ntype = step\npost = E\namplitude = 1 pA\n",
   "type = step", "unknown input type"},
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
  {SIM POP_E "rate_min = 5 Hz\nrate_max = 5 Hz\n", "rate_max =",
   "rate_max must be above rate_min"},
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

/* ---- good models ------------------------------------------------------ */

static const char *const good =
    "; a small network\n"
    "[simulation]\n"
    "duration = 250 ms\n"
    "seed = 7\n"
    "resolution = 0.1 ms\n"
    "\n"
    "[population E]\n"
    "type = IF_curr_exp\n"
    "size = 400\n"
    "tau_m = 20 ms\n"
    "v_init = uniform(-60 mV, -50 mV)\n"
    "record_v = 0-2, 7\n"
    "\n"
    "[population I]\n"
    "type = IF_curr_exp\n"
    "size = 100\n"
    "\n"
    "[population P]\n"
    "type = SpikeSourcePoisson\n"
    "size = 50\n"
    "rate = 5 Hz\n"
    "\n"
    "[projection EE]\n"
    "pre = E\n"
    "post = E\n"
    "connect = fixed_probability\n"
    "p = 0.1\n"
    "weight = 0.1 mV\n"
    "delay = 1 ms\n"
    "\n"
    "[projection EI]\n"
    "pre = E\n"
    "post = I\n"
    "connect = all_to_all\n"
    "weight = 10 pA\n"
    "\n"
    "[projection IE]\n"
    "pre = I\n"
    "post = E\n"
    "receptor = inhibitory\n"
    "connect = fixed_indegree\n"
    "n = 20\n"
    "weight = normal(-1 mV, 0.1 mV)\n"
    "delay = uniform(0.5 ms, 1.5 ms)\n"
    "\n"
    "[projection PE]\n"
    "pre = P\n"
    "post = E\n"
    "connect = fixed_total\n"
    "n = 1234\n"
    "weight = 0.5 mV\n"
    "\n"
    "[projection II]\n"
    "pre = I\n"
    "post = I\n"
    "connect = one_to_one\n"
    "weight = -0.5 mV\n"
    "\n"
    "[input bias]\n"
    "type = dc\n"
    "post = I\n"
    "amplitude = 0.5 mV\n";

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
  const char *text =
      "\xEF\xBB\xBF# BOM, then a comment\r\n"
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
  const char *set[] = {"E.size=100", "population I.size = 30",
                       "simulation.duration=2 s", "EE.p=1",
                       "projection PE.n=77", "IE.n = 3"};
  evs_model_opts mo = {set, 6, 1, 99};
  evs_model *m = load_ok(good, &mo);
  pop_is(m, 0, "E", "IF_curr_exp", 100);
  pop_is(m, 1, "I", "IF_curr_exp", 30);
  ck_assert(fabs(m->run.duration - 2.0) < 1e-12);
  ck_assert_uint_eq(m->seed, 99); /* seed_set beats the file */
  ck_assert_uint_eq(nnz(m, 0), 100u * 99u); /* p = 1, no autapses */
  ck_assert_uint_eq(nnz(m, 1), 100u * 30u);
  ck_assert_uint_eq(nnz(m, 2), 3u * 100u);
  ck_assert_uint_eq(nnz(m, 3), 77u);
  ck_assert_uint_eq(nnz(m, 4), 30u);
  evs_model_free(m);

  /* p = 0 empties the projection; a key not in the file can be added */
  const char *set2[] = {"EE.p=0", "EE.autapses=yes", "simulation.seed=5"};
  evs_model_opts mo2 = {set2, 3, 0, 0};
  m = load_ok(good, &mo2);
  ck_assert_uint_eq(nnz(m, 0), 0u);
  ck_assert_uint_eq(m->seed, 5);
  evs_model_free(m);
}
END_TEST

/* Errors in overrides name the --set text, not the file. */
static void expect_set_error(const char *text, const char *set,
                             const char *what) {
  evs_model *m = (evs_model *)1;
  evs_error err;
  char prefix[256];
  evs_model_opts mo = {&set, 1, 0, 0};
  int rc = evs_model_load_string(text, "t.ini", &mo, &m, &err);
  ck_assert_int_eq(rc, EVS_EMODEL);
  ck_assert_ptr_null(m);
  snprintf(prefix, sizeof prefix, "--set %s: ", set);
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)),
                "want prefix '%s', got '%s'", prefix, err.msg);
  ck_assert_msg(strstr(err.msg, what) != NULL, "want '%s' in '%s'", what,
                err.msg);
}

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
                   "connect = all_to_all\nweight = 1 mV\n", "E.size=3",
                   "several sections");
}
END_TEST

/* --set can supply what the file lacks: a model without [simulation]. */
START_TEST(test_override_adds_simulation) {
  const char *set = "simulation.duration=300 ms";
  evs_model_opts mo = {&set, 1, 0, 0};
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
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)), "got '%s'",
                err.msg);
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
    ck_assert_msg(fabs((double)nnz(m, j) - mean) < 5 * sd, "proj %d: %llu",
                  j, (unsigned long long)nnz(m, j));
  }
  ck_assert_ptr_null(evs_net_projection_csr(m->net, 4));
  evs_model_free(m);
}
END_TEST

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

/* ---- learning rules -------------------------------------------------- */

/* A rule on a conductance projection takes its weight parameters in siemens;
 * overrides reach the rule's keys and are checked like the file's. */
START_TEST(test_rule_conductance) {
  const char *text =
      SIM "[population C]\ntype = IF_cond_exp\nsize = 20\n"
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
  for (uint64_t k = 1; k < c->nnz; k++)
    ck_assert(c->weight[k] == c->weight[0]);
  evs_model_free(m);
  /* overrides: a parameter, the rule itself (triplet keys then) */
  const char *set1[] = {"CC.A_plus=0.1 nS", "CC.w_min=1 nS",
                        "projection CC.record_weights=1 ms"};
  evs_model_opts mo1 = {set1, 3, 0, 0};
  evs_model_free(load_ok(text, &mo1));
  expect_set_error(text, "CC.A_plus=0.1 mV", "expected a conductance");
  expect_set_error(text, "CC.A_plus=0.1", "needs a unit");
  expect_set_error(text, "CC.A3_plus=0.1 nS", "no such parameter");
  expect_set_error(text, "CC.record_weights=-1 ms", "> 0");
  /* a bad value found by the rule when the net builds names the override's
   * projection at its header */
  const char *bad_tau = "CC.tau_plus=0 ms";
  evs_model_opts mo2 = {&bad_tau, 1, 0, 0};
  evs_model *mm;
  evs_error err;
  ck_assert_int_eq(evs_model_load_string(text, "t.ini", &mo2, &mm, &err),
                   EVS_EMODEL);
  char prefix[64];
  snprintf(prefix, sizeof prefix, "t.ini:%d: ", line_of(text, "[projection"));
  ck_assert_msg(!strncmp(err.msg, prefix, strlen(prefix)), "got '%s'",
                err.msg);
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
  evs_model_opts mo = {set, n, 0, 0};
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

static Suite *model_suite(void) {
  Suite *s = suite_create("model");
  TCase *tc = tcase_create("errors");
  tcase_add_loop_test(tc, test_errors, 0, (int)(sizeof bad / sizeof *bad));
  tcase_add_test(tc, test_long_line);
  tcase_add_test(tc, test_file_errors);
  tcase_add_test(tc, test_override_errors);
  tcase_add_test(tc, test_net_error_line);
  suite_add_tcase(s, tc);
  tc = tcase_create("build");
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
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(model_suite()); }
