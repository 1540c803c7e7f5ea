"""Observed values keep statistical secrecy; figures are French, offline and correct."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import plotly.io as pio

from dashboard import figures, observed
from dashboard.observed import MASKED, SMALL, Observed


def test_masked_counts_never_become_numbers():
    assert observed.masked_count(float("nan")) == Observed(math.nan, MASKED) or \
        observed.masked_count(float("nan")).text == MASKED
    small = observed.masked_count(7)
    assert small.text == SMALL and math.isnan(small.value) and small.masked
    assert observed.masked_count(0).text == "0"
    assert observed.masked_count(1234).text == "1\u202f234"
    beds = observed.masked_count(4, persons=False)
    assert beds.text == "4" and not beds.masked


def test_territory_sum_with_secrecy():
    assert observed.sum_with_secrecy(pd.Series([np.nan, np.nan])).text == MASKED
    partial = observed.sum_with_secrecy(pd.Series([10.0, np.nan, 5.0]))
    assert partial.value == 15.0 and "1 case(s) non diffusée(s)" in partial.text
    assert observed.sum_with_secrecy(pd.Series([3.0]), persons=True).text == SMALL


def test_observed_map_sends_masked_territories_as_text_only():
    values = {"48": Observed(math.nan, MASKED), "15": Observed(math.nan, SMALL),
              "2A": Observed(123.0, "123")}
    fig = figures.observed_choropleth(["48", "15", "2A"], {"48": "Lozère", "15": "Cantal",
                                                           "2A": "Corse-du-Sud"},
                                      values, "dep", title="t", unit="lits")
    shown, hidden = fig.data[1], fig.data[2]
    assert list(shown.locations) == ["2A"] and list(shown.z) == [123.0]
    assert list(hidden.locations) == ["48", "15"]
    assert [c[2] for c in hidden.customdata] == [MASKED, SMALL]
    assert set(hidden.z) == {0}  # a constant colour, not the masked value


def test_observed_ed_layer_matches_sursaud_and_shifts_future_dates():
    from twin.sources.sursaud import load_ed_daily_all_ages

    daily = load_ed_daily_all_ages()
    dates = pd.date_range("2023-01-09", periods=7)
    got, note = observed.layer("ed_passages", {"48": ["48"]}, dates)
    want = daily[(daily.dep == "48") & daily.date.isin(dates)].passages.mean()
    assert got["48"].value == want and "09/01/2023" in note
    future = pd.date_range("2026-01-05", periods=7)  # after the file: same weekdays earlier
    days, shift = observed.observed_days(future)
    assert shift % 364 == 0 and shift > 0
    assert (days.dayofweek == future.dayofweek).all() and days.max() <= daily.date.max()


def test_choropleth_uses_served_contours_and_french_hover():
    fig = figures.choropleth(["48", "15"], {"48": "Lozère", "15": "Cantal"},
                             np.array([1234.5, np.nan]), "dep", title="x", unit="lits",
                             decimals=1)
    trace = fig.data[figures.VALUE_TRACE]
    assert trace.geojson == "/geo/departements-carte.geojson"
    assert trace.z == (1234.5, None)
    assert trace.customdata[0][2] == "1\u202f234,5 lits"
    assert fig.layout.map.style == "white-bg" and fig.layout.separators == ",\u202f"
    # Nothing in the figure points outside this server.
    text = pio.to_json(fig)
    assert "http" not in text and "mapbox" not in text.lower()
    assert len(fig.data[0].locations) == 101  # background: all of France, overseas included
    assert {"971", "972", "973", "974", "976"} <= set(fig.data[0].locations)


def test_diverging_scale_is_centred_on_zero():
    fig = figures.choropleth(["a", "b"], {}, np.array([-2.0, 5.0]), "dep", title="",
                             unit="%", decimals=1, diverging=True)
    t = fig.data[figures.VALUE_TRACE]
    assert (t.zmin, t.zmax, t.zmid) == (-5.0, 5.0, 0)


def test_fan_chart_bands_capacity_and_masked_observed():
    dates = pd.date_range("2023-01-09", periods=3)
    fan = {k: np.array(v, float) for k, v in {"p5": [1, 1, 1], "p25": [2, 2, 2],
                                               "p50": [3, 3, 3], "p75": [4, 4, 4],
                                               "p95": [5, 5, 5], "mean": [3, 3, 3]}.items()}
    obs = [Observed(12.0, "12"), Observed(math.nan, SMALL), Observed(30.0, "30")]
    fig = figures.fan_chart(dates, {"ref": fan}, title="t", unit="lits",
                            capacity=np.array([10.0, 10, 10]), observed=obs)
    names = [t.name for t in fig.data]
    assert "ref P5–P95" in names and "ref (médiane)" in names and "Capacité" in names
    o = next(t for t in fig.data if t.name == "Observé")
    assert o.y == (12.0, None, 30.0) and o.customdata[1] == SMALL
    assert json.loads(pio.to_json(fig))["layout"]["xaxis"]["tickformat"] == "%d/%m"
