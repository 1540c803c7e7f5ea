"""Step 6 of the scenario pipeline, what a batch task runs: territory blocks, and one
(scenario, replication, block) → Dataset (compiled by :mod:`twin.scenario.compile`).

**Blocks.** Patients overflow (transfers for lack of a bed, SAMU orientation) only within a
région, so the régions of a scenario are independent and each is one block: tasks of
different blocks can run on different workers.

**Seeds.** A replication's seed is ``replication_seed(master_seed, replication)``: it depends
neither on the scenario (a baseline and its variants see the same patients: common random
numbers) nor on the block. Every random stream of the simulation is named after what it
draws for (an ED's FINESS, a SAMU's département: :mod:`twin.rng`), so a département's
patients are the same whichever block it is simulated in.

The network of a block comes from :func:`twin.network.cache.network_for` (cached per
process, so the replications of a block on one worker build it once); the forecast demand of
a block is cached here the same way.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import xarray as xr

from twin.geography import dep_to_reg
from twin.network import DEFAULT_PARAMETERS, CareNetwork, ModelParameters
from twin.network.cache import NETWORK_CACHE_SIZE, network_for
from twin.scenario.compile import compile_demand, compile_interventions, compile_policy
from twin.scenario.resolve import ResolvedScenario
from twin.sim.replication import run_replication


@lru_cache(maxsize=NETWORK_CACHE_SIZE)
def cached_forecast(
    year: int,
    deps: tuple[str, ...],
    start: date,
    days: int,
    origin: date,
    quantile: float,
    method: str,
    seed: int,
    parameters: ModelParameters = DEFAULT_PARAMETERS,
) -> dict[str, np.ndarray]:
    """Forecast demand multipliers of a block (the same for every replication)."""
    # deferred: only a demand of source: forecast needs the forecasting engine (~0.5 s import)
    from forecasting.twin_demand import forecast_demand_multiplier

    network = network_for(year, deps, start, days, parameters)
    return forecast_demand_multiplier(network, origin, quantile, method=method, seed=seed)


def blocks(resolved: ResolvedScenario) -> list[tuple[str, ...]]:
    """Independent territory blocks: the scenario's départements grouped by région, blocks
    in région-code order, départements in official order within a block."""
    reg = dep_to_reg()
    out: dict[str, list[str]] = {}
    for d in resolved.departements:
        out.setdefault(reg[d], []).append(d)
    return [tuple(out[r]) for r in sorted(out)]


def block_name(block: tuple[str, ...]) -> str:
    """The région code of a block (blocks are whole-région groups of départements)."""
    regs = sorted({dep_to_reg()[d] for d in block})
    return "+".join(regs)


def block_network(resolved: ResolvedScenario, block: tuple[str, ...]) -> CareNetwork:
    sc = resolved.scenario
    return network_for(
        sc.data_year, tuple(block), sc.period.start, sc.period.days, sc.parameters
    )


def replicate(resolved: ResolvedScenario, replication: int, block: tuple[str, ...]) -> xr.Dataset:
    """Simulate one replication of one block; a pure function of its arguments (and of the
    embedded data), returning the simulation's Dataset with the run's identity in attrs."""
    if not 0 <= replication < resolved.replications:
        raise ValueError(f"replication {replication} outside 0..{resolved.replications - 1}")
    unknown = set(block) - set(resolved.departements)
    if unknown:
        raise ValueError(f"block départements {sorted(unknown)} are not in the scenario")
    sc = resolved.realise(replication)
    network = block_network(resolved, block)
    base = None
    if sc.demand.source == "forecast":
        base = cached_forecast(
            sc.data_year,
            tuple(block),
            sc.period.start,
            sc.period.days,
            sc.demand.origin,
            sc.demand.quantile,
            sc.demand.method,
            sc.seed,
            sc.parameters,
        )
    ds = run_replication(
        network,
        resolved.seed(replication),
        warmup_days=sc.period.warmup_days,
        policy=compile_policy(sc),
        demand_multiplier=compile_demand(sc, network, base),
        interventions=compile_interventions(sc, network),
    )
    ds.attrs.update(
        {
            "scenario": resolved.name,
            "replication": replication,
            "block": block_name(block),
            "master_seed": sc.seed,
        }
    )
    return ds
