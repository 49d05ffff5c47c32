"""Fixtures for the Discord unit tests: a router on the bundled notes and the offline market sample, and a
real ``RoundtableBot`` (cogs added, never connected) whose HTTP side is a ``Recorder``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import discord
import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.market.csvdir import offline_market_data
from advisor.market.desk import QuoteDesk
from advisor.portfolio.holdings import MemoryHoldingsStore
from advisor.portfolio.service import Portfolios
from advisor.profiles import SqlProfileStore
from bots.chat.markets import MarketCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.discord.bot import RoundtableBot
from knowledge.retrieval import Retriever
from tests.bots.discord.fake_discord import FakeDiscord
from tests.bots.discord.recorder import Recorder, offline_bot, record_sends


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    portfolios = Portfolios(MemoryHoldingsStore(), QuoteDesk(offline_market_data()), profiles)
    return Router(Advisor(notes_retriever, GroundedComposer(), profiles), profiles,
                  ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  markets=MarketCommands(portfolios.desk, portfolios))


@pytest.fixture
async def bot(router: Router) -> AsyncIterator[RoundtableBot]:
    client = await offline_bot(router)
    yield client
    # Buttons sent in the test wait for their timeout: stop them with the test.
    views = {item.view for items in client._connection._view_store._views.values() for item in items.values()}
    for view in views:
        if view is not None:
            view.stop()


@pytest.fixture
def sent(bot: RoundtableBot, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Everything the bot sends, recorded (REST calls and interaction webhooks) instead of sent."""
    return record_sends(bot, monkeypatch.setattr)


@pytest.fixture
def discord_fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeDiscord]:
    """A local fake Discord (REST and gateway). Front-ends and senders point discord.py at it through class
    attributes (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY): they are restored after the test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    with FakeDiscord() as server:
        yield server
