/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — rate populations: RateGaussian, RateConstant, RateLinear (rate.h).
 *
 * Each keeps its rates r[0..size) (dimensionless) and steps on its clock;
 * none ever spikes (spike recording is switched off at init).
 *
 * RateGaussian draws r(t_k) = mean + L z_k at every step k >= 1 (r = mean
 * before the first step), with C = L L^T the covariance:
 *  - `covariance` (a file with size x size numbers) gives C directly: L is
 *    its Cholesky factor, O(size^2) per step;
 *  - otherwise C_ij = sd_i sd_j (i == j ? 1 : corr). For corr >= 0 that is a
 *    shared factor, r_i = mean_i + sd_i (sqrt(corr) z_s + sqrt(1 - corr)
 *    z_i), O(size) per step; for corr < 0 (at least -1/(size - 1)) the
 *    Cholesky factor of C is used.
 * z_i comes from stream (seed, population, i, EVS_RNG_INPUT), the shared
 * z_s from neuron index `size`; mean_i then sd_i are drawn once from stream
 * (seed, population, i, EVS_RNG_INIT). So the inputs do not depend on the
 * order of anything.
 *
 * Between the phases of a run RateGaussian's mean, sd and corr and
 * RateConstant's amplitude may change (from the next step on; a constant's
 * rates at once); dt, the clock, may not, nor anything of RateLinear.
 *
 * RateLinear: y = sum over incoming projections of +-W x (rate.h), then the
 * projections' rules' on_rate handlers with the same x and y, in projection
 * creation order. Cost per step: O(synapses). Before the first step y is
 * W x of the initial rates (populations created after it count as 0). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "neurons/rate.h"
#include "base/checks.h"

/* State of every rate type; r first so that evs__rate_values reads any. */
typedef struct rate_state {
  double *r; /* [size] current rates */
  /* RateGaussian */
  evs_rng *rng;      /* [size + 1] input streams, the last one shared */
  double *mean, *sd; /* [size] */
  double *l;         /* [size * size] Cholesky factor, or NULL (shared
                        factor mode) */
  double *z;         /* [size] scratch normals */
  double a, b;       /* shared factor mode: sqrt(corr), sqrt(1 - corr) */
  /* RateLinear */
  evs_proj **in; /* [n_in] incoming projections, creation order */
  uint32_t n_in;
} rate_state;

/* ---- shared -------------------------------------------------------------- */

int evs__rate_is_rate_type(const evs_neuron_type *type) {
  return type == &evs__rate_gaussian || type == &evs__rate_constant ||
         type == &evs__rate_linear;
}

const double *evs__rate_values(const evs_pop *pop) {
  if (!evs__rate_is_rate_type(pop->type) || !pop->state) return NULL;
  return ((const rate_state *)pop->state)->r;
}

int evs__rate_cholesky(const double *c, double *l, uint32_t n) {
  double dmax = 0;
  for (uint32_t i = 0; i < n; i++)
    dmax = fmax(dmax, fabs(c[(size_t)i * n + i]));
  double tol = 1e-10 * (dmax > 0 ? dmax : 1);
  memset(l, 0, (size_t)n * n * sizeof *l);
  for (uint32_t j = 0; j < n; j++) {
    double d = c[(size_t)j * n + j];
    const double *lj = l + (size_t)j * n;
    for (uint32_t k = 0; k < j; k++) d -= lj[k] * lj[k];
    if (d < -tol) return -1;
    double ljj = d > tol ? sqrt(d) : 0;
    l[(size_t)j * n + j] = ljj;
    for (uint32_t i = j + 1; i < n; i++) {
      double s = c[(size_t)i * n + j];
      for (uint32_t k = 0; k < j; k++) s -= l[(size_t)i * n + k] * lj[k];
      if (ljj > 0)
        l[(size_t)i * n + j] = s / ljj;
      else if (fabs(s) > tol)
        return -1; /* zero pivot, non-zero column */
    }
  }
  return 0;
}

