"""Daily event counters of the pathway, keyed by output name.

An output that the pathway counts event by event (admissions, transfers, SAMU calls…) is
registered once, with ``counted=True``, in :mod:`twin.output_registry`; the simulation keeps
one daily array per such output, named after it, and the replication copies it into the
Dataset without any mapping. Adding a counted output = registering it, then adding to
``counters["its_name"][day]`` where the event happens.
"""

from __future__ import annotations

import numpy as np

from twin.output_registry import OUTPUTS

EST_COUNTERS: tuple[str, ...] = tuple(
    o.name for o in OUTPUTS if o.counted and o.level == "establishment"
)
"""Counted outputs per establishment (``Establishment.counters[name]``: one value a day)."""
DEP_COUNTERS: tuple[str, ...] = tuple(
    o.name for o in OUTPUTS if o.counted and o.level == "departement"
)
"""Counted outputs per département (``Simulation.dep_counters[name]``: (départements, days))."""


def daily_counters(names: tuple[str, ...], shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    """One zeroed array of ``shape`` per counted output."""
    return {name: np.zeros(shape) for name in names}
