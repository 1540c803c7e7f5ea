"""Réseau Sentinelles weekly incidence seen in general practice (France and pre-2016 régions).

Publisher: Réseau Sentinelles (Inserm, Sorbonne Université), https://www.sentiweb.fr.

**Attribution.** Each file's first line is a ``#`` JSON comment whose ``source`` field is the
credit the publisher asks for. In the embedded files it reads (HTML entities decoded)::

    réseau Sentinelles, INSERM, Sorbonne Université, https://www.sentiweb.fr

Every table, chart or export built from these series must carry that credit;
:func:`read_metadata` returns it from the file itself so the credit follows the data.

**Licence — what is known and what is not.** The series are published openly on sentiweb.fr
(free download, no account) with the attribution above. The files carry no licence field,
and I could not confirm from here which formal licence (if any, e.g. Licence Ouverte or
ODbL) the publisher applies; the project's data card must record the terms as read on
sentiweb.fr before the files are redistributed in a release. Until then treat them as
"public, reuse with attribution, licence to be confirmed".

**Format.** ``#`` JSON comment, then ``week,indicator,inc,inc_low,inc_up,inc100,inc100_low,
inc100_up,geo_insee,geo_name``, comma-separated, ASCII, LF, newest week first. ``week`` is an
ISO week ``YYYYWW``; ``inc`` is the estimated number of GP consultations in the week with its
95 % interval, ``inc100`` the same per 100,000 inhabitants. A cell ``-`` (with empty bounds)
means "no estimate" and becomes NaN, never 0.

**Indicators.** The file says which series it holds (``indicator`` column, ``meta.indicator``):
``3`` influenza-like illness (``grippe``), ``6`` acute diarrhoea (``gastro``), ``7`` chickenpox
(``varicelle``). Files are selected by that code, not by their name. Caution: the embedded
``gastro_incidence_france.csv`` holds indicator **7 (varicelle)**, not 6 — its seasonality
confirms it (peak in spring at about 60 per 100,000 a week, trough in September, whereas
acute diarrhoea peaks in winter at several hundred). ``load_incidence("gastro")`` therefore
raises a DataError on the embedded data, and ``load_incidence("varicelle")`` reads that file.

**Geography.** ``level="france"``: ``geo_code`` ``FR``. ``level="region"``: the 22 pre-2016
metropolitan régions (``geo_code`` = their old INSEE code) plus ``0`` ``OUTRE-MER``, which in
the embedded file is listed until week 2020-36 with no estimate at all. Old régions nest in
the 2016 ones; :data:`PRE2016_TO_2016` maps them (``OUTRE-MER`` has no single counterpart).
Missing estimates also occur for small régions in the 1980s–2000s (Corse: 644 weeks).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from twin.errors import DataError, ProblemCollector
from twin.paths import real_dir
from twin.sources.tabular import LINE, TableSpec, read_table

FILE_PATTERNS = (
    "grippe_incidence_*.csv",
    "gastro_incidence_*.csv",
    "varicelle_incidence_*.csv",
    "incidence-PAY-*.csv",
    "incidence-RDD-*.csv",
    "incidence-REG-*.csv",
)

INDICATORS = {"grippe": "3", "gastro": "6", "varicelle": "7"}
INDICATOR_LABELS = {
    "3": "syndromes grippaux (grippe)",
    "6": "diarrhée aiguë (gastro)",
    "7": "varicelle",
}
LEVELS = ("france", "region")
NUMBERS = ("inc", "inc_low", "inc_up", "inc100", "inc100_low", "inc100_up")
COLUMNS = ("week", "week_start", *NUMBERS, "geo_code", "geo_name")

# Pre-2016 région code -> (Sentinelles name, 2016 région code).
PRE2016_REGIONS: dict[str, tuple[str, str | None]] = {
    "11": ("ILE-DE-FRANCE", "11"),
    "21": ("CHAMPAGNE-ARDENNE", "44"),
    "22": ("PICARDIE", "32"),
    "23": ("HAUTE-NORMANDIE", "28"),
    "24": ("CENTRE", "24"),
    "25": ("BASSE-NORMANDIE", "28"),
    "26": ("BOURGOGNE", "27"),
    "31": ("NORD-PAS-DE-CALAIS", "32"),
    "41": ("LORRAINE", "44"),
    "42": ("ALSACE", "44"),
    "43": ("FRANCHE-COMTE", "27"),
    "52": ("PAYS-DE-LA-LOIRE", "52"),
    "53": ("BRETAGNE", "53"),
    "54": ("POITOU-CHARENTES", "75"),
    "72": ("AQUITAINE", "75"),
    "73": ("MIDI-PYRENEES", "76"),
    "74": ("LIMOUSIN", "75"),
    "82": ("RHONE-ALPES", "84"),
    "83": ("AUVERGNE", "84"),
    "91": ("LANGUEDOC-ROUSSILLON", "76"),
    "93": ("PROVENCE-ALPES-COTE-D-AZUR", "93"),
    "94": ("CORSE", "94"),
    "0": ("OUTRE-MER", None),
}
PRE2016_TO_2016 = {k: v[1] for k, v in PRE2016_REGIONS.items() if v[1] is not None}

_META_GEO = {"PAY": "france", "REG": "region", "RDD": "region"}
_WEEK = re.compile(r"^(\d{4})(\d{2})$")
# A cell that is exactly "-" (Sentinelles' "no estimate"), between commas or at line end.
_NO_ESTIMATE = re.compile(rb"(?m)(?<=,)-(?=,|\r?$)")


def _iso_monday(week: str) -> dt.date | None:
    m = _WEEK.match(week)
    if not m:
        return None
    try:
        return dt.date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        return None


def _valid_geo(code: str) -> bool:
    return code == "FR" or code in PRE2016_REGIONS


SPEC = TableSpec(
    source="Sentinelles incidence",
    sep=",",
    encoding="utf-8",
    columns={
        "week": (),
        "indicator": (),
        **{n: () for n in NUMBERS},
        "geo_code": ("geo_insee",),
        "geo_name": (),
    },
    required=frozenset({"week", "indicator", *NUMBERS, "geo_code", "geo_name"}),
    decimals=frozenset(NUMBERS),
    key=("week", "geo_code"),
    code_checks={
        "week": lambda w: _iso_monday(w) is not None,
        "indicator": lambda v: v in INDICATOR_LABELS,
        "geo_code": _valid_geo,
    },
    code_expectations={
        "week": "an ISO week YYYYWW (week 53 only in 53-week years)",
        "indicator": "a supported Sentinelles indicator (3 grippe, 6 gastro, 7 varicelle)",
        "geo_code": "'FR' or a pre-2016 région code (11, 21…94, 0 for OUTRE-MER)",
    },
    comment_prefix="#",
)


def read_metadata(path: str | Path) -> dict[str, Any]:
    """The ``#`` JSON comment of a file (``{}`` if it has none), with ``source`` unescaped."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            first = fh.readline().decode("utf-8", errors="replace").strip()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    if not first.startswith("#"):
        return {}
    try:
        meta = json.loads(first[1:])
    except json.JSONDecodeError as exc:
        raise DataError.single(
            path, "a '#' comment holding one JSON object", f"invalid JSON ({exc.msg})", 1
        ) from None
    if not isinstance(meta, dict):
        raise DataError.single(path, "a '#' comment holding one JSON object", repr(meta)[:60], 1)
    if isinstance(meta.get("source"), str):
        meta["source"] = html.unescape(meta["source"])
    return meta


