"""Instrumented server pools on the SimPy event loop: the hot path of every pathway model.

Every capacity in the twin (ED cubicles and doctors, UHCD beds, ward and ICU beds, SMUR
teams, SAMU regulators) is a pool of identical servers: a patient *requests* one, waits if
none is free, holds it, then *releases* it. :class:`Resource` (FIFO) and
:class:`PriorityResource` (triage levels) implement that directly on SimPy's event loop
rather than wrapping :class:`simpy.Resource`, because the wrapper is the expensive part:

* **A free server is granted without touching the event queue.** :meth:`Resource.request`
  returns a :class:`Request` event that is already *processed* when a server is free. A
  SimPy process that yields a processed event continues at once (``Process._resume`` loops
  instead of registering a callback), so an uncongested request costs no heap push/pop.
  ``simpy.Resource`` always schedules the request event, and schedules a ``Release`` event
  that nobody waits for.
* **Release is a plain O(1) method call**; a waiting patient is handed the server directly
  (one scheduled event, as unavoidable: the waiting process must be resumed).
* **Queues are a deque (FIFO) or a binary heap (priority)**: O(1) / O(log n) per patient,
  whereas ``simpy.PriorityResource`` re-sorts its whole queue on every request.

Instrumentation, all O(1) per event and without per-event allocation:

* time-weighted accumulators: area under the number-in-service and number-waiting curves
  (and capacity), so mean occupancy over any window is a difference of two snapshots;
* counters: arrivals, service starts, departures, reneged (cancelled while waiting), total
  wait of started patients, total time in system of patients who left;
* peaks since the last snapshot (:meth:`Resource.snapshot` resets them), so a daily
  :class:`PeriodicRecorder` gets the true peak of each day without sampling;
* per-patient waits recorded into typed growable buffers (``array('d')``: contiguous C
  doubles, amortised O(1) append, zero-copy to NumPy), never Python lists of objects.

Little's law, conservation (``arrivals == departures + reneged + in_service + waiting``) and
the exact identity "area under the number-in-system curve == total time in system" once
the system is empty are checked by the tests on these counters.

Capacity may change at any time (:meth:`Resource.set_capacity`,
:meth:`Resource.follow_schedule`): raising it starts waiting patients immediately; lowering
it never ejects anyone: busy servers finish their patient and are then not replaced, so
``in_service`` may exceed ``capacity`` for a while. Service is non-preemptive.

Relies on SimPy 4 internals that are stable across 4.x (pinned ``<5``): an event whose
``callbacks`` is ``None`` counts as processed, and ``Environment.schedule``.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import deque
from collections.abc import Generator, Sequence
from heapq import heappop, heappush
from typing import Any, NamedTuple

import numpy as np
import simpy
from simpy.events import NORMAL, URGENT, Event

from twin.sim.clock import HOURS_PER_DAY, TIME_UNIT, day_dates

# Request states. Plain ints (not an Enum) because they are compared on the hot path.
WAITING = 0
IN_SERVICE = 1
RELEASED = 2
CANCELLED = 3
_STATE_NAMES = ("waiting", "in service", "released", "cancelled")

_new_object = object.__new__


def _urgent_at(env: simpy.Environment, t: float) -> Event:
    """An event at time ``t`` processed *before* ordinary (NORMAL) events at the same time.

    Used for capacity changes and periodic snapshots so that a period is the half-open
    interval ``[start, end)``: a patient arriving exactly at midnight belongs to the new day
    and meets the new roster, whatever the order in which processes were created.
    """
    ev = Event(env)
    ev._ok = True
    ev._value = None
    env.schedule(ev, URGENT, t - env.now)
    return ev


class Request(Event):
    """A patient's claim on one server of a :class:`Resource`.

    Yield it from a SimPy process to wait for the server; then call
    :meth:`Resource.release` (or leave the ``with`` block). ``t_request`` / ``t_grant`` are
    simulation times in hours; ``t_grant`` is NaN while waiting. The event's value is
    ``None``. Use as a context manager exactly like a SimPy request: leaving the block
    releases a held server or cancels a request still waiting (an interrupted or reneging
    patient never leaks a server).
    """

    __slots__ = ("priority", "resource", "state", "t_grant", "t_request")

    resource: Resource
    priority: int
    state: int
    t_request: float
    t_grant: float

    def __enter__(self) -> Request:
        return self

    def __exit__(self, *exc: object) -> None:
        state = self.state
        if state == IN_SERVICE:
            self.resource.release(self)
        elif state == WAITING:
            self.resource.cancel(self)

    @property
    def granted(self) -> bool:
        """True once a server has been assigned (even if the process has not resumed yet)."""
        return self.state == IN_SERVICE or self.state == RELEASED

    @property
    def wait(self) -> float:
        """Time spent waiting for the server (hours); NaN while still waiting."""
        return self.t_grant - self.t_request

    def _desc(self) -> str:
        return (
            f"Request({self.resource.name!r}, priority={self.priority}, {_STATE_NAMES[self.state]})"
        )


class Snapshot(NamedTuple):
    """Cumulative state of a resource at ``time``; differences give window statistics.

    Areas are integrals over ``[0, time]`` (server-hours, patient-hours); totals are sums
    over patients (hours). Peaks are maxima since the previous snapshot.
    """

    time: float
    arrivals: int
    starts: int
    departures: int
    reneged: int
    in_service: int
    waiting: int
    capacity: int
    area_in_service: float
    area_waiting: float
    area_capacity: float
    total_wait: float
    """Sum of waits of patients whose service started."""
    total_wait_reneged: float
    """Sum of time spent waiting by patients who left the queue unserved."""
    total_time_in_system: float
    """Sum of time from request to exit (release or cancellation) of patients who left."""
    peak_in_service: int
    peak_waiting: int
    peak_in_system: int


class WindowStats(NamedTuple):
    """Statistics of a resource over ``[start, end)`` computed from two snapshots."""

    start: float
    end: float
    arrivals: int
    starts: int
    departures: int
    reneged: int
    mean_in_service: float
    mean_waiting: float
    mean_in_system: float
    mean_capacity: float
    utilisation: float
    """Busy server-hours / available server-hours (NaN if capacity was 0 throughout)."""
    arrival_rate: float
    throughput: float
    """Departures per hour."""
    mean_wait: float
    """Mean wait of patients whose service started in the window."""
    mean_time_in_system: float
    """Mean time in system of patients who left (served or reneged) in the window."""

    def littles_law(self) -> tuple[float, float]:
        """``(L, λ·W)``: time-average number in system and arrival rate × mean time in system.

        Equal in the long run for any stable resource; the gap over a finite window is the
        boundary effect of patients present at its start or end.
        """
        return self.mean_in_system, self.arrival_rate * self.mean_time_in_system


def window(a: Snapshot, b: Snapshot) -> WindowStats:
    """Statistics between two snapshots of the same resource (``a`` taken before ``b``)."""
    dt = b.time - a.time
    if dt <= 0:
        raise ValueError("window needs b.time > a.time")
    area_s = b.area_in_service - a.area_in_service
    area_w = b.area_waiting - a.area_waiting
    area_c = b.area_capacity - a.area_capacity
    starts = b.starts - a.starts
    exits = (b.departures - a.departures) + (b.reneged - a.reneged)
    return WindowStats(
        start=a.time,
        end=b.time,
        arrivals=b.arrivals - a.arrivals,
        starts=starts,
        departures=b.departures - a.departures,
        reneged=b.reneged - a.reneged,
        mean_in_service=area_s / dt,
        mean_waiting=area_w / dt,
        mean_in_system=(area_s + area_w) / dt,
        mean_capacity=area_c / dt,
        utilisation=area_s / area_c if area_c > 0 else math.nan,
        arrival_rate=(b.arrivals - a.arrivals) / dt,
        throughput=(b.departures - a.departures) / dt,
        mean_wait=(b.total_wait - a.total_wait) / starts if starts else math.nan,
        mean_time_in_system=(
            (b.total_time_in_system - a.total_time_in_system) / exits if exits else math.nan
        ),
    )


class Resource:
    """A FIFO pool of ``capacity`` identical servers with O(1) instrumentation.

    ``env`` is the SimPy environment (time in hours, :mod:`twin.sim.clock`). ``record_waits``
    keeps each started patient's request time and wait in NumPy-convertible buffers
    (:meth:`waits`); switch it off for resources whose distribution is not needed.
    """

    __slots__ = (
        "_area_cap_base",
        "_area_s",
        "_area_w",
        "_busy",
        "_capacity",
        "_env",
        "_nwait",
        "_peak_busy",
        "_peak_sys",
        "_peak_wait",
        "_queue",
        "_rec",
        "_t_cap",
        "_t_last",
        "arrivals",
        "departures",
        "name",
        "reneged",
        "starts",
        "total_time_in_system",
        "total_wait",
        "total_wait_reneged",
    )

    _REC_FIELDS = 2  # (t_request, wait) per started patient

    def __init__(
        self,
        env: simpy.Environment,
        capacity: int,
        name: str = "",
        *,
        record_waits: bool = True,
    ) -> None:
        if int(capacity) != capacity or capacity < 0:
            raise ValueError(f"capacity must be a non-negative integer, got {capacity!r}")
        self._env = env
        self.name = name
        self._capacity = int(capacity)
        self._busy = 0
        self._nwait = 0
        self._queue = self._new_queue()
        now = env.now
        self._t_last = now
        self._t_cap = now
        self._area_s = 0.0
        self._area_w = 0.0
        self._area_cap_base = 0.0
        self.arrivals = 0
        self.starts = 0
        self.departures = 0
        self.reneged = 0
        self.total_wait = 0.0
        self.total_wait_reneged = 0.0
        self.total_time_in_system = 0.0
        self._peak_busy = 0
        self._peak_wait = 0
        self._peak_sys = 0
        self._rec: array | None = array("d") if record_waits else None

    def _new_queue(self) -> Any:
        return deque()

    # ----------------------------------------------------------------- state (read-only)
    @property
    def env(self) -> simpy.Environment:
        return self._env

    @property
    def capacity(self) -> int:
        """Servers currently open (may be below ``in_service`` right after a reduction)."""
        return self._capacity

    @property
    def in_service(self) -> int:
        """Patients currently holding a server."""
        return self._busy

    @property
    def waiting(self) -> int:
        """Patients currently queued."""
        return self._nwait

    @property
    def in_system(self) -> int:
        """Patients in service or queued."""
        return self._busy + self._nwait

    # ----------------------------------------------------------------------- hot path
    def request(self, priority: int = 0) -> Request:
        """Claim a server; yield the returned event to wait for it.

        ``priority`` is ignored by the FIFO pool (accepted so that pathway code can switch
        pools without changing call sites). If a server is free the event is returned
        already processed, so ``yield req`` continues immediately with no scheduling.
        """
        env = self._env
        now = env._now
        dt = now - self._t_last
        if dt:
            self._area_s += self._busy * dt
            self._area_w += self._nwait * dt
            self._t_last = now
        req = _new_object(Request)
        req.env = env
        req.resource = self
        req.priority = priority
        req.t_request = now
        self.arrivals += 1
        busy = self._busy
        if busy < self._capacity:
            busy += 1
            self._busy = busy
            if busy > self._peak_busy:
                self._peak_busy = busy
            req.state = IN_SERVICE
            req.t_grant = now
            req._ok = True
            req._value = None
            req.callbacks = None  # processed: a yielding process resumes without scheduling
            self.starts += 1
            rec = self._rec
            if rec is not None:
                rec.append(now)
                rec.append(0.0)
            n = busy + self._nwait
        else:
            req.state = WAITING
            req.t_grant = math.nan
            req.callbacks = []
            self._enqueue(req)
            n = self._nwait + 1
            self._nwait = n
            if n > self._peak_wait:
                self._peak_wait = n
            n += busy
        if n > self._peak_sys:
            self._peak_sys = n
        return req

    def _enqueue(self, req: Request) -> None:
        self._queue.append(req)

    def _dequeue(self) -> Request:
        """Next live waiting request (cancelled ones are skipped: lazy deletion)."""
        popleft = self._queue.popleft
        req = popleft()
        while req.state != WAITING:
            req = popleft()
        return req

    def release(self, req: Request) -> None:
        """Give back the server held by ``req``; the next waiting patient gets it at once."""
        if req.state != IN_SERVICE or req.resource is not self:
            raise RuntimeError(f"cannot release {req!r}: not in service at {self.name!r}")
        env = self._env
        now = env._now
        dt = now - self._t_last
        if dt:
            self._area_s += self._busy * dt
            self._area_w += self._nwait * dt
            self._t_last = now
        req.state = RELEASED
        self.departures += 1
        self.total_time_in_system += now - req.t_request
        if self._nwait and self._busy <= self._capacity:
            # Hand the server over: in_service unchanged.
            self._nwait -= 1
            nxt = self._dequeue()
            self._grant_waiting(nxt, now)
        else:
            self._busy -= 1

    def _grant_waiting(self, req: Request, now: float) -> None:
        """Assign a server to a queued request (caller has updated the counts)."""
        req.state = IN_SERVICE
        req.t_grant = now
        w = now - req.t_request
        self.starts += 1
        self.total_wait += w
        rec = self._rec
        if rec is not None:
            rec.append(req.t_request)
            rec.append(w)
            if self._REC_FIELDS == 3:
                rec.append(req.priority)
        req._ok = True
        req._value = None
        self._env.schedule(req, NORMAL)

    def cancel(self, req: Request) -> None:
        """Withdraw a waiting request (patient reneges, process interrupted).

        Counts as ``reneged``; its time in queue goes to ``total_wait_reneged`` and to the
        time in system. Cancelling a request that already holds a server is an error (call
        :meth:`release`); cancelling a finished one is a no-op.
        """
        if req.resource is not self:
            raise RuntimeError(f"{req!r} does not belong to {self.name!r}")
        if req.state == IN_SERVICE:
            raise RuntimeError(f"cannot cancel {req!r}: it holds a server, release it")
        if req.state != WAITING:
            return
        self._accumulate()
        now = self._env._now
        req.state = CANCELLED
        self._nwait -= 1
        self.reneged += 1
        w = now - req.t_request
        self.total_wait_reneged += w
        self.total_time_in_system += w
        # The event stays pending for ever (as a cancelled simpy request does); the lazy
        # deletion in _dequeue skips it.

    # -------------------------------------------------------------------- capacity
    def _accumulate(self) -> None:
        now = self._env._now
        dt = now - self._t_last
        if dt:
            self._area_s += self._busy * dt
            self._area_w += self._nwait * dt
            self._t_last = now

    def set_capacity(self, capacity: int) -> None:
        """Open or close servers now.

        Raising capacity starts waiting patients immediately (same simulation time);
        lowering it lets busy servers finish their current patient and leaves them
        unreplaced, so no patient is ever ejected.
        """
        if int(capacity) != capacity or capacity < 0:
            raise ValueError(f"capacity must be a non-negative integer, got {capacity!r}")
        capacity = int(capacity)
        self._accumulate()
        now = self._env._now
        self._area_cap_base += self._capacity * (now - self._t_cap)
        self._t_cap = now
        self._capacity = capacity
        while self._nwait and self._busy < capacity:
            self._nwait -= 1
            self._busy += 1
            self._grant_waiting(self._dequeue(), now)
        if self._busy > self._peak_busy:
            self._peak_busy = self._busy

    def follow_schedule(
        self,
        times_hours: Sequence[float],
        capacities: Sequence[int],
        *,
        repeat_every_hours: float | None = None,
    ) -> simpy.Process:
        """Start a process that sets capacity to ``capacities[i]`` at ``times_hours[i]``.

        Times are absolute simulation hours, ascending. With ``repeat_every_hours`` (e.g.
        ``HOURS_PER_DAY`` for an hourly staffing roster, ``HOURS_PER_WEEK`` for a weekly
        one) the times are offsets within the period, in ``[0, period)``, repeated forever
        from the period containing the current time. Changes in the past are skipped, the
        latest of them applied at once. A change at time ``t`` is applied before ordinary
        events at ``t`` (a roster change at 08:00 serves the patient arriving at 08:00).
        ``proc.interrupt()`` on the returned process stops the roster, leaving the capacity
        as it is (e.g. when a crisis plan takes over).
        """
        t = [float(x) for x in times_hours]
        c = [int(x) for x in capacities]
        if len(t) != len(c) or not t:
            raise ValueError("need as many times as capacities, at least one")
        if any(b < a for a, b in itertools.pairwise(t)):
            raise ValueError("times must be ascending")
        if any(x < 0 for x in c):
            raise ValueError("capacities must be >= 0")
        if repeat_every_hours is not None and not (t[0] >= 0 and t[-1] < repeat_every_hours):
            raise ValueError("with a period, times must lie in [0, period)")
        return self._env.process(self._schedule_process(t, c, repeat_every_hours))

    def _schedule_process(
        self, times: list[float], caps: list[int], period: float | None
    ) -> Generator[Event, Any, None]:
        env = self._env
        try:
            if period is None:
                past = [i for i, x in enumerate(times) if x <= env.now]
                if past:
                    self.set_capacity(caps[past[-1]])
                for x, c in zip(times, caps, strict=True):
                    if x > env.now:
                        yield _urgent_at(env, x)
                        self.set_capacity(c)
                return
            base = math.floor(env.now / period) * period
            # The roster's value now is its last change at or before now (wrapping around).
            offset = env.now - base
            idx = [i for i, x in enumerate(times) if x <= offset]
            self.set_capacity(caps[idx[-1]] if idx else caps[-1])
            i = idx[-1] + 1 if idx else 0
            while True:
                if i == len(times):
                    i = 0
                    base += period
                target = base + times[i]
                if target > env.now:
                    yield _urgent_at(env, target)
                self.set_capacity(caps[i])
                i += 1
        except simpy.Interrupt:
            return  # interrupting the returned process stops the roster (capacity stays)

    # --------------------------------------------------------------------- read-out
    def snapshot(self, *, reset_peaks: bool = True) -> Snapshot:
        """Cumulative counters now; peaks are since the previous resetting snapshot."""
        self._accumulate()
        now = self._env._now
        snap = Snapshot(
            time=float(now),
            arrivals=self.arrivals,
            starts=self.starts,
            departures=self.departures,
            reneged=self.reneged,
            in_service=self._busy,
            waiting=self._nwait,
            capacity=self._capacity,
            area_in_service=self._area_s,
            area_waiting=self._area_w,
            area_capacity=self._area_cap_base + self._capacity * (now - self._t_cap),
            total_wait=self.total_wait,
            total_wait_reneged=self.total_wait_reneged,
            total_time_in_system=self.total_time_in_system,
            peak_in_service=self._peak_busy,
            peak_waiting=self._peak_wait,
            peak_in_system=self._peak_sys,
        )
        if reset_peaks:
            self._peak_busy = self._busy
            self._peak_wait = self._nwait
            self._peak_sys = self._busy + self._nwait
        return snap

    def waits(self) -> dict[str, np.ndarray]:
        """Per-patient records of started services, in order of service start.

        ``t_request`` (hours) and ``wait`` (hours), plus ``priority`` for a
        :class:`PriorityResource`. Arrays are copies, safe to keep after the run continues.
        """
        if self._rec is None:
            raise RuntimeError(f"resource {self.name!r} was created with record_waits=False")
        k = self._REC_FIELDS
        data = np.frombuffer(self._rec, dtype=np.float64).reshape(-1, k).copy()
        out = {"t_request": data[:, 0], "wait": data[:, 1]}
        if k == 3:
            out["priority"] = data[:, 2].astype(np.int64)
        return out

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.name!r} capacity={self._capacity} "
            f"in_service={self._busy} waiting={self._nwait}>"
        )


class PriorityResource(Resource):
    """A pool whose queue is served by ascending ``priority``, FIFO within a level.

    Lower values first, as in SimPy and in French ED triage (level 1 = most urgent).
    Non-preemptive: an urgent arrival waits for the next free server, it does not interrupt
    a patient in service. The queue is a binary heap of ``(priority, sequence, request)``:
    O(log n) per patient, no re-sorting. Recorded waits carry the priority so quantiles can
    be computed per triage level.
    """

    __slots__ = ("_seq",)

    _REC_FIELDS = 3

    def __init__(
        self,
        env: simpy.Environment,
        capacity: int,
        name: str = "",
        *,
        record_waits: bool = True,
    ) -> None:
        super().__init__(env, capacity, name, record_waits=record_waits)
        self._seq = 0

    def _new_queue(self) -> Any:
        return []

    def request(self, priority: int = 0) -> Request:
        """Claim a server with triage ``priority`` (lower is served first)."""
        req = Resource.request(self, priority)
        if req.state == IN_SERVICE:
            rec = self._rec
            if rec is not None:
                rec.append(priority)
        return req

    def _enqueue(self, req: Request) -> None:
        self._seq += 1
        heappush(self._queue, (req.priority, self._seq, req))

    def _dequeue(self) -> Request:
        q = self._queue
        req = heappop(q)[2]
        while req.state != WAITING:
            req = heappop(q)[2]
        return req


class PeriodicRecorder:
    """Snapshots of several resources every ``period_hours`` (daily by default).

    A SimPy process wakes at ``start + k·period`` and stores, per resource and period, the
    mean and peak occupancy, mean capacity, counts and mean wait into NumPy arrays that
    grow by doubling: no Python object per period and resource. The cost is one event per
    period, independent of the number of patients.
    """

    FIELDS = (
        "mean_in_service",
        "peak_in_service",
        "mean_waiting",
        "peak_waiting",
        "peak_in_system",
        "mean_capacity",
        "utilisation",
        "arrivals",
        "starts",
        "departures",
        "reneged",
        "mean_wait",
    )

    def __init__(
        self,
        env: simpy.Environment,
        resources: Sequence[Resource],
        period_hours: float = 24.0,
        *,
        start_hours: float | None = None,
    ) -> None:
        if period_hours <= 0:
            raise ValueError("period_hours must be > 0")
        self.env = env
        self.resources = list(resources)
        self.period_hours = float(period_hours)
        self.start_hours = float(env.now if start_hours is None else start_hours)
        if self.start_hours < env.now:
            raise ValueError("start_hours is in the past")
        self._n = 0
        self._data = np.full((len(self.FIELDS), len(self.resources), 64), np.nan)
        self._last: list[Snapshot] = []
        self.process = env.process(self._run())

    def _run(self) -> Generator[Event, Any, None]:
        env = self.env
        if self.start_hours > env.now:
            yield _urgent_at(env, self.start_hours)
        self._last = [r.snapshot() for r in self.resources]
        k = 1
        while True:
            yield _urgent_at(env, self.start_hours + k * self.period_hours)
            self._record()
            k += 1

    def _record(self) -> None:
        if self._n == self._data.shape[2]:
            grown = np.full((*self._data.shape[:2], 2 * self._n), np.nan)
            grown[:, :, : self._n] = self._data
            self._data = grown
        col = self._data[:, :, self._n]
        for j, r in enumerate(self.resources):
            b = r.snapshot()
            w = window(self._last[j], b)
            col[:, j] = (
                w.mean_in_service,
                b.peak_in_service,
                w.mean_waiting,
                b.peak_waiting,
                b.peak_in_system,
                w.mean_capacity,
                w.utilisation,
                w.arrivals,
                w.starts,
                w.departures,
                w.reneged,
                w.mean_wait,
            )
            self._last[j] = b
        self._n += 1

    @property
    def n_periods(self) -> int:
        """Completed periods so far."""
        return self._n

    def arrays(self) -> dict[str, np.ndarray]:
        """Field name -> array of shape (resources, completed periods)."""
        return {f: self._data[i, :, : self._n].copy() for i, f in enumerate(self.FIELDS)}

    def to_dataset(self, start_date: Any = None) -> Any:
        """The records as an ``xarray.Dataset`` with dims (resource, period).

        ``period`` is labelled by its start time in hours; with ``start_date`` and a daily
        period a ``date`` coordinate is added (via :mod:`twin.sim.clock`).
        """
        import xarray as xr  # deferred: 0.36 s at import, and the queue engines never need it

        starts = self.start_hours + self.period_hours * np.arange(self._n)
        ds = xr.Dataset(
            {f: (("resource", "period"), a) for f, a in self.arrays().items()},
            coords={
                "resource": [r.name for r in self.resources],
                "period": starts,
            },
            attrs={"period_hours": self.period_hours, "time_unit": TIME_UNIT},
        )
        ds["period"].attrs["units"] = TIME_UNIT
        for f in ("mean_wait",):
            ds[f].attrs["units"] = TIME_UNIT
        if (
            start_date is not None
            and self.period_hours == HOURS_PER_DAY
            and (self.start_hours % HOURS_PER_DAY == 0)
        ):
            first = int(self.start_hours // HOURS_PER_DAY)
            ds = ds.assign_coords(date=("period", day_dates(first + self._n, start_date)[first:]))
        return ds
