/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the checkpoint file (evsnn/checkpoint.h): the stream the save and
 * load hooks write and read, its header and trailer, the atomic write
 * (NAME.tmp, fsync, rename) and the checks of a file before anything is
 * taken from it. The checksum is zlib's CRC-32 (crc32()): a well-kept
 * library, and a 32-bit check finds every burst error up to 32 bits and
 * all but 2^-32 of other corruptions (a truncated file is found by the
 * trailer's length first).
 *
 * Layout, native byte order (a checkpoint is read by the build that wrote
 * it; the header says which):
 *   "EVSNNCKP"  u32 format version  u64 byte-order mark  u32 sizeof(size_t)
 *   u32 length + evsnn version
 *   f64 t  f64 duration  u64 seed  u64 length + meta bytes
 *   the state (core/run_ckpt.c)
 *   "EVSNNEND"  u64 bytes before the trailer  u32 CRC-32 of those bytes */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "config.h"
#include "io/checkpoint_impl.h"
#include "evsnn/plugin.h"

#define MAGIC "EVSNNCKP"
#define MAGIC_END "EVSNNEND"
/* 3: IF_curr_exp_grid keeps one array per quantity (was a record per neuron) */
/* 4: IF_curr_exp_grid saves its inputs delivered ahead (ring buffers) */
/* 5: the run saves the spikes a phase's end told the plug-ins ahead of
 * their window's flush */
#define FORMAT_VERSION 5u
#define BYTE_ORDER_MARK 0x0102030405060708ull
#define TRAILER (8 + 8 + 4)
#define MAX_META (1u << 20) /* bytes of the caller's meta */

/* ---- the stream ---------------------------------------------------------- */

#define fail evs__ckpt_fail

int evs__ckpt_fail(evs_ckpt *ck, int rc, const char *fmt, ...) {
  if (ck->status) return ck->status;
  ck->status = rc;
  if (ck->err) {
    char msg[sizeof ck->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    evs_error_set(ck->err, rc, NULL, 0, "%s", msg);
  }
  return rc;
}

EVS_API int evs_ckpt_loading(const evs_ckpt *ck) { return ck->loading; }

EVS_API int evs_ckpt_status(const evs_ckpt *ck) { return ck->status; }

EVS_API int evs_ckpt_refuse(evs_ckpt *ck, const char *fmt, ...) {
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  fail(ck, EVS_EINVAL, "%s", msg);
  return EVS_EINVAL;
}

EVS_API int evs_ckpt_bytes(evs_ckpt *ck, void *p, size_t n) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_BYTES, p, n, 1);
  if (ck->status || n == 0) return ck->status;
  if (!ck->loading && !ck->f) { /* a trial walk: nothing is written */
    ck->len += n;
    return EVS_OK;
  }
  if (!ck->loading) {
    if (fwrite(p, 1, n, ck->f) != n)
      return fail(ck, EVS_EIO, "%s: %s", ck->tmp, strerror(errno));
    /* zlib's crc32 takes at most UINT_MAX bytes at a time */
    for (size_t done = 0; done < n;) {
      size_t m = n - done > (1u << 30) ? (1u << 30) : n - done;
      ck->crc = (uint32_t)crc32(ck->crc, (const Bytef *)p + done, (uInt)m);
      done += m;
    }
    ck->len += n;
    return EVS_OK;
  }
  if (n > ck->body - ck->len)
    return fail(ck, EVS_EINVAL,
                "%s: the checkpoint ends before its state does (it does not "
                "belong to this model)",
                ck->path);
  if (fread(p, 1, n, ck->f) != n)
    return fail(ck, EVS_EIO, "%s: %s", ck->path,
                ferror(ck->f) ? strerror(errno) : "unexpected end of file");
  ck->len += n;
  return EVS_OK;
}

/* Saves or loads a length. */
static int length(evs_ckpt *ck, uint64_t *n) {
  return evs_ckpt_bytes(ck, n, sizeof *n);
}

EVS_API int evs_ckpt_fixed(evs_ckpt *ck, void *p, size_t n, size_t elem) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_FIXED, p, n, elem);
  uint64_t m = n;
  if (length(ck, &m)) return ck->status;
  if (m != n)
    return fail(ck, EVS_EINVAL,
                "%s: an array of %llu elements where the model has %llu (the "
                "checkpoint belongs to another model)",
                ck->path, (unsigned long long)m, (unsigned long long)n);
  return evs_ckpt_bytes(ck, p, n * elem);
}

