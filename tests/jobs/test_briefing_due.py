"""When a briefing is due: wall-clock time in the chat's zone across daylight-saving changes, the grace window,
weekends and exchange holidays. Every check travels to the instant (time-machine) and asks ``Briefings.due()``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine

from advisor.briefing.store import SqlBriefingStore
from jobs.briefings import Briefings
from tests.jobs.world import RecordingSender, briefings, market, store, subscribe


@pytest.fixture
def subs(tmp_path: Path) -> SqlBriefingStore:
    return store(f"sqlite:///{tmp_path / 'rt.db'}")


def due_at(runner: Briefings, instant: str) -> list[tuple[str, date, bool]]:
    with time_machine.travel(datetime.fromisoformat(instant), tick=False):
        return [(due.sub.chat_key, due.local_date, due.holiday) for due in runner.due()]


@pytest.mark.parametrize(("instant", "expected"), [
    # New York leaves winter time on Sunday 8 March 2026: 08:30 is 13:30 UTC before, 12:30 UTC after.
    ("2026-03-06T13:30:00+00:00", [date(2026, 3, 6)]),  # Friday, EST (UTC-5)
    ("2026-03-06T12:30:00+00:00", []),  # 07:30 in New York: too early
    ("2026-03-09T12:30:00+00:00", [date(2026, 3, 9)]),  # Monday, EDT (UTC-4)
    ("2026-03-09T13:30:00+00:00", []),  # 09:30 in New York: the grace has ended
    # ... and returns to it on Sunday 1 November 2026.
    ("2026-10-30T12:30:00+00:00", [date(2026, 10, 30)]),  # Friday, EDT
    ("2026-10-30T13:30:00+00:00", []),
    ("2026-11-02T13:30:00+00:00", [date(2026, 11, 2)]),  # Monday, EST
    ("2026-11-02T12:30:00+00:00", []),
])
def test_a_new_york_briefing_keeps_its_wall_clock_time_across_daylight_saving(
        subs: SqlBriefingStore, instant: str, expected: list[date]) -> None:
    subscribe(subs, "telegram:-100123", time=time(8, 30), timezone="America/New_York")
    runner = briefings(subs, RecordingSender())
    assert [day for _, day, _ in due_at(runner, instant)] == expected


@pytest.mark.parametrize(("instant", "expected"), [
    ("2026-03-06T00:30:00+00:00", [date(2026, 3, 6)]),  # Shanghai has no daylight saving: always 00:30 UTC
    ("2026-03-09T00:30:00+00:00", [date(2026, 3, 9)]),
    ("2026-03-09T23:30:00+00:00", []),  # New York's summer shift does not move it
    ("2026-10-30T00:30:00+00:00", [date(2026, 10, 30)]),
    ("2026-11-02T00:30:00+00:00", [date(2026, 11, 2)]),
    ("2026-11-02T01:30:00+00:00", []),
])
def test_a_shanghai_briefing_is_always_at_0030_utc(subs: SqlBriefingStore, instant: str,
                                                    expected: list[date]) -> None:
    subscribe(subs, "telegram:-100456", market="CN")  # no zone given: the market's own, Asia/Shanghai
    runner = briefings(subs, RecordingSender())
    assert [day for _, day, _ in due_at(runner, instant)] == expected


@pytest.mark.parametrize(("local", "is_due"), [
    ("08:29:59", False), ("08:30:00", True), ("08:59:59", True), ("09:00:00", False)])
def test_the_grace_window_runs_from_the_local_time_for_thirty_minutes(subs: SqlBriefingStore, local: str,
                                                                      is_due: bool) -> None:
    subscribe(subs, "telegram:-100123")  # defaults: 08:30 New York, weekdays, US
    runner = briefings(subs, RecordingSender())
    assert bool(due_at(runner, f"2026-11-30T{local}-05:00")) is is_due


def test_weekends_are_not_due_for_a_weekday_briefing_and_closed_for_a_daily_one(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    subscribe(subs, "telegram:-100999", days=frozenset(range(7)))
    runner = briefings(subs, RecordingSender())
    saturday = "2026-11-28T08:30:00-05:00"
    assert due_at(runner, saturday) == [("telegram:-100999", date(2026, 11, 28), True)]


async def test_thanksgiving_is_skipped_without_a_claim_a_quote_or_a_message(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123", watchlist=("AAPL",))
    sender, data = RecordingSender(), market()
    runner = briefings(subs, sender, data=data)
    with time_machine.travel(datetime(2026, 11, 26, 13, 30, tzinfo=UTC), tick=False):  # 08:30 in New York
        results = await runner.run_due()
    assert [r.line() for r in results] == ["telegram:-100123  holiday  (2026-11-26, US; market closed)"]
    assert sender.calls == 0 and data.calls["quotes"] == 0 and subs.sends() == []
    with time_machine.travel(datetime(2026, 11, 27, 13, 30, tzinfo=UTC), tick=False):  # Friday: trading
        assert [r.status for r in await runner.run_due()] == ["sent"]


async def test_a_hong_kong_holiday_is_skipped_by_the_hong_kong_calendar(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100777", market="HK")  # 08:30 Hong Kong = 00:30 UTC
    subscribe(subs, "telegram:-100123", timezone="Asia/Hong_Kong")  # a US briefing read in Hong Kong
    sender = RecordingSender()
    runner = briefings(subs, sender)
    with time_machine.travel(datetime(2026, 10, 1, 0, 30, tzinfo=UTC), tick=False):  # National Day, Thursday
        results = await runner.run_due()
    assert [(r.chat_key, r.status) for r in results] == [("telegram:-100123", "sent"),
                                                         ("telegram:-100777", "holiday")]
    assert sender.chats == ["-100123"]
