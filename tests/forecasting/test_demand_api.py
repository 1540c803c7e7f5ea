"""The scenario-layer API and the result Dataset / files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from forecasting.demand import expected_daily_passages, forecast_ed, forecast_medicines
from forecasting.output import write_outputs
from forecasting.series import QUANTILES


def test_expected_daily_passages_schema_and_quantile_order():
    kw = dict(deps=["2B", "2A"], origin="2024-06-01", horizon_days=7, method="naive")
    lo = expected_daily_passages(quantile=0.1, **kw)
    mid = expected_daily_passages(quantile=0.5, **kw)
    hi = expected_daily_passages(quantile=0.975, **kw)
    assert list(mid.columns) == ["dep", "date", "age_class", "passages"]
    assert len(mid) == 2 * 7 * 5
    assert mid["dep"].tolist()[:35] == ["2B"] * 35  # the order asked for
    assert mid["date"].min() == pd.Timestamp("2024-06-01")
    assert mid["date"].max() == pd.Timestamp("2024-06-07")
    assert sorted(mid["age_class"].unique()) == ["A", "B", "C", "D", "E"]
    assert (lo["passages"] <= mid["passages"]).all()
    assert (mid["passages"] <= hi["passages"]).all()
    assert (lo["passages"] >= 0).all()
    assert mid.attrs["quantile"] == 0.5 and mid.attrs["method"] == "naive"


def test_expected_daily_passages_prophet_matches_the_observed_level(ed_all_ages):
    got = expected_daily_passages(["2A"], "2024-03-04", 14)
    daily_total = got.groupby("date")["passages"].sum()
    seen = ed_all_ages[(ed_all_ages["dep"] == "2A")
                       & ed_all_ages["date"].between("2024-03-04", "2024-03-17")]
    # Within 25 % of what happened over the fortnight (a loose sanity bound).
    assert daily_total.sum() == pytest.approx(seen["passages"].sum(), rel=0.25)


def test_expected_daily_passages_rejects_a_quantile_not_computed():
    with pytest.raises(ValueError, match="quantile must be one of"):
        expected_daily_passages(["2A"], "2024-06-01", 7, quantile=0.8, method="naive")


def test_dataset_schema_and_files(tmp_path):
    ds = forecast_ed(["2A", "2B"], method="ets", origin="2024-06-01", horizon=28)
    assert dict(ds.sizes) == {"series": 3, "date": 28, "quantile": 5}
    assert list(ds["quantile"].values) == list(QUANTILES)
    assert list(ds["level"].values) == ["dep", "dep", "reg"]
    assert ds.attrs["origin"] == "2024-06-01" and ds.attrs["method"] == "ets"
    assert "log1p" in ds.attrs["transform"] and "passages" in ds.attrs["units"]
    assert "prophet" in json.loads(ds.attrs["versions"])
    assert (ds["forecast"].diff("quantile") >= 0).all() and (ds["forecast"] >= 0).all()
    zpath, cpath = write_outputs(ds, tmp_path, "forecast_ed")
    back = xr.open_zarr(zpath, consolidated=False).load()
    xr.testing.assert_allclose(back["forecast"], ds["forecast"])
    assert back.attrs["seed"] == ds.attrs["seed"]
    csv = pd.read_csv(cpath, dtype={"territory": str})
    assert len(csv) == 3 * 28
    assert {"q0.025", "q0.1", "q0.5", "q0.9", "q0.975", "point"} <= set(csv.columns)
    assert set(csv["territory"]) == {"2A", "2B", "94"}


def test_medicines_france_is_the_sum_of_regions():
    from twin.synthetic.medicines import SENTINEL_PRODUCTS

    cip = SENTINEL_PRODUCTS[4].cip13  # paracetamol 1 g
    ds = forecast_medicines(products=[cip], method="seasonal_naive", origin="2024-07-01",
                            horizon=3)
    assert dict(ds.sizes)["date"] == 3
    assert str(ds["date"].values[0])[:10] == "2024-07-01"
    regs = ds["point"].where(ds["level"] == "reg", drop=True).sum("series")
    np.testing.assert_allclose(ds["point"].sel(series=f"med/FR/{cip}"), regs, rtol=1e-12)
    assert "99" in ds["territory"].values  # folded small cells kept as a région of their own
