"""The national validation run: one Dask task per région, each région its own store.

Régions are independent in the model (bed searches and transfers stay within a région), so
each task simulates one région's départements for ``days`` days, ``replications`` times,
and returns a small :class:`xarray.Dataset` (:func:`simulate_region`, no I/O but the
embedded data it reads). The client writes it as ``runs/R<reg>.zarr`` under the output
folder as soon as it arrives; a later run with the same settings skips régions whose store
is there and complete (``resumable``), one with other settings recomputes them.

Seeds come from the master seed and the replication number only, never from the worker or
the order, so results are the same whatever the number of workers or the cluster.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import xarray as xr

from twin.batch.store import ZARR_FORMAT
from twin.network import build_capacities, build_network, load_inputs, load_sae_tables
from twin.outputs import replace_path
from twin.sim.clock import HOURS_PER_DAY
from twin.sim.pathway import ADMIT_ICU, ADMIT_WARD, AGE_ADMISSION_WEIGHT, HOME
from twin.sim.replication import run_replication
from twin.validation.compare import INDICATORS, demand_season, observed, simulated_daily

EPISODE_GROUPS = ("all", "home", "admitted")
"""ED episodes pooled for the length-of-stay distribution: every passage, those going home,
those admitted (ward or critical care, boarding included)."""
LOS_BIN_HOURS = 0.25
LOS_MAX_HOURS = 72.0
"""ED stays are binned by a quarter of an hour up to 72 h (the last bin holds longer ones),
so pooled national medians and shares can be recomputed from the stores exactly to a bin."""
BOARDING_GROUP = "boarding_admitted"


@dataclass(frozen=True)
class RegionTask:
    """Everything one région's task depends on (its store records it as ``settings``)."""
    reg: str
    deps: tuple[str, ...]
    year: int
    start: str
    days: int
    warmup_days: int
    replications: int
    seed: int
    capacity_year: int | None = None
    """Beds of this SAE year instead of ``year``'s (held-out runs: capacities are planned)."""
    def settings(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass
class RunReport:
    """What :func:`run_regions` did."""
    stores: dict[str, Path] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    computed: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0


def _bins() -> np.ndarray:
    return np.arange(0.0, LOS_MAX_HOURS + LOS_BIN_HOURS, LOS_BIN_HOURS)


def los_histograms(ds: xr.Dataset, from_hours: float = 0.0) -> np.ndarray:
    """Counts of ED stays per :data:`EPISODE_GROUPS` (+ boarding of admitted patients) and
    quarter-hour bin, from one replication's episode log, for patients arriving after
    ``from_hours`` (the warm-up); stays past the last edge go in the last bin."""
    edges = _bins()
    keep = ds["episode_arrival_hours"].to_numpy() >= from_hours
    los = ds["episode_los_hours"].to_numpy()[keep]
    disp = ds["episode_disposition"].to_numpy()[keep]
    board = ds["episode_boarding_hours"].to_numpy()[keep]
    admitted = (disp == ADMIT_WARD) | (disp == ADMIT_ICU)
    rows = []
    for values in (los, los[disp == HOME], los[admitted], board[admitted]):
        clipped = np.minimum(values, edges[-1] - LOS_BIN_HOURS / 2)
        rows.append(np.histogram(clipped, bins=edges)[0])
    return np.asarray(rows, dtype=np.int64)


def _region_values(ds: xr.Dataset, deps: tuple[str, ...]) -> dict[str, np.ndarray]:
    daily = simulated_daily(ds)
    return {k: daily[k].reindex(dep=list(deps)).to_numpy() for k in INDICATORS} | {
        "icu_beds": ds["icu_beds"].groupby("dep").sum().reindex(dep=list(deps)).to_numpy(),
    }


AGE_LABELS = ("moins de 15 ans", "15-44 ans", "45-64 ans", "65-74 ans", "75 ans et plus")
"""French labels of the SurSaUD age classes (``twin.network.AGE_CLASSES``)."""


def admissions_by_age(network) -> tuple[np.ndarray, np.ndarray]:
    """Per département (network order) and age class: expected ED passages a year and the
    share admitted to a ward or critical care, as the simulation draws it (each unit's SAE
    share times the relative propensity ``AGE_ADMISSION_WEIGHT``, rescaled to the unit's
    age mix). By construction, not fitted to any published rate by age."""
    deps = list(network.deps)
    passages = np.zeros((len(deps), 5))
    admitted = np.zeros((len(deps), 5))
    for e in network.establishments:
        if e.dep not in deps:
            continue
        i = deps.index(e.dep)
        for u in e.eds:
            scale = float(AGE_ADMISSION_WEIGHT @ u.age_mix) or 1.0
            p = np.clip(u.admit_share * AGE_ADMISSION_WEIGHT / scale, 0.0, 0.95)
            passages[i] += u.annual_passages * u.age_mix
            admitted[i] += u.annual_passages * u.age_mix * p
    return passages, admitted


def with_capacities(network, capacities, year: int):
    """``network`` with the beds (MCO wards, adult critical care, SSR) of ``capacities`` (the
    SAE ``year``'s establishments, :func:`twin.network.build_capacities`) wherever the same
    establishment has the same kind of unit there; everything else (demand, shares, lengths
    of stay, direct admissions) stays calibrated on ``network``'s year. Units absent from the
    capacity year keep their beds."""
    beds = {e.finess: e for e in capacities.establishments}
    out = []
    for e in network.establishments:
        other = beds.get(e.finess)
        if other is None:
            out.append(e)
            continue
        wards = {
            d: replace(w, beds=other.wards[d].beds) if d in other.wards else w
            for d, w in e.wards.items()
        }
        icu = replace(e.icu, beds=other.icu.beds) if e.icu and other.icu else e.icu
        ssr = replace(e.ssr, beds=other.ssr.beds) if e.ssr and other.ssr else e.ssr
        out.append(replace(e, wards=wards, icu=icu, ssr=ssr))
    prov = dict(network.provenance, capacity_year=str(year))
    return replace(network, establishments=tuple(out), provenance=prov)


def simulate_region(task: RegionTask) -> xr.Dataset:
    """Run one région's replications (the worker side: no file is written)."""
    t0 = time.perf_counter()
    deps = list(task.deps)
    start = date.fromisoformat(task.start)
    inputs = load_inputs(task.year, deps)
    network = build_network(inputs, deps, start, task.days + task.warmup_days)
    if task.capacity_year is not None and task.capacity_year != task.year:
        # The beds only: the SAE tables of that year, no demand series read or calibrated.
        capacities = build_capacities(load_sae_tables(task.capacity_year, deps), deps)
        network = with_capacities(network, capacities, task.capacity_year)
    season = demand_season(network, observed(inputs, deps)["ed_passages"])
    by_age = admissions_by_age(network)
    values: dict[str, list[np.ndarray]] = {}
    hists = []
    for r in range(task.replications):
        seed = np.random.SeedSequence(task.seed, spawn_key=(r,))
        ds = run_replication(network, seed, warmup_days=task.warmup_days, episodes=True)
        for k, v in _region_values(ds, task.deps).items():
            values.setdefault(k, []).append(v)
        hists.append(los_histograms(ds, task.warmup_days * HOURS_PER_DAY))
    dates = ds["date"].to_numpy()
    data = {
        k: (("replication", "dep", "date"), np.stack(values[k]).astype(np.float64))
        for k in INDICATORS
    }
    out = xr.Dataset(
        data,
        coords={
            "replication": np.arange(task.replications),
            "dep": list(task.deps),
            "date": dates,
            "group": [*EPISODE_GROUPS, BOARDING_GROUP],
            "bin_start_hours": _bins()[:-1],
            "age": list(AGE_LABELS),
        },
    )
    out["ed_passages_by_age_year"] = (("dep", "age"), by_age[0])
    out["ed_admitted_by_age_year"] = (("dep", "age"), by_age[1])
    out["icu_beds"] = (("dep",), values["icu_beds"][0].astype(np.float64))
    out["season"] = (("dep",), season.reindex(deps).to_numpy(dtype=np.float64))
    out["ed_los_histogram"] = (("replication", "group", "bin_start_hours"), np.stack(hists))
    for k, label in INDICATORS.items():
        out[k].attrs["description"] = label
    out["season"].attrs["description"] = (
        "ED demand the run was given / SAE annual mean per day (flows are compared with "
        "SAE × season)"
    )
    out["ed_los_histogram"].attrs["description"] = (
        f"ED stays per group and {LOS_BIN_HOURS:g} h bin (last bin: {LOS_MAX_HOURS:g} h and more)"
    )
    out.attrs.update(
        settings=task.settings(),
        complete=1,
        source_year=task.year,
        capacity_year=task.capacity_year or task.year,
        versions=ds.attrs.get("versions", ""),
        worker_seconds=round(time.perf_counter() - t0, 2),
    )
    return out


def store_name(task: RegionTask) -> str:
    suffix = "" if task.capacity_year in (None, task.year) else f"_cap{task.capacity_year}"
    return f"R{task.reg}_{task.year}{suffix}.zarr"


def is_complete(path: Path, task: RegionTask) -> bool:
    """A store of this exact task, fully written (its attrs are written last)."""
    if not path.is_dir():
        return False
    try:
        with xr.open_zarr(path) as ds:
            return ds.attrs.get("settings") == task.settings() and ds.attrs.get("complete") == 1
    except (OSError, ValueError, KeyError):
        return False


def write_store(ds: xr.Dataset, path: Path) -> None:
    """Write atomically: a temporary sibling, then a rename over any earlier store."""
    tmp = path.with_name(f".{path.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    ds.to_zarr(tmp, mode="w", consolidated=True, zarr_format=ZARR_FORMAT)
    replace_path(tmp, path)


def run_regions(
    tasks: list[RegionTask],
    folder: Path,
    client=None,
    log: Callable[[str], None] | None = None,
) -> RunReport:
    """Simulate the tasks whose store is missing or stale (on ``client``, else in this
    process) and write each store into ``folder`` as it arrives."""
    log = log or (lambda s: print(s, file=sys.stderr))
    folder.mkdir(parents=True, exist_ok=True)
    report = RunReport()
    t0 = time.perf_counter()
    todo = []
    for task in tasks:
        path = folder / store_name(task)
        report.stores[store_name(task)] = path
        if is_complete(path, task):
            report.skipped.append(store_name(task))
        else:
            todo.append(task)
    if report.skipped:
        log(f"{len(report.skipped)} région(s) déjà simulée(s), reprises telles quelles")
    if client is None:
        for task in todo:
            write_store(simulate_region(task), folder / store_name(task))
            report.computed.append(store_name(task))
            log(f"  {store_name(task)} ({len(report.computed)}/{len(todo)})")
    else:
        # Deferred: distributed (~1 s to import) only when a client runs the régions.
        from distributed import as_completed

        futures = {client.submit(simulate_region, t, pure=False): t for t in todo}
        for fut in as_completed(futures):
            task = futures[fut]
            write_store(fut.result(), folder / store_name(task))
            report.computed.append(store_name(task))
            log(f"  {store_name(task)} ({len(report.computed)}/{len(todo)})")
    report.wall_seconds = time.perf_counter() - t0
    return report