static void rate_destroy(evs_pop *pop) {
  rate_state *s = pop->state;
  if (!s) return;
  free(s->r);
  free(s->rng);
  free(s->mean);
  free(s->sd);
  free(s->l);
  free(s->z);
  free(s->in);
  free(s);
  pop->state = NULL;
}

static double rate_voltage(evs_pop *pop, uint32_t id, double t) {
  (void)t;
  return ((const rate_state *)pop->state)->r[id];
}

/* Rate populations take no spikes (RateLinear's init refuses spiking
 * inputs), so nothing is ever delivered. */
static void rate_deliver(evs_pop *pop, double t, int receptor,
                         const uint32_t *target, const float *weight,
                         float shared, size_t n) {
  (void)pop, (void)t, (void)receptor, (void)target, (void)weight, (void)shared,
      (void)n;
}

/* Says that err is about projection p (the model reader reports it at the
 * projection's key); returns rc. */
static int proj_fail(evs_error *err, const evs_proj *p, int rc) {
  evs_error_about(err, EVS_ABOUT_PROJECTION, (int)p->index);
  return rc;
}

/* Allocates the state with its rates; checks dt and that every outgoing
 * projection goes into a RateLinear. */
static int rate_start(evs_pop *pop, int dt_index, evs_error *err) {
  double dt = pop->par[dt_index];
  /* a step below 1 us (NEST's tic) makes any run endless */
  if (!(dt >= 0) || !isfinite(dt) || (dt > 0 && dt < 1e-6)) {
    evs_error_set(err, EVS_EINVAL, NULL, 0,
                  "population %s: dt must be 0 (the resolution) or at least "
                  "1 us, got %g s",
                  pop->name, dt);
    evs_error_key(err, "dt");
    return EVS_EINVAL;
  }
  for (uint32_t k = 0; k < pop->n_out; k++) {
    const evs_proj *p = pop->net->proj[pop->out[k]];
    if (p->post->type != &evs__rate_linear)
      return proj_fail(
          err, p,
          evs__error_key_set(err, EVS_EINVAL, "post",
                             "projection %s: the rate population %s can only "
                             "project to a RateLinear population (%s is %s)",
                             p->name, pop->name, p->post->name,
                             p->post->type->name));
  }
  rate_state *s = calloc(1, sizeof *s);
  if (!s || !(s->r = calloc(pop->size, sizeof *s->r))) {
    free(s);
    return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  }
  pop->state = s;
  return EVS_OK;
}

/* Rate populations take dimensionless weights only. */
static double no_weights(const evs_pop *pop, evs_dim dim) {
  (void)pop, (void)dim;
  return 0;
}

static double rate_weights(const evs_pop *pop, evs_dim dim) {
  (void)pop;
  return dim == EVS_DIM_NONE ? 1.0 : 0.0;
}

/* check_change's refusal of a rate population's step dt (parameter k):
 * it sets the population's clock. EVS_EINVAL at key dt. */
static int rate_dt_fixed(const evs_pop *next, int k, evs_error *err) {
  return evs__bad_param(next, k,
                        "sets the population's clock: it cannot change once "
                        "the net is built",
                        err);
}

/* ---- RateGaussian -------------------------------------------------------- */

enum { G_MEAN, G_SD, G_CORR, G_COV, G_DT, G_N_PARAMS };

static const evs_param_def gaussian_params[G_N_PARAMS] = {
    [G_MEAN] = {"mean", EVS_DIM_NONE, 0.0, EVS_PARAM_PER_NEURON,
                "mean of each rate"},
    [G_SD] = {"sd", EVS_DIM_NONE, 1.0, EVS_PARAM_PER_NEURON,
              "standard deviation of each rate (ignored with covariance)"},
    [G_CORR] = {"corr", EVS_DIM_NONE, 0.0, EVS_PARAM_CONST,
                "correlation of every pair of rates, in [-1/(size-1), 1] "
                "(ignored with covariance)"},
    [G_COV] = {"covariance", EVS_DIM_NONE, 0.0, EVS_PARAM_PATH,
               "file of size x size numbers (row by row): the covariance "
               "matrix, symmetric positive semidefinite"},
    [G_DT] = {"dt", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
              "step: a new sample every dt (0: the resolution)"},
};

