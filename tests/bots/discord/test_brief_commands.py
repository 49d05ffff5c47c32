"""/brief on Discord: the slash command group as Discord registers it, and transcripts of members and admins using it
(real ``discord.Interaction`` objects from a captured INTERACTION_CREATE; what the bot sends is recorded)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.briefing.compose import BriefingComposer
from advisor.briefing.markets import MARKETS
from advisor.briefing.store import SqlBriefingStore
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.profiles import SqlProfileStore
from bots.chat.briefs import BriefCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.discord.bot import RoundtableBot
from bots.discord.brief_commands import BriefCog
from jobs.briefings import Briefings
from knowledge.retrieval import Retriever
from tests.bots.discord.payloads import ALICE, BOB, CHANNEL, MEMBER_PERMISSIONS, command
from tests.bots.discord.recorder import Recorder

CHAT_KEY = f"discord:{CHANNEL}"
NOW = datetime(2018, 4, 12, 12, 30, tzinfo=UTC)  # a Thursday, 08:30 in New York: inside the offline sample
ADMINISTRATOR_ONLY = str(discord.Permissions(administrator=True, send_messages=True).value)


@pytest.fixture
def store(tmp_path: Path) -> SqlBriefingStore:
    return SqlBriefingStore(SqlProfileStore.open(f"sqlite:///{tmp_path / 'briefs.db'}", Fernet.generate_key()).engine)


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path, store: SqlBriefingStore) -> Router:
    """The conftest's router, with /brief behind it (offline market data, a fixed clock for /brief now)."""
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    briefings = Briefings(store, offline_market_data(), BriefingComposer(notes_retriever("research")),
                          lambda key: "en")
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                  ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  briefs=BriefCommands(store, briefings, clock=lambda: NOW))


def cog(bot: RoundtableBot) -> BriefCog:
    found = bot.get_cog("BriefCog")
    assert isinstance(found, BriefCog)
    return found


async def brief(bot: RoundtableBot, subcommand: str, options: dict[str, Any] | None = None, *, member: int = ALICE,
                permissions: str | None = None, in_guild: bool = True) -> None:
    """``/brief subcommand options`` from ``member``, dispatched by the command tree as Discord's event is."""
    extra = {"permissions": permissions} if permissions is not None else {}
    interaction = command(bot._connection, "brief", options, subcommand=subcommand, member=member,
                          member_name="member", in_guild=in_guild, **extra)
    await bot.tree._call(interaction)


# -- registration -------------------------------------------------------------------------------------------


async def test_brief_is_open_to_everyone_with_typed_sub_commands(bot: RoundtableBot) -> None:
    payload = cog(bot).brief.to_dict(bot.tree)
    assert payload["default_member_permissions"] is None  # show and now are for every member
    subcommands = {sub["name"]: sub for sub in payload["options"]}
    assert set(subcommands) == {"on", "off", "now", "show", "watch", "unwatch", "market", "chart"}
    assert all(sub["description"].strip() for sub in subcommands.values())
    on = {option["name"]: option for option in subcommands["on"]["options"]}
    assert set(on) == {"time", "timezone", "days"} and not any(option["required"] for option in on.values())
    (market,) = subcommands["market"]["options"]
    assert [choice["value"] for choice in market["choices"]] == list(MARKETS) and market["required"]
    (chart,) = subcommands["chart"]["options"]
    assert [choice["value"] for choice in chart["choices"]] == ["on", "off"]
    assert subcommands["watch"]["options"][0]["required"] and not subcommands["unwatch"]["options"][0]["required"]


# -- members and admins --------------------------------------------------------------------------------------


