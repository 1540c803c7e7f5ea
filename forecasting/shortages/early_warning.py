"""The early warning at one date: stock-out probabilities, warning level, reason and
suggested action per product × site, territorial aggregates, and the baseline vs disrupted
comparison (:func:`disruption_scenario` is the scenario layer's entry point)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from forecasting.defaults import (
    DEFAULT_HORIZON_WEEKS,
    DEFAULT_PATHS,
    DEFAULT_THRESHOLD,
    MAX_HORIZON_WEEKS,
    SHORTAGE_SEED,
)
from forecasting.disruptions import SupplyDisruption
from forecasting.shortages.features import Context
from forecasting.shortages.io import prepared_context
from forecasting.shortages.projection import State, disruption_effects, series_state
from forecasting.shortages.settings import LEVELS, STATUS_NAMES, SURGE_RATIO, WEEKS
from forecasting.stock_projection import (
    NO_RUPTURE,
    ProjectionResult,
    project,
)
from twin.errors import DataError

# --- early warnings ------------------------------------------------------------------------


@dataclass
class ShortageReport:
    """The early warning at one date: per-series table (``series``), ranked warnings,
    territorial aggregates, and the projections (baseline and, if any, scenario)."""

    as_of: pd.Timestamp
    horizon_weeks: int
    series: pd.DataFrame
    warnings: pd.DataFrame
    territories: pd.DataFrame
    baseline: ProjectionResult
    scenario: ProjectionResult | None = None
    scenario_series: pd.DataFrame | None = None
    scenario_warnings: pd.DataFrame | None = None
    settings: dict[str, object] = field(default_factory=dict)
    """Resolved run settings (paths, seed, threshold, disruptions) for the outputs."""


def _probabilities(result: ProjectionResult, weeks: tuple[int, ...], horizon_weeks: int
                   ) -> dict[str, np.ndarray]:
    out = {}
    for w in weeks:
        p = result.p_rupture_within(7 * w)
        out[f"p_rupture_{w}s"] = p if w <= horizon_weeks else np.full(p.shape, np.nan)
    return out


def _expected_date(result: ProjectionResult, as_of: pd.Timestamp, horizon_days: int
                   ) -> list[pd.Timestamp | None]:
    first = np.where(result.first_rupture <= horizon_days, result.first_rupture, NO_RUPTURE)
    out = []
    for row in first:
        hit = row[row != NO_RUPTURE]
        if hit.size * 2 >= row.size and hit.size:
            med = np.sort(np.concatenate([hit, np.full(row.size - hit.size, NO_RUPTURE)]))[
                (row.size - 1) // 2
            ]
            out.append(as_of + pd.Timedelta(int(med), "D"))
        else:
            out.append(None)
    return out


def _level(row: pd.Series, threshold: float, horizon_weeks: int) -> str | None:
    """Warning level: a 72-h stock-out already under way (zero stock on the as-of date and
    the two days before), else the first horizon whose probability reaches the threshold."""
    if row["jours_a_zero"] >= 3:
        return LEVELS[0]
    if row.get("p_rupture_2s", 0) >= threshold:
        return LEVELS[1]
    if row.get("p_rupture_4s", 0) >= threshold:
        return LEVELS[2]
    last = f"p_rupture_{max(w for w in WEEKS if w <= horizon_weeks)}s"
    if row.get(last, 0) >= threshold:
        return LEVELS[3]
    return None


def _reasons(row: pd.Series, scenario: bool = False) -> str:
    out = []
    if scenario and row.get("perturbation", False):
        out.append("perturbation simulée")
    status = int(row["statut_bdpm"])
    if row.get("avis_ansm", ""):
        out.append(f"{row['avis_statut']} fournisseur ({row['avis_ansm']} du "
                   f"{row['avis_debut']:%d/%m/%Y})")
    elif status == 1:
        out.append("rupture fournisseur signalée (BDPM)")
    elif status == 3:
        out.append("arrêt de commercialisation (BDPM)")
    elif status == 2:
        out.append("tension fournisseur signalée (BDPM)")
    surge = row["hausse_demande"]
    if np.isfinite(surge) and surge >= SURGE_RATIO:
        out.append(f"hausse de la demande (+{100 * (surge - 1):.0f} %)")
    if row["jours_couverture"] < row["delai_p90"] + 7:
        out.append(f"couverture faible ({row['jours_couverture']:.0f} j)")
    if row["age_commande_max"] > max(row["delai_p90"], 1) + 2:
        out.append(f"commande en retard ({row['age_commande_max']:.0f} j)")
    return " + ".join(out) or "aléas de demande et de livraison"


def _actions(table: pd.DataFrame, warn: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Order quantity and transfers for each warning (greedy, in rank order).

    Order quantity: bring the inventory position to the consumption over the p90 lead time
    plus the target cover (MITM rule: 61 days, 122 after recurrent shortages; 28 days for
    other products). Transfer: from the site of the same product with the largest surplus
    in the same département, else the same région; a donor must have P(rupture within 4
    weeks) below 10 % and keeps max(28 days, p90 lead + 14 days) of its own consumption.
    """
    warn = warn.copy()
    target = np.ceil(warn["conso_jour"] * (warn["delai_p90"] + warn["stock_securite_jours"]))
    position = warn["stock"] + warn["en_commande"]
    warn["quantite_a_commander"] = np.maximum(0, target - position).astype(int)
    donors = table[(table["p_rupture_4s"].fillna(1) < 0.10) & (table["stock"] > 0)].copy()
    keep = np.ceil(donors["conso_jour"] * np.maximum(28, donors["delai_p90"] + 14))
    donors["surplus_boites"] = (donors["stock"] - keep) / donors["units_per_box"]
    surplus = donors["surplus_boites"].to_dict()
    src, qty, src_name = [], [], []
    for _, row in warn.iterrows():
        need_units = np.ceil(row["conso_jour"] * (row["delai_p90"] + 14)) - row["stock"]
        need = max(0.0, float(need_units)) / row["units_per_box"]
        chosen = None
        if need > 0:
            same = donors[(donors["product"] == row["product"])
                          & (donors["finess"] != row["finess"])]
            for scope in ("dep", "reg"):
                cand = same[same[scope] == row[scope]]
                cand = cand[[surplus[i] >= 1 for i in cand.index]]
                if len(cand):
                    chosen = max(cand.index, key=lambda i: (surplus[i], cand.at[i, "finess"]))
                    break
        if chosen is None:
            src.append("")
            src_name.append("")
            qty.append(0)
            continue
        boxes = float(np.floor(min(need, surplus[chosen])))
        surplus[chosen] -= boxes
        src.append(donors.at[chosen, "finess"])
        src_name.append(str(donors.at[chosen, "site"]))
        qty.append(int(boxes * row["units_per_box"]))
    warn["transfert_depuis"] = src
    warn["transfert_site"] = src_name
    warn["quantite_transfert"] = qty
    texts = []
    for _, row in warn.iterrows():
        parts = []
        if row["quantite_transfert"] > 0:
            parts.append(f"transférer {_qty(row['quantite_transfert'], row['unit'])} depuis "
                         f"{row['transfert_site'] or row['transfert_depuis']}")
        if row["quantite_a_commander"] > 0:
            note = " (livraison incertaine)" if row["statut_bdpm"] in (1, 2, 3) else ""
            parts.append(f"commander {_qty(row['quantite_a_commander'], row['unit'])}{note}")
        if row["statut_bdpm"] in (1, 3) and row["quantite_transfert"] == 0:
            parts.append("prévoir une alternative thérapeutique")
        texts.append(" ; ".join(parts) or "surveiller")
    warn["action"] = texts
    return warn


