"""Inputs of the early warning: a supply-disruption YAML file (every bad entry located), a
ledger file prepared once per file version, and the synthetic BDPM ground truth the
backtest scores episodes against."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from forecasting import notices as real_notices
from forecasting.disruptions import SupplyDisruption
from forecasting.shortages.features import Context, prepare
from twin.errors import DataError, DataProblem, ProblemCollector
from twin.geography import normalise_dep
from twin.paths import synthetic_dir
from twin.plausibility import plain_expected
from twin.sources.bdpm import load_availability_history
from twin.sources.ledger import default_ledger_path, load_ledger, load_sites
from twin.yamlio import PlausibleDate, read_yaml

# --- what-if disruptions ------------------------------------------------------------------


class _DisruptionEntry(BaseModel):
    """One entry of a disruption YAML file, validated field by field (the located error
    messages come from here), then turned into a :class:`SupplyDisruption`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product: str = Field(min_length=1)
    kind: Literal["delay", "quota", "rupture"]
    start: PlausibleDate
    end: PlausibleDate
    delay_days: int = Field(default=0, ge=0, le=365, strict=True)
    quota_share: float = Field(default=1.0, ge=0.0, le=1.0)
    sites: tuple[str, ...] = ()
    deps: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> _DisruptionEntry:
        try:
            self.to_disruption()
        except ValueError as exc:
            raise ValueError(str(exc)) from None
        return self

    def to_disruption(self) -> SupplyDisruption:
        return SupplyDisruption(self.product, self.kind, self.start, self.end,
                                self.delay_days, self.quota_share, self.sites,
                                tuple(normalise_dep(d) for d in self.deps))


def load_disruptions(path: str | Path) -> list[SupplyDisruption]:
    """Read a YAML list of disruptions (or a mapping with a ``disruptions`` list), with the
    fields of :class:`SupplyDisruption`; every invalid entry is reported as a located
    :class:`DataError` (line, field, expected, found)."""
    path = Path(path)
    data, loc = read_yaml(path, "a YAML file of supply disruptions")
    prefix: tuple = ()
    items = data
    if isinstance(data, dict) and "disruptions" in data:
        items, prefix = data["disruptions"], ("disruptions",)
    if not isinstance(items, list):
        raise DataError.single(path, "a list of disruptions (or 'disruptions:' with a list)",
                               "nothing" if items is None else type(items).__name__, 1)
    problems = ProblemCollector()
    out = []
    for i, item in enumerate(items):
        line = loc.lines.get((*prefix, i), (None, None))[1]
        try:
            out.append(_DisruptionEntry.model_validate(item).to_disruption())
        except ValidationError as exc:
            for err in exc.errors():
                loc_text = ".".join(str(x) for x in err["loc"]) or None
                field_line = loc.find((*prefix, i, *err["loc"][:1]), str(path))[1] or line
                found = repr(err.get("input")) if err["type"] != "missing" else "nothing"
                if not loc_text and isinstance(err.get("input"), dict):
                    found = "inconsistent fields"
                problems.add(path, _plain(err), found, field_line,
                             f"disruptions[{i}].{loc_text}" if loc_text else f"disruptions[{i}]")
    problems.raise_if_any()
    return out


def _plain(err: dict) -> str:
    """What a disruption field expects, in plain words rather than pydantic's."""
    return plain_expected(err)


def prepared_context(ledger: str | Path | None = None, product_file: str | Path | None = None,
                     bdpm: str | Path | None = None, notices: str | Path | None = None
                     ) -> Context:
    """The :class:`Context` of a ledger file (validated), cached per file version, with the
    real ANSM notices of ``notices`` (default: the embedded real file, when present)."""
    path = Path(ledger) if ledger is not None else default_ledger_path()
    try:
        st = path.stat()
    except OSError as exc:
        raise DataError.single(path, "a readable stock ledger file", str(exc)) from None
    return _prepared(str(path), st.st_size, st.st_mtime_ns,
                     None if product_file is None else str(product_file),
                     None if bdpm is None else str(bdpm),
                     None if notices is None else str(notices))


@cache
def _prepared(path: str, _size: int, _mtime_ns: int, product_file: str | None,
              bdpm: str | None, notices: str | None = None) -> Context:
    sites = load_sites()
    led = load_ledger(path, product_file, sites)
    return prepare(led, load_availability_history(bdpm), sites,
                   real_notices.real_inputs(notices))


def load_episode_truth(path: str | Path | None = None) -> pd.DataFrame:
    """The synthetic BDPM ground truth (``episodes_ground_truth.csv``; synthetic only)."""
    path = Path(path) if path is not None else synthetic_dir() / "bdpm" / (
        "episodes_ground_truth.csv"
    )
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def parse_as_of(text: str, ledger_range: tuple[pd.Timestamp, pd.Timestamp],
                source: str) -> pd.Timestamp:
    """A situation date written ``AAAA-MM-JJ`` or ``JJ/MM/AAAA``, within the ledger."""
    first, last = ledger_range
    expected = f"a date AAAA-MM-JJ or JJ/MM/AAAA within the ledger ({first:%d/%m/%Y} … " \
        f"{last:%d/%m/%Y})"
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            day = pd.Timestamp(datetime.strptime(text, fmt))
        except ValueError:
            continue
        if first <= day <= last:
            return day
        break
    raise DataError.single(source, expected, repr(text))


def check_disruption_products(disruptions: Sequence[SupplyDisruption], series: pd.DataFrame,
                              source: str | Path) -> None:
    """A disruption on a product the ledger does not hold would change nothing: refuse it
    (a mistyped code would otherwise give a reassuring, identical projection)."""
    known = set()
    for col in ("product", "produit", "cis"):
        if col in series.columns:
            known.update(series[col].astype(str))
    data, loc = read_yaml(Path(source), "a YAML file of supply disruptions")
    prefix = ("disruptions",) if isinstance(data, dict) else ()

    def line(i: int) -> int | None:
        return loc.find((*prefix, i, "product"), str(source))[1]

    bad = [DataProblem(str(source), "a product of the ledger (sentinel key, CIP13/UCD or CIS "
                       "code)", repr(d.product), line(i), f"disruptions[{i}].product")
           for i, d in enumerate(disruptions) if str(d.product) not in known]
    if bad:
        raise DataError(bad)