def describe_file(path: str | Path) -> tuple[str | None, str | None]:
    """``(indicator code, level)`` announced by a file, read from its first lines only."""
    path = Path(path)
    meta = read_metadata(path)
    inner = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
    indicator = str(inner["indicator"]) if "indicator" in inner else None
    geo = inner.get("geo")
    level = _META_GEO.get(geo[0]) if isinstance(geo, list) and geo else None
    if indicator is None or level is None:
        with path.open("rb") as fh:
            lines = [ln.decode("utf-8", errors="replace") for ln in fh.readlines(4096)]
        rows = [ln.strip().split(",") for ln in lines if ln.strip() and not ln.startswith("#")]
        if len(rows) >= 2 and "indicator" in rows[0] and "geo_insee" in rows[0]:
            first = dict(zip(rows[0], rows[1], strict=False))
            indicator = indicator or first.get("indicator")
            if level is None and first.get("geo_insee"):
                level = "france" if first["geo_insee"] == "FR" else "region"
    return indicator, level


def find_file(indicator: str, level: str, folder: Path | None = None) -> Path:
    """The file in ``folder`` holding ``indicator`` at ``level``, chosen by its content."""
    if indicator not in INDICATORS:
        raise ValueError(f"indicator must be one of {sorted(INDICATORS)}, not {indicator!r}")
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    folder = Path(folder) if folder is not None else real_dir() / "sentinelles"
    files = sorted({p for pat in FILE_PATTERNS for p in folder.glob(pat) if p.is_file()})
    code = INDICATORS[indicator]
    seen: list[str] = []
    matches: list[Path] = []
    for f in files:
        ind, lev = describe_file(f)
        seen.append(f"{f.name} ({INDICATOR_LABELS.get(ind or '', f'indicator {ind}')}, {lev})")
        if ind == code and lev == level:
            matches.append(f)
    expected = f"a Sentinelles file of indicator {code} ({INDICATOR_LABELS[code]}) at {level} level"
    if not matches:
        found = "files " + "; ".join(seen) if seen else "no Sentinelles file"
        raise DataError.single(folder, expected, found)
    if len(matches) > 1:
        raise DataError.single(folder, expected + ", only one", ", ".join(p.name for p in matches))
    return matches[0]


