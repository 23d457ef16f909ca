/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — spike sources that replay a sorted pattern (source.c has the
 * Poisson source and the comment on all three):
 * - FrozenPoisson: neuron i's spikes in [0, period) are drawn once from
 *   (seed, population, i, EVS_RNG_PATTERN) and replayed every period: cycle
 *   k's spike is k * period + s, so every cycle is the same pattern.
 * - Array: the spikes of a .ras file ("time id" per line, seconds, '#'
 *   starts a comment), sorted by (time, id); played once (period 0) or
 *   every period.
 * Both share one replay state: a sorted pattern and a cursor. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/checks.h"
#include "core/net_impl.h"
#include "neurons/types.h"

/* Orders spikes by (time, id). */
static int spike_cmp(const void *a, const void *b) {
  const evs_spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* ---- replay of a sorted pattern (frozen Poisson, spike arrays) ---------- */

typedef struct replay_state {
  evs_spike *spk; /* [n] the pattern, sorted by (time, id), times in
                     [0, period) when period > 0 */
  size_t n, cap;
  double period;  /* s, 0: play once */
  size_t pos;     /* next spike of the pattern */
  uint64_t cycle; /* current repetition */
} replay_state;

static void replay_destroy(evs_pop *pop) {
  replay_state *s = pop->state;
  if (!s) return;
  free(s->spk);
  free(s);
  pop->state = NULL;
}

static int replay_push(replay_state *s, double t, uint32_t id) {
  return evs__spike_append(&s->spk, &s->n, &s->cap, t, id);
}

static int replay_tick(evs_pop *pop, double t) {
  replay_state *s = pop->state;
  const double end = t + pop->tick;
  while (s->n > 0) {
    double ts = s->period > 0 ? (double)s->cycle * s->period + s->spk[s->pos].t
                              : s->spk[s->pos].t;
    if (!(ts < end)) break;
    int rc = evs__pop_emit(pop, ts, s->spk[s->pos].id);
    if (rc) return rc;
    if (++s->pos == s->n) {
      if (s->period > 0) {
        s->pos = 0;
        s->cycle++;
      } else {
        s->n = 0; /* played once: done */
      }
    }
  }
  return EVS_OK;
}

/* ---- SpikeSourceFrozenPoisson ------------------------------------------- */

enum { FR_RATE, FR_PERIOD, FR_N_PARAMS };

static const evs_param_def frozen_params[FR_N_PARAMS] = {
    {"rate", EVS_DIM_RATE, 1.0, EVS_PARAM_CONST, "mean firing rate"},
    {"period", EVS_DIM_TIME, 0.0, EVS_PARAM_REQUIRED,
     "the pattern in [0, period) repeats every period"},
};

/* What follows from pop's parameters: the period and the pattern, neuron
 * i's spikes in [0, period) drawn from (seed, population, i,
 * EVS_RNG_PATTERN), sorted. EVS_OK or EVS_ENOMEM. */
static int frozen_derive(const evs_pop *pop, replay_state *s) {
  const double rate = pop->par[FR_RATE], period = pop->par[FR_PERIOD];
  s->period = period;
  if (rate > 0) {
    for (uint32_t i = 0; i < pop->size; i++) {
      evs_rng r;
      evs_rng_init(&r, pop->seed, pop->index, i, EVS_RNG_PATTERN);
      for (double t = evs_rng_exponential(&r) / rate; t < period;
           t += evs_rng_exponential(&r) / rate)
        if (replay_push(s, t, i)) return EVS_ENOMEM;
    }
    qsort(s->spk, s->n, sizeof *s->spk, spike_cmp);
  }
  return EVS_OK;
}

static int frozen_init(evs_pop *pop, evs_error *err) {
  const double rate = pop->par[FR_RATE], period = pop->par[FR_PERIOD];
  if (!(rate >= 0) || !isfinite(rate))
    return evs__error_key_set(
        err, EVS_EMODEL, "rate",
        "population %s: rate must be >= 0 and finite (got %g Hz)", pop->name,
        rate);
  if (!(period > 0) || !isfinite(period))
    return evs__error_key_set(
        err, EVS_EMODEL, "period",
        "population %s: period must be > 0 and finite (got %g s)", pop->name,
        period);
  replay_state *s = calloc(1, sizeof *s);
  if (s) pop->state = s;
  if (!s || frozen_derive(pop, s))
    return evs_error_set(err, EVS_ENOMEM, NULL, 0,
                         "population %s: out of memory for the frozen pattern",
                         pop->name);
  return EVS_OK;
}

/* The place in the pattern (the pattern is the model's; n drops to 0 once
 * a pattern without a period has played). */
static int replay_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  replay_state *s = pop->state;
  size_t n = s->n, whole = s->n;
  evs_ckpt_bytes(ck, &n, sizeof n);
  evs_ckpt_bytes(ck, &s->pos, sizeof s->pos);
  evs_ckpt_bytes(ck, &s->cycle, sizeof s->cycle);
  if (evs_ckpt_loading(ck) && !evs_ckpt_status(ck)) {
    if ((n != whole && n != 0) || s->pos > whole)
      return evs_ckpt_refuse(ck,
                             "population %s: a corrupt checkpoint (its "
                             "pattern)",
                             pop->name);
    s->n = n;
  }
  return evs_ckpt_status(ck);
}

