"""Ledger analytics on hand-built panels: order history, 72-h stock-outs, censored demand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecasting.ledger import Panel, demand_observations, match_orders, rupture_starts


def panel_of(**cols: list[float]) -> Panel:
    n = len(next(iter(cols.values())))
    days = pd.date_range("2023-01-01", periods=n, freq="D")
    series = pd.DataFrame({"finess": ["750100125"], "product": ["x"]})
    return Panel(days, series, {k: np.asarray(v, dtype=float)[None, :] for k, v in cols.items()})


def test_orders_partial_and_refused_deliveries_and_opening_quantity():
    # Day 0: 5 already on order (placed before the ledger) — closed day 1 with 5 received.
    # Day 1: order 10 → closed day 4 with 6 received (quota, rest cancelled).
    # Day 5: order 8 → closed day 9 with nothing (refused).
    # Day 10: order 7, still open at the end.
    cmd = [0, 10, 0, 0, 0, 8, 0, 0, 0, 0, 7, 0]
    recu = [0, 5, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0]
    enc = [5, 10, 10, 10, 0, 8, 8, 8, 8, 0, 7, 7]
    zeros = [0.0] * 12
    orders = match_orders(panel_of(commande=cmd, recu=recu, en_commande=enc, stock_fin=zeros,
                                   stock_debut=zeros, dispense=zeros))
    assert orders[["order_day", "qty", "close_day", "delivered"]].values.tolist() == [
        [1, 10, 4, 6], [5, 8, 9, 0], [10, 7, -1, 0],
    ]
    np.testing.assert_allclose(orders["lead"], [3, 4, np.nan])
    np.testing.assert_allclose(orders["fill"], [0.6, 0.0, 0.0])


def test_two_orders_closed_the_same_day_share_the_receipt_in_order():
    cmd = [4, 6, 0, 0]
    recu = [0, 0, 0, 9]
    enc = [4, 10, 10, 0]
    orders = match_orders(panel_of(commande=cmd, recu=recu, en_commande=enc,
                                   stock_fin=[0.0] * 4))
    assert orders[["order_day", "delivered"]].values.tolist() == [[0, 4], [1, 5]]


def test_rupture_needs_three_days_without_stock():
    stock = np.array([[5, 0, 0, 3, 0, 0, 0, 0, 2, 0, 0, 0]], dtype=float)
    starts = rupture_starts(stock)
    assert np.flatnonzero(starts[0]).tolist() == [4, 9]  # 1-2 is only 48 h
    assert np.flatnonzero(rupture_starts(stock, min_days=2)[0]).tolist() == [1, 4, 9]
    # A run cut by the end of the data is not (yet) a 72-h rupture; NaN is not zero.
    assert not rupture_starts(np.array([[3, 1, 0, 0]], dtype=float)).any()
    assert not rupture_starts(np.array([[0, np.nan, 0, 0]], dtype=float))[0, :2].any()


def test_stock_out_days_are_censored_demand():
    p = panel_of(dispense=[4, 2, 0, 3], stock_fin=[6, 0, 0, 5])
    obs = demand_observations(p)[0]
    assert obs[0] == 4 and obs[3] == 3
    assert np.isnan(obs[1]) and np.isnan(obs[2])
