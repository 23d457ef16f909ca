/* evsnn — the command-line program: run, check and plot models.
 *
 * A thin client of the public API (<evsnn/evsnn.h>); everything it knows
 * about a model comes from evs_model_load_*. Exit status: 0 success
 * (also a run stopped by its rate check), 1 error (model, input/output, gnuplot), 2 usage error. */
#define _XOPEN_SOURCE 700 /* realpath */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "dirs.h"
#include "picture.h"
#ifndef EVS_GNUPLOT
#define EVS_GNUPLOT "gnuplot"
#endif

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2 };

static const char *prog = "evsnn";

static const char usage_main[] =
    "Usage: evsnn COMMAND [ARGS]\n"
    "\n"
    "Event-driven simulation of spiking neural networks.\n"
    "\n"
    "Commands:\n"
    "  run [MODEL] [options]   simulate MODEL (default: the built-in demo)\n"
    "  check MODEL [--set ..]  validate and build MODEL without running it\n"
    "  plot DIR [--format F]   draw the raster and rates of a run folder\n"
    "  picture PBM RAS         turn a black-and-white picture into a target\n"
    "                          raster (SuperSpike)\n"
    "  help [COMMAND]          show help (of a command)\n"
    "\n"
    "Options:\n"
    "  -h, --help              show this help\n"
    "  --version               show the version\n"
    "\n"
    "See evsnn(1) and evsnn-model(5).\n";

static const char usage_run[] =
    "Usage: evsnn run [MODEL] [-o DIR] [--seed N] [--set SECTION.KEY=VALUE]... "
    "[-q] [--force]\n"
    "\n"
    "Simulates MODEL (an INI model file; without one, the built-in demo) and\n"
    "writes its output files into DIR.\n"
    "\n"
    "  -o, --output DIR        output folder (default: out/<model name>)\n"
    "  --seed N                random seed (overrides [simulation] seed)\n"
    "  --set SECTION.KEY=VALUE override a model value, e.g. --set E.tau_m=10ms\n"
    "                          or --set simulation.duration=2s (repeatable)\n"
    "  -q, --quiet             no progress and no summary\n"
    "  --force                 build a model whose synapses need more memory\n"
    "                          than the machine has (refused otherwise)\n"
    "  -h, --help              show this help\n"
    "\n"
    "Files written: <population>.ras, v_<population>.tsv, summary.tsv, "
    "run.log.\n"
    "A population with rate_min and rate_max stops the run when its filtered\n"
    "rate leaves that band: the files cover the time run, 'stopped at t = T s:\n"
    "...' is printed (even with -q) and the exit status is 0.\n";

static const char usage_check[] =
    "Usage: evsnn check MODEL [--set SECTION.KEY=VALUE]... [--force]\n"
    "\n"
    "Reads, validates and builds MODEL without running it. Prints\n"
    "\"MODEL: ok (P populations, S synapses)\" or the first error as\n"
    "file:line: message.\n";

static const char usage_plot[] =
    "Usage: evsnn plot DIR [--format png|svg]\n"
    "\n"
    "Runs gnuplot on raster.gp and rates.gp to write DIR/raster.png and\n"
    "DIR/rates.png (or .svg) from the files of the run folder DIR, and on\n"
    "learning.gp for DIR/learning.png when DIR holds a SuperSpike run's\n"
    "learning.tsv.\n"
    "The scripts are read from $EVSNN_PLOTDIR if set, else from\n"
    EVS_PLOTDIR ".\n";

static int usage_error(const char *usage, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *usage, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", prog);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n%s", usage);
  return EXIT_USAGE;
}

/* The value of option argv[*i] (either "--opt=VALUE" or "--opt VALUE");
 * advances *i past a separate value. NULL when missing. */
static const char *opt_value(int argc, char **argv, int *i) {
  const char *eq = strchr(argv[*i], '=');
  if (argv[*i][0] == '-' && argv[*i][1] == '-' && eq) return eq + 1;
  if (*i + 1 >= argc) return NULL;
  return argv[++*i];
}

/* Matches "-x", "--long" and "--long=..." */
static int is_opt(const char *arg, const char *shrt, const char *lng) {
  if (shrt && !strcmp(arg, shrt)) return 1;
  size_t n = strlen(lng);
  return !strncmp(arg, lng, n) && (arg[n] == '\0' || arg[n] == '=');
}

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

/* Parses run/check arguments; returns -1 on success (continue), or an exit
 * status. */
