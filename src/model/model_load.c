/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files: the loaders (include/evsnn/model.h). A load
 * runs the reader's stages: read the INI text into symbol tables
 * (model_read.c), apply the --set overrides (model_override.c), check the
 * tables into a description (model_check.c), build it (evs_model_build,
 * model_build.c); and the built-in demo's text. */
#include "model/model_check.h"

#include "core/ranks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The model's name from its path: the file name without .ini, in
 * name[0..size). */
static void set_name(char *name, size_t size, const char *path) {
  const char *b = strrchr(path, '/');
  size_t n;
  b = b ? b + 1 : path;
  n = strlen(b);
  if (n > 4 && !strcmp(b + n - 4, ".ini")) n -= 4;
  if (n >= size) n = size - 1;
  memcpy(name, b, n);
  name[n] = '\0';
}

/* Loads from c's source (c->fp or c->text, file and base set): read,
 * overrides, check into a description, build. The overrides' seed and
 * force (mo) go to the build. */
static int load(evs__model_ctx *c, const char *path, const evs_model_opts *mo,
                evs_model **out) {
  evs_model_desc d;
  evs_model_opts bo = {NULL, 0, 0, 0, 0};
  char name[256];
  int rc;
  set_name(name, sizeof name, path);
  if ((rc = evs__model_read(c))) goto done;
  if (c->fp && ferror(c->fp)) {
    rc = evs_error_set(c->err, EVS_EIO, path, 0, "read error");
    goto done;
  }
  for (size_t i = 0; mo && i < mo->n_overrides; i++)
    if ((rc = evs__model_override(c, mo->overrides[i]))) goto done;
  if ((rc = evs__model_check(c, name, &d))) goto done;
  if (mo) {
    bo.seed_set = mo->seed_set;
    bo.seed = mo->seed;
    bo.force = mo->force;
  }
  rc = evs_model_build(&d, &bo, out, c->err); /* agreed on several ranks */
  evs__model_tables_free(c);
  free(c->lbuf);
  return rc;
done: /* failed here alone, perhaps: the other ranks must hear of it */
  rc = evs__ranks_fail_unjoined(NULL, rc);
  evs__model_tables_free(c);
  free(c->lbuf);
  return rc;
}

/* The start of loader fn (named in its message) of src, a path or a text
 * that messages call file: *out and err cleared, c zeroed with its file
 * and error set. EVS_OK, or EVS_EINVAL when src or out is NULL. */
static int begin(evs__model_ctx *c, const char *file, const void *src,
                 evs_model **out, const char *fn, evs_error *err) {
  if (out) *out = NULL;
  if (!src || !out)
    return evs_error_set(err, EVS_EINVAL, NULL, 0, "%s: NULL argument", fn);
  evs_error_clear(err);
  memset(c, 0, sizeof *c);
  c->file = file;
  c->err = err;
  return EVS_OK;
}

int evs_model_load_file(const char *path, const evs_model_opts *mo,
                        evs_model **out, evs_error *err) {
  evs__model_ctx c;
  int rc;
  const char *slash;
  if ((rc = begin(&c, path, path, out, "evs_model_load_file", err))) return rc;
  slash = strrchr(path, '/');
  if (slash) {
    size_t n = (size_t)(slash - path);
    if (!(c.base = malloc(n + 2)))
      return evs__ranks_fail_unjoined(
          NULL, evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory"));
    if (n == 0)
      strcpy(c.base, "/");
    else {
      memcpy(c.base, path, n);
      c.base[n] = '\0';
    }
  } else if (!(c.base = evs__model_strdup(""))) {
    return evs__ranks_fail_unjoined(
        NULL, evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory"));
  }
  if (!(c.fp = fopen(path, "r"))) { /* on this machine, perhaps only */
    int e = errno;
    free(c.base);
    return evs__ranks_fail_unjoined(
        NULL,
        evs_error_set(err, EVS_EIO, path, 0, "cannot open: %s", strerror(e)));
  }
  rc = load(&c, path, mo, out);
  fclose(c.fp);
  free(c.base);
  return rc;
}

int evs_model_load_string(const char *text, const char *name,
                          const evs_model_opts *mo, evs_model **out,
                          evs_error *err) {
  evs__model_ctx c;
  int rc;
  if ((rc = begin(&c, name ? name : "<string>", text, out,
                  "evs_model_load_string", err)))
    return rc;
  c.text = text;
  if (!(c.base = evs__model_strdup("")))
    return evs__ranks_fail_unjoined(
        NULL, evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory"));
  rc = load(&c, c.file, mo, out);
  free(c.base);
  return rc;
}

/* The keys the demo's two populations share (evs_model_default_demo). */
#define DEMO_NEURONS                                                           \
  "tau_m = 20 ms\n"                                                            \
  "v_rest = -49 mV\n"                                                          \
  "v_thresh = -50 mV\n"                                                        \
  "v_reset = -60 mV\n"                                                         \
  "tau_refrac = 5 ms\n"                                                        \
  "tau_syn_E = 5 ms\n"                                                         \
  "tau_syn_I = 10 ms\n"                                                        \
  "v_init = uniform(-60 mV, -50 mV)\n"

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
         "size = 3200\n" DEMO_NEURONS "record_v = 0-4\n"
         "record_interval = 0.1 ms\n"
         "\n"
         "[population I]\n"
         "type = IF_curr_exp\n"
         "size = 800\n" DEMO_NEURONS "\n"
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
