/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — values that are constants or random distributions
 * (see include/evsnn/dist.h). */
#include "evsnn/dist.h"
#include "evsnn/error.h"
#include "base/checks.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* A clipped normal whose range holds less probability than this would take
 * over 1e9 redraws per value: refused at parse time. */
#define MIN_CLIPPED_MASS 1e-9
#define SQRT_HALF 0.70710678118654752440

typedef struct dist_syntax {
  const char *name;
  evs_dist_kind kind;
  int nargs;
  const char *args; /* for messages */
} dist_syntax;

static const dist_syntax syntaxes[] = {
    {"uniform", EVS_DIST_UNIFORM, 2, "low, high"},
    {"normal", EVS_DIST_NORMAL, 2, "mean, sd"},
    {"normal_clipped", EVS_DIST_NORMAL_CLIPPED, 4, "mean, sd, low, high"},
    {"lognormal", EVS_DIST_LOGNORMAL, 2, "mean, sd"},
};

/* SI unit symbols, for messages, by evs_dim. */
static const char *const si_symbol[EVS_DIM_COUNT_] = {
    "", " s", " V", " A", " S", " F", " Hz", " V/s"};

static const char *skip_blanks(const char *s) {
  while (isspace((unsigned char)*s)) s++;
  return s;
}

evs_dist evs_dist_const(double value) {
  evs_dist d = {EVS_DIST_CONST, {value, 0.0, 0.0, 0.0}};
  return d;
}

/* P(Z > z) and P(Z < z) for a standard normal Z, accurate in the tails. */
static double upper_tail(double z) { return 0.5 * erfc(z * SQRT_HALF); }
static double lower_tail(double z) { return 0.5 * erfc(-z * SQRT_HALF); }

/* Probability that N(mean, sd^2) falls in [low, high] (low <= high). */
static double clipped_mass(double mean, double sd, double low, double high) {
  if (sd == 0.0) return low <= mean && mean <= high ? 1.0 : 0.0;
  double zl = (low - mean) / sd, zh = (high - mean) / sd;
  if (zl >= 0.0) return upper_tail(zl) - upper_tail(zh);
  if (zh <= 0.0) return lower_tail(zh) - lower_tail(zl);
  return 1.0 - upper_tail(zh) - lower_tail(zl);
}

/* Checks the parameters of a parsed distribution; 0 when valid. */
static int check(const evs_dist *d, const char *name, evs_dim dim, char *why,
                 size_t whylen) {
  const double *p = d->p;
  const char *u = si_symbol[dim];
  switch (d->kind) {
  case EVS_DIST_CONST: return 0;
  case EVS_DIST_UNIFORM:
    if (!isfinite(p[0]) || !isfinite(p[1])) {
      evs__unit_say(why, whylen, "%s: bounds must be finite", name);
      return -1;
    }
    if (p[0] > p[1]) {
      evs__unit_say(why, whylen, "%s: low > high (%g%s > %g%s)", name, p[0], u,
                    p[1], u);
      return -1;
    }
    return 0;
  case EVS_DIST_NORMAL:
  case EVS_DIST_NORMAL_CLIPPED:
  case EVS_DIST_LOGNORMAL:
    if (!isfinite(p[0]) || !isfinite(p[1])) {
      evs__unit_say(why, whylen, "%s: mean and sd must be finite", name);
      return -1;
    }
    if (p[1] < 0.0) {
      evs__unit_say(why, whylen, "%s: sd < 0 (%g%s)", name, p[1], u);
      return -1;
    }
    break;
  }
  if (d->kind == EVS_DIST_LOGNORMAL && !(p[0] > 0.0)) {
    evs__unit_say(why, whylen, "%s: mean must be > 0 (got %g%s)", name, p[0],
                  u);
    return -1;
  }
  if (d->kind == EVS_DIST_NORMAL_CLIPPED) {
    if (p[2] > p[3]) {
      evs__unit_say(why, whylen, "%s: low > high (%g%s > %g%s)", name, p[2], u,
                    p[3], u);
      return -1;
    }
    double mass = clipped_mass(p[0], p[1], p[2], p[3]);
    if (!(mass >= MIN_CLIPPED_MASS)) {
      evs__unit_say(why, whylen,
                    "%s: the range [%g%s, %g%s] holds almost no probability "
                    "(%.3g < %g) of normal(%g%s, %g%s)",
                    name, p[2], u, p[3], u, mass, MIN_CLIPPED_MASS, p[0], u,
                    p[1], u);
      return -1;
    }
  }
  return 0;
}

