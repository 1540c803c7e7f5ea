"""What a PUI stock ledger says, as arrays: stocks, demand, orders, lead times, stock-outs.

:func:`twin.sources.ledger.read_ledger` validates the export; this module turns it into a
:class:`Panel` (series × days arrays, one series per site and product) and derives what the
shortage forecasts need, all as pure functions:

* **demand observations**: dispensing, except on days the stock ran out (``stock_fin`` 0),
  when dispensing only says demand was *at least* that much — those days are censored
  (NaN) so that a stock-out is not mistaken for a fall in demand;
* **the order history**, rebuilt from ``commande`` / ``en_commande`` / ``recu`` under the
  ledger convention (first in, first out; a drop of ``en_commande`` closes orders; the day's
  ``recu`` is what they delivered): one row per order with its lead time and fill rate;
* **stock-outs** in the pharmacy sense of the ANSM definition — *cannot dispense within
  72 h*: a run of at least :data:`RUPTURE_MIN_DAYS` consecutive days ending with zero stock.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

RUPTURE_MIN_DAYS = 3  # 72 h: a pharmacy "rupture" is being unable to dispense within 72 hours
SERIES_COLUMNS = ("finess", "product", "produit", "type_code", "unit", "units_per_box", "mitm",
                  "cis", "dep", "reg")
QUANTITIES = ("stock_debut", "recu", "dispense", "stock_fin", "commande", "en_commande")


@dataclass(frozen=True)
class Panel:
    """A ledger as dense arrays: ``series`` (one row per site × product, columns
    :data:`SERIES_COLUMNS`) × ``dates`` (every day from the first to the last in the file).
    Quantity arrays are float, NaN where a series has no line that day."""

    dates: pd.DatetimeIndex
    series: pd.DataFrame
    quantities: dict[str, np.ndarray]

    @property
    def n_series(self) -> int:
        return len(self.series)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.quantities[name]

    def day_index(self, day: pd.Timestamp | str) -> int:
        """Index of ``day`` in :attr:`dates` (KeyError when outside)."""
        return int(self.dates.get_loc(pd.Timestamp(day)))


def build_panel(ledger: pd.DataFrame) -> Panel:
    """Arrange a validated ledger (see :func:`twin.sources.ledger.read_ledger`) as a panel.
    Series are ordered by FINESS then product key, so results are stable across runs."""
    series = (
        ledger[list(SERIES_COLUMNS)]
        .drop_duplicates(["finess", "product"])
        .sort_values(["finess", "product"], kind="stable")
        .reset_index(drop=True)
    )
    dates = pd.date_range(ledger["date"].min(), ledger["date"].max(), freq="D")
    row = pd.MultiIndex.from_frame(series[["finess", "product"]]).get_indexer(
        pd.MultiIndex.from_frame(ledger[["finess", "product"]])
    )
    col = ((ledger["date"] - dates[0]).dt.days).to_numpy()
    quantities = {}
    for name in QUANTITIES:
        arr = np.full((len(series), len(dates)), np.nan)
        arr[row, col] = ledger[name].to_numpy(dtype=float)
        quantities[name] = arr
    return Panel(dates, series, quantities)


def demand_observations(panel: Panel) -> np.ndarray:
    """Daily dispensing with stock-out days censored (NaN): a day that ends with zero stock
    says only that demand was at least what was dispensed."""
    obs = panel["dispense"].copy()
    obs[panel["stock_fin"] <= 0] = np.nan
    return obs


def rupture_starts(stock_end: np.ndarray, min_days: int = RUPTURE_MIN_DAYS) -> np.ndarray:
    """Boolean array (same shape, last axis = days): True on the first day of every run of
    at least ``min_days`` consecutive days with end-of-day stock ≤ 0. NaN counts as not
    zero; a run still open at the end of the array counts only once it has ``min_days``."""
    zero = np.nan_to_num(np.asarray(stock_end, dtype=float), nan=1.0) <= 0
    long_enough = zero.copy()
    for k in range(1, min_days):
        shifted = np.zeros_like(zero)
        shifted[..., :-k] = zero[..., k:]
        long_enough &= shifted
    run_start = zero.copy()
    run_start[..., 1:] &= ~zero[..., :-1]
    # A run is a rupture if its first min_days days are all zero.
    return run_start & long_enough


def rupture_events(panel: Panel, min_days: int = RUPTURE_MIN_DAYS) -> pd.DataFrame:
    """Every stock-out of the ledger: ``series`` (row of panel.series), ``finess``,
    ``product``, ``start`` (first day at zero), ``start_day`` (index), ``days`` (run length)."""
    stock = panel["stock_fin"]
    starts = rupture_starts(stock, min_days)
    zero = np.nan_to_num(stock, nan=1.0) <= 0
    rows = []
    for i, d in zip(*np.nonzero(starts), strict=True):
        end = d
        while end + 1 < zero.shape[1] and zero[i, end + 1]:
            end += 1
        rows.append((int(i), int(d), end - d + 1))
    ev = pd.DataFrame(rows, columns=["series", "start_day", "days"])
    ev["finess"] = panel.series["finess"].to_numpy()[ev["series"]] if len(ev) else []
    ev["product"] = panel.series["product"].to_numpy()[ev["series"]] if len(ev) else []
    ev["start"] = panel.dates[ev["start_day"].to_numpy()]
    return ev[["series", "finess", "product", "start", "start_day", "days"]]


def match_orders(panel: Panel) -> pd.DataFrame:
    """The order history: one row per order placed in the ledger.

    Columns ``series``, ``order_day`` (index), ``qty``, ``close_day`` (index, −1 while
    open at the end of the ledger), ``delivered``, ``lead`` (close − order, days; NaN
    while open) and ``fill`` (delivered / qty). Closures are the drops of ``en_commande``
    (previous + commande − today), taken first in, first out; the day's ``recu`` goes to
    the orders it closes, in order. Quantity already on order on the first day (ordered
    before the ledger starts) is consumed first and not reported.
    """
    cmd = np.nan_to_num(panel["commande"])
    enc = panel["en_commande"]
    recu = np.nan_to_num(panel["recu"])
    rows: list[tuple[int, int, float, int, float]] = []
    for i in range(panel.n_series):
        present = np.flatnonzero(~np.isnan(enc[i]))
        if present.size == 0:
            continue
        e = enc[i, present]
        prev = np.concatenate([[e[0] - cmd[i, present[0]]], e[:-1]])
        closed = prev + cmd[i, present] - e
        queue: list[list[float]] = []  # [order_day, qty, delivered]
        opening = max(0.0, float(prev[0]))
        if opening > 0:
            queue.append([-1.0, opening, 0.0])
        events = np.flatnonzero((cmd[i, present] > 0) | (closed > 1e-9) | (recu[i, present] > 0))
        for j in events:
            day = int(present[j])
            to_close = float(closed[j])
            delivered_today = float(recu[i, day])
            closing = []
            while queue and to_close >= queue[0][1] - 1e-9:
                order = queue.pop(0)
                to_close -= order[1]
                closing.append(order)
            for k, (order_day, qty, got) in enumerate(closing):
                last = k == len(closing) - 1
                give = delivered_today if last else min(delivered_today, qty - got)
                delivered_today -= give
                if order_day >= 0:
                    rows.append((i, int(order_day), qty, day, got + give))
            if delivered_today > 0 and queue:  # a partial delivery that closes nothing yet
                queue[0][2] += delivered_today
            if cmd[i, day] > 0:
                queue.append([float(day), float(cmd[i, day]), 0.0])
        for order_day, qty, got in queue:
            if order_day >= 0:
                rows.append((i, int(order_day), qty, -1, got))
    df = pd.DataFrame(rows, columns=["series", "order_day", "qty", "close_day", "delivered"])
    df = df.astype({"series": np.int64, "order_day": np.int64, "qty": float,
                    "close_day": np.int64, "delivered": float})
    df = df.sort_values(["series", "order_day"], kind="stable", ignore_index=True)
    df["lead"] = np.where(df["close_day"] >= 0, df["close_day"] - df["order_day"], np.nan)
    df["fill"] = df["delivered"] / df["qty"]
    return df
