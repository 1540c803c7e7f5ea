"""``run_and_compare`` (what ``twin demo`` calls): a baseline and a what-if in parallel on
a local cluster, then the comparison printed and saved."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.slow


def test_run_and_compare_runs_both_and_prints_the_comparison(scenario_files, tmp_path):
    from twin.batch import run_and_compare

    out = io.StringIO()
    result = run_and_compare(
        scenario_files, tmp_path / "demo.zarr", replications=2, workers=2, days=3, stream=out
    )
    assert result.report.complete and result.report.computed == 4
    text = out.getvalue()
    assert "corse-rea-moins-50 vs corse-ref — Corse (94), 2 réplications appariées" in text
    assert result.comparison_path.is_file()
    icu = result.table[
        (result.table["indicator"] == "icu_capacity")
        & (result.table["quantity"] == "difference")
        & (result.table["territory"] == "94")
    ]
    assert float(icu["mean"].iloc[0]) < 0
