"""Analytic M/M/c and M/M/c/c (Erlang) formulas: ground truth for the simulation engine.

The twin's resources are verified against results no one on the project wrote: Erlang C
(probability of waiting and mean wait of an M/M/c queue) and Erlang B (blocking probability
of a loss system, the textbook sanity check for bed occupancy and "no bed available"
rates). Rates are per hour (:mod:`twin.sim.clock`), but every formula is unit-free as long as
arrival and service rates share one unit.

Numerical stability: the closed forms contain ``a**c / c!`` which overflows for ``c`` of a few
hundred. Erlang B is computed instead with the classic recursion
``B(0) = 1, B(k) = a·B(k-1) / (k + a·B(k-1))`` whose every term lies in ``(0, 1]``, and
Erlang C from it through ``C = c·B / (c - a·(1 - B))``. Both are O(c) and exact to rounding
for thousands of servers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def _check_load(servers: int, offered_load: float) -> None:
    if int(servers) != servers or servers < 1:
        raise ValueError(f"servers must be a positive integer, got {servers!r}")
    if not offered_load >= 0.0 or math.isinf(offered_load):
        raise ValueError(f"offered load must be finite and >= 0, got {offered_load!r}")


def erlang_b(servers: int, offered_load: float) -> float:
    """Blocking probability of an M/M/c/c loss system (Erlang B).

    ``offered_load`` is ``a = λ/μ`` in erlangs (mean number of busy servers if none were
    lost). Valid for any load, including ``a >= c``.
    """
    _check_load(servers, offered_load)
    a = float(offered_load)
    b = 1.0
    for k in range(1, int(servers) + 1):
        ab = a * b
        b = ab / (k + ab)
    return b


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C), ``a = λ/μ < c``."""
    _check_load(servers, offered_load)
    c = int(servers)
    a = float(offered_load)
    if a >= c:
        raise ValueError(f"unstable queue: offered load {a} >= servers {c}")
    if a == 0.0:
        return 0.0
    b = erlang_b(c, a)
    return c * b / (c - a * (1.0 - b))


@dataclass(frozen=True)
class MMc:
    """Steady-state performance of an M/M/c FIFO queue (times in the rates' unit inverse)."""

    arrival_rate: float
    service_rate: float
    servers: int
    offered_load: float
    """a = λ/μ: mean number of busy servers (erlangs)."""
    utilisation: float
    """ρ = λ/(cμ): fraction of time a given server is busy."""
    p_wait: float
    """Erlang C: probability that an arrival finds all servers busy."""
    mean_wait: float
    """Wq = C / (cμ - λ)."""
    mean_queue_length: float
    """Lq = λ·Wq (Little's law on the queue)."""
    mean_sojourn: float
    """W = Wq + 1/μ."""
    mean_in_system: float
    """L = Lq + a."""

    def wait_exceeds(self, t: float) -> float:
        """P(Wq > t) = C·exp(-(cμ - λ)·t) for t >= 0."""
        if t < 0:
            return 1.0
        return self.p_wait * math.exp(-(self.servers * self.service_rate - self.arrival_rate) * t)

    def wait_quantile(self, q: float) -> float:
        """The ``q``-quantile of the waiting time (0 when ``q <= 1 - C``)."""
        if not 0.0 <= q < 1.0:
            raise ValueError(f"quantile must be in [0, 1), got {q}")
        if q <= 1.0 - self.p_wait:
            return 0.0
        theta = self.servers * self.service_rate - self.arrival_rate
        return math.log(self.p_wait / (1.0 - q)) / theta


def mmc(arrival_rate: float, service_rate: float, servers: int) -> MMc:
    """Steady-state metrics of an M/M/c queue; raises ``ValueError`` if ``λ >= cμ``."""
    if not arrival_rate >= 0.0 or not service_rate > 0.0:
        raise ValueError("need arrival_rate >= 0 and service_rate > 0")
    a = arrival_rate / service_rate
    c = int(servers)
    p_wait = erlang_c(c, a)
    wq = p_wait / (c * service_rate - arrival_rate)
    lq = arrival_rate * wq
    return MMc(
        arrival_rate=float(arrival_rate),
        service_rate=float(service_rate),
        servers=c,
        offered_load=a,
        utilisation=a / c,
        p_wait=p_wait,
        mean_wait=wq,
        mean_queue_length=lq,
        mean_sojourn=wq + 1.0 / service_rate,
        mean_in_system=lq + a,
    )


def servers_for_wait_probability(offered_load: float, target_p_wait: float) -> int:
    """Fewest servers keeping Erlang C at or below ``target_p_wait`` (staffing rule of thumb)."""
    if not 0.0 < target_p_wait <= 1.0:
        raise ValueError("target_p_wait must be in (0, 1]")
    c = max(1, math.floor(offered_load) + 1)
    while erlang_c(c, offered_load) > target_p_wait:
        c += 1
    return c


def servers_for_blocking(offered_load: float, target_blocking: float) -> int:
    """Fewest servers (beds) keeping Erlang B at or below ``target_blocking``."""
    if not 0.0 < target_blocking <= 1.0:
        raise ValueError("target_blocking must be in (0, 1]")
    _check_load(1, offered_load)
    a = float(offered_load)
    b, k = 1.0, 0
    while b > target_blocking:
        k += 1
        ab = a * b
        b = ab / (k + ab)
    return max(k, 1)
