"""The progress line: tasks done out of the total, skipped tasks apart, rate and time left."""

from __future__ import annotations

import io

from twin.batch.progress import Progress, format_duration


def test_log_lines_when_not_a_terminal():
    out = io.StringIO()
    p = Progress(total=10, skipped=4, stream=out)
    for _ in range(5):
        p.update(ok=True)
    p.update(ok=False)
    p.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("[##########..............] 4/10 tâches · 4 déjà faites")
    assert "démarrage des workers" in lines[0]
    last = lines[-1]  # always printed when the last task finishes
    assert "10/10 tâches" in last and "1 en échec" in last and "tâche/s" in last
    assert "reste" not in last
    assert len(lines) == 2  # throttled: no line per task in a log file


def test_time_left_counts_only_the_tasks_still_to_do():
    p = Progress(total=100, skipped=50, stream=io.StringIO())
    p.update()
    p.update()
    line = p.line()
    assert "52/100 tâches" in line and "reste ~" in line


def test_durations():
    assert format_duration(0) == "0:00"
    assert format_duration(75.4) == "1:15"
    assert format_duration(3 * 3600 + 62) == "3:01:02"


def test_disabled_prints_nothing():
    out = io.StringIO()
    p = Progress(total=3, stream=out, enabled=False)
    p.update()
    p.close()
    assert out.getvalue() == ""
