/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn run and evsnn resume (run.h): the program's side of a run —
 * progress, SIGINT/SIGTERM, checkpoints and the bytes to resume from them,
 * --until, the summary and the exit status. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <evsnn/evsnn.h>

#include "args.h"
#include "interrupt.h"
#include "model_args.h"
#include "resume.h"
#include "run.h"

static const char *prog = "evsnn";

const char evs_cli_usage_run[] =
    "Usage: evsnn run [MODEL] [-o DIR] [--seed N] [--threads N|auto] "
    "[--set SECTION.KEY=VALUE]...\n"
    "                 [-q] [--force] [--progress-interval T] [--until T] ...\n"
    "\n"
    "Simulates MODEL (an INI model file; without one, the built-in demo) and\n"
    "writes its output files into DIR.\n"
    "\n"
    "  -o, --output=DIR        output folder (default: out/<model name>)\n"
    "      --seed=N            random seed (overrides [simulation] seed)\n"
    "      --threads=N|auto    run on N threads, or one per core (overrides\n"
    "                          [simulation] threads; default 1); the output\n"
    "                          is the same for any N\n"
    "      --set=SECTION.KEY=VALUE\n"
    "                          override a model value, e.g. --set "
    "E.tau_m=10ms\n"
    "                          or --set simulation.duration=2s (repeatable)\n"
    "  -q, --quiet             no progress and no summary\n"
    "      --progress-interval=TIME\n"
    "                          when standard error is not a terminal, a\n"
    "                          'progress: t = T s of D s' line in run.log\n"
    "                          every TIME of wall time (default 60 s)\n"
    "      --force             build a model whose synapses need more memory\n"
    "                          than the machine has (refused otherwise)\n"
    "      --checkpoint-every=TIME\n"
    "                          write DIR/checkpoint.evsnn every TIME of wall\n"
    "                          time (overrides [simulation] checkpoint_every)\n"
    "      --until=TIME        stop at simulated TIME with a checkpoint (the\n"
    "                          files cover [0, TIME)); evsnn resume DIR goes "
    "on\n"
    "  -h, --help              show this help\n"
    "  --                      end of the options (for a MODEL named '-...')\n"
    "\n"
    "Files written into DIR (POP a population, PROJ a projection):\n"
    "  run.log                 model, seed, start date, the files of the run\n"
    "                          (output: NAME), statistics; its last line\n"
    "                          'completed at t = T s' or 'stopped at ...'\n"
    "  summary.tsv             per population: neurons, spikes, rate_hz (a\n"
    "                          SuperSpike run adds loss_last, accuracy_last)\n"
    "  POP.ras                 spikes, 'time id' lines (s); neurons by "
    "default,\n"
    "                          sources with record_spikes = yes\n"
    "  POP.spk                 the same in binary, with [simulation]\n"
    "                          spike_format = bin (evsnn convert reads it)\n"
    "  spikes.h5               every population's spikes in one SONATA HDF5\n"
    "                          file, with spike_format = sonata\n"
    "  v_POP.tsv               membrane potentials (V) of the record_v "
    "neurons\n"
    "                          every record_interval (rates for a rate model)\n"
    "  VAR_POP.tsv             each other variable of record (gsyn_exc, ...)\n"
    "                          of the record_neurons, SI units\n"
    "  PROJ.weights.tsv        weight statistics, every record_weights\n"
    "  PROJ.synapses.tsv       every weight, every record_synapses\n"
    "  PROJ_<T>ms.mtx          every weight at each time T of record_matrix\n"
    "                          (Matrix Market)\n"
    "and a SuperSpike run ([superspike] section):\n"
    "  learning.tsv            per trial: loss (1/s), spikes, accuracy, "
    "t_end,\n"
    "                          r0 (0 during the burn-in)\n"
    "  OUT_target.ras          the output population's targets, one period\n"
    "  POP_trial<N>.ras        each learning population's spikes in trial N\n"
    "                          of record_trials (times from the trial's "
    "start)\n"
    "  outputs.tsv             per output neuron: targets, accuracy over the\n"
    "                          run's last 100 trials\n"
    "  checkpoint.evsnn        the run's whole state (--checkpoint-every,\n"
    "                          --until, an interruption); evsnn resume DIR\n"
    "Each file is written as NAME.part and renamed when the run's output is\n"
    "complete. evsnn plot DIR adds the figures (see evsnn help plot).\n"
    "\n"
    "A population with rate_min and rate_max stops the run when its filtered\n"
    "rate leaves that band: the files cover the time run, 'stopped at t = T "
    "s:\n"
    "...' is printed (even with -q) and the exit status is 0.\n"
    "SIGINT or SIGTERM stops the run before its next event: the files cover "
    "the\n"
    "time run, a checkpoint is written, run.log ends 'stopped at t = T s:\n"
    "interrupted (SIGINT)', and the exit status is 130 (SIGTERM: 143); evsnn\n"
    "resume DIR continues the run. A second signal ends evsnn at once and\n"
    "removes its part files (kept when a checkpoint in DIR needs them).\n";