EVS_API int evs_ckpt_array(evs_ckpt *ck, void **p, size_t *n, size_t *cap,
                           size_t elem) {
  if (ck->mode != EVS_CK_FILE) return evs__ckpt_part_array(ck, p, n, cap, elem);
  uint64_t m = *n;
  if (length(ck, &m)) return ck->status;
  if (ck->loading) {
    if (m > (ck->body - ck->len) / (elem ? elem : 1))
      return fail(ck, EVS_EINVAL, "%s: an array longer than the checkpoint",
                  ck->path);
    void *q = malloc((m ? (size_t)m : 1) * elem);
    if (!q) return fail(ck, EVS_ENOMEM, "out of memory loading a checkpoint");
    free(*p);
    *p = q;
    *n = (size_t)m;
    if (cap) *cap = m ? (size_t)m : 1;
  }
  return evs_ckpt_bytes(ck, *p, (size_t)m * elem);
}

EVS_API int evs_ckpt_spikes(evs_ckpt *ck, evs_spike **spk, size_t *n,
                            size_t *cap) {
  if (ck->mode != EVS_CK_FILE)
    return evs_ckpt_refuse(ck, "spikes in a part of a threaded run's state");
  uint64_t m = *n;
  if (length(ck, &m)) return ck->status;
  if (ck->loading) {
    if (m > (ck->body - ck->len) / 12)
      return fail(ck, EVS_EINVAL, "%s: an array longer than the checkpoint",
                  ck->path);
    evs_spike *q = malloc((m ? (size_t)m : 1) * sizeof *q);
    if (!q) return fail(ck, EVS_ENOMEM, "out of memory loading a checkpoint");
    free(*spk);
    *spk = q;
    *n = (size_t)m;
    if (cap) *cap = m ? (size_t)m : 1;
  }
  for (size_t i = 0; i < (size_t)m && !ck->status; i++) {
    evs_ckpt_bytes(ck, &(*spk)[i].t, sizeof(*spk)[i].t);
    evs_ckpt_bytes(ck, &(*spk)[i].id, sizeof(*spk)[i].id);
  }
  return ck->status;
}

/* The per-element arrays and the counters: the file's calls outside a
 * part's walk. */
EVS_API int evs_ckpt_neurons(evs_ckpt *ck, void *p, size_t n, size_t elem) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_NEURONS, p, n, elem);
  return evs_ckpt_fixed(ck, p, n, elem);
}

EVS_API int evs_ckpt_rows(evs_ckpt *ck, void *p, size_t n, size_t elem) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_ROWS, p, n, elem);
  return evs_ckpt_fixed(ck, p, n, elem);
}

EVS_API int evs_ckpt_groups(evs_ckpt *ck, void *p, size_t n, size_t elem) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_GROUPS, p, n, elem);
  return evs_ckpt_fixed(ck, p, n, elem);
}

EVS_API int evs_ckpt_synapses(evs_ckpt *ck, void *p, size_t n, size_t elem) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_SYNAPSES, p, n, elem);
  return evs_ckpt_fixed(ck, p, n, elem);
}

EVS_API int evs_ckpt_count(evs_ckpt *ck, uint64_t *c) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_COUNT, c, 1, sizeof *c);
  return evs_ckpt_bytes(ck, c, sizeof *c);
}

EVS_API int evs_ckpt_any(evs_ckpt *ck, int *flag) {
  if (ck->mode != EVS_CK_FILE)
    return evs__ckpt_part_op(ck, EVS_CKOP_ANY, flag, 1, sizeof *flag);
  return evs_ckpt_bytes(ck, flag, sizeof *flag);
}

EVS_API int evs_ckpt_label(evs_ckpt *ck, const char *what) {
  if (ck->mode != EVS_CK_FILE)
    return evs_ckpt_refuse(ck, "a label in a part of a threaded run's state");
  char got[128];
  uint64_t n = strlen(what);
  if (!ck->loading) {
    if (length(ck, &n)) return ck->status;
    return evs_ckpt_bytes(ck, (void *)what, (size_t)n);
  }
  uint64_t m;
  if (length(ck, &m)) return ck->status;
  if (m >= sizeof got)
    return fail(ck, EVS_EINVAL,
                "%s: the checkpoint does not belong to this model (expected "
                "'%s' there)",
                ck->path, what);
  if (evs_ckpt_bytes(ck, got, (size_t)m)) return ck->status;
  got[m] = '\0';
  if (m != n || memcmp(got, what, (size_t)n) != 0)
    return fail(ck, EVS_EINVAL,
                "%s: the checkpoint does not belong to this model: it has "
                "'%s' where the model has '%s'",
                ck->path, got, what);
  return EVS_OK;
}

