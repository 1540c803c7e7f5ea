"""A task function for the failure test: the real simulation, except that replication 2 of
the variant raises (what a bug or a corrupt input does). Importable by worker processes."""

from __future__ import annotations

from twin.batch.runner import simulate_task


class InjectedFailureError(RuntimeError):
    pass


def fail_variant_replication_2(resolved, replication, block, dates):
    if resolved.name == "corse-rea-moins-50" and replication == 2:
        raise InjectedFailureError("replication 2 of the variant fails on purpose")
    return simulate_task(resolved, replication, block, dates)
