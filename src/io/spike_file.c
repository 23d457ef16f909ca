/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — evsnn's binary spike files (<population>.spk): the header and
 * records the raster recorder writes (through output.c) and the public
 * reader (include/evsnn/spikes.h has the layout). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/spikes.h"
#include "io/spike_file.h"

#define MAGIC "EVSSPIKE"
#define BOM 0x01020304u
#define VERSION 1u

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

void evs__spike_file_header(unsigned char h[EVS_SPIKE_FILE_HEADER],
                            const char *model, const char *pop, uint32_t size) {
  memset(h, 0, EVS_SPIKE_FILE_HEADER);
  memcpy(h, MAGIC, 8);
  put32(h + 8, BOM);
  put32(h + 12, VERSION);
  put32(h + 16, EVS_SPIKE_FILE_HEADER);
  put32(h + 20, EVS_SPIKE_FILE_RECORD);
  put32(h + 24, size);
  size_t n = strlen(model);
  memcpy(h + 32, model, n < 256 ? n : 256);
  n = strlen(pop);
  memcpy(h + 288, pop, n < 64 ? n : 64);
}

void evs__spike_file_records(unsigned char *out, const evs_spike *spk,
                             size_t n) {
  for (size_t i = 0; i < n; i++) {
    memcpy(out + i * EVS_SPIKE_FILE_RECORD, &spk[i].t, 8);
    memcpy(out + i * EVS_SPIKE_FILE_RECORD + 8, &spk[i].id, 4);
  }
}

/* ---- the reader ---------------------------------------------------------- */

struct evs_spike_reader {
  FILE *f;
  char *path;
  int swapped;
  uint32_t size;
  uint64_t index, count; /* records read, records in the file */
  double last;           /* time of the last record read */
};

static uint32_t get32(const unsigned char *p, int swapped) {
  uint32_t v;
  memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

static double get64f(const unsigned char *p, int swapped) {
  uint64_t v;
  memcpy(&v, p, 8);
  if (swapped) v = __builtin_bswap64(v);
  double d;
  memcpy(&d, &v, 8);
  return d;
}

EVS_API void evs_spike_reader_close(evs_spike_reader *r) {
  if (!r) return;
  if (r->f) fclose(r->f);
  free(r->path);
  free(r);
}

EVS_API int evs_spike_reader_open(evs_spike_reader **out, const char *path,
                                  evs_spike_file_info *info, evs_error *err) {
  unsigned char h[EVS_SPIKE_FILE_HEADER];
  int rc;
  *out = NULL;
  evs_spike_reader *r = calloc(1, sizeof *r);
  if (!r || !(r->path = strdup(path))) {
    free(r);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  if (!(r->f = fopen(path, "rb"))) {
    rc = evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", path, strerror(errno));
    goto fail;
  }
  size_t got = fread(h, 1, sizeof h, r->f);
  if (got < 16 || memcmp(h, MAGIC, 8) != 0) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: not an evsnn binary spike file (no EVSSPIKE "
                       "header)",
                       path);
    goto fail;
  }
  uint32_t bom;
  memcpy(&bom, h + 8, 4);
  if (bom != BOM && bom != __builtin_bswap32(BOM)) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: unreadable byte-order mark 0x%08x", path, bom);
    goto fail;
  }
  r->swapped = bom != BOM;
  uint32_t version = get32(h + 12, r->swapped);
  if (version != VERSION) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: format version %u (this evsnn reads %u)", path,
                       version, VERSION);
    goto fail;
  }
  if (got < sizeof h || get32(h + 16, r->swapped) != EVS_SPIKE_FILE_HEADER ||
      get32(h + 20, r->swapped) != EVS_SPIKE_FILE_RECORD) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: truncated header or unknown layout (header %u "
                       "bytes, records %u bytes; expected %u and %u)",
                       path, got >= 24 ? get32(h + 16, r->swapped) : 0,
                       got >= 24 ? get32(h + 20, r->swapped) : 0,
                       EVS_SPIKE_FILE_HEADER, EVS_SPIKE_FILE_RECORD);
    goto fail;
  }
  r->size = get32(h + 24, r->swapped);
  long end;
  if (fseek(r->f, 0, SEEK_END) != 0 || (end = ftell(r->f)) < 0 ||
      fseek(r->f, EVS_SPIKE_FILE_HEADER, SEEK_SET) != 0) {
    rc = evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", path, strerror(errno));
    goto fail;
  }
  uint64_t body = (uint64_t)end - EVS_SPIKE_FILE_HEADER;
  if (body % EVS_SPIKE_FILE_RECORD) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: %llu bytes after the header are not a whole "
                       "number of %u-byte records (a truncated file?)",
                       path, (unsigned long long)body, EVS_SPIKE_FILE_RECORD);
    goto fail;
  }
  r->count = body / EVS_SPIKE_FILE_RECORD;
  r->last = 0;
  memset(info, 0, sizeof *info);
  info->version = version;
  info->size = r->size;
  info->count = r->count;
  info->swapped = r->swapped;
  memcpy(info->model, h + 32, 256);
  memcpy(info->population, h + 288, 64);
  *out = r;
  return EVS_OK;
fail:
  evs_spike_reader_close(r);
  return rc;
}

EVS_API int evs_spike_reader_next(evs_spike_reader *r, evs_spike *spk,
                                  size_t max, size_t *got, evs_error *err) {
  unsigned char buf[EVS_SPIKE_FILE_RECORD * 256];
  size_t n = 0;
  *got = 0;
  while (n < max && r->index < r->count) {
    size_t want = max - n < 256 ? max - n : 256;
    if (want > r->count - r->index) want = (size_t)(r->count - r->index);
    if (fread(buf, EVS_SPIKE_FILE_RECORD, want, r->f) != want)
      return evs_error_set(err, EVS_EIO, NULL, 0, "%s: record %llu: %s",
                           r->path, (unsigned long long)r->index,
                           ferror(r->f) ? strerror(errno) : "end of file");
    for (size_t i = 0; i < want; i++, r->index++) {
      const unsigned char *p = buf + i * EVS_SPIKE_FILE_RECORD;
      double t = get64f(p, r->swapped);
      uint32_t id = get32(p + 8, r->swapped);
      if (!isfinite(t) || t < 0 || t < r->last)
        return evs_error_set(err, EVS_EINVAL, NULL, 0,
                             "%s: record %llu: time %.17g is %s", r->path,
                             (unsigned long long)r->index, t,
                             !isfinite(t) || t < 0 ? "not a time >= 0"
                                                   : "before the previous one");
      if (id >= r->size)
        return evs_error_set(err, EVS_EINVAL, NULL, 0,
                             "%s: record %llu: neuron %u out of range (size "
                             "%u)",
                             r->path, (unsigned long long)r->index, id,
                             r->size);
      r->last = t;
      spk[n++] = (evs_spike){t, id};
    }
  }
  *got = n;
  return EVS_OK;
}
