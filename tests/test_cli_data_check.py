"""``twin data check`` end to end, through the real command line (``python -m twin``).

The embedded dataset and the shared real files must pass (exit 0). Then each kind of damage
an analyst meets in practice is applied to a copy of a real or embedded file in a temporary
folder, and the command must exit with status 2 and print one message that locates the
problem (file, line or row, column) and says what was expected and what was found — never a
Python traceback.
"""

from __future__ import annotations

import gzip
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "data"
SAE_2023 = DATA / "real" / "sae" / "2023"
URG = "URGENCES2_2023r.csv"
SURSAUD = "sursaud-corona-quot-dep-2024-12-31-19h00.csv"

# Files of data/ that `twin data check` skips on purpose (see data/README.md and
# tests/sources/test_registry.py, which checks the registry against the same list).
NON_DATA_FILES = {
    "README.md",
    "generate.py",
    "reference/departements.csv",
    "reference/regions.csv",
    "reference/sentinelles.csv",  # the sentinel products (twin.sentinels)
    "reference/sentinelles_cis_reels.csv",  # sentinel → real CIS (forecasting.notices)
    "real/geo/departements-avec-outre-mer.geojson",
    "real/geo/regions-avec-outre-mer.geojson",
    "synthetic/geo/departements.geojson",
    "synthetic/geo/regions.geojson",
    "synthetic/geo/departements-carte.geojson",
    "synthetic/geo/regions-carte.geojson",
    "synthetic/bdpm/episodes_ground_truth.csv",
}


