"""INSEE population workbook: figures reproduced from the real file, and bad files refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, departements
from twin.paths import real_dir
from twin.sources import insee

XLS = real_dir() / "insee" / "estim-pop-dep-sexe-gca-1975-2023.xls"


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return insee.load_population()


@pytest.fixture(scope="module")
def raw_sheets() -> dict[str, pd.DataFrame]:
    return pd.read_excel(XLS, sheet_name=None, header=None, engine="calamine", dtype=object)


def _fresh(sheets: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {name: df.copy() for name, df in sheets.items()}


def test_population_on_1_january_2023_is_insee_figure(population: pd.DataFrame):
    y2023 = population[population["year"] == 2023]
    assert int(y2023["population"].sum()) == 68_042_591
    assert sorted(y2023["dep"].unique()) == sorted(departements().index)


def test_tidy_columns_and_types(population: pd.DataFrame):
    assert list(population.columns) == ["year", "dep", "sex", "age_band", "population"]
    assert population["year"].dtype == "int64"
    assert population["population"].dtype == "int64"
    assert set(population["sex"]) == {"M", "F"}
    assert list(dict.fromkeys(population["age_band"])) == list(insee.AGE_BANDS)
    assert not population.duplicated(["year", "dep", "sex", "age_band"]).any()
    assert (population["population"] >= 0).all()


def test_every_year_of_the_file_and_its_documented_coverage(population: pd.DataFrame):
    deps_per_year = population.groupby("year")["dep"].nunique()
    assert list(deps_per_year.index) == list(range(1975, 2024))
    assert (deps_per_year.loc[1975:1989] == 96).all()  # metropolitan France only
    assert (deps_per_year.loc[1990:2013] == 100).all()  # no Mayotte yet
    assert (deps_per_year.loc[2014:2023] == 101).all()
    y1989 = population[population["year"] == 1989]
    assert not y1989["dep"].isin(OVERSEAS_DEPS).any()
    assert "976" not in set(population.loc[population["year"] == 2013, "dep"])


def test_sex_and_age_sums_match_the_files_france_row(population: pd.DataFrame):
    # Figures of the "France métropolitaine et DOM" row of sheet 2023.
    y = population[population["year"] == 2023]
    by_sex = y.groupby("sex")["population"].sum()
    assert by_sex.to_dict() == {"M": 32_920_377, "F": 35_122_214}
    by_age = y.groupby("age_band")["population"].sum()
    assert by_age.to_dict() == {
        "0-19": 16_019_788,
        "20-39": 15_914_043,
        "40-59": 17_446_333,
        "60-74": 11_812_663,
        "75+": 6_849_764,
    }
    ain = y[y["dep"] == "01"]
    assert int(ain["population"].sum()) == 671_937
    assert int(ain.loc[ain["sex"] == "M", "population"].sum()) == 331_578


def test_years_argument_and_unknown_year():
    one = insee.load_population(years=[2014])
    assert set(one["year"]) == {2014}
    assert one["dep"].nunique() == 101
    with pytest.raises(DataError, match="2031"):
        insee.load_population(years=[2031])


def test_folder_with_the_real_file_by_its_real_name(tmp_path: Path):
    shutil.copy(XLS, tmp_path / XLS.name)
    df = insee.load_population(years=[2023], folder=tmp_path)
    assert int(df["population"].sum()) == 68_042_591


def test_folder_without_the_file(tmp_path: Path):
    with pytest.raises(DataError, match="estim-pop-dep-sexe-gca"):
        insee.load_population(folder=tmp_path)


def test_real_file_passes_check():
    insee.check_file(XLS)


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9])
def test_truncated_copy_is_refused_with_the_file_named(tmp_path: Path, keep: float):
    raw = XLS.read_bytes()
    bad = tmp_path / XLS.name
    bad.write_bytes(raw[: int(len(raw) * keep) // 1000 * 1000])
    with pytest.raises(DataError) as err:
        insee.check_file(bad)
    assert str(bad) in str(err.value)
    assert "workbook" in str(err.value)


def test_text_file_with_xls_name_is_refused(tmp_path: Path):
    bad = tmp_path / "estim-pop-dep-sexe-gca-1975-2023.xls"
    bad.write_text("dep;pop\n01;671937\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        insee.check_file(bad)
    assert str(bad) in str(err.value)
    assert "Excel workbook" in str(err.value)


def test_empty_file_is_refused(tmp_path: Path):
    bad = tmp_path / "estim-pop-dep-sexe-gca-1975-2023.xls"
    bad.write_bytes(b"")
    with pytest.raises(DataError, match="empty file"):
        insee.check_file(bad)


def test_unexpected_header_names_sheet_and_row(raw_sheets):
    sheets = _fresh(raw_sheets)
    sheets["2019"].iat[3, 8] = "Garçons"  # row 4, column I: "Hommes"
    with pytest.raises(DataError) as err:
        insee.parse_sheets(sheets, XLS)
    msg = str(err.value)
    assert "sheet '2019':4" in msg
    assert "'I'" in msg
    assert "'Hommes'" in msg and "'Garçons'" in msg


def test_unexpected_age_band_label_names_sheet_and_row(raw_sheets):
    sheets = _fresh(raw_sheets)
    sheets["2005"].iat[4, 6] = "75 à 99 ans"
    with pytest.raises(DataError) as err:
        insee.parse_sheets(sheets, XLS)
    assert "sheet '2005':5" in str(err.value)
    assert "'75 ans et plus'" in str(err.value)


def test_unknown_departement_code_names_sheet_row_and_value(raw_sheets):
    sheets = _fresh(raw_sheets)
    sheets["2023"].iat[5, 0] = "99"  # Ain's row (Excel row 6)
    with pytest.raises(DataError) as err:
        insee.parse_sheets(sheets, XLS, years=[2023])
    msg = str(err.value)
    assert "sheet '2023':6" in msg
    assert "'99'" in msg


def test_detail_cell_disagreeing_with_totals_is_refused(raw_sheets):
    sheets = _fresh(raw_sheets)
    sheets["2023"].iat[5, 9] = sheets["2023"].iat[5, 9] + 1  # Ain, men aged 20-39
    with pytest.raises(DataError) as err:
        insee.parse_sheets(sheets, XLS, years=[2023])
    msg = str(err.value)
    assert "Hommes Total = sum of its age bands" in msg
    assert "Ensemble = Hommes + Femmes" in msg


def test_total_row_disagreeing_with_details_is_refused(raw_sheets):
    sheets = _fresh(raw_sheets)
    df = sheets["2023"]
    france = df.index[df[0].astype(str).str.strip() == "France métropolitaine et DOM"][0]
    insee.parse_sheets(sheets, XLS, years=[2023])  # untouched: accepted
    # Ten more men aged 75+ in the France row, consistent within the row itself
    # (Ensemble 75+ and Total, Hommes 75+ and Total): only the column sums can catch it.
    for col in (6, 7, 12, 13):
        df.iat[france, col] = df.iat[france, col] + 10
    with pytest.raises(DataError) as err:
        insee.parse_sheets(sheets, XLS, years=[2023])
    assert f"sheet '2023':{france + 1}" in str(err.value)
    assert "'France métropolitaine et DOM' = sum of its 101 département rows" in str(err.value)


def test_missing_departement_row_is_refused(raw_sheets):
    sheets = _fresh(raw_sheets)
    df = sheets["2015"]
    sheets["2015"] = df[df[0].astype(str) != "2B"].reset_index(drop=True)
    with pytest.raises(DataError, match="no row for 2B"):
        insee.parse_sheets(sheets, XLS, years=[2015])
