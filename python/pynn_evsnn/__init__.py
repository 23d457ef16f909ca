# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""pynn_evsnn: a PyNN backend over evsnn, the event-driven simulator of
spiking networks (libevsnn, through cffi).

    import pynn_evsnn as sim
    sim.setup(timestep=0.1, min_delay=0.1)
    ...
    sim.run(1000.0)
    data = population.get_data()
    sim.end()

What is available, the mapping of PyNN's names and units to evsnn's and
what is not there yet: doc/pynn.md."""

import os
from pkgutil import extend_path

# _config.py is made by `make` in the build tree, which may not be the
# source tree: it joins this package from there
__path__ = extend_path(__path__, __name__)

from pyNN import common  # noqa: E402
from pyNN.common.control import (DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY,  # noqa
                                 DEFAULT_TIMESTEP)
from pyNN.connectors import (AllToAllConnector, FixedNumberPostConnector,  # noqa
                             FixedNumberPreConnector,
                             FixedProbabilityConnector,
                             FixedTotalNumberConnector, FromFileConnector,
                             FromListConnector, OneToOneConnector,
                             ArrayConnector,
                             DisplacementDependentProbabilityConnector,
                             DistanceDependentProbabilityConnector,
                             IndexBasedProbabilityConnector)
from pyNN.parameters import Sequence  # noqa: F401,E402
from pyNN.random import NumpyRNG, RandomDistribution  # noqa: F401,E402
from pyNN.recording import get_io  # noqa: E402
from pyNN.space import Space  # noqa: F401,E402

from . import simulator  # noqa: E402
from .populations import Assembly, Population, PopulationView  # noqa
from .projections import Projection  # noqa: E402
from .electrodes import (ACSource, DCSource, NoisyCurrentSource,  # noqa
                         StepCurrentSource)
from .standardmodels import *  # noqa: F401,F403,E402
from .rules import (StdpPairSynapse, StdpTripletHomeoSynapse,  # noqa: F401
                    StdpTripletSynapse, evsnn_synapse_type)
from .superspike import SuperSpikeLearner, SuperSpikeSynapse  # noqa: F401


def list_standard_models():
    """The standard cell types pynn_evsnn simulates."""
    from . import standardmodels as sm
    return [n for n in ("IF_curr_exp", "IF_curr_alpha", "IF_cond_exp",
                        "EIF_cond_exp_isfa_ista", "Izhikevich",
                        "SpikeSourcePoisson", "SpikeSourceArray")
            if hasattr(sm, n)]


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY,
          **extra_params):
    """Starts a new network. timestep (ms) is evsnn's resolution: the delay
    grid and the step of clocked neurons. Extra parameters: max_delay (ms,
    a bound PyNN keeps), rng_seed (the network's seed, when no rng of the
    script gives one), threads (the threads evsnn runs the network on, as
    pyNN.nest's; any number gives the same results; "auto": one per
    core), force (True: build a network whose synapses need more memory
    than the machine has, which is refused otherwise, as evsnn --force)."""
    max_delay = extra_params.pop("max_delay", DEFAULT_MAX_DELAY)
    force = bool(extra_params.pop("force", False))
    rng_seed = extra_params.pop("rng_seed", None)
    threads = extra_params.pop("threads", 1)
    extra_params.pop("label", None)
    if threads == "auto":
        threads = len(os.sched_getaffinity(0))
    if isinstance(threads, bool) or not isinstance(threads, int) or \
            threads < 1:
        raise ValueError("pynn_evsnn: threads=%r: a number >= 1 or 'auto'"
                         % (threads,))
    if extra_params:
        raise NotImplementedError("pynn_evsnn: setup() does not take %s"
                                  % ", ".join(sorted(extra_params)))
    if min_delay == "auto":
        min_delay = timestep
    common.setup(timestep, min_delay, max_delay=max_delay)
    state = simulator.state
    state.clear()
    state.dt = timestep
    state.min_delay = min_delay
    state.max_delay = max_delay if max_delay != "auto" else 1e10
    state.threads = threads
    state.force = force
    if rng_seed is not None:
        state.seed, state.seed_source = int(rng_seed), "setup(rng_seed=...)"
    return 0


def end(compatible_output=True):
    """Writes what record(..., to_file) asked for, ends the run and frees
    the network."""
    state = simulator.state
    for (population, variables, filename) in state.write_on_end:
        population.write_data(get_io(filename), variables)
    state.write_on_end = []
    state.finish()
    state.clear()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, \
    num_processes, rank = common.build_state_queries(simulator)
create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector,
                               StaticSynapse)  # noqa: F405
record = common.build_record(simulator)


def record_v(source, filename):
    return record(["v"], source, filename)
