"""The scheduler: APScheduler 3 on the app's asyncio loop, with jobs persisted in the app's database.

Jobs survive restarts (SQLAlchemyJobStore). Job functions must be importable module-level functions with
small picklable arguments, added with stable ids and ``replace_existing=True`` (see the stack notes).
What a job says is composed by advisor code; this module only decides when.
"""

from __future__ import annotations

import logging

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def build_scheduler(database_url: str) -> AsyncIOScheduler:
    """A scheduler storing its jobs in ``database_url``; start it from inside the running event loop."""
    return AsyncIOScheduler(jobstores={"default": SQLAlchemyJobStore(url=database_url, tablename="scheduled_jobs")},
                            job_defaults={"coalesce": True, "misfire_grace_time": 3600}, timezone="UTC")


def describe(scheduler: AsyncIOScheduler) -> str:
    jobs = scheduler.get_jobs()
    upcoming = [job.next_run_time for job in jobs if job.next_run_time is not None]  # paused jobs have none
    return f"{len(jobs)} scheduled job(s)" + (f", next at {min(upcoming)}" if upcoming else "")
