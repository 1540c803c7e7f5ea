"""Medicine stock-out early warning for hospital pharmacies, weeks ahead.

For every product × site of a PUI stock ledger (:mod:`twin.sources.ledger`) this module
builds, **as of a date and using only what was known then**:

1. a consumption forecast chosen by the Syntetos–Boylan class of the last 365 days
   (:mod:`forecasting.intermittent`: SES with weekday and seasonal adjustment for smooth or
   erratic demand, SBA for intermittent, TSB for lumpy), with negative-binomial day-to-day
   noise and a level uncertainty measured from the series' own past 28-day forecast errors;
2. the lead-time and fill-rate distribution of its orders, rebuilt from the ledger's order →
   delivery history (:func:`forecasting.ledger.match_orders`), and, when the BDPM
   availability feed shows a *tension* (2), *rupture* (1) or *arrêt* (3) for the product, the
   pooled history of every order placed under such a signal (extra delay over the site's
   usual lead time, and fill rate) — so a signalled disruption weighs as much as past ones
   did. With fewer than ten such orders yet, prior pseudo-orders fill in (tension: +7 days,
   65 % filled; rupture: +14 days, 10 % filled);
3. the site's reorder policy (s, S) estimated from its last six orders (``s`` = the highest
   inventory position that triggered an order, ``S`` = the median position reached);
4. the MITM safety-stock rule: a medicine of major therapeutic interest must be covered by
   two months of consumption (61 days), four months (122 days) after **recurrent
   shortages — defined here as at least two distinct shortage notices (tension or rupture)
   for the product in the BDPM feed that started within the last 24 months** (the decree's
   "ruptures régulières au cours des deux dernières années"). It sets the target cover of
   the suggested order quantity;
5. a Monte-Carlo projection of the stock (:mod:`forecasting.stock_projection`, seeded named
   streams) → probability of a stock-out (*rupture*: no stock for 72 h) within 1, 2, 4 and
   8 weeks, days of cover, expected stock-out date;
6. a ranked early-warning list with the reason (supplier disruption signalled in the BDPM
   feed, demand surge, low cover, late order) and suggested actions (order quantity;
   transfer from a site with surplus in the same département, else région).

:class:`~forecasting.disruptions.SupplyDisruption` describes a what-if disruption (delay,
quota, rupture) applied to the projection on the same random numbers as the baseline, so both
can be compared: :func:`early_warnings` on a prepared ledger, or :func:`disruption_scenario`
(reads the ledger itself: the scenario layer's entry point).
:func:`backtest_warnings` replays the early warning weekly over a ledger's history and scores
it against the stock-outs that actually followed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forecasting import intermittent
from forecasting import notices as real_notices
from forecasting.disruptions import SupplyDisruption
from forecasting.ledger import Panel, build_panel, demand_observations, match_orders
from forecasting.ledger import rupture_events as ledger_rupture_events
from forecasting.stock_projection import (
    NO_RUPTURE,
    ProjectionInputs,
    ProjectionResult,
    SupplyEffects,
    project,
)
from twin.errors import DataError, ProblemCollector
from twin.scenario.values import PlausibleDate
from twin.sentinels import sentinels

WEEKS = (1, 2, 4, 8)
MITM_SAFETY_DAYS = 61  # two months
MITM_RECURRENT_SAFETY_DAYS = 122  # four months
RECURRENT_WINDOW_DAYS = 730  # two years
RECURRENT_MIN_NOTICES = 2
NON_MITM_TARGET_DAYS = 28
CLASS_WINDOW = 365
RECENT_WINDOW = 84
SURGE_RATIO = 1.3
SURGE_MIN_UNITS = 5.0
ALPHA = 0.1
BETA = 0.05
POLICY_ORDERS = 6
LEAD_SAMPLE = 30
POOLED_SAMPLE = 200
MIN_POOLED = 10
OPEN_SLOTS = 6
PRIOR = {2: (7.0, 0.65), 1: (14.0, 0.10)}  # status → (extra lead days, fill) pseudo-orders
STATUS_NAMES = {0: "", 1: "rupture", 2: "tension", 3: "arrêt"}
LEVELS = ("rupture en cours", "rouge", "orange", "jaune")


# --- what-if disruptions ------------------------------------------------------------------


class _DisruptionEntry(BaseModel):
    """One entry of a disruption YAML file, validated field by field (the located error
    messages come from here), then turned into a :class:`SupplyDisruption`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: str = Field(min_length=1)
    kind: Literal["delay", "quota", "rupture"]
    start: PlausibleDate
    end: PlausibleDate
    delay_days: int = Field(default=0, ge=0, le=365, strict=True)
    quota_share: float = Field(default=1.0, ge=0.0, le=1.0)
    sites: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> _DisruptionEntry:
        try:
            self.to_disruption()
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return self

    def to_disruption(self) -> SupplyDisruption:
        from twin.geography import normalise_dep

        return SupplyDisruption(self.product, self.kind, self.start, self.end,
                                self.delay_days, self.quota_share, self.sites,
                                tuple(normalise_dep(d) for d in self.deps))