/* ---- the header ---------------------------------------------------------- */

/* Saves or loads the header; when loading, checks it (message naming
 * path). */
static int header(evs_ckpt *ck, evs_checkpoint_info *info) {
  char magic[8];
  uint32_t version = FORMAT_VERSION, szt = (uint32_t)sizeof(size_t);
  uint64_t bom = BYTE_ORDER_MARK;
  memcpy(magic, MAGIC, 8);
  evs_ckpt_bytes(ck, magic, 8);
  if (ck->status || memcmp(magic, MAGIC, 8) != 0)
    return fail(ck, EVS_EINVAL, "%s: not an evsnn checkpoint", ck->path);
  evs_ckpt_bytes(ck, &version, sizeof version);
  evs_ckpt_bytes(ck, &bom, sizeof bom);
  evs_ckpt_bytes(ck, &szt, sizeof szt);
  if (ck->status) return ck->status;
  if (version != FORMAT_VERSION)
    return fail(ck, EVS_EINVAL,
                "%s: checkpoint format version %u; this evsnn reads version "
                "%u",
                ck->path, (unsigned)version, FORMAT_VERSION);
  if (bom != BYTE_ORDER_MARK || szt != sizeof(size_t))
    return fail(ck, EVS_EINVAL,
                "%s: a checkpoint of a machine with another byte order or "
                "word size",
                ck->path);
  char built[64] = PACKAGE_VERSION;
  uint64_t n = strlen(built);
  length(ck, &n);
  if (ck->status) return ck->status;
  if (n >= sizeof built)
    return fail(ck, EVS_EINVAL, "%s: a corrupt checkpoint header", ck->path);
  evs_ckpt_bytes(ck, built, (size_t)n);
  built[n] = '\0';
  if (!ck->status && strcmp(built, PACKAGE_VERSION) != 0)
    return fail(ck, EVS_EINVAL,
                "%s: a checkpoint written by evsnn %s; this is evsnn %s, "
                "which reads only its own",
                ck->path, built, PACKAGE_VERSION);
  evs_ckpt_bytes(ck, &info->t, sizeof info->t);
  evs_ckpt_bytes(ck, &info->duration, sizeof info->duration);
  evs_ckpt_bytes(ck, &info->seed, sizeof info->seed);
  uint64_t m = info->meta_len;
  length(ck, &m);
  if (ck->status) return ck->status;
  if (m > MAX_META)
    return fail(ck, EVS_EINVAL, "%s: a corrupt checkpoint header", ck->path);
  if (ck->loading) {
    info->meta = m ? malloc((size_t)m) : NULL;
    info->meta_len = (size_t)m;
    if (m && !info->meta)
      return fail(ck, EVS_ENOMEM, "out of memory reading %s", ck->path);
  }
  return evs_ckpt_bytes(ck, info->meta, (size_t)m);
}

/* ---- writing ------------------------------------------------------------- */

int evs__ckpt_save_open(evs_ckpt *ck, const char *path,
                        const evs_checkpoint_info *info, evs_error *err) {
  memset(ck, 0, sizeof *ck);
  ck->err = err;
  size_t n = strlen(path);
  ck->path = strdup(path);
  ck->tmp = malloc(n + 5);
  if (!ck->path || !ck->tmp) {
    free(ck->path);
    free(ck->tmp);
    ck->path = ck->tmp = NULL;
    return fail(ck, EVS_ENOMEM, "out of memory writing a checkpoint");
  }
  snprintf(ck->tmp, n + 5, "%s.tmp", path);
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  unlink(ck->tmp); /* a stale one of a run that died (the name only) */
  int fd = open(ck->tmp, flags, 0666);
  if (fd >= 0 && !(ck->f = fdopen(fd, "w"))) close(fd);
  if (!ck->f) {
    fail(ck, EVS_EIO, "%s: %s", ck->tmp, strerror(errno));
    unlink(ck->tmp);
    return evs__ckpt_save_close(ck);
  }
  ck->crc = (uint32_t)crc32(0L, Z_NULL, 0);
  evs_checkpoint_info copy = *info;
  /* a header that cannot be written: the file closed and removed */
  if (header(ck, &copy)) return evs__ckpt_save_close(ck);
  return EVS_OK;
}