int evs_dist_parse(const char *text, evs_dim dim, evs_dist *out, char *why,
                   size_t whylen) {
  if (why != NULL && whylen > 0) why[0] = '\0';
  if (text == NULL) {
    evs__unit_say(why, whylen, "missing value");
    return EVS_EMODEL;
  }
  if ((int)dim < 0 || dim >= EVS_DIM_COUNT_) {
    evs__unit_say(why, whylen, "invalid dimension %d", (int)dim);
    return EVS_EINVAL;
  }
  const char *s = skip_blanks(text);

  /* A name followed by '(' is a distribution; anything else a constant
   * (which may itself start with letters: "inf ms"). */
  size_t n = 0;
  while (isalpha((unsigned char)s[n]) || s[n] == '_' ||
         (n > 0 && isdigit((unsigned char)s[n])))
    n++;
  const char *paren = skip_blanks(s + n);
  for (size_t i = 0;
       n > 0 && *paren != '(' && i < sizeof syntaxes / sizeof syntaxes[0]; i++)
    if (strlen(syntaxes[i].name) == n && strncmp(syntaxes[i].name, s, n) == 0) {
      evs__unit_say(why, whylen, "expected '(' after '%s'", syntaxes[i].name);
      return EVS_EMODEL;
    }
  if (n == 0 || *paren != '(') {
    double v;
    int rc = evs_unit_parse(s, dim, &v, why, whylen);
    if (rc != EVS_OK) return rc;
    *out = evs_dist_const(v);
    return EVS_OK;
  }

  const dist_syntax *syn = NULL;
  for (size_t i = 0; i < sizeof syntaxes / sizeof syntaxes[0]; i++)
    if (strlen(syntaxes[i].name) == n && strncmp(syntaxes[i].name, s, n) == 0)
      syn = &syntaxes[i];
  if (syn == NULL) {
    evs__unit_say(why, whylen,
                  "unknown distribution '%.*s' (known: uniform, normal, "
                  "normal_clipped, lognormal)",
                  (int)n, s);
    return EVS_EMODEL;
  }

  evs_dist d = {syn->kind, {0.0, 0.0, 0.0, 0.0}};
  int count = 0;
  const char *c = skip_blanks(paren + 1);
  if (*c != ')') {
    for (;;) {
      double v;
      const char *end;
      char inner[160];
      if (evs_unit_parse_prefix(c, dim, &v, &end, inner, sizeof inner) !=
          EVS_OK) {
        evs__unit_say(why, whylen, "%s: argument %d: %s", syn->name, count + 1,
                      inner);
        return EVS_EMODEL;
      }
      if (count < 4) d.p[count] = v;
      count++;
      c = skip_blanks(end);
      if (*c == ',') {
        c = skip_blanks(c + 1);
        continue;
      }
      if (*c == ')') break;
      if (*c == '\0')
        evs__unit_say(why, whylen, "%s: missing ')'", syn->name);
      else
        evs__unit_say(why, whylen,
                      "%s: expected ',' or ')' after argument %d, got '%c'",
                      syn->name, count, *c);
      return EVS_EMODEL;
    }
  }
  if (count != syn->nargs) {
    evs__unit_say(why, whylen, "%s takes %d arguments (%s), got %d", syn->name,
                  syn->nargs, syn->args, count);
    return EVS_EMODEL;
  }
  c = skip_blanks(c + 1);
  if (*c != '\0') {
    evs__unit_say(why, whylen, "unexpected text '%.20s' after %s(...)", c,
                  syn->name);
    return EVS_EMODEL;
  }
  if (check(&d, syn->name, dim, why, whylen) != 0) return EVS_EMODEL;
  *out = d;
  return EVS_OK;
}

/* mu and sigma of the underlying normal of a lognormal with the given mean
 * and sd of the value: sigma^2 = ln(1 + sd^2/mean^2), mu = ln mean - sigma^2/2.
 */
static void lognormal_params(double mean, double sd, double *mu,
                             double *sigma) {
  double ratio = sd / mean;
  double s2 = log1p(ratio * ratio);
  *mu = log(mean) - 0.5 * s2;
  *sigma = sqrt(s2);
}

double evs_dist_draw(const evs_dist *d, evs_rng *r) {
  const double *p = d->p;
  switch (d->kind) {
  case EVS_DIST_CONST: return p[0];
  case EVS_DIST_UNIFORM: return p[0] + (p[1] - p[0]) * evs_rng_uniform(r);
  case EVS_DIST_NORMAL: return p[0] + p[1] * evs_rng_normal(r);
  case EVS_DIST_NORMAL_CLIPPED: {
    if (p[1] == 0.0) return p[0];
    /* Redraw until inside: parsing guarantees a mass >= 1e-9. */
    for (;;) {
      double x = p[0] + p[1] * evs_rng_normal(r);
      if (x >= p[2] && x <= p[3]) return x;
    }
  }
  case EVS_DIST_LOGNORMAL: {
    double mu, sigma;
    lognormal_params(p[0], p[1], &mu, &sigma);
    return exp(mu + sigma * evs_rng_normal(r));
  }
  }
  return p[0];
}

double evs_dist_mean(const evs_dist *d) {
  switch (d->kind) {
  case EVS_DIST_UNIFORM: return 0.5 * (d->p[0] + d->p[1]);
  case EVS_DIST_CONST:
  case EVS_DIST_NORMAL:
  case EVS_DIST_NORMAL_CLIPPED:
  case EVS_DIST_LOGNORMAL: break;
  }
  return d->p[0];
}

evs_dist evs_dist_scale(evs_dist d, double factor) {
  /* Every kind's parameters are values or sds of values, so all scale alike
   * (for the lognormal too: mean and sd are of the value itself). */
  for (int i = 0; i < 4; i++) d.p[i] *= factor;
  return d;
}

double evs_dist_min(const evs_dist *d) {
  const double *p = d->p;
  switch (d->kind) {
  case EVS_DIST_CONST:
  case EVS_DIST_UNIFORM: return p[0];
  case EVS_DIST_NORMAL: return p[1] == 0.0 ? p[0] : -INFINITY;
  case EVS_DIST_NORMAL_CLIPPED: return p[1] == 0.0 ? p[0] : p[2];
  case EVS_DIST_LOGNORMAL: return p[1] == 0.0 ? p[0] : 0.0;
  }
  return p[0];
}

int evs__dist_ok(const evs_dist *d) {
  int np = d->kind == EVS_DIST_CONST            ? 1
           : d->kind == EVS_DIST_NORMAL_CLIPPED ? 4
                                                : 2;
  for (int i = 0; i < np; i++)
    if (!evs__value_ok(d->p[i]) && !(i >= 2 && isinf(d->p[i]))) return 0;
  return 1;
}
