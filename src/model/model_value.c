/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files: reading one key's value (a number, a quantity with
 * units, a distribution, a path, neuron ids, a population size under
 * [network] scale) and reporting errors at the file:line of the key or
 * section, or at the --set override that wrote it; a section's origin for
 * the description. Used by the check stage (model_check.h); the contracts
 * are in model_impl.h. */
#include "model/model_impl.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- errors ----------------------------------------------------------- */

/* Reports code with message msg where it was written: after "--set SET: "
 * when set is the text of an override (which has no line), else at
 * c->file:line. Returns code. */
static int fail_at(evs__model_ctx *c, int code, const char *set, int line,
                   const char *msg) {
  if (set)
    return evs_error_set(c->err, code, NULL, 0, "--set %s: %s", set, msg);
  return evs_error_set(c->err, code, c->file, line, "%s", msg);
}

/* fail_at with EVS_EMODEL and a printf-formatted message. */
static int vfail_at(evs__model_ctx *c, const char *set, int line,
                    const char *fmt, va_list ap) {
  char msg[600];
  vsnprintf(msg, sizeof msg, fmt, ap);
  return fail_at(c, EVS_EMODEL, set, line, msg);
}

int evs__model_key_fail(evs__model_ctx *c, const evs__model_key *k,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail_at(c, k->set, k->line, fmt, ap);
  va_end(ap);
  return rc;
}

int evs__model_sec_fail(evs__model_ctx *c, const evs__model_sec *s,
                        const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = vfail_at(c, NULL, s->line > 0 ? s->line : 1, fmt, ap);
  va_end(ap);
  return rc;
}

/* ---- sections' keys --------------------------------------------------- */

int evs__model_check_keys(evs__model_ctx *c, const evs__model_sec *s,
                          const char *const *allowed, const char *what) {
  evs__model_key *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; allowed[i]; i++)
      if (!strcmp(k->name, allowed[i])) break;
    if (!allowed[i])
      return evs__model_key_fail(c, k, "unknown key '%s' in [%s]%s", k->name,
                                 s->id, what ? what : "");
  }
  return EVS_OK;
}

const evs__model_key *evs__model_need(evs__model_ctx *c,
                                      const evs__model_sec *s, const char *key,
                                      int *rc) {
  const evs__model_key *k = evs__model_key_get(s, key);
  if (!k)
    *rc = evs__model_sec_fail(c, s, "missing required key '%s' in [%s]", key,
                              s->id);
  return k;
}

/* ---- small parsers ---------------------------------------------------- */

int evs__model_parse_u64(const char *s, uint64_t *out) {
  char *end;
  while (isspace((unsigned char)*s)) s++;
  if (!isdigit((unsigned char)*s)) return -1;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno == ERANGE) return -1;
  while (isspace((unsigned char)*end)) end++;
  if (*end) return -1;
  *out = (uint64_t)v;
  return 0;
}

int evs__model_parse_bool(const char *s, int *out) {
  if (!strcmp(s, "yes") || !strcmp(s, "true"))
    *out = 1;
  else if (!strcmp(s, "no") || !strcmp(s, "false"))
    *out = 0;
  else
    return -1;
  return 0;
}

/* Refuses a value that no parameter can take: not finite, or larger in
 * magnitude than EVS__MODEL_MAX_MAGNITUDE in SI units (a weight of 1e300 mV
 * would become an infinite float, and potentials NaN). */
static int check_finite(evs__model_ctx *c, const evs__model_key *k, double v) {
  if (!isfinite(v))
    return evs__model_key_fail(c, k, "%s = %s: not a finite number", k->name,
                               k->value);
  if (fabs(v) > EVS__MODEL_MAX_MAGNITUDE)
    return evs__model_key_fail(c, k,
                               "%s = %s: out of range (at most %g in "
                               "magnitude, in SI units)",
                               k->name, k->value, EVS__MODEL_MAX_MAGNITUDE);
  return EVS_OK;
}

/* check_finite for every parameter of d; a clipped normal's bounds may be
 * infinite (no bound). */
int evs__model_check_dist(evs__model_ctx *c, const evs__model_key *k,
                          const evs_dist *d) {
  int np = d->kind == EVS_DIST_CONST            ? 1
           : d->kind == EVS_DIST_NORMAL_CLIPPED ? 4
                                                : 2;
  for (int i = 0; i < np; i++) {
    if (i >= 2 && isinf(d->p[i])) continue;
    int rc = check_finite(c, k, d->p[i]);
    if (rc) return rc;
  }
  return EVS_OK;
}

