/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the registry of learning rules, and statistics of weights. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__) && defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "rules/plastic.h"
#include "registry.h"

/* Rules added by evs_rule_register, in the order they came. */
static const evs_rule_type **added;
static size_t n_added, cap_added;

/* Every rule's name, NULL-terminated: rebuilt by evs_rule_names when a
 * rule was added since. */
static const char **rule_names;
static size_t n_names;

/* The built-in rules first (src/registry.def), then the added ones. */
const evs_rule_type *evs__rule_type_find(const char *name) {
  for (size_t i = 0; i < evs__registry_n_rules; i++)
    if (strcmp(evs__registry_rules[i]->name, name) == 0)
      return evs__registry_rules[i];
  for (size_t i = 0; i < n_added; i++)
    if (strcmp(added[i]->name, name) == 0) return added[i];
  return NULL;
}

EVS_API int evs_rule_register(const evs_rule_type *type) {
  if (!type || !type->name || !type->name[0] || !type->init ||
      (type->n_params && !type->params))
    return EVS_EINVAL;
  int spike = type->on_pre && type->on_post, rate = type->on_rate != NULL;
  if (spike == rate) return EVS_EINVAL; /* exactly one of the two kinds */
  if (evs__rule_type_find(type->name)) return EVS_EEXIST;
  if (n_added == cap_added) {
    size_t cap = cap_added ? 2 * cap_added : 8;
    const evs_rule_type **a = realloc(added, cap * sizeof *a);
    if (!a) return EVS_ENOMEM;
    added = a;
    cap_added = cap;
  }
  added[n_added++] = type;
  return EVS_OK;
}

EVS_API int evs_rule_params(const char *rule, const evs_param_def **defs,
                            size_t *n) {
  const evs_rule_type *t = evs__rule_type_find(rule);
  if (!t) return EVS_ENOENT;
  if (defs) *defs = t->params;
  if (n) *n = t->n_params;
  return EVS_OK;
}

EVS_API const char *const *evs_rule_names(void) {
  static const char *none[] = {NULL}; /* when out of memory */
  size_t nb = evs__registry_n_rules, n = nb + n_added;
  if (rule_names && n_names == n) return rule_names;
  const char **names = realloc(rule_names, (n + 1) * sizeof *names);
  if (!names) return rule_names ? rule_names : none;
  for (size_t i = 0; i < nb; i++) names[i] = evs__registry_rules[i]->name;
  for (size_t i = 0; i < n_added; i++) names[nb + i] = added[i]->name;
  names[n] = NULL;
  rule_names = names;
  n_names = n;
  return rule_names;
}

EVS_API evs_csr *evs_rule_synapses(evs_rule *pl) { return pl->proj->csr; }

EVS_API const double *evs_rule_values(const evs_rule *pl) { return pl->par; }

EVS_API void *evs_rule_state(const evs_rule *pl) { return pl->state; }

EVS_API void evs_rule_set_state(evs_rule *pl, void *state) {
  pl->state = state;
}

EVS_API void evs_rule_set_clock(evs_rule *pl, double interval) {
  pl->clock = interval > 0 ? interval : 0;
}

EVS_API const char *evs_rule_projection(const evs_rule *pl) {
  return pl->proj->name;
}

int evs__rule_fail(const evs_rule *pl, evs_error *err, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return evs_error_set(err, EVS_EINVAL, NULL, 0, "projection %s: rule %s: %s",
                       pl->proj->name, pl->type->name, msg);
}

int evs__rule_check_set(const evs_rule *pl, evs_error *err) {
  const evs_rule_type *ty = pl->type;
  for (size_t i = 0; i < ty->n_params; i++) {
    if (isnan(pl->par[i]))
      return evs__rule_fail(pl, err, "parameter %s is required",
                            ty->params[i].name);
    if (!isfinite(pl->par[i]))
      return evs__rule_fail(pl, err, "parameter %s must be finite",
                            ty->params[i].name);
  }
  return EVS_OK;
}

int evs__rule_need_transpose(const evs_rule *pl, evs_error *err) {
  evs_csr *c = pl->proj->csr;
  if (!c)
    return evs_error_set(err, EVS_ESTATE, NULL, 0,
                         "projection %s: rule %s: synapses not built",
                         pl->proj->name, pl->type->name);
  int rc = c->post_ptr ? EVS_OK : evs_csr_build_transpose(c);
  if (rc)
    return evs_error_set(err, rc, NULL, 0,
                         "projection %s: rule %s: cannot build the transposed "
                         "index: %s",
                         pl->proj->name, pl->type->name, evs_strerror(rc));
  return EVS_OK;
}

/* The value of rule parameter name, or NAN when the rule has none. */
static double rule_param(const evs_rule *pl, const char *name) {
  for (size_t k = 0; k < pl->type->n_params; k++)
    if (strcmp(pl->type->params[k].name, name) == 0) return pl->par[k];
  return NAN;
}

/* The extremes of the n > 0 float weights w and how many lie at or below
 * lo and at or above hi (NaN: none), as a loop in order would find them
 * (min: the first weight of the smallest value, so a -0 or a +0 as it
 * comes first; likewise max). Float compares give what the weights'
 * doubles did: a float converts to double exactly. On x86-64, 4 lanes of
 * SSE2 (every lane's minimum equals the loop's in value; a zero is then
 * looked for again to take the first one's sign). B3 records all E->E
 * weights every 100 ms: ~18 instructions a synapse in one loop with the
 * sums, now ~6 in theirs and ~2 here. */
