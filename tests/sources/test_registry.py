"""The dispatch behind ``twin data check``: every embedded data file has exactly one loader.

Each source module declares the publisher's file names it reads (``FILE_PATTERNS``). Two
modules claiming the same file would make the check depend on module order; a file no
module claims would be skipped without anyone noticing. Both are checked here on every file
of ``data/``, against an explicit list of the files that are deliberately not data tables
(the same list as in the data card, ``data/README.md``).
"""

from __future__ import annotations

import fnmatch
import importlib
import itertools
import pkgutil
from pathlib import Path
from types import ModuleType

import pytest

import twin.sources
from twin.sources.registry import SOURCE_MODULES, check_path, module_for, source_modules

DATA = Path(__file__).resolve().parents[2] / "data"

# Files of data/ that no loader reads as a table, on purpose (paths relative to data/).
NON_DATA_FILES = {
    "README.md",  # the data card
    "generate.py",  # rebuilds data/synthetic
    "reference/departements.csv",  # code lists read by twin.geography
    "reference/regions.csv",
    "reference/sentinelles.csv",  # the sentinel products, read by twin.sentinels
    "reference/sentinelles_cis_reels.csv",  # sentinel -> real CIS map read by forecasting.notices
    "real/geo/departements-avec-outre-mer.geojson",  # contours, not tables
    "real/geo/regions-avec-outre-mer.geojson",
    "synthetic/geo/departements.geojson",  # web-map contours (twin.synthetic.webmap)
    "synthetic/geo/regions.geojson",
    "synthetic/geo/departements-carte.geojson",
    "synthetic/geo/regions-carte.geojson",
    "synthetic/bdpm/episodes_ground_truth.csv",  # synthetic-only ground truth, no real twin
}


def _matches(mod: ModuleType, name: str) -> bool:
    """The registry's own rule: case-insensitive shell patterns on the file name."""
    return any(fnmatch.fnmatch(name.lower(), pat.lower()) for pat in mod.FILE_PATTERNS)


def _embedded_files() -> list[str]:
    return sorted(
        str(p.relative_to(DATA))
        for p in DATA.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )


def test_every_embedded_data_file_is_claimed_by_exactly_one_module():
    mods = source_modules()
    unclaimed, overlapping = [], {}
    for rel in _embedded_files():
        if rel in NON_DATA_FILES:
            continue
        owners = [m.__name__ for m in mods if _matches(m, Path(rel).name)]
        if not owners:
            unclaimed.append(rel)
        elif len(owners) > 1:
            overlapping[rel] = owners
        else:
            assert module_for(DATA / rel).__name__ == owners[0]
    assert not unclaimed, f"no loader recognises (add a pattern or list it): {unclaimed}"
    assert not overlapping, f"data files claimed by several loaders: {overlapping}"


def test_real_and_synthetic_folders_are_covered():
    """Guard against the test above passing vacuously (e.g. data/ moved or emptied)."""
    claimed = {
        rel.split("/")[0] + "/" + rel.split("/")[1]
        for rel in _embedded_files()
        if rel not in NON_DATA_FILES and rel.startswith(("real/", "synthetic/"))
    }
    assert {"real/sae", "real/insee", "real/drees", "real/sentinelles", "real/bdpm",
            "real/sursaud"} <= claimed
    assert {
        "synthetic/sursaud", "synthetic/openmedic", "synthetic/bdpm", "synthetic/pathologies",
    } <= claimed


@pytest.mark.parametrize("rel", sorted(NON_DATA_FILES))
def test_listed_non_data_files_exist_and_are_not_claimed(rel: str):
    path = DATA / rel
    assert path.is_file(), f"{rel} is listed as a non-data file but is not in data/ any more"
    assert module_for(path) is None, f"{rel} is listed as non-data but a loader claims it"


def _examples(pattern: str) -> list[str]:
    """Concrete file names a pattern accepts: each ``*`` filled a few ways, ``[..]`` and ``?``
    with a character they accept."""
    base = pattern.replace("[0-9]", "7").replace("?", "x")
    fills = ("", "2023", "2023r", "x_y-1")
    return [base.replace("*", f) for f in fills]


