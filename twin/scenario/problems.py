"""Problems in scenario files: located by file, line and *field* (not a table column)."""

from __future__ import annotations

from dataclasses import dataclass

from twin.errors import DataError, DataProblem


@dataclass(frozen=True)
class FieldProblem(DataProblem):
    """A :class:`DataProblem` whose ``column`` is a field path such as ``period.days``."""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        fld = f" field {self.column}:" if self.column else ""
        return f"{where}:{fld} expected {self.expected}, found {self.found}"


def problem(
    file: str, expected: str, found: str, line: int | None = None, field: str | None = None
) -> FieldProblem:
    return FieldProblem(str(file), expected, found, line, field or None)


def fail(
    file: str, expected: str, found: str, line: int | None = None, field: str | None = None
) -> DataError:
    """A :class:`DataError` with a single located problem (to ``raise``)."""
    return DataError([problem(file, expected, found, line, field)])
