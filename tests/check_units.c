/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of error.c, units.c and dist.c. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "evsnn/rng.h"
#include "evsnn/units.h"
#include "check_util.h"

/* ---- error --------------------------------------------------------------- */

static const int all_codes[] = {
#define CODE(name, value, text) EVS_##name,
    EVS_ERRNO_MAP(CODE)
#undef CODE
};
#define NCODES ((int)(sizeof all_codes / sizeof all_codes[0]))

START_TEST(test_error_names_distinct) {
  ck_assert_int_eq(NCODES, 10);
  for (int i = 0; i < NCODES; i++) {
    const char *n = evs_errname(all_codes[i]);
    const char *t = evs_strerror(all_codes[i]);
    ck_assert_ptr_nonnull(n);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(strncmp(n, "EVS_", 4), 0);
    ck_assert_str_ne(t, "unknown error");
    for (int j = 0; j < i; j++) {
      ck_assert_int_ne(all_codes[i], all_codes[j]);
      ck_assert_str_ne(n, evs_errname(all_codes[j]));
      ck_assert_str_ne(t, evs_strerror(all_codes[j]));
    }
  }
  ck_assert_str_eq(evs_errname(EVS_OK), "EVS_OK");
  ck_assert_str_eq(evs_errname(EVS_ENOMEM), "EVS_ENOMEM");
  ck_assert_str_eq(evs_strerror(EVS_ENOMEM), "out of memory");
  ck_assert_str_eq(evs_errname(EVS_ESTOPPED), "EVS_ESTOPPED");
  ck_assert_str_eq(evs_strerror(-1000), "unknown error");
  ck_assert_str_eq(evs_errname(-1000), "EVS_E?");
  ck_assert_str_eq(evs_errname(7), "EVS_E?");
}
END_TEST

