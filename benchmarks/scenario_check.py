"""Where the time of checking a scenario file goes (``twin scenario check``), on a library
scenario of the Hauts-de-France (5 départements), in a fresh process.

Figures (last output line, JSON), in seconds:

* ``validate_without_network_s`` — read, ``extends``, models and cross-field checks;
* ``read_inputs_s`` — reading the SAE/SurSaUD/population tables of the territory
  (:func:`twin.network.cache.inputs_for`), which any check against the network needs;
* ``calibrate_network_s`` — calibrating the network from those inputs
  (:func:`twin.network.cache.network_for`), which the checks reuse with the runs;
* ``network_checks_s`` — the checks against the network themselves.

Usage::

    .venv/bin/python benchmarks/scenario_check.py
"""

from __future__ import annotations

import json
import time

from twin.network.cache import inputs_for, network_for
from twin.paths import scenarios_dir
from twin.scenario import check_scenario
from twin.scenario.compile import scenario_deps
from twin.scenario.network_checks import check_network
from twin.scenario.reading import read

SCENARIO = "reanimation-moins-20"


def main() -> dict[str, float | int]:
    path = scenarios_dir() / f"{SCENARIO}.yaml"
    t = time.perf_counter()
    s = check_scenario(path, check_network=False)
    validate = time.perf_counter() - t
    deps = scenario_deps(s.territories)
    t = time.perf_counter()
    inputs_for(s.data_year, deps)
    inputs = time.perf_counter() - t
    t = time.perf_counter()
    network_for(s.data_year, deps, s.period.start, s.period.days)
    calibrate = time.perf_counter() - t
    _, loc = read(path)
    t = time.perf_counter()
    problems = check_network(s, loc, str(path))
    checks = time.perf_counter() - t
    return {
        "validate_without_network_s": round(validate, 3),
        "read_inputs_s": round(inputs, 3),
        "calibrate_network_s": round(calibrate, 3),
        "network_checks_s": round(checks, 3),
        "problems": len(problems),
    }


if __name__ == "__main__":
    print(json.dumps(main()))
