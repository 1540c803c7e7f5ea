"""Strict reading of the delimited files published by French health data producers.

Real files drift (column names change between years, encodings differ between publishers,
exports get truncated). This module reads one file against a :class:`TableSpec` and either
returns a clean :class:`pandas.DataFrame` or raises one :class:`~twin.errors.DataError` listing
every problem with its line and column. Codes always stay strings; numbers are parsed
explicitly; empty cells stay missing (never zero). Each returned row keeps its physical line
number in ``_line`` so later consistency checks can point at it too.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from twin.errors import DataError, ProblemCollector
from twin.plausibility import Bound

LINE = "_line"
# Integers below 2**53 convert to float64 exactly, whichever parser reads them.
_EXACT_FLOAT_INT = 2**53
_ANY_SPACE = re.compile(r"\s")
_EDGE_SPACE = re.compile(r"(?:\A|\x00)\s|\s(?:\x00|\Z)")

ENCODING_LABELS = {
    "latin-1": "ISO-8859-1 (Latin-1) text",
    "cp1252": "Windows-1252 text",
    "utf-8": "UTF-8 text",
    "utf-8-sig": "UTF-8 text",
}
SEPARATOR_LABELS = {";": "';'", ",": "','", "\t": "tab", "|": "'|'"}


@dataclass(frozen=True)
class TableSpec:
    """What one source's file must look like.

    ``columns`` maps each canonical column name to the header spellings accepted for it
    (the alias map: per year and vintage). Header matching ignores case. ``ignored`` lists
    other header names known to occur in real files and deliberately not read; any header
    that is neither is reported, so a renamed column fails loudly instead of vanishing.
    """

    source: str
    sep: str
    encoding: str
    columns: Mapping[str, tuple[str, ...]]
    required: frozenset[str]
    integers: frozenset[str] = frozenset()
    decimals: frozenset[str] = frozenset()
    decimal_mark: str = "."
    thousands_mark: str | None = None
    allow_negative: frozenset[str] = frozenset()
    ignored: frozenset[str] = frozenset()
    allow_unknown_columns: bool = False
    header: bool = True
    key: tuple[str, ...] = ()
    code_checks: Mapping[str, Callable[[str], bool]] = field(default_factory=dict)
    code_expectations: Mapping[str, str] = field(default_factory=dict)
    comment_prefix: str | None = None
    bounds: Mapping[str, Bound] = field(default_factory=dict)
    """Plausibility bounds of numeric columns (:data:`twin.plausibility.BOUNDS`)."""
    min_rows: int = 1
    """Data rows required: a header-only file is a truncated export, not "no activity"."""
    require_ignored: bool = False
    """Whether the known-but-not-read columns (``ignored``) must all be present too: a
    file missing one of its vintage's columns is damaged even if that column is not read."""


def _column_at(raw: bytes, offset: int, spec: TableSpec) -> str | None:
    """Name of the column holding byte ``offset`` (to locate an encoding error).

    Counts separators from the start of the offending line (quotes are not interpreted:
    good enough for a location hint) and names that field from the header line, or from
    the spec's column order for files without a header.
    """
    sep = spec.sep.encode("ascii")
    start = raw.rfind(b"\n", 0, offset) + 1
    index = raw.count(sep, start, offset)
    if not spec.header:
        names = list(spec.columns)
        return names[index] if index < len(names) else None
    lines = raw.split(b"\n")
    prefix = spec.comment_prefix.encode() if spec.comment_prefix else None
    header = next(
        (ln for ln in lines if ln.strip() and not (prefix and ln.startswith(prefix))), b""
    )
    fields = header.removeprefix(b"\xef\xbb\xbf").rstrip(b"\r").split(sep)
    if index >= len(fields):
        return None
    return fields[index].decode(spec.encoding.removesuffix("-sig"), errors="replace").strip()


