/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — reading one population's spikes back from a SONATA spike file
 * (spikes.h5, as io/sonata.c writes it: /spikes/<population>/timestamps in
 * ms and node_ids), through libhdf5; in a build without HDF5 the reader
 * says so. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evsnn/spikes.h"

#ifdef EVS_HAVE_HDF5
#include <hdf5.h>

/* Reads the 1-D dataset name of group g as type into a new array of *n
 * values (NULL and 0 for an empty one). Returns 0, or -1. */
static int read_column(hid_t g, const char *name, hid_t type, size_t size,
                       void **out, hsize_t *n) {
  *out = NULL;
  hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
  if (d < 0) return -1;
  hid_t sp = H5Dget_space(d);
  int ok = sp >= 0 && H5Sget_simple_extent_ndims(sp) == 1 &&
           H5Sget_simple_extent_dims(sp, n, NULL) == 1;
  if (ok && *n) {
    *out = malloc(*n * size);
    ok = *out && H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, *out) >= 0;
  }
  if (sp >= 0) H5Sclose(sp);
  H5Dclose(d);
  if (!ok) {
    free(*out);
    *out = NULL;
  }
  return ok ? 0 : -1;
}

EVS_API int evs_sonata_read(const char *path, const char *population,
                            evs_spike **spk, size_t *n, evs_error *err) {
  *spk = NULL;
  *n = 0;
  H5E_auto2_t func;
  void *data;
  H5Eget_auto2(H5E_DEFAULT, &func, &data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors become messages here */
  int rc = EVS_OK;
  double *t = NULL;
  uint64_t *id = NULL;
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), g = -1;
  if (f < 0) {
    rc = evs_error_set(err, EVS_EIO, NULL, 0,
                       "%s: cannot open it as an HDF5 file", path);
    goto done;
  }
  char group[128];
  snprintf(group, sizeof group, "/spikes/%s", population);
  if ((g = H5Gopen2(f, group, H5P_DEFAULT)) < 0) {
    rc =
        evs_error_set(err, EVS_ENOENT, NULL, 0, "%s: no group %s", path, group);
    goto done;
  }
  hsize_t nt = 0, ni = 0;
  if (read_column(g, "timestamps", H5T_NATIVE_DOUBLE, sizeof *t, (void **)&t,
                  &nt) ||
      read_column(g, "node_ids", H5T_NATIVE_UINT64, sizeof *id, (void **)&id,
                  &ni) ||
      nt != ni) {
    rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: %s needs 1-D datasets timestamps and node_ids "
                       "of one length",
                       path, group);
    goto done;
  }
  if (nt && !(*spk = malloc(nt * sizeof **spk))) {
    rc = evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    goto done;
  }
  for (hsize_t i = 0; i < nt; i++) {
    if (!(t[i] >= 0) || id[i] > UINT32_MAX) {
      free(*spk);
      *spk = NULL;
      rc = evs_error_set(err, EVS_EINVAL, NULL, 0,
                         "%s: %s: spike %llu has time %g ms, node %llu", path,
                         group, (unsigned long long)i, t[i],
                         (unsigned long long)id[i]);
      goto done;
    }
    (*spk)[i] = (evs_spike){t[i] * 1e-3, (uint32_t)id[i]};
  }
  *n = nt;
done:
  free(t);
  free(id);
  if (g >= 0) H5Gclose(g);
  if (f >= 0) H5Fclose(f);
  H5Eset_auto2(H5E_DEFAULT, func, data);
  return rc;
}

#else

EVS_API int evs_sonata_read(const char *path, const char *population,
                            evs_spike **spk, size_t *n, evs_error *err) {
  (void)population;
  *spk = NULL;
  *n = 0;
  return evs_error_set(err, EVS_EINVAL, NULL, 0,
                       "%s: this evsnn was built without HDF5 and cannot "
                       "read SONATA files (./configure --with-hdf5)",
                       path);
}

#endif