static int parse_args(int argc, char **argv, cli *c, int is_run,
                      const char *usage) {
  c->sets = calloc((size_t)argc, sizeof *c->sets);
  if (!c->sets) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return EXIT_ERR;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage, stdout);
      return EXIT_OK;
    } else if (is_opt(a, NULL, "--set")) {
      const char *v = opt_value(argc, argv, &i);
      if (!v) return usage_error(usage, "--set needs SECTION.KEY=VALUE");
      if (!strchr(v, '=') || !strchr(v, '.'))
        return usage_error(usage, "--set '%s': expected SECTION.KEY=VALUE", v);
      c->sets[c->n_sets++] = v;
    } else if (is_run && is_opt(a, "-o", "--output")) {
      const char *v = opt_value(argc, argv, &i);
      if (!v || !*v) return usage_error(usage, "%s needs a folder", a);
      c->outdir = v;
    } else if (is_run && is_opt(a, NULL, "--seed")) {
      const char *v = opt_value(argc, argv, &i);
      char *end = NULL;
      errno = 0;
      if (!v || !*v || *v == '-' ||
          (c->seed = strtoull(v, &end, 10), errno || *end))
        return usage_error(usage, "--seed needs a non-negative integer%s%s",
                           v ? ", got " : "", v ? v : "");
      c->seed_set = 1;
    } else if (is_run && (!strcmp(a, "-q") || !strcmp(a, "--quiet"))) {
      c->quiet = 1;
    } else if (!strcmp(a, "--force")) {
      c->force = 1;
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error(usage, "unknown option '%s'", a);
    } else if (!c->model) {
      c->model = a;
    } else {
      return usage_error(usage, "unexpected argument '%s'", a);
    }
  }
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
    rc = usage_error(usage_check, "check needs a MODEL file");
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

/* Runs gnuplot -e "dir='DIR'; fmt='FMT'" SCRIPT; returns its exit status or
 * -1 when it could not start. */
static int run_gnuplot(const char *gnuplot, const char *dir, const char *fmt,
                       const char *script) {
  char expr[8192] = "dir='";
  if (gp_quote(expr, sizeof expr, dir) != 0) return -1;
  size_t n = strlen(expr);
  snprintf(expr + n, sizeof expr - n, "'; fmt='%s'", fmt);
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

static int cmd_plot(int argc, char **argv) {
  const char *dir = NULL, *fmt = "png";
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      fputs(usage_plot, stdout);
      return EXIT_OK;
    } else if (is_opt(a, NULL, "--format")) {
      fmt = opt_value(argc, argv, &i);
      if (!fmt || (strcmp(fmt, "png") && strcmp(fmt, "svg")))
        return usage_error(usage_plot, "--format must be png or svg");
    } else if (a[0] == '-' && a[1] != '\0') {
      return usage_error(usage_plot, "unknown option '%s'", a);
    } else if (!dir) {
      dir = a;
    } else {
      return usage_error(usage_plot, "unexpected argument '%s'", a);
    }
  }
  if (!dir) return usage_error(usage_plot, "plot needs a run folder DIR");

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
   * learning curves */
  const char *scripts[3];
  size_t nscripts = 0;
  snprintf(path, sizeof path, "%s/learning.tsv", dir);
  int learning = access(path, R_OK) == 0;
  if (have_rasters(dir) || !learning) {
    scripts[nscripts++] = "raster";
    scripts[nscripts++] = "rates";
  }
  if (learning) scripts[nscripts++] = "learning";
  for (size_t k = 0; k < nscripts; k++) {
    snprintf(path, sizeof path, "%s/%s.gp", plotdir, scripts[k]);
    if (access(path, R_OK) != 0) {
      fprintf(stderr,
              "%s: %s: %s (looked in $EVSNN_PLOTDIR, else %s when run from "
              "its build tree, else %s; set EVSNN_PLOTDIR to the plots "
              "folder)\n",
              prog, path, strerror(errno), EVS_SRC_PLOTDIR, EVS_PLOTDIR);
      return EXIT_ERR;
    }
    int rc = run_gnuplot(gnuplot, dir, fmt, path);
    if (rc != 0) {
      fprintf(stderr, "%s: gnuplot failed on %s (status %d)\n", prog, path,
              rc);
      return EXIT_ERR;
    }
    char out[4096];
    snprintf(out, sizeof out, "%s/%s.%s", dir, scripts[k], fmt);
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

static int dispatch(int argc, char **argv);

int main(int argc, char **argv) {
  errno = 0;
  return stdout_checked(dispatch(argc, argv));
}

static int dispatch(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stderr);
    return EXIT_USAGE;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
    fputs(usage_main, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
    printf("evsnn %s\n", evs_version());
    return EXIT_OK;
  }
  if (!strcmp(cmd, "help")) {
    const char *u = usage_main;
    if (argc > 2) {
      if (!strcmp(argv[2], "run")) u = usage_run;
      else if (!strcmp(argv[2], "check")) u = usage_check;
      else if (!strcmp(argv[2], "plot")) u = usage_plot;
      else if (!strcmp(argv[2], "picture")) u = evs_cli_usage_picture;
      else return usage_error(usage_main, "no command '%s'", argv[2]);
    }
    fputs(u, stdout);
    return EXIT_OK;
  }
  if (!strcmp(cmd, "run")) return cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "check")) return cmd_check(argc - 1, argv + 1);
  if (!strcmp(cmd, "plot")) return cmd_plot(argc - 1, argv + 1);
  if (!strcmp(cmd, "picture")) return evs_cli_picture(argc - 1, argv + 1);
  return usage_error(usage_main, "unknown command '%s'", cmd);
}
