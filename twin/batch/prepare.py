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
from twin.scenario import Overrides, ResolvedScenario, load_scenario
from twin.scenario.model import Territories


def load_runs(
    path: Path,
    *,
    replications: int | None = None,
    territories: Territories | None = None,
    period: PeriodOverride | None = None,
    source: str = "command-line override",
) -> list[ResolvedScenario]:
    """The resolved runs of one scenario file (several for a sweep), overrides applied.

    A period override cuts intervention windows to the new period (and drops those wholly
    outside it), so a library scenario can be run on a short horizon."""
    overridden = replications is not None or territories is not None or period is not None
    if not overridden:
        return load_scenario(path)
    p = period or PeriodOverride()
    overrides = Overrides(
        replications=replications,
        territories=territories,
        start=p.start,
        days=p.days,
        warmup_days=p.warmup_days,
        clip_windows=period is not None,
        source=source,
    )
    return load_scenario(path, overrides=overrides)


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
