/* evsnn — model files: INI text -> symbol tables -> validated net.
 *
 * Three stages, each finished before the next starts:
 *   1. read: libinih splits "key = value" lines; our own line reader counts
 *      lines (the Debian libinih has no INI_HANDLER_LINENO), recognises
 *      section headers itself and feeds inih one stripped line at a time.
 *      Everything lands in uthash tables: sections (kind, name, line) in
 *      file order, each with its keys (value, line) in file order.
 *   2. overrides (--set) replace or add keys.
 *   3. check every section in file order without a net (so the first error
 *      reported is the first in the file), then build: populations,
 *      projections, inputs, evs_net_build.
 * The format is documented in doc/model-format.md and evsnn-model(5). */
#include "evsnn/model.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "evsnn/neuron.h"

/* uthash must never exit(): a failed insertion sets the flag `oomed` that
 * every function calling HASH_ADD* declares. */
#define HASH_NONFATAL_OOM 1
#define uthash_nonfatal_oom(obj) (oomed = 1)
#include <uthash.h>

#define MAX_NAME 63 /* population/projection/input names, as the net */

/* ---- symbol tables ---------------------------------------------------- */

typedef struct mkey {
  char *name;          /* key (hash key) */
  char *value;         /* value, stripped */
  int line;            /* line in the file; 0 when added by an override */
  const char *set;     /* the --set text that last wrote it, or NULL */
  UT_hash_handle hh;
} mkey;

typedef enum sec_kind { SEC_SIM, SEC_POP, SEC_PROJ, SEC_INPUT } sec_kind;

typedef struct msec {
  char *id;            /* "kind name" or "simulation" (hash key) */
  sec_kind kind;
  char *name;          /* points into id ("" for [simulation]) */
  int line;            /* header line; 0 when created by an override */
  mkey *keys;          /* hash, iterates in file order */
  int pop_index;       /* populations: index in the net, -1 before build */
  UT_hash_handle hh;
} msec;

typedef struct ctx {
  const char *file;    /* name in messages */
  char *base;          /* folder of relative paths ("" = current) */
  msec *secs;          /* hash, iterates in file order */
  msec *cur;           /* section receiving keys; NULL before the first */
  int skip;            /* 1: the current header was bad, ignore its keys */
  int line;            /* lines read so far */
  int err_line;        /* line of the first error found while reading */
  int rc;              /* first error status, 0 none */
  evs_error *err;
  /* the source: a stream or a string */
  FILE *fp;
  const char *text;
  size_t pos;
  char *lbuf;          /* getline buffer */
  size_t lcap;
} ctx;

static const char *const kind_names[] = {"simulation", "population",
                                         "projection", "input"};

/* ---- errors ----------------------------------------------------------- */

/* The first error found while reading wins; later ones are dropped. */
static void read_fail(ctx *c, int code, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void read_fail(ctx *c, int code, int line, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  if (c->rc != 0) return;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  c->rc = code;
  c->err_line = line;
  evs_error_set(c->err, code, c->file, line, "%s", msg);
}

/* An error about key k: file:line, or the --set text that wrote it. */
static int key_fail(ctx *c, const mkey *k, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int key_fail(ctx *c, const mkey *k, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (k->set)
    return evs_error_set(c->err, EVS_EMODEL, NULL, 0, "--set %s: %s", k->set,
                         msg);
  return evs_error_set(c->err, EVS_EMODEL, c->file, k->line, "%s", msg);
}

/* An error about section s as a whole (at its header line). */
static int sec_fail(ctx *c, const msec *s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sec_fail(ctx *c, const msec *s, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return evs_error_set(c->err, EVS_EMODEL, c->file, s->line > 0 ? s->line : 1,
                       "%s", msg);
}

/* Re-reports an error of the net at key k or section s (file:line prefix);
 * out of memory and I/O errors keep their code, others become EVS_EMODEL. */
static int net_fail(ctx *c, int rc, const msec *s, const mkey *k,
                    const evs_error *ne) {
  int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
  const char *m = ne->msg[0] ? ne->msg : evs_strerror(rc);
  if (k && k->set)
    return evs_error_set(c->err, code, NULL, 0, "--set %s: %s", k->set, m);
  return evs_error_set(c->err, code, c->file,
                       k ? k->line : (s && s->line > 0 ? s->line : 0), "%s", m);
}

/* ---- small parsers ---------------------------------------------------- */

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static char *trim(char *s) {
  char *e;
  while (isspace((unsigned char)*s)) s++;
  e = s + strlen(s);
  while (e > s && isspace((unsigned char)e[-1])) *--e = '\0';
  return s;
}

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n < 1 || n > MAX_NAME) return 0;
  for (; *s; s++)
    if (!isalnum((unsigned char)*s) && *s != '_') return 0;
  return 1;
}

/* Unsigned decimal integer, digits only (blanks around allowed). */
static int parse_u64(const char *s, uint64_t *out) {
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

static int parse_bool(const char *s, int *out) {
  if (!strcmp(s, "yes") || !strcmp(s, "true")) *out = 1;
  else if (!strcmp(s, "no") || !strcmp(s, "false")) *out = 0;
  else return -1;
  return 0;
}

static mkey *key_get(const msec *s, const char *name) {
  mkey *k = NULL;
  HASH_FIND_STR(s->keys, name, k);
  return k;
}

/* A quantity of dimension dim (a number with a unit). */
static int get_quantity(ctx *c, const mkey *k, evs_dim dim, double *out) {
  char why[256];
  double v;
  if (dim != EVS_DIM_NONE &&
      evs_unit_parse(k->value, EVS_DIM_NONE, &v, why, sizeof why) == EVS_OK)
    return key_fail(c, k, "%s = %s: the number needs a unit (a %s)", k->name,
                    k->value, evs_dim_name(dim));
  if (evs_unit_parse(k->value, dim, out, why, sizeof why) != EVS_OK)
    return key_fail(c, k, "%s = %s: %s", k->name, k->value, why);
  return EVS_OK;
}

/* A constant or a distribution of dimension dim. */
static int get_dist(ctx *c, const mkey *k, evs_dim dim, evs_dist *out) {
  char why[256];
  if (!strchr(k->value, '(')) {
    double v;
    int rc = get_quantity(c, k, dim, &v);
    if (rc == EVS_OK) *out = evs_dist_const(v);
    return rc;
  }
  if (evs_dist_parse(k->value, dim, out, why, sizeof why) != EVS_OK)
    return key_fail(c, k, "%s = %s: %s", k->name, k->value, why);
  return EVS_OK;
}

/* A constant or distribution whose dimension is the first of dims[0..n)
 * that fits its units. */
static int get_dist_any(ctx *c, const mkey *k, const evs_dim *dims, size_t n,
                        evs_dist *out, evs_dim *dim) {
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
      return EVS_OK;
    }
    if (i == 0) snprintf(why0, sizeof why0, "%s", why);
    else if (strcmp(why, why0) != 0) same = 0;
  }
  char kinds[128] = "";
  for (size_t i = 0; i < n; i++)
    snprintf(kinds + strlen(kinds), sizeof kinds - strlen(kinds), "%s%s",
             i == 0 ? "" : (i + 1 == n ? " or " : ", "), evs_dim_name(dims[i]));
  double v;
  if (!strchr(k->value, '(') &&
      evs_unit_parse(k->value, EVS_DIM_NONE, &v, why, sizeof why) == EVS_OK)
    return key_fail(c, k, "%s = %s: the number needs a unit (a %s)", k->name,
                    k->value, kinds);
  if (same) return key_fail(c, k, "%s = %s: %s", k->name, k->value, why0);
  return key_fail(c, k, "%s = %s: expected a %s", k->name, k->value, kinds);
}

