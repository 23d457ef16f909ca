/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — a bank of lazily decayed spike traces (trace_bank.h). */
#include "rules/trace_bank.h"
#include "evsnn/checkpoint.h"

#include <math.h>
#include <stdlib.h>

double *evs__trace_bank_add(evs_trace_bank *b, uint32_t n, double tau) {
  if (b->n_traces >= EVS_TRACE_BANK_MAX) return NULL;
  double *coef = calloc(n ? n : 1, sizeof *coef);
  if (!coef) return NULL;
  /* EVS_TRACE_SPAN * min(tau): scaling by a positive constant keeps the
   * order, so the running minimum equals the span of the smallest tau */
  double span = EVS_TRACE_SPAN * tau;
  b->span = b->n_traces ? fmin(b->span, span) : span;
  b->trace[b->n_traces++] = (evs_trace){.rate = 1 / tau,
                                        .n = n,
                                        .coef = coef,
                                        .decay_at = NAN,
                                        .growth_at = NAN};
  return coef;
}

double *evs__trace_bank_add_post(evs_trace_bank *b, uint32_t n, double tau) {
  double *coef = evs__trace_bank_add(b, n, tau);
  if (coef) b->trace[b->n_traces - 1].post = 1;
  return coef;
}

void evs__trace_bank_free(evs_trace_bank *b) {
  for (unsigned k = 0; k < b->n_traces; k++) free(b->trace[k].coef);
  b->n_traces = 0;
}

void evs__trace_bank_rebase(evs_trace_bank *b, double t) {
  for (unsigned k = 0; k < b->n_traces; k++) {
    const evs_trace *tr = &b->trace[k];
    const double f = exp(-(t - b->t0) * tr->rate);
    for (uint32_t i = 0; i < tr->n; i++) tr->coef[i] *= f;
  }
  b->t0 = t;
}

int evs__trace_bank_checkpoint(evs_trace_bank *b, evs_ckpt *ck) {
  evs_ckpt_bytes(ck, &b->t0, sizeof b->t0);
  for (unsigned k = 0; k < b->n_traces; k++)
    (b->trace[k].post ? evs_ckpt_neurons : evs_ckpt_rows)(
        ck, b->trace[k].coef, b->trace[k].n, sizeof *b->trace[k].coef);
  return evs_ckpt_status(ck);
}
