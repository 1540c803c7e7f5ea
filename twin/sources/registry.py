"""Which loader validates which file: the dispatch behind ``twin data check``.

Each source module declares ``FILE_PATTERNS`` (the real publishers' file names) and
``check_file(path)``. A folder is checked file by file; files no source recognises are
listed as skipped, never silently counted as valid.
"""

from __future__ import annotations

import fnmatch
import importlib
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from twin.errors import DataError, DataProblem

SOURCE_MODULES = (
    "twin.sources.sae",
    "twin.sources.insee",
    "twin.sources.drees",
    "twin.sources.sentinelles",
    "twin.sources.sursaud",
    "twin.sources.sursaud_regional",
    "twin.sources.openmedic",
    "twin.sources.bdpm",
    "twin.sources.pathologies",
    "twin.sources.ledger",
)


def source_modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in SOURCE_MODULES]


def module_for(path: Path) -> ModuleType | None:
    name = path.name.lower()
    for mod in source_modules():
        if any(fnmatch.fnmatch(name, pat.lower()) for pat in mod.FILE_PATTERNS):
            return mod
    return None


@dataclass
class CheckReport:
    checked: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    problems: list[DataProblem] = field(default_factory=list)


def check_path(path: Path) -> CheckReport:
    """Validate a file or every recognised file under a folder; collect all problems."""
    report = CheckReport()
    if not path.exists():
        report.problems.append(DataProblem(str(path), "an existing file or folder", "nothing"))
        return report
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    known = ", ".join(p for m in source_modules() for p in m.FILE_PATTERNS)
    for f in files:
        mod = module_for(f)
        if mod is None:
            if path.is_dir():
                report.skipped.append(f)
            else:
                report.problems.append(
                    DataProblem(str(f), f"a known source file name ({known})", repr(f.name))
                )
            continue
        report.checked.append(f)
        try:
            mod.check_file(f)
        except DataError as exc:
            report.problems.extend(exc.problems)
        except Exception as exc:
            report.problems.append(
                DataProblem(str(f), "a file the checker can read", f"{type(exc).__name__}: {exc}")
            )
    if path.is_dir() and not report.checked:
        # Nothing validated is not "valid": a wrong folder must not pass silently.
        report.problems.append(
            DataProblem(
                str(path),
                f"at least one file named like a known source ({known})",
                f"none among {len(files)} file(s)",
            )
        )
    return report
