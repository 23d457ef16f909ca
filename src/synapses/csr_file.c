/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — sparse synapses: the edge-list file builder (EVS_CONN_FILE).
 *
 * The file is read twice, like the other count-then-place builders (see
 * csr.c): once to count each row, once to place the synapses, so no edge
 * list is ever held. A part (evs__csr_build_part) reads and checks every
 * line and keeps those onto its targets. Weights and delays missing from a
 * line are drawn afterwards from the streams of the line's target, in the
 * order (source, line) of the synapses onto it, which every part sees
 * alike. */
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "synapses/csr_impl.h"
#include "evsnn/rng.h"

/* Parses a decimal index; 0 unless the whole token is digits. */
static int parse_index(const char *tok, uint64_t *out) {
  if (*tok < '0' || *tok > '9') return 0;
  errno = 0;
  char *end;
  unsigned long long v = strtoull(tok, &end, 10);
  if (*end != '\0' || errno == ERANGE) return 0;
  *out = v;
  return 1;
}

static int parse_real(const char *tok, double *out) {
  errno = 0;
  char *end;
  double v = strtod(tok, &end);
  if (end == tok || *end != '\0' || !isfinite(v)) return 0;
  *out = v;
  return 1;
}

/* One parsed line: returns 1 for an edge, 0 for a blank line, or an error. */
typedef struct edge {
  uint32_t pre, post;
  double w, d;
  int has_w, has_d;
} edge;

static int parse_line(evs__csr_builder *b, char *line, int lineno, edge *e) {
  const char *path = b->spec->path;
  evs_error *err = b->err;
  char *hash = strchr(line, '#');
  if (hash) *hash = '\0';
  char *tok[5], *save = NULL;
  int nt = 0;
  for (char *t = strtok_r(line, " \t\r\n", &save); t;
       t = strtok_r(NULL, " \t\r\n", &save)) {
    if (nt == 4)
      return evs_error_set(
          err, EVS_EINVAL, path, lineno,
          "too many fields (expected 'pre post [weight [delay]]')");
    tok[nt++] = t;
  }
  if (nt == 0) return 0;
  if (nt == 1)
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "expected 'pre post [weight [delay]]', got one field");
  uint64_t pre, post;
  if (!parse_index(tok[0], &pre))
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "malformed pre index '%s'", tok[0]);
  if (!parse_index(tok[1], &post))
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "malformed post index '%s'", tok[1]);
  if (pre >= b->c->n_pre)
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "pre index %" PRIu64 " out of range (0..%u)", pre,
                         b->c->n_pre ? b->c->n_pre - 1 : 0);
  if (post >= b->c->n_post)
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "post index %" PRIu64 " out of range (0..%u)", post,
                         b->c->n_post ? b->c->n_post - 1 : 0);
  if (pre == post && b->spec->same_population && !b->spec->autapses)
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "autapse %" PRIu64 " -> %" PRIu64
                         " but autapses are not allowed",
                         pre, post);
  e->pre = (uint32_t)pre;
  e->post = (uint32_t)post;
  e->has_w = nt > 2;
  e->has_d = nt > 3;
  if (e->has_w && !parse_real(tok[2], &e->w))
    return evs_error_set(err, EVS_EINVAL, path, lineno, "malformed weight '%s'",
                         tok[2]);
  /* weights are stored as floats: a larger double would become infinite */
  if (e->has_w && !(fabs(e->w) <= FLT_MAX))
    return evs_error_set(err, EVS_EINVAL, path, lineno,
                         "weight %g out of range (at most %g in magnitude)",
                         e->w, (double)FLT_MAX);
  if (e->has_d) {
    if (!parse_real(tok[3], &e->d))
      return evs_error_set(err, EVS_EINVAL, path, lineno,
                           "malformed delay '%s'", tok[3]);
    if (e->d < 0)
      return evs_error_set(err, EVS_EINVAL, path, lineno, "negative delay %g s",
                           e->d);
    if (!(e->d / b->spec->delay_step < 4294967294.0))
      return evs_error_set(err, EVS_EINVAL, path, lineno,
                           "delay %g s too large", e->d);
  }
  return 1;
}

/* Draws the weights (NaN) and delays (EVS__CSR_NO_DELAY) the lines left
 * out, target by target from its WEIGHT and DELAY streams, over its
 * synapses in increasing CSR position (by source, then line). Holds an
 * index of those synapses by target meanwhile: 8 bytes each, plus 8 a
 * target. EVS_OK, EVS_EINVAL (a drawn delay < 0 or too large) or
 * EVS_ENOMEM. */
