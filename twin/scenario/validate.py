"""Step 2 of the scenario pipeline, ``validate``: the one function turning a scenario's data
into a checked :class:`Scenario`, for a file, each variant of a sweep and each override.

It runs, in order, stopping at the first step that finds problems and reporting every
problem of that step at once (file, line, field, expected, found):

1. the pydantic models (:mod:`twin.scenario.parse`): types, units, codes;
2. cross-field checks (:mod:`twin.scenario.checks`);
3. with ``network``, checks against the care network (:mod:`twin.scenario.network_checks`).
"""

from __future__ import annotations

from twin.errors import DataError
from twin.scenario.checks import check
from twin.scenario.model import Scenario
from twin.scenario.network_checks import check_network
from twin.scenario.parse import parse
from twin.yamlio import Located


def validate(data: dict, loc: Located, file: str, *, network: bool = True) -> Scenario:
    """The checked scenario of ``data`` (merged file data, a sweep variant's or an override's),
    or :class:`~twin.errors.DataError` naming ``file`` and the line ``loc`` gives each field."""
    scenario = parse(data, loc, file)
    problems = check(scenario, loc, file)
    if not problems and network:
        problems = check_network(scenario, loc, file)
    if problems:
        raise DataError(problems)
    return scenario


def raise_network_problems(scenario: Scenario, loc: Located, file: str) -> None:
    """Step 3 alone, for a scenario already parsed and checked (a sweep's variants)."""
    problems = check_network(scenario, loc, file)
    if problems:
        raise DataError(problems)
