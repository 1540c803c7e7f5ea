"""Progress of a batch on stderr: tasks done, rate, time left.

On a terminal one line is redrawn in place; otherwise (a log file, a SLURM job's output) a
line is printed at most every :data:`LOG_EVERY_SECONDS` and at the end, so logs stay short.
The rate counts only tasks computed by this run (tasks skipped by ``--resume`` are shown
separately), so the time left is honest after a restart; it is measured from the first
finished task, so the workers' start-up (loading data) does not distort it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

LOG_EVERY_SECONDS = 10.0
BAR_WIDTH = 24


def format_duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _fr(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}".replace(".", ",")


class Progress:
    """``update()`` after each finished task; ``close()`` at the end."""

    def __init__(
        self, total: int, skipped: int = 0, stream: TextIO | None = None, enabled: bool = True
    ):
        self.total = total
        self.skipped = skipped
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.monotonic()
        self.first_done: float | None = None
        self.last_log = -LOG_EVERY_SECONDS
        self._draw(force=True)

    def line(self) -> str:
        todo = self.total - self.skipped
        finished = self.skipped + self.done + self.failed
        elapsed = time.monotonic() - self.start
        filled = round(BAR_WIDTH * finished / self.total) if self.total else BAR_WIDTH
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        parts = [f"[{bar}] {finished}/{self.total} tâches"]
        if self.skipped:
            parts.append(f"{self.skipped} déjà faites")
        if self.failed:
            parts.append(f"{self.failed} en échec")
        remaining = todo - self.done - self.failed
        if self.done and elapsed > 0:
            since_first = time.monotonic() - (self.first_done or self.start)
            if self.done >= 2 and since_first > 0:
                rate = (self.done - 1) / since_first
            else:
                rate = self.done / elapsed
            parts.append(f"{_fr(rate, 2)} tâche/s")
            if remaining:
                parts.append(f"reste ~{format_duration(remaining / rate)}")
        else:
            parts.append("démarrage des workers…" if todo else "rien à calculer")
        parts.append(f"écoulé {format_duration(elapsed)}")
        return " · ".join(parts)

    def _draw(self, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            print("\r" + self.line().ljust(100), end="", file=self.stream, flush=True)
        elif force or now - self.last_log >= LOG_EVERY_SECONDS:
            print(self.line(), file=self.stream, flush=True)
            self.last_log = now

    def update(self, ok: bool = True) -> None:
        if ok:
            self.done += 1
            if self.first_done is None:
                self.first_done = time.monotonic()
        else:
            self.failed += 1
        finished = self.skipped + self.done + self.failed
        self._draw(force=finished == self.total)

    def close(self) -> None:
        if self.enabled and self.tty:
            print(file=self.stream, flush=True)
