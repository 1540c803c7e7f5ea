"""Step 3 of the scenario pipeline, ``expand``: a grid over one or two parameters → a family
of named scenarios (the sweep is expanded here, once).

Each combination sets the parameters (written as in the file, e.g. ``"-20%"``) in the
scenario's data and validates it again (:func:`twin.scenario.validate.validate`, without the
network checks, which the pipeline runs on every variant afterwards), so a swept value is
checked exactly like a written one; a problem names the line of the sweep value. The
variant is named ``<name>--<label>=<value>`` (labels default to the last key of the
parameter path).
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
from typing import Any, NamedTuple

from twin.errors import DataError, problem
from twin.scenario.model import Scenario, SweepValue
from twin.scenario.paths import locate, set_at, split
from twin.scenario.validate import validate
from twin.yamlio import Located, describe

FORBIDDEN = ("name", "description", "extends", "sweep", "seed")
"""Not sweepable: names label results, and the seed must stay common to the family
(common random numbers)."""


class Variant(NamedTuple):
    """One run of a family: its scenario (without sweep) and the parameter → value it sets
    (empty for a scenario without sweep)."""

    scenario: Scenario
    values: dict[str, SweepValue]


def _label(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).replace(" ", "").lower()


def expand(
    scenario: Scenario, loc: Located | None = None, file: str | None = None
) -> list[Variant]:
    """The family of ``scenario.sweep`` (each variant without sweep, validated and checked);
    ``[Variant(scenario, {})]`` when there is no sweep."""
    if scenario.sweep is None:
        return [Variant(scenario, {})]
    loc = loc or Located()
    file = file or f"scenario {scenario.name}"
    data = scenario.model_dump(mode="json", exclude={"sweep"})
    params = scenario.sweep.parameters
    paths = []
    problems = []
    for k, p in enumerate(params):
        where = ("sweep", "parameters", k, "parameter")
        f, line = loc.find(where, file)
        head = split(p.parameter)[:1]
        if not head or head[0] in FORBIDDEN:
            problems.append(
                problem(
                    f,
                    "a parameter other than " + ", ".join(FORBIDDEN),
                    describe(p.parameter),
                    line,
                    f"sweep.parameters[{k}].parameter",
                )
            )
            continue
        try:
            paths.append(locate(data, p.parameter))
        except KeyError as exc:
            problems.append(
                problem(
                    f,
                    "a path to a field of the scenario (e.g. policy.plan_blanc_on, "
                    "interventions.<id>.change)",
                    f'"{p.parameter}" (no {exc.args[0]!r} there)',
                    line,
                    f"sweep.parameters[{k}].parameter",
                )
            )
    if problems:
        raise DataError(problems)
    labels = [p.label or split(p.parameter)[-1] for p in params]
    out = []
    for combo in itertools.product(*(range(len(p.values)) for p in params)):
        variant = copy.deepcopy(data)
        vloc = Located(dict(loc.lines))
        suffix = []
        for k, j in enumerate(combo):
            value = params[k].values[j]
            set_at(variant, paths[k], value)
            line_of_value = loc.lines.get(("sweep", "parameters", k, "values", j))
            for p in list(vloc.lines):
                if p[: len(paths[k])] == paths[k]:
                    del vloc.lines[p]
            if line_of_value:
                vloc.lines[paths[k]] = line_of_value
            suffix.append(f"{labels[k]}={_label(value)}")
        variant["name"] = f"{scenario.name}--" + "--".join(suffix)
        first_value = loc.find(("sweep", "parameters", 0, "values", combo[0]), file)[1]
        try:
            v = validate(variant, vloc, file, network=False)
        except DataError as exc:
            raise DataError(
                [_in_variant(p, variant["name"], first_value) for p in exc.problems]
            ) from None
        values = {params[k].parameter: params[k].values[j] for k, j in enumerate(combo)}
        out.append(Variant(v, values))
    return out


def _in_variant(p: Any, name: str, line: int | None) -> Any:
    """A variant's problem, naming the variant (and the sweep line when it had none)."""
    return dataclasses.replace(
        p, found=f"{p.found} (in sweep variant {name})", line=p.line if p.line else line
    )
