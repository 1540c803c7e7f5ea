"""``load_scenario``: read a scenario file, merge what it extends, validate, check everything.

Order of work, each step reporting every problem it finds at once with file, line and field:

1. YAML (:mod:`twin.scenario.yamlio`): syntax, duplicate keys, YAML 1.1 traps;
2. ``extends``: the base is loaded the same way (recursively, cycles refused) and deep-merged
   under the file: mappings merge key by key, other values are replaced, and
   ``interventions`` are *appended* to the base's (an intervention with the same ``id`` as a
   base one replaces it), so a variant only lists what it adds;
3. the pydantic models (:mod:`twin.scenario.model`): types, units, codes;
4. cross-field and network checks (:mod:`twin.scenario.checks`), for the scenario and for
   every variant of its ``sweep``.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from twin.errors import DataError, DataProblem
from twin.plausibility import BOUND_ERRORS, field_bound, plain_expected
from twin.scenario.model import INTERVENTION_TYPES, Scenario
from twin.scenario.problems import fail, problem
from twin.scenario.values import FieldValueError, describe
from twin.scenario.yamlio import Located, Path_, _dotted, load_yaml

SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------- extends


def _base_path(ref: Any, child: Path, line: int | None) -> Path:
    if not isinstance(ref, str) or not ref.strip():
        raise fail(
            str(child), "the name or file of a base scenario", describe(ref), line, "extends"
        )
    name = ref.strip()
    cand = child.parent / name
    if cand.suffix not in SUFFIXES:
        cand = child.parent / f"{name}.yaml"
    if "/" in name or "\\" in name or not cand.is_file():
        known = sorted(p.stem for p in child.parent.glob("*.yaml") if p != child)
        raise fail(
            str(child),
            "a scenario of the same folder (" + ", ".join(known[:12]) + ")",
            f'"{name}"',
            line,
            "extends",
        )
    return cand.resolve()


def _merge(
    base: dict, base_loc: Located, child: dict, child_loc: Located, path: Path_ = ()
) -> tuple[dict, Located]:
    """Deep-merge ``child`` over ``base`` (see the module docstring), lines following."""
    out = copy.deepcopy(base)
    loc = Located(dict(base_loc.lines))
    for key, value in child.items():
        kpath = (*path, key)
        if key == "interventions" and not path and isinstance(value, list):
            items = list(out.get(key) or []) if isinstance(out.get(key), list) else []
            item_lines = [base_loc.under((key, i)) for i in range(len(items))]
            for j, item in enumerate(value):
                iid = item.get("id") if isinstance(item, dict) else None
                where = next(
                    (
                        i
                        for i, b in enumerate(items)
                        if iid is not None and isinstance(b, dict) and b.get("id") == iid
                    ),
                    None,
                )
                sub = child_loc.under((key, j))
                if where is None:
                    items.append(item)
                    item_lines.append(sub)
                else:
                    items[where] = item
                    item_lines[where] = sub
            out[key] = items
            loc.lines = {p: v for p, v in loc.lines.items() if p[:1] != (key,)}
            loc.lines[(key,)] = child_loc.lines.get((key,), base_loc.lines.get((key,)))
            for i, sub in enumerate(item_lines):
                for rel, v in sub.items():
                    loc.lines[(key, i, *rel)] = v
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            merged, sub_loc = _merge(
                out[key], Located(base_loc.under(kpath)), value, Located(child_loc.under(kpath))
            )
            out[key] = merged
            loc.lines = {p: v for p, v in loc.lines.items() if p[: len(kpath)] != kpath}
            for rel, v in sub_loc.lines.items():
                loc.lines[(*kpath, *rel)] = v
            continue
        out[key] = copy.deepcopy(value)
        loc.lines = {p: v for p, v in loc.lines.items() if p[: len(kpath)] != kpath}
        for rel, v in child_loc.under(kpath).items():
            loc.lines[(*kpath, *rel)] = v
    return out, loc


def load_merged(path: Path, _stack: tuple[Path, ...] = ()) -> tuple[dict, Located]:
    """The file's data with every ``extends`` merged in, and the line of every path."""
    path = Path(path)
    resolved = path.resolve()
    data, loc = load_yaml(path)
    if "extends" not in data:
        return data, loc
    line = loc.lines.get(("extends",), (str(path), None))[1]
    base = _base_path(data["extends"], path, line)
    if base in _stack or base == resolved:
        chain = " → ".join(p.name for p in (*_stack, resolved, base))
        raise fail(str(path), "extends without a cycle", f"the cycle {chain}", line, "extends")
    base_data, base_loc = load_merged(base, (*_stack, resolved))
    for own in ("name", "description"):
        if own not in data:
            raise fail(
                str(path),
                f"its own {own} (a scenario that extends another must not reuse the base's)",
                f"no {own}",
                1,
                own,
            )
    base_data.pop("sweep", None)  # a base's sweep is its own family, not inherited
    base_loc.lines = {p: v for p, v in base_loc.lines.items() if p[:1] != ("sweep",)}
    return _merge(base_data, base_loc, data, loc)


# --------------------------------------------------------------------------- pydantic errors


def _field_names(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


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
            names = _field_names(model) if model else []
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
        problems.append(problem(where_file, expected, found, line, _dotted(path)))
    return problems


def _pattern_help(path: Path_, pattern: str) -> str:
    last = str(path[-1]) if path else ""
    if last == "hours":
        return 'clock hours in quotes, "HH:00-HH:00" (whole hours, e.g. "20:00-08:00")'
    if last in ("name", "id", "label"):
        return "a lowercase name (letters, digits, - _ . = % +), e.g. icu-minus-20"
    return f"text matching {pattern}"


def validate_data(data: dict, loc: Located, file: str) -> Scenario:
    """Validate merged data into a :class:`Scenario` (pydantic checks only)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise DataError(_pydantic_problems(exc, data, loc, file)) from None


# --------------------------------------------------------------------------- entry point


def load_scenario(path: str | Path, *, check_network: bool = True) -> Scenario:
    """Read, merge, validate and check one scenario file (and every variant of its sweep).

    Raises :class:`twin.errors.DataError` naming file, line, field, expected and found for
    any problem. ``check_network=False`` skips the checks against the care network (FINESS
    codes, resources held, capacity going negative), which read the SAE tables.
    """
    from twin.scenario import checks, sweep

    path = Path(path)
    data, loc = load_merged(path)
    scenario = validate_data(data, loc, str(path))
    problems = checks.check(scenario, loc, str(path))
    if problems:
        raise DataError(problems)
    variants = sweep.expand(scenario, loc, str(path)) if scenario.sweep else [scenario]
    if check_network:
        for v in variants:
            problems = checks.check_network(v, loc, str(path))
            if problems:
                raise DataError(problems)
    return scenario
