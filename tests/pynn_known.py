# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
"""What the PyNN backend's unit tests share: the closed-form PSP of a current
jump on a leaky membrane, and a TestCase that sets the simulator up and ends
it around each test (tests/pynn_units.py, pynn_phases.py, pynn_params.py)."""

import unittest

import numpy as np

import pynn_evsnn as sim


def psp(t, w, cm, tau_m, tau_s):
    """Closed form: the voltage (mV) t ms after a current jump w (nA) that
    decays with tau_s, on a leaky membrane (cm nF, tau_m ms) at rest."""
    t = np.maximum(t, 0.0)
    return w / cm * tau_m * tau_s / (tau_m - tau_s) * (
        np.exp(-t / tau_m) - np.exp(-t / tau_s))


class Base(unittest.TestCase):
    def setUp(self):
        sim.setup(timestep=0.1, min_delay=0.1)

    def tearDown(self):
        sim.end()
