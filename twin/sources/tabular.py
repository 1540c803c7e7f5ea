"""Strict reading of the delimited files published by French health data producers.

Real files drift (column names change between years, encodings differ between publishers,
exports get truncated). This module reads one file against a :class:`TableSpec` and either
returns a clean :class:`pandas.DataFrame` or raises one :class:`~twin.errors.DataError` listing
every problem with its line and column. Codes always stay strings; numbers are parsed
explicitly; empty cells stay missing (never zero). Each returned row keeps its physical line
number in ``_line`` so later consistency checks can point at it too.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import DataError, ProblemCollector

LINE = "_line"

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
    path: Path, df: pd.DataFrame, spec: TableSpec, problems: ProblemCollector
) -> None:
    for col in sorted((spec.integers | spec.decimals) & set(df.columns)):
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


def _check_codes(path: Path, df: pd.DataFrame, spec: TableSpec, problems: ProblemCollector) -> None:
    for col, check in spec.code_checks.items():
        if col not in df.columns:
            continue
        uniques = df[col].unique()
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
    path: Path, df: pd.DataFrame, key: Iterable[str], problems: ProblemCollector
) -> None:
    key = [k for k in key if k in df.columns]
    if not key:
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


def read_table(path: str | Path, spec: TableSpec, raw: bytes | None = None) -> pd.DataFrame:
    """Read and validate one file; return canonical columns plus ``_line``.

    Raises :class:`DataError` listing every problem found; never returns a partial table.
    """
    path = Path(path)
    problems = ProblemCollector()
    if raw is None:
        try:
            raw = _read_bytes(path)
        except OSError as exc:
            raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    if not raw.strip():
        raise DataError.single(path, f"a {spec.source} file with a header line", "an empty file")
    text = _decode(path, raw, spec, problems)
    problems.raise_if_any()
    assert text is not None
    text, skipped = _strip_comments(text.lstrip("\ufeff"), spec.comment_prefix)
    header_line_no = skipped + 1
    first_line = text.split("\n", 1)[0].rstrip("\r")
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
    try:
        df = pd.read_csv(
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
    df.insert(0, LINE, data_lines.astype(np.int64) + skipped)
    if spec.header:
        raw_header = [c for c in df.columns if c != LINE]
        rename = _match_header(path, raw_header, spec, problems, header_line_no)
        problems.raise_if_any()
        df = df[[LINE, *rename]].rename(columns=rename)
    for col in df.columns:
        if col != LINE:
            df[col] = df[col].str.strip()
    _parse_numbers(path, df, spec, problems)
    _check_codes(path, df, spec, problems)
    if spec.key:
        _check_duplicates(path, df, spec.key, problems)
    problems.raise_if_any()
    return df.reset_index(drop=True)


def _field_names(text: str, spec: TableSpec) -> list[str]:
    """Column names in file order: the header line, or the spec's order without one."""
    if not spec.header:
        return list(spec.columns)
    first = text.split("\n", 1)[0].rstrip("\r")
    return [h.strip().strip('"') for h in first.split(spec.sep)]


def _scan_rows(text: str, sep: str) -> tuple[np.ndarray, np.ndarray]:
    """Physical line number and field count of every non-blank record.

    The fast path counts separators per line; files with quoted fields (the SAE register
    quotes names containing quotes) go through the csv module, which knows quoting.
    """
    if '"' not in text:
        lines = text.split("\n")
        idx = [i for i, ln in enumerate(lines) if ln.strip("\r")]
        counts = [lines[i].count(sep) + 1 for i in idx]
        return np.asarray(idx, dtype=np.int64) + 1, np.asarray(counts, dtype=np.int64)
    import csv

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


def _read_bytes(path: Path) -> bytes:
    if path.suffix == ".gz":
        import gzip

        with gzip.open(path, "rb") as fh:
            try:
                return fh.read()
            except (EOFError, OSError) as exc:
                raise OSError(f"truncated or corrupt gzip file ({exc})") from None
    return path.read_bytes()
