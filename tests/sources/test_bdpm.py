"""BDPM availability snapshots: format, history against the injected ground truth, bad input."""

from __future__ import annotations

import csv
import hashlib
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
    assert len(files) == (gen.LAST_SNAPSHOT - gen.FIRST_SNAPSHOT).days // 7 + 1
    days = [bdpm.snapshot_date(f) for f in files]
    assert days[0] == pd.Timestamp(gen.FIRST_SNAPSHOT)
    assert days[-1] == pd.Timestamp(gen.LAST_SNAPSHOT)
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
    day = gen.FIRST_SNAPSHOT
    snapshot_days = []
    while day <= gen.LAST_SNAPSHOT:
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
    assert 10 <= len(sentinels) <= 30
    last = history["snapshot_date"].max()
    for ep in sentinels:
        lines = history[history["cis"] == ep["cis"]]
        lines = lines[lines["start"] == pd.Timestamp(ep["start"])].sort_values("snapshot_date")
        statuses = lines["status"].tolist()
        assert statuses[0] == 2, ep["episode_id"]  # starts as a tension
        weeks = (pd.Timestamp(ep["back_in_stock"]) - pd.Timestamp(ep["start"])).days / 7
        assert 4 <= weeks <= 80  # weeks to months (after a real notice: 71 weeks)
        if pd.Timestamp(ep["back_in_stock"]) > last:  # still open at the archive's end
            assert set(statuses) == {2}
            continue
        assert statuses[-1] == 4  # ends as remise à disposition, then disappears
        assert (1 in statuses) == bool(ep["rupture_start"])
        remise = lines[lines["status"] == 4]
        assert (remise["back_in_stock"] == pd.Timestamp(ep["back_in_stock"])).all()
        assert 1 <= len(remise) <= 4
        assert lines["back_in_stock"][lines["status"] != 4].isna().all()
        assert (lines["updated"] >= lines["start"]).all()
        assert (lines["updated"] <= lines["snapshot_date"]).all()


def test_amoxicillin_shortage_ends_on_the_real_return_date(history: pd.DataFrame):
    """The replica follows the real ANSM remise à disposition of 2 April 2025."""
    susp = next(p for p in SENTINEL_PRODUCTS if p.key == "amoxicilline_500mg5ml_susp")
    mine = history[history["cis"] == susp.cis]
    before = mine[mine["snapshot_date"] == "2025-03-03"]
    after = mine[mine["snapshot_date"] == "2025-04-07"]
    assert before["status"].tolist() == [1]
    assert before["status_label"].tolist() == ["Rupture de stock"]
    assert after["status"].tolist() == [4]
    assert after["back_in_stock"].tolist() == [pd.Timestamp("2025-04-02")]


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


def test_extra_field_is_an_error_but_repeated_lines_are_not(folder, tmp_path):
    """The real feed repeats some lines byte for byte and lists several notices for one
    product: a repeated line is accepted (``load_notices`` drops it), a malformed one is not."""
    src = bdpm.snapshot_files(folder)[100]
    lines = src.read_bytes().decode("cp1252").rstrip("\n").split("\n")
    extra = tmp_path / src.name
    extra.write_bytes("\n".join([*lines[:4], lines[4] + "\tx", *lines[5:]]).encode("cp1252"))
    (msg,) = _problems(extra)
    assert ":5:" in msg and "8 fields" in msg and "9 fields" in msg
    dup = tmp_path / "CIS_CIP_Dispo_Spec_20230102.txt"
    dup.write_bytes("\n".join([*lines, lines[1]]).encode("cp1252"))
    bdpm.check_file(dup)  # no error
    assert len(bdpm.read_snapshot(dup)) == len(lines) + 1
    notices = bdpm.load_notices(dup)
    distinct = len({ln.rstrip("\r") for ln in lines})  # the replica repeats lines too
    assert len(notices) == distinct
    assert notices.attrs["duplicates_dropped"] == len(lines) + 1 - distinct >= 1
    assert notices.attrs["source"] == "real"  # a file outside data/synthetic


def test_utf8_file_and_bad_file_name_are_rejected(folder, tmp_path):
    src = bdpm.snapshot_files(folder)[100]
    text = src.read_bytes().decode("cp1252")
    assert "à" in text
    utf8 = tmp_path / src.name
    utf8.write_bytes(text.encode("utf-8"))
    (msg,) = _problems(utf8)
    assert "ISO-8859-1" in msg and "UTF-8" in msg
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


# --- the five real files (January 2026 download, embedded in data/real/bdpm) -------------

