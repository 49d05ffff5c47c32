"""The activity counts are written when `roundtable run` stops: a terminal group chat, then `/quit`, then the
manager's report counts what was said (long before the writer's one-minute timer would have fired)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.bots.app.test_run import start


def test_what_the_group_said_is_counted_when_the_bot_stops(warm_home: Path) -> None:
    process = start(warm_home)
    chatter = "Nice steady gains on AAPL today\nHolding my index fund, feeling fine\nInteresting read on bonds\n"
    _stdout, stderr = process.communicate(chatter + "/quit\n", timeout=120)
    assert process.returncode == 0, stderr
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROUNDTABLE_")}
    report = subprocess.run([sys.executable, "-m", "bots", "report", "console:group", "--json"], text=True,
                            env={**environment, "ROUNDTABLE_HOME": str(warm_home)}, capture_output=True, timeout=60,
                            check=False)
    assert report.returncode == 0, report.stderr
    payload = json.loads(report.stdout)
    assert payload["chat"] == "console:group" and payload["mood"]["messages"] == 3
    assert sum(payload["hours"]["messages"]) == 3 and payload["timezone"] == "UTC"
