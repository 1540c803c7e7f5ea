"""The results store: template written via a temporary path, never over an existing store;
provenance attributes; region writes then the completed mask; resume refuses another batch."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import xarray as xr

from tests.batch.conftest import REPO, store_bytes
from twin.batch import store as st
from twin.batch.plan import Task
from twin.batch.variables import VARIABLE_NAMES
from twin.errors import DataError

pytestmark = pytest.mark.slow


def test_template_is_empty_with_provenance(plan, tmp_path):
    path = tmp_path / "t.zarr"
    st.create(plan, path)
    assert [p.name for p in tmp_path.iterdir()] == ["t.zarr"]  # no temporary left behind
    with xr.open_zarr(path) as ds:
        assert list(ds["scenario"].values) == ["corse-ref", "corse-rea-moins-50"]
        assert list(ds["dep"].values) == ["2A", "2B"]
        assert list(ds["reg"].values) == ["94", "94"]
        assert list(ds["dep_name"].values) == ["Corse-du-Sud", "Haute-Corse"]
        assert list(ds["block"].values) == ["94"]
        assert ds["date"].dtype == np.dtype("datetime64[ns]")
        assert str(ds["date"].values[0])[:10] == "2024-01-09"  # after the warm-up day
        assert len(ds["date"]) == 5
        assert not ds["completed"].values.any()
        assert np.isnan(ds["ed_passages"].values).all()
        for name in VARIABLE_NAMES:
            assert ds[name].dtype == np.float32
            assert {"units", "description", "long_name_fr"} <= set(ds[name].attrs)
        a = ds.attrs
        assert a["baseline"] == "corse-ref"
        assert a["twin_format_version"] == 1
        scenarios = json.loads(a["scenarios"])
        assert scenarios["corse-rea-moins-50"]["scenario"]["interventions"][0]["resource"] == "icu"
        assert json.loads(a["seed_entropy"]) == {"corse-ref": "11", "corse-rea-moins-50": "11"}
        assert len(json.loads(a["run_table"])["corse-ref"]) == 4
        versions = json.loads(a["versions"])
        assert versions["numpy"] == np.__version__ and "distributed" in versions
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True
        )
        assert a["git_revision"] == (head.stdout.strip() if head.returncode == 0 else "unknown")


def test_an_existing_store_is_never_replaced(plan, reference_store, tmp_path):
    copy = tmp_path / "copy.zarr"
    shutil.copytree(reference_store, copy)
    before = store_bytes(copy)
    with pytest.raises(DataError, match=r"no results store exists yet.*found an existing store"):
        st.create(plan, copy)
    assert store_bytes(copy) == before
    assert [p.name for p in tmp_path.iterdir()] == ["copy.zarr"]


def test_writer_writes_the_region_then_marks_it(plan, tmp_path):
    path = tmp_path / "w.zarr"
    st.create(plan, path)
    writer = st.StoreWriter(plan, path)
    values = np.arange(len(VARIABLE_NAMES) * 2 * 5, dtype=np.float32).reshape(-1, 2, 5)
    writer.write(Task(1, 3, 0), values)
    with xr.open_zarr(path) as ds:
        np.testing.assert_array_equal(ds["ed_passages"].values[1, 3], values[0])
        assert np.isnan(ds["ed_passages"].values[0]).all()
        assert ds["completed"].values.sum() == 1 and ds["completed"].values[1, 3, 0]
    with pytest.raises(ValueError, match="shape"):
        writer.write(Task(0, 0, 0), values[:, :1])
    assert st.read_completed(path).sum() == 1  # a refused write marks nothing


def test_resume_refuses_a_store_of_another_batch(plan, scenario_files, tmp_path):
    from twin.batch import prepare

    path = tmp_path / "other.zarr"
    st.create(prepare(scenario_files, replications=2), path)
    with pytest.raises(DataError) as err:
        st.check_resumable(plan, path)
    assert "same batch" in err.value.message() and "'scenarios'" in err.value.message()
    st.check_resumable(prepare(scenario_files, replications=2), path)  # same batch: accepted
