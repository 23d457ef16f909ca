#!/bin/bash
# SPDX-License-Identifier: MIT. Copyright (c) 2026 the evsnn authors.
# The PyNN backend's unit tests with known answers (tests/pynn_units.py):
# PSPs in closed form, current sources, connector counts, seeds, weights.
. "$(dirname "$0")/pynn_python.sh"
exec "$PY" "$(dirname "$0")/pynn_units.py"
