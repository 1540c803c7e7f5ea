"""Light GeoJSON contours for the dashboard's choropleths, derived from the IGN contours.

Inputs (``real/geo``): ``departements-avec-outre-mer.geojson`` and
``regions-avec-outre-mer.geojson`` (IGN ADMIN EXPRESS COG via france-geojson, Licence
Ouverte; 3.7 MB and 1.7 MB, far too heavy to ship to a browser on every page load).

Outputs (``out/geo``), all byte-identical on every run:

* ``departements.geojson`` / ``regions.geojson``: the 101 / 18 territories at their true
  location, for maps that zoom to one territory;
* ``departements-carte.geojson`` / ``regions-carte.geojson``: the same with the five overseas
  territories moved into insets stacked in the Atlantic west of Brittany and the Bay of
  Biscay, as on INSEE's and the ministries' official maps, so that one national choropleth
  shows all 101 départements at a readable size. Inset coordinates are **not** real
  positions: never use the ``-carte`` files for distances or point-in-polygon on real
  coordinates.

Why these choices:

* Douglas–Peucker simplification (``shapely.simplify``, ``preserve_topology=True``) at
  :data:`TOLERANCE` degrees (about 500 m), then snapping to a 1e-4 degree grid (about 11 m)
  with ``shapely.set_precision``, which keeps every polygon valid where plain rounding could
  make a ring cross itself. Each territory is simplified on its own, so neighbouring borders
  can disagree by up to the tolerance: invisible at national and regional zoom, which is what
  these files are for.
* Insets are scaled to a common box (small islands enlarged, Guyane reduced) and corrected
  for latitude (a degree of longitude is longer at 16° N than at 45° N), so each territory
  keeps its true shape once drawn beside mainland France. Insets are transformed before
  simplification so they get the same on-screen detail as the mainland.
* Exterior rings are kept clockwise, as in the source file (the d3/Plotly convention).
* Determinism: features sorted by official code, coordinates rounded with ``round(x, 4)``,
  ``json.dumps(sort_keys=True)``, fixed separators, no timestamps.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.polygon import orient

from twin.errors import DataError
from twin.geography import OVERSEAS_DEPS, dep_sort_key, departements, regions

TOLERANCE = 0.005
GRID = 1e-4
DECIMALS = 4

SOURCES = {
    "departements": "departements-avec-outre-mer.geojson",
    "regions": "regions-avec-outre-mer.geojson",
}
OUTPUTS = (
    "departements.geojson",
    "regions.geojson",
    "departements-carte.geojson",
    "regions-carte.geojson",
)

# Inset layout for the "-carte" files: centre (lon, lat) of each overseas territory's box.
# A column in the Atlantic west of the mainland (whose west tip, Finistère, is at -5.1°).
INSET_BOX = 1.3  # side of each inset box, in degrees of latitude
INSET_CENTRES: dict[str, tuple[float, float]] = {
    "971": (-8.0, 49.0),
    "972": (-8.0, 47.4),
    "973": (-8.0, 45.8),
    "974": (-8.0, 44.2),
    "976": (-8.0, 42.6),
}
REG_OF_OVERSEAS_DEP = {"971": "01", "972": "02", "973": "03", "974": "04", "976": "06"}
# Where insets may lie (lon_min, lat_min, lon_max, lat_max): west of the mainland, beside it.
INSET_AREA = (-10.0, 41.5, -6.0, 50.0)


def _load(path: Path, expected: list[str], kind: str) -> dict[str, dict[str, Any]]:
    """Features by official code; DataError unless exactly the expected codes are present."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DataError.single(path, "a readable GeoJSON file", exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError.single(path, "a UTF-8 GeoJSON file", f"invalid JSON ({exc})") from None
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise DataError.single(path, "a GeoJSON FeatureCollection", "no 'features' list")
    by_code: dict[str, dict[str, Any]] = {}
    for i, feat in enumerate(features):
        code = str((feat.get("properties") or {}).get("code", "")).strip()
        if code in by_code:
            raise DataError.single(path, f"one feature per {kind}", f"code {code!r} twice")
        if code not in expected:
            raise DataError.single(
                path, f"an official {kind} code in properties.code", f"{code!r} (feature {i})"
            )
        geom = shape(feat["geometry"])
        if geom.geom_type not in ("Polygon", "MultiPolygon") or geom.is_empty:
            raise DataError.single(path, "polygon geometries", f"{geom.geom_type} for {code}")
        by_code[code] = {"geometry": geom, "nom": (feat.get("properties") or {}).get("nom")}
    missing = [c for c in expected if c not in by_code]
    if missing:
        raise DataError.single(path, f"all {len(expected)} {kind}s", f"none for {missing}")
    return by_code


