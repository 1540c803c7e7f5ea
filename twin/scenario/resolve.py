"""Step 4 of the scenario pipeline, ``resolve``: the variants of a scenario (its sweep
expanded by :func:`twin.scenario.sweep.expand`) → the runs they stand for, run table drawn.

The **run table** holds, per replication, the value of every uncertain input (an interval
``{low, high}`` in the file). Replication 0 is the central run (midpoints); replication
``r >= 1`` draws each value uniformly from the named stream
``stream(replication_seed(seed, r), "run-table", <parameter>)``, so a draw depends only on
the master seed, the replication and the parameter's name — not on how many replications
are run, nor on the other parameters. Percentages are stored as fractions (-20% → -0.2).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from twin.rng import replication_seed, stream
from twin.scenario import paths
from twin.scenario.compile import scenario_deps
from twin.scenario.model import Scenario, SweepValue
from twin.scenario.values import Range


class ResolvedScenario(BaseModel):
    """One runnable scenario: validated, without sweep, with its run table.

    ``model_dump(mode="json")`` is what a result store keeps in its attributes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(description="Run name (a sweep variant's carries its values).")
    family: str = Field(description="Name of the scenario file's scenario (before sweep).")
    sweep_values: dict[str, SweepValue] = Field(default_factory=dict)
    scenario: Scenario
    departements: tuple[str, ...] = Field(description="Simulated départements.")
    uncertain: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="Uncertain inputs: parameter → (low, high)."
    )
    run_table: tuple[dict[str, int | float], ...] = Field(
        description="Per replication, the value drawn for each uncertain input."
    )

    @property
    def replications(self) -> int:
        return len(self.run_table)

    @property
    def master_seed(self) -> int:
        return self.scenario.seed

    def seed(self, replication: int) -> np.random.SeedSequence:
        """The replication's seed: the master seed and the replication only (common random
        numbers across the scenarios of a batch)."""
        return replication_seed(self.scenario.seed, replication)

    def realise(self, replication: int) -> Scenario:
        """The scenario with every interval replaced by this replication's draw."""
        row = self.run_table[replication]
        out = self.scenario
        for path, _ in paths.uncertain(self.scenario):
            out = paths.replace(out, path, row[paths.name_of(self.scenario, path)])
        return out


def draw(r: Range, seed: int, replication: int, parameter: str) -> float:
    if replication == 0:
        return r.midpoint()
    rng = stream(replication_seed(seed, replication), "run-table", parameter)
    if r.integer:
        return int(rng.integers(int(r.low), int(r.high) + 1))
    return float(rng.uniform(r.low, r.high))


def run_table(scenario: Scenario, replications: int | None = None) -> tuple[dict[str, Any], ...]:
    n = scenario.replications if replications is None else replications
    found = paths.uncertain(scenario)
    names = [(paths.name_of(scenario, p), r) for p, r in found]
    return tuple(
        {name: draw(r, scenario.seed, k, name) for name, r in names} for k in range(n)
    )


def resolve_one(
    scenario: Scenario,
    *,
    family: str | None = None,
    sweep_values: dict[str, SweepValue] | None = None,
) -> ResolvedScenario:
    """A scenario without sweep → its :class:`ResolvedScenario`."""
    if scenario.sweep is not None:
        raise ValueError("a scenario with a sweep resolves to several runs: use resolve()")
    found = paths.uncertain(scenario)
    return ResolvedScenario(
        name=scenario.name,
        family=family or scenario.name,
        sweep_values=sweep_values or {},
        scenario=scenario,
        departements=scenario_deps(scenario.territories),
        uncertain={paths.name_of(scenario, p): (r.low, r.high) for p, r in found},
        run_table=run_table(scenario),
    )


def resolve(
    family: str, variants: Iterable[tuple[Scenario, Mapping[str, SweepValue]]]
) -> list[ResolvedScenario]:
    """The runs of the scenario named ``family``: one per variant (scenario, sweep values)."""
    return [resolve_one(v, family=family, sweep_values=dict(sv)) for v, sv in variants]
