"""Where the time of checking a scenario file goes (``twin scenario check``), on a library
scenario of the Hauts-de-France (5 départements), in a fresh process.

Figures (last output line, JSON), in seconds:

* ``validate_without_network_s`` — read, ``extends``, models and cross-field checks;
* ``check_network_cold_s`` — :func:`~twin.scenario.network_checks.check_network` in a fresh
  process, everything it reads included (what the check costs beyond validation);
* ``read_sae_tables_s`` — reading the territory's SAE tables
  (:func:`twin.network.cache.sae_for`), what the checks read;
* ``build_capacities_s`` — its establishments and base capacities
  (:func:`twin.network.cache.capacities_for`), what the checks run against;
* ``network_checks_s`` — the checks themselves, on those capacities;
* ``read_inputs_s`` and ``calibrate_network_s`` — for comparison, the rest of what a run
  needs (SurSaUD daily series, population, geometry; the demand calibration), which the
  checks read until issue 13 point 3 (then ``check_network`` cost about their sum).

Usage::

    .venv/bin/python benchmarks/scenario_check.py
"""

from __future__ import annotations

import json
import time

from twin.network import cache
from twin.paths import scenarios_dir
from twin.scenario import check_scenario
from twin.scenario.compile import scenario_deps
from twin.scenario.network_checks import check_network
from twin.scenario.reading import read

SCENARIO = "reanimation-moins-20"


def _timed(f, *args):
    t = time.perf_counter()
    out = f(*args)
    return out, time.perf_counter() - t


def main() -> dict[str, float | int]:
    path = scenarios_dir() / f"{SCENARIO}.yaml"
    s, validate = _timed(lambda: check_scenario(path, check_network=False))
    _, loc = read(path)
    problems, cold = _timed(check_network, s, loc, str(path))
    for c in (cache.sae_for, cache.capacities_for, cache.inputs_for, cache.network_for):
        c.cache_clear()
    deps = scenario_deps(s.territories)
    _, sae = _timed(cache.sae_for, s.data_year, deps)
    _, capacities = _timed(cache.capacities_for, s.data_year, deps, s.parameters)
    _, checks = _timed(check_network, s, loc, str(path))
    _, inputs = _timed(cache.inputs_for, s.data_year, deps)
    p = s.period
    _, calibrate = _timed(cache.network_for, s.data_year, deps, p.start, p.days, s.parameters)
    return {
        "validate_without_network_s": round(validate, 3),
        "check_network_cold_s": round(cold, 3),
        "read_sae_tables_s": round(sae, 3),
        "build_capacities_s": round(capacities, 3),
        "network_checks_s": round(checks, 3),
        "read_inputs_s": round(inputs, 3),
        "calibrate_network_s": round(calibrate, 3),
        "problems": len(problems),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
