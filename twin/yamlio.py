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

This is the one YAML reader of the project (scenarios, batch manifests, supply-disruption
files), hardened against hostile or damaged files, each refusal naming the file and line:

* only the safe YAML types: any explicit tag (``!!python/name:…``, ``!!float "abc"``,
  ``!foo``) is refused, so nothing but plain text, numbers, booleans, dates, lists and
  mappings can come out of a file;
* bounded resources: at most :data:`MAX_BYTES` of text, :data:`MAX_DEPTH` nested lists or
  mappings (5,000 ``[`` would otherwise overflow the parser's recursion), :data:`MAX_ALIASES`
  aliases and :data:`MAX_NODES` values once aliases are expanded (a "billion laughs" file
  expands nine aliases nine times over into 387 million values);
* text that is not UTF-8 is reported with the byte offset and line of the first bad byte;
* a date is checked as text first (``2024-02-30`` does not exist, ``9999-12-30`` is outside
  what pandas and the data can represent) instead of crashing the YAML date constructor.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator

from twin.errors import DataError, fail, problem

Path_ = tuple[str | int, ...]

_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}
_CANONICAL_BOOLS = {"true", "false"}
_LEADING_ZERO = re.compile(r"^[-+]?0[0-9_]+$")
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$")
_UNDERSCORE_NUMBER = re.compile(r"^[-+]?[0-9][0-9_]*_[0-9_]*(\.[0-9_]*)?$")
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")

MAX_BYTES = 1_000_000
"""Largest YAML file read (the biggest scenario of the library is about 5 kB)."""
MAX_DEPTH = 64
"""Deepest nesting of lists and mappings (scenarios nest about 5 levels)."""
MAX_ALIASES = 100
"""Most aliases (``*name``) in one file."""
MAX_NODES = 100_000
"""Most values in one file once aliases are expanded."""
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2200, 12, 31)
"""Dates outside these are refused at reading: the data start in the 2000s, and pandas
timestamps stop in 2262 (a date near 9999 overflows every date computation)."""
_DATE_RANGE = (
    f"a date from {DATE_MIN.isoformat()} to {DATE_MAX.isoformat()} (the data start in the "
    "2000s; dates past 2262 overflow every date computation)"
)
"""What a date out of DATE_MIN … DATE_MAX is expected to be, quoted or not."""
_SAFE_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge")
)


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

    def replace_under(self, prefix: Path_, lines: dict[Path_, tuple[str, int]]) -> None:
        """Set the entries at or below ``prefix`` to ``lines`` (keyed relative to it, as
        :meth:`under` returns them): a merged or replaced value brings its own lines."""
        k = len(prefix)
        self.lines = {p: v for p, v in self.lines.items() if p[:k] != prefix}
        for rel, v in lines.items():
            self.lines[(*prefix, *rel)] = v


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


class _Refused(yaml.MarkedYAMLError):
    """A limit of this reader (tag, depth, aliases) hit while composing, at a place."""

    def __init__(self, expected: str, found: str, mark: yaml.Mark) -> None:
        super().__init__(problem=found, problem_mark=mark)
        self.expected = expected


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, composing with bounded depth and aliases and refusing explicit tags."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Refused(
                    f"at most {MAX_ALIASES} aliases (*name) in a file",
                    f"alias number {self._aliases}",
                    event.start_mark,
                )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise _Refused(
                "plain YAML values without tags (write the value itself, quoted if it is text)",
                f"the tag {_tag(tag)}",
                event.start_mark,
            )
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    f"at most {MAX_DEPTH} nested lists or mappings",
                    f"more than {MAX_DEPTH} levels",
                    event.start_mark,
                )
        try:
            return super().compose_node(parent, index)
        finally:
            if nested:
                self._depth -= 1


class _Builder:
    def __init__(self, file: str, loader: yaml.SafeLoader) -> None:
        self.file = file
        self.loader = loader
        self.located = Located()
        self.problems: list[tuple[str, str, int, str]] = []
        self.nodes = 0

    def problem(self, node: yaml.Node, expected: str, found: str, path: Path_) -> None:
        self.problems.append((expected, found, node.start_mark.line + 1, dotted(path)))

    def build(self, node: yaml.Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(
                f"at most {MAX_NODES:,} values once aliases are expanded",
                "more (aliases nested in aliases)",
                node.start_mark,
            )
        if node.tag not in _SAFE_TAGS:  # pragma: no cover - refused while composing
            raise _Refused(
                "plain YAML values without tags", f"the tag {_tag(node.tag)}", node.start_mark
            )
        if isinstance(node, yaml.ScalarNode):
            trap = _trap(node)
            if trap is not None:
                self.problem(node, trap[0], trap[1], path)
                return node.value
            if node.tag.endswith(":timestamp"):
                return self._date(node, path)
            try:
                return self.loader.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, OverflowError) as exc:
                self.problem(node, "a plain value", f"{node.value!r} ({exc})", path)
                return node.value
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


    def _date(self, node: yaml.ScalarNode, path: Path_) -> Any:
        """A date checked as text: it must exist and lie within DATE_MIN … DATE_MAX."""
        text = node.value
        m = _DATE.match(text)
        if m is None:  # a date with a time: YAML's own constructor
            try:
                return self.loader.construct_object(node, deep=True)
            except (ValueError, OverflowError) as exc:
                self.problem(node, "a date and time YYYY-MM-DD HH:MM:SS", f"{text} ({exc})", path)
                return text
        year, month, day = (int(g) for g in m.groups())
        try:
            value = dt.date(year, month, day)
        except ValueError:
            if 1 <= month <= 12:
                days = calendar.monthrange(year, month)[1] if year >= 1 else 31
                why = f"{calendar.month_name[month]} {year} has {days} days"
            else:
                why = f"no month {month}"
            self.problem(node, "an existing date YYYY-MM-DD", f"{text} ({why})", path)
            return text
        if not DATE_MIN <= value <= DATE_MAX:
            self.problem(node, _DATE_RANGE, text, path)
            return text
        return value


