"""Orchestration of ``twin validate``: plan the région tasks, run them, read the stores back
with the observed SAE values, and write the report (CSV, JSON, HTML) into one folder.

Every number of the report traces to a file: observed values to an SAE file and column
(``provenance.observed`` in ``validation.json``), simulated values to a région store and
variable (``provenance.simulated``). ``tests/test_validate_report.py`` re-derives some.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import xarray as xr

from twin.batch.store import git_revision, package_versions
from twin.geography import dep_to_reg, departements, regions
from twin.network.cache import sae_for
from twin.outputs import record_outputs, write_text
from twin.paths import data_dir
from twin.sources.sae import available_years, find_file
from twin.validation import heldout as ho
from twin.validation import tables as tb
from twin.validation.compare import COMPLETE_SHARE, INDICATORS, coverage, observed
from twin.validation.report import render_html
from twin.validation.runner import RegionTask, run_regions, store_name

COMMAND = "twin validate"
RUNS = "runs"
OUTPUT_FILES = (
    "validation.html",
    "validation.json",
    "validation_departements.csv",
    "validation_regions.csv",
    "validation_france.csv",
    "validation_duree_passage.csv",
    "validation_annee_non_vue.csv",
    RUNS,
)
"""Everything ``twin validate`` writes into its folder (the marker records these)."""

OBSERVED_SOURCE: dict[str, tuple[str, str, str]] = {
    "ed_passages": ("URGENCES2", "PASSU", "somme des unités du département / 365"),
    "ed_admissions": (
        "URGENCES2", "dtHOSP (à défaut dtMCO+dtLS+dtHAD+dtEXT)", "somme / 365",
    ),
    "mco_occupied": ("MCO", "JOU_MED + JOU_CHI + JOU_OBS", "somme / 365"),
    "icu_occupied": ("REA", "JOU (UNI = REAADU)", "somme / 365"),
    "ssr_occupied": ("SSR", "JOUHC", "somme / 365"),
    "smur_missions": ("SMURSAMU", "SORTER1", "somme / 365"),
    "samu_calls": ("SMURSAMU", "APD", "somme / 365"),
}
"""Indicator → (SAE bordereau, column(s), rule) of the observed value."""
BEDS_SOURCE = {"mco_beds": ("MCO", "LIT_MED + LIT_CHI + LIT_OBS"), "icu_beds": ("REA", "LIT")}


@dataclass(frozen=True)
class Settings:
    deps: tuple[str, ...]
    year: int
    start: str
    days: int
    warmup_days: int
    replications: int
    seed: int
    held_out: bool


@dataclass
class Result:
    settings: Settings
    tables: dict[str, pd.DataFrame]
    metrics: dict[str, float]
    los: pd.DataFrame
    by_age: pd.DataFrame = field(default_factory=pd.DataFrame)
    heldout: dict[str, pd.DataFrame] = field(default_factory=dict)
    heldout_detail: dict[str, pd.DataFrame] = field(default_factory=dict)
    provenance: dict = field(default_factory=dict)
    wall_seconds: float = 0.0


def region_tasks(s: Settings, year: int, capacity_year: int | None = None) -> list[RegionTask]:
    """One task per région of ``s.deps``, the run window moved to ``year``."""
    reg_of = dep_to_reg()
    by_reg: dict[str, list[str]] = {}
    for d in s.deps:
        by_reg.setdefault(reg_of[d], []).append(d)
    start = date.fromisoformat(s.start).replace(year=year).isoformat()
    return [
        RegionTask(reg, tuple(deps), year, start, s.days, s.warmup_days, s.replications, s.seed,
                   capacity_year)
        for reg, deps in sorted(by_reg.items())
    ]


def heldout_pairs(year: int) -> list[tuple[int, int]]:
    """(calibration, target) pairs: ``year`` → ``year + 1`` and ``year - 1`` → ``year``,
    kept when both SAE years are embedded."""
    have = set(available_years())
    return [(c, c + 1) for c in (year, year - 1) if c in have and c + 1 in have]


def all_tasks(s: Settings) -> dict[str, list[RegionTask]]:
    out = {"main": region_tasks(s, s.year)}
    if s.held_out:
        for c, t in heldout_pairs(s.year):
            out[f"{c}->{t}"] = region_tasks(s, c, capacity_year=t)
    return out


def _open(folder: Path, tasks: list[RegionTask]) -> list[xr.Dataset]:
    return [xr.open_zarr(folder / store_name(t)).load() for t in tasks]


def _geo() -> pd.DataFrame:
    g = departements()[["reg", "nom"]].copy()
    g["reg_nom"] = g["reg"].map(regions()["nom"])
    return g


def _beds(inputs, deps: list[str]) -> pd.DataFrame:
    mco = inputs.mco[inputs.mco["dep"].isin(deps)].groupby("dep")["beds"].sum()
    cc = inputs.critical_care
    icu = cc[cc["unit_code"] == "REAADU"].groupby("dep")["beds"].sum()
    return pd.DataFrame({"mco_beds": mco, "icu_beds": icu}).reindex(deps).fillna(0.0)


def _season(stores: list[xr.Dataset]) -> pd.Series:
    return pd.concat([ds["season"].to_series() for ds in stores]).rename(index=str)


def _sae_file(bordereau: str, year: int) -> str:
    p = find_file(bordereau, year).resolve()
    try:
        return str(p.relative_to(data_dir().resolve().parent))
    except ValueError:
        return str(p)


def provenance(s: Settings, tasks: dict[str, list[RegionTask]]) -> dict:
    """Where each number comes from (files relative to the repository, stores relative to
    the report folder)."""
    stores = {
        d: f"{RUNS}/{store_name(t)}" for t in tasks["main"] for d in t.deps
    }
    return {
        "observed": {
            ind: {
                "file": _sae_file(b, s.year),
                "bordereau": b,
                "columns": cols,
                "rule": rule,
                "departement_from": f"{_sae_file('ID', s.year)} (colonnes fi → dep)",
                "loader": "twin.validation.compare.observed(twin.network.load_inputs(year, deps))",
            }
            for ind, (b, cols, rule) in OBSERVED_SOURCE.items()
        },
        "beds": {
            k: {"file": _sae_file(b, s.year), "columns": c} for k, (b, c) in BEDS_SOURCE.items()
        },
        "simulated": {
            "stores": stores,
            "variables": {ind: ind for ind in INDICATORS},
            "rule": "moyenne sur les jours (dimension date) de chaque réplication ; point = "
            "moyenne des réplications, intervalle = min–max des réplications",
            "season": "variable season du store (demande simulée / moyenne annuelle SAE)",
            "ed_los": "variable ed_los_histogram des stores (pas d'un quart d'heure)",
        },
    }


def assemble(folder: Path, s: Settings, tasks: dict[str, list[RegionTask]]) -> Result:
    """Read the stores of ``folder/runs`` and the observed SAE values into a :class:`Result`."""
    runs = folder / RUNS
    deps = list(s.deps)
    stores = _open(runs, tasks["main"])
    # The SAE tables only (no daily SurSaUD series), each year read once: the held-out pairs
    # share years with the main comparison.
    inputs = sae_for(s.year, s.deps)
    expected = tb.expected_values(
        observed(inputs, deps), _season(stores), coverage(inputs, deps)
    )
    tables = tb.comparison_tables(
        tb.replication_means(stores), expected, _beds(inputs, deps), _geo()
    )
    result = Result(
        settings=s,
        tables=tables,
        metrics=tb.headline_metrics(tables),
        los=tb.pooled_los(stores),
        by_age=tb.admissions_by_age(stores),
        provenance=provenance(s, tasks),
    )
    for key, ts in tasks.items():
        if key == "main":
            continue
        c, t = (int(x) for x in key.split("->"))
        hs = _open(runs, ts)
        model = ho.predictions(tb.replication_means(hs), _season(hs))
        in_c, in_t = sae_for(c, s.deps), sae_for(t, s.deps)
        complete = pd.concat([coverage(in_c, deps), coverage(in_t, deps)]).groupby(level=0).min()
        result.heldout_detail[key], result.heldout[key] = ho.score(
            model, observed(in_c, deps), observed(in_t, deps), complete >= COMPLETE_SHARE
        )
    return result


def run(s: Settings, folder: Path, client=None) -> Result:
    """Simulate what is missing, then assemble the result."""
    t0 = time.perf_counter()
    tasks = all_tasks(s)
    run_regions([t for ts in tasks.values() for t in ts], folder / RUNS, client)
    result = assemble(folder, s, tasks)
    result.wall_seconds = time.perf_counter() - t0
    return result


def to_json(result: Result) -> dict:
    def records(df: pd.DataFrame) -> list[dict]:
        return json.loads(df.to_json(orient="records", force_ascii=False))

    return {
        "command": COMMAND,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_revision": git_revision(),
        "versions": package_versions(),
        "settings": result.settings.__dict__ | {"deps": list(result.settings.deps)},
        "metrics": result.metrics,
        "france": records(result.tables["france"]),
        "regions": records(result.tables["region"]),
        "departements": records(result.tables["departement"]),
        "ed_length_of_stay": records(result.los),
        "ed_admission_by_age": records(result.by_age),
        "heldout": {k: records(v) for k, v in result.heldout.items()},
        "provenance": result.provenance,
        "wall_seconds": round(result.wall_seconds, 1),
    }


def write(result: Result, folder: Path) -> list[str]:
    """Write the report files into ``folder`` (atomically, one by one) and record them."""
    payload = to_json(result)
    files = {
        "validation_departements.csv": result.tables["departement"],
        "validation_regions.csv": result.tables["region"],
        "validation_france.csv": result.tables["france"],
        "validation_duree_passage.csv": result.los,
    }
    if result.heldout:
        files["validation_annee_non_vue.csv"] = pd.concat(
            [v.assign(pair=k) for k, v in result.heldout.items()], ignore_index=True
        )
    written = [*files, "validation.json", "validation.html", RUNS]
    # Claimed before writing, so a run that fails half-way can be rerun without --force.
    record_outputs(folder, written, COMMAND)
    for name, df in files.items():
        write_text(folder / name, df.to_csv(index=False))
    write_text(folder / "validation.json", json.dumps(payload, indent=1, ensure_ascii=False))
    write_text(folder / "validation.html", render_html(result, payload))
    return written
