/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 1: INI text -> symbol tables (model_impl.h).
 * libinih splits "key = value" lines; our own line reader counts lines
 * (the Debian libinih has no INI_HANDLER_LINENO), recognises section
 * headers itself and feeds inih one stripped line at a time. Everything
 * lands in uthash tables: sections (kind, name, line) in file order, each
 * with its keys (value, line) in file order; and the store of what the
 * description holds besides, freed with them. Then model_override.c applies
 * the --set overrides and the check stage (model_check.h) reads the
 * tables; model_load.c runs the stages. The format is documented in
 * doc/model-format.md and evsnn-model(5). */
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

const char *evs__model_kind_name(evs__model_sec_kind kind) {
  return kind_names[kind];
}

int evs__model_unnamed(evs__model_sec_kind kind) {
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

char *evs__model_trim(char *s) {
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

/* ---- the description's store ---------------------------------------- */

int evs__model_keep(evs__model_ctx *c, void *p) {
  if (!p) return EVS_OK;
  if (c->n_kept == c->cap_kept) {
    size_t cap = c->cap_kept ? 2 * c->cap_kept : 64;
    void **k = realloc(c->kept, cap * sizeof *k);
    if (!k) {
      free(p);
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
    }
    c->kept = k;
    c->cap_kept = cap;
  }
  c->kept[c->n_kept++] = p;
  return EVS_OK;
}

int evs__model_alloc(evs__model_ctx *c, size_t n, void *out) {
  void *p = calloc(1, n);
  if (!p) return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  memcpy(out, &p, sizeof p);
  return evs__model_keep(c, p);
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

void evs__model_tables_free(evs__model_ctx *c) {
  evs__model_sec *s, *tmp;
  HASH_ITER(hh, c->secs, s, tmp) {
    HASH_DEL(c->secs, s);
    sec_free(s);
  }
  for (size_t i = 0; i < c->n_kept; i++) free(c->kept[i]);
  free(c->kept);
  c->kept = NULL;
  c->n_kept = c->cap_kept = 0;
}

evs__model_sec *evs__model_sec_add(evs__model_ctx *c, evs__model_sec_kind kind,
                                   const char *name, int line) {
  int oomed = 0;
  evs__model_sec *s = calloc(1, sizeof *s);
  size_t n = strlen(kind_names[kind]) + strlen(name) + 2;
  if (!s || !(s->id = malloc(n))) {
    free(s);
    return NULL;
  }
  if (evs__model_unnamed(kind)) {
    snprintf(s->id, n, "%s", kind_names[kind]);
    s->name = s->id + strlen(s->id);
  } else {
    snprintf(s->id, n, "%s %s", kind_names[kind], name);
    s->name = s->id + strlen(kind_names[kind]) + 1;
  }
  s->kind = kind;
  s->line = line;
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
  if (evs__model_unnamed(kind))
    snprintf(id, sizeof id, "%s", kind_names[kind]);
  else
    snprintf(id, sizeof id, "%s %s", kind_names[kind], name);
  HASH_FIND_STR(c->secs, id, s);
  return s;
}

evs__model_key *evs__model_key_put(evs__model_sec *s, const char *name,
                                   const char *value, int line,
                                   const char *set) {
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
  char *kind = evs__model_trim(hdr), *name = kind;
  int line = c->line;
  evs__model_sec_kind sk;
  c->cur = NULL;
  c->skip = 1;
  while (*name && !isspace((unsigned char)*name)) name++;
  if (*name) *name++ = '\0';
  name = evs__model_trim(name);
  for (sk = EVS__MODEL_SIM; sk <= EVS__MODEL_NETWORK; sk++)
    if (!strcmp(kind, kind_names[sk])) break;
  if (sk > EVS__MODEL_NETWORK) {
    read_fail(c, EVS_EMODEL, line,
              "unknown section kind [%s] (expected simulation, population, "
              "projection, input, superspike or network)",
              kind);
    return;
  }
  if (evs__model_unnamed(sk) && *name) {
    read_fail(c, EVS_EMODEL, line, "section [%s] takes no name", kind);
    return;
  }
  if (!evs__model_unnamed(sk) && !*name) {
    read_fail(c, EVS_EMODEL, line, "section [%s] needs a name: [%s NAME]", kind,
              kind);
    return;
  }
  if (!evs__model_unnamed(sk) && !valid_name(name)) {
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
  c->cur = evs__model_sec_add(c, sk, name, line);
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
  l = evs__model_trim(l);
  if (*l != '#' && *l != ';')
    for (p = l + 1; *l && *p; p++)
      if (*p == '#' && isspace((unsigned char)p[-1])) {
        *p = '\0';
        l = evs__model_trim(l);
        break;
      }
  if (*l == '[') {
    char *close = strchr(l, ']');
    if (!close) {
      read_fail(c, EVS_EMODEL, c->line, "section header without ']'");
      c->cur = NULL;
      c->skip = 1;
    } else {
      char *rest = evs__model_trim(close + 1);
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
  if (!evs__model_key_put(c->cur, name, value, c->line, NULL)) {
    read_fail(c, EVS_ENOMEM, c->line, "out of memory");
    return 0;
  }
  return 1;
}

int evs__model_read(evs__model_ctx *c) {
  int r = ini_parse_stream(reader, c, handler, c);
  if (r == -2 && c->rc == 0) read_fail(c, EVS_ENOMEM, 0, "out of memory");
  if (r > 0 && (c->rc == 0 || r < c->err_line)) {
    c->rc = 0;
    read_fail(c, EVS_EMODEL, r, "expected '[section]' or 'key = value'");
  }
  return c->rc;
}