const char evs_cli_usage_resume[] =
    "Usage: evsnn resume DIR [--until TIME] [--checkpoint-every TIME] [-q]\n"
    "                    [--threads N|auto] [--progress-interval TIME]\n"
    "\n"
    "Continues the run whose output folder is DIR from DIR/checkpoint.evsnn\n"
    "(written by evsnn run's --checkpoint-every or --until, or at an\n"
    "interruption): loads the same model file (which must not have changed)\n"
    "with the same --set overrides and seed, cuts DIR's files back to the\n"
    "checkpoint and runs on to the model's duration. The files are then those\n"
    "of a run that was never stopped, byte for byte (but run.log's dates and\n"
    "times). A corrupt, truncated or foreign checkpoint is refused.\n"
    "\n"
    "      --until=TIME        stop again at simulated TIME with a checkpoint\n"
    "      --checkpoint-every=TIME\n"
    "                          a checkpoint every TIME of wall time (default:\n"
    "                          as the run that wrote the checkpoint)\n"
    "      --threads=N|auto    run on N threads (default: as the run that\n"
    "                          wrote the checkpoint); a checkpoint of any\n"
    "                          number of threads resumes on any other, with\n"
    "                          the same files\n"
    "  -q, --quiet             no progress and no summary\n"
    "      --progress-interval=TIME\n"
    "                          as for evsnn run\n"
    "  -h, --help              show this help\n";

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
  if (st.wall_run > 0 && dur > 0) /* a factor >= 1 either way */
    printf(" (%.3gx %s than real time)",
           dur >= st.wall_run ? dur / st.wall_run : st.wall_run / dur,
           dur >= st.wall_run ? "faster" : "slower");
  printf("\noutput: %s\n", outdir);
}

/* dir/name (malloc'd), or NULL. */
static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s/%s", dir, name);
  return s;
}

/* The checkpoint file of a run into dir. */
#define CHECKPOINT_FILE "checkpoint.evsnn"

/* Runs m's net, started anew or resumed from its checkpoint, to its
 * duration; with until (s, 0: none) before it, stops there with a
 * checkpoint and completes the files up to until. Returns the library's
 * status (EVS_ESTOPPED: a stop with the reason in err). */
static int run_net(evs_model *m, int resume, double until, evs_error *err) {
  int st = resume ? evs_net_resume(m->net, &m->run, err)
                  : evs_net_start(m->net, &m->run, err);
  if (st) return st;
  double end = until > 0 && until < m->run.duration ? until : m->run.duration;
  st = evs_net_run_until(m->net, end, err);
  if (st && st != EVS_ESTOPPED) return st;
  if (st == EVS_OK && end < m->run.duration &&
      (st = evs_net_checkpoint(m->net, err))) {
    evs_error ignored; /* the files up to until, all the same */
    evs_error_clear(&ignored);
    evs_net_finish(m->net, &ignored);
    return st;
  }
  return evs_net_finish(m->net, err);
}

