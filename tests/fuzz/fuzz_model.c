/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — libFuzzer harness of model files: the public loader (read, --set
 * overrides, validate, build the net; nothing runs), from memory and from a
 * file.
 *
 * Input: the model text, then optionally a NUL byte and --set overrides
 * ("SECTION.KEY=VALUE"), separated by NUL bytes (at most 16): loaded by
 * evs_model_load_string with those overrides. Relative paths in the model
 * (spike files, edge lists, targets) are found in the source tree's models/
 * folder (EVS_FUZZ_MODELS), the harness's working directory. An input
 * with a NUL byte is also written whole to a scratch file and loaded by
 * evs_model_load_file without overrides, so the file reader meets NUL bytes
 * (its relative paths are looked up beside the scratch file, so they mostly
 * fail: the point is the reader).
 *
 * Size cap: a population size or connection count n above FUZZ_MAX_COUNT
 * (in the text or an override) skips the input before loading. Building a
 * net costs memory and time in proportion to those numbers, and the loader
 * refuses a model only when it would need more than the machine has, so
 * without the cap most inputs would take seconds and gigabytes under the
 * sanitizers (see doc/reliability.md, "Fuzzing"). Every other value goes to
 * the loader as it is. EVSNN_FUZZ_NO_CAP=1 in the environment lifts the
 * cap, to see what the loader itself refuses.
 *
 * Checked beyond the sanitizers: a success gives a model with a net, a
 * finite duration > 0, populations of at least one neuron and projections
 * whose synapses have finite weights and targets in range (the engine's
 * rule: every value that reaches it is finite and inside its domain); an
 * error gives no model, a negative status and a message. */
#include <ctype.h>
#include <math.h>

#include "evsnn/evsnn.h"
#include "fuzz_util.h"

#ifndef EVS_FUZZ_MODELS
#error "EVS_FUZZ_MODELS: the models/ folder of the source tree"
#endif

enum { FUZZ_MAX_OVERRIDES = 16, FUZZ_MAX_COUNT = 1000 };

static int capped = 1; /* 0: EVSNN_FUZZ_NO_CAP set */

/* 1 when value (after blanks) is a number above FUZZ_MAX_COUNT. */
static int count_too_big(const char *v, const char *end) {
  unsigned long x = 0;
  while (v < end && isspace((unsigned char)*v)) v++;
  for (; v < end && isdigit((unsigned char)*v); v++) {
    x = 10 * x + (unsigned long)(*v - '0');
    if (x > FUZZ_MAX_COUNT) return 1;
  }
  return 0;
}

/* 1 when the key named by [k, kend) (blanks around allowed) is size or n. */
static int is_count_key(const char *k, const char *kend) {
  while (k < kend && isspace((unsigned char)*k)) k++;
  while (kend > k && isspace((unsigned char)kend[-1])) kend--;
  size_t n = (size_t)(kend - k);
  return (n == 4 && !memcmp(k, "size", 4)) || (n == 1 && *k == 'n');
}

/* 1 when a "key = value" line (inih: '=' or ':') of text sets size or n
 * above the cap. */
static int text_over_cap(const char *text) {
  for (const char *l = text; *l;) {
    const char *e = strchr(l, '\n');
    if (!e) e = l + strlen(l);
    const char *d = l;
    while (d < e && *d != '=' && *d != ':') d++;
    if (d < e && is_count_key(l, d) && count_too_big(d + 1, e)) return 1;
    l = *e ? e + 1 : e;
  }
  return 0;
}

/* 1 when the input buf[0..size) (NUL-terminated) sets size or n above the
 * cap: in a line of any of its NUL-separated parts (the file reader sees
 * them all as lines), or in an override "SECTION.KEY=VALUE". */
static int over_cap(const char *buf, size_t size, char *const *sets,
                    size_t n_sets) {
  for (const char *p = buf; p <= buf + size; p += strlen(p) + 1)
    if (text_over_cap(p)) return 1;
  for (size_t i = 0; i < n_sets; i++) {
    const char *eq = strchr(sets[i], '=');
    if (!eq) continue;
    const char *dot = eq;
    while (dot > sets[i] && dot[-1] != '.') dot--;
    if (is_count_key(dot, eq) && count_too_big(eq + 1, eq + strlen(eq)))
      return 1;
  }
  return 0;
}

/* The properties of a model that loaded (public API only). */
static void check_model(const evs_model *m) {
  FUZZ_REQUIRE(isfinite(m->run.duration) && m->run.duration > 0);
  for (int i = 0; i < evs_net_population_count(m->net); i++) {
    evs_pop_info pi;
    FUZZ_REQUIRE(evs_net_population_info(m->net, i, &pi) == EVS_OK);
    FUZZ_REQUIRE(pi.size > 0);
  }
  const evs_csr *c;
  for (int j = 0; (c = evs_net_projection_csr(m->net, j)) != NULL; j++) {
    FUZZ_REQUIRE(c->row_ptr[c->n_pre] == c->nnz);
    for (uint64_t q = 0; q < c->nnz; q++) {
      FUZZ_REQUIRE(evs_csr_target(c, q) < c->n_post); /* narrow or not */
      FUZZ_REQUIRE(isfinite(evs_csr_weight(c, q)));
    }
  }
}

/* The contract of a load's result; frees the model. */
static void check_result(int rc, evs_model *m, const evs_error *err) {
  if (rc == EVS_OK) {
    FUZZ_REQUIRE(m && m->net);
    check_model(m);
    evs_model_free(m);
  } else {
    FUZZ_REQUIRE(rc < 0 && err->code == rc && err->msg[0]);
    FUZZ_REQUIRE(m == NULL);
  }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  const char *nocap = getenv("EVSNN_FUZZ_NO_CAP");
  capped = !nocap || strcmp(nocap, "1") != 0;
  fuzz_scratch_init("model");
  if (chdir(EVS_FUZZ_MODELS)) {
    perror(EVS_FUZZ_MODELS);
    abort();
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  char *sets[FUZZ_MAX_OVERRIDES];
  size_t n_sets = 0;
  size_t k = strlen(buf);
  while (k < size && n_sets < FUZZ_MAX_OVERRIDES) {
    sets[n_sets++] = buf + k + 1;
    k += 1 + strlen(buf + k + 1);
  }
  if (capped && over_cap(buf, size, sets, n_sets)) {
    free(buf);
    return 0;
  }
  evs_model_opts mo;
  memset(&mo, 0, sizeof mo);
  mo.overrides = (const char *const *)sets;
  mo.n_overrides = n_sets;
  evs_model *m = (evs_model *)1;
  evs_error err;
  int rc = evs_model_load_string(buf, "fuzz", &mo, &m, &err);
  check_result(rc, m, &err);
  /* the same bytes as a file, NUL bytes and all, through the file reader:
   * only when there is a NUL byte, as otherwise both readers see the same
   * lines (and a valid model would be built twice) */
  if (strlen(buf) < size) {
    m = (evs_model *)1;
    rc = evs_model_load_file(fuzz_scratch_write(data, size), NULL, &m, &err);
    check_result(rc, m, &err);
  }
  free(buf);
  return 0;
}