int evs__model_get_quantity(evs__model_ctx *c, const evs__model_key *k,
                            evs_dim dim, double *out) {
  char why[256];
  double v;
  if (dim != EVS_DIM_NONE &&
      evs_unit_parse(k->value, EVS_DIM_NONE, &v, why, sizeof why) == EVS_OK)
    return evs__model_key_fail(c, k, "%s = %s: the number needs a unit (a %s)",
                               k->name, k->value, evs_dim_name(dim));
  if (evs_unit_parse(k->value, dim, out, why, sizeof why) != EVS_OK)
    return evs__model_key_fail(c, k, "%s = %s: %s", k->name, k->value, why);
  return check_finite(c, k, *out);
}

int evs__model_get_dist(evs__model_ctx *c, const evs__model_key *k, evs_dim dim,
                        evs_dist *out) {
  char why[256];
  if (!strchr(k->value, '(')) {
    double v;
    int rc = evs__model_get_quantity(c, k, dim, &v);
    if (rc == EVS_OK) *out = evs_dist_const(v);
    return rc;
  }
  if (evs_dist_parse(k->value, dim, out, why, sizeof why) != EVS_OK)
    return evs__model_key_fail(c, k, "%s = %s: %s", k->name, k->value, why);
  return evs__model_check_dist(c, k, out);
}

/* For a distribution's text: the index in dims[0..n) of the dimension of
 * the first argument that is a quantity of one of them, or -1. */
static long dist_unit_dim(const char *text, const evs_dim *dims, size_t n) {
  for (const char *p = strchr(text, '('); p; p = strpbrk(p + 1, "(,")) {
    const char *a = p + 1, *end;
    double v;
    while (isspace((unsigned char)*a)) a++;
    for (size_t i = 0; i < n; i++)
      if (evs_unit_parse_prefix(a, dims[i], &v, &end, NULL, 0) == EVS_OK)
        return (long)i;
  }
  return -1;
}

int evs__model_get_dist_any(evs__model_ctx *c, const evs__model_key *k,
                            const evs_dim *dims, size_t n, evs_dist *out,
                            evs_dim *dim) {
  char why[256], why0[256] = "";
  int same = 1;
  for (size_t i = 0; i < n; i++) {
    int rc;
    if (strchr(k->value, '('))
      rc = evs_dist_parse(k->value, dims[i], out, why, sizeof why);
    else {
      double v;
      rc = evs_unit_parse(k->value, dims[i], &v, why, sizeof why);
      if (rc == EVS_OK) *out = evs_dist_const(v);
    }
    if (rc == EVS_OK) {
      *dim = dims[i];
      return evs__model_check_dist(c, k, out);
    }
    if (i == 0)
      snprintf(why0, sizeof why0, "%s", why);
    else if (strcmp(why, why0) != 0)
      same = 0;
  }
  char kinds[128] = "";
  for (size_t i = 0; i < n; i++)
    snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
             i == 0 ? "" : (i + 1 == n ? " or " : ", "), evs_dim_name(dims[i]));
  double v;
  if (!strchr(k->value, '(') &&
      evs_unit_parse(k->value, EVS_DIM_NONE, &v, why, sizeof why) == EVS_OK)
    return evs__model_key_fail(c, k, "%s = %s: the number needs a unit (a %s)",
                               k->name, k->value, kinds);
  if (same)
    return evs__model_key_fail(c, k, "%s = %s: %s", k->name, k->value, why0);
  /* a distribution whose arguments have one of the units: its own error
   * (wrong arity, sd < 0, ...), not a list of dimensions */
  long at = strchr(k->value, '(') ? dist_unit_dim(k->value, dims, n) : -1;
  if (at >= 0) {
    evs_dist_parse(k->value, dims[at], out, why, sizeof why);
    return evs__model_key_fail(c, k, "%s = %s: %s", k->name, k->value, why);
  }
  return evs__model_key_fail(c, k, "%s = %s: expected a %s", k->name, k->value,
                             kinds);
}

/* Resolves a relative path against the model's folder; malloc'd. */
static char *resolve_path(const evs__model_ctx *c, const char *p) {
  if (p[0] == '/' || c->base[0] == '\0') return evs__model_strdup(p);
  size_t n = strlen(c->base) + strlen(p) + 2;
  char *r = malloc(n);
  if (r) snprintf(r, n, "%s/%s", c->base, p);
  return r;
}

int evs__model_get_path(evs__model_ctx *c, const evs__model_key *k,
                        char **out) {
  char *p = resolve_path(c, k->value);
  if (!p) return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  struct stat st;
  if (access(p, R_OK) != 0 || stat(p, &st) != 0) {
    int e = errno;
    evs__model_key_fail(c, k, "%s = %s: cannot read '%s': %s", k->name,
                        k->value, p, strerror(e));
    free(p);
    return EVS_EMODEL;
  }
  /* a device or a pipe never ends (/dev/zero) or cannot be read twice */
  if (!S_ISREG(st.st_mode)) {
    evs__model_key_fail(c, k, "%s = %s: not a regular file", k->name, k->value);
    free(p);
    return EVS_EMODEL;
  }
  *out = p;
  return EVS_OK;
}

