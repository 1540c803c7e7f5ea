#!/usr/bin/env bash
# System-level set-up for the test suite (run by `make test` before pytest).
# Installs and starts what the end-to-end tests need from Debian packages, idempotently.
# Nothing is needed yet beyond the Python environment; later capabilities (SLURM daemons,
# headless Chromium) add their installation steps here.
set -euo pipefail
exit 0
