/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* Where the threaded scheduler cuts the populations (src/core/threads_cut.c)
 * on 2, 3 and 4 threads: every split population's slices cover it in
 * order; the populations of a ring-buffer type are packed (laid end to end
 * in index order and cut once per thread: at most n - 1 of them on more
 * than one thread, the threads' packed neurons in equal parts but the main
 * thread's, a little smaller); another split population is cut into n
 * blocks as before (the main thread's half a share smaller when the net
 * has no synapses). A population run whole is left to the deal. */
#include <math.h>
#include <stdlib.h>

#include "check_util.h"
#include "core/threads_impl.h"

static void ring_ahead(evs_pop *pop, int receptor, const evs_ahead_row *a) {
  (void)pop, (void)receptor, (void)a;
}

static const evs_neuron_type ring_type = {.name = "ring",
                                          .deliver_ahead = ring_ahead};
static const evs_neuron_type plain_type = {.name = "plain"};

/* The populations: the microcircuit's sizes at 10 % (ring type), with a
 * plain split population and one run whole among them. */
enum { NPOP = 10, PLAIN = 3, WHOLE = 6 };
static const uint32_t size[NPOP] = {2068, 583, 2191, 90,   548,
                                    485,  40,  106,  1440, 295};

START_TEST(test_cut) {
  const uint32_t n = (uint32_t)_i;
  evs_net net = {0};
  evs_pop pop[NPOP];
  evs_pop *pops[NPOP];
  int split[NPOP];
  uint32_t bound[NPOP * 5];
  for (uint32_t p = 0; p < NPOP; p++) {
    pop[p] = (evs_pop){.index = p,
                       .size = size[p],
                       .rank_hi = size[p],
                       .tick = 1e-4,
                       .type = p == PLAIN ? &plain_type : &ring_type};
    pops[p] = &pop[p];
    split[p] = p != WHOLE;
  }
  for (size_t i = 0; i < NPOP * 5; i++) bound[i] = 12345; /* untouched */
  net.pop = pops;
  net.npop = NPOP;
  struct evs_par par = {.net = &net, .n = n, .split = split, .bound = bound};
  evs__par_cut(&par);

  uint32_t packed_on[4] = {0}, multi = 0, last_thread = 0;
  for (uint32_t p = 0; p < NPOP; p++) {
    const uint32_t *b = bound + p * (n + 1);
    if (p == WHOLE) {
      for (uint32_t t = 0; t <= n; t++) REQ_UINT(b[t], ==, 12345);
      continue;
    }
    REQ_UINT(b[0], ==, 0);
    REQ_UINT(b[n], ==, size[p]);
    for (uint32_t t = 0; t < n; t++) REQ_UINT(b[t], <=, b[t + 1]);
    if (p == PLAIN) {
      /* no synapses: the main thread holds half a share less, 0.5 / n */
      REQ_UINT(b[1], ==, (uint32_t)(size[p] * (0.5 / n)));
      for (uint32_t t = 0; t < n; t++) REQ_UINT(b[t], <, b[t + 1]);
      continue;
    }
    uint32_t first = n, holders = 0;
    for (uint32_t t = 0; t < n; t++) {
      if (b[t] == b[t + 1]) continue;
      if (first == n) first = t;
      holders++;
      packed_on[t] += b[t + 1] - b[t];
    }
    /* end to end in index order: a population begins on the thread the
     * last one ended on, or a later one */
    REQ_UINT(first, >=, last_thread);
    last_thread = first + holders - 1;
    multi += holders > 1;
  }
  REQ_UINT(multi, <=, n - 1);
  uint32_t total = 0;
  for (uint32_t t = 0; t < n; t++) total += packed_on[t];
  const double even = total / (double)n;
  for (uint32_t t = 1; t < n; t++) {
    /* equal parts (the cost is the neurons' step alone here), to a neuron
     * a cut */
    REQUIRE_MSG(packed_on[t] >= even - n && packed_on[t] <= even * 1.01 + n,
                "thread %u holds %u of %u packed neurons", t, packed_on[t],
                total);
    REQ_UINT(packed_on[0], <=, packed_on[t]);
  }
  /* the main thread's share less its plug-ins' spikes: a little */
  REQUIRE_MSG(packed_on[0] >= 0.97 * even, "thread 0 holds %u of %u",
              packed_on[0], total);
}
END_TEST

/* B1 at N = 64,000 (E 51,200 and I 12,800 neurons, 80 inputs each from
 * all of E and I) on two threads, the hand-over floating (equal shares):
 * the plain populations are cut as one line where the threads' expected
 * costs are equal (threads_cut.c): thread 0 holds the first part of E, the
 * other the rest of E and all of I, and pays for it a delivery's setup
 * (325 instructions) for each spike of E and of I, twice (projections onto
 * E and onto I) against once: it holds fewer neurons, by that cost over a
 * neuron's (100 + 109 x 80), to a neuron. */
START_TEST(test_plain_line) {
  evs_net net = {0};
  evs_pop pop[2] = {{.index = 0, .size = 51200, .rank_hi = 51200},
                    {.index = 1, .size = 12800, .rank_hi = 12800}};
  evs_pop *pops[2] = {&pop[0], &pop[1]};
  for (int p = 0; p < 2; p++) {
    pop[p].type = &plain_type;
    pop[p].tick = 1e-4;
  }
  evs_csr csr[4];
  evs_proj proj[4];
  evs_proj *projs[4];
  for (int k = 0; k < 4; k++) { /* EE, EI, IE, II */
    evs_pop *pre = &pop[k / 2], *post = &pop[k % 2];
    csr[k] = (evs_csr){.n_pre = pre->size,
                       .nnz = (uint64_t)post->size * 80 * pre->size / 64000};
    proj[k] = (evs_proj){
        .index = (uint32_t)k, .pre = pre, .post = post, .csr = &csr[k]};
    projs[k] = &proj[k];
  }
  net.pop = pops;
  net.npop = 2;
  net.proj = projs;
  net.nproj = 4;
  int split[2] = {1, 1};
  uint32_t bound[6];
  struct evs_par par = {
      .net = &net, .n = 2, .split = split, .bound = bound, .tell_floats = 1};
  evs__par_cut(&par);
  REQ_UINT(bound[0], ==, 0);
  REQ_UINT(bound[2], ==, 51200);
  REQ_UINT(bound[3], ==, 0); /* I: all on thread 1 */
  REQ_UINT(bound[4], ==, 0);
  REQ_UINT(bound[5], ==, 12800);
  const double per_neuron = 100 + 109.0 * 80, extra = 325.0 * 64000;
  const double n0 = bound[1], n1 = 64000 - n0;
  REQUIRE_MSG(fabs((n0 - n1) * per_neuron - extra) <= 2 * per_neuron,
              "thread 0 holds %.0f neurons, thread 1 %.0f", n0, n1);
  /* E learning (a rule on E->E, whose work the line does not weigh): E in
   * two equal blocks, I alone on the line, halved */
  proj[0].rule = (struct evs_rule *)&proj[0]; /* only compared with NULL */
  evs__par_cut(&par);
  REQ_UINT(bound[1], ==, 25600);
  REQ_UINT(bound[4], ==, 6400);
}
END_TEST

static Suite *cut_suite(void) {
  Suite *s = suite_create("threads_cut");
  TCase *tc = tcase_create("cut");
  tcase_add_loop_test(tc, test_cut, 2, 5);
  tcase_add_test(tc, test_plain_line);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) { return tu_run_suite(cut_suite()); }