/* Resolves a relative path against the model's folder; malloc'd. */
static char *resolve_path(const ctx *c, const char *p) {
  if (p[0] == '/' || c->base[0] == '\0') return xstrdup(p);
  size_t n = strlen(c->base) + strlen(p) + 2;
  char *r = malloc(n);
  if (r) snprintf(r, n, "%s/%s", c->base, p);
  return r;
}

/* A readable file named by key k; *out is malloc'd. */
static int get_path(ctx *c, const mkey *k, char **out) {
  char *p = resolve_path(c, k->value);
  if (!p) return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  if (access(p, R_OK) != 0) {
    int e = errno;
    key_fail(c, k, "%s = %s: cannot read '%s': %s", k->name, k->value, p,
             strerror(e));
    free(p);
    return EVS_EMODEL;
  }
  *out = p;
  return EVS_OK;
}

/* ---- stage 1: reading ------------------------------------------------- */

static void key_free(mkey *k) {
  free(k->name);
  free(k->value);
  free(k);
}

static void sec_free(msec *s) {
  mkey *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    HASH_DEL(s->keys, k);
    key_free(k);
  }
  free(s->id);
  free(s);
}

static void tables_free(ctx *c) {
  msec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) {
    HASH_DEL(c->secs, s);
    sec_free(s);
  }
}

/* Adds section (kind, name) at line; NULL on out of memory. */
static msec *sec_add(ctx *c, sec_kind kind, const char *name, int line) {
  int oomed = 0;
  msec *s = calloc(1, sizeof *s);
  size_t n = strlen(kind_names[kind]) + strlen(name) + 2;
  if (!s || !(s->id = malloc(n))) {
    free(s);
    return NULL;
  }
  if (kind == SEC_SIM) {
    snprintf(s->id, n, "%s", kind_names[kind]);
    s->name = s->id + strlen(s->id);
  } else {
    snprintf(s->id, n, "%s %s", kind_names[kind], name);
    s->name = s->id + strlen(kind_names[kind]) + 1;
  }
  s->kind = kind;
  s->line = line;
  s->pop_index = -1;
  HASH_ADD_KEYPTR(hh, c->secs, s->id, strlen(s->id), s);
  if (oomed) {
    sec_free(s);
    return NULL;
  }
  return s;
}

static msec *sec_find(const ctx *c, sec_kind kind, const char *name) {
  char id[128];
  msec *s = NULL;
  if (kind == SEC_SIM) snprintf(id, sizeof id, "%s", kind_names[kind]);
  else snprintf(id, sizeof id, "%s %s", kind_names[kind], name);
  HASH_FIND_STR(c->secs, id, s);
  return s;
}

/* Sets key name of s to value; replaces an existing key's value. NULL on
 * out of memory. */
static mkey *key_put(msec *s, const char *name, const char *value, int line,
                     const char *set) {
  int oomed = 0;
  mkey *k = key_get(s, name);
  char *v = xstrdup(value);
  if (!v) return NULL;
  if (k) {
    free(k->value);
    k->value = v;
    k->line = line;
    k->set = set;
    return k;
  }
  k = calloc(1, sizeof *k);
  if (!k || !(k->name = xstrdup(name))) {
    free(k);
    free(v);
    return NULL;
  }
  k->value = v;
  k->line = line;
  k->set = set;
  HASH_ADD_KEYPTR(hh, s->keys, k->name, strlen(k->name), k);
  if (oomed) {
    key_free(k);
    return NULL;
  }
  return k;
}