static void weight_extremes(const float *w, uint64_t n, float lo, float hi,
                            float *wmin, float *wmax, uint64_t *at_lo,
                            uint64_t *at_hi) {
  float mn = INFINITY, mx = -INFINITY;
  uint64_t nl = 0, nh = 0, s = 0;
#if defined(__x86_64__) && defined(__SSE2__)
  const __m128 vlo = _mm_set1_ps(lo), vhi = _mm_set1_ps(hi);
  __m128 vmn = _mm_set1_ps(INFINITY), vmx = _mm_set1_ps(-INFINITY);
  while (n - s >= 4) {
    /* 32-bit counts of at most 2^30 vectors at a time */
    uint64_t end = s + ((n - s) / 4 < (1u << 30) ? (n - s) / 4 : (1u << 30)) * 4;
    __m128i cl = _mm_setzero_si128(), ch = _mm_setzero_si128();
    for (; s < end; s += 4) {
      __m128 x = _mm_loadu_ps(w + s);
      vmn = _mm_min_ps(x, vmn); /* x < vmn ? x : vmn */
      vmx = _mm_max_ps(x, vmx); /* x > vmx ? x : vmx */
      cl = _mm_sub_epi32(cl, _mm_castps_si128(_mm_cmple_ps(x, vlo)));
      ch = _mm_sub_epi32(ch, _mm_castps_si128(_mm_cmpge_ps(x, vhi)));
    }
    uint32_t c[4];
    _mm_storeu_si128((__m128i *)c, cl);
    nl += (uint64_t)c[0] + c[1] + c[2] + c[3];
    _mm_storeu_si128((__m128i *)c, ch);
    nh += (uint64_t)c[0] + c[1] + c[2] + c[3];
  }
  float lane[4];
  _mm_storeu_ps(lane, vmn);
  for (int l = 0; l < 4; l++) mn = lane[l] < mn ? lane[l] : mn;
  _mm_storeu_ps(lane, vmx);
  for (int l = 0; l < 4; l++) mx = lane[l] > mx ? lane[l] : mx;
#endif
  for (; s < n; s++) {
    const float x = w[s];
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
    nl += x <= lo;
    nh += x >= hi;
  }
  /* a zero extreme: the sign of the first zero, as the loop keeps it */
  for (uint64_t k = 0; (mn == 0 || mx == 0) && k < n; k++)
    if (w[k] == 0) {
      if (mn == 0) mn = w[k];
      if (mx == 0) mx = w[k];
      break;
    }
  *wmin = mn;
  *wmax = mx;
  *at_lo = nl;
  *at_hi = nh;
}

void evs__weight_stats(const evs_proj *p, const evs_csr *const *m, uint32_t nm,
                       double out[6]) {
  double lo = NAN, hi = NAN;
  if (p->rule) {
    lo = rule_param(p->rule, "w_min");
    hi = rule_param(p->rule, "w_max");
  }
  /* the sums in that order: their rounding is the output's */
  double sum = 0, sum2 = 0;
  float wmin = 0, wmax = 0;
  uint64_t at_lo = 0, at_hi = 0, nnz = 0;
  /* runs of weights: row i of each part in turn, or one part's all */
  const uint32_t runs = nm == 1 ? 1 : nm ? m[0]->n_pre : 0;
  for (uint32_t i = 0; i < runs; i++)
    for (uint32_t k = 0; k < nm; k++) { /* row i is the parts' rows i */
      const evs_csr *c = m[k];
      const uint64_t s0 = nm == 1 ? 0 : c->row_ptr[i];
      const uint64_t s1 = nm == 1 ? c->nnz : c->row_ptr[i + 1];
      if (s1 == s0) continue;
      for (uint64_t s = s0; s < s1; s++) {
        double w = evs_csr_weight(c, s);
        sum += w;
        sum2 += w * w;
      }
      /* the extremes of this run of weights, joined to the earlier runs'
       * as the loop in order would (a tie keeps the earlier value) */
      const int shared = c->weight == NULL; /* all alike */
      float mn, mx;
      uint64_t nl, nh;
      weight_extremes(shared ? &c->weight_shared : c->weight + s0,
                      shared ? 1 : s1 - s0, (float)lo, (float)hi, &mn, &mx,
                      &nl, &nh);
      if (shared) {
        nl *= s1 - s0;
        nh *= s1 - s0;
      }
      if (!nnz || mn < wmin) wmin = mn;
      if (!nnz || mx > wmax) wmax = mx;
      at_lo += nl;
      at_hi += nh;
      nnz += s1 - s0;
    }
  double n = nnz ? (double)nnz : 1, mean = sum / n;
  double var = sum2 / n - mean * mean;
  double scale = p->weight_scale;
  out[0] = mean / scale;
  out[1] = sqrt(var > 0 ? var : 0) / scale;
  out[2] = nnz ? wmin / scale : 0;
  out[3] = nnz ? wmax / scale : 0;
  out[4] = at_lo / n;
  out[5] = at_hi / n;
}
