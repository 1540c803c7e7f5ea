#!/usr/bin/env bash
# System-level set-up for the test suite (run by `make test` before pytest).
# Each capability that needs system services (a SLURM cluster, headless Chromium) has its own
# idempotent script tests/setup_<name>.sh; this runs them all, in name order.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
for script in "$here"/setup_*.sh; do
    [ "$script" = "$here/setup_system.sh" ] && continue
    [ -e "$script" ] || continue
    echo "== $(basename "$script")"
    bash "$script"
done
