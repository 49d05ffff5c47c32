"""The composition root: settings -> research -> profiles -> market data -> advisor and briefings -> router.
Built once, passed to front-ends (and, for briefings, to the scheduler)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.advisor import Advisor, Rephraser
from advisor.audit import AuditLog
from advisor.community.feedback import FeedbackStore
from advisor.community.pointstore import PointsStore
from advisor.community.records import RecordStore
from advisor.community.sharing import ShareStore
from advisor.composer import GroundedComposer
from advisor.profiles import SqlProfileStore
from advisor.quiz.generate import bundled_questions
from advisor.quiz.progress import QuizStore
from advisor.report.activity import ActivityRecorder
from advisor.vetting import Vetting, vet
from bots.app.settings import Settings
from bots.app.stores import Markets, key_ring, open_briefing_store, open_market_data, open_markets, open_profiles
from bots.chat.briefs import BriefCommands
from bots.chat.community import Community
from bots.chat.feedback import FeedbackCommands
from bots.chat.leaderboard import LeaderboardCommands
from bots.chat.markets import MarketCommands
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.mood import MoodCommands
from bots.chat.points import PointsCommands
from bots.chat.quiz import QuizCommands
from bots.chat.router import Router
from bots.chat.settings import Approval, ApprovalStore, ApprovedCollections, ChatSettingsStore
from bots.chat.sharing import SharingCommands
from knowledge.documents import BUNDLED_CORPUS
from knowledge.errors import CollectionNotFoundError
from knowledge.research import Research
from knowledge.retrieval import Hit

if TYPE_CHECKING:
    from advisor.market.data import MarketData
    from jobs.briefings import Briefings
    from jobs.delivery import BriefingSender

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
    briefings: Briefings
    # The briefing senders of the running front-ends, filled in by `serve` once they are up; the briefings
    # service reads this very mapping, so a front-end that connects later is used from then on.
    senders: dict[str, BriefingSender]
    audit: AuditLog | None = None  # the compliance record every part of the chat writes to
    activity: ActivityRecorder | None = None  # hourly message counts for `roundtable report`: close() at shutdown


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
    chat_settings = ChatSettingsStore(profiles.engine)
    audit = open_audit(settings)
    activity = ActivityRecorder(profiles.engine)
    senders: dict[str, BriefingSender] = {}
    briefings = make_briefings(settings, research, profiles, markets.market, chat_settings, senders, audit)
    moderation = ModerationStore(profiles.engine)  # one store: sharing and points read its join times and strikes
    points = PointsCommands(PointsStore(profiles.engine), moderation)
    router = Router(advisor, profiles, chat_settings,
                    ApprovedCollections(approvals, lambda name: revision_of(research, name)),
                    markets=MarketCommands(markets.desk, markets.portfolios),
                    briefs=BriefCommands(briefings.store, briefings, audit=audit),
                    moderation=ModerationCommands(moderation, audit=audit),
                    mood=make_mood(chat_settings, activity), audit=audit,
                    community=Community(
                        sharing=SharingCommands(ShareStore(profiles.engine), markets.portfolios, moderation=moderation,
                                                audit=audit, threshold=settings.follow_threshold / 100),
                        records=LeaderboardCommands(RecordStore(profiles.engine), moderation),
                        quiz=QuizCommands(QuizStore(profiles.engine), bundled_questions, profiles, audit,
                                          chat_language=lambda key: chat_settings.get(key).language,
                                          on_completed=points.quiz_completed),
                        points=points, feedback=FeedbackCommands(FeedbackStore(profiles.engine), audit=audit)))
    return App(settings, research, profiles, advisor, router, approvals, markets, briefings, senders, audit,
               activity)


def open_audit(settings: Settings) -> AuditLog:
    """The one audit log of the process, in the app's database, with the secret key the profile and portfolio
    stores use: a member has one pseudonym everywhere (and ``audit export --user`` finds them)."""
    return AuditLog.open(settings.sqlalchemy_url, key_ring(settings))


def make_mood(chat_settings: ChatSettingsStore, activity: ActivityRecorder | None = None) -> MoodCommands:
    """One mood tracker per process (in memory), with the shipped sentiment weights; the panic reminder speaks
    the chat's language setting. ``activity`` persists hourly counts (never text) for `roundtable report`."""
    from advisor.mood.model import SentimentModel
    from advisor.mood.tracker import MoodTracker

    model = SentimentModel.load()
    return MoodCommands(MoodTracker(model=model), model, lambda chat_key: chat_settings.get(chat_key).language,
                        activity)


class CollectionRetriever:
    """The default collection's retriever, looked up at each search: at build time the bundled notes may not
    be loaded yet (`run` loads them after building the app)."""

    def __init__(self, research: Research, collection: str) -> None:
        self.research = research
        self.collection = collection

    def search(self, query: str, k: int = 10) -> list[Hit]:
        return self.research.retriever(self.collection).search(query, k=k)


def make_briefings(settings: Settings, research: Research, profiles: SqlProfileStore, market: MarketData,
                   chat_settings: ChatSettingsStore, senders: dict[str, BriefingSender] | None = None,
                   audit: AuditLog | None = None) -> Briefings:
    """The briefing service: subscriptions and ledger in the app's database, quotes from the app's market data,
    research spotlights from the default collection, each chat in its own settings' language (else English)."""
    from advisor.briefing.compose import BriefingComposer
    from jobs.briefings import Briefings

    return Briefings(open_briefing_store(settings, profiles), market,
                     BriefingComposer(CollectionRetriever(research, settings.collection)),
                     lambda chat_key: chat_settings.get(chat_key).language or "en",
                     senders={} if senders is None else senders, audit=audit)


def open_briefings(settings: Settings) -> tuple[Briefings, Research]:
    """The briefing service without the advisor or the chat router: `roundtable brief preview` and `run-due`."""
    research = open_research(settings)
    profiles = open_profiles(settings)
    market = open_market_data(settings, profiles)  # no portfolios: a briefing never reads them
    return make_briefings(settings, research, profiles, market, ChatSettingsStore(profiles.engine),
                          audit=open_audit(settings)), research


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