START_TEST(test_error_set_format) {
  evs_error e;
  memset(&e, 0x55, sizeof e);
  int rc = evs_error_set(&e, EVS_EMODEL, "m.ini", 12, "unknown key '%s'", "x");
  ck_assert_int_eq(rc, EVS_EMODEL);
  ck_assert_int_eq(e.code, EVS_EMODEL);
  ck_assert_int_eq(e.line, 12);
  ck_assert_str_eq(e.file, "m.ini");
  ck_assert_str_eq(e.msg, "m.ini:12: unknown key 'x'");

  rc = evs_error_set(&e, EVS_EIO, "out.ras", 0, "cannot open (%d)", 2);
  ck_assert_int_eq(rc, EVS_EIO);
  ck_assert_str_eq(e.msg, "out.ras: cannot open (2)");
  ck_assert_int_eq(e.line, 0);

  rc = evs_error_set(&e, EVS_EINVAL, NULL, 5, "n = %d", 3);
  ck_assert_int_eq(rc, EVS_EINVAL);
  ck_assert_str_eq(e.msg, "n = 3");
  ck_assert_str_eq(e.file, "");

  /* An overlong message is truncated, still terminated. */
  char big[2000];
  memset(big, 'a', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  evs_error_set(&e, EVS_EMODEL, "f", 1, "%s", big);
  ck_assert_uint_eq(strlen(e.msg), sizeof e.msg - 1);
  ck_assert_int_eq(strncmp(e.msg, "f:1: aaa", 8), 0);

  evs_error_clear(&e);
  ck_assert_int_eq(e.code, EVS_OK);
  ck_assert_str_eq(e.msg, "");
  ck_assert_str_eq(e.file, "");
  ck_assert_int_eq(e.line, 0);
}
END_TEST

START_TEST(test_error_null_safe) {
  ck_assert_int_eq(evs_error_set(NULL, EVS_ENOENT, "a", 1, "x %d", 1),
                   EVS_ENOENT);
  evs_error_clear(NULL);
}
END_TEST

/* ---- units --------------------------------------------------------------- */

typedef struct good_case {
  const char *text;
  evs_dim dim;
  double want;
} good_case;

static const good_case good[] = {
    {"20 ms", EVS_DIM_TIME, 0.02},
    {"-50mV", EVS_DIM_VOLTAGE, -0.05},
    {"87.8 pA", EVS_DIM_CURRENT, 87.8e-12},
    {"1e-3 s", EVS_DIM_TIME, 1e-3},
    {"inf s", EVS_DIM_TIME, INFINITY},
    {"-inf ms", EVS_DIM_TIME, -INFINITY},
    {"+inf mV", EVS_DIM_VOLTAGE, INFINITY},
    {"  0.1 ms  ", EVS_DIM_TIME, 1e-4},
    {"1.5 us", EVS_DIM_TIME, 1.5e-6},
    {"1.5 \xC2\xB5s", EVS_DIM_TIME, 1.5e-6}, /* µs, micro sign */
    {"3 \xC2\xB5S", EVS_DIM_CONDUCTANCE, 3e-6},
    {"2 uS", EVS_DIM_CONDUCTANCE, 2e-6},
    {"2 mS", EVS_DIM_CONDUCTANCE, 2e-3},
    {"10 nS", EVS_DIM_CONDUCTANCE, 10e-9},
    {"7 pS", EVS_DIM_CONDUCTANCE, 7e-12},
    {"1 S", EVS_DIM_CONDUCTANCE, 1.0},
    {"250 pF", EVS_DIM_CAPACITANCE, 250e-12},
    {"0.2 nF", EVS_DIM_CAPACITANCE, 0.2e-9},
    {"1 uF", EVS_DIM_CAPACITANCE, 1e-6},
    {"1 F", EVS_DIM_CAPACITANCE, 1.0},
    {"-65 mV", EVS_DIM_VOLTAGE, -0.065},
    {"5 uV", EVS_DIM_VOLTAGE, 5e-6},
    {"1 V", EVS_DIM_VOLTAGE, 1.0},
    {"0.5 nA", EVS_DIM_CURRENT, 0.5e-9},
    {"2 uA", EVS_DIM_CURRENT, 2e-6},
    {"3 mA", EVS_DIM_CURRENT, 3e-3},
    {"1 A", EVS_DIM_CURRENT, 1.0},
    {"10 Hz", EVS_DIM_RATE, 10.0},
    {"2.5 kHz", EVS_DIM_RATE, 2500.0},
    {"1.2e1 kHz", EVS_DIM_RATE, 12000.0},
    {"0.02 /ms", EVS_DIM_RATE, 20.0},
    {"3/s", EVS_DIM_RATE, 3.0},
    {"2 mV/ms", EVS_DIM_VOLTAGE_RATE, 2.0},
    {"-14 mV/ms", EVS_DIM_VOLTAGE_RATE, -14.0},
    {"1.5 V/s", EVS_DIM_VOLTAGE_RATE, 1.5},
    {"500 mV/s", EVS_DIM_VOLTAGE_RATE, 0.5},
    {"2E-2ms", EVS_DIM_TIME, 2e-5},
    {".5 s", EVS_DIM_TIME, 0.5},
    {"5. ms", EVS_DIM_TIME, 5e-3},
    {"0 mV", EVS_DIM_VOLTAGE, 0.0},
    {"42", EVS_DIM_NONE, 42.0},
    {"-1.25e2", EVS_DIM_NONE, -125.0},
    {" inf ", EVS_DIM_NONE, INFINITY},
};

START_TEST(test_units_good) {
  const good_case *g = &good[_i];
  double v = -12345.0;
  char why[200] = "untouched";
  int rc = evs_unit_parse(g->text, g->dim, &v, why, sizeof why);
  ck_assert_msg(rc == EVS_OK, "'%s': rc %d (%s)", g->text, rc, why);
  /* Exact: the parser must give the correctly rounded SI value. */
  ck_assert_msg(v == g->want, "'%s': got %.17g, want %.17g", g->text, v,
                g->want);
}
END_TEST

typedef struct bad_case {
  const char *text;
  evs_dim dim;
  const char *reason; /* substring of why */
} bad_case;

static const bad_case bad[] = {
    {"20", EVS_DIM_TIME, "missing unit: expected a time such as '20 ms'"},
    {"-50", EVS_DIM_VOLTAGE, "missing unit: expected a voltage"},
    {"20 ms", EVS_DIM_VOLTAGE, "expected a voltage, got a time"},
    {"-50 mV", EVS_DIM_TIME, "expected a time, got a voltage"},
    {"1 mS", EVS_DIM_TIME, "expected a time, got a conductance"},
    {"1 ms", EVS_DIM_CONDUCTANCE, "expected a conductance, got a time"},
    {"10 Hz", EVS_DIM_CURRENT, "expected a current, got a rate"},
    {"5 ms", EVS_DIM_NONE, "got a time"},
    {"5 mX", EVS_DIM_VOLTAGE, "unknown unit 'mX'"},
    {"5 MV", EVS_DIM_VOLTAGE, "unknown unit 'MV'"},
    {"5 sec", EVS_DIM_TIME, "unknown unit 'sec'"},
    {"5 \xC2\xB5", EVS_DIM_TIME, "unknown unit"},
    {"x1", EVS_DIM_TIME, "malformed number 'x1'"},
    {"nan ms", EVS_DIM_TIME, "malformed number 'nan'"},
    {"NaN", EVS_DIM_NONE, "malformed number"},
    {"0x10 ms", EVS_DIM_TIME, "malformed number '0x10'"},
    {"0X1p3", EVS_DIM_NONE, "malformed number"},
    {"1.5.3 ms", EVS_DIM_TIME, "malformed number '1.5.3'"},
    {"2-3 ms", EVS_DIM_TIME, "malformed number"},
    {"- 3 ms", EVS_DIM_TIME, "malformed number"},
    {"ms", EVS_DIM_TIME, "malformed number 'ms'"},
    {"", EVS_DIM_TIME, "missing value"},
    {"   ", EVS_DIM_NONE, "missing value"},
    {"5 ms ms", EVS_DIM_TIME, "unexpected text 'ms'"},
    {"5 ms, 3 ms", EVS_DIM_TIME, "unexpected text"},
    {"1e999 s", EVS_DIM_TIME, "out of range"},
    {"1e308 kHz", EVS_DIM_RATE, "out of range"},
};

START_TEST(test_units_bad) {
  const bad_case *b = &bad[_i];
  double v = 777.0;
  char why[200] = "";
  int rc = evs_unit_parse(b->text, b->dim, &v, why, sizeof why);
  ck_assert_msg(rc == EVS_EMODEL, "'%s': rc %d, value %g", b->text, rc, v);
  ck_assert_msg(strstr(why, b->reason) != NULL, "'%s': why '%s' lacks '%s'",
                b->text, why, b->reason);
  ck_assert(v == 777.0); /* untouched on error */
  /* Short or absent reason buffers are safe. */
  char tiny[4];
  ck_assert_int_eq(evs_unit_parse(b->text, b->dim, &v, tiny, sizeof tiny),
                   EVS_EMODEL);
  ck_assert_uint_le(strlen(tiny), 3);
  ck_assert_int_eq(evs_unit_parse(b->text, b->dim, &v, NULL, 0), EVS_EMODEL);
}
END_TEST

START_TEST(test_units_prefix) {
  const char *text = "-60 mV, -50 mV)";
  const char *end = NULL;
  double v;
  char why[100];
  ck_assert_int_eq(
      evs_unit_parse_prefix(text, EVS_DIM_VOLTAGE, &v, &end, why, sizeof why),
      EVS_OK);
  ck_assert(v == -0.06);
  ck_assert_ptr_eq(end, text + 6); /* right after "mV" */
  ck_assert_int_eq(evs_unit_parse_prefix(end + 1, EVS_DIM_VOLTAGE, &v, &end,
                                         why, sizeof why),
                   EVS_OK);
  ck_assert(v == -0.05);
  ck_assert_str_eq(end, ")");

  ck_assert_int_eq(
      evs_unit_parse_prefix("3 rest", EVS_DIM_NONE, &v, &end, why, sizeof why),
      EVS_EMODEL); /* "rest" reads as an (unknown) unit */
  ck_assert_int_eq(
      evs_unit_parse_prefix("3, 4", EVS_DIM_NONE, &v, &end, why, sizeof why),
      EVS_OK);
  ck_assert(v == 3.0);
  ck_assert_str_eq(end, ", 4");
  ck_assert_int_eq(
      evs_unit_parse_prefix("inf ms)", EVS_DIM_TIME, &v, &end, why, sizeof why),
      EVS_OK);
  ck_assert(isinf(v) && v > 0);
  ck_assert_str_eq(end, ")");
  ck_assert_int_eq(
      evs_unit_parse_prefix("3, 4", EVS_DIM_TIME, &v, &end, why, sizeof why),
      EVS_EMODEL);
  ck_assert_ptr_nonnull(strstr(why, "missing unit"));
}
END_TEST

START_TEST(test_dim_names) {
  ck_assert_str_eq(evs_dim_name(EVS_DIM_TIME), "time");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_VOLTAGE), "voltage");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_CURRENT), "current");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_CONDUCTANCE), "conductance");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_CAPACITANCE), "capacitance");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_RATE), "rate");
  ck_assert_str_eq(evs_dim_name(EVS_DIM_VOLTAGE_RATE), "voltage rate");
  ck_assert_ptr_nonnull(evs_dim_name(EVS_DIM_COUNT_));
}
END_TEST

