"""Data pathologies replica and loader: format, masking, aggregates, magnitudes, bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from twin.errors import DataError
from twin.paths import real_dir
from twin.sources import pathologies as pa
from twin.synthetic import pathologies as gen
from twin.synthetic.medicines import population

HEADER = (
    "annee;patho_niv1;patho_niv2;patho_niv3;top;cla_age_5;sexe;region;dept;Ntop;Npop;prev;"
    "Niveau prioritaire;libelle_classe_age;libelle_sexe;tri"
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pathologies")
    gen.generate(real_dir(), out)
    return out / "pathologies"


@pytest.fixture(scope="module")
def text(folder: Path) -> str:
    return gzip.decompress((folder / "effectifs.csv.gz").read_bytes()).decode("utf-8")


@pytest.fixture(scope="module")
def prevalence(folder: Path) -> pd.DataFrame:
    return pa.load_prevalence(folder)


def test_file_is_deterministic_gzip_of_utf8_semicolon_csv(folder: Path, text: str):
    raw = (folder / "effectifs.csv.gz").read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\x00\x00\x00\x00"  # gzip, mtime 0
    assert len(raw) < 10_000_000 < len(text.encode())
    lines = text.split("\n")
    assert lines[0] == HEADER
    assert {line.count(";") for line in lines[1:] if line} == {15}
    assert "de 0 à 4 ans" in text and "95 ans et plus" in text and "tous âges" in text
    prev = [line.split(";")[11] for line in lines[1:200] if line]
    assert any(p and "." in p for p in prev) and not any("," in p for p in prev)


def test_masked_cells_are_empty_in_the_file(text: str):
    cells = [line.split(";") for line in text.split("\n")[1:] if line]
    ntop = [c[9] for c in cells]
    assert "0" not in ntop
    published = [int(v) for v in ntop if v]
    assert min(published) >= 10 and all(v % 10 == 0 for v in published)
    masked = [c for c in cells if c[9] == ""]
    assert len(masked) > 1000
    assert all(c[11] == "" for c in masked)  # prev masked with Ntop
    assert all(c[10] != "" for c in masked)  # Npop still published


def test_masked_loaded_as_nan_with_flag_never_zero(prevalence: pd.DataFrame):
    masked = prevalence[prevalence["n_patients_masked"]]
    assert len(masked) > 1000
    assert masked["n_patients"].isna().all() and masked["prevalence"].isna().all()
    shown = prevalence[~prevalence["n_patients_masked"]]
    assert (shown["n_patients"] >= 10).all() and shown["prevalence"].notna().all()
    assert not (prevalence["n_patients"] == 0).any()
    # Breast cancer in men is masked almost everywhere; in women of 50-74 never.
    sei = prevalence[(prevalence["top"] == "CAN_SEI_ACT") & (prevalence["geo_level"] == "dep")]
    men = sei[(sei["sex"] == "1") & (sei["age_class"] != "tsage")]
    assert men["n_patients_masked"].mean() > 0.9
    women = sei[(sei["sex"] == "2") & sei["age_class"].isin(["50-54", "60-64", "70-74"])]
    assert not women["n_patients_masked"].any()


def test_tidy_columns_and_levels(prevalence: pd.DataFrame):
    assert set(prevalence["year"]) == set(range(2019, 2024))
    assert set(prevalence["top"]) == {c["top"] for c in gen.CONDITIONS}
    assert set(prevalence["geo_level"]) == {"dep", "reg", "france"}
    assert prevalence.loc[prevalence["geo_level"] == "dep", "dep"].nunique() == 101
    assert prevalence.loc[prevalence["geo_level"] == "reg", "reg"].nunique() == 18
    assert prevalence["condition_3"].isna().any() and prevalence["condition_3"].notna().any()
    detail = prevalence[~prevalence["aggregate"]]
    assert (detail["age_class"] != "tsage").all() and (detail["sex"] != "9").all()
    assert (detail["geo_level"] == "dep").all()


def test_aggregates_are_flagged_and_consistent(folder: Path, prevalence: pd.DataFrame):
    detail = pa.load_prevalence(folder, aggregates=False)
    assert not detail["aggregate"].any()
    assert len(detail) == (~prevalence["aggregate"]).sum()
    sel = (prevalence["year"] == 2023) & (prevalence["top"] == "DIA_CAT_CAT")
    fr = prevalence[sel & (prevalence["geo_level"] == "france")]
    total = fr[(fr["age_class"] == "tsage") & (fr["sex"] == "9")]
    dep_rows = detail[(detail["year"] == 2023) & (detail["top"] == "DIA_CAT_CAT")]
    # Rounding each cell to the ten moves a sum by at most 5 per cell; a masked cell hides
    # at most 10 patients.
    slack = 5 * len(dep_rows)
    assert abs(dep_rows["n_pop"].sum() - total["n_pop"].item()) <= slack
    hidden = 10 * dep_rows["n_patients_masked"].sum()
    assert abs(dep_rows["n_patients"].sum() - total["n_patients"].item()) <= slack + hidden


def test_magnitudes_and_population(real_pop_2023: float, prevalence: pd.DataFrame):
    fr = prevalence[
        (prevalence["geo_level"] == "france")
        & (prevalence["age_class"] == "tsage")
        & (prevalence["sex"] == "9")
        & (prevalence["year"] == 2023)
    ].set_index("top")
    assert 5.0 < fr.loc["DIA_CAT_CAT", "prevalence"] < 7.5
    assert 0.8 < fr.loc["MCV_ICA_CAT", "prevalence"] < 1.6
    assert 4.0 < fr.loc["RES_CAT_EXC", "prevalence"] < 7.0
    npop = fr.loc["DIA_CAT_CAT", "n_pop"]
    assert 0.98 < npop / real_pop_2023 < 1.06  # care users, close to INSEE residents
    ica = prevalence[
        (prevalence["top"] == "MCV_ICA_CAT") & (prevalence["geo_level"] == "france")
        & (prevalence["sex"] == "9") & (prevalence["year"] == 2023)
        & (prevalence["age_class"] != "tsage")
    ].sort_values("age_class")  # fmt: skip
    assert ica["prevalence"].iloc[-4:].min() > ica["prevalence"].iloc[8:12].max()


@pytest.fixture(scope="module")
def real_pop_2023() -> float:
    pop = population(real_dir(), [2023])
    return float(pop["population"].sum())


def test_plain_and_latin1_copies_are_read(tmp_path: Path, text: str):
    head = "\n".join(text.split("\n")[:400]) + "\n"
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "effectifs.csv").write_bytes(head.encode("utf-8"))
    latin = tmp_path / "latin"
    latin.mkdir()
    (latin / "effectifs.csv").write_bytes(head.encode("latin-1"))
    a, b = pa.load_prevalence(plain), pa.load_prevalence(latin)
    assert len(a) == 399
    pd.testing.assert_frame_equal(a, b)


# --- bad input --------------------------------------------------------------------------


def _small(tmp_path: Path, text: str, line: int, field: int, value: str) -> Path:
    lines = text.split("\n")[:60]
    cells = lines[line - 1].split(";")
    cells[field] = value
    lines[line - 1] = ";".join(cells)
    path = tmp_path / "effectifs.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        pa.check_file(path)
    return [str(p) for p in info.value.problems]


def _unmasked_line(text: str) -> int:
    lines = text.split("\n")[:60]
    return next(i + 1 for i, ln in enumerate(lines[1:], 1) if ln.split(";")[9])


@pytest.mark.parametrize(
    ("field", "value", "column", "hint"),
    [
        (8, "20", "dept", "département"),
        (7, "12", "region", "région"),
        (7, "11", "region", "région 84 for département 01"),
        (10, "beaucoup", "npop", "an integer"),
        (9, "-20", "ntop", "non-negative"),
        (5, "100-104", "cla_age_5", "age class"),
        (6, "3", "sexe", "sex code"),
        (11, "120.5", "prev", "0-100"),
    ],
)
def test_bad_cells_are_located(tmp_path, text, field, value, column, hint):
    line = _unmasked_line(text)
    msgs = _problems(_small(tmp_path, text, line, field, value))
    assert any(
        f"effectifs.csv:{line}:" in m and f"column {column!r}" in m and hint in m for m in msgs
    ), msgs


def test_prev_without_ntop_ntop_over_npop_and_duplicates(tmp_path, text):
    lines = text.split("\n")[:60]
    masked = next(i + 1 for i, ln in enumerate(lines[1:], 1) if not ln.split(";")[9])
    msgs = _problems(_small(tmp_path, text, masked, 11, "0.001"))
    assert any(f":{masked}:" in m and "column 'prev'" in m and "masked" in m for m in msgs)
    line = _unmasked_line(text)
    npop = lines[line - 1].split(";")[10]
    msgs = _problems(_small(tmp_path, text, line, 9, str(int(npop) + 10)))
    assert any(f":{line}:" in m and "column 'ntop'" in m for m in msgs)
    dup = tmp_path / "dup" / "effectifs.csv"
    dup.parent.mkdir()
    dup.write_bytes(("\n".join([*lines[:10], lines[3]]) + "\n").encode("utf-8"))
    msgs = _problems(dup)
    assert any(":11:" in m and "duplicate of line 4" in m for m in msgs), msgs


def test_empty_npop_is_an_error_not_a_zero(tmp_path, text):
    msgs = _problems(_small(tmp_path, text, 5, 10, ""))
    assert any("effectifs.csv:5:" in m and "column 'npop'" in m for m in msgs)
