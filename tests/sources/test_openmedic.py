"""Open Medic replica and loader: format, folding, monthly = annual, dynamics, bad input."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import DataError
from twin.paths import real_dir
from twin.sources import openmedic as om
from twin.synthetic import openmedic as gen
from twin.synthetic.medicines import PRODUCTS_BY_KEY, SENTINEL_PRODUCTS

HEADER = (
    "ATC1;l_ATC1;ATC2;L_ATC2;ATC3;L_ATC3;ATC4;L_ATC4;ATC5;L_ATC5;CIP13;l_cip13;TOP_GEN;GEN_NUM;"
    "age;sexe;BEN_REG;PSP_SPE;BOITES;REM;BSE"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("openmedic")
    gen.generate(real_dir(), out)
    return out / "openmedic"


@pytest.fixture(scope="module")
def annual(folder: Path) -> pd.DataFrame:
    return om.load_dispensing(folder=folder)


@pytest.fixture(scope="module")
def monthly(folder: Path) -> pd.DataFrame:
    return om.load_monthly(folder)


def test_annual_files_format(folder: Path):
    names = sorted(p.name for p in folder.iterdir())
    assert names == [*(f"OPEN_MEDIC_{y}.CSV" for y in range(2019, 2025)), om.MONTHLY_FILE]
    for year in (2019, 2023):
        raw = (folder / f"OPEN_MEDIC_{year}.CSV").read_bytes()
        assert raw.startswith(HEADER.encode() + b"\r\n")
        assert "µG".encode("cp1252") in raw and "µG".encode() not in raw  # Windows-1252
        rows = [line.split(";") for line in raw.decode("cp1252").splitlines()[1:]]
        assert {len(r) for r in rows} == {21}
        money = {cell for r in rows for cell in r[19:21]}
        if year == 2019:  # old vintage: '.' thousands separator, decimal comma
            assert all(re.fullmatch(r"\d{1,3}(\.\d{3})*,\d\d", m) for m in money)
            assert any("." in m for m in money)
        else:
            assert all(re.fullmatch(r"\d+,\d\d", m) for m in money)


def test_load_dispensing_is_tidy_with_string_codes(annual: pd.DataFrame):
    assert list(annual.columns) == [
        "year", "cip13", "label", "atc5", "age", "sex", "reg", "prescriber", "boxes",
        "reimbursed_eur", "base_eur", "folded",
    ]  # fmt: skip
    assert sorted(annual["year"].unique()) == list(range(2019, 2025))
    assert set(annual["cip13"]) == {p.cip13 for p in SENTINEL_PRODUCTS}
    assert set(annual["age"]) <= {"0", "20", "60", "99"}
    assert set(annual["reg"]) <= set(om.BEN_REG_LABELS)
    assert "5" in set(annual["reg"]) and "94" not in set(annual["reg"])  # Corse inside 93
    assert annual["boxes"].dtype == np.int64
    assert (annual["reimbursed_eur"] <= annual["base_eur"] + 1e-9).all()


def test_small_cells_are_folded_into_unknown_rows(annual: pd.DataFrame):
    detail = annual[~annual["folded"]]
    assert detail["boxes"].min() >= gen.FOLD_BELOW
    folded = annual[annual["folded"]]
    assert ((folded["age"] == "99") & (folded["sex"] == "9") & (folded["reg"] == "99")).all()
    # Some folded rows exist beyond the genuine unknowns (prescriber 99): small cells moved.
    assert (folded["prescriber"] != "99").any()


def test_fold_conserves_totals_and_removes_small_cells():
    cells = pd.DataFrame(
        {
            "cip13": ["3400939990019"] * 5,
            "age": ["0", "20", "60", "60", "99"],
            "sexe": ["1", "2", "2", "1", "9"],
            "ben_reg": ["11", "11", "84", "84", "99"],
            "psp_spe": ["1", "1", "1", "1", "1"],
            "boites": [3, 250, 9, 0, 4],
            "rem_c": [700, 60000, 2000, 0, 900],
            "bse_c": [1000, 80000, 3000, 0, 1300],
        }
    )
    out = gen.fold(cells)
    assert out[["boites", "rem_c", "bse_c"]].sum().tolist() == [266, 63600, 85300]
    unknown = out[out["age"] == "99"]
    assert unknown[["boites", "rem_c", "bse_c"]].iloc[0].tolist() == [16, 3600, 5300]
    assert len(out) == 2 and out["boites"].min() > 0


def test_monthly_sums_exactly_to_annual(annual: pd.DataFrame, monthly: pd.DataFrame):
    assert monthly.groupby(["year", "cip13", "reg"]).size().eq(12).all()
    keys = ["year", "cip13", "reg"]
    a = annual.groupby(keys)[["boxes", "reimbursed_eur", "base_eur"]].sum()
    m = monthly.groupby(keys)[["boxes", "reimbursed_eur", "base_eur"]].sum()
    assert a.index.equals(m.index)
    assert (a["boxes"] == m["boxes"]).all()
    for col in ("reimbursed_eur", "base_eur"):  # to the cent
        assert (np.round(a[col] * 100) == np.round(m[col] * 100)).all()
    assert monthly.loc[monthly["reg"] == "99", "folded"].all()


def _national(monthly: pd.DataFrame, key: str) -> pd.Series:
    cip = PRODUCTS_BY_KEY[key].cip13
    return monthly[monthly["cip13"] == cip].groupby("month")["boxes"].sum()


def test_monthly_dynamics(monthly: pd.DataFrame):
    amox = _national(monthly, "amoxicilline_1g_cp")
    assert amox["2019-01"].item() > 1.8 * amox["2019-08"].item()  # winter peak
    para = _national(monthly, "paracetamol_1g_cp")
    surge = para["2022-12":"2023-01"].sum()
    assert surge > 1.05 * para["2021-12":"2022-01"].sum()  # winter 2022-23 surge
    salb = _national(monthly, "salbutamol_inhalateur")
    assert salb["2019-10"].item() > 1.3 * salb["2019-07"].item()  # autumn peak
    glar = _national(monthly, "insuline_glargine_stylo")["2019"]
    assert glar.max() < 1.25 * glar.min()  # flat
    assert _national(monthly, "insuline_glargine_stylo")["2024"].sum() > glar.sum() * 1.05
    tamox = _national(monthly, "tamoxifene_20mg_cp")
    # March 2023 is fully under the tamoxifen rupture of the BDPM feed.
    others = tamox[tamox.index.month == 3].drop(pd.Timestamp("2023-03-01"))
    assert tamox["2023-03"].item() < 0.85 * others.median()


def test_volumes_follow_population_and_age(annual: pd.DataFrame):
    year = annual[(annual["year"] == 2023) & ~annual["folded"]]
    glar = year[year["cip13"] == PRODUCTS_BY_KEY["insuline_glargine_stylo"].cip13]
    by_reg = glar.groupby("reg")["boxes"].sum()
    assert by_reg["11"] > 3 * by_reg["24"]  # Île-de-France vs Centre-Val de Loire
    assert glar.groupby("age")["boxes"].sum().idxmax() == "60"
    susp = year[year["cip13"] == PRODUCTS_BY_KEY["amoxicilline_500mg5ml_susp"].cip13]
    assert susp.groupby("age")["boxes"].sum()["0"] > 0.9 * susp["boxes"].sum()
    tamox = year[year["cip13"] == PRODUCTS_BY_KEY["tamoxifene_20mg_cp"].cip13]
    assert tamox.groupby("sex")["boxes"].sum()["2"] > 0.95 * tamox["boxes"].sum()
    para = annual[annual["cip13"] == PRODUCTS_BY_KEY["paracetamol_1g_cp"].cip13]
    assert para.groupby("year")["boxes"].sum().min() > 1e8


# --- bad input --------------------------------------------------------------------------


def _edit(folder: Path, tmp_path: Path, name: str, line: int, field: int, value: str) -> Path:
    lines = (folder / name).read_bytes().decode("cp1252").split("\r\n")
    cells = lines[line - 1].split(";")
    cells[field] = value
    lines[line - 1] = ";".join(cells)
    dst = tmp_path / name
    dst.write_bytes("\r\n".join(lines).encode("cp1252"))
    return dst


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        om.check_file(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("field", "value", "column", "hint"),
    [
        (16, "42", "ben_reg", "BEN_REG code"),
        (14, "30", "age", "age code"),
        (15, "3", "sexe", "sex code"),
        (18, "douze", "boites", "an integer"),
        (18, "-5", "boites", "non-negative"),
        (19, "12,5x", "rem", "a number"),
        (10, "3400939990018", "cip13", "check digit"),
        (10, "34009399900", "cip13", "13 digits"),
        (8, "N02BE01", "atc5", "inside ATC4"),
    ],
)
def test_bad_annual_cells_are_located(folder, tmp_path, field, value, column, hint):
    path = _edit(folder, tmp_path, "OPEN_MEDIC_2023.CSV", 7, field, value)
    msgs = _problems(path)
    assert any(
        "OPEN_MEDIC_2023.CSV:7:" in m and f"column {column!r}" in m and hint in m for m in msgs
    ), msgs


def test_duplicated_key_and_wrong_encoding(folder, tmp_path):
    text = (folder / "OPEN_MEDIC_2022.CSV").read_bytes().decode("cp1252")
    lines = text.split("\r\n")
    dup = tmp_path / "OPEN_MEDIC_2022.CSV"
    dup.write_bytes("\r\n".join([*lines[:4], lines[2], *lines[4:]]).encode("cp1252"))
    msgs = _problems(dup)
    assert any(":5:" in m and "duplicate of line 3" in m for m in msgs), msgs
    utf8 = tmp_path / "OPEN_MEDIC_2021.CSV"
    utf8.write_bytes(text.encode("utf-8"))
    (msg,) = _problems(utf8)
    assert "OPEN_MEDIC_2021.CSV" in msg and "UTF-8" in msg


def test_bad_monthly_month_and_missing_year(folder, tmp_path):
    path = _edit(folder, tmp_path, om.MONTHLY_FILE, 4, 0, "202213")
    msgs = _problems(path)
    assert any(f"{om.MONTHLY_FILE}:4:" in m and "column 'mois'" in m for m in msgs), msgs
    (tmp_path / "OPEN_MEDIC_2019.CSV").write_bytes((folder / "OPEN_MEDIC_2019.CSV").read_bytes())
    with pytest.raises(DataError) as info:
        om.load_dispensing(years=[2019, 2020], folder=tmp_path)
    assert "2020" in str(info.value) and "no such file" in str(info.value)
