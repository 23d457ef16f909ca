/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the command-line program: run, check and plot models.
 *
 * A thin client of the public API (<evsnn/evsnn.h>); everything it knows
 * about a model comes from evs_model_load_*. Exit status: 0 success
 * (also a run stopped by its rate check), 1 error (model, input/output, gnuplot), 2 usage error. */
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
#include "picture.h"
#ifndef EVS_GNUPLOT
#define EVS_GNUPLOT "gnuplot"
#endif

enum {
  EXIT_OK = EVS_CLI_OK,
  EXIT_ERR = EVS_CLI_ERR,
  EXIT_USAGE = EVS_CLI_USAGE
};

static const char *prog = "evsnn";

static const char usage_main[] =
    "Usage: evsnn COMMAND [ARGS]\n"
    "\n"
    "Event-driven simulation of spiking neural networks.\n"
    "\n"
    "Commands:\n"
    "  run [MODEL] [options]   simulate MODEL (default: the built-in demo)\n"
    "  check MODEL [--set ..]  validate and build MODEL without running it\n"
    "  plot DIR [options]      draw the rasters, rates, voltage traces and\n"
    "                          learning curves of a run folder\n"
    "  picture PBM RAS         turn a black-and-white picture into a target\n"
    "                          raster (SuperSpike)\n"
    "  help [COMMAND]          show help (of a command)\n"
    "\n"
    "Options:\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "See evsnn(1) and evsnn-model(5).\n";

static const char usage_run[] =
    "Usage: evsnn run [MODEL] [-o DIR] [--seed N] [--set SECTION.KEY=VALUE]... "
    "[-q] [--force]\n"
    "\n"
    "Simulates MODEL (an INI model file; without one, the built-in demo) and\n"
    "writes its output files into DIR.\n"
    "\n"
    "  -o, --output=DIR        output folder (default: out/<model name>)\n"
    "      --seed=N            random seed (overrides [simulation] seed)\n"
    "      --set=SECTION.KEY=VALUE\n"
    "                          override a model value, e.g. --set E.tau_m=10ms\n"
    "                          or --set simulation.duration=2s (repeatable)\n"
    "  -q, --quiet             no progress and no summary\n"
    "      --force             build a model whose synapses need more memory\n"
    "                          than the machine has (refused otherwise)\n"
    "  -h, --help              show this help\n"
    "  --                      end of the options (for a MODEL named '-...')\n"
    "\n"
    "Files written into DIR (POP a population, PROJ a projection):\n"
    "  run.log                 model, seed, start date, the files of the run\n"
    "                          (output: NAME), statistics; its last line\n"
    "                          'completed at t = T s' or 'stopped at ...'\n"
    "  summary.tsv             per population: neurons, spikes, rate_hz (a\n"
    "                          SuperSpike run adds loss_last, accuracy_last)\n"
    "  POP.ras                 spikes, 'time id' lines (s); neurons by default,\n"
    "                          sources with record_spikes = yes\n"
    "  v_POP.tsv               membrane potentials (V) of the record_v neurons\n"
    "                          every record_interval (rates for a rate model)\n"
    "  PROJ.weights.tsv        weight statistics, every record_weights\n"
    "  PROJ.synapses.tsv       every weight, every record_synapses\n"
    "  PROJ_<T>ms.mtx          every weight at each time T of record_matrix\n"
    "                          (Matrix Market)\n"
    "and a SuperSpike run ([superspike] section):\n"
    "  learning.tsv            per trial: loss (1/s), spikes, accuracy, t_end,\n"
    "                          r0 (0 during the burn-in)\n"
    "  OUT_target.ras          the output population's targets, one period\n"
    "  POP_trial<N>.ras        each learning population's spikes in trial N\n"
    "                          of record_trials (times from the trial's start)\n"
    "  outputs.tsv             per output neuron: targets, accuracy over the\n"
    "                          run's last 100 trials\n"
    "Each file is written as NAME.part and renamed when the run's output is\n"
    "complete. evsnn plot DIR adds the figures (see evsnn help plot).\n"
    "\n"
    "A population with rate_min and rate_max stops the run when its filtered\n"
    "rate leaves that band: the files cover the time run, 'stopped at t = T s:\n"
    "...' is printed (even with -q) and the exit status is 0.\n";

