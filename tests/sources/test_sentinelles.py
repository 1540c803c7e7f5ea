"""Réseau Sentinelles weekly incidence: real files read faithfully, broken copies refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from twin.errors import DataError
from twin.paths import real_dir
from twin.sources import sentinelles

FOLDER = real_dir() / "sentinelles"
GRIPPE_FR = FOLDER / "grippe_incidence_france.csv"


@pytest.fixture(scope="module")
def grippe_fr() -> pd.DataFrame:
    return sentinelles.load_incidence("grippe", "france")


def _broken_copy(tmp_path: Path, edit, name: str = GRIPPE_FR.name) -> Path:
    """Copy of a real file into its own folder, its text lines passed through ``edit``."""
    lines = (FOLDER / name).read_text(encoding="utf-8").split("\n")
    folder = tmp_path / "sentinelles"
    folder.mkdir(exist_ok=True)
    out = folder / name
    out.write_text("\n".join(edit(lines)), encoding="utf-8")
    return out


def test_grippe_france_is_read_faithfully(grippe_fr: pd.DataFrame):
    assert list(grippe_fr.columns) == [*sentinelles.COLUMNS, "indicator", "_line"]
    assert len(grippe_fr) == 2152
    assert grippe_fr["week"].is_unique
    assert grippe_fr["week"].iat[0] == "198444"
    assert grippe_fr["week_start"].iat[0] == pd.Timestamp("1984-10-29")
    assert (grippe_fr["week_start"].dt.dayofweek == 0).all()
    assert grippe_fr["week_start"].is_monotonic_increasing
    assert set(grippe_fr["geo_code"]) == {"FR"}
    latest = grippe_fr[grippe_fr["week"] == "202604"].iloc[0]
    assert (latest["inc"], latest["inc_low"], latest["inc_up"]) == (176296, 162355, 190237)
    assert latest["inc100"] == 262
    assert latest["_line"] == 3  # newest week is the first data line, after '#' and header


def test_no_estimate_cells_stay_missing(grippe_fr: pd.DataFrame):
    missing = grippe_fr[grippe_fr["inc"].isna()]
    assert list(missing["week"]) == ["198919"]  # published as "-"
    assert missing[list(sentinelles.NUMBERS)].isna().all(axis=None)
    assert grippe_fr["inc"].notna().sum() == 2151


def test_week_53_is_a_valid_iso_week(grippe_fr: pd.DataFrame):
    w53 = grippe_fr[grippe_fr["week"] == "202053"]
    assert w53["week_start"].iat[0] == pd.Timestamp("2020-12-28")


def test_regional_file_uses_pre_2016_regions():
    reg = sentinelles.load_incidence("grippe", "region")
    assert set(reg["geo_code"]) == set(sentinelles.PRE2016_REGIONS)
    assert not reg.duplicated(["geo_code", "week"]).any()
    outre_mer = reg[reg["geo_code"] == "0"]
    assert outre_mer["inc"].isna().all()  # listed, never estimated
    corse = reg[reg["geo_code"] == "94"]
    assert corse["inc"].isna().sum() == 644
    assert set(sentinelles.PRE2016_TO_2016.values()) <= {
        "11",
        "24",
        "27",
        "28",
        "32",
        "44",
        "52",
        "53",
        "75",
        "76",
        "84",
        "93",
        "94",
    }


def test_gastro_file_actually_holds_chickenpox():
    with pytest.raises(DataError) as err:
        sentinelles.load_incidence("gastro", "france")
    assert "indicator 6" in str(err.value)
    assert "gastro_incidence_france.csv (varicelle, france)" in str(err.value)
    varicelle = sentinelles.load_incidence("varicelle", "france")
    assert len(varicelle) == 1834
    assert varicelle["week"].iat[0] == "199049"
    assert set(varicelle["indicator"]) == {"7"}


def test_attribution_comes_from_the_file():
    assert sentinelles.attribution(GRIPPE_FR) == (
        "réseau Sentinelles, INSERM, Sorbonne Université, https://www.sentiweb.fr"
    )
    assert sentinelles.read_metadata(GRIPPE_FR)["meta"]["indicator"] == "3"


def test_real_files_pass_check():
    for f in sorted(FOLDER.glob("*.csv")):
        sentinelles.check_file(f)


def test_folder_argument(tmp_path: Path):
    shutil.copy(GRIPPE_FR, tmp_path / "incidence-PAY-3.csv")  # the publisher's own name
    df = sentinelles.load_incidence("grippe", "france", folder=tmp_path)
    assert len(df) == 2152
    with pytest.raises(DataError, match="region level"):
        sentinelles.load_incidence("grippe", "region", folder=tmp_path)


def test_wrong_separator_is_reported_on_the_header_line(tmp_path: Path):
    def semicolons(lines: list[str]) -> list[str]:
        return [lines[0], *(ln.replace(",", ";") for ln in lines[1:])]

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, semicolons))
    problem = err.value.problems[0]
    assert problem.line == 2
    assert "';'-separated" in problem.found


def test_duplicated_week_is_reported_with_its_line(tmp_path: Path):
    def duplicate(lines: list[str]) -> list[str]:
        return [*lines[:3], lines[2], *lines[3:]]  # line 3 (week 202604) again as line 4

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, duplicate))
    problem = err.value.problems[0]
    assert problem.line == 4
    assert "duplicate of line 3" in problem.found


def test_non_numeric_incidence_is_reported_with_line_and_column(tmp_path: Path):
    def letters(lines: list[str]) -> list[str]:
        lines[4] = lines[4].replace(",179098,", ",1790g8,")
        return lines

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, letters))
    problem = err.value.problems[0]
    assert (problem.line, problem.column) == (5, "inc")
    assert "'1790g8'" in problem.found


def test_invalid_iso_week(tmp_path: Path):
    def edit(lines: list[str]) -> list[str]:
        lines[2] = lines[2].replace("202604,", "202153,", 1)  # 2021 has 52 ISO weeks
        return lines

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, edit))
    assert [(p.line, p.column) for p in err.value.problems] == [(3, "week")]


def test_inverted_interval(tmp_path: Path):
    def edit(lines: list[str]) -> list[str]:
        lines[3] = "202603,3,164592,170000,176329,244,227,261,FR,France"
        return lines

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, edit))
    assert (4, "inc") in {(p.line, p.column) for p in err.value.problems}


def test_unknown_indicator_and_region_code(tmp_path: Path):
    def edit(lines: list[str]) -> list[str]:
        lines[2] = lines[2].replace(",3,", ",9,", 1)
        lines[3] = lines[3].replace(",FR,France", ",75,PARIS")
        return lines

    with pytest.raises(DataError) as err:
        sentinelles.check_file(_broken_copy(tmp_path, edit))
    located = {(p.line, p.column) for p in err.value.problems}
    assert {(3, "indicator"), (4, "geo_code")} <= located
