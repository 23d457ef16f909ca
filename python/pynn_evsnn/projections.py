# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""Projection over an evsnn projection.

A Projection describes one evsnn projection (description.py: an
evs_proj_desc). PyNN's connectors become evsnn's own builders
(evs_conn_spec: random choices drawn from evsnn's Philox streams keyed by
the network's seed, not by PyNN's rng), a connection list becomes an evsnn
edge file; the synapse type's weight and delay become the spec's values (a
number or a distribution), TsodyksMarkramSynapse short-term plasticity,
STDPMechanism and evsnn's own synapse types a learning rule and its
parameters. The synapses exist once the net is built: reading a
projection (len, get) builds it; get and set read and write every
synapse's weight (evs_net_get_weights, evs_net_set_weights) and read its
delay from the synapses' delay groups (evsnn/csr.h)."""

import math

import numpy as np
from pyNN import common, connectors as C
from pyNN.parameters import ParameterSpace
from pyNN.random import RandomDistribution
from pyNN.space import Space

from . import simulator
from ._capi import (EVS_ESTATE, RECEPTOR, EvsnnError, check, ffi, lib,
                    new_error)
from .description import script_site
from .standardmodels import (AdditiveWeightDependence, STDPMechanism,
                             StaticSynapse, TsodyksMarkramSynapse)
from .values import to_dist

# the seed PyNN gives a connector made without an rng (pyNN.connectors):
# it asks for no particular seed, so it takes the network's
PYNN_DEFAULT_CONNECTOR_SEED = 151985012


NATIVE_CONNECTORS = (C.AllToAllConnector, C.OneToOneConnector,
                     C.FixedProbabilityConnector, C.FixedNumberPreConnector,
                     C.FixedNumberPostConnector, C.FixedTotalNumberConnector,
                     C.FromListConnector, C.FromFileConnector)


def _root(p):
    """The Population of p (a Population or PopulationView) and, for a
    view, the view index of each of its neurons (-1: not in the view)."""
    if not hasattr(p, "parent"):
        return p, None
    root = p.grandparent
    idx = np.full(root.size, -1, np.int64)
    idx[p.index_in_grandparent(np.arange(p.size))] = np.arange(p.size)
    return root, idx


def _to_root(p, indices):
    """Indices of p's neurons in p's Population."""
    indices = np.asarray(indices, dtype=np.int64)
    return p.index_in_grandparent(indices) if hasattr(p, "parent") \
        else indices


def _autapses(connector):
    a = getattr(connector, "allow_self_connections", True)
    if a == "NoMutual":
        raise NotImplementedError("pynn_evsnn: allow_self_connections="
                                  "'NoMutual' is not available")
    return 1 if a else 0


def _count(connector):
    if not isinstance(connector.n, (int, np.integer)):
        raise NotImplementedError("pynn_evsnn: %s with a random n is not "
                                  "available" % type(connector).__name__)
    return int(connector.n)