static const char usage_check[] =
    "Usage: evsnn check MODEL [--set SECTION.KEY=VALUE]... [--force]\n"
    "\n"
    "Reads, validates and builds MODEL without running it. Prints\n"
    "\"MODEL: ok (P populations, S synapses)\" or the first error as\n"
    "file:line: message.\n"
    "\n"
    "      --set=SECTION.KEY=VALUE\n"
    "                          override a model value (repeatable)\n"
    "      --force             build a model whose synapses need more memory\n"
    "                          than the machine has (refused otherwise)\n"
    "  -h, --help              show this help\n";

static const char usage_plot[] =
    "Usage: evsnn plot DIR [--format png|svg] [--neurons A-B] [--window T0-T1]\n"
    "\n"
    "Runs gnuplot on the scripts below to draw the run folder DIR:\n"
    "  raster.gp    DIR/raster.png, the spikes of every recorded population;\n"
    "               a large raster as a sample named in the title (at most\n"
    "               200 neurons, the first of each population, and 200,000\n"
    "               spikes in at most the first 2 s) unless --neurons or\n"
    "               --window choose\n"
    "  rates.gp     DIR/rates.png, population rates in 10 ms bins\n"
    "  voltage.gp   DIR/v_POP.png for each v_POP.tsv (record_v): membrane\n"
    "               potentials in mV, the neurons' spikes marked\n"
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

/* Options shared by run and check. */
typedef struct cli {
  const char *model;    /* model path, or NULL */
  const char *outdir;   /* -o */
  const char **sets;    /* --set values */
  size_t n_sets;
  int seed_set;
  unsigned long long seed;
  int quiet;
  int force;            /* --force: past the memory estimate */
} cli;

/* Parses run/check arguments (argv[0] is the command's name); returns -1
 * on success (continue), or an exit status. */