def _decode(path: Path, raw: bytes, spec: TableSpec, problems: ProblemCollector) -> str | None:
    enc = spec.encoding
    if enc in ("latin-1", "cp1252"):
        if raw.startswith(b"\xef\xbb\xbf"):
            problems.add(path, ENCODING_LABELS[enc], "a UTF-8 byte-order mark (UTF-8 file)", 1)
            return None
        if not raw.isascii():
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                first = next(i for i, b in enumerate(raw) if b > 127)
                end = first + 1
                while end < len(raw) and 0x80 <= raw[end] < 0xC0:
                    end += 1
                line = raw[:first].count(b"\n") + 1
                found = f"UTF-8 encoded characters ({raw[first:end].decode()!r} as bytes "
                found += " ".join(f"0x{b:02X}" for b in raw[first:end]) + ")"
                problems.add(
                    path, ENCODING_LABELS[enc], found, line, _column_at(raw, first, spec)
                )
                return None
        return raw.decode(enc, errors="strict" if enc == "latin-1" else "replace")
    try:
        return raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        found = f"byte 0x{raw[exc.start]:02X}, not valid UTF-8 (Latin-1 or Windows-1252 file?)"
        problems.add(path, ENCODING_LABELS[enc], found, line, _column_at(raw, exc.start, spec))
        return None


def _strip_comments(text: str, prefix: str | None) -> tuple[str, int]:
    """Drop leading comment lines (Sentinelles starts with a '#' JSON line)."""
    skipped = 0
    if prefix:
        while text.startswith(prefix):
            cut = text.find("\n")
            text = "" if cut < 0 else text[cut + 1 :]
            skipped += 1
    return text, skipped


def _match_header(
    path: Path, header: list[str], spec: TableSpec, problems: ProblemCollector, line: int
) -> dict[str, str]:
    """Map raw header names to canonical ones; report missing and unknown columns."""
    alias_to_canon: dict[str, str] = {}
    for canon, aliases in spec.columns.items():
        for alias in (canon, *aliases):
            alias_to_canon[alias.lower()] = canon
    ignored = {h.lower() for h in spec.ignored}
    rename: dict[str, str] = {}
    unknown: list[str] = []
    for h in header:
        canon = alias_to_canon.get(h.strip().lower())
        if canon is not None:
            if canon in rename.values():
                problems.add(path, f"one column for {canon!r}", f"a second one, {h!r}", line, h)
            rename[h] = canon
        elif h.strip().lower() not in ignored and not spec.allow_unknown_columns:
            unknown.append(h)
    present = set(rename.values())
    for canon in sorted(spec.required - present):
        spellings = " or ".join(repr(a) for a in dict.fromkeys((canon, *spec.columns[canon])))
        problems.add(
            path, f"a column {spellings} in the {spec.source} header", "no such column", line, canon
        )
    if spec.require_ignored:
        seen = {h.strip().lower() for h in header}
        for h in sorted(spec.ignored):
            if h.lower() not in seen:
                problems.add(
                    path, f"a column {h!r} in the {spec.source} header (every column of the "
                    "vintage, even those not read: a missing one means a damaged export)",
                    "no such column", line, h,
                )
    for h in unknown:
        problems.add(
            path,
            f"only the known {spec.source} columns",
            f"unknown column {h!r} (renamed, or from an unsupported vintage?)",
            line,
            h,
        )
    return rename


