"""One series per Dask task; the answer does not depend on the number of workers."""

from __future__ import annotations

import numpy as np
import pytest

from forecasting.parallel import Plan, local_client, run_all
from forecasting.series import SeriesSpec


def _specs(nord: SeriesSpec) -> list[SeriesSpec]:
    out = [nord]
    for k, name in ((0.5, "ed/dep:half"), (1.3, "ed/dep:more")):
        out.append(SeriesSpec(name, "D", nord.dates, np.round(nord.values * k),
                              territory=name[-4:], level="dep", deps=("59",)))
    return out


PLAN = Plan(method="prophet", horizon=14, origin="2024-06-03",
            backtest=(("prophet", ("2024-03-04",)), ("naive", ("2024-03-04", "2024-04-01"))),
            backtest_horizon=7, seed=99)


def _same(a, b) -> None:
    assert [o.name for o in a] == [o.name for o in b]
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x.forecast.quantiles, y.forecast.quantiles)
        np.testing.assert_array_equal(x.backtest.quantiles, y.backtest.quantiles)


def test_in_process_run_is_reproducible_and_order_free(nord):
    specs = _specs(nord)
    ref = run_all(specs, PLAN)
    again = run_all(specs[::-1], PLAN)[::-1]
    _same(ref, again)
    # The stream follows the series name: the same data under another name gets other
    # interval draws (so two series never share draws), the same median fit.
    twin = SeriesSpec("ed/dep:twin", "D", nord.dates, nord.values, deps=("59",))
    other = run_all([twin], Plan(method="prophet", horizon=14, origin="2024-06-03",
                                 seed=99))[0].forecast
    assert not np.array_equal(other.quantiles, ref[0].forecast.quantiles)
    np.testing.assert_allclose(other.point, ref[0].forecast.point, rtol=0.02)


def test_duplicate_names_are_refused(nord):
    with pytest.raises(ValueError, match="unique"):
        run_all([nord, nord], PLAN)


@pytest.mark.slow
def test_identical_results_with_one_or_two_dask_workers(nord):
    specs = _specs(nord)
    ref = run_all(specs, PLAN)
    for workers in (1, 2):
        with local_client(workers) as client:
            assert len(client.scheduler_info()["workers"]) == workers
            got = run_all(specs, PLAN, client)
        _same(ref, got)
