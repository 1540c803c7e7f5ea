"""Scenario files (+ overrides from a manifest or the command line) → a :class:`BatchPlan`.

Every scenario is loaded and checked in full before anything is written, so a bad file
stops the batch with its clear message and no store is created or touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from twin.batch.manifest import PeriodOverride
from twin.batch.plan import BatchPlan, make_plan
from twin.errors import DataError
from twin.scenario import Scenario, load_scenario, resolve, with_overrides
from twin.scenario.model import Territories


def with_territories(scenario: Scenario, territories: Territories, source: str) -> Scenario:
    """The scenario run on other territories, validated and checked like a file."""
    from twin.scenario import checks
    from twin.scenario.loading import validate_data
    from twin.scenario.yamlio import Located

    data = scenario.model_dump(mode="json")
    data["territories"] = territories.model_dump(mode="json")
    out = validate_data(data, Located(), source)
    problems = checks.check(out, Located(), source)
    if problems:
        raise DataError(problems)
    return out


def load_runs(
    path: Path,
    *,
    replications: int | None = None,
    territories: Territories | None = None,
    period: PeriodOverride | None = None,
    source: str = "command-line override",
):
    """The resolved runs of one scenario file (several for a sweep), overrides applied.

    A period override cuts intervention windows to the new period (and drops those wholly
    outside it), so a library scenario can be run on a short horizon."""
    overridden = replications is not None or territories is not None or period is not None
    scenario = load_scenario(path, check_network=not overridden)
    if territories is not None:
        scenario = with_territories(scenario, territories, f"{source} (territories)")
    if overridden:
        p = period or PeriodOverride()
        scenario = with_overrides(
            scenario,
            replications=replications,
            start=p.start,
            days=p.days,
            warmup_days=p.warmup_days,
            clip_windows=period is not None,
            source=f"{path} with {source}",
        )
    return resolve(scenario)


def prepare(
    paths: Sequence[str | Path],
    *,
    replications: int | None = None,
    territories: Territories | None = None,
    period: PeriodOverride | None = None,
    baseline: str | None = None,
    source: str = "command-line override",
) -> BatchPlan:
    """Load every scenario (all problems of all files reported together) and plan the batch."""
    runs = []
    problems = []
    for p in paths:
        try:
            runs.extend(
                load_runs(
                    Path(p),
                    replications=replications,
                    territories=territories,
                    period=period,
                    source=source,
                )
            )
        except DataError as exc:
            problems.extend(exc.problems)
    if problems:
        raise DataError(problems)
    return make_plan(runs, baseline=baseline, source=source)
