"""What-if scenarios: a YAML language, its validation, and the pure functions a batch runs.

Public API (what ``twin run`` / ``twin batch`` call):

* :func:`load_scenario` — read, merge ``extends``, validate and check a file
  (:class:`twin.errors.DataError` naming file, line, field, expected and found);
* :func:`resolve` — the runs of a scenario: its sweep expanded, its run table drawn;
* :func:`blocks` — independent territory blocks (one per région);
* :func:`replicate` — one (scenario, replication, block) → ``xarray.Dataset``.

Modules: :mod:`~twin.scenario.yamlio` (safe YAML with lines), :mod:`~twin.scenario.model`
(the language), :mod:`~twin.scenario.checks` (cross-field and network checks),
:mod:`~twin.scenario.compile` (→ simulation inputs), :mod:`~twin.scenario.resolve` (run
table), :mod:`~twin.scenario.sweep`, :mod:`~twin.scenario.run` (blocks, replicate),
:mod:`~twin.scenario.schema` (JSON Schema and reference documentation).
"""

from twin.scenario.compile import (
    compile_demand,
    compile_interventions,
    compile_policy,
    supply_disruptions,
)
from twin.scenario.loading import load_scenario
from twin.scenario.model import Scenario
from twin.scenario.overrides import with_overrides
from twin.scenario.resolve import ResolvedScenario, resolve
from twin.scenario.run import block_name, blocks, replicate

__all__ = [
    "ResolvedScenario",
    "Scenario",
    "block_name",
    "blocks",
    "compile_demand",
    "compile_interventions",
    "compile_policy",
    "load_scenario",
    "replicate",
    "resolve",
    "supply_disruptions",
    "with_overrides",
]