/* Flushes the directory of path to disk (a rename in it): best effort,
 * some file systems refuse it. */
static void sync_dir(const char *path) {
  char *dir = strdup(path);
  if (!dir) return;
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  int dfd = open(slash ? (*dir ? dir : "/") : ".",
                 O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
  free(dir);
}

int evs__ckpt_save_close(evs_ckpt *ck) {
  if (ck->f && ck->status == EVS_OK) {
    char end[8];
    uint64_t len = ck->len;
    uint32_t crc = ck->crc;
    memcpy(end, MAGIC_END, 8);
    if (fwrite(end, 1, 8, ck->f) != 8 || fwrite(&len, 8, 1, ck->f) != 1 ||
        fwrite(&crc, 4, 1, ck->f) != 1 || fflush(ck->f) != 0 ||
        fsync(fileno(ck->f)) != 0)
      fail(ck, EVS_EIO, "%s: %s", ck->tmp, strerror(errno));
  }
  if (ck->f && fclose(ck->f) != 0 && ck->status == EVS_OK)
    fail(ck, EVS_EIO, "%s: %s", ck->tmp, strerror(errno));
  ck->f = NULL;
  if (ck->status == EVS_OK && ck->tmp && !ck->keep_tmp &&
      rename(ck->tmp, ck->path) != 0)
    fail(ck, EVS_EIO, "%s: %s", ck->path, strerror(errno));
  if (ck->status != EVS_OK && ck->tmp) unlink(ck->tmp);
  if (ck->status == EVS_OK && !ck->keep_tmp) sync_dir(ck->path);
  free(ck->path);
  free(ck->tmp);
  ck->path = ck->tmp = NULL;
  return ck->status;
}

int evs__ckpt_commit(const char *path, evs_error *err) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 5);
  if (!tmp) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  snprintf(tmp, n + 5, "%s.tmp", path);
  int rc = EVS_OK;
  if (rename(tmp, path) != 0) {
    rc = evs_error_set(err, EVS_EIO, NULL, 0, "%s: %s", path, strerror(errno));
    unlink(tmp);
  } else {
    sync_dir(path);
  }
  free(tmp);
  return rc;
}

void evs__ckpt_discard(const char *path) {
  size_t n = strlen(path);
  char *tmp = malloc(n + 5);
  if (!tmp) return;
  snprintf(tmp, n + 5, "%s.tmp", path);
  unlink(tmp);
  free(tmp);
}

#define RANKS_LABEL "ranks"

int evs__ckpt_ranks(evs_ckpt *ck, uint32_t *nranks, uint32_t *rank) {
  if (!ck->loading) {
    evs_ckpt_label(ck, RANKS_LABEL);
    evs_ckpt_bytes(ck, nranks, sizeof *nranks);
    return evs_ckpt_bytes(ck, rank, sizeof *rank);
  }
  *nranks = 1;
  *rank = 0;
  if (ck->status) return ck->status;
  /* a checkpoint of one process goes on with its outputs' label, whose
   * length differs */
  off_t at = ftello(ck->f);
  uint64_t len = ck->len, m = 0;
  char got[sizeof RANKS_LABEL - 1];
  if (at < 0) return fail(ck, EVS_EIO, "%s: %s", ck->path, strerror(errno));
  if (ck->body - ck->len >= sizeof m + sizeof got && !length(ck, &m) &&
      m == sizeof got && !evs_ckpt_bytes(ck, got, sizeof got) &&
      !memcmp(got, RANKS_LABEL, sizeof got)) {
    evs_ckpt_bytes(ck, nranks, sizeof *nranks);
    evs_ckpt_bytes(ck, rank, sizeof *rank);
    if (!ck->status && (*nranks < 2 || *rank >= *nranks))
      fail(ck, EVS_EINVAL, "%s: a corrupt checkpoint (its ranks)", ck->path);
    return ck->status;
  }
  if (ck->status) return ck->status;
  if (fseeko(ck->f, at, SEEK_SET) != 0)
    return fail(ck, EVS_EIO, "%s: %s", ck->path, strerror(errno));
  ck->len = len;
  return EVS_OK;
}

