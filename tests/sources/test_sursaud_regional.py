"""Real SurSaUD regional files: the loader on the embedded real snapshots, and its checks.

Figures are recomputed here with plain pandas on the raw files (never through the loader)
and compared with what the loader returns.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import regions
from twin.paths import real_dir
from twin.sources import sursaud_regional as sr

REAL = real_dir() / "sursaud"
EARLY = REAL / "sursaud-covid-quot-reg_2020-02-24_2022-02-05.csv"
LATE = REAL / "sursaud-covid-quot-reg_2022-12-26_2024-06-30.csv"


def _raw(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", dtype={"reg": str, "sursaud_cl_age_corona": str})


def _load(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return sr.load_ed_daily_regional(*args, **kwargs)


@pytest.fixture(scope="module")
def everything() -> pd.DataFrame:
    return _load(age_class=None)


def test_finds_both_snapshots_oldest_first():
    assert sr.find_regional_files() == [EARLY, LATE]


def test_row_counts_of_the_real_files():
    assert len(_raw(EARLY)) == 99_820 and len(_raw(LATE)) == 77_420
    for path, days in ((EARLY, 713), (LATE, 553)):
        with pytest.warns(UserWarning, match=r"07 .*08 "):
            one = sr.load_ed_daily_regional(path, age_class=None)
        assert len(one) == 18 * days * 7  # 07/08 dropped, 18 régions x days x 7 classes
        assert set(one["reg"]) == set(regions().index)


def test_columns_and_types(everything: pd.DataFrame):
    assert list(everything.columns) == list(sr.COLUMNS)
    assert everything["date"].dtype == "datetime64[ns]"
    for col in ("passages", "passages_m", "passages_f"):
        assert everything[col].dtype == np.float64
    assert everything["provisional"].dtype == bool
    keys = everything[["reg", "date", "age_class"]]
    assert not keys.duplicated().any()
    assert keys.equals(keys.sort_values(["reg", "date", "age_class"]).reset_index(drop=True))


def test_2023_national_total_of_age_class_0():
    df = _load()
    in_2023 = df[df["date"].dt.year == 2023]
    assert in_2023["passages"].sum() == 18_000_999  # 18 INSEE régions
    raw = _raw(LATE)
    raw = raw[(raw["sursaud_cl_age_corona"] == "0") & raw["date_de_passage"].str.startswith("2023")]
    assert raw["nbre_pass_tot"].sum() == 18_013_809  # with 07/08: the 18.01 M of SOURCES.md
    daily = in_2023.groupby("date")["passages"].sum()
    assert len(daily) == 365 and 48_000 < daily.median() < 49_500


def test_07_and_08_are_skipped_with_a_warning():
    with pytest.warns(UserWarning, match="07 .*08 .*not INSEE"):
        df = sr.load_ed_daily_regional(LATE)
    assert not set(df["reg"]) & {"07", "08"}
    sr.check_file(LATE)  # known codes: checked, not errors


def test_martinique_missing_days_stay_missing():
    df = _load()
    mq = df[df["reg"] == "02"]
    raw = _raw(LATE)
    raw_mq = raw[(raw["reg"] == "02") & (raw["sursaud_cl_age_corona"] == "0")]
    late = mq[mq["snapshot"] == LATE.name]
    assert late["passages"].isna().sum() == raw_mq["nbre_pass_tot"].isna().sum() == 157
    assert mq.loc[mq["snapshot"] == EARLY.name, "passages"].isna().all()  # 713 days, none filled
    assert (mq["passages"] == 0).sum() == 0
    nat = sr.national_series(df)
    assert not nat["complete"].iloc[0]  # Martinique missing: a partial national sum
    assert nat["complete"].any()


def test_gap_in_2022_has_no_rows():
    df = _load()
    dates = pd.DatetimeIndex(df["date"].unique())
    gap = (dates >= "2022-02-06") & (dates <= "2022-12-25")
    assert not gap.any()
    assert {pd.Timestamp("2022-02-05"), pd.Timestamp("2022-12-26")} <= set(dates)
    assert len(dates) == 713 + 553


def test_provisional_flag_marks_the_incomplete_end_of_a_published_snapshot():
    df = _load()
    flagged = sorted(df.loc[df["provisional"], "date"].unique())
    assert flagged == [pd.Timestamp("2022-02-05")]  # 84 % of the usual Saturday
    # The 2024 copy was cut months before its publication: its last days are final.
    assert not df.loc[df["snapshot"] == LATE.name, "provisional"].any()


def test_later_snapshot_wins_where_two_overlap(tmp_path: Path):
    lines = EARLY.read_bytes().split(b"\r\n")
    header, rows = lines[0], [ln for ln in lines[1:] if ln]
    first = tmp_path / "sursaud-covid-quot-reg-2022-02-07-19h00.csv"
    first.write_bytes(EARLY.read_bytes())
    # A later snapshot covering the last six weeks, the last day revised upwards.
    recent = [r for r in rows if r.split(b";")[1] >= b"2021-12-25"]
    bumped = []
    for r in recent:
        f = r.split(b";")
        if f[1] == b"2022-02-05" and f[2] == b"0" and f[4]:
            f[4] = str(int(f[4]) + 1000).encode()
            f[8] = f[9] = b""
        bumped.append(b";".join(f))
    second = tmp_path / "sursaud-covid-quot-reg-2022-02-14-19h00.csv"
    second.write_bytes(b"\r\n".join([header, *bumped]) + b"\r\n")
    assert sr.find_regional_files(tmp_path) == [first, second]
    df = _load(tmp_path)
    day = df[df["date"] == "2022-02-05"]
    assert set(day["snapshot"]) == {second.name}
    old = _load(first)
    old_day = old[old["date"] == "2022-02-05"].set_index("reg")["passages"]
    new_day = day.set_index("reg")["passages"]
    assert ((new_day - old_day).dropna() == 1000).all()
    assert len(df) == len(old)  # same days, no duplicate rows
    # The revised day is no longer the end of a snapshot's low tail: not provisional.
    assert not day["provisional"].any()


# --------------------------------------------------------------------------- damaged copies


def _late_lines() -> list[bytes]:
    return LATE.read_bytes().split(b"\r\n")


def _write(tmp_path: Path, lines: list[bytes], name: str = LATE.name) -> Path:
    path = tmp_path / name
    path.write_bytes(b"\r\n".join(lines))
    return path


def _error(path: Path) -> str:
    with pytest.raises(DataError) as exc:
        sr.check_file(path)
    return str(exc.value)


def _set(lines: list[bytes], line_no: int, col: int, value: bytes) -> None:
    fields = lines[line_no - 1].split(b";")
    fields[col] = value
    lines[line_no - 1] = b";".join(fields)


def test_bad_date_negative_non_numeric_unknown_region_and_class(tmp_path: Path):
    lines = _late_lines()
    _set(lines, 10, 1, b"2023-02-30")
    msg = _error(_write(tmp_path, lines))
    assert ":10: column 'date_de_passage'" in msg and "'2023-02-30'" in msg
    lines = _late_lines()
    _set(lines, 20, 4, b"-5")
    _set(lines, 30, 4, b"12a")
    _set(lines, 40, 0, b"99")
    _set(lines, 50, 2, b"9")
    msg = _error(_write(tmp_path, lines))
    assert ":20: column 'nbre_pass_tot'" in msg and "'-5'" in msg
    assert ":30: column 'nbre_pass_tot'" in msg and "'12a'" in msg
    assert ":40: column 'reg'" in msg and "'99'" in msg and "INSEE" in msg
    assert ":50: column 'sursaud_cl_age_corona'" in msg and "'9'" in msg


def test_duplicate_key_and_sex_split_above_total(tmp_path: Path):
    lines = _late_lines()
    lines.insert(5, lines[2])  # the row of line 3 again, as line 6
    msg = _error(_write(tmp_path, lines))
    assert ":6:" in msg and "duplicate of line 3" in msg
    lines = _late_lines()
    _set(lines, 9, 8, b"100000")
    msg = _error(_write(tmp_path, lines))
    assert ":9:" in msg and "nbre_pass_tot_h + nbre_pass_tot_f" in msg


def test_truncated_file_and_wrong_separator(tmp_path: Path):
    lines = _late_lines()
    cut = [ln for ln in lines if ln]
    cut[-1] = cut[-1][:12]
    (tmp_path / "a").mkdir()
    msg = _error(_write(tmp_path / "a", cut))
    assert f":{len(cut)}:" in msg and "truncated" in msg
    path = tmp_path / LATE.name
    path.write_bytes(LATE.read_bytes().replace(b";", b","))
    assert "';'-separated columns" in _error(path) and "','" in _error(path)


def test_missing_class_gap_and_mixed_schemes(tmp_path: Path):
    lines = _late_lines()
    gone = lines.pop(3)  # 01, 2022-12-26, class 2
    assert gone.startswith(b"01;2022-12-26;2;")
    day = [i for i, ln in enumerate(lines) if ln.startswith(b"11;2023-03-01;")]
    for i in reversed(day):
        del lines[i]
    msg = _error(_write(tmp_path, lines))
    assert "class(es) 2 missing" in msg and "région 01 on 2022-12-26" in msg
    assert "région 11" in msg and "1 missing date(s): 2023-03-01" in msg
    lines = _late_lines()
    _set(lines, 4, 2, b"B")
    msg = _error(_write(tmp_path, lines))
    assert ":4:" in msg and "class 'B' of the other scheme" in msg


def test_early_scheme_is_accepted(tmp_path: Path):
    lines = [ln for ln in _late_lines() if ln]
    header, rows = lines[0], lines[1:]
    new = {b"1": b"A", b"2": None, b"3": b"B", b"4": b"C", b"5": b"D", b"6": b"E", b"0": b"0"}
    out = [header]
    for r in rows:
        f = r.split(b";")
        if new[f[2]] is None:
            continue
        f[2] = new[f[2]]
        out.append(b";".join(f))
    path = _write(tmp_path, [*out, b""])
    sr.check_file(path)
    df = _load(path, age_class="E")
    assert len(df) == 18 * 553


def test_unknown_age_class_argument():
    with pytest.raises(ValueError, match="age_class"):
        sr.load_ed_daily_regional(LATE, age_class="7")
