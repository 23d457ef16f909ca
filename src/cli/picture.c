/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn picture — a black-and-white picture (PBM, plain P1 or raw P4) as a
 * target spike raster for SuperSpike (doc/validation.md S4): pixel row r is
 * output neuron r, column c is the time bin [c bin, (c+1) bin), and every black
 * pixel is one spike at a uniformly jittered time inside its bin, drawn
 * from the Philox stream (seed, 0, row, EVS_RNG_PATTERN). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "args.h"
#include "picture.h"

const char evs_cli_usage_picture[] =
    "Usage: evsnn picture PICTURE.pbm OUT.ras [--bin TIME] [--seed N]\n"
    "\n"
    "Turns a black-and-white picture (PBM: plain P1 or raw P4) into a target\n"
    "spike raster: pixel row r is neuron r, column c the time bin\n"
    "[c bin, (c+1) bin), and each black pixel one spike at a uniformly\n"
    "jittered time inside its bin. The trial length to use is\n"
    "columns x bin; the raster has one neuron per row.\n"
    "\n"
    "      --bin=TIME          width of a column (default 10 ms)\n"
    "      --seed=N            seed of the jitter (default 1)\n"
    "  -h, --help              show this help\n";

/* Next header token of a PBM (skips blanks and # comments); -1 at EOF. */
static int pbm_int(FILE *f, long *out) {
  int ch;
  for (;;) {
    ch = fgetc(f);
    if (ch == '#')
      while (ch != '\n' && ch != EOF) ch = fgetc(f);
    if (ch == EOF) return -1;
    if (!isspace(ch)) break;
  }
  if (!isdigit(ch)) return -1;
  long v = 0;
  while (isdigit(ch)) {
    if (v > 1000000) return -1;
    v = 10 * v + (ch - '0');
    ch = fgetc(f);
  }
  *out = v; /* the single blank after the last header value is consumed */
  return 0;
}

/* Reads the picture into *pix (w*h bytes, 1 = black). Returns 0 or -1 with
 * a message in why. Memory: at most twice the pixels the file holds (plus
 * a row), whatever its header says. */
static int pbm_read(const char *path, unsigned char **pix, long *w, long *h,
                    const char **why) {
  FILE *f = fopen(path, "rb");
  *pix = NULL;
  if (!f) {
    *why = strerror(errno);
    return -1;
  }
  char magic[2];
  int raw = 0, rc = -1;
  if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' ||
      (magic[1] != '1' && magic[1] != '4')) {
    *why = "not a PBM picture (expected P1 or P4)";
    goto done;
  }
  raw = magic[1] == '4';
  if (pbm_int(f, w) || pbm_int(f, h) || *w < 1 || *h < 1) {
    *why = "bad PBM header (width and height)";
    goto done;
  }
  /* The pixels grow a row at a time, doubling, so memory follows what the
   * file holds: a header is only a claim (a 45-byte file that said
   * 7777771 x 7777 asked for 60 GB before its first pixel). */
  size_t cap = 0;
  for (long r = 0; r < *h; r++) {
    size_t need = (size_t)(r + 1) * (size_t)*w;
    if (need > cap) {
      size_t all = (size_t)*w * (size_t)*h, ncap = 2 * cap;
      if (ncap < need) ncap = need;
      if (ncap > all) ncap = all;
      unsigned char *p = realloc(*pix, ncap);
      if (!p) {
        *why = "out of memory";
        goto done;
      }
      *pix = p;
      cap = ncap;
    }
    if (raw) {
      for (long b = 0; b < (*w + 7) / 8; b++) {
        int byte = fgetc(f);
        if (byte == EOF) goto truncated;
        for (int k = 0; k < 8 && 8 * b + k < *w; k++)
          (*pix)[r * *w + 8 * b + k] = (byte >> (7 - k)) & 1;
      }
    } else {
      for (long c = 0; c < *w; c++) {
        int ch;
        do {
          ch = fgetc(f);
          if (ch == '#')
            while (ch != '\n' && ch != EOF) ch = fgetc(f);
        } while (ch != EOF && isspace(ch));
        if (ch != '0' && ch != '1') goto truncated;
        (*pix)[r * *w + c] = ch == '1';
      }
    }
  }
  rc = 0;
  goto done;
truncated:
  *why = "the pixel data ends early or holds something other than 0 and 1";
done:
  fclose(f);
  if (rc) {
    free(*pix);
    *pix = NULL;
  }
  return rc;
}

typedef struct spike {
  double t;
  unsigned id;
} spike;

static int by_time(const void *a, const void *b) {
  const spike *x = a, *y = b;
  if (x->t != y->t) return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Creates path exclusively (never through a symbolic link; a name already
 * there, a stale part, is removed once and the creation tried again), for
 * writing. Returns the stream, or NULL with errno set. */
static FILE *create_exclusive(const char *path) {
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = open(path, flags, 0666);
  if (fd < 0 && errno == EEXIST && unlink(path) == 0)
    fd = open(path, flags, 0666);
  if (fd < 0) return NULL;
  FILE *f = fdopen(fd, "w");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(path);
    errno = e;
  }
  return f;
}