def load_disruptions(path: str | Path) -> list[SupplyDisruption]:
    """Read a YAML list of disruptions (or a mapping with a ``disruptions`` list), with the
    fields of :class:`SupplyDisruption`; every invalid entry is reported as a located
    :class:`DataError` (line, field, expected, found)."""
    from twin.scenario.yamlio import read_yaml

    path = Path(path)
    data, loc = read_yaml(path, "a YAML file of supply disruptions")
    prefix: tuple = ()
    items = data
    if isinstance(data, dict) and "disruptions" in data:
        items, prefix = data["disruptions"], ("disruptions",)
    if not isinstance(items, list):
        raise DataError.single(path, "a list of disruptions (or 'disruptions:' with a list)",
                               "nothing" if items is None else type(items).__name__, 1)
    problems = ProblemCollector()
    out = []
    for i, item in enumerate(items):
        line = loc.lines.get((*prefix, i), (None, None))[1]
        try:
            out.append(_DisruptionEntry.model_validate(item).to_disruption())
        except ValidationError as exc:
            for err in exc.errors():
                loc_text = ".".join(str(x) for x in err["loc"]) or None
                field_line = loc.find((*prefix, i, *err["loc"][:1]), str(path))[1] or line
                found = repr(err.get("input")) if err["type"] != "missing" else "nothing"
                if not loc_text and isinstance(err.get("input"), dict):
                    found = "inconsistent fields"
                problems.add(path, _plain(err), found, field_line,
                             f"disruptions[{i}].{loc_text}" if loc_text else f"disruptions[{i}]")
    problems.raise_if_any()
    return out


def _plain(err: dict) -> str:
    """What a disruption field expects, in plain words rather than pydantic's."""
    from twin.plausibility import plain_expected

    return plain_expected(err)


def disruption_effects(disruptions: Sequence[SupplyDisruption], series: pd.DataFrame,
                       as_of: pd.Timestamp, days: int) -> tuple[SupplyEffects, np.ndarray]:
    """The arrays the projection applies for these disruptions (day 0 = as-of, ``days``
    days), and a boolean per series telling whether any disruption touches it within those
    days. A disruption whose window lies wholly outside them changes nothing.

    A quota becomes a daily allocation of ``quota_share`` × the series' current consumption
    forecast (``conso_jour``, ledger units a day): the site receives at most that much over
    the window (see :class:`~forecasting.stock_projection.SupplyEffects`).
    """
    n = len(series)
    shift = np.zeros((n, days), dtype=np.int64)
    quota = np.ones((n, days))
    allocation = np.full((n, days), np.inf)
    touched = np.zeros(n, dtype=bool)
    day_index = np.arange(days)
    for dis in disruptions:
        hit = _product_match(series, dis.product)
        if dis.sites:
            hit &= series["finess"].isin(dis.sites).to_numpy()
        if dis.deps:
            hit &= series["dep"].isin(dis.deps).to_numpy()
        lo = (pd.Timestamp(dis.start) - as_of).days
        hi = (pd.Timestamp(dis.end) - as_of).days
        # Day 0 is the as-of day, already in the ledger: nothing more arrives on it.
        window = (day_index >= max(lo, 1)) & (day_index <= hi)
        if not hit.any() or not window.any():
            continue
        touched |= hit
        rows = np.flatnonzero(hit)
        if dis.kind == "rupture":
            shift[np.ix_(rows, window)] = np.maximum(
                shift[np.ix_(rows, window)], (hi + 1 - day_index[window])[None, :]
            )
        elif dis.kind == "delay":
            shift[np.ix_(rows, window)] = np.maximum(shift[np.ix_(rows, window)],
                                                     dis.delay_days)
        else:
            daily = dis.quota_share * series["conso_jour"].to_numpy(dtype=float)[rows]
            allocation[np.ix_(rows, window)] = np.minimum(allocation[np.ix_(rows, window)],
                                                          daily[:, None])
    capped = np.isfinite(allocation).any()
    return SupplyEffects(shift, quota, allocation if capped else None), touched


def _product_match(series: pd.DataFrame, product: str) -> np.ndarray:
    """Series whose product key, code (CIP13/UCD) or CIS is ``product``."""
    return (
        (series["product"] == product) | (series["produit"] == product) | (series["cis"] == product)
    ).to_numpy()


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


# --- state at a date ---------------------------------------------------------------------


@dataclass
class State:
    """Per-series features at the as-of date (``table``) and the projection inputs."""

    as_of: pd.Timestamp
    t: int
    table: pd.DataFrame
    inputs: ProjectionInputs


