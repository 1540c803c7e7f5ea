"""Writing forecast results (zarr + CSV), their provenance, and the French summary table.

Every result carries what is needed to reproduce it: seed, method, origin, package versions
and the git revision of the code (read-only ``git rev-parse``; "unknown" outside a
checkout).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

import twin
from forecasting.series import QUANTILES

_PACKAGES = ("prophet", "cmdstanpy", "statsmodels", "numpy", "pandas", "xarray", "zarr",
             "dask", "distributed")


@cache
def provenance() -> dict[str, str]:
    """``versions`` (JSON of package versions) and ``git_revision`` for result attributes."""
    versions = {}
    for p in _PACKAGES:
        try:
            versions[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            versions[p] = "absent"
    versions["twin"] = twin.__version__
    repo = Path(__file__).resolve().parent.parent
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True,
                             text=True, timeout=5, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = "unknown"
    return {"versions": json.dumps(versions, sort_keys=True), "git_revision": rev or "unknown"}


def to_frame(ds: xr.Dataset) -> pd.DataFrame:
    """Long table: one row per series and date, point forecast and the five quantiles."""
    q = ds["forecast"].to_numpy()
    n_s, n_d, _ = q.shape
    frame = pd.DataFrame({
        "series": np.repeat(ds["series"].to_numpy(), n_d),
        "territory": np.repeat(ds["territory"].to_numpy(), n_d),
        "label": np.repeat(ds["label"].to_numpy(), n_d),
        "level": np.repeat(ds["level"].to_numpy(), n_d),
        "group": np.repeat(ds["group"].to_numpy(), n_d),
        "method": np.repeat(ds["method_used"].to_numpy(), n_d),
        "date": np.tile(ds["date"].to_numpy(), n_s),
        "point": ds["point"].to_numpy().ravel(),
    })
    for k, p in enumerate(QUANTILES):
        frame[f"q{p:g}"] = q[:, :, k].ravel()
    return frame


@contextmanager
def staged_outputs(out: str | Path, stale: Sequence[str] = ()) -> Iterator[Path]:
    """Write results into a hidden staging folder beside ``out``, then move them in.

    Yields the staging folder. If the body raises, the staging folder is deleted and
    ``out`` is left exactly as it was: a failed or interrupted run never leaves half-written
    results in place of good ones. On success each staged entry replaces its namesake in
    ``out`` by ``rename`` (same file system, so a reader sees the old or the new file,
    never a mixture; a zarr folder is swapped by two renames). Entries of ``out`` named in
    ``stale`` that the run did not produce are removed (e.g. the disruption warnings of an
    earlier run made with a disruption file).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stage = out / f".staging-{uuid.uuid4().hex[:12]}"
    stage.mkdir()
    try:
        yield stage
        produced = sorted(stage.iterdir())
        for entry in produced:
            target = out / entry.name
            if entry.is_dir() and target.exists():
                old = out / f".old-{uuid.uuid4().hex[:12]}-{entry.name}"
                os.rename(target, old)
                os.rename(entry, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(entry, target)
        for name in set(stale) - {e.name for e in produced}:
            target = out / name
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            elif target.exists():
                target.unlink()
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def write_outputs(ds: xr.Dataset, out: str | Path, stem: str) -> tuple[Path, Path]:
    """Write ``<out>/<stem>.zarr`` and ``<out>/<stem>.csv`` (both staged, then moved in
    place of earlier ones: see :func:`staged_outputs`); return both final paths."""
    out = Path(out)
    with staged_outputs(out) as stage:
        ds.to_zarr(stage / f"{stem}.zarr", mode="w", consolidated=False)
        to_frame(ds).to_csv(stage / f"{stem}.csv", index=False, date_format="%Y-%m-%d",
                            float_format="%.2f")
    return out / f"{stem}.zarr", out / f"{stem}.csv"


def write_metrics(ds: xr.Dataset, metrics: pd.DataFrame, out: str | Path,
                  stem: str) -> tuple[Path, Path]:
    """Write a backtest Dataset to ``<out>/<stem>.zarr`` and its metrics table to
    ``<out>/<stem>_metrics.csv`` (staged, see :func:`staged_outputs`)."""
    out = Path(out)
    with staged_outputs(out) as stage:
        ds.to_zarr(stage / f"{stem}.zarr", mode="w", consolidated=False)
        metrics.to_csv(stage / f"{stem}_metrics.csv", index=False, float_format="%.4f")
    return out / f"{stem}.zarr", out / f"{stem}_metrics.csv"


def _fr(x: float) -> str:
    """French thousands separator (narrow no-break space), no decimals."""
    return f"{x:,.0f}".replace(",", "\u202f")


def french_table(ds: xr.Dataset, top: int = 10) -> str:
    """Top territories by expected total over the horizon, with the 80 % interval.

    Lists the bottom-level territories (départements, or régions for medicines) with the
    largest totals, then the aggregates (région, France) of the run.
    """
    kind = ds.attrs.get("series_kind", "ed")
    lo, hi = QUANTILES.index(0.1), QUANTILES.index(0.9)
    daily = kind in ("ed", "admissions")
    level_bottom = ds.attrs.get("bottom_level", "dep" if daily else "reg")
    is_bottom = (ds["level"] == level_bottom).to_numpy()
    if daily:
        is_bottom &= (ds["group"] == "all").to_numpy()
    total = ds["total_point"].to_numpy()
    tq = ds["total"].to_numpy()
    labels = ds["label"].to_numpy()
    what = {"ed": "Passages aux urgences attendus",
            "admissions": "Hospitalisations après passage aux urgences attendues",
            }.get(kind, "Boîtes délivrées attendues")
    dates = pd.DatetimeIndex(ds["date"].to_numpy())
    if daily:
        period = (f"du {dates[0]:%d/%m/%Y} au {dates[-1]:%d/%m/%Y} "
                  f"({ds.attrs.get('horizon')} jours)")
        coherence = ("total France = somme des régions" if level_bottom == "reg"
                     else "totaux régionaux et nationaux = somme des départements")
    else:
        period = (f"de {dates[0]:%m/%Y} à {dates[-1]:%m/%Y} "
                  f"({ds.attrs.get('horizon')} mois)")
        coherence = "total France = somme des régions (y compris région inconnue 99)"
    head = [
        f"{what} {period}",
        *([f"Source : {ds.attrs['data_label']}"] if ds.attrs.get("data_label") else []),
        f"Méthode : {ds.attrs.get('method_label', ds.attrs.get('method'))} ; "
        f"intervalle de prévision à 80 % ; {coherence}",
        "",
    ]
    width = max([len(str(s)) for s in labels] + [12])
    width = min(width, 48)
    rows = [f"{'Rang':>4}  {'Territoire':<{width}}  {'Total attendu':>14}  "
            f"{'Intervalle 80 %':>24}"]

    def line(rank: str, i: int) -> str:
        interval = f"{_fr(tq[i, lo])} – {_fr(tq[i, hi])}"
        return (f"{rank:>4}  {str(labels[i])[:width]:<{width}}  {_fr(total[i]):>14}  "
                f"{interval:>24}")

    order = [i for i in np.argsort(-total, kind="stable") if is_bottom[i]]
    rows.extend(line(str(r + 1), i) for r, i in enumerate(order[:top]))
    aggregates = [i for i in range(total.size)
                  if ds["level"].values[i] in ("reg", "nation") and not is_bottom[i]]
    if daily:
        aggregates = [i for i in aggregates if ds["group"].values[i] == "all"]
    if aggregates:
        rows.append("")
        rows.extend(line("", i) for i in aggregates[: max(top, 20)])
    notes = [str(n) for n in ds["note"].to_numpy() if n and not str(n).startswith("bottom-up")]
    fell = sum(1 for m, s in zip(ds["method_used"].to_numpy(), ds["series"].to_numpy(),
                                 strict=True) if not str(m).startswith(("bottom-up",
                                                                        ds.attrs["method"])))
    tail = []
    if fell:
        tail.append(f"Attention : {fell} série(s) prévue(s) par une méthode de repli "
                    "(historique trop court) ; voir la colonne method du CSV.")
    elif notes:
        tail.append(f"Remarque : {notes[0]}")
    if kind == "admissions":
        tail.append(f"Hospitalisations = passages prévus x part hospitalisée SAE "
                    f"{ds.attrs.get('share_year')} du département ; intervalle élargi de "
                    f"l'incertitude sur cette part (±{100 * ds.attrs.get('share_sigma_log', 0):.1f}"
                    " % par an).")
    return "\n".join([*head, *rows, *(["", *tail] if tail else [])])
