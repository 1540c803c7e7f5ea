"""Step 2a of the scenario pipeline, ``parse``: merged data → a :class:`Scenario` (the pydantic
models: types, units, codes), every pydantic error turned into a problem naming file, line,
field, expected and found (union and tag segments dropped, close field names suggested).
"""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from twin.errors import DataError, DataProblem, problem
from twin.plausibility import BOUND_ERRORS, field_bound, plain_expected
from twin.scenario.model import INTERVENTION_TYPES, Scenario
from twin.yamlio import FieldValueError, Located, Path_, describe, dotted


def _model_at(loc: Path_, data: Any) -> type[BaseModel] | None:
    """The model class validating the mapping at ``loc`` (for listing its fields)."""
    model: Any = Scenario
    value = data
    for seg in loc:
        if isinstance(seg, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(seg)
        if field is None:
            return None
        value = value.get(seg) if isinstance(value, dict) else None
        model = _unwrap(field.annotation, value)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(ann: Any, value: Any) -> Any:
    origin = typing.get_origin(ann)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(ann)[0], value)
    if origin in (tuple, list):
        return _unwrap(typing.get_args(ann)[0], value)
    if origin in (typing.Union, types.UnionType):
        if isinstance(value, dict) and value.get("type") in INTERVENTION_TYPES:
            return INTERVENTION_TYPES[value["type"]]
        for arg in typing.get_args(ann):
            m = _unwrap(arg, value)
            if isinstance(m, type) and issubclass(m, BaseModel):
                return m
        return None
    return ann


def _clean_loc(loc: tuple, data: Any) -> Path_:
    """Drop pydantic's union/tag/function segments: keep only paths present in the data
    (plus a final missing or unknown key)."""
    out: list[str | int] = []
    value = data
    for i, seg in enumerate(loc):
        last = i == len(loc) - 1
        present = (isinstance(value, dict) and seg in value) or (
            isinstance(value, list) and isinstance(seg, int) and 0 <= seg < len(value)
        )
        if present:
            out.append(seg)
            value = value[seg]
        elif isinstance(seg, str) and ("[" in seg or seg in INTERVENTION_TYPES):
            continue
        elif last and isinstance(seg, str):
            out.append(seg)
        elif isinstance(value, dict) and isinstance(seg, str):
            out.append(seg)
            value = None
    return tuple(out)


_EXPECTED_BY_TYPE = {
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "text",
    "date_type": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_from_datetime_inexact": "a date without a time (YYYY-MM-DD)",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a mapping of fields",
    "model_attributes_type": "a mapping of fields",
    "dataclass_type": "a mapping of fields",
}


def _pydantic_problems(exc: ValidationError, data: dict, loc: Located, file: str) -> list:
    problems: list[DataProblem] = []
    seen: set[tuple] = set()
    for err in exc.errors():
        path = _clean_loc(err["loc"], data)
        kind = err["type"]
        value = err.get("input")
        ctx = err.get("ctx") or {}
        where_file, line = loc.find(path, file)
        if kind == "missing":
            expected = f"a value for {path[-1]!s}" if path else "a value"
            found = "nothing (the field is missing)"
            where_file, line = loc.find(path[:-1], file)
        elif kind == "extra_forbidden":
            model = _model_at(path[:-1], data)
            names = list(model.model_fields) if model else []
            close = difflib.get_close_matches(str(path[-1]), names, n=1)
            expected = "one of the fields " + ", ".join(names) if names else "a known field"
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            found = f"unknown key {path[-1]!r}{hint}"
        elif isinstance(ctx.get("error"), FieldValueError):
            expected, found = ctx["error"].expected, ctx["error"].found
        elif kind == "union_tag_invalid":
            expected = "type: one of " + ctx.get("expected_tags", "")
            found = f"type {ctx.get('tag')!r}"
            path = (*path, "type")
            where_file, line = loc.find(path, file)
        elif kind == "union_tag_not_found":
            expected = "a type: (" + ", ".join(INTERVENTION_TYPES) + ")"
            found = "no type"
        elif kind == "literal_error":
            expected = "one of " + str(ctx.get("expected", ""))
            found = describe(value)
        elif kind == "string_pattern_mismatch":
            expected = _pattern_help(path, ctx.get("pattern", ""))
            found = describe(value)
        elif kind == "string_type" and isinstance(value, int | float):
            expected = "text in quotes"
            found = f"{describe(value)} (unquoted): quote it"
        elif kind in BOUND_ERRORS and field_bound(path) is not None:
            expected = field_bound(path).expected()
            found = describe(value)
        elif kind in _EXPECTED_BY_TYPE:
            expected = _EXPECTED_BY_TYPE[kind]
            found = describe(value)
        else:
            expected = plain_expected(err)
            found = describe(value)
        key = (where_file, line, path, expected)
        if key in seen:
            continue
        seen.add(key)
        problems.append(problem(where_file, expected, found, line, dotted(path)))
    return problems


def _pattern_help(path: Path_, pattern: str) -> str:
    last = str(path[-1]) if path else ""
    if last == "hours":
        return 'clock hours in quotes, "HH:00-HH:00" (whole hours, e.g. "20:00-08:00")'
    if last in ("name", "id", "label"):
        return "a lowercase name (letters, digits, - _ . = % +), e.g. icu-minus-20"
    return f"text matching {pattern}"


def parse(data: dict, loc: Located, file: str) -> Scenario:
    """Merged data → a :class:`Scenario` (pydantic checks only; raises located problems)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise DataError(_pydantic_problems(exc, data, loc, file)) from None
