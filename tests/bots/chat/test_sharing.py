"""Portfolio sharing as transcripts through the Router: Alice shares her portfolio in a group (weights only),
Bob follows it and is told privately when she trades, Carol is too new to follow, and /forget erases it all.

Prices come from a fake source whose series the tests move: AAA and BBB are flat (risk R1), CCC swings 4% a day
(risk R5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from advisor.advisor import Advisor
from advisor.audit import SHARING, AuditLog
from advisor.community.sharing import ShareStore
from advisor.composer import GroundedComposer
from advisor.market.desk import QuoteDesk
from advisor.market.fake import FakeMarketData, daily_bars
from advisor.market.pricerisk import PriceRisk
from advisor.portfolio.holdings import SqlHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from advisor.suitability import Profile
from bots.chat.community import Community
from bots.chat.markets import MarketCommands
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.chat.sharing import SharingCommands
from knowledge.retrieval import Retriever

END = date.today()
DAYS = 300
NOW = datetime.now(UTC)
GROUP = "-100"
ALICE, BOB, CAROL = "1", "2", "3"
NAMES = {ALICE: "alice", BOB: "bob", CAROL: "carol"}


def flat(price: float, last: float | None = None) -> list[float]:
    return [price] * (DAYS - 1) + [price if last is None else last]


def swinging() -> list[float]:
    return [100 * (1.04 if day % 2 else 1.0) for day in range(DAYS)]


class Chat:
    def __init__(self, router: Router, market: FakeMarketData, profiles: SqlProfileStore, audit: AuditLog) -> None:
        self.router, self.market, self.profiles, self.audit = router, market, profiles, audit

    def say(self, user: str, text: str, *, private: bool = False, at: datetime = NOW,
            **extra: object) -> list[Outgoing]:
        extra.setdefault("username", NAMES[user])
        return self.router.handle(Incoming(
            "telegram", user if private else GROUP, "private" if private else "group", user,
            f"{NAMES[user].title()} Example", text, received_at=at, **extra))  # type: ignore[arg-type]

    def one(self, user: str, text: str, **extra: object) -> str:
        [reply] = self.say(user, text, **extra)
        return reply.text

    def price(self, symbol: str, last: float) -> None:
        """The latest close of a flat symbol moves to ``last``."""
        first = self.market.series[symbol][0].close
        self.market.series[symbol] = daily_bars(flat(first, last), END)


@pytest.fixture
def chat(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Chat:
    market = FakeMarketData({"AAA": daily_bars(flat(100.0), END), "BBB": daily_bars(flat(50.0), END),
                             "CCC": daily_bars(swinging(), END), "SPY": daily_bars(flat(400.0), END),
                             "BTC-USD": daily_bars(flat(30000.0), END)})
    key = Fernet.generate_key()
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", key)
    desk = QuoteDesk(market, PriceRisk(market))
    portfolios = Portfolios(SqlHoldingsStore(profiles.engine, key), desk, profiles)
    moderation = ModerationStore(profiles.engine)
    audit = AuditLog.open(f"sqlite:///{tmp_path / 'rt.db'}", key)
    router = Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                    ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                    markets=MarketCommands(desk, portfolios), moderation=ModerationCommands(moderation),
                    community=Community(sharing=SharingCommands(ShareStore(profiles.engine), portfolios,
                                                                moderation=moderation, audit=audit)))
    return Chat(router, market, profiles, audit)


def alice_shares(chat: Chat) -> str:
    """Alice holds 6 AAA (600) and 8 BBB (400) privately, then shares: 60% / 40%."""
    chat.say(ALICE, "/portfolio add AAA 6 90", private=True)
    chat.say(ALICE, "/portfolio add BBB 8 45", private=True)
    return chat.one(ALICE, "/portfolio share")


def test_sharing_publishes_symbols_and_weights_never_amounts(chat: Chat) -> None:
    shared = alice_shares(chat)
    assert shared.startswith("**@alice shared their portfolio** (weights only, never amounts)")
    assert "AAA 60.0%\nBBB 40.0%" in shared and "Risk class: R1" in shared
    assert "source: fake" in shared and "Following is not advice" in shared and "Not investment advice" in shared
    body = "\n".join(line for line in shared.splitlines() if not line.startswith("Prices as of"))
    for private in ("600", "400", " 6 ", " 8 ", "90", "45"):  # quantities, values and prices paid stay private
        assert private not in body
    assert "already share" in chat.one(ALICE, "/portfolio share")


def test_a_crypto_holding_makes_the_shared_portfolio_r5_whatever_its_history(chat: Chat) -> None:
    chat.say(ALICE, "/portfolio add AAA 9", private=True)
    chat.say(ALICE, "/portfolio add BTC-USD 0.01", private=True)  # 300 of 1200, flat prices: measured R1
    shared = chat.one(ALICE, "/portfolio share")
    assert "AAA 75.0%\nBTC-USD 25.0%" in shared
    assert "Risk class: R5: it holds BTC-USD, R5 whatever the price history says" in shared
    chat.profiles.save(Profile(f"telegram:{BOB}", "C4"))
    assert "risk class R5 is above your risk profile C4" in chat.one(BOB, "/follow @alice")


def test_view_shows_weights_risk_and_return_since_shared(chat: Chat) -> None:
    alice_shares(chat)
    chat.price("AAA", 110.0)  # +10% on a 60% weight: the index is up 6%
    view = chat.one(BOB, "/portfolio view @Alice")  # the handle matches whatever its case, with or without @
    assert view.startswith("**@alice's shared portfolio**")
    assert "Return since shared" in view and "+6.0%" in view
    assert f"AAA {660 / 1060:.1%}" in view  # weights moved with prices since publishing
    assert "source: fake" in view and "Past performance does not guarantee future results" in view
    mentioned = chat.one(BOB, "/portfolio view Alice Example", mentioned=(ALICE,))  # a text mention carries her id
    assert mentioned.startswith("**@alice's shared portfolio**")
    assert "does not share a portfolio" in chat.one(BOB, "/portfolio view @carol")
    assert "in the group" in chat.one(BOB, "/portfolio view @alice", private=True)
    # A member without a username is named by their display name, spaces and all.
    chat.say(CAROL, "/portfolio add BBB 1", private=True, username="")
    assert chat.one(CAROL, "/portfolio share", username="").startswith("**Carol Example shared their portfolio**")
    assert chat.one(BOB, "/portfolio view carol example").startswith("**Carol Example's shared portfolio**")


def test_sharing_an_empty_portfolio_is_refused(chat: Chat) -> None:
    [reply] = chat.say(ALICE, "/portfolio share")
    assert "Your portfolio is empty, so there is nothing to share" in reply.text
    assert reply.buttons[0].deep_link == "portfolio"
    assert "does not share" in chat.one(BOB, "/portfolio view @alice")
    assert "send /portfolio share in the group" in chat.one(ALICE, "/portfolio share", private=True)


def test_follow_is_private_and_states_the_followers_own_suitability(chat: Chat) -> None:
    alice_shares(chat)
    chat.profiles.save(Profile(f"telegram:{BOB}", "C1"))
    chat.say(ALICE, "/portfolio add CCC 20", private=True)  # 2000 of a swinging stock: now R5, published
    [followed] = chat.say(BOB, "/follow @alice")
    assert followed.private and followed.private_fallback  # Bob's profile never reaches the group
    assert "You now follow **@alice**'s shared portfolio" in followed.text
    assert "more than 10 percentage points" in followed.text
    assert "**Warning:** this portfolio's risk class R5 is above your risk profile C1" in followed.text
    assert "Following is not advice" in followed.text
    assert "You still follow" in chat.one(BOB, "/follow @alice 5")


def test_bad_follows_are_refused_with_a_reason(chat: Chat) -> None:
    alice_shares(chat)
    assert "can't follow your own portfolio" in chat.one(ALICE, "/follow @alice")
    assert "can't follow your own portfolio" in chat.one(BOB, "/follow @bob")  # not sharing, but still himself
    assert "@carol does not share a portfolio in this group" in chat.one(BOB, "/follow @carol")
    assert chat.one(BOB, "/follow").startswith("Usage: /follow @member")
    assert chat.one(BOB, "/follow @alice 80").startswith("Usage: /follow @member")  # 1 to 50 points
    chat.router.member_joined(f"telegram:{GROUP}", CAROL, NOW - timedelta(hours=2))
    assert "after their first 24 hours" in chat.one(CAROL, "/follow @alice")
    later = chat.say(CAROL, "/follow @alice", at=NOW + timedelta(hours=23))  # 25 hours after she joined
    assert "You now follow" in later[0].text
    [_, told] = chat.say(ALICE, "/portfolio unshare")
    assert told.recipient == CAROL
    assert "stopped sharing" in chat.one(BOB, "/follow @alice")


def trade(chat: Chat, text: str) -> tuple[list[Outgoing], list[Outgoing]]:
    """Alice changes her holdings privately: (her own replies, the notes to other members)."""
    replies = chat.say(ALICE, text, private=True)
    return [r for r in replies if not r.recipient], [r for r in replies if r.recipient]


def test_followers_are_told_privately_when_weights_change_beyond_their_threshold(chat: Chat) -> None:
    alice_shares(chat)
    chat.profiles.save(Profile(f"telegram:{BOB}", "C3"))
    chat.say(BOB, "/follow @alice")
    # A small top-up (60/40 -> 61.5/38.5) is below 10 points: nobody is told, nothing is republished.
    own, notes = trade(chat, "/portfolio add AAA 0.4")
    assert notes == [] and own[0].text.startswith("Merged into your AAA holding")
    own, notes = trade(chat, "/portfolio add CCC 10")  # 1040 of CCC: AAA 30.8%, BBB 19.2%, CCC 50.0%
    [note] = notes
    assert note.recipient == BOB and note.private
    assert note.text.startswith("**@alice changed the shared portfolio you follow**")
    assert "CCC: new, 50.0%" in note.text and "AAA: 60.0% → 30.8%" in note.text  # the top-up was never published
    assert "**Warning:** this portfolio's risk class R5 is above your risk profile C3" in note.text
    assert "Following is not advice" in note.text and "Not investment advice" in note.text
    assert note.buttons[0].action == f"share:u:telegram:{GROUP}:{ALICE}"
    assert "1 follower(s) were told privately" in own[-1].text
    # The Unfollow button under the note works from Bob's private chat.
    [done] = chat.router.handle(Incoming("telegram", BOB, "private", BOB, "Bob", "", action=note.buttons[0].action))
    assert "no longer follow" in done.text
    assert trade(chat, "/portfolio remove CCC")[1] == []


def test_price_moves_alone_never_notify(chat: Chat) -> None:
    alice_shares(chat)
    chat.say(BOB, "/follow @alice 2")  # Bob wants to hear about any change over 2 points
    chat.price("AAA", 150.0)  # 900 / 1300: AAA drifts from 60% to 69.2% without a trade
    assert trade(chat, "/portfolio add BBB 0.1")[1] == []  # what Alice holds is what a copier holds: no change
    [note] = trade(chat, "/portfolio add BBB 4")[1]  # a real trade: 605 of 1505, BBB from 30.8% to 40.2%
    assert "BBB: 30.8% → 40.2%" in note.text


def test_thresholds_are_per_follower_and_small_changes_add_up(chat: Chat) -> None:
    alice_shares(chat)
    chat.say(BOB, "/follow @alice 5")
    chat.router.member_joined(f"telegram:{GROUP}", CAROL, NOW - timedelta(days=3))
    chat.say(CAROL, "/follow @alice")  # the default 10 points
    [first] = trade(chat, "/portfolio add BBB 3")[1]  # BBB 400 -> 550 of 1150: 40% -> 47.8%, 7.8 points
    assert first.recipient == BOB
    [second, third] = trade(chat, "/portfolio add BBB 3")[1]  # 700 of 1300: 6 more points, 13.8 since Carol's
    assert {second.recipient, third.recipient} == {BOB, CAROL}
    assert "BBB: 47.8% → 53.8%" in next(n.text for n in (second, third) if n.recipient == BOB)
    assert "BBB: 40.0% → 53.8%" in next(n.text for n in (second, third) if n.recipient == CAROL)


def test_unsharing_and_emptying_the_book_end_the_follows(chat: Chat) -> None:
    alice_shares(chat)
    chat.say(BOB, "/follow @alice")
    [done, note] = chat.say(ALICE, "/portfolio unshare")
    assert "no longer shared here" in done.text and note.recipient == BOB and "stopped sharing" in note.text
    assert "does not share" in chat.one(BOB, "/portfolio view @alice")
    assert "don't share a portfolio here" in chat.one(ALICE, "/portfolio unshare")
    chat.one(ALICE, "/portfolio share")
    chat.say(BOB, "/follow @alice")
    replies = chat.router.handle(Incoming("telegram", ALICE, "private", ALICE, "Alice", "", action="portfolio:clear"))
    assert replies[0].text == "Done: 2 holdings deleted."
    assert any(r.recipient == BOB and "portfolio is empty now" in r.text for r in replies)
    assert "no longer shared in 1 group(s)" in replies[-1].text
    assert "does not share" in chat.one(BOB, "/portfolio view @alice")


def test_forget_erases_shares_and_follows(chat: Chat) -> None:
    alice_shares(chat)
    chat.say(BOB, "/follow @alice")
    assert "Your portfolio shared in 1 group(s)" in chat.one(ALICE, "/privacy", private=True)
    assert "You follow 1 shared portfolio(s)" in chat.one(BOB, "/privacy", private=True)
    chat.one(BOB, "/forget", private=True)
    assert "You follow" not in chat.one(BOB, "/privacy", private=True)
    assert "don't follow" in chat.one(BOB, "/unfollow @alice")
    chat.say(CAROL, "/follow @alice")
    done, note = chat.say(ALICE, "/forget", private=True)  # her follower is told, as after an unshare
    assert "Done: I deleted" in done.text and "shared portfolios" in done.text
    assert note.recipient == CAROL and note.private and "@alice" in note.text and "stopped sharing" in note.text
    assert "Your portfolio shared" not in chat.one(ALICE, "/privacy", private=True)
    assert "does not share" in chat.one(BOB, "/portfolio view @alice")


def test_the_audit_log_records_consent_and_follows_without_weights(chat: Chat) -> None:
    alice_shares(chat)
    chat.say(BOB, "/follow @alice 5")
    [note] = trade(chat, "/portfolio import\nsymbol,quantity,cost,date\nCCC,10,,")[1]  # an import publishes too
    assert note.recipient == BOB
    chat.say(BOB, "/unfollow @alice")
    chat.say(ALICE, "/portfolio unshare")
    with chat.audit.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings().all()
    recorded = [json.loads(row["data"]) for row in rows if row["kind"] == SHARING]
    assert [entry["action"] for entry in recorded] == ["share", "follow", "republish", "unfollow", "unshare"]
    assert recorded[1] == {"action": "follow", "threshold_bp": 500}  # integers only: the log refuses floats
    assert recorded[2] == {"action": "republish", "symbols": 3, "notes": 1}
    stored = " ".join(str(cell) for row in rows for cell in row.values())
    assert not any(symbol in stored for symbol in ("AAA", "BBB", "CCC"))  # consent is recorded, holdings are not


def test_a_failing_share_store_never_loses_the_private_reply(chat: Chat, monkeypatch: pytest.MonkeyPatch) -> None:
    alice_shares(chat)
    assert chat.router.community.sharing is not None

    def unavailable(_user_key: str) -> list[object]:
        raise OperationalError("SELECT", {}, Exception("database is locked"))

    monkeypatch.setattr(chat.router.community.sharing.store, "shares_of", unavailable)
    [reply] = chat.say(ALICE, "/portfolio add CCC 10", private=True)
    assert reply.text == "Added 10 CCC."
