"""A week in one Telegram group, played through the real chat path for `roundtable report` tests: members chat
(moderation, mood and the hourly activity counts), ask questions (audit answer entries), break a rule (the
moderation log), and the chat gets scheduled briefings (the send ledger). Everything lands in the app's own
database under ROUNDTABLE_HOME, as the running bot would write it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import time_machine

from advisor.advisor import Advisor
from advisor.audit import AuditLog
from advisor.briefing.store import SqlBriefingStore
from advisor.composer import GroundedComposer
from advisor.db import app_engine
from advisor.mood.model import SentimentModel
from advisor.mood.tracker import MoodTracker
from advisor.profiles import SqlProfileStore
from advisor.report.activity import ActivityRecorder
from bots.app.settings import Settings
from bots.app.stores import key_ring
from bots.chat.messages import Incoming, Outgoing
from bots.chat.moderation import ModerationCommands
from bots.chat.modstore import ModerationStore
from bots.chat.mood import MoodCommands
from bots.chat.router import Router
from bots.chat.settings import ChatSettingsStore, FixedCollections
from knowledge.retrieval import Retriever

GROUP = "-1001234567890"
CHAT = f"telegram:{GROUP}"
ZONE = "Asia/Hong_Kong"  # UTC+8 all year: local hour = UTC hour + 8
# The week reported on: Monday 16 to Sunday 22 November 2026, Hong Kong time.
MONDAY_9AM = datetime(2026, 11, 16, 1, 0, tzinfo=UTC)  # 09:00 in Hong Kong
CALM = ["$AAPL earnings beat expectations, strong quarter", "Nice steady gains on AAPL today",
        "Holding my index fund, feeling fine about it", "TSLA deliveries up, good news for the stock"]
PANIC = ["I'm panicking, AAPL is crashing, I'm losing everything", "Market crash!! sell everything now, so scared",
         "This is a disaster, my portfolio is wiped out, terrified"]
PROMISE = "This fund has guaranteed returns, totally risk-free, join now"


@dataclass
class Week:
    router: Router
    audit: AuditLog
    activity: ActivityRecorder
    moderation: ModerationStore
    briefings: SqlBriefingStore
    now: list[datetime]  # the audit log's clock: set to each message's time

    def say(self, text: str, at: datetime, user: str = "501") -> list[Outgoing]:
        self.now[0] = at
        return self.router.handle(Incoming("telegram", GROUP, "group", user, f"Member {user}", text, received_at=at,
                                           message_id=str(int(at.timestamp()))))

    def close(self) -> None:
        self.activity.close()
        self.moderation.flush()


def open_week(retriever: Callable[[str], Retriever], model: SentimentModel) -> Week:
    """The router as the app builds it for groups, on the app's database (ROUNDTABLE_HOME must be set)."""
    settings = Settings()
    key = key_ring(settings)
    profiles = SqlProfileStore.open(settings.sqlalchemy_url, key)
    clock = [MONDAY_9AM]
    audit = AuditLog.open(settings.sqlalchemy_url, key, clock=lambda: clock[0])
    engine = app_engine(settings.sqlalchemy_url)
    chat_settings = ChatSettingsStore(engine)
    activity = ActivityRecorder(engine, flush_every=3600)  # written by close(), as at shutdown
    moderation = ModerationStore(engine)
    mood = MoodCommands(MoodTracker(model=model), model, lambda k: chat_settings.get(k).language, activity)
    router = Router(Advisor(retriever, GroundedComposer(), profiles), profiles, chat_settings,
                    FixedCollections({"research"}), moderation=ModerationCommands(moderation, audit=audit),
                    mood=mood, audit=audit)
    return Week(router, audit, activity, moderation, SqlBriefingStore(engine, key), clock)


def send_briefing(store: SqlBriefingStore, day: date, status: str, at: datetime) -> None:
    """A scheduled send as the runner records it: claimed, then finished, at ``at``."""
    with time_machine.travel(at, tick=False):
        assert store.claim(CHAT, day)
        store.finish(CHAT, day, status)


def play_week(week: Week) -> None:
    """Monday 09:00-09:30: 8 calm messages; Wednesday 21:00: 6 panicky ones and a rule broken; questions on
    Monday and Thursday; briefings sent Tuesday and Wednesday, one failed Thursday; and chatter the Monday after
    (outside the week)."""
    for n in range(8):
        week.say(CALM[n % len(CALM)], MONDAY_9AM + timedelta(minutes=4 * n), user=str(600 + n % 3))
    wednesday_9pm = MONDAY_9AM + timedelta(days=2, hours=12)
    for n in range(6):
        week.say(PANIC[n % len(PANIC)], wednesday_9pm + timedelta(minutes=2 * n), user=str(700 + n))
    week.say(PROMISE, wednesday_9pm + timedelta(minutes=20), user="799")
    week.say("/ask what is diversification?", MONDAY_9AM + timedelta(minutes=40))
    week.say("/ask what is a bond ladder?", MONDAY_9AM + timedelta(minutes=41))
    week.say("/ask should I buy TSLA now?", MONDAY_9AM + timedelta(days=3, hours=2))
    week.say("Back to normal this week, calm markets", MONDAY_9AM + timedelta(days=7, hours=1))
    for day, status in ((17, "sent"), (18, "sent"), (19, "failed")):
        send_briefing(week.briefings, date(2026, 11, day), status, datetime(2026, 11, day, 0, 30, tzinfo=UTC))
    week.close()
