"""The common-random-numbers contract of the per-patient marks (:mod:`twin.sim.marks`): every
decision has a named slot, no slot is read by two decisions, the code reads marks only by
name, and perturbing one slot changes only the decision it names."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np

from tests.sim.toy_network import two_ed_network
from twin.sim import marks as mk
from twin.sim import pathway as pw

SIM = Path(mk.__file__).resolve().parent
MARK_ARRAYS = {"m", "marks", "go_marks", "kept"}
"""Names the pathway code gives to a patient's marks (one row) or to a block of them."""


def _slots() -> dict[str, int]:
    """The decision slots declared in twin/sim/marks.py (module-level int constants)."""
    tree = ast.parse((SIM / "marks.py").read_text())
    out = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            name = node.targets[0].id  # type: ignore[attr-defined]
            if isinstance(node.value.value, int) and not name.startswith("N_"):
                out[name] = node.value.value
    return out


def test_every_slot_is_named_and_no_two_decisions_share_one():
    slots = _slots()
    assert set(slots.values()) == set(range(mk.N_MARKS))
    by_slot: dict[int, set[str]] = {}
    for name, k in slots.items():
        by_slot.setdefault(k, set()).add(name)
    shared = {k: names for k, names in by_slot.items() if len(names) > 1}
    assert shared == {}, "a slot is read by two decisions: give each decision its own slot"
    assert max(mk.STAY, mk.SSR_NEED, mk.SSR_STAY) < mk.N_ELECTIVE_MARKS


def _mark_reads(path: Path) -> list[tuple[int, ast.expr]]:
    """(line, index expression) of every subscript of a marks array in ``path``."""
    reads = []
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name)
                and node.value.id in MARK_ARRAYS):
            reads.append((node.lineno, node.slice))
    return reads


def test_the_pathway_reads_marks_only_by_slot_name():
    slots = _slots()
    used: set[str] = set()
    for path in sorted(SIM.rglob("*.py")):
        for line, index in _mark_reads(path):
            parts = index.elts if isinstance(index, ast.Tuple) else [index]
            for part in parts:
                where = f"{path.name}:{line}"
                assert not (isinstance(part, ast.Constant) and isinstance(part.value, int)), (
                    f"{where}: a mark read by number; use its name in twin.sim.marks"
                )
                name = part.attr if isinstance(part, ast.Attribute) else getattr(part, "id", "")
                if name in slots:
                    used.add(name)
        used |= {name for name in slots if f"mk.{name}" in path.read_text()}
    assert used == set(slots), f"named slots no decision reads: {set(slots) - used}"


def _attributes(marks: np.ndarray, ages: np.ndarray) -> list[np.ndarray]:
    sim = pw.Simulation(two_ed_network(days=2, places=12), np.random.SeedSequence(2))
    return [np.concatenate(x) for x in zip(
        *(pw.ed_attributes(unit, ages, marks, sim.parameters, sim._triage_cum) for unit in sim.eds),
        strict=True,
    )]


def test_perturbing_one_slot_changes_only_the_ed_decision_it_names():
    rng = np.random.default_rng(9)
    marks = rng.random((4000, mk.N_MARKS))
    ages = rng.integers(0, 5, len(marks))
    base = dict(zip(("triage", "disposition", "treatment", "delay"),
                    _attributes(marks, ages), strict=True))
    reads = {
        mk.TRIAGE: {"triage"},
        mk.TREATMENT: {"treatment"},
        mk.TRIAGE_DELAY: {"delay"},
        mk.DISPOSITION: {"disposition", "treatment"},  # admitted patients are treated longer
        mk.ICU_ADMISSION: {"disposition"},
        mk.ACCEPT: set(),
        mk.ARM_SERVICE: set(),
        mk.STAY: set(),
        mk.SSR_NEED: set(),
        mk.SSR_STAY: set(),
        mk.REGULATION: set(),
        mk.DOCTOR_SERVICE: set(),
        mk.CALL_OUTCOME: set(),
        mk.WARD_DISCIPLINE: set(),  # read after the ED, when a ward is chosen
    }
    assert set(reads) == set(range(mk.N_MARKS))
    for slot, outputs in reads.items():
        other = marks.copy()
        other[:, slot] = rng.random(len(marks))
        after = dict(zip(base, _attributes(other, ages), strict=True))
        changed = {k for k in base if not np.array_equal(base[k], after[k])}
        assert changed == outputs, (slot, changed)
    # The disposition slot changes the treatment time only through the admission factor.
    other = marks.copy()
    other[:, mk.DISPOSITION] = rng.random(len(marks))
    after = _attributes(other, ages)
    admitted = np.isin(base["disposition"], (pw.ADMIT_WARD, pw.ADMIT_ICU))
    same = admitted == np.isin(after[1], (pw.ADMIT_WARD, pw.ADMIT_ICU))
    assert np.array_equal(base["treatment"][same], after[2][same])
