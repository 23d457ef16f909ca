/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Tests of the output module (src/io/output.c): file names and formats, the
 * NAME.part protocol, failure reporting on a full disk, abort, progress. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "io/output.h"
#include "check_util.h"

/* The raster line formatter (output.c, test hook). */
size_t evs__output_format_spike(char *s, double t, uint32_t id);

static char tmpdir[256];

static void setup(void) { tu_mkdtemp(tmpdir, sizeof tmpdir, "check_output"); }

static void teardown(void) { tu_rm_rf(tmpdir); }

static int exists(const char *dir, const char *name) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  struct stat st;
  return lstat(p, &st) == 0;
}

/* Number of entries in a folder (without . and ..), or -1. */
static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
  closedir(d);
  return n;
}

/* Reads a whole file into a malloc'd string. */
static char *slurp(const char *dir, const char *name) {
  char p[1024];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *s = malloc(cap);
  size_t k;
  while ((k = fread(s + n, 1, cap - n - 1, f)) > 0) {
    n += k;
    if (cap - n < 2) s = realloc(s, cap *= 2);
  }
  fclose(f);
  s[n] = '\0';
  return s;
}

/* The last non-empty line of s, copied into out. */
static void last_line(const char *s, char *out, size_t len) {
  size_t n = strlen(s);
  while (n && s[n - 1] == '\n') n--;
  size_t b = n;
  while (b && s[b - 1] != '\n') b--;
  snprintf(out, len, "%.*s", (int)(n - b), s + b);
}

/* ---- raster line format ------------------------------------------------ */

/* The fast formatter must agree byte for byte with printf's correctly
 * rounded "%.9f %u\n", including values next to rounding ties. */
START_TEST(test_format_matches_printf) {
  uint64_t x = 88172645463325252ull; /* xorshift64 */
  char a[64], b[64];
  for (int i = 0; i < 300000; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    double u = (double)(x >> 11) * 0x1p-53;
    double t;
    switch (i % 4) {
    case 0: t = u * 10.0; break; /* typical */
    case 1: /* a few ulps from a rounding tie of the last digit */
      t = ((double)(x % 1000000000000ull) + 0.5) * 1e-9;
      for (int j = 0; j < (int)((x >> 60) % 5); j++)
        t = nextafter(t, (x >> 40) & 1 ? 1e9 : 0);
      break;
    case 2: t = (double)(x % 1000000) * 1e-4; break; /* grid times */
    default: t = u * 1e7; break;                     /* long runs */
    }
    uint32_t id = (uint32_t)(x >> 7);
    size_t n = evs__output_format_spike(a, t, id);
    int m = snprintf(b, sizeof b, "%.9f %u\n", t, (unsigned)id);
    ck_assert_int_eq((int)n, m);
    a[n] = '\0';
    ck_assert_str_eq(a, b);
  }
  size_t n = evs__output_format_spike(a, 0.0, 0);
  a[n] = '\0';
  ck_assert_str_eq(a, "0.000000000 0\n");
  n = evs__output_format_spike(a, 1.5, 4294967295u);
  a[n] = '\0';
  ck_assert_str_eq(a, "1.500000000 4294967295\n");
}
END_TEST

/* ---- a whole run's output ---------------------------------------------- */

