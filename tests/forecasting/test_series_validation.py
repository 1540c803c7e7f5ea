"""Bad series are refused with a DataError that says where, which field, expected, found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.demand import ed_series
from forecasting.series import SeriesSpec, validate_series
from twin.errors import DataError

DATES = pd.date_range("2024-01-01", periods=6, freq="D").to_numpy()
VALUES = np.array([10.0, 12.0, 11.0, 9.0, 14.0, 13.0])
LINES = [2, 3, 4, 5, 6, 7]


def problems(exc: pytest.ExceptionInfo[DataError]):
    return exc.value.problems


def test_valid_series_is_normalised():
    d, v = validate_series(DATES, VALUES.astype(int), name="x")
    assert d.dtype == np.dtype("datetime64[D]")
    assert v.dtype == np.float64
    np.testing.assert_array_equal(v, VALUES)


def test_negative_value_names_file_line_field_expected_found():
    values = VALUES.copy()
    values[3] = -4
    with pytest.raises(DataError) as exc:
        validate_series(DATES, values, name="ed/dep:59", source="my.csv", lines=LINES)
    (p,) = problems(exc)
    assert p.file == "my.csv"
    assert p.line == 5
    assert p.column == "value"
    assert "count >= 0" in p.expected and "ed/dep:59" in p.expected
    assert p.found.startswith("-4")


def test_missing_value_is_refused():
    values = VALUES.copy()
    values[1] = np.nan
    with pytest.raises(DataError) as exc:
        validate_series(DATES, values, name="s")
    assert problems(exc)[0].column == "value"
    assert problems(exc)[0].file == "series s"  # no file: the series is named instead


def test_duplicate_date_is_refused_with_line():
    dates = DATES.copy()
    dates[4] = dates[3]
    with pytest.raises(DataError) as exc:
        validate_series(dates, VALUES, name="s", source="f.csv", lines=LINES)
    dup = [p for p in problems(exc) if "one value per date" in p.expected]
    assert dup and dup[0].line == 6 and dup[0].column == "date"
    assert "2024-01-04 repeated" in dup[0].found


def test_dates_out_of_order_are_refused():
    dates = DATES[[0, 1, 3, 2, 4, 5]]
    with pytest.raises(DataError) as exc:
        validate_series(dates, VALUES, name="s", lines=LINES)
    (p,) = problems(exc)
    assert "increasing order" in p.expected
    assert p.found == "2024-01-03 after 2024-01-04"
    assert p.line == 5


def test_gap_is_refused_and_missing_dates_listed():
    dates = np.delete(DATES, [2, 3])
    with pytest.raises(DataError) as exc:
        validate_series(dates, VALUES[:4], name="s")
    (p,) = problems(exc)
    assert "without gaps" in p.expected
    assert p.found == "2 missing date(s): 2024-01-03, 2024-01-04"


def test_empty_and_mismatched_series_are_refused():
    with pytest.raises(DataError, match="at least one observation"):
        validate_series(DATES[:0], VALUES[:0], name="s")
    with pytest.raises(DataError, match="as many dates as values"):
        validate_series(DATES, VALUES[:3], name="s")


def test_monthly_dates_must_be_month_starts():
    months = pd.date_range("2024-01-01", periods=4, freq="MS").to_numpy().astype("datetime64[D]")
    months[2] += np.timedelta64(3, "D")
    with pytest.raises(DataError, match="first day of the month"):
        validate_series(months, np.ones(4), name="m", freq="MS")


def test_every_problem_is_reported_at_once():
    values = VALUES.copy()
    values[[1, 4]] = -1
    with pytest.raises(DataError) as exc:
        validate_series(DATES, values, name="s", lines=LINES)
    assert [p.line for p in problems(exc)] == [3, 6]


def test_seriesspec_validates_on_construction():
    with pytest.raises(DataError):
        SeriesSpec("s", "D", DATES, -VALUES)


def test_table_with_a_negative_count_names_the_source_file():
    table = pd.DataFrame({"dep": "2A", "date": DATES, "passages": [5, 6, -1, 7, 8, 9]})
    with pytest.raises(DataError) as exc:
        ed_series(table, ["2A"], source="sursaud.csv")
    (p,) = problems(exc)
    assert p.file == "sursaud.csv" and p.column == "value" and "ed/dep:2A" in p.expected
