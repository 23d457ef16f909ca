/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* A failed calendar filing in IF_curr_exp (lif.c) fails the run instead of
 * losing the neuron (issue 15: recertify dropped the calendar's status, so
 * a threshold crossing could vanish silently). realloc is wrapped at link
 * time (-Wl,--wrap=realloc, Makefile.am) so that the calendar's bucket
 * growth can be made to fail while an input is delivered. */
#include <check.h>
#include <stdlib.h>

#include "core/net_impl.h"
#include "neurons/types.h"
#include "check_util.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static int fail_realloc; /* 1: every realloc fails */

void *__wrap_realloc(void *p, size_t n) {
  return fail_realloc ? NULL : __real_realloc(p, n);
}

static const evs_neuron_type *T = &evs__if_curr_exp;

START_TEST(failed_filing_fails_the_run) {
  evs_pop *pop = calloc(1, sizeof *pop);
  ck_assert_ptr_nonnull(pop);
  pop->type = T;
  pop->size = 1;
  pop->tick = 1e-4;
  pop->resolution = 1e-4;
  pop->seed = 7;
  pop->par = calloc(T->n_params, sizeof *pop->par);
  pop->dist = calloc(T->n_params, sizeof *pop->dist);
  for (size_t k = 0; k < T->n_params; k++) {
    pop->par[k] = T->params[k].def;
    pop->dist[k] = evs_dist_const(pop->par[k]);
  }
  evs_error err;
  ck_assert_int_eq(T->init(pop, &err), EVS_OK);
  /* at rest the neuron is filed nowhere; an input of 0.3 V (a PSP peak of
   * 0.157 w = 47 mV, three times the distance from v_rest -65 mV to
   * v_thresh -50 mV) makes it cross soon, and its new filing needs a
   * calendar bucket: that allocation fails */
  uint32_t j = 0;
  float w = 0.3f;
  fail_realloc = 1;
  T->deliver(pop, 1.05e-3, EVS_RECEPTOR_EXC, &j, &w, 0, 1);
  fail_realloc = 0;
  int rc = EVS_OK;
  for (int k = 11; k <= 200 && rc == EVS_OK; k++) rc = T->tick(pop, k * 1e-4);
  /* the crossing is reported, or the failure: never neither */
  ck_assert_msg(rc == EVS_ENOMEM || pop->nspk == 1,
                "tick status %d, %zu spikes: the crossing was lost", rc,
                (size_t)pop->nspk);
  ck_assert_int_eq(rc, EVS_ENOMEM);
  T->destroy(pop);
  free(pop->par);
  free(pop->dist);
  free(pop->spk);
  free(pop);
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("lif_nomem");
  TCase *tc = tcase_create("core");
  tcase_add_test(tc, failed_filing_fails_the_run);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(suite()); }
