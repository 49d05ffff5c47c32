"""Fixtures for the Telegram tests: a router on the bundled notes, behind the in-memory retriever."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever


@pytest.fixture
def router(notes_retriever: Callable[[str], Retriever], tmp_path: Path) -> Router:
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    advisor = Advisor(notes_retriever, GroundedComposer(), profiles)
    return Router(advisor, profiles, ChatSettingsStore(profiles.engine), FixedCollections({"research"}))
