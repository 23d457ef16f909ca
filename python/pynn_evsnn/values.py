# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""PyNN values (numbers, RandomDistributions, lazy arrays) as evsnn values
(evs_dist, evsnn/dist.h): a constant, or a distribution evsnn draws per
neuron or per synapse from its own Philox streams, keyed by the network's
seed (the seed of the RandomDistribution's rng, simulator.State.use_rng).
evsnn has no per-neuron or per-synapse arrays of values: an array whose
values differ is refused with NotImplementedError."""

import math
import operator

import numpy as np
from lazyarray import larray
from pyNN.random import RandomDistribution

from ._capi import ffi, lib
from .simulator import state


def _factor(operations, what):
    """The product of a lazy array's operations, which must be
    multiplications or divisions by numbers (the translations' unit
    scalings)."""
    f = 1.0
    for op, arg in operations:
        if op is operator.mul and np.isscalar(arg):
            f *= arg
        elif op is operator.truediv and np.isscalar(arg):
            f /= arg
        else:
            raise NotImplementedError(
                "pynn_evsnn: %s: a random value transformed by %s cannot be "
                "handed to evsnn" % (what, op))
    return f


def _random(rd, scale, what):
    """A RandomDistribution times scale as an evs_dist."""
    state.use_rng(rd.rng, what)
    p = rd.parameters
    d = ffi.new("evs_dist *")
    if scale <= 0:
        raise NotImplementedError("pynn_evsnn: %s: scale %g" % (what, scale))
    if rd.name == "uniform":
        d.kind = lib.EVS_DIST_UNIFORM
        d.p = [p["low"] * scale, p["high"] * scale, 0, 0]
    elif rd.name == "normal":
        d.kind = lib.EVS_DIST_NORMAL
        d.p = [p["mu"] * scale, p["sigma"] * scale, 0, 0]
    elif rd.name == "normal_clipped":
        d.kind = lib.EVS_DIST_NORMAL_CLIPPED
        d.p = [p["mu"] * scale, p["sigma"] * scale, p["low"] * scale,
               p["high"] * scale]
    elif rd.name == "lognormal":
        # PyNN's mu, sigma are of log(value); evsnn's of the value itself
        mu, sigma = p["mu"], p["sigma"]
        mean = math.exp(mu + sigma ** 2 / 2)
        sd = math.sqrt(math.expm1(sigma ** 2)) * mean
        d.kind = lib.EVS_DIST_LOGNORMAL
        d.p = [mean * scale, sd * scale, 0, 0]
    else:
        raise NotImplementedError(
            "pynn_evsnn: %s: evsnn draws uniform, normal, normal_clipped and "
            "lognormal values, not %s" % (what, rd.name))
    return d


def to_dist(value, scale, what, shape=None):
    """value (a number, RandomDistribution or lazy array in PyNN units)
    times scale (to SI) as an evs_dist (a cffi evs_dist *)."""
    la = value if isinstance(value, larray) else larray(value, shape=shape)
    if isinstance(la.base_value, RandomDistribution):
        return _random(la.base_value, scale * _factor(la.operations, what),
                       what)
    if la.shape is None:
        la.shape = (1,)
    v = np.asarray(la.evaluate(simplify=True), dtype=float)
    if v.size > 1 and not np.all(v == v.flat[0]):
        raise NotImplementedError(
            "pynn_evsnn: %s: evsnn takes one value or a random distribution, "
            "not an array of different values" % what)
    d = ffi.new("evs_dist *")
    d.kind = lib.EVS_DIST_CONST
    d.p = [float(v.flat[0]) * scale, 0, 0, 0]
    return d


def is_zero(value):
    """1 when value (a number or lazy array) is 0 everywhere."""
    la = value if isinstance(value, larray) else larray(value, shape=(1,))
    if isinstance(la.base_value, RandomDistribution):
        return False
    if la.shape is None:
        la.shape = (1,)
    return bool(np.all(np.asarray(la.evaluate(simplify=True)) == 0))


def si_text(value, exp10):
    """The decimal text of value (a number in PyNN units) times 10^exp10,
    written as the model-file reader reads a quantity ("5 mV" is read as
    strtod("5e-3")): value's shortest decimal with exp10 added to its
    exponent. Read back (float, or a spike file read by evsnn) it is the
    correctly rounded SI value, the same double a model file with the
    same number gives (multiplying by 1e-3 can be one ulp off: 416 ms)."""
    x = float(value)
    if not math.isfinite(x):
        return repr(x * 10.0 ** exp10)
    mantissa, _, exponent = repr(x).partition("e")
    return "%se%d" % (mantissa, int(exponent or 0) + exp10)


def si(value, exp10):
    """value times 10^exp10, correctly rounded (si_text)."""
    return float(si_text(value, exp10))
