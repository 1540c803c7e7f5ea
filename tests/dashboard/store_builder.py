"""Results stores for the dashboard's tests and benchmark, written to the batch contract.

The store format (``docs/reference-outputs.md``, « The results store ») is the contract
between the batch runner and the dashboard. These helpers write stores that follow it
exactly, from *real* simulation outputs (``build_network`` + ``run_replication`` + the
batch's own ``department_values``), with the variables and attributes of the output
registry, so the dashboard is tested on the same shapes, dtypes, attributes and value
ranges a batch produces.

``tile_store`` fills a large store (benchmark size: 10 scenarios × 30 replications × 101
départements × 365 days) by writing the real template once and tiling the values of a few
short real runs over départements, days and replications: the values are real simulation
outputs, repeated, which is all a latency benchmark needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd
import xarray as xr

from twin.batch.aggregate import department_values
from twin.batch.variables import STORE_VARIABLES, VARIABLE_NAMES, store_attrs
from twin.geography import departements, regions

CONTRACT_VARIABLES = VARIABLE_NAMES


def dep_level(run: xr.Dataset) -> xr.Dataset:
    """One replication's Dataset reduced to the store's département variables (the batch
    worker's computation)."""
    deps = tuple(sorted({str(d) for d in run["dep"].values}))
    dates = pd.DatetimeIndex(run["date"].values).astype("datetime64[ns]")
    values = department_values(run, deps, dates)
    return xr.Dataset(
        {v: (("dep", "date"), values[k]) for k, v in enumerate(CONTRACT_VARIABLES)},
        coords={"dep": list(deps), "date": dates},
    )


def template(scenarios: Sequence[str], replications: int, deps: Sequence[str],
             dates: pd.DatetimeIndex, specs: Mapping[str, object] | None = None,
             seed: int = 1) -> xr.Dataset:
    """An empty (NaN) store Dataset with every dimension, coordinate and attribute."""
    ref = departements()
    regs = sorted({ref.at[d, "reg"] for d in deps})
    shape = (len(scenarios), replications, len(deps), len(dates))
    data = {v.name: (("scenario", "replication", "dep", "date"), np.full(shape, np.nan, np.float32),
                store_attrs(v)) for v in STORE_VARIABLES}
    data["completed"] = (("scenario", "replication", "block"),
                         np.zeros((len(scenarios), replications, len(regs)), dtype=bool))
    return xr.Dataset(
        data,
        coords={
            "scenario": list(scenarios),
            "replication": np.arange(replications),
            "dep": list(deps),
            "reg": ("dep", [ref.at[d, "reg"] for d in deps]),
            "dep_name": ("dep", [ref.at[d, "nom"] for d in deps]),
            "date": pd.DatetimeIndex(dates).astype("datetime64[ns]"),
            "block": [f"R{r}" for r in regs],
        },
        attrs={
            "baseline": scenarios[0],
            "scenarios": json.dumps(specs or {s: {"name": s} for s in scenarios},
                                    ensure_ascii=False, sort_keys=True, default=str),
            "run_table": json.dumps({}),
            "seed_entropy": str(seed),
            "versions": json.dumps({"twin": "test"}),
            "git_revision": "test",
            "created": datetime(2026, 1, 1).isoformat(),
            "twin_format_version": 1,
        },
    )


def write_store(path, runs: Mapping[str, Sequence[xr.Dataset]],
                specs: Mapping[str, object] | None = None,
                incomplete: Sequence[tuple[str, int]] = ()) -> xr.Dataset:
    """Write a store from département-level runs ``{scenario: [rep0, rep1, ...]}``; the
    first scenario is the baseline. ``incomplete`` lists (scenario, replication) cells left
    unwritten, as in a batch still running."""
    scenarios = list(runs)
    first = runs[scenarios[0]][0]
    deps = [str(d) for d in first["dep"].values]
    ds = template(scenarios, len(runs[scenarios[0]]), deps,
                  pd.DatetimeIndex(first["date"].values), specs)
    skip = set(incomplete)
    for i, s in enumerate(scenarios):
        for r, run in enumerate(runs[s]):
            if (s, r) in skip:
                continue
            for v in CONTRACT_VARIABLES:
                ds[v][i, r] = run[v].transpose("dep", "date").values.astype(np.float32)
            ds["completed"][i, r] = True
    ds.to_zarr(path, mode="w", consolidated=False)
    return ds


def tile_store(path, runs: Sequence[xr.Dataset], n_scenarios: int, replications: int,
               deps: Sequence[str], dates: pd.DatetimeIndex,
               chunk_days: int = 365) -> None:
    """A large store tiled from a few real département-level runs (see module docstring).

    Scenario ``k`` uses the runs' values scaled by ``1 + 0.02 k`` on counts so that
    differences from the baseline are not zero. Written one scenario at a time by region
    (``to_zarr(region=...)``), as the batch runner's single writer does.
    """
    scenarios = ["reference"] + [f"scenario_{k:02d}" for k in range(1, n_scenarios)]
    tmpl = template(scenarios, replications, list(deps), dates)
    chunks = {"scenario": 1, "replication": replications, "dep": len(deps),
              "date": min(chunk_days, len(dates))}
    tmpl = tmpl.chunk(chunks)
    tmpl.to_zarr(path, mode="w", compute=False, consolidated=False)
    src = [r.transpose("dep", "date") for r in runs]
    n_src_deps = src[0].sizes["dep"]
    n_src_days = src[0].sizes["date"]
    dep_idx = np.arange(len(deps)) % n_src_deps
    day_idx = np.arange(len(dates)) % n_src_days
    for k in range(len(scenarios)):
        block = {}
        for v in CONTRACT_VARIABLES:
            arr = np.empty((1, replications, len(deps), len(dates)), np.float32)
            for r in range(replications):
                base = src[r % len(src)][v].values[dep_idx][:, day_idx]
                factor = 1.0 if v.endswith(("rate", "share", "capacity")) else 1 + 0.02 * k
                arr[0, r] = base * factor
            block[v] = (("scenario", "replication", "dep", "date"), arr)
        block["completed"] = (("scenario", "replication", "block"),
                              np.ones((1, replications, tmpl.sizes["block"]), bool))
        part = xr.Dataset(block)
        part.to_zarr(path, region={"scenario": slice(k, k + 1)}, mode="r+", consolidated=False)


def simulate(deps: Sequence[str], start: date, days: int, scenarios: Mapping[str, dict],
             replications: int, year: int = 2023) -> dict[str, list[xr.Dataset]]:
    """Real short runs: each scenario is a dict of ``run_replication`` keyword arguments;
    replication ``r`` of every scenario uses seed ``1000 + r`` (common random numbers)."""
    from twin.network import build_network, load_inputs
    from twin.sim.replication import run_replication

    inputs = load_inputs(year, list(deps))
    net = build_network(inputs, list(deps), start, days)
    return {name: [dep_level(run_replication(net, 1000 + r, **kwargs))
                   for r in range(replications)]
            for name, kwargs in scenarios.items()}


def region_names() -> dict[str, str]:
    return regions()["nom"].to_dict()
