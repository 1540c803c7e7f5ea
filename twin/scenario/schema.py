"""The scenario JSON Schema and the field tables of the reference documentation.

Both are generated from the models so they cannot drift from the code; tests fail when the
committed files are out of date. Regenerate with::

    .venv/bin/python -m twin.scenario.schema

which rewrites ``scenarios/schema.json`` and the generated part of
``docs/reference-scenarios.md`` (between the ``BEGIN GENERATED`` / ``END GENERATED``
markers; the hand-written text around them is kept).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from twin.docgen import regenerate, replace_generated, table_cell
from twin.outputs import write_text
from twin.paths import scenarios_dir
from twin.scenario import model as m
from twin.scenario.values import PERCENT_PATTERN

REGENERATE = ".venv/bin/python -m twin.scenario.schema"
BEGIN = "<!-- BEGIN GENERATED: field tables (python -m twin.scenario.schema) -->"
END = "<!-- END GENERATED -->"


def schema_path() -> Path:
    return scenarios_dir() / "schema.json"


def reference_path() -> Path:
    return Path(__file__).resolve().parents[2] / "docs" / "reference-scenarios.md"


def json_schema() -> dict[str, Any]:
    s = m.Scenario.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://jumeau-sante.example/scenarios/schema.json",
        **s,
    }


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


# --------------------------------------------------------------------------- docs

DOC_MODELS: tuple[type[BaseModel], ...] = (
    m.Scenario,
    m.Territories,
    m.Period,
    m.Demand,
    m.Policy,
    m.ModelParameters,
    m.Window,
    m.Target,
    m.CapacityChange,
    m.StaffShortage,
    m.EDClosure,
    m.DemandShock,
    m.Shape,
    m.PolicyChange,
    m.SupplyDisruption,
    m.Sweep,
    m.SweepParameter,
)


def _written(prop: dict[str, Any]) -> str:
    """How a field is written, from its JSON Schema (the file's form, not Python's)."""
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    alternatives = prop.get("anyOf") or prop.get("oneOf")
    if alternatives:
        parts = [_written(p) for p in alternatives if p.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "const" in prop:
        return f"`{prop['const']}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    t = prop.get("type")
    if t == "array":
        fixed = prop.get("prefixItems")  # a fixed-length tuple: its items' common form
        items = prop.get("items") or (fixed[0] if fixed else {})
        return f"list of {_written(items)}" + (f" ({len(fixed)})" if fixed else "")
    if t == "object":
        keys = list(prop.get("properties", {})) or prop.get("propertyNames", {}).get("enum", [])
        return "{" + ", ".join(keys) + "}" if keys else "mapping"
    if t == "string":
        if prop.get("format") == "date":
            return "date YYYY-MM-DD"
        if prop.get("pattern") == PERCENT_PATTERN:
            return "percentage (-20%)"
        if "00-" in prop.get("pattern", ""):
            return '"HH:00-HH:00"'
        return "text"
    return {"integer": "whole number", "number": "number", "boolean": "true/false"}.get(
        str(t), "any"
    )


def _default_text(field) -> str:
    if field.is_required():
        return "**required**"
    if field.default_factory is not None:
        d = field.default_factory()  # type: ignore[call-arg]
        if isinstance(d, dict):
            return ", ".join(f"{k}: `{v}`" for k, v in d.items())
        return "(see below)"
    d = field.default
    if d is None:
        return "—"
    if isinstance(d, tuple):
        return "[" + ", ".join(str(x) for x in d) + "]" if d else "[]"
    if isinstance(d, bool):
        return str(d).lower()
    return f"`{d}`"


def field_tables() -> str:
    """Markdown: one table per model, every field with its type, default and meaning."""
    out = []
    for model in DOC_MODELS:
        props = model.model_json_schema(mode="validation").get("properties", {})
        doc = " ".join((model.__doc__ or "").split()).replace("``", "`")
        out.append(f"### `{model.__name__}`\n\n{doc}\n")
        out.append("| field | type | default | meaning |\n|---|---|---|---|")
        for name, f in model.model_fields.items():
            desc = table_cell((f.description or "").replace("\n", " "))
            if name == "type" and f.annotation is not None:
                desc = desc or "Intervention type (this table's)."
            ty = table_cell(_written(props.get(name, {})))
            out.append(f"| `{name}` | {ty} | {_default_text(f)} | {desc} |")
        out.append("")
    return "\n".join(out)


def reference_text(current: str) -> str:
    """``current`` with its generated section replaced by today's field tables."""
    return replace_generated(current, BEGIN, END, field_tables(), reference_path())


def main() -> int:
    write_text(schema_path(), schema_text())
    ref = reference_path()
    regenerate(ref, reference_text)
    print(f"wrote {schema_path()} and {ref}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
