/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the command-line program: run, check and plot models.
 *
 * A thin client of the public API (<evsnn/evsnn.h>); everything it knows
 * about a model comes from evs_model_load_*. Exit status: 0 success
 * (also a run stopped by its rate check), 1 error (model, input/output,
 * gnuplot), 2 usage error, 128 + N a run stopped cleanly by signal N (SIGINT
 * 130, SIGTERM 143). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evsnn/evsnn.h>

#include "args.h"
#include "convert.h"
#include "picture.h"
#include "model_args.h"
#include "plot.h"
#include "run.h"

static const char *prog = "evsnn";

static const char usage_main[] =
    "Usage: evsnn COMMAND [ARGS]\n"
    "\n"
    "Event-driven simulation of spiking neural networks.\n"
    "\n"
    "Commands:\n"
    "  run [MODEL] [options]   simulate MODEL (default: the built-in demo)\n"
    "  resume DIR [options]    continue the run of DIR from its checkpoint\n"
    "  check MODEL [--set ..]  validate and build MODEL without running it\n"
    "  plot DIR [options]      draw the rasters, rates, voltage traces and\n"
    "                          learning curves of a run folder\n"
    "  picture PBM RAS         turn a black-and-white picture into a target\n"
    "                          raster (SuperSpike)\n"
    "  convert SPK [-o RAS]    write a binary spike file as .ras text\n"
    "  help [COMMAND]          show help (of a command)\n"
    "\n"
    "Options:\n"
    "  -h, --help              show this help\n"
    "  -V, --version           show the version\n"
    "\n"
    "See evsnn(1) and evsnn-model(5).\n";

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

/* Synapses of all projections (projection indices are dense from 0). */
static unsigned long long count_synapses(const evs_net *net) {
  unsigned long long n = 0;
  const evs_csr *c;
  for (int i = 0; (c = evs_net_projection_csr(net, i)); i++) n += c->nnz;
  return n;
}

static int cmd_check(int argc, char **argv) {
  evs_cli_opts c = {0};
  int rc = evs_cli_parse_opts(argc, argv, &c, 0, usage_check);
  if (rc >= 0) goto done;
  if (!c.model) {
    rc = evs_cli_usage_error("check", usage_check, "check needs a MODEL file");
    goto done;
  }
  evs_model *m = evs_cli_load(&c);
  if (!m) {
    rc = EVS_CLI_ERR;
    goto done;
  }
  printf("%s: ok (%d populations, %llu synapses)\n", c.model,
         evs_net_population_count(m->net), count_synapses(m->net));
  evs_model_free(m);
  rc = EVS_CLI_OK;
done:
  free(c.sets);
  return rc;
}

/* rc, or EVS_CLI_ERR when what went to standard output could not all be
 * written (a full disk, >/dev/full): a report that was lost is no
 * success. */
static int stdout_checked(int rc) {
  if (fflush(stdout) != 0 || ferror(stdout)) {
    if (rc == EVS_CLI_OK)
      fprintf(stderr, "%s: writing to standard output: %s\n", prog,
              strerror(errno ? errno : EIO));
    return rc == EVS_CLI_OK ? EVS_CLI_ERR : rc;
  }
  return rc;
}

/* The commands; help is main's own. */
static const struct command {
  const char *name;
  int (*run)(int argc, char **argv); /* argv[0] is the command's name */
  const char *usage;
} commands[] = {
    {"run", evs_cli_run, evs_cli_usage_run},
    {"resume", evs_cli_resume, evs_cli_usage_resume},
    {"check", cmd_check, usage_check},
    {"plot", evs_cli_plot, evs_cli_usage_plot},
    {"picture", evs_cli_picture, evs_cli_usage_picture},
    {"convert", evs_cli_convert, evs_cli_usage_convert},
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
    *status =
        evs_cli_usage_error(NULL, usage_main, "unknown command '%s'", name);
  return NULL;
}

static int dispatch(int argc, char **argv) {
  static const struct option lo[] = {{"help", no_argument, NULL, 'h'},
                                     {"version", no_argument, NULL, 'V'},
                                     {NULL, 0, NULL, 0}};
  int o, status = EVS_CLI_USAGE;
  /* '+': the options before the command only */
  evs_cli_getopt_reset();
  while ((o = getopt_long(argc, argv, "+:hV", lo, NULL)) != -1) {
    switch (o) {
    case 'h': fputs(usage_main, stdout); return EVS_CLI_OK;
    case 'V': printf("evsnn %s\n", evs_version()); return EVS_CLI_OK;
    default: return evs_cli_bad_option(o, argv, lo, NULL, usage_main);
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
  return EVS_CLI_OK;
}

int main(int argc, char **argv) {
  errno = 0;
  return stdout_checked(dispatch(argc, argv));
}
