"""``demand: {source: forecast}`` wires the forecasting module's demand multiplier in."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tests.conftest import line_of
from tests.scenario.conftest import CORSE_BASE
from twin.errors import DataError
from twin.network.cache import network_for
from twin.scenario import blocks, compile_demand, load_scenario, replicate
from twin.scenario.run import cached_forecast

FORECAST = CORSE_BASE.replace("days: 14\n  warmup_days: 2", "days: 3\n  warmup_days: 0") + (
    "demand:\n  source: forecast\n  origin: 2024-01-01\n  quantile: 0.9\n"
    "  method: seasonal_naive\n"
    "interventions:\n  - type: demand_shock\n    kind: epidemic\n    ages: [\"75+\"]\n"
    "    shape: {curve: plateau, peak_multiplier: 1.1}\n"
)


@pytest.mark.slow
def test_forecast_multiplier_times_shocks_is_what_the_replication_uses(write):
    from forecasting.twin_demand import forecast_demand_multiplier

    (run,) = load_scenario(write(FORECAST))
    (block,) = blocks(run)
    sc = run.realise(0)
    net = network_for(2023, block, date(2024, 1, 8), 3)
    direct = forecast_demand_multiplier(
        net, date(2024, 1, 1), 0.9, method="seasonal_naive", seed=7
    )
    cached = cached_forecast(2023, block, date(2024, 1, 8), 3, date(2024, 1, 1), 0.9,
                             "seasonal_naive", 7)  # fmt: skip
    mult = compile_demand(sc, net, cached)
    for dep in block:
        np.testing.assert_allclose(mult[dep][:, :4], direct[dep][:, :4])
        np.testing.assert_allclose(mult[dep][:, 4], direct[dep][:, 4] * 1.1)
        assert not np.allclose(direct[dep], 1.0)  # the forecast does change demand
    ds = replicate(run, 0, block)
    assert float(ds["ed_passages"].sum()) > 0


def test_a_forecast_origin_after_the_start_is_refused(write):
    p = write(FORECAST.replace("origin: 2024-01-01", "origin: 2024-01-09"))
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert prob.column == "demand.origin" and prob.line == line_of(p, "origin:")
    assert "on or before the period start 2024-01-08" in prob.expected


def test_a_forecast_quantile_the_module_does_not_produce_is_refused(write):
    p = write(FORECAST.replace("quantile: 0.9", "quantile: 0.8"))
    with pytest.raises(DataError) as exc:
        load_scenario(p)
    (prob,) = exc.value.problems
    assert prob.column == "demand.quantile" and "0.975" in prob.expected
