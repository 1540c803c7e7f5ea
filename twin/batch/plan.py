"""The shape of a batch: which scenarios, replications, départements, days and tasks.

A :class:`BatchPlan` is built from resolved scenarios (pure: no I/O) and fixes every index
the results store uses, so that the template, the tasks and a later ``--resume`` agree on
where each task's numbers go. The scenarios of one batch must share their période,
départements and number of replications: the comparison pairs replication ``r`` of each
scenario with replication ``r`` of the baseline (same seed, same patients), which only
means something on the same days and territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd

from twin.errors import DataError, DataProblem
from twin.scenario import ResolvedScenario, block_name, blocks


@dataclass(frozen=True)
class Task:
    """One unit of work: a replication of a scenario on one independent territory block."""

    scenario_index: int
    replication: int
    block_index: int

    def key(self, plan: BatchPlan) -> str:
        """A readable, unique Dask key (``pure=False`` semantics without random suffixes)."""
        return (
            f"twin-{plan.scenario_names[self.scenario_index]}"
            f"-r{self.replication}-b{plan.block_names[self.block_index]}"
        )


@dataclass(frozen=True)
class BatchPlan:
    """Indices of a batch's results store; see the module docstring."""

    scenarios: tuple[ResolvedScenario, ...]
    replications: int
    blocks: tuple[tuple[str, ...], ...]
    dates: pd.DatetimeIndex

    @property
    def scenario_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.scenarios)

    @property
    def baseline(self) -> str:
        return self.scenarios[0].name

    @property
    def block_names(self) -> tuple[str, ...]:
        return tuple(block_name(b) for b in self.blocks)

    @property
    def deps(self) -> tuple[str, ...]:
        """Départements in block order, so each block is a contiguous slice of ``dep``."""
        return tuple(d for b in self.blocks for d in b)

    def dep_slice(self, block_index: int) -> slice:
        start = sum(len(b) for b in self.blocks[:block_index])
        return slice(start, start + len(self.blocks[block_index]))

    def tasks(self) -> list[Task]:
        """Every task, replication-major so that early results cover every scenario (a
        half-finished batch can already be compared on its first replications)."""
        return [
            Task(s, r, b)
            for r in range(self.replications)
            for s in range(len(self.scenarios))
            for b in range(len(self.blocks))
        ]

    def missing(self, completed: np.ndarray) -> list[Task]:
        """Tasks whose ``completed[scenario, replication, block]`` cell is False."""
        return [
            t for t in self.tasks() if not completed[t.scenario_index, t.replication, t.block_index]
        ]


def make_plan(
    runs: list[ResolvedScenario], baseline: str | None = None, source: str = "batch"
) -> BatchPlan:
    """Order the runs (baseline first) and check they can share one store.

    Raises :class:`DataError` naming the scenario and field that differ from the baseline.
    """
    if not runs:
        raise DataError.single(source, "at least one scenario", "none")
    names = [r.name for r in runs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError.single(
            source,
            "scenario names unique in a batch",
            "repeated " + ", ".join(dupes),
            None,
            "name",
        )
    if baseline is not None:
        if baseline not in names:
            raise DataError.single(
                source,
                "the name of one of the batch's scenarios (" + ", ".join(names) + ")",
                repr(baseline),
                None,
                "baseline",
            )
        runs = [r for r in runs if r.name == baseline] + [r for r in runs if r.name != baseline]
    base = runs[0]
    problems: list[DataProblem] = []
    for r in runs[1:]:
        where = f"scenario {r.name}"
        for field, a, b in (
            ("period", base.scenario.period, r.scenario.period),
            ("territories", base.departements, r.departements),
            ("replications", base.replications, r.replications),
        ):
            if a != b:
                problems.append(
                    DataProblem(
                        where,
                        f"the same {field} as the baseline {base.name} ({_show(a)})",
                        _show(b),
                        None,
                        field,
                    )
                )
    if problems:
        raise DataError(problems)
    period = base.scenario.period
    first = period.start + timedelta(days=period.warmup_days)
    dates = pd.date_range(first, periods=period.days - period.warmup_days, freq="D")
    return BatchPlan(
        scenarios=tuple(runs),
        replications=base.replications,
        blocks=tuple(blocks(base)),
        dates=pd.DatetimeIndex(dates.astype("datetime64[ns]")),
    )


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(map(str, value)) + "]"
    if hasattr(value, "model_dump"):
        return ", ".join(f"{k}: {v}" for k, v in value.model_dump(mode="json").items())
    return str(value)
