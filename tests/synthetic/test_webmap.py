"""Web-map contours: complete, official codes, light, deterministic, insets beside France."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import pytest
from shapely.geometry import box, shape

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, OVERSEAS_REGS, departements, regions
from twin.paths import real_dir, synthetic_dir
from twin.synthetic import webmap

# Mainland France with Corsica, generously: every metropolitan contour lies inside it.
MAINLAND = box(-5.3, 41.3, 9.6, 51.2)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("webmap")
    webmap.generate(real_dir(), out)
    return out / "geo"


def _features(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    return {f["properties"]["code"]: f for f in data["features"]}


@pytest.mark.parametrize("suffix", ["", "-carte"])
def test_all_territories_with_official_codes_and_names(built: Path, suffix: str):
    deps = _features(built / f"departements{suffix}.geojson")
    regs = _features(built / f"regions{suffix}.geojson")
    assert len(deps) == 101 and len(regs) == 18
    ref_deps, ref_regs = departements(), regions()
    assert set(deps) == set(ref_deps.index)
    assert set(regs) == set(ref_regs.index)
    for code, f in deps.items():
        assert f["id"] == code
        assert f["properties"] == {
            "code": code,
            "nom": ref_deps.at[code, "nom"],
            "reg": ref_deps.at[code, "reg"],
        }
    for code, f in regs.items():
        assert f["properties"] == {"code": code, "nom": ref_regs.at[code, "nom"]}


def test_files_are_light_valid_and_rounded(built: Path):
    for name in webmap.OUTPUTS:
        path = built / name
        assert path.stat().st_size < 600_000, name
        for f in _features(path).values():
            geom = shape(f["geometry"])
            assert geom.is_valid and not geom.is_empty, (name, f["id"])
            coords = json.dumps(f["geometry"]["coordinates"])
            decimals = [
                len(tok.split(".")[1]) for tok in coords.replace("]", ",").split(",") if "." in tok
            ]
            assert max(decimals) <= webmap.DECIMALS


def test_simplified_contours_stay_close_to_the_originals(built: Path):
    source = json.loads((real_dir() / "geo" / webmap.SOURCES["departements"]).read_text("utf-8"))
    original = {f["properties"]["code"]: shape(f["geometry"]) for f in source["features"]}
    simplified = _features(built / "departements.geojson")
    for code in ("75", "29", "2A", "971", "976"):
        a, b = original[code], shape(simplified[code]["geometry"])
        assert a.hausdorff_distance(b) < 3 * webmap.TOLERANCE
        assert abs(a.area - b.area) / a.area < 0.05


def test_generation_is_byte_identical(built: Path, tmp_path: Path):
    written = webmap.generate(real_dir(), tmp_path)
    assert written == sorted(tmp_path / "geo" / name for name in webmap.OUTPUTS)
    for name in webmap.OUTPUTS:
        assert (tmp_path / "geo" / name).read_bytes() == (built / name).read_bytes(), name


def test_committed_files_are_the_generator_output(built: Path):
    for name in webmap.OUTPUTS:
        committed = synthetic_dir() / "geo" / name
        assert committed.read_bytes() == (built / name).read_bytes(), name


def test_true_location_file_keeps_overseas_where_they_are(built: Path):
    deps = _features(built / "departements.geojson")
    reunion = shape(deps["974"]["geometry"]).centroid
    assert 55.2 < reunion.x < 55.9 and -21.4 < reunion.y < -20.8


def test_insets_sit_west_of_mainland_and_mainland_is_untouched(built: Path):
    area = box(*webmap.INSET_AREA)
    for kind, overseas in (("departements", OVERSEAS_DEPS), ("regions", OVERSEAS_REGS)):
        carte = _features(built / f"{kind}-carte.geojson")
        true = _features(built / f"{kind}.geojson")
        insets = [shape(carte[c]["geometry"]) for c in overseas]
        for code, geom in zip(overseas, insets, strict=True):
            assert area.contains(geom), (kind, code, geom.bounds)
            assert not geom.intersects(MAINLAND), (kind, code)
        for i, a in enumerate(insets):  # insets never overlap one another
            assert all(not a.intersects(b) for b in insets[i + 1 :])
        for code in set(carte) - set(overseas):
            assert MAINLAND.contains(shape(carte[code]["geometry"])), (kind, code)
            assert carte[code] == true[code]


def test_region_insets_match_their_departement_insets(built: Path):
    deps = _features(built / "departements-carte.geojson")
    regs = _features(built / "regions-carte.geojson")
    for dep, reg in zip(OVERSEAS_DEPS, OVERSEAS_REGS, strict=True):
        a, b = shape(deps[dep]["geometry"]), shape(regs[reg]["geometry"])
        assert a.symmetric_difference(b).area < 0.01 * a.area, (dep, reg)


def test_inset_shapes_are_not_distorted(built: Path):
    """Width/height ratio on the ground is kept once the latitude correction is undone."""
    true = _features(built / "departements.geojson")
    carte = _features(built / "departements-carte.geojson")
    for code in OVERSEAS_DEPS:
        x0, y0, x1, y1 = shape(true[code]["geometry"]).bounds
        u0, v0, u1, v1 = shape(carte[code]["geometry"]).bounds
        ratio_true = (x1 - x0) * math.cos(math.radians((y0 + y1) / 2)) / (y1 - y0)
        ratio_carte = (u1 - u0) * math.cos(math.radians((v0 + v1) / 2)) / (v1 - v0)
        assert ratio_carte == pytest.approx(ratio_true, rel=0.05), code


def test_source_missing_a_departement_is_refused(tmp_path: Path):
    real = tmp_path / "real"
    (real / "geo").mkdir(parents=True)
    shutil.copy(real_dir() / "geo" / webmap.SOURCES["regions"], real / "geo")
    source = json.loads((real_dir() / "geo" / webmap.SOURCES["departements"]).read_text("utf-8"))
    source["features"] = [f for f in source["features"] if f["properties"]["code"] != "2B"]
    (real / "geo" / webmap.SOURCES["departements"]).write_text(json.dumps(source), "utf-8")
    with pytest.raises(DataError, match="2B"):
        webmap.generate(real, tmp_path / "out")


def test_source_with_an_unofficial_code_is_refused(tmp_path: Path):
    real = tmp_path / "real"
    (real / "geo").mkdir(parents=True)
    shutil.copy(real_dir() / "geo" / webmap.SOURCES["departements"], real / "geo")
    source = json.loads((real_dir() / "geo" / webmap.SOURCES["regions"]).read_text("utf-8"))
    source["features"][0]["properties"]["code"] = "99"
    (real / "geo" / webmap.SOURCES["regions"]).write_text(json.dumps(source), "utf-8")
    with pytest.raises(DataError, match="'99'"):
        webmap.generate(real, tmp_path / "out")
