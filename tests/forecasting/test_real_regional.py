"""Forecasts on the REAL régional ED series (Santé publique France, embedded in data/real):
missing days stay missing, nothing after an origin is used, backtests score only observed
days, and the CLI reads the real file (or a damaged copy, with a located error)."""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pandas as pd
import pytest

from forecasting.backtest import metrics_table
from forecasting.demand import (
    REAL_LABEL,
    backtest_ed_regional,
    forecast_ed_regional,
    regional_ed_series,
)
from forecasting.engine import forecast_series
from twin.cli import main
from twin.sources.sursaud_regional import find_regional_files, load_ed_daily_regional


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the loader's note on codes 07/08
        return load_ed_daily_regional()


@pytest.fixture(scope="module")
def series(table):
    bottom, aggregates, parents = regional_ed_series(table)
    return {s.name: s for s in [*bottom, *aggregates]}, parents


def test_regional_series_keep_missing_days_missing(table, series):
    specs, parents = series
    assert len([n for n in specs if n.startswith("ed/reg:")]) == 18
    assert all(p == ["ed/FR"] for p in parents.values())
    # Martinique: every empty cell of the file is missing in the series, never 0.
    mq = specs["ed/reg:02"]
    rows = table[table["reg"] == "02"].set_index("date")["passages"]
    first_known = rows.dropna().index.min()
    assert pd.Timestamp(mq.dates[0]) == first_known
    on_series = pd.Series(mq.values, index=pd.DatetimeIndex(mq.dates))
    empty = rows[rows.isna() & (rows.index >= first_known)].index
    assert on_series.loc[on_series.index.isin(empty)].isna().all()
    assert (mq.values[~np.isnan(mq.values)] > 0).all()
    # The 2022 gap between the two snapshots: calendar days present, values missing.
    idf = pd.Series(specs["ed/reg:11"].values, index=pd.DatetimeIndex(specs["ed/reg:11"].dates))
    gap = idf["2022-02-06":"2022-12-25"]
    assert len(gap) == 323 and gap.isna().all()
    # Provisional days (flagged by the loader) are not used as counts.
    prov = table[table["provisional"] & (table["reg"] == "11")]["date"]
    assert len(prov) > 0 and idf.loc[prov.to_numpy()].isna().all()


def test_france_is_the_sum_of_the_regions_on_complete_days_only(series):
    specs, _ = series
    fr = pd.Series(specs["ed/FR"].values, index=pd.DatetimeIndex(specs["ed/FR"].dates))
    regs = pd.concat({n: pd.Series(s.values, index=pd.DatetimeIndex(s.dates))
                      for n, s in specs.items() if n.startswith("ed/reg:")}, axis=1)
    regs = regs.reindex(fr.index)
    complete = regs.notna().all(axis=1)
    assert np.allclose(fr[complete], regs[complete].sum(axis=1))
    assert fr[~complete].isna().all()
    # Martinique is empty until 2023-05-31 in the file: France is missing those days.
    assert fr["2023-01-02":"2023-05-31"].isna().all()
    total_2023 = fr["2023-06-01":"2023-12-31"].sum()
    assert 9.5e6 < total_2023 < 11.5e6  # about 49,000 passages a day over 214 days


def test_forecast_uses_nothing_after_its_origin(series):
    spec = series[0]["ed/reg:32"]
    origin = np.datetime64("2024-02-10")
    later = spec.dates >= origin
    damaged = spec.with_values(np.where(later, spec.values * 10, spec.values))
    for method in ("autoets", "naive"):
        a = forecast_series(spec, method, 28, origin=origin, warn=False)
        b = forecast_series(damaged, method, 28, origin=origin, warn=False)
        assert a.method == method
        np.testing.assert_array_equal(a.quantiles, b.quantiles)
    # The missing 2022 gap cuts the history: data before it are not used either.
    early = spec.dates < np.datetime64("2022-02-06")
    other = spec.with_values(np.where(early, spec.values * 3, spec.values))
    a = forecast_series(spec, "autoets", 28, origin=origin, warn=False)
    np.testing.assert_array_equal(
        a.quantiles, forecast_series(other, "autoets", 28, origin=origin, warn=False).quantiles)


def test_short_missing_runs_are_bridged_and_trailing_ones_forecast_through(series):
    spec = series[0]["ed/reg:01"]  # Guadeloupe: 2023-04-16..20 empty in the file
    days = pd.Series(spec.values, index=pd.DatetimeIndex(spec.dates))
    assert days["2023-04-16":"2023-04-20"].isna().all()
    fc = forecast_series(spec, "naive", 7, origin="2023-04-24", warn=False)
    # Weekday naive: Monday 24 reuses Monday 17, which was missing and takes Monday 10.
    np.testing.assert_array_equal(fc.point[:4], days["2023-04-10":"2023-04-13"].to_numpy())
    assert fc.point[4] == days["2023-04-21"]
    # Origin inside the missing run: the forecast runs through it from the last known day.
    fc1 = forecast_series(spec, "naive", 3, origin="2023-04-18", warn=False)
    assert fc1.dates[0] == np.datetime64("2023-04-18")
    np.testing.assert_array_equal(fc1.point, days["2023-04-11":"2023-04-13"].to_numpy())
    # Provisional end of the first snapshot: the forecast from after it starts after it.
    end = np.datetime64("2022-02-06")
    fc2 = forecast_series(spec, "naive", 3, origin=end, warn=False)
    assert np.isfinite(fc2.point).all() and fc2.dates[0] == end