async def test_a_member_can_look_but_only_manage_server_changes_the_briefing(
        bot: RoundtableBot, sent: Recorder, store: SqlBriefingStore) -> None:
    await brief(bot, "show", member=BOB, permissions=MEMBER_PERMISSIONS)
    await brief(bot, "on", {"time": "07:45"}, member=BOB, permissions=MEMBER_PERMISSIONS)
    assert store.get(CHAT_KEY) is None
    await brief(bot, "on", {"time": "07:45", "timezone": "Europe/London", "days": "mon, wed, fri"})  # an admin

    shown, refused, saved = sent.messages()
    assert shown.content.startswith("No briefing is set up for this chat.")
    assert refused.content.startswith("Only group admins can change the briefing.")
    assert saved.content.startswith("Saved.") and "07:45 Europe/London" in saved.content
    assert not any(message.ephemeral for message in (shown, refused, saved))  # the channel's briefing: public
    subscription = store.get(CHAT_KEY)
    assert subscription is not None and subscription.enabled and subscription.days == frozenset({0, 2, 4})


async def test_the_administrator_permission_alone_is_enough(bot: RoundtableBot, sent: Recorder,
                                                            store: SqlBriefingStore) -> None:
    await brief(bot, "market", {"market": "HK"}, member=BOB, permissions=ADMINISTRATOR_ONLY)
    (saved,) = sent.messages()
    subscription = store.get(CHAT_KEY)
    assert saved.content.startswith("Saved.") and subscription is not None and subscription.market == "HK"


async def test_watch_chart_unwatch_and_off_reach_the_router_as_typed(bot: RoundtableBot, sent: Recorder,
                                                                    store: SqlBriefingStore) -> None:
    await brief(bot, "on")
    await brief(bot, "watch", {"symbols": "AAPL msft"})
    await brief(bot, "chart", {"chart": "on"})
    await brief(bot, "unwatch", {"symbols": "AAPL"})
    subscription = store.get(CHAT_KEY)
    assert subscription is not None and subscription.watchlist == ("MSFT",) and subscription.chart
    await brief(bot, "unwatch")  # no symbols: the whole watchlist goes
    await brief(bot, "off")
    subscription = store.get(CHAT_KEY)
    assert subscription is not None and subscription.watchlist == () and not subscription.enabled
    assert [message.content.split("\n")[0] for message in sent.messages()] == [
        "Saved.", "Saved.", "Saved.", "Saved.", "Saved.",
        "The briefing is off. Its settings are kept: /brief on starts it again."]


async def test_bad_input_is_explained_and_changes_nothing(bot: RoundtableBot, sent: Recorder,
                                                         store: SqlBriefingStore) -> None:
    await brief(bot, "on", {"time": "25:00"})
    await brief(bot, "on", {"timezone": "Mars/Olympus"})
    too_late, nowhere = sent.messages()
    assert too_late.content == "'25:00' is not a time of day; use 24-hour HH:MM, e.g. 08:30."
    assert "Mars/Olympus" in nowhere.content
    assert store.get(CHAT_KEY) is None


async def test_brief_now_posts_a_briefing_with_sources_and_times(bot: RoundtableBot, sent: Recorder,
                                                                 store: SqlBriefingStore) -> None:
    await brief(bot, "watch", {"symbols": "AAPL"})
    await brief(bot, "now", member=BOB, permissions=MEMBER_PERMISSIONS)  # anyone may ask for one
    briefing = sent.messages()[-1]
    text = briefing.text()
    assert not briefing.ephemeral and text.startswith("**US stocks briefing** · 2018-04-12")
    assert "**Watchlist movers**\n**AAPL** " in text and "Data: offline sample, as of 2018-04-11" in text
    assert "**S&P 500**: data unavailable" in text  # the offline sample has no indices: said, not invented
    assert store.sends(CHAT_KEY) == []  # separate from the scheduled briefing: the ledger is untouched


async def test_in_a_dm_the_briefing_belongs_to_the_member(bot: RoundtableBot, sent: Recorder,
                                                          store: SqlBriefingStore) -> None:
    await brief(bot, "on", {"time": "06:00"}, member=BOB, permissions=MEMBER_PERMISSIONS, in_guild=False)
    (saved,) = sent.messages()
    subscription = store.get(CHAT_KEY)  # a DM's channel
    assert saved.content.startswith("Saved.") and subscription is not None and subscription.time.hour == 6
