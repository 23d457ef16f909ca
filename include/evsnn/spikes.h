/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — spike output formats and the reader of evsnn's binary spike
 * files (<population>.spk, spike_format = bin; doc/model-format.md,
 * "Spike files").
 *
 * A binary spike file is a 352-byte header followed by 12-byte records:
 *
 *   offset size  field
 *   0      8     magic "EVSSPIKE"
 *   8      4     byte-order mark: uint32 0x01020304 in the writer's order
 *   12     4     uint32 format version (1)
 *   16     4     uint32 header size in bytes (352)
 *   20     4     uint32 record size in bytes (12)
 *   24     4     uint32 population size (neurons)
 *   28     4     uint32 reserved (0)
 *   32     256   model name, UTF-8, NUL-padded
 *   288    64    population name, NUL-padded
 *   352    12 n  records: float64 time [s], uint32 population-local id,
 *                packed, sorted by (time, id); n = (file size - 352) / 12
 *
 * Every multi-byte field is in the byte order of the mark; readers swap
 * when the mark reads 0x04030201. */
#ifndef EVSNN_SPIKES_H
#define EVSNN_SPIKES_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "export.h"
#include "net.h"
#include "plugin.h"

/* Where a run's spikes go (evs_net_set_spike_format). */
typedef enum evs_spike_format {
  EVS_SPIKES_RAS = 0,   /* <population>.ras: text, "time id" per line */
  EVS_SPIKES_BIN = 1,   /* <population>.spk: the binary form above */
  EVS_SPIKES_SONATA = 2 /* spikes.h5: SONATA HDF5, one group per population */
} evs_spike_format;

/* The format named name ("ras", "bin" or "sonata") into *out. Returns
 * EVS_OK, or EVS_EINVAL with a message in err for an unknown name or for
 * "sonata" in a build without HDF5. */
EVS_API int evs_spike_format_parse(const char *name, evs_spike_format *out,
                                   evs_error *err);

/* Sets the format of every population's recorded spikes for net's runs
 * (default EVS_SPIKES_RAS). Returns EVS_OK, EVS_EINVAL (a format this build
 * cannot write), EVS_ESTATE during a run, with a message in err. */
EVS_API int evs_net_set_spike_format(evs_net *net, evs_spike_format format,
                                     evs_error *err);

/* What the header of a binary spike file says. */
typedef struct evs_spike_file_info {
  uint32_t version;    /* format version */
  uint32_t size;       /* neurons of the population */
  uint64_t count;      /* spikes the file holds */
  int swapped;         /* 1: written on a machine of the other byte order */
  char model[257];     /* model name, NUL-terminated */
  char population[65]; /* population name, NUL-terminated */
} evs_spike_file_info;

typedef struct evs_spike_reader evs_spike_reader; /* opaque */

/* Opens the binary spike file path and reads its header into *info.
 * Returns EVS_OK with *r to read from, or EVS_EIO (unreadable) or
 * EVS_EINVAL (not a spike file, an unknown version or layout, a length
 * that is not a whole number of records) naming path in err. */
EVS_API int evs_spike_reader_open(evs_spike_reader **r, const char *path,
                                  evs_spike_file_info *info, evs_error *err);

/* Reads the next spikes, at most max, into spk[0..*got); *got is 0 at the
 * end of the file. Checks each record: a time that is finite, >= 0 and not
 * before the previous one, an id below the population size. Returns EVS_OK,
 * EVS_EIO or EVS_EINVAL naming the file and the record's index in err. */
EVS_API int evs_spike_reader_next(evs_spike_reader *r, evs_spike *spk,
                                  size_t max, size_t *got, evs_error *err);

/* Closes r (NULL is accepted). */
EVS_API void evs_spike_reader_close(evs_spike_reader *r);

/* Reads population's spikes from the SONATA spike file path (spikes.h5:
 * /spikes/<population>/timestamps in ms, node_ids) into a new array
 * *spk[0..*n) (times in s, in the file's order; free() it). Returns EVS_OK,
 * EVS_EIO (not an HDF5 file), EVS_ENOENT (no group for population: it
 * recorded no spikes), EVS_EINVAL (datasets of the wrong shape, a negative time
 * or an id beyond 32 bits, or a build without HDF5) or EVS_ENOMEM, with a
 * message naming path in err. */
EVS_API int evs_sonata_read(const char *path, const char *population,
                            evs_spike **spk, size_t *n, evs_error *err);

#endif
