# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""PyNN's standard cells and synapses as evsnn types.

Each cell class names its evsnn type (`evs_type`) and translates PyNN's
names and units (ms, mV, nA, nF, µS, Hz) into evsnn's parameter names in SI
units (s, V, A, F, S, Hz): the translations' scale factors. `evs_initial`
maps PyNN's state variables to evsnn's initial-value parameters (a value of
None: the variable must start at 0, which evsnn does), `evs_weight` gives
the SI factor and evsnn dimension of the weights of synapses onto the cell.
Standard models evsnn has not got raise errors.NoModelAvailableError."""

from pyNN import errors
from pyNN.standardmodels import build_translations, cells, synapses

from .simulator import state

MS, MV, NA, NF, US = 1e-3, 1e-3, 1e-9, 1e-9, 1e-6

# What a cell records besides spikes (`evs_record`): PyNN's variable ->
# (evsnn's variable, evsnn/plugin.h evs_plugin_sample, and the factor from
# its SI unit to PyNN's)
_V = {"v": ("v", 1e3)}
_ISYN = dict(_V, isyn_exc=("i_syn_exc", 1e9), isyn_inh=("i_syn_inh", 1e9))
_GSYN = dict(_V, gsyn_exc=("gsyn_exc", 1e6), gsyn_inh=("gsyn_inh", 1e6))

_IF_COMMON = (
    ("tau_m", "tau_m", MS),
    ("cm", "cm", NF),
    ("v_rest", "v_rest", MV),
    ("v_thresh", "v_thresh", MV),
    ("v_reset", "v_reset", MV),
    ("tau_refrac", "tau_refrac", MS),
    ("i_offset", "i_offset", NA),
    ("tau_syn_E", "tau_syn_E", MS),
    ("tau_syn_I", "tau_syn_I", MS),
)


class IF_curr_exp(cells.IF_curr_exp):
    __doc__ = cells.IF_curr_exp.__doc__
    evs_type = "IF_curr_exp"
    evs_exact = True  # event-driven: takes no ACSource
    evs_record = _ISYN
    recordable = ["spikes"] + list(_ISYN)
    translations = build_translations(*_IF_COMMON)
    evs_initial = {"v": ("v_init", MV), "isyn_exc": None, "isyn_inh": None}
    evs_weight = (NA, "EVS_DIM_CURRENT")


class IF_curr_alpha(cells.IF_curr_alpha):
    __doc__ = cells.IF_curr_alpha.__doc__
    evs_type = "IF_curr_alpha"
    evs_exact = True
    evs_record = _ISYN
    recordable = ["spikes"] + list(_ISYN)
    translations = build_translations(*_IF_COMMON)
    evs_initial = {"v": ("v_init", MV), "isyn_exc": None, "isyn_inh": None}
    evs_weight = (NA, "EVS_DIM_CURRENT")


class IF_cond_exp(cells.IF_cond_exp):
    __doc__ = cells.IF_cond_exp.__doc__
    evs_type = "IF_cond_exp"
    translations = build_translations(
        *_IF_COMMON, ("e_rev_E", "e_rev_E", MV), ("e_rev_I", "e_rev_I", MV))
    evs_initial = {"v": ("v_init", MV), "gsyn_exc": ("gsyn_exc_init", US),
                   "gsyn_inh": ("gsyn_inh_init", US)}
    evs_weight = (US, "EVS_DIM_CONDUCTANCE")
    evs_record = _GSYN
    recordable = ["spikes"] + list(_GSYN)


class EIF_cond_exp_isfa_ista(cells.EIF_cond_exp_isfa_ista):
    __doc__ = cells.EIF_cond_exp_isfa_ista.__doc__
    evs_type = "EIF_cond_exp_isfa_ista"
    translations = build_translations(
        *_IF_COMMON, ("e_rev_E", "e_rev_E", MV), ("e_rev_I", "e_rev_I", MV),
        ("v_spike", "v_spike", MV), ("a", "a", 1e-9), ("b", "b", NA),
        ("delta_T", "delta_T", MV), ("tau_w", "tau_w", MS))
    evs_initial = {"v": ("v_init", MV), "w": None,
                   "gsyn_exc": ("gsyn_exc_init", US),
                   "gsyn_inh": ("gsyn_inh_init", US)}
    evs_weight = (US, "EVS_DIM_CONDUCTANCE")
    evs_record = dict(_GSYN, w=("w", 1e9))
    recordable = ["spikes"] + list(evs_record)


class Izhikevich(cells.Izhikevich):
    __doc__ = cells.Izhikevich.__doc__
    evs_type = "Izhikevich"
    translations = build_translations(
        ("a", "a", 1e3), ("b", "b", 1e3), ("c", "c", MV), ("d", "d", 1.0),
        ("i_offset", "i_offset", NA))
    evs_initial = {"v": ("v_init", MV), "u": ("u_init", 1.0)}
    # delta synapses: a weight w moves v by w mV (as NEST's izhikevich)
    evs_weight = (MV, "EVS_DIM_VOLTAGE")
    evs_record = dict(_V, u=("u", 1.0))  # V/s is mV/ms
    recordable = ["spikes"] + list(evs_record)


class SpikeSourcePoisson(cells.SpikeSourcePoisson):
    __doc__ = cells.SpikeSourcePoisson.__doc__
    evs_type = "SpikeSourcePoisson"
    translations = build_translations(
        ("rate", "rate"), ("start", "start", MS),
        ("duration", "stop", "1e-3*(start + duration)", "1e3*(stop - start)"))
    evs_initial = {}
    evs_weight = None


class SpikeSourceArray(cells.SpikeSourceArray):
    __doc__ = cells.SpikeSourceArray.__doc__
    evs_type = "SpikeSourceArray"
    # spike_times (ms) become an evsnn spike file ("time id", s)
    translations = build_translations(("spike_times", "spike_times"))
    evs_initial = {}
    evs_weight = None


def _unavailable(base, why):
    """A standard model evsnn has not got: creating it raises
    errors.NoModelAvailableError naming it and why."""
    def __init__(self, *args, **kwargs):
        raise errors.NoModelAvailableError(
            "pynn_evsnn: %s is not available: %s" % (base.__name__, why))
    return type(base.__name__, (base,), {"__init__": __init__,
                                         "__doc__": base.__doc__})


IF_cond_alpha = _unavailable(cells.IF_cond_alpha,
                             "the evsnn engine has no alpha synapses")
IF_curr_delta = _unavailable(cells.IF_curr_delta,
                             "the evsnn engine has no delta-synapse IF cell")
EIF_cond_alpha_isfa_ista = _unavailable(cells.EIF_cond_alpha_isfa_ista,
                                        "the evsnn engine has no alpha "
                                        "synapses")
HH_cond_exp = _unavailable(cells.HH_cond_exp,
                           "the evsnn engine has no Hodgkin-Huxley neuron")
SpikeSourceGamma = _unavailable(cells.SpikeSourceGamma,
                                "the evsnn engine has no gamma source")
SpikeSourceInhGamma = _unavailable(cells.SpikeSourceInhGamma,
                                   "the evsnn engine has no gamma source")


class StaticSynapse(synapses.StaticSynapse):
    __doc__ = synapses.StaticSynapse.__doc__
    translations = build_translations(("weight", "weight"),
                                      ("delay", "delay"))

    def _get_minimum_delay(self):
        return state.min_delay


class TsodyksMarkramSynapse(synapses.TsodyksMarkramSynapse):
    __doc__ = synapses.TsodyksMarkramSynapse.__doc__
    translations = build_translations(
        ("weight", "weight"), ("delay", "delay"), ("U", "U"),
        ("tau_rec", "tau_rec"), ("tau_facil", "tau_facil"))

    def _get_minimum_delay(self):
        return state.min_delay


class STDPMechanism(synapses.STDPMechanism):
    __doc__ = synapses.STDPMechanism.__doc__
    base_translations = build_translations(
        ("weight", "weight"), ("delay", "delay"),
        ("dendritic_delay_fraction", "dendritic_delay_fraction"))

    def __init__(self, timing_dependence=None, weight_dependence=None,
                 voltage_dependence=None, dendritic_delay_fraction=1.0,
                 weight=0.0, delay=None):
        # evsnn's rules see a presynaptic spike when it arrives (pre spike +
        # delay) and a postsynaptic spike at once: all delay is axonal
        if dendritic_delay_fraction != 0:
            raise NotImplementedError(
                "pynn_evsnn: STDP with dendritic delays: evsnn's learning "
                "rules take all delays as axonal "
                "(dendritic_delay_fraction=0)")
        if voltage_dependence is not None:
            raise NotImplementedError("pynn_evsnn: voltage-dependent STDP")
        if not isinstance(timing_dependence, SpikePairRule) or \
                not isinstance(weight_dependence,
                               (AdditiveWeightDependence,
                                MultiplicativeWeightDependence)):
            raise NotImplementedError(
                "pynn_evsnn: STDPMechanism takes SpikePairRule with "
                "AdditiveWeightDependence or MultiplicativeWeightDependence")
        synapses.STDPMechanism.__init__(
            self, timing_dependence, weight_dependence, voltage_dependence,
            dendritic_delay_fraction, weight, delay)

    def _get_minimum_delay(self):
        return state.min_delay


class SpikePairRule(synapses.SpikePairRule):
    __doc__ = synapses.SpikePairRule.__doc__
    translations = build_translations(
        ("tau_plus", "tau_plus"), ("tau_minus", "tau_minus"),
        ("A_plus", "A_plus"), ("A_minus", "A_minus"))


class AdditiveWeightDependence(synapses.AdditiveWeightDependence):
    __doc__ = synapses.AdditiveWeightDependence.__doc__
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    evs_mu = 0.0  # stdp_pair's mu_plus, mu_minus


class MultiplicativeWeightDependence(
        synapses.MultiplicativeWeightDependence):
    __doc__ = synapses.MultiplicativeWeightDependence.__doc__
    translations = build_translations(("w_max", "w_max"), ("w_min", "w_min"))
    evs_mu = 1.0
