/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the clocks of learning rules (evs_rule_type.on_clock, plastic.h):
 * the rule of projection i runs at t = k * clock, k = 1, 2, ..., as a
 * protocol event of source net->next_gid + i, after the projection's
 * weights are brought up to t. */
#include <stdlib.h>

#include "core/run.h"
#include "rules/plastic.h"
#include "plugins/plugins.h"

/* Clock calls so far per projection, for this run. */
typedef struct rule_clock {
  uint64_t *ticks; /* [nproj] */
} rule_clock;

static int start(evs_plugin *pl, evs_run *run, evs_error *err) {
  evs_net *net = pl->net;
  rule_clock *s = pl->state;
  if (!s && !(s = pl->state = calloc(1, sizeof *s))) goto nomem;
  free(s->ticks);
  if (!(s->ticks = calloc(net->nproj + 1, sizeof *s->ticks))) goto nomem;
  for (uint32_t i = 0; i < net->nproj; i++) {
    const evs_rule *r = net->proj[i]->rule;
    if (r && r->type->on_clock && r->clock > 0 &&
        evs_run_push(run, pl, r->clock, EVS_EV_PROTOCOL, net->next_gid + i, i))
      goto nomem;
  }
  return EVS_OK;
nomem:
  return evs_error_set(err, EVS_ENOMEM, NULL, 0, "out of memory");
}

static int clock(evs_plugin *pl, evs_run *run, const evs_event *ev) {
  rule_clock *s = pl->state;
  evs_proj *p = pl->net->proj[ev->arg];
  int rc = evs__proj_weights_at(p, ev->t, 1);
  if (rc) return rc;
  uint32_t n; /* a threaded run's instances, one per part of p */
  evs_rule *const *rules = evs__run_rules(run, p, &n);
  for (uint32_t i = 0; i < n; i++) rules[i]->type->on_clock(rules[i], ev->t);
  uint64_t k = ++s->ticks[ev->arg] + 1;
  return evs_run_push(run, pl, (double)k * p->rule->clock, EVS_EV_PROTOCOL,
                      ev->source, ev->arg);
}

/* The clock calls so far. */
static int checkpoint(evs_plugin *pl, evs_run *run, evs_ckpt *ck) {
  (void)run;
  evs_net *net = pl->net;
  rule_clock *s = pl->state;
  if (evs_ckpt_loading(ck)) {
    if (!s && !(s = pl->state = calloc(1, sizeof *s)))
      return evs_ckpt_refuse(ck, "out of memory loading the rule clocks");
    free(s->ticks);
    if (!(s->ticks = calloc(net->nproj + 1, sizeof *s->ticks)))
      return evs_ckpt_refuse(ck, "out of memory loading the rule clocks");
  }
  return evs_ckpt_fixed(ck, s->ticks, net->nproj, sizeof *s->ticks);
}

static void destroy(evs_plugin *pl) {
  rule_clock *s = pl->state;
  if (!s) return;
  free(s->ticks);
  free(s);
}

const evs_plugin_type evs__rule_clock_plugin = {
    .name = "rule clock",
    .start = start,
    .clock = clock,
    .destroy = destroy,
    .checkpoint = checkpoint,
};
