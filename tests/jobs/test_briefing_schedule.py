"""Briefing jobs in APScheduler: one cron job per subscription in the chat's zone, kept in line with the
subscription table, and one shared run for all the jobs that fire in the same minute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from advisor.briefing.store import SqlBriefingStore
from jobs import scheduler as briefing_jobs
from jobs.scheduler import RECONCILE_JOB, Changes, build_scheduler, fire_briefing, reconcile, refresh, start_briefings
from tests.jobs.world import RecordingSender, briefings, market, store, subscribe

MONDAY = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # 08:30 in New York


@pytest.fixture
def subs(tmp_path: Path) -> SqlBriefingStore:
    return store(f"sqlite:///{tmp_path / 'rt.db'}")


@pytest.fixture
async def paused(tmp_path: Path) -> AsyncIterator[AsyncIOScheduler]:
    """A started scheduler that fires nothing: it reads and writes its job store, as `roundtable run`'s does."""
    scheduler = build_scheduler(f"sqlite:///{tmp_path / 'jobs.db'}")
    scheduler.start(paused=True)
    yield scheduler
    scheduler.shutdown(wait=False)


@pytest.fixture(autouse=True)
def no_runtime_left() -> Iterator[None]:
    yield
    briefing_jobs.uninstall()


def fire_times(trigger: CronTrigger, start: datetime, count: int) -> list[str]:
    """The next ``count`` fire times after ``start``, in UTC, as APScheduler computes them."""
    times: list[str] = []
    previous, now = None, start
    for _ in range(count):
        nxt = trigger.get_next_fire_time(previous, now)
        assert nxt is not None
        times.append(nxt.astimezone(UTC).strftime("%a %d %b %H:%M"))
        previous, now = nxt, nxt + timedelta(seconds=1)
    return times


async def test_reconcile_gives_each_enabled_subscription_one_cron_job_in_its_zone(
        subs: SqlBriefingStore, paused: AsyncIOScheduler) -> None:
    subscribe(subs, "telegram:-100123", time=time(7, 45), timezone="Europe/London", days=frozenset({0, 2, 4}))
    subscribe(subs, "discord:42", market="CN")
    subscribe(subs, "console:off", enabled=False)
    paused.add_job(print, "interval", hours=1, id="something-else")
    assert reconcile(paused, subs) == Changes(added=2)
    job = paused.get_job("briefing:telegram:-100123")
    assert str(job.trigger) == "cron[day_of_week='mon,wed,fri', hour='7', minute='45']"
    assert str(job.trigger.timezone) == "Europe/London" and job.args == ("telegram:-100123",)
    assert job.func_ref == "jobs.scheduler:fire_briefing"
    assert (job.misfire_grace_time, job.coalesce) == (1800, True)
    assert str(paused.get_job("briefing:discord:42").trigger.timezone) == "Asia/Shanghai"
    assert paused.get_job("briefing:console:off") is None and paused.get_job("something-else") is not None


async def test_reconcile_is_a_no_op_when_nothing_changed_and_follows_every_change(
        subs: SqlBriefingStore, paused: AsyncIOScheduler) -> None:
    sub = subscribe(subs, "telegram:-100123")
    with time_machine.travel(datetime(2026, 11, 30, 12, 0, tzinfo=UTC), tick=False):
        reconcile(paused, subs)
    planned = paused.get_job("briefing:telegram:-100123").next_run_time
    with time_machine.travel(datetime(2026, 11, 30, 13, 40, tzinfo=UTC), tick=False):  # 10 min late (a restart)
        assert reconcile(paused, subs) == Changes()  # not re-added, which would lose the late run still waiting
    assert paused.get_job("briefing:telegram:-100123").next_run_time == planned
    subs.save(replace(sub, time=time(9, 15)))
    assert reconcile(paused, subs) == Changes(replaced=1)
    assert "hour='9', minute='15'" in str(paused.get_job("briefing:telegram:-100123").trigger)
    subs.save(replace(sub, enabled=False))
    assert reconcile(paused, subs) == Changes(removed=1)
    assert paused.get_job("briefing:telegram:-100123") is None