class Projection(common.Projection):
    __doc__ = common.Projection.__doc__
    _simulator = simulator
    _static_synapse_class = StaticSynapse

    def __new__(cls, presynaptic_population, postsynaptic_population, *args,
                **kwargs):
        """A projection from or onto an Assembly is an AssemblyProjection
        (one evsnn projection for each pair of populations it joins)."""
        from .populations import Assembly
        if cls is Projection and (
                isinstance(presynaptic_population, Assembly) or
                isinstance(postsynaptic_population, Assembly)):
            cls = AssemblyProjection
        return object.__new__(cls)

    def __init__(self, presynaptic_population, postsynaptic_population,
                 connector, synapse_type=None, source=None,
                 receptor_type=None, space=Space(), label=None):
        state = simulator.state
        state.check_mutable("creating a projection")
        common.Projection.__init__(self, presynaptic_population,
                                   postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space,
                                   label)
        if source is not None:
            raise NotImplementedError("pynn_evsnn: source=%r" % (source,))
        # the shape of a pre x post matrix of values (set): an assembly
        # projection's parts take the assembly's
        self._matrix_shape = (self.pre.size, self.post.size)
        self._index = len(state.projections)
        self._what = self.label or "projection %d" % self._index
        # the synapse type's weight unit (SuperSpike's PSP amplitudes, mV),
        # else the post cell's
        self._weight_si, self._weight_dim = getattr(
            self.synapse_type, "evs_weight", None) or \
            self.post.celltype.evs_weight
        # the evsnn projection joins the views' populations; _pre_map and
        # _post_map turn their indices into the views' (-1: outside)
        self._pre_root, self._pre_map = _root(self.pre)
        self._post_root, self._post_map = _root(self.post)
        self._edges = None
        self._wired = None
        # weights (SI) given to set(), and delays (s) set after the run
        # started, in the order of the synapses as built; replayed on reset
        self._set_history = []
        self._nnz = None
        self._site = script_site()  # where the script made it
        self._delay_site = None     # where set(delay=...) gave its delays
        if self.pre is self._pre_root and self.post is self._post_root and \
                type(connector) in NATIVE_CONNECTORS:
            self._spec = self._conn_spec(connector)
        else:
            self._spec = self._python_wired(connector)
        state.projections.append(self)

    def _python_wired(self, connector):
        """The spec of a projection that PyNN's connector wires in Python
        (_convergent_connect collects the synapses), handed to evsnn as an
        edge list between the views' populations: for views, and for
        connectors evsnn has no builder of. Random choices come from the
        connector's rng (NumPy), not from evsnn's streams."""
        self._edges = []
        connector.connect(self)
        if self._edges:
            i, j, w, d = (np.concatenate(x) for x in zip(*self._edges))
        else:
            i = j = np.zeros(0, np.int64)
            w = d = np.zeros(0)
        self._edges = None
        self._wired = [i, j, w, d]  # written at _describe (set() may change)
        return self._wired_spec()

    def _wired_spec(self):
        """The spec of an edge list written from self._wired at _describe."""
        path = simulator.state.file_path("edges%d.txt" % self._index)
        spec = ffi.new("evs_conn_spec *")
        spec.kind = lib.EVS_CONN_FILE
        spec.autapses = 1
        spec.multapses = 1
        self._path = ffi.new("char[]", path.encode())
        spec.path = self._path
        # the file gives every weight and delay; the spec's are unused
        spec.weight = to_dist(0.0, 1.0, self._what)[0]
        spec.delay = to_dist(simulator.state.min_delay, 1e-3, self._what)[0]
        return spec

    def _convergent_connect(self, presynaptic_indices, postsynaptic_index,
                            **connection_parameters):
        """PyNN's connectors hand the synapses onto one neuron of post here
        (indices in the projection's pre and post, which may be views)."""
        pre = np.asarray(presynaptic_indices, dtype=np.int64).reshape(-1)
        n = len(pre)
        if n == 0:
            return

        def values(name):
            v = connection_parameters.get(name)
            if v is None:
                raise NotImplementedError("pynn_evsnn: %s: no %s given"
                                          % (self._what, name))
            v = np.asarray(v, dtype=float)
            return np.broadcast_to(v, (n,)) if v.size == 1 else \
                v.reshape(-1)
        extra = set(connection_parameters) - {
            "weight", "delay", "dendritic_delay_fraction", "U", "tau_rec",
            "tau_facil", "tau_plus", "tau_minus", "A_plus", "A_minus",
            "w_min", "w_max"}
        extra -= {n for n, _, _ in getattr(self.synapse_type, "evs_params",
                                           ())}
        if extra:
            raise NotImplementedError("pynn_evsnn: %s: per-synapse %s are not "
                                      "available" % (self._what,
                                                     sorted(extra)))
        i = _to_root(self.pre, pre)
        j = np.full(n, _to_root(self.post, [int(postsynaptic_index)])[0])
        self._edges.append((i, j, values("weight"), values("delay")))

    # ---- the evsnn projection -----------------------------------------------

    def _conn_spec(self, c):
        """The evs_conn_spec of connector c and the synapse type."""
        state = simulator.state
        spec = ffi.new("evs_conn_spec *")
        rng = getattr(c, "rng", None)
        if rng is not None and getattr(rng, "seed", None) != \
                PYNN_DEFAULT_CONNECTOR_SEED:
            state.use_rng(rng, self._what)
        t = type(c)
        if t is C.AllToAllConnector:
            spec.kind = lib.EVS_CONN_ALL_TO_ALL
            spec.autapses = _autapses(c)
        elif t is C.OneToOneConnector:
            spec.kind = lib.EVS_CONN_ONE_TO_ONE
            spec.autapses = 1
        elif t is C.FixedProbabilityConnector:
            if not np.isscalar(c.p_connect):
                raise NotImplementedError(
                    "pynn_evsnn: a connection probability that is not a "
                    "number is not available")
            spec.kind = lib.EVS_CONN_FIXED_PROBABILITY
            spec.p = float(c.p_connect)
            spec.autapses = _autapses(c)
        elif t in (C.FixedNumberPreConnector, C.FixedNumberPostConnector,
                   C.FixedTotalNumberConnector):
            spec.kind = {C.FixedNumberPreConnector: lib.EVS_CONN_FIXED_INDEGREE,
                         C.FixedNumberPostConnector:
                             lib.EVS_CONN_FIXED_OUTDEGREE,
                         C.FixedTotalNumberConnector:
                             lib.EVS_CONN_FIXED_TOTAL}[t]
            spec.n = _count(c)
            spec.autapses = _autapses(c)
            spec.multapses = 1 if c.with_replacement else 0
        elif isinstance(c, C.FromListConnector):
            if isinstance(c, C.FromFileConnector):
                if c.distributed:
                    raise NotImplementedError("pynn_evsnn: distributed "
                                              "connection files")
                # as FromFileConnector.connect reads it
                names = c.file.get_metadata().get("columns",
                                                  ("weight", "delay"))
                c.column_names = [n for n in names if n not in ("i", "j")]
                c.conn_list = c.file.read()
            spec.kind = lib.EVS_CONN_FILE
            spec.autapses = 1
            spec.multapses = 1
            self._path = self._edge_file(c)
            spec.path = self._path
        else:
            raise NotImplementedError("pynn_evsnn: %s is not available"
                                      % t.__name__)
        ps = self.synapse_type.native_parameters
        spec.weight = to_dist(ps["weight"], self._weight_si,
                              "%s: weight" % self._what)[0]
        spec.delay = to_dist(ps["delay"], 1e-3, "%s: delay" % self._what)[0]
        return spec

    def _edge_file(self, c):
        """Writes connector c's list as an evsnn edge file ("pre post
        weight delay", SI; evsnn/csr.h EVS_CONN_FILE) and returns its path
        (bytes, kept alive with the spec)."""
        extra = [n for n in c.column_names if n not in ("weight", "delay")]
        if extra:
            raise NotImplementedError("pynn_evsnn: connection-list columns "
                                      "%s are not available" % extra)
        ps = self.synapse_type.native_parameters
        rows = np.asarray(c.conn_list, dtype=float).reshape(-1, 2 + len(
            c.column_names))
        n = len(rows)

        def column(name, default, scale):
            if name in c.column_names:
                return rows[:, 2 + list(c.column_names).index(name)] * scale
            v = default.evaluate(simplify=True) if hasattr(
                default, "evaluate") else default
            if not np.isscalar(v):
                raise NotImplementedError(
                    "pynn_evsnn: %s: a connection list takes its %s from a "
                    "column or one number" % (self._what, name))
            return np.full(n, float(v) * scale)
        if "weight" not in c.column_names or "delay" not in c.column_names:
            for name in ("weight", "delay"):
                la = ps[name]
                if name not in c.column_names and not la.is_homogeneous:
                    raise NotImplementedError(
                        "pynn_evsnn: %s: a connection list takes its %s from "
                        "a column or one number" % (self._what, name))
        w = column("weight", ps["weight"], self._weight_si)
        d = column("delay", ps["delay"], 1e-3)
        path = simulator.state.file_path("edges%d.txt" % self._index)
        with open(path, "w") as f:
            f.write("# %s: pre post weight delay (SI)\n" % self._what)
            for (i, j), wi, di in zip(rows[:, :2].astype(np.int64), w, d):
                f.write("%d %d %.17g %.17g\n" % (i, j, wi, di))
        return ffi.new("char[]", path.encode())

    def _write_wired(self):
        """Writes a Python-wired projection's edge list (SI)."""
        i, j, w, d = self._wired
        with open(ffi.string(self._path).decode(), "w") as f:
            f.write("# %s: pre post weight delay (SI)\n" % self._what)
            for row in zip(i, j, w * self._weight_si, d * 1e-3):
                f.write("%d %d %.17g %.17g\n" % row)

    def _describe(self, desc):
        """Adds this projection to desc (a description.Description): its
        connection rule or edge file, weights and delays, and its synapse
        type's short-term plasticity or learning rule."""
        if self._wired is not None:
            self._write_wired()
        e = desc.projection(
            self, 'Projection "%s"' % self._what, self._site,
            name="c%d" % self._index, pre=self._pre_root.evs_name,
            post=self._post_root.evs_name,
            receptor=RECEPTOR[self.receptor_type], spec=self._spec,
            weight_dim=getattr(lib, self._weight_dim))
        e.key("stp_U", "U")
        e.key("stp_tau_d", "tau_rec")
        e.key("stp_tau_f", "tau_facil")
        e.key("connect", "connector")
        e.key("p", "p_connect")
        e.key("file", "connector")
        if self._delay_site is not None:
            e.key("delay", site=self._delay_site)
        if isinstance(self.synapse_type, TsodyksMarkramSynapse):
            ps = self.synapse_type.native_parameters
            vals = {}
            for n in ("U", "tau_rec", "tau_facil"):
                d = to_dist(ps[n], 1.0, "%s: %s" % (self._what, n))
                if d.kind != lib.EVS_DIST_CONST:
                    raise NotImplementedError(
                        "pynn_evsnn: %s: %s must be one number" % (self._what,
                                                                   n))
                vals[n] = d.p[0]
            e.fields["stp"] = (vals["U"], vals["tau_rec"] * 1e-3,
                               vals["tau_facil"] * 1e-3)
        elif isinstance(self.synapse_type, STDPMechanism):
            self._describe_stdp(e)
        elif hasattr(self.synapse_type, "evs_rule"):
            self._describe_rule(e)
        elif type(self.synapse_type) is not StaticSynapse:
            raise NotImplementedError("pynn_evsnn: %s is not available"
                                      % type(self.synapse_type).__name__)

    def _describe_stdp(self, e):
        """Makes projection entry e learn with evsnn's stdp_pair: PyNN's
        amplitudes are fractions of w_max (additive: dw = A w_max x) or of
        the weight's distance to its bound (multiplicative: dw = A (w_max -
        w) x, with stdp_pair's f(w) = (w_max - w)/(w_max - w_min): A (w_max
        - w_min))."""
        syn = self.synapse_type
        ps = syn.native_parameters
        v = {}
        for n in ("tau_plus", "tau_minus", "A_plus", "A_minus", "w_min",
                  "w_max"):
            d = to_dist(ps[n], 1.0, "%s: %s" % (self._what, n))
            if d.kind != lib.EVS_DIST_CONST:
                raise NotImplementedError(
                    "pynn_evsnn: %s: %s must be one number" % (self._what, n))
            v[n] = d.p[0]
        additive = isinstance(syn.weight_dependence, AdditiveWeightDependence)
        span = v["w_max"] if additive else v["w_max"] - v["w_min"]
        si = self._weight_si
        e.fields["rule"] = "stdp_pair"
        e.params = [("tau_plus", v["tau_plus"] * 1e-3),
                    ("tau_minus", v["tau_minus"] * 1e-3),
                    ("A_plus", v["A_plus"] * span * si),
                    ("A_minus", v["A_minus"] * span * si),
                    ("w_min", v["w_min"] * si), ("w_max", v["w_max"] * si),
                    ("mu_plus", syn.weight_dependence.evs_mu),
                    ("mu_minus", syn.weight_dependence.evs_mu)]

    def _describe_rule(self, e):
        """Makes projection entry e learn with one of evsnn's own rules
        (rules.py), its parameters converted from PyNN's units."""
        syn = self.synapse_type
        ps = syn.native_parameters
        e.fields["rule"] = syn.evs_rule
        for name, factor, _ in syn.evs_params:
            d = to_dist(ps[name], 1.0, "%s: %s" % (self._what, name))
            if d.kind != lib.EVS_DIST_CONST:
                raise NotImplementedError(
                    "pynn_evsnn: %s: %s must be one number" % (self._what,
                                                               name))
            if math.isnan(d.p[0]):
                raise ValueError("pynn_evsnn: %s: %s (rule %s) has no default "
                                 "and must be given" % (self._what, name,
                                                        syn.evs_rule))
            x = d.p[0] * (self._weight_si if factor is None else factor)
            e.params.append((name, x))

    def _after_build(self, net):
        """Takes the built synapses: their pre and post indices and delays
        are copied here, before a run on several threads splits the
        synapses among the threads (evs_net_projection_csr is NULL from
        then on; evs_net_get_weights and evs_net_get_delays read them in
        the net's order on any number of threads); replays set() (after a
        reset)."""
        m = lib.evs_net_projection_csr(net, self._index)
        self._nnz = int(m.nnz)
        self._root_pre_post = self._read_pre_post(m)
        self._pre_post_cache = self._view_pre_post(*self._root_pre_post)
        self._delay_cache = self._read_delays_ms()
        self._w_cache = self._read_weights_si()
        self._order = np.arange(self._nnz)  # the built position of each
        for name, x in self._set_history:
            if name == "weight":
                self._write_weights(x[self._order])
            else:
                self._write_delays(x[self._order])

    def _in_built_order(self, x):
        """x, one value per synapse in CSR order, in the order of the
        synapses as built."""
        built = np.empty_like(x)
        built[self._order] = x
        return built

    def _remember(self, name, x):
        """Keeps x, a weight (SI) or delay (s) per synapse in CSR order,
        for reset() to replay."""
        self._set_history.append((name, self._in_built_order(x)))

    def _synapses(self):
        """The number of built synapses (the net is made and built if it is
        not)."""
        simulator.state.realize()
        return self._nnz

    def _learns(self):
        """1 when the synapses' weights change in a run (a learning rule)."""
        return isinstance(self.synapse_type, STDPMechanism) or \
            hasattr(self.synapse_type, "evs_rule")

    # ---- reading and writing synapses ---------------------------------------

    def __len__(self):
        return self._synapses()

    def _pre_post(self):
        """The pre and post index of every synapse, in CSR order."""
        self._synapses()
        return self._pre_post_cache

    def _read_pre_post(self, m):
        """The pre and post index of every synapse of CSR m in the
        populations it joins."""
        row_ptr = np.frombuffer(ffi.buffer(m.row_ptr, 8 * (m.n_pre + 1)),
                                np.uint64).astype(np.int64)
        pre = np.repeat(np.arange(m.n_pre), np.diff(row_ptr))
        if not m.nnz:
            post = np.zeros(0, np.uint32)
        elif m.target16 != ffi.NULL:  # narrow targets (evs_csr_narrow)
            post = np.frombuffer(ffi.buffer(m.target16, 2 * m.nnz), np.uint16)
        else:
            post = np.frombuffer(ffi.buffer(m.target, 4 * m.nnz), np.uint32)
        return pre, post.astype(np.int64)

    def _view_pre_post(self, pre, post):
        """Populations' indices pre, post as the projection's pre's and
        post's (views' indices)."""
        if self._pre_map is not None:
            pre = self._pre_map[pre]
        if self._post_map is not None:
            post = self._post_map[post]
        return pre, post

    def _weights_si(self):
        """Every synapse's weight (SI, CSR order): the net's (a threaded
        run's learnt weights gathered), or, once a run on several threads
        has ended (its splits gone), the weights as last read or set."""
        self._synapses()
        try:
            return self._read_weights_si()
        except EvsnnError as e:
            if e.code != EVS_ESTATE or self._learns():
                raise
            return self._w_cache.copy()

    def _read_weights_si(self):
        w = np.empty(self._nnz)
        err = new_error()
        check(lib.evs_net_get_weights(simulator.state.net, self._index,
                                      ffi.from_buffer("double[]", w),
                                      self._nnz, err), err, self._what)
        return w

    def _delays_ms(self):
        """Every synapse's delay, ms."""
        self._synapses()
        return self._delay_cache

    def _read_delays_ms(self):
        """Every synapse's delay, ms, as the net holds them (on any number
        of threads: evs_net_get_delays)."""
        d = np.empty(self._nnz)
        err = new_error()
        check(lib.evs_net_get_delays(simulator.state.net, self._index,
                                     ffi.from_buffer("double[]", d),
                                     self._nnz, err), err, self._what)
        return d * 1e3

    def _values(self, name):
        if name == "presynaptic_index" or name == "postsynaptic_index":
            pre, post = self._pre_post()
            return pre if name == "presynaptic_index" else post
        if name == "weight":
            return self._weights_si() / self._weight_si
        if name == "delay":
            return self._delays_ms()
        raise NotImplementedError("pynn_evsnn: reading %s of a projection "
                                  "is not available" % name)

    def _get_attributes_as_list(self, names):
        cols = [self._values(n) for n in names]
        return [tuple(float(c[q]) if n not in ("presynaptic_index",
                                               "postsynaptic_index")
                      else int(c[q]) for n, c in zip(names, cols))
                for q in range(len(self))]

    def _get_attributes_as_arrays(self, names, multiple_synapses="sum"):
        if multiple_synapses not in ("sum", "min", "max", "first", "last"):
            raise ValueError("multiple_synapses: %r" % (multiple_synapses,))
        pre, post = self._pre_post()
        shape = (self.pre.size, self.post.size)
        count = np.zeros(shape)
        np.add.at(count, (pre, post), 1)
        out = []
        for name in names:
            v = self._values(name).astype(float)
            if multiple_synapses == "sum":
                values = np.zeros(shape)
                np.add.at(values, (pre, post), v)
            elif multiple_synapses in ("min", "max"):
                ufunc = np.minimum if multiple_synapses == "min" else \
                    np.maximum
                values = np.full(shape, np.inf if multiple_synapses == "min"
                                 else -np.inf)
                ufunc.at(values, (pre, post), v)
            else:  # CSR order: the first (last) synapse of a pair
                values = np.full(shape, np.nan)
                order = slice(None, None, -1) if \
                    multiple_synapses == "first" else slice(None)
                for q in np.arange(len(v))[order]:
                    values[pre[q], post[q]] = v[q]
            values[count == 0] = np.nan
            out.append(values)
        return out

    def _set_attributes(self, parameter_space):
        if "delay" in parameter_space.keys():
            self._set_delays(parameter_space["delay"])
            if len(parameter_space.keys()) == 1:
                return
        pre, post = self._pre_post()
        for name, value in parameter_space.items():
            if name == "delay":
                continue
            if name != "weight":
                raise NotImplementedError(
                    "pynn_evsnn: setting %s of built synapses is not "
                    "available (evsnn fixes delays and synapse parameters "
                    "when it builds a network; weights can be set)" % name)
            value.shape = (self.pre.size, self.post.size)
            if value.is_homogeneous:
                w = np.full(len(pre), float(value.evaluate(simplify=True)))
            else:
                w = np.asarray(value[pre, post], dtype=float) \
                    if len(pre) else np.zeros(0)
            w = w * self._weight_si
            self._write_weights(w)
            self._remember("weight", w)

    def set(self, **attributes):
        """PyNN's set; delays given before the build are taken without
        building the net (PyNN's own set reads the weights first)."""
        if "delay" in attributes and simulator.state.net is None:
            ps = ParameterSpace({"delay": attributes.pop("delay")},
                                self.synapse_type.get_schema(),
                                (self.pre.size, self.post.size))
            ps = self.synapse_type.translate(ps)
            self._set_delays(ps["delay"])
        if attributes:
            common.Projection.set(self, **attributes)

    def _set_delays(self, value):
        """set(delay=...) before the first run. Before the net is built, a
        number or a RandomDistribution becomes the connector's delay, and
        a Python-wired projection (views, connectors evsnn has no builder
        of) takes any value, a pre x post array too. After the build (a
        projection was read), the projection becomes a Python-wired one
        with its built synapses and their weights as they are now, and the
        net is made anew (the same wiring: every random stream is keyed by
        its population or projection) at the next run or read. Once a run
        started, evs_net_set_delays changes them from the run's time on
        (spikes in flight arrive when they were due) and reorders the
        synapses (rows sorted by delay); reset() replays the change."""
        state = simulator.state
        if state.started:
            value.shape = self._matrix_shape
            pre, post = self._pre_post()
            d = np.full(len(pre), float(value.evaluate(simplify=True))) \
                if value.is_homogeneous else \
                np.asarray(value[pre, post], dtype=float)
            built = self._in_built_order(d * 1e-3)
            self._write_delays(d * 1e-3)
            self._set_history.append(("delay", built))
            return
        self._delay_site = script_site()
        if state.net is not None:
            self._rewire_as_built()
            state.drop_net()
        value.shape = self._matrix_shape
        if self._wired is not None:
            i, j, w, d = self._wired
            vi = self._pre_map[i] if self._pre_map is not None else i
            vj = self._post_map[j] if self._post_map is not None else j
            self._wired[3] = np.full(len(i), float(value.evaluate(
                simplify=True))) if value.is_homogeneous else \
                np.asarray(value[vi, vj], dtype=float)
            return
        if not value.is_homogeneous and not isinstance(
                value.base_value, RandomDistribution):
            raise NotImplementedError(
                "pynn_evsnn: %s: an array of delays for a connector evsnn "
                "builds itself: give one number or a RandomDistribution"
                % self._what)
        self._spec.delay = to_dist(value, 1e-3, "%s: delay" % self._what)[0]

    def _rewire_as_built(self):
        """Makes this built projection a Python-wired one (an edge list)
        holding its synapses as built, in CSR order, with their weights as
        they are now and their delays; set() calls so far are in those
        weights."""
        i, j = self._root_pre_post
        self._wired = [i, j, self._weights_si() / self._weight_si,
                       self._delays_ms().copy()]
        self._spec = self._wired_spec()
        self._set_history = []

    def _write_delays(self, d):
        """Gives the built synapses the delays d (s, CSR order); each row is
        then sorted again by (delay, target), stably, as evsnn/csr.h says:
        the order, the caches and the built position of each follow."""
        net = simulator.state.net
        err = new_error()
        check(lib.evs_net_set_delays(net, self._index,
                                     ffi.from_buffer("double[]", d), len(d),
                                     err), err, self._what)
        pre, post = self._root_pre_post
        steps = np.floor(d / (simulator.state.dt * 1e-3) + 0.5)
        moved = np.lexsort((np.arange(len(d)), post, steps, pre))
        self._order = self._order[moved]
        m = lib.evs_net_projection_csr(net, self._index)
        # a run on several threads holds no CSR of the net's (the threads
        # hold the synapses): their new order is the one sorted here
        self._root_pre_post = (pre[moved], post[moved]) if m == ffi.NULL \
            else self._read_pre_post(m)
        self._pre_post_cache = self._view_pre_post(*self._root_pre_post)
        self._delay_cache = self._read_delays_ms()
        self._w_cache = self._read_weights_si()

    def _write_weights(self, w):
        err = new_error()
        check(lib.evs_net_set_weights(simulator.state.net, self._index,
                                      ffi.from_buffer("double[]", w), len(w),
                                      err), err, self._what)
        self._w_cache = self._read_weights_si()  # as stored (floats)


