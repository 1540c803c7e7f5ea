"""BDPM availability snapshots: format, history against the injected ground truth, bad input."""

from __future__ import annotations

import csv
import itertools
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest

from twin.errors import DataError
from twin.paths import real_dir
from twin.sources import bdpm
from twin.synthetic import bdpm as gen
from twin.synthetic.medicines import SENTINEL_PRODUCTS


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bdpm")
    gen.generate(real_dir(), out)
    return out / "bdpm"


@pytest.fixture(scope="module")
def history(folder: Path) -> pd.DataFrame:
    return bdpm.load_availability_history(folder)


@pytest.fixture(scope="module")
def truth(folder: Path) -> list[dict[str, str]]:
    with (folder / gen.GROUND_TRUTH).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_ean13_check_digit_on_published_cip13_codes():
    # CIP13 codes printed in the BDPM documentation and examples.
    for code in ("3400949497294", "3400936963504", "3400930116791", "3400934428272"):
        assert bdpm.is_valid_cip13(code)
    assert not bdpm.is_valid_cip13("3400949497295")
    assert not bdpm.is_valid_cip13("340094949729")


def test_weekly_snapshots_are_headerless_cp1252_tab_files(folder: Path):
    files = bdpm.snapshot_files(folder)
    assert len(files) == 209
    days = [bdpm.snapshot_date(f) for f in files]
    assert days[0] == pd.Timestamp("2021-01-04") and days[-1] == pd.Timestamp("2024-12-30")
    assert all(d.dayofweek == 0 for d in days)
    assert {(b - a).days for a, b in itertools.pairwise(days)} == {7}
    raw = files[104].read_bytes()
    first = raw.split(b"\n", 1)[0].split(b"\t")
    assert len(first) == 8 and first[0].isdigit() and len(first[0]) == 8  # data, no header
    text = raw.decode("cp1252")
    assert all(line.count("\t") == 7 for line in text.splitlines())
    all_bytes = b"".join(f.read_bytes() for f in files)
    assert "Remise à disposition".encode("cp1252") in all_bytes
    assert "Remise à disposition".encode() not in all_bytes  # not UTF-8


def test_history_is_exactly_the_ground_truth_episodes(history: pd.DataFrame, truth):
    """Re-derive every snapshot line from the ground-truth table (tension, optional rupture,
    remise à disposition until removal) and compare with what the loader read."""
    expected = set()
    day = date(2021, 1, 4)
    snapshot_days = []
    while day <= date(2024, 12, 30):
        snapshot_days.append(day)
        day += timedelta(days=7)
    for ep in truth:
        start = date.fromisoformat(ep["start"])
        shown_until = date.fromisoformat(ep["shown_until"])
        rupture = date.fromisoformat(ep["rupture_start"]) if ep["rupture_start"] else None
        back = date.fromisoformat(ep["back_in_stock"]) if ep["back_in_stock"] else None
        for d in snapshot_days:
            if not start <= d < shown_until:
                continue
            if ep["kind"] == "stop":
                status = 3
            elif d >= back:
                status = 4
            elif rupture and d >= rupture:
                status = 1
            else:
                status = 2
            expected.add((d, ep["cis"], ep["cip13"] or None, status))
    got = {
        (r.snapshot_date.date(), r.cis, r.cip13, r.status)
        for r in history.itertuples(index=False)
    }
    assert got == expected


def test_sentinel_episodes_lifecycle(history: pd.DataFrame, truth):
    sentinels = [t for t in truth if t["sentinel"] == "1"]
    assert 15 <= len(sentinels) <= 30
    for ep in sentinels:
        lines = history[history["cis"] == ep["cis"]]
        lines = lines[lines["start"] == pd.Timestamp(ep["start"])].sort_values("snapshot_date")
        statuses = lines["status"].tolist()
        assert statuses[0] == 2, ep["episode_id"]  # starts as a tension
        assert statuses[-1] == 4  # ends as remise à disposition, then disappears
        assert (1 in statuses) == bool(ep["rupture_start"])
        remise = lines[lines["status"] == 4]
        assert (remise["back_in_stock"] == pd.Timestamp(ep["back_in_stock"])).all()
        assert 1 <= len(remise) <= 4
        assert lines["back_in_stock"][lines["status"] != 4].isna().all()
        assert (lines["updated"] >= lines["start"]).all()
        assert (lines["updated"] <= lines["snapshot_date"]).all()
        weeks = (pd.Timestamp(ep["back_in_stock"]) - pd.Timestamp(ep["start"])).days / 7
        assert 4 <= weeks <= 40  # weeks to months


def test_winter_2022_amoxicillin_shortage_is_visible(history: pd.DataFrame):
    susp = next(p for p in SENTINEL_PRODUCTS if p.key == "amoxicilline_500mg5ml_susp")
    day = history[(history["snapshot_date"] == "2023-01-02") & (history["cis"] == susp.cis)]
    assert day["status"].tolist() == [1]
    assert day["status_label"].tolist() == ["Rupture de stock"]