const evs_neuron_type evs__source_frozen = {
    .name = "SpikeSourceFrozenPoisson",
    .kind = EVS_POP_SOURCE,
    .params = frozen_params,
    .n_params = FR_N_PARAMS,
    .weight_scale = evs__source_weight_scale,
    .init = frozen_init,
    .destroy = replay_destroy,
    .deliver = NULL,
    .tick = replay_tick,
    .voltage = NULL,
    .dc_scale = NULL,
    .checkpoint = replay_checkpoint,
};

/* ---- SpikeSourceArray ---------------------------------------------------- */

enum { AR_FILE, AR_PERIOD, AR_N_PARAMS };

static const evs_param_def array_params[AR_N_PARAMS] = {
    {"file", EVS_DIM_NONE, 0.0, EVS_PARAM_PATH | EVS_PARAM_REQUIRED,
     "spike file (.ras: 'time id' per line, time in s, # comments)"},
    {"period", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
     "0: play the file once; > 0: repeat it every period"},
};

/* Parses one line of a .ras file into *t, *id. Returns 1 for a spike, 0 for
 * a blank or comment line, -1 for a malformed line (reason in why). */
static int ras_parse_line(char *line, double *t, unsigned long *id,
                          const char **why) {
  char *hash = strchr(line, '#');
  if (hash) *hash = '\0';
  char *p = line;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  if (*p == '\0') return 0;
  char *end;
  errno = 0;
  *t = strtod(p, &end);
  if (end == p || (*end != ' ' && *end != '\t') || errno == ERANGE ||
      !isfinite(*t)) {
    *why = "expected 'time id' (time in s, a finite number)";
    return -1;
  }
  p = end;
  while (*p == ' ' || *p == '\t') p++;
  if (*p < '0' || *p > '9') {
    *why = "expected 'time id' (id a non-negative integer)";
    return -1;
  }
  errno = 0;
  *id = strtoul(p, &end, 10);
  if (errno == ERANGE || *id > UINT32_MAX) {
    *why = "neuron id out of range";
    return -1;
  }
  p = end;
  while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
  if (*p != '\0') {
    *why = "unexpected text after 'time id'";
    return -1;
  }
  return 1;
}