/* Reads n * n numbers (white space or commas between them, '#' starts a
 * comment) from path into c. path must be a regular file (a device such as
 * /dev/zero never ends); lines may be of any length. */
static int read_matrix(const evs_pop *pop, const char *path, double *c,
                       uint32_t n, evs_error *err) {
  FILE *f = fopen(path, "r");
  if (!f)
    return evs_error_set(err, EVS_EIO, NULL, 0,
                         "population %s: cannot open covariance '%s': %s",
                         pop->name, path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return evs_error_set(err, EVS_EIO, path, 0,
                         "population %s: covariance: not a regular file",
                         pop->name);
  }
  size_t want = (size_t)n * n, got = 0, cap = 0;
  char *line = NULL;
  ssize_t len;
  int rc = EVS_OK, lineno = 0;
  errno = 0;
  while (rc == EVS_OK && (len = getline(&line, &cap, f)) != -1) {
    lineno++;
    if (memchr(line, '\0', (size_t)len)) {
      rc = evs_error_set(err, EVS_EINVAL, path, lineno,
                         "population %s: covariance: NUL byte in the line",
                         pop->name);
      break;
    }
    char *hash = strchr(line, '#');
    if (hash) *hash = '\0';
    char *p = line;
    for (;;) {
      while (isspace((unsigned char)*p) || *p == ',') p++;
      if (!*p) break;
      char *end;
      double v = strtod(p, &end);
      if (end == p || !isfinite(v)) {
        rc = evs_error_set(err, EVS_EINVAL, path, lineno,
                           "population %s: covariance: not a number: '%.20s'",
                           pop->name, p);
        break;
      }
      if (got == want) {
        rc = evs_error_set(err, EVS_EINVAL, path, lineno,
                           "population %s: covariance: more than %u x %u "
                           "numbers",
                           pop->name, n, n);
        break;
      }
      c[got++] = v;
      p = end;
    }
  }
  free(line);
  /* getline also fails without an error on the stream (out of memory): only
   * the end of the file ends the matrix well */
  if (rc == EVS_OK && (ferror(f) || !feof(f)))
    rc = evs_error_set(err, EVS_EIO, path, lineno + 1,
                       "population %s: cannot read covariance '%s': %s",
                       pop->name, path, strerror(errno ? errno : EIO));
  fclose(f);
  if (rc == EVS_OK && got != want)
    rc = evs_error_set(err, EVS_EINVAL, path, 0,
                       "population %s: covariance: %zu numbers, expected "
                       "%u x %u = %zu",
                       pop->name, got, n, n, want);
  for (uint32_t i = 0; rc == EVS_OK && i < n; i++)
    for (uint32_t j = 0; j < i; j++) {
      double x = c[(size_t)i * n + j], y = c[(size_t)j * n + i];
      if (fabs(x - y) > 1e-12 * fmax(fabs(x), fabs(y))) {
        rc = evs_error_set(err, EVS_EINVAL, path, 0,
                           "population %s: covariance is not symmetric "
                           "(C[%u][%u] = %g, C[%u][%u] = %g)",
                           pop->name, i + 1, j + 1, x, j + 1, i + 1, y);
        break;
      }
    }
  return rc;
}

/* What follows from pop's parameters: each neuron's mean and sd (its
 * values set per neuron, or drawn once from (seed, population, i,
 * EVS_RNG_INIT): evs__pop_value), and the covariance's
 * factor: sqrt(corr) and sqrt(1 - corr) (shared factor mode) or the
 * Cholesky factor of the file's or of sd and corr's matrix (mean and sd
 * allocated by the caller). EVS_OK or an error at the key at fault. */
