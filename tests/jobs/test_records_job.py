"""The daily track-record job: one persisted cron job after the New York close on weekdays, running the
installed keeper in a worker thread."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy import create_engine

from advisor.community.keeper import RecordKeeper
from advisor.community.records import RecordStore
from jobs import records
from jobs.scheduler import build_scheduler
from tests.advisor.community.records_fakes import FakeShares, after_close, fake_close, market, weekdays

NEW_YORK = ZoneInfo("America/New_York")


async def test_the_job_fires_after_the_new_york_close_on_weekdays_and_records_the_day(tmp_path: Path) -> None:
    scheduler: AsyncIOScheduler = build_scheduler(f"sqlite:///{tmp_path / 'jobs.db'}")
    scheduler.start(paused=True)
    store = RecordStore(create_engine(f"sqlite:///{tmp_path / 'rt.db'}"))
    shares = FakeShares()
    days = weekdays(3)
    shares.share("telegram:-100", "telegram:1", "@m1", {"AAA": 1.0}, {"AAA": 10.0}, after_close(days[0]))
    try:
        records.start_records(scheduler, RecordKeeper(store, shares, market({"AAA": [10, 11, 12], "SPY": [1, 2, 3]}),
                                                      closes_at=fake_close))
        job = scheduler.get_job(records.RECORDS_JOB)
        friday = datetime(2026, 11, 27, 18, 0, tzinfo=NEW_YORK)
        assert job.trigger.get_next_fire_time(None, friday) == datetime(2026, 11, 30, 17, 30, tzinfo=NEW_YORK)
        assert job.coalesce and job.misfire_grace_time == records.MISFIRE_GRACE_SECONDS

        with time_machine.travel(after_close(days[2]), tick=False):
            result = await records.run_records()
        assert result is not None and result.day == days[2] and result.points == 1
        assert store.points("telegram:-100", "telegram:1") == [(days[2], 1.2)]
    finally:
        records.stop_records()
        scheduler.shutdown(wait=False)
