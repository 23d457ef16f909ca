/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — model files, stage 2: the --set overrides ("section.key=value")
 * replace or add keys of the symbol tables read by model_read.c
 * (model_impl.h). The syntax is in doc/manual.md and evsnn(1). */
#include "model/model_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int evs__model_override(evs__model_ctx *c, const char *text) {
  char buf[512], *eq, *lhs, *val, *dot, *key, *sname;
  evs__model_sec *s = NULL;
  if (strlen(text) >= sizeof buf)
    return evs_error_set(c->err, EVS_EMODEL, NULL, 0, "--set %s: too long",
                         text);
  snprintf(buf, sizeof buf, "%s", text);
  eq = strchr(buf, '=');
  if (!eq) goto syntax;
  *eq = '\0';
  lhs = evs__model_trim(buf);
  val = evs__model_trim(eq + 1);
  dot = strrchr(lhs, '.');
  if (!dot || !*val) goto syntax;
  *dot = '\0';
  sname = evs__model_trim(lhs);
  key = evs__model_trim(dot + 1);
  if (!*sname || !*key) goto syntax;
  if (strchr(sname, ' ') || strchr(sname, '\t')) {
    char *name = sname;
    evs__model_sec_kind sk;
    while (*name && !isspace((unsigned char)*name)) name++;
    *name++ = '\0';
    name = evs__model_trim(name);
    for (sk = EVS__MODEL_POP; sk <= EVS__MODEL_INPUT; sk++)
      if (!strcmp(sname, evs__model_kind_name(sk))) break;
    if (sk > EVS__MODEL_INPUT)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: unknown section kind '%s'", text, sname);
    s = evs__model_sec_find(c, sk, name);
    if (!s)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section [%s %s] in the model", text,
                           sname, name);
  } else if (!strcmp(sname, "simulation")) {
    s = evs__model_sec_find(c, EVS__MODEL_SIM, "");
    if (!s && !(s = evs__model_sec_add(c, EVS__MODEL_SIM, "", 0)))
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  } else if (!strcmp(sname, "network")) {
    s = evs__model_sec_find(c, EVS__MODEL_NETWORK, "");
    if (!s && !(s = evs__model_sec_add(c, EVS__MODEL_NETWORK, "", 0)))
      return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  } else if (!strcmp(sname, "superspike")) {
    s = evs__model_sec_find(c, EVS__MODEL_SUPERSPIKE, "");
    if (!s)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section [superspike] in the model",
                           text);
  } else {
    evs__model_sec *t, *tmp;
    int found = 0;
    HASH_ITER(hh, c->secs, t, tmp) {
      if (!evs__model_unnamed(t->kind) && !strcmp(t->name, sname)) {
        s = t;
        found++;
      }
    }
    if (found == 0)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: no section named '%s' in the model", text,
                           sname);
    if (found > 1)
      return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                           "--set %s: several sections are named '%s'; write "
                           "'population %s.%s=...' (or projection, input)",
                           text, sname, sname, key);
  }
  if (!evs__model_key_put(s, key, val, 0, text))
    return evs_error_set(c->err, EVS_ENOMEM, NULL, 0, "out of memory");
  return EVS_OK;
syntax:
  return evs_error_set(c->err, EVS_EMODEL, NULL, 0,
                       "--set %s: expected SECTION.KEY=VALUE (e.g. "
                       "simulation.duration=1 s, E.size=100)",
                       text);
}
