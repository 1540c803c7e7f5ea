"""Generated sections of hand-written documentation files.

A reference page keeps its prose by hand and its tables generated from the code, between
two marker lines; tests compare the committed file with a regeneration.
"""

from __future__ import annotations

from pathlib import Path


def replace_generated(current: str, begin: str, end: str, body: str, path: Path) -> str:
    """``current`` with the text between the ``begin`` and ``end`` markers set to ``body``;
    ``ValueError`` naming ``path`` when a marker is missing."""
    if begin not in current or end not in current:
        raise ValueError(f"{path} lacks the generated-section markers {begin!r} / {end!r}")
    head, rest = current.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n\n{body}\n{end}{tail}"
