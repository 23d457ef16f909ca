/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the SONATA spike file writer (sonata.h has the layout). HDF5's
 * own error printing is switched off around every call into it, and
 * restored after: failures become evsnn errors. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "io/sonata.h"

/* Spikes per chunk of each dataset, and per population's buffer: 8,192
 * spikes are 64 KiB of times and 64 KiB of ids. */
#define CHUNK 8192

/* One population's group. */
typedef struct sonata_pop {
  hid_t group, times, ids; /* /spikes/<pop>, its two datasets */
  double *t;               /* [CHUNK] buffered times, ms */
  uint64_t *id;            /* [CHUNK] buffered node ids */
  size_t n;                /* buffered spikes */
  hsize_t written;         /* rows in the datasets */
} sonata_pop;

struct evs_sonata {
  evs_output_closer closer; /* ctx: this writer */
  hid_t file, spikes;       /* the file, its /spikes group */
  hid_t sorting_type;       /* the enum of the sorting attribute */
  sonata_pop *pop;
  size_t npop, cappop;
  int failed; /* 1 once a write failed */
};

/* HDF5's automatic error printing, saved while switched off. */
typedef struct quiet {
  H5E_auto2_t func;
  void *data;
} quiet;

static quiet hush(void) {
  quiet q = {NULL, NULL};
  H5Eget_auto2(H5E_DEFAULT, &q.func, &q.data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  return q;
}

static void unhush(quiet q) { H5Eset_auto2(H5E_DEFAULT, q.func, q.data); }

/* Writes a scalar or 1-D attribute name of type type with n values (n 0:
 * scalar) on obj, the values in memory of that same type (a native or
 * enum type: the file keeps the machine's byte order, as HDF5 readers
 * expect any). Returns 0 or -1. */
static int attribute(hid_t obj, const char *name, hid_t type, hsize_t n,
                     const void *value) {
  hid_t space = n ? H5Screate_simple(1, &n, NULL) : H5Screate(H5S_SCALAR);
  if (space < 0) return -1;
  hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  int rc = a < 0 || H5Awrite(a, type, value) < 0 ? -1 : 0;
  if (a >= 0) H5Aclose(a);
  H5Sclose(space);
  return rc;
}

/* A string attribute (variable-length UTF-8: h5py reads it as str). */
static int string_attribute(hid_t obj, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  if (type < 0) return -1;
  int rc = H5Tset_size(type, H5T_VARIABLE) < 0 ||
                   H5Tset_cset(type, H5T_CSET_UTF8) < 0
               ? -1
               : attribute(obj, name, type, 0, &value);
  H5Tclose(type);
  return rc;
}

/* An empty, extensible, chunked 1-D dataset of type type in group g. */
static hid_t dataset(hid_t g, const char *name, hid_t type) {
  hsize_t zero = 0, unlimited = H5S_UNLIMITED, chunk = CHUNK;
  hid_t space = H5Screate_simple(1, &zero, &unlimited);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
  hid_t d = -1;
  /* whole chunks are written at once: no chunk cache is needed; no
   * modification times: a model and a seed give the same bytes */
  if (space >= 0 && dcpl >= 0 && dapl >= 0 &&
      H5Pset_chunk(dcpl, 1, &chunk) >= 0 &&
      H5Pset_obj_track_times(dcpl, 0) >= 0 &&
      H5Pset_chunk_cache(dapl, 0, 0, H5D_CHUNK_CACHE_W0_DEFAULT) >= 0)
    d = H5Dcreate2(g, name, type, space, H5P_DEFAULT, dcpl, dapl);
  if (dapl >= 0) H5Pclose(dapl);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return d;
}

/* Appends n values of memory type mtype from buf to the 1-D dataset d that
 * holds rows rows. Returns 0 or -1. */
static int append(hid_t d, hid_t mtype, const void *buf, hsize_t rows,
                  hsize_t n) {
  hsize_t size = rows + n;
  if (H5Dset_extent(d, &size) < 0) return -1;
  hid_t fspace = H5Dget_space(d);
  hid_t mspace = H5Screate_simple(1, &n, NULL);
  int rc = -1;
  if (fspace >= 0 && mspace >= 0 &&
      H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &rows, NULL, &n, NULL) >= 0 &&
      H5Dwrite(d, mtype, mspace, fspace, H5P_DEFAULT, buf) >= 0)
    rc = 0;
  if (mspace >= 0) H5Sclose(mspace);
  if (fspace >= 0) H5Sclose(fspace);
  return rc;
}

/* Writes population p's buffered spikes. */
static void flush_pop(evs_sonata *w, sonata_pop *p) {
  if (w->failed) p->n = 0; /* nothing more is written; the close says so */
  if (!p->n) return;
  if (append(p->times, H5T_NATIVE_DOUBLE, p->t, p->written, p->n) ||
      append(p->ids, H5T_NATIVE_UINT64, p->id, p->written, p->n))
    w->failed = 1;
  p->written += p->n;
  p->n = 0;
}

