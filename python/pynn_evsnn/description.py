# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""The network a PyNN script declared as evsnn's description of a model
(evsnn/model_desc.h: evs_model_desc), and its build (evs_model_build).

pynn_evsnn enters libevsnn at the description. At the first run (or read
of a projection) simulator.State.realize has every object describe itself
into a Description: each Population one evsnn population (its parameters
as numbers or distributions, one value per neuron, or a spike file), each
current source one input per population it reaches, each Projection one evsnn
projection (a connection rule or an edge file, a learning rule or
short-term plasticity), the SuperSpikeLearner the learner. The Description
holds every C value the structs point to until the build has read them.

Every object and parameter carries its origin: the script's line that
created or set it (script_site). An error evs_model_build finds names the
object and key of the description it is about (evs_error.about, .index,
.key); Description.build raises it as an EvsnnError naming the PyNN object
and the parameter in PyNN's terms, with the library's message at the
script's line."""

import os
import sys

import numpy as np

from ._capi import EvsnnError, ffi, lib, new_error

# evsnn/error.h: evs_about
ABOUT_POPULATION, ABOUT_PROJECTION, ABOUT_LEARNER, ABOUT_INPUT = 1, 2, 3, 4

_LIBRARY_DIRS = None


def _library_dirs():
    """The folders of the packages a script calls through (PyNN, this
    package in its source and build trees, lazyarray, NumPy, Neo)."""
    global _LIBRARY_DIRS
    if _LIBRARY_DIRS is None:
        import lazyarray
        import pyNN
        dirs = list(sys.modules[__package__].__path__)
        dirs += [os.path.dirname(m.__file__) for m in (pyNN, lazyarray, np)]
        _LIBRARY_DIRS = tuple(os.path.abspath(d) + os.sep for d in dirs)
    return _LIBRARY_DIRS


def script_site():
    """(file, line) of the script's call running now: the innermost frame
    outside the packages a script calls through; (None, 0) when there is
    none (an interactive session's frames are kept: "<stdin>")."""
    dirs = _library_dirs()
    f = sys._getframe(1)
    while f is not None:
        name = f.f_code.co_filename
        if not os.path.abspath(name).startswith(dirs) and \
                not name.startswith("<frozen"):
            return name, f.f_lineno
        f = f.f_back
    return None, 0


class _Entry(object):
    """One object of the description: the PyNN object it came from (owner),
    how messages name it (what), the PyNN names of its evsnn keys (names),
    where it and its keys came from (site, key_sites), and its fields."""

    def __init__(self, owner, what, site, fields):
        self.owner = owner
        self.what = what
        self.site = site
        self.names = {}
        self.key_sites = {}
        self.fields = fields
        self.params = []  # population: (name, kind, value); rule: (name, x)

    def key(self, name, pynn=None, site=None):
        """Says that evsnn key name is PyNN's pynn, set at site."""
        if pynn is not None:
            self.names[name] = pynn
        if site is not None:
            self.key_sites[name] = site


