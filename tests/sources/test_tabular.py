"""The strict reader on small files: every malformed case yields a located DataError."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from twin.errors import DataError
from twin.geography import is_dep, normalise_dep
from twin.sources import tabular
from twin.sources.tabular import TableSpec, read_table

SPEC = TableSpec(
    source="TEST",
    sep=";",
    encoding="latin-1",
    columns={"dep": ("DEP",), "nom": ("libelle",), "n": ("NB",), "x": ()},
    required=frozenset({"dep", "n"}),
    integers=frozenset({"n"}),
    decimals=frozenset({"x"}),
    decimal_mark=",",
    key=("dep",),
    code_checks={"dep": lambda c: is_dep(normalise_dep(c))},
    code_expectations={"dep": "an official département code"},
)


def write(tmp_path: Path, content: bytes, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(content)
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(DataError) as info:
        read_table(path, SPEC)
    return [str(p) for p in info.value.problems]


def test_good_file_keeps_codes_as_strings_and_missing_as_nan(tmp_path):
    content = "DEP;libelle;NB;x\r\n01;Ain;5;1,5\r\n2A;Corse-du-Sud;;\r\n"
    p = write(tmp_path, content.encode("latin-1"))
    df = read_table(p, SPEC)
    assert df["dep"].tolist() == ["01", "2A"]
    assert df["n"].iloc[0] == 5 and df["n"].isna().iloc[1]
    assert df["x"].iloc[0] == 1.5
    assert df["_line"].tolist() == [2, 3]


def test_latin1_accents_read(tmp_path):
    p = write(tmp_path, "dep;nom;n\n972;Martinique é;3\n".encode("latin-1"))
    assert read_table(p, SPEC)["nom"].iloc[0].endswith("é")


def test_empty_file(tmp_path):
    (msg,) = problems(write(tmp_path, b""))
    assert "empty file" in msg and "f.csv" in msg


def test_wrong_encoding_utf8_in_latin1_source(tmp_path):
    (msg,) = problems(write(tmp_path, "dep;nom;n\n01;Ain;1\n02;Aisné;2\n".encode()))
    assert "ISO-8859-1" in msg and "UTF-8" in msg and ":3:" in msg


def test_wrong_separator(tmp_path):
    (msg,) = problems(write(tmp_path, b"dep,nom,n\n01,Ain,1\n"))
    assert "';'-separated" in msg and "','" in msg and ":1:" in msg


def test_missing_and_renamed_column(tmp_path):
    msgs = problems(write(tmp_path, b"dep;nom;COUNT\n01;Ain;1\n"))
    assert any("column 'n'" in m and "no such column" in m for m in msgs)
    assert any("'COUNT'" in m and "unknown column" in m for m in msgs)


def test_unknown_departement(tmp_path):
    (msg,) = problems(write(tmp_path, b"dep;n\n01;1\n99;2\n"))
    assert ":3:" in msg and "column 'dep'" in msg and "'99'" in msg


def test_negative_and_non_numeric_counts(tmp_path):
    msgs = problems(write(tmp_path, b"dep;n\n01;-4\n02;abc\n03;1.5\n"))
    assert any(":2:" in m and "non-negative" in m and "'-4'" in m for m in msgs)
    assert any(":3:" in m and "'abc'" in m for m in msgs)
    assert any(":4:" in m and "'1.5'" in m for m in msgs)


def test_duplicated_key(tmp_path):
    (msg,) = problems(write(tmp_path, b"dep;n\n01;1\n02;1\n01;3\n"))
    assert ":4:" in msg and "duplicate of line 2" in msg


def test_truncated_file(tmp_path):
    (msg,) = problems(write(tmp_path, b"dep;nom;n\n01;Ain;1\n02;Ais"))
    assert ":3:" in msg and "3 fields" in msg and "truncated" in msg


def test_extra_fields(tmp_path):
    (msg,) = problems(write(tmp_path, b"dep;n\n01;1\n02;2;7\n"))
    assert ":3:" in msg and "2 fields" in msg and "3 fields" in msg


def test_all_problems_reported_together(tmp_path):
    msgs = problems(write(tmp_path, b"dep;n\n01;-1\n99;2\n01;4\n"))
    assert len(msgs) >= 3


# ------------------------------------------------------------ fast path == general path

PLAIN = replace(SPEC, encoding="utf-8", decimal_mark=".")


def _both(path: Path, spec: TableSpec, monkeypatch) -> tuple[object, object]:
    """read_table's outcome (frame or error messages) with and without the Arrow fast path."""

    def outcome():
        try:
            return read_table(path, spec)
        except DataError as exc:
            return [str(p) for p in exc.problems]

    fast = outcome()
    with monkeypatch.context() as m:
        m.setattr(tabular, "_read_known_columns", lambda *a, **k: None)
        general = outcome()
    return fast, general


@pytest.mark.parametrize(
    "content",
    [
        "dep;nom;n;x\n01;Ain;5;1.5\n2A;Corse;;\n",  # masked cells stay NaN
        "dep;nom;n;x;extra\n01;Ain;5;1.5;z\n",  # unknown column
        "DEP;libelle;NB\r\n01;Ain;5\r\n02;Aisne;7\r\n",  # aliases, CRLF
        "dep;nom;n\n 01 ;Ain ;5\n02;\tAisne; 7\n",  # whitespace to strip
        "dep;nom;n\n01;Ain;5\n\n02;Aisne;7\n",  # blank line: line numbers shift
        "dep;nom;n\n01;Ain;5\n02;Aisne;7;8\n03;x;1\n",  # extra field
        "dep;nom;n\n01;Ain;-5\n02;Aisne;abc\n01;x;1.5\n99;y;1\n",  # several problems
        "dep;nom;n\n01;Ain;99999999999999999999\n02;x;007\n",  # huge and zero-padded
        "dep;n\n01;1\r02;2\n",  # lone CR
        "dep;n\n01;1\n",  # no name column
    ],
)
def test_fast_read_agrees_with_general_read(tmp_path, monkeypatch, content):
    path = write(tmp_path, content.encode())
    fast, general = _both(path, PLAIN, monkeypatch)
    if isinstance(general, list):
        assert fast == general
    else:
        pd.testing.assert_frame_equal(fast, general, check_exact=True)


def test_fast_read_keeps_masked_cells_missing_and_codes_as_strings(tmp_path):
    path = write(tmp_path, b"dep;nom;n;x\n01;Ain;;\n2A;Corse;0;2\n")
    assert tabular._read_known_columns(path.read_text(), PLAIN, 0) is not None  # fast path
    df = read_table(path, PLAIN)
    assert df["dep"].tolist() == ["01", "2A"] and df["dep"].dtype == object
    assert df["n"].isna().tolist() == [True, False] and df["n"].iloc[1] == 0
    assert df["x"].isna().iloc[0] and df["x"].iloc[1] == 2.0
    assert df["_line"].tolist() == [2, 3]


def test_row_scan_counts_fields_per_line():
    text = "a;b\r\n\r\n1;2;3\n\n;\n€;é"
    lines, counts = tabular._scan_rows(text, ";")
    assert lines.tolist() == [1, 3, 5, 6] and counts.tolist() == [2, 3, 2, 2]


def test_edge_whitespace_detection_matches_str_strip():
    cells = ["a", "b c", "", "x\xa0", "\u2003y", "z\x1c", " "]
    for cell in cells:
        column = np.array(["ok", cell, "fine"], dtype=object)
        assert tabular._has_edge_whitespace(column) == (cell != cell.strip()), repr(cell)
