/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — physical quantities written with units (see include/evsnn/units.h).
 *
 * A unit is a power of ten times an SI base unit. The value is computed by
 * rewriting the number with the unit's exponent added ("87.8 pA" is read as
 * strtod("87.8e-12")), so it is the correctly rounded SI value, identical to
 * the C literal 87.8e-12 (multiplying by 1e-12 could be off by one ulp). */
#include "evsnn/units.h"
#include "evsnn/error.h"
#include "base/checks.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct unit_def {
  const char *name; /* as written, ASCII 'u' for micro */
  evs_dim dim;
  int exp10; /* SI value = number * 10^exp10 */
} unit_def;

static const unit_def units[] = {
    {"s", EVS_DIM_TIME, 0},
    {"ms", EVS_DIM_TIME, -3},
    {"us", EVS_DIM_TIME, -6},
    {"V", EVS_DIM_VOLTAGE, 0},
    {"mV", EVS_DIM_VOLTAGE, -3},
    {"uV", EVS_DIM_VOLTAGE, -6},
    {"A", EVS_DIM_CURRENT, 0},
    {"mA", EVS_DIM_CURRENT, -3},
    {"uA", EVS_DIM_CURRENT, -6},
    {"nA", EVS_DIM_CURRENT, -9},
    {"pA", EVS_DIM_CURRENT, -12},
    {"S", EVS_DIM_CONDUCTANCE, 0},
    {"mS", EVS_DIM_CONDUCTANCE, -3},
    {"uS", EVS_DIM_CONDUCTANCE, -6},
    {"nS", EVS_DIM_CONDUCTANCE, -9},
    {"pS", EVS_DIM_CONDUCTANCE, -12},
    {"F", EVS_DIM_CAPACITANCE, 0},
    {"uF", EVS_DIM_CAPACITANCE, -6},
    {"nF", EVS_DIM_CAPACITANCE, -9},
    {"pF", EVS_DIM_CAPACITANCE, -12},
    {"Hz", EVS_DIM_RATE, 0},
    {"kHz", EVS_DIM_RATE, 3},
    {"/s", EVS_DIM_RATE, 0},
    {"/ms", EVS_DIM_RATE, 3},
    {"V/s", EVS_DIM_VOLTAGE_RATE, 0},
    {"mV/ms", EVS_DIM_VOLTAGE_RATE, 0},
    {"mV/s", EVS_DIM_VOLTAGE_RATE, -3},
};

static const char *const dim_names[EVS_DIM_COUNT_] = {
    "dimensionless", "time",        "voltage", "current",
    "conductance",   "capacitance", "rate",    "voltage rate",
};

/* What a missing-unit message suggests, per dimension. */
static const char *const dim_examples[EVS_DIM_COUNT_] = {
    "2.5", "20 ms", "-65 mV", "250 pA", "10 nS", "250 pF", "10 Hz", "2 mV/ms",
};

const char *evs_dim_name(evs_dim dim) {
  if ((int)dim < 0 || dim >= EVS_DIM_COUNT_) return "unknown";
  return dim_names[dim];
}

void evs__unit_say(char *why, size_t whylen, const char *fmt, ...) {
  if (why == NULL || whylen == 0) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
}

static int is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
         c == '\v';
}

/* Bytes that may form a unit: ASCII letters, '/' (quotients: "/ms",
 * "mV/ms") and any UTF-8 byte (so "µs" is one token and an unknown symbol is
 * reported whole). */
static int is_unit_char(char c) {
  return isalpha((unsigned char)c) || c == '/' || (unsigned char)c >= 0x80;
}

/* The offending token for a message: up to a blank, ',', ')' or the end. */
static int token_len(const char *s) {
  int n = 0;
  while (s[n] != '\0' && !is_blank(s[n]) && s[n] != ',' && s[n] != ')' &&
         n < 40)
    n++;
  return n;
}

static int prefix_ci(const char *s, const char *word) {
  for (; *word != '\0'; s++, word++)
    if (tolower((unsigned char)*s) != *word) return 0;
  return 1;
}

/* Looks up a unit token of length n; "µ" (U+00B5) or "μ" (U+03BC) count as
 * 'u'. Returns NULL when unknown. */
static const unit_def *find_unit(const char *tok, size_t n) {
  char name[8];
  size_t skip = 0;
  if (n >= 2 &&
      (((unsigned char)tok[0] == 0xC2 && (unsigned char)tok[1] == 0xB5) ||
       ((unsigned char)tok[0] == 0xCE && (unsigned char)tok[1] == 0xBC)))
    skip = 2;
  size_t len = n - skip + (skip ? 1 : 0);
  if (len == 0 || len >= sizeof name) return NULL;
  if (skip) {
    name[0] = 'u';
    memcpy(name + 1, tok + skip, n - skip);
  } else {
    memcpy(name, tok, n);
  }
  name[len] = '\0';
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(units[i].name, name) == 0) return &units[i];
  return NULL;
}

/* Reads the number at s (no leading blanks). Accepts decimal notation and
 * [+-]inf[inity]; refuses nan and hexadecimal, which strtod would take.
 * On success stores the number's extent [s, *numend) and returns 0. */