def _parse_numbers(
    path: Path, df: pd.DataFrame, spec: TableSpec, problems: ProblemCollector, parsed: set[str]
) -> None:
    """Numeric columns as float64 (empty cells NaN); columns in ``parsed`` already are."""
    for col in sorted((spec.integers | spec.decimals) & set(df.columns) - parsed):
        raw = df[col].str.strip()
        text = raw
        if spec.thousands_mark:
            text = text.str.replace(spec.thousands_mark, "", regex=False)
        if spec.decimal_mark != ".":
            text = text.str.replace(spec.decimal_mark, ".", regex=False)
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        kind = "an integer" if col in spec.integers else "a number"
        bad = values.isna() & (raw != "")
        if col in spec.integers:
            frac = values.notna() & (values != np.floor(values.fillna(0)))
            bad |= frac
        for idx in np.flatnonzero(bad.to_numpy())[:20]:
            problems.add(
                path, f"{kind} or an empty cell", repr(raw.iloc[idx]), int(df[LINE].iloc[idx]), col
            )
        if col not in spec.allow_negative:
            neg = values < 0
            for idx in np.flatnonzero(neg.to_numpy())[:20]:
                problems.add(
                    path, f"a non-negative {kind[2:] if kind.startswith('a ') else kind[3:]}",
                    repr(raw.iloc[idx]), int(df[LINE].iloc[idx]), col,
                )
        df[col] = values.astype("float64")


def _check_bounds(
    path: Path, df: pd.DataFrame, spec: TableSpec, problems: ProblemCollector
) -> None:
    """Numbers must be finite, and within their declared plausibility bound if any: an
    ``inf`` or ``1e30`` in a count would otherwise overflow or poison every total."""
    for col in sorted((spec.integers | spec.decimals) & set(df.columns)):
        values = df[col].to_numpy(dtype="float64", na_value=np.nan)
        bound = spec.bounds.get(col)
        bad = np.isinf(values)
        if bound is not None:
            with np.errstate(invalid="ignore"):
                bad |= (values < bound.low) | (values > bound.high)
        rows = np.flatnonzero(bad)
        for idx in rows[:20]:
            expected = bound.expected() if bound is not None else "a finite number"
            problems.add(path, expected, f"{values[idx]:g}", int(df[LINE].iloc[idx]), col)
        if len(rows) > 20:
            problems.add(path, "plausible values", f"{len(rows) - 20} more such rows", None, col)


def _check_codes(
    path: Path, df: pd.DataFrame, spec: TableSpec, problems: ProblemCollector, cells: _Cells
) -> None:
    for col, check in spec.code_checks.items():
        if col not in df.columns:
            continue
        uniques = cells.distinct[col][1] if col in cells.distinct else df[col].unique()
        bad_values = {v for v in uniques if not check(v)}
        if not bad_values:
            continue
        expected = spec.code_expectations.get(col, f"a valid {col} code")
        rows = np.flatnonzero(df[col].isin(bad_values).to_numpy())
        for idx in rows[:20]:
            problems.add(path, expected, repr(df[col].iloc[idx]), int(df[LINE].iloc[idx]), col)
        if len(rows) > 20:
            problems.add(path, expected, f"{len(rows) - 20} more such rows", None, col)


def _check_duplicates(
    path: Path, df: pd.DataFrame, key: Iterable[str], problems: ProblemCollector, cells: _Cells
) -> None:
    key = [k for k in key if k in df.columns]
    if not key or not _may_repeat(key, cells, len(df)):
        return
    dup = df.duplicated(subset=key, keep=False)
    if not dup.any():
        return
    first_seen: dict[tuple, int] = {}
    for _, row in df.loc[dup, [*key, LINE]].iterrows():
        k = tuple(row[c] for c in key)
        if k in first_seen:
            found = f"a duplicate of line {first_seen[k]} for {dict(zip(key, k, strict=True))}"
            problems.add(path, "one row per " + "/".join(key), found, int(row[LINE]))
        else:
            first_seen[k] = int(row[LINE])


def _may_repeat(key: list[str], cells: _Cells, n_rows: int) -> bool:
    """Whether two rows may share ``key``: exactly, from the distinct-value indices if known.

    Combining the key columns' indices into one integer per row finds repeats with a
    bincount (or a sort) instead of hashing a million strings per column. Without indices
    for every key column (or if the combination would overflow) the answer is ``True``
    and :func:`_check_duplicates` looks for itself.
    """
    if not all(k in cells.distinct for k in key):
        return True
    combined = np.zeros(n_rows, dtype=np.int64)
    size = 1
    for k in key:
        indices, words = cells.distinct[k]
        size *= max(len(words), 1)
        if size >= 2**62:
            return True
        combined = combined * len(words) + indices
    if size <= 8 * n_rows + 1024:
        return bool((np.bincount(combined, minlength=size) > 1).any())
    ordered = np.sort(combined)
    return bool((ordered[1:] == ordered[:-1]).any())