START_TEST(test_full_cycle) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/a/b/run", tmpdir); /* parents created */
  evs_output *o = NULL;
  evs_error err;
  ck_assert_int_eq(evs__output_open(&o, dir, "mymodel", 12345, &err), EVS_OK);
  ck_assert_ptr_nonnull(o);

  int hr = evs__output_raster_open(o, "E", 100, &err);
  ck_assert_int_ge(hr, 0);
  enum { NS = 5000 };
  static evs_spike spk[NS];
  for (int i = 0; i < NS; i++) {
    spk[i].t = 2.0 * i / NS + 1e-10 * (i % 7);
    spk[i].id = (uint32_t)((i * 37) % 100);
  }
  evs__output_raster_write(o, hr, spk, 1000);
  evs__output_raster_write(o, hr, spk + 1000, NS - 1000);

  uint32_t ids[2] = {3, 7};
  int hp = evs__output_probe_open(o, "v", "E", ids, 2, &err);
  ck_assert_int_ge(hp, 0);
  ck_assert_int_ne(hp, hr);
  for (int k = 0; k < 10; k++) {
    double v[2] = {-0.065 + 1e-3 * k, -0.07 - 1e-4 * k};
    evs__output_probe_row(o, hp, 1e-3 * k, v, 2);
  }
  evs__output_log(o, "note %d", 42);

  evs_pop_info info[2] = {{"E", "IF_curr_exp", 100, NS},
                          {"in", "SpikeSourcePoisson", 30, 0}};
  evs__output_summary(o, info, 2, 2.0);

  /* Before close nothing carries its final name. */
  ck_assert(!exists(dir, "E.ras"));
  ck_assert(!exists(dir, "run.log"));
  ck_assert(exists(dir, "E.ras.part"));

  ck_assert_int_eq(evs__output_close(o, 2.0, NULL, &err), EVS_OK);
  ck_assert_int_eq(count_entries(dir), 4); /* E.ras v_E.tsv summary run.log */
  ck_assert(exists(dir, "E.ras") && exists(dir, "v_E.tsv"));
  ck_assert(exists(dir, "summary.tsv") && exists(dir, "run.log"));

  /* Raster: # header naming model, population, size, units; then spikes
   * that read back to within the 0.5 ns of "%.9f". */
  char *r = slurp(dir, "E.ras");
  ck_assert_ptr_nonnull(r);
  char *save = NULL, *line = strtok_r(r, "\n", &save);
  int header = 0, k = 0, has_model = 0, has_pop = 0, has_size = 0, units = 0;
  for (; line; line = strtok_r(NULL, "\n", &save)) {
    if (line[0] == '#') {
      ck_assert_int_eq(k, 0); /* headers come first */
      header++;
      has_model |= strstr(line, "mymodel") != NULL;
      has_pop |= strstr(line, "population: E") != NULL;
      has_size |= strstr(line, "100") != NULL;
      units |= strstr(line, "time [s] id") != NULL;
      continue;
    }
    double t;
    unsigned id;
    char extra;
    ck_assert_int_eq(sscanf(line, "%lf %u%c", &t, &id, &extra), 2);
    ck_assert_int_lt(k, NS);
    ck_assert(fabs(t - spk[k].t) <= 0.5e-9 + 1e-15);
    ck_assert_uint_eq(id, spk[k].id);
    k++;
  }
  ck_assert_int_eq(k, NS);
  ck_assert(header >= 4 && has_model && has_pop && has_size && units);
  free(r);

  /* Probe: "time\tv3\tv7" then rows. */
  char *p = slurp(dir, "v_E.tsv");
  ck_assert(strncmp(p, "time\tv3\tv7\n", 11) == 0);
  char *row = p + 11;
  for (int i = 0; i < 10; i++) {
    double t, v0, v1;
    int used = 0;
    ck_assert_int_eq(sscanf(row, "%lf\t%lf\t%lf\n%n", &t, &v0, &v1, &used), 3);
    ck_assert(fabs(t - 1e-3 * i) < 1e-12);
    ck_assert(fabs(v0 - (-0.065 + 1e-3 * i)) < 1e-12);
    ck_assert(fabs(v1 - (-0.07 - 1e-4 * i)) < 1e-12);
    row += used;
  }
  ck_assert_int_eq(*row, '\0');
  free(p);

  /* Summary: rate = spikes / neurons / duration = 5000 / 100 / 2 = 25 Hz. */
  char *s = slurp(dir, "summary.tsv");
  char name[64];
  unsigned nn;
  unsigned long long ns;
  double rate;
  ck_assert(strncmp(s, "population\tneurons\tspikes\trate_hz\n", 34) == 0);
  ck_assert_int_eq(
      sscanf(s + 34, "%63[^\t]\t%u\t%llu\t%lf", name, &nn, &ns, &rate), 4);
  ck_assert_str_eq(name, "E");
  ck_assert_uint_eq(nn, 100);
  ck_assert_uint_eq(ns, NS);
  ck_assert(fabs(rate - 25.0) < 1e-9);
  free(s);

  /* run.log: model, seed and date first; the note; the completion last. */
  char *lg = slurp(dir, "run.log");
  ck_assert_ptr_nonnull(strstr(lg, "mymodel"));
  ck_assert_ptr_nonnull(strstr(lg, "12345"));
  char year[8];
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  strftime(year, sizeof year, "%Y", &tm);
  ck_assert_ptr_nonnull(strstr(lg, year));
  ck_assert_ptr_nonnull(strstr(lg, "note 42\n"));
  ck_assert(strstr(lg, "mymodel") < strstr(lg, "note 42"));
  char last[256];
  last_line(lg, last, sizeof last);
  ck_assert_str_eq(last, "completed at t = 2 s");
  free(lg);
}
END_TEST

