"""A briefing job survives a restart: each step below is a new Python process on one SQLite file.

1. the first process subscribes a chat (08:30 New York, Monday 30 November 2026) and reconciles the job store;
2. the second starts the scheduler two seconds before 08:30, as `roundtable run` does: the job comes from the
   store, fires once, and the briefing is delivered once;
3. a third, started again at 08:30:20 (inside the 30-minute grace), sends nothing more, even when the job is
   fired by hand: the send ledger already holds the claim.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def process(phase: str, database: Path, deliveries: Path, instant: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "tests.jobs.restart_process", phase, str(database),
                           str(deliveries), instant], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_the_job_persists_across_a_restart_and_fires_once(tmp_path: Path) -> None:
    database, deliveries = tmp_path / "roundtable.db", tmp_path / "deliveries.txt"

    first = process("subscribe", database, deliveries, "2026-11-30T07:00:00-05:00")
    assert first == {"added": 1, "next_run_time": "2026-11-30T08:30:00-05:00"}

    second = process("serve", database, deliveries, "2026-11-30T08:29:58-05:00")
    assert second["loaded"] == "2026-11-30T08:30:00-05:00"  # read from the job store, not added again
    assert second["changes"] == [0, 0, 0]
    assert second["ledger"] == [["telegram:-100123", "2026-11-30", "sent", 1]]
    lines = deliveries.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 and lines[0].startswith("2026-11-30T08:30:0") and " -100123 " in lines[0]

    third = process("again", database, deliveries, "2026-11-30T08:30:20-05:00")
    assert third["loaded"] == "2026-12-01T08:30:00-05:00"  # the next run is tomorrow's
    assert third["by_hand"] == "telegram:-100123  already sent  (2026-11-30, US)"
    assert third["ledger"] == second["ledger"]
    assert deliveries.read_text(encoding="utf-8").splitlines() == lines