def _nanmean(a: np.ndarray, axis: int = 1) -> np.ndarray:
    """``np.nanmean`` without the warning on all-NaN rows (they give NaN, as intended)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(a, axis=axis)


def _samples(values: list[np.ndarray], width: int) -> np.ndarray:
    out = np.full((len(values), width), np.nan)
    for i, v in enumerate(values):
        v = v[-width:]
        out[i, : v.size] = v
    return out


def series_state(ctx: Context, as_of: pd.Timestamp | str, horizon_days: int,
                 seed_names: tuple[str, ...] = ()) -> State:
    """Features of every series active on ``as_of`` and its :class:`ProjectionInputs`
    for ``horizon_days`` simulated days; uses only ledger days ≤ ``as_of`` and BDPM
    snapshots ≤ ``as_of``."""
    panel = ctx.panel
    as_of = pd.Timestamp(as_of)
    t = panel.day_index(as_of)
    active = np.flatnonzero(~np.isnan(panel["stock_fin"][:, t]))
    series = panel.series.iloc[active].reset_index(drop=True)
    n = active.size
    h = horizon_days

    # Demand class and forecast.
    win = ctx.demand[active, max(0, t - CLASS_WINDOW + 1) : t + 1]
    adi, cv2 = intermittent.adi_cv2(win)
    category = intermittent.categorise(adi, cv2)
    method = np.array([intermittent.method_for(c) for c in category])
    rate = np.array([ctx.forecasts[m][i, t] for m, i in zip(method, active, strict=True)])
    fallback = np.nan_to_num(_nanmean(win) if win.size else np.zeros(n))
    rate = np.where(np.isfinite(rate), rate, fallback)
    rate = np.maximum(rate, 0.0)
    fast = method == "ses"

    recent = ctx.demand[active, max(0, t - RECENT_WINDOW + 1) : t + 1]
    rdays = panel.dates[max(0, t - RECENT_WINDOW + 1) : t + 1].dayofweek.to_numpy()
    wd = np.ones((n, 7))
    overall = _nanmean(recent) if recent.size else np.zeros(n)
    for k in range(7):
        cols = recent[:, rdays == k]
        enough = (~np.isnan(cols)).sum(axis=1) >= 6
        with np.errstate(invalid="ignore", divide="ignore"):
            f = _nanmean(np.where(enough[:, None], cols, np.nan)) / overall
        wd[:, k] = np.where(fast & enough & np.isfinite(f) & (overall > 0), np.clip(f, 0.3, 3), 1)
    wd /= wd.mean(axis=1, keepdims=True)
    future_days = pd.date_range(as_of + pd.Timedelta(1, "D"), periods=h, freq="D")
    wd_path = wd[:, future_days.dayofweek.to_numpy()]
    ratio = _seasonal_ratio(ctx.centred_mean[active], t, h)
    ratio[~fast] = 1.0
    mean_demand = rate[:, None] * wd_path * ratio

    # Day-to-day dispersion (negative binomial shape) on the weekday-adjusted recent days.
    adj = recent / wd[:, rdays]
    with np.errstate(invalid="ignore", divide="ignore"):
        m = _nanmean(adj)
        v = _nanmean((adj - m[:, None]) ** 2)
        k = np.where(v > 1.05 * m, m**2 / (v - m), np.inf)
    k = np.where(np.isfinite(k), np.maximum(k, 0.3), np.inf)
    sigma = _level_sigma(ctx, active, method, t, k)

    # Orders: lead-time samples, open orders, policy.
    orders = ctx.orders
    known = orders[(orders["close_day"] >= 0) & (orders["close_day"] <= t)]
    normal = known[known["status"].isin([0, 4]) & known["lead"].notna()]
    nominal_by_series = normal.groupby("series")["lead"].median()
    global_lead = float(normal["lead"].median()) if len(normal) else 3.0
    by_series = {s: g for s, g in normal.groupby("series")}
    site_of = panel.series["finess"].to_numpy()
    by_site = {s: g for s, g in normal.assign(site=site_of[normal["series"]]).groupby("site")}
    status_now = ctx.status[active, t].astype(int)
    notices_now = ctx.notices[active, t].astype(int)
    pooled: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s_code, like in ((1, (1, 3)), (2, (2,)), (3, (1, 3))):
        dis = known[known["status"].isin(like) & known["lead"].notna()]
        nominal = dis["series"].map(nominal_by_series).fillna(global_lead)
        extra = (dis["lead"] - nominal).clip(lower=0).to_numpy()[-POOLED_SAMPLE:]
        fill = dis["fill"].to_numpy()[-POOLED_SAMPLE:]
        prior_extra, prior_fill = PRIOR[1 if s_code in (1, 3) else 2]
        missing = max(0, MIN_POOLED - extra.size)
        pooled[s_code] = (np.concatenate([extra, np.full(missing, prior_extra)]),
                          np.concatenate([fill, np.full(missing, prior_fill)]))
    leads, fills, p50, p90, nominal_lead = [], [], [], [], []
    open_qty = np.zeros((n, OPEN_SLOTS))
    open_age = np.zeros((n, OPEN_SLOTS))
    late = np.zeros(n)
    s_pol = np.zeros(n)
    big_s = np.zeros(n)
    placed = orders[orders["order_day"] <= t]
    placed_by = {s: g for s, g in placed.groupby("series")}
    stock_fin, en_cmd, cmd = panel["stock_fin"], panel["en_commande"], panel["commande"]
    for j, i in enumerate(active):
        g = by_series.get(i)
        if g is None or len(g) < 3:
            g = by_site.get(site_of[i])
        base_lead = g["lead"].to_numpy()[-LEAD_SAMPLE:] if g is not None and len(g) else (
            np.array([global_lead])
        )
        base_fill = g["fill"].to_numpy()[-LEAD_SAMPLE:] if g is not None and len(g) else (
            np.array([1.0])
        )
        nominal_lead.append(float(np.median(base_lead)))
        p50.append(float(np.percentile(base_lead, 50)))
        p90.append(float(np.percentile(base_lead, 90)))
        if status_now[j] in pooled:
            extra, fill = pooled[status_now[j]]
            reps = max(base_lead.size, extra.size)
            extra = np.resize(extra, reps)
            # A real notice bounds the extra delay by its expected return to supply.
            remaining = None if ctx.real is None else real_notices.remaining_samples(
                ctx.real, i, t, as_of, reps)
            if remaining is not None:
                extra = np.minimum(np.sort(extra), remaining)
            leads.append(np.resize(base_lead, reps) + extra)
            fills.append(np.resize(fill, reps))
        else:
            leads.append(base_lead)
            fills.append(base_fill)
        mine = placed_by.get(i)
        if mine is not None:
            open_ = mine[(mine["close_day"] < 0) | (mine["close_day"] > t)].head(OPEN_SLOTS)
            open_qty[j, : len(open_)] = open_["qty"].to_numpy()
            open_age[j, : len(open_)] = t - open_["order_day"].to_numpy()
            if len(open_):
                late[j] = float(open_age[j, : len(open_)].max())
            last = mine.tail(POLICY_ORDERS)
            d = last["order_day"].to_numpy()
            before = stock_fin[i, d] + en_cmd[i, d] - cmd[i, d]
            s_pol[j] = float(np.max(before))
            big_s[j] = float(np.median(before + last["qty"].to_numpy()))
        if mine is None or big_s[j] <= 0:
            s_pol[j] = np.ceil(rate[j] * (p50[-1] + 14))
            big_s[j] = s_pol[j] + np.ceil(rate[j] * 28)
        big_s[j] = max(big_s[j], s_pol[j] + 1)
    width = max(len(x) for x in leads) if leads else 1
    lead_samples = _samples(leads, width)
    fill_samples = _samples(fills, width)

    on_hand = stock_fin[active, t]
    on_order = en_cmd[active, t]
    daily = mean_demand[:, :28].mean(axis=1) if h >= 1 else rate
    with np.errstate(divide="ignore", invalid="ignore"):
        cover = np.where(daily > 0, on_hand / daily, np.inf)
    last14 = ctx.demand[active, max(0, t - 13) : t + 1]
    before = ctx.demand[active, max(0, t - 69) : max(0, t - 14)]
    with np.errstate(invalid="ignore", divide="ignore"):
        surge = _nanmean(last14) / _nanmean(before)
    surge = np.where(np.nansum(last14, axis=1) >= SURGE_MIN_UNITS, surge, np.nan)
    mitm = series["mitm"].to_numpy(dtype=bool)
    recurrent = notices_now >= RECURRENT_MIN_NOTICES
    safety = np.where(mitm, np.where(recurrent, MITM_RECURRENT_SAFETY_DAYS, MITM_SAFETY_DAYS),
                      NON_MITM_TARGET_DAYS)
    table = series.assign(
        series_index=active,
        stock=on_hand,
        en_commande=on_order,
        conso_jour=daily,
        adi=adi,
        cv2=cv2,
        classe_demande=category,
        methode=method,
        nb_shape=k,
        level_sigma=sigma,
        jours_couverture=cover,
        delai_p50=p50,
        delai_p90=p90,
        point_commande=s_pol,
        niveau_recompletement=big_s,
        statut_bdpm=status_now,
        avis_24_mois=notices_now,
        recurrent=recurrent,
        stock_securite_jours=safety,
        hausse_demande=surge,
        age_commande_max=late,
        jours_a_zero=_days_at_zero(stock_fin[active, : t + 1]),
    )
    backing = real_notices.backing(ctx.real, active, t, as_of)
    table = pd.concat([table, backing.set_index(table.index)], axis=1)
    names = [(*seed_names, f"{as_of:%Y-%m-%d}", f, p)
             for f, p in zip(series["finess"], series["product"], strict=True)]
    inputs = ProjectionInputs(
        on_hand=on_hand.astype(float),
        mean_demand=mean_demand,
        nb_shape=k,
        level_sigma=sigma,
        reorder_point=s_pol,
        order_up_to=big_s,
        lead_samples=lead_samples,
        fill_samples=fill_samples,
        outstanding_qty=open_qty,
        outstanding_age=open_age,
        stream_names=names,
    )
    return State(as_of, t, table, inputs)


def _days_at_zero(stock: np.ndarray) -> np.ndarray:
    """Consecutive days ending on the last column with end-of-day stock ≤ 0."""
    zero = np.nan_to_num(stock, nan=1.0) <= 0
    rev = zero[:, ::-1]
    return np.where(rev.all(axis=1), rev.shape[1], np.argmin(rev, axis=1))


def _seasonal_ratio(centred: np.ndarray, t: int, h: int, years: int = 3) -> np.ndarray:
    """Median over past years of (mean around the same future day) / (mean around the same
    day) a year (two, three) earlier: how consumption changed from now to each horizon day
    in previous years. Clipped to [0.5, 2]; 1 when no past year is usable."""
    out = np.full((centred.shape[0], h, years), np.nan)
    for y in range(1, years + 1):
        a = t - 364 * y
        if a < 0:
            continue
        base = centred[:, a]
        b = np.arange(a + 1, a + h + 1)
        valid = b < centred.shape[1]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = centred[:, b[valid]] / base[:, None]
        out[:, : valid.sum(), y - 1] = np.where(base[:, None] > 0, r, np.nan)
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            med = np.nanmedian(out, axis=2)
    return np.clip(np.nan_to_num(med, nan=1.0), 0.5, 2.0)


def _level_sigma(ctx: Context, active: np.ndarray, method: np.ndarray, t: int,
                 k: np.ndarray) -> np.ndarray:
    """Log-sd of the demand level: spread of log(actual 28-day demand / forecast) over the
    past year (forecasts made ≥ 28 days before ``t``), minus the part the day-to-day noise
    already explains. 0.25 when fewer than 20 usable windows; capped at 0.8."""
    lo = max(0, t - 364)
    hi = t - 28
    out = np.full(active.size, 0.25)
    if hi - lo < 20:
        return out
    y = ctx.demand[active]
    vals = np.nan_to_num(y)
    cnt = (~np.isnan(y)).astype(float)
    cs = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(vals, axis=1)], axis=1)
    cc = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(cnt, axis=1)], axis=1)
    taus = np.arange(lo, hi + 1)
    sums = cs[:, taus + 29] - cs[:, taus + 1]
    counts = cc[:, taus + 29] - cc[:, taus + 1]
    fc = np.stack([ctx.forecasts[m][i, taus] for m, i in zip(method, active, strict=True)])
    with np.errstate(invalid="ignore", divide="ignore"):
        actual = sums / counts
        lr = np.log(actual / fc)
        ok = (counts >= 14) & (actual > 0) & (fc > 0)
        lr = np.where(ok, lr, np.nan)
        noise = np.where(ok, 1.0 / (28 * fc) + 1.0 / (28 * k[:, None]), np.nan)
        n_ok = ok.sum(axis=1)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.nanvar(lr, axis=1) - np.nanmean(noise, axis=1)
    sig = np.sqrt(np.clip(var, 0.0025, 0.64))
    return np.where(n_ok >= 20, sig, out)


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
    horizon_weeks: int = 8,
    n_paths: int = 200,
    seed: int = 20260101,
    disruptions: Sequence[SupplyDisruption] | None = None,
    threshold: float = 0.5,
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


DEFAULT_SEED = 20260101
MAX_HORIZON_WEEKS = 26


def disruption_scenario(
    disruptions: Sequence[SupplyDisruption],
    *,
    as_of: date | str | None = None,
    horizon_weeks: int = 8,
    ledger: str | Path | None = None,
    product_file: str | Path | None = None,
    bdpm: str | Path | None = None,
    n_paths: int = 200,
    seed: int = DEFAULT_SEED,
    threshold: float = 0.5,
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


def prepared_context(ledger: str | Path | None = None, product_file: str | Path | None = None,
                     bdpm: str | Path | None = None, notices: str | Path | None = None
                     ) -> Context:
    """The :class:`Context` of a ledger file (validated), cached per file version, with the
    real ANSM notices of ``notices`` (default: the embedded real file, when present)."""
    from twin.sources.ledger import default_ledger_path

    path = Path(ledger) if ledger is not None else default_ledger_path()
    try:
        st = path.stat()
    except OSError as exc:
        raise DataError.single(path, "a readable stock ledger file", str(exc)) from None
    return _prepared(str(path), st.st_size, st.st_mtime_ns,
                     None if product_file is None else str(product_file),
                     None if bdpm is None else str(bdpm),
                     None if notices is None else str(notices))


@cache
def _prepared(path: str, _size: int, _mtime_ns: int, product_file: str | None,
              bdpm: str | None, notices: str | None = None) -> Context:
    from twin.sources.bdpm import load_availability_history
    from twin.sources.ledger import load_ledger, load_sites

    sites = load_sites()
    led = load_ledger(path, product_file, sites)
    return prepare(led, load_availability_history(bdpm), sites,
                   real_notices.real_inputs(notices))


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


# --- outputs -------------------------------------------------------------------------------

QUANTILES = (0.1, 0.5, 0.9)


def to_dataset(report: ShortageReport):
    """The report as an :class:`xarray.Dataset` (dims ``produit``, ``site``, ``horizon``
    in weeks, ``jour`` after the as-of date, ``quantile``, ``scenario``; territorial
    probabilities on ``dep`` and ``reg``). Missing product × site combinations are NaN."""
    import xarray as xr

    from forecasting.output import provenance

    t = report.series
    products = sorted(t["product"].unique())
    sites = sorted(t["finess"].unique())
    pi = {p: i for i, p in enumerate(products)}
    si = {s: i for i, s in enumerate(sites)}
    rows = np.array([pi[p] for p in t["product"]])
    cols = np.array([si[s] for s in t["finess"]])
    scenarios = ["base"] + (["perturbation"] if report.scenario is not None else [])
    weeks = [w for w in WEEKS if w <= report.horizon_weeks]
    days = report.baseline.stock.shape[2]

    def grid(values, dtype=float, fill=np.nan):
        out = np.full((len(products), len(sites)), fill, dtype=dtype)
        out[rows, cols] = values
        return out

    data = {
        "stock": grid(t["stock"]),
        "conso_jour": grid(t["conso_jour"]),
        "jours_couverture": grid(t["jours_couverture"].replace(np.inf, np.nan)),
        "delai_p50": grid(t["delai_p50"]),
        "delai_p90": grid(t["delai_p90"]),
        "point_commande": grid(t["point_commande"]),
        "niveau_recompletement": grid(t["niveau_recompletement"]),
        "statut_bdpm": grid(t["statut_bdpm"], dtype=float),
        "stock_securite_jours": grid(t["stock_securite_jours"], dtype=float),
        "avis_ansm_reel": grid(t["avis_ansm"].to_numpy() != "", dtype=bool, fill=False),
        "avis_ansm_statut": grid(t["avis_statut"].to_numpy(dtype=object), dtype=object,
                                 fill=""),
        "avis_ansm_lien": grid(t["avis_lien"].to_numpy(dtype=object), dtype=object, fill=""),
        "methode": grid(t["methode"].to_numpy(dtype=object), dtype=object, fill=""),
        "classe_demande": grid(t["classe_demande"].to_numpy(dtype=object), dtype=object,
                               fill=""),
    }
    variables = {k: (("produit", "site"), v) for k, v in data.items()}
    p = np.full((len(scenarios), len(products), len(sites), len(weeks)), np.nan)
    q = np.full((len(scenarios), len(products), len(sites), len(QUANTILES), days), np.nan)
    for k, res in enumerate([report.baseline, report.scenario][: len(scenarios)]):
        assert res is not None
        for j, w in enumerate(weeks):
            p[k, rows, cols, j] = res.p_rupture_within(7 * w)
        q[k, rows, cols] = res.stock_quantiles(QUANTILES)
    variables["p_rupture"] = (("scenario", "produit", "site", "horizon"), p)
    variables["stock_quantiles"] = (("scenario", "produit", "site", "quantile", "jour"), q)
    site_info = t.drop_duplicates("finess").set_index("finess").reindex(sites)
    ds = xr.Dataset(
        variables,
        coords={
            "produit": products,
            "site": sites,
            "horizon": np.array(weeks),
            "quantile": np.array(QUANTILES),
            "jour": np.arange(days),
            "scenario": scenarios,
            "site_nom": ("site", site_info["site"].to_numpy(dtype=object)),
            "site_dep": ("site", site_info["dep"].to_numpy(dtype=object)),
            "site_reg": ("site", site_info["reg"].to_numpy(dtype=object)),
        },
        attrs={
            "as_of": f"{report.as_of:%Y-%m-%d}",
            "horizon_weeks": report.horizon_weeks,
            "rupture": "72 h sans stock (3 jours consécutifs à stock nul)",
            "units": "stock et consommation dans l'unité du registre (boîte ou UCD)",
            "settings": json.dumps(report.settings, default=str, ensure_ascii=False),
            "seed": int(report.settings.get("seed", -1)),
            **provenance(),
        },
    )
    terr = report.territories
    for level, dim in (("département", "dep"), ("région", "reg")):
        part = terr[terr["niveau"] == level]
        codes = sorted(part["code"].unique())
        arr = np.full((len(products), len(codes), len(weeks)), np.nan)
        ci = {c: i for i, c in enumerate(codes)}
        for _, r in part.iterrows():
            for j, w in enumerate(weeks):
                arr[pi[r["produit"]], ci[r["code"]], j] = r[f"p_rupture_{w}s"]
        ds[f"p_rupture_{dim}"] = (("produit", dim, "horizon"), arr)
        ds = ds.assign_coords({dim: codes})
    return ds


WARNING_COLUMNS = (
    "rang", "niveau", "product", "produit", "unit", "finess", "site", "dep", "reg", "stock",
    "en_commande", "conso_jour", "jours_couverture", "classe_demande", "methode", "delai_p50",
    "delai_p90", "p_rupture_1s", "p_rupture_2s", "p_rupture_4s", "p_rupture_8s",
    "date_rupture_attendue", "statut_bdpm_libelle", "mitm", "recurrent",
    "stock_securite_jours", "motif", "action", "quantite_a_commander", "transfert_depuis",
    "quantite_transfert", "avis_ansm", "avis_statut", "avis_cis", "avis_debut",
    "avis_retour_prevu", "avis_lien",
)


def warnings_frame(warn: pd.DataFrame) -> pd.DataFrame:
    """The warning columns a planner reads, in order (French file headers)."""
    cols = [c for c in WARNING_COLUMNS if c in warn.columns]
    out = warn[cols].rename(columns={"product": "produit_cle", "produit": "code_produit",
                                     "unit": "unite", "statut_bdpm_libelle": "statut_bdpm"})
    for col in ("mitm", "recurrent"):
        if col in out:
            out[col] = out[col].map({True: "oui", False: "non"})
    return out


# --- backtest ------------------------------------------------------------------------------


@dataclass
class BacktestResult:
    """Scores per lead (weeks): ``scores`` has one row per (rule, lead) with precision,
    recall, F1 and counts; ``warnings`` one row per (issue date, series) with the
    probabilities; ``events`` the stock-outs scored."""

    scores: pd.DataFrame
    warnings: pd.DataFrame
    events: pd.DataFrame
    threshold: float


def backtest_warnings(
    ctx: Context,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    leads: tuple[int, ...] = (2, 4),
    threshold: float = 0.5,
    n_paths: int = 100,
    seed: int = 20260101,
    episodes: pd.DataFrame | None = None,
    products: tuple[str, ...] | None = None,
) -> BacktestResult:
    """Replay the early warning every Monday from ``start`` to ``end`` and score it.

    At each issue date ``t`` only data known at ``t`` is used (see :class:`Context`). For a
    lead of ``h`` weeks the warning is ``P(rupture within h weeks) ≥ threshold``.

    * **precision** = warnings followed by a stock-out starting in (t, t + 7h] / warnings,
      over the cells with stock on hand at ``t`` (a cell already at zero is not a forecast);
    * **recall** = stock-outs caught / stock-outs, where a stock-out starting on day ``e`` is
      caught at lead ``h`` if the warning was on at the issue date in [e − 7h, e − 7h + 6]
      (the Monday exactly ``h`` weeks ahead, so ``e`` lies in its window).

    Events are the ledger's 72-h stock-outs (:func:`forecasting.ledger.rupture_events`)
    whose scoring Monday lies in the replayed period. With ``episodes`` (the synthetic
    ground truth of BDPM episodes: ``product_key``, ``start``, ``back_in_stock``), recall is
    also split between stock-outs during an injected episode (start − 14 days … back in
    stock + 14 days) and the others. A naive rule is scored alongside: warn when days of
    cover (on hand / mean dispensing of the last 28 days) < 7h.
    """
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    panel = ctx.panel
    mondays = pd.date_range(start, end, freq="W-MON")
    hmax = 7 * max(leads) + 2
    keep_series = None
    if products is not None:
        keep_series = set(np.flatnonzero(panel.series["product"].isin(products)))
    rows = []
    for t_day in mondays:
        t = panel.day_index(t_day)
        state = series_state(ctx, t_day, hmax, ("backtest",))
        res = project(state.inputs, n_paths=n_paths, seed=seed)
        tbl = state.table
        last28 = panel["dispense"][tbl["series_index"].to_numpy(), max(0, t - 27) : t + 1]
        with np.errstate(invalid="ignore", divide="ignore"):
            naive_cover = tbl["stock"].to_numpy() / _nanmean(last28)
        rec = {
            "date": t_day,
            "series": tbl["series_index"].to_numpy(),
            "stock": tbl["stock"].to_numpy(),
            "naive_cover": naive_cover,
            "statut_bdpm": tbl["statut_bdpm"].to_numpy(),
            "avis_ansm": tbl["avis_ansm"].to_numpy() != "",
        }
        for h in leads:
            rec[f"p_{h}"] = res.p_rupture_within(7 * h)
        rows.append(pd.DataFrame(rec))
    warn = pd.concat(rows, ignore_index=True)
    if keep_series is not None:
        warn = warn[warn["series"].isin(keep_series)].reset_index(drop=True)
    events = ledger_rupture_events(panel)
    if keep_series is not None:
        events = events[events["series"].isin(keep_series)].reset_index(drop=True)
    events["in_episode"] = _in_episode(events, episodes) if episodes is not None else False

    scores = []
    ev_start = events["start"].to_numpy()
    ev_series = events["series"].to_numpy()
    for h in leads:
        # Window truth for precision: a stock-out starts in (t, t + 7h].
        truth = np.zeros(len(warn), dtype=bool)
        by_series = {s: np.sort(g["start"].to_numpy()) for s, g in events.groupby("series")}
        for s, idx in warn.groupby("series").groups.items():
            starts = by_series.get(s)
            if starts is None:
                continue
            d = warn.loc[idx, "date"].to_numpy()
            lo = np.searchsorted(starts, d, side="right")
            hi = np.searchsorted(starts, d + np.timedelta64(7 * h, "D"), side="right")
            truth[np.asarray(idx)] = hi > lo
        eligible = warn["stock"].to_numpy() > 0
        issue = ev_start - np.timedelta64(7 * h, "D")
        issue_monday = issue + ((7 - pd.DatetimeIndex(issue).dayofweek.to_numpy()) % 7
                                ).astype("timedelta64[D]")
        scorable = (issue_monday >= mondays[0].to_datetime64()) & (
            issue_monday <= mondays[-1].to_datetime64()
        )
        key = pd.MultiIndex.from_arrays([warn["date"], warn["series"]])
        look = key.get_indexer(pd.MultiIndex.from_arrays([pd.DatetimeIndex(issue_monday),
                                                          ev_series]))
        for rule in ("projection", "couverture naive"):
            if rule == "projection":
                flag = warn[f"p_{h}"].to_numpy() >= threshold
            else:
                flag = np.nan_to_num(warn["naive_cover"].to_numpy(), nan=np.inf) < 7 * h
            w = flag & eligible
            tp = int((w & truth).sum())
            n_warn = int(w.sum())
            caught = np.zeros(len(events), dtype=bool)
            found = look >= 0
            caught[found] = flag[look[found]]
            denom = scorable & found
            row = {
                "rule": rule,
                "lead_weeks": h,
                "warnings": n_warn,
                "true_warnings": tp,
                "precision": tp / n_warn if n_warn else np.nan,
                "events": int(denom.sum()),
                "caught": int((caught & denom).sum()),
                "recall": (caught & denom).sum() / denom.sum() if denom.sum() else np.nan,
            }
            for name, mask in (("episode", events["in_episode"].to_numpy(dtype=bool)),
                               ("other", ~events["in_episode"].to_numpy(dtype=bool))):
                d2 = denom & mask
                row[f"recall_{name}"] = (caught & d2).sum() / d2.sum() if d2.sum() else np.nan
                row[f"events_{name}"] = int(d2.sum())
            p, r = row["precision"], row["recall"]
            row["f1"] = 2 * p * r / (p + r) if p and r and p + r > 0 else np.nan
            scores.append(row)
    return BacktestResult(pd.DataFrame(scores), warn, events, threshold)


def _in_episode(events: pd.DataFrame, episodes: pd.DataFrame) -> np.ndarray:
    """Whether each stock-out starts within an injected episode of its product (from 14
    days before the notice to 14 days after the return to stock)."""
    eps = episodes[episodes["product_key"].fillna("") != ""]
    out = np.zeros(len(events), dtype=bool)
    for j, ev in enumerate(events.itertuples(index=False)):
        mine = eps[eps["product_key"] == ev.product]
        lo = pd.to_datetime(mine["start"]) - pd.Timedelta(14, "D")
        hi = pd.to_datetime(mine["back_in_stock"]) + pd.Timedelta(14, "D")
        out[j] = bool(((ev.start >= lo) & (ev.start <= hi)).any())
    return out


def load_episode_truth(path: str | Path | None = None) -> pd.DataFrame:
    """The synthetic BDPM ground truth (``episodes_ground_truth.csv``; synthetic only)."""
    from twin.paths import synthetic_dir

    path = Path(path) if path is not None else synthetic_dir() / "bdpm" / (
        "episodes_ground_truth.csv"
    )
    return pd.read_csv(path, dtype=str, keep_default_na=False)
