"""The committed JSON Schema and field reference are generated from the models."""

from __future__ import annotations

import json

import pytest
import yaml

from twin.paths import scenarios_dir
from twin.scenario import model as m
from twin.scenario.schema import (
    DOC_MODELS,
    REGENERATE,
    reference_path,
    reference_text,
    schema_path,
    schema_text,
)


def test_committed_schema_is_current():
    current = schema_path().read_text(encoding="utf-8")
    assert current == schema_text(), (
        f"scenarios/schema.json is out of date with the models: run `{REGENERATE}`"
    )


def test_committed_field_reference_is_current():
    current = reference_path().read_text(encoding="utf-8")
    assert current == reference_text(current), (
        f"docs/reference-scenarios.md is out of date with the models: run `{REGENERATE}`"
    )


def test_every_model_and_field_is_documented():
    text = reference_path().read_text(encoding="utf-8")
    intervention_models = set(m.INTERVENTION_TYPES.values())
    assert intervention_models <= set(DOC_MODELS)
    for model in DOC_MODELS:
        assert f"### `{model.__name__}`" in text
        for name, field in model.model_fields.items():
            assert f"| `{name}` |" in text
            assert field.description or name == "type", f"{model.__name__}.{name} undocumented"


def test_schema_rejects_unknown_keys_and_knows_every_intervention_type():
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"name", "description", "territories", "period", "seed"}
    defs = schema["$defs"]
    tags = {d["properties"]["type"]["const"] for d in defs.values() if "type" in d.get(
        "properties", {}) and "const" in d["properties"]["type"]}  # fmt: skip
    assert tags == set(m.INTERVENTION_TYPES)
    assert all(d.get("additionalProperties") is False for d in defs.values() if "properties" in d)


@pytest.mark.parametrize("path", sorted(scenarios_dir().glob("*.yaml")), ids=lambda p: p.stem)
def test_library_files_use_only_schema_properties(path):
    """A light structural check of the written files against the schema's property names
    (no JSON-Schema validator ships in the environment; the pydantic models are the full
    check)."""
    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(data) <= set(schema["properties"])
