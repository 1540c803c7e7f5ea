"""Seeded generators of the format-identical synthetic replicas embedded in ``data/synthetic``.

Each module has ``generate(real: Path, out: Path) -> list[Path]``: it reads only the real
embedded inputs under ``real`` (``data/real``), draws from its own named random stream under
the fixed :data:`MASTER_SEED`, and writes byte-identical files on every run and machine.
``data/generate.py`` runs them all; a test rebuilds them and compares bytes.
"""

from importlib import import_module
from pathlib import Path

MASTER_SEED = 20260101

# Order matters only for readability of the log; generators are independent.
GENERATORS = (
    "twin.synthetic.webmap",
    "twin.synthetic.sursaud",
    "twin.synthetic.openmedic",
    "twin.synthetic.bdpm",
    "twin.synthetic.pathologies",
    "twin.synthetic.ledger",
)


def build_all(real: Path, out: Path, only: tuple[str, ...] = ()) -> list[Path]:
    """Run every generator (or those whose short name is in ``only``); return written files."""
    written: list[Path] = []
    for name in GENERATORS:
        short = name.rsplit(".", 1)[-1]
        if only and short not in only:
            continue
        written.extend(import_module(name).generate(real, out))
    return written