/* The output's closer: flushes (unless abort) and closes everything, frees
 * w. Returns 0 or EIO. */
static int sonata_close(void *ctx, int abort) {
  evs_sonata *w = ctx;
  quiet q = hush();
  for (size_t i = 0; i < w->npop; i++) {
    sonata_pop *p = &w->pop[i];
    if (!abort) flush_pop(w, p);
    if (p->times >= 0 && H5Dclose(p->times) < 0) w->failed = 1;
    if (p->ids >= 0 && H5Dclose(p->ids) < 0) w->failed = 1;
    if (p->group >= 0 && H5Gclose(p->group) < 0) w->failed = 1;
    free(p->t);
    free(p->id);
  }
  if (w->sorting_type >= 0) H5Tclose(w->sorting_type);
  if (w->spikes >= 0 && H5Gclose(w->spikes) < 0) w->failed = 1;
  if (w->file >= 0 && H5Fclose(w->file) < 0) w->failed = 1;
  unhush(q);
  int failed = w->failed;
  free(w->pop);
  free(w);
  return failed ? EIO : 0;
}

int evs__sonata_open(evs_output *o, evs_sonata **out, evs_error *err) {
  *out = NULL;
  evs_sonata *w = calloc(1, sizeof *w);
  if (!w) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  w->file = w->spikes = w->sorting_type = -1;
  w->closer = (evs_output_closer){sonata_close, w};
  const char *part;
  int h = evs__output_external_open(o, "spikes.h5", &w->closer, &part, err);
  if (h < 0) {
    free(w);
    return h;
  }
  /* from here the output owns w: its abort or close frees it */
  quiet q = hush();
  static const uint32_t magic = 0x0A7A, version[2] = {0, 1};
  signed char v;
  w->file = H5Fcreate(part, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  int ok = w->file >= 0 &&
           attribute(w->file, "magic", H5T_NATIVE_UINT32, 0, &magic) == 0 &&
           attribute(w->file, "version", H5T_NATIVE_UINT32, 2, version) == 0 &&
           (w->spikes = H5Gcreate2(w->file, "spikes", H5P_DEFAULT, H5P_DEFAULT,
                                   H5P_DEFAULT)) >= 0 &&
           (w->sorting_type = H5Tenum_create(H5T_NATIVE_SCHAR)) >= 0 &&
           H5Tenum_insert(w->sorting_type, "none", (v = 0, &v)) >= 0 &&
           H5Tenum_insert(w->sorting_type, "by_id", (v = 1, &v)) >= 0 &&
           H5Tenum_insert(w->sorting_type, "by_time", (v = 2, &v)) >= 0;
  unhush(q);
  if (!ok) {
    w->failed = 1;
    return evs_error_set(err, EVS_EIO, NULL, 0,
                         "%s: cannot create the HDF5 "
                         "file",
                         part);
  }
  *out = w;
  return EVS_OK;
}

int evs__sonata_add(evs_sonata *w, const char *name, uint32_t size,
                    evs_error *err) {
  (void)size; /* SONATA's spike groups do not record it */
  if (w->npop == w->cappop) {
    size_t cap = w->cappop ? 2 * w->cappop : 4;
    sonata_pop *p = realloc(w->pop, cap * sizeof *p);
    if (!p) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    w->pop = p;
    w->cappop = cap;
  }
  sonata_pop *p = &w->pop[w->npop];
  memset(p, 0, sizeof *p);
  p->group = p->times = p->ids = -1;
  p->t = malloc(CHUNK * sizeof *p->t);
  p->id = malloc(CHUNK * sizeof *p->id);
  w->npop++; /* even half made: the closer releases what it holds */
  if (!p->t || !p->id)
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  quiet q = hush();
  signed char by_time = 2;
  int ok = (p->group = H5Gcreate2(w->spikes, name, H5P_DEFAULT, H5P_DEFAULT,
                                  H5P_DEFAULT)) >= 0 &&
           attribute(p->group, "sorting", w->sorting_type, 0, &by_time) == 0 &&
           (p->times = dataset(p->group, "timestamps", H5T_IEEE_F64LE)) >= 0 &&
           string_attribute(p->times, "units", "ms") == 0 &&
           (p->ids = dataset(p->group, "node_ids", H5T_STD_U64LE)) >= 0;
  unhush(q);
  if (!ok) {
    w->failed = 1;
    return evs_error_set(err, EVS_EIO, NULL, 0,
                         "spikes.h5: cannot create the group /spikes/%s", name);
  }
  return (int)(w->npop - 1);
}

void evs__sonata_write(evs_sonata *w, int index, const evs_spike *spk,
                       size_t n) {
  sonata_pop *p = &w->pop[index];
  for (size_t i = 0; i < n; i++) {
    p->t[p->n] = spk[i].t * 1e3;
    p->id[p->n] = spk[i].id;
    if (++p->n == CHUNK) {
      quiet q = hush();
      flush_pop(w, p);
      unhush(q);
    }
  }
}