/* ---- a population's size and neuron ids -------------------------------- */

uint64_t evs__model_scaled_size(const evs__model_ctx *c, uint64_t n) {
  if (c->scale == 1) return n;
  double v = nearbyint((double)n * c->scale);
  return v < 1 ? 1 : v > 1e18 ? (uint64_t)1e18 : (uint64_t)v;
}

/* A range of neuron ids, both ends included. */
typedef struct id_range {
  uint32_t a, b;
} id_range;

static int range_cmp(const void *x, const void *y) {
  const id_range *p = x, *q = y;
  return (p->a > q->a) - (p->a < q->a);
}

/* Parses "0-4, 10" into a sorted list of distinct ids < size: the m ranges
 * are sorted and merged (O(m log m)), then listed (O(ids)), so repeated or
 * overlapping ranges cost nothing more. */
int evs__model_get_ids(evs__model_ctx *c, const evs__model_key *k,
                       uint32_t size, uint32_t **ids, size_t *n) {
  const char *p = k->value;
  size_t cap = 0, m = 0, total = 0;
  id_range *r = NULL;
  uint32_t *v = NULL;
  while (*p) {
    char *end;
    unsigned long long a, b;
    while (isspace((unsigned char)*p)) p++;
    if (!isdigit((unsigned char)*p)) goto bad;
    a = b = strtoull(p, &end, 10);
    p = end;
    while (isspace((unsigned char)*p)) p++;
    if (*p == '-') {
      p++;
      while (isspace((unsigned char)*p)) p++;
      if (!isdigit((unsigned char)*p)) goto bad;
      b = strtoull(p, &end, 10);
      p = end;
      while (isspace((unsigned char)*p)) p++;
    }
    if (*p == ',')
      p++;
    else if (*p)
      goto bad;
    if (b < a) {
      free(r);
      return evs__model_key_fail(c, k, "%s: empty range %llu-%llu", k->name, a,
                                 b);
    }
    if (b >= size) {
      free(r);
      return evs__model_key_fail(c, k,
                                 "%s: neuron %llu out of range (the "
                                 "population has %u neurons: 0-%u)",
                                 k->name, b, size, size - 1);
    }
    if (m == cap) {
      size_t nc = cap ? 2 * cap : 16;
      id_range *nr = realloc(r, nc * sizeof *nr);
      if (!nr) goto nomem;
      r = nr;
      cap = nc;
    }
    r[m++] = (id_range){(uint32_t)a, (uint32_t)b};
  }
  if (m == 0) goto bad;
  qsort(r, m, sizeof *r, range_cmp);
  size_t w = 0; /* merged ranges: disjoint and not adjacent */
  for (size_t i = 0; i < m; i++) {
    if (w > 0 && r[i].a <= (uint64_t)r[w - 1].b + 1) {
      if (r[i].b > r[w - 1].b) r[w - 1].b = r[i].b;
    } else {
      r[w++] = r[i];
    }
  }
  for (size_t i = 0; i < w; i++) total += (size_t)(r[i].b - r[i].a) + 1;
  if (!(v = malloc(total * sizeof *v))) goto nomem;
  total = 0;
  for (size_t i = 0; i < w; i++)
    for (uint64_t id = r[i].a; id <= r[i].b; id++) v[total++] = (uint32_t)id;
  free(r);
  *ids = v;
  *n = total;
  return EVS_OK;
nomem:
  free(r);
  return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
bad:
  free(r);
  return evs__model_key_fail(c, k,
                             "%s = %s: expected neuron ids and "
                             "ranges like '0-4, 10'",
                             k->name, k->value);
}

/* ---- where a section and its keys came from --------------------------------
 */

int evs__model_origin(evs__model_ctx *c, const evs__model_sec *s,
                      evs_desc_origin *o) {
  evs__model_key *k, *tmp;
  evs_key_origin *keys = NULL;
  size_t n = HASH_COUNT(s->keys);
  int rc;
  o->at = (evs_origin){c->file, s->line, NULL};
  o->keys = NULL;
  o->n_keys = 0;
  if (n == 0) return EVS_OK;
  if ((rc = evs__model_alloc(c, n * sizeof *keys, &keys))) return rc;
  HASH_ITER(hh, s->keys, k, tmp) {
    keys[o->n_keys++] = (evs_key_origin){k->name, {c->file, k->line, k->set}};
  }
  o->keys = keys;
  return EVS_OK;
}
