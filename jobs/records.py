"""The daily track-record job: after the New York close on weekdays, value every shared portfolio and grade
public calls (``advisor.community.keeper.RecordKeeper.run``).

Same pattern as the briefing jobs (jobs/scheduler.py): a module-level job function with no arguments, added
with a stable id and ``replace_existing=True`` to the persisted job store, and the keeper installed in the
process by ``start_records`` (a job fired before that waits for it a while, then gives up).

When: 17:30 New York time (an hour and a half after the close, when daily bars have settled), Monday to
Friday; APScheduler follows daylight saving. Misfire grace 6 hours with coalescing: after downtime the job
runs once, late, rather than never; every step is idempotent (a day already recorded adds nothing), so a
second run, or a second instance on the same database, does no harm. Hong Kong or Shanghai symbols in a
shared portfolio are valued at their latest close, which is the same day's.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from advisor.community.keeper import RecordKeeper, RunResult
from jobs.scheduler import installed

log = logging.getLogger(__name__)

RECORDS_JOB = "records:daily"
TRIGGER = dict(day_of_week="mon-fri", hour=17, minute=30, timezone="America/New_York")
MISFIRE_GRACE_SECONDS = 6 * 3600
INSTALL_WAIT_SECONDS = 120.0

_keeper: RecordKeeper | None = None


def start_records(scheduler: BaseScheduler, keeper: RecordKeeper) -> None:
    """Install ``keeper`` and make sure the daily job exists. Call after ``scheduler.start()``."""
    global _keeper
    _keeper = keeper
    scheduler.add_job(run_records, CronTrigger(**TRIGGER), id=RECORDS_JOB, name="track records (daily)",
                      replace_existing=True, coalesce=True, misfire_grace_time=MISFIRE_GRACE_SECONDS)


def stop_records() -> None:
    global _keeper
    _keeper = None


async def run_records() -> RunResult | None:
    """The job: the keeper's run in a worker thread (it reads the database and asks market data)."""
    keeper = await installed(lambda: _keeper, INSTALL_WAIT_SECONDS)
    if keeper is None:
        log.warning("the track-record job fired, but no record keeper was installed")
        return None
    try:
        return await asyncio.to_thread(keeper.run, datetime.now(UTC))
    except Exception:
        log.exception("the track-record run failed; the next run catches up")
        return None
