"""The scheduler: APScheduler 3 on the app's asyncio loop, with jobs persisted in the app's database.

Jobs survive restarts (SQLAlchemyJobStore). Job functions must be importable module-level functions with
small picklable arguments, added with stable ids and ``replace_existing=True`` (see the stack notes).
What a job says is composed by advisor code; this module only decides when.

Briefings: ``start_briefings(scheduler, briefings)`` after ``scheduler.start()`` keeps one cron job per enabled
subscription (see the section below for the misfire and coalescing choices); ``refresh(chat_key)`` after a
/brief change.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from apscheduler.job import Job
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.cron import CronTrigger

from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import GRACE, WEEKDAYS, Subscription
from jobs.briefings import Briefings, RunResult

log = logging.getLogger(__name__)


def build_scheduler(database_url: str) -> AsyncIOScheduler:
    """A scheduler storing its jobs in ``database_url``; start it from inside the running event loop."""
    return AsyncIOScheduler(jobstores={"default": SQLAlchemyJobStore(url=database_url, tablename="scheduled_jobs")},
                            job_defaults={"coalesce": True, "misfire_grace_time": 3600}, timezone="UTC")


def describe(scheduler: AsyncIOScheduler) -> str:
    jobs = scheduler.get_jobs()
    upcoming = [job.next_run_time for job in jobs if job.next_run_time is not None]  # paused jobs have none
    return f"{len(jobs)} scheduled job(s)" + (f", next at {min(upcoming)}" if upcoming else "")


# -- scheduled briefings --------------------------------------------------------------------------------------
#
# Each enabled subscription has one cron job, "briefing:<chat key>", firing at the chat's local time on its days
# in the chat's own zone (APScheduler computes the next fire time in that zone, so 08:30 in New York stays 08:30
# across daylight-saving changes). The subscription table is the source of truth: ``reconcile`` makes the jobs
# match it, at start and every minute ("briefings:reconcile"), which also picks up what the CLI or another
# instance on the same database wrote; ``refresh`` does one chat at once after a /brief change.
#
# Misfire grace = the briefing's grace (30 min): a briefing that could not fire on time (the process was down
# or busy) still fires if it is at most 30 minutes late, because it is still useful then, and not later, when
# it is stale. Coalescing: after downtime that skipped several fire times, the job runs once, never a burst of
# stale briefings. Neither makes a briefing exactly-once: the send ledger does (a restart, a retry or a second
# instance sharing the job store may fire a job again; its claim is then taken and nothing is sent twice).

BRIEFING_JOB = "briefing:"
RECONCILE_JOB = "briefings:reconcile"
MISFIRE_GRACE_SECONDS = int(GRACE.total_seconds())
T = TypeVar("T")
INSTALL_WAIT_SECONDS = 120.0  # how long a job that fired at start-up waits for start_briefings


@dataclass
class _Runtime:
    scheduler: BaseScheduler | None
    briefings: Briefings
    runs: dict[datetime, asyncio.Future[list[RunResult]]] = field(default_factory=dict)  # by UTC minute


_runtime: _Runtime | None = None
_jobs_lock = threading.Lock()  # refresh (a router thread) and reconcile (the minute job) change jobs one at a time


@dataclass(frozen=True)
class Changes:
    added: int = 0
    replaced: int = 0
    removed: int = 0


def briefing_job_id(chat_key: str) -> str:
    return BRIEFING_JOB + chat_key


def briefing_trigger(sub: Subscription) -> CronTrigger:
    days = ",".join(WEEKDAYS[day] for day in sorted(sub.days))
    return CronTrigger(day_of_week=days, hour=sub.time.hour, minute=sub.time.minute, timezone=sub.zone)


def _current(job: Job, trigger: CronTrigger) -> bool:
    """Whether ``job`` already fires as ``trigger`` says, with today's settings (then it is left alone, keeping
    its next run time: a misfired run still waiting after a restart is not lost)."""
    return (job.func_ref == _FIRE_REF and str(job.trigger) == str(trigger)
            and str(getattr(job.trigger, "timezone", "")) == str(trigger.timezone)
            and job.misfire_grace_time == MISFIRE_GRACE_SECONDS and job.coalesce)


def _schedule(scheduler: BaseScheduler, sub: Subscription | None, job: Job | None, chat_key: str) -> Changes:
    if sub is None or not sub.enabled:
        if job is None:
            return Changes()
        scheduler.remove_job(job.id)
        return Changes(removed=1)
    trigger = briefing_trigger(sub)
    if job is not None and _current(job, trigger):
        return Changes()
    scheduler.add_job(fire_briefing, trigger, args=[chat_key], id=briefing_job_id(chat_key),
                      name=f"briefing for {chat_key}", replace_existing=True,
                      misfire_grace_time=MISFIRE_GRACE_SECONDS, coalesce=True)
    return Changes(added=int(job is None), replaced=int(job is not None))


def reconcile(scheduler: BaseScheduler, store: SqlBriefingStore) -> Changes:
    """Add, replace and remove briefing jobs to match the subscription table; other jobs are left alone.

    Cheap when nothing changed: one query for the subscriptions, one read of the job store, no writes.
    The scheduler must be started (paused will do): only then does it read its job store."""
    with _jobs_lock:
        subs = {sub.chat_key: sub for sub in store.enabled()}
        jobs = {job.id.removeprefix(BRIEFING_JOB): job for job in scheduler.get_jobs()
                if job.id.startswith(BRIEFING_JOB)}
        total = Changes()
        for chat_key in sorted(subs.keys() | jobs.keys()):
            change = _schedule(scheduler, subs.get(chat_key), jobs.get(chat_key), chat_key)
            total = Changes(total.added + change.added, total.replaced + change.replaced,
                            total.removed + change.removed)
    if total != Changes():
        log.info("briefing jobs reconciled: %d added, %d replaced, %d removed", total.added, total.replaced,
                 total.removed)
    return total


def refresh(chat_key: str) -> bool:
    """Bring one chat's job in line with its subscription, after a /brief change; safe from any thread.

    True when the chat now has a job. Without a running scheduler (the CLI, tests) this does nothing: the
    running instance's minute reconcile picks the change up."""
    runtime = _runtime
    if runtime is None or runtime.scheduler is None:
        return False
    scheduler = runtime.scheduler
    with _jobs_lock:
        _schedule(scheduler, runtime.briefings.store.get(chat_key), scheduler.get_job(briefing_job_id(chat_key)),
                  chat_key)
        return scheduler.get_job(briefing_job_id(chat_key)) is not None


