"""What-if scenarios: a YAML language, its validation, and the pure functions a batch runs.

A one-way pipeline, one module per step (each imports only earlier steps):

1. read (:mod:`~twin.scenario.reading`): safe YAML with lines (:mod:`~twin.yamlio`),
   ``extends`` merged;
2. validate (:mod:`~twin.scenario.validate`, one function): the language
   (:mod:`~twin.scenario.model`, errors located by :mod:`~twin.scenario.parse`), cross-field
   checks (:mod:`~twin.scenario.checks`), checks against the care network
   (:mod:`~twin.scenario.network_checks`); :func:`override` (:mod:`~twin.scenario.overrides`)
   replaces run settings and validates again;
3. expand (:mod:`~twin.scenario.sweep`): the sweep, once;
4. resolve (:mod:`~twin.scenario.resolve`): the run table of each run;
5. compile (:mod:`~twin.scenario.compile`): a replication's values → simulation inputs;
6. run (:mod:`~twin.scenario.run`): territory blocks, one (run, replication, block) → Dataset.

:func:`load_scenario` (:mod:`~twin.scenario.pipeline`) chains steps 1-4 and returns the
resolved runs, or raises :class:`twin.errors.DataError` naming file, line, field, expected and
found. :mod:`~twin.scenario.schema` writes the JSON Schema and reference documentation.
The calibrated networks are cached in :mod:`twin.network.cache`.
"""

from twin.scenario.compile import (
    compile_demand,
    compile_interventions,
    compile_policy,
    supply_disruptions,
)
from twin.scenario.model import Scenario
from twin.scenario.overrides import Overrides, override
from twin.scenario.pipeline import check_scenario, load_scenario
from twin.scenario.resolve import ResolvedScenario, resolve
from twin.scenario.run import block_name, blocks, replicate
from twin.scenario.sweep import Variant, expand
from twin.scenario.validate import validate

__all__ = [
    "Overrides",
    "ResolvedScenario",
    "Scenario",
    "Variant",
    "block_name",
    "blocks",
    "check_scenario",
    "compile_demand",
    "compile_interventions",
    "compile_policy",
    "expand",
    "load_scenario",
    "override",
    "replicate",
    "resolve",
    "supply_disruptions",
    "validate",
]