def test_real_backtest_scores_only_observed_days(series):
    results = backtest_ed_regional(["01", "94"], methods=["autoets", "naive"],
                                   origins=["2023-04-08", "2024-03-09"])
    by = {r.name: r for r in results}
    assert set(by) == {"ed/reg:01", "ed/reg:94"}
    gua = by["ed/reg:01"]
    assert np.isnan(gua.actual[0]).sum() == 5  # the five empty days of April 2023
    table = metrics_table(results, bands=((1, 28),))
    row = table[(table["method"] == "naive") & (table["horizon"] == "1-28")].iloc[0]
    assert row["n"] == 4 * 28 - 5
    for m in ("autoets", "naive"):
        r = table[(table["method"] == m) & (table["horizon"] == "1-28")].iloc[0]
        assert np.isfinite([r["mase"], r["coverage_80"], r["rel_mae_vs_naive"]]).all()
    # Each backtest forecast is the production forecast made at that origin.
    spec = series[0]["ed/reg:94"]
    fc = forecast_series(spec, "autoets", 28, origin="2024-03-09", warn=False)
    np.testing.assert_array_equal(by["ed/reg:94"].point[0, 1], fc.point)


def test_regional_forecast_is_labelled_real_and_reconciles_france():
    ds = forecast_ed_regional(method="naive", horizon=7)
    assert ds.attrs["data_kind"] == "real" and ds.attrs["data_label"] == REAL_LABEL
    assert ds.sizes["series"] == 19
    point = ds["point"].to_series().unstack("date")
    regs = [s for s in point.index if s.startswith("ed/reg:")]
    np.testing.assert_allclose(point.loc["ed/FR"], point.loc[regs].sum())
    assert str(ds["date"].values[0])[:10] == "2024-07-01"


def test_cli_reads_the_real_file_given_with_data(tmp_path, capsys):
    real = next(f for f in find_regional_files() if "2022-12-26" in f.name)
    status = main(["forecast", "--region", "94", "--method", "naive", "--horizon", "7",
                   "--data", str(real), "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "Source : données réelles (passages aux urgences OSCOUR" in out
    assert "Corse (94)" in out and "du 01/07/2024 au 07/07/2024" in out
    csv = pd.read_csv(tmp_path / "forecast_ed_regional.csv")
    assert set(csv["territory"].astype(str)) == {"94"}


def test_cli_bad_real_file_exits_2_naming_file_line_and_column(tmp_path, capsys):
    real = next(f for f in find_regional_files() if "2022-12-26" in f.name)
    lines = real.read_text(encoding="utf-8").splitlines(keepends=True)[:60]
    fields = lines[4].split(";")
    fields[4] = "-5"  # nbre_pass_tot
    lines[4] = ";".join(fields)
    bad = tmp_path / real.name
    bad.write_text("".join(lines), encoding="utf-8")
    out = tmp_path / "out"
    status = main(["forecast", "--data", str(bad), "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{bad.name}:5" in err and "nbre_pass_tot" in err and "-5" in err
    assert not out.exists() or not any(out.iterdir())


def test_cli_departements_are_labelled_as_replica(tmp_path, capsys):
    status = main(["forecast", "--territories", "2A", "--method", "naive", "--horizon", "7",
                   "--out", str(tmp_path)])
    assert status == 0
    assert "Source : réplique synthétique départementale" in capsys.readouterr().out


@pytest.mark.slow
def test_cli_real_backtest_prints_every_method(tmp_path, capsys):
    status = main(["forecast", "--backtest", "--region", "94", "--backtest-start",
                   "2024-04-06", "--backtest-end", "2024-05-04", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "1 série(s) x 2 origine(s)" in out and "Source : données réelles" in out
    for name in ("Prophet+AutoETS", "Prophet", "AutoETS", "ETS", "Naïf hebdo",
                 "Naïf saisonnier"):
        assert name in out
    assert (tmp_path / "backtest_ed_regional_metrics.csv").is_file()


def test_data_folder_copy_gives_the_same_forecast(tmp_path):
    for f in find_regional_files():
        shutil.copy(f, tmp_path / f.name)
    a = forecast_ed_regional(["94"], method="naive", horizon=3)
    b = forecast_ed_regional(["94"], method="naive", horizon=3, source=tmp_path)
    np.testing.assert_array_equal(a["forecast"].values, b["forecast"].values)
