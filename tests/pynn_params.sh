#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The PyNN backend's per-neuron parameters, projections of views and refused
# descriptions (tests/pynn_params.py).
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_params.py"