REAL = real_dir() / "bdpm"
# sha256 of the official download of 27-28 January 2026 (SOURCES.md of the shared folder,
# confirmed by a second repository's meta.json; see data/README.md).
REAL_SHA256 = {
    "CIS_bdpm.txt": "df02c528b92b1ce30d2a90500bcc069e484cc0d1d3bf8f46d5da69c1dc2197c9",
    "CIS_CIP_bdpm.txt": "4ef984dc67dcb6a188795e575afc4f4938209a943b3d0f1d6c2b5553fd856473",
    "CIS_COMPO_bdpm.txt": "8684fa036f76e8456994844e5aec466c84f9a60a08ad38366ab971765bf3b901",
    "CIS_MITM.txt": "1836a994bb6554592e606a6a62d22e18410c21aae87172f112986ceb8814dad0",
    "CIS_CIP_Dispo_Spec.txt": "661a89f65d1f0e0d4727b6c341f5acd19efeff1bac2293c272ceb680d17799e3",
}


def _raw_cells(name: str, encoding: str) -> list[list[str]]:
    """The file split by hand (no CSV parser, no quoting): what the loader must reproduce."""
    text = (REAL / name).read_bytes().decode(encoding)
    return [ln.split("\t") for ln in text.splitlines()]


def test_embedded_real_files_are_the_official_download():
    for name, digest in REAL_SHA256.items():
        assert hashlib.sha256((REAL / name).read_bytes()).hexdigest() == digest, name
    assert sorted(p.name for p in REAL.iterdir()) == sorted(REAL_SHA256)


def test_real_encodings_are_the_published_ones():
    raw = {name: (REAL / name).read_bytes() for name in REAL_SHA256}
    raw["CIS_CIP_bdpm.txt"].decode("utf-8")  # the only UTF-8 file
    for name in ("CIS_bdpm.txt", "CIS_COMPO_bdpm.txt", "CIS_MITM.txt"):
        with pytest.raises(UnicodeDecodeError):
            raw[name].decode("utf-8")
        assert b"\x92" in raw[name]  # ’ exists in Windows-1252, not in ISO-8859-1
    notices = raw["CIS_CIP_Dispo_Spec.txt"]
    assert not any(0x80 <= b <= 0x9F for b in notices) and b"\xe0" in notices  # à, Latin-1
    assert raw["CIS_CIP_bdpm.txt"].count(b"\r") == 0
    assert all(raw[n].count(b"\r\n") == raw[n].count(b"\n") for n in REAL_SHA256
               if n != "CIS_CIP_bdpm.txt")


def test_real_products_read_verbatim_with_accents():
    products = bdpm.load_products()  # default folder: the embedded real files
    assert len(products) == 15_799 and products["cis"].is_unique
    assert products.attrs["source"] == "real"
    raw = _raw_cells("CIS_bdpm.txt", "cp1252")
    assert products["denomination"].tolist() == [r[1] for r in raw]  # quotes kept as written
    assert products["holder"].tolist() == [r[10].strip() for r in raw]
    doliprane = products.set_index("cis").loc["60234100"]
    assert doliprane["denomination"] == "DOLIPRANE 1000 mg, comprimé"
    assert doliprane["holder"] == "OPELLA HEALTHCARE FRANCE"
    assert doliprane["amm_date"] == pd.Timestamp("2002-07-09")
    carmin = products.set_index("cis").loc["68437608", "denomination"]
    assert carmin.startswith("CARMIN D\u2019INDIGO")  # byte 0x92 read as Windows-1252
    assert products["surveillance"].sum() == 480
    assert products["commercial_status"].value_counts()["Non commercialisée"] == 2_240


def test_real_presentations_prices_rates_and_codes():
    pres = bdpm.load_presentations()
    assert len(pres) == 20_875 and pres["cip13"].is_unique
    raw = _raw_cells("CIS_CIP_bdpm.txt", "utf-8")
    assert pres["reimbursement_indications"].tolist() == [r[12] for r in raw]
    assert (pres["cip13"].str[5:12] == pres["cip7"]).all()
    row = pres.set_index("cip13").loc["3400949497294"]
    assert (row["price_eur"], row["price_with_fee_eur"], row["fee_eur"]) == (24.34, 25.36, 1.02)
    assert row["reimbursement_rate"] == 100.0 and row["collectivities"]
    # ',' is both the thousands separator and the decimal mark: '12,760,70' is 12,760.70 EUR.
    by_text = dict(zip((r[9] for r in raw), pres["price_eur"], strict=True))
    assert by_text["12,760,70"] == 12_760.70
    rates = pres["reimbursement_rate"].value_counts(dropna=False)
    assert rates[65.0] == 8_527 + 2_012  # '65%' and '65 %'
    assert pres["reimbursement_rate"].isna().sum() == 7_705  # empty stays missing
    assert (pres["price_eur"].isna() == pres["reimbursement_rate"].isna()).all()
    assert pres["commercialisation_date"].max() == pd.Timestamp("2924-11-29")  # as published