def install(briefings: Briefings, scheduler: BaseScheduler | None = None) -> None:
    """Make ``briefings`` the runtime the job functions use (one per process); chats that removed the bot lose
    their job at once."""
    global _runtime
    _runtime = _Runtime(scheduler, briefings)
    briefings.on_unsubscribed = refresh


def uninstall() -> None:
    global _runtime
    _runtime = None


def start_briefings(scheduler: BaseScheduler, briefings: Briefings) -> Changes:
    """Install ``briefings``, reconcile the briefing jobs now and every minute. Call after ``scheduler.start()``,
    on the scheduler's event loop."""
    install(briefings, scheduler)
    changes = reconcile(scheduler, briefings.store)
    scheduler.add_job(reconcile_installed, "interval", minutes=1, id=RECONCILE_JOB, name="reconcile briefing jobs",
                      replace_existing=True, coalesce=True, misfire_grace_time=60)
    return changes


def reconcile_installed() -> None:
    """The "briefings:reconcile" job (run in a worker thread: it reads the database)."""
    runtime = _runtime
    if runtime is not None and runtime.scheduler is not None:
        reconcile(runtime.scheduler, runtime.briefings.store)


async def installed(get: Callable[[], T | None], seconds: float) -> T | None:
    """What ``get`` returns once it is not None, waiting up to ``seconds``: a job that misfired during downtime
    fires as soon as the scheduler starts, which may be before the app (the research corpus, the stores) is built
    and has installed what the job needs."""
    for _ in range(int(seconds / 0.1)):
        value = get()
        if value is not None:
            return value
        await asyncio.sleep(0.1)
    return get()


async def _installed_runtime() -> _Runtime | None:
    return await installed(lambda: _runtime, INSTALL_WAIT_SECONDS)


async def fire_briefing(chat_key: str) -> RunResult | None:
    """A chat's cron job. Every job firing in the same minute shares ONE run (``Briefings.run_due`` for the
    first instant of that minute that fired), so one run per scheduled minute composes every due chat's
    briefing and fetches each symbol once. Returns this chat's result (None when it was not due)."""
    runtime = await _installed_runtime()
    if runtime is None:
        log.warning("briefing job for %s fired, but no briefing runtime was installed", chat_key)
        return None
    now = datetime.now(UTC)
    minute = now.replace(second=0, microsecond=0)
    run = runtime.runs.get(minute)
    if run is None:
        run = asyncio.ensure_future(runtime.briefings.run_due(now))
        # Finished runs are kept for their minute (a job firing late in it must not start a second run).
        runtime.runs = {at: task for at, task in runtime.runs.items() if at >= minute - timedelta(minutes=1)}
        runtime.runs[minute] = run
    try:
        results = await asyncio.shield(run)
    except Exception:
        log.exception("the briefing run at %s (fired by %s) failed", now.isoformat(timespec="seconds"), chat_key)
        return None
    return next((result for result in results if result.chat_key == chat_key), None)


_FIRE_REF = f"{fire_briefing.__module__}:{fire_briefing.__qualname__}"
