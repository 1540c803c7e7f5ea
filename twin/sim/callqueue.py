"""FIFO multi-server queues with an hourly staffing roster, solved as a recursion over
pre-drawn customers instead of simulated event by event.

The SAMU call-taking queue (regulation assistants, ARM) and the regulating-doctor queue
see customers whose arrival times and service times are known before the run starts: the
calls are drawn in advance (:mod:`twin.sim.demand`), patients who find their ED closed are
known from the ED arrival draws and the opening roster, and nothing downstream feeds back
into these queues. Such a queue is a deterministic function of its input — the
Kiefer-Wolfowitz recursion for the FIFO G/G/c queue: keep the vector of times at which
each busy server frees up; a customer starts at the later of their arrival and the
previous start, as soon as fewer servers are busy than the roster opens at that moment.
Here the vector is kept as a binary heap (O(log c) per customer) and the capacity is read
per simulation hour, which generalises the recursion to time-varying staffing with the
engine's semantics (:class:`twin.sim.resources.Resource`): a roster increase starts waiting
customers at the hour boundary; a decrease never interrupts a customer in service.

No SimPy event is created: one Python loop iteration per customer (about 1 µs) replaces a
SimPy process with three to five events (about 25 µs).
"""

from __future__ import annotations

import math
from heapq import heappop, heappush

import numpy as np


def fifo_start_times(
    arrivals_hours: np.ndarray,
    service_hours: np.ndarray,
    capacity_by_hour: np.ndarray,
) -> np.ndarray:
    """Service start time of each customer of a FIFO multi-server queue.

    ``arrivals_hours`` must be sorted ascending (ties keep their order); ``service_hours``
    are the customers' service durations; ``capacity_by_hour[h]`` is the number of open
    servers during simulation hour ``[h, h+1)``. Customers who cannot start before the end
    of the roster get ``inf`` (they are still waiting when the run stops).
    """
    a = np.asarray(arrivals_hours, dtype=float)
    s = np.asarray(service_hours, dtype=float)
    if a.shape != s.shape or a.ndim != 1:
        raise ValueError("arrivals and services must be 1-D arrays of the same length")
    if a.size and np.any(np.diff(a) < 0):
        raise ValueError("arrivals must be sorted ascending")
    caps = [int(c) for c in np.asarray(capacity_by_hour)]
    n_hours = len(caps)
    out = np.full(a.size, math.inf)
    starts = out  # filled in place
    busy: list[float] = []  # times at which each busy server frees up (heap)
    prev = 0.0
    arr = a.tolist()
    svc = s.tolist()
    for i in range(len(arr)):
        t = arr[i] if arr[i] > prev else prev
        while True:
            while busy and busy[0] <= t:
                heappop(busy)
            h = int(t)
            if h >= n_hours:
                return out  # beyond the roster: this and every later customer still wait
            if len(busy) < caps[h]:
                break
            # Full: the next chance is the next departure or the next roster hour.
            nxt = float(h + 1)
            if busy and busy[0] < nxt:
                nxt = busy[0]
            t = nxt
        starts[i] = t
        heappush(busy, t + svc[i])
        prev = t
    return out


def hourly_roster(daily: tuple[int, ...] | np.ndarray, n_hours: int) -> np.ndarray:
    """A daily roster (24 hourly values, or one constant) repeated over ``n_hours``."""
    return np.resize(np.asarray(daily, dtype=np.int64), n_hours)
