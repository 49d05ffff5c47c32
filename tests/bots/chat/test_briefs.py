"""The /brief commands as transcripts: admins shape a group's morning briefing, members look at it, bad input
changes nothing, and /brief now composes one on the spot (offline market data, the bundled notes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.briefing.store import SqlBriefingStore
from advisor.briefing.subscription import MAX_WATCHLIST, Subscription
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.profiles import SqlProfileStore
from bots.chat.briefs import BriefCommands
from bots.chat.messages import Incoming, Outgoing
from bots.chat.router import Router, needs_admin
from bots.chat.settings import ChatSettings, ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

NOW = datetime(2018, 4, 12, 12, 45, tzinfo=UTC)  # 08:45 in New York, the morning after the offline sample ends


class Refreshes(list[str]):
    """The scheduler's refresh hook, recording which chats it was told about."""

    def __call__(self, chat_key: str) -> None:
        self.append(chat_key)


@pytest.fixture
def refreshes() -> Refreshes:
    return Refreshes()


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, refreshes: Refreshes) -> Router:
    from advisor.briefing.compose import BriefingComposer
    from jobs.briefings import Briefings

    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    chat_settings = ChatSettingsStore(profiles.engine)
    store = SqlBriefingStore(profiles.engine)
    briefings = Briefings(store, offline_market_data(), BriefingComposer(notes_retriever("research")),
                          lambda key: chat_settings.get(key).language or "en")
    briefs = BriefCommands(store, briefings, refresh=refreshes, clock=lambda: NOW)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles, chat_settings,
                  FixedCollections({"research"}), briefs=briefs)


def say(router: Router, text: str, *, admin: bool | None = True, kind: str = "group",
        chat: str = "-100") -> str:
    replies: list[Outgoing] = router.handle(Incoming("telegram", chat if kind == "group" else "7",
                                                     kind, "7", "ann", text, is_admin=admin))  # type: ignore[arg-type]
    assert len(replies) == 1
    return replies[0].text


def subscription(router: Router, chat: str = "telegram:-100") -> Subscription | None:
    assert router.briefs is not None
    return router.briefs.store.get(chat)


def test_brief_alone_explains_every_subcommand(router: Router) -> None:
    text = say(router, "/brief")
    for usage in ("/brief on [HH:MM] [TIMEZONE] [DAYS]", "/brief off", "/brief now", "/brief watch SYMBOL",
                  "/brief unwatch", "/brief market US|HK|CN|UK|EU", "/brief chart on|off", "/brief show"):
        assert usage in text
    assert "/brief — a morning market briefing" in say(router, "/help")


def test_on_uses_the_defaults_in_the_markets_own_zone(router: Router, refreshes: Refreshes) -> None:
    text = say(router, "/brief on")
    assert "briefing: on, 08:30 America/New_York, mon-fri" in text and "market: US" in text
    sub = subscription(router)
    assert sub is not None and (sub.time, sub.timezone, sub.days, sub.market, sub.enabled) == (
        time(8, 30), "", frozenset(range(5)), "US", True)
    assert refreshes == ["telegram:-100"]  # the scheduler hears of it at once


def test_on_takes_time_zone_and_days_in_any_order(router: Router) -> None:
    assert "07:45 Europe/London, mon,wed,fri" in say(router, "/brief on mon,wed,fri Europe/London 07:45")
    assert "briefing: on, 07:45 Europe/London, daily" in say(router, "/brief on daily")  # the rest is kept
    say(router, "/brief market HK")
    assert "07:45 Europe/London" in say(router, "/brief show")  # a zone someone chose stays chosen


def test_a_market_moves_the_default_zone_with_it(router: Router) -> None:
    say(router, "/brief on")
    text = say(router, "/brief market hk")
    assert "08:30 Asia/Hong_Kong" in text and "market: HK (Hong Kong stocks)" in text


@pytest.mark.parametrize(("command", "complaint"), [
    ("/brief on 25:00", "'25:00' is not a time of day"),
    ("/brief on 08:30 Mars/Olympus", "'Mars/Olympus' is not a time zone I know"),
    ("/brief on 08:30 someday", "'someday' is not a time zone I know"),
    ("/brief on 08:30 UTC mon-fri extra", "Usage: /brief on [HH:MM] [TIMEZONE] [DAYS]"),
    ("/brief market MARS", "I don't know the market 'MARS'. Choose one of US, HK, CN, UK, EU."),
    ("/brief market", "Usage: /brief market US|HK|CN|UK|EU"),
    ("/brief chart maybe", "Usage: /brief chart on|off."),
    ("/brief unwatch", "The watchlist is already empty."),
    ("/brief watch", "Usage: /brief watch SYMBOL..."),
    ("/brief watch AAPL <b>x</b>", "Nothing changed:"),
    ("/brief off", "The briefing is already off here."),
])
def test_bad_input_says_why_and_saves_nothing(router: Router, refreshes: Refreshes, command: str,
                                              complaint: str) -> None:
    assert complaint in say(router, command)
    assert subscription(router) is None and refreshes == []