/* A section header "[kind name]" (hdr is the text between the brackets). */
static void read_header(ctx *c, char *hdr) {
  char *kind = trim(hdr), *name = kind;
  int line = c->line;
  sec_kind sk;
  c->cur = NULL;
  c->skip = 1;
  while (*name && !isspace((unsigned char)*name)) name++;
  if (*name) *name++ = '\0';
  name = trim(name);
  for (sk = SEC_SIM; sk <= SEC_INPUT; sk++)
    if (!strcmp(kind, kind_names[sk])) break;
  if (sk > SEC_INPUT) {
    read_fail(c, EVS_EMODEL, line,
              "unknown section kind [%s] (expected simulation, population, "
              "projection or input)", kind);
    return;
  }
  if (sk == SEC_SIM && *name) {
    read_fail(c, EVS_EMODEL, line, "section [simulation] takes no name");
    return;
  }
  if (sk != SEC_SIM && !*name) {
    read_fail(c, EVS_EMODEL, line, "section [%s] needs a name: [%s NAME]",
              kind, kind);
    return;
  }
  if (sk != SEC_SIM && !valid_name(name)) {
    read_fail(c, EVS_EMODEL, line,
              "invalid name '%s': use 1-%d letters, digits or '_'", name,
              MAX_NAME);
    return;
  }
  msec *old = sec_find(c, sk, name);
  if (old) {
    read_fail(c, EVS_EMODEL, line, "duplicate section [%s] (first at line %d)",
              old->id, old->line);
    return;
  }
  c->cur = sec_add(c, sk, name, line);
  if (!c->cur) {
    read_fail(c, EVS_ENOMEM, line, "out of memory");
    return;
  }
  c->skip = 0;
}

/* One physical line of the source into c->lbuf (without '\n'); length, or
 * -1 at the end. */
static long next_line(ctx *c) {
  size_t n;
  if (c->fp) {
    ssize_t r = getline(&c->lbuf, &c->lcap, c->fp);
    if (r < 0) return -1;
    n = (size_t)r;
  } else {
    const char *s = c->text + c->pos, *e;
    if (!*s) return -1;
    e = strchr(s, '\n');
    n = e ? (size_t)(e - s) + 1 : strlen(s);
    if (n + 1 > c->lcap) {
      char *b = realloc(c->lbuf, n + 1);
      if (!b) return -2;
      c->lbuf = b;
      c->lcap = n + 1;
    }
    memcpy(c->lbuf, s, n);
    c->lbuf[n] = '\0';
    c->pos += n;
  }
  while (n > 0 && (c->lbuf[n - 1] == '\n' || c->lbuf[n - 1] == '\r'))
    c->lbuf[--n] = '\0';
  return (long)n;
}

/* The ini_reader: hands inih one line at a time, counting lines. Leading
 * blanks are removed (so inih never sees a continuation line), '#' comments
 * after a blank are cut, and section headers are handled here (inih gets an
 * empty line instead), so keys land in the section we track. */
static char *reader(char *str, int num, void *stream) {
  ctx *c = stream;
  long n = next_line(c);
  char *l, *p;
  if (n == -2) {
    read_fail(c, EVS_ENOMEM, c->line + 1, "out of memory");
    return NULL;
  }
  if (n < 0) return NULL;
  c->line++;
  l = c->lbuf;
  if (c->line == 1 && !strncmp(l, "\xEF\xBB\xBF", 3)) l += 3;
  l = trim(l);
  if (*l != '#' && *l != ';')
    for (p = l + 1; *l && *p; p++)
      if (*p == '#' && isspace((unsigned char)p[-1])) {
        *p = '\0';
        l = trim(l);
        break;
      }
  if (*l == '[') {
    char *close = strchr(l, ']');
    if (!close) {
      read_fail(c, EVS_EMODEL, c->line, "section header without ']'");
      c->cur = NULL;
      c->skip = 1;
    } else {
      char *rest = trim(close + 1);
      *close = '\0';
      if (*rest && *rest != ';' && *rest != '#') {
        read_fail(c, EVS_EMODEL, c->line, "text after section header: '%s'",
                  rest);
        c->cur = NULL;
        c->skip = 1;
      } else {
        read_header(c, l + 1);
      }
    }
    l = "";
  } else if ((long)strlen(l) + 3 > num) {
    read_fail(c, EVS_EMODEL, c->line, "line too long (at most %d characters)",
              num - 3);
    l = "";
  }
  snprintf(str, (size_t)num, "%s\n", l);
  return str;
}

/* The ini_handler: one "key = value" of the current line. */
static int handler(void *user, const char *section, const char *name,
                   const char *value) {
  ctx *c = user;
  mkey *k;
  (void)section; /* always "": headers never reach inih */
  if (c->skip) return 1; /* already reported */
  if (!c->cur) {
    read_fail(c, EVS_EMODEL, c->line, "key '%s' outside any section", name);
    return 1;
  }
  if (!*name) {
    read_fail(c, EVS_EMODEL, c->line, "missing key name before '='");
    return 1;
  }
  if (!value || !*value) {
    read_fail(c, EVS_EMODEL, c->line, "key '%s' has no value", name);
    return 1;
  }
  if ((k = key_get(c->cur, name)) != NULL) {
    read_fail(c, EVS_EMODEL, c->line, "duplicate key '%s' in [%s] (first at line %d)",
              name, c->cur->id, k->line);
    return 1;
  }
  if (!key_put(c->cur, name, value, c->line, NULL)) {
    read_fail(c, EVS_ENOMEM, c->line, "out of memory");
    return 0;
  }
  return 1;
}

