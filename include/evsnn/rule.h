/* evsnn — learning rules: their names and parameter tables.
 *
 * A projection learns when a rule is set on it (evs_net_set_rule, or the
 * model file's `rule = NAME` in a [projection] section). Parameters flagged
 * EVS_PARAM_WEIGHT (neuron.h) have the dimension of the projection's
 * weights. The rules and their exact update order are documented in
 * evsnn-model(5). */
#ifndef EVSNN_RULE_H
#define EVSNN_RULE_H

#include <stddef.h>
#include "export.h"
#include "neuron.h"

/* Looks up a rule's parameter table. Returns EVS_OK and sets *defs and *n,
 * or EVS_ENOENT if no rule has that name. The table is static. */
EVS_API int evs_rule_params(const char *rule, const evs_param_def **defs,
                            size_t *n);

/* Names of all rules, NULL-terminated, static. */
EVS_API const char *const *evs_rule_names(void);

#endif
