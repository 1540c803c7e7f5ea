"""A short French summary of a resolved scenario (``twin scenario check``)."""

from __future__ import annotations

from twin.scenario import model as m
from twin.scenario.resolve import ResolvedScenario
from twin.scenario.run import blocks

TYPE_LABELS = {
    "capacity_change": "changement de capacité",
    "staff_shortage": "pénurie de personnel",
    "ed_closure": "fermeture d'urgences",
    "demand_shock": "choc de demande",
    "policy": "politique",
    "supply_disruption": "rupture d'approvisionnement",
}


def _intervention(i: m.Intervention) -> str:
    label = TYPE_LABELS[i.type]
    name = f" {i.id}" if i.id else ""
    w = getattr(i, "window", None)
    when = ""
    if w is not None and (w.start or w.end or w.hours or w.weekdays):
        parts = [f"{w.start or 'début'} → {w.end or 'fin'}"]
        if w.hours:
            parts.append(w.hours)
        if w.weekdays:
            parts.append(",".join(w.weekdays))
        when = " [" + " ".join(parts) + "]"
    return f"{label}{name}{when}"


def describe_resolved(run: ResolvedScenario, indent: str = "") -> str:
    sc = run.scenario
    p = sc.period
    regs = len(blocks(run))
    lines = [
        f"{run.name}",
        f"  territoire : {len(run.departements)} département(s) "
        f"({', '.join(run.departements[:10])}{'…' if len(run.departements) > 10 else ''}), "
        f"{regs} bloc(s) indépendant(s)",
        f"  période : {p.start} → {p.end} ({p.days} j dont {p.warmup_days} j de mise en route)",
        f"  réplications : {run.replications}, graine : {sc.seed}, données SAE {sc.data_year}",
        f"  demande : {sc.demand.source}",
    ]
    if sc.interventions:
        lines.append(f"  interventions ({len(sc.interventions)}) :")
        lines += [f"    - {_intervention(i)}" for i in sc.interventions]
    if run.uncertain:
        lines.append("  entrées incertaines (tirées par réplication, la 0 au centre) :")
        for k, (lo, hi) in run.uncertain.items():
            lines.append(f"    - {k} ∈ [{lo:g}, {hi:g}]")
    if run.sweep_values:
        lines.append(
            "  balayage : " + ", ".join(f"{k} = {v}" for k, v in run.sweep_values.items())
        )
    return "\n".join(indent + line for line in lines)