/* An external file (written by another library, as spikes.h5): its part
 * file is renamed at close after its closer ran with abort 0, deleted
 * after its closer ran with abort 1 when the output is discarded, and a
 * closer's failure makes the close fail naming the file. */
typedef struct ext {
  const char *part;
  int calls, abort, fail;
} ext;

static int ext_close(void *ctx, int abort) {
  ext *e = ctx;
  e->calls++;
  e->abort = abort;
  if (!abort) {
    FILE *f = fopen(e->part, "w");
    if (!f) return errno;
    fputs("data\n", f);
    if (fclose(f)) return errno;
  }
  return e->fail;
}

START_TEST(test_external_file) {
  for (int mode = 0; mode < 3; mode++) { /* close, abort, failing closer */
    char dir[512];
    snprintf(dir, sizeof dir, "%s/ext%d", tmpdir, mode);
    evs_output *o = NULL;
    evs_error err;
    ext e = {.fail = mode == 2 ? ENOSPC : 0};
    evs_output_closer c = {ext_close, &e};
    ck_assert_int_eq(evs__output_open(&o, dir, "m", 1, &err), EVS_OK);
    /* a stale part of a run that died goes first */
    char stale[600];
    snprintf(stale, sizeof stale, "%s/x.h5.part", dir);
    FILE *f = fopen(stale, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    int h = evs__output_external_open(o, "x.h5", &c, &e.part, &err);
    ck_assert_int_ge(h, 0);
    ck_assert_str_eq(e.part, stale);
    ck_assert(!exists(dir, "x.h5.part"));
    if (mode == 1) {
      f = fopen(e.part, "w"); /* the writer created it */
      ck_assert_ptr_nonnull(f);
      fclose(f);
      evs__output_abort(o);
      ck_assert_int_eq(e.calls, 1);
      ck_assert_int_eq(e.abort, 1);
      ck_assert(!exists(dir, "x.h5.part") && !exists(dir, "x.h5"));
      continue;
    }
    int rc = evs__output_close(o, 1.0, NULL, &err);
    ck_assert_int_eq(e.calls, 1);
    ck_assert_int_eq(e.abort, 0);
    if (mode == 0) {
      ck_assert_int_eq(rc, EVS_OK);
      ck_assert(exists(dir, "x.h5") && !exists(dir, "x.h5.part"));
      char *log = slurp(dir, "run.log");
      ck_assert_ptr_nonnull(strstr(log, "output: x.h5\n"));
      free(log);
    } else {
      ck_assert_int_eq(rc, EVS_EIO);
      ck_assert_ptr_nonnull(strstr(err.msg, "x.h5"));
      ck_assert(!exists(dir, "x.h5") && !exists(dir, "x.h5.part"));
    }
  }
}
END_TEST

START_TEST(test_stopped_reason) {
  evs_output *o = NULL;
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, NULL), EVS_OK);
  ck_assert_int_eq(evs__output_close(o, 1.25, "interrupted", NULL), EVS_OK);
  char *lg = slurp(tmpdir, "run.log");
  char last[256];
  last_line(lg, last, sizeof last);
  ck_assert_str_eq(last, "stopped at t = 1.25 s: interrupted");
  free(lg);
  ck_assert_int_eq(count_entries(tmpdir), 1);
}
END_TEST

/* ---- abort and failures ------------------------------------------------- */

