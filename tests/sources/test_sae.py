"""SAE loader: the embedded real files, their published magnitudes, and broken copies refused.

Reference figures are recomputed here with plain pandas on the raw files where that is the
point of the test (no double counting), so the loader is not checked against itself.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, departements, regions
from twin.paths import real_dir
from twin.sources import drees, sae

SAE = real_dir() / "sae"
YEARS = list(range(2019, 2025))


def _raw(bordereau: str, year: int) -> pd.DataFrame:
    """A real file read naively (strings), for independent reference sums."""
    return pd.read_csv(SAE / str(year) / f"{bordereau}_{year}r.csv", sep=";", dtype=str,
                       encoding="latin-1", keep_default_na=False)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s.replace("", np.nan))


def _copy(tmp_path: Path, year: int, *bordereaux: str) -> Path:
    """Real files of ``year`` copied into ``tmp_path/YYYY`` (the real layout)."""
    folder = tmp_path / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    for b in bordereaux:
        shutil.copy(SAE / str(year) / f"{b}_{year}r.csv", folder)
    return folder


def _edit(path: Path, edit: Callable[[list[str]], list[str]]) -> None:
    """Rewrite a copied file line by line, keeping its Latin-1 encoding and CRLF endings."""
    lines = path.read_bytes().decode("latin-1").split("\r\n")
    path.write_bytes("\r\n".join(edit(lines)).encode("latin-1"))


def _problems(exc: pytest.ExceptionInfo[DataError]) -> list:
    return exc.value.problems


# --------------------------------------------------------------------------- embedded files


@pytest.fixture(scope="module")
def tables() -> dict[int, dict[str, pd.DataFrame]]:
    return {y: {b: fn(y) for b, fn in sae.LOADERS.items()} for y in YEARS}


def test_every_year_and_bordereau_loads_tidy(tables):
    assert sae.available_years() == YEARS
    columns = {
        "ID": sae.ESTABLISHMENT_COLUMNS, "URGENCES2": sae.ED_COLUMNS, "MCO": sae.MCO_COLUMNS,
        "REA": sae.CRITICAL_CARE_COLUMNS, "SMURSAMU": sae.SAMU_SMUR_COLUMNS,
        "SSR": sae.SSR_COLUMNS,
    }
    keys = {
        "ID": ["finess"], "URGENCES2": ["finess", "unit_type"], "MCO": ["finess", "discipline"],
        "REA": ["finess", "unit_code"], "SMURSAMU": ["finess"], "SSR": ["finess", "age_group"],
    }
    for year in YEARS:
        register = tables[year]["ID"].set_index("finess")
        for b, df in tables[year].items():
            assert list(df.columns) == list(columns[b]), (year, b)
            assert len(df) > 400, (year, b)
            assert not df.duplicated(keys[b]).any(), (year, b)
            assert df["finess"].str.fullmatch(r"(?:\d{2}|2[AB])\d{7}").all()
            # Every establishment of every bordereau is in one of the 101 départements,
            # and its codes are those of the register.
            assert set(df["dep"]) <= set(departements().index), (year, b)
            assert set(df["reg"]) <= set(regions().index), (year, b)
            assert (register.loc[df["finess"], "dep"].to_numpy() == df["dep"].to_numpy()).all()
            numbers = df.select_dtypes("number")
            assert (numbers.fillna(0) >= 0).all().all(), (year, b)
            assert all(t == np.float64 for t in numbers.dtypes), (year, b)


def test_ed_units_2023_match_published_count_and_passages(tables):
    ed = tables[2023]["URGENCES2"]
    # 689 ED units = the 689 rows of URGENCES2_2023r.csv: one per site (FI) and unit type
    # (URG: 603 general, 86 paediatric), every one with passages > 0, on 618 sites.
    assert len(ed) == 689
    assert (ed["passages"] > 0).sum() == 689
    assert ed["finess"].nunique() == 618
    assert ed["unit_type"].value_counts().to_dict() == {"GEN": 603, "PED": 86}
    assert ed["passages"].sum() == 20_893_055
    # Published series (french-health-data.md): 2019 22.0 M, 2020 18.1 M, 2024 21.4 M.
    for year, published in ((2019, 22.0e6), (2020, 18.1e6), (2024, 21.4e6)):
        assert tables[year]["URGENCES2"]["passages"].sum() == pytest.approx(published, rel=0.005)
    # Masked/empty cells stay missing: paediatric units never fill dt18.
    ped = ed[ed["unit_type"] == "PED"]
    assert ped["passages_under18"].isna().all()
    assert ed["passages_over80"].isna().sum() == 689 - 588


def test_admissions_reported_or_derived_from_their_parts(tables):
    raw = _raw("URGENCES2", 2021)
    parts = raw[["dtMCO", "dtLS", "dtHAD", "dtEXT"]].apply(_num).sum(axis=1, min_count=1)
    hosp = _num(raw["dtHOSP"])
    both = hosp.notna() & parts.notna()
    assert both.sum() > 500 and (hosp[both] == parts[both]).all()  # the identity relied on
    ed = tables[2023]["URGENCES2"]
    # 2023 fills dtHOSP for paediatric units only; general units are derived.
    assert not ed.loc[ed["unit_type"] == "PED", "admissions_derived"].any()
    assert ed.loc[ed["admissions_derived"], "unit_type"].eq("GEN").all()
    assert ed["admissions_derived"].sum() == 541
    assert ed["admissions"].sum() == 3_747_910
    share = ed["admissions"].sum() / ed.loc[ed["admissions"].notna(), "passages"].sum()
    assert 0.17 < share < 0.22  # published: about 20 % admitted
    assert ed["transfers_out"].sum() == 230_034
    assert not tables[2021]["URGENCES2"]["admissions_derived"].any()


def test_2024_ed_columns_and_codes(tables):
    ed24 = tables[2024]["URGENCES2"]
    assert set(ed24["unit_type"]) == {"GEN", "PED", "AMU"}
    assert set(ed24["reg"]) <= set(regions().index)  # URGENCES2's own REG (1/2/3) is not read
    assert ed24["hours_weekdays"].notna().sum() == 2
    assert ed24.loc[ed24["hours_weekdays"].notna(), "hours_weekdays"].eq(24).all()
    assert tables[2023]["URGENCES2"][["hours_weekdays", "open_weekdays"]].isna().all().all()


def test_overseas_and_corsica_codes_are_official(tables):
    for year in YEARS:
        est = tables[year]["ID"]
        deps = set(est["dep"])
        assert not deps & {"9A", "9B", "9C", "9D", "9E", "9F"}
        assert set(OVERSEAS_DEPS) <= deps and {"2A", "2B"} <= deps
        assert not est["municipality"].str.match(r"9[A-F]").any()
        overseas = est[est["dep"].isin(OVERSEAS_DEPS)]
        assert (overseas["municipality"].str[:3] == overseas["dep"]).all()
        assert set(tables[year]["URGENCES2"]["dep"]) >= {"971", "974", "976", "2A", "2B"}
    raw = _raw("ID", 2023)
    assert set(raw["dep"]) >= {"9A", "9B", "9C", "9D", "9F"}  # what the file itself says


def test_establishment_status_agrees_with_category(tables):
    est = tables[2023]["ID"]
    assert est["status"].value_counts().to_dict() == {
        "public": 1428, "private_for_profit": 1288, "private_non_profit": 1259,
    }
    prefix = est["status"].map(
        {"public": "PUB", "private_for_profit": "PLU", "private_non_profit": "PNL"}
    )
    assert (est["category_group"].str[:3] == prefix).all()


def test_mco_beds_2023_without_totals(tables):
    mco = tables[2023]["MCO"]
    assert set(mco["discipline"]) == {"medicine", "surgery", "obstetrics"}
    by = mco.groupby("discipline")["beds"].sum()
    # Published: 187,427 beds (118.7 k medicine, 52.9 k surgery, 15.8 k obstetrics); the
    # file's discipline columns give exactly that, and equal its LIT_MCO total.
    assert by.to_dict() == {"medicine": 118_728, "surgery": 52_863, "obstetrics": 15_836}
    assert mco["beds"].sum() == 187_427 == _num(_raw("MCO", 2023)["LIT_MCO"]).sum()
    # Published 10.24 M full / 8.92 M day stays are the *_MCO totals; the disciplines differ
    # from them on a row or two (not read, never added).
    assert mco["stays_full"].sum() == 10_239_005
    assert mco["day_stays"].sum() == pytest.approx(8.92e6, rel=0.001)
    occupancy = mco["patient_days"].sum() / mco["bed_days"].sum()
    assert 0.70 < occupancy < 0.80  # published: about 74 %


def test_critical_care_2023_and_harmonised_with_drees(tables):
    cc = tables[2023]["REA"]
    assert cc.loc[cc["unit_code"] == "REAADU", "beds"].sum() == 5224
    assert not cc["unit_code"].isin(["SITOT", "SIADU", "SIPED", "REAPEDREC"]).any()
    series = drees.load_critical_care_beds()
    fr = series[series["geo_level"] == "france"].groupby(["year", "unit_type"])["beds"].sum()
    for year in YEARS:
        got = tables[year]["REA"].groupby("drees_unit")["beds"].sum()
        expected = fr.xs(year)
        if year == 2021:  # DREES revised 2021 REAADU: 5,600 against the SAE file's 5,609
            expected = expected.copy()
            expected["REAADU"] = 5609
        if year == 2024:  # no surveillance-continue rows in the 2024 REA file (see module)
            expected = expected.drop(["SURVADU", "SURVENF"])
        assert got.to_dict() == expected.to_dict(), year
    assert set(tables[2024]["REA"]["unit_type"]) == {
        "reanimation_adult", "reanimation_paediatric", "intensive_care",
    }
    raw = _raw("REA", 2023)  # SITOT is the intensive-care total: reading it would double count
    p = raw.assign(LIT=_num(raw["LIT"])).pivot_table(index="FI", columns="UNI", values="LIT",
                                                     aggfunc="sum")
    parts = p[["USIC", "SIUNV", "AUTSI"]].sum(axis=1, min_count=1)
    assert (p["SITOT"].dropna() == parts[p["SITOT"].notna()]).all()


def test_samu_smur_2023_close_to_published(tables):
    ss = tables[2023]["SMURSAMU"]
    total = ss.drop(columns=["finess", "dep", "reg", "has_smur", "has_samu"]).sum()
    # Published national 2023 figures; the file gives them to the rounding shown (0.5 %).
    published = {
        "calls_received": 36.6e6, "calls_answered": 31.3e6, "regulation_files": 20.7e6,
        "medical_regulation_files": 16.3e6, "smur_exits": 722e3, "primary_road": 517e3,
        "secondary_road": 120e3,
    }
    for col, value in published.items():
        assert total[col] == pytest.approx(value, rel=0.005), col
    # "24 k by air" matches each air column alone (2 %); both are counted in the exits.
    assert total["air_primary"] == pytest.approx(24e3, rel=0.02)
    assert total["air_secondary"] == pytest.approx(24e3, rel=0.02)
    assert total["air"] == 48_175
    components = ["primary_road", "secondary_road", "paramedic_transfers", "air_primary",
                  "air_secondary", "sea"]
    assert (ss[components].fillna(0).sum(axis=1) == ss["smur_exits"].fillna(0)).all()
    assert ss["has_samu"].sum() == 101 and ss["has_smur"].sum() == 454
    assert ss.loc[~ss["has_samu"], "calls_received"].isna().all()


def test_ssr_keeps_the_non_overlapping_level(tables):
    ssr = tables[2023]["SSR"]
    assert set(ssr["age_group"]) == {"adult", "paediatric"}
    raw = _raw("SSR", 2023)
    total = raw[raw["GDE"] == "SSR_TOT"]
    assert ssr["beds"].sum() == _num(total["LIT"]).sum() == 101_367  # published: 101.4 k
    assert ssr["stays"].sum() == _num(total["SEJHC"]).sum()
    assert ssr["days"].sum() / ssr["stays"].sum() == pytest.approx(34, abs=0.5)
    everything = _num(raw["LIT"]).sum()
    assert everything > 2 * ssr["beds"].sum()  # what summing every GDE row would give


def test_check_file_accepts_every_embedded_file():
    files = sorted(SAE.glob("*/*.csv"))
    assert len(files) == 36
    for f in files:
        sae.check_file(f)


# --------------------------------------------------------------------------- other folders


def test_flat_folder_lower_case_and_a_suffix(tmp_path: Path):
    shutil.copy(SAE / "2023" / "ID_2023r.csv", tmp_path / "id_2023a.csv")
    shutil.copy(SAE / "2023" / "URGENCES2_2023r.csv", tmp_path / "Urgences2_2023a.csv")
    ed = sae.load_ed_units(2023, folder=tmp_path)
    assert ed["passages"].sum() == 20_893_055
    assert sae.available_years(tmp_path) == []
    assert sae.available_years(tmp_path, bordereaux=("ID", "URGENCES2")) == [2023]
    with pytest.raises(DataError) as err:
        sae.load_mco(2023, folder=tmp_path)
    assert "MCO_2023" in str(err.value) and "no such file" in str(err.value)
    shutil.copy(SAE / "2023" / "URGENCES2_2023r.csv", tmp_path / "URGENCES2_2023r.csv")
    with pytest.raises(DataError, match="exactly one SAE URGENCES2 file"):
        sae.load_ed_units(2023, folder=tmp_path)


def test_file_patterns_match_real_names():
    import fnmatch

    for name in ("URGENCES2_2023r.csv", "ID_2019r.csv", "SSR_2024r.csv", "REA_2021a.csv"):
        assert any(fnmatch.fnmatch(name.lower(), p.lower()) for p in sae.FILE_PATTERNS)
    assert not any(fnmatch.fnmatch("idées.csv", p.lower()) for p in sae.FILE_PATTERNS)
    with pytest.raises(DataError, match="an SAE file named like"):
        sae.check_file(SAE.parent / "drees" / "lits_soins_critiques.csv")


# --------------------------------------------------------------------------- broken copies


def test_unknown_column_names_file_and_column(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID", "URGENCES2")
    path = folder / "URGENCES2_2023r.csv"
    _edit(path, lambda ls: [f"{ln};NOUVEAU" if i == 0 else (f"{ln};" if ln else ln)
                            for i, ln in enumerate(ls)])
    with pytest.raises(DataError) as err:
        sae.load_ed_units(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert problem.column == "NOUVEAU" and problem.file == str(path)
    assert "unknown column 'NOUVEAU'" in str(err.value)


def test_column_of_another_vintage_is_unknown(tmp_path: Path):
    # UNIT only exists from 2024: in a 2023 REA file it is a renamed or misplaced column.
    folder = _copy(tmp_path, 2023, "ID", "REA")
    _edit(folder / "REA_2023r.csv",
          lambda ls: [ln.replace(";LIT_PROXI;", ";UNIT;", 1) if i == 0 else ln
                      for i, ln in enumerate(ls)])
    with pytest.raises(DataError) as err:
        sae.check_file(folder / "REA_2023r.csv")
    # ... and the column it replaced is missing (every column of the vintage is expected).
    assert sorted(p.column for p in _problems(err)) == ["LIT_PROXI", "UNIT"]


def test_missing_column_is_reported(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID", "URGENCES2")
    header = (folder / "URGENCES2_2023r.csv").read_bytes().decode("latin-1").split("\r\n")[0]
    k = header.split(";").index("dt80")

    def drop(lines: list[str]) -> list[str]:
        return [";".join(f for j, f in enumerate(ln.split(";")) if j != k) if ln else ln
                for ln in lines]

    _edit(folder / "URGENCES2_2023r.csv", drop)
    with pytest.raises(DataError) as err:
        sae.load_ed_units(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert problem.column == "passages_over80" and "'dt80'" in problem.expected
    assert problem.found == "no such column"


def test_ed_unit_absent_from_register(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID", "URGENCES2")
    _edit(folder / "ID_2023r.csv", lambda ls: [ln for ln in ls if ";010000032;" not in ln])
    with pytest.raises(DataError) as err:
        sae.load_ed_units(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert problem.column == "FI" and "'010000032'" in problem.found
    assert problem.file.endswith("URGENCES2_2023r.csv") and problem.line == 3
    with pytest.raises(DataError):  # check_file finds the register beside the file
        sae.check_file(folder / "URGENCES2_2023r.csv")


def test_aggregate_row_is_refused_not_summed(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID", "URGENCES2")
    path = folder / "URGENCES2_2023r.csv"
    lines = path.read_bytes().decode("latin-1").split("\r\n")
    n_fields = lines[0].count(";") + 1
    total = ["URGENCES2", "2023", "", "TOTAL FRANCE", "", "GEN", "", "", "", "", "20893055"]
    total += [""] * (n_fields - len(total))
    _edit(path, lambda ls: [*ls[:-1], ";".join(total), ls[-1]])
    with pytest.raises(DataError) as err:
        sae.load_ed_units(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert "aggregate row among establishment rows" in str(err.value)
    assert problem.line == 691 and problem.column == "FI"


def test_bad_values_are_all_reported_with_their_lines(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID", "REA", "MCO")

    def break_rea(lines: list[str]) -> list[str]:
        out = list(lines)
        out[1] = out[1].replace(";REAADU;12;", ";REAADU;-12;")  # negative beds
        out[2] = out[2].replace(";SITOT;", ";SIADU;")  # a 2024 code in a 2023 file
        out[3] = out[3].replace("REA;2023;", "REA;2022;")  # another year's row
        return out

    _edit(folder / "REA_2023r.csv", break_rea)
    with pytest.raises(DataError) as err:
        sae.load_critical_care(2023, folder=tmp_path)
    assert {(p.line, p.column) for p in _problems(err)} == {(2, "beds")}  # numbers first
    _edit(folder / "REA_2023r.csv",
          lambda ls: [ln.replace(";REAADU;-12;", ";REAADU;12;") for ln in ls])
    with pytest.raises(DataError) as err:  # then codes and years, all in one report
        sae.load_critical_care(2023, folder=tmp_path)
    assert {(p.line, p.column) for p in _problems(err)} == {(3, "UNI"), (4, "AN")}
    _edit(folder / "MCO_2023r.csv", lambda ls: [ls[0], ls[1].replace(";246;", ";2x6;"), *ls[2:]])
    with pytest.raises(DataError) as err:
        sae.load_mco(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert (problem.line, problem.column, problem.found) == (2, "beds_MED", "'2x6'")


def test_register_outside_the_101_departements(tmp_path: Path):
    folder = _copy(tmp_path, 2023, "ID")
    _edit(folder / "ID_2023r.csv",
          lambda ls: [ls[0], ls[1].replace(";84;01;84;01;", ";84;9E;84;01;"), *ls[2:]])
    with pytest.raises(DataError) as err:
        sae.load_establishments(2023, folder=tmp_path)
    (problem,) = _problems(err)
    assert (problem.line, problem.column, problem.found) == (2, "dep", "'9E'")
    assert "101 départements" in problem.expected