static int read_all(ctx *c) {
  int r = ini_parse_stream(reader, c, handler, c);
  if (r == -2 && c->rc == 0)
    read_fail(c, EVS_ENOMEM, 0, "out of memory");
  if (r > 0 && (c->rc == 0 || r < c->err_line)) {
    c->rc = 0;
    read_fail(c, EVS_EMODEL, r, "expected '[section]' or 'key = value'");
  }
  return c->rc;
}

/* ---- stage 2: overrides ----------------------------------------------- */

static int apply_override(ctx *c, const char *text) {
  char buf[512], *eq, *lhs, *val, *dot, *key, *sname;
  msec *s = NULL;
  if (strlen(text) >= sizeof buf)
    return evs_error_set(c->err, EVS_EMODEL, NULL, 0, "--set %s: too long",
                         text);
  snprintf(buf, sizeof buf, "%s", text);
  eq = strchr(buf, '=');
  if (!eq) goto syntax;
  *eq = '\0';
  lhs = trim(buf);
  val = trim(eq + 1);
  dot = strrchr(lhs, '.');
  if (!dot || !*val) goto syntax;
  *dot = '\0';
  sname = trim(lhs);
  key = trim(dot + 1);
  if (!*sname || !*key) goto syntax;
  if (strchr(sname, ' ') || strchr(sname, '\t')) {
    char *name = sname;
    sec_kind sk;
    while (*name && !isspace((unsigned char)*name)) name++;
    *name++ = '\0';
    name = trim(name);
    for (sk = SEC_POP; sk <= SEC_INPUT; sk++)
      if (!strcmp(sname, kind_names[sk])) break;
    if (sk > SEC_INPUT)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: unknown section kind '%s'", text, sname);
    s = sec_find(c, sk, name);
    if (!s)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section [%s %s] in the model", text,
                           sname, name);
  } else if (!strcmp(sname, "simulation")) {
    s = sec_find(c, SEC_SIM, "");
    if (!s && !(s = sec_add(c, SEC_SIM, "", 0)))
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  } else {
    msec *t, *tmp;
    int found = 0;
    HASH_ITER(hh, c->secs, t, tmp) {
      if (t->kind != SEC_SIM && !strcmp(t->name, sname)) {
        s = t;
        found++;
      }
    }
    if (found == 0)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section named '%s' in the model", text,
                           sname);
    if (found > 1)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: several sections are named '%s'; write "
                           "'population %s.%s=...' (or projection, input)",
                           text, sname, sname, key);
  }
  if (!key_put(s, key, val, 0, text))
    return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
syntax:
  return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                       "--set %s: expected SECTION.KEY=VALUE (e.g. "
                       "simulation.duration=1 s, E.size=100)", text);
}

/* ---- stage 3: checking and building ------------------------------------ */

/* Settings of [simulation]. */
typedef struct sim_opts {
  double duration, resolution; /* s */
  uint64_t seed;
} sim_opts;

static int check_keys(ctx *c, const msec *s, const char *const *allowed,
                      const char *what) {
  mkey *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; allowed[i]; i++)
      if (!strcmp(k->name, allowed[i])) break;
    if (!allowed[i])
      return key_fail(c, k, "unknown key '%s' in [%s]%s", k->name, s->id,
                      what ? what : "");
  }
  return EVS_OK;
}

static const mkey *need(ctx *c, const msec *s, const char *key, int *rc) {
  const mkey *k = key_get(s, key);
  if (!k) *rc = sec_fail(c, s, "missing required key '%s' in [%s]", key, s->id);
  return k;
}

static int do_simulation(ctx *c, const msec *s, sim_opts *so) {
  static const char *const keys[] = {"duration", "seed", "resolution", NULL};
  const mkey *k;
  int rc = check_keys(c, s, keys, NULL);
  if (rc) return rc;
  if (!(k = need(c, s, "duration", &rc))) return rc;
  if ((rc = get_quantity(c, k, EVS_DIM_TIME, &so->duration))) return rc;
  if (!(so->duration > 0))
    return key_fail(c, k, "duration must be > 0, got '%s'", k->value);
  so->resolution = 1e-4;
  if ((k = key_get(s, "resolution"))) {
    if ((rc = get_quantity(c, k, EVS_DIM_TIME, &so->resolution))) return rc;
    if (!(so->resolution > 0) || so->resolution > 1e300)
      return key_fail(c, k, "resolution must be > 0, got '%s'", k->value);
  }
  so->seed = 1;
  if ((k = key_get(s, "seed")) && parse_u64(k->value, &so->seed))
    return key_fail(c, k, "seed must be a non-negative integer, got '%s'",
                    k->value);
  return EVS_OK;
}

