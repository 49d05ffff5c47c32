"""Fixtures for the Telegram tests: a router on the bundled notes, behind the in-memory retriever, and the real
front-end started against the local fake Bot API server (a test module may override ``router``). The router
moderates every group message, as the app's does."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from bots.telegram.bot import TelegramFrontend
from knowledge.retrieval import Retriever
from tests.bots.telegram.fake_telegram import FakeTelegram


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    advisor = Advisor(notes_retriever, GroundedComposer(), profiles)
    return Router(advisor, profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}),
                  moderation=ModerationCommands(ModerationStore(profiles.engine)))


@pytest.fixture
async def bot(fake: FakeTelegram, router: Router) -> AsyncIterator[TelegramFrontend]:
    frontend = TelegramFrontend(router, fake.token, api_url=fake.url)
    await frontend.start()
    yield frontend
    await frontend.stop()
