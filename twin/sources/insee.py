"""INSEE population estimates on 1 January by département, sex and broad age band.

Source file: ``estim-pop-dep-sexe-gca-1975-2023.xls`` (INSEE, *Estimations de population*,
Licence Ouverte). It is a legacy Excel workbook with one sheet per year, laid out for
printing rather than for reading: title rows, a two-row header (``Ensemble`` / ``Hommes`` /
``Femmes`` over ``0 à 19 ans`` … ``75 ans et plus`` and ``Total``), one row per département,
then aggregate rows (``France métropolitaine``, ``DOM``, ``France métropolitaine et DOM``)
and source notes.

The loader keeps only the detail cells (département × sex × age band) and drops every total,
because totals summed with their own details double-count. The totals are not thrown away
unread, though: they are INSEE's own arithmetic, so each one is recomputed from the detail
cells and any difference raises :class:`~twin.errors.DataError`. That catches a mis-parsed
sheet (shifted column, missing row) that would otherwise pass silently.

Coverage is not the same every year, and the loader reports what the file holds instead of
filling gaps (the workbook's own "À savoir" sheet says so):

* 1975–1989: metropolitan France only (96 départements, no DOM rows at all);
* 1990–2013: 100 départements (Mayotte is not yet in the French statistical field);
* 2014 onwards: all 101 départements.

A sheet missing a département that should be there for its year is an error; callers that
need 101 départements must pick a year from 2014 on. Estimates for the last three years are
provisional and are revised by INSEE each January.

Measured on the embedded file: the whole workbook (49 year sheets) parses and is checked in
well under a second, so the default is every year.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.geography import OVERSEAS_DEPS, dep_sort_key, departements, normalise_dep
from twin.paths import real_dir

FILE_PATTERNS = ("estim-pop-dep-sexe-gca-*.xls",)

AGE_BANDS = ("0-19", "20-39", "40-59", "60-74", "75+")
SEXES = ("M", "F")
COLUMNS = ("year", "dep", "sex", "age_band", "population")

# Header labels exactly as INSEE prints them (compared after trimming spaces).
_BAND_LABELS = ("0 à 19 ans", "20 à 39 ans", "40 à 59 ans", "60 à 74 ans", "75 ans et plus")
_BLOCKS = ("Ensemble", "Hommes", "Femmes")  # each: 5 age bands then "Total"
_FIRST_NUM_COL = 2  # column C: département code in A, name in B
_N_NUM_COLS = len(_BLOCKS) * (len(AGE_BANDS) + 1)

METRO_TOTAL = "France métropolitaine"
DOM_TOTAL = "DOM"
FRANCE_TOTAL = "France métropolitaine et DOM"
_AGGREGATES = (METRO_TOTAL, DOM_TOTAL, FRANCE_TOTAL)

FIRST_YEAR_WITH_DOM = 1990
FIRST_YEAR_WITH_MAYOTTE = 2014

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


def expected_departements(year: int) -> list[str]:
    """Départements INSEE estimates for ``year`` (the file's documented field)."""
    codes = [c for c in departements().index if c not in OVERSEAS_DEPS]
    if year >= FIRST_YEAR_WITH_DOM:
        codes += [c for c in OVERSEAS_DEPS if c != "976"]
    if year >= FIRST_YEAR_WITH_MAYOTTE:
        codes.append("976")
    return sorted(codes, key=dep_sort_key)


def find_file(folder: Path | None = None) -> Path:
    """The single INSEE workbook in ``folder`` (default: the embedded real copy)."""
    folder = Path(folder) if folder is not None else real_dir() / "insee"
    matches = sorted(p for pat in FILE_PATTERNS for p in folder.glob(pat) if p.is_file())
    if not matches:
        raise DataError.single(
            folder, f"an INSEE file named like {' or '.join(FILE_PATTERNS)}", "no such file"
        )
    if len(matches) > 1:
        names = ", ".join(p.name for p in matches)
        raise DataError.single(folder, "exactly one INSEE population workbook", names)
    return matches[0]


def load_population(years: Iterable[int] | None = None, folder: Path | None = None) -> pd.DataFrame:
    """Tidy population table: ``year, dep, sex, age_band, population`` (one row per cell).

    ``years=None`` returns every year in the file. Sorted by year, official département
    order, sex (M, F) and age band.
    """
    path = find_file(folder)
    wanted = None if years is None else sorted({int(y) for y in years})
    return _parse_workbook(path, wanted)


def check_file(path: str | Path) -> None:
    """Validate every year sheet of one INSEE workbook; raise DataError listing problems."""
    _parse_workbook(Path(path), None)


# --------------------------------------------------------------------------- reading


def _read_sheets(path: Path) -> dict[str, pd.DataFrame]:
    try:
        with path.open("rb") as fh:
            head = fh.read(32)
        size = path.stat().st_size
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    if not head:
        raise DataError.single(path, "an Excel workbook (.xls)", "an empty file")
    if not (head.startswith(_OLE2_MAGIC) or head.startswith(_ZIP_MAGIC)):
        found = "a text file" if head.isascii() else "a file of another format"
        raise DataError.single(
            path, "an Excel workbook (.xls)", f"{found} starting with {head[:8]!r}"
        )
    try:
        return pd.read_excel(path, sheet_name=None, header=None, engine="calamine", dtype=object)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # calamine turns Rust panics into BaseException
        hint = "damaged workbook"
        if head.startswith(_OLE2_MAGIC) and len(head) >= 32:
            sector = 1 << int.from_bytes(head[30:32], "little")
            if sector >= 512 and (size - 512) % sector:
                hint = f"truncated workbook ({size} bytes, not whole {sector}-byte sectors)"
        raise DataError.single(
            path,
            "a readable Excel workbook",
            f"a {hint}; reader said {type(exc).__name__}: {str(exc)[:120]}",
        ) from None


def _parse_workbook(path: Path, years: list[int] | None) -> pd.DataFrame:
    return parse_sheets(_read_sheets(path), path, years)


def parse_sheets(
    sheets: dict[str, pd.DataFrame], path: str | Path, years: list[int] | None = None
) -> pd.DataFrame:
    """Check and tidy already-read sheets (raw cells, ``header=None``, ``dtype=object``).

    Split from the file reading so that a sheet can be checked after an in-memory edit: a
    legacy ``.xls`` cannot be rewritten with the libraries the twin depends on.
    """
    path = Path(path)
    by_year = {int(name.strip()): name for name in sheets if name.strip().isdigit()}
    if not by_year:
        raise DataError.single(
            path, "one sheet per year named like '2023'", f"sheets {list(sheets)}"
        )
    if years is not None:
        missing = [y for y in years if y not in by_year]
        if missing:
            raise DataError.single(
                path,
                f"sheets for years {missing}",
                f"years {min(by_year)}–{max(by_year)} only",
            )
    selected = sorted(by_year) if years is None else sorted(set(years))
    problems = ProblemCollector()
    frames = [
        _parse_sheet(path, by_year[y], y, sheets[by_year[y]].to_numpy(dtype=object), problems)
        for y in selected
    ]
    problems.raise_if_any()
    out = pd.concat(frames, ignore_index=True)
    return out


def _where(path: Path, sheet: str) -> str:
    return f"{path}, sheet {sheet!r}"


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _excel_col(idx: int) -> str:
    name = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        name = chr(65 + rem) + name
    return name


def _number(value: Any) -> float | None:
    """Cell as a non-negative whole number; None for an empty cell; NaN if not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, int | float | np.integer | np.floating):
        v = float(value)
        if math.isnan(v):
            return None
        return v if v >= 0 and v.is_integer() else math.nan
    return math.nan


def _find_header(grid: np.ndarray) -> int | None:
    for i in range(min(len(grid), 12)):
        if _text(grid[i, 0]) == "Départements":
            return i
    return None


def _check_header(
    path: Path, sheet: str, year: int, grid: np.ndarray, problems: ProblemCollector
) -> int | None:
    """Row index of the first data row, or None after reporting a header problem."""
    where = _where(path, sheet)
    if grid.shape[1] < _FIRST_NUM_COL + _N_NUM_COLS:
        problems.add(
            where, f"{_FIRST_NUM_COL + _N_NUM_COLS} columns (A–T)", f"{grid.shape[1]} columns"
        )
        return None
    h = _find_header(grid)
    if h is None:
        problems.add(where, "a header row starting with 'Départements' in column A", "none")
        return None
    ok = True
    for b, block in enumerate(_BLOCKS):
        col = _FIRST_NUM_COL + b * (len(AGE_BANDS) + 1)
        if _text(grid[h, col]) != block:
            problems.add(where, repr(block), repr(_text(grid[h, col])), h + 1, _excel_col(col))
            ok = False
    if h + 1 >= len(grid):
        problems.add(where, "a row of age-band labels under the header", "end of sheet", h + 2)
        return None
    labels = [*_BAND_LABELS, "Total"] * len(_BLOCKS)
    for k, label in enumerate(labels):
        col = _FIRST_NUM_COL + k
        got = _text(grid[h + 1, col])
        if got != label:
            problems.add(where, repr(label), repr(got), h + 2, _excel_col(col))
            ok = False
    title = next(
        (_text(grid[i, 0]) for i in range(h) if _text(grid[i, 0]).startswith("Année")), None
    )
    if title is not None and title != f"Année {year}":
        problems.add(where, f"'Année {year}' (the sheet's name)", repr(title))
        ok = False
    return h + 2 if ok else None


def _parse_sheet(
    path: Path, sheet: str, year: int, grid: np.ndarray, problems: ProblemCollector
) -> pd.DataFrame:
    where = _where(path, sheet)
    start = _check_header(path, sheet, year, grid, problems)
    if start is None:
        return pd.DataFrame(columns=list(COLUMNS))
    n_before = len(problems.problems)
    details: dict[str, tuple[int, np.ndarray]] = {}
    totals: dict[str, tuple[int, np.ndarray]] = {}
    for i in range(start, len(grid)):
        row_no = i + 1
        label = _text(grid[i, 0])
        cells = [grid[i, _FIRST_NUM_COL + k] for k in range(_N_NUM_COLS)]
        nums = [_number(v) for v in cells]
        if all(v is None for v in nums):
            continue  # blank separator or source note
        bad = False
        for k, v in enumerate(nums):
            if v is None or math.isnan(v):
                found = "an empty cell" if v is None else repr(cells[k])
                problems.add(
                    where,
                    "a non-negative whole number",
                    found,
                    row_no,
                    _excel_col(_FIRST_NUM_COL + k),
                )
                bad = True
        values = np.array([0.0 if v is None else v for v in nums])
        if label in _AGGREGATES:
            target = totals
        else:
            code = normalise_dep(label)
            if code not in departements().index:
                problems.add(
                    where,
                    "an official département code or a France/DOM total row",
                    repr(label),
                    row_no,
                    "A",
                )
                continue
            label, target = code, details
        if label in target:
            problems.add(
                where,
                f"one row for {label!r}",
                f"a second one (first on row {target[label][0]})",
                row_no,
                "A",
            )
            continue
        if not bad:
            _check_row_sums(where, row_no, values, problems)
        target[label] = (row_no, values)
    if len(problems.problems) > n_before:
        return pd.DataFrame(columns=list(COLUMNS))
    _check_coverage_and_totals(where, year, details, totals, problems)
    return _tidy(year, details)


def _check_row_sums(
    where: str, row_no: int, values: np.ndarray, problems: ProblemCollector
) -> None:
    width = len(AGE_BANDS) + 1
    blocks = values.reshape(len(_BLOCKS), width)
    for b, block in enumerate(_BLOCKS):
        total = blocks[b, -1]
        summed = blocks[b, :-1].sum()
        if summed != total:
            problems.add(
                where,
                f"{block} Total = sum of its age bands ({summed:.0f})",
                f"{total:.0f}",
                row_no,
                _excel_col(_FIRST_NUM_COL + b * width + width - 1),
            )
    both = blocks[1] + blocks[2]
    for k in np.flatnonzero(both != blocks[0]):
        problems.add(
            where,
            f"Ensemble = Hommes + Femmes ({both[k]:.0f})",
            f"{blocks[0, k]:.0f}",
            row_no,
            _excel_col(_FIRST_NUM_COL + int(k)),
        )


def _check_coverage_and_totals(
    where: str,
    year: int,
    details: dict[str, tuple[int, np.ndarray]],
    totals: dict[str, tuple[int, np.ndarray]],
    problems: ProblemCollector,
) -> None:
    missing = [c for c in expected_departements(year) if c not in details]
    if missing:
        problems.add(
            where,
            f"a row for every département INSEE covers in {year}",
            f"no row for {', '.join(missing)}",
        )
    overseas = [c for c in details if c in OVERSEAS_DEPS]
    groups = {
        METRO_TOTAL: [c for c in details if c not in OVERSEAS_DEPS],
        DOM_TOTAL: overseas,
        FRANCE_TOTAL: list(details),
    }
    required = {METRO_TOTAL} | ({DOM_TOTAL, FRANCE_TOTAL} if overseas else set())
    for name in _AGGREGATES:
        if name not in totals:
            if name in required:
                problems.add(where, f"a {name!r} total row", "none")
            continue
        row_no, published = totals[name]
        members = groups[name]
        summed = sum((details[c][1] for c in members), np.zeros(_N_NUM_COLS))
        for k in np.flatnonzero(summed != published):
            problems.add(
                where,
                f"{name!r} = sum of its {len(members)} département rows ({summed[k]:.0f})",
                f"{published[k]:.0f}",
                row_no,
                _excel_col(_FIRST_NUM_COL + int(k)),
            )


def _tidy(year: int, details: dict[str, tuple[int, np.ndarray]]) -> pd.DataFrame:
    codes = sorted(details, key=dep_sort_key)
    width = len(AGE_BANDS) + 1
    # Columns of the Hommes and Femmes blocks without their Total: shape (deps, sex, band).
    cube = np.stack([details[c][1].reshape(len(_BLOCKS), width)[1:, :-1] for c in codes])
    n_dep, n_sex, n_band = cube.shape
    return pd.DataFrame(
        {
            "year": np.full(cube.size, year, dtype=np.int64),
            "dep": np.repeat(codes, n_sex * n_band),
            "sex": np.tile(np.repeat(SEXES, n_band), n_dep),
            "age_band": np.tile(AGE_BANDS, n_dep * n_sex),
            "population": cube.reshape(-1).astype(np.int64),
        }
    )