def read_file(path: str | Path) -> pd.DataFrame:
    """Read and check one file; tidy columns plus ``indicator`` and ``_line``."""
    path = Path(path)
    meta = read_metadata(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError.single(path, "a readable file", exc.strerror or str(exc)) from None
    df = read_table(path, SPEC, raw=_NO_ESTIMATE.sub(b"", raw))
    problems = ProblemCollector()
    indicators = df["indicator"].unique()
    if len(indicators) > 1:
        first = df["indicator"].iat[0]
        other = df[df["indicator"] != first].iloc[0]
        problems.add(
            path,
            f"one indicator per file ({first})",
            repr(other["indicator"]),
            int(other[LINE]),
            "indicator",
        )
    inner = meta.get("meta") if isinstance(meta.get("meta"), dict) else {}
    if "indicator" in inner and len(df) and str(inner["indicator"]) != df["indicator"].iat[0]:
        problems.add(
            path,
            f"the indicator announced on line 1 ({inner['indicator']})",
            repr(df["indicator"].iat[0]),
            int(df[LINE].iat[0]),
            "indicator",
        )
    is_fr = df["geo_code"] == "FR"
    if is_fr.any() and not is_fr.all():
        odd = df[~is_fr].iloc[0] if is_fr.iat[0] else df[is_fr].iloc[0]
        problems.add(
            path,
            "either France ('FR') or région rows, not both",
            repr(odd["geo_code"]),
            int(odd[LINE]),
            "geo_insee",
        )
    for low, mid, up in (("inc_low", "inc", "inc_up"), ("inc100_low", "inc100", "inc100_up")):
        bad = (df[low] > df[mid]) | (df[mid] > df[up])
        for _, row in df[bad].head(20).iterrows():
            problems.add(
                path,
                f"{low} <= {mid} <= {up}",
                f"{row[low]:g}, {row[mid]:g}, {row[up]:g}",
                int(row[LINE]),
                mid,
            )
    problems.raise_if_any()
    mondays = {w: _iso_monday(w) for w in df["week"].unique()}
    df.insert(1, "week_start", pd.to_datetime(df["week"].map(mondays)))
    df = df.sort_values(["geo_code", "week"], kind="stable").reset_index(drop=True)
    return df[[*COLUMNS, "indicator", LINE]]


def load_incidence(
    indicator: Literal["grippe", "gastro", "varicelle"] = "grippe",
    level: Literal["france", "region"] = "france",
    folder: Path | None = None,
) -> pd.DataFrame:
    """Weekly incidence, oldest week first per geography.

    Columns: ``week`` (str YYYYWW), ``week_start`` (Monday of the ISO week), ``inc``,
    ``inc_low``, ``inc_up``, ``inc100``, ``inc100_low``, ``inc100_up`` (float, NaN = no
    estimate), ``geo_code``, ``geo_name``, then ``indicator`` and ``_line``.
    """
    path = find_file(indicator, level, folder)
    df = read_file(path)
    want_fr = level == "france"
    if len(df) and (df["geo_code"].iat[0] == "FR") != want_fr:
        raise DataError.single(path, f"{level}-level rows", f"geo_insee {df['geo_code'].iat[0]!r}")
    return df


def check_file(path: str | Path) -> None:
    """Validate one Sentinelles file; raise DataError listing every problem."""
    read_file(path)


def attribution(path: str | Path | None = None) -> str:
    """The credit line the publisher asks for, read from a file (default: embedded grippe)."""
    if path is None:
        path = find_file("grippe", "france")
    source = read_metadata(path).get("source")
    return source if isinstance(source, str) and source else ATTRIBUTION


ATTRIBUTION = "réseau Sentinelles, INSERM, Sorbonne Université, https://www.sentiweb.fr"
