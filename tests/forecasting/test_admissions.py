"""Admissions after an ED passage: SAE shares, the widened intervals, coherence, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.admissions import (
    DEFAULT_SIGMA,
    admissions_dataset,
    admitted_shares,
    share_sigma,
    share_year,
    widen,
)
from forecasting.demand import admissions_from_forecast, forecast_ed
from forecasting.series import QUANTILES


def _units(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["dep", "passages", "admissions"])


def test_shares_leave_unreported_units_out_of_both_sums():
    units = _units([("59", 1000, 200), ("59", 500, np.nan), ("62", 800, np.nan),
                    ("80", 400, 100)])
    got = admitted_shares({2023: units}).set_index("dep")
    # 200 / 1000, not 200 / 1500: an unreported unit is unknown, never "nobody admitted".
    assert got.loc["59", "share"] == pytest.approx(0.2)
    assert got.loc["59", "share_source"] == "dep"
    national = (200 + 100) / (1000 + 400)
    assert got.loc["62", "share"] == pytest.approx(national)
    assert got.loc["62", "share_source"] == "national"
    assert np.isnan(got.loc["62", "admissions"])


def test_share_year_is_strictly_before_the_origin_year():
    shares = admitted_shares({y: _units([("59", 1000, 200)]) for y in (2021, 2022, 2023)})
    assert share_year(shares, "2024-01-01") == 2023
    assert share_year(shares, "2023-12-31") == 2022
    with pytest.raises(ValueError, match="no SAE year before"):
        share_year(shares, "2021-06-01")


def test_share_sigma_is_the_robust_spread_of_log_changes_outside_covid_years():
    rng = np.random.default_rng(3)
    deps = [f"{i:02d}" for i in range(1, 41)]
    years = (2019, 2020, 2021, 2022, 2023, 2024)
    base = {d: 0.2 for d in deps}
    units = {}
    for y in years:
        rows = []
        for d in deps:
            if y > 2019:
                step = rng.normal(0, 0.04) if y >= 2023 else rng.normal(0, 0.5)
                base[d] *= np.exp(step)
            rows.append((d, 10_000.0, 10_000.0 * base[d]))
        units[y] = _units(rows)
    shares = admitted_shares(units)
    sigma = share_sigma(shares, 2024)
    # Only 2022->2023 and 2023->2024 are ordinary: the wild COVID-era steps are excluded.
    assert 0.025 < sigma < 0.06
    # Up to 2022, every pair touches 2020 or 2021: too few changes, the stated fallback.
    assert share_sigma(shares, 2022) == DEFAULT_SIGMA


def test_widen_keeps_the_median_and_only_widens():
    point = np.array([100.0, 0.0, 50.0])
    q = np.array([[80, 90, 100, 110, 125], [0, 0, 0, 1, 2], [0, 40, 50, 60, 70]], float)
    same = widen(point, q, 0.0, QUANTILES)
    np.testing.assert_allclose(same, q)
    wide = widen(point, q, 0.1, QUANTILES)
    assert (np.diff(wide, axis=-1) >= 0).all()
    assert wide[0, 2] == pytest.approx(100.0)
    assert wide[0, 0] < q[0, 0] and wide[0, 4] > q[0, 4]
    np.testing.assert_allclose(wide[1], q[1])  # zero point: nothing to widen around
    assert wide[2, 0] == 0.0  # a zero lower bound stays zero
    assert (wide >= 0).all()


@pytest.fixture(scope="module")
def corsica_passages():
    return forecast_ed(["2A", "2B"], method="naive", origin="2024-06-03", horizon=14)


def test_admissions_are_passages_times_the_share_and_add_up(corsica_passages):
    adm = admissions_from_forecast(corsica_passages)
    assert adm.attrs["series_kind"] == "admissions"
    assert adm.attrs["share_year"] == 2023  # the year before the origin's: no leakage
    assert list(adm["series"].values) == ["adm/dep:2A", "adm/dep:2B", "adm/reg:94"]
    for i in range(2):
        share = float(adm["admitted_share"][i])
        assert 0.05 < share < 0.5
        np.testing.assert_allclose(adm["point"][i], share * corsica_passages["point"][i])
        np.testing.assert_allclose(adm["total_point"][i],
                                   share * corsica_passages["total_point"][i])
    # Bottom-up: the région is exactly the sum of its départements, day by day.
    np.testing.assert_allclose(adm["point"][2], adm["point"][:2].sum(axis=0))
    q = adm["forecast"].to_numpy()
    assert (q >= 0).all() and (np.diff(q, axis=-1) >= 0).all()
    # Intervals are at least as wide as the passage interval scaled by the share.
    share = adm["admitted_share"].to_numpy()[:, None]
    scaled = corsica_passages["forecast"].to_numpy() * share[..., None]
    assert (q[..., 0] <= scaled[..., 0] + 1e-9).all()
    assert (q[..., -1] >= scaled[..., -1] - 1e-9).all()


def test_an_earlier_origin_uses_an_earlier_sae_year():
    ds = forecast_ed(["2A", "2B"], method="naive", origin="2022-09-05", horizon=7)
    assert admissions_from_forecast(ds).attrs["share_year"] == 2021


def test_admissions_refuse_age_class_forecasts(corsica_passages):
    by_age = corsica_passages.assign_attrs(by_age=1)
    shares = admitted_shares({2023: _units([("2A", 100, 20), ("2B", 100, 20)])})
    with pytest.raises(ValueError, match="all-ages"):
        admissions_dataset(by_age, shares)