def test_real_composition_and_mitm():
    compo = bdpm.load_composition()
    assert len(compo) == 32_449 and compo["cis"].nunique() == 15_797
    assert compo["nature"].value_counts().to_dict() == {"SA": 26_951, "FT": 5_498}
    assert (compo["substance_code"].str.len() == 5).all()  # leading zeros kept: '05319'
    assert "05319" in set(compo["substance_code"])
    assert compo["substance"].str.contains("É").any()
    mitm = bdpm.load_mitm()
    assert len(mitm) == 8_107 and mitm["cis"].is_unique
    assert mitm.set_index("cis").loc["60005856", "atc"] == "A02BA03"
    assert mitm.set_index("cis").loc["60005856", "denomination"] == (
        "FAMOTIDINE EG 20 mg, comprimé pelliculé"
    )


def test_real_notices_keep_every_notice_and_drop_repeated_lines():
    every_line = bdpm.read_snapshot(REAL / "CIS_CIP_Dispo_Spec.txt")
    assert len(every_line) == 993
    assert every_line["status"].value_counts().to_dict() == {4: 438, 2: 434, 1: 76, 3: 45}
    labels = set(zip(every_line["status"], every_line["status_label"], strict=True))
    assert {(2, "Tension d'approvisionnement"), (2, "tension d'approvisionnement"),
            (4, "Remise à disposition"), (4, "remise à disposition")} <= labels
    assert every_line["start"].min() == pd.Timestamp("2013-06-14")
    assert every_line["start"].max() == pd.Timestamp("2026-01-26")
    assert every_line["cip13"].notna().sum() == 34  # whole product on the other lines
    assert (every_line["back_in_stock"].notna() == (every_line["status"] == 4)).all()

    notices = bdpm.load_notices()
    assert notices.attrs == {
        "source": "real", "file": str(REAL / "CIS_CIP_Dispo_Spec.txt"), "duplicates_dropped": 17,
    }
    assert len(notices) == 993 - 17
    assert list(notices.columns) == [
        "_line", "cis", "cip13", "status", "status_label", "start", "updated", "back_in_stock",
        "link",
    ]
    raw_lines = (REAL / "CIS_CIP_Dispo_Spec.txt").read_bytes().split(b"\r\n")
    kept = [raw_lines[n - 1] for n in notices["_line"]]
    assert len(set(kept)) == len(kept)  # no repeated line left
    assert set(raw_lines[:-1]) == set(kept)  # and no distinct line lost
    # Several notices for one product are distinct facts, all kept.
    assert notices[notices["cis"] == "62110699"]["status"].tolist() == [2, 4]  # tension, remise
    assert notices[notices["cis"] == "60495132"]["status"].tolist() == [2, 2, 2, 2]
    assert notices["link"].str.startswith(bdpm.ANSM_LINK + "/").all()


def test_defaults_real_files_and_synthetic_archive_are_explicit():
    assert bdpm.real_folder() == REAL
    history = bdpm.load_availability_history()
    assert history.attrs["source"] == "synthetic"  # no real archive exists: say so
    assert bdpm.archive_folder() == bdpm.synthetic_dir() / "bdpm"
    assert all(bdpm.snapshot_date(f) is not None for f in bdpm.snapshot_files())
    assert bdpm.snapshot_files(REAL) == []  # the live file is not a dated snapshot
    with pytest.raises(DataError) as info:
        bdpm.load_availability_history(REAL)
    assert "none in this folder" in str(info.value)


# --- damaged copies of the real files ----------------------------------------------------


