"""The variables of a batch results store, in store order: a view of the output registry.

Every variable has dims ``(scenario, replication, dep, date)`` and is float32; the
département value is derived from the simulation's establishment and SAMU outputs by
:mod:`twin.batch.aggregate`. Names, units, meanings and French labels are defined once in
:mod:`twin.output_registry` (which also generates the table of ``docs/reference-outputs.md``).
"""

from __future__ import annotations

from twin.output_registry import STORE_OUTPUTS, Output

STORE_VARIABLES: tuple[Output, ...] = STORE_OUTPUTS
VARIABLE_NAMES: tuple[str, ...] = tuple(v.name for v in STORE_VARIABLES)


def store_attrs(v: Output) -> dict[str, str]:
    """The attributes a store variable carries: its département-level units and meaning,
    and the French label shown to users."""
    return {"units": v.store_units, "description": v.store_description, "long_name_fr": v.label_fr}