def _qty(n: int, unit: str) -> str:
    """``12 boîtes``, ``1 boîte``, ``30 UCD``."""
    return f"{n} {unit}{'s' if unit == 'boîte' and n > 1 else ''}"


def _warnings(table: pd.DataFrame, threshold: float, horizon_weeks: int,
              scenario: bool = False) -> pd.DataFrame:
    levels = [_level(r, threshold, horizon_weeks) for _, r in table.iterrows()]
    warn = table.assign(niveau=levels)
    warn = warn[warn["niveau"].notna()].copy()
    if warn.empty:
        return warn.assign(motif=[], action=[], rang=[])
    warn["motif"] = [_reasons(r, scenario) for _, r in warn.iterrows()]
    warn["_lvl"] = warn["niveau"].map({lv: i for i, lv in enumerate(LEVELS)})
    warn = warn.sort_values(
        ["_lvl", "p_rupture_2s", "p_rupture_4s", "jours_couverture", "finess", "product"],
        ascending=[True, False, False, True, True, True], kind="stable",
    ).drop(columns="_lvl")
    warn = _actions(table, warn, threshold)
    warn.insert(0, "rang", np.arange(1, len(warn) + 1))
    return warn.reset_index(drop=True)


def territories(table: pd.DataFrame, result: ProjectionResult, horizon_weeks: int
                ) -> pd.DataFrame:
    """Product × département and product × région: stock and consumption in boxes, days of
    cover, probability that at least one site runs out within 1/2/4/8 weeks (paths are
    combined index by index: sites' paths are independent draws) and the expected number
    of sites out within 4 weeks."""
    rows = []
    per_box = table["units_per_box"].to_numpy()
    for level in ("dep", "reg"):
        for (product, code), g in table.groupby(["product", level], sort=True):
            idx = g.index.to_numpy()
            stock = float((g["stock"] / g["units_per_box"]).sum())
            daily = float((g["conso_jour"] / per_box[idx]).sum())
            row = {"produit": product, "niveau": "département" if level == "dep" else "région",
                   "code": code, "sites": len(g), "stock_boites": stock,
                   "conso_jour_boites": daily,
                   "jours_couverture": stock / daily if daily > 0 else np.inf}
            for w in WEEKS:
                if w <= horizon_weeks:
                    any_out = (result.first_rupture[idx] <= 7 * w).any(axis=0).mean()
                    row[f"p_rupture_{w}s"] = float(any_out)
                else:
                    row[f"p_rupture_{w}s"] = np.nan
            if horizon_weeks >= 4:
                row["sites_en_rupture_4s"] = float(
                    (result.first_rupture[idx] <= 28).sum(axis=0).mean()
                )
            rows.append(row)
    return pd.DataFrame(rows)


