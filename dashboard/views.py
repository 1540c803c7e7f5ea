"""What each chart shows, computed from a store: the glue between cached reads and stats.

Functions here take an already validated store, indicator and choices (see
:mod:`dashboard.validate`) and return plain arrays and tables; the pages turn them into
figures. Keeping them free of Dash makes them testable without a browser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import frenchfmt as fr
from dashboard import stats
from dashboard.catalogue import Indicator
from dashboard.results import Catalog, Store

ALL_PERIOD = "all"


def period_options(store: Store) -> list[dict[str, str]]:
    """The whole run, then each calendar month it covers (value ``AAAA-MM``)."""
    d = store.dates
    opts = [{"label": f"Toute la période ({fr.period(d[0], d[-1])})", "value": ALL_PERIOD}]
    for m in pd.PeriodIndex(d, freq="M").unique():
        days = d[(d.year == m.year) & (d.month == m.month)]
        opts.append({"label": f"{fr.month_label(m.start_time)} ({fr.period(days[0], days[-1])})",
                     "value": f"{m.year:04d}-{m.month:02d}"})
    return opts


def period_days(store: Store, value: object) -> np.ndarray | None:
    """Boolean day mask for a period option value; None if the value is not an option."""
    if value == ALL_PERIOD:
        return np.ones(len(store.dates), dtype=bool)
    if not isinstance(value, str) or value not in {o["value"] for o in period_options(store)}:
        return None
    year, month = (int(x) for x in value.split("-"))
    return np.asarray((store.dates.year == year) & (store.dates.month == month))


@dataclass(frozen=True)
class MapData:
    codes: tuple[str, ...]
    names: dict[str, str]
    values: np.ndarray
    hover: list[str]
    table: pd.DataFrame
    diverging: bool
    unit: str
    n: int


def map_data(catalog: Catalog, store: Store, scenario: str, ind: Indicator, level: str,
             days: np.ndarray, stat: str) -> MapData:
    """Values per territory for the map, with the hover text and the table under it."""
    codes = store.territories(level)
    names = store.territory_names(level)
    values = stats.over_period(ind, catalog.parts(store, scenario, ind, level), days)
    base = None
    if stat.startswith("diff") or scenario != store.baseline:
        base = stats.over_period(ind, catalog.parts(store, store.baseline, ind, level), days)
    s = stats.summarise(values)
    shown = stats.statistic(values, base, stat)
    unit = "%" if stat == "diff_pct" else ind.unit
    dec = ind.decimals
    diff = (stats.summarise(stats.paired_difference(values, base))
            if base is not None else None)
    hover = []
    for i in range(len(codes)):
        line = (f"moyenne : {fr.number(s.mean[i], dec)} {ind.unit}<br>"
                f"P5–P95 : {fr.number(s.p5[i], dec)} – {fr.number(s.p95[i], dec)}")
        if diff is not None:
            line += (f"<br>écart à la référence : {fr.signed(diff.mean[i], dec)} {ind.unit}"
                     f" (P5–P95 {fr.signed(diff.p5[i], dec)} – {fr.signed(diff.p95[i], dec)})")
        hover.append(line)
    table = pd.DataFrame({
        "code": list(codes), "territoire": [names[c] for c in codes],
        "moyenne": s.mean, "p5": s.p5, "p95": s.p95,
    })
    if diff is not None:
        table["ecart_moyen"] = diff.mean
        table["ecart_p5"] = diff.p5
        table["ecart_p95"] = diff.p95
    return MapData(codes, names, shown, hover, table, stat.startswith("diff"), unit, s.n)


def _row(store: Store, level: str, code: str | None) -> tuple[str, int]:
    """The parts level and row of a territory; ``code`` None is the nation."""
    return ("nation", 0) if code is None else (level, store.territories(level).index(code))


def territory_fans(catalog: Catalog, store: Store, scenarios: list[str], ind: Indicator,
                   level: str, code: str | None) -> dict[str, dict[str, np.ndarray]]:
    """Daily fans (P5…P95 across replications) of one territory (or the nation) for each
    scenario."""
    lvl, i = _row(store, level, code)
    return {s: stats.fan(stats.daily(ind, catalog.parts(store, s, ind, lvl))[:, i, :])
            for s in scenarios}


def difference_fans(catalog: Catalog, store: Store, scenarios: list[str], ind: Indicator,
                    level: str, code: str | None) -> dict[str, dict[str, np.ndarray]]:
    """Daily paired differences from the baseline (fans), for a territory or the nation."""
    lvl, i = _row(store, level, code)
    base = stats.daily(ind, catalog.parts(store, store.baseline, ind, lvl))[:, i, :]
    return {s: stats.fan(stats.daily(ind, catalog.parts(store, s, ind, lvl))[:, i, :] - base)
            for s in scenarios}


def scenario_intervals(catalog: Catalog, store: Store, scenarios: list[str], ind: Indicator,
                       days: np.ndarray, level: str, code: str | None) -> pd.DataFrame:
    """Per scenario over the period: mean, P5 and P95 across replications, and the mean
    paired difference from the baseline with its P5/P95."""
    lvl, i = _row(store, level, code)
    base = stats.over_period(ind, catalog.parts(store, store.baseline, ind, lvl), days)[:, i]
    rows = []
    for s in scenarios:
        v = stats.over_period(ind, catalog.parts(store, s, ind, lvl), days)[:, i]
        d = stats.summarise(stats.paired_difference(v, base)[:, None])
        b = stats.summarise(base[:, None])
        own = stats.summarise(v[:, None])
        rows.append({"scenario": s, "moyenne": float(own.mean[0]), "p5": float(own.p5[0]),
                     "p95": float(own.p95[0]),
                     "ecart_moyen": float(d.mean[0]), "ecart_p5": float(d.p5[0]),
                     "ecart_p95": float(d.p95[0]),
                     "ecart_pct": float(100 * d.mean[0] / b.mean[0]) if b.mean[0] else np.nan,
                     "replications": d.n})
    return pd.DataFrame(rows)


def exceedance_table(catalog: Catalog, store: Store, scenarios: list[str], ind: Indicator,
                     days: np.ndarray, level: str, code: str | None,
                     threshold: float) -> pd.DataFrame:
    """P(daily value above ``threshold`` on at least one day of the period) per scenario."""
    lvl, i = _row(store, level, code)
    rows = []
    for s in [store.baseline, *[x for x in scenarios if x != store.baseline]]:
        d = stats.daily(ind, catalog.parts(store, s, ind, lvl))[:, i, :][:, days]
        p, lo, hi, n = stats.exceedance(d, threshold)
        rows.append({"scenario": s, "probabilite": p, "ic90_bas": lo, "ic90_haut": hi,
                     "replications": n})
    return pd.DataFrame(rows)


def impact_ranking(catalog: Catalog, store: Store, scenario: str, ind: Indicator,
                   days: np.ndarray, level: str) -> pd.DataFrame:
    """Territories ranked by the size of the scenario's effect (paired by replication)."""
    codes = store.territories(level)
    names = store.territory_names(level)
    v = stats.over_period(ind, catalog.parts(store, scenario, ind, level), days)
    b = stats.over_period(ind, catalog.parts(store, store.baseline, ind, level), days)
    r = stats.ranking(v, b, ind.higher_is_worse)
    base_mean = stats.summarise(b).mean
    df = pd.DataFrame({
        "code": list(codes), "territoire": [names[c] for c in codes],
        "reference": base_mean, "ecart_moyen": r["mean"], "ecart_p5": r["p5"],
        "ecart_p95": r["p95"],
        "ecart_pct": np.where(base_mean != 0, 100 * r["mean"] / np.where(base_mean != 0,
                                                                         base_mean, 1), np.nan),
        "p_degradation": 100 * r["p_worse"],
    })
    df = df.iloc[r["order"]].reset_index(drop=True)
    df.insert(0, "rang", np.arange(1, len(df) + 1))
    return df