@dataclass
class _Cells:
    """A table as read, plus what a fast read already knows about its columns.

    ``parsed`` names the numeric columns already converted to float64. ``distinct`` maps
    some string columns to ``(indices, words)``: each row's index into the column's
    distinct values, which makes the code and duplicate checks integer work.
    """

    frame: pd.DataFrame
    parsed: set[str] = field(default_factory=set)
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def read_table(path: str | Path, spec: TableSpec, raw: bytes | None = None) -> pd.DataFrame:
    """Read and validate one file; return canonical columns plus ``_line``.

    Raises :class:`DataError` listing every problem found; never returns a partial table.
    A file in the common plain layout is read by Arrow, only the spec's columns, with the
    per-cell work (stripping, number parsing, code and duplicate checks) done on whole
    columns; whatever that path cannot vouch for goes through the general pandas read,
    which words every message, so both give the same table or the same errors.
    """
    path = Path(path)
    problems = ProblemCollector()
    if raw is None:
        try:
            raw = _read_bytes(path)
        except OSError as exc:
            raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    if not raw or raw.isspace():  # all ASCII whitespace, as ``not raw.strip()`` without a copy
        raise DataError.single(path, f"a {spec.source} file with a header line", "an empty file")
    if raw[:2] == b"\x1f\x8b":
        raise DataError.single(
            path, f"a plain-text {spec.source} file (or a name ending in .gz)",
            "gzip-compressed bytes: decompress it or rename it to .csv.gz", 1,
        )
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise DataError.single(
            path, f"a text {spec.source} file",
            f"a NUL byte at byte offset {nul} (a binary or damaged file)",
            raw.count(b"\n", 0, nul) + 1, _column_at(raw, nul, spec),
        )
    text = _decode(path, raw, spec, problems)
    problems.raise_if_any()
    assert text is not None
    text, skipped = _strip_comments(text.lstrip("\ufeff"), spec.comment_prefix)
    header_line_no = skipped + 1
    first_line = _first_line(text).rstrip("\r")
    if spec.header and spec.sep not in first_line:
        others = [s for s in SEPARATOR_LABELS if s != spec.sep and s in first_line]
        if others:
            problems.add(
                path,
                f"{SEPARATOR_LABELS[spec.sep]}-separated columns",
                f"{SEPARATOR_LABELS[others[0]]}-separated header {first_line[:60]!r}",
                header_line_no,
            )
            problems.raise_if_any()
    cells = _read_known_columns(text, spec, skipped)
    if cells is None:
        cells = _Cells(_read_all_columns(path, text, spec, skipped, problems))
    df = cells.frame
    for col in _strip_cells(df, cells.parsed):
        cells.distinct.pop(col, None)  # the stripped values are no longer those words
    _parse_numbers(path, df, spec, problems, cells.parsed)
    _check_bounds(path, df, spec, problems)
    if len(df) < spec.min_rows and not problems.problems:
        problems.add(path, f"at least {spec.min_rows} data row(s) under the {spec.source} header",
                     "only the header (a truncated export?)", header_line_no)
    _check_codes(path, df, spec, problems, cells)
    if spec.key:
        _check_duplicates(path, df, spec.key, problems, cells)
    problems.raise_if_any()
    return df if _has_default_index(df) else df.reset_index(drop=True)