START_TEST(test_abort_removes_everything) {
  char dir[512];
  snprintf(dir, sizeof dir, "%s/new/run", tmpdir);
  evs_output *o = NULL;
  ck_assert_int_eq(evs__output_open(&o, dir, "m", 1, NULL), EVS_OK);
  int h = evs__output_raster_open(o, "E", 4, NULL);
  evs_spike s = {0.5, 1};
  evs__output_raster_write(o, h, &s, 1);
  uint32_t id = 0;
  ck_assert_int_ge(evs__output_probe_open(o, "v", "E", &id, 1, NULL), 0);
  ck_assert_int_eq(count_entries(dir), 3);
  evs__output_abort(o);
  /* The folders it created are gone too; the pre-existing one stays. */
  ck_assert(!exists(tmpdir, "new"));
  ck_assert_int_eq(count_entries(tmpdir), 0);

  /* A folder that existed keeps its other files. */
  FILE *f = fopen(strcat(strcpy(dir, tmpdir), "/keep.txt"), "w");
  fputs("x\n", f);
  fclose(f);
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, NULL), EVS_OK);
  evs__output_abort(o);
  ck_assert_int_eq(count_entries(tmpdir), 1);
  ck_assert(exists(tmpdir, "keep.txt"));
}
END_TEST

/* The part file whose writes fail with ENOSPC (make_full), and the
 * library's own way of creating part files. */
static char full_part[1024];
static FILE *(*library_create)(const char *part);

/* Opens /dev/full for the part file full_part (a full disk), others as
 * the library does. */
static FILE *create_full(const char *part) {
  if (!strcmp(part, full_part)) return fopen("/dev/full", "w");
  return library_create(part);
}

/* Makes every write to dir/name fail with ENOSPC. (A link to /dev/full
 * planted at the part's name no longer works: part files are created
 * exclusively and never through a link, see test_planted_link.) */
static void make_full(const char *dir, const char *name) {
  snprintf(full_part, sizeof full_part, "%s/%s", dir, name);
  if (!library_create) library_create = evs__output_create_part;
  evs__output_create_part = create_full;
}

/* A link planted at a part file's name (issue 15: another file was
 * overwritten with raster data) is removed, not followed; the file gets
 * its own inode and the link's target stays as it was. */
START_TEST(test_planted_link) {
  char victim[1024], part[1024];
  snprintf(victim, sizeof victim, "%s.victim", tmpdir);
  snprintf(part, sizeof part, "%s/E.ras.part", tmpdir);
  FILE *v = fopen(victim, "w");
  ck_assert_ptr_nonnull(v);
  fputs("precious\n", v);
  fclose(v);
  ck_assert_int_eq(symlink(victim, part), 0);
  evs_output *o = NULL;
  evs_error err;
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, &err), EVS_OK);
  int h = evs__output_raster_open(o, "E", 4, &err);
  ck_assert_int_ge(h, 0);
  evs_spike sp[1] = {{0.1, 0}};
  evs__output_raster_write(o, h, sp, 1);
  ck_assert_int_eq(evs__output_close(o, 1.0, NULL, &err), EVS_OK);
  char buf[64] = "";
  v = fopen(victim, "r");
  ck_assert_ptr_nonnull(v);
  ck_assert_ptr_nonnull(fgets(buf, sizeof buf, v));
  fclose(v);
  unlink(victim);
  ck_assert_str_eq(buf, "precious\n");
  struct stat st;
  snprintf(part, sizeof part, "%s/E.ras", tmpdir);
  ck_assert_int_eq(lstat(part, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
}
END_TEST

/* A few spikes stay in the stdio buffer: the failure shows only at the
 * flush in close, which must report it. */
START_TEST(test_full_disk_at_flush) {
  make_full(tmpdir, "E.ras.part");
  evs_output *o = NULL;
  evs_error err;
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, &err), EVS_OK);
  int h = evs__output_raster_open(o, "E", 4, &err);
  ck_assert_int_ge(h, 0);
  evs_spike s[3] = {{0.1, 0}, {0.2, 1}, {0.3, 2}};
  evs__output_raster_write(o, h, s, 3);
  evs_pop_info info = {"E", "IF_curr_exp", 4, 3};
  evs__output_summary(o, &info, 1, 1.0);
  ck_assert_int_eq(evs__output_close(o, 1.0, NULL, &err), EVS_EIO);
  ck_assert_int_eq(err.code, EVS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "E.ras"));
  ck_assert_ptr_nonnull(strstr(err.msg, strerror(ENOSPC)));
  /* Nothing that looks complete (or partial) is left. */
  ck_assert(!exists(tmpdir, "E.ras"));
  ck_assert(!exists(tmpdir, "summary.tsv"));
  ck_assert(!exists(tmpdir, "run.log"));
  ck_assert(!exists(tmpdir, "run.log.part"));
  ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