/* Writes the n spikes s (sorted) of the picture in (w x h pixels, columns of
 * bin s) as a raster at out, through out.part, created as the run's outputs
 * are (create_exclusive) and renamed to out once complete: a failed write
 * leaves nothing, and out is replaced as a name, never written through a
 * link. Returns 0, or 1 after printing the error. */
static int write_raster(const char *out, const char *in, long w, long h,
                        double bin, const spike *s, size_t n) {
  size_t len = strlen(out) + sizeof ".part";
  char *part = malloc(len);
  if (!part) {
    fprintf(stderr, "evsnn: out of memory\n");
    return 1;
  }
  snprintf(part, len, "%s.part", out);
  errno = 0;
  FILE *f = create_exclusive(part);
  int e = f ? 0 : (errno ? errno : EIO);
  const char *name = part; /* the file an error is about */
  if (f) {
    fprintf(f,
            "# evsnn picture: %s, %ld x %ld pixels, bin %g s: trial %.9g s,"
            " %ld neurons\n# time [s] id\n",
            in, w, h, bin, (double)w * bin, h);
    for (size_t k = 0; k < n && !ferror(f); k++)
      fprintf(f, "%.9f %u\n", s[k].t, s[k].id);
    if (fflush(f) != 0 || ferror(f)) e = errno ? errno : EIO;
    if (fclose(f) != 0 && !e) e = errno ? errno : EIO;
    if (!e && rename(part, out) != 0) {
      e = errno ? errno : EIO;
      name = out;
    }
    if (e) unlink(part);
  }
  if (e) fprintf(stderr, "evsnn: %s: %s\n", name, strerror(e));
  free(part);
  return e ? 1 : 0;
}

int evs_cli_picture(int argc, char **argv) {
  static const struct option lo[] = {{"bin", required_argument, NULL, 'b'},
                                     {"seed", required_argument, NULL, 's'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  const char *in = NULL, *out = NULL, *usage = evs_cli_usage_picture;
  double bin = 10e-3;
  uint64_t seed = 1;
  int o;
  evs_cli_getopt_reset();
  while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
    const char *v = optarg;
    char why[128];
    char *end;
    switch (o) {
    case 'h': fputs(usage, stdout); return 0;
    case 'b':
      if (evs_unit_parse(v, EVS_DIM_TIME, &bin, why, sizeof why) || !(bin > 0))
        return evs_cli_usage_error("picture", usage,
                                   "--bin %s: expected a time > 0", v);
      break;
    case 's': {
      errno = 0;
      unsigned long long s = strtoull(v, &end, 10);
      if (errno || *end || end == v || *v == '-')
        return evs_cli_usage_error("picture", usage,
                                   "--seed %s: expected an integer", v);
      seed = s;
      break;
    }
    default: return evs_cli_bad_option(o, argv, lo, "picture", usage);
    }
  }
  if (optind < argc) in = argv[optind++];
  if (optind < argc) out = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error("picture", usage, "unexpected argument '%s'",
                               argv[optind]);
  if (!in || !out)
    return evs_cli_usage_error("picture", usage,
                               "picture needs PICTURE.pbm and OUT.ras");
  unsigned char *pix;
  long w, h;
  const char *why = NULL;
  if (pbm_read(in, &pix, &w, &h, &why)) {
    fprintf(stderr, "evsnn: %s: %s\n", in, why);
    return 1;
  }
  size_t n = 0;
  for (long k = 0; k < w * h; k++) n += pix[k];
  spike *s = malloc((n ? n : 1) * sizeof *s);
  if (!s) {
    free(pix);
    fprintf(stderr, "evsnn: out of memory\n");
    return 1;
  }
  n = 0;
  for (long r = 0; r < h; r++) {
    evs_rng g;
    evs_rng_init(&g, seed, 0, (uint32_t)r, EVS_RNG_PATTERN);
    for (long c = 0; c < w; c++) {
      /* drawn for every pixel, so a pixel's jitter does not depend on the
       * others; kept 1e-6 of a bin away from its edges, so that the printed
       * time (ns) stays inside the bin */
      double u = 1e-6 + (1 - 2e-6) * evs_rng_uniform(&g);
      if (pix[r * w + c]) s[n++] = (spike){((double)c + u) * bin, (unsigned)r};
    }
  }
  free(pix);
  qsort(s, n, sizeof *s, by_time);
  int rc = write_raster(out, in, w, h, bin, s, n);
  free(s);
  if (rc) return 1;
  printf("%s: %zu spikes of %ld neurons over %.9g s\n", out, n, h,
         (double)w * bin);
  return 0;
}
