"""/privacy and /forget as a member meets them: what is shown is what the stores hold, /forget erases all of it
(keeping only the audit record and the groups' moderation records), and a /forget racing a running answer and
a portfolio write brings nothing back."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.audit import AuditLog
from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import Subscription
from advisor.briefing.types import Briefing
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.market.desk import QuoteDesk
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from bots.chat.briefs import BriefCommands
from bots.chat.markets import MarketCommands
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import LogEntry, ModerationStore, QueueItem
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

MEMBER = "telegram:7"
T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


class NoPreview:
    def compose(self, sub: Subscription, now: datetime) -> Briefing:
        raise AssertionError("not asked for in these tests")


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    url, key = f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key()
    profiles = SqlProfileStore.open(url, key)
    market = offline_market_data()
    desk = QuoteDesk(market, PriceRisk(market))
    audit = AuditLog.open(url, profiles.ring)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, ChatSettingsStore(profiles.engine),
                  FixedCollections({"research"}),
                  markets=MarketCommands(desk, Portfolios(SqlHoldingsStore(profiles.engine, profiles.ring), desk,
                                                          profiles)),
                  briefs=BriefCommands(SqlBriefingStore(profiles.engine, profiles.ring), NoPreview(), audit=audit),
                  moderation=ModerationCommands(ModerationStore(profiles.engine), audit=audit), audit=audit)


def say(router: Router, text: str = "", *, kind: str = "private", **extra: Any) -> list[Outgoing]:
    return router.handle(Incoming("telegram", "-100" if kind == "group" else "7", kind, "7",  # type: ignore[arg-type]
                                  "Member", text, **extra))


def a_member_with_everything(router: Router) -> None:
    replies = say(router, "/profile")
    for _ in range(8):
        replies = say(router, action=replies[0].buttons[2].action)
    say(router, "/profile")  # a new questionnaire, started and left half-way
    say(router, action="profile:0:1")
    router.profiles.confirm(MEMBER, "R5")
    say(router, "/portfolio add AAPL 10 150")
    say(router, "/portfolio add GOOG 2")
    say(router, "/brief watch TSLA 0700.HK")  # the member's own private chat
    say(router, "/ask what is an ETF?", kind="group")
    moderation = router.moderation.store  # type: ignore[union-attr]
    moderation.enqueue(QueueItem(0, "telegram:-100", "55", MEMBER, "7", "Member", "insider tip: buy XYZ now",
                                 ("hype",), ("insider",), T0))
    moderation.record(LogEntry("telegram:-100", MEMBER, "warn", "bot", "54", ("promissory",), T0))
    moderation.joined("telegram:-100", MEMBER, T0)


def test_privacy_shows_what_the_stores_hold(router: Router) -> None:
    a_member_with_everything(router)
    (shown,) = say(router, "/privacy")
    text = shown.text
    level = router.profiles.get(MEMBER).level  # type: ignore[union-attr]
    assert f"Risk profile: {level}, from the questionnaire of {datetime.now(UTC):%Y-%m-%d}" in text
    assert "A questionnaire in progress: 1 answer(s)" in text
    assert "1 confirmation(s)" in text and "(R5)" in text
    assert "Portfolio: 2 holding(s) (AAPL, GOOG)" in text
    assert "watchlist: TSLA, 0700.HK" in text
    assert "1 of your group posts held for review" in text and "(1 still pending)" in text
    assert "1 question time(s) in 1 chat(s)" in text
    assert "**Kept after /forget, and why**" in text
    assert "1 moderation record(s)" in text and "1 warning(s)" in text and "joined 1 group(s)" in text
    assert "audit log entries under a pseudonym" in text
    assert "insider tip" not in text  # the held post is counted, not repeated


def test_privacy_in_a_group_answers_privately(router: Router) -> None:
    a_member_with_everything(router)
    replies = say(router, "/privacy", kind="group")
    assert [reply.private for reply in replies] == [True] and "AAPL" in replies[0].text


def test_forget_erases_everything_but_the_records_it_names(router: Router) -> None:
    a_member_with_everything(router)
    (done,) = say(router, "/forget")
    assert "deleted your risk profile" in done.text
    (shown,) = say(router, "/privacy")
    before_kept, _, kept = shown.text.partition("**Kept after /forget, and why**")
    assert "Nothing that /forget would delete." in before_kept
    assert "moderation record" in kept and "audit log entries" in kept
    briefs = router.briefs.store  # type: ignore[union-attr]
    assert briefs.get("telegram:7") is None and router.profiles.progress(MEMBER) is None
    assert router.moderation.store.member_records(MEMBER).held == []  # type: ignore[union-attr]
    assert router.moderation.store.strikes("telegram:-100", MEMBER, T0) == 1  # type: ignore[union-attr]
    kinds = [row[2] for row in router.audit.rows()]  # type: ignore[union-attr]
    assert kinds[-1] == "forget"
    assert "nothing to delete" in say(router, "/forget")[0].text


def test_forget_racing_an_answer_and_a_portfolio_write_brings_nothing_back(router: Router,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    say(router, "/portfolio add AAPL 10")
    store = router.markets.portfolios.store  # type: ignore[union-attr]
    answering, answer_may_go = threading.Event(), threading.Event()
    writing, write_may_go = threading.Event(), threading.Event()
    real_answer, real_read = router.advisor.answer, store._read  # type: ignore[attr-defined]

    def blocked_answer(*args: Any, **kwargs: Any) -> Any:
        answering.set()
        assert answer_may_go.wait(10)
        return real_answer(*args, **kwargs)

    def blocked_read(key: str) -> Any:
        found = real_read(key)
        if threading.current_thread().name == "writer":  # the write has read the book; /forget runs now
            writing.set()
            assert write_may_go.wait(10)
        return found

    monkeypatch.setattr(router.advisor, "answer", blocked_answer)
    monkeypatch.setattr(store, "_read", blocked_read)
    results: dict[str, list[Outgoing]] = {}
    threads = [threading.Thread(target=lambda: results.update(answer=say(router, "/ask what is an ETF?",
                                                                         kind="group")), name="asker"),
               threading.Thread(target=lambda: results.update(write=say(router, "/portfolio add GOOG 5")),
                                name="writer")]
    for thread in threads:
        thread.start()
    assert answering.wait(10) and writing.wait(10)
    say(router, "/forget")
    answer_may_go.set()
    write_may_go.set()
    for thread in threads:
        thread.join(10)
    assert results["answer"][0].answer is not None  # the answer itself still went out
    assert "deleted while this change was being made" in results["write"][0].text
    assert store.all(MEMBER) == []  # neither the old AAPL nor the new GOOG
    (shown,) = say(router, "/privacy")
    assert "Nothing that /forget would delete." in shown.text


@pytest.mark.parametrize("answered", [0, 7], ids=["next-question", "last-answer"])
def test_forget_between_a_questionnaire_click_and_its_write_brings_nothing_back(
        router: Router, monkeypatch: pytest.MonkeyPatch, answered: int) -> None:
    replies = say(router, "/profile")
    for _ in range(answered):
        replies = say(router, action=replies[0].buttons[1].action)
    click = replies[0].buttons[1].action
    real_progress = router.profiles.progress
    forgotten = threading.Event()

    def forget_after_reading(user_id: str) -> dict[str, int] | None:
        found = real_progress(user_id)  # the click has read the questionnaire; /forget lands before its write
        if not forgotten.is_set():
            forgotten.set()
            say(router, "/forget")
        return found

    monkeypatch.setattr(router.profiles, "progress", forget_after_reading)
    (reply,) = say(router, action=click)
    monkeypatch.undo()
    assert "expired" in reply.text
    assert router.profiles.progress(MEMBER) is None
    assert router.profiles.get(MEMBER) is None  # the last answer did not turn into a profile after /forget