/* Parses "0-4, 10" into a sorted list of distinct ids < size. */
static int parse_ids(ctx *c, const mkey *k, uint32_t size, uint32_t **ids,
                     size_t *n) {
  const char *p = k->value;
  size_t cap = 0, m = 0;
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
    if (*p == ',') p++;
    else if (*p) goto bad;
    if (b < a) {
      free(v);
      return key_fail(c, k, "record_v: empty range %llu-%llu", a, b);
    }
    if (b >= size) {
      free(v);
      return key_fail(c, k, "record_v: neuron %llu out of range (the "
                      "population has %u neurons: 0-%u)", b, size, size - 1);
    }
    for (unsigned long long i = a; i <= b; i++) {
      if (m == cap) {
        size_t nc = cap ? 2 * cap : 16;
        uint32_t *nv = realloc(v, nc * sizeof *nv);
        if (!nv) {
          free(v);
          return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
        }
        v = nv;
        cap = nc;
      }
      v[m++] = (uint32_t)i;
    }
  }
  if (m == 0) goto bad;
  /* sort (insertion is fine: ids are nearly always given in order) and
   * drop repeats */
  for (size_t i = 1; i < m; i++) {
    uint32_t x = v[i];
    size_t j = i;
    while (j > 0 && v[j - 1] > x) {
      v[j] = v[j - 1];
      j--;
    }
    v[j] = x;
  }
  size_t w = 0;
  for (size_t i = 0; i < m; i++)
    if (w == 0 || v[w - 1] != v[i]) v[w++] = v[i];
  *ids = v;
  *n = w;
  return EVS_OK;
bad:
  free(v);
  return key_fail(c, k, "record_v = %s: expected neuron ids and ranges like "
                  "'0-4, 10'", k->value);
}

static int do_population(ctx *c, msec *s, evs_net *net) {
  static const char *const fixed[] = {"type", "size", "record_spikes",
                                      "record_v", "record_interval", NULL};
  const evs_param_def *defs;
  size_t nd;
  evs_pop_kind kind;
  const mkey *kt, *ks;
  mkey *k, *tmp;
  uint64_t size;
  evs_error ne;
  int rc = EVS_OK, pop = -1;

  if (!(kt = need(c, s, "type", &rc))) return rc;
  if (evs_neuron_type_params(kt->value, &defs, &nd, &kind) != EVS_OK) {
    char known[512] = "";
    const char *const *t = evs_neuron_type_names();
    for (size_t i = 0; t && t[i]; i++)
      snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
               i ? ", " : "", t[i]);
    return key_fail(c, kt, "unknown neuron type '%s' (known: %s)", kt->value,
                    known);
  }
  if (!(ks = need(c, s, "size", &rc))) return rc;
  if (parse_u64(ks->value, &size) || size == 0 || size > UINT32_MAX)
    return key_fail(c, ks, "size must be a positive integer (at most %u), "
                    "got '%s'", UINT32_MAX, ks->value);
  if (net) {
    pop = evs_net_add_population(net, s->name, kt->value, (uint32_t)size, &ne);
    if (pop < 0) return net_fail(c, pop, s, NULL, &ne);
    s->pop_index = pop;
  }
  /* parameters and recording keys, in file order */
  HASH_ITER(hh, s->keys, k, tmp) {
    size_t i;
    for (i = 0; fixed[i]; i++)
      if (!strcmp(k->name, fixed[i])) break;
    if (fixed[i]) continue;
    for (i = 0; i < nd; i++)
      if (!strcmp(k->name, defs[i].name)) break;
    if (i == nd)
      return key_fail(c, k, "unknown key '%s' in [%s] (type %s has no such "
                      "parameter)", k->name, s->id, kt->value);
    if (defs[i].flags & EVS_PARAM_PATH) {
      char *path;
      if ((rc = get_path(c, k, &path))) return rc;
      if (net && (rc = evs_net_set_path(net, pop, k->name, path, &ne))) {
        free(path);
        return net_fail(c, rc, s, k, &ne);
      }
      free(path);
      continue;
    }
    evs_dist d;
    if ((rc = get_dist(c, k, defs[i].dim, &d))) return rc;
    if (d.kind != EVS_DIST_CONST && !(defs[i].flags & EVS_PARAM_PER_NEURON))
      return key_fail(c, k, "%s must be a constant (only per-neuron "
                      "parameters take distributions)", k->name);
    if (net && (rc = evs_net_set_param(net, pop, k->name, &d, &ne)))
      return net_fail(c, rc, s, k, &ne);
  }
  for (size_t i = 0; i < nd; i++)
    if ((defs[i].flags & EVS_PARAM_REQUIRED) && !key_get(s, defs[i].name))
      return sec_fail(c, s, "missing required key '%s' in [%s] (type %s)",
                      defs[i].name, s->id, kt->value);
  /* recording */
  if ((k = key_get(s, "record_spikes"))) {
    int on;
    if (parse_bool(k->value, &on))
      return key_fail(c, k, "record_spikes must be yes or no, got '%s'",
                      k->value);
    if (net && (rc = evs_net_record_spikes(net, pop, on))) {
      evs_error_set(&ne, rc, NULL, 0, "record_spikes: %s", evs_strerror(rc));
      return net_fail(c, rc, s, k, &ne);
    }
  }
  double interval = 1e-3;
  const mkey *ki = key_get(s, "record_interval");
  if (ki) {
    if ((rc = get_quantity(c, ki, EVS_DIM_TIME, &interval))) return rc;
    if (!(interval > 0))
      return key_fail(c, ki, "record_interval must be > 0, got '%s'",
                      ki->value);
  }
  if ((k = key_get(s, "record_v"))) {
    uint32_t *ids = NULL;
    size_t n = 0;
    if (kind == EVS_POP_SOURCE)
      return key_fail(c, k, "record_v: %s is a spike source and has no "
                      "membrane potential", kt->value);
    if ((rc = parse_ids(c, k, (uint32_t)size, &ids, &n))) return rc;
    if (net) rc = evs_net_record_v(net, pop, ids, n, interval, &ne);
    free(ids);
    if (rc) return net_fail(c, rc, s, k, &ne);
  } else if (ki) {
    return key_fail(c, ki, "record_interval without record_v");
  }
  return EVS_OK;
}

