"""SurSaUD daily ED passages: the embedded replica's properties and the loader's validation.

The properties are checked against the real inputs read independently here (plain pandas
on the SAE and Sentinelles files), not through the generator's own code.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, departements, normalise_dep
from twin.paths import real_dir
from twin.sources import sursaud
from twin.sources.sursaud import (
    AGE_CLASSES,
    ALL_AGES_COLUMNS,
    DETAIL_COLUMNS,
    _parse_cached,
    check_file,
    find_file,
    load_ed_daily,
    load_ed_daily_all_ages,
)
from twin.synthetic.sursaud import HEADER

YEARS = range(2019, 2025)


# --------------------------------------------------------------------------- embedded file


@pytest.fixture(scope="module")
def ed() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_ed_daily(include_all_ages=True)


def _sae_by_dep(year: int) -> pd.DataFrame:
    folder = real_dir() / "sae" / str(year)
    kw = {"sep": ";", "dtype": str, "encoding": "latin-1", "keep_default_na": False}
    urg = pd.read_csv(folder / f"URGENCES2_{year}r.csv", **kw)
    reg = pd.read_csv(folder / f"ID_{year}r.csv", usecols=["fi", "dep"], **kw)
    units = urg.merge(reg, left_on="FI", right_on="fi", how="left", validate="m:1")
    units["dep"] = units["dep"].map(normalise_dep)
    for col in ("PASSU", "dt18", "dt80"):
        units[col] = pd.to_numeric(units[col].replace("", np.nan))
    # Pediatric units leave dt18/dt80 empty: all their passages are minors.
    ped = units["URG"].eq("PED")
    units.loc[ped, "dt18"] = units.loc[ped, "dt18"].fillna(units.loc[ped, "PASSU"])
    units.loc[ped, "dt80"] = units.loc[ped, "dt80"].fillna(0)
    units["base18"] = units["PASSU"].where(units["dt18"].notna(), 0)
    units["base80"] = units["PASSU"].where(units["dt80"].notna(), 0)
    return units.groupby("dep")[["PASSU", "dt18", "dt80", "base18", "base80"]].sum()


@pytest.mark.slow
def test_shape_and_coverage(ed):
    detail, total = ed
    assert list(detail.columns) == list(DETAIL_COLUMNS)
    assert list(total.columns) == list(ALL_AGES_COLUMNS)
    n_days = len(pd.date_range("2019-01-01", "2024-12-31"))
    assert set(total["dep"]) == set(departements().index)
    assert len(total) == 101 * n_days
    assert len(detail) == 101 * n_days * len(AGE_CLASSES)
    assert set(detail["age_class"]) == set(AGE_CLASSES)
    assert detail["date"].min() == pd.Timestamp("2019-01-01")
    assert detail["date"].max() == pd.Timestamp("2024-12-31")
    assert (detail["passages_m"] + detail["passages_f"] == detail["passages"]).all()
    assert (detail["passages"] >= 0).all()


@pytest.mark.slow
def test_split_between_a_regions_departements_follows_sae(ed):
    """Régions' totals come from the real regional series (tested in
    tests/synthetic/test_sursaud_generator.py); their split between départements from the
    SAE: each département's share of its région's year within 4 % of its SAE share
    (measured: at most 2.4 %), and the replica stays below the SAE (OSCOUR coverage)."""
    from twin.geography import dep_to_reg

    _, total = ed
    annual = total.groupby([total["dep"], total["date"].dt.year])["passages"].sum()
    for year in YEARS:
        sae = _sae_by_dep(year)["PASSU"]
        got = annual.xs(year, level=1).reindex(sae.index)
        assert got.notna().all(), year
        reg = sae.index.map(dep_to_reg())
        share_sae = sae / sae.groupby(reg).transform("sum")
        share_got = got / got.groupby(reg).transform("sum")
        rel = (share_got / share_sae - 1).abs()
        assert rel.max() < 0.04, (year, rel.idxmax(), rel.max())
        assert 0.6 < got.sum() / sae.sum() < 0.95, year


@pytest.mark.slow
def test_all_ages_rows_equal_sum_of_classes(ed):
    detail, total = ed
    summed = detail.groupby(["dep", "date"], sort=False)[["passages", "passages_m"]].sum()
    got = total.set_index(["dep", "date"])[["passages", "passages_m"]].reindex(summed.index)
    assert (got.to_numpy() == summed.to_numpy()).all()


@pytest.mark.slow
def test_age_split_consistent_with_sae(ed):
    detail, _ = ed
    yearly = detail.groupby([detail["date"].dt.year, "age_class"])["passages"].sum().unstack()
    shares = yearly.div(yearly.sum(axis=1), axis=0)
    for year in YEARS:
        sae = _sae_by_dep(year)
        # ratios over the units that report dt18 / dt80
        u18 = sae["dt18"].sum() / sae["base18"].sum()
        o80 = sae["dt80"].sum() / sae["base80"].sum()
        assert 0.7 * u18 < shares.loc[year, "A"] < 0.9 * u18, year  # under-15 < under-18
        assert 0.15 < shares.loc[year, "A"] < 0.28, year
        assert 1.1 * o80 < shares.loc[year, "E"] < 1.8 * o80, year
        assert shares.loc[year, "B"] > shares.loc[year, "C"] > shares.loc[year, "D"]


@pytest.mark.slow
def test_monday_is_busiest_in_most_departements(ed):
    _, total = ed
    by_dow = total.groupby(["dep", total["date"].dt.weekday])["passages"].mean().unstack()
    monday_first = (by_dow.idxmax(axis=1) == 0).sum()
    assert monday_first >= 85, monday_first  # real: 92 of 101
    nat = total.groupby(total["date"].dt.weekday)["passages"].mean()
    assert 1.06 < nat[0] / nat.drop(0).mean() < 1.16


@pytest.mark.slow
def test_public_holidays_are_sunday_like(ed):
    from twin.calendar import is_public_holiday

    _, total = ed
    nat = total[~total["dep"].isin(["57", "67", "68", *OVERSEAS_DEPS])]
    nat = nat.groupby("date")["passages"].sum()
    hol = is_public_holiday(nat.index)
    weekday = nat.index.weekday
    holiday_weekdays = nat[hol & (weekday < 5)].mean()
    sundays = nat[(weekday == 6) & ~hol].mean()
    ordinary_weekdays = nat[(weekday < 5) & ~hol].mean()
    assert abs(holiday_weekdays / sundays - 1) < 0.08
    assert holiday_weekdays < ordinary_weekdays


@pytest.mark.slow
def test_flu_waves_follow_sentinelles(ed):
    detail, _ = ed
    mainland = detail[(detail["age_class"] == "E") & ~detail["dep"].isin(OVERSEAS_DEPS)]
    daily = mainland.groupby("date")["passages"].sum()
    days = daily.index.to_numpy().astype("datetime64[D]")
    monday = days - daily.index.weekday.to_numpy().astype("timedelta64[D]")
    weeks = daily.groupby(pd.DatetimeIndex(monday.astype("datetime64[ns]"))).agg(["sum", "count"])
    weekly = weeks.loc[weeks["count"] == 7, "sum"]
    senti = pd.read_csv(
        real_dir() / "sentinelles" / "grippe_incidence_france.csv", comment="#", dtype=str
    )
    senti = senti[senti["inc100"] != "-"]
    monday = [pd.Timestamp.fromisocalendar(int(w) // 100, int(w) % 100, 1) for w in senti["week"]]
    inc = pd.Series(senti["inc100"].astype(float).to_numpy(), index=monday).sort_index()
    winters = [  # every winter with an influenza epidemic (peak > 200 per 100,000)
        ("2019-01-01", "2019-03-31"),
        ("2019-11-01", "2020-02-29"),  # stop before the lockdown
        # Not 2021-2022: its real regional totals (to 2022-02-05) follow the Omicron wave,
        # not influenza (r = -0.09 for 75+ over 2021-11 to 2022-02-05): real, not modelled.
        ("2022-11-01", "2023-03-31"),
        ("2023-11-01", "2024-03-31"),
        ("2024-11-01", "2024-12-31"),
    ]
    for start, end in winters:
        w = weekly[start:end]
        anomaly = w / w.mean() - 1
        x = inc.reindex(w.index)
        assert x.notna().all() and x.max() > 200
        r = np.corrcoef(anomaly, x)[0, 1]
        assert r > 0.5, (start, r)


@pytest.mark.slow
def test_lockdown_and_bronchiolitis(ed):
    detail, total = ed
    nat = total.groupby("date")["passages"].sum()
    april = nat["2020-04-01":"2020-04-30"].mean() / nat["2019-04-01":"2019-04-30"].mean()
    assert 0.45 < april < 0.70  # real: about -40 %
    kids = detail[detail["age_class"] == "A"].groupby("date")["passages"].sum()
    for year in (2019, 2021, 2022, 2023, 2024):
        # late-autumn bronchiolitis: children's passages above early autumn
        late = kids[f"{year}-11-15":f"{year}-12-15"].mean()
        early = kids[f"{year}-09-15":f"{year}-10-15"].mean()
        assert late > 1.05 * early, year


# --------------------------------------------------------------------------- validation

GOOD_DEPS = ("01", "2A")
GOOD_DAYS = ("2024-01-01", "2024-01-02", "2024-01-03")


def _rows(deps=GOOD_DEPS, days=GOOD_DAYS) -> list[list[str]]:
    rows = []
    for k, dep in enumerate(deps):
        for d, day in enumerate(days):
            counts = [10 + k + d + c for c in range(5)]
            male = [n // 2 for n in counts]
            rows.append(_row(dep, day, "0", sum(counts), sum(male), sum(counts) - sum(male)))
            for cls, n, m in zip(AGE_CLASSES, counts, male, strict=True):
                rows.append(_row(dep, day, cls, n, m, n - m))
    return rows


def _row(dep: str, day: str, cls: str, tot: int, h: int, f: int) -> list[str]:
    return [dep, day, cls, "", str(tot), "", "", "", str(h), str(f), *[""] * 8]


def _write(folder: Path, rows: list[list[str]], gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = "\n".join([";".join(HEADER), *(";".join(r) for r in rows)]) + "\n"
    name = "sursaud-corona-quot-dep-2024-01-04-19h00.csv"
    if gz:
        path = folder / (name + ".gz")
        path.write_bytes(gzip.compress(text.encode(), mtime=0))
    else:
        path = folder / name
        path.write_text(text)
    return path


def _error(path: Path) -> str:
    with pytest.raises(DataError) as exc:
        check_file(path)
    return str(exc.value)


def test_small_valid_file_loads_plain_and_gzip(tmp_path: Path):
    plain = _write(tmp_path / "plain", _rows())
    check_file(plain)
    detail = load_ed_daily(tmp_path / "plain")
    total = load_ed_daily_all_ages(tmp_path / "plain")
    assert len(detail) == 2 * 3 * 5 and len(total) == 2 * 3
    assert "0" not in set(detail["age_class"])
    assert detail["date"].dtype.kind == "M"
    assert detail["passages"].dtype == np.int64
    first = detail.iloc[0]
    assert (first["dep"], first["age_class"], first["passages"]) == ("01", "A", 10)
    assert total.iloc[0]["passages"] == 10 + 11 + 12 + 13 + 14
    _write(tmp_path / "gz", _rows(), gz=True)
    zipped = load_ed_daily(tmp_path / "gz")
    pd.testing.assert_frame_equal(detail, zipped)
    pair = load_ed_daily(tmp_path / "plain", include_all_ages=True)
    pd.testing.assert_frame_equal(pair[1], total)


def test_gap_in_daily_series_names_dep_and_dates(tmp_path: Path):
    rows = [r for r in _rows() if not (r[0] == "2A" and r[1] == "2024-01-02")]
    msg = _error(_write(tmp_path, rows))
    assert "2A" in msg and "2024-01-02" in msg and "missing date" in msg
    assert "département 01" not in msg


def test_duplicate_row(tmp_path: Path):
    rows = _rows()
    rows.insert(5, list(rows[3]))
    msg = _error(_write(tmp_path, rows))
    assert "duplicate" in msg and ":7" in msg  # header is line 1, inserted row is line 7


def test_unknown_departement_with_line(tmp_path: Path):
    rows = _rows()
    for r in rows[6:12]:
        r[0] = "99"
    msg = _error(_write(tmp_path, rows))
    assert "'99'" in msg and ":8:" in msg and "dep" in msg


def test_dates_out_of_order(tmp_path: Path):
    rows = _rows()
    rows[0:6], rows[6:12] = rows[6:12], rows[0:6]  # 01: day 2 before day 1
    msg = _error(_write(tmp_path, rows))
    assert "increasing order" in msg and "2024-01-01" in msg


def test_all_ages_row_may_differ_from_sum_of_classes(tmp_path: Path):
    """Unknown ages make the real class-0 row differ from the sum of A..E, both ways."""
    rows = _rows()
    rows[6][4] = str(int(rows[6][4]) + 2)
    rows[6][9] = str(int(rows[6][9]) + 2)  # keep h + f = tot on that row
    rows[12][4] = str(int(rows[12][4]) - 1)
    rows[12][9] = str(int(rows[12][9]) - 1)
    path = _write(tmp_path, rows)
    check_file(path)
    total = load_ed_daily_all_ages(tmp_path)
    detail = load_ed_daily(tmp_path)
    sums = detail.groupby(["dep", "date"], sort=False)["passages"].sum().to_numpy()
    assert list(total["passages"].to_numpy() - sums)[:3] == [0, 2, -1]


def test_non_numeric_and_negative_counts(tmp_path: Path):
    rows = _rows()
    rows[1][4] = "abc"
    rows[2][8] = "-3"
    msg = _error(_write(tmp_path, rows))
    assert "'abc'" in msg and ":3:" in msg
    assert "'-3'" in msg and ":4:" in msg


def test_bad_date_and_sex_overflow(tmp_path: Path):
    rows = _rows()
    rows[3][1] = "03/01/2024"
    rows[4][8] = "999"
    msg = _error(_write(tmp_path, rows))
    assert "YYYY-MM-DD" in msg and ":5:" in msg
    assert "nbre_pass_tot_h + nbre_pass_tot_f" in msg and ":6" in msg


def test_empty_total_stays_missing(tmp_path: Path):
    """Real files leave ``nbre_pass_tot`` empty (Martinique): missing, never 0."""
    rows = _rows()
    rows[1][4] = ""  # 01, 2024-01-01, class A
    detail = load_ed_daily(_write(tmp_path, rows).parent)
    assert detail["passages"].dtype == np.float64
    assert detail["passages"].isna().sum() == 1
    assert np.isnan(detail.iloc[0]["passages"]) and detail.iloc[1]["passages"] == 11


def test_missing_age_class(tmp_path: Path):
    rows = [r for r in _rows() if not (r[0] == "01" and r[1] == "2024-01-03" and r[2] == "D")]
    msg = _error(_write(tmp_path, rows))
    assert "D missing" in msg and "2024-01-03" in msg


def test_unknown_column_and_wrong_separator(tmp_path: Path):
    path = _write(tmp_path / "a", _rows())
    text = path.read_text().replace("nbre_acte_tot_f", "nbre_acte_total_f", 1)
    path.write_text(text)
    assert "nbre_acte_total_f" in _error(path)
    path = _write(tmp_path / "b", _rows())
    path.write_text(path.read_text().replace(";", ","))
    assert "','-separated" in _error(path)


def test_folder_with_no_file_or_two_files(tmp_path: Path):
    with pytest.raises(DataError, match="no such file"):
        find_file(tmp_path)
    _write(tmp_path, _rows())
    (tmp_path / "sursaud-corona-quot-dep-2023-01-01-19h00.csv").write_text("x")
    with pytest.raises(DataError, match="exactly one"):
        load_ed_daily(tmp_path)


def _mutations() -> dict[str, list[list[str]]]:
    """Small files exercising each check, valid ones with masked sex splits among them."""
    cases: dict[str, list[list[str]]] = {"valid": _rows()}
    rows = _rows()
    for r in rows[6:12]:
        r[8] = r[9] = ""  # 01 on day 2: sex split masked everywhere
    cases["masked"] = rows
    rows = _rows()
    rows[7][8] = rows[7][9] = ""  # one class masked: the all-ages split is not checked
    cases["one_class_masked"] = rows
    cases["gap"] = [r for r in _rows() if not (r[0] == "2A" and r[1] == "2024-01-02")]
    rows = _rows()
    rows[0:6], rows[6:12] = rows[6:12], rows[0:6]
    cases["order"] = rows
    cases["class_missing"] = [r for r in _rows() if not (r[1] == "2024-01-03" and r[2] == "D")]
    rows = _rows()
    rows[6][4] = str(int(rows[6][4]) + 1)
    rows[6][9] = str(int(rows[6][9]) + 1)
    cases["all_ages"] = rows
    rows = _rows()
    rows[6][8] = str(int(rows[6][8]) + 1)
    rows[6][9] = str(int(rows[6][9]) - 1)
    cases["all_ages_by_sex"] = rows
    rows = _rows()
    rows[3][0] = "1"  # another spelling of 01
    cases["spelling"] = rows
    return cases


@pytest.mark.parametrize("case", list(_mutations()))
def test_vectorised_checks_agree_with_pandas_checks(tmp_path: Path, monkeypatch, case: str):
    """The integer-code checks and sort give what the pandas checks and sort give."""
    path = _write(tmp_path, _mutations()[case])

    def outcome():
        try:
            return _parse_cached.__wrapped__(str(path), 0, 0)
        except DataError as exc:
            return [str(p) for p in exc.problems]

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(sursaud, "_row_codes", lambda df: None)
        slow = outcome()
    if isinstance(slow, list):
        assert fast == slow
    else:
        for got, want in zip(fast, slow, strict=True):
            pd.testing.assert_frame_equal(got, want, check_exact=True)


# --------------------------------------------------------------------------- real April-2020 files

REAL = real_dir() / "sursaud"
REAL_DEP = REAL / "sursaud-covid19-quotidien-2020-04-12-19h00-departement.csv"
REAL_FRANCE = REAL / "sursaud-covid19-quotidien-2020-04-12-19h00-france.csv"
REAL_META = REAL / "metadonnee-urgenceshos-sosmedecin-covid19-quot.csv"


def test_real_april_2020_departement_file_loads_with_martinique_missing():
    detail, total = load_ed_daily(REAL, include_all_ages=True)
    assert len(detail) + len(total) == 29_088  # 101 départements x 48 days x 6 classes
    assert total["dep"].nunique() == 101
    assert (total["date"].min(), total["date"].max()) == (
        pd.Timestamp("2020-02-24"), pd.Timestamp("2020-04-11"))
    martinique = total[total["dep"] == "972"]
    assert len(martinique) == 48 and martinique["passages"].isna().all()
    assert total["passages"].dtype == np.float64  # missing stays NaN, never 0
    first = total[total["date"] == "2020-02-24"]["passages"].sum()
    assert first == 48_476  # as the national file, below


def test_real_national_file_matches_the_departements():
    national = sursaud.load_national(REAL_FRANCE)
    assert len(national) == 288
    _, total = load_ed_daily(REAL, include_all_ages=True)
    by_day = total.groupby("date")["passages"].sum()
    france = national[national["age_class"] == "0"].set_index("date")["passages"]
    assert france.loc["2020-02-24"] == 48_476
    pd.testing.assert_series_equal(by_day, france, check_names=False)


def test_real_files_and_dictionary_pass_the_check():
    for path in (REAL_DEP, REAL_FRANCE, REAL_META):
        check_file(path)


def test_early_file_with_semicolons_and_damaged_national_file(tmp_path: Path):
    early = tmp_path / REAL_DEP.name
    early.write_text(REAL_DEP.read_text().replace(",", ";"))
    assert "','-separated" in _error(early)
    lines = REAL_FRANCE.read_text().splitlines(keepends=True)
    lines[2] = lines[2].replace("FR,", "FX,", 1).replace("10459.00", "10459.50")
    france = tmp_path / REAL_FRANCE.name
    france.write_text("".join(lines))
    msg = _error(france)
    assert ":3: column 'fra'" in msg and "'FX'" in msg
    assert "'10459.50'" in msg and "nbre_pass_tot" in msg


def test_damaged_dictionary_is_located(tmp_path: Path):
    raw = REAL_META.read_bytes()
    meta = tmp_path / REAL_META.name
    meta.write_bytes(raw.replace(b"Description_EN", b"Description_DE", 1))
    msg = _error(meta)
    assert ":2:" in msg and "Description_DE" in msg
    meta.write_bytes(raw.replace("Métadonnées".encode(), b"Data", 1))
    assert ":1:" in _error(meta)