/* Readies the run of m into outdir as c asks: progress, interruption,
 * checkpoints in outdir/checkpoint.evsnn (meta: the bytes to resume it;
 * NULL: made from c). Returns -1 (go on) or an exit status. */
static int ready_run(evs_model *m, const evs_cli_opts *c, const char *outdir,
                     double every, const void *meta, size_t meta_len) {
  m->run.outdir = outdir;
  /* a terminal gets the progress line; a batch run's run.log progress
   * lines, to watch it */
  m->run.progress = isatty(STDERR_FILENO) ? !c->quiet : 2;
  m->run.progress_interval = c->progress_interval;
  m->run.interrupt = &evs_cli_interrupted;
  evs_cli_catch_interruptions(outdir); /* a second signal removes its parts */
  char *path = path_in(outdir, CHECKPOINT_FILE), *made = NULL;
  size_t len = meta_len;
  int asked = every > 0 || c->until > 0;
  if (!path) {
    fprintf(stderr, "%s: out of memory\n", prog);
    return EVS_CLI_ERR;
  }
  if (!meta && evs_cli_resume_make(c->model, c->sets, c->n_sets, c->force,
                                   every, &made, &len) == 0)
    meta = made;
  else if (!meta && asked)
    fprintf(stderr,
            "%s: %s: cannot be kept for the checkpoint (%s; a model file of "
            "at most 512 KiB can)\n",
            prog, c->model ? c->model : "the demo", strerror(errno));
  int rc = -1;
  if (meta) {
    evs_error err;
    evs_error_clear(&err);
    if (evs_net_set_checkpoint(m->net, path, every, meta, len, &err)) {
      fprintf(stderr, "%s: %s\n", prog, err.msg);
      rc = EVS_CLI_ERR;
    }
  } else if (asked) { /* said above */
    rc = EVS_CLI_ERR;
  }
  free(made);
  free(path);
  return rc;
}

/* The end of a run of m into outdir with status st: the summary, the
 * messages and the exit status. */
static int run_ended(evs_model *m, const evs_cli_opts *c, const char *outdir,
                     int st, const evs_error *err) {
  /* a run stopped by its rate check is a result, not a failure */
  if (st != EVS_OK && st != EVS_ESTOPPED) {
    fprintf(stderr, "%s: %s\n", prog,
            err->msg[0] ? err->msg : evs_strerror(st));
    return EVS_CLI_ERR;
  }
  /* on several ranks, rank 0 speaks for them */
  if (!c->quiet && evs_net_rank(m->net, NULL) == 0) print_summary(m, outdir);
  char *path = path_in(outdir, CHECKPOINT_FILE);
  int saved = path && access(path, F_OK) == 0;
  free(path);
  if (st == EVS_ESTOPPED && evs_cli_interrupted) {
    /* complete outputs up to the stop; the status says it was cut short */
    fprintf(stderr, "%s: %s\n", prog, err->msg);
    if (saved)
      fprintf(stderr, "%s: 'evsnn resume %s' continues the run\n", prog,
              outdir);
    return 128 + evs_cli_interrupted;
  }
  if (st == EVS_ESTOPPED && evs_net_rank(m->net, NULL) == 0)
    printf("%s\n", err->msg);
  evs_run_stats stats;
  evs_net_stats(m->net, &stats);
  if (c->until > 0 && stats.t_end < m->run.duration && saved &&
      evs_net_rank(m->net, NULL) == 0)
    printf("stopped at t = %.9g s with a checkpoint: 'evsnn resume %s' "
           "continues the run\n",
           stats.t_end, outdir);
  return EVS_CLI_OK;
}

/* Runs m (resumed from its checkpoint, or started) into outdir as c asks,
 * checkpoints every `every` s of wall time (meta: the bytes to resume it;
 * NULL: made from c): readied, run, its end reported. Returns the exit
 * status. */