def test_snapshots_grow_like_ansm_signals(history: pd.DataFrame):
    per_day = history.groupby("snapshot_date").size()
    assert per_day.loc["2021"].mean() < per_day.loc["2024"].mean()
    assert per_day.min() >= 30 and per_day.max() <= 250


def test_mitm_and_product_files(folder: Path):
    mitm = bdpm.load_mitm(folder)
    products = bdpm.load_products(folder)
    for p in SENTINEL_PRODUCTS:
        assert p.cis in set(products["cis"])
        row = mitm[mitm["cis"] == p.cis]
        assert len(row) == int(p.mitm)
        if p.mitm:
            assert row["atc"].item() == p.atc5
    assert all(link.endswith(cis) for link, cis in zip(mitm["link"], mitm["cis"], strict=True))
    assert products["denomination"].str.contains("é").any()


# --- bad input --------------------------------------------------------------------------


def _copy_with(folder: Path, tmp_path: Path, line: int, field: int, value: str) -> Path:
    src = bdpm.snapshot_files(folder)[100]
    lines = src.read_bytes().decode("cp1252").split("\n")
    cells = lines[line - 1].split("\t")
    cells[field] = value
    lines[line - 1] = "\t".join(cells)
    dst = tmp_path / src.name
    dst.write_bytes("\n".join(lines).encode("cp1252"))
    return dst


def _problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        bdpm.check_file(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize(
    ("field", "value", "column", "hint"),
    [
        (2, "7", "status", "status code"),
        (4, "2022-10-18", "start", "DD/MM/YYYY"),
        (4, "31/02/2022", "start", "DD/MM/YYYY"),
        (1, "3400930000001", "cip13", "check digit"),
        (1, "12345", "cip13", "13 digits"),
        (0, "6998001", "cis", "8 digits"),
        (3, "Rupture de stock", "status_label", "label"),
    ],
)
def test_bad_cells_are_located(folder, tmp_path, field, value, column, hint):
    path = _copy_with(folder, tmp_path, 3, field, value)
    if column == "status_label":  # make the label disagree with the code of that line
        lines = path.read_bytes().decode("cp1252").split("\n")
        cells = lines[2].split("\t")
        cells[2], cells[3] = "2", "Rupture de stock"
        cells[6] = ""
        lines[2] = "\t".join(cells)
        path.write_bytes("\n".join(lines).encode("cp1252"))
    msgs = _problems(path)
    assert any(
        path.name in m and ":3:" in m and f"column {column!r}" in m and hint in m for m in msgs
    ), msgs


def test_extra_field_and_duplicate_lines(folder, tmp_path):
    src = bdpm.snapshot_files(folder)[100]
    lines = src.read_bytes().decode("cp1252").rstrip("\n").split("\n")
    extra = tmp_path / src.name
    extra.write_bytes("\n".join([*lines[:4], lines[4] + "\tx", *lines[5:]]).encode("cp1252"))
    (msg,) = _problems(extra)
    assert ":5:" in msg and "8 fields" in msg and "9 fields" in msg
    dup = tmp_path / "CIS_CIP_Dispo_Spec_20230102.txt"
    dup.write_bytes("\n".join([*lines, lines[1]]).encode("cp1252"))
    msgs = _problems(dup)
    assert any(f":{len(lines) + 1}:" in m and "duplicate of line 2" in m for m in msgs)


def test_utf8_file_and_bad_file_name_are_rejected(folder, tmp_path):
    src = bdpm.snapshot_files(folder)[100]
    text = src.read_bytes().decode("cp1252")
    assert "à" in text
    utf8 = tmp_path / src.name
    utf8.write_bytes(text.encode("utf-8"))
    (msg,) = _problems(utf8)
    assert "Windows-1252" in msg and "UTF-8" in msg
    bad_name = tmp_path / "CIS_CIP_Dispo_Spec_20231340.txt"
    bad_name.write_bytes(src.read_bytes())
    (msg,) = _problems(bad_name)
    assert "YYYYMMDD" in msg


def test_history_reports_every_bad_file(folder, tmp_path):
    for f in bdpm.snapshot_files(folder)[:3]:
        (tmp_path / f.name).write_bytes(f.read_bytes())
    _copy_with(folder, tmp_path, 2, 2, "9").rename(tmp_path / "CIS_CIP_Dispo_Spec_20210111.txt")
    _copy_with(folder, tmp_path, 2, 2, "9")
    with pytest.raises(DataError) as info:
        bdpm.load_availability_history(tmp_path)
    files = {Path(p.file).name for p in info.value.problems}
    assert files == {"CIS_CIP_Dispo_Spec_20210111.txt", bdpm.snapshot_files(folder)[100].name}