/* The population named by key k of section s. */
static int find_pop(ctx *c, const mkey *k, evs_net *net, int *pop) {
  const msec *p = sec_find(c, SEC_POP, k->value);
  if (!p) return key_fail(c, k, "undefined population '%s'", k->value);
  *pop = net ? p->pop_index : 0;
  return EVS_OK;
}

static const struct conn_rule {
  const char *name;
  evs_conn_kind kind;
  const char *const keys[4]; /* the keys that apply besides the common ones */
} conn_rules[] = {
  {"all_to_all", EVS_CONN_ALL_TO_ALL, {"autapses"}},
  {"one_to_one", EVS_CONN_ONE_TO_ONE, {0}},
  {"fixed_probability", EVS_CONN_FIXED_PROBABILITY, {"p", "autapses"}},
  {"fixed_indegree", EVS_CONN_FIXED_INDEGREE, {"n", "autapses", "multapses"}},
  {"fixed_outdegree", EVS_CONN_FIXED_OUTDEGREE, {"n", "autapses", "multapses"}},
  {"fixed_total", EVS_CONN_FIXED_TOTAL, {"n", "autapses", "multapses"}},
  {"file", EVS_CONN_FILE, {"file"}},
};

static int do_projection(ctx *c, msec *s, evs_net *net, const sim_opts *so) {
  static const char *const common[] = {"pre", "post", "receptor", "connect",
                                       "weight", "delay", NULL};
  static const char *const all[] = {"p", "n", "autapses", "multapses", "file",
                                    NULL};
  static const evs_dim wdims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE,
                                  EVS_DIM_CONDUCTANCE};
  const struct conn_rule *cr = NULL;
  const mkey *k;
  mkey *ki, *tmp;
  evs_conn_spec spec;
  evs_receptor rec = EVS_RECEPTOR_EXC;
  evs_dim wdim = EVS_DIM_NONE;
  evs_error ne;
  char *path = NULL;
  int rc = EVS_OK, pre = -1, post = -1, idx;

  memset(&spec, 0, sizeof spec);
  if (!(k = need(c, s, "connect", &rc))) return rc;
  for (size_t i = 0; i < sizeof conn_rules / sizeof *conn_rules; i++)
    if (!strcmp(k->value, conn_rules[i].name)) cr = &conn_rules[i];
  if (!cr)
    return key_fail(c, k, "unknown connect rule '%s' (all_to_all, one_to_one, "
                    "fixed_probability, fixed_indegree, fixed_outdegree, "
                    "fixed_total, file)", k->value);
  spec.kind = cr->kind;
  /* every key must be common or belong to this rule */
  HASH_ITER(hh, s->keys, ki, tmp) {
    size_t i;
    int known = 0;
    for (i = 0; common[i]; i++)
      if (!strcmp(ki->name, common[i])) known = 1;
    for (i = 0; i < 4 && cr->keys[i]; i++)
      if (!strcmp(ki->name, cr->keys[i])) known = 1;
    if (known) continue;
    for (i = 0; all[i]; i++)
      if (!strcmp(ki->name, all[i]))
        return key_fail(c, ki, "key '%s' does not apply to connect = %s",
                        ki->name, cr->name);
    return key_fail(c, ki, "unknown key '%s' in [%s]", ki->name, s->id);
  }
  if (!(k = need(c, s, "pre", &rc)) || (rc = find_pop(c, k, net, &pre)))
    return rc;
  const mkey *kpre = k;
  if (!(k = need(c, s, "post", &rc)) || (rc = find_pop(c, k, net, &post)))
    return rc;
  spec.same_population = !strcmp(kpre->value, k->value);
  if ((k = key_get(s, "receptor"))) {
    if (!strcmp(k->value, "excitatory")) rec = EVS_RECEPTOR_EXC;
    else if (!strcmp(k->value, "inhibitory")) rec = EVS_RECEPTOR_INH;
    else
      return key_fail(c, k, "receptor must be excitatory or inhibitory, got "
                      "'%s'", k->value);
  }
  spec.autapses = cr->kind == EVS_CONN_ONE_TO_ONE; /* i -> i is the rule */
  spec.multapses = cr->kind == EVS_CONN_FIXED_TOTAL ||
                   cr->kind == EVS_CONN_FILE;
  if ((k = key_get(s, "autapses")) && parse_bool(k->value, &spec.autapses))
    return key_fail(c, k, "autapses must be yes or no, got '%s'", k->value);
  if ((k = key_get(s, "multapses")) && parse_bool(k->value, &spec.multapses))
    return key_fail(c, k, "multapses must be yes or no, got '%s'", k->value);
  if (cr->kind == EVS_CONN_FIXED_PROBABILITY) {
    if (!(k = need(c, s, "p", &rc))) return rc;
    if ((rc = get_quantity(c, k, EVS_DIM_NONE, &spec.p))) return rc;
    if (!(spec.p >= 0 && spec.p <= 1))
      return key_fail(c, k, "p must be in [0, 1], got '%s'", k->value);
  } else if (cr->keys[0] && !strcmp(cr->keys[0], "n")) {
    if (!(k = need(c, s, "n", &rc))) return rc;
    if (parse_u64(k->value, &spec.n))
      return key_fail(c, k, "n must be a non-negative integer, got '%s'",
                      k->value);
  }
  if (!(k = need(c, s, "weight", &rc))) return rc;
  if ((rc = get_dist_any(c, k, wdims, 3, &spec.weight, &wdim))) return rc;
  const mkey *kw = k;
  spec.delay = evs_dist_const(so->resolution);
  if ((k = key_get(s, "delay"))) {
    if ((rc = get_dist(c, k, EVS_DIM_TIME, &spec.delay))) return rc;
    if (evs_dist_min(&spec.delay) < 0)
      return key_fail(c, k, "delay can be negative: '%s'", k->value);
  }
  spec.delay_step = so->resolution;
  if (cr->kind == EVS_CONN_FILE) {
    if (!(k = need(c, s, "file", &rc))) return rc;
    if ((rc = get_path(c, k, &path))) return rc;
    spec.path = path;
  }
  rc = EVS_OK;
  if (net) {
    idx = evs_net_connect(net, s->name, pre, post, rec, &spec, wdim, &ne);
    if (idx < 0) {
      /* a weight the post type cannot take is the weight's error */
      rc = net_fail(c, idx, s, strstr(ne.msg, "weight") ? kw : NULL, &ne);
    }
  }
  free(path);
  return rc;
}

