"""One run sends every due briefing once: the ledger's claim, one quotes request, retries, unsubscribing, pacing.

Monday 30 November 2026, 08:30 in New York (13:30 UTC) is the scheduled minute unless a test says otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from advisor.briefing.store import MAX_ATTEMPTS, SqlBriefingStore
from advisor.market.data import PartialMarketDataError, Quote
from advisor.market.fake import FakeMarketData
from jobs.briefings import Briefings, RunResult
from jobs.delivery import ChatGoneError, RetryAfterError
from tests.jobs.world import RecordingSender, Waits, briefings, market, store, subscribe

MONDAY = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)
DAY = date(2026, 11, 30)


@pytest.fixture
def subs(tmp_path: Path) -> SqlBriefingStore:
    return store(f"sqlite:///{tmp_path / 'rt.db'}")


async def run_at(runner: Briefings, instant: datetime) -> list[RunResult]:
    with time_machine.travel(instant, tick=False):
        return await runner.run_due()


async def test_two_runs_at_the_same_instant_send_once(database_url: str) -> None:
    subs = store(database_url)
    subscribe(subs, "telegram:-100123", watchlist=("AAPL",))
    sender = RecordingSender()
    runner = briefings(subs, sender)
    first = await run_at(runner, MONDAY)
    again = await run_at(runner, MONDAY)
    assert [r.line() for r in first] == ["telegram:-100123  sent  (2026-11-30, US)"]
    assert [r.line() for r in again] == ["telegram:-100123  already sent  (2026-11-30, US)"]
    assert sender.chats == ["-100123"] and subs.sends() == [("telegram:-100123", DAY, "sent", 1)]


async def test_two_instances_on_one_database_running_together_send_each_chat_once(database_url: str) -> None:
    first_store, second_store = store(database_url), store(database_url)
    for n in range(6):
        subscribe(first_store, f"telegram:-10{n}")
    first, second = RecordingSender(), RecordingSender()
    with time_machine.travel(MONDAY, tick=False):
        await asyncio.gather(briefings(first_store, first).run_due(), briefings(second_store, second).run_due())
    assert sorted(first.chats + second.chats) == [f"-10{n}" for n in range(6)]


async def test_one_quotes_request_per_run_asks_for_each_unique_symbol_once(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-1", watchlist=("AAPL", "MSFT"))
    subscribe(subs, "telegram:-2", watchlist=("MSFT", "NVDA"))
    subscribe(subs, "discord:3")  # indices only
    subscribe(subs, "discord:4", market="HK", timezone="America/New_York", watchlist=("0700.HK", "AAPL"))
    data = market()
    results = await run_at(briefings(subs, RecordingSender(), RecordingSender("discord"), data=data), MONDAY)
    assert [r.status for r in results] == ["sent"] * 4
    assert len(data.requested) == 1
    method, symbols = data.requested[0]
    assert method == "quotes" and len(symbols) == len(set(symbols))
    assert set(symbols) == {"^GSPC", "^IXIC", "^DJI", "AAPL", "MSFT", "NVDA", "^HSI", "^HSCE", "0700.HK"}


async def test_a_failed_send_is_retried_in_the_run_then_by_the_next_run_within_grace(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    sender = RecordingSender(failures=[ConnectionError("network down")] * 3)  # the first run's three attempts
    waits = Waits()
    runner = briefings(subs, sender, waits=waits)
    first = await run_at(runner, MONDAY)
    assert [(r.status, r.attempts, r.detail) for r in first] == [("failed", 3, "ConnectionError: network down")]
    assert waits.seconds == [2.0, 4.0]  # exponential backoff between attempts
    assert subs.sends() == [("telegram:-100123", DAY, "failed", 1)]
    second = await run_at(runner, MONDAY + timedelta(minutes=1))  # any later run while still due
    assert [(r.status, r.attempts) for r in second] == [("sent", 1)]
    assert subs.sends() == [("telegram:-100123", DAY, "sent", 2)] and sender.chats == ["-100123"]
    assert [r.status for r in await run_at(runner, MONDAY + timedelta(minutes=2))] == ["already sent"]


async def test_a_briefing_that_keeps_failing_is_claimed_at_most_max_attempts_times(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    sender = RecordingSender(failures=[ConnectionError("down")] * 99)
    runner = briefings(subs, sender)
    lines = [(await run_at(runner, MONDAY + timedelta(minutes=n)))[0].line() for n in range(MAX_ATTEMPTS + 1)]
    assert lines[:MAX_ATTEMPTS] == ["telegram:-100123  failed  (2026-11-30, US; ConnectionError: down)"] * 3
    assert lines[-1] == "telegram:-100123  failed  (2026-11-30, US; gave up after 3 run(s))"
    assert sender.calls == MAX_ATTEMPTS * 3 and subs.sends() == [("telegram:-100123", DAY, "failed", 3)]
    assert await run_at(runner, MONDAY + timedelta(minutes=30)) == []  # the grace is over: not due any more


async def test_a_chat_that_removed_the_bot_is_unsubscribed(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    subscribe(subs, "telegram:-100456")
    sender = RecordingSender(failures=[ChatGoneError("Forbidden: bot was kicked")])
    runner = briefings(subs, sender)
    told: list[str] = []
    runner.on_unsubscribed = told.append
    results = await run_at(runner, MONDAY)
    assert [(r.chat_key, r.status, r.attempts) for r in results] == [("telegram:-100123", "unsubscribed", 1),
                                                                    ("telegram:-100456", "sent", 1)]
    assert subs.get("telegram:-100123") is None and told == ["telegram:-100123"]
    assert ("telegram:-100123", DAY, "skipped", 1) in subs.sends()


async def test_the_platforms_retry_after_is_waited_for(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    sender, waits = RecordingSender(failures=[RetryAfterError(3)]), Waits()
    results = await run_at(briefings(subs, sender, waits=waits), MONDAY)
    assert [(r.status, r.attempts) for r in results] == [("sent", 2)]
    assert waits.seconds == [pytest.approx(3.0, abs=0.05)]  # the platform's pause, not the backoff


async def test_a_retry_after_longer_than_a_run_waits_is_left_to_a_later_run(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123")
    sender = RecordingSender(failures=[RetryAfterError(600)])
    results = await run_at(briefings(subs, sender), MONDAY)
    assert [(r.status, r.attempts, r.detail) for r in results] == [("failed", 1, "rate limited: retry after 600 s")]
    assert subs.sends() == [("telegram:-100123", DAY, "failed", 1)]


async def test_an_outage_still_sends_the_briefing_with_data_unavailable_lines(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123", watchlist=("AAPL",))
    data = market()
    data.fail = True
    sender = RecordingSender()
    results = await run_at(briefings(subs, sender, data=data), MONDAY)
    assert [r.status for r in results] == ["sent"] and data.calls["quotes"] == 1
    text = sender.deliveries[0].text
    assert "Market data is unavailable right now (Market data from fake is unavailable" in text
    assert "**S&P 500**: data unavailable" in text and "**AAPL**: data unavailable" in text
    assert "6,060" not in text and "234.6" not in text  # no number at all, rather than a wrong one


class HalfAnswering(FakeMarketData):
    """A provider that fails halfway: the indices arrived, the stocks did not."""

    def quotes(self, symbols: Sequence[str]) -> dict[str, Quote]:
        found = super().quotes(symbols)
        arrived = {s: q for s, q in found.items() if s.startswith("^")}
        raise PartialMarketDataError(self.source, "timed out", arrived, [s for s in symbols if s not in arrived])


async def test_a_partial_answer_sends_what_arrived_and_marks_the_rest_unavailable(subs: SqlBriefingStore) -> None:
    subscribe(subs, "telegram:-100123", watchlist=("AAPL",))
    full = market()
    data = HalfAnswering(full.series, full.infos)
    sender = RecordingSender()
    await run_at(briefings(subs, sender, data=data), MONDAY)
    text = sender.deliveries[0].text
    assert "**S&P 500** 6,060.00" in text and "**AAPL**: data unavailable" in text


async def test_a_platform_without_a_sender_is_reported_and_not_claimed(subs: SqlBriefingStore) -> None:
    subscribe(subs, "discord:42")
    results = await run_at(briefings(subs, RecordingSender("telegram")), MONDAY)
    assert [r.line() for r in results] == ["discord:42  no sender  (2026-11-30, US; no discord sender configured)"]
    assert subs.sends() == []


async def test_sends_keep_each_platforms_pace_and_platforms_go_in_parallel(tmp_path: Path) -> None:
    subs = store(f"sqlite:///{tmp_path / 'rt.db'}")
    for n in range(4):
        subscribe(subs, f"telegram:-{n}")
        subscribe(subs, f"discord:{n}")
    telegram, discord = RecordingSender("telegram", per_second=10), RecordingSender("discord", per_second=10)
    runner = Briefings(subs, market(), briefings(subs).composer, lambda chat: None,
                       {"telegram": telegram, "discord": discord})
    with time_machine.travel(MONDAY, tick=False):
        results = await runner.run_due()
    times = [d.at for d in telegram.deliveries + discord.deliveries]
    assert [r.status for r in results] == ["sent"] * 8
    for sender in (telegram, discord):
        first = sender.deliveries[0].at  # then one slot every 0.1 s (10 a second): never ahead of its slot
        assert [round(d.at - first, 2) >= k / 10 for k, d in enumerate(sender.deliveries)] == [True] * 4
    took = max(times) - min(times)  # 0.3 s of pacing per platform, side by side (one after the other: 0.6 s or more)
    assert took < 0.5


def test_brief_now_composes_one_chat_in_its_language_with_one_request(subs: SqlBriefingStore) -> None:
    sub = subscribe(subs, "telegram:-100123", watchlist=("NVDA",))
    data = market()
    runner = briefings(subs, data=data, languages={"telegram:-100123": "zh"})
    thanksgiving = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)  # a holiday and not the briefing's time: still composed
    briefing = runner.compose(sub, thanksgiving)
    assert (briefing.chat, briefing.local_date, briefing.language) == ("telegram:-100123", date(2026, 11, 26), "zh")
    assert data.requested == [("quotes", tuple(runner.composer.symbols(sub)))]
    assert subs.sends() == []  # /brief now is not the scheduled briefing


async def test_logs_name_the_chat_status_and_attempts_never_the_text(subs: SqlBriefingStore,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    subscribe(subs, "telegram:-100123")
    sender = RecordingSender(failures=[ConnectionError("timeout")])
    with caplog.at_level(logging.INFO, logger="jobs.briefings"):
        await run_at(briefings(subs, sender), MONDAY)
    assert "briefing 2026-11-30 for telegram:-100123: sent after 2 attempt(s)" in caplog.text
    assert "attempt 1 of 3 failed (ConnectionError: timeout)" in caplog.text
    text = sender.deliveries[0].text
    assert text.splitlines()[0] not in caplog.text and "S&P" not in caplog.text


class FlakyLedger(SqlBriefingStore):
    """A database that refuses some writes ("database is locked", a dropped connection)."""

    fail_claims = False
    fail_finishes = False

    def claim(self, chat_key: str, local_date: date) -> bool:
        if self.fail_claims:
            raise OSError("database is locked")
        return super().claim(chat_key, local_date)

    def finish(self, chat_key: str, local_date: date, status: str, detail: str = "") -> None:
        if self.fail_finishes:
            raise OSError("database is locked")
        super().finish(chat_key, local_date, status, detail)


async def test_a_ledger_that_fails_never_leads_to_a_second_post(subs: SqlBriefingStore) -> None:
    flaky = FlakyLedger(subs.engine)
    subscribe(flaky, "telegram:-100123")
    sender = RecordingSender()
    runner = briefings(flaky, sender)
    flaky.fail_claims = True  # not claimed: not sent, and said so
    assert [r.line() for r in await run_at(runner, MONDAY)] == [
        "telegram:-100123  failed  (2026-11-30, US; ledger: OSError)"]
    flaky.fail_claims, flaky.fail_finishes = False, True  # sent, but "sent" could not be written down
    assert [r.status for r in await run_at(runner, MONDAY + timedelta(minutes=1))] == ["sent"]
    flaky.fail_finishes = False
    assert [r.line() for r in await run_at(runner, MONDAY + timedelta(minutes=2))] == [
        "telegram:-100123  already sent  (2026-11-30, US; sending)"]  # the claim still holds: no second post
    assert sender.chats == ["-100123"]
