"""Everything the early warning precomputes once per ledger (:class:`Context`): demand
observations, the one-step-ahead intermittent forecasts, the order → delivery history and
the BDPM / real ANSM supply signals per series and day, each known only from its day on."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from forecasting import intermittent
from forecasting import notices as real_notices
from forecasting.ledger import Panel, build_panel, demand_observations, match_orders
from forecasting.shortages.settings import ALPHA, BETA, RECURRENT_WINDOW_DAYS
from twin.sentinels import sentinels

# --- BDPM signals ---------------------------------------------------------------------------


def supply_signals(availability: pd.DataFrame | None, panel: Panel,
                   catalogue_cip13: dict[str, str] | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Daily BDPM signal per series and day, as known that day (latest snapshot on or
    before it): status (0 none or remise à disposition, 1 rupture, 2 tension, 3 arrêt;
    rupture outranks arrêt which outranks tension) and the number of distinct shortage
    notices (tension or rupture) already published whose start lies in the previous 24
    months. A notice on the whole product (empty CIP13) applies to every presentation; one
    on a CIP13 applies to that box only (and to the UCD of the same product, whose CIP13 is
    given by ``catalogue_cip13``: product key → CIP13)."""
    n, t_len = panel.n_series, len(panel.dates)
    status = np.zeros((n, t_len), dtype=np.int8)
    notices = np.zeros((n, t_len), dtype=np.int16)
    if availability is None or availability.empty:
        return status, notices
    av = availability[availability["cis"].isin(set(panel.series["cis"]))]
    if av.empty:
        return status, notices
    rank = {1: 3, 3: 2, 2: 1, 4: 0}
    inv = {3: 1, 2: 3, 1: 2, 0: 0}
    dates = panel.dates
    snaps = np.sort(av["snapshot_date"].unique())
    # Index of the day each snapshot becomes known, clipped to the panel.
    for i, row in enumerate(panel.series.itertuples(index=False)):
        cip = row.produit if row.type_code == "CIP13" else (catalogue_cip13 or {}).get(
            row.product, ""
        )
        mine = av[(av["cis"] == row.cis) & (av["cip13"].isna() | (av["cip13"] == cip))]
        if mine.empty:
            continue
        best = mine.assign(r=mine["status"].map(rank)).groupby("snapshot_date")["r"].max()
        per_snap = best.reindex(snaps, fill_value=0).to_numpy()
        pos = np.searchsorted(snaps, dates.to_numpy(), side="right") - 1
        ranks = np.where(pos >= 0, per_snap[np.maximum(pos, 0)], 0)
        status[i] = np.vectorize(inv.get)(ranks) if ranks.any() else 0
        shortage = mine[mine["status"].isin([1, 2])]
        firsts = shortage.groupby(["cip13", "start"], dropna=False)["snapshot_date"].min()
        for (_, start), seen in firsts.items():
            lo = max(0, (seen - dates[0]).days)
            hi = (start + pd.Timedelta(RECURRENT_WINDOW_DAYS, "D") - dates[0]).days
            if hi >= lo and lo < t_len:
                notices[i, lo : min(t_len, hi + 1)] += 1
    return status, notices


# --- context: everything precomputed once per ledger ------------------------------------------


@dataclass
class Context:
    """A ledger prepared for early warnings at any date: arrays, forecasts, order history,
    BDPM signals. Everything in it at day ``t`` depends only on days ≤ ``t`` (the
    recursive forecasts are one-step-ahead; the order table is filtered by date when used),
    which is what makes :func:`backtest_warnings` honest."""

    panel: Panel
    demand: np.ndarray
    forecasts: dict[str, np.ndarray]
    orders: pd.DataFrame
    status: np.ndarray
    notices: np.ndarray
    centred_mean: np.ndarray
    site_names: dict[str, str] = field(default_factory=dict)
    real: real_notices.RealSignals | None = None
    """Real ANSM notices on the products' mapped CIS (:mod:`forecasting.notices`)."""


def prepare(ledger: pd.DataFrame, availability: pd.DataFrame | None,
            sites: pd.DataFrame | None = None,
            real: real_notices.RealInputs | None = None) -> Context:
    """Build the :class:`Context` of a validated ledger and a BDPM availability history.

    ``real``: the real ANSM notices of the followed products (:func:`forecasting.notices.
    real_inputs`). Their signal is added to the archive's from each notice's start date on
    (the stronger status wins; their shortage notices count towards the recurrent rule)."""
    panel = build_panel(ledger)
    demand = demand_observations(panel)
    forecasts = {
        "ses": intermittent.ses(demand, ALPHA),
        "croston": intermittent.croston(demand, ALPHA),
        "sba": intermittent.sba(demand, ALPHA),
        "tsb": intermittent.tsb(demand, ALPHA, BETA),
    }
    cip = {s.key: s.cip13 for s in sentinels()}
    status, notices = supply_signals(availability, panel, cip)
    signals = None
    if real is not None:
        signals = real_notices.signal_arrays(real.followed, panel.series["product"].to_numpy(),
                                             panel.dates, real.samples)
        rank = np.array([0, 3, 1, 2, 0])
        status = np.where(rank[signals.status] > rank[status], signals.status, status)
        status = status.astype(np.int8)
        notices = (notices + signals.recent).astype(np.int16)
    orders = match_orders(panel)
    orders["status"] = status[orders["series"].to_numpy(), orders["order_day"].to_numpy()]
    names = {}
    if sites is not None:
        names = dict(zip(sites["finess"], sites["name"], strict=True))
    return Context(panel, demand, forecasts, orders, status, notices,
                   _centred_mean(demand, 28), names, signals)


def _centred_mean(y: np.ndarray, width: int) -> np.ndarray:
    """Mean of the observed values in a window of ``width`` days centred on each day."""
    vals = np.nan_to_num(y)
    cnt = (~np.isnan(y)).astype(float)
    cs = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(vals, axis=1)], axis=1)
    cc = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(cnt, axis=1)], axis=1)
    t_len = y.shape[1]
    lo = np.clip(np.arange(t_len) - width // 2 + 1, 0, t_len)
    hi = np.clip(np.arange(t_len) + width // 2 + 1, 0, t_len)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = (cs[:, hi] - cs[:, lo]) / (cc[:, hi] - cc[:, lo])
    out[:, (hi - lo) < width] = np.nan
    return out