def dotted(path: Path_) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def read_yaml(path: Path, what: str = "a scenario file") -> tuple[Any, Located]:
    """Read one YAML file of any shape (mapping, list, value) with every guard of this
    module; ``what`` names the kind of file in messages. Returns the data (``None`` for an
    empty file) and the line of every path. Raises :class:`DataError` naming file and line."""
    file = str(path)
    path = Path(path)
    if path.is_dir():
        raise fail(file, what, "a folder")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise fail(file, f"{what} of at most {MAX_BYTES:,} bytes", f"{size:,} bytes")
        if not path.is_file():  # a device or a pipe: never read without end
            raise fail(file, what, "not a regular file (a device or a pipe)")
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:  # grew since stat
            raise fail(file, f"{what} of at most {MAX_BYTES:,} bytes", "more")
    except FileNotFoundError:
        raise fail(file, f"an existing {what.removeprefix('a ').removeprefix('an ')}",
                   "no such file") from None
    except OSError as exc:
        found = exc.strerror or str(exc)
        raise fail(file, f"a readable {what.removeprefix('a ')}", found) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise fail(
            file,
            "UTF-8 text (save the file as UTF-8)",
            f"the byte 0x{raw[exc.start]:02x} at byte offset {exc.start} ({exc.reason})",
            line,
        ) from None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise fail(file, "YAML text", "a NUL byte (a binary file?)", line)
    try:
        loader = _BoundedLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise fail(
            file, "printable YAML text",
            f"the control character U+{exc.character:04X} at character {exc.position}", line,
        ) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Located()
        builder = _Builder(file, yaml.SafeLoader(""))
        data = builder.build(node, ())
    except _Refused as exc:
        raise fail(file, exc.expected, str(exc.problem), _line(exc.problem_mark)) from None
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
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise fail(file, "printable YAML text",
                   f"the control character U+{exc.character:04X}", line) from None
    except yaml.YAMLError as exc:
        raise fail(file, "well-formed YAML", str(exc)) from None
    except RecursionError:
        raise fail(file, f"at most {MAX_DEPTH} nested lists or mappings", "deeper") from None
    finally:
        loader.dispose()
    if builder.problems:
        raise DataError([problem(file, e, f, line, col) for e, f, line, col in builder.problems])
    builder.located.lines.setdefault((), (file, node.start_mark.line + 1))
    return data, builder.located


def load_yaml(path: Path) -> tuple[dict[str, Any], Located]:
    """Read one scenario file: its top-level mapping and the line of every path in it.

    Raises :class:`DataError` naming the file and line for malformed YAML, several
    documents, a top level that is not a mapping, duplicate or merge keys, YAML 1.1
    traps, tags, dates that do not exist and files beyond the reader's bounds.
    """
    file = str(path)
    data, loc = read_yaml(Path(path))
    if data is None:
        raise fail(file, "a scenario (a YAML mapping of fields)", "an empty file")
    if not isinstance(data, dict):
        raise fail(
            file,
            "a scenario (a YAML mapping of fields such as name:, territories:)",
            f"a {'list' if isinstance(data, list) else 'single value'}",
            loc.lines[()][1],
        )
    del loc.lines[()]
    return data, loc


def _tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _line(mark: yaml.Mark | None) -> int | None:
    return None if mark is None else mark.line + 1


# --------------------------------------------------------------------------- field values


class FieldValueError(ValueError):
    """A value that does not fit its field: what was expected and what was found."""

    def __init__(self, expected: str, found: str) -> None:
        super().__init__(f"expected {expected}, found {found}")
        self.expected = expected
        self.found = found


def describe(v: Any) -> str:
    """How a YAML value reads back to its writer (for *found* in messages)."""
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, int | float):
        return f"the number {v}"
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, dt.date):
        return f"the date {v.isoformat()}"
    if isinstance(v, dict):
        return "a mapping {" + ", ".join(str(k) for k in list(v)[:6]) + "}"
    if isinstance(v, list | tuple):
        return f"a list of {len(v)} item(s)"
    return repr(v)


def _plausible_date(v: dt.date) -> dt.date:
    if not DATE_MIN <= v <= DATE_MAX:
        raise FieldValueError(_DATE_RANGE, v.isoformat())
    return v


PlausibleDate = Annotated[dt.date, AfterValidator(_plausible_date)]
"""A date within the bounds the YAML reader applies to unquoted dates (quoted ones too)."""
