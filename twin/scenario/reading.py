"""Step 1 of the scenario pipeline, ``read``: a file → its data with every ``extends`` merged
in, and the line of every field.

1. YAML (:mod:`twin.yamlio`): syntax, duplicate keys, YAML 1.1 traps;
2. ``extends``: the base is read the same way (recursively, cycles refused) and deep-merged
   under the file: mappings merge key by key, other values are replaced, and
   ``interventions`` are *appended* to the base's (an intervention with the same ``id`` as a
   base one replaces it), so a variant only lists what it adds. A base's ``sweep`` is its
   own family and is not inherited.

Every problem names file, line and field (:class:`twin.errors.DataError`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from twin.errors import fail
from twin.yamlio import Located, Path_, describe, load_yaml

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
            lines = {(): child_loc.lines.get(kpath, base_loc.lines.get(kpath))}
            for i, sub in enumerate(item_lines):
                lines.update({(i, *rel): v for rel, v in sub.items()})
            loc.replace_under(kpath, lines)  # type: ignore[arg-type]
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            merged, sub_loc = _merge(
                out[key], Located(base_loc.under(kpath)), value, Located(child_loc.under(kpath))
            )
            out[key] = merged
            loc.replace_under(kpath, sub_loc.lines)
            continue
        out[key] = copy.deepcopy(value)
        loc.replace_under(kpath, child_loc.under(kpath))
    return out, loc


def read(path: Path, _stack: tuple[Path, ...] = ()) -> tuple[dict, Located]:
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
    base_data, base_loc = read(base, (*_stack, resolved))
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
    base_loc.replace_under(("sweep",), {})
    return _merge(base_data, base_loc, data, loc)