static int run_into(evs_model *m, const evs_cli_opts *c, const char *outdir,
                    double every, const void *meta, size_t meta_len,
                    int resume) {
  int rc = ready_run(m, c, outdir, every, meta, meta_len);
  if (rc >= 0) return rc;
  evs_error err;
  evs_error_clear(&err);
  int st = run_net(m, resume, c->until, &err);
  return run_ended(m, c, outdir, st, &err);
}

/* The end of a command with exit status rc: standard output flushed (a
 * failure to write it fails a command that had succeeded), m and c's lists
 * freed (the caller frees the rest after). Returns the exit status. */
static int command_done(int rc, evs_model *m, evs_cli_opts *c) {
  if (fflush(stdout) != 0 && rc == EVS_CLI_OK) {
    fprintf(stderr, "%s: writing to standard output: %s\n", prog,
            strerror(errno));
    rc = EVS_CLI_ERR;
  }
  evs_model_free(m);
  free(c->sets);
  free(c->threads);
  return rc;
}

int evs_cli_run(int argc, char **argv) {
  evs_cli_opts c = {0};
  char *defdir = NULL;
  evs_model *m = NULL;
  int rc = evs_cli_parse_opts(argc, argv, &c, 1, evs_cli_usage_run);
  if (rc >= 0) goto done;
  rc = EVS_CLI_ERR;
  evs_cli_catch_interruptions(NULL);
  if (!(m = evs_cli_load(&c))) goto done;
  const char *outdir = c.outdir;
  if (!outdir) {
    size_t n = strlen(m->name) + 5;
    if (!(defdir = malloc(n))) goto done;
    snprintf(defdir, n, "out/%s", m->name);
    outdir = defdir;
  }
  double every = c.ckpt_every > 0 ? c.ckpt_every : m->checkpoint_every;
  rc = run_into(m, &c, outdir, every, NULL, 0, 0);
done:
  rc = command_done(rc, m, &c);
  free(defdir);
  return rc;
}

int evs_cli_resume(int argc, char **argv) {
  evs_cli_opts c = {0};
  evs_model *m = NULL;
  evs_checkpoint_info info = {0};
  evs_cli_resume_info r = {0};
  char *path = NULL;
  const char **sets = NULL;
  int rc = evs_cli_parse_opts(argc, argv, &c, 2, evs_cli_usage_resume);
  if (rc >= 0) goto done;
  rc = EVS_CLI_ERR;
  if (!c.model) {
    rc = evs_cli_usage_error("resume", evs_cli_usage_resume,
                             "resume needs the run's folder DIR");
    goto done;
  }
  const char *dir = c.model;
  if (!(path = path_in(dir, CHECKPOINT_FILE))) goto done;
  evs_error err;
  evs_error_clear(&err);
  if (evs_checkpoint_info_read(path, &info, &err)) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  if (evs_cli_resume_parse(info.meta, info.meta_len, &r)) {
    fprintf(stderr,
            "%s: %s: a checkpoint that evsnn run did not write (a program's "
            "own: resume it with evs_net_resume)\n",
            prog, path);
    goto done;
  }
  if (!evs_cli_resume_same_model(&r)) goto done;
  evs_cli_catch_interruptions(NULL);
  /* the run's overrides, then --threads (the last one counts) */
  if (!(sets = calloc(r.n_sets + 1, sizeof *sets))) goto done;
  memcpy(sets, r.sets, r.n_sets * sizeof *sets);
  if (c.threads) sets[r.n_sets] = c.threads;
  evs_cli_opts lc = {.model = *r.model ? r.model : NULL,
                     .sets = sets,
                     .n_sets = r.n_sets + (c.threads != NULL),
                     .seed_set = 1,
                     .seed = info.seed,
                     .force = r.force};
  if (!(m = evs_cli_load(&lc))) goto done;
  double every = c.ckpt_every > 0 ? c.ckpt_every : r.every;
  rc = run_into(m, &c, dir, every, info.meta, info.meta_len, 1);
done:
  rc = command_done(rc, m, &c);
  evs_cli_resume_free(&r);
  free(info.meta);
  free(path);
  free(sets);
  return rc;
}
