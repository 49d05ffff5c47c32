"""Track records in a group, as transcripts: posts that are calls join the poster's record (posts moderation holds
or removes do not), /leaderboard ranks shared portfolios and leaves scam-flagged members out, and /privacy and
/forget cover the record."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from advisor.community.keeper import RecordKeeper
from advisor.community.records import RecordStore
from bots.chat.community import Community
from bots.chat.leaderboard import LeaderboardCommands, flagged_members
from bots.chat.messages import Incoming, Outgoing
from bots.chat.modstore import LogEntry
from bots.chat.router import Router
from knowledge.retrieval import Retriever
from tests.advisor.community.records_fakes import FakeShares, after_close, fake_close, market, weekdays
from tests.helpers import community_router

CHAT = "telegram:-100"
DAYS = weekdays(30)
T0 = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


class Group:
    def __init__(self, router: Router) -> None:
        self.router = router
        self.ids = itertools.count(1)

    def say(self, user: str, text: str, *, kind: str = "group", at: datetime = T0) -> list[Outgoing]:
        return self.router.handle(Incoming("telegram", "-100" if kind == "group" else user, kind,  # type: ignore[arg-type]
                                           user, f"Member {user}", text, received_at=at, username=f"m{user}",
                                           message_id=str(next(self.ids))))


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    return community_router(notes_retriever, tmp_path, lambda engine, moderation: Community(
        records=LeaderboardCommands(RecordStore(engine), moderation)))


def records_of(router: Router) -> RecordStore:
    assert router.community.records is not None
    return router.community.records.store


def test_a_call_that_stands_is_recorded_and_a_held_or_removed_one_is_not(router: Router) -> None:
    group = Group(router)
    assert group.say("1", "buy TSLA, it's going up") == []  # the bot only observes
    group.say("1", "should I buy NVDA?")  # a question
    group.say("2", "$NVDA to the moon, insider tip: buy before the pump at 9pm")  # held for review
    group.say("3", "buy AAPL now, DM me for paid signals, join our VIP group")  # removed as a scam
    store = records_of(router)
    assert [symbol for symbol, _ in store.pending_calls()] == ["TSLA"]
    assert store.member_counts("telegram:1") == (1, 0, 1)
    assert store.member_counts("telegram:2") == store.member_counts("telegram:3") == (0, 0, 0)


def shared_month(router: Router, members: dict[str, str]) -> None:
    """Members share one-symbol portfolios; the daily job runs for 30 trading days."""
    shares = FakeShares()
    for user, symbol in members.items():
        shares.share(CHAT, f"telegram:{user}", f"@m{user}", {symbol: 1.0}, {symbol: 100.0}, after_close(DAYS[0]),
                     risk="R4" if symbol == "WILD" else "R2")
    prices = {"STEADY": [100 * 1.002 ** i * (1 + 0.003 * (-1) ** i) for i in range(30)],
              "WILD": [100 * (1 + 0.05 * (-1) ** i) for i in range(30)], "SPY": [100 + i for i in range(30)]}
    prices["STEADY"][0] = prices["WILD"][0] = 100.0
    keeper = RecordKeeper(records_of(router), shares, market(prices), closes_at=fake_close)
    for day in DAYS:
        keeper.run(after_close(day))


def test_leaderboard_ranks_by_risk_adjusted_record_with_risk_levels(router: Router) -> None:
    shared_month(router, {"1": "WILD", "2": "STEADY"})
    [reply] = Group(router).say("5", "/leaderboard")
    lines = reply.text.splitlines()
    assert lines[2].startswith("1. @m2 · risk R2 · score ") and "(29 days)" in lines[2]
    assert lines[3].startswith("2. @m1 · risk R4 · score ")
    assert "Past performance does not guarantee future results" in reply.text
    assert "Not investment advice" in reply.text


def test_members_flagged_for_scams_are_left_out_unless_an_admin_approved_the_post(router: Router) -> None:
    shared_month(router, {"1": "WILD", "2": "STEADY", "3": "STEADY"})
    group = Group(router)
    group.say("1", "buy AAPL now, DM me for paid signals, join our VIP group")  # removed: a scam flag
    assert router.moderation is not None
    store = router.moderation.store
    store.record(LogEntry(CHAT, "telegram:3", "hold", "bot", "77", ("pump",), T0))
    store.record(LogEntry(CHAT, "telegram:3", "approve", "telegram:9", "77", ("pump",), T0))  # overturned
    assert flagged_members(store.engine, CHAT, store) == {"telegram:1"}
    [reply] = group.say("5", "/leaderboard")
    assert "@m1" not in reply.text and "@m2" in reply.text and "@m3" in reply.text
    assert "flagged by moderation for pump or scam behaviour are not listed" in reply.text


def test_leaderboard_in_private_points_to_the_group(router: Router) -> None:
    [reply] = Group(router).say("5", "/leaderboard", kind="private")
    assert "send /leaderboard there" in reply.text


def test_privacy_shows_the_record_and_forget_erases_it(router: Router) -> None:
    shared_month(router, {"1": "STEADY"})
    group = Group(router)
    group.say("1", "short TSLA")
    [privacy] = group.say("1", "/privacy", kind="private")
    assert "Track record in 1 group(s): 30 daily value(s)" in privacy.text and "1 public call(s)" in privacy.text
    group.say("1", "/forget", kind="private")
    assert records_of(router).member_counts("telegram:1") == (0, 0, 0)
    [reply] = group.say("5", "/leaderboard")
    assert "@m1" not in reply.text and "Nobody is ranked yet" in reply.text
