"""The composition root: settings -> research -> profiles -> advisor. Built once, passed to front-ends."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.advisor import Advisor, Rephraser
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore, load_or_create_key
from bots.app.settings import Settings
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore
from knowledge.errors import UserError
from knowledge.research import Research


@dataclass
class App:
    settings: Settings
    research: Research
    profiles: SqlProfileStore
    advisor: Advisor
    router: Router


def open_research(settings: Settings) -> Research:
    return Research.open(settings.home, settings.chroma_url, max_bytes=settings.max_file_bytes)


def open_profiles(settings: Settings) -> SqlProfileStore:
    settings.home.mkdir(parents=True, exist_ok=True)
    key = (settings.secret_key.get_secret_value().encode() if settings.secret_key
           else load_or_create_key(settings.home / "secret.key"))
    try:
        return SqlProfileStore.open(settings.sqlalchemy_url, key)
    except ValueError as exc:
        raise UserError(f"Cannot open the profile store: {exc}. ROUNDTABLE_SECRET_KEY must be a Fernet key "
                        "(44 url-safe base64 characters).") from exc


def build_app(settings: Settings, research: Research | None = None) -> App:
    research = research or open_research(settings)
    profiles = open_profiles(settings)
    rephraser: Rephraser | None = None
    if settings.llm:
        from advisor.model import ModelRephraser, load_chat_model

        rephraser = ModelRephraser(load_chat_model(settings.llm), research.embedder, settings.llm_timeout)
    advisor = Advisor(research.retriever, GroundedComposer(), profiles,
                      collection=settings.collection, rephraser=rephraser)
    router = Router(advisor, profiles, ChatSettingsStore(profiles.engine))
    return App(settings, research, profiles, advisor, router)
