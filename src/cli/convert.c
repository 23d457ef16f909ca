/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn convert — evsnn's binary spike file (<population>.spk, written with
 * spike_format = bin) as the .ras text the same run writes with
 * spike_format = ras, byte for byte: the same header comments and one
 * "%.9f %u" line per spike. Reads a bounded number of records at a time, so
 * a file of any length converts in constant memory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <evsnn/evsnn.h>

#include "args.h"
#include "convert.h"

const char evs_cli_usage_convert[] =
    "Usage: evsnn convert FILE.spk [-o OUT.ras]\n"
    "\n"
    "Writes a binary spike file (spike_format = bin) as a .ras text raster,\n"
    "the same bytes a run with spike_format = ras writes: header comments\n"
    "(model, population, size), then 'time id' per spike (time in s).\n"
    "Checks the file: its header, whole records, times in order, ids below\n"
    "the population's size.\n"
    "\n"
    "  -o, --output=FILE       write there (default: standard output)\n"
    "  -h, --help              show this help\n";

int evs_cli_convert(int argc, char **argv) {
  static const struct option lo[] = {{"output", required_argument, NULL, 'o'},
                                     {"help", no_argument, NULL, 'h'},
                                     {NULL, 0, NULL, 0}};
  const char *out_path = NULL;
  int o;
  evs_cli_getopt_reset();
  while ((o = getopt_long(argc, argv, ":ho:", lo, NULL)) != -1) {
    switch (o) {
    case 'h': fputs(evs_cli_usage_convert, stdout); return EVS_CLI_OK;
    case 'o':
      if (!*optarg)
        return evs_cli_usage_error("convert", evs_cli_usage_convert,
                                   "-o needs a file name");
      out_path = optarg;
      break;
    default:
      return evs_cli_bad_option(o, argv, lo, "convert", evs_cli_usage_convert);
    }
  }
  if (optind >= argc)
    return evs_cli_usage_error("convert", evs_cli_usage_convert,
                               "convert needs a spike file");
  const char *in_path = argv[optind++];
  if (optind < argc)
    return evs_cli_usage_error("convert", evs_cli_usage_convert,
                               "unexpected argument '%s'", argv[optind]);

  FILE *out = stdout;
  if (out_path && !(out = fopen(out_path, "w"))) {
    fprintf(stderr, "evsnn: %s: %s\n", out_path, strerror(errno));
    return EVS_CLI_ERR;
  }
  evs_error err;
  evs_error_clear(&err);
  int rc = EVS_CLI_OK;
  if (evs_cli_spk_to_ras(in_path, out, &err) != EVS_OK) {
    fprintf(stderr, "evsnn: %s\n", err.msg);
    rc = EVS_CLI_ERR;
  } else if (out != stdout && (fflush(out) != 0 || ferror(out))) {
    fprintf(stderr, "evsnn: %s: %s\n", out_path, strerror(errno));
    rc = EVS_CLI_ERR;
  }
  if (out != stdout && fclose(out) != 0 && rc == EVS_CLI_OK) {
    fprintf(stderr, "evsnn: %s: %s\n", out_path, strerror(errno));
    rc = EVS_CLI_ERR;
  }
  if (rc != EVS_CLI_OK && out != stdout) remove(out_path);
  return rc;
}

int evs_cli_spk_to_ras(const char *in_path, FILE *out, evs_error *err) {
  evs_spike_file_info info;
  evs_spike_reader *r = NULL;
  int rc = evs_spike_reader_open(&r, in_path, &info, err);
  if (rc != EVS_OK) return rc;
  fprintf(out,
          "# evsnn spike raster\n# model: %s\n# population: %s\n"
          "# size: %u\n# time [s] id\n",
          info.model, info.population, (unsigned)info.size);
  evs_spike buf[1024];
  size_t got;
  for (;;) {
    if ((rc = evs_spike_reader_next(r, buf, 1024, &got, err)) != EVS_OK) break;
    if (!got) break;
    for (size_t i = 0; i < got; i++)
      fprintf(out, "%.9f %u\n", buf[i].t, (unsigned)buf[i].id);
  }
  evs_spike_reader_close(r);
  return rc;
}
