/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — what the plug-ins' output files hold (io/output.h): spike
 * rasters as text (.ras, with a fast exact formatter) or binary (.spk),
 * probes' and tables' rows, Matrix Market weight matrices. Each is a file
 * of the run's output (output.c: created as a part file, listed in run.log,
 * renamed at the close) named by its handle. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "io/output_impl.h"
#include "io/spike_file.h"

int evs__output_spike_file_open(evs_output *o, const char *pop, uint32_t size,
                                evs_error *err) {
  char name[128];
  unsigned char h[EVS_SPIKE_FILE_HEADER];
  snprintf(name, sizeof name, "%s.spk", pop);
  int handle = evs__output_add_file(o, name, RASTER_BUF, err);
  if (handle < 0) return handle;
  evs__spike_file_header(h, o->model, pop, size);
  evs__ofile_write(&o->files[handle], (const char *)h, sizeof h);
  return handle;
}

void evs__output_spike_file_write(evs_output *o, int handle,
                                  const evs_spike *spk, size_t n) {
  if (!o || o->silent || handle < 0 || (size_t)handle >= o->n_files) return;
  ofile *f = &o->files[handle];
  unsigned char chunk[EVS_SPIKE_FILE_RECORD * 341];
  for (size_t i = 0; i < n; i += 341) {
    size_t m = n - i < 341 ? n - i : 341;
    evs__spike_file_records(chunk, spk + i, m);
    evs__ofile_write(f, (const char *)chunk, m * EVS_SPIKE_FILE_RECORD);
  }
}

int evs__output_raster_open(evs_output *o, const char *pop, uint32_t size,
                            evs_error *err) {
  char name[128];
  snprintf(name, sizeof name, "%s.ras", pop);
  int h = evs__output_add_file(o, name, RASTER_BUF, err);
  if (h < 0) return h;
  evs__ofile_printf(&o->files[h],
                    "# evsnn spike raster\n# model: %s\n# population: %s\n"
                    "# size: %u\n# time [s] id\n",
                    o->model, pop, (unsigned)size);
  return h;
}

/* Formats "%.9f %u\n" of (t, id) into s (>= 48 bytes); returns the length.
 * Fast path: t*1e9 rounded to an integer count of ns, used only when the
 * product is far enough from a rounding tie that the result is certainly
 * what printf's correctly rounded "%.9f" gives. */
static size_t format_spike(char *s, double t, uint32_t id) {
  double x = t * 1e9;
  if (x >= 0 && x < 9e15) {
    double r = floor(x + 0.5);
    /* The product's rounding error is <= x * 2^-53 < 1 ulp; demand a margin
     * of 1e-4 ns plus that around the tie at r - 0.5. */
    double frac = x - (r - 0.5);
    double margin = 1e-4 + x * 2.3e-16;
    if (frac > margin && frac < 1.0 - margin) {
      uint64_t ns = (uint64_t)r;
      uint64_t sec = ns / 1000000000u, sub = ns % 1000000000u;
      char tmp[24];
      size_t n = 0, k = 0;
      do {
        tmp[k++] = (char)('0' + sec % 10);
        sec /= 10;
      } while (sec);
      while (k) s[n++] = tmp[--k];
      s[n++] = '.';
      for (int i = 8; i >= 0; i--) {
        s[n + (size_t)i] = (char)('0' + sub % 10);
        sub /= 10;
      }
      n += 9;
      s[n++] = ' ';
      uint32_t v = id;
      do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
      } while (v);
      while (k) s[n++] = tmp[--k];
      s[n++] = '\n';
      return n;
    }
  }
  int n = snprintf(s, 48, "%.9f %u\n", t, (unsigned)id);
  return n < 0 ? 0 : (n >= 48 ? 47 : (size_t)n);
}

/* Exposed for the test of the formatter (not in io/output.h). */
size_t evs__output_format_spike(char *s, double t, uint32_t id);
size_t evs__output_format_spike(char *s, double t, uint32_t id) {
  return format_spike(s, t, id);
}

void evs__output_raster_write(evs_output *o, int handle, const evs_spike *spk,
                              size_t n) {
  if (!o || o->silent || handle < 0 || (size_t)handle >= o->n_files) return;
  ofile *f = &o->files[handle];
  char chunk[4096];
  size_t used = 0;
  for (size_t i = 0; i < n; i++) {
    if (used > sizeof chunk - 48) {
      evs__ofile_write(f, chunk, used);
      used = 0;
    }
    used += format_spike(chunk + used, spk[i].t, spk[i].id);
  }
  if (used) evs__ofile_write(f, chunk, used);
}

int evs__output_probe_open(evs_output *o, const char *var, const char *pop,
                           const uint32_t *ids, size_t n, evs_error *err) {
  char name[160];
  snprintf(name, sizeof name, "%s_%s.tsv", var, pop);
  int h = evs__output_add_file(o, name, PROBE_BUF, err);
  if (h < 0) return h;
  ofile *f = &o->files[h];
  evs__ofile_printf(f, "time");
  for (size_t i = 0; i < n; i++)
    evs__ofile_printf(f, "\t%s%u", var, (unsigned)ids[i]);
  evs__ofile_printf(f, "\n");
  return h;
}

int evs__output_table_open(evs_output *o, const char *name, const char *header,
                           evs_error *err) {
  int h = evs__output_add_file(o, name, PROBE_BUF, err);
  if (h < 0) return h;
  evs__ofile_printf(&o->files[h], "%s\n", header);
  return h;
}

int evs__output_matrix(evs_output *o, const char *name, const char *comment,
                       const evs_csr *m, double scale, evs_error *err) {
  int h = evs__output_add_file(o, name, 1u << 16, err);
  if (h < 0) return h;
  ofile *f = &o->files[h];
  evs__ofile_printf(
      f, "%%%%MatrixMarket matrix coordinate real general\n%% %s\n", comment);
  evs__ofile_printf(f, "%u %u %llu\n", m->n_pre, m->n_post,
                    (unsigned long long)m->nnz);
  for (uint32_t i = 0; i < m->n_pre; i++)
    for (uint64_t s = m->row_ptr[i]; s < m->row_ptr[i + 1]; s++)
      evs__ofile_printf(f, "%u %u %.9g\n", i + 1, evs_csr_target(m, s) + 1,
                        evs_csr_weight(m, s) / scale);
  return h;
}

void evs__output_probe_row(evs_output *o, int handle, double t, const double *v,
                           size_t n) {
  if (!o || handle < 0 || (size_t)handle >= o->n_files) return;
  ofile *f = &o->files[handle];
  evs__ofile_printf(f, "%.9f", t);
  for (size_t i = 0; i < n; i++) evs__ofile_printf(f, "\t%.9g", v[i]);
  evs__ofile_printf(f, "\n");
}

void evs__output_table_printf(evs_output *o, int handle, const char *fmt, ...) {
  if (!o || handle < 0 || (size_t)handle >= o->n_files) return;
  va_list ap;
  va_start(ap, fmt);
  evs__ofile_vprintf(&o->files[handle], fmt, ap);
  va_end(ap);
}
