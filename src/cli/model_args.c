/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn's command line: the options of run, resume and check, and the
 * model they name (model_args.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "model_args.h"

static const char *prog = "evsnn";

/* Parses a time > 0 of option opt into *out: -1 (go on) or a usage error's
 * status. */
static int time_option(const char *cmd, const char *usage, const char *opt,
                       const char *v, double *out) {
  char why[128];
  if (evs_unit_parse(v, EVS_DIM_TIME, out, why, sizeof why) != EVS_OK ||
      !(*out > 0) || *out > 1e15)
    return evs_cli_usage_error(cmd, usage, "%s needs a time > 0, got '%s'", opt,
                               v);
  return -1;
}

int evs_cli_parse_opts(int argc, char **argv, evs_cli_opts *c, int is_run,
                       const char *usage) {
  enum {
    OPT_SEED = 256,
    OPT_SET,
    OPT_FORCE,
    OPT_PROGRESS,
    OPT_THREADS,
    OPT_CKPT,
    OPT_UNTIL
  };
  static const struct option run_opts[] = {
      {"output", required_argument, NULL, 'o'},
      {"seed", required_argument, NULL, OPT_SEED},
      {"threads", required_argument, NULL, OPT_THREADS},
      {"set", required_argument, NULL, OPT_SET},
      {"quiet", no_argument, NULL, 'q'},
      {"force", no_argument, NULL, OPT_FORCE},
      {"progress-interval", required_argument, NULL, OPT_PROGRESS},
      {"checkpoint-every", required_argument, NULL, OPT_CKPT},
      {"until", required_argument, NULL, OPT_UNTIL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  static const struct option resume_opts[] = {
      {"threads", required_argument, NULL, OPT_THREADS},
      {"quiet", no_argument, NULL, 'q'},
      {"progress-interval", required_argument, NULL, OPT_PROGRESS},
      {"checkpoint-every", required_argument, NULL, OPT_CKPT},
      {"until", required_argument, NULL, OPT_UNTIL},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  static const struct option check_opts[] = {
      {"set", required_argument, NULL, OPT_SET},
      {"force", no_argument, NULL, OPT_FORCE},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  /* is_run: 1 run, 2 resume, 0 check */
  const struct option *lo = is_run == 2 ? resume_opts
                            : is_run    ? run_opts
                                        : check_opts;
  const char *cmd = argv[0];
  c->sets = calloc((size_t)argc, sizeof *c->sets);
  if (!c->sets) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return EVS_CLI_ERR;
  }
  evs_cli_getopt_reset();
  int o;
  const char *shorts = is_run == 1 ? ":ho:q" : is_run ? ":hq" : ":h";
  while ((o = getopt_long(argc, argv, shorts, lo, NULL)) != -1) {
    const char *v = optarg;
    switch (o) {
    case 'h': fputs(usage, stdout); return EVS_CLI_OK;
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
    case OPT_THREADS: { /* checked with the model, as [simulation] threads */
      size_t n = strlen(v) + sizeof "simulation.threads=";
      char *set = malloc(n);
      if (!set) {
        fprintf(stderr, "%s: out of memory\n", prog);
        return EVS_CLI_ERR;
      }
      snprintf(set, n, "simulation.threads=%s", v);
      if (c->threads) { /* the last --threads counts */
        c->sets[c->threads_at] = set;
        free(c->threads);
      } else {
        c->threads_at = c->n_sets;
        c->sets[c->n_sets++] = set;
      }
      c->threads = set;
      break;
    }
    case 'q': c->quiet = 1; break;
    case OPT_FORCE: c->force = 1; break;
    case OPT_PROGRESS: {
      int rc = time_option(cmd, usage, "--progress-interval", v,
                           &c->progress_interval);
      if (rc >= 0) return rc;
      break;
    }
    case OPT_CKPT: {
      int rc = time_option(cmd, usage, "--checkpoint-every", v, &c->ckpt_every);
      if (rc >= 0) return rc;
      break;
    }
    case OPT_UNTIL: {
      int rc = time_option(cmd, usage, "--until", v, &c->until);
      if (rc >= 0) return rc;
      break;
    }
    default: return evs_cli_bad_option(o, argv, lo, cmd, usage);
    }
  }
  if (optind < argc) c->model = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error(cmd, usage, "unexpected argument '%s'",
                               argv[optind]);
  return -1;
}

/* Loads the model of c (or the demo); prints the error and returns NULL. */
evs_model *evs_cli_load(const evs_cli_opts *c) {
  evs_model_opts mo = {c->sets, c->n_sets, c->seed_set, c->seed, c->force};
  evs_model *m = NULL;
  evs_error err;
  evs_error_clear(&err);
  int rc = c->model ? evs_model_load_file(c->model, &mo, &m, &err)
                    : evs_model_load_string(evs_model_default_demo(), "demo",
                                            &mo, &m, &err);
  if (rc != EVS_OK) {
    fprintf(stderr, "%s\n", err.msg[0] ? err.msg : evs_strerror(rc));
    return NULL;
  }
  return m;
}
