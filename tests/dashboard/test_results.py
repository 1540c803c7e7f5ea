"""Reading stores written to the batch contract: validation, whitelisting, caching."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from dashboard.catalogue import BY_NAME
from dashboard.results import Catalog, StoreError, indicator, open_store
from tests.dashboard import store_builder as sb
from tests.dashboard.conftest import DEPS, REPLICATIONS, SCENARIOS, SPECS


def test_store_follows_contract(store_path):
    s = open_store(store_path, "essai")
    assert s.scenarios == SCENARIOS and s.baseline == "reference"
    assert s.deps == DEPS and s.replications == REPLICATIONS
    assert {"ed_passages", "mco_occupancy_rate", "samu_calls"} <= s.variables
    assert s.scenario_specs["afflux"]["levers"][0]["factor"] == 1.4


def test_catalog_reads_values_written(results_root, real_runs):
    cat = Catalog(results_root)
    s = cat.get("essai")
    arr = s.read("ed_passages", "afflux")
    want = np.stack([r["ed_passages"].transpose("dep", "date").values
                     for r in real_runs["afflux"]])
    np.testing.assert_allclose(arr, want)
    assert arr.shape == (REPLICATIONS, len(DEPS), 7)


def test_identifiers_are_whitelisted(results_root):
    cat = Catalog(results_root)
    for bad in ("../essai", "/etc/passwd", "essai.zarr", None, 3, ["essai"]):
        assert cat.get(bad) is None
    s = cat.get("essai")
    assert indicator("mco_occupancy_rate", s) is BY_NAME["mco_occupancy_rate"]
    assert indicator("__class__", s) is None and indicator("ed_passages;rm", s) is None


def test_parts_are_cached_per_store_scenario_indicator(results_root):
    cat = Catalog(results_root)
    s = cat.get("essai")
    ind = BY_NAME["mco_occupancy_rate"]
    a = cat.parts(s, "afflux", ind, "reg")
    misses = cat.cache.misses
    b = cat.parts(s, "afflux", ind, "reg")
    assert a is b and cat.cache.misses == misses
    cat.parts(s, "lits_reduits", ind, "reg")
    assert cat.cache.misses > misses


def test_bed_cut_raises_occupancy_under_common_random_numbers(results_root):
    """Directional check on real runs: 30 % fewer medicine and surgery beds → higher MCO
    occupancy in every replication (same patients, fewer beds)."""
    cat = Catalog(results_root)
    s = cat.get("essai")
    ind = BY_NAME["mco_occupancy_rate"]
    from dashboard import stats

    ref = stats.over_period(ind, cat.parts(s, "reference", ind, "nation"), slice(None))
    cut = stats.over_period(ind, cat.parts(s, "lits_reduits", ind, "nation"), slice(None))
    assert (cut > ref).all()


def test_incomplete_cells_are_masked_and_refresh(tmp_path, real_runs):
    path = tmp_path / "partiel.zarr"
    sb.write_store(path, real_runs, SPECS, incomplete=[("afflux", 1)])
    cat = Catalog(tmp_path)
    s = cat.get("partiel")
    ind = BY_NAME["ed_passages"]
    x = cat.parts(s, "afflux", ind, "dep")["x"]
    assert np.isnan(x[1]).all() and not np.isnan(x[0]).any()
    token = s.state_token()
    # The batch finishes the cell: the dashboard sees it without a restart.
    ds = xr.open_zarr(path, consolidated=False)
    part = ds[["ed_passages", "completed"]].isel(scenario=[2]).load()
    part["ed_passages"][0, 1] = real_runs["afflux"][1]["ed_passages"].transpose(
        "dep", "date").values
    part["completed"][0, 1] = True
    part.drop_vars(["reg", "dep_name", "date", "block", "replication", "dep"]).to_zarr(
        path, region={"scenario": slice(2, 3)}, mode="r+", consolidated=False)
    s._completion_cache = None  # skip the 2 s re-read delay
    assert s.state_token() != token
    x = cat.parts(s, "afflux", ind, "dep")["x"]
    assert not np.isnan(x).any()


def test_store_problems_are_reported_not_raised(tmp_path, real_runs):
    ds = sb.template(list(SCENARIOS), 2, list(DEPS), real_runs["reference"][0].indexes["date"])
    bad = ds.copy()
    bad.attrs["twin_format_version"] = 7
    bad.to_zarr(tmp_path / "version.zarr", consolidated=False)
    bad = ds.copy()
    bad.attrs["baseline"] = "inconnu"
    bad.to_zarr(tmp_path / "base.zarr", consolidated=False)
    ds.drop_dims("date").to_zarr(tmp_path / "dims.zarr", consolidated=False)
    (tmp_path / "vide.zarr").mkdir()
    cat = Catalog(tmp_path)
    assert cat.stores() == {}
    assert "twin_format_version 1" in cat.problems["version"]
    assert "'inconnu'" in cat.problems["base"]
    assert "missing date" in cat.problems["dims"]
    assert "not a readable zarr store" in cat.problems["vide"]
    with pytest.raises(StoreError):
        open_store(tmp_path / "version.zarr", "x")
