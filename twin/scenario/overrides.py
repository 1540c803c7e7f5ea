"""Command-line overrides of a loaded scenario (``twin run --replications 50``, CI runs on a
short horizon), validated and checked like the file itself."""

from __future__ import annotations

from datetime import date, timedelta

from twin.errors import DataError
from twin.scenario.model import Scenario
from twin.scenario.yamlio import Located


def with_overrides(
    scenario: Scenario,
    *,
    replications: int | None = None,
    start: date | None = None,
    days: int | None = None,
    warmup_days: int | None = None,
    clip_windows: bool = False,
    check_network: bool = True,
    source: str = "command-line override",
) -> Scenario:
    """The scenario with some run settings replaced.

    With ``clip_windows`` the intervention windows are cut to the new period and the
    interventions falling wholly outside it are dropped (for short smoke runs of a library
    scenario); otherwise a window outside the new period is an error, as in a file.
    """
    from twin.scenario import checks
    from twin.scenario.loading import validate_data

    data = scenario.model_dump(mode="json")
    if replications is not None:
        data["replications"] = replications
    period = data["period"]
    if start is not None:
        period["start"] = start.isoformat()
    if days is not None:
        period["days"] = days
    if warmup_days is not None:
        period["warmup_days"] = warmup_days
    if clip_windows:
        first = date.fromisoformat(period["start"])
        last = first + timedelta(days=period["days"] - 1)
        kept = []
        for item in data["interventions"]:
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
        data["interventions"] = kept
    loc = Located()
    out = validate_data(data, loc, source)
    problems = checks.check(out, loc, source)
    if not problems and check_network:
        problems = checks.check_network(out, loc, source)
    if problems:
        raise DataError(problems)
    return out
