"""The output reference documents every store variable with its units."""

from __future__ import annotations

from tests.batch.conftest import REPO
from twin.batch.variables import STORE_VARIABLES


def test_reference_outputs_lists_every_variable_with_its_units():
    text = (REPO / "docs" / "reference-outputs.md").read_text(encoding="utf-8")
    for v in STORE_VARIABLES:
        row = f"| `{v.name}` | {v.units} | {v.description} | {v.long_name_fr} |"
        assert row in text, v.name
    assert "`completed`" in text and "twin_format_version" in text