IDENTITY_FIELDS = frozenset({"name", "family", "scenario.name", "scenario.description",
                             "scenario.extends"})
"""Fields that name or describe a scenario rather than set it (never listed as levers)."""
DERIVED = ("run_table", "uncertain")
"""Restatements of the scenario's own fields: the values drawn per replication for its
uncertain inputs and their ranges (already shown as ``low``/``high`` in the intervention)."""


def flatten(obj: object, prefix: str = "") -> dict[str, str]:
    """A resolved scenario as ``{dotted.path[n]: value}`` (lists numbered from 1)."""
    out: dict[str, str] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(obj, list):
        for n, v in enumerate(obj, start=1):
            out.update(flatten(v, f"{prefix}[{n}]"))
    else:
        out[prefix] = str(obj)
    return out


def lever_rows(spec: object, baseline: object) -> pd.DataFrame:
    """What a scenario sets differently from the baseline: one row per resolved field whose
    value differs (or that the baseline lacks), with the baseline's value beside it. A
    resolved scenario holds every field with its default (policy, the model's
    ``parameters``...), so listing all of them would bury the few levers an analyst pulled."""
    mine, base = flatten(spec or {}), flatten(baseline or {})
    rows = [
        {"parametre": k, "valeur": v, "reference": base.get(k, "—")}
        for k, v in mine.items()
        if k not in IDENTITY_FIELDS and not k.startswith(DERIVED) and base.get(k) != v
        and not (v == "None" and k not in base)  # an optional field left unset
    ]
    return pd.DataFrame(rows, columns=["parametre", "valeur", "reference"])


def levers(store: Store, scenario: str) -> pd.DataFrame:
    """The scenario's levers against the store's baseline (from the ``scenarios`` attr)."""
    spec = store.scenario_specs.get(scenario)
    return lever_rows(spec, store.scenario_specs.get(store.baseline))
