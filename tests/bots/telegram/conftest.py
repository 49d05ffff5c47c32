"""Fixtures for the Telegram tests: a router on the bundled research."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore
from knowledge.research import Research


@pytest.fixture
def router(bundled_research: Research, tmp_path: Path) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    advisor = Advisor(bundled_research.retriever, GroundedComposer(), profiles)
    return Router(advisor, profiles, ChatSettingsStore(profiles.engine))
