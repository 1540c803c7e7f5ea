"""``override``: a validated scenario with some run settings replaced (``twin run
--replications 50``, a manifest's territories and period, CI runs on a short horizon),
validated again by :func:`twin.scenario.validate.validate` like a file.

Problems name the override (``source``), not the file: the user wrote them on the command
line or in a manifest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from twin.scenario.model import Scenario, Territories
from twin.scenario.validate import validate
from twin.yamlio import Located


@dataclass(frozen=True)
class Overrides:
    """Run settings replacing a scenario's (``None``: keep the scenario's own).

    With ``clip_windows`` the intervention windows are cut to the new period and the
    interventions falling wholly outside it are dropped (for short runs of a library
    scenario); otherwise a window outside the new period is an error, as in a file.
    ``source`` names the override in messages."""

    replications: int | None = None
    territories: Territories | None = None
    start: date | None = None
    days: int | None = None
    warmup_days: int | None = None
    clip_windows: bool = False
    source: str = "command-line override"


def override(
    scenario: Scenario,
    overrides: Overrides,
    *,
    check_network: bool = True,
    file: str | None = None,
) -> Scenario:
    """The scenario with ``overrides`` applied, validated (the network checks too with
    ``check_network``).

    New territories are validated first on their own (problems name
    ``"<source> (territories)"``), then every setting together (problems name
    ``"<file> with <source>"``, or ``source`` without a ``file``)."""
    if overrides.territories is not None:
        data = scenario.model_dump(mode="json")
        data["territories"] = overrides.territories.model_dump(mode="json")
        scenario = validate(data, Located(), f"{overrides.source} (territories)", network=False)
    data = scenario.model_dump(mode="json")
    if overrides.replications is not None:
        data["replications"] = overrides.replications
    period = data["period"]
    if overrides.start is not None:
        period["start"] = overrides.start.isoformat()
    if overrides.days is not None:
        period["days"] = overrides.days
    if overrides.warmup_days is not None:
        period["warmup_days"] = overrides.warmup_days
    if overrides.clip_windows:
        data["interventions"] = _clipped(data["interventions"], period)
    source = f"{file} with {overrides.source}" if file else overrides.source
    return validate(data, Located(), source, network=check_network)


def _clipped(interventions: list[dict], period: dict) -> list[dict]:
    """Intervention windows cut to ``period``; those wholly outside it dropped."""
    first = date.fromisoformat(period["start"])
    last = first + timedelta(days=period["days"] - 1)
    kept = []
    for item in interventions:
        w = item.get("window")
        if w is None:
            kept.append(item)
            continue
        a = date.fromisoformat(w["start"]) if w.get("start") else first
        b = date.fromisoformat(w["end"]) if w.get("end") else last
        a, b = max(a, first), min(b, last)
        if a > b:
            continue
        w["start"], w["end"] = a.isoformat(), b.isoformat()
        kept.append(item)
    return kept