def _read_cells(path: Path, text: str, spec: TableSpec) -> pd.DataFrame:
    """Every cell as a string (codes keep their leading zeros; empty cells stay ``""``)."""
    try:
        return pd.read_csv(
            io.StringIO(text),
            sep=spec.sep,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            header=0 if spec.header else None,
            names=None if spec.header else list(spec.columns),
            engine="c",
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError.single(path, f"a well-formed {spec.source} table", str(exc)) from None


def _read_all_columns(
    path: Path, text: str, spec: TableSpec, skipped: int, problems: ProblemCollector
) -> pd.DataFrame:
    """The general read: row shapes checked, all columns as strings, header matched.

    Every located message about field counts, parsing and header names comes from here.
    """
    header_line_no = skipped + 1
    row_lines, field_counts = _scan_rows(text, spec.sep)
    n_fields = int(field_counts[0]) if spec.header and len(field_counts) else len(spec.columns)
    data_lines = row_lines[1:] if spec.header else row_lines
    data_counts = field_counts[1:] if spec.header else field_counts
    last = len(data_counts) - 1
    names = _field_names(text, spec)
    for i in np.flatnonzero(data_counts != n_fields)[:20]:
        n = int(data_counts[i])
        short_last = i == last and n < n_fields
        # A short row is located at its first missing field, named from the header.
        missing = names[n] if n < n_fields and n < len(names) else None
        problems.add(
            path,
            f"{n_fields} fields",
            f"{n} fields" + (" (file truncated?)" if short_last else ""),
            int(data_lines[i]) + skipped,
            missing,
        )
    problems.raise_if_any()
    df = _read_cells(path, text, spec)
    df.insert(0, LINE, data_lines.astype(np.int64) + skipped)
    if spec.header:
        raw_header = [c for c in df.columns if c != LINE]
        rename = _match_header(path, raw_header, spec, problems, header_line_no)
        problems.raise_if_any()
        df = df[[LINE, *rename]].rename(columns=rename)
    return df


def _read_known_columns(text: str, spec: TableSpec, skipped: int) -> _Cells | None:
    """The spec's columns read by Arrow, plain counts already parsed; ``None`` if unsafe.

    Converting a million rows of a dozen skipped columns to Python strings (SurSaUD) costs
    more than all the checks. Arrow reads only the known columns, checks that every row
    has the header's field count and parses counts made of bare digits, all in C. It is
    used only where it must agree with the general read (:func:`_plain_layout`), on a
    header line with no problem, and when it returns one row per line after the header;
    otherwise this returns ``None`` and the caller does the general read, with its messages.
    """
    if not _plain_layout(text, spec):
        return None
    first = _first_line(text)
    n_fields = first.count(spec.sep) + 1
    header = _header_names(first, spec)
    if header is None or len(header) != n_fields or n_fields < 2:
        return None
    trial = ProblemCollector()  # thrown away: the general read words header problems
    rename = _match_header(Path(spec.source), header, spec, trial, skipped + 1)
    if trial.problems:
        return None
    positions = [i for i, name in enumerate(header) if name in rename]
    table = _arrow_read(text, spec.sep, positions, n_fields)
    n_rows = text.count("\n") - text.endswith("\n")
    if table is None or table.num_rows != n_rows:
        return None
    lines = np.arange(2, n_rows + 2, dtype=np.int64) + skipped
    return _frame_from_arrow(table, [rename[header[i]] for i in positions], spec, lines)


def _plain_layout(text: str, spec: TableSpec) -> bool:
    """Whether Arrow and the general read must split ``text`` into the same cells.

    That holds for a header and a one-character separator, without quotes (the row scan
    and the two parsers could tokenise them differently), NUL (pandas ends a cell there) or
    a lone ``\\r`` (a line end for both parsers but not for the general read's row scan,
    which would report those rows' shapes). Blank lines, which would shift the line
    numbers, are caught by the caller's row count (Arrow skips them); its two-fields
    minimum rules out lines of mere spaces, which pandas skips.
    """
    if not spec.header or len(spec.sep) != 1 or '"' in text or "\x00" in text:
        return False
    return "\r" not in text or text.count("\r") == text.count("\r\n")


def _first_line(text: str) -> str:
    """The text up to its first ``\\n`` (without copying the rest, as ``split`` would)."""
    end = text.find("\n")
    return text if end < 0 else text[:end]


def _header_names(first_line: str, spec: TableSpec) -> list[str] | None:
    """Column names as the general read sees them (pandas de-duplicates repeated names)."""
    try:
        first = pd.read_csv(io.StringIO(first_line), sep=spec.sep, dtype=str, nrows=0, engine="c")
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        return None
    return [str(c) for c in first.columns]


def _arrow_read(text: str, sep: str, positions: list[int], n_fields: int) -> pa.Table | None:
    """Columns ``positions`` of the data rows as Arrow strings (empty cells stay ``""``)."""
    names = [f"f{i}" for i in range(n_fields)]
    keep = [names[i] for i in positions]
    try:
        return pa_csv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(
                delimiter=sep, quote_char=False, escape_char=False, ignore_empty_lines=True
            ),
            convert_options=pa_csv.ConvertOptions(
                include_columns=keep,
                column_types=dict.fromkeys(keep, pa.string()),
                null_values=[],
                strings_can_be_null=False,
            ),
        )
    except (pa.ArrowException, UnicodeEncodeError):
        return None


