"""Monte-Carlo stock projection: conservation on every path, policy, CRN, disruptions."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.stock_projection import NO_RUPTURE, ProjectionInputs, SupplyEffects, project

H = 30


def inputs(n_select: list[int] | None = None, **over) -> ProjectionInputs:
    """Three contrasted series: a fast mover with an open order, a slow one with a long lead
    time, an intermittent one with quota'd deliveries."""
    nan = np.nan
    base = dict(
        on_hand=np.array([120.0, 6.0, 3.0]),
        mean_demand=np.stack([np.full(H, 10.0), np.full(H, 2.0), np.full(H, 0.3)]),
        nb_shape=np.array([3.0, np.inf, 0.8]),
        level_sigma=np.array([0.2, 0.0, 0.5]),
        reorder_point=np.array([80.0, 8.0, 1.0]),
        order_up_to=np.array([200.0, 20.0, 4.0]),
        lead_samples=np.array([[2, 3, 4], [9, nan, nan], [3, 6, nan]], dtype=float),
        fill_samples=np.array([[1, 1, 0.5], [1, nan, nan], [0.4, 1, nan]], dtype=float),
        outstanding_qty=np.array([[50.0, 0.0], [0.0, 0.0], [2.0, 0.0]]),
        outstanding_age=np.array([[1.0, 0.0], [0.0, 0.0], [5.0, 0.0]]),
        stream_names=[("t", "a"), ("t", "b"), ("t", "c")],
    )
    base.update(over)
    if n_select is not None:
        base = {k: (v[n_select] if isinstance(v, np.ndarray) else [v[i] for i in n_select])
                for k, v in base.items()}
    return ProjectionInputs(**base)


def test_units_are_conserved_on_every_path_and_day():
    res = project(inputs(), n_paths=300, seed=1, keep_flows=True)
    stock, rec, disp, dem = (res.stock, res.flows["received"], res.flows["dispensed"],
                             res.flows["demand"])
    np.testing.assert_array_equal(stock[:, :, 1:], stock[:, :, :-1] + rec - disp)
    np.testing.assert_array_equal(disp, np.minimum(dem, stock[:, :, :-1] + rec))
    assert (stock >= 0).all() and (rec >= 0).all()
    assert rec.sum() > 0 and (disp < dem).any()  # deliveries and stock-outs both happen


def test_orders_follow_the_s_big_s_policy():
    inp = inputs()
    res = project(inp, n_paths=100, seed=2, keep_flows=True)
    ordered = res.flows["ordered"]
    placed = ordered > 0
    assert placed.any()
    # The fast mover starts at 120 + 50 on order, above s = 80: no order on day 1.
    assert not placed[0, :, 0].any()
    # Every order brings the inventory position up to S exactly: S − position > 0.
    big_s = inp.order_up_to[:, None, None]
    assert (ordered[placed] <= np.broadcast_to(big_s, ordered.shape)[placed]).all()


def test_mean_simulated_demand_matches_the_forecast():
    res = project(inputs(), n_paths=4000, seed=3, keep_flows=True)
    mean = res.flows["demand"].mean(axis=(1, 2))
    np.testing.assert_allclose(mean, [10.0, 2.0, 0.3], rtol=0.05)


def test_seeded_and_reproducible_and_seed_sensitive():
    a = project(inputs(), n_paths=50, seed=4)
    b = project(inputs(), n_paths=50, seed=4)
    c = project(inputs(), n_paths=50, seed=5)
    np.testing.assert_array_equal(a.stock, b.stock)
    assert not np.array_equal(a.stock, c.stock)


def test_a_series_draws_do_not_depend_on_the_other_series():
    alone = project(inputs([2]), n_paths=80, seed=6)
    together = project(inputs(), n_paths=80, seed=6, chunk=2)
    np.testing.assert_array_equal(alone.stock[0], together.stock[2])