static int do_input(ctx *c, const msec *s, evs_net *net) {
  static const char *const keys[] = {"type", "post", "amplitude", NULL};
  static const evs_dim adims[] = {EVS_DIM_CURRENT, EVS_DIM_VOLTAGE};
  const mkey *k;
  evs_dist a;
  evs_dim dim = EVS_DIM_NONE;
  evs_error ne;
  int rc = check_keys(c, s, keys, NULL), pop = -1;
  if (rc) return rc;
  if (!(k = need(c, s, "type", &rc))) return rc;
  if (strcmp(k->value, "dc"))
    return key_fail(c, k, "unknown input type '%s' (known: dc)", k->value);
  if (!(k = need(c, s, "post", &rc)) || (rc = find_pop(c, k, net, &pop)))
    return rc;
  if (!(k = need(c, s, "amplitude", &rc))) return rc;
  if ((rc = get_dist_any(c, k, adims, 2, &a, &dim))) return rc;
  if (a.kind != EVS_DIST_CONST)
    return key_fail(c, k, "amplitude must be a constant");
  if (net && (rc = evs_net_add_dc(net, pop, a.p[0], dim, &ne)))
    return net_fail(c, rc, s, k, &ne);
  return EVS_OK;
}

/* Is name a whole word of msg? Returns its position, or -1. */
static long word_at(const char *msg, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(msg, name); p; p = strstr(p + 1, name)) {
    int l = p == msg || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
    int r = !(isalnum((unsigned char)p[n]) || p[n] == '_');
    if (l && r) return (long)(p - msg);
  }
  return -1;
}

/* The section an error message of evs_net_build names first (projections
 * and populations only), or NULL. */
static const msec *sec_named(const ctx *c, const char *msg) {
  const msec *best = NULL, *s, *tmp;
  long at = -1;
  HASH_ITER(hh, c->secs, s, tmp) {
    if (s->kind != SEC_POP && s->kind != SEC_PROJ) continue;
    long p = word_at(msg, s->name);
    if (p >= 0 && (at < 0 || p < at ||
                   (p == at && strlen(s->name) > strlen(best->name)))) {
      best = s;
      at = p;
    }
  }
  return best;
}

static int check_and_build(ctx *c, const evs_model_opts *mo, evs_model *m) {
  sim_opts so = {0, 1e-4, 1};
  msec *s, *tmp, *sim = sec_find(c, SEC_SIM, "");
  evs_error ne;
  int rc;
  if (!sim)
    return evs_error_set(c->err, EVS_EMODEL, c->file, 1,
                         "missing section [simulation] (it needs at least "
                         "'duration')");
  /* check everything, building nothing: [simulation] first (projections
   * need its resolution), then the rest in file order */
  if ((rc = do_simulation(c, sim, &so))) return rc;
  HASH_ITER(hh, c->secs, s, tmp) {
    switch (s->kind) {
      case SEC_SIM: rc = EVS_OK; break;
      case SEC_POP: rc = do_population(c, s, NULL); break;
      case SEC_PROJ: rc = do_projection(c, s, NULL, &so); break;
      default: rc = do_input(c, s, NULL); break;
    }
    if (rc) return rc;
  }
  if (mo && mo->seed_set) so.seed = mo->seed;
  m->seed = so.seed;
  m->run.duration = so.duration;
  m->run.model_name = m->name;
  if ((rc = evs_net_new(&m->net, so.seed, so.resolution)) != EVS_OK)
    return evs_error_set(c->err, rc == EVS_ENOMEM ? rc : EVS_EMODEL, c->file,
                         sim->line, "cannot create the net: %s",
                         evs_strerror(rc));
  for (sec_kind k = SEC_POP; k <= SEC_INPUT; k++)
    HASH_ITER(hh, c->secs, s, tmp) {
      if (s->kind != k) continue;
      if (k == SEC_POP) rc = do_population(c, s, m->net);
      else if (k == SEC_PROJ) rc = do_projection(c, s, m->net, &so);
      else rc = do_input(c, s, m->net);
      if (rc) return rc;
    }
  evs_error_clear(&ne);
  if ((rc = evs_net_build(m->net, &ne)) != EVS_OK) {
    const msec *at = sec_named(c, ne.msg);
    int code = (rc == EVS_ENOMEM || rc == EVS_EIO) ? rc : EVS_EMODEL;
    return evs_error_set(c->err, code, c->file, at ? at->line : 0, "%s",
                         ne.msg[0] ? ne.msg : evs_strerror(rc));
  }
  return EVS_OK;
}

/* ---- entry points ----------------------------------------------------- */