def _frame_from_arrow(
    table: pa.Table, canon: list[str], spec: TableSpec, lines: np.ndarray
) -> _Cells:
    """The table as the general read would leave it, with its parsed and distinct values."""
    columns: dict[str, np.ndarray] = {LINE: lines}
    parsed: set[str] = set()
    distinct: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    numeric = spec.integers | spec.decimals
    for name, col in zip(canon, table.columns, strict=True):
        values = _arrow_plain_digits(col) if name in numeric else None
        if values is not None:
            parsed.add(name)
        else:
            indices, words = _arrow_distinct(col)
            values = words[indices]
            distinct[name] = (indices, words)
        columns[name] = values
    return _Cells(pd.DataFrame(columns), parsed, distinct)


def _arrow_distinct(col: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Each cell's index into the column's distinct strings, and those strings.

    Arrow's dictionary encoding is one C pass; building the Python strings once per
    distinct value then spreading them is as fast as a plain conversion.
    """
    encoded = pc.dictionary_encode(col.combine_chunks())
    words = np.array(encoded.dictionary.to_pylist(), dtype=object)
    return encoded.indices.to_numpy().astype(np.int64), words


def _arrow_plain_digits(col: pa.ChunkedArray) -> np.ndarray | None:
    """Float values of a column of bare ASCII digits and empty cells, else ``None``.

    Such a column is the common, valid case and needs none of :func:`_parse_numbers`'s
    work: no whitespace, mark, sign or fraction can hide in ASCII digits. Anything else
    (or a value too large to stay exact as a float) returns ``None`` and takes the general
    path, which locates every problem.
    """
    empty = pc.equal(col, "")
    if len(col) and not pc.all(pc.or_(empty, pc.ascii_is_decimal(col))).as_py():
        return None
    try:
        ints = pc.cast(pc.if_else(empty, pa.scalar(None, pa.string()), col), pa.int64())
    except pa.ArrowException:
        return None
    largest = pc.max(ints).as_py()
    if largest is not None and largest >= _EXACT_FLOAT_INT:
        return None
    return pc.cast(ints, pa.float64()).fill_null(np.nan).to_numpy()


def _strip_cells(df: pd.DataFrame, parsed: set[str]) -> list[str]:
    """Strip surrounding whitespace, only in the string columns that have some (returned)."""
    stripped = [
        col
        for col in df.columns
        if col != LINE and col not in parsed and _has_edge_whitespace(df[col].to_numpy())
    ]
    for col in stripped:
        df[col] = df[col].str.strip()
    return stripped


def _has_default_index(df: pd.DataFrame) -> bool:
    """Whether the index already is 0..n-1, so ``reset_index`` would only copy the frame."""
    index = df.index
    return isinstance(index, pd.RangeIndex) and index.start == 0 and index.step == 1


def _has_edge_whitespace(cells: np.ndarray) -> bool:
    """Whether any cell starts or ends with whitespace (so the column needs stripping).

    Stripping a million cells one by one is slow and almost always a no-op. Joining the
    column with NUL (never whitespace) puts every cell edge next to a NUL or an end of the
    string, so two regex scans answer for the whole column; ``re``'s ``\\s`` is the same
    whitespace test as ``str.strip``. Cells that hold a NUL themselves, or are not strings,
    are answered ``True`` so the caller strips as before.
    """
    try:
        joined = "\x00".join(cells)
    except TypeError:
        return True
    if joined.count("\x00") != len(cells) - 1:
        return True
    if _ANY_SPACE.search(joined) is None:
        return False
    return _EDGE_SPACE.search(joined) is not None


def _field_names(text: str, spec: TableSpec) -> list[str]:
    """Column names in file order: the header line, or the spec's order without one."""
    if not spec.header:
        return list(spec.columns)
    first = _first_line(text).rstrip("\r")
    return [h.strip().strip('"') for h in first.split(spec.sep)]


def _scan_rows(text: str, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """Physical line number and field count of every non-blank record.

    The fast path counts separators per line; files with quoted fields (the SAE register
    quotes names containing quotes) go through the csv module, which knows quoting.
    """
    if '"' not in text and len(sep) == 1 and sep.isascii() and sep not in "\r\n":
        return _scan_unquoted(text, sep)
    if '"' not in text:
        lines = text.split("\n")
        idx = [i for i, ln in enumerate(lines) if ln.strip("\r")]
        counts = [lines[i].count(sep) + 1 for i in idx]
        return np.asarray(idx, dtype=np.int64) + 1, np.asarray(counts, dtype=np.int64)
    reader = csv.reader(io.StringIO(text), delimiter=sep)
    starts: list[int] = []
    counts: list[int] = []
    prev_end = 0
    for row in reader:
        if row:
            starts.append(prev_end + 1)
            counts.append(len(row))
        prev_end = reader.line_num
    return np.asarray(starts, dtype=np.int64), np.asarray(counts, dtype=np.int64)


def _scan_unquoted(text: str, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_scan_rows` for unquoted text, on its UTF-8 bytes with numpy.

    Same answer as splitting on ``\\n`` and counting ``sep`` per line (a line of only
    ``\\r`` is blank), without a Python loop over a million lines. UTF-8 never puts an
    ASCII byte inside a multi-byte character, so byte counts equal character counts here.
    """
    data = np.frombuffer(text.encode("utf-8", errors="surrogatepass"), dtype=np.uint8)
    ends = np.append(np.flatnonzero(data == ord("\n")), len(data))
    starts = np.concatenate(([0], ends[:-1] + 1))
    seps = _count_per_line(data == ord(sep), starts, ends)
    content = ends - starts
    if "\r" in text:
        content = content - _count_per_line(data == ord("\r"), starts, ends)
    rows = np.flatnonzero(content > 0)
    return rows.astype(np.int64) + 1, seps[rows].astype(np.int64) + 1


def _count_per_line(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """How many ``True`` bytes of ``mask`` fall in each line ``[start, end)``.

    ``reduceat`` sums from one start to the next; empty lines are left out of the starts
    (``reduceat`` would give them a byte of the next line), which is harmless because the
    bytes they leave to the previous segment are only newlines, never counted. Summing
    bytes into int32 (exact: no line of a text under 2 GiB holds more) is several times
    faster than into int64.
    """
    counts = np.zeros(len(starts), dtype=np.int64)
    filled = np.flatnonzero(ends > starts)
    if len(filled):
        total = np.int32 if len(mask) < 2**31 else np.int64
        counts[filled] = np.add.reduceat(mask.view(np.uint8), starts[filled], dtype=total)
    return counts


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            try:
                return fh.read()
            except (EOFError, OSError) as exc:
                raise OSError(f"truncated or corrupt gzip file ({exc})") from None
    return path.read_bytes()
