"""Generated sections of hand-written documentation files.

A reference page keeps its prose by hand and its tables generated from the code, between
two marker lines; tests compare the committed file with a regeneration.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from twin.outputs import write_text


def replace_generated(current: str, begin: str, end: str, body: str, path: Path) -> str:
    """``current`` with the text between the ``begin`` and ``end`` markers set to ``body``;
    ``ValueError`` naming ``path`` when a marker is missing."""
    if begin not in current or end not in current:
        raise ValueError(f"{path} lacks the generated-section markers {begin!r} / {end!r}")
    head, rest = current.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n\n{body}\n{end}{tail}"


def table_cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell (a ``|`` would start a new column)."""
    return text.replace("|", "\\|")


def regenerate(path: Path, make_text: Callable[[str], str]) -> None:
    """Rewrite the document at ``path`` with ``make_text(its current text)`` (atomically)."""
    write_text(path, make_text(path.read_text(encoding="utf-8")))
