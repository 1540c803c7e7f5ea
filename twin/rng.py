"""Named random streams: no global random state anywhere in the project.

A run has one master :class:`numpy.random.SeedSequence`; replication ``r`` uses
``SeedSequence(entropy, spawn_key=(r,))``; each stochastic process draws from its own
generator derived from a *stable* hash of its name (never Python's salted ``hash()``), so
adding a process or an establishment never shifts the draws of the others, and a baseline
and its what-if variant see the same patients (common random numbers).
"""

from __future__ import annotations

import hashlib

import numpy as np


def name_key(name: str) -> int:
    """A stable 32-bit integer for a stream name (same on every machine and run)."""
    return int.from_bytes(hashlib.blake2b(name.encode("utf-8"), digest_size=4).digest(), "little")


def replication_seed(entropy: int, replication: int) -> np.random.SeedSequence:
    return np.random.SeedSequence(entropy, spawn_key=(replication,))


def stream(seed: np.random.SeedSequence | int, *names: str) -> np.random.Generator:
    """The generator for the process identified by ``names`` under ``seed``."""
    if isinstance(seed, int):
        seed = np.random.SeedSequence(seed)
    key = tuple(seed.spawn_key) + tuple(name_key(n) for n in names)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed.entropy, spawn_key=key)))
