"""Care-demand forecasts: daily ED passages by département (and age class), monthly
dispensing of the sentinel medicines by région, reconciled up to France.

Three layers, kept apart so that the compute stays pure and testable:

* **series from tables** (pure): :func:`ed_series` and :func:`medicine_series` turn the
  loaders' tidy tables into validated :class:`~forecasting.series.SeriesSpec` objects, plus
  the aggregate series (région, France) and the hierarchy linking them;
  :func:`regional_ed_series` does the same for the REAL régional file (Santé publique
  France, OSCOUR): régions at the bottom, France on top;
* **assembly** (pure): :func:`assemble` reconciles bottom-up and stacks everything into one
  :class:`xarray.Dataset` with units, method, origin, seed and versions in its attributes;
* **orchestration** (reads files, may use a Dask client): :func:`forecast_ed`,
  :func:`forecast_medicines`, :func:`forecast_admissions` (admissions after an ED passage,
  derived from the passage forecast: :mod:`forecasting.admissions`), :func:`backtest_ed`,
  their real-data counterparts :func:`forecast_ed_regional` and
  :func:`backtest_ed_regional`, and the scenario-layer API
  :func:`expected_daily_passages`.

Dataset layout returned by the ``forecast_*`` functions::

    dims       series, date, quantile
    forecast   (series, date, quantile)  predictive quantiles 2.5/10/50/90/97.5 %
    point      (series, date)            point forecast (median), bottom-up for aggregates
    total      (series, quantile)        total over the horizon, see forecasting.baselines
    total_point (series)
    coords     series (e.g. "ed/dep:59", "ed/reg:32", "ed/FR"), territory, label, level
               (dep | reg | nation), group (age class "all"/"A".."E" or CIP13),
               method_used, note
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from forecasting.admissions import admissions_dataset, admitted_shares
from forecasting.backtest import SeriesBacktest, rolling_origins
from forecasting.defaults import DEFAULT_ENGINE
from forecasting.engine import DEFAULT_SEED, METHOD_LABELS, METHODS, Forecast
from forecasting.output import provenance
from forecasting.parallel import Plan, run_all
from forecasting.reconcile import build_hierarchy, reconcile
from forecasting.series import QUANTILES, SeriesSpec
from twin.errors import DataError
from twin.geography import dep_sort_key, departements, normalise_dep, regions
from twin.sentinels import sentinels
from twin.sources.insee import load_population
from twin.sources.openmedic import BEN_REG_LABELS, MONTHLY_FILE, default_folder, load_monthly
from twin.sources.sae import available_years, load_ed_units
from twin.sources.sursaud import AGE_CLASS_LABELS, find_file, load_ed_daily, load_ed_daily_all_ages
from twin.sources.sursaud_regional import find_regional_files, load_ed_daily_regional

if TYPE_CHECKING:
    from distributed import Client

AGE_CLASSES = ("A", "B", "C", "D", "E")
ED_UNITS = "passages aux urgences par jour (toutes causes, nbre_pass_tot)"
REAL_ED_UNITS = ("passages aux urgences par jour (OSCOUR, toutes causes, nbre_pass_tot, "
                 "tous âges)")
REAL_LABEL = ("données réelles (passages aux urgences OSCOUR par région, Santé publique "
              "France)")
REPLICA_LABEL = ("réplique synthétique départementale (aucun fichier réel par département "
                 "après avril 2020)")
MED_UNITS = "boîtes délivrées par mois (Open Medic mensuel, BOITES)"
TRANSFORM = "log1p before fitting, expm1 after, clipped at 0 (counts never negative)"
RECONCILIATION = (
    "bottom-up: aggregate point = sum of bottom points; aggregate interval = its own base "
    "forecast's interval re-centred on the bottom-up point (see forecasting.reconcile)"
)
REAL_BACKTEST_WINDOW = ("2023-07-01", "2024-05-31")
"""Origins of the real-data backtest: from half a year after the 2022 gap (the engines need
a few months of the new segment) to the last origin whose 28 days are in the file."""
WEIGHT_DAYS = 365
"""School-holiday weights of a régional total come from the first year of data, so they
never depend on data after any backtest origin."""


# --- series from tables (pure) ---------------------------------------------------------------

def ed_series(
    table: pd.DataFrame,
    deps: Sequence[str],
    *,
    by_age: bool = False,
    source: str = "",
) -> tuple[list[SeriesSpec], list[SeriesSpec], dict[str, list[str]]]:
    """Bottom series, aggregate series and ``{bottom: [aggregates]}`` for ED passages.

    ``table``: ``dep, date, passages`` (all ages) or, with ``by_age``, ``dep, date,
    age_class, passages`` (classes A-E). Bottom series are départements (``ed/dep:59``) or
    département x age class (``ed/dep:59/A``). Aggregates: the département total (by age
    only), each région *whose départements are all selected* (``ed/reg:32``) and France
    (``ed/FR``) when all 101 are: a partial région total would be mistaken for the région.
    """
    ref = departements()
    unknown = [d for d in deps if d not in ref.index]
    if unknown:
        raise ValueError(f"unknown département code(s): {', '.join(unknown)}")
    sel = table[table["dep"].isin(list(deps))]
    missing = sorted(set(deps) - set(sel["dep"].unique()))
    if missing:
        raise DataError.single(source or "ED table", "rows for every requested département",
                               "none for " + ", ".join(missing), column="dep")
    bottom: list[SeriesSpec] = []
    totals: dict[str, pd.Series] = {}
    keys = ["dep", "age_class"] if by_age else ["dep"]
    for key, grp in sel.groupby(keys, sort=False):
        dep, age = (key if by_age else (key[0] if isinstance(key, tuple) else key, "all"))
        name = f"ed/dep:{dep}/{age}" if by_age else f"ed/dep:{dep}"
        bottom.append(SeriesSpec(
            name, "D", grp["date"].to_numpy(), grp["passages"].to_numpy(dtype=float),
            territory=dep, level="dep", group=age, deps=(dep,), source=source,
            units=ED_UNITS,
        ))
        s = pd.Series(grp["passages"].to_numpy(dtype=float), index=grp["date"].to_numpy())
        totals[dep] = totals[dep].add(s, fill_value=0) if dep in totals else s
    order = {d: i for i, d in enumerate(deps)}
    bottom.sort(key=lambda s: (order[s.territory], s.group))

    parents: dict[str, list[str]] = {b.name: [] for b in bottom}
    aggregates: list[SeriesSpec] = []
    weight = {d: float(t.iloc[:WEIGHT_DAYS].mean()) for d, t in totals.items()}

    def add_aggregate(name: str, territory: str, level: str, members: list[str],
                      group: str = "all") -> None:
        frame = pd.concat([totals[d] for d in members], axis=1, join="inner")
        aggregates.append(SeriesSpec(
            name, "D", frame.index.to_numpy(), frame.sum(axis=1).to_numpy(),
            territory=territory, level=level, group=group, deps=tuple(members),
            weights=tuple(weight[d] for d in members), source=source, units=ED_UNITS,
        ))

    if by_age:
        for d in deps:
            add_aggregate(f"ed/dep:{d}", d, "dep", [d])
    selected = set(deps)
    for reg in regions().index:
        members = [d for d in ref.index[ref["reg"] == reg]]
        if members and set(members) <= selected:
            add_aggregate(f"ed/reg:{reg}", reg, "reg", [d for d in deps if d in members])
    if selected == set(ref.index):
        add_aggregate("ed/FR", "FR", "nation", list(deps))
    agg_names = {a.name for a in aggregates}
    for b in bottom:
        d = b.territory
        if by_age:
            parents[b.name].append(f"ed/dep:{d}")
        reg = f"ed/reg:{ref.loc[d, 'reg']}"
        if reg in agg_names:
            parents[b.name].append(reg)
        if "ed/FR" in agg_names:
            parents[b.name].append("ed/FR")
    return bottom, aggregates, parents


def medicine_series(
    table: pd.DataFrame,
    regs: Sequence[str] | None = None,
    products: Sequence[str] | None = None,
    *,
    source: str = "",
) -> tuple[list[SeriesSpec], list[SeriesSpec], dict[str, list[str]]]:
    """Monthly boxes by Open Medic région (``BEN_REG``) and CIP13, plus France per product.

    ``table``: :func:`twin.sources.openmedic.load_monthly` output (``month, reg, cip13,
    boxes``). The ``99`` "unknown région" rows (small cells folded by the publisher) are a
    bottom series of their own, so France = every région + 99 exactly; the France series
    is only built when every région code of the table is selected.
    """
    all_regs = sorted(table["reg"].unique(), key=lambda r: (r == "99", int(r)))
    regs = list(all_regs if regs is None else regs)
    unknown = [r for r in regs if r not in all_regs]
    if unknown:
        raise ValueError(f"région code(s) not in the Open Medic table: {', '.join(unknown)} "
                         f"(codes: {', '.join(all_regs)})")
    prods = list(products) if products is not None else list(dict.fromkeys(table["cip13"]))
    sel = table[table["reg"].isin(regs) & table["cip13"].isin(prods)]
    bottom: list[SeriesSpec] = []
    for (reg, cip), grp in sel.groupby(["reg", "cip13"], sort=False):
        grp = grp.sort_values("month")
        bottom.append(SeriesSpec(
            f"med/reg:{reg}/{cip}", "MS", grp["month"].to_numpy(),
            grp["boxes"].to_numpy(dtype=float), territory=str(reg), level="reg",
            group=str(cip), source=source, units=MED_UNITS,
        ))
    rank = {r: i for i, r in enumerate(regs)}
    prank = {p: i for i, p in enumerate(prods)}
    bottom.sort(key=lambda s: (prank[s.group], rank[s.territory]))
    parents: dict[str, list[str]] = {b.name: [] for b in bottom}
    aggregates: list[SeriesSpec] = []
    if set(regs) == set(all_regs):
        for cip in prods:
            kids = [b for b in bottom if b.group == cip]
            frame = pd.concat([pd.Series(k.values, index=k.dates) for k in kids], axis=1,
                              join="inner")
            name = f"med/FR/{cip}"
            aggregates.append(SeriesSpec(
                name, "MS", frame.index.to_numpy(), frame.sum(axis=1).to_numpy(),
                territory="FR", level="nation", group=cip, source=source, units=MED_UNITS,
            ))
            for k in kids:
                parents[k.name].append(name)
    return bottom, aggregates, parents


def regional_ed_series(
    table: pd.DataFrame,
    regs: Sequence[str] | None = None,
    *,
    dep_weights: Mapping[str, float] | None = None,
    source: str = "",
) -> tuple[list[SeriesSpec], list[SeriesSpec], dict[str, list[str]]]:
    """Régional series (bottom) and France (when every région is selected) from the REAL file.

    ``table``: :func:`twin.sources.sursaud_regional.load_ed_daily_regional` output for one
    age class (``reg, date, passages, provisional``...). Each région gets every calendar day
    from its first known count to the last day of the table (``missing_ok`` series):

    * a day the publisher left empty (Martinique until May 2023) is missing, never zero;
    * days between two snapshots (2022-02-06 .. 2022-12-25) are missing; the engines then
      use only what follows that gap (:data:`forecasting.series.MAX_FILLED_RUN`);
    * provisional days (the last days of a snapshot, revised upwards by the publisher) are
      missing: they are neither trained on nor scored, and a forecast starts after them.

    France (``ed/FR``) is the sum of the 18 régions on the days where all of them have a
    final count, missing otherwise: a sum without Martinique would be a lower count read as
    a fall. Its own forecast only sets its interval; its point is the sum of the régions'
    (bottom-up reconciliation). ``dep_weights`` (e.g. population) weight each département's
    school holidays in its région's series; equal weights without it.
    """
    ref_regs = regions()
    deps_ref = departements()
    present = sorted(table["reg"].unique())
    regs = list(present if regs is None else regs)
    unknown = [r for r in regs if r not in ref_regs.index]
    if unknown:
        raise ValueError(f"unknown région code(s): {', '.join(unknown)} "
                         f"(codes: {', '.join(ref_regs.index)})")
    absent = [r for r in regs if r not in present]
    if absent:
        raise DataError.single(source or "regional ED table",
                               "rows for every requested région", "none for "
                               + ", ".join(absent), column="reg")
    if table.empty:
        raise DataError.single(source or "regional ED table", "at least one row", "none")
    last_day = table["date"].max()
    usable = table["passages"].where(~table["provisional"].astype(bool))
    wide = (table.assign(passages=usable)
            .pivot_table(index="date", columns="reg", values="passages", aggfunc="first",
                         dropna=False)
            .reindex(pd.date_range(table["date"].min(), last_day, freq="D")))
    bottom: list[SeriesSpec] = []
    for reg in regs:
        col = wide[reg] if reg in wide else pd.Series(np.nan, index=wide.index)
        seen = col.notna().to_numpy()
        if not seen.any():
            raise DataError.single(source or "regional ED table",
                                   f"at least one final count for région {reg}",
                                   "every value missing or provisional", column="passages")
        col = col.iloc[int(np.flatnonzero(seen)[0]):]
        members = tuple(deps_ref.index[deps_ref["reg"] == reg])
        w = tuple(float(dep_weights.get(d, 1.0)) if dep_weights else 1.0 for d in members)
        bottom.append(SeriesSpec(
            f"ed/reg:{reg}", "D", col.index.to_numpy(), col.to_numpy(dtype=float),
            territory=reg, level="reg", deps=members, weights=w, source=source,
            units=REAL_ED_UNITS, missing_ok=True,
        ))
    parents: dict[str, list[str]] = {b.name: [] for b in bottom}
    aggregates: list[SeriesSpec] = []
    if set(regs) == set(ref_regs.index):
        nat = wide[list(regs)].sum(axis=1, min_count=len(regs))
        nat[wide[list(regs)].isna().any(axis=1)] = np.nan
        seen = nat.notna().to_numpy()
        if seen.any():
            nat = nat.iloc[int(np.flatnonzero(seen)[0]):]
            all_deps = tuple(d for r in regs for d in deps_ref.index[deps_ref["reg"] == r])
            w = tuple(float(dep_weights.get(d, 1.0)) if dep_weights else 1.0
                      for d in all_deps)
            aggregates.append(SeriesSpec(
                "ed/FR", "D", nat.index.to_numpy(), nat.to_numpy(dtype=float),
                territory="FR", level="nation", deps=all_deps, weights=w, source=source,
                units=REAL_ED_UNITS, missing_ok=True,
            ))
            for b in bottom:
                parents[b.name].append("ed/FR")
    return bottom, aggregates, parents


# --- assembly (pure) -------------------------------------------------------------------------

def _label(level: str, territory: str, group: str, kind: str) -> str:
    if level == "dep":
        name = f"{territory} {departements().loc[territory, 'nom']}"
    elif level == "reg" and kind == "ed":
        name = f"{regions().loc[territory, 'nom']} ({territory})"
    elif level == "reg":
        name = f"{BEN_REG_LABELS.get(territory, territory)} ({territory})"
    else:
        name = "France"
    if kind == "ed" and group != "all":
        name += f" — {AGE_CLASS_LABELS[group]}"
    elif kind == "medicines":
        labels = {s.cip13: s.key for s in sentinels()}
        name += f" — {labels.get(group, group)}"
    return name


def assemble(
    specs: Sequence[SeriesSpec],
    forecasts: Mapping[str, Forecast],
    attrs: Mapping[str, object],
    kind: str,
) -> xr.Dataset:
    """Stack forecasts (already reconciled) into the documented Dataset, in ``specs`` order."""
    fcs = [forecasts[s.name] for s in specs]
    dates = fcs[0].dates
    ds = xr.Dataset(
        {
            "forecast": (("series", "date", "quantile"), np.stack([f.quantiles for f in fcs])),
            "point": (("series", "date"), np.stack([f.point for f in fcs])),
            "total": (("series", "quantile"), np.stack([f.total_quantiles for f in fcs])),
            "total_point": (("series",), np.array([f.total_point for f in fcs])),
        },
        coords={
            "series": [s.name for s in specs],
            "territory": ("series", [s.territory for s in specs]),
            "label": ("series", [_label(s.level, s.territory, s.group, kind) for s in specs]),
            "level": ("series", [s.level for s in specs]),
            "group": ("series", [s.group for s in specs]),
            "method_used": ("series", [f.method for f in fcs]),
            "note": ("series", [f.note for f in fcs]),
            "date": pd.DatetimeIndex(dates),
            "quantile": list(QUANTILES),
        },
        attrs=dict(attrs),
    )
    ds["forecast"].attrs["units"] = ds.attrs.get("units", "")
    ds["point"].attrs["units"] = ds.attrs.get("units", "")
    ds["total"].attrs["description"] = "total over the horizon; quantiles summed day by day"
    return ds


def _attrs(kind: str, method: str, origin: object, horizon: int, seed: int,
           source: str, by_age: bool = False) -> dict[str, object]:
    return {
        "title": "Prévision de la demande de soins" if kind == "ed"
        else "Prévision des délivrances de médicaments sentinelles",
        "series_kind": kind,
        "units": ED_UNITS if kind == "ed" else MED_UNITS,
        "method": method,
        "method_label": (METHOD_LABELS[method] if kind == "ed" or method != "prophet"
                         else "Prophet (log1p, saisonnalité annuelle)"),
        "origin": str(origin),
        "horizon": int(horizon),
        "horizon_unit": "days" if kind == "ed" else "months",
        "quantiles": json.dumps(list(QUANTILES)),
        "intervals": "80 % = quantiles 0.1-0.9; 95 % = quantiles 0.025-0.975",
        "transform": TRANSFORM,
        "reconciliation": RECONCILIATION,
        "by_age": int(by_age),
        "seed": int(seed),
        "source": source,
        **provenance(),
    }


def _forecast_hierarchy(
    bottom: list[SeriesSpec], aggregates: list[SeriesSpec], parents: dict[str, list[str]],
    plan: Plan, client: Client | None, bottom_plan: Plan | None = None,
) -> tuple[dict[str, Forecast], list[SeriesBacktest]]:
    """Forecast every series in one submission, reconcile bottom-up; ``bottom_plan`` (e.g.
    the same forecast plus a backtest) replaces ``plan`` for the bottom series, so the
    backtests and the forecasts share the workers without waiting for each other."""
    plans = [bottom_plan or plan] * len(bottom) + [plan] * len(aggregates)
    outcomes = run_all([*bottom, *aggregates], plans, client)
    fcs = {o.name: o.forecast for o in outcomes if o.forecast is not None}
    backtests = [o.backtest for o in outcomes if o.backtest is not None]
    bottom_fc = {b.name: fcs[b.name] for b in bottom}
    if aggregates:
        h = build_hierarchy(parents)
        base = {a.name: fcs[a.name] for a in aggregates}
        bottom_fc.update(reconcile(h, bottom_fc, base))
    return bottom_fc, backtests


# --- orchestration (I/O) ---------------------------------------------------------------------

def forecast_ed(
    deps: Sequence[str] | None = None,
    *,
    by_age: bool = False,
    method: str = DEFAULT_ENGINE,
    origin: str | None = None,
    horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    folder: str | Path | None = None,
) -> xr.Dataset:
    """Daily ED passages for ``deps`` (default: all 101), reconciled up to région and France.

    Reads the SurSaUD file in ``folder`` (default: the embedded SYNTHETIC replica: no real
    daily file by département exists after April 2020; ``data_label`` says so). ``origin`` is the
    first forecast day (default: the day after the last observation); only data before it
    is used.
    """
    _check_method(method)
    deps = sorted(deps or departements().index, key=dep_sort_key)
    source = str(find_file(folder))
    table = load_ed_daily(folder) if by_age else load_ed_daily_all_ages(folder)
    bottom, aggregates, parents = ed_series(table, deps, by_age=by_age, source=source)
    plan = Plan(method=method, horizon=horizon, origin=origin, seed=seed)
    fcs, _ = _forecast_hierarchy(bottom, aggregates, parents, plan, client)
    o = fcs[bottom[0].name].origin
    attrs = _attrs("ed", method, o, horizon, seed, source, by_age)
    attrs.update({"data_kind": "replica" if folder is None else "file",
                  "data_label": REPLICA_LABEL if folder is None else f"fichier {source}"})
    return assemble([*bottom, *aggregates], fcs, attrs, "ed")


def admissions_from_forecast(passages: xr.Dataset,
                             sae_folder: str | Path | None = None) -> xr.Dataset:
    """Daily admissions after ED passage derived from a passage forecast (reads the SAE).

    See :mod:`forecasting.admissions` for the model. Every SAE year of ``sae_folder``
    (default: the embedded files) with an ``URGENCES2`` file is read; only years before the
    origin's year are used.
    """
    years = available_years(sae_folder, bordereaux=("ID", "URGENCES2"))
    shares = admitted_shares({y: load_ed_units(y, sae_folder) for y in years})
    return admissions_dataset(passages, shares)


def forecast_admissions(
    deps: Sequence[str] | None = None,
    *,
    method: str = "prophet",
    origin: str | None = None,
    horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    folder: str | Path | None = None,
    sae_folder: str | Path | None = None,
) -> xr.Dataset:
    """Daily hospitalisations after an ED passage for ``deps``, reconciled like passages."""
    passages = forecast_ed(deps, method=method, origin=origin, horizon=horizon, seed=seed,
                           client=client, folder=folder)
    return admissions_from_forecast(passages, sae_folder)


def forecast_medicines(
    regs: Sequence[str] | None = None,
    *,
    products: Sequence[str] | None = None,
    method: str = "prophet",
    origin: str | None = None,
    horizon: int = 3,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    folder: str | Path | None = None,
) -> xr.Dataset:
    """Monthly boxes of the sentinel medicines by région (Open Medic ``BEN_REG`` codes) and
    France; ``horizon`` in months, ``origin`` the first day of the first forecast month."""
    _check_method(method)
    table = load_monthly(folder)
    source = str(default_folder(folder) / MONTHLY_FILE)
    followed = {s.cip13 for s in sentinels()}
    if products is None:
        products = [c for c in dict.fromkeys(table["cip13"]) if c in followed]
    bottom, aggregates, parents = medicine_series(table, regs, products, source=source)
    plan = Plan(method=method, horizon=horizon, origin=origin, seed=seed)
    fcs, _ = _forecast_hierarchy(bottom, aggregates, parents, plan, client)
    o = fcs[bottom[0].name].origin
    return assemble([*bottom, *aggregates], fcs,
                    _attrs("medicines", method, o, horizon, seed, source), "medicines")


def forecast_and_backtest_ed(
    table: pd.DataFrame,
    deps: Sequence[str],
    *,
    method: str = DEFAULT_ENGINE,
    horizon: int = 28,
    backtest_methods: Mapping[str, Sequence[str]],
    backtest_horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    source: str = "",
) -> tuple[xr.Dataset, list[SeriesBacktest]]:
    """The production forecast of ``deps`` (reconciled up to région and France) and the
    rolling-origin backtest of each département, in one submission of one task per series.

    ``table``: the all-ages SurSaUD table (``load_ed_daily_all_ages``), read once by the
    caller. ``backtest_methods`` maps each method to its origins. This is what
    ``benchmarks/forecast.py`` times: a national forecast run with its own skill check.
    """
    _check_method(method)
    for m in backtest_methods:
        _check_method(m)
    bottom, aggregates, parents = ed_series(table, list(deps), source=source)
    plan = Plan(method=method, horizon=horizon, seed=seed)
    with_backtest = Plan(method=method, horizon=horizon, seed=seed,
                         backtest=tuple((m, tuple(o)) for m, o in backtest_methods.items()),
                         backtest_horizon=backtest_horizon)
    fcs, backtests = _forecast_hierarchy(bottom, aggregates, parents, plan, client,
                                         bottom_plan=with_backtest)
    o = fcs[bottom[0].name].origin
    ds = assemble([*bottom, *aggregates], fcs,
                  _attrs("ed", method, o, horizon, seed, source), "ed")
    return ds, backtests


def backtest_ed(
    deps: Sequence[str] | None = None,
    *,
    methods: Mapping[str, Sequence[str]] | Sequence[str] = METHODS,
    origins: Sequence[str] | None = None,
    horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    folder: str | Path | None = None,
) -> list[SeriesBacktest]:
    """Rolling-origin backtest of daily all-ages ED passages per département.

    Default origins: every 28 days from 2023-01-01 to 2024-12-31 (those whose 28 days are
    observed), every method at every origin unless ``methods`` maps a method to a subset.
    """
    deps = sorted(deps or departements().index, key=dep_sort_key)
    origins = list(origins or rolling_origins("2023-01-01", "2024-12-31", 28))
    plan_methods = ({m: tuple(origins) for m in methods} if not isinstance(methods, Mapping)
                    else {m: tuple(o) for m, o in methods.items()})
    for m in plan_methods:
        _check_method(m)
    source = str(find_file(folder))
    bottom, _, _ = ed_series(load_ed_daily_all_ages(folder), deps, source=source)
    plan = Plan(produce=False, backtest=tuple(plan_methods.items()),
                backtest_horizon=horizon, seed=seed)
    return [o.backtest for o in run_all(bottom, plan, client) if o.backtest is not None]


def load_regional_specs(
    regs: Sequence[str] | None = None,
    source: str | Path | Sequence[str | Path] | None = None,
) -> tuple[list[SeriesSpec], list[SeriesSpec], dict[str, list[str]], str]:
    """Read the real régional file(s) (default: the embedded snapshots) and build the
    series of :func:`regional_ed_series`; returns them and a description of the source.

    School-holiday weights: each département's population in the latest INSEE year of the
    embedded estimates (a census-like count, independent of the series: no leakage).
    """
    if source is None:
        files = find_regional_files()
    elif isinstance(source, (str, Path)):
        files = find_regional_files(source) if Path(source).is_dir() else [Path(source)]
    else:
        files = [Path(p) for p in source]
    with warnings.catch_warnings():
        # The loader warns that it drops codes 07/08 (not INSEE régions); said in the docs.
        warnings.simplefilter("ignore", UserWarning)
        table = load_ed_daily_regional(files)
    desc = ", ".join(str(f) for f in files)
    bottom, aggregates, parents = regional_ed_series(table, regs, dep_weights=_population(),
                                                     source=desc)
    return bottom, aggregates, parents, desc


def _population() -> dict[str, float] | None:
    """Population by département (latest embedded INSEE year); ``None`` if unreadable."""
    try:
        pop = load_population()
    except (DataError, OSError):
        return None
    latest = pop[pop["year"] == pop["year"].max()]
    return {str(k): float(v) for k, v in latest.groupby("dep")["population"].sum().items()}


def _real_attrs(method: str, origin: object, horizon: int, seed: int,
                source: str) -> dict[str, object]:
    attrs = _attrs("ed", method, origin, horizon, seed, source)
    attrs.update({"units": REAL_ED_UNITS, "data_kind": "real", "data_label": REAL_LABEL,
                  "bottom_level": "reg"})
    return attrs


def forecast_ed_regional(
    regs: Sequence[str] | None = None,
    *,
    method: str = DEFAULT_ENGINE,
    origin: str | None = None,
    horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    source: str | Path | Sequence[str | Path] | None = None,
) -> xr.Dataset:
    """Daily ED passages by région from the REAL file, France on top when all 18 are asked.

    ``source``: a regional file, a folder of them or a list (default: the embedded real
    snapshots, ``data/real/sursaud/``). ``origin`` defaults to the day after the file's
    last day (its provisional days are not used, see :func:`regional_ed_series`).
    """
    _check_method(method)
    bottom, aggregates, parents, desc = load_regional_specs(regs, source)
    plan = Plan(method=method, horizon=horizon, origin=origin, seed=seed)
    fcs, _ = _forecast_hierarchy(bottom, aggregates, parents, plan, client)
    o = fcs[bottom[0].name].origin
    return assemble([*bottom, *aggregates], fcs,
                    _real_attrs(method, o, horizon, seed, desc), "ed")


def backtest_ed_regional(
    regs: Sequence[str] | None = None,
    *,
    methods: Mapping[str, Sequence[str]] | Sequence[str] = METHODS,
    origins: Sequence[str] | None = None,
    horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    source: str | Path | Sequence[str | Path] | None = None,
) -> list[SeriesBacktest]:
    """Rolling-origin backtest on the REAL régional series (and France when all 18 are
    asked). Default origins: every 28 days from 2023-07-01 to 2024-05-31, each forecasting
    28 days from the data strictly before it (same code path as the production forecast).
    """
    origins = list(origins or rolling_origins(*REAL_BACKTEST_WINDOW, 28))
    plan_methods = ({m: tuple(origins) for m in methods} if not isinstance(methods, Mapping)
                    else {m: tuple(o) for m, o in methods.items()})
    for m in plan_methods:
        _check_method(m)
    bottom, aggregates, _, _ = load_regional_specs(regs, source)
    plan = Plan(produce=False, backtest=tuple(plan_methods.items()),
                backtest_horizon=horizon, seed=seed)
    return [o.backtest for o in run_all([*bottom, *aggregates], plan, client)
            if o.backtest is not None]


def forecast_and_backtest_regional(
    bottom: list[SeriesSpec],
    aggregates: list[SeriesSpec],
    parents: dict[str, list[str]],
    *,
    method: str = DEFAULT_ENGINE,
    horizon: int = 28,
    backtest_methods: Mapping[str, Sequence[str]],
    backtest_horizon: int = 28,
    seed: int = DEFAULT_SEED,
    client: Client | None = None,
    source: str = "",
) -> tuple[xr.Dataset, list[SeriesBacktest]]:
    """The real régional forecast (France reconciled bottom-up) and the rolling-origin
    backtest of every series, France included, in one submission (what
    ``benchmarks/forecast_real.py`` times). Series from :func:`load_regional_specs`."""
    _check_method(method)
    for m in backtest_methods:
        _check_method(m)
    plan = Plan(method=method, horizon=horizon, seed=seed,
                backtest=tuple((m, tuple(o)) for m, o in backtest_methods.items()),
                backtest_horizon=backtest_horizon)
    fcs, backtests = _forecast_hierarchy(bottom, aggregates, parents, plan, client)
    o = fcs[bottom[0].name].origin
    ds = assemble([*bottom, *aggregates], fcs, _real_attrs(method, o, horizon, seed, source),
                  "ed")
    return ds, backtests


def backtest_dataset(results: Sequence[SeriesBacktest], attrs: Mapping[str, object]
                     ) -> xr.Dataset:
    """Backtest arrays as a Dataset (series, method, origin, horizon, quantile)."""
    methods = list(dict.fromkeys(m for r in results for m in r.methods))
    origins = np.unique(np.concatenate([r.origins for r in results]))
    horizon = results[0].actual.shape[1]
    n_s, n_m, n_o, n_q = len(results), len(methods), origins.size, len(QUANTILES)
    actual = np.full((n_s, n_o, horizon), np.nan)
    scale = np.full((n_s, n_o), np.nan)
    point = np.full((n_s, n_m, n_o, horizon), np.nan)
    quant = np.full((n_s, n_m, n_o, horizon, n_q), np.nan)
    used = np.full((n_s, n_m, n_o), "", dtype=object)
    for i, r in enumerate(results):
        oi = np.searchsorted(origins, r.origins)
        actual[i, oi] = r.actual
        scale[i, oi] = r.scale
        for k, m in enumerate(r.methods):
            mi = methods.index(m)
            point[i, mi, oi] = r.point[k]
            quant[i, mi, oi] = r.quantiles[k]
            used[i, mi, oi] = r.used[k]
    return xr.Dataset(
        {
            "actual": (("series", "origin", "horizon"), actual),
            "point": (("series", "method", "origin", "horizon"), point),
            "forecast": (("series", "method", "origin", "horizon", "quantile"), quant),
            "mase_scale": (("series", "origin"), scale),
            "method_used": (("series", "method", "origin"), used.astype(str)),
        },
        coords={"series": [r.name for r in results], "method": methods,
                "origin": pd.DatetimeIndex(origins), "horizon": np.arange(1, horizon + 1),
                "quantile": list(QUANTILES)},
        attrs=dict(attrs),
    )


def expected_daily_passages(
    deps: Sequence[str],
    origin: str | None,
    horizon_days: int,
    quantile: float = 0.5,
    *,
    method: str = "prophet",
    seed: int = DEFAULT_SEED,
    folder: str | Path | None = None,
    client: Client | None = None,
) -> pd.DataFrame:
    """Expected daily ED passages per département and age class, from a forecast.

    This is the entry point for the scenario layer's ``demand: forecast`` option: a what-if
    can take its baseline demand from a forecast made at ``origin`` instead of from the
    historical series.

    Parameters
    ----------
    deps:
        Département codes (``"59"``, ``"2A"``, ``"971"``...).
    origin:
        First forecast day, ``"YYYY-MM-DD"``; only data strictly before it is used (an
        origin inside the data gives the forecast an analyst would have had on that day;
        ``None`` = the day after the last observation).
    horizon_days:
        Number of days to return from ``origin`` on.
    quantile:
        Which predictive quantile to return, one of 0.025, 0.1, 0.5 (median, default),
        0.9, 0.975. A high quantile gives a "busy but plausible" demand for stress tests.
        Quantiles are per (département, age class, day): summing the 0.9 quantiles over
        ages or days gives a total that is exceeded less often than 10 % of the time.
    method:
        ``prophet`` (default), ``ets``, ``naive`` or ``seasonal_naive``. Series too short
        for the method fall back to a simpler one with a :class:`ShortSeriesWarning`.
    seed:
        Run seed; each series draws from its own stream, so the answer for one
        département does not depend on the others asked for.

    Returns
    -------
    pandas.DataFrame
        Columns ``dep`` (str), ``date`` (datetime64), ``age_class`` (``A``..``E``, the
        SurSaUD classes: <15, 15-44, 45-64, 65-74, 75+), ``passages`` (float, >= 0, expected
        all-cause ED passages that day), sorted by dep, date, age_class. The attribute
        ``df.attrs`` records method, origin, quantile and seed.
    """
    _check_method(method)
    if quantile not in QUANTILES:
        raise ValueError(f"quantile must be one of {QUANTILES}, not {quantile}")
    deps = list(dict.fromkeys(normalise_dep(d) for d in deps))
    source = str(find_file(folder))
    bottom, _, _ = ed_series(load_ed_daily(folder), deps, by_age=True, source=source)
    plan = Plan(method=method, horizon=horizon_days, origin=origin, seed=seed)
    outcomes = run_all(bottom, plan, client)
    qi = QUANTILES.index(quantile)
    frames = []
    spec_of = {b.name: b for b in bottom}
    for o in outcomes:
        fc = o.forecast
        assert fc is not None
        spec = spec_of[o.name]
        frames.append(pd.DataFrame({
            "dep": spec.territory, "date": pd.DatetimeIndex(fc.dates),
            "age_class": spec.group, "passages": fc.quantiles[:, qi],
        }))
    out = pd.concat(frames, ignore_index=True)
    rank = {d: i for i, d in enumerate(deps)}
    out = out.sort_values(["dep", "date", "age_class"], key=lambda c: c.map(rank)
                          if c.name == "dep" else c, ignore_index=True)
    out.attrs.update({"method": method, "origin": str(outcomes[0].forecast.origin)
                      if outcomes[0].forecast is not None else "", "quantile": quantile,
                      "seed": seed, "units": ED_UNITS})
    return out


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