/* Many spikes: the failure happens while writing (buffer flushes). */
START_TEST(test_full_disk_while_writing) {
  make_full(tmpdir, "I.ras.part");
  evs_output *o = NULL;
  evs_error err;
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, &err), EVS_OK);
  int he = evs__output_raster_open(o, "E", 10, &err);
  int hi = evs__output_raster_open(o, "I", 10, &err);
  ck_assert(he >= 0 && hi >= 0);
  static evs_spike s[200000];
  for (int i = 0; i < 200000; i++)
    s[i] = (evs_spike){i * 1e-5, (uint32_t)(i % 10)};
  evs__output_raster_write(o, he, s, 1000);
  evs__output_raster_write(o, hi, s, 200000); /* > 1 MiB: flushes mid-way */
  ck_assert_int_eq(evs__output_close(o, 2.0, NULL, &err), EVS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "I.ras"));
  ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

/* A file-size limit (like a quota): writes fail with EFBIG part-way. */
START_TEST(test_file_size_limit) {
  signal(SIGXFSZ, SIG_IGN);
  struct rlimit old, lim;
  getrlimit(RLIMIT_FSIZE, &old);
  lim = old;
  lim.rlim_cur = 100000; /* bytes */
  ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
  evs_output *o = NULL;
  evs_error err;
  int rc = evs__output_open(&o, tmpdir, "m", 1, &err);
  int h = evs__output_raster_open(o, "big", 10, &err);
  static evs_spike s[50000];
  for (int i = 0; i < 50000; i++)
    s[i] = (evs_spike){i * 1e-4, (uint32_t)(i % 10)};
  evs__output_raster_write(o, h, s, 50000); /* ~ 900 kB */
  int rc2 = evs__output_close(o, 5.0, NULL, &err);
  setrlimit(RLIMIT_FSIZE, &old);
  ck_assert_int_eq(rc, EVS_OK);
  ck_assert_int_eq(rc2, EVS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "big.ras"));
  ck_assert_int_eq(count_entries(tmpdir), 0);
}
END_TEST

START_TEST(test_open_failures) {
  evs_output *o = (evs_output *)1;
  evs_error err;
  char dir[512];
  /* A parent that is a regular file. */
  FILE *f = fopen(strcat(strcpy(dir, tmpdir), "/plain"), "w");
  fclose(f);
  strcat(dir, "/sub");
  ck_assert_int_eq(evs__output_open(&o, dir, "m", 1, &err), EVS_EIO);
  ck_assert_ptr_null(o);
  ck_assert_ptr_nonnull(strstr(err.msg, "plain"));
  /* run.log cannot be created: run.log.part is a folder. */
  snprintf(dir, sizeof dir, "%s/d", tmpdir);
  mkdir(dir, 0777);
  char p[600];
  snprintf(p, sizeof p, "%s/run.log.part", dir);
  mkdir(p, 0777);
  ck_assert_int_eq(evs__output_open(&o, dir, "m", 1, &err), EVS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "run.log"));
  ck_assert_int_eq(count_entries(dir), 1); /* only the folder we made */
  /* A raster that cannot be created. */
  snprintf(p, sizeof p, "%s/X.ras.part", tmpdir);
  mkdir(p, 0777);
  ck_assert_int_eq(evs__output_open(&o, tmpdir, "m", 1, &err), EVS_OK);
  ck_assert_int_eq(evs__output_raster_open(o, "X", 1, &err), EVS_EIO);
  ck_assert_ptr_nonnull(strstr(err.msg, "X.ras"));
  ck_assert_int_ge(evs__output_raster_open(o, "Y", 1, &err), 0);
  ck_assert_int_eq(evs__output_close(o, 1.0, NULL, &err), EVS_OK);
  ck_assert(exists(tmpdir, "Y.ras"));
}
END_TEST

/* ---- progress and stdout ------------------------------------------------ */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Progress lines go to stderr at most ~4 times a second, each starting with
 * \r, with the simulated time, the speed and an ETA; done ends the line.
 * Nothing goes to stdout, in this or any other output call. */
