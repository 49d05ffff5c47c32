"""Small helpers shared by tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine

from advisor.advisor import Advisor
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from bots.chat.community import Community
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever


class Clock:
    """A clock that stands still until a test moves it: ``Clock(now)()``, ``clock.advance(minutes=10)``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


class Spy:
    """Stands in for Router.handle in front-end tests: records what arrives and answers with ``answers(msg)``."""

    def __init__(self, answers: Callable[[Incoming], Iterable[Outgoing]] = lambda msg: []) -> None:
        self.seen: list[Incoming] = []
        self.answers = answers

    def __call__(self, msg: Incoming) -> list[Outgoing]:
        self.seen.append(msg)
        return list(self.answers(msg))


def community_router(retriever: Callable[[str], Retriever], tmp_path: Path,
                     community: Callable[[Engine, ModerationStore], Community]) -> Router:
    """A group chat's router for community tests: profiles, settings and moderation in one SQLite file under
    ``tmp_path``, the "research" collection only, and the ``Community`` built by ``community(engine, moderation)``
    (strikes and join times come from that moderation store)."""
    profiles = SqlProfileStore.open(f"sqlite:///{tmp_path / 'rt.db'}", Fernet.generate_key())
    moderation = ModerationStore(profiles.engine)
    return Router(Advisor(retriever, GroundedComposer(), profiles), profiles, ChatSettingsStore(profiles.engine),
                  FixedCollections({"research"}), moderation=ModerationCommands(moderation),
                  community=community(profiles.engine, moderation))