def _damaged(tmp_path: Path, name: str, encoding: str, line: int, field: int | None,
             value: str | None, *, reencode: str | None = None, cut: bool = False) -> Path:
    """A copy of a real file with one cell replaced, the line cut, or the file re-encoded."""
    raw = (REAL / name).read_bytes()
    eol = b"\n" if name == "CIS_CIP_bdpm.txt" else b"\r\n"
    lines = raw.split(eol)
    if field is not None:
        cells = lines[line - 1].decode(encoding).split("\t")
        cells[field] = value
        lines[line - 1] = "\t".join(cells).encode(encoding)
    if cut:
        lines[line - 1] = b"\t".join(lines[line - 1].split(b"\t")[:3])
    data = eol.join(lines)
    if reencode:
        data = data.decode(encoding).encode(reencode)
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "encoding", "line", "field", "value", "column", "hint"),
    [
        ("CIS_bdpm.txt", "cp1252", 7, 0, "6123A567", "cis", "8 digits"),
        ("CIS_bdpm.txt", "cp1252", 7, 7, "31/02/2001", "amm_date", "DD/MM/YYYY"),
        ("CIS_bdpm.txt", "cp1252", 7, 11, "oui", "surveillance", "'Oui' or 'Non'"),
        ("CIS_CIP_bdpm.txt", "utf-8", 5, 6, "3400949497295", "cip13", "check digit"),
        ("CIS_CIP_bdpm.txt", "utf-8", 5, 1, "4949771", "cip13", "CIP7 '4949771'"),
        ("CIS_CIP_bdpm.txt", "utf-8", 5, 9, "24.34", "price_eur", "'24,34'"),
        ("CIS_CIP_bdpm.txt", "utf-8", 5, 8, "65 pc", "reimbursement_rate", "'65 %'"),
        ("CIS_CIP_bdpm.txt", "utf-8", 5, 8, "165%", "reimbursement_rate", "at most 100"),
        ("CIS_COMPO_bdpm.txt", "cp1252", 9, 6, "XX", "nature", "'SA'"),
        ("CIS_COMPO_bdpm.txt", "cp1252", 9, 7, "", "link_number", "link number"),
        ("CIS_MITM.txt", "cp1252", 4, 1, "a02bc01", "atc", "ATC code"),
        ("CIS_MITM.txt", "cp1252", 4, 0, "60000007", "link", "specid=60000007"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 4, "2025-08-13", "start", "DD/MM/YYYY"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 4, "13/08/2925", "start", "a date between"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 3, "Rupture de stock", "status_label",
         "approvisionnement\" for status 2"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 6, "01/02/2026", "back_in_stock",
         "only for status 4"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 1, "3400955028285", "cip13", "check digit"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", 3, 7, "https://example.org/x", "link", "ANSM"),
    ],
)
def test_damaged_real_cells_are_located(tmp_path, name, encoding, line, field, value, column,
                                        hint):
    path = _damaged(tmp_path, name, encoding, line, field, value)
    msgs = _problems(path)
    assert any(
        f"{path}:{line}:" in m and f"column {column!r}" in m and hint in m for m in msgs
    ), msgs


@pytest.mark.parametrize(
    ("name", "encoding", "reencode", "expected", "found"),
    [
        ("CIS_bdpm.txt", "cp1252", "utf-8", "Windows-1252", "UTF-8 encoded characters"),
        ("CIS_COMPO_bdpm.txt", "cp1252", "utf-8", "Windows-1252", "UTF-8 encoded characters"),
        ("CIS_CIP_bdpm.txt", "utf-8", "cp1252", "UTF-8 text", "not valid UTF-8"),
        ("CIS_CIP_Dispo_Spec.txt", "latin-1", "utf-8", "ISO-8859-1", "UTF-8 encoded"),
    ],
)
def test_real_file_in_the_wrong_encoding_is_one_located_error(
    tmp_path, name, encoding, reencode, expected, found
):
    path = _damaged(tmp_path, name, encoding, 1, None, None, reencode=reencode)
    (msg,) = _problems(path)
    assert expected in msg and found in msg and f"{path}:" in msg


def test_byte_the_published_encoding_does_not_have_is_located(tmp_path):
    # A Dispo_Spec copy saved as Windows-1252 with a typographic apostrophe: ISO-8859-1
    # would read 0x92 as an invisible control character.
    path = _damaged(tmp_path, "CIS_CIP_Dispo_Spec.txt", "cp1252", 3, 3,
                    "Tension d\u2019approvisionnement")
    (msg,) = _problems(path)
    assert f"{path}:3: column 'status_label':" in msg and "byte 0x92" in msg
    # Windows-1252 leaves 0x81 undefined: refused, not replaced by U+FFFD.
    raw = (REAL / "CIS_MITM.txt").read_bytes().replace(b"comprim\xe9", b"comprim\x81", 1)
    bad = tmp_path / "CIS_MITM.txt"
    bad.write_bytes(raw)
    (msg,) = _problems(bad)
    assert f"{bad}:1: column 'denomination':" in msg and "undefined in Windows-1252" in msg


def test_truncated_and_duplicated_real_lines(tmp_path):
    cut = _damaged(tmp_path, "CIS_CIP_Dispo_Spec.txt", "latin-1", 10, None, None, cut=True)
    (msg,) = _problems(cut)
    assert f"{cut}:10: column 'status_label':" in msg and "8 fields" in msg and "3 fields" in msg
    for name, eol, key in (("CIS_bdpm.txt", b"\r\n", "cis"), ("CIS_MITM.txt", b"\r\n", "cis"),
                           ("CIS_CIP_bdpm.txt", b"\n", "cip13")):
        raw = (REAL / name).read_bytes()
        n = raw.count(eol)
        path = tmp_path / "dup" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(raw + raw.split(eol)[4] + eol)
        msgs = _problems(path)
        assert any(f":{n + 1}:" in m and f"one row per {key}" in m and "duplicate of line 5" in m
                   for m in msgs), msgs
