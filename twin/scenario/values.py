"""Field types of the scenario language: codes, percentages, hours of day, uncertain values.

Each type validates what an analyst writes in YAML (a quoted code, ``-20%``,
``"20:00-08:00"``, ``{low: -25%, high: -15%}``) and fails with an :class:`FieldValueError` that
carries *expected* and *found* separately, so the loader can print one clear line naming
the file, line and field. Each also declares the JSON Schema of its *written* form, so
``scenarios/schema.json`` describes the files, not the Python values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import PlainSerializer, PlainValidator, StringConstraints

from twin.geography import departements, regions
from twin.plausibility import BOUNDS
from twin.yamlio import FieldValueError, describe

# --------------------------------------------------------------------------- uncertain


@dataclass(frozen=True)
class Range:
    """An uncertain input: sampled uniformly in ``[low, high]`` per replication; replication
    0 takes the midpoint (the central run)."""

    low: float
    high: float
    integer: bool = False

    def midpoint(self) -> float:
        mid = (self.low + self.high) / 2
        return float(math.floor(mid + 0.5)) if self.integer else mid


def _range_of(v: dict, scalar, what: str) -> Range:
    keys = set(v)
    if keys != {"low", "high"}:
        raise FieldValueError(
            f"{what} or an interval {{low: ..., high: ...}}",
            f"a mapping with keys {sorted(str(k) for k in keys)}",
        )
    low, high = scalar(v["low"]), scalar(v["high"])
    if low > high:
        raise FieldValueError(
            "an interval with low <= high", f"low {v['low']} above high {v['high']}"
        )
    return Range(low, high, integer=isinstance(low, int) and isinstance(high, int))


def uncertain(scalar, what: str, written: Any, fmt) -> Any:
    """An ``Annotated`` type accepting a scalar (parsed by ``scalar``) or an interval."""

    def validate(v: Any) -> float | int | Range:
        if isinstance(v, Range):
            return v
        if isinstance(v, dict):
            return _range_of(v, scalar, what)
        return scalar(v)

    def serialise(v: Any) -> Any:
        if isinstance(v, Range):
            lo, hi = (int(v.low), int(v.high)) if v.integer else (v.low, v.high)
            return {"low": fmt(lo), "high": fmt(hi)}
        return fmt(v)

    interval = {
        "type": "object",
        "properties": {"low": written, "high": written},
        "required": ["low", "high"],
        "additionalProperties": False,
    }
    return Annotated[
        float | int | Range,
        PlainValidator(validate, json_schema_input_type=Any),
        PlainSerializer(serialise, when_used="json"),
        _JsonSchema({"anyOf": [written, interval]}),
    ]


class _JsonSchema:
    """Replace a field's JSON Schema (the written form, not the Python value)."""

    def __init__(self, schema: dict) -> None:
        self.schema = schema

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return dict(self.schema)


# --------------------------------------------------------------------------- percentages

_PERCENT = re.compile(r"^\s*([+\-−]?)\s*(\d+(?:[.,]\d+)?)\s*%\s*$")
PERCENT_PATTERN = r"^\s*[+\-−]?\s*\d+([.,]\d+)?\s*%\s*$"


def parse_percent(v: Any) -> float:
    """``"-20%"`` → ``-0.2``. A bare number is refused: ``-20`` and ``-0.2`` both occur."""
    if isinstance(v, str):
        m = _PERCENT.match(v)
        if m:
            sign = -1.0 if m.group(1) in ("-", "−") else 1.0
            value = sign * float(m.group(2).replace(",", "."))
            bound = BOUNDS["scenario.change"]
            if value > bound.high:  # below -100 %: checks.py says what the change means
                raise FieldValueError(bound.expected("a percentage"), describe(v))
            return value / 100.0
    raise FieldValueError("a percentage such as -20% or +15%", describe(v))


def format_percent(x: float) -> str:
    s = f"{x * 100:.10f}".rstrip("0").rstrip(".")
    return ("+" if x > 0 else "") + s + "%"


def parse_int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        bound = BOUNDS["scenario.absolute_change"]
        if not bound.contains(v):
            raise FieldValueError(bound.expected("a change"), describe(v))
        return v
    raise FieldValueError("a whole number such as +30 or -5", describe(v))


