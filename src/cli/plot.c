/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn plot: finds the gnuplot scripts (the source tree's for a program
 * run from its build tree, else the installed ones, or $EVSNN_PLOTDIR) and
 * runs them on a run folder: rasters, rates, voltage traces, learning
 * curves. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "args.h"
#include "dirs.h"
#include "plot.h"
#include "plot_rasters.h"
#ifndef EVS_GNUPLOT
#define EVS_GNUPLOT "gnuplot"
#endif

enum { EXIT_OK = EVS_CLI_OK, EXIT_ERR = EVS_CLI_ERR };

static const char *prog = "evsnn";

const char evs_cli_usage_plot[] =
    "Usage: evsnn plot DIR [--format png|svg] [--neurons A-B] [--window "
    "T0-T1]\n"
    "\n"
    "Runs gnuplot on the scripts below to draw the run folder DIR:\n"
    "  raster.gp    DIR/raster.png, the spikes of every recorded population\n"
    "               (from its .ras, .spk or spikes.h5, as the run wrote "
    "them);\n"
    "               a large raster as a sample named in the title (at most\n"
    "               200 neurons, the first of each population, and 200,000\n"
    "               spikes in at most the first 2 s) unless --neurons or\n"
    "               --window choose\n"
    "  rates.gp     DIR/rates.png, population rates in 10 ms bins\n"
    "  voltage.gp   DIR/v_POP.png for each v_POP.tsv (record_v): membrane\n"
    "               potentials in mV, the neurons' spikes marked; and\n"
    "               DIR/VAR_POP.png for each VAR_POP.tsv (record = VAR):\n"
    "               conductances in nS, currents in pA\n"
    "  learning.gp  DIR/learning.png for a SuperSpike run: loss (1/s) and\n"
    "               accuracy per trial, burn-in shaded, first and last\n"
    "               recorded trial over the targets\n"
    "Titles name the model; png or svg images.\n"
    "\n"
    "      --format=png|svg    image format (default png)\n"
    "      --neurons=A-B       draw neurons A to B of every population\n"
    "      --window=T0-T1      draw times T0 to T1 (s, or with units:\n"
    "                          200ms-500ms) in rasters, rates and traces\n"
    "  -h, --help              show this help\n"
    "\n"
    "The scripts are read from $EVSNN_PLOTDIR if set; else, for the program\n"
    "of a build tree, from " EVS_SRC_PLOTDIR ",\n"
    "and for the installed one from " EVS_PLOTDIR ".\n";

/* Appends s to the gnuplot string literal in buf, doubling single quotes
 * (gnuplot's escape inside '...'). Returns 0, or -1 when it does not fit. */
static int gp_quote(char *buf, size_t len, const char *s) {
  size_t n = strlen(buf);
  for (; *s; s++) {
    if (n + 3 >= len) return -1;
    if (*s == '\'') buf[n++] = '\'';
    buf[n++] = *s;
  }
  buf[n] = '\0';
  return 0;
}

/* Runs gnuplot -e "dir='DIR'; fmt='FMT'EXTRA" SCRIPT (extra: more
 * "; name=value" settings, already quoted); returns its exit status or -1
 * when it could not start. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *fmt,
                       const char *extra, const char *script) {
  char expr[8192] = "dir='";
  if (gp_quote(expr, sizeof expr, dir) != 0) return -1;
  size_t n = strlen(expr);
  if ((size_t)snprintf(expr + n, sizeof expr - n, "'; fmt='%s'%s", fmt,
                       extra) >= sizeof expr - n)
    return -1;
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    execl(gnuplot, gnuplot, "-e", expr, script, (char *)NULL);
    fprintf(stderr, "%s: cannot run %s: %s\n", prog, gnuplot, strerror(errno));
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Whether this program is the uninstalled one of the build tree it was
 * built in (libtool runs it from EVS_BUILDDIR/.libs), judged by the real
 * path of /proc/self/exe; 0 where that cannot be read. */
static int running_from_build_tree(void) {
  char exe[PATH_MAX], top[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0 || !realpath(EVS_BUILDDIR, top)) return 0;
  exe[n] = '\0';
  size_t k = strlen(top);
  return strncmp(exe, top, k) == 0 && exe[k] == '/';
}

/* The folder of the gnuplot scripts: $EVSNN_PLOTDIR when set; otherwise the
 * source tree's plots/ for a program run from its build tree and the
 * installed $(pkgdatadir)/plots for an installed one, each falling back on
 * the other when it holds no raster.gp (a program copied elsewhere). */
