/* SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors. */
/* evsnn — the plug-ins a net holds (core/plugin.h): adding one (the
 * built-in ones at evs_net_new, a rule's learner; a program's through
 * evs_net_add_plugin, in net_build.c, as it may build the plug-in) and
 * finding one by type. It calls no scheduler code. */
#include <stdlib.h>

#include "core/plugin.h"

int evs__net_add_plugin(evs_net *net, const evs_plugin_type *type, void *state,
                        evs_plugin **out) {
  evs_plugin *pl = calloc(1, sizeof *pl);
  if (pl && net->nplugin == net->capplugin) {
    uint32_t cap = net->capplugin ? 2 * net->capplugin : 8;
    evs_plugin **arr = realloc(net->plugin, cap * sizeof *arr);
    if (arr) {
      net->plugin = arr;
      net->capplugin = cap;
    }
  }
  if (!pl || net->nplugin == net->capplugin) {
    free(pl);
    evs_plugin tmp = {.type = type, .net = net, .state = state};
    if (type->destroy) type->destroy(&tmp);
    return EVS_ENOMEM;
  }
  *pl = (evs_plugin){
      .type = type, .net = net, .state = state, .index = net->nplugin};
  net->plugin[net->nplugin++] = pl;
  if (out) *out = pl;
  return EVS_OK;
}

EVS_API void *evs_plugin_state(const evs_plugin *pl) { return pl->state; }

EVS_API evs_net *evs_plugin_net(const evs_plugin *pl) { return pl->net; }

evs_plugin *evs__net_find_plugin(const evs_net *net,
                                 const evs_plugin_type *type) {
  for (uint32_t i = 0; i < net->nplugin; i++)
    if (net->plugin[i]->type == type) return net->plugin[i];
  return NULL;
}
