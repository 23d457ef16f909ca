#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The PyNN backend's unit tests across runs (tests/pynn_phases.py): changes
# between phases against one run, plasticity, views and assemblies, threads.
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_phases.py"