def _inset_transform(geom: Polygon | MultiPolygon, centre: tuple[float, float]):
    """Affine map putting ``geom`` in an undistorted box of side INSET_BOX at ``centre``."""
    minx, miny, maxx, maxy = geom.bounds
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    cx, cy = centre
    ground_w = (maxx - minx) * math.cos(math.radians(my))
    ground_h = maxy - miny
    s = INSET_BOX / max(ground_w, ground_h)
    kx = s * math.cos(math.radians(my)) / math.cos(math.radians(cy))

    def apply(g: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
        return shapely.transform(g, lambda xy: (xy - (mx, my)) * (kx, s) + (cx, cy))

    return apply


def _simplify(geom: Polygon | MultiPolygon) -> Polygon | MultiPolygon:
    g = shapely.simplify(geom, TOLERANCE, preserve_topology=True)
    g = shapely.set_precision(g, GRID)
    parts = [orient(p, sign=-1.0) for p in getattr(g, "geoms", [g]) if not p.is_empty]
    if not parts:
        raise ValueError("simplification emptied a territory")  # a tolerance bug, not data
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def _rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        r = round(obj, DECIMALS)
        return 0.0 if r == 0 else r  # no "-0.0"
    if isinstance(obj, list | tuple):
        return [_rounded(v) for v in obj]
    return obj


def _feature(code: str, props: dict[str, str], geom: Polygon | MultiPolygon) -> dict[str, Any]:
    gj = mapping(geom)
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, **props},
        "geometry": {"type": gj["type"], "coordinates": _rounded(gj["coordinates"])},
    }


def _write(path: Path, features: list[dict[str, Any]]) -> Path:
    text = json.dumps(
        {"type": "FeatureCollection", "features": features},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        allow_nan=False,
    )
    path.write_bytes((text + "\n").encode("utf-8"))
    return path


def generate(real: Path, out: Path) -> list[Path]:
    """Write the four web-map files under ``out/geo``; return their paths."""
    deps_ref = departements()
    regs_ref = regions()
    dep_codes = sorted(deps_ref.index, key=dep_sort_key)
    reg_codes = sorted(regs_ref.index)
    deps = _load(Path(real) / "geo" / SOURCES["departements"], dep_codes, "département")
    regs = _load(Path(real) / "geo" / SOURCES["regions"], reg_codes, "région")

    insets = {
        dep: _inset_transform(deps[dep]["geometry"], INSET_CENTRES[dep]) for dep in OVERSEAS_DEPS
    }
    inset_of_reg = {REG_OF_OVERSEAS_DEP[d]: t for d, t in insets.items()}

    geo = Path(out) / "geo"
    geo.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for suffix, moved in (("", False), ("-carte", True)):
        dep_feats = []
        for code in dep_codes:
            g = deps[code]["geometry"]
            if moved and code in insets:
                g = insets[code](g)
            props = {"nom": deps_ref.at[code, "nom"], "reg": deps_ref.at[code, "reg"]}
            dep_feats.append(_feature(code, props, _simplify(g)))
        reg_feats = []
        for code in reg_codes:
            g = regs[code]["geometry"]
            if moved and code in inset_of_reg:
                g = inset_of_reg[code](g)
            reg_feats.append(_feature(code, {"nom": regs_ref.at[code, "nom"]}, _simplify(g)))
        written.append(_write(geo / f"departements{suffix}.geojson", dep_feats))
        written.append(_write(geo / f"regions{suffix}.geojson", reg_feats))
    return sorted(written)
