"""Daily counters are keyed by the output names the registry declares ``counted``: every key
the pathway adds to is a registered counted output of the right level, and every counted
output is added to somewhere (a registered counter nobody feeds would publish zeros)."""

from __future__ import annotations

import ast
from pathlib import Path

from twin.output_registry import BY_NAME
from twin.sim import counters

SIM = Path(counters.__file__).resolve().parent
LEVEL_OF = {"counters": "establishment", "dep_counters": "departement"}


def _keys() -> dict[str, set[str]]:
    """Output names used as string keys of ``*.counters[...]`` / ``*.dep_counters[...]``."""
    found: dict[str, set[str]] = {"counters": set(), "dep_counters": set()}
    for path in SIM.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute)):
                continue
            if node.value.attr in found:
                consts = [n for n in ast.walk(node.slice) if isinstance(n, ast.Constant)]
                found[node.value.attr] |= {c.value for c in consts if isinstance(c.value, str)}
    return found


def test_counter_keys_are_registered_counted_outputs_and_all_are_fed():
    keys = _keys()
    for attr, names in keys.items():
        for name in names:
            assert name in BY_NAME and BY_NAME[name].counted, f"{attr}[{name!r}] not registered"
            assert BY_NAME[name].level == LEVEL_OF[attr], name
    assert keys["counters"] == set(counters.EST_COUNTERS)
    assert keys["dep_counters"] == set(counters.DEP_COUNTERS)