static int gaussian_derive(const evs_pop *pop, rate_state *s, evs_error *err) {
  uint32_t n = pop->size;
  double corr = pop->par[G_CORR];
  const char *cov = pop->path[G_COV];
  int rc = EVS_OK;
  for (uint32_t i = 0; i < n; i++) {
    evs_rng r;
    evs_rng_init(&r, pop->seed, pop->index, i, EVS_RNG_INIT);
    s->mean[i] = evs__pop_value(pop, G_MEAN, i, &r);
    s->sd[i] = evs__pop_value(pop, G_SD, i, &r);
    if (!(s->sd[i] >= 0) && !cov)
      return evs__error_key_set(
          err, EVS_EINVAL, "sd",
          "population %s: sd must be >= 0, got %g for neuron "
          "%u",
          pop->name, s->sd[i], i);
  }
  if (!cov) {
    double lo = n > 1 ? -1.0 / (n - 1) : -1.0;
    if (!(corr >= lo && corr <= 1))
      return evs__error_key_set(err, EVS_EINVAL, "corr",
                                "population %s: corr must be in [%g, 1] for %u "
                                "neurons, got %g",
                                pop->name, lo, n, corr);
    if (corr >= 0) {
      s->a = sqrt(corr);
      s->b = sqrt(1 - corr);
      return EVS_OK;
    }
  }
  if ((uint64_t)n * n > (1u << 26))
    return evs__error_key_set(
        err, EVS_EINVAL, cov ? "covariance" : "corr",
        "population %s: a full covariance of %u neurons is "
        "too large (at most 8192)",
        pop->name, n);
  double *c = malloc((size_t)n * n * sizeof *c);
  s->l = malloc((size_t)n * n * sizeof *s->l);
  if (!c || !s->l) {
    free(c);
    goto nomem;
  }
  if (cov) {
    rc = read_matrix(pop, cov, c, n, err);
  } else {
    for (uint32_t i = 0; i < n; i++)
      for (uint32_t j = 0; j < n; j++)
        c[(size_t)i * n + j] = s->sd[i] * s->sd[j] * (i == j ? 1 : corr);
  }
  if (rc == EVS_OK && evs__rate_cholesky(c, s->l, n))
    rc = evs_error_set(err, EVS_EINVAL, cov, 0,
                       "population %s: the covariance is not positive "
                       "semidefinite",
                       pop->name);
  /* the matrix's fault: its file, or corr and sd */
  if (rc && rc != EVS_ENOMEM) evs_error_key(err, cov ? "covariance" : "corr");
  free(c);
  return rc;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

static int gaussian_init(evs_pop *pop, evs_error *err) {
  int rc = rate_start(pop, G_DT, err);
  if (rc) return rc;
  rate_state *s = pop->state;
  uint32_t n = pop->size;
  s->rng = calloc((size_t)n + 1, sizeof *s->rng);
  s->mean = calloc(n, sizeof *s->mean);
  s->sd = calloc(n, sizeof *s->sd);
  s->z = calloc(n, sizeof *s->z);
  if (!s->rng || !s->mean || !s->sd || !s->z) goto nomem;
  if ((rc = gaussian_derive(pop, s, err))) return rc;
  for (uint32_t i = 0; i < n; i++) {
    s->r[i] = s->mean[i];
    evs_rng_init(&s->rng[i], pop->seed, pop->index, i, EVS_RNG_INPUT);
  }
  evs_rng_init(&s->rng[n], pop->seed, pop->index, n, EVS_RNG_INPUT);
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

/* Before a change after the build (core/neuron_type.h): dt (the clock)
 * is refused with its key; mean, sd and corr are checked as init checks
 * them (gaussian_derive on a scratch state). */
static int gaussian_check_change(const evs_pop *next, int k, evs_error *err) {
  if (k == G_DT) return rate_dt_fixed(next, k, err);
  rate_state x = {0};
  x.mean = malloc((next->size ? next->size : 1) * sizeof *x.mean);
  x.sd = malloc((next->size ? next->size : 1) * sizeof *x.sd);
  int rc = x.mean && x.sd
               ? gaussian_derive(next, &x, err)
               : evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
  free(x.mean);
  free(x.sd);
  free(x.l);
  return rc;
}

/* mean, sd or corr changed (evs_neuron_type.change): the means, deviations
 * and the covariance's factor are derived anew and the steps after the
 * state time draw with them (the rates of the last step stay until the
 * next; the input streams go on). A value set to itself changes nothing.
 * EVS_OK or EVS_ENOMEM. */
static int gaussian_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)old, (void)k, (void)t;
  rate_state *s = pop->state;
  free(s->l);
  s->l = NULL;
  s->a = s->b = 0;
  return gaussian_derive(pop, s, NULL) ? EVS_ENOMEM : EVS_OK;
}

