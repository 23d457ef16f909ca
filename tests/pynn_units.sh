#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The PyNN backend's unit tests with known answers (tests/pynn_units.py):
# PSPs in closed form, connector counts, weights, phases, Neo output.
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_units.py"
