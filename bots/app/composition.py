"""The composition root: settings -> research -> profiles -> market data -> advisor -> router. Built once,
passed to front-ends."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from advisor.advisor import Advisor, Rephraser
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.vetting import Vetting, vet
from bots.app.settings import Settings
from bots.app.stores import Markets, open_markets, open_profiles
from bots.chat.markets import MarketCommands
from bots.chat.router import Router
from bots.chat.settings import Approval, ApprovalStore, ApprovedCollections, ChatSettingsStore
from knowledge.documents import BUNDLED_CORPUS
from knowledge.errors import CollectionNotFoundError
from knowledge.research import Research

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    research: Research
    profiles: SqlProfileStore
    advisor: Advisor
    router: Router
    approvals: ApprovalStore
    markets: Markets


def open_research(settings: Settings) -> Research:
    return Research.open(settings.home, settings.chroma_url, max_bytes=settings.max_file_bytes)


def build_app(settings: Settings, research: Research | None = None) -> App:
    research = research or open_research(settings)
    profiles = open_profiles(settings)
    markets = open_markets(settings, profiles)
    rephraser: Rephraser | None = None
    if settings.llm:
        from advisor.model import ModelRephraser, load_chat_model

        rephraser = ModelRephraser(load_chat_model(settings.llm), research.embedder, settings.llm_timeout)
    advisor = Advisor(research.retriever, GroundedComposer(), profiles,
                      collection=settings.collection, rephraser=rephraser, price_risk=markets.desk.price_risk)
    approvals = ApprovalStore(profiles.engine)
    router = Router(advisor, profiles, ChatSettingsStore(profiles.engine),
                    ApprovedCollections(approvals, lambda name: revision_of(research, name)),
                    markets=MarketCommands(markets.desk, markets.portfolios))
    return App(settings, research, profiles, advisor, router, approvals, markets)


def revision_of(research: Research, name: str) -> str | None:
    """A collection's current revision, or None when there is no such collection."""
    store = research.store(name)
    return store.revision() if store.exists() else None


def approve_collection(app_: App, name: str) -> tuple[Vetting, Approval]:
    """Screen every chunk of ``name`` with the compliance guard and record the operator's approval."""
    store = app_.research.store(name)
    if not store.exists():
        raise CollectionNotFoundError(name, app_.research.collection_names())
    revision = store.revision()
    vetting = vet(store.chunks())
    approval = app_.approvals.approve(name, revision, vetting.sentences, len(vetting.flags))
    log.info("collection %s approved at revision %s (%d of %d sentences would be blocked)",
             name, revision, len(vetting.flags), vetting.sentences)
    return vetting, approval


def approve_bundled(app_: App, name: str) -> bool:
    """The bundled notes are approved on first load: when ``name`` holds only them and its approval is not
    current, vet and approve it. Anything an operator ingested into it keeps it waiting for
    ``roundtable corpus approve``. True when an approval was recorded."""
    store = app_.research.store(name)
    if not store.exists() or app_.router.collections.is_approved(name):
        return False
    bundled = str(BUNDLED_CORPUS.resolve())
    states = store.doc_states()
    if not states or any(state.origin != bundled for state in states.values()):
        return False
    approve_collection(app_, name)
    return True