class Description(object):
    """An evs_model_desc in the making: populations, projections, inputs and
    the learner in the net's order (population i of the description is the
    net's population i, ...), and the C memory they point to."""

    def __init__(self, seed, resolution, threads, duration):
        self._keep = []
        self._sim = dict(seed=seed, resolution=resolution, threads=threads,
                         duration=duration)
        self._pops, self._projs, self._inputs = [], [], []
        self._learner = None
        self._n_sources = 0

    # ---- C values kept until the build ---------------------------------------

    def _text(self, s):
        if s is None:
            return ffi.NULL
        c = ffi.new("char[]", s.encode())
        self._keep.append(c)
        return c

    def keep(self, *objects):
        """Keeps objects (cffi values, arrays a struct points to) alive
        until the build."""
        self._keep.extend(objects)

    def _array(self, ctype, values, dtype):
        a = np.ascontiguousarray(values, dtype=dtype)
        self._keep.append(a)
        return ffi.from_buffer(ctype + "[]", a)

    def _origin(self, o, e):
        """Fills evs_desc_origin o with entry e's site and its keys'."""
        o.at.file = self._text(e.site[0])
        o.at.line = e.site[1]
        keys = [(k, s) for k, s in e.key_sites.items() if s[0] is not None]
        if keys:
            arr = ffi.new("evs_key_origin[]", len(keys))
            self._keep.append(arr)
            for k, (key, (path, line)) in enumerate(keys):
                arr[k].key = self._text(key)
                arr[k].at.file = self._text(path)
                arr[k].at.line = line
            o.keys = arr
            o.n_keys = len(keys)

    # ---- the objects ---------------------------------------------------------

    def population(self, owner, what, site, name, type_name, size):
        """Adds a population (evs_pop_desc) whose spikes evsnn writes to no
        file (the backend's plug-in records them); returns its entry, to
        which param() adds parameters in order."""
        e = _Entry(owner, what, site, dict(name=name, type=type_name,
                                           size=size))
        self._pops.append(e)
        return e

    @staticmethod
    def param(entry, name, dist=None, values=None, path=None):
        """Adds parameter name to a population's entry: a value (dist, an
        evs_dist *), one value per neuron (values, SI) or a file (path)."""
        if values is not None:
            entry.params.append((name, "values", values))
        elif path is not None:
            entry.params.append((name, "path", path))
        else:
            entry.params.append((name, "dist", dist))

    def projection(self, owner, what, site, **fields):
        """Adds a projection (evs_proj_desc fields: name, pre, post,
        receptor, spec (an evs_conn_spec *), weight_dim; stp (U, tau_d,
        tau_f) and rule, with rule parameters added to entry.params as
        (name, SI value)); returns its entry."""
        e = _Entry(owner, what, site, fields)
        self._projs.append(e)
        return e

    def current(self, owner, what, site, post, spec, ids, keep=()):
        """Adds a current source onto neurons ids of population post (an
        input, evs_input_desc with source 1; spec an evs_current_spec *
        whose arrays keep holds); returns its index among the net's current
        sources (evs_net_add_current numbers them in the order they are
        added) and its entry."""
        e = _Entry(owner, what, site, dict(post=post, spec=spec, ids=ids))
        self.keep(spec, *keep)
        self._inputs.append(e)
        self._n_sources += 1
        return self._n_sources - 1, e

    def learner(self, owner, what, site, spec, output):
        """Sets the SuperSpike learner (an evs_superspike_spec *, its arrays
        kept by the caller in keep(), and the output population's name);
        returns its entry."""
        self._learner = _Entry(owner, what, site, dict(spec=spec,
                                                       output=output))
        return self._learner

    # ---- the build -----------------------------------------------------------

    def _c_desc(self):
        """The evs_model_desc of what was added."""
        d = ffi.new("evs_model_desc *")
        self._keep.append(d)
        lib.evs_model_desc_defaults(d)
        d.name = self._text("pynn")
        for k, v in self._sim.items():
            setattr(d.sim, k, v)
        pops = ffi.new("evs_pop_desc[]", max(1, len(self._pops)))
        self._keep.append(pops)
        for p, e in zip(pops, self._pops):
            f = e.fields
            p.name, p.type = self._text(f["name"]), self._text(f["type"])
            p.size = f["size"]
            par = ffi.new("evs_param_desc[]", max(1, len(e.params)))
            self._keep.append(par)
            for q, (name, kind, value) in zip(par, e.params):
                q.name = self._text(name)
                if kind == "values":
                    q.values = self._array("double", value, float)
                    q.n_values = len(value)
                elif kind == "path":
                    q.path = self._text(value)
                else:
                    q.value = value[0]
            p.params, p.n_params = par, len(e.params)
            p.spikes_set, p.record_spikes = 1, 0
            self._origin(p.origin, e)
        d.pops, d.n_pops = pops, len(self._pops)
        projs = ffi.new("evs_proj_desc[]", max(1, len(self._projs)))
        self._keep.append(projs)
        for p, e in zip(projs, self._projs):
            f = e.fields
            p.name = self._text(f["name"])
            p.pre, p.post = self._text(f["pre"]), self._text(f["post"])
            p.receptor = f["receptor"]
            p.spec = f["spec"][0]
            p.weight_dim = f["weight_dim"]
            if f.get("stp") is not None:
                p.has_stp = 1
                p.stp_U, p.stp_tau_d, p.stp_tau_f = f["stp"]
            if f.get("rule") is not None:
                p.rule = self._text(f["rule"])
                rp = ffi.new("evs_rule_param_desc[]", max(1, len(e.params)))
                self._keep.append(rp)
                for q, (name, x) in zip(rp, e.params):
                    q.name, q.value = self._text(name), x
                p.rule_params, p.n_rule_params = rp, len(e.params)
            self._origin(p.origin, e)
        d.projs, d.n_projs = projs, len(self._projs)
        inputs = ffi.new("evs_input_desc[]", max(1, len(self._inputs)))
        self._keep.append(inputs)
        for k, (p, e) in enumerate(zip(inputs, self._inputs)):
            f = e.fields
            p.name = self._text("input%d" % k)
            p.post = self._text(f["post"])
            p.source = 1
            p.current = f["spec"][0]
            p.ids = self._array("uint32_t", f["ids"], np.uint32)
            p.n_ids = len(f["ids"])
            self._origin(p.origin, e)
        d.inputs, d.n_inputs = inputs, len(self._inputs)
        if self._learner is not None:
            ss = ffi.new("evs_superspike_desc *")
            self._keep.append(ss)
            ss.spec = self._learner.fields["spec"][0]
            ss.output = self._text(self._learner.fields["output"])
            self._origin(ss.origin, self._learner)
            d.superspike = ss
        return d

    def build(self, force=False):
        """The net described, built (evs_model_build): an evs_model * the
        caller frees with evs_model_free. force: build it even if its
        synapses need more memory than the machine has (evs_model_opts).
        Raises EvsnnError naming the PyNN object and parameter at fault."""
        d = self._c_desc()
        out, err = ffi.new("evs_model **"), new_error()
        mo = ffi.new("evs_model_opts *", {"force": 1 if force else 0})
        rc = lib.evs_model_build(d, mo, out, err)
        self._keep = []
        if rc < 0:
            raise self._error(rc, err)
        return out[0]

    def _error(self, rc, err):
        """The EvsnnError of evs_model_build's error err: "evsnn: OBJECT,
        KEY: MESSAGE", OBJECT and KEY in PyNN's terms when err names them
        (its obj and key attributes), MESSAGE the library's (at the script's
        line that created or set what is at fault)."""
        msg = ffi.string(err.msg).decode() or \
            ffi.string(lib.evs_strerror(rc)).decode()
        key = ffi.string(err.key).decode() or None
        entries = {ABOUT_POPULATION: self._pops,
                   ABOUT_PROJECTION: self._projs,
                   ABOUT_INPUT: self._inputs,
                   ABOUT_LEARNER: [self._learner]}.get(err.about, [])
        e = entries[err.index] if 0 <= err.index < len(entries) else None
        if e is None:
            return EvsnnError(rc, "evsnn: %s" % msg)
        name = e.names.get(key or "", key)
        what = e.what + (", %s" % name if name else "")
        return EvsnnError(rc, "evsnn: %s: %s" % (what, msg), e.owner, name)
