"""Monte-Carlo projection of pharmacy stocks: demand, reorder policy, lead times, disruptions.

For every series (site × product) and path, day by day over the horizon::

    received   = deliveries due that day
    dispensed  = min(demand, on hand + received)          (unmet demand is lost)
    on hand'   = on hand + received − dispensed           (conserved on every path)
    if on hand' + on order ≤ s: order S − (on hand' + on order)

with the site's own (s, S) policy estimated from its ledger. Daily demand is
negative-binomial (gamma–Poisson) around the forecast, times a path-level log-normal factor
for the uncertainty of the level itself (a surge that lasts). Each order draws a (lead time,
fill rate) pair from the series' sample — the ledger's own order history, or, while the BDPM
feed signals a tension or rupture, the pooled history of orders placed under such a signal —
so a quota'd, late supply shows as it did before. Deliveries arrive in order (no overtaking).
A short delivery cancels the rest of the order, as in the ledger convention.

**Common random numbers.** Every random number is drawn up front from a stream named after
the series (:func:`twin.rng.stream`), in a fixed order and amount that do not depend on the
disruptions. A :class:`SupplyEffects` scenario is then applied deterministically on top
(moving or cutting deliveries), so a baseline and a disruption scenario see the same
patients and the same supplier behaviour, and their difference is the effect of the
disruption alone, not Monte-Carlo noise.

Pure computation: arrays in, arrays out; no file access.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from forecasting.ledger import RUPTURE_MIN_DAYS, rupture_starts
from twin.rng import stream

NO_RUPTURE = np.iinfo(np.int32).max  # first-rupture day of a path that never runs out


@dataclass(frozen=True)
class ProjectionInputs:
    """Per-series state at the projection date (``n`` series; ``H`` simulated days).

    ``mean_demand`` (n, H) is the expected demand of days 1…H after the as-of date;
    ``nb_shape`` (n,) the negative-binomial shape (``inf`` = Poisson); ``level_sigma`` (n,)
    the log-sd of a path-level demand factor; ``reorder_point``/``order_up_to`` the (s, S)
    policy; ``lead_samples``/``fill_samples`` (n, K) paired samples, NaN-padded (at least
    one value per series); ``outstanding_qty``/``outstanding_age`` (n, M) the orders open
    on the as-of date (qty 0 = empty slot) and how many days ago they were placed;
    ``stream_names`` one tuple of names per series for the random streams.
    """

    on_hand: np.ndarray
    mean_demand: np.ndarray
    nb_shape: np.ndarray
    level_sigma: np.ndarray
    reorder_point: np.ndarray
    order_up_to: np.ndarray
    lead_samples: np.ndarray
    fill_samples: np.ndarray
    outstanding_qty: np.ndarray
    outstanding_age: np.ndarray
    stream_names: Sequence[tuple[str, ...]]

    @property
    def n_series(self) -> int:
        return int(self.on_hand.shape[0])

    @property
    def horizon(self) -> int:
        return int(self.mean_demand.shape[1])


@dataclass(frozen=True)
class SupplyEffects:
    """A disruption scenario as arrays over (series, arrival day 0…D−1).

    A delivery due on day ``a`` is postponed to ``a + shift[i, a]`` (a rupture postpones it
    past its end, a delay adds days) and then scaled by ``quota[i, a']`` (fraction of that
    order actually delivered on its final day ``a'``; the rest is cancelled). Days beyond
    ``D`` are unaffected.

    ``allocation`` (optional, units per day, ``inf`` = none) caps what a site can receive, as
    under an ANSM quantitative quota (*contingentement*): on each day with a finite value
    the site's allowance grows by that amount, and deliveries arriving that day are cut to
    the allowance accumulated so far (the rest is cancelled, like a short delivery, so the
    site orders again). A per-order fraction alone would not model a quota: with short lead
    times a site would simply re-order until served.
    """

    shift: np.ndarray
    quota: np.ndarray
    allocation: np.ndarray | None = None

    @staticmethod
    def none(n_series: int, days: int) -> SupplyEffects:
        return SupplyEffects(np.zeros((n_series, days), dtype=np.int64),
                             np.ones((n_series, days)))


@dataclass
class ProjectionResult:
    """Monte-Carlo outcome. ``first_rupture`` (n, N): first day (1…H) of a 72-h stock-out
    on each path (:data:`NO_RUPTURE` if none within the horizon); ``stock`` (n, N, H + 1)
    end-of-day on-hand stock (day 0 = as-of); with ``keep_flows`` also ``received``,
    ``dispensed``, ``demand`` and ``ordered`` (n, N, H)."""

    first_rupture: np.ndarray
    stock: np.ndarray
    flows: dict[str, np.ndarray] = field(default_factory=dict)

    def p_rupture_within(self, days: int) -> np.ndarray:
        """Probability per series of a stock-out starting within ``days`` days."""
        return (self.first_rupture <= days).mean(axis=1)

    def stock_quantiles(self, q: Sequence[float]) -> np.ndarray:
        """Quantiles of end-of-day stock, shape (n, len(q), H + 1)."""
        return np.moveaxis(np.quantile(self.stock, q, axis=1), 0, 1)


@dataclass(frozen=True)
class _Draws:
    demand: np.ndarray  # (N, H) demand units
    lead_index: np.ndarray  # (N, H) uniform [0, 1) for new orders on each day
    open_index: np.ndarray  # (N, M) uniform for the open orders


def _draw(inputs: ProjectionInputs, i: int, n_paths: int, seed: int) -> _Draws:
    """All random numbers of series ``i``, in a fixed order and amount (CRN)."""
    names = inputs.stream_names[i]
    h = inputs.horizon
    rng = stream(seed, *names, "demand")
    sigma = float(inputs.level_sigma[i])
    level = rng.lognormal(-0.5 * sigma**2, sigma, size=(n_paths, 1)) if sigma > 0 else (
        np.ones((n_paths, 1))
    )
    mu = inputs.mean_demand[i][None, :] * level
    k = float(inputs.nb_shape[i])
    gamma = rng.gamma(k, 1.0 / k, size=(n_paths, h)) if np.isfinite(k) else 1.0
    demand = rng.poisson(np.maximum(mu * gamma, 0.0)).astype(float)
    lead_rng = stream(seed, *names, "lead")
    lead_index = lead_rng.random((n_paths, h))
    open_index = lead_rng.random((n_paths, inputs.outstanding_qty.shape[1]))
    return _Draws(demand, lead_index, open_index)


def _pick(samples: np.ndarray, counts: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Bootstrap: for each row r of u (series index rows[r]), samples[r, floor(u × count)]."""
    idx = np.minimum((u * counts[:, None]).astype(np.int64), counts[:, None] - 1)
    return np.take_along_axis(samples, idx, axis=1)


def _open_orders(lead: np.ndarray, fill: np.ndarray, counts: np.ndarray, u: np.ndarray,
                 age: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Remaining days and fill rate of the orders open for ``age`` days, shape (rows, M).

    An open order is known not to have arrived after ``age`` days, so its lead time is drawn
    from the series' lead times *longer than its age* (a survival conditioning), minus the
    age. Drawing from all lead times instead would bring an overdue order in the next day,
    and the projection would dismiss exactly the late deliveries that precede stock-outs.
    An order older than every lead time seen is assumed to need as long again as a fresh
    order (a stated guess: the supplier has failed once, nothing says when it will
    deliver). ``lead``/``fill`` rows hold ``counts`` valid paired samples first.
    """
    rows, width = lead.shape
    valid = np.arange(width)[None, :] < counts[:, None]
    order = np.argsort(np.where(valid, lead, np.inf), axis=1, kind="stable")
    lead_sorted = np.take_along_axis(lead, order, 1)
    fill_sorted = np.take_along_axis(fill, order, 1)
    r = np.arange(rows)
    remaining = np.empty(u.shape)
    fill_out = np.empty(u.shape)
    for j in range(u.shape[1]):
        a = age[:, j]
        longer = counts - ((lead_sorted <= a[:, None]) & valid).sum(axis=1)
        cond = longer > 0
        idx_cond = counts - longer + np.minimum((u[:, j] * longer).astype(np.int64),
                                                np.maximum(longer - 1, 0))
        idx_fresh = np.minimum((u[:, j] * counts).astype(np.int64), counts - 1)
        idx = np.where(cond, idx_cond, idx_fresh)
        drawn = lead_sorted[r, idx]
        remaining[:, j] = np.where(cond, drawn - a, drawn)
        fill_out[:, j] = fill_sorted[r, idx]
    return remaining, fill_out


def project(
    inputs: ProjectionInputs,
    n_paths: int = 200,
    seed: int = 0,
    effects: SupplyEffects | None = None,
    keep_flows: bool = False,
    chunk: int = 64,
) -> ProjectionResult:
    """Simulate every series over ``inputs.horizon`` days on ``n_paths`` paths.

    ``effects`` applies a disruption scenario on the same random numbers as the baseline
    (common random numbers). Series are processed ``chunk`` at a time to bound memory.
    """
    n, h = inputs.n_series, inputs.horizon
    if effects is None:
        effects = SupplyEffects.none(n, h + 1)
    first = np.full((n, n_paths), NO_RUPTURE, dtype=np.int64)
    stock = np.empty((n, n_paths, h + 1))
    flows: dict[str, np.ndarray] = {}
    if keep_flows:
        flows = {k: np.empty((n, n_paths, h)) for k in ("received", "dispensed", "demand",
                                                       "ordered")}
    for lo in range(0, n, chunk):
        sl = slice(lo, min(n, lo + chunk))
        part = _project_chunk(inputs, sl, n_paths, seed, effects)
        first[sl] = part["first_rupture"]
        stock[sl] = part["stock"]
        for k in flows:
            flows[k][sl] = part[k]
    return ProjectionResult(first, stock, flows)


def _project_chunk(inputs: ProjectionInputs, sl: slice, n_paths: int, seed: int,
                   effects: SupplyEffects) -> dict[str, np.ndarray]:
    idx = np.arange(inputs.n_series)[sl]
    m = idx.size
    h = inputs.horizon
    rows = m * n_paths
    series_of_row = np.repeat(np.arange(m), n_paths)
    draws = [_draw(inputs, int(i), n_paths, seed) for i in idx]
    demand = np.concatenate([d.demand for d in draws])  # (rows, H)
    lead_u = np.concatenate([d.lead_index for d in draws])
    open_u = np.concatenate([d.open_index for d in draws])

    lead_s = inputs.lead_samples[idx]
    fill_s = inputs.fill_samples[idx]
    counts = np.maximum(1, (~np.isnan(lead_s)).sum(axis=1))
    lead_s = np.nan_to_num(lead_s, nan=1.0)
    fill_s = np.nan_to_num(fill_s, nan=1.0)
    counts_r = counts[series_of_row]
    lead_new = np.maximum(1, np.rint(_pick(lead_s[series_of_row], counts_r, lead_u))).astype(
        np.int64
    )
    fill_new = _pick(fill_s[series_of_row], counts_r, lead_u)
    open_qty = np.repeat(inputs.outstanding_qty[idx], n_paths, axis=0)
    open_age = np.repeat(inputs.outstanding_age[idx], n_paths, axis=0)
    open_remaining, open_fill = _open_orders(lead_s[series_of_row], fill_s[series_of_row],
                                             counts_r, open_u, open_age)

    shift = effects.shift[idx][series_of_row]
    quota = effects.quota[idx][series_of_row]
    allocation = (None if effects.allocation is None
                  else effects.allocation[idx][series_of_row])
    allowance = np.zeros(rows)
    eff_days = shift.shape[1]
    r_all = np.arange(rows)

    def route(day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Final arrival day and delivered fraction under the scenario effects."""
        inside = day < eff_days
        moved = np.where(inside, day + shift[r_all, np.minimum(day, eff_days - 1)], day)
        inside2 = moved < eff_days
        frac = np.where(inside2, quota[r_all, np.minimum(moved, eff_days - 1)], 1.0)
        return moved, frac

    width = h + 2
    deliver = np.zeros((rows, width))  # quantity arriving on day d (1…H), index H+1 = later
    due_qty = np.zeros((rows, width))  # ordered quantity closing on day d
    on_order = np.zeros(rows)
    last_arrival = np.zeros(rows, dtype=np.int64)
    # Open orders: remaining days drawn given the age (see _open_orders), delivered in order.
    if open_qty.shape[1]:
        order = np.argsort(-open_age, axis=1, kind="stable")  # oldest first
        open_qty = np.take_along_axis(open_qty, order, 1)
        open_age = np.take_along_axis(open_age, order, 1)
        open_remaining = np.take_along_axis(open_remaining, order, 1)
        open_fill = np.take_along_axis(open_fill, order, 1)
        for j in range(open_qty.shape[1]):
            q = open_qty[:, j]
            has = q > 0
            arrive = np.maximum(1, np.rint(open_remaining[:, j])).astype(np.int64)
            arrive = np.maximum(arrive, last_arrival + 1)
            moved, frac = route(arrive)
            last_arrival = np.where(has, arrive, last_arrival)
            slot = np.minimum(moved, h + 1)
            np.add.at(deliver, (r_all[has], slot[has]),
                      np.floor(q[has] * open_fill[has, j] * frac[has] + 0.5))
            np.add.at(due_qty, (r_all[has], slot[has]), q[has])
            on_order += np.where(has, q, 0.0)

    s = inputs.reorder_point[idx][series_of_row]
    big_s = inputs.order_up_to[idx][series_of_row]
    on_hand = inputs.on_hand[idx][series_of_row].astype(float)
    stock = np.empty((rows, h + 1))
    stock[:, 0] = on_hand
    received = np.empty((rows, h))
    dispensed = np.empty((rows, h))
    ordered = np.zeros((rows, h))
    for d in range(1, h + 1):
        rec = deliver[:, d]
        if allocation is not None and d < allocation.shape[1]:
            capped = np.isfinite(allocation[:, d])
            allowance = np.where(capped, allowance + np.where(capped, allocation[:, d], 0), 0)
            rec = np.where(capped, np.minimum(rec, np.floor(allowance)), rec)
            allowance -= np.where(capped, rec, 0.0)
        on_order -= due_qty[:, d]
        avail = on_hand + rec
        disp = np.minimum(demand[:, d - 1], avail)
        on_hand = avail - disp
        received[:, d - 1] = rec
        dispensed[:, d - 1] = disp
        stock[:, d] = on_hand
        position = on_hand + on_order
        trig = position <= s
        if trig.any():
            q = np.where(trig, big_s - position, 0.0)
            arrive = np.maximum(d + lead_new[:, d - 1], last_arrival + 1)
            moved, frac = route(arrive)
            last_arrival = np.where(trig, arrive, last_arrival)
            slot = np.minimum(moved, h + 1)
            rt = r_all[trig]
            np.add.at(deliver, (rt, slot[trig]),
                      np.floor(q[trig] * fill_new[trig, d - 1] * frac[trig] + 0.5))
            np.add.at(due_qty, (rt, slot[trig]), q[trig])
            on_order += q
            ordered[:, d - 1] = q
    starts = rupture_starts(stock[:, 1:], RUPTURE_MIN_DAYS)
    # A run already open on the as-of date (stock 0 on day 0) is a rupture in progress.
    ongoing = (stock[:, 0] <= 0) & (stock[:, 1 : RUPTURE_MIN_DAYS + 1] <= 0).all(axis=1)
    starts[:, 0] |= ongoing
    has = starts.any(axis=1)
    first = np.where(has, starts.argmax(axis=1) + 1, NO_RUPTURE)
    out = {
        "first_rupture": first.reshape(m, n_paths),
        "stock": stock.reshape(m, n_paths, h + 1),
        "received": received.reshape(m, n_paths, h),
        "dispensed": dispensed.reshape(m, n_paths, h),
        "demand": demand.reshape(m, n_paths, h),
        "ordered": ordered.reshape(m, n_paths, h),
    }
    return out