/* ---- dist ---------------------------------------------------------------- */

#define NDRAW 400000

/* Sample mean and sd of n draws from stream (seed, 0, 0, EVS_RNG_TEST). */
typedef struct moments {
  double mean, sd, min, max;
} moments;

static moments sample(const evs_dist *d, uint64_t seed, int n) {
  evs_rng r;
  evs_rng_init(&r, seed, 0, 0, EVS_RNG_TEST);
  double s = 0, s2 = 0, lo = INFINITY, hi = -INFINITY;
  double shift = evs_dist_mean(d); /* reduces cancellation */
  for (int i = 0; i < n; i++) {
    double x = evs_dist_draw(d, &r);
    double y = x - shift;
    s += y;
    s2 += y * y;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  moments m;
  m.mean = shift + s / n;
  m.sd = sqrt((s2 - s * s / n) / (n - 1));
  m.min = lo;
  m.max = hi;
  return m;
}

/* |got - want| within 5 standard errors; se_mean = sd/sqrt(n); the standard
 * error of a sample sd is sd*sqrt((kurtosis - 1)/n)/2 (delta method). */
static void check_moments(const char *what, moments m, double mean, double sd,
                          double kurtosis, int n) {
  double se_mean = sd / sqrt(n);
  double se_sd = sd * sqrt((kurtosis - 1.0) / n) / 2.0;
  ck_assert_msg(fabs(m.mean - mean) <= 5 * se_mean,
                "%s: mean %.9g, want %.9g +- %.3g", what, m.mean, mean,
                5 * se_mean);
  ck_assert_msg(fabs(m.sd - sd) <= 5 * se_sd, "%s: sd %.9g, want %.9g +- %.3g",
                what, m.sd, sd, 5 * se_sd);
}

static evs_dist parse_ok(const char *text, evs_dim dim) {
  evs_dist d;
  char why[200] = "";
  int rc = evs_dist_parse(text, dim, &d, why, sizeof why);
  ck_assert_msg(rc == EVS_OK, "'%s': rc %d: %s", text, rc, why);
  return d;
}

START_TEST(test_dist_parse) {
  evs_dist d = parse_ok("1.62 mV", EVS_DIM_VOLTAGE);
  ck_assert_int_eq(d.kind, EVS_DIST_CONST);
  ck_assert(d.p[0] == 1.62e-3);
  ck_assert(evs_dist_draw(&d, NULL) == 1.62e-3);
  ck_assert(evs_dist_mean(&d) == 1.62e-3);
  ck_assert(evs_dist_min(&d) == 1.62e-3);

  d = parse_ok(" uniform(-60 mV, -50 mV) ", EVS_DIM_VOLTAGE);
  ck_assert_int_eq(d.kind, EVS_DIST_UNIFORM);
  ck_assert(d.p[0] == -0.06 && d.p[1] == -0.05);
  ck_assert(evs_dist_mean(&d) == -0.055);
  ck_assert(evs_dist_min(&d) == -0.06);

  d = parse_ok("normal(87.8 pA,8.78 pA)", EVS_DIM_CURRENT);
  ck_assert_int_eq(d.kind, EVS_DIST_NORMAL);
  ck_assert(d.p[0] == 87.8e-12 && d.p[1] == 8.78e-12);
  ck_assert(isinf(evs_dist_min(&d)) && evs_dist_min(&d) < 0);

  d = parse_ok("normal_clipped(1.5 ms, 0.75 ms, 0.1 ms, inf ms)", EVS_DIM_TIME);
  ck_assert_int_eq(d.kind, EVS_DIST_NORMAL_CLIPPED);
  ck_assert(d.p[0] == 1.5e-3 && d.p[1] == 0.75e-3 && d.p[2] == 0.1e-3);
  ck_assert(isinf(d.p[3]) && d.p[3] > 0);
  ck_assert(evs_dist_mean(&d) == 1.5e-3);
  ck_assert(evs_dist_min(&d) == 0.1e-3);

  d = parse_ok("normal_clipped(0 mV, 1 mV, -inf mV, 2 mV)", EVS_DIM_VOLTAGE);
  ck_assert(isinf(d.p[2]) && d.p[2] < 0 && d.p[3] == 2e-3);

  d = parse_ok("lognormal ( 1 nS , 0.5 nS )", EVS_DIM_CONDUCTANCE);
  ck_assert_int_eq(d.kind, EVS_DIST_LOGNORMAL);
  ck_assert(d.p[0] == 1e-9 && d.p[1] == 0.5e-9);
  ck_assert(evs_dist_mean(&d) == 1e-9);
  ck_assert(evs_dist_min(&d) == 0.0);

  d = parse_ok("normal(2, 0.5)", EVS_DIM_NONE);
  ck_assert(d.p[0] == 2.0 && d.p[1] == 0.5);

  d = parse_ok("inf ms", EVS_DIM_TIME);
  ck_assert_int_eq(d.kind, EVS_DIST_CONST);
  ck_assert(isinf(d.p[0]));

  /* Degenerate but valid: sd 0, equal bounds. */
  evs_rng r;
  evs_rng_init(&r, 1, 0, 0, EVS_RNG_TEST);
  d = parse_ok("normal(1 ms, 0 ms)", EVS_DIM_TIME);
  ck_assert(evs_dist_draw(&d, &r) == 1e-3);
  d = parse_ok("normal_clipped(1 ms, 0 ms, 1 ms, 1 ms)", EVS_DIM_TIME);
  ck_assert(evs_dist_draw(&d, &r) == 1e-3);
  d = parse_ok("uniform(1 ms, 1 ms)", EVS_DIM_TIME);
  ck_assert(d.p[0] == d.p[1]);

  d = evs_dist_const(3.5);
  ck_assert_int_eq(d.kind, EVS_DIST_CONST);
  ck_assert(d.p[0] == 3.5);
}
END_TEST

static const bad_case dist_bad[] = {
    {"gauss(1 ms, 2 ms)", EVS_DIM_TIME, "unknown distribution 'gauss'"},
    {"Normal(1 ms, 2 ms)", EVS_DIM_TIME, "unknown distribution"},
    {"uniform(1 ms)", EVS_DIM_TIME, "uniform takes 2 arguments"},
    {"uniform()", EVS_DIM_TIME, "got 0"},
    {"normal(1 ms, 2 ms, 3 ms)", EVS_DIM_TIME, "normal takes 2 arguments"},
    {"normal_clipped(1 ms, 2 ms, 3 ms)", EVS_DIM_TIME, "takes 4 arguments"},
    {"normal_clipped(1 ms, 1 ms, 0 ms, 1 ms, 2 ms)", EVS_DIM_TIME, "got 5"},
    {"normal(1 ms, -1 ms)", EVS_DIM_TIME, "sd < 0"},
    {"lognormal(1 nS, -1 nS)", EVS_DIM_CONDUCTANCE, "sd < 0"},
    {"normal_clipped(1 ms, -1 ms, 0 ms, 2 ms)", EVS_DIM_TIME, "sd < 0"},
    {"uniform(2 ms, 1 ms)", EVS_DIM_TIME, "low > high"},
    {"normal_clipped(1 ms, 1 ms, 3 ms, 2 ms)", EVS_DIM_TIME, "low > high"},
    {"normal_clipped(0 ms, 1 ms, 100 ms, inf ms)", EVS_DIM_TIME, "probability"},
    {"normal_clipped(0 ms, 1 ms, -inf ms, -7 ms)", EVS_DIM_TIME, "probability"},
    {"normal_clipped(0 ms, 0 ms, 1 ms, 2 ms)", EVS_DIM_TIME, "probability"},
    {"normal_clipped(0 ms, 1 ms, 5 ms, 5 ms)", EVS_DIM_TIME, "probability"},
    {"lognormal(0 nS, 1 nS)", EVS_DIM_CONDUCTANCE, "mean must be > 0"},
    {"lognormal(-1 nS, 1 nS)", EVS_DIM_CONDUCTANCE, "mean must be > 0"},
    {"uniform(-inf mV, 0 mV)", EVS_DIM_VOLTAGE, "finite"},
    {"normal(inf mV, 1 mV)", EVS_DIM_VOLTAGE, "finite"},
    {"normal(1 mV, 1 ms)", EVS_DIM_VOLTAGE,
     "argument 2: expected a voltage, got a time"},
    {"normal(1, 1 mV)", EVS_DIM_VOLTAGE, "argument 1: missing unit"},
    {"normal(1 mX, 1 mV)", EVS_DIM_VOLTAGE, "unknown unit 'mX'"},
    {"normal(x1 mV, 1 mV)", EVS_DIM_VOLTAGE, "malformed number 'x1'"},
    {"normal(1 mV,, 1 mV)", EVS_DIM_VOLTAGE, "argument 2"},
    {"normal(1 mV, 1 mV", EVS_DIM_VOLTAGE, "missing ')'"},
    {"normal(1 mV 1 mV)", EVS_DIM_VOLTAGE, "expected ',' or ')'"},
    {"normal(1 mV, 1 mV) x", EVS_DIM_VOLTAGE, "unexpected text"},
    {"1.62 mV", EVS_DIM_TIME, "expected a time, got a voltage"},
    {"", EVS_DIM_TIME, "missing value"},
    {"uniform", EVS_DIM_TIME, "expected '(' after 'uniform'"},
};

START_TEST(test_dist_bad) {
  const bad_case *b = &dist_bad[_i];
  evs_dist d = evs_dist_const(-1.0);
  char why[200] = "";
  int rc = evs_dist_parse(b->text, b->dim, &d, why, sizeof why);
  ck_assert_msg(rc == EVS_EMODEL, "'%s': rc %d", b->text, rc);
  ck_assert_msg(strstr(why, b->reason) != NULL, "'%s': why '%s' lacks '%s'",
                b->text, why, b->reason);
  ck_assert(d.kind == EVS_DIST_CONST && d.p[0] == -1.0); /* untouched */
}
END_TEST

START_TEST(test_dist_uniform_draws) {
  evs_dist d = parse_ok("uniform(-60 mV, -50 mV)", EVS_DIM_VOLTAGE);
  moments m = sample(&d, 11, NDRAW);
  /* Uniform on [a,b]: sd (b-a)/sqrt(12), kurtosis 9/5. */
  check_moments("uniform", m, -0.055, 0.01 / sqrt(12.0), 1.8, NDRAW);
  ck_assert(m.min >= -0.06 && m.max <= -0.05);
  ck_assert(m.min < -0.0599 && m.max > -0.0501);
}
END_TEST

START_TEST(test_dist_normal_draws) {
  evs_dist d = parse_ok("normal(87.8 pA, 8.78 pA)", EVS_DIM_CURRENT);
  moments m = sample(&d, 12, NDRAW);
  check_moments("normal", m, 87.8e-12, 8.78e-12, 3.0, NDRAW);
}
END_TEST

static double phi(double z) {
  return exp(-0.5 * z * z) / sqrt(2 * 3.14159265358979323846);
}
static double cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* Mean and sd of N(mu, s^2) truncated to [lo, hi] (closed form). */
static void truncated(double mu, double s, double lo, double hi, double *mean,
                      double *sd) {
  double a = (lo - mu) / s, b = (hi - mu) / s;
  double z = cdf(b) - cdf(a);
  double pa = isinf(a) ? 0 : phi(a), pb = isinf(b) ? 0 : phi(b);
  double apa = isinf(a) ? 0 : a * pa, bpb = isinf(b) ? 0 : b * pb;
  double r = (pa - pb) / z;
  *mean = mu + s * r;
  *sd = s * sqrt(1 + (apa - bpb) / z - r * r);
}

START_TEST(test_dist_clipped_draws) {
  static const struct {
    const char *text;
    double mu, s, lo, hi;
  } cases[] = {
      {"normal_clipped(1.5 ms, 0.75 ms, 0.1 ms, inf ms)", 1.5e-3, 0.75e-3,
       0.1e-3, INFINITY},
      {"normal_clipped(0 ms, 1 ms, 0.5 ms, 1.5 ms)", 0, 1e-3, 0.5e-3, 1.5e-3},
      {"normal_clipped(0 ms, 1 ms, -inf ms, -2 ms)", 0, 1e-3, -INFINITY, -2e-3},
  };
  for (int c = 0; c < 3; c++) {
    evs_dist d = parse_ok(cases[c].text, EVS_DIM_TIME);
    double mean, sd;
    truncated(cases[c].mu, cases[c].s, cases[c].lo, cases[c].hi, &mean, &sd);
    moments m = sample(&d, 13 + c, NDRAW);
    /* A truncated normal's kurtosis grows with one-sided truncation towards
     * that of the exponential, 9 (6.0 for the tail beyond 2 sd, by numerical
     * integration): 9 bounds the sd's standard error. */
    check_moments(cases[c].text, m, mean, sd, 9.0, NDRAW);
    ck_assert(m.min >= cases[c].lo && m.max <= cases[c].hi);
  }
}
END_TEST

START_TEST(test_dist_lognormal_draws) {
  evs_dist d = parse_ok("lognormal(1 nS, 0.5 nS)", EVS_DIM_CONDUCTANCE);
  int n = 1000000;
  moments m = sample(&d, 16, n);
  double s2 = log(1.25); /* sigma^2 = ln(1 + sd^2/mean^2) */
  double kurt = exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3;
  check_moments("lognormal", m, 1e-9, 0.5e-9, kurt, n);
  ck_assert(m.min > 0);
}
END_TEST

START_TEST(test_dist_scale) {
  static const char *texts[] = {
      "1.62 mV",
      "uniform(-60 mV, -50 mV)",
      "normal(2 mV, 0.5 mV)",
      "normal_clipped(1 mV, 0.5 mV, 0.2 mV, inf mV)",
      "lognormal(1 mV, 0.5 mV)",
  };
  for (int t = 0; t < 5; t++) {
    evs_dist d = parse_ok(texts[t], EVS_DIM_VOLTAGE);
    evs_dist s = evs_dist_scale(d, 2.5);
    ck_assert_int_eq(s.kind, d.kind);
    for (int i = 0; i < 4; i++) ck_assert(s.p[i] == d.p[i] * 2.5);
    ck_assert_double_eq_tol(evs_dist_mean(&s), 2.5 * evs_dist_mean(&d), 1e-15);
    double mn = evs_dist_min(&d), smn = evs_dist_min(&s);
    ck_assert(isinf(mn) ? smn == mn : fabs(smn - 2.5 * mn) <= 1e-15);
    /* Same stream: every scaled draw is the factor times the original. */
    evs_rng r1, r2;
    evs_rng_init(&r1, 5, 1, 2, EVS_RNG_TEST);
    evs_rng_init(&r2, 5, 1, 2, EVS_RNG_TEST);
    for (int i = 0; i < 1000; i++) {
      double a = evs_dist_draw(&d, &r1), b = evs_dist_draw(&s, &r2);
      ck_assert_msg(fabs(b - 2.5 * a) <= 1e-12 * fabs(b), "%s: %g vs %g",
                    texts[t], b, 2.5 * a);
    }
  }
  /* The scaled lognormal keeps the requested shape: mean and sd scale. */
  evs_dist l = evs_dist_scale(
      parse_ok("lognormal(1 nS, 0.5 nS)", EVS_DIM_CONDUCTANCE), 4.0);
  ck_assert(l.p[0] == 4e-9 && l.p[1] == 2e-9);
  double s2 = log(1.25);
  double kurt = exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3;
  check_moments("scaled lognormal", sample(&l, 17, NDRAW), 4e-9, 2e-9, kurt,
                NDRAW);
}
END_TEST

static Suite *units_suite(void) {
  Suite *s = suite_create("units");
  TCase *tc = tcase_create("error");
  tcase_add_test(tc, test_error_names_distinct);
  tcase_add_test(tc, test_error_set_format);
  tcase_add_test(tc, test_error_null_safe);
  suite_add_tcase(s, tc);

  tc = tcase_create("units");
  tcase_add_loop_test(tc, test_units_good, 0, sizeof good / sizeof good[0]);
  tcase_add_loop_test(tc, test_units_bad, 0, sizeof bad / sizeof bad[0]);
  tcase_add_test(tc, test_units_prefix);
  tcase_add_test(tc, test_dim_names);
  suite_add_tcase(s, tc);

  tc = tcase_create("dist");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_dist_parse);
  tcase_add_loop_test(tc, test_dist_bad, 0,
                      sizeof dist_bad / sizeof dist_bad[0]);
  tcase_add_test(tc, test_dist_uniform_draws);
  tcase_add_test(tc, test_dist_normal_draws);
  tcase_add_test(tc, test_dist_clipped_draws);
  tcase_add_test(tc, test_dist_lognormal_draws);
  tcase_add_test(tc, test_dist_scale);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(units_suite()); }