static const char *plot_dir(void) {
  const char *env = getenv("EVSNN_PLOTDIR");
  if (env && *env) return env;
  const char *first = EVS_PLOTDIR, *second = EVS_SRC_PLOTDIR;
  if (running_from_build_tree()) {
    first = EVS_SRC_PLOTDIR;
    second = EVS_PLOTDIR;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/raster.gp", first);
  if (access(path, R_OK) == 0) return first;
  snprintf(path, sizeof path, "%s/raster.gp", second);
  return access(path, R_OK) == 0 ? second : first;
}

/* A recorded trace file <var>_<pop>.tsv. */
typedef struct trace {
  char var[64], pop[128];
} trace;

/* The traces of DIR: v_<pop>.tsv of each population of summary.tsv, then
 * each "record VAR POP: UNIT" line of run.log whose file exists; at most
 * max into t; returns how many. */
static size_t traces(const char *dir, trace *t, size_t max) {
  char path[4096], line[512];
  size_t n = 0;
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  if (fgets(line, sizeof line, f)) /* header */
    while (n < max && fgets(line, sizeof line, f)) {
      line[strcspn(line, "\t\n")] = '\0';
      snprintf(path, sizeof path, "%s/v_%s.tsv", dir, line);
      if (strlen(line) < sizeof t[n].pop && access(path, R_OK) == 0) {
        snprintf(t[n].var, sizeof t[n].var, "v");
        snprintf(t[n].pop, sizeof t[n].pop, "%s", line);
        n++;
      }
    }
  fclose(f);
  snprintf(path, sizeof path, "%s/run.log", dir);
  if (!(f = fopen(path, "r"))) return n;
  while (n < max && fgets(line, sizeof line, f)) {
    char var[64], pop[130];
    if (sscanf(line, "record %63s %129s", var, pop) != 2) continue;
    size_t k = strlen(pop);
    if (k < 2 || pop[k - 1] != ':') continue;
    pop[k - 1] = '\0';
    snprintf(path, sizeof path, "%s/%s_%s.tsv", dir, var, pop);
    if (strlen(pop) < sizeof t[n].pop && access(path, R_OK) == 0) {
      snprintf(t[n].var, sizeof t[n].var, "%s", var);
      snprintf(t[n].pop, sizeof t[n].pop, "%s", pop);
      n++;
    }
  }
  fclose(f);
  return n;
}

/* A time of --window: "<number> <unit>" or a number of seconds; *end is
 * the first character after it. -1 when there is none. */
static int window_time(const char *s, double *t, const char **end) {
  char why[64], *e;
  if (evs_unit_parse_prefix(s, EVS_DIM_TIME, t, end, why, sizeof why) == EVS_OK)
    return 0;
  *t = strtod(s, &e);
  *end = e;
  return e == s ? -1 : 0;
}

/* Parses "A-B" (or "A") into the settings of raster.gp's neuron window. */
static int parse_neurons(const char *s, char *set, size_t cap) {
  char *e;
  if (*s < '0' || *s > '9') return -1;
  unsigned long a = strtoul(s, &e, 10), b = a;
  if (*e == '-') {
    const char *s2 = e + 1;
    if (*s2 < '0' || *s2 > '9') return -1;
    b = strtoul(s2, &e, 10);
  }
  if (*e || b < a) return -1;
  snprintf(set, cap, "; nmin=%lu; nmax=%lu", a, b);
  return 0;
}

/* Parses "T0-T1" (times with units, or seconds) into tmin/tmax settings. */
static int parse_window(const char *s, char *set, size_t cap) {
  double t0, t1;
  const char *e;
  if (window_time(s, &t0, &e) || *e != '-' || window_time(e + 1, &t1, &e) ||
      *e || !(t0 >= 0) || !(t1 > t0))
    return -1;
  snprintf(set, cap, "; tmin=%.17g; tmax=%.17g", t0, t1);
  return 0;
}

int evs_cli_plot(int argc, char **argv) {
  static const struct option lo[] = {{"format", required_argument, NULL, 'f'},
                                     {"neurons", required_argument, NULL, 'n'},
                                     {"window", required_argument, NULL, 'w'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  const char *dir = NULL, *fmt = "png";
  char neurons[96] = "", window[96] = "";
  evs_cli_getopt_reset();
  int o;
  while ((o = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
    switch (o) {
    case 'h': fputs(evs_cli_usage_plot, stdout); return EXIT_OK;
    case 'f':
      fmt = optarg;
      if (strcmp(fmt, "png") && strcmp(fmt, "svg"))
        return evs_cli_usage_error("plot", evs_cli_usage_plot,
                                   "--format must be png or svg, got '%s'",
                                   fmt);
      break;
    case 'n':
      if (parse_neurons(optarg, neurons, sizeof neurons))
        return evs_cli_usage_error("plot", evs_cli_usage_plot,
                                   "--neurons '%s': expected ids A-B, A <= B",
                                   optarg);
      break;
    case 'w':
      if (parse_window(optarg, window, sizeof window))
        return evs_cli_usage_error(
            "plot", evs_cli_usage_plot,
            "--window '%s': expected times T0-T1 (e.g. 0.2-0.5 or "
            "200ms-500ms), 0 <= T0 < T1",
            optarg);
      break;
    default: return evs_cli_bad_option(o, argv, lo, "plot", evs_cli_usage_plot);
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error("plot", evs_cli_usage_plot,
                               "unexpected argument '%s'", argv[optind]);
  if (!dir)
    return evs_cli_usage_error("plot", evs_cli_usage_plot,
                               "plot needs a run folder DIR");

  struct stat st;
  char path[4096];
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  int sr = stat(dir, &st);
  if (sr != 0 || !S_ISDIR(st.st_mode)) {
    fprintf(stderr, "%s: %s: not a run folder (%s)\n", prog, dir,
            strerror(sr != 0 ? errno : ENOTDIR));
    return EXIT_ERR;
  }
  if (access(path, R_OK) != 0) {
    fprintf(stderr, "%s: %s: not a run folder (no summary.tsv)\n", prog, dir);
    return EXIT_ERR;
  }
  const char *gnuplot = EVS_GNUPLOT;
  if (!strcmp(gnuplot, "no") || access(gnuplot, X_OK) != 0) {
    fprintf(stderr,
            "%s: gnuplot not found%s%s (configure found: %s); install "
            "gnuplot (e.g. Debian's gnuplot-nox) and reconfigure\n",
            prog, strcmp(gnuplot, "no") ? " at " : "",
            strcmp(gnuplot, "no") ? gnuplot : "", gnuplot);
    return EXIT_ERR;
  }
  const char *plotdir = plot_dir();

  /* population rasters and rates when there are any (from the run's
   * .ras, or converted from its .spk files or spikes.h5); a SuperSpike
   * run's learning curves; every recorded trace */
  enum { MAX_TRACES = 64 };
  const char *scripts[3 + MAX_TRACES];
  trace tr[MAX_TRACES];
  size_t nscripts = 0;
  char rasdir[4096];
  int rasters = evs_cli_plot_rasters(dir, rasdir, sizeof rasdir);
  if (rasters < 0) return EXIT_ERR;
  snprintf(path, sizeof path, "%s/learning.tsv", dir);
  int learning = access(path, R_OK) == 0;
  if (rasters) {
    scripts[nscripts++] = "raster";
    scripts[nscripts++] = "rates";
  }
  if (learning) scripts[nscripts++] = "learning";
  size_t nv = traces(dir, tr, MAX_TRACES), v0 = nscripts;
  for (size_t k = 0; k < nv; k++) scripts[nscripts++] = "voltage";
  if (!nscripts) {
    fprintf(stderr,
            "%s: %s: nothing to draw (no population raster, recorded trace "
            "or learning.tsv)\n",
            prog, dir);
    return EXIT_ERR;
  }
  int status = EXIT_OK;
  for (size_t k = 0; k < nscripts && status == EXIT_OK; k++) {
    /* the settings of this script: the windows; where the rasters are;
     * voltage.gp's population and variable */
    char extra[8192], name[200];
    snprintf(extra, sizeof extra, "%s%s; rasdir='",
             strcmp(scripts[k], "raster") ? "" : neurons,
             strcmp(scripts[k], "learning") ? window : "");
    int bad = gp_quote(extra, sizeof extra, rasdir) != 0;
    size_t n = strlen(extra);
    snprintf(extra + n, sizeof extra - n, "'");
    snprintf(name, sizeof name, "%s", scripts[k]);
    if (k >= v0) {
      const trace *t = &tr[k - v0];
      n = strlen(extra);
      snprintf(extra + n, sizeof extra - n, "; pop='");
      bad |= gp_quote(extra, sizeof extra, t->pop) != 0;
      n = strlen(extra);
      snprintf(extra + n, sizeof extra - n, "'; var='");
      bad |= gp_quote(extra, sizeof extra, t->var) != 0;
      n = strlen(extra);
      snprintf(extra + n, sizeof extra - n, "'");
      snprintf(name, sizeof name, "%s_%s", t->var, t->pop);
    }
    if (bad) {
      fprintf(stderr, "%s: a name or folder is too long to hand to gnuplot\n",
              prog);
      status = EXIT_ERR;
      break;
    }
    snprintf(path, sizeof path, "%s/%s.gp", plotdir, scripts[k]);
    if (access(path, R_OK) != 0) {
      fprintf(stderr,
              "%s: %s: %s (looked in $EVSNN_PLOTDIR, else %s when run from "
              "its build tree, else %s; set EVSNN_PLOTDIR to the plots "
              "folder)\n",
              prog, path, strerror(errno), EVS_SRC_PLOTDIR, EVS_PLOTDIR);
      status = EXIT_ERR;
      break;
    }
    int rc = run_gnuplot(gnuplot, dir, fmt, extra, path);
    if (rc != 0) {
      fprintf(stderr, "%s: gnuplot failed on %s (status %d)\n", prog, path, rc);
      status = EXIT_ERR;
      break;
    }
    char out[4096];
    snprintf(out, sizeof out, "%s/%s.%s", dir, name, fmt);
    if (stat(out, &st) != 0 || st.st_size == 0) {
      fprintf(stderr, "%s: gnuplot wrote no %s\n", prog, out);
      status = EXIT_ERR;
      break;
    }
    printf("wrote %s\n", out);
  }
  evs_cli_plot_rasters_done(dir, rasdir);
  return status;
}
