"""French formats: numbers, dates, CSV."""

from __future__ import annotations

import math

import pandas as pd

from dashboard import frenchfmt as fr

NB = "\u202f"


def test_numbers_use_decimal_comma_and_narrow_space():
    assert fr.number(1234.5, 1) == f"1{NB}234,5"
    assert fr.number(1234567) == f"1{NB}234{NB}567"
    assert fr.number(0.25, 2) == "0,25"
    assert fr.number(math.nan) == "–"
    assert fr.number(None) == "–"


def test_signed_and_percent():
    assert fr.signed(12.34, 1) == "+12,3"
    assert fr.signed(-4, 1) == "\u22124,0"
    assert fr.signed(0.01, 1) == "0,0"
    assert fr.percent(0.125, 1) == "12,5\u00a0%"


def test_dates_are_day_month_year():
    assert fr.day("2026-12-01") == "01/12/2026"
    assert fr.period("2026-01-05", "2026-02-01") == "du 05/01/2026 au 01/02/2026"
    assert fr.month_label(pd.Timestamp("2026-08-01")) == "août 2026"


def test_csv_is_semicolon_decimal_comma_french_dates():
    df = pd.DataFrame({"jour": pd.to_datetime(["2026-12-01"]), "valeur": [1234.5],
                       "nom": ["Lozère"]})
    text = fr.csv_text(df)
    assert text.splitlines() == ["jour;valeur;nom", "01/12/2026;1234,5;Lozère"]


def test_plotly_config_is_french_and_offline():
    cfg = fr.PLOTLY_CONFIG
    assert cfg["locale"] == "fr"
    fmt = cfg["locales"]["fr"]["format"]
    assert fmt["decimal"] == "," and fmt["months"][7] == "août"
    assert fr.PLOTLY_SEPARATORS == "," + NB
    assert "topojsonURL" not in cfg  # no geo base map is ever fetched
    assert "sendChartToCloud" in cfg["modeBarButtonsToRemove"] and not cfg["showSendToCloud"]