static int parse_args(int argc, char **argv, cli *c, int is_run,
                      const char *usage) {
  enum { OPT_SEED = 256, OPT_SET, OPT_FORCE };
  static const struct option run_opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"seed", required_argument, NULL, OPT_SEED},
      {"set", required_argument, NULL, OPT_SET},
      {"quiet", no_argument, NULL, 'q'},
      {"force", no_argument, NULL, OPT_FORCE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  static const struct option check_opts[] = {
      {"set", required_argument, NULL, OPT_SET},
      {"force", no_argument, NULL, OPT_FORCE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  const struct option *lo = is_run ? run_opts : check_opts;
  const char *cmd = argv[0];
  c->sets = calloc((size_t)argc, sizeof *c->sets);
  if (!c->sets) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return EXIT_ERR;
  }
  evs_cli_getopt_reset();
  int o;
  while ((o = getopt_long(argc, argv, is_run ? ":ho:q" : ":h", lo, NULL)) !=
         -1) {
    const char *v = optarg;
    switch (o) {
    case 'h':
      fputs(usage, stdout);
      return EXIT_OK;
    case OPT_SET:
      if (!strchr(v, '=') || !strchr(v, '.'))
        return evs_cli_usage_error(cmd, usage,
                                   "--set '%s': expected SECTION.KEY=VALUE", v);
      c->sets[c->n_sets++] = v;
      break;
    case 'o':
      if (!*v) return evs_cli_usage_error(cmd, usage, "-o needs a folder");
      c->outdir = v;
      break;
    case OPT_SEED: {
      char *end = NULL;
      errno = 0;
      if (!*v || *v == '-' || (c->seed = strtoull(v, &end, 10), errno || *end))
        return evs_cli_usage_error(
            cmd, usage, "--seed needs a non-negative integer, got '%s'", v);
      c->seed_set = 1;
      break;
    }
    case 'q':
      c->quiet = 1;
      break;
    case OPT_FORCE:
      c->force = 1;
      break;
    default:
      return evs_cli_bad_option(o, argv, lo, cmd, usage);
    }
  }
  if (optind < argc) c->model = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error(cmd, usage, "unexpected argument '%s'",
                               argv[optind]);
  return -1;
}

/* Loads the model of c (or the demo); prints the error and returns NULL. */
static evs_model *load(const cli *c) {
  evs_model_opts mo = {c->sets, c->n_sets, c->seed_set, c->seed, c->force};
  evs_model *m = NULL;
  evs_error err;
  evs_error_clear(&err);
  int rc = c->model
               ? evs_model_load_file(c->model, &mo, &m, &err)
               : evs_model_load_string(evs_model_default_demo(), "demo", &mo,
                                       &m, &err);
  if (rc != EVS_OK) {
    fprintf(stderr, "%s\n", err.msg[0] ? err.msg : evs_strerror(rc));
    return NULL;
  }
  return m;
}

/* Synapses of all projections (projection indices are dense from 0). */
static unsigned long long count_synapses(const evs_net *net) {
  unsigned long long n = 0;
  const evs_csr *c;
  for (int i = 0; (c = evs_net_projection_csr(net, i)); i++) n += c->nnz;
  return n;
}

static int cmd_check(int argc, char **argv) {
  cli c = {0};
  int rc = parse_args(argc, argv, &c, 0, usage_check);
  if (rc >= 0) goto done;
  if (!c.model) {
    rc = evs_cli_usage_error("check", usage_check, "check needs a MODEL file");
    goto done;
  }
  evs_model *m = load(&c);
  if (!m) {
    rc = EXIT_ERR;
    goto done;
  }
  printf("%s: ok (%d populations, %llu synapses)\n", c.model,
         evs_net_population_count(m->net), count_synapses(m->net));
  evs_model_free(m);
  rc = EXIT_OK;
done:
  free(c.sets);
  return rc;
}

static void print_summary(const evs_model *m, const char *outdir) {
  evs_run_stats st;
  evs_net_stats(m->net, &st);
  double dur = st.t_end > 0 ? st.t_end : m->run.duration;
  printf("model %s, seed %llu, %g s simulated\n", m->name,
         (unsigned long long)m->seed, dur);
  printf("  %-16s %-26s %10s %12s %10s\n", "population", "type", "neurons",
         "spikes", "rate [Hz]");
  int n = evs_net_population_count(m->net);
  for (int i = 0; i < n; i++) {
    evs_pop_info pi;
    if (evs_net_population_info(m->net, i, &pi) != EVS_OK) continue;
    double rate = pi.size && dur > 0 ? (double)pi.spikes / pi.size / dur : 0;
    printf("  %-16s %-26s %10u %12llu %10.3f\n", pi.name, pi.type,
           (unsigned)pi.size, (unsigned long long)pi.spikes, rate);
  }
  printf("synapses %llu, synaptic events %llu\n",
         (unsigned long long)st.synapses, (unsigned long long)st.syn_events);
  printf("wall time: build %.3f s, run %.3f s", st.wall_build, st.wall_run);
  if (st.wall_run > 0) printf(" (%.3gx real time)", dur / st.wall_run);
  printf("\noutput: %s\n", outdir);
}

static int cmd_run(int argc, char **argv) {
  cli c = {0};
  char *defdir = NULL;
  evs_model *m = NULL;
  int rc = parse_args(argc, argv, &c, 1, usage_run);
  if (rc >= 0) goto done;
  rc = EXIT_ERR;
  if (!(m = load(&c))) goto done;
  const char *outdir = c.outdir;
  if (!outdir) {
    size_t n = strlen(m->name) + 5;
    if (!(defdir = malloc(n))) goto done;
    snprintf(defdir, n, "out/%s", m->name);
    outdir = defdir;
  }
  m->run.outdir = outdir;
  m->run.progress = !c.quiet && isatty(STDERR_FILENO);
  evs_error err;
  evs_error_clear(&err);
  int st = evs_net_run(m->net, &m->run, &err);
  /* a run stopped by its rate check is a result, not a failure */
  if (st != EVS_OK && st != EVS_ESTOPPED) {
    fprintf(stderr, "%s: %s\n", prog, err.msg[0] ? err.msg : evs_strerror(st));
    goto done;
  }
  if (!c.quiet) print_summary(m, outdir);
  if (st == EVS_ESTOPPED) printf("%s\n", err.msg);
  rc = EXIT_OK;
done:
  if (fflush(stdout) != 0 && rc == EXIT_OK) {
    fprintf(stderr, "%s: writing to standard output: %s\n", prog,
            strerror(errno));
    rc = EXIT_ERR;
  }
  evs_model_free(m);
  free(defdir);
  free(c.sets);
  return rc;
}

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

/* 1 when a population of DIR/summary.tsv has a raster DIR/<name>.ras. */
static int have_rasters(const char *dir) {
  char path[4096], line[512];
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  FILE *f = fopen(path, "r");
  int found = 0;
  if (!f) return 0;
  if (fgets(line, sizeof line, f)) /* header */
    while (!found && fgets(line, sizeof line, f)) {
      line[strcspn(line, "\t\n")] = '\0';
      snprintf(path, sizeof path, "%s/%s.ras", dir, line);
      found = access(path, R_OK) == 0;
    }
  fclose(f);
  return found;
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

/* The populations of DIR/summary.tsv with membrane traces v_<name>.tsv,
 * at most max names of up to 127 bytes into names; returns how many. */
static size_t probed_pops(const char *dir, char (*names)[128], size_t max) {
  char path[4096], line[512];
  size_t n = 0;
  snprintf(path, sizeof path, "%s/summary.tsv", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  if (fgets(line, sizeof line, f)) /* header */
    while (n < max && fgets(line, sizeof line, f)) {
      line[strcspn(line, "\t\n")] = '\0';
      snprintf(path, sizeof path, "%s/v_%s.tsv", dir, line);
      if (strlen(line) < sizeof names[n] && access(path, R_OK) == 0)
        snprintf(names[n++], sizeof names[n], "%s", line);
    }
  fclose(f);
  return n;
}

/* A time of --window: "<number> <unit>" or a number of seconds; *end is
 * the first character after it. -1 when there is none. */
static int window_time(const char *s, double *t, const char **end) {
  char why[64], *e;
  if (evs_unit_parse_prefix(s, EVS_DIM_TIME, t, end, why, sizeof why) ==
      EVS_OK)
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

static int cmd_plot(int argc, char **argv) {
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
    case 'h':
      fputs(usage_plot, stdout);
      return EXIT_OK;
    case 'f':
      fmt = optarg;
      if (strcmp(fmt, "png") && strcmp(fmt, "svg"))
        return evs_cli_usage_error("plot", usage_plot,
                                   "--format must be png or svg, got '%s'",
                                   fmt);
      break;
    case 'n':
      if (parse_neurons(optarg, neurons, sizeof neurons))
        return evs_cli_usage_error(
            "plot", usage_plot, "--neurons '%s': expected ids A-B, A <= B",
            optarg);
      break;
    case 'w':
      if (parse_window(optarg, window, sizeof window))
        return evs_cli_usage_error(
            "plot", usage_plot,
            "--window '%s': expected times T0-T1 (e.g. 0.2-0.5 or "
            "200ms-500ms), 0 <= T0 < T1",
            optarg);
      break;
    default:
      return evs_cli_bad_option(o, argv, lo, "plot", usage_plot);
    }
  }
  if (optind < argc) dir = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error("plot", usage_plot, "unexpected argument '%s'",
                               argv[optind]);
  if (!dir)
    return evs_cli_usage_error("plot", usage_plot,
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

  /* population rasters and rates when there are any; a SuperSpike run's
   * learning curves; the membrane traces of every population with them */
  enum { MAX_PROBED = 64 };
  const char *scripts[3 + MAX_PROBED];
  char pops[MAX_PROBED][128];
  size_t nscripts = 0;
  snprintf(path, sizeof path, "%s/learning.tsv", dir);
  int learning = access(path, R_OK) == 0;
  if (have_rasters(dir)) {
    scripts[nscripts++] = "raster";
    scripts[nscripts++] = "rates";
  }
  if (learning) scripts[nscripts++] = "learning";
  size_t nv = probed_pops(dir, pops, MAX_PROBED), v0 = nscripts;
  for (size_t k = 0; k < nv; k++) scripts[nscripts++] = "voltage";
  if (!nscripts) {
    fprintf(stderr,
            "%s: %s: nothing to draw (no population raster, membrane trace "
            "or learning.tsv)\n",
            prog, dir);
    return EXIT_ERR;
  }
  for (size_t k = 0; k < nscripts; k++) {
    /* the settings of this script: the windows; voltage.gp's population */
    char extra[512], name[160];
    snprintf(extra, sizeof extra, "%s%s",
             strcmp(scripts[k], "raster") ? "" : neurons,
             strcmp(scripts[k], "learning") ? window : "");
    snprintf(name, sizeof name, "%s", scripts[k]);
    if (k >= v0) {
      size_t n = strlen(extra);
      snprintf(extra + n, sizeof extra - n, "; pop='");
      /* a name (< 128 bytes) always fits: extra holds 512 */
      if (gp_quote(extra, sizeof extra, pops[k - v0]) != 0) {
        fprintf(stderr, "%s: population name too long: %s\n", prog,
                pops[k - v0]);
        return EXIT_ERR;
      }
      n = strlen(extra);
      snprintf(extra + n, sizeof extra - n, "'");
      snprintf(name, sizeof name, "v_%s", pops[k - v0]);
    }
    snprintf(path, sizeof path, "%s/%s.gp", plotdir, scripts[k]);
    if (access(path, R_OK) != 0) {
      fprintf(stderr,
              "%s: %s: %s (looked in $EVSNN_PLOTDIR, else %s when run from "
              "its build tree, else %s; set EVSNN_PLOTDIR to the plots "
              "folder)\n",
              prog, path, strerror(errno), EVS_SRC_PLOTDIR, EVS_PLOTDIR);
      return EXIT_ERR;
    }
    int rc = run_gnuplot(gnuplot, dir, fmt, extra, path);
    if (rc != 0) {
      fprintf(stderr, "%s: gnuplot failed on %s (status %d)\n", prog, path,
              rc);
      return EXIT_ERR;
    }
    char out[4096];
    snprintf(out, sizeof out, "%s/%s.%s", dir, name, fmt);
    if (stat(out, &st) != 0 || st.st_size == 0) {
      fprintf(stderr, "%s: gnuplot wrote no %s\n", prog, out);
      return EXIT_ERR;
    }
    printf("wrote %s\n", out);
  }
  return EXIT_OK;
}

/* rc, or EXIT_ERR when what went to standard output could not all be
 * written (a full disk, >/dev/full): a report that was lost is no
 * success. */
static int stdout_checked(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == EXIT_OK)
      fprintf(stderr, "%s: writing to standard output: %s\n", prog,
              strerror(errno ? errno : EIO));
    return rc == EXIT_OK ? EXIT_ERR : rc;
  }
  return rc;
}

/* The commands; help is main's own. */
static const struct command {
  const char *name;
  int (*run)(int argc, char **argv); /* argv[0] is the command's name */
  const char *usage;
} commands[] = {
    {"run", cmd_run, usage_run},
    {"check", cmd_check, usage_check},
    {"plot", cmd_plot, usage_plot},
    {"picture", evs_cli_picture, evs_cli_usage_picture},
    {"help", NULL, usage_main},
};
enum { N_COMMANDS = sizeof commands / sizeof commands[0] };

/* The command named name, or NULL after a usage error (with "did you
 * mean") in *status. */
static const struct command *find_command(const char *name, int *status) {
  const char *names[N_COMMANDS];
  for (size_t i = 0; i < N_COMMANDS; i++) {
    if (!strcmp(name, commands[i].name)) return &commands[i];
    names[i] = commands[i].name;
  }
  const char *near = evs_cli_nearest(name, names, N_COMMANDS);
  if (near)
    *status = evs_cli_usage_error(NULL, usage_main,
                                  "unknown command '%s'; did you mean '%s'?",
                                  name, near);
  else
    *status = evs_cli_usage_error(NULL, usage_main, "unknown command '%s'",
                                  name);
  return NULL;
}

static int dispatch(int argc, char **argv) {
  static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                     {"version", no_argument, NULL, 'V'},
                                     {NULL, 0, NULL, 0}};
  int o, status = EXIT_USAGE;
  /* '+': the options before the command only */
  evs_cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "+:hV", lo, NULL)) != -1) {
    switch (o) {
    case 'h':
      fputs(usage_main, stdout);
      return EXIT_OK;
    case 'V':
      printf("evsnn %s\n", evs_version());
      return EXIT_OK;
    default:
      return evs_cli_bad_option(o, argv, lo, NULL, usage_main);
    }
  }
  if (optind >= argc)
    return evs_cli_usage_error(NULL, usage_main, "no command given");
  const struct command *c = find_command(argv[optind], &status);
  if (!c) return status;
  if (c->run) return c->run(argc - optind, argv + optind);
  /* help [COMMAND] */
  if (optind + 2 < argc)
    return evs_cli_usage_error(NULL, usage_main, "unexpected argument '%s'",
                               argv[optind + 2]);
  if (optind + 1 < argc && !(c = find_command(argv[optind + 1], &status)))
    return status;
  fputs(c->usage, stdout);
  return EXIT_OK;
}

int main(int argc, char **argv) {
  errno = 0;
  return stdout_checked(dispatch(argc, argv));
}
