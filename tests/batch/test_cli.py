"""The command line: a bad scenario or manifest exits 2 with one clear message and leaves
an existing store untouched; compare prints and saves; batch --schedule writes the job."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.batch.conftest import REPO, store_bytes
from twin.cli import main

pytestmark = pytest.mark.slow


def test_bad_scenario_exits_2_and_leaves_the_store_untouched(
    reference_store, scenario_files, tmp_path
):
    store = tmp_path / "good.zarr"
    shutil.copytree(reference_store, store)
    before = store_bytes(store)
    bad = tmp_path / "bad.yaml"
    bad.write_text(scenario_files[1].read_text().replace("resource: icu", "resource: [icu"))
    for extra in ([], ["--resume"]):
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "twin",
                "run",
                str(scenario_files[0]),
                str(bad),
                "--out",
                str(store),
                *extra,
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr
        assert str(bad) in run.stderr and "expected" in run.stderr
        assert store_bytes(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "good.zarr"]


def test_run_into_an_existing_store_without_resume_is_refused(
    reference_store, scenario_files, tmp_path, capsys
):
    store = tmp_path / "good.zarr"
    shutil.copytree(reference_store, store)
    before = store_bytes(store)
    args = ["run", *map(str, scenario_files), "--out", str(store), "--quiet"]
    assert main(args) == 2
    assert "--resume" in capsys.readouterr().err
    assert store_bytes(store) == before
    # --resume on a complete store computes nothing and says so.
    assert main([*args, "--resume"]) == 0
    assert "(0 calculées, 8 déjà faites)" in capsys.readouterr().out
    assert store_bytes(store) == before


def test_compare_command_prints_and_saves(reference_store, tmp_path, capsys):
    out = tmp_path / "cmp.csv"
    assert (
        main(
            [
                "compare",
                str(reference_store),
                "--baseline",
                "corse-ref",
                "--out",
                str(out),
                "--thresholds",
                "90%,100%",
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "corse-rea-moins-50 vs corse-ref" in text and "P(>90 %)" in text
    assert out.is_file() and "p_over_90pct" in out.read_text().splitlines()[0]
    assert main(["compare", str(reference_store), "--baseline", "absent"]) == 2
    assert "found 'absent'" in capsys.readouterr().err


def test_bad_manifest_names_file_line_and_field(tmp_path, capsys):
    m = tmp_path / "m.yaml"
    m.write_text("name: lot\nscenarios: [a.yaml]\nstore: out.zarr\nclustr: {}\n")
    assert main(["batch", str(m)]) == 2
    err = capsys.readouterr().err
    assert f"{m}:4:" in err and "clustr" in err
    m.write_text("name: lot\nscenarios: [a.yaml]\nstore: out.zarr\n")
    assert main(["batch", str(m)]) == 2
    err = capsys.readouterr().err
    assert f"{m}:2:" in err and "'a.yaml': no such file" in err