START_TEST(test_progress_and_no_stdout) {
  char errp[512], outp[512];
  snprintf(errp, sizeof errp, "%s/stderr", tmpdir);
  snprintf(outp, sizeof outp, "%s/stdout", tmpdir);
  fflush(stdout);
  fflush(stderr);
  int save_err = dup(2), save_out = dup(1);
  int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fe, 2);
  dup2(fo, 1);

  double t0 = now_s(), el;
  long calls = 0;
  while ((el = now_s() - t0) < 1.1) {
    evs__progress(el * 0.5, 10.0); /* simulating at half real time */
    calls++;
  }
  evs__progress_done();

  char dir[512];
  snprintf(dir, sizeof dir, "%s/run", tmpdir);
  evs_output *o = NULL;
  evs__output_open(&o, dir, "m", 1, NULL);
  int h = evs__output_raster_open(o, "E", 1, NULL);
  evs_spike s = {0.1, 0};
  evs__output_raster_write(o, h, &s, 1);
  evs__output_log(o, "x");
  evs__output_close(o, 1.0, NULL, NULL);

  fflush(stdout);
  fflush(stderr);
  dup2(save_err, 2);
  dup2(save_out, 1);
  close(fe);
  close(fo);

  char *out = slurp(tmpdir, "stdout");
  ck_assert_str_eq(out, "");
  free(out);
  char *e = slurp(tmpdir, "stderr");
  int updates = 0;
  for (char *q = e; (q = strstr(q, "\r  t = ")); q++) updates++;
  /* 1.1 s of calls at <= 4 per second, plus the final line of done. */
  ck_assert_int_ge(updates, 2);
  ck_assert_int_le(updates, 6);
  ck_assert(calls > 5000);
  ck_assert_ptr_nonnull(strstr(e, "/ 10.00 s"));
  ck_assert_ptr_nonnull(strstr(e, "x slower than real time"));
  ck_assert_ptr_null(strstr(e, "faster"));
  ck_assert_ptr_nonnull(strstr(e, "ETA"));
  /* The speed is about 0.5 simulated s a second: printed 2x slower. */
  char *sp = strstr(e, "s  (");
  ck_assert_ptr_nonnull(sp);
  double slower = atof(sp + 4);
  ck_assert(slower > 1.67 && slower < 2.5);
  ck_assert_int_eq(e[strlen(e) - 1], '\n');
  free(e);
}
END_TEST

/* A caller that calls rarely (every 10 ms of simulated time on a slow run)
 * still gets updates: the clock is read often enough. */
START_TEST(test_progress_slow_caller) {
  char errp[512];
  snprintf(errp, sizeof errp, "%s/stderr", tmpdir);
  fflush(stderr);
  int save_err = dup(2);
  int fe = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(fe, 2);
  struct timespec ts = {0, 20000000}; /* 20 ms */
  double t0 = now_s();
  for (int i = 0; i < 50; i++) { /* >= 1 s of wall time, 50 calls */
    evs__progress(0.01 * i, 1.0);
    nanosleep(&ts, NULL);
  }
  double elapsed = now_s() - t0; /* more than 1 s on a loaded machine */
  evs__progress_done();
  fflush(stderr);
  dup2(save_err, 2);
  close(fe);
  char *e = slurp(tmpdir, "stderr");
  int updates = 0;
  for (char *q = e; (q = strstr(q, "\r  t = ")); q++) updates++;
  /* at least 3 (~4 in 1 s, plus done's); at most one a quarter second of
   * the time the calls took, plus the first and done's */
  ck_assert_int_ge(updates, 3);
  ck_assert_int_le(updates, (int)(elapsed / 0.25) + 2);
  free(e);
}
END_TEST

static Suite *output_suite(void) {
  Suite *s = suite_create("output");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_set_timeout(tc, 30);
  tcase_add_test(tc, test_format_matches_printf);
  tcase_add_test(tc, test_full_cycle);
  tcase_add_test(tc, test_external_file);
  tcase_add_test(tc, test_stopped_reason);
  tcase_add_test(tc, test_abort_removes_everything);
  tcase_add_test(tc, test_planted_link);
  tcase_add_test(tc, test_full_disk_at_flush);
  tcase_add_test(tc, test_full_disk_while_writing);
  tcase_add_test(tc, test_file_size_limit);
  tcase_add_test(tc, test_open_failures);
  tcase_add_test(tc, test_progress_and_no_stdout);
  tcase_add_test(tc, test_progress_slow_caller);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(output_suite()); }
