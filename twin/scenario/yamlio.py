"""Reading scenario YAML safely, keeping the line of every key, and refusing YAML 1.1 traps.

PyYAML implements YAML 1.1, where an unquoted ``no`` is the boolean false, ``010`` the
octal number 8, ``010000024`` (a FINESS code) the number 2097172 and ``20:00`` the
base-60 number 1200. An analyst who writes ``departements: [01]`` or ``hours: 20:00``
would silently get another value than the one they meant, so every plain scalar of those
shapes is refused with a message saying to quote it (or to write ``true``/``false``).
Duplicate keys are refused too (PyYAML keeps the last one silently), and so are merge keys
(``<<``): ``extends`` is the one way to inherit.

The result is plain data plus a :class:`Located` map from each path (a tuple of keys and
list indices) to the file and line where it was written, so that validation errors found
later, on the merged data, still name the line to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from twin.errors import DataError
from twin.scenario.problems import fail, problem

Path_ = tuple[str | int, ...]

_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_CANONICAL_BOOLS = {"true", "false"}
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_UNDERSCORE_NUMBER = re.compile(r"^[-+]?[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?$")


@dataclass
class Located:
    """Where each value of a loaded document was written: ``path -> (file, line)``."""

    lines: dict[Path_, tuple[str, int]] = field(default_factory=dict)

    def find(self, path: Path_, default_file: str) -> tuple[str, int | None]:
        """File and line of ``path``, or of its nearest written ancestor."""
        for n in range(len(path), -1, -1):
            hit = self.lines.get(tuple(path[:n]))
            if hit is not None:
                return hit
        return default_file, None

    def under(self, prefix: Path_) -> dict[Path_, tuple[str, int]]:
        """Entries at or below ``prefix``, keyed by the path relative to it."""
        k = len(prefix)
        return {p[k:]: v for p, v in self.lines.items() if p[:k] == prefix}


def _trap(node: yaml.ScalarNode) -> str | None:
    """Why a plain scalar is ambiguous between YAML 1.1 and what the writer meant, if it is."""
    if node.style is not None:  # quoted or block scalar: always text
        return None
    text = node.value
    low = text.lower()
    if node.tag.endswith(":bool") and low not in _CANONICAL_BOOLS:
        return (
            f'quoted text ("{text}") or the boolean true/false',
            f"unquoted {text}, which YAML 1.1 reads as the boolean "
            f"{'true' if low in ('yes', 'on', 'y') else 'false'}: quote it if it is text",
        )
    if low in _YAML11_BOOLS:
        return None  # y / n: PyYAML keeps them as text, which is what was meant
    if _SEXAGESIMAL.match(text):
        return (
            f'a quoted time or text ("{text}")',
            f"unquoted {text}, which YAML 1.1 reads as a base-60 number: quote it",
        )
    if _LEADING_ZERO.match(text):
        return (
            f'a quoted code ("{text}"); département and FINESS codes are text',
            f"unquoted {text}, which YAML 1.1 reads as a number (leading zeros are lost or "
            f"read as octal): quote it",
        )
    if _UNDERSCORE_NUMBER.match(text):
        return (
            f"a number without underscores ({text.replace('_', '')}) or quoted text",
            f"unquoted {text}, which YAML 1.1 and 1.2 read differently",
        )
    return None


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.located = Located()
        self.problems: list[tuple[str, str, int, str]] = []

    def problem(self, node: yaml.Node, expected: str, found: str, path: Path_) -> None:
        self.problems.append((expected, found, node.start_mark.line + 1, _dotted(path)))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.ScalarNode):
            trap = _trap(node)
            if trap is not None:
                self.problem(node, trap[0], trap[1], path)
                return node.value
            return self.loader.construct_object(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for i, item in enumerate(node.value):
                self.located.lines[(*path, i)] = (self.file, item.start_mark.line + 1)
                out.append(self.build(item, (*path, i)))
            return out
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            first_line: dict[Any, int] = {}
            for key_node, value_node in node.value:
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problem(
                        key_node,
                        "plain keys (use extends: to inherit from another scenario)",
                        "a YAML merge key (<<)",
                        path,
                    )
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problem(key_node, "a plain key", "a list or mapping used as a key", path)
                    continue
                key = self.build(key_node, path)
                if not isinstance(key, str | int):
                    key = str(key)
                if key in first_line:
                    self.problem(
                        key_node,
                        f"each key once in a mapping ({key!r} is first given on line "
                        f"{first_line[key]})",
                        f"{key!r} again",
                        (*path, key),
                    )
                    continue
                first_line[key] = line
                self.located.lines[(*path, key)] = (self.file, line)
                out[key] = self.build(value_node, (*path, key))
            return out
        raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover


def _dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def load_yaml(path: Path) -> tuple[dict[str, Any], Located]:
    """Read one scenario file: its top-level mapping and the line of every path in it.

    Raises :class:`DataError` naming the file and line for malformed YAML, several
    documents, a top level that is not a mapping, duplicate or merge keys and YAML 1.1
    traps (all of them at once).
    """
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise fail(file, "an existing scenario file", "no such file") from None
    except UnicodeDecodeError as exc:
        raise fail(file, "UTF-8 text", f"undecodable bytes ({exc.reason})") from None
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        found = str(exc.problem or exc.context)
        if "expected a single document" in str(exc.context):
            raise fail(
                file, "a single YAML document", "several documents (---)", _line(mark)
            ) from None
        if exc.context and exc.context_mark is not None:
            found += f" ({exc.context} started on line {exc.context_mark.line + 1})"
        raise fail(file, "well-formed YAML", found, _line(mark)) from None
    except yaml.YAMLError as exc:
        raise fail(file, "well-formed YAML", str(exc)) from None
    finally:
        loader.dispose()
    if node is None:
        raise fail(file, "a scenario (a YAML mapping of fields)", "an empty file")
    if not isinstance(node, yaml.MappingNode):
        raise fail(
            file,
            "a scenario (a YAML mapping of fields such as name:, territories:)",
            f"a {'list' if isinstance(node, yaml.SequenceNode) else 'single value'}",
            node.start_mark.line + 1,
        )
    builder = _Builder(file, yaml.SafeLoader(""))
    data = builder.build(node, ())
    if builder.problems:
        raise DataError([problem(file, e, f, line, col) for e, f, line, col in builder.problems])
    return data, builder.located


def _line(mark: yaml.Mark | None) -> int | None:
    return None if mark is None else mark.line + 1