def test_only_admins_change_a_groups_briefing_but_anyone_may_look(router: Router) -> None:
    assert "Only group admins can change the briefing" in say(router, "/brief on 07:00", admin=False)
    assert "Only group admins" in say(router, "/brief watch AAPL", admin=None)  # unknown is not an admin
    assert subscription(router) is None
    assert "No briefing is set up for this chat" in say(router, "/brief show", admin=False)
    say(router, "/brief on 07:00")
    assert "briefing: on, 07:00 America/New_York" in say(router, "/brief show", admin=False)
    assert "Only group admins" in say(router, "/brief off", admin=False)
    # A private chat belongs to its member, whatever the platform says about admins.
    assert "briefing: on" in say(router, "/brief on", admin=False, kind="private")


def test_watch_adds_unwatch_removes_and_clears(router: Router) -> None:
    say(router, "/brief on")
    assert "watchlist: AAPL, 0700.HK" in say(router, "/brief watch $aapl 700.hk")
    assert "watchlist: AAPL, 0700.HK, MSFT" in say(router, "/brief watch aapl, MSFT")  # no duplicates
    assert "Nothing changed: TSLA is not on the watchlist" in say(router, "/brief unwatch TSLA")
    assert "watchlist: AAPL, MSFT" in say(router, "/brief unwatch 0700.HK")
    assert "watchlist: empty" in say(router, "/brief unwatch")
    assert "already empty" in say(router, "/brief unwatch")


def test_a_watchlist_is_capped(router: Router) -> None:
    symbols = [f"S{n}" for n in range(MAX_WATCHLIST - 1)]
    say(router, "/brief watch " + " ".join(symbols))
    text = say(router, "/brief watch AAPL MSFT")
    assert f"A watchlist holds at most {MAX_WATCHLIST} symbols; this one has {MAX_WATCHLIST - 1}" in text
    sub = subscription(router)
    assert sub is not None and sub.watchlist == tuple(symbols)


def test_changes_before_on_are_kept_but_do_not_start_it(router: Router) -> None:
    text = say(router, "/brief watch AAPL")
    assert "The briefing is off here: /brief on starts it." in text
    sub = subscription(router)
    assert sub is not None and not sub.enabled and sub.watchlist == ("AAPL",)
    assert "briefing: on" in say(router, "/brief on") and "watchlist: AAPL" in say(router, "/brief show")


def test_off_keeps_the_settings_for_the_next_on(router: Router) -> None:
    say(router, "/brief on 07:15 Asia/Shanghai")
    say(router, "/brief chart on")
    assert "The briefing is off" in say(router, "/brief off")
    sub = subscription(router)
    assert sub is not None and not sub.enabled and sub.chart
    assert "briefing: on, 07:15 Asia/Shanghai" in say(router, "/brief on")


def test_now_composes_a_briefing_with_offline_data(router: Router) -> None:
    say(router, "/brief watch AAPL")
    text = say(router, "/brief now", admin=False)  # anyone may ask
    assert "AAPL" in text and "172.44" in text  # the sample's last close, 2018-04-11
    assert "unavailable" in text.lower()  # the sample has no index data: said, never shown as 0
    assert "Not investment advice" in text
    assert router.briefs is not None and router.briefs.store.sends() == []  # /brief now is not the scheduled one


def test_now_in_the_chats_language(router: Router) -> None:
    router.chat_settings.save(ChatSettings("telegram:-100", language="zh"))
    assert "不构成投资建议" in say(router, "/brief now")


def test_removal_and_migration_take_the_subscription_along(router: Router, refreshes: Refreshes) -> None:
    say(router, "/brief on 07:00")
    router.chat_migrated("telegram:-100", "telegram:-1009")
    assert subscription(router) is None
    moved = subscription(router, "telegram:-1009")
    assert moved is not None and moved.time == time(7, 0)
    router.chat_removed("telegram:-1009")
    assert subscription(router, "telegram:-1009") is None
    assert refreshes[-3:] == ["telegram:-100", "telegram:-1009", "telegram:-1009"]


def test_front_ends_look_up_admins_only_for_changes() -> None:
    assert needs_admin("/brief on 07:00") and needs_admin("/brief WATCH AAPL") and needs_admin("/settings quota 5")
    assert not needs_admin("/brief show") and not needs_admin("/brief now") and not needs_admin("/brief")
