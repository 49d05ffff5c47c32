from __future__ import annotations

import asyncio
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from jobs.scheduler import build_scheduler, describe

RUNS: list[str] = []


def record(label: str) -> None:
    """A module-level job function, as persisted jobs need."""
    RUNS.append(label)


async def test_jobs_persist_across_restarts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'rt.db'}"
    first = build_scheduler(url)
    first.start()
    trigger = CronTrigger(hour=8, minute=0, timezone="Asia/Hong_Kong")
    first.add_job(record, trigger, args=["briefing"], id="briefing:telegram:-100", replace_existing=True)
    planned = first.get_job("briefing:telegram:-100").next_run_time
    first.shutdown(wait=False)

    second = build_scheduler(url)
    second.start()
    job = second.get_job("briefing:telegram:-100")
    assert job is not None and job.next_run_time == planned and job.args == ("briefing",)
    assert planned.hour == 8 and str(planned.tzinfo) == "Asia/Hong_Kong"
    assert describe(second).startswith("1 scheduled job(s), next at")
    second.add_job(record, trigger, args=["paused"], id="paused-job")
    second.pause_job("paused-job")  # a paused job has no next run time
    assert describe(second).startswith("2 scheduled job(s), next at")
    second.shutdown(wait=False)


async def test_due_jobs_run_on_the_event_loop(tmp_path: Path) -> None:
    scheduler = build_scheduler(f"sqlite:///{tmp_path / 'rt.db'}")
    scheduler.start()
    scheduler.add_job(record, "date", args=["now"], id="once")
    for _ in range(100):
        if "now" in RUNS:
            break
        await asyncio.sleep(0.05)
    scheduler.shutdown(wait=False)
    assert "now" in RUNS