static int gaussian_tick(evs_pop *pop, double t) {
  (void)t;
  rate_state *s = pop->state;
  uint32_t n = pop->size;
  for (uint32_t j = 0; j < n; j++) s->z[j] = evs_rng_normal(&s->rng[j]);
  if (!s->l) {
    double zs = s->a > 0 ? s->a * evs_rng_normal(&s->rng[n]) : 0;
    for (uint32_t i = 0; i < n; i++)
      s->r[i] = s->mean[i] + s->sd[i] * (zs + s->b * s->z[i]);
    return EVS_OK;
  }
  for (uint32_t i = 0; i < n; i++) {
    const double *li = s->l + (size_t)i * n;
    double x = s->mean[i];
    for (uint32_t j = 0; j <= i; j++) x += li[j] * s->z[j];
    s->r[i] = x;
  }
  return EVS_OK;
}

/* The rates and, for RateGaussian, the input streams. */
static int rate_checkpoint(evs_pop *pop, evs_ckpt *ck) {
  rate_state *s = pop->state;
  evs_ckpt_fixed(ck, s->r, pop->size, sizeof *s->r);
  if (s->rng) evs_ckpt_fixed(ck, s->rng, pop->size + 1, sizeof *s->rng);
  return evs_ckpt_status(ck);
}

const evs_neuron_type evs__rate_gaussian = {
    .name = "RateGaussian",
    .kind = EVS_POP_CLOCKED,
    .params = gaussian_params,
    .n_params = G_N_PARAMS,
    .weight_scale = no_weights,
    .init = gaussian_init,
    .destroy = rate_destroy,
    .deliver = rate_deliver,
    .tick = gaussian_tick,
    .voltage = rate_voltage,
    .silent = 1, /* a rate population never spikes */
    .check_change = gaussian_check_change,
    .change = gaussian_change,
    .checkpoint = rate_checkpoint,
};

/* ---- RateConstant -------------------------------------------------------- */

enum { C_AMPLITUDE, C_DT, C_N_PARAMS };

static const evs_param_def constant_params[C_N_PARAMS] = {
    [C_AMPLITUDE] = {"amplitude", EVS_DIM_NONE, 1.0, EVS_PARAM_PER_NEURON,
                     "the constant rate of each neuron"},
    [C_DT] = {"dt", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
              "step (0: the resolution); the rate does not change"},
};

/* What follows from pop's parameters: each neuron's rate, its amplitude
 * (set per neuron, or drawn once from (seed, population, i,
 * EVS_RNG_INIT): evs__pop_value). */
static void constant_derive(const evs_pop *pop, rate_state *s) {
  for (uint32_t i = 0; i < pop->size; i++) {
    evs_rng r;
    evs_rng_init(&r, pop->seed, pop->index, i, EVS_RNG_INIT);
    s->r[i] = evs__pop_value(pop, C_AMPLITUDE, i, &r);
  }
}

static int constant_init(evs_pop *pop, evs_error *err) {
  int rc = rate_start(pop, C_DT, err);
  if (rc) return rc;
  constant_derive(pop, pop->state);
  return EVS_OK;
}

/* Before a change after the build: dt (the clock) is refused. */
static int constant_check_change(const evs_pop *next, int k, evs_error *err) {
  return k == C_DT ? rate_dt_fixed(next, k, err) : EVS_OK;
}

/* amplitude changed (evs_neuron_type.change): the rates are the new
 * amplitudes at once (what reads them after the phase's end sees them). */
static int constant_change(evs_pop *pop, const evs_pop *old, int k, double t) {
  (void)old, (void)k, (void)t;
  constant_derive(pop, pop->state);
  return EVS_OK;
}

static int constant_tick(evs_pop *pop, double t) {
  (void)pop, (void)t;
  return EVS_OK;
}

