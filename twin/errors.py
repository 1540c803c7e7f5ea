"""Errors for bad input: one clear message per problem, never a traceback.

Every loader and validator reports problems as :class:`DataProblem` records (file, line,
column, what was expected, what was found) and raises one :class:`DataError` carrying all of
them, so an analyst fixing a file sees every problem in one pass instead of one per run.
The CLI turns a ``DataError`` into its message and exit status 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_REPORTED = 50


@dataclass(frozen=True)
class DataProblem:
    """One problem in one input file, located as precisely as the format allows."""

    file: str
    expected: str
    found: str
    line: int | None = None
    column: str | None = None

    def _place(self) -> str:
        """How the message names ``column`` (a table column here)."""
        return f" column {self.column!r}:" if self.column else ""

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}:{self._place()} expected {self.expected}, found {self.found}"


class DataError(Exception):
    """One or more problems found while reading or validating input files."""

    def __init__(self, problems: list[DataProblem]):
        if not problems:
            raise ValueError("DataError needs at least one problem")
        self.problems = list(problems)
        super().__init__(self.message())

    def message(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_REPORTED]]
        extra = len(self.problems) - len(shown)
        if extra > 0:
            shown.append(f"... and {extra} more problem(s)")
        return "\n".join(shown)

    @classmethod
    def single(
        cls,
        file: str | Path,
        expected: str,
        found: str,
        line: int | None = None,
        column: str | None = None,
    ) -> DataError:
        return cls([DataProblem(str(file), expected, found, line, column)])


class ProblemCollector:
    """Accumulates problems across checks; raises them together at the end."""

    def __init__(self) -> None:
        self.problems: list[DataProblem] = []

    def add(
        self,
        file: str | Path,
        expected: str,
        found: str,
        line: int | None = None,
        column: str | None = None,
    ) -> None:
        self.problems.append(DataProblem(str(file), expected, found, line, column))

    def extend(self, problems: list[DataProblem]) -> None:
        self.problems.extend(problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise DataError(self.problems)


@dataclass(frozen=True)
class FieldProblem(DataProblem):
    """A :class:`DataProblem` whose ``column`` is a field path such as ``period.days``."""

    def _place(self) -> str:
        return f" field {self.column}:" if self.column else ""


def problem(
    file: str, expected: str, found: str, line: int | None = None, field: str | None = None
) -> FieldProblem:
    return FieldProblem(str(file), expected, found, line, field or None)


def fail(
    file: str, expected: str, found: str, line: int | None = None, field: str | None = None
) -> DataError:
    """A :class:`DataError` with a single located problem (to ``raise``)."""
    return DataError([problem(file, expected, found, line, field)])
