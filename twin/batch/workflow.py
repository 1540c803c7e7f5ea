"""End-to-end helpers: run scenarios in parallel, then compare them (``twin demo``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import pandas as pd

from twin.batch.cluster import ClusterSettings
from twin.batch.compare import compare_and_print
from twin.batch.manifest import PeriodOverride
from twin.batch.prepare import prepare
from twin.batch.runner import BatchReport, print_failures, run_batch
from twin.errors import DataError
from twin.geography import departements, normalise_dep, normalise_reg, regions
from twin.scenario.model import Territories


@dataclass
class RunAndCompare:
    report: BatchReport
    table: pd.DataFrame | None
    """The comparison (``None`` when tasks failed: nothing trustworthy to compare)."""
    comparison_path: Path | None


def run_and_compare(
    scenario_paths: Sequence[str | Path],
    out: str | Path,
    *,
    replications: int | None = None,
    workers: int = 2,
    days: int | None = None,
    territories: Sequence[str] | None = None,
    baseline: str | None = None,
    resume: bool = False,
    stream: TextIO | None = None,
) -> RunAndCompare:
    """Run the scenarios (the first, or ``baseline``, is the reference) as one batch on a
    local cluster of ``workers`` processes, then print and save their comparison.

    ``days`` shortens every scenario's period (intervention windows are cut to it);
    ``territories`` (département or région codes, e.g. ``["94"]`` for Corse) replaces the
    scenarios' territory. The store is ``out``; the comparison CSV is saved beside it.
    Raises :class:`DataError` for bad scenarios (nothing written).
    """
    stream = stream or sys.stdout
    terr = _territories(territories) if territories else None
    plan = prepare(
        scenario_paths,
        replications=replications,
        territories=terr,
        period=PeriodOverride(days=days) if days is not None else None,
        baseline=baseline,
    )
    report = run_batch(
        plan, Path(out), settings=ClusterSettings(kind="local", workers=workers), resume=resume
    )
    print(report.summary(), file=stream)
    if report.failed:
        print_failures(report)
        return RunAndCompare(report, None, None)
    table, saved = compare_and_print(Path(out), plan.baseline, stream=stream)
    return RunAndCompare(report, table, saved)


def _territories(codes: Sequence[str]) -> Territories:
    """Split codes into départements and régions (a code that is both is a région here
    only when written ``R94``)."""
    deps, regs = [], []
    for c in codes:
        c = str(c).strip()
        if c.upper().startswith("R") and normalise_reg(c[1:]) in regions().index:
            regs.append(normalise_reg(c[1:]))
        elif normalise_dep(c) in departements().index:
            deps.append(normalise_dep(c))
        elif normalise_reg(c) in regions().index:
            regs.append(normalise_reg(c))
        else:
            raise DataError.single("territories", "département or région codes", repr(c))
    return Territories(departements=tuple(deps), regions=tuple(regs))