def early_warnings(
    ctx: Context,
    as_of: pd.Timestamp | str | None = None,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    n_paths: int = DEFAULT_PATHS,
    seed: int = SHORTAGE_SEED,
    disruptions: Sequence[SupplyDisruption] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> ShortageReport:
    """The early warning as of a date (default: the ledger's last day), optionally with a
    disruption scenario projected on the same random numbers as the baseline."""
    as_of = pd.Timestamp(as_of) if as_of is not None else ctx.panel.dates[-1]
    h = 7 * horizon_weeks + 2  # two more days to confirm a 72-h stock-out on the last day
    state = series_state(ctx, as_of, h, ("shortages",))
    base = project(state.inputs, n_paths=n_paths, seed=seed)
    table = _finish_table(ctx, state, base, horizon_weeks)
    warn = _warnings(table, threshold, horizon_weeks)
    settings = {"n_paths": int(n_paths), "seed": int(seed), "threshold": float(threshold),
                "disruptions": [asdict(d) for d in disruptions or ()]}
    report = ShortageReport(as_of, horizon_weeks, table, warn,
                            territories(table, base, horizon_weeks), base, settings=settings)
    if disruptions is not None:
        effects, touched = disruption_effects(disruptions, state.table, as_of, h + 1)
        scen = project(state.inputs, n_paths=n_paths, seed=seed, effects=effects)
        stable = _finish_table(ctx, state, scen, horizon_weeks).assign(perturbation=touched)
        report.scenario = scen
        report.scenario_series = stable
        report.scenario_warnings = _warnings(stable, threshold, horizon_weeks, scenario=True)
    return report


def disruption_scenario(
    disruptions: Sequence[SupplyDisruption],
    *,
    as_of: date | str | None = None,
    horizon_weeks: int = DEFAULT_HORIZON_WEEKS,
    ledger: str | Path | None = None,
    product_file: str | Path | None = None,
    bdpm: str | Path | None = None,
    n_paths: int = DEFAULT_PATHS,
    seed: int = SHORTAGE_SEED,
    threshold: float = DEFAULT_THRESHOLD,
) -> ShortageReport:
    """Baseline and disrupted stock projections of a ledger, on common random numbers.

    The scenario layer's entry point for ``supply_disruption`` interventions. Reads the
    ledger (default: a user ledger in ``data/real/ledger``, else the embedded synthetic one),
    the BDPM availability archive (default: embedded) and an optional product file, then runs
    :func:`early_warnings` as of ``as_of`` (default: the ledger's last day) with the
    disruptions. ``report.series`` / ``report.warnings`` are the baseline,
    ``report.scenario_series`` / ``report.scenario_warnings`` the disrupted run (always
    present, identical to the baseline for an empty list); :func:`compare` puts them side
    by side. The prepared ledger is cached per file (path, size, modification time), so
    several scenarios on one ledger pay its preparation once.

    Raises :class:`~twin.errors.DataError` for a bad ledger, product file or BDPM archive, an
    ``as_of`` outside the ledger, or a horizon outside 1…26 weeks.
    """
    if not 1 <= int(horizon_weeks) <= MAX_HORIZON_WEEKS:
        raise DataError.single("horizon_weeks", f"a number of weeks from 1 to "
                               f"{MAX_HORIZON_WEEKS}", str(horizon_weeks))
    ctx = prepared_context(ledger, product_file, bdpm)
    first, last = ctx.panel.dates[0], ctx.panel.dates[-1]
    day = last if as_of is None else pd.Timestamp(as_of)
    if not first <= day <= last:
        raise DataError.single("as_of", f"a date within the ledger ({first:%Y-%m-%d} … "
                               f"{last:%Y-%m-%d})", str(as_of))
    return early_warnings(ctx, day, int(horizon_weeks), n_paths, seed, list(disruptions),
                          threshold)


def compare(report: ShortageReport) -> pd.DataFrame:
    """Baseline vs disrupted run, one row per product × site: stock-out probabilities within
    1/2/4/8 weeks (``_base`` / ``_perturbation``), expected stock-out dates, whether a
    disruption touches the series, and the warning level in each run."""
    if report.scenario_series is None:
        raise ValueError("this report has no disruption scenario")
    keys = ["product", "finess"]
    cols = [*(f"p_rupture_{w}s" for w in WEEKS), "date_rupture_attendue"]
    base = report.series[[*keys, "site", "dep", "reg", *cols]]
    scen = report.scenario_series[[*keys, *cols, "perturbation"]]
    out = base.merge(scen, on=keys, suffixes=("_base", "_perturbation"))
    for name, warn in (("base", report.warnings),
                       ("perturbation", report.scenario_warnings)):
        level = {} if warn is None or warn.empty else {
            (p, f): lv for p, f, lv in zip(warn["product"], warn["finess"], warn["niveau"],
                                           strict=True)}
        out[f"niveau_{name}"] = [level.get((p, f), "") for p, f in
                                 zip(out["product"], out["finess"], strict=True)]
    return out


def _finish_table(ctx: Context, state: State, result: ProjectionResult, horizon_weeks: int
                  ) -> pd.DataFrame:
    table = state.table.copy()
    for k, v in _probabilities(result, WEEKS, horizon_weeks).items():
        table[k] = v
    table["date_rupture_attendue"] = _expected_date(result, state.as_of, 7 * horizon_weeks)
    table["site"] = table["finess"].map(ctx.site_names).fillna(table["finess"])
    table["statut_bdpm_libelle"] = table["statut_bdpm"].map(STATUS_NAMES)
    return table
