# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""evsnn's own learning rules as PyNN synapse types: StdpTripletSynapse
(stdp_triplet, Pfister & Gerstner 2006), StdpTripletHomeoSynapse
(stdp_triplet_homeo, Zenke et al. 2013) and StdpPairSynapse (stdp_pair
with its mu_plus, mu_minus, nearest), and evsnn_synapse_type(rule) for any
other spike rule registered in the library (the orchestrated rule,
istdp_global, a program's own).

A type's parameters are weight, delay and the rule's parameter table
(evs_rule_params), in PyNN's units: times in ms, weight-valued parameters
(w_min, w_max, amplitudes flagged EVS_PARAM_WEIGHT) in the projection's
weight unit (nA or µS), voltages mV, currents nA, conductances µS, rates
Hz; a parameter without a default in evsnn must be given. The formulas are
evsnn's (evsnn-model(5)); unlike STDPMechanism's amplitudes, evsnn's are
absolute weight changes."""

import math

from pyNN import errors
from pyNN.standardmodels import StandardSynapseType, build_translations

from ._capi import PARAM_REQUIRED, PARAM_WEIGHT, ffi, lib
from .simulator import state

# PyNN's unit of each evsnn dimension (evsnn/units.h), as SI factors; None:
# the projection's weight unit
_UNIT = {lib.EVS_DIM_NONE: 1.0, lib.EVS_DIM_TIME: 1e-3,
         lib.EVS_DIM_VOLTAGE: 1e-3, lib.EVS_DIM_CURRENT: 1e-9,
         lib.EVS_DIM_CONDUCTANCE: 1e-6, lib.EVS_DIM_CAPACITANCE: 1e-9,
         lib.EVS_DIM_RATE: 1.0, lib.EVS_DIM_VOLTAGE_RATE: 1.0}


def _rule_table(rule):
    """[(name, SI factor or None for weights, default in PyNN units or
    NaN when required)] of evsnn rule `rule`."""
    defs, n = ffi.new("evs_param_def **"), ffi.new("size_t *")
    if lib.evs_rule_params(rule.encode(), defs, n):
        raise errors.NoModelAvailableError("pynn_evsnn: evsnn has no rule "
                                           "'%s'" % rule)
    out = []
    for k in range(n[0]):
        d = defs[0][k]
        weight = bool(d.flags & PARAM_WEIGHT)
        factor = None if weight else _UNIT[d.dim]
        value = getattr(d, "def")  # 'def' is a Python keyword
        default = math.nan if d.flags & PARAM_REQUIRED else \
            value / (factor or 1.0)
        out.append((ffi.string(d.name).decode(), factor, default))
    return out


def evsnn_synapse_type(rule, class_name=None):
    """A PyNN synapse type (class) for evsnn rule `rule`."""
    table = _rule_table(rule)
    defaults = {"weight": 0.0, "delay": None}
    defaults.update({name: default for name, _, default in table})
    names = ["weight", "delay"] + [name for name, _, _ in table]

    def _get_minimum_delay(self):
        return state.min_delay
    return type(class_name or "EvsnnRule_" + rule, (StandardSynapseType,), {
        "__doc__": "evsnn's learning rule %s (evsnn-model(5)); parameters in "
                   "PyNN units: %s" % (rule, ", ".join(names)),
        "default_parameters": defaults,
        "translations": build_translations(*[(n, n) for n in names]),
        "evs_rule": rule,
        "evs_params": table,
        "_get_minimum_delay": _get_minimum_delay,
    })


StdpPairSynapse = evsnn_synapse_type("stdp_pair", "StdpPairSynapse")
StdpTripletSynapse = evsnn_synapse_type("stdp_triplet", "StdpTripletSynapse")
StdpTripletHomeoSynapse = evsnn_synapse_type("stdp_triplet_homeo",
                                             "StdpTripletHomeoSynapse")