def test_no_file_name_is_claimed_by_two_modules():
    """Beyond the embedded files: every name any pattern accepts belongs to one module only."""
    mods = source_modules()
    clashes = []
    for mod, other in itertools.permutations(mods, 2):
        for pat in mod.FILE_PATTERNS:
            for name in _examples(pat):
                assert _matches(mod, name), (mod.__name__, pat, name)
                if _matches(other, name):
                    clashes.append((name, mod.__name__, other.__name__))
    assert not clashes, clashes


@pytest.mark.parametrize(
    ("name", "module"),
    [
        # Real publishers' names of files that are not embedded but that analysts drop in.
        ("URGENCES2_2025r.csv", "twin.sources.sae"),
        ("ID_2018a.csv", "twin.sources.sae"),
        ("incidence-PAY-3.csv", "twin.sources.sentinelles"),
        ("incidence-RDD-7.csv", "twin.sources.sentinelles"),
        ("sursaud-corona-quot-dep-2023-03-31-19h00.csv", "twin.sources.sursaud"),
        ("sursaud-covid19-quotidien-2020-04-05-19h00-departement.csv", "twin.sources.sursaud"),
        ("sursaud-covid19-quotidien-2020-04-05-19h00-france.csv", "twin.sources.sursaud"),
        ("metadonnee-urgenceshos-sosmedecin-covid19-quot.csv", "twin.sources.sursaud"),
        ("sursaud-covid-quot-reg-2024-12-12-19h00.csv", "twin.sources.sursaud_regional"),
        ("sursaud-corona-quot-reg-2021-03-01-19h00.csv", "twin.sources.sursaud_regional"),
        ("OPEN_MEDIC_2018.CSV", "twin.sources.openmedic"),
        ("open_medic_2018.csv", "twin.sources.openmedic"),
        ("CIS_CIP_Dispo_Spec.txt", "twin.sources.bdpm"),
        ("CIS_CIP_Dispo_Spec_20260126.txt", "twin.sources.bdpm"),
        ("CIS_bdpm.txt", "twin.sources.bdpm"),
        ("CIS_CIP_bdpm.txt", "twin.sources.bdpm"),
        ("CIS_COMPO_bdpm.txt", "twin.sources.bdpm"),
        ("CIS_MITM.txt", "twin.sources.bdpm"),
        (
            "lits-de-reanimation-de-soins-intensifs-et-de-surveillance-continue-en-france.csv",
            "twin.sources.drees",
        ),
        ("estim-pop-dep-sexe-gca-1975-2024.xls", "twin.sources.insee"),
        ("effectifs.csv", "twin.sources.pathologies"),
    ],
)
def test_real_file_names_reach_their_loader(name: str, module: str):
    found = module_for(Path(name))
    assert found is not None and found.__name__ == module


@pytest.mark.parametrize(
    "name",
    ["PSY_2023r.csv", "HAD_2023r.csv", "SOURCES.md", "departements.csv", "notes.txt"],
)
def test_files_of_unread_sources_are_not_claimed(name: str):
    """SAE bordereaux the twin does not read and stray files are skipped, not mis-checked."""
    assert module_for(Path(name)) is None


def test_every_source_module_with_a_checker_is_registered():
    """A loader that declares file patterns but is missing from the registry would let its
    files through ``twin data check`` unvalidated."""
    declared = []
    for info in pkgutil.iter_modules(twin.sources.__path__, "twin.sources."):
        mod = importlib.import_module(info.name)
        if hasattr(mod, "FILE_PATTERNS") and callable(getattr(mod, "check_file", None)):
            declared.append(info.name)
    assert declared, "no source module found"
    assert sorted(declared) == sorted(SOURCE_MODULES)


def test_folder_without_any_known_file_is_a_problem_not_a_pass(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("nothing to check\n", encoding="utf-8")
    report = check_path(tmp_path)
    assert report.checked == [] and report.skipped == [tmp_path / "notes.txt"]
    (problem,) = report.problems
    assert problem.file == str(tmp_path) and "none among 1 file(s)" in problem.found
