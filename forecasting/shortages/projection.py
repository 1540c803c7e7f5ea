"""The state of every series at an as-of date and the Monte-Carlo projection inputs built
from it (demand class and forecast, level uncertainty, lead times and fill rates, reorder
policy, MITM target cover), and the what-if disruption effects applied on top."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting import intermittent
from forecasting import notices as real_notices
from forecasting.disruptions import SupplyDisruption
from forecasting.shortages import settings as rules
from forecasting.shortages.features import Context
from forecasting.stock_projection import (
    ProjectionInputs,
    SupplyEffects,
)

# --- state at a date ---------------------------------------------------------------------


@dataclass
class State:
    """Per-series features at the as-of date (``table``) and the projection inputs."""

    as_of: pd.Timestamp
    t: int
    table: pd.DataFrame
    inputs: ProjectionInputs


def nanmean_rows(a: np.ndarray, axis: int = 1) -> np.ndarray:
    """``np.nanmean`` without the warning on all-NaN rows (they give NaN, as intended)."""
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
    win = ctx.demand[active, max(0, t - rules.CLASS_WINDOW + 1) : t + 1]
    adi, cv2 = intermittent.adi_cv2(win)
    category = intermittent.categorise(adi, cv2)
    method = np.array([intermittent.method_for(c) for c in category])
    rate = np.array([ctx.forecasts[m][i, t] for m, i in zip(method, active, strict=True)])
    fallback = np.nan_to_num(nanmean_rows(win) if win.size else np.zeros(n))
    rate = np.where(np.isfinite(rate), rate, fallback)
    rate = np.maximum(rate, 0.0)
    fast = method == "ses"

    recent = ctx.demand[active, max(0, t - rules.RECENT_WINDOW + 1) : t + 1]
    rdays = panel.dates[max(0, t - rules.RECENT_WINDOW + 1) : t + 1].dayofweek.to_numpy()
    wd = np.ones((n, 7))
    overall = nanmean_rows(recent) if recent.size else np.zeros(n)
    for k in range(7):
        cols = recent[:, rdays == k]
        enough = (~np.isnan(cols)).sum(axis=1) >= 6
        with np.errstate(invalid="ignore", divide="ignore"):
            f = nanmean_rows(np.where(enough[:, None], cols, np.nan)) / overall
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
        m = nanmean_rows(adj)
        v = nanmean_rows((adj - m[:, None]) ** 2)
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
        extra = (dis["lead"] - nominal).clip(lower=0).to_numpy()[-rules.POOLED_SAMPLE:]
        fill = dis["fill"].to_numpy()[-rules.POOLED_SAMPLE:]
        prior_extra, prior_fill = rules.PRIOR[1 if s_code in (1, 3) else 2]
        missing = max(0, rules.MIN_POOLED - extra.size)
        pooled[s_code] = (np.concatenate([extra, np.full(missing, prior_extra)]),
                          np.concatenate([fill, np.full(missing, prior_fill)]))
    leads, fills, p50, p90, nominal_lead = [], [], [], [], []
    open_qty = np.zeros((n, rules.OPEN_SLOTS))
    open_age = np.zeros((n, rules.OPEN_SLOTS))
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
        base_lead = g["lead"].to_numpy()[-rules.LEAD_SAMPLE:] if g is not None and len(g) else (
            np.array([global_lead])
        )
        base_fill = g["fill"].to_numpy()[-rules.LEAD_SAMPLE:] if g is not None and len(g) else (
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
            open_ = mine[(mine["close_day"] < 0) | (mine["close_day"] > t)].head(rules.OPEN_SLOTS)
            open_qty[j, : len(open_)] = open_["qty"].to_numpy()
            open_age[j, : len(open_)] = t - open_["order_day"].to_numpy()
            if len(open_):
                late[j] = float(open_age[j, : len(open_)].max())
            last = mine.tail(rules.POLICY_ORDERS)
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
        surge = nanmean_rows(last14) / nanmean_rows(before)
    surge = np.where(np.nansum(last14, axis=1) >= rules.SURGE_MIN_UNITS, surge, np.nan)
    mitm = series["mitm"].to_numpy(dtype=bool)
    recurrent = notices_now >= rules.RECURRENT_MIN_NOTICES
    mitm_days = np.where(recurrent, rules.MITM_RECURRENT_SAFETY_DAYS, rules.MITM_SAFETY_DAYS)
    safety = np.where(mitm, mitm_days, rules.NON_MITM_TARGET_DAYS)
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
    with np.errstate(all="ignore"), warnings.catch_warnings():
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            var = np.nanvar(lr, axis=1) - np.nanmean(noise, axis=1)
    sig = np.sqrt(np.clip(var, 0.0025, 0.64))
    return np.where(n_ok >= 20, sig, out)


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