def parse_positive(v: Any) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 < v < math.inf:
        return float(v)
    raise FieldValueError("a number above 0", describe(v))


def parse_multiplier(v: Any) -> float:
    if isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < math.inf:
        return float(v)
    raise FieldValueError("a demand multiplier (a number >= 0, e.g. 1.3 for +30 %)", describe(v))


Percent = Annotated[
    float,
    PlainValidator(parse_percent, json_schema_input_type=Any),
    PlainSerializer(format_percent, when_used="json"),
    _JsonSchema({"type": "string", "pattern": PERCENT_PATTERN}),
]
UncertainPercent = uncertain(
    parse_percent,
    "a percentage such as -20%",
    {"type": "string", "pattern": PERCENT_PATTERN},
    format_percent,
)
UncertainInt = uncertain(parse_int, "a whole number", {"type": "integer"}, lambda x: x)
UncertainPositive = uncertain(
    parse_positive, "a number above 0", {"type": "number", "exclusiveMinimum": 0}, lambda x: x
)
UncertainMultiplier = uncertain(
    parse_multiplier, "a number >= 0", {"type": "number", "minimum": 0}, lambda x: x
)


def central(v: float | int | Range) -> float:
    return v.midpoint() if isinstance(v, Range) else v


def lowest(v: float | int | Range) -> float:
    return v.low if isinstance(v, Range) else v


def highest(v: float | int | Range) -> float:
    return v.high if isinstance(v, Range) else v


# --------------------------------------------------------------------------- codes


def _code(kind: str, example: str, check) -> Any:
    def validate(v: Any) -> str:
        if isinstance(v, bool) or not isinstance(v, str):
            if isinstance(v, int | float) and not isinstance(v, bool):
                raise FieldValueError(
                    f'a {kind} in quotes, such as "{example}"',
                    f"the number {v} (unquoted): quote it",
                )
            raise FieldValueError(f'a {kind} in quotes, such as "{example}"', describe(v))
        problem = check(v)
        if problem:
            raise FieldValueError(problem, f'"{v}"')
        return v

    return Annotated[
        str,
        PlainValidator(validate, json_schema_input_type=str),
    ]


def _check_dep(v: str) -> str | None:
    if v in departements().index:
        return None
    return 'an official département code ("01"…"95", "2A", "2B", "971"…"976")'


def _check_reg(v: str) -> str | None:
    regs = regions()
    if v in regs.index:
        return None
    return "an official région code (" + ", ".join(f'"{r}"' for r in regs.index) + ")"


_FINESS = re.compile(r"^[0-9][0-9AB][0-9]{7}$")


def _check_finess(v: str) -> str | None:
    if _FINESS.match(v):
        return None
    return 'a FINESS establishment code of 9 characters, such as "590780193"'


DepCode = _code("département code", "59", _check_dep)
RegCode = _code("région code", "32", _check_reg)
Finess = _code("FINESS code", "590780193", _check_finess)

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.=%+-]*$", max_length=120)]
"""Lowercase names for scenarios and intervention ids (they label result stores)."""

# --------------------------------------------------------------------------- time

HOURS_PATTERN = r"^([01]\d|2[0-4]):00-([01]\d|2[0-4]):00$"
Hours = Annotated[str, StringConstraints(pattern=HOURS_PATTERN)]
"""``"HH:00-HH:00"``: whole clock hours (the simulation's rosters are hourly); wraps past
midnight when the end is earlier (``"20:00-08:00"`` is the night)."""

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def hours_of_day(hours: str | None) -> tuple[bool, ...]:
    """24 flags, one per clock hour, for ``"HH:00-HH:00"`` (None: every hour)."""
    if hours is None:
        return (True,) * 24
    a, b = (int(part[:2]) for part in hours.split("-"))
    if a == b or (a, b) in ((0, 24), (24, 0)):
        return (True,) * 24
    a, b = a % 24, b % 24 if b != 24 else 24
    if a < b:
        return tuple(a <= h < b for h in range(24))
    return tuple(h >= a or h < b for h in range(24))
