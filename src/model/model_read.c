/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stages 1 and 2 and the entry points: INI text ->
 * symbol tables (model_impl.h), then --set overrides; model_build.c checks
 * the tables and builds the net (stage 3).
 *
 *   1. read: libinih splits "key = value" lines; our own line reader counts
 *      lines (the Debian libinih has no INI_HANDLER_LINENO), recognises
 *      section headers itself and feeds inih one stripped line at a time.
 *      Everything lands in uthash tables: sections (kind, name, line) in
 *      file order, each with its keys (value, line) in file order.
 *   2. overrides (--set) replace or add keys.
 * The format is documented in doc/model-format.md and evsnn-model(5). */
#include "model/model_impl.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#define MAX_NAME 63 /* population/projection/input names, as the net */

static const char *const kind_names[] = {
    "simulation", "population", "projection", "input", "superspike", "network"};

/* Sections that take no name: one per model. */
static int unnamed(evs__model_sec_kind kind) {
  return kind == EVS__MODEL_SIM || kind == EVS__MODEL_SUPERSPIKE ||
         kind == EVS__MODEL_NETWORK;
}

/* ---- errors ----------------------------------------------------------- */

/* The first error found while reading wins; later ones are dropped. */
static void read_fail(evs__model_ctx *c, int code, int line, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
static void read_fail(evs__model_ctx *c, int code, int line, const char *fmt,
                      ...) {
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

/* ---- small helpers ---------------------------------------------------- */

char *evs__model_strdup(const char *s) {
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

evs__model_key *evs__model_key_get(const evs__model_sec *s, const char *name) {
  evs__model_key *k = NULL;
  HASH_FIND_STR(s->keys, name, k);
  return k;
}

/* ---- stage 1: reading ------------------------------------------------- */

static void key_free(evs__model_key *k) {
  free(k->name);
  free(k->value);
  free(k);
}

static void sec_free(evs__model_sec *s) {
  evs__model_key *k, *tmp;
  HASH_ITER(hh, s->keys, k, tmp) {
    HASH_DEL(s->keys, k);
    key_free(k);
  }
  free(s->id);
  free(s);
}

static void tables_free(evs__model_ctx *c) {
  evs__model_sec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) {
    HASH_DEL(c->secs, s);
    sec_free(s);
  }
}

/* Adds section (kind, name) at line; NULL on out of memory. */
static evs__model_sec *sec_add(evs__model_ctx *c, evs__model_sec_kind kind,
                               const char *name, int line) {
  int oomed = 0;
  evs__model_sec *s = calloc(1, sizeof *s);
  size_t n = strlen(kind_names[kind]) + strlen(name) + 2;
  if (!s || !(s->id = malloc(n))) {
    free(s);
    return NULL;
  }
  if (unnamed(kind)) {
    snprintf(s->id, n, "%s", kind_names[kind]);
    s->name = s->id + strlen(s->id);
  } else {
    snprintf(s->id, n, "%s %s", kind_names[kind], name);
    s->name = s->id + strlen(kind_names[kind]) + 1;
  }
  s->kind = kind;
  s->line = line;
  s->pop_index = -1;
  s->proj_index = -1;
  HASH_ADD_KEYPTR(hh, c->secs, s->id, strlen(s->id), s);
  if (oomed) {
    sec_free(s);
    return NULL;
  }
  return s;
}

evs__model_sec *evs__model_sec_find(const evs__model_ctx *c,
                                    evs__model_sec_kind kind,
                                    const char *name) {
  char id[128];
  evs__model_sec *s = NULL;
  if (unnamed(kind))
    snprintf(id, sizeof id, "%s", kind_names[kind]);
  else
    snprintf(id, sizeof id, "%s %s", kind_names[kind], name);
  HASH_FIND_STR(c->secs, id, s);
  return s;
}

/* Sets key name of s to value; replaces an existing key's value. NULL on
 * out of memory. */
static evs__model_key *key_put(evs__model_sec *s, const char *name,
                               const char *value, int line, const char *set) {
  int oomed = 0;
  evs__model_key *k = evs__model_key_get(s, name);
  char *v = evs__model_strdup(value);
  if (!v) return NULL;
  if (k) {
    free(k->value);
    k->value = v;
    k->line = line;
    k->set = set;
    return k;
  }
  k = calloc(1, sizeof *k);
  if (!k || !(k->name = evs__model_strdup(name))) {
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
static void read_header(evs__model_ctx *c, char *hdr) {
  char *kind = trim(hdr), *name = kind;
  int line = c->line;
  evs__model_sec_kind sk;
  c->cur = NULL;
  c->skip = 1;
  while (*name && !isspace((unsigned char)*name)) name++;
  if (*name) *name++ = '\0';
  name = trim(name);
  for (sk = EVS__MODEL_SIM; sk <= EVS__MODEL_NETWORK; sk++)
    if (!strcmp(kind, kind_names[sk])) break;
  if (sk > EVS__MODEL_NETWORK) {
    read_fail(c, EVS_EMODEL, line,
              "unknown section kind [%s] (expected simulation, population, "
              "projection, input, superspike or network)",
              kind);
    return;
  }
  if (unnamed(sk) && *name) {
    read_fail(c, EVS_EMODEL, line, "section [%s] takes no name", kind);
    return;
  }
  if (!unnamed(sk) && !*name) {
    read_fail(c, EVS_EMODEL, line, "section [%s] needs a name: [%s NAME]", kind,
              kind);
    return;
  }
  if (!unnamed(sk) && !valid_name(name)) {
    read_fail(c, EVS_EMODEL, line,
              "invalid name '%s': use 1-%d letters, digits or '_'", name,
              MAX_NAME);
    return;
  }
  evs__model_sec *old = evs__model_sec_find(c, sk, name);
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

/* One physical line of the source into c->lbuf (without '\n'); length,
 * -1 at the end, -2 out of memory, -3 a read error, -4 a NUL byte in the
 * line (the rest of it would be lost unseen: "32\0 00" read as 32). */
static long next_line(evs__model_ctx *c) {
  size_t n;
  if (c->fp) {
    errno = 0;
    ssize_t r = getline(&c->lbuf, &c->lcap, c->fp);
    if (r < 0) {
      if (ferror(c->fp)) return -3;
      return errno == ENOMEM ? -2 : -1;
    }
    n = (size_t)r;
    if (memchr(c->lbuf, '\0', n)) return -4;
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
  evs__model_ctx *c = stream;
  long n = next_line(c);
  char *l, *p;
  if (n == -2) {
    read_fail(c, EVS_ENOMEM, c->line + 1, "out of memory");
    return NULL;
  }
  if (n == -3) {
    read_fail(c, EVS_EIO, c->line + 1, "read error: %s", strerror(errno));
    return NULL;
  }
  if (n == -4) {
    read_fail(c, EVS_EMODEL, c->line + 1,
              "NUL byte in the line (a model "
              "file is text)");
    c->line++;
    snprintf(str, (size_t)num, "\n");
    return str;
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
  evs__model_ctx *c = user;
  evs__model_key *k;
  (void)section;         /* always "": headers never reach inih */
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
  if ((k = evs__model_key_get(c->cur, name)) != NULL) {
    read_fail(c, EVS_EMODEL, c->line,
              "duplicate key '%s' in [%s] (first at line %d)", name, c->cur->id,
              k->line);
    return 1;
  }
  if (!key_put(c->cur, name, value, c->line, NULL)) {
    read_fail(c, EVS_ENOMEM, c->line, "out of memory");
    return 0;
  }
  return 1;
}

static int read_all(evs__model_ctx *c) {
  int r = ini_parse_stream(reader, c, handler, c);
  if (r == -2 && c->rc == 0) read_fail(c, EVS_ENOMEM, 0, "out of memory");
  if (r > 0 && (c->rc == 0 || r < c->err_line)) {
    c->rc = 0;
    read_fail(c, EVS_EMODEL, r, "expected '[section]' or 'key = value'");
  }
  return c->rc;
}

/* ---- stage 2: overrides ----------------------------------------------- */

static int apply_override(evs__model_ctx *c, const char *text) {
  char buf[512], *eq, *lhs, *val, *dot, *key, *sname;
  evs__model_sec *s = NULL;
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
    evs__model_sec_kind sk;
    while (*name && !isspace((unsigned char)*name)) name++;
    *name++ = '\0';
    name = trim(name);
    for (sk = EVS__MODEL_POP; sk <= EVS__MODEL_INPUT; sk++)
      if (!strcmp(sname, kind_names[sk])) break;
    if (sk > EVS__MODEL_INPUT)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: unknown section kind '%s'", text, sname);
    s = evs__model_sec_find(c, sk, name);
    if (!s)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section [%s %s] in the model", text,
                           sname, name);
  } else if (!strcmp(sname, "simulation")) {
    s = evs__model_sec_find(c, EVS__MODEL_SIM, "");
    if (!s && !(s = sec_add(c, EVS__MODEL_SIM, "", 0)))
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  } else if (!strcmp(sname, "network")) {
    s = evs__model_sec_find(c, EVS__MODEL_NETWORK, "");
    if (!s && !(s = sec_add(c, EVS__MODEL_NETWORK, "", 0)))
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  } else if (!strcmp(sname, "superspike")) {
    s = evs__model_sec_find(c, EVS__MODEL_SUPERSPIKE, "");
    if (!s)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section [superspike] in the model",
                           text);
  } else {
    evs__model_sec *t, *tmp;
    int found = 0;
    HASH_ITER(hh, c->secs, t, tmp) {
      if (!unnamed(t->kind) && !strcmp(t->name, sname)) {
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
                       "simulation.duration=1 s, E.size=100)",
                       text);
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
static int load(evs__model_ctx *c, const char *name, const evs_model_opts *mo,
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
  if ((rc = evs__model_build(c, mo, m))) goto fail;
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
  evs__model_ctx c;
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
    if (n == 0)
      strcpy(c.base, "/");
    else {
      memcpy(c.base, path, n);
      c.base[n] = '\0';
    }
  } else if (!(c.base = evs__model_strdup(""))) {
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  if (!(c.fp = fopen(path, "r"))) {
    int e = errno;
    free(c.base);
    return evs_error_set(err, EVS_EIO, path, 0, "cannot open: %s", strerror(e));
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
  evs__model_ctx c;
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
  if (!(c.base = evs__model_strdup("")))
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
  return "; evsnn default demo: the CUBA network (Brette et al. 2007, "
         "benchmark 2;\n"
         "; Vogels & Abbott 2005) at N = 4,000 for 1 s. See models/cuba.ini "
         "for\n"
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