static int scan_number(const char *s, const char **numend, char *why,
                       size_t whylen) {
  const char *p = s;
  if (*p == '+' || *p == '-') p++;
  int ok;
  if (prefix_ci(p, "inf"))
    ok = 1;
  else if (isdigit((unsigned char)p[0]))
    ok = !(p[0] == '0' && (p[1] == 'x' || p[1] == 'X'));
  else
    ok = p[0] == '.' && isdigit((unsigned char)p[1]);
  char *end = NULL;
  if (ok) {
    (void)strtod(s, &end);
    ok = end != s;
  }
  /* Digits or signs right after the number mean "1.5.3" or "2-3": a
   * malformed number rather than a number followed by an odd unit. */
  if (ok && (isdigit((unsigned char)*end) || strchr(".+-_", *end) != NULL) &&
      *end != '\0')
    ok = 0;
  if (!ok) {
    if (*s == '\0' || *s == ',' || *s == ')')
      evs__unit_say(why, whylen, "missing number");
    else
      evs__unit_say(why, whylen, "malformed number '%.*s'", token_len(s), s);
    return -1;
  }
  *numend = end;
  return 0;
}

/* Converts the number text [s, e) times 10^exp10 to a double, rounding once. */
static int scaled_value(const char *s, const char *e, int exp10, double *value,
                        char *why, size_t whylen) {
  char buf[160];
  size_t n = (size_t)(e - s);
  if (n + 16 > sizeof buf) {
    evs__unit_say(why, whylen, "number too long '%.20s...'", s);
    return -1;
  }
  memcpy(buf, s, n);
  buf[n] = '\0';
  double v;
  if (exp10 == 0 || strpbrk(buf, "iI") != NULL) {
    v = strtod(buf, NULL) * pow(10.0, exp10); /* exact for 0 and for inf */
  } else {
    char *epos = strpbrk(buf, "eE");
    long long ex = exp10;
    if (epos != NULL) {
      long long given = strtoll(epos + 1, NULL, 10);
      if (given > 100000) given = 100000;
      if (given < -100000) given = -100000;
      ex += given;
      *epos = '\0';
    }
    snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "e%lld", ex);
    v = strtod(buf, NULL);
  }
  if (isinf(v) && strpbrk(buf, "iI") == NULL) {
    evs__unit_say(why, whylen, "number out of range '%.*s'", (int)n, s);
    return -1;
  }
  *value = v;
  return 0;
}

static int parse(const char *text, evs_dim dim, double *value, const char **end,
                 char *why, size_t whylen) {
  if (why != NULL && whylen > 0) why[0] = '\0';
  if (end != NULL) *end = text;
  if ((int)dim < 0 || dim >= EVS_DIM_COUNT_) {
    evs__unit_say(why, whylen, "invalid dimension %d", (int)dim);
    return EVS_EINVAL;
  }
  if (text == NULL) {
    evs__unit_say(why, whylen, "missing value");
    return EVS_EMODEL;
  }

  const char *s = text;
  while (is_blank(*s)) s++;
  if (*s == '\0') {
    if (dim == EVS_DIM_NONE)
      evs__unit_say(why, whylen, "missing value: expected a number");
    else
      evs__unit_say(why, whylen, "missing value: expected a %s such as '%s'",
                    dim_names[dim], dim_examples[dim]);
    return EVS_EMODEL;
  }

  const char *numend;
  if (scan_number(s, &numend, why, whylen) != 0) return EVS_EMODEL;

  const char *u = numend;
  while (is_blank(*u)) u++;
  size_t ulen = 0;
  while (is_unit_char(u[ulen])) ulen++;

  const unit_def *unit = NULL;
  if (ulen > 0) {
    unit = find_unit(u, ulen);
    if (unit == NULL) {
      evs__unit_say(why, whylen, "unknown unit '%.*s'", (int)ulen, u);
      return EVS_EMODEL;
    }
    if (dim == EVS_DIM_NONE) {
      evs__unit_say(why, whylen, "expected a plain number, got a %s ('%.*s')",
                    dim_names[unit->dim], (int)ulen, u);
      return EVS_EMODEL;
    }
    if (unit->dim != dim) {
      evs__unit_say(why, whylen, "expected a %s, got a %s ('%.*s')",
                    dim_names[dim], dim_names[unit->dim], (int)ulen, u);
      return EVS_EMODEL;
    }
  } else if (dim != EVS_DIM_NONE) {
    evs__unit_say(why, whylen, "missing unit: expected a %s such as '%s'",
                  dim_names[dim], dim_examples[dim]);
    return EVS_EMODEL;
  }

  double v;
  if (scaled_value(s, numend, unit != NULL ? unit->exp10 : 0, &v, why,
                   whylen) != 0)
    return EVS_EMODEL;

  const char *rest = unit != NULL ? u + ulen : numend;
  if (end != NULL) {
    *end = rest;
  } else {
    while (is_blank(*rest)) rest++;
    if (*rest != '\0') {
      evs__unit_say(why, whylen, "unexpected text '%.*s' after the value",
                    token_len(rest) > 0 ? token_len(rest) : 1, rest);
      return EVS_EMODEL;
    }
  }
  *value = v;
  return EVS_OK;
}

int evs_unit_parse(const char *text, evs_dim dim, double *value, char *why,
                   size_t whylen) {
  return parse(text, dim, value, NULL, why, whylen);
}

int evs_unit_parse_prefix(const char *text, evs_dim dim, double *value,
                          const char **end, char *why, size_t whylen) {
  const char *dummy;
  return parse(text, dim, value, end != NULL ? end : &dummy, why, whylen);
}