static void set_name(evs_model *m, const char *path) {
  const char *b = strrchr(path, '/');
  size_t n;
  b = b ? b + 1 : path;
  n = strlen(b);
  if (n > 4 && !strcmp(b + n - 4, ".ini")) n -= 4;
  if (n >= sizeof m->name) n = sizeof m->name - 1;
  memcpy(m->name, b, n);
  m->name[n] = '\0';
}

/* Loads from c's source (c->fp or c->text, file and base set). */
static int load(ctx *c, const char *name, const evs_model_opts *mo,
                evs_model **out) {
  evs_model *m = NULL;
  int rc;
  if ((rc = read_all(c))) goto fail;
  for (size_t i = 0; mo && i < mo->n_overrides; i++)
    if ((rc = apply_override(c, mo->overrides[i]))) goto fail;
  if (!(m = calloc(1, sizeof *m))) {
    rc = evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
    goto fail;
  }
  set_name(m, name);
  if ((rc = check_and_build(c, mo, m))) goto fail;
  tables_free(c);
  free(c->lbuf);
  *out = m;
  return EVS_OK;
fail:
  evs_model_free(m);
  tables_free(c);
  free(c->lbuf);
  return rc;
}

int evs_model_load_file(const char *path, const evs_model_opts *mo,
                        evs_model **out, evs_error *err) {
  ctx c;
  int rc;
  const char *slash;
  if (out) *out = NULL;
  if (!path || !out)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "evs_model_load_file: NULL argument");
  evs_error_clear(err);
  memset(&c, 0, sizeof c);
  c.file = path;
  c.err = err;
  slash = strrchr(path, '/');
  if (slash) {
    size_t n = (size_t)(slash - path);
    if (!(c.base = malloc(n + 2)))
      return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    if (n == 0) strcpy(c.base, "/");
    else {
      memcpy(c.base, path, n);
      c.base[n] = '\0';
    }
  } else if (!(c.base = xstrdup(""))) {
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  if (!(c.fp = fopen(path, "r"))) {
    int e = errno;
    free(c.base);
    return evs_error_set(err, EVS_EIO, path, 0, "cannot open: %s",
                         strerror(e));
  }
  rc = load(&c, path, mo, out);
  if (rc == EVS_OK && ferror(c.fp))
    rc = evs_error_set(err, EVS_EIO, path, 0, "read error");
  fclose(c.fp);
  free(c.base);
  return rc;
}

int evs_model_load_string(const char *text, const char *name,
                          const evs_model_opts *mo, evs_model **out,
                          evs_error *err) {
  ctx c;
  int rc;
  if (out) *out = NULL;
  if (!text || !out)
    return evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "evs_model_load_string: NULL argument");
  evs_error_clear(err);
  memset(&c, 0, sizeof c);
  c.file = name ? name : "<string>";
  c.err = err;
  c.text = text;
  if (!(c.base = xstrdup("")))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  rc = load(&c, c.file, mo, out);
  free(c.base);
  return rc;
}

void evs_model_free(evs_model *m) {
  if (!m) return;
  evs_net_free(m->net);
  free(m);
}

const char *evs_model_default_demo(void) {
  return
    "; evsnn default demo: the CUBA network (Brette et al. 2007, benchmark 2;\n"
    "; Vogels & Abbott 2005) at N = 4,000 for 1 s. See models/cuba.ini for\n"
    "; the reasons behind every value.\n"
    "[simulation]\n"
    "duration = 1 s\n"
    "seed = 1\n"
    "resolution = 0.1 ms\n"
    "\n"
    "[population E]\n"
    "type = IF_curr_exp\n"
    "size = 3200\n"
    "tau_m = 20 ms\n"
    "v_rest = -49 mV\n"
    "v_thresh = -50 mV\n"
    "v_reset = -60 mV\n"
    "tau_refrac = 5 ms\n"
    "tau_syn_E = 5 ms\n"
    "tau_syn_I = 10 ms\n"
    "v_init = uniform(-60 mV, -50 mV)\n"
    "record_v = 0-4\n"
    "record_interval = 0.1 ms\n"
    "\n"
    "[population I]\n"
    "type = IF_curr_exp\n"
    "size = 800\n"
    "tau_m = 20 ms\n"
    "v_rest = -49 mV\n"
    "v_thresh = -50 mV\n"
    "v_reset = -60 mV\n"
    "tau_refrac = 5 ms\n"
    "tau_syn_E = 5 ms\n"
    "tau_syn_I = 10 ms\n"
    "v_init = uniform(-60 mV, -50 mV)\n"
    "\n"
    "[projection EE]\n"
    "pre = E\n"
    "post = E\n"
    "connect = fixed_probability\n"
    "p = 0.02\n"
    "weight = 1.62 mV\n"
    "delay = 0.1 ms\n"
    "\n"
    "[projection EI]\n"
    "pre = E\n"
    "post = I\n"
    "connect = fixed_probability\n"
    "p = 0.02\n"
    "weight = 1.62 mV\n"
    "delay = 0.1 ms\n"
    "\n"
    "[projection IE]\n"
    "pre = I\n"
    "post = E\n"
    "receptor = inhibitory\n"
    "connect = fixed_probability\n"
    "p = 0.02\n"
    "weight = -9 mV\n"
    "delay = 0.1 ms\n"
    "\n"
    "[projection II]\n"
    "pre = I\n"
    "post = I\n"
    "receptor = inhibitory\n"
    "connect = fixed_probability\n"
    "p = 0.02\n"
    "weight = -9 mV\n"
    "delay = 0.1 ms\n";
}
