/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn plot: the text rasters its gnuplot scripts read, from whichever
 * spike format the run wrote (.ras as they are; .spk files and spikes.h5
 * converted into a temporary folder). */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "convert.h"
#include "plot_rasters.h"

/* A population of summary.tsv: its name and size. */
typedef struct pop_row {
  char name[128];
  unsigned long size;
} pop_row;

enum { MAX_POPS = 256 };

/* s into buf (cap bytes); 0, or -1 when it does not fit. */
static int copy_str(char *buf, size_t cap, const char *s) {
  size_t n = strlen(s);
  if (n >= cap) return -1;
  memcpy(buf, s, n + 1);
  return 0;
}

/* "a/b" followed by c into buf (cap bytes); 0, or -1 when it does not
 * fit (buf then holds "", which names no file). */
static int path_of(char *buf, size_t cap, const char *a, const char *b,
                   const char *c) {
  int n = snprintf(buf, cap, "%s/%s%s", a, b, c);
  if (n >= 0 && (size_t)n < cap) return 0;
  buf[0] = '\0';
  return -1;
}

/* The populations of dir/summary.tsv (at most max) into rows; their
 * number. */
static size_t read_pops(const char *dir, pop_row *rows, size_t max) {
  char path[4096], line[1024];
  path_of(path, sizeof path, dir, "summary", ".tsv");
  FILE *f = fopen(path, "r");
  size_t n = 0;
  if (!f) return 0;
  if (fgets(line, sizeof line, f)) /* header */
    while (n < max && fgets(line, sizeof line, f)) {
      char *tab = strchr(line, '\t');
      if (!tab || (size_t)(tab - line) >= sizeof rows[n].name) continue;
      memcpy(rows[n].name, line, (size_t)(tab - line));
      rows[n].name[tab - line] = '\0';
      rows[n].size = strtoul(tab + 1, NULL, 10);
      n++;
    }
  fclose(f);
  return n;
}

/* The model name of dir/run.log ("model: NAME") into model (cap bytes),
 * "" when there is none. */
static void read_model(const char *dir, char *model, size_t cap) {
  char path[4096], line[1024];
  path_of(path, sizeof path, dir, "run", ".log");
  model[0] = '\0';
  FILE *f = fopen(path, "r");
  if (!f) return;
  while (fgets(line, sizeof line, f))
    if (!strncmp(line, "model: ", 7)) {
      line[strcspn(line, "\n")] = '\0';
      if (strlen(line + 7) < cap) memcpy(model, line + 7, strlen(line + 7) + 1);
      break;
    }
  fclose(f);
}

static int exists(const char *dir, const char *name, const char *ext) {
  char path[4096];
  return path_of(path, sizeof path, dir, name, ext) == 0 &&
         access(path, R_OK) == 0;
}

/* Writes population p's spikes from dir/spikes.h5 as a .ras text to out.
 * Returns EVS_OK or an error in err. */
static int sonata_to_ras(const char *dir, const pop_row *p, const char *model,
                         FILE *out, evs_error *err) {
  char path[4096];
  path_of(path, sizeof path, dir, "spikes", ".h5");
  evs_spike *spk;
  size_t n;
  int rc = evs_sonata_read(path, p->name, &spk, &n, err);
  if (rc != EVS_OK) return rc;
  fprintf(out,
          "# evsnn spike raster\n# model: %s\n# population: %s\n"
          "# size: %lu\n# time [s] id\n",
          model, p->name, p->size);
  for (size_t i = 0; i < n; i++)
    fprintf(out, "%.9f %u\n", spk[i].t, (unsigned)spk[i].id);
  free(spk);
  return EVS_OK;
}

void evs_cli_plot_rasters_done(const char *dir, const char *rasdir) {
  if (!strcmp(dir, rasdir)) return;
  pop_row rows[MAX_POPS];
  size_t n = read_pops(dir, rows, MAX_POPS);
  char path[4096];
  for (size_t i = 0; i < n; i++) {
    if (path_of(path, sizeof path, rasdir, rows[i].name, ".ras") == 0)
      remove(path);
  }
  rmdir(rasdir);
}

int evs_cli_plot_rasters(const char *dir, char *rasdir, size_t cap) {
  pop_row rows[MAX_POPS];
  size_t n = read_pops(dir, rows, MAX_POPS);
  int have_ras = 0, have_spk = 0;
  for (size_t i = 0; i < n; i++) {
    have_ras |= exists(dir, rows[i].name, ".ras");
    have_spk |= exists(dir, rows[i].name, ".spk");
  }
  if (copy_str(rasdir, cap, dir)) {
    fprintf(stderr, "evsnn: %s: folder name too long\n", dir);
    return -1;
  }
  if (have_ras) return 1;
  int have_h5 = exists(dir, "spikes", ".h5");
  if (!have_spk && !have_h5) return 0;
  const char *tmp = getenv("TMPDIR");
  if (path_of(rasdir, cap, tmp && *tmp ? tmp : "/tmp", "evsnn-plot-XXXXXX",
              "") ||
      !mkdtemp(rasdir)) {
    fprintf(stderr, "evsnn: %s: %s\n", rasdir, strerror(errno));
    return -1;
  }
  char model[256], path[4096], in[4096];
  read_model(dir, model, sizeof model);
  evs_error err;
  evs_error_clear(&err);
  int made = 0;
  for (size_t i = 0; i < n; i++) {
    int spk = exists(dir, rows[i].name, ".spk");
    if (!spk && !have_h5) continue;
    path_of(path, sizeof path, rasdir, rows[i].name, ".ras");
    path_of(in, sizeof in, dir, rows[i].name, ".spk");
    FILE *out = fopen(path, "w");
    if (!out) {
      fprintf(stderr, "evsnn: %s: %s\n", path, strerror(errno));
      goto fail;
    }
    int rc = spk ? evs_cli_spk_to_ras(in, out, &err)
                 : sonata_to_ras(dir, &rows[i], model, out, &err);
    if (fclose(out) != 0 && rc == EVS_OK) {
      fprintf(stderr, "evsnn: %s: %s\n", path, strerror(errno));
      goto fail;
    }
    if (rc != EVS_OK) {
      /* a population the SONATA file does not hold recorded no spikes */
      if (!spk && rc == EVS_ENOENT) {
        remove(path);
        continue;
      }
      fprintf(stderr, "evsnn: %s\n", err.msg);
      goto fail;
    }
    made++;
  }
  if (made) return 1;
  rmdir(rasdir);
  copy_str(rasdir, cap, dir);
  return 0;
fail:
  evs_cli_plot_rasters_done(dir, rasdir);
  copy_str(rasdir, cap, dir);
  return -1;
}
