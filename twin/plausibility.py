"""Plausibility bounds of the numbers a user or a data file gives, declared once per field.

A value can be well formed and still absurd: ``beds: 1000000000``, a capacity change of
``+1000000000%``, an SAE ``PASSU`` of ``1e30`` (which overflowed to −9.2e18 passages), a
ledger ``dispense`` of ``inf``, a forecast horizon of 100,000 days. Each bound below says
the range accepted and *why*, and the message of a refusal quotes both, so the user can tell
a typo from a real limit. Checks live where the value enters (scenario models, table
loaders, CLI options) and all read their bound from :data:`BOUNDS`.

:func:`plain_expected` turns pydantic's wording ("Input should be less than or equal to
1") into the same plain form ("at most 1") for every YAML reader.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from twin.errors import DataError


@dataclass(frozen=True)
class Bound:
    """An inclusive range ``[low, high]`` in ``unit``, with the reason for it."""

    low: float
    high: float
    unit: str
    reason: str
    integer: bool = False

    def expected(self, what: str | None = None) -> str:
        kind = what or ("a whole number" if self.integer else "a number")
        unit = f" {self.unit}" if self.unit else ""
        return f"{kind} from {_fmt(self.low)} to {_fmt(self.high)}{unit} ({self.reason})"

    def contains(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.integer and isinstance(value, float) and not value.is_integer():
            return False
        return self.low <= value <= self.high

    def check(self, value: Any, where: str, what: str | None = None) -> Any:
        """``value`` if within the bound, else a :class:`DataError` naming ``where``."""
        if not self.contains(value):
            raise DataError.single(where, self.expected(what), _found(value))
        return value


def _fmt(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


def _found(v: Any) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e16:
        return _fmt(v)
    return repr(v) if isinstance(v, str) else str(v)


BOUNDS: dict[str, Bound] = {
    # scenario fields
    "scenario.change": Bound(
        -100, 1000, "%", "a capacity cannot lose more than all of it, and more than eleven "
        "times itself is not a plausible change",
    ),
    "scenario.absolute_change": Bound(
        -20_000, 20_000, "", "the largest French région has about 60,000 beds in all and "
        "a département fewer than 20,000 of any one kind", integer=True,
    ),
    "scenario.period.days": Bound(
        1, 3660, "days", "at most ten years are simulated", integer=True
    ),
    "scenario.replications": Bound(
        1, 100_000, "", "beyond 100,000 replications the Monte-Carlo error no longer moves",
        integer=True,
    ),
    "scenario.shock_peak_distance": Bound(
        0, 366, "days from the period", "a demand shock peaking further than a year from the "
        "simulated days has no visible effect: the date is probably mistyped", integer=True,
    ),
    # command-line options
    "forecast.horizon.ed": Bound(
        1, 366, "days", "a daily forecast further than a year ahead only repeats the "
        "seasonality", integer=True,
    ),
    "forecast.horizon.medicines": Bound(
        1, 1096, "days", "a monthly forecast further than three years ahead only repeats "
        "the seasonality", integer=True,
    ),
    "forecast.origin_after_data": Bound(
        0, 366, "days after the last observed day", "further out, the forecast would be "
        "made from data more than a year old", integer=True,
    ),
    "compare.threshold": Bound(
        0.01, 5, "(occupancy rate, 1 = 100 %)", "occupancy is a share of capacity; 500 % is "
        "already far beyond any ward",
    ),
    # data columns
    "sae.count": Bound(
        0, 100_000_000, "", "more than France's yearly total of any SAE count (21 million "
        "ED passages, some 60 million stay-days): not a figure of one establishment",
        integer=True,
    ),
    "ledger.quantity": Bound(
        -1e7, 1e7, "units", "a hospital pharmacy moves at most some hundred thousand units of "
        "one product a day",
    ),
}


FIELD_BOUNDS: dict[str, str] = {
    "period.days": "scenario.period.days",
    "replications": "scenario.replications",
}
"""Scenario and manifest fields (dotted, list indices dropped) → their entry of BOUNDS."""

BOUND_ERRORS = frozenset(
    {"less_than_equal", "less_than", "greater_than_equal", "greater_than", "int_type",
     "int_parsing", "int_from_float", "int_parsing_size", "finite_number"}
)


def field_bound(path: tuple) -> Bound | None:
    """The declared bound of a scenario or manifest field, if any."""
    key = ".".join(str(p) for p in path if not isinstance(p, int))
    name = FIELD_BOUNDS.get(key)
    return BOUNDS[name] if name else None


_PYDANTIC_PLAIN = {
    "less_than_equal": lambda c: f"at most {c.get('le')}",
    "less_than": lambda c: f"less than {c.get('lt')}",
    "greater_than_equal": lambda c: f"at least {c.get('ge')}",
    "greater_than": lambda c: f"more than {c.get('gt')}",
    "too_short": lambda c: f"at least {c.get('min_length')} item(s)",
    "too_long": lambda c: f"at most {c.get('max_length')} item(s)",
    "string_too_short": lambda c: "non-empty text",
    "int_type": lambda c: "a whole number",
    "int_parsing": lambda c: "a whole number",
    "int_from_float": lambda c: "a whole number",
    "float_type": lambda c: "a number",
    "float_parsing": lambda c: "a number",
    "finite_number": lambda c: "a finite number",
    "bool_type": lambda c: "true or false",
    "bool_parsing": lambda c: "true or false",
    "string_type": lambda c: "text",
    "date_type": lambda c: "a date (YYYY-MM-DD)",
    "date_parsing": lambda c: "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": lambda c: "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": lambda c: "a date without a time (YYYY-MM-DD)",
    "tuple_type": lambda c: "a list",
    "list_type": lambda c: "a list",
    "model_type": lambda c: "a mapping of fields",
    "model_attributes_type": lambda c: "a mapping of fields",
    "literal_error": lambda c: f"one of {c.get('expected')}",
    "extra_forbidden": lambda c: "a known field",
    "missing": lambda c: "a value (the field is required)",
}


def plain_expected(err: dict) -> str:
    """What a pydantic error says was expected, in plain words ("at most 1", "a list")."""
    plain = _PYDANTIC_PLAIN.get(err.get("type", ""))
    if plain is not None:
        return plain(err.get("ctx") or {})
    msg = str(err.get("msg", ""))
    for prefix in ("Input should be ", "Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    return msg
