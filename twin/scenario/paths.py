"""Parameter paths: how sweeps and the run table name one value of a scenario.

A path is dotted: ``policy.plan_blanc_on``, ``interventions.icu-cut.change`` (an
intervention by its ``id``) or ``interventions.2.shape.peak_multiplier`` (by position, from
0). The same syntax names the columns of the run table, so a value drawn for an
intervention keeps its name (and its random stream) when interventions are reordered, as
long as it has an ``id``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from twin.scenario.values import Range


def split(parameter: str) -> list[str]:
    return [p for p in parameter.strip().split(".") if p != ""]


def locate(data: Any, parameter: str) -> tuple[str | int, ...]:
    """The concrete path (keys and list indices) of ``parameter`` in dumped data.

    Raises ``KeyError`` with the first segment that does not exist."""
    out: list[str | int] = []
    cur = data
    for seg in split(parameter):
        if isinstance(cur, list):
            if seg.isdigit() and int(seg) < len(cur):
                idx = int(seg)
            else:
                hits = [k for k, x in enumerate(cur) if isinstance(x, dict) and x.get("id") == seg]
                if not hits:
                    raise KeyError(seg)
                idx = hits[0]
            out.append(idx)
            cur = cur[idx]
        elif isinstance(cur, dict) and seg in cur:
            out.append(seg)
            cur = cur[seg]
        else:
            raise KeyError(seg)
    return tuple(out)


def set_at(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    cur = data
    for seg in path[:-1]:
        cur = cur[seg]
    cur[path[-1]] = value


def name_of(model: BaseModel, path: tuple[str | int, ...]) -> str:
    """The parameter name of a concrete path (ids instead of indices where given)."""
    parts: list[str] = []
    cur: Any = model
    for seg in path:
        if isinstance(seg, int):
            item = cur[seg]
            iid = getattr(item, "id", None)
            parts.append(iid if iid else str(seg))
            cur = item
        else:
            parts.append(seg)
            cur = getattr(cur, seg)
    return ".".join(parts)


def uncertain(model: Any, path: tuple[str | int, ...] = ()) -> list[tuple[tuple, Range]]:
    """Every interval value in a model, with its concrete path, in field order."""
    out: list[tuple[tuple, Range]] = []
    if isinstance(model, Range):
        return [(path, model)]
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            out += uncertain(getattr(model, name), (*path, name))
    elif isinstance(model, tuple | list):
        for k, x in enumerate(model):
            out += uncertain(x, (*path, k))
    return out


def replace(model: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of ``model`` with the value at ``path`` replaced (no re-validation)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(model)
        items[head] = replace(items[head], rest, value)
        return tuple(items)
    return model.model_copy(update={head: replace(getattr(model, head), rest, value)})
