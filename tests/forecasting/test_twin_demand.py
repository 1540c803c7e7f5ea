"""Forecasts feed the twin: demand multipliers for ``run_replication`` from a forecast."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from forecasting.demand import expected_daily_passages
from forecasting.twin_demand import demand_multiplier, forecast_demand_multiplier
from twin.network import DEFAULT_PARAMETERS, build_network, load_inputs
from twin.sources.sursaud import load_ed_daily

WALK_IN = 1.0 - DEFAULT_PARAMETERS.samu_ambulance_share_of_ed


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(2023, ["59"])


def test_multiplied_back_the_multiplier_gives_the_forecast(inputs):
    net = build_network(inputs, ["59"], date(2024, 11, 18), 14)
    origin = date(2024, 10, 1)
    mult = forecast_demand_multiplier(net, origin, 0.9, seed=5, method="seasonal_naive")
    assert list(mult) == ["59"] and mult["59"].shape == (14, 5)
    fc = expected_daily_passages(["59"], "2024-10-01", 48 + 14, 0.9, method="seasonal_naive",
                                 seed=5)
    fc = fc[fc["date"] >= pd.Timestamp(net.start)]
    wide = fc.pivot(index="date", columns="age_class", values="passages").to_numpy()
    back = (mult["59"] * net.territories[0].ed_demand_per_day / WALK_IN
            / net.territories[0].passages_scale)
    np.testing.assert_allclose(back, wide, rtol=1e-12)
    assert back.sum() == pytest.approx(fc["passages"].sum(), rel=1e-12)
    # A forecast equal to the network's own history gives exactly 1.
    history = {"59": net.territories[0].ed_demand_per_day / WALK_IN
               / net.territories[0].passages_scale}
    same, lost = demand_multiplier(net, history)
    np.testing.assert_allclose(same["59"], 1.0, rtol=1e-12)
    assert lost == {"59": 0.0}


def test_zero_baseline_cells_are_reported_not_divided(inputs):
    net = build_network(inputs, ["59"], date(2024, 11, 18), 3)
    spec = net.territories[0]
    zeroed = spec.ed_demand_per_day.copy()
    zeroed[1, 3] = 0.0
    net0 = dataclasses.replace(net, territories=(dataclasses.replace(
        spec, ed_demand_per_day=zeroed),))
    fc = {"59": np.full((3, 5), 100.0)}
    mult, lost = demand_multiplier(net0, fc)
    assert mult["59"][1, 3] == 1.0 and lost["59"] == pytest.approx(100 / 1500)
    with pytest.raises(ValueError, match="shape"):
        demand_multiplier(net, {"59": np.ones((4, 5))})


def test_prophet_from_an_autumn_origin_anticipates_the_winter_wave(inputs):
    """Origin 1 October 2023, simulated weeks around the December bronchiolitis peak, the
    network's baseline replaced by the flat level of September: the (default) Prophet
    forecast must rise above it for children, and for all ages on average."""
    net = build_network(inputs, ["59"], date(2023, 11, 20), 28)
    daily = load_ed_daily()
    sept = daily[(daily["dep"] == "59") & (daily["date"] >= "2023-09-01")
                 & (daily["date"] < "2023-10-01")]
    level = sept.groupby("age_class")["passages"].mean().reindex(list("ABCDE")).to_numpy()
    flat = dataclasses.replace(net, territories=(dataclasses.replace(
        net.territories[0], ed_demand_per_day=np.tile(level * WALK_IN, (28, 1))),))
    mult = forecast_demand_multiplier(flat, date(2023, 10, 1), seed=11)["59"]
    assert (mult[:, 0] > 1.0).all()  # under-15s: bronchiolitis
    total = (mult * level).sum() / (28 * level.sum())
    assert total > 1.03
    again = forecast_demand_multiplier(flat, date(2023, 10, 1), seed=11)["59"]
    np.testing.assert_array_equal(again, mult)


def test_origin_after_the_simulation_start_is_refused(inputs):
    net = build_network(inputs, ["59"], date(2024, 11, 18), 3)
    with pytest.raises(ValueError, match="after the simulation start"):
        forecast_demand_multiplier(net, date(2024, 11, 19), method="naive")


def test_run_replication_follows_the_forecast_multiplier(inputs):
    """Common random numbers: the same replication with the multiplier sees more ED
    passages when the forecast is above the baseline, by about the multiplier's weight."""
    from twin.sim.replication import run_replication

    net = build_network(inputs, ["59"], date(2024, 11, 25), 3)
    mult = forecast_demand_multiplier(net, date(2024, 10, 1), 0.975, method="naive")
    base = run_replication(net, 3)
    scaled = run_replication(net, 3, demand_multiplier=mult)
    walk_in = net.territories[0].ed_demand_per_day
    expected_extra = float(((mult["59"] - 1.0) * walk_in).sum())
    assert expected_extra > 0.05 * walk_in.sum()  # the 97.5 % quantile is well above
    extra = float(scaled["ed_passages"].sum() - base["ed_passages"].sum())
    assert extra == pytest.approx(expected_extra, rel=0.1)