class _Edges(C.Connector):
    """The synapses of one part of an AssemblyProjection: indices in the
    populations it joins, weights (PyNN units) and delays (ms), wired
    already."""

    def __init__(self, i, j, w, d):
        C.Connector.__init__(self)
        self.edges = (i, j, w, d)

    def connect(self, projection):
        projection._edges.append(self.edges)


def _cells_of(side):
    """For each neuron of side (a Population, PopulationView or Assembly),
    in side's order: its Population and its index there."""
    cells = side.all_cells
    roots = [c.parent for c in cells]
    index = np.array([r.id_to_index(c) for r, c in zip(roots, cells)],
                     dtype=np.int64)
    return roots, index


class AssemblyProjection(Projection):
    """A projection from or onto an Assembly (either side may be a
    Population, PopulationView or Assembly). PyNN's connector wires it in
    Python over the sides' neurons (its random choices from its NumPy rng,
    not from evsnn's streams); each pair of populations it joins becomes
    one evsnn projection (a part: a Python-wired Projection between the
    two populations whose indices map to the sides', in the order the
    pairs first appear). Reading and setting go through the parts,
    concatenated in that order; weights in PyNN's units of each part's
    post cell type."""

    def __init__(self, presynaptic_population, postsynaptic_population,
                 connector, synapse_type=None, source=None,
                 receptor_type=None, space=Space(), label=None):
        simulator.state.check_mutable("creating a projection")
        common.Projection.__init__(self, presynaptic_population,
                                   postsynaptic_population, connector,
                                   synapse_type, source, receptor_type, space,
                                   label)
        if source is not None:
            raise NotImplementedError("pynn_evsnn: source=%r" % (source,))
        self._what = self.label or "assembly projection"
        self._matrix_shape = (self.pre.size, self.post.size)
        self._weight_si = 1.0  # the parts' values, in PyNN units
        self._set_history = []
        self._pre_map = self._post_map = None
        self._edges = []
        connector.connect(self)  # _convergent_connect: the sides' indices
        if self._edges:
            i, j, w, d = (np.concatenate(x) for x in zip(*self._edges))
        else:
            i = j = np.zeros(0, np.int64)
            w = d = np.zeros(0)
        self._edges = None
        pre_roots, pre_index = _cells_of(self.pre)
        post_roots, post_index = _cells_of(self.post)
        # each synapse's pair of populations as one number
        pre_pop = np.array([r._index for r in pre_roots], np.int64)
        post_pop = np.array([r._index for r in post_roots], np.int64)
        n_pops = len(simulator.state.populations)
        code = pre_pop[i] * n_pops + post_pop[j]
        _, first = np.unique(code, return_index=True)
        self._parts = []
        for c in code[np.sort(first)]:  # in the order pairs first appear
            sel = code == c
            pr = simulator.state.populations[c // n_pops]
            po = simulator.state.populations[c % n_pops]
            part = Projection(pr, po, _Edges(pre_index[i[sel]],
                                             post_index[j[sel]], w[sel],
                                             d[sel]),
                              self.synapse_type,
                              receptor_type=self.receptor_type,
                              label="%s (%s to %s)" % (self._what, pr.label,
                                                       po.label))
            part._pre_map = self._side_map(pr, pre_roots, pre_index)
            part._post_map = self._side_map(po, post_roots, post_index)
            part._matrix_shape = self._matrix_shape
            self._parts.append(part)

    @staticmethod
    def _side_map(root, roots, index):
        """For each neuron of population root, its index in the side whose
        neurons are (roots, index), or -1."""
        m = np.full(root.size, -1, np.int64)
        for k, (r, x) in enumerate(zip(roots, index)):
            if r is root:
                m[x] = k
        return m

    def __len__(self):
        return sum(len(p) for p in self._parts)

    def _concat(self, arrays, dtype):
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype)

    def _pre_post(self):
        pp = [p._pre_post() for p in self._parts]
        return (self._concat([a for a, _ in pp], np.int64),
                self._concat([b for _, b in pp], np.int64))

    def _weights_si(self):
        return self._concat([p._weights_si() / p._weight_si
                             for p in self._parts], float)

    def _delays_ms(self):
        return self._concat([p._delays_ms() for p in self._parts], float)

    def _write_weights(self, w):
        k = 0
        for p in self._parts:
            n = len(p)
            x = np.asarray(w[k:k + n], dtype=float) * p._weight_si
            p._write_weights(x)
            p._remember("weight", x)
            k += n

    def _remember(self, name, x):
        """Nothing: the parts keep what reset() replays."""

    def _set_delays(self, value):
        for p in self._parts:
            p._set_delays(value)
