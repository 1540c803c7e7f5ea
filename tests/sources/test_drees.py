"""DREES critical-care beds: levels kept apart, totals checked, broken copies refused."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, departements, regions
from twin.paths import real_dir
from twin.sources import drees

CSV = real_dir() / "drees" / "lits_soins_critiques.csv"


@pytest.fixture(scope="module")
def beds() -> pd.DataFrame:
    return drees.load_critical_care_beds()


def _broken_copy(tmp_path: Path, edit) -> Path:
    """Copy of the real file (BOM, CRLF kept) with its text lines passed through ``edit``."""
    lines = CSV.read_bytes().decode("utf-8-sig").split("\r\n")
    out = tmp_path / CSV.name
    out.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(edit(lines)).encode("utf-8"))
    return out


def test_levels_are_derived_from_id_geo_and_kept_apart(beds: pd.DataFrame):
    assert set(beds["geo_level"]) == {"france", "metropole", "departement"}
    by_level = beds.groupby("geo_level")["geo_code"].agg(set)
    assert by_level["france"] == {"FR"}
    assert by_level["metropole"] == {"MET"}
    assert by_level["departement"] == set(departements().index)
    assert "region" not in set(beds["geo_level"])  # the file has no région rows
    assert list(beds.columns) == [*drees.COLUMNS, "_line"]
    assert beds["year"].dtype == "int64" and beds["beds"].dtype == "float64"
    assert sorted(beds["year"].unique()) == [2013, 2019, 2020, 2021, 2022, 2023, 2024]
    assert set(beds["unit_type"]) == set(drees.UNIT_TYPES)
    assert set(beds["status"]) == set(drees.STATUSES)
    assert len(beds) == 103 * 3 * 7 * 7


def test_adult_icu_beds_2023_match_sae_figure(beds: pd.DataFrame):
    fr = beds[(beds["geo_level"] == "france") & (beds["year"] == 2023)]
    assert fr.loc[fr["unit_type"] == "REAADU", "beds"].sum() == 5224


def test_departement_rows_only_and_sum_to_france(beds: pd.DataFrame):
    dep = drees.load_departement_beds()
    assert list(dep.columns) == ["dep", "reg", "status", "year", "unit_type", "beds"]
    assert set(dep["dep"]) == set(departements().index)
    assert set(dep["reg"]) == set(regions().index)
    assert len(dep) == 101 * 3 * 7 * 7
    fr = beds[beds["geo_level"] == "france"]
    assert dep["beds"].sum() == fr["beds"].sum()
    adult_2023 = dep[(dep["year"] == 2023) & (dep["unit_type"] == "REAADU")]
    assert adult_2023["beds"].sum() == 5224
    idf = adult_2023.loc[adult_2023["reg"] == "11", "beds"].sum()
    assert idf == 1074
    met = beds[beds["geo_level"] == "metropole"]["beds"].sum()
    assert dep.loc[~dep["dep"].isin(OVERSEAS_DEPS), "beds"].sum() == met


def test_consistency_check_reports_the_aggregate_lines(beds: pd.DataFrame):
    changed = beds.copy()
    row = changed.index[
        (changed["geo_code"] == "69")
        & (changed["year"] == 2022)
        & (changed["unit_type"] == "USIC")
        & (changed["status"] == "1_Public")
    ][0]
    changed.loc[row, "beds"] += 3
    with pytest.raises(DataError) as err:
        drees.check_consistency(changed, CSV)
    problems = err.value.problems
    assert {p.line for p in problems} == set(
        beds.loc[
            beds["geo_level"].isin(["france", "metropole"])
            & (beds["year"] == 2022)
            & (beds["unit_type"] == "USIC")
            & (beds["status"] == "1_Public"),
            "_line",
        ]
    )
    assert all(p.column == "nb_lit" for p in problems)


def test_consistency_check_reports_a_missing_departement(beds: pd.DataFrame):
    without = beds[~((beds["geo_code"] == "2A") & (beds["year"] == 2019))]
    with pytest.raises(DataError, match="none for 2A"):
        drees.check_consistency(without, CSV)


def test_real_file_passes_check():
    drees.check_file(CSV)


def test_changed_departement_value_in_a_copy_is_refused(tmp_path: Path):
    def edit(lines: list[str]) -> list[str]:
        i = next(k for k, ln in enumerate(lines) if ln.startswith("75_Paris;1_Public;2023;REAADU;"))
        lines[i] = "75_Paris;1_Public;2023;REAADU;9999.0"
        return lines

    with pytest.raises(DataError) as err:
        drees.check_file(_broken_copy(tmp_path, edit))
    msg = str(err.value)
    assert "FR REAADU 1_Public 2023 beds = sum of its départements" in msg
    assert "MET REAADU 1_Public 2023" in msg


def test_unknown_geography_unit_and_mismatched_name_are_refused(tmp_path: Path):
    def edit(lines: list[str]) -> list[str]:
        lines[1] = "R11_Île-de-France;1_Public;2013;REAADU;4242.0"
        lines[2] = "01_Aisne;1_Public;2019;REAADU;4245.0"
        lines[3] = "00_FR;1_Public;2020;REANEO;342.0"
        return lines

    with pytest.raises(DataError) as err:
        drees.check_file(_broken_copy(tmp_path, edit))
    located = {(p.line, p.column) for p in err.value.problems}
    assert {(2, "id_geo"), (3, "id_geo"), (4, "unit_type")} <= located


def test_non_numeric_beds_and_wrong_separator(tmp_path: Path):
    def letters(lines: list[str]) -> list[str]:
        lines[5] = lines[5].rsplit(";", 1)[0] + ";douze"
        return lines

    with pytest.raises(DataError) as err:
        drees.check_file(_broken_copy(tmp_path, letters))
    assert (6, "beds") in {(p.line, p.column) for p in err.value.problems}

    with pytest.raises(DataError, match="';'-separated"):
        drees.check_file(_broken_copy(tmp_path, lambda ls: [ln.replace(";", ",") for ln in ls]))


def test_folder_argument(tmp_path: Path):
    with pytest.raises(DataError, match="lits_soins_critiques"):
        drees.load_critical_care_beds(folder=tmp_path)
    (
        tmp_path
        / "lits-de-reanimation-de-soins-intensifs-et-de-surveillance-continue-en-france0.csv"
    ).write_bytes(CSV.read_bytes())
    df = drees.load_critical_care_beds(folder=tmp_path)
    assert len(df) == 15141