@pytest.mark.parametrize(("start", "expected"), [
    ("2026-03-04T12:00:00+00:00",  # New York springs forward on Sunday 8 March
     ["Wed 04 Mar 13:30", "Thu 05 Mar 13:30", "Fri 06 Mar 13:30", "Mon 09 Mar 12:30", "Tue 10 Mar 12:30"]),
    ("2026-10-28T12:00:00+00:00",  # ... and falls back on Sunday 1 November
     ["Wed 28 Oct 12:30", "Thu 29 Oct 12:30", "Fri 30 Oct 12:30", "Mon 02 Nov 13:30", "Tue 03 Nov 13:30"]),
])
async def test_new_york_jobs_fire_at_0830_local_across_daylight_saving(
        subs: SqlBriefingStore, paused: AsyncIOScheduler, start: str, expected: list[str]) -> None:
    subscribe(subs, "telegram:-100123", timezone="America/New_York")
    subscribe(subs, "discord:42", market="CN")  # Shanghai: no daylight saving
    with time_machine.travel(datetime.fromisoformat(start), tick=False):
        reconcile(paused, subs)
    new_york = paused.get_job("briefing:telegram:-100123")
    assert new_york.next_run_time.astimezone(UTC).strftime("%a %d %b %H:%M") == expected[0]
    assert fire_times(new_york.trigger, datetime.fromisoformat(start), 5) == expected
    shanghai = paused.get_job("briefing:discord:42")
    assert {t[-5:] for t in fire_times(shanghai.trigger, datetime.fromisoformat(start), 10)} == {"00:30"}


async def test_start_briefings_reconciles_now_and_every_minute(subs: SqlBriefingStore,
                                                              paused: AsyncIOScheduler) -> None:
    subscribe(subs, "telegram:-100123")
    assert start_briefings(paused, briefings(subs, RecordingSender())) == Changes(added=1)
    minute_job = paused.get_job(RECONCILE_JOB)
    assert minute_job.trigger.interval == timedelta(minutes=1)
    subscribe(subs, "discord:42")  # written by the CLI, or by another instance on the same database
    minute_job.func()
    assert paused.get_job("briefing:discord:42") is not None


async def test_refresh_from_the_routers_thread_adds_and_removes_one_chats_job(
        subs: SqlBriefingStore, paused: AsyncIOScheduler) -> None:
    assert refresh("telegram:-100123") is False  # no runtime installed (the CLI): nothing to do
    start_briefings(paused, briefings(subs, RecordingSender()))
    sub = subscribe(subs, "telegram:-100123")  # /brief on
    assert await asyncio.to_thread(refresh, "telegram:-100123") is True
    assert paused.get_job("briefing:telegram:-100123") is not None
    subs.save(replace(sub, enabled=False))  # /brief off
    assert await asyncio.to_thread(refresh, "telegram:-100123") is False
    assert paused.get_job("briefing:telegram:-100123") is None


async def test_every_job_firing_in_one_minute_shares_one_run(subs: SqlBriefingStore,
                                                             paused: AsyncIOScheduler) -> None:
    subscribe(subs, "telegram:-1", watchlist=("AAPL",))
    subscribe(subs, "telegram:-2", watchlist=("MSFT",))
    subscribe(subs, "discord:3", time=time(13, 30), timezone="UTC", watchlist=("NVDA",))  # the same minute
    sender, discord, data = RecordingSender(), RecordingSender("discord"), market()
    start_briefings(paused, briefings(subs, sender, discord, data=data))
    with time_machine.travel(MONDAY + timedelta(seconds=1), tick=False):
        results = await asyncio.gather(*(fire_briefing(key) for key in ("telegram:-1", "telegram:-2", "discord:3")))
        assert [(r.chat_key, r.status) for r in results if r] == [
            ("telegram:-1", "sent"), ("telegram:-2", "sent"), ("discord:3", "sent")]
    with time_machine.travel(MONDAY + timedelta(seconds=50), tick=False):
        late = await fire_briefing("telegram:-2")  # a job firing late in the same minute joins the finished run
    assert late is not None and late.status == "sent" and data.calls["quotes"] == 1
    assert sorted(sender.chats + discord.chats) == ["-1", "-2", "3"]
    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):
        assert (await fire_briefing("telegram:-1")).status == "already sent"  # type: ignore[union-attr]
    assert len(sender.deliveries) == 2


async def test_a_chat_that_removed_the_bot_loses_its_job(subs: SqlBriefingStore,
                                                         paused: AsyncIOScheduler) -> None:
    from jobs.delivery import ChatGoneError

    subscribe(subs, "telegram:-100123")
    start_briefings(paused, briefings(subs, RecordingSender(failures=[ChatGoneError("kicked")])))
    assert paused.get_job("briefing:telegram:-100123") is not None
    with time_machine.travel(MONDAY, tick=False):
        result = await fire_briefing("telegram:-100123")
    assert result is not None and result.status == "unsubscribed"
    assert paused.get_job("briefing:telegram:-100123") is None and subs.get("telegram:-100123") is None
