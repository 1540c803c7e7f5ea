"""Results are written atomically: staged beside the output folder, moved in on success."""

from __future__ import annotations

from pathlib import Path

import pytest

from forecasting.output import staged_outputs


def listing(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_success_replaces_files_and_folders_and_leaves_no_staging(tmp_path: Path):
    out = tmp_path / "out"
    with staged_outputs(out) as stage:
        (stage / "a.csv").write_text("old\n")
        (stage / "r.zarr").mkdir()
        (stage / "r.zarr" / "chunk.0").write_text("old")
        (stage / "r.zarr" / "only_old").write_text("x")
    with staged_outputs(out) as stage:
        (stage / "a.csv").write_text("new\n")
        (stage / "r.zarr").mkdir()
        (stage / "r.zarr" / "chunk.0").write_text("new")
    assert listing(out) == {"a.csv": b"new\n", "r.zarr/chunk.0": b"new"}
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_failure_while_writing_leaves_the_previous_results_untouched(tmp_path: Path):
    out = tmp_path / "out"
    with staged_outputs(out) as stage:
        (stage / "a.csv").write_text("good\n")
        (stage / "r.zarr").mkdir()
        (stage / "r.zarr" / "chunk.0").write_text("good")
    before = listing(out)
    with pytest.raises(RuntimeError, match="disk full"), staged_outputs(out) as stage:
        (stage / "a.csv").write_text("half")
        raise RuntimeError("disk full")
    assert listing(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "r.zarr"]


def test_stale_entries_not_produced_again_are_removed(tmp_path: Path):
    out = tmp_path / "out"
    with staged_outputs(out) as stage:
        (stage / "a.csv").write_text("1")
        (stage / "extra.csv").write_text("1")
    with staged_outputs(out, stale=("extra.csv",)) as stage:
        (stage / "a.csv").write_text("2")
    assert listing(out) == {"a.csv": b"2"}
    with staged_outputs(out, stale=("extra.csv",)) as stage:
        (stage / "extra.csv").write_text("3")  # produced again: kept
    assert listing(out) == {"a.csv": b"2", "extra.csv": b"3"}