def test_baseline_and_disruption_share_random_numbers():
    inp = inputs()
    base = project(inp, n_paths=200, seed=7, keep_flows=True)
    shift = np.zeros((3, H + 1), dtype=np.int64)
    quota = np.ones((3, H + 1))
    days = np.arange(H + 1)
    shift[:, 1:21] = (21 - days[1:21])[None, :]  # rupture days 1-20: postponed to day 21
    scen = project(inp, n_paths=200, seed=7, effects=SupplyEffects(shift, quota),
                   keep_flows=True)
    np.testing.assert_array_equal(scen.flows["demand"], base.flows["demand"])
    assert (scen.flows["received"][:, :, :20] == 0).all()
    # Less supply during the rupture, path by path (afterwards the postponed deliveries
    # all land on day 21 and may overshoot the baseline).
    assert (scen.stock[:, :, :21] <= base.stock[:, :, :21]).all()
    for d in (7, 14, 28):
        assert (scen.p_rupture_within(d) >= base.p_rupture_within(d)).all()
    assert scen.p_rupture_within(14)[0] > base.p_rupture_within(14)[0] + 0.3
    # No effect at all: identical to the baseline.
    same = project(inp, n_paths=200, seed=7, effects=SupplyEffects.none(3, H + 1))
    np.testing.assert_array_equal(same.stock, base.stock)


def one_open_order(**over) -> ProjectionInputs:
    """A single series with one open order (40 units, lead 5, placed today), no reorders."""
    fields = dict(
        mean_demand=np.stack([np.zeros(H)] * 3),
        reorder_point=np.array([-1.0] * 3),
        lead_samples=np.array([[5.0], [5.0], [5.0]]),
        fill_samples=np.array([[1.0], [1.0], [1.0]]),
        outstanding_qty=np.array([[40.0], [40.0], [40.0]]),
        outstanding_age=np.array([[0.0], [0.0], [0.0]]),
    )
    return inputs([0], **{**fields, **over})


def test_delay_and_quota_move_and_cut_the_delivery():
    inp = one_open_order()
    base = project(inp, n_paths=5, seed=0, keep_flows=True)
    assert (base.flows["received"][0, :, 4] == 40).all()  # day 5
    shift = np.zeros((1, H + 1), dtype=np.int64)
    shift[0, 5] = 3  # a delay of 3 days for deliveries due on day 5
    quota = np.ones((1, H + 1))
    quota[0, 8] = 0.5  # half of what arrives on day 8
    scen = project(inp, n_paths=5, seed=0, effects=SupplyEffects(shift, quota),
                   keep_flows=True)
    rec = scen.flows["received"][0]
    assert (rec[:, 7] == 20).all() and rec.sum() == 5 * 20


def test_an_overdue_order_arrives_after_its_age_not_tomorrow():
    # Lead times seen: 3 and 12 days. An order open for 5 days can only be a 12-day one:
    # it arrives in 7 days on every path, never on day 1.
    inp = one_open_order(lead_samples=np.array([[3.0, 12.0]] * 3),
                         fill_samples=np.array([[1.0, 1.0]] * 3),
                         outstanding_age=np.array([[5.0], [5.0], [5.0]]))
    res = project(inp, n_paths=50, seed=0, keep_flows=True)
    rec = res.flows["received"][0]
    assert (rec[:, 6] == 40).all() and rec.sum() == 50 * 40  # day 7
    # Older than every lead time seen (20 days): as long again as a fresh order (12 or 3).
    old = one_open_order(lead_samples=np.array([[3.0, 12.0]] * 3),
                         fill_samples=np.array([[1.0, 1.0]] * 3),
                         outstanding_age=np.array([[20.0], [20.0], [20.0]]))
    rec = project(old, n_paths=200, seed=0, keep_flows=True).flows["received"][0]
    day = rec.argmax(axis=1) + 1
    assert set(np.unique(day)) == {3, 12}


def test_rupture_probabilities_on_trivial_cases():
    nothing = inputs([1], on_hand=np.array([0.0] * 3), outstanding_qty=np.zeros((3, 2)),
                     reorder_point=np.array([-1.0] * 3))
    res = project(nothing, n_paths=20, seed=0)
    assert (res.first_rupture == 1).all() and res.p_rupture_within(7)[0] == 1.0
    idle = inputs([0], mean_demand=np.zeros((3, H)))
    res = project(idle, n_paths=20, seed=0)
    assert (res.first_rupture == NO_RUPTURE).all()


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9])
def test_stock_quantiles_are_ordered(q):
    res = project(inputs(), n_paths=200, seed=8)
    qs = res.stock_quantiles([0.1, q, 0.95])
    assert qs.shape == (3, 3, H + 1)
    assert (np.diff(qs, axis=1) >= 0).all()