def run_check(*paths: Path | str, verbose: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TWIN_DATA_DIR"}
    env["PYTHONIOENCODING"] = "utf-8"
    cmd = [sys.executable, "-m", "twin", "data", "check", *(["-v"] if verbose else [])]
    return subprocess.run(
        [*cmd, *map(str, paths)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO,
        env=env,
        timeout=600,
    )


@dataclass(frozen=True)
class Expect:
    """One message ``error: FILE[:LINE]:[ column 'COL':] expected E, found F``."""

    expected: str
    found: str
    line: int | None = None
    column: str | None = None


def assert_reported(result: subprocess.CompletedProcess[str], path: Path, want: Expect) -> None:
    where = f"error: {path}" + (f":{want.line}" if want.line is not None else "") + ":"
    col = f" column {want.column!r}:" if want.column is not None else ""
    messages = [m for m in result.stderr.splitlines() if m.startswith(where + col + " expected ")]
    assert messages, f"no message at {where}{col}\nstderr:\n{result.stderr[:3000]}"
    for m in messages:
        expected, _, found = m[len(where + col + " expected ") :].partition(", found ")
        if want.expected in expected and want.found in found:
            return
    raise AssertionError(
        f"no message at {where}{col} expecting {want.expected!r} and finding {want.found!r}:\n"
        + "\n".join(messages)
    )


# --------------------------------------------------------------------------- inputs


def _lines(raw: bytes, eol: bytes) -> list[bytes]:
    return raw.split(eol)


def _set_cell(raw: bytes, line_no: int, column: str, value: bytes, sep: bytes, eol: bytes):
    """Copy of ``raw`` with one cell replaced (``line_no`` is the physical 1-based line)."""
    lines = _lines(raw, eol)
    header = lines[0].split(sep)
    fields = lines[line_no - 1].split(sep)
    fields[header.index(column.encode())] = value
    lines[line_no - 1] = sep.join(fields)
    return eol.join(lines)


def _first_non_ascii_line(raw: bytes) -> int:
    first = next(i for i, b in enumerate(raw) if b > 127)
    return raw[:first].count(b"\n") + 1


def _sursaud_extract() -> bytes:
    """Header and the first ten days of one département from the embedded replica: a
    complete, valid SurSaUD file that checks in a fraction of a second."""
    path = DATA / "synthetic" / "sursaud" / (SURSAUD + ".gz")
    with gzip.open(path, "rb") as fh:
        return b"".join(fh.readline() for _ in range(61))


def _write(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


Builder = Callable[[Path], tuple[Path, list[Expect]]]
CASES: dict[str, Builder] = {}


def case(name: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        CASES[name] = fn
        return fn

    return register


def _urg() -> bytes:
    return (SAE_2023 / URG).read_bytes()


@case("wrong encoding: SAE file re-encoded to UTF-8")
def _sae_utf8(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _urg()
    line = _first_non_ascii_line(raw)  # an establishment name (RS) with an accent
    path = _write(tmp, URG, raw.decode("latin-1").encode("utf-8"))
    return path, [Expect("ISO-8859-1 (Latin-1) text", "UTF-8 encoded characters", line, "RS")]


@case("wrong encoding: DREES UTF-8 file saved as Latin-1")
def _drees_latin1(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (DATA / "real" / "drees" / "lits_soins_critiques.csv").read_bytes()
    text = raw.decode("utf-8-sig")
    line = _first_non_ascii_line(text.encode("utf-8"))  # a département name such as Ardèche
    path = _write(tmp, "lits_soins_critiques.csv", text.encode("latin-1"))
    return path, [Expect("UTF-8 text", "not valid UTF-8", line, "id_geo")]


@case("wrong encoding: Open Medic (Windows-1252) saved as UTF-8")
def _openmedic_utf8(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (DATA / "synthetic" / "openmedic" / "open_medic_mensuel_region.csv").read_bytes()
    line = _first_non_ascii_line(raw)
    path = _write(tmp, "open_medic_mensuel_region.csv", raw.decode("cp1252").encode("utf-8"))
    return path, [Expect("Windows-1252 text", "UTF-8 encoded characters", line, "l_cip13")]


@case("wrong separator: comma instead of semicolon")
def _sae_comma(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, URG, _urg().replace(b";", b","))
    return path, [Expect("';'-separated columns", "','-separated header 'BOR,AN,FI,RS", 1)]


@case("missing column")
def _sae_missing(tmp: Path) -> tuple[Path, list[Expect]]:
    lines = _lines(_urg(), b"\r\n")
    drop = lines[0].split(b";").index(b"PASSU")
    kept = [b";".join(f for i, f in enumerate(ln.split(b";")) if i != drop) for ln in lines]
    path = _write(tmp, URG, b"\r\n".join(kept))
    return path, [Expect("'PASSU' in the SAE URGENCES2 2023 header", "no such column", 1,
                         "passages")]


@case("renamed column")
def _sae_renamed(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, URG, _urg().replace(b";PASSU;", b";NB_PASSU;", 1))
    return path, [
        Expect("'PASSU' in the SAE URGENCES2 2023 header", "no such column", 1, "passages"),
        Expect("only the known SAE URGENCES2 2023 columns", "unknown column 'NB_PASSU'", 1,
               "NB_PASSU"),
    ]


@case("unknown département code: SAE register")
def _sae_dep(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (SAE_2023 / "ID_2023r.csv").read_bytes()
    path = _write(tmp, "ID_2023r.csv", _set_cell(raw, 4, "dep", b"99", b";", b"\r\n"))
    return path, [Expect("one of the 101 départements", "'99'", 4, "dep")]


@case("unknown département code: SurSaUD")
def _sursaud_dep(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _set_cell(_sursaud_extract(), 16, "dep", b"99", b";", b"\n")
    path = _write(tmp, SURSAUD, raw)
    return path, [Expect("one of the 101 département codes", "'99'", 16, "dep")]


@case("unknown département code: data pathologies")
def _pathologies_dep(tmp: Path) -> tuple[Path, list[Expect]]:
    with gzip.open(DATA / "synthetic" / "pathologies" / "effectifs.csv.gz", "rb") as fh:
        raw = b"".join(fh.readline() for _ in range(100))
    path = _write(tmp, "effectifs.csv", _set_cell(raw, 7, "dept", b"00", b";", b"\n"))
    return path, [Expect("an official département code or 999", "'00'", 7, "dept")]


@case("negative count")
def _sae_negative(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, URG, _set_cell(_urg(), 6, "PASSU", b"-120", b";", b"\r\n"))
    return path, [Expect("a non-negative integer", "'-120'", 6, "passages")]


@case("non-numeric count")
def _sae_non_numeric(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, URG, _set_cell(_urg(), 6, "PASSU", b"12a", b";", b"\r\n"))
    return path, [Expect("an integer or an empty cell", "'12a'", 6, "passages")]


@case("duplicated key: SAE unit")
def _sae_duplicate(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _urg()
    lines = _lines(raw, b"\r\n")
    n = len([ln for ln in lines if ln])
    path = _write(tmp, URG, raw + lines[5] + b"\r\n")
    return path, [Expect("one row per finess/unit_type", "a duplicate of line 6", n + 1)]


@case("duplicated key: Sentinelles week")
def _sentinelles_duplicate(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (DATA / "real" / "sentinelles" / "grippe_incidence_france.csv").read_bytes()
    lines = raw.split(b"\n")  # line 1 is the '#' comment, 2 the header, 3 the newest week
    n = len([ln for ln in lines if ln])
    path = _write(tmp, "grippe_incidence_france.csv", raw + lines[3] + b"\n")
    return path, [Expect("one row per week/geo_code", "a duplicate of line 4", n + 1)]


@case("truncated file: cut in the middle of the last line")
def _sae_truncated(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _urg()
    lines = [ln for ln in _lines(raw, b"\r\n") if ln]
    header = lines[0].split(b";")
    last = lines[-1]
    cut = last[: len(last) // 2]
    path = _write(tmp, URG, raw[: raw.rindex(last)] + cut)
    missing = header[cut.count(b";") + 1].decode()
    return path, [
        Expect(f"{len(header)} fields", "fields (file truncated?)", len(lines), missing)
    ]


@case("truncated file: cut BDPM snapshot (no header line)")
def _bdpm_truncated(tmp: Path) -> tuple[Path, list[Expect]]:
    name = "CIS_CIP_Dispo_Spec_20230116.txt"
    raw = (DATA / "synthetic" / "bdpm" / name).read_bytes()
    lines = [ln for ln in raw.split(b"\n") if ln]
    cut = b"\t".join(lines[-1].split(b"\t")[:4])[:-3]  # cut inside the status label
    path = _write(tmp, name, raw[: raw.rindex(lines[-1])] + cut)
    # No header: the first missing field is named from the loader's column order.
    return path, [Expect("8 fields", "4 fields (file truncated?)", len(lines), "start")]


@case("truncated file: gzip cut short")
def _sursaud_gzip_truncated(tmp: Path) -> tuple[Path, list[Expect]]:
    data = gzip.compress(_sursaud_extract(), mtime=0)
    path = _write(tmp, SURSAUD + ".gz", data[: len(data) // 2])
    return path, [Expect("a readable file", "truncated or corrupt gzip file")]


@case("empty file: SAE")
def _sae_empty(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, URG, b"")
    return path, [Expect("a SAE URGENCES2 2023 file with a header line", "an empty file")]


@case("empty file: INSEE workbook")
def _insee_empty(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, "estim-pop-dep-sexe-gca-1975-2023.xls", b"")
    return path, [Expect("an Excel workbook (.xls)", "an empty file")]


@case("aggregate row among detail rows: SAE TOTAL row")
def _sae_total(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _urg()
    lines = [ln for ln in _lines(raw, b"\r\n") if ln]
    width = len(lines[0].split(b";"))
    cells = [b"URGENCES2", b"2023", b"TOTAL", b"", b"", b"GEN"] + [b""] * (width - 6)
    cells[lines[0].split(b";").index(b"PASSU")] = b"20893055"
    path = _write(tmp, URG, raw + b";".join(cells) + b"\r\n")
    return path, [
        Expect("one establishment per row", "aggregate row among establishment rows (FI 'TOTAL')",
               len(lines) + 1, "FI")
    ]


@case("aggregate row among detail rows: SurSaUD France row")
def _sursaud_total(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _sursaud_extract()
    total = b"France;2019-01-01;0;;9999;;;;;;;;;;;;;\n"
    path = _write(tmp, SURSAUD, raw + total)
    return path, [Expect("one of the 101 département codes", "'France'", 62, "dep")]


@case("aggregate row among detail rows: région row in the DREES file")
def _drees_region(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (DATA / "real" / "drees" / "lits_soins_critiques.csv").read_bytes()
    n = len([ln for ln in raw.split(b"\r\n") if ln])
    row = "11_Île-de-France;1_Public;2023;REAADU;1200.0\r\n".encode()
    path = _write(tmp, "lits_soins_critiques.csv", raw + row)
    return path, [Expect("'00_FR', '00_MET' or an official département code",
                         "'11_Île-de-France'", n + 1, "id_geo")]


REG_NAME = "sursaud-covid-quot-reg_2022-12-26_2024-06-30.csv"


def _sursaud_reg() -> bytes:
    """The real regional SurSaUD snapshot (2022-12-26 to 2024-06-30), as embedded."""
    return (DATA / "real" / "sursaud" / REG_NAME).read_bytes()


@case("real SurSaUD regional file: bad date")
def _reg_date(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _set_cell(_sursaud_reg(), 12, "date_de_passage", b"2023-02-30", b";", b"\r\n")
    path = _write(tmp, REG_NAME, raw)
    return path, [Expect("a date YYYY-MM-DD", "'2023-02-30'", 12, "date_de_passage")]


@case("real SurSaUD regional file: negative count")
def _reg_negative(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _set_cell(_sursaud_reg(), 40, "nbre_pass_tot", b"-7", b";", b"\r\n")
    path = _write(tmp, REG_NAME, raw)
    return path, [Expect("a non-negative integer", "'-7'", 40, "nbre_pass_tot")]


@case("real SurSaUD regional file: duplicated (région, date, class)")
def _reg_duplicate(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _sursaud_reg()
    lines = _lines(raw, b"\r\n")
    n = len([ln for ln in lines if ln])
    path = _write(tmp, REG_NAME, raw + lines[7] + b"\r\n")
    return path, [Expect("one row per reg/date_de_passage/sursaud_cl_age_corona",
                         "a duplicate of line 8", n + 1)]


@case("real SurSaUD regional file: unknown région")
def _reg_unknown(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _set_cell(_sursaud_reg(), 25, "reg", b"99", b";", b"\r\n")
    path = _write(tmp, REG_NAME, raw)
    return path, [Expect("one of the 18 INSEE région codes", "'99'", 25, "reg")]


@case("real SurSaUD regional file: truncated last line")
def _reg_truncated(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _sursaud_reg()
    lines = [ln for ln in _lines(raw, b"\r\n") if ln]
    cut = lines[-1][:20]  # '94;2024-06-30;6;2;51': the sex split and later fields lost
    path = _write(tmp, REG_NAME, raw[: raw.rindex(lines[-1])] + cut)
    missing = lines[0].split(b";")[cut.count(b";") + 1].decode()
    return path, [Expect("18 fields", "fields (file truncated?)", len(lines), missing)]


@case("real SurSaUD regional file: wrong separator")
def _reg_separator(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, REG_NAME, _sursaud_reg().replace(b";", b"\t"))
    return path, [Expect("';'-separated columns", "tab-separated header 'reg", 1)]


BDPM = DATA / "real" / "bdpm"  # the real January 2026 download, no header line


def _bdpm_cell(name: str, line_no: int, field: int, value: bytes) -> bytes:
    """Copy of a real BDPM file with one cell (0-based ``field``) of one line replaced."""
    raw = (BDPM / name).read_bytes()
    eol = b"\n" if name == "CIS_CIP_bdpm.txt" else b"\r\n"
    lines = raw.split(eol)
    cells = lines[line_no - 1].split(b"\t")
    cells[field] = value
    lines[line_no - 1] = b"\t".join(cells)
    return eol.join(lines)


@case("real BDPM CIS_bdpm (Windows-1252) saved as UTF-8")
def _bdpm_products_utf8(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (BDPM / "CIS_bdpm.txt").read_bytes()
    path = _write(tmp, "CIS_bdpm.txt", raw.decode("cp1252").encode("utf-8"))
    # Line 1: "…, pommade<tab>pommade<tab>cutanée": the first accent is in the routes.
    return path, [Expect("Windows-1252 text", "UTF-8 encoded characters ('é'", 1, "routes")]


@case("real BDPM CIS_CIP_bdpm (UTF-8) saved as Windows-1252")
def _bdpm_presentations_cp1252(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (BDPM / "CIS_CIP_bdpm.txt").read_bytes()
    path = _write(tmp, "CIS_CIP_bdpm.txt", raw.decode("utf-8").encode("cp1252"))
    return path, [Expect("UTF-8 text", "byte 0xE9, not valid UTF-8", 1, "label")]


@case("real BDPM notices: impossible date")
def _bdpm_notice_date(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _bdpm_cell("CIS_CIP_Dispo_Spec.txt", 3, 4, b"31/02/2025")
    path = _write(tmp, "CIS_CIP_Dispo_Spec.txt", raw)
    return path, [Expect("a date DD/MM/YYYY", "'31/02/2025'", 3, "start")]


@case("real BDPM notices: status label contradicts the status code")
def _bdpm_notice_label(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _bdpm_cell("CIS_CIP_Dispo_Spec.txt", 3, 3, b"Rupture de stock")  # code 2 kept
    path = _write(tmp, "CIS_CIP_Dispo_Spec.txt", raw)
    return path, [Expect("the label \"Tension d'approvisionnement\" for status 2",
                         "'Rupture de stock'", 3, "status_label")]


@case("real BDPM notices: truncated last line")
def _bdpm_notice_truncated(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = (BDPM / "CIS_CIP_Dispo_Spec.txt").read_bytes()
    lines = [ln for ln in raw.split(b"\r\n") if ln]
    cut = lines[-1][:39]  # '66878792\t\t1\tRupture de stock\t14/06/2013': dates and link lost
    path = _write(tmp, "CIS_CIP_Dispo_Spec.txt", raw[: raw.rindex(lines[-1])] + cut)
    return path, [Expect("8 fields", "5 fields (file truncated?)", len(lines), "updated")]


@case("real BDPM composition: non-numeric CIS")
def _bdpm_compo_cis(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _bdpm_cell("CIS_COMPO_bdpm.txt", 5, 0, b"6000A283")
    path = _write(tmp, "CIS_COMPO_bdpm.txt", raw)
    return path, [Expect("a CIS code of 8 digits", "'6000A283'", 5, "cis")]


@case("real BDPM presentations: CIP13 with a wrong check digit")
def _bdpm_cip13(tmp: Path) -> tuple[Path, list[Expect]]:
    raw = _bdpm_cell("CIS_CIP_bdpm.txt", 2, 6, b"3400949497707")  # published: …706
    path = _write(tmp, "CIS_CIP_bdpm.txt", raw)
    return path, [Expect("a CIP13 of 13 digits with a valid check digit", "'3400949497707'",
                         2, "cip13")]


@case("unrecognised file name given directly")
def _unknown_name(tmp: Path) -> tuple[Path, list[Expect]]:
    path = _write(tmp, "URGENCES_2023.csv", _urg())
    return path, [Expect("a known source file name (", "'URGENCES_2023.csv'")]


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", list(CASES))
def test_broken_copy_is_reported_with_its_location(name: str, tmp_path: Path):
    path, wants = CASES[name](tmp_path / "in")
    result = run_check(path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    for want in wants:
        assert_reported(result, path, want)
    n_problems = sum(1 for m in result.stderr.splitlines() if m.startswith("error: "))
    assert f"{path}: " in result.stdout and f", {n_problems} problem(s)" in result.stdout


def test_intact_copies_of_the_damaged_inputs_pass(tmp_path: Path):
    """The damage, not the copying, is what the cases above detect."""
    sae = _write(tmp_path / "sae", URG, _urg())
    sursaud = _write(tmp_path / "sursaud", SURSAUD, _sursaud_extract())
    regional = _write(tmp_path / "regional", REG_NAME, _sursaud_reg())
    result = run_check(sae, sursaud, regional)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"{sae}: 1 file(s) checked, 0 problem(s)" in result.stdout
    assert f"{sursaud}: 1 file(s) checked, 0 problem(s)" in result.stdout
    assert f"{regional}: 1 file(s) checked, 0 problem(s)" in result.stdout


def test_real_bdpm_files_pass_every_rule():
    """The five real BDPM files, each in its own encoding, with repeated notices: 0 problems
    (the rules the damaged copies above break are ones the real files keep)."""
    result = run_check(BDPM, verbose=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"{BDPM}: 5 file(s) checked, 0 problem(s)" in result.stdout
    assert "skipped" not in result.stdout


def test_folder_with_one_broken_file_names_only_that_file(tmp_path: Path):
    good = _write(tmp_path / "a", SURSAUD, _sursaud_extract())
    bad = _write(tmp_path / "b", SURSAUD, _set_cell(_sursaud_extract(), 3, "nbre_pass_tot",
                                                      b"-1", b";", b"\n"))
    notes = _write(tmp_path, "notes.txt", b"not data\n")
    result = run_check(tmp_path, verbose=True)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert f"{tmp_path}: 2 file(s) checked, 1 problem(s), 1 unrecognised file(s) skipped" in (
        result.stdout
    )
    assert f"skipped {notes}" in result.stdout
    assert_reported(result, bad, Expect("a non-negative integer", "'-1'", 3, "nbre_pass_tot"))
    assert str(good) not in result.stderr


def test_missing_path_and_folder_without_data_fail(tmp_path: Path):
    missing = tmp_path / "nope"
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_check(missing, empty)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2
    assert_reported(result, missing, Expect("an existing file or folder", "nothing"))
    assert_reported(result, empty, Expect("at least one file named like a known source",
                                          "none among 0 file(s)"))


@pytest.mark.slow
def test_embedded_dataset_passes():
    result = run_check(DATA, verbose=True)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr[:3000]
    assert result.stderr == ""
    files = [p for p in DATA.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    n_data = len(files) - len(NON_DATA_FILES)
    assert (
        f"{DATA}: {n_data} file(s) checked, 0 problem(s), "
        f"{len(NON_DATA_FILES)} unrecognised file(s) skipped"
    ) in result.stdout
    skipped = {
        str(Path(m.group(1)).relative_to(DATA))
        for m in re.finditer(r"^  skipped (.+)$", result.stdout, flags=re.MULTILINE)
    }
    assert skipped == NON_DATA_FILES


@pytest.mark.slow
def test_shared_real_data_passes(shared_real: Path):
    result = run_check(shared_real, verbose=True)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr[:3000]
    m = re.search(rf"^{re.escape(str(shared_real))}: (\d+) file\(s\) checked, 0 problem\(s\)",
                  result.stdout, flags=re.MULTILINE)
    assert m, result.stdout
    # 36 SAE bordereaux read by the twin, the INSEE workbook, the DREES file, 3 Sentinelles.
    assert int(m.group(1)) >= 41
    # Bordereaux the twin does not read (PSY, HAD) are listed, not silently validated.
    assert re.search(r"^  skipped .*/PSY_2023r\.csv$", result.stdout, flags=re.MULTILINE)