static int draw_missing(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  const uint32_t targets = evs__csr_targets(b);
  uint64_t missing = 0;
  for (uint64_t q = 0; q < c->nnz; q++)
    missing += isnan(c->weight[q]) || b->dl[q] == EVS__CSR_NO_DELAY;
  if (missing == 0) return EVS_OK;
  uint64_t *ptr = calloc((size_t)targets + 1, sizeof *ptr);
  uint64_t *pos = malloc(missing * sizeof *pos);
  int rc = EVS_OK;
  if (!ptr || !pos) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  uint32_t t;
  for (uint64_t q = 0; q < c->nnz; q++)
    if ((isnan(c->weight[q]) || b->dl[q] == EVS__CSR_NO_DELAY) &&
        evs__csr_target_rank(b, c->target[q], &t))
      ptr[t + 1]++;
  for (t = 0; t < targets; t++) ptr[t + 1] += ptr[t];
  for (uint64_t q = 0; q < c->nnz; q++)
    if ((isnan(c->weight[q]) || b->dl[q] == EVS__CSR_NO_DELAY) &&
        evs__csr_target_rank(b, c->target[q], &t))
      pos[ptr[t]++] = q;
  for (t = 0; t < targets; t++) {
    const uint32_t j = evs__csr_target(b, t);
    evs_rng rw, rd;
    evs_rng_init(&rw, s->seed, s->stream, j, EVS_RNG_WEIGHT);
    evs_rng_init(&rd, s->seed, s->stream, j, EVS_RNG_DELAY);
    for (uint64_t k = t ? ptr[t - 1] : 0; k < ptr[t]; k++) {
      const uint64_t q = pos[k];
      if (isnan(c->weight[q]))
        c->weight[q] = (float)evs_dist_draw(&s->weight, &rw);
      if (b->dl[q] == EVS__CSR_NO_DELAY) {
        rc = evs__csr_delay_steps(b, evs_dist_draw(&s->delay, &rd), &b->dl[q]);
        if (rc != EVS_OK) goto done;
      }
    }
  }
done:
  free(ptr);
  free(pos);
  return rc;
}

int evs__csr_build_file(evs__csr_builder *b) {
  const evs_conn_spec *s = b->spec;
  evs_csr *c = b->c;
  int rc = EVS_OK;
  char *line = NULL;
  size_t len = 0;
  uint64_t *cur = NULL;
  if (!s->path)
    return evs_error_set(b->err, EVS_EINVAL, NULL, 0,
                         "edge-list projection without a file");
  FILE *f = fopen(s->path, "r");
  if (!f)
    return evs_error_set(b->err, EVS_EIO, s->path, 0, "cannot open: %s",
                         strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    /* a device never ends (/dev/zero), a pipe cannot be read twice */
    fclose(f);
    return evs_error_set(b->err, EVS_EIO, s->path, 0, "not a regular file");
  }
  cur = malloc(((size_t)c->n_pre + 1) * sizeof *cur);
  if (!cur) {
    rc = evs__csr_fail_nomem(b->err);
    goto done;
  }
  for (int pass = 0; pass < 2; pass++) {
    int lineno = 0;
    uint64_t edges = 0;
    ssize_t got;
    errno = 0;
    while ((got = getline(&line, &len, f)) != -1) {
      edge e = {0, 0, 0, 0, 0, 0};
      lineno++;
      if (memchr(line, '\0', (size_t)got)) {
        rc = evs_error_set(b->err, EVS_EINVAL, s->path, lineno,
                           "NUL byte in the line (an edge list is text)");
        goto done;
      }
      if ((rc = parse_line(b, line, lineno, &e)) < 0) goto done;
      if (rc == 0) continue;
      rc = EVS_OK;
      if (!evs__csr_owns(b, e.post)) continue;
      edges++;
      if (pass == 0) {
        c->row_ptr[e.pre + 1]++;
        continue;
      }
      if (edges > c->nnz || cur[e.pre] >= c->row_ptr[e.pre + 1]) {
        rc = evs_error_set(b->err, EVS_EIO, s->path, lineno,
                           "file changed while being read");
        goto done;
      }
      uint64_t q = cur[e.pre]++;
      c->target[q] = e.post;
      c->weight[q] = e.has_w ? (float)e.w : NAN;
      b->dl[q] =
          e.has_d ? (uint32_t)lround(e.d / s->delay_step) : EVS__CSR_NO_DELAY;
    }
    /* getline also fails without an error on the stream (out of memory
     * for an endless line): only the end of the file ends it well */
    if (ferror(f) || !feof(f)) {
      rc = evs_error_set(b->err, EVS_EIO, s->path, lineno + 1, "read error: %s",
                         strerror(errno ? errno : EIO));
      goto done;
    }
    if (pass == 0) {
      if ((rc = evs__csr_counts_to_rows(b)) != EVS_OK) goto done;
      c->nnz = c->row_ptr[c->n_pre];
      memcpy(cur, c->row_ptr, ((size_t)c->n_pre + 1) * sizeof *cur);
      rewind(f);
    } else if (edges != c->nnz) {
      rc = evs_error_set(b->err, EVS_EIO, s->path, 0,
                         "file changed while being read");
      goto done;
    }
  }
  rc = draw_missing(b);
done:
  free(line);
  free(cur);
  fclose(f);
  return rc;
}