/* ---- reading ------------------------------------------------------------- */

/* Checks the trailer of the open file ck->f of size bytes and the CRC-32
 * of everything before it; sets ck->body. */
static int check_whole(evs_ckpt *ck, uint64_t size) {
  unsigned char t[TRAILER];
  if (size < TRAILER + 8 || fseeko(ck->f, (off_t)(size - TRAILER), SEEK_SET) ||
      fread(t, 1, TRAILER, ck->f) != TRAILER) {
    char magic[8];
    rewind(ck->f);
    if (fread(magic, 1, 8, ck->f) == 8 && !memcmp(magic, MAGIC, 8))
      return fail(ck, EVS_EINVAL, "%s: a truncated checkpoint", ck->path);
    return fail(ck, EVS_EINVAL, "%s: not an evsnn checkpoint", ck->path);
  }
  uint64_t len;
  uint32_t crc;
  memcpy(&len, t + 8, 8);
  memcpy(&crc, t + 16, 4);
  if (memcmp(t, MAGIC_END, 8) != 0 || len != size - TRAILER) {
    char magic[8];
    rewind(ck->f);
    if (fread(magic, 1, 8, ck->f) == 8 && !memcmp(magic, MAGIC, 8))
      return fail(ck, EVS_EINVAL,
                  "%s: a truncated checkpoint (no trailer where the file "
                  "ends)",
                  ck->path);
    return fail(ck, EVS_EINVAL, "%s: not an evsnn checkpoint", ck->path);
  }
  rewind(ck->f);
  uint32_t c = (uint32_t)crc32(0L, Z_NULL, 0);
  static unsigned char buf[1 << 16];
  for (uint64_t left = len; left > 0;) {
    size_t m = left > sizeof buf ? sizeof buf : (size_t)left;
    if (fread(buf, 1, m, ck->f) != m)
      return fail(ck, EVS_EIO, "%s: %s", ck->path, strerror(errno));
    c = (uint32_t)crc32(c, buf, (uInt)m);
    left -= m;
  }
  if (c != crc)
    return fail(ck, EVS_EINVAL,
                "%s: a corrupt checkpoint (CRC-32 %08x, the file says %08x)",
                ck->path, (unsigned)c, (unsigned)crc);
  rewind(ck->f);
  ck->body = len;
  return EVS_OK;
}

int evs__ckpt_load_open(evs_ckpt *ck, const char *path,
                        evs_checkpoint_info *info, evs_error *err) {
  memset(ck, 0, sizeof *ck);
  memset(info, 0, sizeof *info);
  ck->err = err;
  ck->loading = 1;
  if (!(ck->path = strdup(path)))
    return fail(ck, EVS_ENOMEM, "out of memory reading a checkpoint");
  struct stat st;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail(ck, EVS_EIO, "%s: %s", path, strerror(errno));
    return evs__ckpt_load_close(ck);
  }
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    fail(ck, EVS_EINVAL, "%s: not a regular file", path);
    close(fd);
    return evs__ckpt_load_close(ck);
  }
  if (!(ck->f = fdopen(fd, "r"))) {
    close(fd);
    fail(ck, EVS_EIO, "%s: %s", path, strerror(errno));
    return evs__ckpt_load_close(ck);
  }
  if (check_whole(ck, (uint64_t)st.st_size) || header(ck, info)) {
    free(info->meta);
    info->meta = NULL;
    return evs__ckpt_load_close(ck);
  }
  return EVS_OK;
}

int evs__ckpt_load_close(evs_ckpt *ck) {
  if (ck->status == EVS_OK && ck->len != ck->body)
    fail(ck, EVS_EINVAL,
         "%s: the checkpoint holds more state than this model has (it "
         "belongs to another model)",
         ck->path);
  if (ck->f) fclose(ck->f);
  ck->f = NULL;
  free(ck->path);
  ck->path = NULL;
  return ck->status;
}

EVS_API int evs_checkpoint_info_read(const char *path,
                                     evs_checkpoint_info *info,
                                     evs_error *err) {
  evs_ckpt ck;
  int rc = evs__ckpt_load_open(&ck, path, info, err);
  if (rc) return rc;
  ck.body = ck.len; /* the state is not read here */
  return evs__ckpt_load_close(&ck);
}