const evs_neuron_type evs__rate_constant = {
    .name = "RateConstant",
    .kind = EVS_POP_CLOCKED,
    .params = constant_params,
    .n_params = C_N_PARAMS,
    .weight_scale = no_weights,
    .init = constant_init,
    .destroy = rate_destroy,
    .deliver = rate_deliver,
    .tick = constant_tick,
    .voltage = rate_voltage,
    .silent = 1, /* a rate population never spikes */
    .check_change = constant_check_change,
    .change = constant_change,
    .checkpoint = rate_checkpoint,
};

/* ---- RateLinear ---------------------------------------------------------- */

enum { L_DT, L_N_PARAMS };

static const evs_param_def linear_params[L_N_PARAMS] = {
    [L_DT] = {"dt", EVS_DIM_TIME, 0.0, EVS_PARAM_CONST,
              "step (0: the resolution): y and the weights change every dt"},
};

/* y = sum over incoming projections of +-W x; presynaptic populations
 * without rates yet (not initialised) count as 0. */
static void linear_sum(evs_pop *pop) {
  rate_state *s = pop->state;
  double *y = s->r;
  memset(y, 0, pop->size * sizeof *y);
  for (uint32_t k = 0; k < s->n_in; k++) {
    const evs_proj *p = s->in[k];
    const evs_csr *m = p->csr;
    const double *x = evs__rate_values(p->pre);
    double sign = p->receptor == EVS_RECEPTOR_INH ? -1.0 : 1.0;
    if (!x) continue;
    for (uint32_t j = 0; j < m->n_pre; j++) {
      double xj = sign * x[j];
      for (uint64_t q = m->row_ptr[j]; q < m->row_ptr[j + 1]; q++)
        y[evs_csr_target(m, q)] += (double)evs_csr_weight(m, q) * xj;
    }
  }
}

static int linear_init(evs_pop *pop, evs_error *err) {
  int rc = rate_start(pop, L_DT, err);
  if (rc) return rc;
  rate_state *s = pop->state;
  evs_net *net = pop->net;
  for (uint32_t k = 0; k < net->nproj; k++) {
    evs_proj *p = net->proj[k];
    if (p->post != pop) continue;
    if (!evs__rate_is_rate_type(p->pre->type))
      return proj_fail(
          err, p,
          evs__error_key_set(err, EVS_EINVAL, "pre",
                             "projection %s: %s is a RateLinear population and "
                             "takes input from rate populations only (%s is "
                             "%s)",
                             p->name, pop->name, p->pre->name,
                             p->pre->type->name));
    if (p->rule && !p->rule->type->on_rate)
      return proj_fail(
          err, p,
          evs__error_key_set(err, EVS_EINVAL, "rule",
                             "projection %s: rule %s is a spike-timing rule; "
                             "rate populations learn with rate rules "
                             "(rate_hebb, rate_oja, rate_bcm)",
                             p->name, p->rule->type->name));
    evs_proj **in = realloc(s->in, (s->n_in + 1) * sizeof *in);
    if (!in) return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
    s->in = in;
    s->in[s->n_in++] = p;
  }
  linear_sum(pop); /* y before the first step, from the initial rates */
  return EVS_OK;
}

static int linear_tick(evs_pop *pop, double t) {
  rate_state *s = pop->state;
  const double *y = s->r;
  linear_sum(pop);
  for (uint32_t k = 0; k < s->n_in; k++) {
    evs_rule *pl = s->in[k]->rule;
    if (pl)
      pl->type->on_rate(pl, t, pop->tick, evs__rate_values(pl->proj->pre), y);
  }
  return EVS_OK;
}

const evs_neuron_type evs__rate_linear = {
    .name = "RateLinear",
    .kind = EVS_POP_CLOCKED,
    .params = linear_params,
    .n_params = L_N_PARAMS,
    .weight_scale = rate_weights,
    .init = linear_init,
    .destroy = rate_destroy,
    .deliver = rate_deliver,
    .tick = linear_tick,
    .voltage = rate_voltage,
    .silent = 1, /* a rate population never spikes */
    .checkpoint = rate_checkpoint,
};
