/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — models: where a description's values came from (evs_origin,
 * include/evsnn/model_desc.h) and errors reported there, for the build
 * (model_build.c) and its limits (model_limits.c). */
#include <string.h>

#include "model/model_build.h"

const evs_origin *evs__model_key_origin(const evs_desc_origin *o,
                                        const char *key) {
  for (size_t i = 0; o->keys && key && key[0] && i < o->n_keys; i++)
    if (o->keys[i].key && !strcmp(o->keys[i].key, key)) return &o->keys[i].at;
  return NULL;
}

int evs__model_report(evs_error *err, int code, const evs_origin *at,
                      const char *msg) {
  if (at && at->set)
    return evs_error_set(err, code, NULL, 0, "--set %s: %s", at->set, msg);
  if (at && at->file)
    return evs_error_set(err, code, at->file, at->line, "%s", msg);
  return evs_error_set(err, code, NULL, 0, "%s", msg);
}

const char *evs__model_count_key(evs_conn_kind kind) {
  switch (kind) {
  case EVS_CONN_FIXED_PROBABILITY: return "p";
  case EVS_CONN_FIXED_INDEGREE:
  case EVS_CONN_FIXED_OUTDEGREE:
  case EVS_CONN_FIXED_TOTAL: return "n";
  default: return "connect";
  }
}
