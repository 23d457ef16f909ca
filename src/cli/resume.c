/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the program's bytes in a checkpoint (resume.h): NUL-terminated
 * fields "evsnn-cli-checkpoint 1", the model's path, its text, "0" or "1"
 * (--force), the interval (%.17g s), the count of overrides, then each
 * override. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resume.h"

#define TAG "evsnn-cli-checkpoint 1"
#define MAX_TEXT (512u << 10) /* bytes of model text a checkpoint keeps */

/* The whole file at path (NUL-terminated, *n bytes), or NULL. */
static char *slurp(const char *path, size_t *n) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *s = malloc(MAX_TEXT + 1);
  size_t got = s ? fread(s, 1, MAX_TEXT + 1, f) : 0;
  int bad = !s || ferror(f) || got > MAX_TEXT;
  fclose(f);
  if (bad) {
    free(s);
    return NULL;
  }
  s[got] = '\0';
  *n = got;
  return s;
}

int evs_cli_resume_make(const char *model, const char *const *sets,
                        size_t n_sets, int force, double every, char **out,
                        size_t *len) {
  char path[PATH_MAX] = "", head[64];
  char *text = NULL;
  size_t ntext = 0;
  if (model) {
    errno = 0;
    if (!realpath(model, path) || !(text = slurp(path, &ntext))) {
      if (!errno) errno = EFBIG;
      free(text);
      return -1;
    }
    if (memchr(text, '\0', ntext)) ntext = strlen(text);
  }
  snprintf(head, sizeof head, "%d%c%.17g%c%zu", force ? 1 : 0, '\0', every,
           '\0', n_sets);
  size_t nhead = strlen(head) + 1;
  nhead += strlen(head + nhead) + 1;
  nhead += strlen(head + nhead) + 1;
  size_t n = sizeof TAG + strlen(path) + 1 + ntext + 1 + nhead;
  for (size_t i = 0; i < n_sets; i++) n += strlen(sets[i]) + 1;
  char *b = malloc(n), *p = b;
  if (!b) {
    free(text);
    errno = ENOMEM;
    return -1;
  }
  memcpy(p, TAG, sizeof TAG), p += sizeof TAG;
  memcpy(p, path, strlen(path) + 1), p += strlen(path) + 1;
  if (ntext) memcpy(p, text, ntext);
  p += ntext;
  *p++ = '\0';
  memcpy(p, head, nhead), p += nhead;
  for (size_t i = 0; i < n_sets; i++)
    memcpy(p, sets[i], strlen(sets[i]) + 1), p += strlen(sets[i]) + 1;
  free(text);
  *out = b;
  *len = n;
  return 0;
}

/* The next NUL-terminated field at *p before end, or NULL. */
static char *field(char **p, const char *end) {
  char *s = *p, *z = s < end ? memchr(s, '\0', (size_t)(end - s)) : NULL;
  if (!z) return NULL;
  *p = z + 1;
  return s;
}

int evs_cli_resume_parse(const void *meta, size_t len, evs_cli_resume_info *r) {
  memset(r, 0, sizeof *r);
  if (!meta || len < sizeof TAG || !(r->buf = malloc(len))) return -1;
  memcpy(r->buf, meta, len);
  char *p = r->buf, *end = r->buf + len, *tag = field(&p, end);
  char *force = NULL, *every = NULL, *count = NULL;
  if (!tag || strcmp(tag, TAG) || !(r->model = field(&p, end)) ||
      !(r->text = field(&p, end)) || !(force = field(&p, end)) ||
      !(every = field(&p, end)) || !(count = field(&p, end)))
    goto bad;
  char *e1, *e2;
  r->every = strtod(every, &e1);
  unsigned long long n = strtoull(count, &e2, 10);
  if (*e1 || *e2 || n > len) goto bad;
  r->force = !strcmp(force, "1");
  r->n_sets = (size_t)n;
  r->sets = calloc(n ? n : 1, sizeof *r->sets);
  if (!r->sets) goto bad;
  for (size_t i = 0; i < r->n_sets; i++)
    if (!(r->sets[i] = field(&p, end))) goto bad;
  if (p != end) goto bad;
  return 0;
bad:
  evs_cli_resume_free(r);
  return -1;
}

int evs_cli_resume_same_model(const evs_cli_resume_info *r) {
  if (!*r->model) return 1;
  size_t n = 0;
  char *now = slurp(r->model, &n);
  int same = now && strlen(now) == strlen(r->text) && !strcmp(now, r->text);
  free(now);
  if (!same)
    fprintf(stderr,
            "evsnn: %s: the model file changed (or cannot be read) since "
            "the checkpoint; a checkpoint resumes only the run of its "
            "model\n",
            r->model);
  return same;
}

void evs_cli_resume_free(evs_cli_resume_info *r) {
  free(r->sets);
  free(r->buf);
  memset(r, 0, sizeof *r);
}
