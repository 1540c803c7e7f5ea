"""The output tables of ``docs/reference-outputs.md``, generated from the output registry.

The tables cannot drift from :mod:`twin.output_registry`: a test fails when the committed
file is out of date. Regenerate with::

    .venv/bin/python -m twin.output_reference

which rewrites the part of the file between the ``BEGIN GENERATED`` / ``END GENERATED``
markers (the hand-written text around them is kept).
"""

from __future__ import annotations

import sys
from pathlib import Path

from twin.docgen import regenerate, replace_generated, table_cell
from twin.output_registry import OUTPUTS, STORE_OUTPUTS, Output, Ratio, Sum, Weighted

REGENERATE = ".venv/bin/python -m twin.output_reference"
BEGIN = "<!-- BEGIN GENERATED: output table (python -m twin.output_reference) -->"
END = "<!-- END GENERATED -->"


def how_made(o: Output) -> str:
    """How the store's département value of ``o`` is made (English, for the reference)."""
    a = o.aggregation
    if o.level == "departement":
        return "the département's SAMU/SMUR"
    if isinstance(a, Sum):
        return "sum over the département's establishments"
    if isinstance(a, Weighted):
        return f"pooled over the département's EDs, weighted by `{a.by}`"
    if isinstance(a, Ratio):
        return f"`{a.num}` / `{a.den}` of the summed establishments (NaN when `{a.den}` is 0)"
    return "not kept in the store (a quantile cannot be pooled)"


def _above(o: Output) -> str:
    a = o.aggregation
    if isinstance(a, Sum):
        return "sum"
    if isinstance(a, Weighted):
        return f"mean weighted by `{a.by}`"
    if isinstance(a, Ratio):
        return "ratio of the sums"
    return "not given"


def store_table() -> str:
    """Markdown table of the store's variables (one row each, in store order)."""
    rows = [
        "| variable | units | meaning | French label | how the département value is made "
        "| région (twin compare, dashboard) | over a period |",
        "|---|---|---|---|---|---|---|",
    ]
    for o in STORE_OUTPUTS:
        over = "highest day" if o.over_time == "max" else "daily mean"
        if isinstance(o.aggregation, Ratio | Weighted):
            over = "ratio of the period's totals"
        rows.append(
            f"| `{o.name}` | {o.store_units} | {table_cell(o.store_description)} | "
            f"{table_cell(o.label_fr)} | {how_made(o)} | {_above(o)} | {over} |"
        )
    return "\n".join(rows)


def replication_table() -> str:
    """Markdown table of every output of one replication's Dataset."""
    rows = [
        "| variable | dims | units | meaning | French label | summed by `by_territory` |",
        "|---|---|---|---|---|---|",
    ]
    for o in OUTPUTS:
        if not o.simulated:
            continue
        summed = "yes" if o.level == "establishment" and isinstance(o.aggregation, Sum) else "no"
        rows.append(
            f"| `{o.name}` | ({', '.join(o.dims)}) | {o.units} | {table_cell(o.description)} | "
            f"{table_cell(o.label_fr)} | {summed} |"
        )
    return "\n".join(rows)


def generated_section() -> str:
    return (
        "#### Results store (dims `(scenario, replication, dep, date)`, float32)\n\n"
        f"{store_table()}\n\n"
        "#### One replication (`twin.sim.replication.run_replication`)\n\n"
        "Values per establishment (or per département for the SAMU/SMUR, dimension "
        "`territory`), in the units of the simulation.\n\n"
        f"{replication_table()}\n"
    )


def reference_path() -> Path:
    return Path(__file__).resolve().parents[1] / "docs" / "reference-outputs.md"


def reference_text(current: str) -> str:
    """``current`` with its generated section replaced by today's tables."""
    return replace_generated(current, BEGIN, END, generated_section(), reference_path())


def main() -> int:
    path = reference_path()
    regenerate(path, reference_text)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