int evs__ras_read(const char *path, uint32_t size, double period,
                  const char *owner, evs_spike **out, size_t *n_out,
                  evs_error *err) {
  replay_state s = {0};
  FILE *f = NULL;
  char *line = NULL;
  size_t linecap = 0;
  int rc = EVS_OK, lineno = 0;
  *out = NULL;
  *n_out = 0;
  f = fopen(path, "r");
  if (!f) {
    rc = evs_error_set(err, EVS_EIO, path, 0, "cannot open: %s",
                       strerror(errno));
    goto fail;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    /* a device never ends (/dev/zero) */
    rc = evs_error_set(err, EVS_EIO, path, 0, "not a regular file");
    goto fail;
  }
  ssize_t got;
  errno = 0;
  while ((got = getline(&line, &linecap, f)) != -1) {
    double t;
    unsigned long id;
    const char *why = NULL;
    lineno++;
    if (memchr(line, '\0', (size_t)got)) {
      rc = evs_error_set(err, EVS_EMODEL, path, lineno,
                         "NUL byte in the line (a .ras file is text)");
      goto fail;
    }
    int k = ras_parse_line(line, &t, &id, &why);
    if (k == 0) continue;
    if (k < 0) {
      rc = evs_error_set(err, EVS_EMODEL, path, lineno, "%s", why);
      goto fail;
    }
    if (t < 0) {
      rc = evs_error_set(err, EVS_EMODEL, path, lineno,
                         "negative spike time %g s", t);
      goto fail;
    }
    if (id >= size) {
      rc = evs_error_set(err, EVS_EMODEL, path, lineno,
                         "neuron id %lu out of range (%s has %u)", id, owner,
                         (unsigned)size);
      goto fail;
    }
    if (period > 0 && t >= period) {
      rc = evs_error_set(err, EVS_EMODEL, path, lineno,
                         "spike time %g s not before the period %g s", t,
                         period);
      goto fail;
    }
    if (replay_push(&s, t, (uint32_t)id)) {
      rc = evs_error_set(err, EVS_ENOMEM, path, lineno, "out of memory");
      goto fail;
    }
  }
  /* getline also fails without an error on the stream (out of memory for
   * an endless line): only the end of the file ends it well */
  if (ferror(f) || !feof(f)) {
    rc = evs_error_set(err, EVS_EIO, path, lineno + 1, "read error: %s",
                       strerror(errno ? errno : EIO));
    goto fail;
  }
  if (s.n) qsort(s.spk, s.n, sizeof *s.spk, spike_cmp);
  *out = s.spk;
  *n_out = s.n;
  s.spk = NULL;
fail:
  free(s.spk);
  free(line);
  if (f) fclose(f);
  return rc;
}

/* What follows from pop's parameters: the period and the pattern, the
 * spikes of the file (evs__ras_read). EVS_OK or the reader's error (at the
 * key file when the file is at fault). */
static int array_derive(const evs_pop *pop, replay_state *s, evs_error *err) {
  const double period = pop->par[AR_PERIOD];
  s->period = period;
  char owner[96];
  snprintf(owner, sizeof owner, "population %s", pop->name);
  int rc = evs__ras_read(pop->path[AR_FILE], pop->size, period, owner, &s->spk,
                         &s->n, err);
  if (rc && rc != EVS_ENOMEM) evs_error_key(err, "file"); /* the file's fault */
  s->cap = s->n;
  return rc;
}

static int array_init(evs_pop *pop, evs_error *err) {
  const char *path = pop->path ? pop->path[AR_FILE] : NULL;
  const double period = pop->par[AR_PERIOD];
  if (!path)
    return evs__error_key_set(err, EVS_EMODEL, "file",
                              "population %s: SpikeSourceArray needs a file",
                              pop->name);
  if (!(period >= 0) || !isfinite(period))
    return evs__error_key_set(
        err, EVS_EMODEL, "period",
        "population %s: period must be >= 0 and finite (got %g s)", pop->name,
        period);
  replay_state *s = calloc(1, sizeof *s);
  if (!s) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  pop->state = s;
  return array_derive(pop, s, err);
}

const evs_neuron_type evs__source_array = {
    .name = "SpikeSourceArray",
    .kind = EVS_POP_SOURCE,
    .params = array_params,
    .n_params = AR_N_PARAMS,
    .weight_scale = evs__source_weight_scale,
    .init = array_init,
    .destroy = replay_destroy,
    .deliver = NULL,
    .tick = replay_tick,
    .voltage = NULL,
    .dc_scale = NULL,
    .checkpoint = replay_checkpoint,
};
