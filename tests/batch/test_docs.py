"""The output reference is generated from the output registry and documents every variable."""

from __future__ import annotations

from tests.batch.conftest import REPO
from twin.batch.variables import STORE_VARIABLES
from twin.output_reference import REGENERATE, reference_path, reference_text


def test_committed_output_reference_is_current():
    current = reference_path().read_text(encoding="utf-8")
    assert current == reference_text(current), (
        f"docs/reference-outputs.md is out of date with twin/output_registry.py: run "
        f"`{REGENERATE}`"
    )


def test_reference_outputs_lists_every_variable_with_its_units():
    text = (REPO / "docs" / "reference-outputs.md").read_text(encoding="utf-8")
    for v in STORE_VARIABLES:
        row = f"| `{v.name}` | {v.store_units} | {v.store_description} | {v.label_fr} |"
        assert row in text, v.name
    assert "`completed`" in text and "twin_format_version" in text
